"""Core benchmarks, reported as ratios against plain numpy measured in the same run.

    python benchmarks/bench_core.py            # 10^6 scenarios
    python benchmarks/bench_core.py --size 1000 --repeat 3

1. ``project()`` over N scenarios vs a hand-written plain-numpy version of the same model
   arithmetic (mesh totals of memory and CPU, three bands each), and vs the floor of
   "one numpy multiply-add per output value" for the same number of outputs.
2. A scalar ``project()`` call vs the same hand-written arithmetic on scalars.
3. ``import meshcost`` in a fresh interpreter vs ``import numpy, pint``; and whether
   pandas was imported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Callable

import numpy as np

import meshcost
from meshcost.kernels.usage import coefficient_values


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls after one warm-up [s]."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _piecewise(through, instances, request, above):  # type: ignore[no-untyped-def]
    """CPU [vCPU] of proxies carrying ``through`` requests/s: linear to 1000/s each, then marginal."""
    at_reference = instances * 1000.0
    return (np.minimum(through, at_reference) * request + np.maximum(0.0, through - at_reference) * above) / 1000.0


def _istiod(v, b, pods, services, proxies, pushes, resources):  # type: ignore[no-untyped-def]
    """istiod (memory, CPU) in band ``b`` given its replicas' typical shared work."""
    def work(band):  # type: ignore[no-untyped-def]
        return (proxies * v["istiod", "cpu", "proxy"][band] + services * v["istiod", "cpu", "service"][band]
                + pushes * v["istiod", "cpu", "proxy_push"][band]
                + resources * v["istiod", "cpu", "reconnect_resource"][band])
    idle = v["istiod", "cpu", "instance"][1]
    replicas = np.clip(np.ceil(work(1) / (0.8 * 0.5 - idle) - 1e-9), 1, 5)  # the chart's HPA: 80 % of 500m, 1-5
    mem = (replicas * (v["istiod", "memory", "instance"][b] + services * v["istiod", "memory", "cluster_service"][b]
                       + pods * v["istiod", "memory", "cluster_pod"][b]) + proxies * v["istiod", "memory", "proxy"][b])
    cpu = replicas * v["istiod", "cpu", "instance"][b] + work(b)
    return mem, cpu


def reference_totals(nodes, sidecars, rps):  # type: ignore[no-untyped-def]
    """The model's mesh totals written out by hand in plain numpy (memory MiB, CPU vCPU per band).

    Defaults of ``project``: services = ceil(sidecars / 10), all visible, one HTTP port per
    service, no subsets, churn = 2 x sidecars / 86400, no waypoints, the default install.
    """
    values = {name: coefficient_values(meshcost.get_profile(name)) for name in meshcost.BUILTIN_MESHES}
    services = np.ceil(sidecars / 10)
    visible = services
    churn = 2 * sidecars / 86400
    out = {}
    v = values["istio-sidecar"]
    eps = np.where(services > 0, sidecars / np.where(services > 0, services, 1), 0.0)
    share = np.where(services > 0, visible / np.where(services > 0, services, 1), 0.0)
    pushes = sidecars * np.minimum(churn * share, 10.0)
    resources = sidecars * visible / 1800
    mem, cpu = [], []
    for b in range(3):
        each = (v["sidecar", "memory", "instance"][b]
                + visible * (v["sidecar", "memory", "visible_cluster"][b] + v["sidecar", "memory", "visible_cluster_worker"][b]
                             + v["sidecar", "memory", "visible_route"][b] + v["sidecar", "memory", "visible_service_port"][b]
                             + eps * v["sidecar", "memory", "visible_endpoint"][b]))
        demand = sidecars * v["sidecar", "cpu", "instance"][b] + _piecewise(
            2 * rps, sidecars, v["sidecar", "cpu", "request"][b], v["sidecar", "cpu", "request_above_reference"][b])
        i_mem, i_cpu = _istiod(v, b, sidecars, services, sidecars, pushes, resources)
        mem.append(sidecars * each + i_mem)
        cpu.append(np.minimum(demand, sidecars * 2.0) + i_cpu)  # 2 worker threads (the 2-CPU limit)
    out["istio-sidecar"] = (mem, cpu)
    v = values["istio-ambient"]
    pushes = nodes * np.minimum(churn, 10.0)
    resources = nodes * (sidecars + services) / 1800
    mem, cpu = [], []
    for b in range(3):
        z_mem = nodes * (v["ztunnel", "memory", "instance"][b] + v["ztunnel", "memory", "cluster_pod"][b] * sidecars
                         + v["ztunnel", "memory", "cluster_service"][b] * services)
        z_cpu = nodes * v["ztunnel", "cpu", "instance"][b] + _piecewise(
            2 * rps, nodes, v["ztunnel", "cpu", "request"][b], v["ztunnel", "cpu", "request_above_reference"][b])
        i_mem, i_cpu = _istiod(v, b, sidecars, services, nodes, pushes, resources)
        mem.append(z_mem + nodes * v["istio-cni", "memory", "instance"][b] + i_mem)
        cpu.append(np.minimum(z_cpu, nodes * 2.0) + nodes * v["istio-cni", "cpu", "instance"][b] + i_cpu)
    out["istio-ambient"] = (mem, cpu)
    v = values["linkerd"]
    mem, cpu = [], []
    for b in range(3):
        mem.append(sidecars * (v["proxy", "memory", "instance"][b] + v["control-plane", "memory", "pod"][b]
                               + v["control-plane", "memory", "cluster_pod"][b])
                   + v["control-plane", "memory", "instance"][b])
        demand = sidecars * v["proxy", "cpu", "instance"][b] + _piecewise(
            2 * rps, sidecars, v["proxy", "cpu", "request"][b], v["proxy", "cpu", "request_above_reference"][b])
        cpu.append(np.minimum(demand, sidecars * 1.0) + sidecars * v["control-plane", "cpu", "pod"][b]
                   + v["control-plane", "cpu", "instance"][b])  # one worker thread per proxy
    out["linkerd"] = (mem, cpu)
    return out


