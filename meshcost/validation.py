"""Where the model stands against the published measurements.

``meshcost.validate()`` runs the model at the conditions of every shipped source row that
states them (``data/validation.toml``) and compares: is the published figure inside the
model's low - high band? Rows whose conditions the model cannot represent (north-south
traffic through an ingress, a pathological leak, a throughput in Gb/s) are listed with the
reason, so every row of the source tables is accounted for.

A check names a source row, a *figure* the model computes (see :data:`FIGURES`), the mesh
(``name`` or ``name@version``) and component, the conditions as :func:`meshcost.project`
inputs, and the published value in the unit the source wrote (a point, a range, or a
one-sided bound). Points and ranges are inside when they overlap the model's band; a bound
is met when the model's typical value satisfies it. Published figures are rounded, so the
comparison allows :data:`TOLERANCE` (1 %).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping, cast

import numpy as np

from .reference.data import data_path
from .errors import DataFileError
from .latency import normal_ppf
from .reference.sources import all_sources
from .units import CANONICAL_UNIT, unit_is, ureg

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .results import ComponentResult, MeshResult

__all__ = ["FIGURES", "TOLERANCE", "Check", "Unchecked", "checks", "validate", "validation_summary",
           "validation_headline"]

#: The figures a check can compare, and their unit kind.
FIGURES: dict[str, str] = {
    "memory_per_instance": "memory",
    "cpu_per_instance": "cpu",
    "cpu_per_1000_rps": "cpu",
    "memory": "memory",
    "cpu": "cpu",
    "latency_p50": "time",
    "latency_p90": "time",
    "latency_p99": "time",
    "path_latency_p50": "time",
    "path_latency_p99": "time",
    "request_cpu": "cpu",
    "request_memory": "memory",
    "reserved_cpu": "cpu",
    "reserved_memory": "memory",
    "replicas": "count",
    "data_plane_memory_saving": "fraction",
    "capacity_rps": "rate",
    "worker_threads": "count",
}
_INPUTS = ("nodes", "sidecars", "services", "visible_services", "rps", "waypoints", "l7_share", "ports_per_service",
           "tcp_share", "subsets_per_service", "churn")
_OPTIONS = ("install", "requests")


@dataclass(frozen=True)
class Check:
    """One published figure and the model run that should reproduce it."""

    source: str
    figure: str
    mesh: str
    component: str
    conditions: dict[str, Any]
    options: dict[str, Any]
    low: float | None  # published, canonical units (None: unbounded below)
    high: float | None  # published, canonical units (None: unbounded above)
    bound: bool  # a one-sided bound, met by the model's typical value
    unit: str
    published: str
    relative_to: str = ""
    hops: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Unchecked:
    """A source row the model does not reproduce, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class _Table:
    checks: tuple[Check, ...]
    unchecked: tuple[Unchecked, ...] = field(default=())


def _fail(where: str, message: str) -> DataFileError:
    return DataFileError(f"validation.toml {where}: {message}")


def _published(entry: Mapping[str, Any], figure: str, where: str) -> tuple[float | None, float | None, bool, str]:
    unit = entry.get("unit", "")
    if not isinstance(unit, str) or not unit:
        raise _fail(where, "field 'unit' is missing; give the unit the source wrote")
    kind = FIGURES[figure]
    try:
        scale = ureg.Quantity(1.0, unit)
    except Exception:
        raise _fail(where, f"field 'unit' is {unit!r}, which pint cannot read") from None
    if not unit_is(scale, kind):
        raise _fail(where, f"field 'unit' is {unit!r}; figure {figure!r} needs a unit of {kind}")
    factor = float(scale.m_as(CANONICAL_UNIT[kind]))
    keys = [k for k in ("value", "low", "high", "at_most", "at_least") if k in entry]
    if keys == ["value"]:
        value = float(entry["value"]) * factor
        return value, value, False, f"{entry['value']:g} {unit}"
    if sorted(keys) == ["high", "low"]:
        low, high = float(entry["low"]), float(entry["high"])
        if not low <= high:
            raise _fail(where, f"low {low} > high {high}")
        return low * factor, high * factor, False, f"{low:g}-{high:g} {unit}"
    if keys == ["at_most"]:
        return None, float(entry["at_most"]) * factor, True, f"<= {entry['at_most']:g} {unit}"
    if keys == ["at_least"]:
        return float(entry["at_least"]) * factor, None, True, f">= {entry['at_least']:g} {unit}"
    raise _fail(where, f"give 'value', 'low' and 'high', 'at_most' or 'at_least'; got {keys}")


