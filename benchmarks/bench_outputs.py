"""The paths users take after project(), as ratios to a reference measured in the same run.

    python benchmarks/bench_outputs.py                 # 2x10^5-scenario frames, 10^5-scenario sweep
    python benchmarks/bench_outputs.py --size 20000 --repeat 3

Each measurement alternates with its reference (A, B, A, B, ...) so that drift and a noisy
neighbour hit both; the report gives the median and the spread (25th-75th percentile) of each,
the ratio of the medians, and the median system CPU time: on a machine where page faults are
dear, whichever call maps fresh memory after a large free pays most of its time there (the
frames' ratios then swing by 2-3x with the order of the calls, their user time does not).

1. Frames: ``project()`` alone vs ``project().mesh_frame()`` and ``project().to_frame()`` (all
   figures, and only some: ``figures=[...]``); the peak memory ``to_frame()`` adds per scenario
   (tracemalloc), next to the frame's own size.
2. Sweep output: computing a 10^5-scenario grid (one ``project()`` over it) vs
   ``meshcost.sweep(..., output=FILE.parquet)`` and ``output=FILE.csv``, all figures and two.
3. The single call: ``project(nodes=500, sidecars=5000)`` in units of one pint scalar
   multiply (``Quantity * Quantity``), loaded (``rps=20000``) vs unloaded, and what a notebook
   does next with one scenario (its frames, the printed comparison).
4. Import in a fresh interpreter: ``import meshcost`` vs ``import numpy, pint`` plus one unit
   lookup on pint's application registry (which builds it, as meshcost's import does).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import numpy as np

import meshcost


#: System CPU time [s] of each measurement in the last :func:`interleaved` run, by name: on a
#: machine whose page faults are dear, a call that maps fresh memory pays here.
SYSTEM_TIMES: dict[str, list[float]] = {}


def interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Wall times [s] of each function, run in turn ``repeat`` times after one warm-up each."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    SYSTEM_TIMES.clear()
    for _ in range(repeat):
        for name, fn in fns.items():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            SYSTEM_TIMES.setdefault(name, []).append(resource.getrusage(resource.RUSAGE_SELF).ru_stime - before)
    return times


def spread(values: list[float], scale: float = 1.0, unit: str = "s") -> str:
    """``median [p25 - p75] unit`` of ``values`` times ``scale``."""
    q = np.percentile(np.asarray(values) * scale, [25, 50, 75])
    return f"{q[1]:9.3f} {unit} [{q[0]:.3f} - {q[2]:.3f}]"


def report(title: str, times: dict[str, list[float]], reference: str, scale: float = 1.0, unit: str = "s") -> None:
    print(title)
    base = statistics.median(times[reference])
    for name, values in times.items():
        ratio = "" if name == reference else f"   ratio {statistics.median(values) / base:6.2f}x"
        system = SYSTEM_TIMES.get(name)
        kernel = f"   (system {statistics.median(system) * scale:.3f} {unit})" if system and unit == "s" else ""
        print(f"  {name:<44} {spread(values, scale, unit)}{ratio}{kernel}")


def frames(size: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    nodes = rng.integers(3, 2000, size).astype(float)
    sidecars = nodes * rng.integers(5, 40, size)

    def run() -> meshcost.Projection:
        return meshcost.project(nodes=nodes, sidecars=sidecars, rps=1000)

    chosen = ["memory", "cpu", "cost"]
    times = interleaved({"project()": run, "project().mesh_frame()": lambda: run().mesh_frame(),
                         "project().to_frame()": lambda: run().to_frame(),
                         f"project().to_frame(figures={chosen})": lambda: run().to_frame(figures=chosen)}, repeat)
    report(f"frames over {size:,} scenarios (3 meshes):", times, "project()")
    result = run()
    tracemalloc.start()
    frame = result.to_frame()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    own = frame.memory_usage(index=False, deep=True).sum()
    result = run()
    result.mesh_frame()  # the money figures, computed once and kept by the projection
    tracemalloc.start()
    result.to_frame()
    _, peak_after = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  to_frame() peak per scenario: {peak / size / 1024:.2f} KiB (money computed inside), "
          f"{peak_after / size / 1024:.2f} KiB (money already computed); the frame itself "
          f"{own / size / 1024:.2f} KiB ({frame.shape[1]} columns x {len(frame) // size} rows)")
    for figures in (chosen, ["memory", "cpu"]):
        result = run()
        tracemalloc.start()
        frame = result.to_frame(figures=figures)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        own = frame.memory_usage(index=False, deep=True).sum()
        print(f"  to_frame(figures={figures}) peak per scenario: {peak / size / 1024:.2f} KiB; the frame itself "
              f"{own / size / 1024:.2f} KiB ({frame.shape[1]} columns)")


def sweep_output(repeat: int) -> None:
    nodes = np.arange(1, 1001, dtype=float)
    sidecars = np.arange(100, 10001, 100, dtype=float)  # 1,000 x 100 = 10^5 scenarios
    with tempfile.TemporaryDirectory() as folder:
        parquet, csv = Path(folder, "sweep.parquet"), Path(folder, "sweep.csv")
        times = interleaved({
            "compute (project() over the grid)": lambda: meshcost.project(nodes=nodes[:, None], sidecars=sidecars),
            "sweep(output=FILE.parquet)": lambda: meshcost.sweep(nodes=nodes, sidecars=sidecars, output=parquet),
            "sweep(output=FILE.parquet, totals=True)": lambda: meshcost.sweep(nodes=nodes, sidecars=sidecars,
                                                                              output=parquet, totals=True),
            "sweep(output=FILE.parquet, figures=[memory, cost])": lambda: meshcost.sweep(
                nodes=nodes, sidecars=sidecars, output=parquet, figures=["memory", "cost"]),
            "sweep(output=FILE.csv)": lambda: meshcost.sweep(nodes=nodes, sidecars=sidecars, output=csv),
            "sweep(output=FILE.csv, figures=[memory, cost])": lambda: meshcost.sweep(
                nodes=nodes, sidecars=sidecars, output=csv, figures=["memory", "cost"]),
        }, repeat)
        report("sweep of 10^5 scenarios to a file:", times, "compute (project() over the grid)")


def single_call(repeat: int) -> None:
    a, b = meshcost.ureg.Quantity(3.0, "MiB"), meshcost.ureg.Quantity(2.0, "")
    loops = 50

    def many(fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(loops):
                fn()
        return run

    times = interleaved({
        "one pint scalar multiply": many(lambda: a * b),
        "project(nodes=500, sidecars=5000)": many(lambda: meshcost.project(nodes=500, sidecars=5000)),
        "project(..., rps=20000) (loaded proxies)": many(lambda: meshcost.project(nodes=500, sidecars=5000,
                                                                                  rps=20000)),
        "project(...).to_frame() (one scenario)": many(lambda: meshcost.project(nodes=500, sidecars=5000).to_frame()),
        "project(...).mesh_frame() (one scenario)": many(
            lambda: meshcost.project(nodes=500, sidecars=5000).mesh_frame()),
        "str(project(...)) (the printed comparison)": many(lambda: str(meshcost.project(nodes=500, sidecars=5000))),
    }, repeat * 4)
    report("the single call (per call):", times, "one pint scalar multiply", 1e6 / loops, "us")
    loaded = statistics.median(times["project(..., rps=20000) (loaded proxies)"])
    unloaded = statistics.median(times["project(nodes=500, sidecars=5000)"])
    print(f"  loaded / unloaded: {loaded / unloaded:.2f}x")


def imports(repeat: int) -> None:
    def fresh(code: str) -> Callable[[], None]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    times = interleaved({
        "import numpy, pint + one unit lookup": fresh(
            "import numpy, pint; pint.get_application_registry().get().Unit('MiB')"),
        "import meshcost": fresh("import meshcost"),
        "import numpy, pint": fresh("import numpy, pint"),
    }, repeat)
    report("import in a fresh interpreter:", times, "import numpy, pint + one unit lookup", 1e3, "ms")
    leaked = subprocess.run([sys.executable, "-c", "import sys, meshcost; meshcost.project(nodes=5, sidecars=50); "
                             "print('pandas' in sys.modules)"], check=True, capture_output=True, text=True)
    print(f"  pandas imported by import + project(): {leaked.stdout.strip()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=200_000, help="scenarios in the frame benchmark (default 2x10^5)")
    parser.add_argument("--repeat", type=int, default=7, help="alternating repeats per measurement")
    args = parser.parse_args(argv)
    frames(args.size, args.repeat)
    sweep_output(max(3, args.repeat // 2))
    single_call(args.repeat)
    imports(args.repeat * 2)


if __name__ == "__main__":
    main()
