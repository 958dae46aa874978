"""The README's Python examples run as written: every block, in order, in one session (as a
reader pasting them into a notebook would), in a scratch directory, with only the files the
package ships (``meshcost.examples``)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 8


def test_every_readme_block_runs_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session: dict = {"__name__": "readme"}
    for number, code in enumerate(BLOCKS, start=1):
        exec(compile(code, f"README.md python block {number}", "exec"), session)


def test_the_first_block_stands_alone(tmp_path, monkeypatch):
    """The quick start's block is complete: it imports what it uses."""
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[0], "README.md python block 1", "exec"), {"__name__": "readme"})
