"""Money settings of a projection: install profiles, requests, sizing, node type, prices.

Kubernetes schedules on *requests*; cost tools (OpenCost's rule, F102) charge a container
at ``max(request, usage)``. Per component:

- requests come from the mesh's install profile (Istio ``default`` / ``demo``, Linkerd
  ``default`` / ``ha``; ``data/profiles``), or from the user, or -- with
  ``sizing="usage"`` -- from the projected usage itself (right-sizing);
- one template sizes every instance (a DaemonSet is one size on every node; a sidecar
  template one size in every pod), so a right-sized request follows the *busiest*
  instance: ``skew`` is the busiest instance's CPU use over the average [>= 1];
- pod-level rule (Kubernetes): a regular init container (istio-init, linkerd-init)
  counts through ``max(init, containers)``, a native sidecar (``restartPolicy: Always``)
  adds to the containers. The mesh's increment per pod is therefore
  ``max(init, app + proxy) - max(0, app)``; meshcost takes the app's own request as 0,
  so the increment is ``max(init, proxy)``.

The arithmetic is in :mod:`meshcost.kernels.money`. Defaults: a GKE ``e2-standard-4`` node
(4 vCPU, 16 GiB, 110 pods; allocatable from GKE's reservation rules) priced at Google's
published E2 unit prices per vCPU-hour and GiB-hour (``data/prices.csv``) -- the one cloud that
publishes unit prices, so no split is assumed. Hours per month follow the price sheet (730 by
default: 8760 / 12).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .checks import choice, fail, numbers_array
from .errors import InputTypeError, InputValueError, UnknownNameError, describe_value
from .kernels.mesh import MoneyInputs
from .kernels.money import Prices, pod_request
from .reference.nodes import MAX_NODE_MIB, MAX_NODE_VCPU, NodeShape, node_shape
from .reference.prices import MAX_HOURS_PER_MONTH, PriceSheet, price_sheet, unit_prices_from_node
from .reference.profiles import ComponentProfile, MeshProfile, Replicas, Resources, split_mesh_key
from .io.quantity import CPU_RESOLUTION, parse_cpu, parse_memory

__all__ = ["SIZINGS", "BILLINGS", "DEFAULT_NODE", "DEFAULT_PRICES", "CostSettings", "make_cost_settings", "component_requests",
           "parse_install", "parse_requests", "money_inputs"]

SIZINGS = ("chart", "usage")
#: How money is counted: unit prices x billable resources (OpenCost's allocation), or whole extra
#: nodes x the node price (what a cluster autoscaler adds and a cloud bill shows).
BILLINGS = ("resources", "nodes")

DEFAULT_NODE = "e2-standard-4"
#: The largest ``skew``: the busiest of N instances uses at most N times the average, and N is at
#: most the largest pod count an input takes (1e10); beyond it the money figures would overflow.
MAX_SKEW = 1e10
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
    billing: str = "resources"

    @property
    def currency(self) -> str:
        """Currency code of the price sheet (``USD``)."""
        return self.prices.currency

    @property
    def unit_prices(self) -> Prices:
        """The sheet's unit prices (split from its node price where it has none) and hours per month."""
        sheet = self.prices
        if sheet.has_unit_prices:
            assert sheet.vcpu_price_per_hour is not None and sheet.gib_price_per_hour is not None
            return Prices(float(sheet.vcpu_price_per_hour), float(sheet.gib_price_per_hour), sheet.hours_per_month,
                          self.node_price_per_hour)
        cpu, gib = unit_prices_from_node(sheet.price_per_hour, sheet.vcpu, sheet.memory_gib)
        return Prices(float(cpu), float(gib), sheet.hours_per_month, self.node_price_per_hour)

    @property
    def node_price_per_hour(self) -> float:
        """One node of :attr:`node`'s shape for an hour [currency]: the sheet's node price when it
        prices that shape, else its unit prices times the node's vCPU and GiB."""
        sheet, node = self.prices, self.node
        if sheet.price_per_hour is not None and sheet.vcpu == node.vcpu and sheet.memory_gib == node.memory_gib:
            return float(sheet.price_per_hour)
        if sheet.has_unit_prices:
            assert sheet.vcpu_price_per_hour is not None and sheet.gib_price_per_hour is not None
            cpu, gib = float(sheet.vcpu_price_per_hour), float(sheet.gib_price_per_hour)
        else:
            cpu, gib = (float(v) for v in unit_prices_from_node(sheet.price_per_hour, sheet.vcpu, sheet.memory_gib))
        return cpu * node.vcpu + gib * node.memory_gib

    def monthly(self, cpu: np.ndarray, memory: np.ndarray) -> np.ndarray:
        """Cost of CPU [vCPU] and memory [MiB] for one month [currency]."""
        return self.unit_prices.monthly(cpu, memory)


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
    elif isinstance(prices, os.PathLike) or (isinstance(prices, str) and prices.lower().endswith(".csv")):
        sheet = PriceSheet.from_csv(os.fspath(prices))
    elif isinstance(prices, str):
        sheet = _named_prices(prices)
    elif isinstance(prices, Mapping):
        sheet = PriceSheet.from_dict(prices)
    else:
        raise InputTypeError(f"prices: got {describe_value(prices)}; expected a PriceSheet, a machine type, "
                             "a provider, 'e2'/'n2', a dict, or the path of a CSV price sheet")
    if not sheet.has_unit_prices:
        if sheet.price_per_hour is not None and sheet.vcpu and sheet.memory_gib:
            return sheet  # PriceSheet derives unit prices from a node price when it knows the shape
        raise InputValueError(f"prices: {sheet.instance_type or 'the sheet'} has no per-vCPU and per-GiB prices; "
                              "give unit prices or a node price with its vCPU and memory")
    return sheet