def output_floor(arrays: list[np.ndarray]) -> Callable[[], list[np.ndarray]]:
    """One multiply-add per output value: 18 outputs (3 meshes x memory/CPU x 3 bands)."""
    a, b = arrays
    return lambda: [a * 1.5 + b for _ in range(18)]


def check_same(result, reference) -> float:  # type: ignore[no-untyped-def]
    worst = 0.0
    for mesh, (mem, cpu) in reference.items():
        for band, name in enumerate(("low", "typical", "high")):
            got_m = getattr(result[mesh].memory, name).magnitude
            got_c = getattr(result[mesh].cpu, name).magnitude
            worst = max(worst, float(np.max(np.abs(got_m - mem[band]) / np.maximum(np.abs(mem[band]), 1e-300))))
            worst = max(worst, float(np.max(np.abs(got_c - cpu[band]) / np.maximum(np.abs(cpu[band]), 1e-300))))
    return worst


def import_times(repeat: int) -> tuple[float, float, float, bool]:
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    ours = statistics.median(run("import meshcost") for _ in range(repeat))
    base = statistics.median(run("import numpy, pint") for _ in range(repeat))
    loaded = statistics.median(run("import numpy, pint; pint.get_application_registry().Unit('MiB')")
                               for _ in range(repeat))
    leaked = subprocess.run(
        [sys.executable, "-c", "import sys, meshcost; meshcost.project(nodes=5, sidecars=50); print('pandas' in sys.modules)"],
        check=True, capture_output=True, text=True).stdout.strip() == "True"
    return ours, base, loaded, leaked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="scenarios in the sweep (default 10^6)")
    parser.add_argument("--repeat", type=int, default=7, help="timed repeats per measurement (median)")
    args = parser.parse_args(argv)

    n = np.arange(1, args.size + 1, dtype=np.float64)
    nodes, sidecars, rps = n, n * 10, np.full_like(n, 2000.0)
    ours = best_of(lambda: meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps), args.repeat)
    reference = best_of(lambda: reference_totals(nodes, sidecars, rps), args.repeat)
    floor = best_of(output_floor([nodes, sidecars]), args.repeat)
    error = check_same(meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps), reference_totals(nodes, sidecars, rps))
    print(f"sweep of {args.size:,} scenarios (3 meshes, memory + CPU, low/typical/high):")
    print(f"  project()                         {ours * 1e3:9.2f} ms")
    print(f"  plain numpy, same arithmetic      {reference * 1e3:9.2f} ms   ratio {ours / reference:5.2f}x")
    print(f"  plain numpy, 1 op per output x18  {floor * 1e3:9.2f} ms   ratio {ours / floor:5.2f}x")
    print(f"  largest relative difference from the plain-numpy reference: {error:.1e}")

    one = np.float64(1.0)
    scalar = best_of(lambda: meshcost.project(nodes=500, sidecars=5000), args.repeat * 20)
    scalar_ref = best_of(lambda: reference_totals(500 * one, 5000 * one, 0 * one), args.repeat * 20)
    print("scalar call (500 nodes, 5,000 sidecars):")
    print(f"  project()                         {scalar * 1e6:9.1f} us")
    print(f"  plain numpy, same arithmetic      {scalar_ref * 1e6:9.1f} us   ratio {scalar / scalar_ref:5.2f}x")

    ours_import, base_import, loaded_import, leaked = import_times(max(3, args.repeat // 2))
    print("import in a fresh interpreter:")
    print(f"  import meshcost                   {ours_import * 1e3:9.1f} ms")
    print(f"  import numpy, pint                {base_import * 1e3:9.1f} ms   ratio {ours_import / base_import:5.2f}x")
    print(f"  import numpy, pint + build pint's registry {loaded_import * 1e3:6.1f} ms   "
          f"ratio {ours_import / loaded_import:5.2f}x")
    print(f"  pandas imported by import + project(): {leaked}")


if __name__ == "__main__":
    main()
