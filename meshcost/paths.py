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
from .latency import _hops, chain_quantiles, mixture_quantiles, naive_sum, normal_ppf, sidecar_latency_at
from .kernels.usage import REFERENCE_RPS, component_setup
from .reference.profiles import MeshProfile, get_profile
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


def loaded_hop(profile: MeshProfile, rps_per_proxy: np.ndarray, *, cpu_limit: Any = None, workers: Any = None,
               l7_share: Any = 0.0, q: Any = (0.5, 0.99)) -> tuple[list[np.ndarray], float]:
    """Latency the proxies on one hop add at a load through each, per band (low, typical, high) [ms].

    Each band's array has the quantiles ``q`` first (as :func:`meshcost.latency.sidecar_latency_at`
    returns them). Worker threads follow each proxy's install rule (Envoy: ``ceil(cpu_limit)``)
    unless ``workers`` is given. Waypoints are on the path for the ``l7_share`` of requests
    (the hop's quantiles are the L4 / L7 mixture). Also returns the typical saturation rate
    of the first proxy to saturate [1/s].
    """
    scalar_q = np.ndim(q) == 0
    qs = tuple(float(x) for x in np.atleast_1d(np.asarray(q, dtype=float)))
    own: dict[str, list[np.ndarray]] = {}
    capacity = np.inf
    traffic = {}
    for comp in profile.components:
        if comp.latency_p50 is None or comp.latency_p99 is None or comp.traffic == "none":
            continue
        override = {} if cpu_limit is None else {"cpu_limit": cpu_limit}
        setup = component_setup(comp, "default", override)
        threads = setup.workers if workers is None else workers
        servers = setup.cpu_cap if workers is None else (workers if cpu_limit is None else min(workers, cpu_limit))
        request = {t.driver: t for t in comp.cpu}
        bands = []
        for band in range(3):
            def per_1000(driver: str) -> float:
                term = request.get(driver) or request.get("request")
                return term.coefficient.values[band] * 1000.0 / term.per_rps if term else 0.0

            loaded = sidecar_latency_at(
                rps_per_proxy, servers, comp.latency_p50.values[band], comp.latency_p99.values[band],
                per_1000("request"), worker_threads=threads, passes=comp.passes, q=(0.5, 0.99),
                reference_rps=REFERENCE_RPS, reference_servers=comp.workers,
                cpu_per_1000_rps_above=per_1000("request_above_reference"))
            bands.append(loaded.latency)
            if band == 1:
                capacity = min(capacity, float(np.min(loaded.capacity_rps)))
        own[comp.name] = bands
        traffic[comp.name] = comp.traffic
    share = np.asarray(l7_share, dtype=float)
    out = []
    for band in range(3):
        base = sum((own[n][band] for n in own if traffic[n] == "all"), np.zeros(()))
        extra = [own[n][band] for n in own if traffic[n] == "l7"]
        if not extra or not np.any(share > 0):
            hop = base
        else:
            full = base + sum(extra)
            if np.all(share >= 1):
                hop = full
            else:
                hop = mixture_quantiles(base[0], base[1], full[0], full[1], share, (0.5, 0.99))
        requantiled = _requantile(hop, qs)
        out.append(requantiled[0] if scalar_q else requantiled)
    return out, capacity


def _requantile(p50_p99: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """The quantiles ``qs`` of the lognormal through a hop's p50 and p99 (rows 0 and 1) [ms]."""
    if qs == (0.5, 0.99):
        return np.asarray(p50_p99)
    p50, p99 = np.asarray(p50_p99[0]), np.asarray(p50_p99[1])
    finite = np.isfinite(p99)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(finite, np.log(np.where(finite, p99, 1.0) / p50) / normal_ppf(0.99), 0.0)
    z = normal_ppf(np.asarray(qs)).reshape((-1,) + (1,) * np.ndim(p50))
    return np.where(finite, p50 * np.exp(sigma * z), np.where(z > 0, np.inf, p50))


def latency_at(mesh: str, rps_per_proxy: Any, *, cpu_limit: Any = None, workers: Any = None,
               hops: Any = 1, version: str | None = None, l7: bool | float = False) -> PathLatency:
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
        The proxy's CPU limit [vCPU]; caps the worker threads' CPU, and sets Envoy's worker
        threads (``ceil(limit)``, as pilot-agent does). Default: the chart's (Istio sidecar
        and waypoint 2; ztunnel and linkerd2-proxy none).
    workers : int, optional
        Worker threads; default from the install (Envoy ``ceil(cpu limit)`` = 2, ztunnel 2,
        linkerd2-proxy 1).
    hops : int or array
        Service-to-service hops on the request path (composed, see :func:`compose_hops`).
    version : str, optional
        Data vintage (e.g. ``"1.20"``); default the newest.
    l7 : bool or float
        Ambient only: the share of requests that also pass a waypoint (True = 1; default
        False: L4, ztunnels only). A share between 0 and 1 mixes the L4 and L7 paths.

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
    limit = None if cpu_limit is None else strip(cpu_limit, "cpu_limit", "cpu")
    if limit is not None and (np.ndim(limit) or not np.isfinite(limit) or limit <= 0):
        raise InputValueError(f"cpu_limit: got {describe_value(cpu_limit)}; expected one finite CPU limit > 0 [vCPU]")
    share = strip(l7, "l7", "fraction") if not isinstance(l7, bool) else np.asarray(float(l7))
    if np.ndim(share) or not 0 <= float(share) <= 1:
        raise InputValueError(f"l7: got {describe_value(l7)}; expected True / False or one share from 0 to 1")
    bands, _ = loaded_hop(profile, rps, cpu_limit=None if limit is None else float(limit), workers=workers,
                          l7_share=float(share))
    p50 = tuple(b[0] for b in bands)
    p99 = tuple(b[1] for b in bands)
    return compose_hops(p50, p99, hops)
