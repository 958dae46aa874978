"""Monte Carlo benchmark: 10^5 samples x 10^3 scenarios, time and peak memory vs plain numpy.

    python benchmarks/bench_uncertainty.py
    python benchmarks/bench_uncertainty.py --samples 10000 --scenarios 200

meshcost draws Beta-PERT samples of every coefficient, evaluates memory, CPU and per-hop
latency for each (scenario, sample) in chunks, and keeps the 5/50/95th percentiles. The
reference does the same work in plain numpy the obvious way: one samples x scenarios
matrix per figure (hand-written drivers, one matrix product) and ``np.percentile``. Peak
memory is measured with tracemalloc (numpy reports its allocations to it).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import meshcost
from meshcost.kernels.usage import coefficient_values
from meshcost.kernels.uncertainty import pert_samples


def reference(nodes: np.ndarray, sidecars: np.ndarray, rps: float, samples: int, seed: int) -> dict:
    """Plain-numpy Monte Carlo of the memory and CPU totals, unchunked, np.percentile."""
    rng = np.random.default_rng(seed)
    services = np.ceil(sidecars / 10)
    eps = sidecars / services
    out = {}
    for mesh in meshcost.BUILTIN_MESHES:
        profile = meshcost.get_profile(mesh)
        values = coefficient_values(profile)
        draw = {k: pert_samples(*v, samples, rng) for k, v in sorted(values.items())}
        proxies = {"istio-sidecar": sidecars, "istio-ambient": nodes, "linkerd": sidecars}[mesh]
        replicas = np.maximum(1.0, np.ceil(np.maximum(proxies / 2000, services / 1000)))
        drivers = {
            "instance": {"sidecar": sidecars, "istiod": replicas, "ztunnel": nodes, "istio-cni": nodes,
                         "waypoint": 0 * nodes, "proxy": sidecars, "control-plane": 1 + 0 * nodes},
            "visible_service": sidecars * services, "visible_endpoint": sidecars * services * eps,
            "cluster_pod": nodes * sidecars, "cluster_service": nodes * services,
            "proxy": proxies, "pod": sidecars, "service": services, "request": rps * 2 / 1000 + 0 * nodes,
        }
        for resource in ("memory", "cpu"):
            keys = [k for k in draw if k[1] == resource]
            matrix = np.stack([drivers[k[2]][k[0]] if k[2] == "instance" else drivers[k[2]] for k in keys])
            if mesh == "istio-ambient":  # the waypoint's request term carries no traffic without waypoints
                matrix[[i for i, k in enumerate(keys) if k[0] == "waypoint"]] = 0
            values_matrix = np.stack([draw[k] for k in keys], axis=1) @ matrix  # samples x scenarios
            out[mesh, resource] = np.percentile(values_matrix, [5, 50, 95], axis=0)
    return out


def measure(fn):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n = np.arange(1, args.scenarios + 1, dtype=float)
    nodes, sidecars, rps = n, n * 10, 1000.0
    ours, t_ours, peak_ours = measure(lambda: meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps,
                                                               samples=args.samples, seed=args.seed))
    ref, t_ref, peak_ref = measure(lambda: reference(nodes, sidecars, rps, args.samples, args.seed))
    worst = 0.0
    for (mesh, resource), pct in ref.items():
        band = getattr(ours[mesh], resource)
        for row, p in enumerate((5, 50, 95)):
            got = band.percentile(p).magnitude
            worst = max(worst, float(np.max(np.abs(got - pct[row]) / np.abs(pct[row]))))
    print(f"Monte Carlo: {args.samples:,} samples x {args.scenarios:,} scenarios, 3 meshes")
    print(f"  project(samples=...)    {t_ours:8.2f} s   peak {peak_ours / 2**20:8.1f} MiB"
          "   (memory, CPU and latency p50/p99: 12 figures)")
    print(f"  plain numpy reference   {t_ref:8.2f} s   peak {peak_ref / 2**20:8.1f} MiB"
          "   (memory and CPU only: 6 figures)")
    print(f"  time ratio {t_ours / t_ref:5.2f}x, peak-memory ratio {peak_ours / peak_ref:5.2f}x")
    print(f"  largest relative difference of the memory/CPU percentiles: {worst:.1e}"
          " (same draws, same seed order)")


if __name__ == "__main__":
    main()
