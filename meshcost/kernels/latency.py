"""Latency kernels: lognormal hops, call chains, queueing under load, L4 / L7 mixtures.

Pure numpy on validated float arrays (milliseconds, requests per second, vCPU); the
documented, checked public functions are in :mod:`meshcost.latency`, which also explains the
model. Every function here broadcasts its arguments.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import NamedTuple

import numpy as np

__all__ = [
    "Z90",
    "Z99",
    "normal_ppf",
    "normal_cdf",
    "lognormal",
    "lognormal_quantiles",
    "fenton_wilkinson",
    "monte_carlo_chain",
    "erlang_c",
    "wait",
    "cpu_at",
    "capacity",
    "Loaded",
    "anchored",
    "mixture",
]

_NORMAL = NormalDist()
Z90 = _NORMAL.inv_cdf(0.90)
Z99 = _NORMAL.inv_cdf(0.99)
#: Bisection steps for mixture quantiles: the bracket [lowest, highest component quantile]
#: shrinks by 2**-60 in log space, below float64 resolution.
MIXTURE_STEPS = 60


def normal_ppf(q: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of ``q`` in (0, 1), once per distinct value (Wichura AS241)."""
    q = np.asarray(q, dtype=float)
    if q.size <= 8:  # a few quantiles (p50, p99): each is NormalDist's, as below, without np.unique
        return np.array([_NORMAL.inv_cdf(float(u)) for u in q.flat], dtype=np.float64).reshape(q.shape)
    unique, inverse = np.unique(q, return_inverse=True)
    z = np.array([_NORMAL.inv_cdf(float(u)) for u in unique], dtype=np.float64)
    return z[inverse].reshape(q.shape)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (``scipy.special.ndtr``)."""
    from scipy.special import ndtr

    return np.asarray(ndtr(x))


def lognormal(p50: np.ndarray, p99: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mu, sigma) of the lognormal through a median and a 99th percentile (``0 < p50 <= p99``)."""
    mu = np.log(p50)
    return mu, (np.log(p99) - mu) / Z99


