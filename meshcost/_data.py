"""Where meshcost's shipped data lives.

The wheel ships the repository's ``data/`` folder as ``meshcost/data``; in a source checkout
(or an editable install) the folder sits next to the ``meshcost`` package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "data_path"]


@lru_cache(maxsize=1)
def data_dir() -> Path:
    """The directory holding meshcost's shipped data files."""
    packaged = Path(str(resources.files("meshcost"))) / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def data_path(name: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("prices.csv")``."""
    return data_dir() / name
