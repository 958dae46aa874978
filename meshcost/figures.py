"""The registry: every scenario input and every output figure, declared once.

Result properties (``r["linkerd"].memory``), frame columns (``to_frame``, ``mesh_frame``), the
JSON export, plot labels, command-line options and help, and break-even metrics are all
generated from :data:`INPUTS` and :data:`FIGURES`. Adding an output figure means adding it here
and computing it in the kernel named by its ``source``; nothing else.

Units are written as they appear in column names (``memory [MiB]``); ``{currency}`` stands for
the price sheet's currency code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "BANDS",
    "Input",
    "Figure",
    "Flag",
    "INPUTS",
    "FIGURES",
    "FLAGS",
    "flags",
    "figure",
    "figures",
    "input_names",
    "column",
    "band_columns",
    "frame_columns",
    "mesh_frame_columns",
]

#: The bands every deterministic figure comes in, in the order of the band axis.
BANDS: tuple[str, ...] = ("low", "typical", "high")

Level = Literal["component", "mesh"]
Table = Literal["totals", "cost", "requests"]
Source = Literal["usage", "latency", "money"]


@dataclass(frozen=True)
class Input:
    """A scenario input of :func:`meshcost.project`.

    ``kind`` is the unit kind it is stripped to (see :mod:`meshcost.units`); ``unit`` its
    canonical unit as written in docs and frames; ``whole``, ``minimum`` and ``maximum`` bound
    the values accepted (the maxima lie far beyond any real cluster and keep every figure
    finite); ``default`` says what an omitted input becomes.
    """

    name: str
    kind: str
    unit: str
    doc: str
    default: str
    whole: bool = False
    minimum: float = 0.0
    maximum: float | None = None
    accepted: str = ""
    label: str = ""

    @property
    def option(self) -> str:
        """The command-line option (``--visible-services``)."""
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Figure:
    """An output figure: a band (low / typical / high) of arrays of the scenario shape.

    ``source`` is the kernel that computes it (:mod:`meshcost.kernels.usage` for usage and
    latency, :mod:`meshcost.kernels.money` for money); ``levels`` says whether components,
    meshes or both carry it (a mesh's value of an additive figure is the sum over its
    components); ``montecarlo`` whether ``project(samples=...)`` gives its percentiles;
    ``table`` which table of the printed comparison shows it (``totals``, ``cost`` or
    ``requests``).
    """

    name: str
    unit: str
    kind: str
    label: str
    doc: str
    source: Source
    levels: tuple[Level, ...] = ("component", "mesh")
    additive: bool = True
    montecarlo: bool = False
    table: Table = "totals"

    def unit_for(self, currency: str = "USD") -> str:
        """The unit with the price sheet's currency filled in."""
        return self.unit.format(currency=currency)


@dataclass(frozen=True)
class Flag:
    """A per-scenario warning: a bool array of the scenario shape, a frame column and a JSON entry.

    ``levels``: whether components, meshes or both carry it (a mesh's flag is true when any
    component's is, or is computed for the whole mesh).
    """

    name: str
    doc: str
    levels: tuple[Level, ...] = ("mesh",)


INPUTS: tuple[Input, ...] = (
    Input("nodes", "count", "count", "worker nodes in the cluster", "required", whole=True, minimum=1,
          maximum=1e7, label="worker nodes"),
    Input("sidecars", "count", "count",
          "meshed pods: one sidecar each in sidecar meshes; ambient meshes them without sidecars", "required",
          whole=True, maximum=1e10, label="meshed pods"),
    Input("services", "count", "count", "Services in the mesh", "ceil(sidecars / 10) (assumption)", whole=True,
          maximum=1e9, label="services"),
    Input("visible_services", "count", "count", "services each sidecar holds config for (<= services)",
          "all (no Sidecar / exportTo scoping)", whole=True, maximum=1e9, label="services visible per sidecar"),
    Input("rps", "rate", "1/s", "mesh-wide service-to-service requests per second", "0 (idle)", maximum=1e13,
          accepted="finite requests per second from 0 to 1e13", label="mesh-wide requests per second"),
    Input("waypoints", "count", "count", "Istio ambient waypoint proxies", "0 (L4 only)", whole=True, maximum=1e9,
          label="waypoint proxies"),
    Input("l7_share", "fraction", "fraction", "share of requests that pass a waypoint",
          "1 where waypoints > 0, else 0", maximum=1.0, accepted="a share from 0 to 1", label="share of requests through a waypoint"),
    Input("ports_per_service", "count", "count", "ports per Service, on average (an Envoy cluster each)",
          "1 (assumption)", maximum=1e5, label="ports per service"),
    Input("tcp_share", "fraction", "fraction",
          "share of service ports that carry plain TCP, not HTTP (an Envoy listener each)", "0", maximum=1.0,
          accepted="a share from 0 to 1", label="share of plain-TCP service ports"),
    Input("subsets_per_service", "count", "count",
          "DestinationRule subsets per Service, on average (an Envoy cluster per port each)", "0", maximum=1e5,
          label="DestinationRule subsets per service"),
    Input("churn", "rate", "1/s", "pod or config changes per second in the cluster (istiod pushes)",
          "2 x sidecars / 86,400 (every pod replaced once a day, an assumption)",
          maximum=1e9, accepted="finite changes per second from 0 to 1e9", label="pod or config changes per second"),
)

