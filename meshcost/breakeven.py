"""Break-even: where two meshes' cost (or memory, CPU, ...) cross along one input.

``break_even("istio-ambient", "istio-sidecar", along="pods_per_node", lo=1, hi=110, nodes=100,
waypoints=20)`` finds the pods per node at which ambient stops (or starts) being cheaper. The
other inputs may be arrays: every combination gets its own answer, in one vectorised search.

Method: the difference ``metric(a) - metric(b)`` is evaluated on a grid along the input;
the first sign change is then refined by bisection (to the exact whole number for count
inputs). Where the sign never changes on ``[lo, hi]`` the answer is NaN, ``crosses`` is
False and ``a_lower_at_lo`` tells which mesh is lower throughout. Only the first crossing is
reported; a finer ``grid`` finds crossings closer together than the grid spacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import fail, numbers_array
from .errors import InputValueError, describe_value
from .figures import INPUTS, figures
from .projection import project
from .scenario import check_input

__all__ = ["BreakEven", "break_even", "METRICS", "ALONG"]

#: Metrics a break-even compares: every mesh figure of the registry.
METRICS = tuple(f.name for f in figures("mesh"))
#: Inputs a break-even can run along -> whether they are whole numbers; ``pods_per_node`` sets
#: ``sidecars = pods_per_node x nodes``; ``skew`` is the money input.
ALONG = {**{i.name: i.whole for i in INPUTS}, "pods_per_node": True, "skew": False}


@dataclass(frozen=True)
class BreakEven:
    """Where ``metric(mesh_a) - metric(mesh_b)`` changes sign along ``along``.

    ``value``: the crossing (NaN where none on ``[lo, hi]``); for count inputs the first
    whole number at which the sign differs from its sign at ``lo``. ``crosses``: whether
    they cross. ``a_lower_at_lo``: whether ``mesh_a`` is the lower one at ``lo``.
    """

    mesh_a: str
    mesh_b: str
    along: str
    metric: str
    value: Any
    crosses: Any
    a_lower_at_lo: Any

    def describe(self) -> str:
        """A one-line answer for a scalar search."""
        if np.ndim(self.value):
            return f"{int(np.sum(self.crosses))} of {np.size(self.crosses)} scenarios cross; see .value"
        lower, higher = (self.mesh_a, self.mesh_b) if self.a_lower_at_lo else (self.mesh_b, self.mesh_a)
        if not self.crosses:
            return f"{lower} has the lower {self.metric} everywhere on the range searched; they never cross"
        return f"{lower} has the lower {self.metric} until {self.along} = {self.value:g}, then {higher} does"


def _difference(mesh_a: str, mesh_b: str, along: str, x: np.ndarray, metric: str, band: str,
                inputs: dict[str, Any]) -> np.ndarray:
    kwargs = dict(inputs)
    if along == "pods_per_node":
        kwargs["sidecars"] = x * np.asarray(inputs["nodes"], dtype=float)
    else:
        kwargs[along] = x
    result = project(meshes=[mesh_a, mesh_b], **kwargs)
    a = getattr(getattr(result[result.meshes[0]], metric), band).magnitude
    b = getattr(getattr(result[result.meshes[1]], metric), band).magnitude
    return np.asarray(a, dtype=float) - np.asarray(b, dtype=float)


def _bound(value: Any, name: str) -> float:
    """One finite plain number (a search bound)."""
    array = numbers_array(value, name, "count", expected="one finite number (a search bound)")
    if array.ndim != 0:
        fail(name, value, "one finite number (a search bound), not an array")
    return float(array)


def break_even(mesh_a: str, mesh_b: str, along: str, lo: float, hi: float, *, metric: str = "cost",
               band: str = "typical", grid: int = 65, **inputs: Any) -> BreakEven:
    """Find where two meshes' ``metric`` cross as ``along`` runs from ``lo`` to ``hi``.

    Parameters
    ----------
    mesh_a, mesh_b : str
        Mesh names (``name@version`` allowed).
    along : str
        The input to vary: one of :data:`ALONG` (``pods_per_node`` sets ``sidecars``).
    lo, hi : float
        The range searched, in the input's unit (whole numbers for counts).
    metric : str
        One of :data:`METRICS`. Default ``"cost"``.
    band : {"low", "typical", "high"}
        Which band of the metric to compare.
    grid : int
        Points of the first, coarse pass (>= 3).
    **inputs
        The other inputs of :func:`meshcost.project` (``nodes=...`` is needed for
        ``pods_per_node``); arrays broadcast, and every combination gets an answer.
    """
    if along not in ALONG:
        raise InputValueError(f"along: got {describe_value(along)}; expected one of {list(ALONG)}")
    if metric not in METRICS:
        raise InputValueError(f"metric: got {describe_value(metric)}; expected one of {list(METRICS)}")
    if band not in ("low", "typical", "high"):
        raise InputValueError(f"band: got {describe_value(band)}; expected 'low', 'typical' or 'high'")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 3 <= grid <= 100_000:
        raise InputValueError(f"grid: got {describe_value(grid)}; expected a whole number from 3 to 100,000")
    if along in inputs or (along == "pods_per_node" and "sidecars" in inputs):
        raise InputValueError(f"along: {along!r} is searched; do not also pass it (or sidecars) as an input")
    if along == "pods_per_node" and "nodes" not in inputs:
        raise InputValueError("nodes: needed when along='pods_per_node' (sidecars = pods_per_node x nodes)")
    if along == "pods_per_node":  # checked as project() checks it, before it is multiplied
        inputs = {**inputs, "nodes": check_input("nodes", inputs["nodes"])}
    lo_f, hi_f = _bound(lo, "lo"), _bound(hi, "hi")
    whole = ALONG[along]
    if not (np.isfinite(lo_f) and np.isfinite(hi_f) and lo_f < hi_f) or (whole and (lo_f != int(lo_f) or hi_f != int(hi_f))):
        raise InputValueError(f"lo, hi: got {lo!r}, {hi!r}; expected finite lo < hi"
                              + (" (whole numbers for a count)" if whole else ""))

    points = np.unique(np.round(np.linspace(lo_f, hi_f, grid))) if whole else np.linspace(lo_f, hi_f, grid)
    probe = _difference(mesh_a, mesh_b, along, np.array(lo_f), metric, band, inputs)
    shape = np.shape(probe)
    x = points.reshape((-1,) + (1,) * len(shape))
    diff = _difference(mesh_a, mesh_b, along, x, metric, band, inputs)
    diff = np.broadcast_to(diff, (len(points),) + shape)
    start_sign = np.sign(diff[0])
    changed = np.sign(diff) != start_sign  # includes reaching exactly 0 from a nonzero start
    crosses = changed.any(axis=0)
    first = np.argmax(changed, axis=0)
    left = points[np.maximum(first - 1, 0)]
    right = points[first]
    # bisection between the bracketing grid points, all scenarios at once
    for _ in range(60):
        if whole and np.all(right - left <= 1):
            break
        mid = np.floor((left + right) / 2) if whole else (left + right) / 2
        d = np.broadcast_to(_difference(mesh_a, mesh_b, along, mid, metric, band, inputs), shape)
        moved = np.sign(d) != start_sign
        right = np.where(crosses & moved, mid, right)
        left = np.where(crosses & ~moved, mid, left)
    value = np.where(crosses, right, np.nan)
    a_lower = start_sign < 0
    if value.ndim == 0:
        return BreakEven(mesh_a, mesh_b, along, metric, float(value), bool(crosses), bool(a_lower))
    return BreakEven(mesh_a, mesh_b, along, metric, value, crosses, a_lower)
