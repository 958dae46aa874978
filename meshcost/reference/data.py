"""Where meshcost's shipped data lives: ``meshcost/data``, read through ``importlib.resources``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "data_path"]


@lru_cache(maxsize=1)
def data_dir() -> Path:
    """The directory holding meshcost's shipped data files (inside the package)."""
    return Path(str(resources.files("meshcost") / "data"))


def data_path(name: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("prices.csv")``."""
    return data_dir() / name
