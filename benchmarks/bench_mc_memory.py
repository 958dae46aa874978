"""Monte Carlo peak memory against the number of samples: the bound of meshcost.kernels.uncertainty.

    python benchmarks/bench_mc_memory.py
    python benchmarks/bench_mc_memory.py --samples 100000 1000000 4000000 --scenarios 1 10

Each run is a fresh process (peak resident memory from ``getrusage``), projecting the
500-node / 5,000-pod scenario (or N scenarios) with ``samples=`` and the default
``chunk_values``. The reference is the same process importing meshcost and projecting
without Monte Carlo, so the difference is what Monte Carlo holds. The documented bound:
the kernels' working set (a few dozen arrays of ``8 x chunk_values`` bytes) plus, for exact
percentiles, ``15 figures x max(samples, chunk_values) x 8`` bytes for the mesh in hand.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

CODE = """
import resource, sys, numpy as np, meshcost
samples, scenarios = int(sys.argv[1]), int(sys.argv[2])
n = np.linspace(500, 600, scenarios).round() if scenarios > 1 else 500
kwargs = {} if samples == 0 else {"samples": samples, "seed": 1}
meshcost.project(nodes=n, sidecars=np.asarray(n) * 10, **kwargs)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak(samples: int, scenarios: int) -> tuple[float, float]:
    """(peak resident MiB, seconds) of one projection in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CODE, str(samples), str(scenarios)], capture_output=True,
                          text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024.0, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    from meshcost.kernels.uncertainty import DEFAULT_CHUNK_VALUES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, nargs="+", default=[100_000, 1_000_000, 2_000_000, 4_000_000])
    parser.add_argument("--scenarios", type=int, nargs="+", default=[1])
    args = parser.parse_args(argv)
    base, _ = peak(0, 1)
    print(f"no Monte Carlo: peak {base:7.1f} MiB (import + one projection)")
    print(f"{'samples':>10} {'scenarios':>9} {'peak MiB':>9} {'above base':>10} {'bound MiB':>9} {'seconds':>8}")
    for scenarios in args.scenarios:
        for samples in args.samples:
            mib, seconds = peak(samples, scenarios)
            bound = (15 * max(samples, DEFAULT_CHUNK_VALUES) * 8 + 60 * DEFAULT_CHUNK_VALUES * 8) / 2**20
            print(f"{samples:>10,} {scenarios:>9,} {mib:>9.1f} {mib - base:>10.1f} {bound:>9.1f} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