@lru_cache(maxsize=1)
def _table() -> _Table:
    path = data_path("validation.toml")
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    known = all_sources()
    found = []
    for index, entry in enumerate(document.get("check", [])):
        where = f"check[{index}]"
        source = entry.get("source")
        if source not in known:
            raise _fail(where, f"source {source!r} is not a shipped source row")
        figure = entry.get("figure")
        if figure not in FIGURES:
            raise _fail(where, f"figure {figure!r} is not one of {list(FIGURES)}")
        conditions = dict(entry.get("conditions", {}))
        unknown = sorted(set(conditions) - set(_INPUTS) - set(_OPTIONS))
        if unknown:
            raise _fail(where, f"conditions {unknown} are not project() inputs")
        options = {k: conditions.pop(k) for k in _OPTIONS if k in conditions}
        if figure in _COMPONENT_FIGURES and not entry.get("component"):
            raise _fail(where, f"figure {figure!r} needs a component")
        low, high, bound, text = _published(entry, figure, where)
        found.append(Check(source, figure, str(entry.get("mesh", "")), str(entry.get("component", "")), conditions,
                           options, low, high, bound, entry["unit"], text, str(entry.get("relative_to", "")),
                           float(entry.get("hops", 1.0)), str(entry.get("note", ""))))
    unchecked = []
    for index, entry in enumerate(document.get("unchecked", [])):
        source, reason = entry.get("source"), entry.get("reason", "")
        if source not in known or not reason:
            raise _fail(f"unchecked[{index}]", "needs a shipped source id and a reason")
        unchecked.append(Unchecked(source, reason))
    return _Table(tuple(found), tuple(unchecked))


def checks() -> tuple[Check, ...]:
    """The shipped checks (``data/validation.toml``)."""
    return _table().checks


def _band(values: tuple[Any, Any, Any]) -> tuple[float, float, float]:
    low, typical, high = (float(np.asarray(v)) for v in values)
    return low, typical, high


def _latency_quantile(result: "MeshResult", q: float) -> tuple[float, float, float]:
    """A per-hop latency quantile from each band's lognormal through its p50 and p99."""
    out = []
    z = float(normal_ppf(q))
    z99 = float(normal_ppf(0.99))
    for p50, p99 in zip(result.latency_p50.magnitudes(), result.latency_p99.magnitudes()):
        p50, p99 = float(p50), float(p99)
        if not math.isfinite(p99):
            out.append(math.inf)
            continue
        sigma = math.log(p99 / p50) / z99 if p50 > 0 else 0.0
        out.append(p50 * math.exp(sigma * z))
    return out[0], out[1], out[2]


#: Figures computed for one component (a check of one of them names it).
_COMPONENT_FIGURES = ("memory_per_instance", "cpu_per_instance", "cpu_per_1000_rps", "request_cpu", "request_memory",
                      "replicas", "capacity_rps", "worker_threads")


