"""From a real cluster's export to "this cluster today, and under each mesh".

    report = meshcost.cluster_report("cluster.json")     # kubectl get nodes,namespaces,all -A -o json
    print(report)

The inventory (:mod:`meshcost.io.kubectl`) gives the worker nodes and their instance types,
the pods a mesh would take in and the Services. Where the cluster already runs a mesh, the
requests its proxies really carry (the most common value per mode) replace that mesh's chart
defaults, so "today" is priced as deployed. Nodes are priced and packed on their own instance
types when the price sheet knows them (a mixed fleet on its node-count-weighted average node),
with the allocatable capacity the nodes report; the report says which basis it used.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from .errors import InputValueError
from .formatting import Cell, Table, format_memory, format_number, text_table
from .io.kubectl import MODES, Inventory, read_inventories, read_inventory
from .projection import project
from .reference.nodes import NodeShape, node_shape
from .reference.prices import PriceSheet, instance_types, node_price_row, unit_prices_from_node
from .reference.profiles import split_mesh_key
from .results import Projection

__all__ = ["ClusterReport", "Fleet", "cluster_report", "fleet_of", "requests_in_use"]

#: What the report says when the mesh in use is projected with its proxies' own requests.
_REQUESTS_IN_USE = ("The mesh in use is projected with its proxies' most common requests; other meshes use their "
                    "chart defaults.")

#: Which projected component a detected proxy is.
_PROXY_COMPONENT = {"istio-sidecar": "sidecar", "linkerd": "proxy"}


def requests_in_use(inventory: Inventory) -> dict[str, dict[str, float]]:
    """The most common proxy requests per meshed mode, as ``project(requests=...)`` takes them."""
    out: dict[str, dict[str, float]] = {}
    for mode, component in _PROXY_COMPONENT.items():
        found = inventory.proxy_requests.get(mode)
        if found is None or found.injected == 0:
            continue
        spec: dict[str, float] = {}
        if found.cpu_requests:
            spec["cpu"] = Counter(found.cpu_requests).most_common(1)[0][0]
        if found.memory_requests:
            spec["memory"] = Counter(found.memory_requests).most_common(1)[0][0]
        if spec:
            out[f"{mode}.{component}"] = spec
    return out


def _requests_text(spec: dict[str, float]) -> str:
    parts = []
    if "cpu" in spec:
        parts.append(f"{format_number(spec['cpu'] * 1000)}m CPU")
    if "memory" in spec:
        parts.append(format_memory(spec["memory"]))
    return " / ".join(parts)


# --------------------------------------------------------------------------- the fleet


@dataclass(frozen=True)
class Fleet:
    """The node shape and prices a cluster is projected on, and how they were chosen.

    ``node`` and ``prices`` are what :func:`meshcost.project` takes (None: its defaults).
    """

    node: NodeShape | None
    prices: PriceSheet | None
    basis: str  #: one sentence: which types, which prices, which allocatable


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _measured(inventory: Inventory, instance: str | None) -> tuple[float, float, int] | None:
    """Mean allocatable CPU [vCPU], memory [MiB] and pods of the workers of one type (all types for None),
    when every one of them reports it."""
    nodes = [n for n in inventory.node_list if not n.control_plane and (instance is None or n.instance_type == instance)]
    if not nodes or any(n.allocatable_cpu is None or n.allocatable_memory is None or n.allocatable_pods is None
                        for n in nodes):
        return None
    count = len(nodes)
    return (sum(n.allocatable_cpu or 0.0 for n in nodes) / count, sum(n.allocatable_memory or 0.0 for n in nodes) / count,
            min(n.allocatable_pods or 0 for n in nodes))


def _shape_of(instance: str, inventory: Inventory) -> tuple[NodeShape, bool]:
    """The sheet's shape of a type with the allocatable its nodes report, if they all do and it fits."""
    shape = node_shape(instance)
    measured = _measured(inventory, instance)
    if measured is None:
        return shape, False
    cpu, memory, pods = measured
    if not (0 < cpu <= shape.vcpu and 0 < memory <= shape.memory_mib and pods >= 1):
        return shape, False
    return replace(shape, max_pods=pods, allocatable_vcpu=cpu, allocatable_memory_mib=memory), True


