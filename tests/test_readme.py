"""The README's Python examples run as written (in a scratch directory with the files they name)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_example_runs(number, tmp_path, monkeypatch):
    shutil.copy(FIXTURES / "kubectl-cluster.json", tmp_path / "cluster.json")
    for kind, name in (("memory", "memory"), ("cpu-rate", "cpu"), ("load", "load")):
        shutil.copy(FIXTURES / "calibration" / f"prometheus-{kind}-matrix.json", tmp_path / f"{name}.json")
    monkeypatch.chdir(tmp_path)
    code = BLOCKS[number]
    if "print(" in code:
        code = code.replace("print(", "str(")
    import meshcost  # the README's later blocks continue the session its first ones start

    exec(compile(code, f"README.md python block {number + 1}", "exec"), {"__name__": "readme", "meshcost": meshcost})