def _model(check: Check) -> tuple[float, float, float]:
    from .projection import project

    names = [check.mesh] + ([check.relative_to] if check.relative_to else [])
    meshes = [n.split("@", 1)[0] for n in names]
    versions = dict(n.split("@", 1) for n in names if "@" in n)
    result = project(meshes=meshes, versions=versions, **check.conditions, **check.options)
    mesh = result[result.meshes[0]]
    component = mesh.components.get(check.component)
    comp = cast("ComponentResult", component)  # the figures that use it name a component (checked on load)
    figure = check.figure
    if figure == "memory_per_instance":
        return _band(comp.memory_per_instance.magnitudes())
    if figure == "cpu_per_instance":
        return _band(comp.cpu_per_instance.magnitudes())
    if figure == "cpu_per_1000_rps":
        idle = project(meshes=meshes[:1], versions=versions, **{**check.conditions, "rps": 0.0}, **check.options)
        idle_comp = idle[idle.meshes[0]].components[check.component]
        from .kernels.usage import proxy_load

        load = float(proxy_load(comp.profile, result.scenario, comp.usage.instances))
        busy = comp.cpu_per_instance.magnitudes()
        base = idle_comp.cpu_per_instance.magnitudes()
        return _band(tuple((b - a) * 1000.0 / load for a, b in zip(base, busy)))
    if figure in ("memory", "cpu"):
        return _band(getattr(component if component is not None else mesh, figure).magnitudes())
    if figure in ("latency_p50", "latency_p99"):
        return _band(getattr(mesh, figure).magnitudes())
    if figure == "latency_p90":
        return _latency_quantile(mesh, 0.90)
    if figure in ("path_latency_p50", "path_latency_p99"):
        path = mesh.path_latency(check.hops)
        return _band(getattr(path, figure.rsplit("_", 1)[1]).magnitudes())
    if figure in ("request_cpu", "request_memory"):
        reserved = getattr(comp, "reserved_" + figure.split("_")[1]).magnitudes()
        count = float(comp.instances)
        return _band(tuple(r / count for r in reserved))
    if figure in ("reserved_cpu", "reserved_memory"):
        return _band(getattr(component if component is not None else mesh, figure).magnitudes())
    if figure == "replicas":
        count = float(comp.instances)
        return count, count, count
    if figure == "data_plane_memory_saving":
        other = result[result.meshes[1]]

        def plane(r: "MeshResult") -> tuple[float, ...]:
            parts = [c.memory.magnitudes() for c in r.components.values() if c.profile.proxy]
            return tuple(sum(float(p[b]) for p in parts) for b in range(3))

        ours, theirs = plane(mesh), plane(other)
        # the saving is largest with our low band against their high band, and vice versa
        return 1 - ours[2] / theirs[0], 1 - ours[1] / theirs[1], 1 - ours[0] / theirs[2]
    if figure == "capacity_rps":
        from .kernels.latency import capacity
        from .kernels.usage import REFERENCE_RPS, coefficient_values

        values = coefficient_values(mesh.profile)
        terms = {t.driver: t for t in comp.profile.cpu}
        cap = mesh.setup[check.component].cpu_cap
        bands = []
        for band in range(3):
            def per_request(driver: str) -> float:
                term = terms.get(driver) or terms["request"]
                return float(values[(check.component, "cpu", term.driver)][band]) / float(term.per_rps or 1.0)

            bands.append(float(capacity(np.asarray(per_request("request")),
                                        np.asarray(per_request("request_above_reference")), np.asarray(cap),
                                        REFERENCE_RPS)))
        return bands[2], bands[1], bands[0]  # the high CPU coefficients saturate first
    if figure == "worker_threads":
        workers = float(mesh.setup[check.component].workers or 0)
        return workers, workers, workers
    raise AssertionError(figure)  # _table validates figures


#: Relative tolerance of the comparison: published figures are rounded (0.18 vCPU, 50 MB).
TOLERANCE = 0.01


def _inside(check: Check, low: float, typical: float, high: float) -> bool:
    slack = 1.0 + TOLERANCE
    if check.bound:
        return ((check.low is None or typical * slack >= check.low)
                and (check.high is None or typical <= check.high * slack))
    assert check.low is not None and check.high is not None
    return check.low <= high * slack and low <= check.high * slack


def _conditions_text(check: Check) -> str:
    parts = [f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in check.conditions.items()]
    parts += [f"{k}={v}" for k, v in check.options.items()]
    if check.figure.startswith("path_"):
        parts.append(f"hops={check.hops:g}")
    if check.relative_to:
        parts.append(f"vs {check.relative_to}")
    return ", ".join(parts)


