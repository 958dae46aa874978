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
from typing import Any, Literal, Sequence

import numpy as np

from .io.quantity import CPU_RESOLUTION
from .band import Band
from .checks import broadcast, choice, fail, first_where, number, numbers_array, require, whole_number
from .checks import seed as check_seed
from .kernels import latency as kernel
from .kernels.usage import REFERENCE_RPS, component_setup
from .reference.profiles import MeshProfile, get_profile
from .units import MS

__all__ = [
    "PathLatency",
    "compose_hops",
    "loaded_hop",
    "latency_at",
    "check_hops",
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

_Z99, _Z90 = kernel.Z99, kernel.Z90


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


#: The smallest CPU limit accepted [vCPU]: Kubernetes' CPU resolution, one millicore.
MIN_CPU_LIMIT = CPU_RESOLUTION


def _positive(value: Any, name: str, kind: str, unit: str) -> np.ndarray:
    return numbers_array(value, name, kind, above=0.0, expected=f"a finite number > 0 [{unit}]")


def _nonnegative(value: Any, name: str, kind: str, unit: str, *, allow_inf: bool = False) -> np.ndarray:
    extra = " (inf allowed)" if allow_inf else ""
    return numbers_array(value, name, kind, minimum=0.0, allow_inf=allow_inf,
                         expected=f"a finite number >= 0{extra} [{unit}]")


def check_hops(value: Any, name: str = "hops") -> np.ndarray:
    """Hops on a request path: whole numbers >= 0 [count]."""
    return numbers_array(value, name, "count", minimum=0.0, whole=True,
                         expected="a whole number of hops >= 0 (0, 1, 2, ...)")


def _quantiles(q: Any) -> tuple[np.ndarray, bool]:
    """q as a 1-d float array and whether the caller passed a scalar."""
    arr = numbers_array(q, "q", "fraction", above=0.0, expected="quantiles strictly between 0 and 1 (e.g. 0.5, 0.99)")
    if arr.ndim > 1:
        fail("q", f"an array of shape {arr.shape}", "a number or a 1-d sequence in (0, 1)", described=True)
    if np.any(arr >= 1):
        fail("q", first_where(arr, arr >= 1), "quantiles strictly between 0 and 1 (e.g. 0.5, 0.99)")
    return np.atleast_1d(arr), arr.ndim == 0


def _lognormal_pair(p_lo: Any, p_hi: Any, lo_name: str, hi_name: str, z_lo: float, z_hi: float) -> tuple[np.ndarray, np.ndarray]:
    lo = _positive(p_lo, lo_name, "time", "ms")
    hi = _positive(p_hi, hi_name, "time", "ms")
    lo, hi = broadcast((lo_name, lo), (hi_name, hi))
    ordered = hi >= lo
    if not np.all(ordered):
        low = first_where(lo, ~ordered)
        require(hi_name, hi, ordered,
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
    arr = numbers_array(q, "q", "fraction", above=0.0, expected="probabilities strictly between 0 and 1")
    if np.any(arr >= 1):
        fail("q", first_where(arr, arr >= 1), "probabilities strictly between 0 and 1")
    return kernel.normal_ppf(arr)


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
    m = numbers_array(mu, "mu", "count", expected="a finite log-scale location [log ms]")
    s = numbers_array(sigma, "sigma", "count", minimum=0.0, expected="a finite log-scale spread >= 0")
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
    m, s, z = broadcast(("mu", m), ("sigma", s), ("q", z))
    return np.exp(m + s * z)


# --------------------------------------------------------------------------- call chains


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
    h = check_hops(hops)
    mu, sigma, h = broadcast(("p50, p99", mu), ("p50, p99", sigma), ("hops", h))
    choice(method, "method", ("fenton-wilkinson", "monte-carlo"))
    if method == "fenton-wilkinson":
        out = kernel.fenton_wilkinson(mu, sigma, h, kernel.normal_ppf(qs))
    else:
        count = whole_number(samples, "samples", minimum=1, maximum=10**9)
        if h.size and h.max() > MAX_MC_HOPS:
            fail("hops", f"{float(h.max()):g} with method='monte-carlo'", f"at most {MAX_MC_HOPS} (cost is linear "
                 "in hops; use method='fenton-wilkinson')", described=True)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_seed(seed))
        out = kernel.monte_carlo_chain(mu, sigma, h, qs, count, rng, MC_CHUNK_VALUES)
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
    h = check_hops(hops)
    x, h = broadcast(("p", x), ("hops", h))
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
    c = numbers_array(servers, "servers", "count", minimum=1, maximum=MAX_SERVERS, whole=True,
                      expected=f"a whole number of servers from 1 to {MAX_SERVERS}")
    a = _nonnegative(offered_load, "offered_load", "count", "Erlang", allow_inf=True)
    c, a = broadcast(("servers", c), ("offered_load", a))
    return kernel.erlang_c(c, a)


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
    w = kernel.wait(args[0], args[1] / 1000.0, args[2], qs, args[3], args[4])[0]
    return w[0] if scalar_q else w


def _load_args(rps: Any, cpu: Any, servers: Any, ca2: Any, cs2: Any,
               rps_name: str = "rps_per_proxy") -> list[np.ndarray]:
    r = _nonnegative(rps, rps_name, "rate", "requests/s")
    s = _nonnegative(cpu, "cpu_per_1000_rps", "cpu", "vCPU per 1000 requests/s")
    c = numbers_array(servers, "servers", "cpu", above=0.0, maximum=MAX_SERVERS,
                      expected=f"a finite number > 0 and at most {MAX_SERVERS} [vCPU = min(worker_threads, cpu_limit)]")
    a2 = _nonnegative(ca2, "arrival_cv2", "count", "dimensionless")
    s2 = _nonnegative(cs2, "service_cv2", "count", "dimensionless")
    return broadcast((rps_name, r), ("cpu_per_1000_rps", s), ("servers", c), ("arrival_cv2", a2), ("service_cv2", s2))


def _anchored(base_p50: Any, base_p99: Any, rps: Any, cpu: Any, servers: Any, q: Any, passes: float,
              reference_rps: Any, reference_servers: Any, arrival_cv2: Any, service_cv2: Any,
              rps_name: str, cpu_above: Any = None) -> LoadedLatency:
    qs, scalar_q = _quantiles(q)
    mu, sigma = _lognormal_pair(base_p50, base_p99, "base_p50", "base_p99", 0.0, _Z99)
    r, s, c, a2, s2 = _load_args(rps, cpu, servers, arrival_cv2, service_cv2, rps_name)
    above = s if cpu_above is None else _nonnegative(cpu_above, "cpu_per_1000_rps_above", "cpu",
                                                     "vCPU per 1000 requests/s above the reference load")
    r_ref = _nonnegative(reference_rps, "reference_rps", "rate", "requests/s")
    c_ref = numbers_array(reference_servers, "reference_servers", "cpu", above=0.0, maximum=MAX_SERVERS,
                          expected=f"a finite number > 0 and at most {MAX_SERVERS} [vCPU]")
    mu, sigma, r, s, above, c, a2, s2, r_ref, c_ref = broadcast(
        ("base_p50, base_p99", mu), ("base_p50, base_p99", sigma), (rps_name, r), ("cpu_per_1000_rps", s),
        ("cpu_per_1000_rps_above", above), ("servers", c), ("arrival_cv2", a2), ("service_cv2", s2),
        ("reference_rps", r_ref), ("reference_servers", c_ref))
    possible = r_ref * s / 1000.0 < c_ref
    if not np.all(possible):
        fail("cpu_per_1000_rps", first_where(s, ~possible),
             "a value at which the reference measurement was possible: cpu_per_1000_rps * reference_rps / 1000 < "
             "reference_servers (the published base latency was measured at reference_rps on reference_servers "
             "workers, so that proxy cannot have been saturated) [vCPU]")
    out = kernel.anchored(mu, sigma, r, s / 1000.0, above / 1000.0, c, qs, passes, r_ref, c_ref,
                          DEFAULT_REFERENCE_RPS, a2, s2)
    latency, w = out.latency, out.queue_wait
    if scalar_q:
        latency, w = latency[0], w[0]
    return LoadedLatency(latency=latency, q=qs, utilisation=out.utilisation, saturated=out.saturated,
                         wait_probability=out.wait_probability, capacity_rps=out.capacity_rps, queue_wait=w)


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
    if worker_threads is None:
        limit = numbers_array(cpu_limit, "cpu_limit", "cpu", minimum=MIN_CPU_LIMIT,
                              expected=f"a finite CPU limit >= {MIN_CPU_LIMIT:g} [vCPU] when worker_threads is not "
                                       "given (pass worker_threads for no limit)")
        threads = np.ceil(limit)
    else:
        limit = numbers_array(cpu_limit, "cpu_limit", "cpu", minimum=MIN_CPU_LIMIT, allow_inf=True,
                              expected=f"a number >= {MIN_CPU_LIMIT:g} [vCPU], or inf for no limit")
        threads = numbers_array(worker_threads, "worker_threads", "count", minimum=1, maximum=MAX_SERVERS, whole=True,
                                expected=f"a whole number of threads from 1 to {MAX_SERVERS}")
    threads, limit = broadcast(("worker_threads", threads), ("cpu_limit", limit))
    passes = whole_number(passes, "passes", minimum=1, maximum=16)
    servers = np.minimum(threads, limit)
    return _anchored(base_p50, base_p99, rps_per_pod, cpu_per_1000_rps, servers, q, float(passes),
                     reference_rps, reference_servers, arrival_cv2, service_cv2, "rps_per_pod",
                     cpu_per_1000_rps_above)



# --------------------------------------------------------------------------- mixtures


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
        Each path's median and 99th percentile [ms], ``0 < p50 <= p99``; an infinite p99 (a
        saturated path) gives infinite quantiles wherever that path's share reaches them.
    share_b : array_like
        Probability of path B [0-1].
    q : float or sequence of float
        Quantiles in (0, 1).

    Returns
    -------
    ndarray
        Quantiles [ms], leading axis over ``q`` unless ``q`` is a scalar.
    """
    qs, scalar_q = _quantiles(q)
    share = numbers_array(share_b, "share_b", "fraction", minimum=0.0, maximum=1.0, expected="a share from 0 to 1")
    paths = [numbers_array(v, n, "time", above=0.0, allow_inf=n.startswith("p99"),
                           expected="a number of ms > 0" + (" (inf for a saturated path)" if n.startswith("p99") else ""))
             for v, n in ((p50_a, "p50_a"), (p99_a, "p99_a"), (p50_b, "p50_b"), (p99_b, "p99_b"))]
    a50, a99, b50, b99, share = broadcast(("p50_a", paths[0]), ("p99_a", paths[1]), ("p50_b", paths[2]),
                                          ("p99_b", paths[3]), ("share_b", share))
    out = kernel.mixture(a50, a99, b50, b99, share, qs)
    return out[0] if scalar_q else out


# --------------------------------------------------------------------------- request paths


@dataclass(frozen=True)
class PathLatency:
    """Latency added along a request path [ms]: composed p50 / p99, and the naive sum of p99s."""

    hops: Any
    p50: Band
    p99: Band
    naive_p99: Band


def compose_hops(per_hop_p50: tuple, per_hop_p99: tuple, hops: Any) -> PathLatency:
    """Compose per-hop (low, typical, high) p50 / p99 [ms] over ``hops`` hops (broadcasts)."""
    count = check_hops(hops)
    p50, p99, naive = [], [], []
    for a50, a99 in zip(per_hop_p50, per_hop_p99):
        a50, a99, n = broadcast(("per-hop latency", np.asarray(a50, float)), ("per-hop latency", np.asarray(a99, float)),
                                ("hops", count))
        finite = np.isfinite(a50) & np.isfinite(a99)
        q = np.full((2,) + n.shape, np.inf)
        if finite.any():
            mu, sigma = kernel.lognormal(a50[finite], a99[finite])
            q[:, finite] = kernel.fenton_wilkinson(mu, sigma, n[finite], kernel.normal_ppf(np.array([0.5, 0.99])))
        p50.append(q[0])
        p99.append(q[1])
        naive.append(np.where(finite, n * np.where(finite, a99, 0.0), np.inf))
    shape = np.broadcast(*p50).shape
    # Composition is not monotone in the per-hop bands: a typical hop with a wider spread (a low
    # p50, a p99 near the high band's) can compose to a longer tail than the high hop. The path's
    # bands are kept ordered (each at least the band below it), as the per-hop bands are.
    p50_bands = np.maximum.accumulate(np.broadcast_arrays(*p50), axis=0)
    p99_bands = np.maximum.accumulate(np.broadcast_arrays(*p99), axis=0)
    return PathLatency(count if count.ndim else float(count), Band(tuple(p50_bands), MS, shape),
                       Band(tuple(p99_bands), MS, shape), Band(tuple(naive), MS, shape))


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
                return term.coefficient.values[band] * 1000.0 / (term.per_rps or 1000.0) if term else 0.0

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
                hop = kernel.mixture(base[0], base[1], full[0], full[1], share, np.array([0.5, 0.99]))
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
        sigma = np.where(finite, np.log(np.where(finite, p99, 1.0) / p50) / kernel.Z99, 0.0)
    z = kernel.normal_ppf(np.asarray(qs)).reshape((-1,) + (1,) * np.ndim(p50))
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
    rps = numbers_array(rps_per_proxy, "rps_per_proxy", "rate", minimum=0.0, expected="finite numbers >= 0 [1/s]")
    limit = None if cpu_limit is None else number(cpu_limit, "cpu_limit", "cpu", minimum=MIN_CPU_LIMIT,
                                                   expected=f"one finite CPU limit >= {MIN_CPU_LIMIT:g} [vCPU]")
    share = float(l7) if isinstance(l7, bool) else number(l7, "l7", "fraction", minimum=0.0, maximum=1.0,
                                                          expected="True / False or one share from 0 to 1")
    if workers is not None:
        workers = whole_number(workers, "workers", minimum=1, maximum=MAX_SERVERS)
    broadcast(("rps_per_proxy", rps), ("hops", check_hops(hops)))  # before the work: both name their shapes
    bands, _ = loaded_hop(profile, rps, cpu_limit=limit, workers=workers, l7_share=share)
    p50 = tuple(b[0] for b in bands)
    p99 = tuple(b[1] for b in bands)
    return compose_hops(p50, p99, hops)