def fleet_of(inventory: Inventory) -> Fleet:
    """The node shape and price sheet of a cluster's workers, from their instance types.

    One known type: its shape and on-demand price from the shipped sheet. Several: the
    node-count-weighted average node (vCPU, memory, price, allocatable; max pods the fewest),
    its price split into unit prices as for one node. Types the sheet does not know, and
    unlabelled nodes, are priced as the average of the known ones; with no known type the
    projection's defaults apply. Allocatable capacity is what the nodes report in
    ``status.allocatable`` when all of a type's nodes report it, else the provider's rules.
    """
    types = inventory.node_types
    known_types = set(instance_types())
    known = {t: n for t, n in types.items() if t in known_types}
    unknown = {t: n for t, n in types.items() if t not in known_types}
    unlabelled = inventory.nodes - sum(types.values())
    notes = []
    if unknown:
        notes.append(f"{_plural(sum(unknown.values()), 'node')} of types not in the price sheet "
                     f"({', '.join(sorted(unknown))})")
    if unlabelled:
        notes.append(f"{_plural(unlabelled, 'node')} without a node.kubernetes.io/instance-type label")
    if not known:
        why = "; ".join(notes) if notes else "no worker nodes in the input"
        return Fleet(None, None, f"Priced on the default node and prices ({why}); pass node= and prices= "
                                 "(--node, --prices) for this cluster's.")
    shapes = {t: _shape_of(t, inventory) for t in sorted(known, key=lambda t: (-known[t], t))}
    rows = {t: node_price_row(t) for t in shapes}
    measured = all(m for _, m in shapes.values())
    allocatable = "allocatable as the nodes report it" if measured else "allocatable from the provider's rules"
    regions = sorted(set(inventory.regions) - {r.region for r in rows.values()})
    where = (f"; the sheet's prices are for {', '.join(sorted({r.region for r in rows.values()}))}, the nodes run "
             f"in {', '.join(regions)}") if regions else ""
    also = f"; {' and '.join(notes)} priced as the known ones' average" if notes else ""
    if len(shapes) == 1:
        (instance, (shape, _)), = shapes.items()
        row = rows[instance]
        basis = (f"Priced on the nodes' own type: {known[instance]:,} x {instance} at "
                 f"{row.currency} {row.price_per_hour:g}/h on demand ({row.region}, {row.as_of}), {allocatable}"
                 f"{where}{also}.")
        return Fleet(shape, None, basis)
    total = sum(known.values())
    weights = {t: known[t] / total for t in shapes}
    currencies = {r.currency for r in rows.values()}
    if len(currencies) > 1:
        raise InputValueError(f"node types: the sheet prices {sorted(shapes)} in {sorted(currencies)}; expected one "
                              "currency (pass prices=)")
    currency = currencies.pop()
    vcpu = sum(w * shapes[t][0].vcpu for t, w in weights.items())
    gib = sum(w * shapes[t][0].memory_gib for t, w in weights.items())
    price = sum(w * rows[t].price_per_hour for t, w in weights.items())
    alloc = [shapes[t][0].allocatable() for t in weights]
    alloc_cpu = sum(w * a[0] for w, a in zip(weights.values(), alloc))
    alloc_memory = sum(w * a[1] for w, a in zip(weights.values(), alloc))
    providers = {shapes[t][0].provider for t in shapes}
    provider = providers.pop() if len(providers) == 1 else "generic"
    max_pods = min(shapes[t][0].max_pods for t in shapes)
    name = " + ".join(f"{known[t]} x {t}" for t in shapes)
    node = NodeShape(vcpu=vcpu, memory_gib=gib, max_pods=max_pods, provider=provider, name=f"fleet: {name}",
                     allocatable_vcpu=min(alloc_cpu, vcpu), allocatable_memory_mib=min(alloc_memory, gib * 1024.0))
    vcpu_price, gib_price = unit_prices_from_node(price, vcpu, gib)
    sheet = PriceSheet(price_per_hour=price, vcpu_price_per_hour=float(vcpu_price), gib_price_per_hour=float(gib_price),
                       currency=currency, instance_type=f"fleet: {name}", vcpu=vcpu, memory_gib=gib,
                       region=", ".join(sorted({r.region for r in rows.values()})),
                       as_of=max(r.as_of for r in rows.values()),
                       source=" ; ".join(sorted({r.source_url for r in rows.values()})),
                       basis="node-count-weighted average of the fleet's on-demand prices; unit prices split by "
                             "the GCP E2 vCPU:GiB price ratio (assumption)")
    basis = (f"Priced on the nodes' own types, a mixed fleet ({name}): its average node {format_number(vcpu)} vCPU, "
             f"{format_number(gib)} GiB at {currency} {price:.4g}/h on demand, {allocatable}, at most {max_pods} pods "
             f"per node (the fewest of the types){where}{also}.")
    return Fleet(node, sheet, basis)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ClusterReport:
    """An inventory, the fleet it is priced on, and the projection of every mesh onto it."""

    inventory: Inventory
    projection: Projection
    requests: dict[str, dict[str, float]]
    pricing: str = ""  #: which node types and prices the projection uses, in one sentence

    def tables(self) -> tuple[Table, ...]:
        """"This cluster today" and "Proxies in use" as tables (what text, HTML and JSON show)."""
        inv = self.inventory
        labelled = inv.meshed_by_labels
        rows = [
            ("read from", ", ".join(inv.sources)),
            ("worker nodes", f"{inv.nodes:,}"),
            ("nodes by instance type", ", ".join(f"{t} {n:,}" for t, n in sorted(inv.node_types.items(),
                                                                                 key=lambda x: (-x[1], x[0])))
             or "not labelled"),
            ("control-plane nodes (not counted)", f"{inv.control_plane_nodes:,}"),
            ("pods running or pending", f"{inv.pods:,}"),
        ]
        for mode in MODES:
            count = inv.meshed_pods.get(mode, 0)
            if count or mode == "none":
                extra = f" ({labelled[mode]:,} by namespace or pod labels, not yet injected)" if labelled.get(mode) else ""
                rows.append((f"  {mode}" if mode != "none" else "  no mesh", f"{count:,}{extra}"))
        rows += [
            ("finished pods (not counted)", ", ".join(f"{p} {n:,}" for p, n in sorted(inv.finished_pods.items()))
             or "0"),
            ("controllers counted as their pods", f"{inv.controllers_with_pods:,}"),
            ("services (outside system namespaces)", f"{inv.services:,} ({inv.app_services:,})"),
            ("namespaces", f"{inv.namespaces:,}"),
        ]
        if inv.skipped_kinds:
            rows.append(("objects not read", ", ".join(f"{k} {n:,}" for k, n in sorted(inv.skipped_kinds.items()))))
        today = Table("This cluster today", ("what", "count"), tuple((Cell(a), Cell(b)) for a, b in rows))
        proxy_rows = []
        for mode in _PROXY_COMPONENT:
            found = inv.proxy_requests[mode]
            if not found.injected:
                continue
            used = self.requests.get(f"{mode}.{_PROXY_COMPONENT[mode]}", {})
            proxy_rows.append((
                Cell(mode), Cell(f"{found.injected:,}"), Cell(f"{format_number(found.cpu_request_total)} vCPU"),
                Cell(format_memory(found.memory_request_total)),
                Cell(f"{found.without_cpu_request:,} / {found.without_memory_request:,}"),
                Cell(_requests_text(used) or "chart default")))
        proxies = Table("Proxies in use", ("mode", "injected proxies", "CPU requests", "memory requests",
                                           "without CPU / memory request", "projected with"), tuple(proxy_rows))
        return (today, proxies) if proxy_rows else (today,)

    def __str__(self) -> str:
        parts = [f"{t.title}:\n{text_table(t)}" for t in self.tables()]
        if self.requests:
            parts.append(_REQUESTS_IN_USE)
        if self.pricing:
            parts.append(self.pricing)
        parts.append("Under each mesh:\n\n" + str(self.projection))
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: the cluster, the pricing basis, the requests used, the projection."""
        inv = self.inventory
        cluster = {
            "sources": list(inv.sources), "nodes": inv.nodes, "control_plane_nodes": inv.control_plane_nodes,
            "node_types": inv.node_types, "regions": inv.regions, "pods": inv.pods,
            "meshed_pods": inv.meshed_pods, "meshed_by_labels": inv.meshed_by_labels,
            "finished_pods": inv.finished_pods, "controllers_with_pods": inv.controllers_with_pods,
            "services": inv.services, "app_services": inv.app_services, "namespaces": inv.namespaces,
            "skipped_kinds": inv.skipped_kinds,
            "proxies": {mode: {"injected": p.injected, "cpu_request_total_vcpu": p.cpu_request_total,
                               "memory_request_total_mib": p.memory_request_total,
                               "without_cpu_request": p.without_cpu_request,
                               "without_memory_request": p.without_memory_request}
                        for mode, p in inv.proxy_requests.items() if mode in _PROXY_COMPONENT and p.injected},
        }
        return {"cluster": cluster, "pricing": self.pricing, "requests_in_use": self.requests,
                "projection": json.loads(self.projection.to_json())}

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_html(self, title: str = "meshcost cluster report") -> str:
        """One self-contained HTML page: this cluster today, then the projection report."""
        from .report import report_html

        notes = [self.pricing] + ([_REQUESTS_IN_USE] if self.requests else [])
        return report_html(self.projection, title, preface=self.tables(), notes=tuple(n for n in notes if n))

    def _repr_html_(self) -> str:
        from html import escape

        from .formatting_html import html_table

        tables = "".join(f"<p><b>{escape(t.title)}</b></p>{html_table(t)}" for t in self.tables())
        return f"<div>{tables}<p>{escape(self.pricing)}</p>{self.projection._repr_html_()}</div>"


def cluster_report(source: Any, *, nodes: int | None = None, namespace: str = "default",
                   use_requests_in_use: bool = True, **project_kwargs: Any) -> ClusterReport:
    """Read a kubectl export or manifests and project every mesh onto that cluster.

    Parameters
    ----------
    source : path, file, dict, list, Inventory, or a list of paths
        ``kubectl get nodes,namespaces,all -A -o json`` output, manifests, or an
        :class:`~meshcost.io.kubectl.Inventory` already read.
    nodes : int, optional
        Worker nodes, when the export has no Node objects (manifests). [count]
    namespace : str
        The namespace of objects that name none (default "default").
    use_requests_in_use : bool
        Price the mesh the cluster already runs with its proxies' real requests.
    **project_kwargs
        Anything else :func:`meshcost.project` takes (``rps``, ``node``, ``prices``, ...);
        ``node`` / ``prices`` given here replace the nodes' own types (:func:`fleet_of`).
    """
    if isinstance(source, Inventory):
        inventory = source
    elif isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, Path)) for s in source):
        inventory = read_inventories(source, namespace=namespace)
    else:
        inventory = read_inventory(source, namespace=namespace)
    inputs = inventory.project_inputs(nodes=nodes)
    requests = requests_in_use(inventory) if use_requests_in_use else {}
    meshes: Iterable[Any] | None = project_kwargs.get("meshes")
    if meshes is not None:
        names = {m if isinstance(m, str) else m.name for m in meshes}
        requests = {k: v for k, v in requests.items() if split_mesh_key(k, names, 1) is not None}
    if "requests" in project_kwargs:
        requests = {**requests, **(project_kwargs.pop("requests") or {})}
    given = {k: project_kwargs[k] for k in ("node", "prices") if project_kwargs.get(k) is not None}
    if given:
        pricing = "Priced on the " + " and ".join(f"{k} given ({_describe(v)})" for k, v in given.items()) + "."
    else:
        fleet = fleet_of(inventory)
        pricing = fleet.basis
        if fleet.node is not None:
            project_kwargs["node"] = fleet.node
        if fleet.prices is not None:
            project_kwargs["prices"] = fleet.prices
    projection = project(**inputs, requests=requests or None, **project_kwargs)
    return ClusterReport(inventory, projection, requests, pricing)


def _describe(value: Any) -> str:
    if isinstance(value, NodeShape):
        return value.name or f"{value.vcpu:g} vCPU, {value.memory_gib:g} GiB"
    if isinstance(value, PriceSheet):
        return value.instance_type or value.basis or "a price sheet"
    return str(value)
