"""Readers: what a cluster and its monitoring export, as meshcost inputs.

Every reader follows one contract, ``read_<source>(filename_or_buffer, ...)``: a path or an open
file (text or binary), read through :func:`meshcost.io.files.read_text` (bounded size, UTF-8,
errors naming the file, line and field).

- :mod:`meshcost.io.kubectl`: ``kubectl get ... -o json`` exports and YAML manifests
  (:func:`read_inventory`);
- :mod:`meshcost.io.prometheus`: Prometheus HTTP API exports of proxy memory, CPU and load
  (:func:`read_prometheus`, :func:`read_prometheus_series`);
- :mod:`meshcost.io.perf`: the CSV of Istio's load-test harness (:func:`read_perf_csv`);
- :mod:`meshcost.io.quantity`: Kubernetes quantities (``"100m"``, ``"128Mi"``).

The proxy-sample readers return frames with the columns below.
"""

from __future__ import annotations

__all__ = ["LOAD", "CPU", "MEMORY"]

#: Column of the readers' frames: requests per second through one proxy [1/s].
LOAD = "load [1/s]"
#: Column of the readers' frames: CPU of one proxy [vCPU].
CPU = "cpu [vCPU]"
#: Column of the readers' frames: working-set memory of one proxy [MiB].
MEMORY = "memory [MiB]"