def lognormal_quantiles(mu: np.ndarray, sigma: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``exp(mu + sigma z)``, with the quantile axis of ``z`` leading."""
    return np.exp(mu + sigma * z.reshape((-1,) + (1,) * np.ndim(mu)))


def fenton_wilkinson(mu: np.ndarray, sigma: np.ndarray, hops: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Quantiles (leading axis over ``z``) of the sum of ``hops`` iid lognormals; 0 hops add 0."""
    empty = hops == 0
    any_empty = bool(np.any(empty))
    n = np.maximum(hops, 1.0) if any_empty else hops
    s2 = sigma * sigma
    sn2 = np.log1p(np.expm1(s2) / n)
    mun = np.log(n) + mu + 0.5 * (s2 - sn2)
    out = np.exp(mun + np.sqrt(sn2) * z.reshape((-1,) + (1,) * np.ndim(mu)))
    if any_empty:
        out[:, empty] = 0.0
    return out


def monte_carlo_chain(mu: np.ndarray, sigma: np.ndarray, hops: np.ndarray, qs: np.ndarray, samples: int,
                      rng: np.random.Generator, chunk_values: int) -> np.ndarray:
    """Quantiles of the sum of ``hops`` iid lognormals by sampling (the reference method)."""
    shape = mu.shape
    mu_f, sigma_f, hops_f = (a.ravel() for a in (mu, sigma, hops))
    size = mu_f.size
    out = np.empty((qs.size, size))
    per_chunk = max(1, chunk_values // samples)
    for start in range(0, size, per_chunk):
        sl = slice(start, min(start + per_chunk, size))
        m, s, h = mu_f[sl, None], sigma_f[sl, None], hops_f[sl, None]
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


def erlang_c(c: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang-C probability of waiting with ``c`` servers at offered load ``a`` (1 where ``a >= c``)."""
    stable = a < c
    a_s = np.where(stable, a, 0.0)
    b = np.ones(np.shape(a_s))
    for k in range(1, int(np.max(c, initial=1)) + 1):
        ab = a_s * b
        b = np.where(k <= c, ab / (k + ab), b)
    with np.errstate(divide="ignore", invalid="ignore"):
        cc = c * b / (c - a_s * (1.0 - b))
    return np.where(stable, cc, 1.0)


def wait(rps: np.ndarray, service_s: np.ndarray, servers: np.ndarray, qs: np.ndarray,
         ca2: np.ndarray | float = 1.0, cs2: np.ndarray | float = 1.0) -> tuple[np.ndarray, ...]:
    """Wait quantiles [ms] (leading axis over ``qs``), utilisation, saturated, P(wait), capacity [1/s]."""
    n = np.ceil(servers)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(service_s > 0, servers / np.where(service_s > 0, service_s, 1.0), np.inf)
        rho = np.where(service_s > 0, rps * service_s / servers, 0.0)
    saturated = rho >= 1
    c = erlang_c(n, np.where(saturated, n, n * rho))
    headroom = np.where(saturated | (cap == np.inf), 1.0, cap - rps)  # [1/s]
    eta_ms = 1000.0 * 0.5 * (np.asarray(ca2) + np.asarray(cs2)) / headroom
    tail = qs.reshape((-1,) + (1,) * np.ndim(rho))
    with np.errstate(divide="ignore"):
        w = eta_ms * np.maximum(0.0, np.log(c) - np.log1p(-tail))
    w = np.where((cap == np.inf) | (rps == 0), 0.0, w)
    w = np.where(saturated, np.inf, w)
    return w, rho, saturated, c, cap


def cpu_at(r: np.ndarray, s_ref: np.ndarray, s_above: np.ndarray, breakpoint: float) -> np.ndarray:
    """CPU [vCPU] one proxy spends at ``r`` requests/s: piecewise linear, bending at ``breakpoint``."""
    return s_ref * np.minimum(r, breakpoint) + s_above * np.maximum(0.0, r - breakpoint)


def capacity(s_ref: np.ndarray, s_above: np.ndarray, servers: np.ndarray, breakpoint: float) -> np.ndarray:
    """Requests/s at which the piecewise CPU reaches ``servers`` [1/s] (``inf`` if it never does)."""
    at_break = s_ref * breakpoint
    with np.errstate(divide="ignore", invalid="ignore"):
        below = np.where(s_ref > 0, servers / np.where(s_ref > 0, s_ref, 1.0), np.inf)
        above = np.where(s_above > 0, breakpoint + (servers - at_break) / np.where(s_above > 0, s_above, 1.0), np.inf)
    return np.where(at_break >= servers, below, above)


class Loaded(NamedTuple):
    """Latency under load: quantiles [ms] (leading axis over q) and the queue's state."""

    latency: np.ndarray
    utilisation: np.ndarray
    saturated: np.ndarray
    wait_probability: np.ndarray
    capacity_rps: np.ndarray
    queue_wait: np.ndarray


def anchored(mu: np.ndarray, sigma: np.ndarray, rps: np.ndarray, s_ref: np.ndarray, s_above: np.ndarray,
             servers: np.ndarray, qs: np.ndarray, passes: float, reference_rps: np.ndarray | float,
             reference_servers: np.ndarray | float, breakpoint: float, ca2: np.ndarray | float = 1.0,
             cs2: np.ndarray | float = 1.0) -> Loaded:
    """The published latency (lognormal ``mu``, ``sigma``) plus the growth of the queueing wait.

    ``latency_q = base_q + passes x max(0, w_q(rps) - w_q(reference_rps))``; ``s_ref`` and
    ``s_above`` are vCPU-seconds per request below and above ``breakpoint`` requests/s.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where(rps > 0, cpu_at(rps, s_ref, s_above, breakpoint) / np.where(rps > 0, rps, 1.0), s_ref)
    w, rho, saturated, pwait, _ = wait(rps, effective, servers, qs, ca2, cs2)
    w_ref = wait(np.asarray(reference_rps, dtype=float), s_ref, np.asarray(reference_servers, dtype=float), qs,
                 ca2, cs2)[0]
    base = lognormal_quantiles(mu, sigma, normal_ppf(qs))
    latency = base + passes * np.maximum(0.0, w - w_ref)
    return Loaded(latency, rho, saturated, pwait, capacity(s_ref, s_above, servers, breakpoint), w)


def mixture(a50: np.ndarray, a99: np.ndarray, b50: np.ndarray, b99: np.ndarray, share: np.ndarray,
            qs: np.ndarray) -> np.ndarray:
    """Quantiles (leading axis over ``qs``) of ``(1 - share) A + share B``, A and B lognormal.

    Each path is the lognormal through its p50 and p99 [ms]; an infinite p99 (a saturated
    path) puts that path's mass at infinity. Solved by bisection in log space between the
    two paths' own quantiles.
    """
    a50, a99, b50, b99, share = np.broadcast_arrays(a50, a99, b50, b99, share)
    qcol = qs.reshape((-1,) + (1,) * a50.ndim)
    z = normal_ppf(qs).reshape(qcol.shape)
    finite_a, finite_b = np.isfinite(a99), np.isfinite(b99)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu_a, mu_b = np.log(a50), np.log(b50)
        sig_a = np.where(finite_a, np.log(np.where(finite_a, a99, 1.0) / a50) / Z99, 0.0)
        sig_b = np.where(finite_b, np.log(np.where(finite_b, b99, 1.0) / b50) / Z99, 0.0)
    qa = np.where(finite_a, np.exp(mu_a + sig_a * z), np.inf)
    qb = np.where(finite_b, np.exp(mu_b + sig_b * z), np.inf)
    out = np.where(share >= 1, qb, np.where(share <= 0, qa, np.nan))
    mixed = np.isnan(out)
    if not mixed.any():
        return out
    lo = np.log(np.minimum(qa, qb))
    hi = np.log(np.maximum(qa, qb))
    share_f = np.broadcast_to(share, out.shape)

    def cdf(log_x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            fa = np.where(finite_a, normal_cdf((log_x - mu_a) / np.where(sig_a > 0, sig_a, 1.0)), 0.0)
            fa = np.where(finite_a & (sig_a == 0), (log_x >= mu_a) * 1.0, fa)
            fb = np.where(finite_b, normal_cdf((log_x - mu_b) / np.where(sig_b > 0, sig_b, 1.0)), 0.0)
            fb = np.where(finite_b & (sig_b == 0), (log_x >= mu_b) * 1.0, fb)
        return (1.0 - share_f) * fa + share_f * fb

    # where a path saturates, its mass is at infinity: the quantile is infinite unless the
    # other path's share covers q
    reachable = np.where(finite_a & finite_b, True, np.where(finite_a, (1.0 - share_f) > qcol, share_f > qcol))
    finite_sum = np.where(finite_a, qa, 0.0) + np.where(finite_b, qb, 0.0)  # 0 where both paths saturate
    hi = np.where(np.isfinite(hi), hi, np.log(np.where(finite_sum > 0, finite_sum, 1.0)) + 50.0)
    lo = np.where(np.isfinite(lo), lo, hi - 100.0)
    for _ in range(MIXTURE_STEPS):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < qcol
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    value = np.where(reachable, np.exp(0.5 * (lo + hi)), np.inf)
    return np.where(mixed, value, out)
