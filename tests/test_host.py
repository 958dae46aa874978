"""meshcost inside a host process: its pint registry, threads, the garbage collector, memory."""

from __future__ import annotations

import gc
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import meshcost

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_import_into_a_registry_that_already_defines_core_and_usd():
    done = _run("import pint\n"
                "ureg = pint.get_application_registry()\n"
                "ureg.define('core = [planet_core]')\n"
                "ureg.define('usd = [dollar]')\n"
                "import meshcost\n"
                "r = meshcost.project(nodes=5, sidecars=50)\n"
                "print(r['linkerd'].cost.typical.units, ureg('1 core').dimensionality)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["USD", "[planet_core]"]


def test_a_dimensionless_vcpu_in_the_host_registry_is_a_clear_error():
    done = _run("import pint\npint.get_application_registry().define('vCPU = 1 = vcpu')\nimport meshcost")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("meshcost.errors.MeshcostError: units: the application registry defines 'vCPU' as "
                           "dimensionless")


def test_quantities_from_a_registry_switched_in_later_are_read_by_unit_name():
    done = _run("import pint, meshcost\n"
                "pint.set_application_registry(pint.UnitRegistry())\n"
                "Q = pint.Quantity\n"
                "r = meshcost.project(nodes=5, sidecars=50, rps=Q(2, 'kHz'),\n"
                "                     requests={'istio-sidecar.sidecar': {'memory': Q(256, 'MiB')}})\n"
                "print(r.inputs['rps'], r['istio-sidecar'].components['sidecar'].reserved_memory.typical.magnitude)\n"
                "try:\n"
                "    meshcost.project(nodes=5, sidecars=50, rps=Q(5, 'MiB'))\n"
                "except meshcost.MeshcostError as exc:\n"
                "    print(type(exc).__name__)")
    assert done.returncode == 0, done.stderr
    rps, reserved, error = done.stdout.split()
    assert float(rps) == 2000.0 and float(reserved) == 50 * 256.0 and error == "UnitMismatchError"


def test_threads_share_results_and_leave_the_collector_as_it_was():
    reference = meshcost.project(nodes=np.arange(1, 60), sidecars=np.arange(1, 60) * 10).mesh_frame()

    def work(_: int) -> tuple[bool, int]:
        inventory = meshcost.read_inventory(FIXTURES / "kubectl-cluster.json")
        frame = meshcost.project(nodes=np.arange(1, 60), sidecars=np.arange(1, 60) * 10).mesh_frame()
        return frame.equals(reference), inventory.pods

    assert gc.isenabled()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(32)))
    assert all(same for same, _ in results) and len({pods for _, pods in results}) == 1
    assert gc.isenabled()


@pytest.mark.slow
def test_monte_carlo_with_four_million_samples_stays_under_one_gib():
    done = _run("import resource, meshcost\n"
                "r = meshcost.project(nodes=500, sidecars=5000, samples=4_000_000, seed=1)\n"
                "assert r['linkerd'].cost.percentile(95) >= r['linkerd'].cost.percentile(5)\n"
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    assert done.returncode == 0, done.stderr
    peak_mib = int(done.stdout.split()[-1]) / 1024
    assert peak_mib < 1024, f"peak {peak_mib:.0f} MiB"