def make_cost_settings(profiles: list[MeshProfile], shape: tuple[int, ...], *, install: Any = None,
                       requests: Any = None, sizing: str = "chart", skew: Any = 1.0, node: Any = DEFAULT_NODE,
                       prices: Any = None, billing: str = "resources",
                       hours_per_month: Any = None) -> CostSettings:
    """Validate the money inputs of :func:`meshcost.project`."""
    choice(sizing, "sizing", SIZINGS)
    choice(billing, "billing", BILLINGS)
    skew_array = numbers_array(skew, "skew", "fraction", minimum=1.0, maximum=MAX_SKEW,
                               expected=f"numbers from 1 to {MAX_SKEW:g} (the busiest instance's CPU over the "
                                        "average: at most the instance count)")
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
    sheet = _prices(prices, shape_node)
    if hours_per_month is not None:
        sheet = replace(sheet, hours_per_month=_hours(hours_per_month))
    return CostSettings(parse_install(install, profiles), parse_requests(requests, profiles), sizing,
                        skew_array, shape_node, alloc_cpu, alloc_memory, sheet, billing)



def _hours(value: Any) -> float:
    expected = f"one number of hours in (0, {MAX_HOURS_PER_MONTH:g}] (730 = 8760 / 12; 720 = 24 x 30)"
    hours = numbers_array(value, "hours_per_month", "count", above=0.0, maximum=MAX_HOURS_PER_MONTH,
                          expected=expected)
    if hours.ndim:
        fail("hours_per_month", value, expected, error=InputTypeError)
    return float(hours)


