"""From overhead to nodes and money: reserved and billable resources, extra nodes, monthly cost.

For each component (see :mod:`meshcost.capacity`): ``reserved`` = instances x request,
``billable`` = instances x max(request, usage). A mesh's cost per month is its billable
CPU and memory at the price sheet's unit prices (exactly linear in prices); the extra
nodes it needs come from the binding resource, billable CPU or memory over one node's
allocatable capacity (scheduling packs by requests, but usage above a request still
occupies the node). Hours per month follow the price sheet (730 by default: 8760 / 12).

Defaults: a GKE ``e2-standard-4`` node (4 vCPU, 16 GiB, 110 pods; allocatable from GKE's
reservation rules) priced at Google's published E2 unit prices per vCPU-hour and GiB-hour
(``data/prices.csv``) -- the one cloud that publishes unit prices, so no split is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .capacity import SIZINGS, component_requests, parse_install, parse_requests, reserve
from .errors import InputTypeError, InputValueError, describe_value
from .kernels.usage import Bands, ComponentUsage, per_instance
from .reference.nodes import NodeShape, node_shape
from .reference.prices import PriceSheet, monthly_amount, price_sheet
from .reference.profiles import TEMPLATED_RULES, MeshProfile
from .scenario import check_array
from .units import strip

__all__ = ["CostSettings", "make_cost_settings", "ComponentCost", "component_costs", "mesh_cost",
           "DEFAULT_NODE", "DEFAULT_PRICES"]

DEFAULT_NODE = "e2-standard-4"
DEFAULT_PRICES = "e2"


@dataclass(frozen=True)
class CostSettings:
    """How resources become nodes and money for one projection."""

    install: dict[str, str]
    requests: dict[tuple[str, str], dict[str, Any]]
    sizing: str
    skew: np.ndarray
    node: NodeShape
    allocatable_cpu: float
    allocatable_memory: float
    prices: PriceSheet

    @property
    def currency(self) -> str:
        """Currency code of the price sheet (``USD``)."""
        return self.prices.currency

    def monthly(self, cpu: np.ndarray, memory: np.ndarray) -> np.ndarray:
        """Cost of CPU [vCPU] and memory [MiB] for one month [currency]."""
        return monthly_amount(cpu, memory, self.prices)


@lru_cache(maxsize=64)
def _named_node(name: str) -> NodeShape:
    return node_shape(name)


@lru_cache(maxsize=64)
def _named_prices(name: str) -> PriceSheet:
    return price_sheet(name)


@lru_cache(maxsize=64)
def _allocatable(node: NodeShape) -> tuple[float, float]:
    cpu, memory = node.allocatable()
    return float(cpu), float(memory)


def _node(node: Any) -> NodeShape:
    if isinstance(node, NodeShape):
        return node
    if isinstance(node, str):
        return _named_node(node)
    raise InputTypeError(f"node: got {describe_value(node)}; expected a machine type (e.g. 'm5.xlarge') "
                         "or a meshcost.nodes.NodeShape")


def _prices(prices: Any, node: NodeShape) -> PriceSheet:
    if prices is None:
        sheet = _named_prices(DEFAULT_PRICES if node.name.startswith("e2-") else node.name) if node.name else None
        if sheet is None:
            raise InputValueError("prices: a NodeShape without a machine-type name needs prices= "
                                  "(a PriceSheet, a machine type, 'e2', or a dict)")
    elif isinstance(prices, PriceSheet):
        sheet = prices
    elif isinstance(prices, str):
        sheet = _named_prices(prices)
    elif isinstance(prices, Mapping):
        sheet = PriceSheet.from_dict(prices)
    else:
        raise InputTypeError(f"prices: got {describe_value(prices)}; expected a PriceSheet, a machine type, "
                             "a provider, 'e2'/'n2', or a dict")
    if not sheet.has_unit_prices:
        if sheet.price_per_hour is not None and sheet.vcpu and sheet.memory_gib:
            return sheet  # PriceSheet derives unit prices from a node price when it knows the shape
        raise InputValueError(f"prices: {sheet.instance_type or 'the sheet'} has no per-vCPU and per-GiB prices; "
                              "give unit prices or a node price with its vCPU and memory")
    return sheet


def make_cost_settings(profiles: list[MeshProfile], shape: tuple[int, ...], *, install: Any = None,
                       requests: Any = None, sizing: str = "chart", skew: Any = 1.0, node: Any = DEFAULT_NODE,
                       prices: Any = None) -> CostSettings:
    """Validate the money inputs of :func:`meshcost.project`."""
    if sizing not in SIZINGS:
        raise InputValueError(f"sizing: got {describe_value(sizing)}; expected one of {list(SIZINGS)}")
    skew_array = check_array(strip(skew, "skew", "fraction"), "skew", minimum=1.0,
                             accepted="numbers >= 1 (the busiest instance's CPU over the average)")
    try:
        fits = np.broadcast_shapes(shape, skew_array.shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise InputValueError(f"skew: shape {skew_array.shape} does not broadcast to the scenario inputs' shape "
                              f"{shape}; give a number, or an array shaped like the inputs")
    shape_node = _node(node)
    alloc_cpu, alloc_memory = _allocatable(shape_node)
    if alloc_cpu <= 0 or alloc_memory <= 0:
        raise InputValueError(f"node: {shape_node.name or shape_node} has no allocatable capacity left "
                              f"({alloc_cpu:g} vCPU, {alloc_memory:g} MiB)")
    return CostSettings(parse_install(install, profiles), parse_requests(requests, profiles), sizing,
                        skew_array, shape_node, alloc_cpu, alloc_memory, _prices(prices, shape_node))


@dataclass(frozen=True)
class ComponentCost:
    """One component's reserved and billable CPU [vCPU] / memory [MiB] and monthly cost, per band."""

    reserved_cpu: Bands
    reserved_memory: Bands
    billable_cpu: Bands
    billable_memory: Bands
    cost: Bands


