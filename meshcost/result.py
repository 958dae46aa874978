"""Result objects: magnitudes inside, pint Quantities on the way out.

A :class:`Projection` holds, for each mesh, the arrays the kernels produced, and wraps
them in Quantities only when asked (``r["linkerd"].memory.typical``), so a projection of a
million scenarios costs numpy time, not pint time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

import numpy as np

from .errors import UnknownNameError
from .kernels.usage import (BAND_NAMES, Bands, CoefficientValues, ComponentUsage, Setup, component_terms, mesh_latency,
                    mesh_totals, per_instance, proxy_load)
from .money import ComponentCost, CostSettings, component_costs, mesh_cost
from .reference.profiles import EXTRAPOLATION_QUANTITIES, TEMPLATED_RULES, ComponentProfile, MeshProfile
from .scenario import INPUT_DOCS, Scenario
from .units import DIMENSIONLESS, MIB, MS, VCPU, Quantity

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Band", "ComponentResult", "MeshResult", "Projection", "Extrapolation", "FRAME_COLUMNS"]

#: The columns of :meth:`Projection.to_frame`, in order (a public contract).
FRAME_COLUMNS: tuple[str, ...] = (
    "scenario",
    *INPUT_DOCS,
    "mesh",
    "component",
    "instances",
    "memory [MiB]",
    "memory_low [MiB]",
    "memory_high [MiB]",
    "cpu [vCPU]",
    "cpu_low [vCPU]",
    "cpu_high [vCPU]",
    "latency_p50 [ms]",
    "latency_p50_low [ms]",
    "latency_p50_high [ms]",
    "latency_p99 [ms]",
    "latency_p99_low [ms]",
    "latency_p99_high [ms]",
    "reserved_memory [MiB]",
    "reserved_memory_low [MiB]",
    "reserved_memory_high [MiB]",
    "reserved_cpu [vCPU]",
    "reserved_cpu_low [vCPU]",
    "reserved_cpu_high [vCPU]",
    "billable_memory [MiB]",
    "billable_memory_low [MiB]",
    "billable_memory_high [MiB]",
    "billable_cpu [vCPU]",
    "billable_cpu_low [vCPU]",
    "billable_cpu_high [vCPU]",
    "cost [USD/month]",
    "cost_low [USD/month]",
    "cost_high [USD/month]",
    "saturated",
)


def _full_bool(array: Any, shape: tuple[int, ...]) -> Any:
    array = np.broadcast_to(np.asarray(array, dtype=bool), shape)
    return bool(array) if shape == () else array.copy()


def _quantity(quantity: str, comp: ComponentProfile, instances: np.ndarray, scenario: Scenario) -> np.ndarray:
    """A scenario quantity that component measurements can be bounded by (see EXTRAPOLATION_QUANTITIES)."""
    if quantity == "pods_per_node":
        return scenario.sidecars / scenario.nodes
    if quantity == "rps_per_instance":
        return proxy_load(comp, scenario, instances)
    return np.asarray(getattr(scenario, quantity))


def _full(array: Any, shape: tuple[int, ...]) -> Any:
    array = np.asarray(array, dtype=float)
    if shape == ():
        return float(array)
    if array.shape == shape:
        return array
    return np.broadcast_to(array, shape).copy()


#: Unit in the frame's column names, per figure (cost is renamed to the sheet's currency).
_FRAME_UNITS = {"memory": "MiB", "cpu": "vCPU", "latency_p50": "ms", "latency_p99": "ms",
                "reserved_memory": "MiB", "reserved_cpu": "vCPU", "billable_memory": "MiB",
                "billable_cpu": "vCPU", "cost": "USD/month"}


def _typical_first(bands: Bands) -> list[tuple[str, Any]]:
    """(name, array) pairs in frame column order: typical, low, high."""
    named = dict(zip(BAND_NAMES, bands))
    return [(name, named[name]) for name in ("typical", "low", "high")]


class Band:
    """Low / typical / high of one figure, as pint Quantities of the scenario shape."""

    __slots__ = ("_arrays", "_unit", "_shape", "_percentiles")

    def __init__(self, arrays: Bands, unit: Any, shape: tuple[int, ...],
                 percentiles: dict[float, np.ndarray] | None = None) -> None:
        self._arrays = arrays
        self._unit = unit
        self._shape = shape
        self._percentiles = percentiles

    @property
    def low(self) -> Any:
        """The low end of the range (Quantity)."""
        return Quantity(_full(self._arrays[0], self._shape), self._unit)

    @property
    def typical(self) -> Any:
        """The typical value (Quantity)."""
        return Quantity(_full(self._arrays[1], self._shape), self._unit)

    @property
    def high(self) -> Any:
        """The high end of the range (Quantity)."""
        return Quantity(_full(self._arrays[2], self._shape), self._unit)

    @property
    def unit(self) -> Any:
        """The pint unit of the magnitudes."""
        return self._unit

    @property
    def percentiles(self) -> dict[float, Any]:
        """Monte Carlo percentiles {percent: Quantity}; empty unless ``project(samples=...)`` ran."""
        if not self._percentiles:
            return {}
        return {p: Quantity(_full(a, self._shape), self._unit) for p, a in self._percentiles.items()}

    def percentile(self, percent: float) -> Any:
        """The Monte Carlo ``percent`` percentile (Quantity); needs ``project(samples=..., percentiles=...)``."""
        if not self._percentiles or float(percent) not in self._percentiles:
            have = sorted(self._percentiles) if self._percentiles else []
            raise AttributeError(f"percentile {percent} was not computed (have {have}); "
                                 "pass samples= and percentiles= to meshcost.project")
        return Quantity(_full(self._percentiles[float(percent)], self._shape), self._unit)

    @property
    def p5(self) -> Any:
        """Monte Carlo 5th percentile (Quantity); AttributeError without samples."""
        return self.percentile(5)

    @property
    def p50(self) -> Any:
        """Monte Carlo median (Quantity); AttributeError without samples."""
        return self.percentile(50)

    @property
    def p95(self) -> Any:
        """Monte Carlo 95th percentile (Quantity); AttributeError without samples."""
        return self.percentile(95)

    def magnitudes(self) -> tuple[Any, Any, Any]:
        """(low, typical, high) as floats or arrays in :attr:`unit`."""
        return tuple(_full(a, self._shape) for a in self._arrays)  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.low, self.typical, self.high))

    def __repr__(self) -> str:
        if self._shape == ():
            low, typical, high = (float(a) for a in self._arrays)
            return f"Band(low={low:.4g}, typical={typical:.4g}, high={high:.4g} {self._unit:~})"
        return f"Band(shape={self._shape}, unit={self._unit:~})"


@dataclass(frozen=True)
class ComponentResult:
    """One component of a mesh: instances and its totals over them."""

    profile: ComponentProfile
    usage: ComponentUsage
    shape: tuple[int, ...]
    latency_p50: Band | None
    latency_p99: Band | None
    _cost: Callable[[], ComponentCost]
    _currency: Any
    _skew: np.ndarray

    def _money(self, key: str, unit: Any) -> Band:
        return Band(getattr(self._cost(), key), unit, self.shape)

    @property
    def reserved_cpu(self) -> Band:
        """Requested CPU over all instances [vCPU]."""
        return self._money("reserved_cpu", VCPU)

    @property
    def reserved_memory(self) -> Band:
        """Requested memory over all instances [MiB]."""
        return self._money("reserved_memory", MIB)

    @property
    def billable_cpu(self) -> Band:
        """max(request, usage) CPU over all instances [vCPU]."""
        return self._money("billable_cpu", VCPU)

    @property
    def billable_memory(self) -> Band:
        """max(request, usage) memory over all instances [MiB]."""
        return self._money("billable_memory", MIB)

    @property
    def cost(self) -> Band:
        """Monthly cost of the billable resources [currency per month]."""
        return self._money("cost", self._currency)

    @property
    def name(self) -> str:
        """Component name (``sidecar``, ``ztunnel``, ``istiod``, ...)."""
        return self.profile.name

    @property
    def saturated(self) -> Any:
        """Whether this proxy's CPU demand reaches what its worker threads can use (typical band) [bool]."""
        flags = self.usage.saturated[1] if self.usage.saturated else np.zeros((), dtype=bool)
        return _full_bool(flags, self.shape)

    @property
    def instances(self) -> Any:
        """How many instances run [count] (float or array)."""
        return _full(self.usage.instances, self.shape)

    @property
    def memory(self) -> Band:
        """Memory over all instances [MiB]."""
        return Band(self.usage.memory, MIB, self.shape)

    @property
    def cpu(self) -> Band:
        """CPU over all instances [vCPU]."""
        return Band(self.usage.cpu, VCPU, self.shape)

    def _per_instance(self, bands: Bands) -> Bands:
        return tuple(per_instance(b, self.usage.instances) for b in bands)

    @property
    def memory_per_instance(self) -> Band:
        """Memory of one instance [MiB] (0 where none run)."""
        return Band(self._per_instance(self.usage.memory), MIB, self.shape)

    @property
    def cpu_per_instance(self) -> Band:
        """CPU of one instance [vCPU] (0 where none run)."""
        return Band(self._per_instance(self.usage.cpu), VCPU, self.shape)

    @property
    def busiest_cpu_per_instance(self) -> Band:
        """CPU of the busiest instance [vCPU]: the average x ``skew`` for templated components.

        One template sizes every sidecar and a DaemonSet is one size on every node, so a
        request sized to usage must cover this; control planes are not scaled.
        """
        skew = self._skew if self.profile.instances in TEMPLATED_RULES else 1.0
        return Band(tuple(b * skew for b in self._per_instance(self.usage.cpu)), VCPU, self.shape)


