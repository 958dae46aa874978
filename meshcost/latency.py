"""Latency a mesh adds: per-hop distributions, call chains, and queueing under load.

Per-hop distribution (modelling assumption)
    The delay one proxy pass (or one client+server sidecar pair) adds is modelled as a
    lognormal fitted to two published quantiles (p50 and p99, or p90 and p99). A lognormal is
    positive and right-skewed, is fully fixed by two quantiles, and is the usual parametric
    choice for service response times; it is *not* taken from any measured proxy-latency
    histogram (none is published), so it is an assumption. ``p99 == p50`` gives the
    degenerate case ``sigma = 0`` (a constant delay).

Call chains
    A request crossing ``d`` service-to-service hops adds the sum of ``d`` per-hop delays.
    The hops are assumed *independent and identically distributed* (assumption: under
    shared load the hops' delays are positively correlated, which widens the tail of the sum
    beyond what is computed here). The p99 of a sum is not the sum of p99s:
    :func:`naive_sum` shows the latter, :func:`chain_quantiles` the former, by
    Fenton-Wilkinson moment matching (default, closed form) or by Monte Carlo (reference).

    Fenton-Wilkinson: for ``n`` iid lognormal(mu, sigma), match the sum's mean and variance
    with a lognormal(mu_n, sigma_n)::

        sigma_n**2 = log(1 + (exp(sigma**2) - 1) / n)
        mu_n       = log(n) + mu + sigma**2 / 2 - sigma_n**2 / 2

    Against Monte Carlo it is within about 3 % at p50, p90 and p99 for 1-20 hops and
    per-hop p99/p50 ratios of 1.2-10 (``sigma`` 0.08-0.99); it degrades for larger ``sigma``.

Latency under load
    A proxy is a queue with ``n`` worker threads. Its CPU budget is
    ``servers = min(worker_threads, cpu_limit)`` [vCPU]; a request costs
    ``S = cpu_per_1000_rps / 1000`` vCPU-seconds, so the proxy saturates at
    ``capacity = servers / S`` requests per second and runs at utilisation
    ``rho = rps * S / servers``. With ``n = ceil(servers)`` threads, each at speed
    ``servers / n`` (CPU-throttled threads share the limit), the Erlang-C probability of
    waiting is ``C(n, a)`` with offered load ``a = n * rho``, and the waiting time is taken
    as (Allen-Cunneen G/G/c scaling of the M/M/c tail)::

        P(W > t) = C(n, a) * exp(-t / eta),   eta = (ca2 + cs2) / 2 / (capacity - rps)

    so ``E[W]`` equals the Allen-Cunneen mean and, with ``ca2 = cs2 = 1``, this is exactly
    M/M/c. Its q-quantile is ``w_q = max(0, eta * log(C / (1 - q)))``.

    Calibration, stated honestly. The published low-load latencies (Istio: 1000 RPS,
    2 proxy workers) were *measured under that load*, so they already contain its queueing.
    Adding the plain Erlang-C wait on top double counts: with Envoy at 0.5 vCPU per
    1000 RPS, M/M/2 alone puts 0.77 ms at p99 per proxy at 1000 RPS, more than the whole
    measured pair p99 of Istio 1.20 (0.298 ms) -- the CPU figures (measured in a different,
    mesh-wide test) include work off the request's critical path (kernel networking,
    stats, TLS), so ``S`` over-states the on-path service time. The model therefore
    *anchors* the published figure at its measurement load and adds only the growth of
    the wait beyond it::

        latency_q(rps) = base_q + max(0, w_q(rps) - w_q(reference_rps))

    with ``w_q(reference_rps)`` evaluated at ``reference_servers`` threads (the test's).
    At and below the reference load the published figure is returned unchanged (no
    speed-up is extrapolated); the saturation point ``capacity`` comes from the CPU
    figure alone. ``reference_rps=0`` gives the plain (unanchored) model. Quantiles are
    combined additively (comonotone): exact if the low-load delay and the wait were
    perfectly correlated, an approximation otherwise. At ``rho >= 1`` the queue is
    unstable: latency is ``inf`` and ``saturated`` is True (not an error, so sweeps show
    where saturation starts).

    Check against the seed article ("Envoy 2-10 ms under load, linkerd2-proxy about 1 ms"):
    3000 RPS per pod, 2-CPU proxy limit (so 2 Envoy workers), Envoy at 0.5 vCPU per 1000 RPS
    (Istio 1.20/1.22): rho = 0.75 and the sidecar pair's p99 is 7.1 ms on Istio 1.20's
    low-load figure (0.228 ms p90 / 0.298 ms p99) or 9.7 ms on the 1.8-1.16 figure
    (2.65 / 2.91 ms); the pair p99 passes 2 ms at about 1900 RPS per pod, 10 ms at about
    3250 RPS, and saturates at 4000 RPS. linkerd2-proxy at 0.1 vCPU per 1000 RPS under the
    same load adds 0.16 ms to its low-load figure. With Istio 1.24's 0.20 vCPU per
    1000 RPS, Envoy stays near 1 ms at 3000 RPS: the article's range belongs to the
    costlier Envoy CPU figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal, Sequence

import numpy as np

from .errors import BroadcastError, InputTypeError, InputValueError, describe_value
from .units import strip

__all__ = [
    "DEFAULT_QUANTILES",
    "DEFAULT_MC_SAMPLES",
    "MC_CHUNK_VALUES",
    "MAX_MC_HOPS",
    "MAX_SERVERS",
    "DEFAULT_REFERENCE_RPS",
    "DEFAULT_REFERENCE_SERVERS",
    "DEFAULT_ARRIVAL_CV2",
    "DEFAULT_SERVICE_CV2",
    "SIDECAR_PASSES",
    "LoadedLatency",
    "normal_ppf",
    "lognormal_from_quantiles",
    "lognormal_from_p90_p99",
    "quantile",
    "chain_quantiles",
    "naive_sum",
    "erlang_c",
    "queue_wait",
    "loaded_latency",
    "sidecar_latency_at",
    "mixture_quantiles",
]

#: The quantiles the sources publish: median and p99.
DEFAULT_QUANTILES: tuple[float, ...] = (0.5, 0.99)
#: Monte Carlo samples per element: the p99 of a lognormal with sigma <= 1 then has a
#: standard error under 1 % (sqrt(q(1-q)/n) / (f(x_q) x_q) = 0.83 % at sigma = 1).
DEFAULT_MC_SAMPLES = 200_000
#: Monte Carlo working-array size [float64 values]: 2**21 values = 16 MiB per array, a few
#: arrays alive at once, so memory stays below ~100 MiB whatever the input size.
MC_CHUNK_VALUES = 2**21
#: Monte Carlo cost is linear in the deepest chain; real call chains are tens of hops deep,
#: so 1000 catches a mistaken input (a request count passed as hops) before a long run.
MAX_MC_HOPS = 1000
#: Bound on worker threads for the Erlang-B recursion (one loop step per thread); above the
#: vCPU count of any single machine, so only a mistaken input reaches it.
MAX_SERVERS = 4096
#: Load of Istio's perf test behind every published sidecar / ztunnel latency figure
#: (Istio docs 1.4-1.22, "1000 RPS") and behind the 1.24 per-proxy CPU figures [1/s].
DEFAULT_REFERENCE_RPS = 1000.0
#: Worker threads in that test ("2 proxy workers", Istio docs 1.4-1.24); ztunnel also
#: defaults to 2 worker threads [count].
DEFAULT_REFERENCE_SERVERS = 2.0
#: Squared coefficient of variation of inter-arrival times. Assumption: 1 (Poisson), as
#: the superposition of many independent clients tends to Poisson (Palm-Khintchine).
DEFAULT_ARRIVAL_CV2 = 1.0
#: Squared coefficient of variation of per-request proxy CPU time. Assumption: 1
#: (exponential, i.e. M/M/c); no service-time distribution for a mesh proxy is published.
DEFAULT_SERVICE_CV2 = 1.0
#: Proxies a service-to-service request crosses with sidecars: client side and server side.
SIDECAR_PASSES = 2

_NORMAL = NormalDist()
_Z99 = _NORMAL.inv_cdf(0.99)
_Z90 = _NORMAL.inv_cdf(0.90)


@dataclass(frozen=True)
class LoadedLatency:
    """Added latency under load.

    Attributes
    ----------
    latency : ndarray
        Added latency quantiles [ms]; leading axis over ``q`` when ``q`` is a sequence;
        ``inf`` where saturated.
    q : ndarray
        The quantiles, in (0, 1).
    utilisation : ndarray
        ``rho = rps * S / servers`` [fraction]; ``>= 1`` means saturated.
    saturated : ndarray of bool
        ``rho >= 1``: the proxy cannot keep up and the queue grows without bound.
    wait_probability : ndarray
        Erlang-C probability that a request waits for a worker [fraction]; 1 if saturated.
    capacity_rps : ndarray
        Rate at which the proxy saturates, ``servers / S`` [1/s] (``inf`` if S is 0).
    queue_wait : ndarray
        The wait quantile ``w_q`` at this load per proxy pass, before the reference wait is
        subtracted [ms]; same shape as ``latency``.
    """

    latency: np.ndarray
    q: np.ndarray
    utilisation: np.ndarray
    saturated: np.ndarray
    wait_probability: np.ndarray
    capacity_rps: np.ndarray
    queue_wait: np.ndarray


# --------------------------------------------------------------------------- validation


def _first_bad(name: str, array: np.ndarray, ok: np.ndarray, expected: str) -> None:
    """Raise InputValueError for the first element of ``array`` where ``ok`` is False."""
    if np.all(ok):
        return
    bad = np.argwhere(~np.asarray(ok))[0] if np.ndim(ok) else ()
    value = np.broadcast_to(array, np.shape(ok))[tuple(bad)]
    where = f" at index {tuple(int(i) for i in bad)}" if np.ndim(ok) else ""
    raise InputValueError(f"{name}: got {describe_value(float(value))}{where}; expected {expected}")


def _positive(value: Any, name: str, kind: str, unit: str) -> np.ndarray:
    x = strip(value, name, kind)
    _first_bad(name, x, (x > 0) & (x < np.inf), f"a finite number > 0 [{unit}]")
    return x


def _nonnegative(value: Any, name: str, kind: str, unit: str, *, allow_inf: bool = False) -> np.ndarray:
    x = strip(value, name, kind)
    ok = (x >= 0) if allow_inf else ((x >= 0) & (x < np.inf))
    extra = " (inf allowed)" if allow_inf else ""
    _first_bad(name, x, ok, f"a finite number >= 0{extra} [{unit}]")
    return x


def _hops(value: Any, name: str = "hops") -> np.ndarray:
    h = strip(value, name, "count")
    _first_bad(name, h, (h >= 0) & (h < np.inf) & (h == np.floor(h)),
               "a whole number of hops >= 0 (0, 1, 2, ...)")
    return h


def _quantiles(q: Any) -> tuple[np.ndarray, bool]:
    """q as a 1-d float array and whether the caller passed a scalar."""
    arr = strip(q, "q", "fraction")
    if arr.ndim > 1:
        raise InputValueError(f"q: got an array of shape {arr.shape}; expected a number or a 1-d sequence in (0, 1)")
    _first_bad("q", arr, (arr > 0) & (arr < 1), "quantiles strictly between 0 and 1 (e.g. 0.5, 0.99)")
    return np.atleast_1d(arr), arr.ndim == 0


def _broadcast(*pairs: tuple[str, np.ndarray]) -> list[np.ndarray]:
    """Broadcast (name, array) pairs; a BroadcastError names each argument and its shape."""
    arrays = [a for _, a in pairs]
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        seen: dict[str, tuple[int, ...]] = {}
        for name, a in pairs:
            seen.setdefault(name, np.shape(a))
        shapes = ", ".join(f"{k} {v}" for k, v in seen.items())
        raise BroadcastError(f"shapes do not broadcast together: {shapes}; expected numpy-broadcastable shapes") from None


def _lognormal_pair(p_lo: Any, p_hi: Any, lo_name: str, hi_name: str, z_lo: float, z_hi: float) -> tuple[np.ndarray, np.ndarray]:
    lo = _positive(p_lo, lo_name, "time", "ms")
    hi = _positive(p_hi, hi_name, "time", "ms")
    lo, hi = _broadcast((lo_name, lo), (hi_name, hi))
    ordered = hi >= lo
    if not np.all(ordered):
        low = float(lo[tuple(np.argwhere(~ordered)[0])])
        _first_bad(hi_name, hi, ordered,
                   f"{hi_name} >= {lo_name} (here {lo_name} = {low:g}; a quantile cannot fall as q rises) [ms]")
    log_lo = np.log(lo)
    sigma = (np.log(hi) - log_lo) / (z_hi - z_lo)
    mu = log_lo - z_lo * sigma
    return mu, sigma


# --------------------------------------------------------------------------- distributions


def normal_ppf(q: Any) -> np.ndarray:
    """Standard normal quantile function (inverse CDF).

    Parameters
    ----------
    q : array_like
        Probabilities in (0, 1).

    Returns
    -------
    ndarray
        ``z`` with ``Phi(z) = q``; evaluated once per distinct ``q`` with
        :class:`statistics.NormalDist` (Wichura AS241, full double precision).
    """
    arr = strip(q, "q", "fraction")
    _first_bad("q", arr, (arr > 0) & (arr < 1), "probabilities strictly between 0 and 1")
    unique, inverse = np.unique(arr, return_inverse=True)
    z = np.array([_NORMAL.inv_cdf(float(u)) for u in unique], dtype=np.float64)
    return z[inverse].reshape(arr.shape)


def lognormal_from_quantiles(p50: Any, p99: Any) -> tuple[np.ndarray, np.ndarray]:
    """Lognormal parameters whose median and 99th percentile match.

    Parameters
    ----------
    p50, p99 : array_like
        Median and 99th percentile [ms], ``0 < p50 <= p99``, finite.

    Returns
    -------
    mu, sigma : ndarray
        ``mu = log(p50)`` [log ms], ``sigma = log(p99 / p50) / z_0.99`` (0 if equal).
    """
    return _lognormal_pair(p50, p99, "p50", "p99", 0.0, _Z99)


def lognormal_from_p90_p99(p90: Any, p99: Any) -> tuple[np.ndarray, np.ndarray]:
    """Lognormal parameters whose 90th and 99th percentiles match (Istio publishes these).

    Parameters
    ----------
    p90, p99 : array_like
        90th and 99th percentile [ms], ``0 < p90 <= p99``, finite.

    Returns
    -------
    mu, sigma : ndarray
        ``sigma = log(p99 / p90) / (z_0.99 - z_0.90)``, ``mu = log(p90) - z_0.90 sigma``.
    """
    return _lognormal_pair(p90, p99, "p90", "p99", _Z90, _Z99)


def _check_mu_sigma(mu: Any, sigma: Any) -> tuple[np.ndarray, np.ndarray]:
    m = strip(mu, "mu", "count")
    _first_bad("mu", m, np.isfinite(m), "a finite log-scale location [log ms]")
    s = strip(sigma, "sigma", "count")
    _first_bad("sigma", s, (s >= 0) & (s < np.inf), "a finite log-scale spread >= 0")
    return m, s


def quantile(mu: Any, sigma: Any, q: Any) -> np.ndarray:
    """Lognormal quantile, broadcast elementwise over ``mu``, ``sigma`` and ``q``.

    Parameters
    ----------
    mu, sigma : array_like
        Lognormal parameters [log ms], ``sigma >= 0``.
    q : array_like
        Probabilities in (0, 1).

    Returns
    -------
    ndarray
        ``exp(mu + sigma * z_q)`` [ms].
    """
    m, s = _check_mu_sigma(mu, sigma)
    z = normal_ppf(q)
    m, s, z = _broadcast(("mu", m), ("sigma", s), ("q", z))
    return np.exp(m + s * z)


# --------------------------------------------------------------------------- call chains


def _fenton_wilkinson(mu: np.ndarray, sigma: np.ndarray, hops: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Quantiles (leading axis over z) of the sum of ``hops`` iid lognormals."""
    empty = hops == 0
    any_empty = bool(empty.any())
    n = np.maximum(hops, 1.0) if any_empty else hops
    s2 = sigma * sigma
    sn2 = np.log1p(np.expm1(s2) / n)
    mun = np.log(n) + mu + 0.5 * (s2 - sn2)
    sn = np.sqrt(sn2)
    out = np.exp(mun + sn * z.reshape((-1,) + (1,) * mu.ndim))
    if any_empty:
        out[:, empty] = 0.0
    return out


