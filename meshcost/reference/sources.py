"""The published figures meshcost's coefficients rest on.

Each row is one published measurement or default with its source, version and
conditions, keyed by an id. Coefficients in the mesh profiles cite these ids:

- ``data/published-figures.csv``: ``F001`` ... (measurements and chart defaults) and
  ``A001`` ... (the seed article's claims);
- ``data/more-figures.csv``: ``M001`` ... (the model's weak spots at scale: sidecar memory vs
  the config a proxy holds, istiod under churn, ztunnel under load, same-harness latency,
  Linkerd's control plane); anecdotal and vendor-authored rows say so in ``notes``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .data import data_path
from ..errors import DataFileError, UnknownNameError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Source", "SOURCE_FILES", "all_sources", "get_source", "sources_frame", "sources_table"]

_COLUMNS = (
    "id",
    "source_title",
    "source_url_or_repo_path",
    "date_or_version",
    "mesh",
    "mode",
    "component",
    "metric",
    "value",
    "unit",
    "conditions",
    "notes",
)


@dataclass(frozen=True)
class Source:
    """One published figure: what was measured, by whom, on which version, under which conditions."""

    id: str
    title: str
    location: str
    version: str
    mesh: str
    mode: str
    component: str
    metric: str
    value: str
    unit: str
    conditions: str
    notes: str

    def cite(self) -> str:
        """A one-line citation: title, version, location."""
        return f"{self.title} ({self.version}); {self.location}"


def _read(path: Path) -> dict[str, Source]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path}: missing column(s) {missing}; expected {list(_COLUMNS)}")
        table: dict[str, Source] = {}
        for line, row in enumerate(reader, start=2):
            key = (row["id"] or "").strip()
            if not key:
                raise DataFileError(f"{path}, line {line}: field 'id' is empty")
            if key in table:
                raise DataFileError(f"{path}, line {line}: field 'id' repeats {key!r}")
            table[key] = Source(
                key,
                row["source_title"],
                row["source_url_or_repo_path"],
                row["date_or_version"],
                row["mesh"],
                row["mode"],
                row["component"],
                row["metric"],
                row["value"],
                row["unit"],
                row["conditions"],
                row["notes"],
            )
    return table


#: The shipped source tables, in id order.
SOURCE_FILES = ("published-figures.csv", "more-figures.csv")


@lru_cache(maxsize=1)
def all_sources() -> dict[str, Source]:
    """Every shipped source row, by id."""
    table: dict[str, Source] = {}
    for name in SOURCE_FILES:
        rows = _read(data_path(name))
        repeated = sorted(set(rows) & set(table))
        if repeated:
            raise DataFileError(f"{name}: id(s) {repeated} also appear in an earlier source table")
        table.update(rows)
    return table


def get_source(source_id: str) -> Source:
    """The source row with this id (``"F050"``); unknown ids raise :class:`UnknownNameError`."""
    table = all_sources()
    try:
        return table[source_id]
    except KeyError:
        raise UnknownNameError(
            f"source id {source_id!r} is not in the shipped source tables "
            f"({', '.join(SOURCE_FILES)})"
        ) from None


def sources_frame(ids: Iterable[str] | None = None) -> "pd.DataFrame":
    """The source rows (all, or the given ids in order) as a DataFrame."""
    import pandas as pd

    rows = all_sources().values() if ids is None else [get_source(i) for i in ids]
    return pd.DataFrame([r.__dict__ for r in rows])


def sources_table(profiles: Iterable[Any]) -> "pd.DataFrame":
    """Which published figures produced each coefficient of ``profiles``, and each chart value.

    One row per coefficient (or install-profile value) and source; see
    :meth:`meshcost.Projection.sources` for the columns.
    """
    import pandas as pd

    table = all_sources()
    rows = []
    for profile in profiles:
        entries = [(component, resource, driver, coef.low, coef.typical, coef.high, coef.unit, coef.basis,
                    coef.note, coef.sources) for component, resource, driver, coef in profile.coefficients()]
        for comp in profile.components:
            for install, res in comp.resources:
                for resource, value, unit in (("request_cpu", res.cpu_request, "vCPU"),
                                              ("request_memory", res.memory_request, "MiB"),
                                              ("limit_cpu", res.cpu_limit, "vCPU"),
                                              ("limit_memory", res.memory_limit, "MiB")):
                    if value is not None:
                        entries.append((comp.name, resource, install, value, value, value, unit, "default",
                                        res.note, res.sources))
                if res.replicas is not None:
                    entries.append((comp.name, "replicas", install, res.replicas.minimum, res.replicas.minimum,
                                    res.replicas.maximum, "count", "default", res.note, res.sources))
        for component, resource, driver, low, typical, high, unit, basis, note, cites in entries:
            base = {"mesh": profile.name, "version": profile.version, "component": component,
                    "resource": resource, "driver": driver, "low": low, "typical": typical,
                    "high": high, "unit": unit, "basis": basis, "note": note}
            cited = [s for s in cites if s in table] or [""]
            for source_id in cited:
                src = table.get(source_id)
                rows.append({**base, "source_id": source_id,
                             "source": src.cite() if src else "; ".join(cites),
                             "version_or_date": src.version if src else "",
                             "conditions": src.conditions if src else ""})
    return pd.DataFrame(rows)

