"""From a real cluster's export to "this cluster today, and under each mesh".

    report = meshcost.cluster_report("cluster.json")     # kubectl get nodes,pods,services -A -o json
    print(report)

The inventory (:mod:`meshcost.inventory`) gives the nodes, the pods a mesh would take in
and the Services; where the cluster already runs a mesh, the requests its proxies really
carry (the most common value per mode) replace that mesh's chart defaults, so "today"
is priced as deployed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .errors import InputValueError
from .io.kubectl import Inventory, read_inventories, read_inventory
from .projection import project
from .reference.profiles import split_mesh_key
from .formatting import format_memory, format_number
from .results import Projection

__all__ = ["ClusterReport", "cluster_report", "requests_in_use"]

#: Which projected component a detected proxy is.
_PROXY_COMPONENT = {"istio-sidecar": "sidecar", "linkerd": "proxy"}


def requests_in_use(inventory: Inventory) -> dict[str, dict[str, float]]:
    """The most common proxy requests per meshed mode, as ``project(requests=...)`` takes them."""
    out: dict[str, dict[str, float]] = {}
    for mode, component in _PROXY_COMPONENT.items():
        found = inventory.proxy_requests.get(mode)
        if found is None or found.pods == 0:
            continue
        spec: dict[str, float] = {}
        if found.cpu_requests:
            spec["cpu"] = Counter(found.cpu_requests).most_common(1)[0][0]
        if found.memory_requests:
            spec["memory"] = Counter(found.memory_requests).most_common(1)[0][0]
        if spec:
            out[f"{mode}.{component}"] = spec
    return out


@dataclass(frozen=True)
class ClusterReport:
    """An inventory and the projection of every mesh onto it."""

    inventory: Inventory
    projection: Projection
    requests: dict[str, dict[str, float]]

    def __str__(self) -> str:
        inv = self.inventory
        meshed = ", ".join(f"{mode} {count:,}" for mode, count in inv.meshed_pods.items() if count) or "none"
        lines = [
            f"This cluster today ({', '.join(inv.sources)}): {inv.nodes:,} nodes, {inv.pods:,} pods, "
            f"{inv.services:,} services, {inv.namespaces:,} namespaces.",
            f"Pods by mesh mode: {meshed}.",
        ]
        for mode, found in inv.proxy_requests.items():
            if mode == "none" or found.pods == 0:
                continue
            lines.append(
                f"  {mode}: {found.pods:,} proxies; requests total {format_number(found.cpu_request_total)} vCPU, "
                f"{format_memory(found.memory_request_total)}; {found.without_cpu_request:,} without a CPU request, "
                f"{found.without_memory_request:,} without a memory request.")
        if self.requests:
            used = "; ".join(f"{k}: {v}" for k, v in self.requests.items())
            lines.append(f"Projected with the proxy requests in use ({used}); other meshes use their chart defaults.")
        lines.append("")
        lines.append("Under each mesh:")
        lines.append(str(self.projection))
        return "\n".join(lines)


def cluster_report(source: Any, *, nodes: int | None = None, use_requests_in_use: bool = True,
                   **project_kwargs: Any) -> ClusterReport:
    """Read a kubectl export or manifests and project every mesh onto that cluster.

    Parameters
    ----------
    source : path, file, dict, list, Inventory, or a list of paths
        ``kubectl get nodes,pods,services -A -o json`` output, manifests, or an
        :class:`~meshcost.inventory.Inventory` already read.
    nodes : int, optional
        Worker nodes, when the export has no Node objects (manifests). [count]
    use_requests_in_use : bool
        Price the mesh the cluster already runs with its proxies' real requests.
    **project_kwargs
        Anything else :func:`meshcost.project` takes (``rps``, ``node``, ``prices``, ...).
    """
    if isinstance(source, Inventory):
        inventory = source
    elif isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, Path)) for s in source):
        inventory = read_inventories(source)
    else:
        inventory = read_inventory(source)
    inputs = inventory.project_inputs(nodes=nodes)
    if inputs["nodes"] is None:
        raise InputValueError(f"nodes: the input ({', '.join(inventory.sources)}) has no Node objects; "
                              "pass nodes= (the number of worker nodes)")
    requests = requests_in_use(inventory) if use_requests_in_use else {}
    meshes: Iterable[Any] | None = project_kwargs.get("meshes")
    if meshes is not None:
        names = {m if isinstance(m, str) else m.name for m in meshes}
        requests = {k: v for k, v in requests.items() if split_mesh_key(k, names, 1) is not None}
    if "requests" in project_kwargs:
        requests = {**requests, **project_kwargs.pop("requests")}
    projection = project(**inputs, requests=requests or None, **project_kwargs)
    return ClusterReport(inventory, projection, requests)
