"""Scenario inputs: validate at the boundary, strip units, broadcast.

A :class:`Scenario` holds one or many cluster scenarios as float64 numpy arrays in fixed
units (counts, requests per second, fractions) that broadcast together. Everything
downstream of :func:`make_scenario` is plain numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import BroadcastError, InputValueError, describe_value
from .units import strip

__all__ = ["Scenario", "make_scenario", "DEFAULT_PODS_PER_SERVICE", "DEFAULT_PORTS_PER_SERVICE",
           "DEFAULT_POD_LIFETIME_S", "INPUT_DOCS", "check_array", "broadcast_shape",
           "first_where"]

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

#: Each input, its unit and default (used in docs, frames and the CLI).
INPUT_DOCS: dict[str, str] = {
    "nodes": "worker nodes in the cluster [count, >= 1]",
    "sidecars": "meshed pods: one sidecar each in sidecar meshes; ambient meshes them without sidecars [count]",
    "services": f"Services in the mesh [count]; default ceil(sidecars / {DEFAULT_PODS_PER_SERVICE})",
    "visible_services": "services each sidecar holds config for [count]; default all (no Sidecar/exportTo scoping)",
    "rps": "mesh-wide service-to-service requests per second [1/s]; default 0 (idle)",
    "waypoints": "Istio ambient waypoint proxies [count]; default 0 (L4 only)",
    "l7_share": "share of requests that pass a waypoint [0-1]; default 1 where waypoints > 0, else 0",
    "ports_per_service": f"ports per Service, on average [count]; default {DEFAULT_PORTS_PER_SERVICE:g} (assumption)",
    "tcp_share": "share of service ports that carry plain TCP, not HTTP (each gets its own Envoy listener) [0-1]; "
                 "default 0",
    "subsets_per_service": "DestinationRule subsets per Service, on average (each adds an Envoy cluster per port) "
                           "[count]; default 0",
    "churn": "pod or config changes per second in the cluster [1/s]; default "
             "2 x sidecars / 86,400 (every pod replaced once a day, an assumption)",
}


@dataclass(frozen=True)
class Scenario:
    """Validated scenario inputs as float64 arrays that broadcast to ``shape``."""

    nodes: np.ndarray
    sidecars: np.ndarray
    services: np.ndarray
    visible_services: np.ndarray
    rps: np.ndarray
    waypoints: np.ndarray
    l7_share: np.ndarray
    ports_per_service: np.ndarray
    tcp_share: np.ndarray
    subsets_per_service: np.ndarray
    churn: np.ndarray
    shape: tuple[int, ...]

    def inputs(self) -> dict[str, np.ndarray]:
        """The inputs by name, each broadcast to :attr:`shape` (read-only views)."""
        return {name: np.broadcast_to(getattr(self, name), self.shape) for name in INPUT_DOCS}


def first_where(array: Any, mask: np.ndarray) -> float:
    """The first value of ``array`` (broadcast to ``mask``) where ``mask`` is true, for error messages."""
    return float(np.broadcast_to(array, mask.shape)[mask].flat[0])


def check_array(array: np.ndarray, name: str, *, minimum: float = 0.0, maximum: float | None = None,
                whole: bool = False, accepted: str = "") -> np.ndarray:
    """Reject NaN, infinite, out-of-range or (``whole=True``) fractional values, naming ``name``."""
    accepted = accepted or (
        f"{'whole numbers' if whole else 'finite numbers'} >= {minimum:g}"
        + (f" and <= {maximum:g}" if maximum is not None else "")
    )
    if array.ndim == 0:  # fast scalar path
        value = float(array)
        bad = not np.isfinite(value) or value < minimum or (maximum is not None and value > maximum) or (
            whole and value != np.floor(value))
        if bad:
            raise InputValueError(f"{name}: got {describe_value(value)}; expected {accepted}")
        return array
    ok = np.isfinite(array)
    if not ok.all():
        raise InputValueError(f"{name}: got {first_where(array, ~ok)!r} in an array; expected {accepted}")
    for good in (array >= minimum, None if maximum is None else array <= maximum,
                 (np.floor(array) == array) if whole else None):
        if good is not None and not good.all():
            raise InputValueError(f"{name}: got {first_where(array, ~good)!r} in an array; expected {accepted}")
    return array


def broadcast_shape(**named: np.ndarray) -> tuple[int, ...]:
    """The shape named arrays broadcast to; :class:`BroadcastError` naming each shape if they don't."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in named.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in named.items() if np.ndim(v))
        raise BroadcastError(
            f"inputs do not broadcast together: {shapes}; give scalars or arrays of compatible shapes"
        ) from None


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
    """Validate, strip units from and broadcast the scenario inputs (see :data:`INPUT_DOCS`)."""
    named: dict[str, np.ndarray] = {}
    named["nodes"] = check_array(strip(nodes, "nodes", "count"), "nodes", minimum=1, whole=True)
    named["sidecars"] = check_array(strip(sidecars, "sidecars", "count"), "sidecars", whole=True)
    if services is None:
        named["services"] = np.ceil(named["sidecars"] / DEFAULT_PODS_PER_SERVICE)
    else:
        named["services"] = check_array(strip(services, "services", "count"), "services", whole=True)
    if visible_services is None:
        named["visible_services"] = named["services"]
    else:
        named["visible_services"] = check_array(
            strip(visible_services, "visible_services", "count"), "visible_services", whole=True)
    named["rps"] = check_array(strip(rps, "rps", "rate"), "rps",
                               accepted="finite requests per second >= 0")
    named["waypoints"] = check_array(strip(waypoints, "waypoints", "count"), "waypoints", whole=True)
    if l7_share is None:
        named["l7_share"] = (named["waypoints"] > 0).astype(np.float64)
    else:
        named["l7_share"] = check_array(strip(l7_share, "l7_share", "fraction"), "l7_share",
                                        maximum=1.0, accepted="a share from 0 to 1")
    named["ports_per_service"] = (np.asarray(DEFAULT_PORTS_PER_SERVICE) if ports_per_service is None else check_array(
        strip(ports_per_service, "ports_per_service", "count"), "ports_per_service",
        accepted="finite average ports per Service >= 0"))
    named["tcp_share"] = check_array(strip(tcp_share, "tcp_share", "fraction"), "tcp_share", maximum=1.0,
                                     accepted="a share from 0 to 1")
    named["subsets_per_service"] = check_array(strip(subsets_per_service, "subsets_per_service", "count"),
                                               "subsets_per_service",
                                               accepted="finite average DestinationRule subsets per Service >= 0")
    if churn is None:
        named["churn"] = 2.0 * named["sidecars"] / DEFAULT_POD_LIFETIME_S
    else:
        named["churn"] = check_array(strip(churn, "churn", "rate"), "churn",
                                     accepted="finite changes per second >= 0")
    shape = broadcast_shape(**named)
    if extra_shapes:
        try:
            shape = np.broadcast_shapes(shape, *extra_shapes)
        except ValueError:
            raise BroadcastError(
                f"coefficient overrides of shape(s) {list(extra_shapes)} do not broadcast with the "
                f"scenario inputs' shape {shape}"
            ) from None
    if visible_services is not None:
        over = named["visible_services"] > named["services"]
        if np.any(over):
            raise InputValueError(
                f"visible_services: got {first_where(named['visible_services'], over)!r} where services is "
                f"{first_where(named['services'], over)!r}; "
                "expected visible_services <= services"
            )
    if l7_share is not None:
        orphan = (named["l7_share"] > 0) & (named["waypoints"] == 0)
        if np.any(orphan):
            raise InputValueError(
                f"l7_share: got {first_where(named['l7_share'], orphan)!r} with waypoints = 0; "
                "expected l7_share = 0 when there are no waypoints (L7 traffic needs a waypoint)"
            )
    return Scenario(shape=shape, **named)