FIGURES: tuple[Figure, ...] = (
    Figure("memory", "MiB", "memory", "memory", "memory the mesh uses (working set), over all instances",
           "usage", montecarlo=True),
    Figure("cpu", "vCPU", "cpu", "CPU", "CPU the mesh uses, over all instances", "usage", montecarlo=True),
    Figure("latency_p50", "ms", "time", "p50 per hop", "median latency added per service-to-service hop",
           "latency", montecarlo=True),
    Figure("latency_p99", "ms", "time", "p99 per hop", "99th-percentile latency added per service-to-service hop",
           "latency", montecarlo=True),
    Figure("reserved_memory", "MiB", "memory", "reserved memory",
           "memory Kubernetes reserves: instances x request", "money", montecarlo=True, table="requests"),
    Figure("reserved_cpu", "vCPU", "cpu", "reserved CPU", "CPU Kubernetes reserves: instances x request", "money",
           montecarlo=True, table="requests"),
    Figure("billable_memory", "MiB", "memory", "billable memory",
           "memory a cost tool bills: instances x max(request, usage)", "money", montecarlo=True, table="requests"),
    Figure("billable_cpu", "vCPU", "cpu", "billable CPU",
           "CPU a cost tool bills: instances x max(request, usage), at most what the node can give", "money",
           montecarlo=True, table="requests"),
    Figure("cost", "{currency}/month", "money", "cost as installed",
           "monthly cost as installed: the billable CPU and memory at unit prices (billing='resources') or, "
           "for a mesh, its extra nodes at the node price (billing='nodes'; components keep their resources' "
           "cost)", "money", montecarlo=True, table="cost"),
    Figure("rightsized_cost", "{currency}/month", "money", "right-sized cost",
           "monthly cost with every request sized to the projected usage (CPU x skew): one basis for every mesh",
           "money", montecarlo=True, table="cost"),
    Figure("extra_nodes", "nodes", "count", "extra nodes",
           "whole nodes the mesh needs, from the binding resource (billable CPU or memory over a node's allocatable)",
           "money", levels=("mesh",), additive=False, montecarlo=True, table="cost"),
    Figure("rightsized_extra_nodes", "nodes", "count", "right-sized extra nodes",
           "whole nodes the mesh needs with every request sized to the projected usage", "money",
           levels=("mesh",), additive=False, montecarlo=True, table="cost"),
    Figure("capacity_share", "fraction", "fraction", "share of the cluster",
           "share of the cluster's allocatable capacity the mesh takes (binding resource)", "money",
           levels=("mesh",), additive=False, montecarlo=True, table="requests"),
)

FLAGS: tuple[Flag, ...] = (
    Flag("saturated", "a proxy's CPU demand reaches what its worker threads can use (typical band); its CPU is "
         "capped there and its latency is infinite", levels=("component", "mesh")),
    Flag("extrapolated", "an input lies beyond the largest published measurement behind one of the mesh's figures"),
    Flag("overpacked", "the meshed pods per node, with the mesh's own per-node pods, exceed the node's pod limit "
         "(max pods): no cluster of this many nodes can hold them"),
    Flag("oversized", "one instance of a component requests or uses (typical) more CPU or memory than one node's "
         "allocatable capacity: it cannot be scheduled on this node type"),
)

_BY_NAME = {f.name: f for f in FIGURES}


def figure(name: str) -> Figure:
    """The registered figure called ``name`` (KeyError if none)."""
    return _BY_NAME[name]


@lru_cache(maxsize=None)
def figures(level: Level | None = None, source: Source | None = None, table: Table | None = None) -> tuple[Figure, ...]:
    """The registered figures carried at ``level``, computed by ``source``, shown in ``table``, in order."""
    return tuple(f for f in FIGURES if (level is None or level in f.levels) and (source is None or f.source == source)
                 and (table is None or f.table == table))


@lru_cache(maxsize=None)
def flags(level: Level | None = None) -> tuple[Flag, ...]:
    """The registered flags carried at ``level``, in order."""
    return tuple(f for f in FLAGS if level is None or level in f.levels)


def input_names() -> tuple[str, ...]:
    """The scenario inputs' names, in order."""
    return tuple(i.name for i in INPUTS)


def column(name: str, unit: str, band: str = "typical") -> str:
    """A frame column: ``memory [MiB]`` (typical), ``memory_low [MiB]``, ``memory_p95 [MiB]``."""
    return f"{name} [{unit}]" if band == "typical" else f"{name}_{band} [{unit}]"


def band_columns(fig: Figure, currency: str = "USD") -> list[tuple[str, str]]:
    """(band, column) of a figure in frame order: typical, low, high."""
    unit = fig.unit_for(currency)
    return [(band, column(fig.name, unit, band)) for band in ("typical", "low", "high")]


def frame_columns(currency: str = "USD", chosen: tuple[Figure, ...] | None = None) -> tuple[str, ...]:
    """The columns of :meth:`meshcost.Projection.to_frame`, in order (a public contract);
    ``chosen``: only these figures' columns (default every component figure)."""
    columns = ["scenario", *input_names(), "mesh", "component", "instances"]
    for fig in figures("component") if chosen is None else chosen:
        columns += [c for _, c in band_columns(fig, currency)]
    return (*columns, *(f.name for f in flags("component")))


def mesh_frame_columns(currency: str = "USD", percentiles: tuple[float, ...] = (),
                       chosen: tuple[Figure, ...] | None = None) -> tuple[str, ...]:
    """The columns of :meth:`meshcost.Projection.mesh_frame`, in order; ``chosen``: only these
    figures' columns (default every mesh figure)."""
    columns = ["scenario", *input_names(), "mesh", "version"]
    for fig in figures("mesh") if chosen is None else chosen:
        columns += [c for _, c in band_columns(fig, currency)]
        if fig.montecarlo:
            columns += [column(fig.name, fig.unit_for(currency), f"p{p:g}") for p in percentiles]
    return (*columns, *(f.name for f in flags("mesh")))