@dataclass(frozen=True)
class Extrapolation:
    """A scenario quantity beyond the largest value the sources behind a component measured.

    ``where`` is a bool array (the scenario's shape) marking the scenarios concerned.
    """

    component: str
    quantity: str
    maximum: float
    sources: tuple[str, ...]
    note: str
    where: np.ndarray

    def describe(self, value: float | None = None) -> str:
        """One line: what goes beyond what, and which sources set the bound."""
        label = EXTRAPOLATION_QUANTITIES[self.quantity]
        got = f" ({value:,.0f})" if value is not None else ""
        return (f"{self.component}: {label}{got} beyond the largest published measurement ({self.maximum:,.0f}; "
                f"{', '.join(self.sources)}{': ' + self.note if self.note else ''})")


class MeshResult:
    """What one mesh adds: memory, CPU, latency per hop, and the components behind them."""

    def __init__(self, profile: MeshProfile, scenario: Scenario, values: CoefficientValues,
                 usages: list[ComponentUsage], component_latency: dict[str, tuple[Bands, Bands]],
                 setup: Mapping[str, Setup], cost_settings: CostSettings,
                 percentiles: dict[str, dict[float, np.ndarray]] | None = None) -> None:
        self.profile = profile
        self.cost_settings = cost_settings
        self._mc = percentiles or {}
        self.name = profile.name
        self.scenario = scenario
        self.setup = dict(setup)
        self._values = values
        self._usages = usages
        self._memory, self._cpu, self._saturated = mesh_totals(usages)
        self._latency = mesh_latency(component_latency)
        self._component_latency = component_latency

    @property
    def title(self) -> str:
        """Human-readable mesh name."""
        return self.profile.title

    @property
    def memory(self) -> Band:
        """Total memory the mesh adds [MiB]."""
        return Band(self._memory, MIB, self.scenario.shape, self._mc.get("memory"))

    @property
    def cpu(self) -> Band:
        """Total CPU the mesh adds [vCPU]."""
        return Band(self._cpu, VCPU, self.scenario.shape, self._mc.get("cpu"))

    @property
    def latency_p50(self) -> Band:
        """Median latency added per service-to-service hop [ms]."""
        return Band(self._latency[0], MS, self.scenario.shape, self._mc.get("latency_p50"))

    @property
    def latency_p99(self) -> Band:
        """99th-percentile latency added per service-to-service hop [ms]."""
        return Band(self._latency[1], MS, self.scenario.shape, self._mc.get("latency_p99"))

    @cached_property
    def _costs(self) -> dict[str, ComponentCost]:
        return component_costs(self.profile, self._usages, self.cost_settings)

    @cached_property
    def _mesh_cost(self) -> dict[str, Bands]:
        return mesh_cost(self._costs, self.cost_settings, self.scenario.nodes)

    @cached_property
    def components(self) -> dict[str, ComponentResult]:
        """The mesh's components by name (computed on first access)."""
        out = {}
        shape = self.scenario.shape
        for comp, usage in zip(self.profile.components, self._usages):
            lat = self._component_latency.get(comp.name)
            out[comp.name] = ComponentResult(
                comp, usage, shape,
                None if lat is None else Band(lat[0], MS, shape),
                None if lat is None else Band(lat[1], MS, shape),
                lambda name=comp.name: self._costs[name],
                self.cost_settings.prices.unit,
                self.cost_settings.skew,
            )
        return out

    def _money_band(self, key: str, unit: Any) -> Band:
        return Band(self._mesh_cost[key], unit, self.scenario.shape)

    @property
    def reserved_cpu(self) -> Band:
        """CPU Kubernetes reserves for the mesh: instances x request [vCPU]."""
        return self._money_band("reserved_cpu", VCPU)

    @property
    def reserved_memory(self) -> Band:
        """Memory Kubernetes reserves for the mesh: instances x request [MiB]."""
        return self._money_band("reserved_memory", MIB)

    @property
    def billable_cpu(self) -> Band:
        """CPU a cost tool bills: instances x max(request, usage) [vCPU]."""
        return self._money_band("billable_cpu", VCPU)

    @property
    def billable_memory(self) -> Band:
        """Memory a cost tool bills: instances x max(request, usage) [MiB]."""
        return self._money_band("billable_memory", MIB)

    @property
    def cost(self) -> Band:
        """Monthly cost of the billable CPU and memory [currency per month of the sheet's hours]."""
        return self._money_band("cost", self.cost_settings.prices.unit)

    @property
    def extra_nodes(self) -> Band:
        """Nodes the mesh needs, from the binding resource (billable CPU or memory) [count]."""
        return self._money_band("extra_nodes", DIMENSIONLESS)

    @property
    def capacity_share(self) -> Band:
        """Share of the cluster's allocatable capacity the mesh takes (binding resource) [fraction]."""
        return self._money_band("capacity_share", DIMENSIONLESS)

    @property
    def saturated(self) -> Any:
        """Whether a proxy's CPU demand reaches what its worker threads can use (typical band) [bool].

        Its CPU is then capped there (never billed past it) and its latency is infinite.
        """
        return _full_bool(self._saturated[1], self.scenario.shape)

    @cached_property
    def extrapolations(self) -> list[Extrapolation]:
        """Scenario quantities beyond the published measurements behind each component."""
        scenario = self.scenario
        found = []
        for comp, usage in zip(self.profile.components, self._usages):
            for bound in comp.measured:
                value = _quantity(bound.quantity, comp, usage.instances, scenario)
                where = np.broadcast_to(value > bound.maximum, scenario.shape)
                if where.any():
                    found.append(Extrapolation(comp.name, bound.quantity, bound.maximum, bound.sources, bound.note,
                                               where))
        return found

    @property
    def extrapolated(self) -> Any:
        """Whether any input goes beyond the published measurements behind the mesh's figures [bool]."""
        flags = [e.where for e in self.extrapolations]
        return _full_bool(np.logical_or.reduce(flags) if flags else np.zeros(self.scenario.shape, dtype=bool),
                          self.scenario.shape)

    def _contribution_arrays(self) -> list[tuple[str, str, str, str, np.ndarray]]:
        """(component, resource, driver, basis, typical value per flat scenario) for every term."""
        terms = component_terms(self.profile, self.scenario, self.setup,
                                {u.name: u.instances for u in self._usages})
        size = int(np.prod(self.scenario.shape, dtype=np.int64))
        basis = {(c, r, d): coef.basis for c, r, d, coef in self.profile.coefficients()}
        out = []
        for usage in self._usages:
            memory_terms, cpu_terms = terms[usage.name]
            for resource, rows, total in (("memory", memory_terms, usage.memory[1]), ("cpu", cpu_terms, usage.cpu[1])):
                raw = [np.broadcast_to(np.asarray(self._values[k][1]) * d, self.scenario.shape).reshape(size)
                       for k, d in rows]
                demand = sum(raw, np.zeros(size))
                capped = np.broadcast_to(total, self.scenario.shape).reshape(size)
                with np.errstate(divide="ignore", invalid="ignore"):  # a saturated proxy: scale to its cap
                    scale = np.where(demand > 0, capped / np.where(demand > 0, demand, 1.0), 1.0)
                for (key, _), value in zip(rows, raw):
                    out.append((usage.name, resource, key[2], basis.get(key, "assumption"), value * scale))
        return out

    def contributions(self) -> "pd.DataFrame":
        """What each coefficient adds to the mesh's typical memory and CPU, with its basis.

        One row per scenario x term: ``scenario``, ``component``, ``resource`` (memory /
        cpu), ``driver``, ``basis`` (measured / derived / default / assumption), ``value``
        (typical, MiB or vCPU; a saturated proxy's CPU terms are scaled to its cap) and
        ``share`` of the mesh's typical total.
        """
        import pandas as pd

        size = int(np.prod(self.scenario.shape, dtype=np.int64))
        totals = {"memory": np.broadcast_to(self._memory[1], self.scenario.shape).reshape(size),
                  "cpu": np.broadcast_to(self._cpu[1], self.scenario.shape).reshape(size)}
        frames = []
        for component, resource, driver, basis, value in self._contribution_arrays():
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(totals[resource] > 0, value / np.where(totals[resource] > 0, totals[resource], 1.0), 0.0)
            frames.append(pd.DataFrame({"scenario": np.arange(size), "component": component, "resource": resource,
                                        "driver": driver, "basis": basis, "value": value, "share": share}))
        return pd.concat(frames, ignore_index=True)

    def notes(self, scenario: int | None = None) -> list[str]:
        """Warnings a reader of the totals needs, one line each (saturation, extrapolation, assumptions).

        For a projection of many scenarios, ``scenario`` picks one (flat index); without it the
        lines count the scenarios concerned. An assumption is flagged when it is the largest
        term of the mesh's typical memory or CPU.
        """
        size = int(np.prod(self.scenario.shape, dtype=np.int64))
        pick = 0 if size == 1 else scenario
        lines = []
        for usage in self._usages:
            flags = np.broadcast_to(usage.saturated[1], self.scenario.shape).reshape(size) if usage.saturated else None
            if flags is None or not flags.any():
                continue
            setup = self.setup[usage.name]
            what = (f"{self.name}: {usage.name} saturates: its CPU demand reaches what its "
                    f"{setup.workers:g} worker thread(s) can use ({setup.cpu_cap:g} vCPU per instance); CPU is capped there "
                    "and latency is infinite")
            if pick is None:
                lines.append(f"{what} (in {int(flags.sum()):,} of {size:,} scenarios)")
            elif flags[pick]:
                lines.append(what)
        for found in self.extrapolations:
            where = found.where.reshape(size)
            if pick is None:
                lines.append(f"{self.name}: {found.describe()} (in {int(where.sum()):,} of {size:,} scenarios)")
            elif where[pick]:
                comp = self.profile.component(found.component)
                usage = next(u for u in self._usages if u.name == found.component)
                value = np.broadcast_to(_quantity(found.quantity, comp, usage.instances, self.scenario),
                                        self.scenario.shape).reshape(size)[pick]
                lines.append(f"{self.name}: {found.describe(float(value))}")
        if pick is not None:
            terms = self._contribution_arrays()
            for resource in ("memory", "cpu"):
                values = [(float(v[pick]), c, d, b) for c, r, d, b, v in terms if r == resource]
                total = sum(v for v, _, _, _ in values)
                value, component, driver, basis = max(values, default=(0.0, "", "", ""))
                if value > 0 and basis == "assumption":
                    lines.append(f"{self.name}: {value / total:.0%} of its typical {resource} comes from "
                                 f"{component}'s '{driver}' term, an assumption without a published figure "
                                 "(see sources())")
        return lines

    def path_latency(self, hops: Any) -> Any:
        """Latency added along a request that crosses ``hops`` service-to-service hops [ms].

        Returns a :class:`meshcost.paths.PathLatency`: ``.p50`` and ``.p99`` composed over the
        hops (Fenton-Wilkinson on per-hop lognormals) and ``.naive_p99`` (hops x per-hop p99)
        for comparison; ``hops`` broadcasts with the scenario shape.
        """
        from .paths import compose_hops

        return compose_hops(self._latency[0], self._latency[1], hops)

    def sources(self) -> list[str]:
        """Ids of the published-figure rows behind this mesh's coefficients (see ``meshcost.sources``)."""
        seen: dict[str, None] = {}
        for _, _, _, coef in self.profile.coefficients():
            for source in coef.sources:
                seen.setdefault(source, None)
        return list(seen)

    def __repr__(self) -> str:
        return f"<MeshResult {self.name!r} shape={self.scenario.shape}>"


