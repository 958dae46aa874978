"""Small example inputs shipped with meshcost, so every reader can be tried before pointing it
at your own cluster:

    >>> import meshcost
    >>> report = meshcost.cluster_report(meshcost.examples.path("cluster.json"))

=============================  =================================================================
``cluster.json``               ``kubectl get nodes,namespaces,all -A -o json`` of a small shop:
                               8 workers of two instance types and a control-plane node,
                               Deployments with their ReplicaSets and Istio-injected pods, a
                               namespace labelled for injection whose pods await a restart, a
                               CronJob with finished pods (built by
                               ``tests/fixtures/make_example_cluster.py``)
``prometheus-memory.json``     ``container_memory_working_set_bytes{namespace="shop"}`` (range query)
``prometheus-cpu.json``        ``rate(container_cpu_usage_seconds_total{namespace="shop"}[1m])``
``prometheus-load.json``       ``sum by (pod) (rate(istio_requests_total{namespace="shop"}[1m]))``
``istio-perf-benchmark.csv``   the column layout of istio/tools perf/benchmark results
=============================  =================================================================

The Prometheus and benchmark files are synthetic (values drawn from known parameters, see
``tests/fixtures/calibration/make_fixtures.py``); they show the shape of real exports, not
measurements.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import UnknownNameError

__all__ = ["names", "path"]


def names() -> tuple[str, ...]:
    """The example files shipped with meshcost."""
    folder = resources.files(__name__) / "data"
    return tuple(sorted(entry.name for entry in folder.iterdir() if entry.is_file()))


def path(name: str) -> Path:
    """The path of one example file (see :func:`names`)."""
    if not isinstance(name, str) or name not in names():
        raise UnknownNameError(f"name: got {name!r}; expected one of the example files {list(names())}",
                               parameter="name", value=name, expected=f"one of {list(names())}")
    return Path(str(resources.files(__name__) / "data" / name))