def component_requests(comp: ComponentProfile, install: str,
                       override: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Per-instance (CPU [vCPU], memory [MiB]) that Kubernetes reserves for ``comp``.

    Unset requests reserve 0. For per-pod proxies the pod rule applies with the app's own
    request taken as 0: ``max(init, proxy)``. A user override also resizes the init container
    where the install profile gives both the same resources (one template, as Istio's and
    Linkerd's charts do).
    """
    if comp.resources:
        res: Resources = comp.install(install) if install in dict(comp.resources) else comp.install("default")
        cpu, memory = res.cpu_request or 0.0, res.memory_request or 0.0
        init_cpu, init_memory = res.init_cpu or 0.0, res.init_memory or 0.0
    else:
        cpu = memory = init_cpu = init_memory = 0.0
    if override:  # istio-init and linkerd-init share the proxy's resources template
        if init_cpu == cpu:
            init_cpu = override.get("cpu", init_cpu)
        if init_memory == memory:
            init_memory = override.get("memory", init_memory)
        cpu = override.get("cpu", cpu)
        memory = override.get("memory", memory)
    if comp.instances == "sidecars":
        cpu = float(pod_request(0.0, cpu, init_cpu))
        memory = float(pod_request(0.0, memory, init_memory))
    return cpu, memory




def money_inputs(profile: MeshProfile, settings: CostSettings) -> MoneyInputs:
    """What the money kernel needs for one mesh: per-component requests (None: right-size), prices."""
    install = settings.install.get(profile.name, "default")
    requests: dict[str, tuple[float, float] | None] = {}
    for comp in profile.components:
        if settings.sizing == "usage":
            requests[comp.name] = None
        else:
            requests[comp.name] = component_requests(comp, install, settings.requests.get((profile.name, comp.name)))
    return MoneyInputs(requests, settings.skew, settings.allocatable_cpu, settings.allocatable_memory,
                       settings.unit_prices, settings.billing)


def parse_install(install: Mapping[str, str] | None, profiles: list[MeshProfile]) -> dict[str, str]:
    """Validate ``install={"linkerd": "ha", ...}``; every named profile must exist in that mesh."""
    if install is None:
        return {}
    if not isinstance(install, Mapping):
        raise InputTypeError(f"install: got {describe_value(install)}; expected a dict of mesh -> install profile")
    by_name = {p.name: p for p in profiles}
    for mesh, name in install.items():
        if mesh not in by_name:
            raise UnknownNameError(f"install: mesh {mesh!r} is not projected; projected meshes are {list(by_name)}")
        known = sorted({k for c in by_name[mesh].components for k, _ in c.resources})
        if name not in known:
            raise UnknownNameError(f"install: {mesh!r} has no install profile {name!r}; it has {known}")
    return dict(install)


def parse_requests(requests: Mapping[str, Mapping[str, Any]] | None,
                   profiles: list[MeshProfile]) -> dict[tuple[str, str], dict[str, Any]]:
    """Validate ``requests={"mesh.component": {"cpu": "200m", "memory": "256Mi", ...}}``.

    Keys: ``cpu`` and ``memory`` (the requests), ``cpu_limit`` (sets a proxy's worker threads
    where the mesh derives them from the limit) and, for control planes, ``replicas``: a
    whole number (fixed) or ``(min, max)`` bounds for the chart's CPU autoscaler. Values are
    Kubernetes quantities (``"100m"``, ``"128Mi"``, ``"1G"``), plain numbers (vCPU, MiB) or
    pint Quantities.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if requests is None:
        return out
    if not isinstance(requests, Mapping):
        raise InputTypeError(f"requests: got {describe_value(requests)}; expected a dict of "
                             "'mesh.component' -> {'cpu': ..., 'memory': ..., 'cpu_limit': ..., 'replicas': ...}")
    by_name = {p.name: p for p in profiles}
    accepted = {"cpu", "memory", "cpu_limit", "replicas"}
    for key, spec in requests.items():
        split = split_mesh_key(key, by_name, 1)
        if split is None:
            raise UnknownNameError(f"requests: key {key!r} is not 'mesh.component' for a projected mesh "
                                   f"({list(by_name)})")
        parts = [split[0], split[1][0]]
        comp = by_name[parts[0]].component(parts[1])
        if not isinstance(spec, Mapping) or not spec or set(spec) - accepted:
            raise InputValueError(f"requests[{key!r}]: got {describe_value(spec)}; expected a dict with some of "
                                  f"{sorted(accepted)}")
        parsed: dict[str, Any] = {}
        for field, parse in (("cpu", parse_cpu), ("memory", parse_memory), ("cpu_limit", parse_cpu)):
            if field in spec:
                value = parse(spec[field], name=f"requests[{key!r}].{field}")
                low = CPU_RESOLUTION if field == "cpu_limit" else 0.0
                high = MAX_NODE_VCPU if field != "memory" else MAX_NODE_MIB
                if not (np.isfinite(value) and low <= value <= high):
                    unit = "MiB" if field == "memory" else "vCPU"
                    raise InputValueError(f"requests[{key!r}].{field}: got {value!r}; expected a quantity from "
                                          f"{low:g} to {high:g} {unit} (one container on one node)")
                parsed[field] = value
        if "replicas" in spec:
            parsed["replicas"] = _replicas(spec["replicas"], comp, f"requests[{key!r}].replicas")
        out[(parts[0], parts[1])] = parsed
    return out


def _replicas(value: Any, comp: ComponentProfile, name: str) -> Replicas:
    if comp.instances != "control-plane":
        raise InputValueError(f"{name}: {comp.name!r} is not a control plane; replicas apply to control planes")

    def whole(item: Any) -> int:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or not 1 <= item <= 10_000:
            raise InputValueError(f"{name}: got {describe_value(value)}; expected a whole number from 1 to 10000 "
                                  "or a (min, max) pair of them")
        return int(item)

    if isinstance(value, tuple) and len(value) == 2:
        low, high = whole(value[0]), whole(value[1])
        if low > high:
            raise InputValueError(f"{name}: got {value!r}; expected min <= max")
        hpa = next((r.replicas for _, r in comp.resources if r.replicas and r.replicas.cpu_utilization), None)
        return Replicas(low, high, hpa.cpu_utilization if hpa else 0.8)
    count = whole(value)
    return Replicas(count, count)