def _check_fits(mesh: str, component: str, instances: np.ndarray, cpu: np.ndarray, memory: np.ndarray,
                settings: CostSettings) -> None:
    """A node must fit the request of one instance of every per-pod / per-node component."""
    each_cpu, each_memory = per_instance(cpu, instances), per_instance(memory, instances)
    too_big = (each_cpu > settings.allocatable_cpu) | (each_memory > settings.allocatable_memory)
    if np.any(too_big):
        index = np.unravel_index(int(np.argmax(too_big)), too_big.shape) if too_big.ndim else ()
        each_cpu = float(np.broadcast_to(each_cpu, too_big.shape)[index])
        each_memory = float(np.broadcast_to(each_memory, too_big.shape)[index])
        raise InputValueError(
            f"node: {settings.node.name or 'the node'} (allocatable {settings.allocatable_cpu:g} vCPU, "
            f"{settings.allocatable_memory:,.0f} MiB) is smaller than one {mesh} {component} "
            f"({each_cpu:.3g} vCPU, {each_memory:,.0f} MiB requested each); choose a larger node")


def component_costs(profile: MeshProfile, usages: list[ComponentUsage], settings: CostSettings) -> dict[str, ComponentCost]:
    """Reserved, billable and cost of every component of a mesh."""
    install = settings.install.get(profile.name, "default")
    out = {}
    for comp, usage in zip(profile.components, usages):
        request = component_requests(comp, install, settings.requests.get((profile.name, comp.name)))
        r_cpu, r_mem, b_cpu, b_mem = reserve(comp, usage.instances, usage.cpu, usage.memory, request,
                                             settings.sizing, settings.skew)
        if comp.instances in TEMPLATED_RULES:
            _check_fits(profile.name, comp.name, usage.instances, r_cpu[1], r_mem[1], settings)
            # a pod cannot use (or be billed for) more CPU than its node can give it
            b_cpu = tuple(np.minimum(c, usage.instances * settings.allocatable_cpu) for c in b_cpu)
        cost = tuple(settings.monthly(c, m) for c, m in zip(b_cpu, b_mem))
        out[comp.name] = ComponentCost(r_cpu, r_mem, b_cpu, b_mem, cost)
    return out


def mesh_cost(costs: dict[str, ComponentCost], settings: CostSettings, nodes: np.ndarray) -> dict[str, Bands]:
    """Mesh totals: reserved / billable CPU and memory, cost, extra nodes and share of the cluster."""
    totals: dict[str, list] = {k: [0.0, 0.0, 0.0] for k in
                               ("reserved_cpu", "reserved_memory", "billable_cpu", "billable_memory", "cost")}
    for cost in costs.values():
        for key in totals:
            for band in range(3):
                totals[key][band] = totals[key][band] + getattr(cost, key)[band]
    out: dict[str, Bands] = {k: tuple(np.asarray(v, dtype=float) for v in bands) for k, bands in totals.items()}
    node_equivalents = tuple(np.maximum(c / settings.allocatable_cpu, m / settings.allocatable_memory)
                             for c, m in zip(out["billable_cpu"], out["billable_memory"]))
    out["extra_nodes"] = tuple(np.ceil(n - 1e-9) for n in node_equivalents)
    out["capacity_share"] = tuple(n / nodes for n in node_equivalents)
    return out
