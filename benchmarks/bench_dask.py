"""Lazy, chunked projections with dask, against the in-memory numpy path, in one run.

    python benchmarks/bench_dask.py                  # 10^7 comparisons, 1 vs 2 workers, 10^8 bound
    python benchmarks/bench_dask.py --size 1000000 --big 0

Every measurement runs in a fresh interpreter (peak memory is that process's maximum resident
set, ``ru_maxrss``; workers of a LocalCluster are separate processes and report their own).
The task in each: the typical memory every mesh adds, averaged over all scenarios, for
``nodes = 1 + (i mod 100,000)`` and ``sidecars = 10 x nodes``, i = 0..N-1.

1. 10^7 scenarios: numpy in memory (one ``project()``) vs dask-backed inputs in chunks of
   ``--chunk`` on the threaded scheduler: time and peak memory.
2. The same on a ``distributed.LocalCluster`` with 1 and 2 worker processes (this machine has 2
   cores): scaling.
3. 10^8 scenarios on the threaded scheduler, with the stated bound: peak memory under 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

TASK = """
import json, resource, time
import numpy as np
import meshcost
n, chunk, mode, workers = {n}, {chunk}, {mode!r}, {workers}
start = time.perf_counter()
if mode == "numpy":
    nodes = np.arange(n, dtype=float) % 100_000 + 1
    r = meshcost.project(nodes=nodes, sidecars=nodes * 10)
    means = [float(r[m].memory.values[1].mean()) for m in r.meshes]
else:
    import dask.array as da, xarray as xr
    nodes = xr.DataArray(da.arange(n, chunks=chunk, dtype=float) % 100_000 + 1, dims="scenario")
    lazy = meshcost.project(nodes=nodes, sidecars=nodes * 10)
    typical = lazy.to_xarray(["memory"])["memory"].sel(band="typical").mean("scenario")
    if mode == "threads":
        means = [float(v) for v in typical.compute(scheduler="threads").values]
    else:
        from distributed import Client, LocalCluster
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \\
                Client(cluster):
            means = [float(v) for v in typical.compute().values]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
print(json.dumps({{"seconds": seconds, "peak_mib": peak, "means": means}}))
"""


def run(n: int, chunk: int, mode: str, workers: int = 0) -> dict:
    code = TASK.format(n=n, chunk=chunk, mode=mode, workers=workers)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(label: str, result: dict, reference: dict | None = None) -> None:
    ratio = f"   time ratio {result['seconds'] / reference['seconds']:5.2f}x" if reference else ""
    print(f"  {label:<42} {result['seconds']:8.2f} s   peak {result['peak_mib']:8.0f} MiB{ratio}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10**7, help="scenarios in the comparisons (default 10^7)")
    parser.add_argument("--chunk", type=int, default=500_000, help="scenarios per dask chunk (default 5x10^5)")
    parser.add_argument("--big", type=int, default=10**8, help="scenarios in the bound test (0 to skip)")
    args = parser.parse_args(argv)

    print(f"{args.size:,} scenarios, chunks of {args.chunk:,}:")
    numpy = run(args.size, args.chunk, "numpy")
    show("numpy, in memory", numpy)
    threads = run(args.size, args.chunk, "threads")
    show("dask, threaded scheduler", threads, numpy)
    same = all(abs(a - b) <= 1e-9 * abs(b) for a, b in zip(threads["means"], numpy["means"]))
    print(f"  same means (to 1e-9; a sum over chunks adds in another order): {same}")
    print("distributed.LocalCluster (worker processes, 1 thread each):")
    one = run(args.size, args.chunk, "cluster", 1)
    show("1 worker", one)
    two = run(args.size, args.chunk, "cluster", 2)
    show("2 workers", two, one)
    if args.big:
        print(f"{args.big:,} scenarios, threaded scheduler (bound: peak under 2 GiB):")
        big = run(args.big, args.chunk, "threads")
        show("dask, threaded scheduler", big)
        print(f"  within the bound: {big['peak_mib'] < 2048}")


if __name__ == "__main__":
    main()
