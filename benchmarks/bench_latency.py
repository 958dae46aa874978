"""Time chain_quantiles (Fenton-Wilkinson) on 10**6 elements against the same formulas inline.

Plain script: ``python benchmarks/bench_latency.py``. The ratio is the cost of meshcost's
input validation, unit stripping and broadcasting over bare numpy arithmetic.
"""

from __future__ import annotations

import time
from statistics import NormalDist

import numpy as np

from meshcost.latency import chain_quantiles

N = 10**6
REPEATS = 7


def inline(p50: np.ndarray, p99: np.ndarray, hops: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The Fenton-Wilkinson quantiles with no checks (hops >= 1 here)."""
    mu = np.log(p50)
    sigma = (np.log(p99) - mu) / NormalDist().inv_cdf(0.99)
    s2 = sigma * sigma
    sn2 = np.log1p(np.expm1(s2) / hops)
    mun = np.log(hops) + mu + 0.5 * (s2 - sn2)
    return np.exp(mun + np.sqrt(sn2) * z[:, None])


def best_of(fn, *args) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    p50 = rng.uniform(0.1, 2.0, N)
    p99 = p50 * rng.uniform(1.2, 10.0, N)
    hops = rng.integers(1, 21, N).astype(np.float64)
    q = (0.5, 0.99)
    z = np.array([NormalDist().inv_cdf(x) for x in q])
    np.testing.assert_allclose(chain_quantiles(p50, p99, hops, q), inline(p50, p99, hops, z), rtol=1e-12)
    t_lib = best_of(chain_quantiles, p50, p99, hops, q)
    t_raw = best_of(inline, p50, p99, hops, z)
    print(f"elements: {N:,}  quantiles: {q}  best of {REPEATS}")
    print(f"chain_quantiles (fenton-wilkinson): {t_lib * 1e3:8.1f} ms")
    print(f"inline numpy, same formulas:        {t_raw * 1e3:8.1f} ms")
    print(f"ratio library / inline:             {t_lib / t_raw:8.2f}")


if __name__ == "__main__":
    main()
