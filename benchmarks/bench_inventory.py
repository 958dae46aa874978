"""Time read_inventory on a synthetic ``kubectl get pods -A -o json`` export.

Plain script: ``python benchmarks/bench_inventory.py [--pods 100000] [--repeat 3]``. Writes a
List of pods shaped like kubectl's (Istio classic and native sidecars, Linkerd, ambient,
unmeshed) to a temporary directory, then times ``read_inventory`` and, as the reference of
the same run, a plain ``json.load`` of the same file. The ratio is the cost of reading the
inventory over parsing the JSON alone; peak memory is measured with tracemalloc.

read_inventory pauses Python's cyclic garbage collector while it reads (parsed JSON has no
cycles); a plain ``json.load`` runs with it, and its passes over millions of new dicts
dominate. So the script also times ``json.load`` with the collector paused, the fair
reference for the work read_inventory adds on top of parsing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from meshcost.io.kubectl import read_inventory


def read_big(path):
    """read_inventory with the size cap raised for this synthetic export."""
    return read_inventory(path, max_bytes=2**31)

TS = "2024-11-05T09:12:44Z"


def _container(name: str, image: str, cpu: str | None, memory: str | None, **extra) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    container = {
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "resources": {"requests": requests, "limits": {"memory": memory}} if requests else {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": True}
        ],
    }
    container.update(extra)
    return container


def make_pod(i: int) -> dict:
    """The i-th synthetic pod; the mesh mode cycles through istio, linkerd, ambient, none."""
    namespace = f"team-{i % 97}"
    app = f"svc-{i % 1013}"
    name = f"{app}-{i % 7919:05x}{i:06x}"
    kind = i % 10
    app_container = _container(
        app,
        f"ghcr.io/acme/{app}:1.{i % 13}.0",
        f"{100 + (i % 5) * 50}m",
        f"{128 * (1 + i % 4)}Mi",
        env=[{"name": "PORT", "value": "8080"}, {"name": "LOG_LEVEL", "value": "info"}],
        ports=[{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
    )
    containers, init, labels, annotations = [app_container], [], {"app": app, "pod-template-hash": "5d8b6f7c9"}, {}
    if kind < 4:  # Istio, classic sidecar
        containers.append(
            _container("istio-proxy", "docker.io/istio/proxyv2:1.23.2", "100m", "128Mi", args=["proxy", "sidecar"])
        )
        init.append(_container("istio-init", "docker.io/istio/proxyv2:1.23.2", "10m", "40Mi", args=["istio-iptables"]))
        annotations["sidecar.istio.io/status"] = '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'
    elif kind == 4:  # Istio, native sidecar
        init.append(_container("istio-init", "docker.io/istio/proxyv2:1.23.2", "10m", "40Mi"))
        init.append(
            _container("istio-proxy", "docker.io/istio/proxyv2:1.23.2", "100m", "128Mi", restartPolicy="Always")
        )
        annotations["sidecar.istio.io/status"] = '{"initContainers":["istio-init","istio-proxy"],"containers":null}'
    elif kind < 7:  # Linkerd
        containers.insert(0, _container("linkerd-proxy", "cr.l5d.io/linkerd/proxy:edge-24.11.3", "100m", "20Mi"))
        init.append(_container("linkerd-init", "cr.l5d.io/linkerd/proxy:edge-24.11.3", "100m", "20Mi"))
        annotations["linkerd.io/proxy-version"] = "edge-24.11.3"
    elif kind == 7:  # Istio ambient
        labels["istio.io/dataplane-mode"] = "ambient"
        annotations["ambient.istio.io/redirection"] = "enabled"
    spec = {
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "nodeName": f"ip-10-0-{i % 250}-{i % 17}.eu-west-1.compute.internal",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "volumes": [
            {
                "name": "kube-api-access",
                "projected": {
                    "defaultMode": 420,
                    "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}],
                },
            }
        ],
    }
    if init:
        spec["initContainers"] = init
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": TS,
            "generateName": f"{app}-5d8b6f7c9-",
            "labels": labels,
            "name": name,
            "namespace": namespace,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "ReplicaSet",
                    "name": f"{app}-5d8b6f7c9",
                    "uid": f"{i:08x}-0000-4000-8000-000000000000",
                }
            ],
            "resourceVersion": str(100000 + i),
            "uid": f"{i:08x}-1111-4000-8000-000000000000",
        },
        "spec": spec,
        "status": {
            "conditions": [
                {"lastProbeTime": None, "lastTransitionTime": TS, "status": "True", "type": t}
                for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": [
                {
                    "image": c["image"],
                    "name": c["name"],
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "state": {"running": {"startedAt": TS}},
                }
                for c in containers
            ],
            "hostIP": f"10.0.{i % 250}.{i % 17}",
            "phase": "Running",
            "podIP": f"10.{i % 200}.{(i // 200) % 250}.{i % 250}",
            "qosClass": "Burstable",
            "startTime": TS,
        },
    }


def write_export(path: Path, pods: int) -> None:
    """Write a ``kubectl get pods -A -o json``-shaped List of ``pods`` pods (kubectl indents by 4)."""
    export = {
        "apiVersion": "v1",
        "items": [make_pod(i) for i in range(pods)],
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    with path.open("w") as handle:
        json.dump(export, handle, indent=4)


def json_load(path: Path) -> object:
    with path.open("rb") as handle:
        return json.load(handle)


def json_load_gc_paused(path: Path) -> object:
    gc.disable()
    try:
        return json_load(path)
    finally:
        gc.enable()


def best_of(repeat: int, fn, *args) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(fn, *args) -> float:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pods.json"
        start = time.perf_counter()
        write_export(path, args.pods)
        t_write = time.perf_counter() - start
        size = os.path.getsize(path) / 2**20
        inventory = read_big(path)
        assert inventory.pods == args.pods
        t_json = best_of(args.repeat, json_load, path)
        t_paused = best_of(args.repeat, json_load_gc_paused, path)
        t_read = best_of(args.repeat, read_big, path)
        peak_json = peak_mib(json_load, path)
        peak_read = peak_mib(read_big, path)
    print(f"pods: {args.pods:,}  file: {size:,.1f} MiB (written in {t_write:.1f} s)  best of {args.repeat}")
    print(f"meshed: {inventory.meshed_pods}")
    print(f"json.load:                        {t_json:8.3f} s   peak {peak_json:8.1f} MiB (tracemalloc)")
    print(f"json.load, collector paused:      {t_paused:8.3f} s")
    print(f"read_inventory:                   {t_read:8.3f} s   peak {peak_read:8.1f} MiB (tracemalloc)")
    print(f"ratio read_inventory / json.load: {t_read / t_json:8.2f}")
    print(f"ratio read_inventory / json.load, collector paused: {t_read / t_paused:8.2f}")


if __name__ == "__main__":
    main()
