"""Latency along a request path: many hops, and one proxy under a given load.

A request that crosses ``hops`` service-to-service hops adds the sum of the per-hop
delays. Each hop's delay is a lognormal fitted to its p50 and p99
(:mod:`meshcost.latency`); the sum is composed by Fenton-Wilkinson, so the p99 of a
10-hop request is well below 10 x the per-hop p99 (tails rarely line up on every hop).
:func:`naive_p99` keeps the sum of p99s for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputValueError, describe_value
from .latency import _hops, chain_quantiles, naive_sum, sidecar_latency_at
from .model import REFERENCE_RPS
from .profiles import MeshProfile, get_profile
from .result import Band
from .units import MS, strip

__all__ = ["PathLatency", "compose_hops", "loaded_hop", "latency_at"]


@dataclass(frozen=True)
class PathLatency:
    """Latency added along a request path [ms]: composed p50 / p99, and the naive sum of p99s."""

    hops: Any
    p50: Band
    p99: Band
    naive_p99: Band


def compose_hops(per_hop_p50: tuple, per_hop_p99: tuple, hops: Any) -> PathLatency:
    """Compose per-hop (low, typical, high) p50 / p99 [ms] over ``hops`` hops (broadcasts)."""
    count = _hops(hops)  # latency's check: whole numbers >= 0
    p50, p99, naive = [], [], []
    for a50, a99 in zip(per_hop_p50, per_hop_p99):
        a50, a99, n = np.broadcast_arrays(np.asarray(a50, float), np.asarray(a99, float), count)
        finite = np.isfinite(a50) & np.isfinite(a99)
        q = np.full((2,) + n.shape, np.inf)
        if finite.any():
            q[:, finite] = chain_quantiles(a50[finite], a99[finite], n[finite], q=(0.5, 0.99))
        p50.append(q[0])
        p99.append(q[1])
        naive.append(np.where(finite, naive_sum(np.where(finite, a99, 0.0), n), np.inf))
    shape = np.broadcast(*p50).shape
    return PathLatency(count if count.ndim else float(count), Band(tuple(p50), MS, shape),
                       Band(tuple(p99), MS, shape), Band(tuple(naive), MS, shape))


def loaded_hop(profile: MeshProfile, rps_per_proxy: np.ndarray, *, cpu_limit: Any = np.inf, workers: Any = None,
               l7: bool = False, q: Any = (0.5, 0.99)) -> tuple[list[np.ndarray], float]:
    """Latency the proxies on one hop add at a load through each, per band (low, typical, high) [ms].

    Each band's array has the quantiles ``q`` first (as :func:`meshcost.latency.sidecar_latency_at`
    returns them). Also returns the typical saturation rate of the first proxy to saturate [1/s].
    Ambient waypoints count only with ``l7``; a proxy without a CPU-per-request term queues at no cost.
    """
    bands: list[Any] = [0.0, 0.0, 0.0]
    capacity = np.inf
    for comp in profile.components:
        if comp.latency_p50 is None or comp.latency_p99 is None or comp.traffic == "none" \
                or (comp.traffic == "l7" and not l7):
            continue
        request = [t for t in comp.cpu if t.driver == "request"]
        threads = comp.workers if workers is None else workers
        for band in range(3):
            cpu = request[0].coefficient.values[band] * 1000.0 / request[0].per_rps if request else 0.0
            loaded = sidecar_latency_at(
                rps_per_proxy, cpu_limit, comp.latency_p50.values[band], comp.latency_p99.values[band], cpu,
                worker_threads=threads, passes=comp.passes, q=q, reference_rps=REFERENCE_RPS,
                reference_servers=comp.workers)
            bands[band] = bands[band] + loaded.latency
            if band == 1:
                capacity = min(capacity, float(np.min(loaded.capacity_rps)))
    return bands, capacity


def latency_at(mesh: str, rps_per_proxy: Any, *, cpu_limit: Any = None, workers: Any = None,
               hops: Any = 1, version: str | None = None, l7: bool = False) -> PathLatency:
    """Latency a mesh adds at a given load through each proxy on the path.

    Answers "how much latency at 3,000 RPS per pod with a 2-CPU limit?":
    ``latency_at("istio-sidecar", 3000, cpu_limit=2)``.

    Parameters
    ----------
    mesh : str
        A built-in mesh (``"istio-sidecar"``, ``"istio-ambient"``, ``"linkerd"``, or ``name@version``).
    rps_per_proxy : float, array or Quantity
        Requests per second through each proxy on the path (a pod's sidecar; a node's
        ztunnel; a waypoint). [1/s]
    cpu_limit : float, array or Quantity, optional
        The proxy's CPU limit [vCPU]; caps the worker threads' CPU. Default: none.
    workers : int, optional
        Worker threads; default the profile's (Envoy 2, ztunnel 2, waypoint 2, linkerd2-proxy 1).
    hops : int or array
        Service-to-service hops on the request path (composed, see :func:`compose_hops`).
    version : str, optional
        Data vintage (e.g. ``"1.20"``); default the newest.
    l7 : bool
        Ambient only: the hop also passes a waypoint (default False: L4, ztunnels only).

    Returns
    -------
    PathLatency
        ``.p50``, ``.p99`` (low / typical / high, [ms]) for the whole path, ``.naive_p99``.
        Saturated proxies give ``inf``.
    """
    profile = get_profile(mesh, version)
    rps = strip(rps_per_proxy, "rps_per_proxy", "rate")
    if not np.all(np.isfinite(rps)) or np.any(rps < 0):
        raise InputValueError(f"rps_per_proxy: got {describe_value(rps_per_proxy)}; expected finite numbers >= 0")
    limit = np.inf if cpu_limit is None else strip(cpu_limit, "cpu_limit", "cpu")
    if np.any(np.asarray(limit) <= 0):
        raise InputValueError(f"cpu_limit: got {describe_value(cpu_limit)}; expected a CPU limit > 0 [vCPU]")
    bands, _ = loaded_hop(profile, rps, cpu_limit=limit, workers=workers, l7=l7)
    p50 = tuple(b[0] for b in bands)
    p99 = tuple(b[1] for b in bands)
    return compose_hops(p50, p99, hops)
