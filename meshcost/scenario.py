"""Scenario inputs: validate at the boundary, strip units, apply defaults, broadcast.

:func:`make_scenario` turns what a user passes (numbers, arrays, pint Quantities) into a
:class:`~meshcost.kernels.scenario.Scenario` of float64 arrays in fixed units (counts,
requests per second, shares). The inputs, their units, bounds and defaults are declared once,
in :data:`meshcost.figures.INPUTS`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .checks import broadcast_shape, fail, first_where, numbers_array
from .errors import BroadcastError
from .figures import INPUTS
from .kernels.scenario import Scenario

__all__ = ["Scenario", "make_scenario", "check_input", "DEFAULT_PODS_PER_SERVICE", "DEFAULT_PORTS_PER_SERVICE",
           "DEFAULT_POD_LIFETIME_S", "INPUT_DOCS", "MAX_SCENARIOS"]

#: The most scenarios one :func:`meshcost.project` call computes (about 1 KiB of memory each,
#: so 10^7 take ~11 GiB); :func:`meshcost.sweep` projects larger grids in chunks.
MAX_SCENARIOS = 10_000_000

#: Default meshed pods per Service when ``services`` is not given. A modelling assumption:
#: Istio's load test runs 2 pods per service; Kubernetes' scalability envelope (150,000 pods,
#: 10,000 Services) implies 15. A round 10 sits between them.
DEFAULT_PODS_PER_SERVICE = 10
#: Default ports per Service. A modelling assumption: the public sample apps (Bookinfo,
#: emojivoto, Online Boutique) expose one port per Service; give yours when you know it.
DEFAULT_PORTS_PER_SERVICE = 1.0
#: Default lifetime of a meshed pod [s], for the default ``churn``. A modelling assumption:
#: one rollout of every workload a day replaces each pod once, and a replacement is two
#: endpoint changes (an add and a remove): churn = 2 x sidecars / 86,400 s.
DEFAULT_POD_LIFETIME_S = 86_400.0

#: Each input, its meaning, unit and default, for docs and help texts (from the registry).
INPUT_DOCS: dict[str, str] = {i.name: f"{i.doc} [{i.unit}]; default {i.default}" for i in INPUTS}


_SPECS = {i.name: i for i in INPUTS}


def check_input(name: str, value: Any) -> np.ndarray:
    """One scenario input checked against its registry entry (kind, bounds, whole), as a float64 array."""
    spec = _SPECS[name]
    size = getattr(value, "size", None)
    if isinstance(size, (int, np.integer)) and size > MAX_SCENARIOS:  # before converting a huge array
        fail(name, f"an array of {int(size):,} values", f"at most {MAX_SCENARIOS:,} values per call (meshcost.sweep "
             "projects larger grids in chunks)", described=True)
    return numbers_array(value, name, spec.kind, minimum=spec.minimum, maximum=spec.maximum, whole=spec.whole,
                         expected=spec.accepted)


def make_scenario(
    nodes: Any,
    sidecars: Any,
    services: Any = None,
    visible_services: Any = None,
    rps: Any = 0.0,
    waypoints: Any = 0,
    l7_share: Any = None,
    ports_per_service: Any = None,
    tcp_share: Any = 0.0,
    subsets_per_service: Any = 0.0,
    churn: Any = None,
    *,
    extra_shapes: tuple[tuple[int, ...], ...] = (),
) -> Scenario:
    """Validate, strip units from and broadcast the scenario inputs (see :data:`meshcost.figures.INPUTS`).

    ``extra_shapes`` are other arrays' shapes (coefficient overrides) the inputs must broadcast with.
    """
    given = {"nodes": nodes, "sidecars": sidecars, "services": services, "visible_services": visible_services,
             "rps": 0.0 if rps is None else rps, "waypoints": 0 if waypoints is None else waypoints,
             "l7_share": l7_share, "ports_per_service": ports_per_service,
             "tcp_share": 0.0 if tcp_share is None else tcp_share,
             "subsets_per_service": 0.0 if subsets_per_service is None else subsets_per_service, "churn": churn}
    named = {name: check_input(name, value) for name, value in given.items()
             if value is not None or name in ("nodes", "sidecars")}
    if services is None:
        named["services"] = np.ceil(named["sidecars"] / DEFAULT_PODS_PER_SERVICE)
    if visible_services is None:
        named["visible_services"] = named["services"]
    if l7_share is None:
        named["l7_share"] = (named["waypoints"] > 0).astype(np.float64)
    if ports_per_service is None:
        named["ports_per_service"] = np.asarray(DEFAULT_PORTS_PER_SERVICE)
    if churn is None:
        named["churn"] = 2.0 * named["sidecars"] / DEFAULT_POD_LIFETIME_S
    named = {i.name: named[i.name] for i in INPUTS}
    shape = broadcast_shape(**named)
    size = math.prod(shape)
    if size == 0:
        empty = next(k for k, v in named.items() if v.size == 0)
        fail(empty, "an empty array", "at least one value (every output has the inputs' broadcast shape)",
             described=True)
    if size > MAX_SCENARIOS:
        fail("nodes", f"inputs that broadcast to {size:,} scenarios (shape {shape})", f"at most {MAX_SCENARIOS:,} "
             "scenarios per call (meshcost.sweep projects larger grids in chunks)", described=True)
    if extra_shapes:
        try:
            shape = np.broadcast_shapes(shape, *extra_shapes)
        except ValueError:
            raise BroadcastError(f"coefficient overrides of shape(s) {list(extra_shapes)} do not broadcast with the "
                                 f"scenario inputs' shape {shape}", parameter="overrides",
                                 value=str(list(extra_shapes)), expected=f"shapes that broadcast with {shape}") from None
    if visible_services is not None:
        over = named["visible_services"] > named["services"]
        if np.any(over):
            fail("visible_services", f"{first_where(named['visible_services'], over)!r} where services is "
                 f"{first_where(named['services'], over)!r}", "visible_services <= services", described=True)
    if l7_share is not None:
        orphan = (named["l7_share"] > 0) & (named["waypoints"] == 0)
        if np.any(orphan):
            fail("l7_share", f"{first_where(named['l7_share'], orphan)!r} with waypoints = 0",
                 "l7_share = 0 when there are no waypoints (L7 traffic needs a waypoint)", described=True)
    return Scenario(shape=shape, **named)