def _monte_carlo(mu: np.ndarray, sigma: np.ndarray, hops: np.ndarray, qs: np.ndarray,
                 samples: int, rng: np.random.Generator) -> np.ndarray:
    shape = mu.shape
    mu_f, sigma_f, hops_f = (a.ravel() for a in (mu, sigma, hops))
    size = mu_f.size
    out = np.empty((qs.size, size))
    per_chunk = max(1, MC_CHUNK_VALUES // samples)
    for start in range(0, size, per_chunk):
        sl = slice(start, min(start + per_chunk, size))
        m = mu_f[sl, None]
        s = sigma_f[sl, None]
        h = hops_f[sl, None]
        total = np.zeros((m.shape[0], samples))
        for k in range(int(h.max(initial=0))):
            draw = rng.standard_normal(total.shape)
            draw *= s
            draw += m
            np.exp(draw, out=draw)
            draw *= k < h
            total += draw
        out[:, sl] = np.quantile(total, qs, axis=1)
    return out.reshape((qs.size,) + shape)


def chain_quantiles(
    p50: Any,
    p99: Any,
    hops: Any,
    q: float | Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
    *,
    method: Literal["fenton-wilkinson", "monte-carlo"] = "fenton-wilkinson",
    samples: int = DEFAULT_MC_SAMPLES,
    seed: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """Added-latency quantiles of a call chain of ``hops`` iid lognormal hop delays.

    Parameters
    ----------
    p50, p99 : array_like
        Per-hop median and 99th percentile [ms], ``0 < p50 <= p99``.
    hops : array_like
        Service-to-service hops on the chain [count], whole numbers ``>= 0``; 0 adds 0 ms.
    q : float or sequence of float
        Quantiles of the sum, in (0, 1).
    method : {"fenton-wilkinson", "monte-carlo"}
        Closed-form moment matching (fast, default) or sampling (reference).
    samples : int
        Monte Carlo samples per element.
    seed : int, Generator or None
        Monte Carlo seed; the same seed and inputs give the same result.

    Returns
    -------
    ndarray
        Quantiles of the added latency [ms], shape ``(len(q), *broadcast_shape)``, or
        ``broadcast_shape`` for a scalar ``q``. Hops are assumed independent.
    """
    qs, scalar_q = _quantiles(q)
    mu, sigma = lognormal_from_quantiles(p50, p99)
    h = _hops(hops)
    mu, sigma, h = _broadcast(("p50, p99", mu), ("p50, p99", sigma), ("hops", h))
    if method == "fenton-wilkinson":
        out = _fenton_wilkinson(mu, sigma, h, normal_ppf(qs))
    elif method == "monte-carlo":
        if isinstance(samples, (bool, np.bool_)) or not isinstance(samples, (int, np.integer)):
            raise InputTypeError(f"samples: got {describe_value(samples)}; expected a whole number >= 1")
        if samples < 1:
            raise InputValueError(f"samples: got {samples}; expected a whole number >= 1")
        if h.size and h.max() > MAX_MC_HOPS:
            raise InputValueError(
                f"hops: got {h.max():g} with method='monte-carlo'; expected at most {MAX_MC_HOPS} "
                "(cost is linear in hops; use method='fenton-wilkinson')")
        if not (seed is None or isinstance(seed, (int, np.integer, np.random.Generator))) or isinstance(seed, bool):
            raise InputTypeError(f"seed: got {describe_value(seed)}; expected an int, a numpy Generator or None")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        out = _monte_carlo(mu, sigma, h, qs, int(samples), rng)
    else:
        raise InputValueError(f"method: got {method!r}; expected 'fenton-wilkinson' or 'monte-carlo'")
    return out[0] if scalar_q else out


def naive_sum(p: Any, hops: Any) -> np.ndarray:
    """``hops`` times a per-hop quantile: what adding up per-hop p99s would claim.

    Parameters
    ----------
    p : array_like
        A per-hop quantile [ms], ``>= 0``.
    hops : array_like
        Hops [count], whole numbers ``>= 0``.

    Returns
    -------
    ndarray
        ``hops * p`` [ms]. Exact for the median only if the hop delay is constant; for the
        p99 it over-states the chain's p99 (compare :func:`chain_quantiles`).
    """
    x = _nonnegative(p, "p", "time", "ms")
    h = _hops(hops)
    x, h = _broadcast(("p", x), ("hops", h))
    return h * x


# --------------------------------------------------------------------------- queueing


def erlang_c(servers: Any, offered_load: Any) -> np.ndarray:
    """Erlang-C probability that an arrival waits in an M/M/c queue.

    Parameters
    ----------
    servers : array_like
        Whole number of servers ``c >= 1`` [count], at most :data:`MAX_SERVERS`.
    offered_load : array_like
        ``a = lambda / mu`` [Erlang], ``>= 0``.

    Returns
    -------
    ndarray
        ``C(c, a)`` [fraction]; 1 where ``a >= c`` (unstable). Computed from the stable
        Erlang-B recursion ``B_k = a B_{k-1} / (k + a B_{k-1})``,
        ``C = c B / (c - a (1 - B))``.
    """
    c = strip(servers, "servers", "count")
    _first_bad("servers", c, (c >= 1) & (c <= MAX_SERVERS) & (c == np.floor(c)),
               f"a whole number of servers from 1 to {MAX_SERVERS}")
    a = _nonnegative(offered_load, "offered_load", "count", "Erlang", allow_inf=True)
    c, a = _broadcast(("servers", c), ("offered_load", a))
    return _erlang_c(c, a)


def _erlang_c(c: np.ndarray, a: np.ndarray) -> np.ndarray:
    stable = a < c
    a_s = np.where(stable, a, 0.0)
    b = np.ones(np.shape(a_s))
    for k in range(1, int(c.max(initial=1)) + 1):
        ab = a_s * b
        b = np.where(k <= c, ab / (k + ab), b)
    with np.errstate(divide="ignore", invalid="ignore"):
        cc = c * b / (c - a_s * (1.0 - b))
    return np.where(stable, cc, 1.0)


def _wait(rps: np.ndarray, service_s: np.ndarray, servers: np.ndarray, qs: np.ndarray,
          ca2: np.ndarray, cs2: np.ndarray) -> tuple[np.ndarray, ...]:
    """Wait quantiles [ms] (leading axis over q), rho, C, capacity [1/s]."""
    n = np.ceil(servers)
    with np.errstate(divide="ignore", invalid="ignore"):
        capacity = np.where(service_s > 0, servers / np.where(service_s > 0, service_s, 1.0), np.inf)
        rho = np.where(service_s > 0, rps * service_s / servers, 0.0)
    saturated = rho >= 1
    c = _erlang_c(n, np.where(saturated, n, n * rho))
    headroom = np.where(saturated | (capacity == np.inf), 1.0, capacity - rps)  # [1/s]
    eta_ms = 1000.0 * 0.5 * (ca2 + cs2) / headroom
    expand = (-1,) + (1,) * rho.ndim
    tail = qs.reshape(expand)
    with np.errstate(divide="ignore"):
        w = eta_ms * np.maximum(0.0, np.log(c) - np.log1p(-tail))
    w = np.where((capacity == np.inf) | (rps == 0), 0.0, w)
    w = np.where(saturated, np.inf, w)
    return w, rho, saturated, c, capacity


def queue_wait(
    rps: Any,
    cpu_per_1000_rps: Any,
    servers: Any,
    q: float | Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
    *,
    arrival_cv2: Any = DEFAULT_ARRIVAL_CV2,
    service_cv2: Any = DEFAULT_SERVICE_CV2,
) -> np.ndarray:
    """Quantiles of the queueing wait for a worker thread in one proxy (no floor).

    Parameters
    ----------
    rps : array_like
        Requests per second through the proxy [1/s], ``>= 0``.
    cpu_per_1000_rps : array_like
        Proxy CPU per 1000 requests per second [vCPU], ``>= 0``.
    servers : array_like
        CPU budget ``min(worker_threads, cpu_limit)`` [vCPU], ``> 0``.
    q : float or sequence of float
        Quantiles in (0, 1).
    arrival_cv2, service_cv2 : array_like
        Squared coefficients of variation of inter-arrival and service times, ``>= 0``.

    Returns
    -------
    ndarray
        ``max(0, eta log(C / (1 - q)))`` [ms], leading axis over ``q``; ``inf`` if saturated.
    """
    qs, scalar_q = _quantiles(q)
    args = _load_args(rps, cpu_per_1000_rps, servers, arrival_cv2, service_cv2, "rps")
    w = _wait(args[0], args[1] / 1000.0, args[2], qs, args[3], args[4])[0]
    return w[0] if scalar_q else w


def _load_args(rps: Any, cpu: Any, servers: Any, ca2: Any, cs2: Any,
               rps_name: str = "rps_per_proxy") -> list[np.ndarray]:
    r = _nonnegative(rps, rps_name, "rate", "requests/s")
    s = _nonnegative(cpu, "cpu_per_1000_rps", "cpu", "vCPU per 1000 requests/s")
    c = _positive(servers, "servers", "cpu", "vCPU = min(worker_threads, cpu_limit)")
    _first_bad("servers", c, c <= MAX_SERVERS, f"at most {MAX_SERVERS} [vCPU]")
    a2 = _nonnegative(ca2, "arrival_cv2", "count", "dimensionless")
    s2 = _nonnegative(cs2, "service_cv2", "count", "dimensionless")
    return _broadcast((rps_name, r), ("cpu_per_1000_rps", s), ("servers", c), ("arrival_cv2", a2), ("service_cv2", s2))


def _cpu_at(r: np.ndarray, s_ref: np.ndarray, s_above: np.ndarray, breakpoint: float) -> np.ndarray:
    """CPU [vCPU] one proxy spends at ``r`` requests/s: piecewise linear, bending at ``breakpoint``."""
    return s_ref * np.minimum(r, breakpoint) + s_above * np.maximum(0.0, r - breakpoint)


def _capacity(s_ref: np.ndarray, s_above: np.ndarray, servers: np.ndarray, breakpoint: float) -> np.ndarray:
    """Requests/s at which the piecewise CPU reaches ``servers`` [1/s] (``inf`` if it never does)."""
    at_break = s_ref * breakpoint
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(s_ref > 0, servers / np.where(s_ref > 0, s_ref, 1.0), np.inf)
        above = np.where(s_above > 0, breakpoint + (servers - at_break) / np.where(s_above > 0, s_above, 1.0), np.inf)
    return np.where(at_break >= servers, below, above)


def _anchored(base_p50: Any, base_p99: Any, rps: Any, cpu: Any, servers: Any, q: Any, passes: float,
              reference_rps: Any, reference_servers: Any, arrival_cv2: Any, service_cv2: Any,
              rps_name: str, cpu_above: Any = None) -> LoadedLatency:
    qs, scalar_q = _quantiles(q)
    mu, sigma = _lognormal_pair(base_p50, base_p99, "base_p50", "base_p99", 0.0, _Z99)
    r, s, c, a2, s2 = _load_args(rps, cpu, servers, arrival_cv2, service_cv2, rps_name)
    above = s if cpu_above is None else _nonnegative(cpu_above, "cpu_per_1000_rps_above", "cpu",
                                                     "vCPU per 1000 requests/s above the reference load")
    r_ref = _nonnegative(reference_rps, "reference_rps", "rate", "requests/s")
    c_ref = _positive(reference_servers, "reference_servers", "cpu", "vCPU")
    _first_bad("reference_servers", c_ref, c_ref <= MAX_SERVERS, f"at most {MAX_SERVERS} [vCPU]")
    mu, sigma, r, s, above, c, a2, s2, r_ref, c_ref = _broadcast(
        ("base_p50, base_p99", mu), ("base_p50, base_p99", sigma), (rps_name, r), ("cpu_per_1000_rps", s),
        ("cpu_per_1000_rps_above", above), ("servers", c), ("arrival_cv2", a2), ("service_cv2", s2),
        ("reference_rps", r_ref), ("reference_servers", c_ref))
    service_s = s / 1000.0  # vCPU-seconds per request up to the breakpoint
    above_s = above / 1000.0  # ... and for each request beyond it
    _first_bad("cpu_per_1000_rps", s, r_ref * service_s < c_ref,
               "a value at which the reference measurement was possible: cpu_per_1000_rps * "
               "reference_rps / 1000 < reference_servers (the published base latency was measured at "
               "reference_rps on reference_servers workers, so that proxy cannot have been saturated) [vCPU]")
    breakpoint = DEFAULT_REFERENCE_RPS
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where(r > 0, _cpu_at(r, service_s, above_s, breakpoint) / np.where(r > 0, r, 1.0), service_s)
    w, rho, saturated, pwait, _ = _wait(r, effective, c, qs, a2, s2)
    capacity = _capacity(service_s, above_s, c, breakpoint)
    w_ref = _wait(r_ref, service_s, c_ref, qs, a2, s2)[0]
    expand = (-1,) + (1,) * mu.ndim
    base = np.exp(mu + sigma * normal_ppf(qs).reshape(expand))
    excess = np.maximum(0.0, w - w_ref)  # w_ref is finite (checked above); w may be inf
    latency = base + passes * excess
    if scalar_q:
        latency, w = latency[0], w[0]
    return LoadedLatency(latency=latency, q=qs, utilisation=rho, saturated=saturated,
                         wait_probability=pwait, capacity_rps=capacity, queue_wait=w)


def loaded_latency(
    base_p50: Any,
    base_p99: Any,
    rps_per_proxy: Any,
    cpu_per_1000_rps: Any,
    servers: Any,
    q: float | Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
    *,
    reference_rps: Any = DEFAULT_REFERENCE_RPS,
    reference_servers: Any = DEFAULT_REFERENCE_SERVERS,
    arrival_cv2: Any = DEFAULT_ARRIVAL_CV2,
    service_cv2: Any = DEFAULT_SERVICE_CV2,
    cpu_per_1000_rps_above: Any = None,
) -> LoadedLatency:
    """Latency one proxy pass adds under load (anchored Erlang-C / Allen-Cunneen).

    Parameters
    ----------
    base_p50, base_p99 : array_like
        Published per-pass latency at ``reference_rps`` [ms], ``0 < p50 <= p99``.
    rps_per_proxy : array_like
        Requests per second through this proxy [1/s].
    cpu_per_1000_rps : array_like
        Proxy CPU per 1000 requests per second [vCPU].
    servers : array_like
        ``min(worker_threads, cpu_limit)`` [vCPU], ``> 0``; may be fractional.
    q : float or sequence of float
        Quantiles in (0, 1).
    reference_rps, reference_servers : array_like
        Load [1/s] and worker threads of the measurement behind ``base_*``;
        ``reference_rps=0`` treats the base as an unloaded floor (plain model).
    arrival_cv2, service_cv2 : array_like
        Allen-Cunneen squared coefficients of variation (1, 1 = M/M/c).
    cpu_per_1000_rps_above : array_like, optional
        Marginal CPU per 1000 requests/s above :data:`DEFAULT_REFERENCE_RPS` [vCPU]: proxies
        spend less per request under load (batched reads and writes). Default: the same as
        ``cpu_per_1000_rps`` (linear).

    Returns
    -------
    LoadedLatency
        ``latency = base_q + max(0, w_q(rps) - w_q(reference_rps))`` [ms]; ``inf`` and
        ``saturated`` where ``rho >= 1``.
    """
    return _anchored(base_p50, base_p99, rps_per_proxy, cpu_per_1000_rps, servers, q, 1.0,
                     reference_rps, reference_servers, arrival_cv2, service_cv2, "rps_per_proxy",
                     cpu_per_1000_rps_above)


def sidecar_latency_at(
    rps_per_pod: Any,
    cpu_limit: Any,
    base_p50: Any,
    base_p99: Any,
    cpu_per_1000_rps: Any,
    *,
    worker_threads: Any = None,
    passes: int = SIDECAR_PASSES,
    q: float | Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
    reference_rps: Any = DEFAULT_REFERENCE_RPS,
    reference_servers: Any = DEFAULT_REFERENCE_SERVERS,
    arrival_cv2: Any = DEFAULT_ARRIVAL_CV2,
    service_cv2: Any = DEFAULT_SERVICE_CV2,
    cpu_per_1000_rps_above: Any = None,
) -> LoadedLatency:
    """Latency a service-to-service hop adds at a per-pod load and a proxy CPU limit.

    Parameters
    ----------
    rps_per_pod : array_like
        Requests per second each pod's proxy carries [1/s]; assumption: caller and callee
        proxies carry the same rate.
    cpu_limit : array_like
        The proxy container's CPU limit [vCPU], ``> 0``; ``inf`` for none.
    base_p50, base_p99 : array_like
        Published per-hop latency (all ``passes`` proxies together) at ``reference_rps`` [ms].
    cpu_per_1000_rps : array_like
        CPU per 1000 requests per second through one proxy [vCPU].
    worker_threads : array_like, optional
        Proxy worker threads [count]; default ``ceil(cpu_limit)`` (Istio sizes Envoy's
        concurrency from the CPU limit).
    passes : int
        Proxies per hop (2 for sidecars: client side and server side).
    q, reference_rps, reference_servers, arrival_cv2, service_cv2, cpu_per_1000_rps_above
        As in :func:`loaded_latency`.

    Returns
    -------
    LoadedLatency
        ``latency = base_q + passes * max(0, w_q(rps) - w_q(reference_rps))`` [ms] per hop;
        the per-pass waits are added as quantiles (comonotone: the same request stream
        and its bursts cross both proxies).
    """
    limit = strip(cpu_limit, "cpu_limit", "cpu")
    _first_bad("cpu_limit", limit, limit > 0, "a number > 0 [vCPU], or inf for no limit")
    if worker_threads is None:
        _first_bad("cpu_limit", limit, limit < np.inf,
                   "a finite CPU limit [vCPU] when worker_threads is not given (pass worker_threads for no limit)")
        threads = np.ceil(limit)
    else:
        threads = strip(worker_threads, "worker_threads", "count")
        _first_bad("worker_threads", threads, (threads >= 1) & (threads <= MAX_SERVERS) & (threads == np.floor(threads)),
                   f"a whole number of threads from 1 to {MAX_SERVERS}")
    threads, limit = _broadcast(("worker_threads", threads), ("cpu_limit", limit))
    if isinstance(passes, (bool, np.bool_)) or not isinstance(passes, (int, np.integer)) or passes < 1:
        raise InputValueError(f"passes: got {describe_value(passes)}; expected a whole number >= 1 (2 for sidecars)")
    servers = np.minimum(threads, limit)
    return _anchored(base_p50, base_p99, rps_per_pod, cpu_per_1000_rps, servers, q, float(passes),
                     reference_rps, reference_servers, arrival_cv2, service_cv2, "rps_per_pod",
                     cpu_per_1000_rps_above)



# --------------------------------------------------------------------------- mixtures

#: Bisection steps for mixture quantiles: the bracket [lowest, highest component quantile]
#: shrinks by 2**-60 in log space, below float64 resolution.
_MIXTURE_STEPS = 60


def mixture_quantiles(p50_a: Any, p99_a: Any, p50_b: Any, p99_b: Any, share_b: Any,
                      q: float | Sequence[float] | np.ndarray = DEFAULT_QUANTILES) -> np.ndarray:
    """Quantiles of a hop that takes path B with probability ``share_b`` and path A otherwise.

    Each path's delay is a lognormal fitted to its p50 and p99 [ms]; the hop's distribution
    is their mixture ``(1 - s) F_A + s F_B`` (an ambient hop through a waypoint for the L7
    share of requests, through the ztunnels alone for the rest), so a small ``share_b``
    moves the tail only where the L7 requests reach it, not the whole hop.

    Parameters
    ----------
    p50_a, p99_a, p50_b, p99_b : array_like
        Each path's median and 99th percentile [ms], ``0 < p50 <= p99``; ``inf`` p99 (a
        saturated path) gives ``inf`` quantiles wherever that path's share reaches them.
    share_b : array_like
        Probability of path B [0-1].
    q : float or sequence of float
        Quantiles in (0, 1).

    Returns
    -------
    ndarray
        Quantiles [ms], leading axis over ``q`` unless ``q`` is a scalar.
    """
    from scipy.special import ndtr

    qs, scalar_q = _quantiles(q)
    share = strip(share_b, "share_b", "fraction")
    _first_bad("share_b", share, (share >= 0) & (share <= 1), "a share from 0 to 1")
    arrays = [np.asarray(strip(v, n, "time"), dtype=float) for v, n in
              ((p50_a, "p50_a"), (p99_a, "p99_a"), (p50_b, "p50_b"), (p99_b, "p99_b"))]
    a50, a99, b50, b99, share = _broadcast(("p50_a", arrays[0]), ("p99_a", arrays[1]), ("p50_b", arrays[2]),
                                           ("p99_b", arrays[3]), ("share_b", share))
    expand = (-1,) + (1,) * a50.ndim
    qcol = qs.reshape(expand)
    z = normal_ppf(qs).reshape(expand)
    finite_a = np.isfinite(a99)
    finite_b = np.isfinite(b99)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu_a = np.log(a50)
        sig_a = np.where(finite_a, np.log(np.where(finite_a, a99, 1.0) / a50) / _Z99, 0.0)
        mu_b = np.log(b50)
        sig_b = np.where(finite_b, np.log(np.where(finite_b, b99, 1.0) / b50) / _Z99, 0.0)
    qa = np.where(finite_a, np.exp(mu_a + sig_a * z), np.inf)
    qb = np.where(finite_b, np.exp(mu_b + sig_b * z), np.inf)
    out = np.where(share >= 1, qb, np.where(share <= 0, qa, np.nan))
    mixed = np.isnan(out)
    if mixed.any():
        # Where a path is saturated its mass sits at infinity: the quantile is infinite once
        # the other path's share cannot cover q.
        lo = np.log(np.minimum(qa, qb))
        hi = np.log(np.maximum(qa, qb))
        share_f = np.broadcast_to(share, out.shape)

        def cdf(log_x: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                fa = np.where(finite_a, ndtr((log_x - mu_a) / np.where(sig_a > 0, sig_a, 1.0)), 0.0)
                fa = np.where(finite_a & (sig_a == 0), (log_x >= mu_a) * 1.0, fa)
                fb = np.where(finite_b, ndtr((log_x - mu_b) / np.where(sig_b > 0, sig_b, 1.0)), 0.0)
                fb = np.where(finite_b & (sig_b == 0), (log_x >= mu_b) * 1.0, fb)
            return (1.0 - share_f) * fa + share_f * fb

        reachable = np.where(finite_a & finite_b, True,
                             np.where(finite_a, (1.0 - share_f) > qcol, share_f > qcol))
        hi = np.where(np.isfinite(hi), hi, np.log(np.where(finite_a, qa, 0) + np.where(finite_b, qb, 0)) + 50.0)
        for _ in range(_MIXTURE_STEPS):
            mid = 0.5 * (lo + hi)
            below = cdf(mid) < qcol
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        value = np.where(reachable, np.exp(0.5 * (lo + hi)), np.inf)
        out = np.where(mixed, value, out)
    return out[0] if scalar_q else out