def validate() -> "pd.DataFrame":
    """Run the model at the conditions of every published measurement that states them.

    Returns
    -------
    pandas.DataFrame
        One row per check, then one per source row the model does not reproduce. Columns:
        ``source_id``, ``status`` ("inside", "outside", "not modelled"), ``figure``,
        ``mesh``, ``component``, ``conditions``, ``published`` (as the source wrote it),
        ``published_low`` / ``published_high`` and ``model_low`` / ``model_typical`` /
        ``model_high`` in ``unit`` (MiB, vCPU, ms, fraction, 1/s or count), ``inside``,
        ``anecdotal`` (the source row's notes mark it anecdotal, a user report or a
        vendor's), ``used_in_model`` (a coefficient of that mesh cites the row, so the check
        is a calibration point rather than an independent test), ``source`` (title and
        version), ``note`` / reason.
    """
    import pandas as pd

    table = _table()
    sources = all_sources()
    rows = []
    cited = _cited()
    for check in table.checks:
        low, typical, high = _model(check)
        inside = _inside(check, low, typical, high)
        src = sources[check.source]
        notes = f"{src.notes} {src.title}".lower()
        rows.append({
            "source_id": check.source, "status": "inside" if inside else "outside", "figure": check.figure,
            "mesh": check.mesh, "component": check.component, "conditions": _conditions_text(check),
            "published": check.published,
            "published_low": np.nan if check.low is None else check.low,
            "published_high": np.nan if check.high is None else check.high,
            "model_low": low, "model_typical": typical, "model_high": high,
            "unit": _UNIT_LABEL[FIGURES[check.figure]], "inside": inside,
            "anecdotal": any(w in notes for w in ("anecdotal", "user report", "vendor", "user test")),
            "used_in_model": check.source in cited.get(check.mesh, set()),
            "source": f"{src.title} ({src.version})", "note": check.note,
        })
    for item in table.unchecked:
        src = sources[item.source]
        rows.append({"source_id": item.source, "status": "not modelled", "figure": "", "mesh": "", "component": "",
                     "conditions": "", "published": f"{src.value} {src.unit}".strip(), "published_low": np.nan,
                     "published_high": np.nan, "model_low": np.nan, "model_typical": np.nan, "model_high": np.nan,
                     "unit": "", "inside": False, "anecdotal": False, "used_in_model": False,
                     "source": f"{src.title} ({src.version})", "note": item.reason})
    return pd.DataFrame(rows)


def _cited() -> dict[str, set[str]]:
    """Source ids each mesh (and vintage) rests on: coefficients, install profiles, measured ranges."""
    from .reference.profiles import BUILTIN_MESHES, get_profile, versions

    out: dict[str, set[str]] = {}
    for mesh in BUILTIN_MESHES:
        for label in versions(mesh):
            profile = get_profile(mesh, label)
            ids = {s for _, _, _, coef in profile.coefficients() for s in coef.sources}
            for comp in profile.components:
                ids |= {s for _, res in comp.resources for s in res.sources}
                ids |= {s for bound in comp.measured for s in bound.sources}
            out[f"{mesh}@{label}"] = ids
            if profile is get_profile(mesh):
                out[mesh] = ids
    return out


_UNIT_LABEL = {"memory": "MiB", "cpu": "vCPU", "time": "ms", "fraction": "fraction", "rate": "1/s", "count": "count"}


def validation_summary(frame: "pd.DataFrame | None" = None) -> dict[str, Any]:
    """The headline of :func:`validate`: checks, how many fall inside the band, and the share.

    Also counts the checks against rows no coefficient of the checked mesh cites
    (independent), and the source rows covered (checked or explained) against all rows.
    """
    frame = validate() if frame is None else frame
    checked = frame[frame["status"] != "not modelled"]
    inside = int(checked["inside"].sum())
    covered = set(frame["source_id"])
    independent = checked[~checked["used_in_model"]]
    return {"checks": len(checked), "inside": inside, "share_inside": inside / len(checked) if len(checked) else 0.0,
            "independent_checks": len(independent), "independent_inside": int(independent["inside"].sum()),
            "sources_checked": len(set(checked["source_id"])), "sources_explained": len(covered),
            "sources_total": len(all_sources())}


def validation_headline(summary: Mapping[str, Any] | None = None) -> str:
    """One line: how many published figures fall inside the model's band (the README quotes it)."""
    summary = validation_summary() if summary is None else summary
    return (f"{summary['inside']} of {summary['checks']} published figures fall inside the model's low - high band "
            f"({summary['share_inside']:.0%}); {summary['independent_inside']} of {summary['independent_checks']} "
            f"that no coefficient of the mesh rests on. {summary['sources_explained']} of "
            f"{summary['sources_total']} source rows are checked or explained.")