class Projection:
    """The result of :func:`meshcost.project`: one :class:`MeshResult` per mesh."""

    def __init__(self, scenario: Scenario, results: dict[str, MeshResult], cost_settings: CostSettings) -> None:
        self.scenario = scenario
        self._results = results
        self.cost_settings = cost_settings

    @property
    def meshes(self) -> tuple[str, ...]:
        """Names of the meshes projected, in order."""
        return tuple(self._results)

    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the scenario inputs; every output has it."""
        return self.scenario.shape

    @property
    def inputs(self) -> dict[str, Any]:
        """The scenario inputs after defaults, broadcast to :attr:`shape` (plain numbers)."""
        return {k: _full(v, self.shape) for k, v in self.scenario.inputs().items()}

    def __getitem__(self, mesh: str) -> MeshResult:
        try:
            return self._results[mesh]
        except KeyError:
            raise UnknownNameError(f"mesh {mesh!r} is not in this projection; it has {list(self._results)}") from None

    def __iter__(self) -> Iterator[MeshResult]:
        return iter(self._results.values())

    def __len__(self) -> int:
        return len(self._results)

    def to_frame(self) -> "pd.DataFrame":
        """A tidy DataFrame: one row per scenario x mesh x component (see :data:`FRAME_COLUMNS`).

        Memory and CPU are the component's totals over its instances; latency columns hold the
        component's share of the per-hop latency (0 for components off the request path).
        Per-mesh totals equal the sums over a mesh's components.
        """
        import pandas as pd

        size = int(np.prod(self.shape, dtype=np.int64))
        inputs = {k: np.broadcast_to(v, self.shape).reshape(size) for k, v in self.scenario.inputs().items()}
        blocks: dict[str, list[np.ndarray]] = {c: [] for c in FRAME_COLUMNS}
        zero = np.zeros(())

        def flat(a: np.ndarray) -> np.ndarray:
            return np.broadcast_to(a, self.shape).reshape(size)

        for result in self:
            for comp in result.components.values():
                blocks["scenario"].append(np.arange(size))
                for k, v in inputs.items():
                    blocks[k].append(v)
                blocks["mesh"].append(np.full(size, result.name, dtype=object))
                blocks["component"].append(np.full(size, comp.name, dtype=object))
                blocks["instances"].append(flat(comp.usage.instances).astype(np.float64))
                lat = result._component_latency.get(comp.name, ((zero,) * 3, (zero,) * 3))
                money = result._costs[comp.name]
                for label, bands in (("memory", comp.usage.memory), ("cpu", comp.usage.cpu),
                                     ("latency_p50", lat[0]), ("latency_p99", lat[1]),
                                     ("reserved_memory", money.reserved_memory), ("reserved_cpu", money.reserved_cpu),
                                     ("billable_memory", money.billable_memory), ("billable_cpu", money.billable_cpu),
                                     ("cost", money.cost)):
                    unit = _FRAME_UNITS[label]
                    for band_name, band in zip(BAND_NAMES, bands):
                        suffix = "" if band_name == "typical" else f"_{band_name}"
                        blocks[f"{label}{suffix} [{unit}]"].append(flat(band))
                saturated = comp.usage.saturated[1] if comp.usage.saturated else np.zeros((), dtype=bool)
                blocks["saturated"].append(np.broadcast_to(saturated, self.shape).reshape(size))
        data = {c: np.concatenate(v) if v else np.array([]) for c, v in blocks.items()}
        frame = pd.DataFrame(data, columns=list(FRAME_COLUMNS))
        frame["mesh"] = frame["mesh"].astype(str)
        frame["component"] = frame["component"].astype(str)
        currency = self.cost_settings.currency
        if currency != "USD":
            frame = frame.rename(columns=lambda c: c.replace("[USD/month]", f"[{currency}/month]"))
        return frame

    def mesh_frame(self) -> "pd.DataFrame":
        """One row per scenario x mesh: the inputs, then each mesh's totals.

        Columns: ``scenario``, the inputs, ``mesh``, ``version``, and for each figure in
        memory [MiB], cpu [vCPU], latency_p50 [ms], latency_p99 [ms] the typical value,
        ``_low`` and ``_high``, and ``_p5``/``_p50``/``_p95`` (every computed percentile)
        when ``project(samples=...)`` ran; then reserved_memory [MiB], reserved_cpu [vCPU],
        billable_memory [MiB], billable_cpu [vCPU], cost [<currency>/month], extra_nodes
        [nodes] and capacity_share [fraction], each typical, ``_low``, ``_high``; last,
        ``saturated`` (a proxy's CPU demand reaches its worker threads, typical band) and
        ``extrapolated`` (an input beyond the published measurements behind the mesh).
        """
        import pandas as pd

        size = int(np.prod(self.shape, dtype=np.int64))
        inputs = {k: np.broadcast_to(v, self.shape).reshape(size) for k, v in self.scenario.inputs().items()}
        frames = []
        for result in self:
            data: dict[str, Any] = {"scenario": np.arange(size), **inputs,
                                    "mesh": np.full(size, result.name, dtype=object),
                                    "version": np.full(size, result.profile.version, dtype=object)}
            for figure, unit in (("memory", "MiB"), ("cpu", "vCPU"), ("latency_p50", "ms"), ("latency_p99", "ms")):
                band = getattr(result, figure)
                for name, array in _typical_first(band._arrays):
                    suffix = "" if name == "typical" else f"_{name}"
                    data[f"{figure}{suffix} [{unit}]"] = np.broadcast_to(array, self.shape).reshape(size)
                for percent, array in (band._percentiles or {}).items():
                    data[f"{figure}_p{percent:g} [{unit}]"] = np.broadcast_to(array, self.shape).reshape(size)
            currency = self.cost_settings.currency
            for figure, unit in (("reserved_memory", "MiB"), ("reserved_cpu", "vCPU"), ("billable_memory", "MiB"),
                                 ("billable_cpu", "vCPU"), ("cost", f"{currency}/month"), ("extra_nodes", "nodes"),
                                 ("capacity_share", "fraction")):
                for name, array in _typical_first(result._mesh_cost[figure]):
                    suffix = "" if name == "typical" else f"_{name}"
                    data[f"{figure}{suffix} [{unit}]"] = np.broadcast_to(array, self.shape).reshape(size)
            data["saturated"] = np.broadcast_to(result._saturated[1], self.shape).reshape(size)
            data["extrapolated"] = np.broadcast_to(result.extrapolated, self.shape).reshape(size)
            frames.append(pd.DataFrame(data))
        frame = pd.concat(frames, ignore_index=True)
        frame["mesh"] = frame["mesh"].astype(str)
        frame["version"] = frame["version"].astype(str)
        return frame

    def notes(self, scenario: int | None = None) -> list[str]:
        """Every mesh's warnings (saturation, extrapolation, dominant assumptions), one line each.

        The printed and HTML comparisons show these; see :meth:`MeshResult.notes`.
        """
        return [line for result in self for line in result.notes(scenario)]

    def sources(self) -> "pd.DataFrame":
        """Which published figures produced each coefficient: one row per coefficient and source.

        Columns: mesh, version, component, resource, driver, low, typical, high, unit (as
        published), basis, note, source_id, source, version_or_date, conditions. Coefficients
        resting on no source row (user overrides, assumptions) appear once with an empty
        ``source_id``. The charts' values follow, with basis ``default``: resource
        ``request_cpu`` [vCPU], ``request_memory`` [MiB], ``limit_cpu``, ``limit_memory`` or
        ``replicas`` (low = minimum, high = maximum), driver the install profile
        (``default``, ``demo``, ``ha``).
        """
        import pandas as pd

        from .reference.sources import all_sources

        table = all_sources()
        rows = []
        for result in self:
            entries = [(component, resource, driver, coef.low, coef.typical, coef.high, coef.unit, coef.basis,
                        coef.note, coef.sources) for component, resource, driver, coef in result.profile.coefficients()]
            for comp in result.profile.components:
                for install, res in comp.resources:
                    for resource, value, unit in (("request_cpu", res.cpu_request, "vCPU"),
                                                  ("request_memory", res.memory_request, "MiB"),
                                                  ("limit_cpu", res.cpu_limit, "vCPU"),
                                                  ("limit_memory", res.memory_limit, "MiB")):
                        if value is not None:
                            entries.append((comp.name, resource, install, value, value, value, unit, "default",
                                            res.note, res.sources))
                    if res.replicas is not None:
                        entries.append((comp.name, "replicas", install, res.replicas.minimum, res.replicas.minimum,
                                        res.replicas.maximum, "count", "default", res.note, res.sources))
            for component, resource, driver, low, typical, high, unit, basis, note, cites in entries:
                base = {"mesh": result.name, "version": result.profile.version, "component": component,
                        "resource": resource, "driver": driver, "low": low, "typical": typical,
                        "high": high, "unit": unit, "basis": basis, "note": note}
                cited = [s for s in cites if s in table] or [""]
                for source_id in cited:
                    src = table.get(source_id)
                    rows.append({**base, "source_id": source_id,
                                 "source": src.cite() if src else "; ".join(cites),
                                 "version_or_date": src.version if src else "",
                                 "conditions": src.conditions if src else ""})
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        from .report import format_projection

        return format_projection(self)

    def _repr_html_(self) -> str:
        from .display import projection_html

        return projection_html(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a documented, stable schema (see ``meshcost.export``)."""
        from .export import projection_to_dict

        return projection_to_dict(self)

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string; ``kwargs`` go to ``json.dumps``."""
        from .export import projection_to_json

        return projection_to_json(self, **kwargs)

    def __repr__(self) -> str:
        return f"<Projection meshes={list(self.meshes)} shape={self.shape}>"
