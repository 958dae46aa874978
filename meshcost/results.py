"""Results: magnitudes inside, pint Quantities on the way out.

A :class:`Projection` holds, for each mesh, the arrays the kernels produced (band axis first)
and wraps them in Quantities only when asked (``r["linkerd"].memory.typical``), so a
projection of a million scenarios costs numpy time, not pint time. Every figure of the
registry (:data:`meshcost.figures.FIGURES`) is an attribute of the results that carry it, a
set of frame columns and a JSON entry; none is written out by hand here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Collection, Iterator, Mapping

import numpy as np

from .band import Band, full
from .errors import UnknownNameError
from .checks import chosen_figures
from .figures import BANDS, Figure, band_columns, column, figure, figures, flags, frame_columns, mesh_frame_columns
from .kernels.mesh import MeshFigures, add_money, evaluate
from .kernels.scenario import Scenario
from .kernels.usage import Setup, Usage, Values, component_terms, per_instance, proxy_load
from .money import CostSettings, money_inputs
from .reference.profiles import EXTRAPOLATION_QUANTITIES, TEMPLATED_RULES, ComponentProfile, MeshProfile
from .units import DIMENSIONLESS, MIB, MS, VCPU

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr

    from .labelled import Labels

__all__ = ["Band", "ComponentResult", "MeshResult", "Projection", "Extrapolation", "FRAME_COLUMNS"]

#: The columns of :meth:`Projection.to_frame`, in order (a public contract; cost columns
#: carry the price sheet's currency).
FRAME_COLUMNS: tuple[str, ...] = frame_columns()

_UNITS = {"memory": MIB, "cpu": VCPU, "time": MS, "count": DIMENSIONLESS, "fraction": DIMENSIONLESS}


def _unit(fig: Figure, settings: CostSettings) -> Any:
    return settings.prices.unit if fig.kind == "money" else _UNITS[fig.kind]


def _full_bool(array: Any, shape: tuple[int, ...]) -> Any:
    array = np.broadcast_to(np.asarray(array, dtype=bool), shape)
    return bool(array) if shape == () else array.copy()


def _flat(array: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` broadcast to ``shape`` and flattened (C order)."""
    if type(array) is np.ndarray and array.shape == shape:
        return array.reshape(-1)
    if not shape and np.ndim(array) == 0:
        return np.asarray(array).reshape(1)
    return np.broadcast_to(array, shape).reshape(math.prod(shape))


def _fill(column: np.ndarray, parts: list[Any], size: int, scenario_major: bool) -> None:
    """Write one frame column: part i (a mesh, or a mesh's component: ``size`` values or a number)
    into its rows, part by part (i x scenario) or interleaved (scenario x i, ``scenario_major``)."""
    if scenario_major:
        rows = column.reshape(size, len(parts))
        for number, part in enumerate(parts):
            rows[:, number] = part
    else:
        rows = column.reshape(len(parts), size)
        for number, part in enumerate(parts):
            rows[number] = part


def _scenarios(parts: int, size: int, scenario_major: bool) -> np.ndarray:
    """The ``scenario`` column in :func:`_fill`'s row order."""
    return np.repeat(np.arange(size), parts) if scenario_major else np.tile(np.arange(size), parts)


def _categorical(codes: list[int], categories: list[str], size: int, scenario_major: bool) -> Any:
    """A categorical column holding ``codes[i]`` in the rows of part i (in :func:`_fill`'s order)."""
    import pandas as pd

    array = np.asarray(codes, dtype=np.int8)
    codes_column = np.tile(array, size) if scenario_major else np.repeat(array, size)
    return pd.Categorical.from_codes(codes_column, dtype=_category_dtype(tuple(categories)))


@lru_cache(maxsize=64)
def _category_dtype(categories: tuple[str, ...]) -> Any:
    """The categorical dtype of ``categories`` (built once: pandas validates categories on every build)."""
    import pandas as pd

    return pd.CategoricalDtype(list(categories))


def _frame(block: np.ndarray, floats: list[str], labels: Mapping[str, Any], order: tuple[str, ...]) -> "pd.DataFrame":
    """A DataFrame over ``block`` (one row per float column) without copying it, with the
    ``labels`` columns inserted so that the columns come in ``order``."""
    import pandas as pd

    frame = pd.DataFrame(block.T, columns=floats, copy=False)
    for position, name in enumerate(order):
        if name in labels:
            frame.insert(position, name, labels[name])
    return frame


def _quantity(quantity: str, comp: ComponentProfile, instances: np.ndarray, scenario: Scenario) -> np.ndarray:
    """A scenario quantity that component measurements can be bounded by (see EXTRAPOLATION_QUANTITIES)."""
    if quantity == "pods_per_node":
        return scenario.sidecars / scenario.nodes
    if quantity == "rps_per_instance":
        return proxy_load(comp, scenario, instances)
    return np.asarray(getattr(scenario, quantity))


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


class ComponentResult:
    """One component of a mesh: its instances and, for every component figure of the registry,
    its total over them (``.memory``, ``.cpu``, ``.cost``, ...; latency only on the request path)."""

    def __init__(self, mesh: "MeshResult", profile: ComponentProfile) -> None:
        self._mesh = mesh
        self.profile = profile
        self.shape = mesh.scenario.shape

    @property
    def name(self) -> str:
        """Component name (``sidecar``, ``ztunnel``, ``istiod``, ...)."""
        return self.profile.name

    @property
    def usage(self) -> Usage:
        """The kernel's usage record: instances, memory, CPU and saturation, band axis first."""
        return self._mesh._figures.usages[self.name]

    @property
    def instances(self) -> Any:
        """How many instances run [count] (float or array)."""
        return full(self.usage.instances, self.shape)

    @property
    def saturated(self) -> Any:
        """Whether this proxy's CPU demand reaches what its worker threads can use (typical band) [bool]."""
        return _full_bool(self.usage.saturated[1], self.shape)

    def flag(self, name: str) -> Any:
        """A component flag of the registry (:data:`meshcost.figures.FLAGS`) by name [bool or bool array]."""
        if name != "saturated":
            raise AttributeError(f"{name!r} is not a component flag")
        return self.saturated

    def figure(self, name: str) -> Band | None:
        """A component figure by name; None for a latency figure of a component off the request path."""
        fig = figure(name)
        if "component" not in fig.levels:
            raise AttributeError(f"{name!r} is a mesh figure, not a component figure")
        values = self._mesh._component_values(fig).get(self.name)
        if values is None:
            return None
        return Band(values, _unit(fig, self._mesh.cost_settings), self.shape)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in {f.name for f in figures("component")}:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        return self.figure(name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {f.name for f in figures("component")})

    def _per_instance(self, values: np.ndarray) -> np.ndarray:
        return per_instance(values, self.usage.instances)

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
        skew = self._mesh.cost_settings.skew if self.profile.instances in TEMPLATED_RULES else 1.0
        return Band(self._per_instance(self.usage.cpu) * skew, VCPU, self.shape)

    def __repr__(self) -> str:
        if self.shape == ():
            each = float(self.memory_per_instance.magnitudes()[1])
            cpu = float(self.usage.cpu[1])
            return (f"<ComponentResult {self._mesh.name}.{self.name}: {float(self.usage.instances):,.0f} instances, "
                    f"{each:,.4g} MiB each, {cpu:.3g} vCPU in all (typical)>")
        return f"<ComponentResult {self._mesh.name}.{self.name} shape={self.shape}>"


class MeshResult:
    """What one mesh adds: every mesh figure of the registry (``.memory``, ``.cpu``,
    ``.latency_p99``, ``.cost``, ``.extra_nodes``, ...), its components, and its flags."""

    def __init__(self, profile: MeshProfile, scenario: Scenario, values: Values, setup: Mapping[str, Setup],
                 instances: Mapping[str, np.ndarray], cost_settings: CostSettings,
                 percentiles: Mapping[str, Mapping[float, np.ndarray]] | None = None) -> None:
        self.profile = profile
        self.name = profile.name
        self.scenario = scenario
        self.setup = dict(setup)
        self.cost_settings = cost_settings
        self._values = values
        self._mc = {k: dict(v) for k, v in (percentiles or {}).items()}
        self._figures: MeshFigures = evaluate(profile, scenario, setup, values, instances)
        for component in self._figures.components.values():  # an L7 proxy's share of the mixture (what it adds
            for name in ("latency_p50", "latency_p99"):       # over the L4 path) can cross between bands by a
                if name in component:                         # hair; its bands are kept ordered
                    component[name] = np.maximum.accumulate(component[name], axis=0)
        self._saturated = np.logical_or.reduce([u.saturated for u in self._figures.usages.values()])

    @property
    def title(self) -> str:
        """Human-readable mesh name."""
        return self.profile.title

    def _money(self) -> None:
        """Compute the money figures on first use (they are not needed for usage or latency)."""
        if "cost" in self._figures.totals:
            return
        add_money(self._figures, self.profile, self.scenario, money_inputs(self.profile, self.cost_settings))

    def _component_values(self, fig: Figure) -> dict[str, np.ndarray]:
        if fig.source == "money":
            self._money()
        return {name: values[fig.name] for name, values in self._figures.components.items() if fig.name in values}

    def figure(self, name: str) -> Band:
        """A mesh figure by name (``"memory"``, ``"cost"``, ...), with its Monte Carlo percentiles."""
        fig = figure(name)
        if "mesh" not in fig.levels:
            raise AttributeError(f"{name!r} is not a mesh figure")
        if fig.source == "money":
            self._money()
        return Band(self._figures.totals[name], _unit(fig, self.cost_settings), self.scenario.shape,
                    self._mc.get(name))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in {f.name for f in figures("mesh")}:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        return self.figure(name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {f.name for f in figures("mesh")})

    @cached_property
    def components(self) -> dict[str, ComponentResult]:
        """The mesh's components by name."""
        return {c.name: ComponentResult(self, c) for c in self.profile.components}

    @property
    def saturated(self) -> Any:
        """Whether a proxy's CPU demand reaches what its worker threads can use (typical band) [bool].

        Its CPU is then capped there (never billed past it) and its latency is infinite.
        """
        return _full_bool(self._saturated[1], self.scenario.shape)

    def flag(self, name: str) -> Any:
        """A mesh flag of the registry (:data:`meshcost.figures.FLAGS`) by name [bool or bool array]."""
        if name not in {f.name for f in flags("mesh")}:
            raise AttributeError(f"{name!r} is not a mesh flag")
        return getattr(self, name)

    @cached_property
    def _pods_per_node(self) -> np.ndarray:
        """Pods on the fullest node: its share of the meshed pods plus the mesh's own per-node pods."""
        per_node = sum(1 for c in self.profile.components if c.instances == "nodes")
        return np.ceil(self.scenario.sidecars / self.scenario.nodes) + per_node

    @property
    def overpacked(self) -> Any:
        """Whether the fullest node would hold more pods than the node type allows (max pods) [bool].

        Counts the meshed pods (spread evenly) and the mesh's own per-node pods (ztunnel,
        istio-cni), not other DaemonSets: a lower bound on the pods per node.
        """
        return _full_bool(self._pods_per_node > self.cost_settings.node.max_pods, self.scenario.shape)

    @cached_property
    def _oversized(self) -> dict[str, np.ndarray]:
        """Per component: where one instance requests or uses (typical) more than a node's allocatable."""
        self._money()
        settings = self.cost_settings
        found = {}
        for name, values in self._figures.components.items():
            use = self._figures.usages[name]
            each = [per_instance(values[k][1], use.instances) for k in ("reserved_cpu", "reserved_memory")]
            each += [per_instance(use.cpu[1], use.instances), per_instance(use.memory[1], use.instances)]
            where = ((each[0] > settings.allocatable_cpu) | (each[1] > settings.allocatable_memory)
                     | (each[2] > settings.allocatable_cpu) | (each[3] > settings.allocatable_memory))
            where = np.broadcast_to(where, self.scenario.shape)
            if where.any():
                found[name] = where
        return found

    @property
    def oversized(self) -> Any:
        """Whether one instance of a component requests or uses (typical) more CPU or memory than
        one node's allocatable capacity: it cannot be scheduled on this node type [bool]."""
        found = list(self._oversized.values())
        return _full_bool(np.logical_or.reduce(found) if found else np.zeros(self.scenario.shape, dtype=bool),
                          self.scenario.shape)

    @property
    def requests_nothing(self) -> tuple[str, ...]:
        """Components whose install (chart or your ``requests``) requests no CPU and no memory.

        Kubernetes reserves nothing for them, so nodes can be over-committed, and their
        as-installed cost is their usage alone. Empty with ``sizing="usage"``.
        """
        requests = money_inputs(self.profile, self.cost_settings).requests
        return tuple(name for name, request in requests.items() if request is not None and not any(request))

    @cached_property
    def extrapolations(self) -> list[Extrapolation]:
        """Scenario quantities beyond the published measurements behind each component."""
        scenario = self.scenario
        found = []
        for comp in self.profile.components:
            count = self._figures.usages[comp.name].instances
            for bound in comp.measured:
                value = _quantity(bound.quantity, comp, count, scenario)
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
        instances = {name: u.instances for name, u in self._figures.usages.items()}
        terms = component_terms(self.profile, self.scenario, self.setup, instances)
        shape = self.scenario.shape
        basis = {(c, r, d): coef.basis for c, r, d, coef in self.profile.coefficients()}
        out = []
        for name, use in self._figures.usages.items():
            memory_terms, cpu_terms = terms[name]
            for resource, rows, total in (("memory", memory_terms, use.memory[1]), ("cpu", cpu_terms, use.cpu[1])):
                raw = [_flat(np.asarray(self._values[k])[1] * d, shape) for k, d in rows]
                demand = sum(raw, np.zeros(int(np.prod(shape, dtype=np.int64))))
                capped = _flat(total, shape)
                with np.errstate(divide="ignore", invalid="ignore"):  # a saturated proxy: scale to its cap
                    scale = np.where(demand > 0, capped / np.where(demand > 0, demand, 1.0), 1.0)
                for (key, _), value in zip(rows, raw):
                    out.append((name, resource, key[2], basis.get(key, "assumption"), value * scale))
        return out

    def contributions(self) -> "pd.DataFrame":
        """What each coefficient adds to the mesh's typical memory and CPU, with its basis.

        One row per scenario x term: ``scenario``, ``component``, ``resource`` (memory /
        cpu), ``driver``, ``basis`` (measured / derived / default / assumption), ``value``
        (typical, MiB or vCPU; a saturated proxy's CPU terms are scaled to its cap) and
        ``share`` of the mesh's typical total.
        """
        import pandas as pd

        shape = self.scenario.shape
        size = int(np.prod(shape, dtype=np.int64))
        totals = {"memory": _flat(self._figures.totals["memory"][1], shape),
                  "cpu": _flat(self._figures.totals["cpu"][1], shape)}
        frames = []
        for component, resource, driver, basis, value in self._contribution_arrays():
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(totals[resource] > 0, value / np.where(totals[resource] > 0, totals[resource], 1.0),
                                 0.0)
            frames.append(pd.DataFrame({"scenario": np.arange(size), "component": component, "resource": resource,
                                        "driver": driver, "basis": basis, "value": value, "share": share}))
        return pd.concat(frames, ignore_index=True)

    def notes(self, scenario: int | None = None) -> list[str]:
        """Warnings a reader of the totals needs, one line each (saturation, extrapolation, assumptions).

        For a projection of many scenarios, ``scenario`` picks one (flat index); without it the
        lines count the scenarios concerned. An assumption is flagged when it is the largest
        term of the mesh's typical memory or CPU.
        """
        shape = self.scenario.shape
        size = int(np.prod(shape, dtype=np.int64))
        pick = 0 if size == 1 else scenario
        lines = []
        for name, use in self._figures.usages.items():
            flags = _flat(use.saturated[1], shape)
            if not flags.any():
                continue
            setup = self.setup[name]
            what = (f"{self.name}: {name} saturates: its CPU demand reaches what its {setup.workers:g} worker "
                    f"thread(s) can use ({setup.cpu_cap:g} vCPU per instance); CPU is capped there and latency "
                    "is infinite")
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
                count = self._figures.usages[found.component].instances
                value = _flat(_quantity(found.quantity, comp, count, self.scenario), shape)[pick]
                lines.append(f"{self.name}: {found.describe(float(value))}")
        lines += self._fit_notes(pick, size)
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

    def _fit_notes(self, pick: int | None, size: int) -> list[str]:
        """Notes on pods a node cannot hold, instances bigger than a node, and unreserved installs."""
        settings = self.cost_settings
        node = settings.node
        shape = self.scenario.shape
        lines = []
        packed = _flat(np.asarray(self.overpacked), shape)
        if packed.any() and (pick is None or packed[pick]):
            count = "" if pick is None else f" ({_flat(self._pods_per_node, shape)[pick]:,.0f} per node)"
            text = (f"{self.name}: more pods per node{count} than the node type {node.name or ''} allows ({node.max_pods} "
                    "max pods): no cluster of this many nodes holds these pods; give more nodes")
            lines.append(text if pick is not None else f"{text} (in {int(packed.sum()):,} of {size:,} scenarios)")
        for name, where in self._oversized.items():
            flat = where.reshape(size)
            if pick is None or flat[pick]:
                text = (f"{self.name}: one {name} instance requests or uses more than a node's "
                        f"allocatable ({node.name or 'this node type'}: {settings.allocatable_cpu:g} vCPU, "
                        f"{settings.allocatable_memory:,.0f} MiB): "
                        "it cannot be scheduled there; choose a larger node")
                lines.append(text if pick is not None else f"{text} (in {int(flat.sum()):,} of {size:,} scenarios)")
        unrequested = self.requests_nothing
        if unrequested:
            install = settings.install.get(self.name, "default")
            others = sorted({k for c in self.profile.components for k, r in c.resources
                             if k != install and (r.cpu_request or r.memory_request)})
            hint = f", or install={{'{self.name}': '{others[0]}'}}" if others else ""
            lines.append(f"{self.name}: its '{install}' install requests no CPU or memory for "
                         f"{', '.join(unrequested)}: Kubernetes reserves nothing, nodes can be over-committed, and "
                         f"the as-installed cost bills usage only; compare the right-sized cost{hint}")
        return lines

    def path_latency(self, hops: Any) -> Any:
        """Latency added along a request that crosses ``hops`` service-to-service hops [ms].

        Returns a :class:`meshcost.latency.PathLatency`: ``.p50`` and ``.p99`` composed over the
        hops (Fenton-Wilkinson on per-hop lognormals) and ``.naive_p99`` (hops x per-hop p99)
        for comparison; ``hops`` broadcasts with the scenario shape.
        """
        from .latency import compose_hops

        return compose_hops(tuple(self._figures.totals["latency_p50"]), tuple(self._figures.totals["latency_p99"]),
                            hops)

    def sources(self) -> list[str]:
        """Ids of the published-figure rows behind this mesh's coefficients (see ``meshcost.sources_frame``)."""
        seen: dict[str, None] = {}
        for _, _, _, coef in self.profile.coefficients():
            for source in coef.sources:
                seen.setdefault(source, None)
        return list(seen)

    def _repr_html_(self) -> str:
        from .formatting_html import mesh_html

        return mesh_html(self)

    def __repr__(self) -> str:
        if self.scenario.shape == ():
            memory, cpu, p99 = (float(self._figures.totals[f][1]) for f in ("memory", "cpu", "latency_p99"))
            return (f"<MeshResult {self.name!r} ({self.profile.version}): {memory / 1024:,.4g} GiB, {cpu:,.3g} vCPU, "
                    f"p99 {p99:.3g} ms per hop (typical)>")
        return f"<MeshResult {self.name!r} shape={self.scenario.shape}>"


class Projection:
    """The result of :func:`meshcost.project`: one :class:`MeshResult` per mesh."""

    def __init__(self, scenario: Scenario, results: dict[str, MeshResult], cost_settings: CostSettings,
                 labels: "Labels | None" = None) -> None:
        self.scenario = scenario
        self._results = results
        self.cost_settings = cost_settings
        self.labels = labels  #: the named dimensions when the inputs were xarray DataArrays

    @property
    def dims(self) -> tuple[str, ...]:
        """Names of the scenario axes: the inputs' dimension names for DataArray inputs, else
        ``dim_0``, ``dim_1``, ..."""
        return self.labels.dims if self.labels is not None else tuple(f"dim_{i}" for i in range(len(self.shape)))

    def to_xarray(self, variables: "Collection[str] | None" = None) -> "xr.Dataset":
        """The projection as an xarray Dataset (needs xarray).

        Dims: the scenario axes (:attr:`dims`, with the coordinates of DataArray inputs), ``mesh``,
        ``band`` (low / typical / high), ``component`` and, after Monte Carlo, ``percentile``.
        Variables: every mesh figure (``memory``, ``cost``, ...; dims ``(*dims, mesh, band)``),
        ``<figure>_percentile``, the mesh flags, ``instances`` and ``component_<figure>`` /
        ``component_<flag>`` per component (NaN where a mesh has no such component), and the
        inputs that are not dimensions; units in each variable's ``attrs["units"]``. The values
        are those of :meth:`to_frame` and :meth:`mesh_frame`. ``variables`` keeps only those named.
        """
        from .labelled import to_xarray

        return to_xarray(self, variables)

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
        return {k: full(v, self.shape) for k, v in self.scenario.inputs().items()}

    def __getitem__(self, mesh: str) -> MeshResult:
        try:
            return self._results[mesh]
        except KeyError:
            raise UnknownNameError(f"mesh {mesh!r} is not in this projection; it has {list(self._results)}",
                                   parameter="mesh", value=repr(mesh), expected=str(list(self._results))) from None

    def __iter__(self) -> Iterator[MeshResult]:
        return iter(self._results.values())

    def __len__(self) -> int:
        return len(self._results)

    @property
    def percentiles(self) -> tuple[float, ...]:
        """The Monte Carlo percentiles computed (empty without ``samples``)."""
        for result in self:
            if result._mc:
                return tuple(sorted(next(iter(result._mc.values()))))
        return ()

    def to_frame(self, figures: Collection[str] | None = None) -> "pd.DataFrame":
        """A tidy DataFrame: one row per scenario x mesh x component (see :data:`FRAME_COLUMNS`).

        Memory and CPU are the component's totals over its instances; latency columns hold the
        component's share of the per-hop latency (0 for components off the request path).
        Per-mesh totals equal the sums over a mesh's components. ``mesh`` and ``component``
        are categoricals. The float columns are written once into one preallocated block (no
        copy when the frame is built), so the frame's memory is about its own size: 2.7 KiB
        per scenario with every figure. ``figures`` keeps only the named figures' columns
        (``["memory", "cost"]``; the inputs, ``instances`` and flags stay), and the money
        figures are computed only when one is asked for.
        """
        return self._to_frame(scenario_major=False, figures=figures)

    def _to_frame(self, *, scenario_major: bool, figures: Collection[str] | None = None) -> "pd.DataFrame":
        """:meth:`to_frame`, its rows ordered mesh x component x scenario, or (``scenario_major``,
        as a sweep writes them) scenario x mesh x component."""
        chosen = chosen_figures(figures, "component")
        currency = self.cost_settings.currency
        pairs = [(result, comp) for result in self for comp in result.profile.components]
        size = int(np.prod(self.shape, dtype=np.int64))
        inputs = {k: _flat(v, self.shape) for k, v in self.scenario.inputs().items()}
        order = frame_columns(currency, chosen)
        flag_names = [flag.name for flag in flags("component")]
        floats = [name for name in order if name not in ("scenario", "mesh", "component", *flag_names)]
        parts: dict[str, list[Any]] = {name: [] for name in [*floats[len(inputs):], *flag_names]}
        by_figure = {result.name: {fig.name: result._component_values(fig) for fig in chosen} for result in self}
        for result, comp in pairs:
            parts["instances"].append(_flat(result._figures.usages[comp.name].instances, self.shape))
            for fig in chosen:
                found = by_figure[result.name][fig.name].get(comp.name)
                if found is not None and found.shape != (3, *self.shape):
                    found = np.broadcast_to(found, (3, *self.shape))
                for band, name in band_columns(fig, currency):
                    parts[name].append(0.0 if found is None else _flat(found[BANDS.index(band)], self.shape))
            comp_result = result.components[comp.name]
            for name in flag_names:
                parts[name].append(_flat(np.asarray(comp_result.flag(name)), self.shape))
        block = np.empty((len(floats), size * len(pairs)))
        for i, name in enumerate(floats):  # column by column: each column's rows stay in cache while written
            _fill(block[i], [inputs[name]] * len(pairs) if name in inputs else parts[name], size, scenario_major)
        flag_values = {name: np.empty(size * len(pairs), dtype=bool) for name in flag_names}
        for name in flag_names:
            _fill(flag_values[name], parts[name], size, scenario_major)
        meshes = [result.name for result in self]
        components = list(dict.fromkeys(comp.name for _, comp in pairs))
        labels = {
            "scenario": _scenarios(len(pairs), size, scenario_major),
            "mesh": _categorical([meshes.index(result.name) for result, _ in pairs], meshes, size, scenario_major),
            "component": _categorical([components.index(comp.name) for _, comp in pairs], components, size,
                                      scenario_major),
            **flag_values,
        }
        return _frame(block, floats, labels, order)

    def mesh_frame(self, figures: Collection[str] | None = None) -> "pd.DataFrame":
        """One row per scenario x mesh: the inputs, then each mesh figure of the registry.

        Columns: ``scenario``, the inputs, ``mesh``, ``version``, then for each figure
        (memory [MiB], cpu [vCPU], latency_p50 [ms], latency_p99 [ms], reserved_memory [MiB],
        reserved_cpu [vCPU], billable_memory [MiB], billable_cpu [vCPU], cost
        [<currency>/month], extra_nodes [nodes], capacity_share [fraction]) the typical value,
        ``_low`` and ``_high``, and ``_p5``/``_p50``/``_p95`` (every computed percentile) when
        ``project(samples=...)`` ran; last, the flags of :data:`meshcost.figures.FLAGS`:
        ``saturated`` (a proxy's CPU demand reaches its worker threads, typical band),
        ``extrapolated`` (an input beyond the published measurements behind the mesh),
        ``overpacked`` (more pods per node than the node type allows) and ``oversized`` (one
        instance bigger than a node's allocatable capacity). ``mesh`` and ``version`` are
        categoricals. ``figures`` keeps only the named figures' columns (``["memory", "cost"]``).
        """
        return self._mesh_frame(scenario_major=False, figures=figures)

    def _mesh_frame(self, *, scenario_major: bool, figures: Collection[str] | None = None) -> "pd.DataFrame":
        """:meth:`mesh_frame`, its rows ordered mesh x scenario, or scenario x mesh."""
        chosen = chosen_figures(figures, "mesh")
        currency = self.cost_settings.currency
        results = list(self)
        size = int(np.prod(self.shape, dtype=np.int64))
        inputs = {k: _flat(v, self.shape) for k, v in self.scenario.inputs().items()}
        order = mesh_frame_columns(currency, self.percentiles, chosen)
        flag_names = [flag.name for flag in flags("mesh")]
        floats = [name for name in order if name not in ("scenario", "mesh", "version", *flag_names)]
        parts: dict[str, list[Any]] = {name: [] for name in [*floats[len(inputs):], *flag_names]}
        for result in results:
            for fig in chosen:
                band = result.figure(fig.name)
                for band_name, name in band_columns(fig, currency):
                    parts[name].append(_flat(band.values[BANDS.index(band_name)], self.shape))
                for percent, array in result._mc.get(fig.name, {}).items():
                    parts[column(fig.name, fig.unit_for(currency), f"p{percent:g}")].append(_flat(array, self.shape))
            for name in flag_names:
                parts[name].append(_flat(np.asarray(result.flag(name)), self.shape))
        block = np.empty((len(floats), size * len(results)))
        for i, name in enumerate(floats):
            _fill(block[i], [inputs[name]] * len(results) if name in inputs else parts[name], size, scenario_major)
        flag_values = {name: np.empty(size * len(results), dtype=bool) for name in flag_names}
        for name in flag_names:
            _fill(flag_values[name], parts[name], size, scenario_major)
        meshes = [result.name for result in results]
        versions = list(dict.fromkeys(result.profile.version for result in results))
        labels = {
            "scenario": _scenarios(len(results), size, scenario_major),
            "mesh": _categorical(list(range(len(results))), meshes, size, scenario_major),
            "version": _categorical([versions.index(r.profile.version) for r in results], versions, size,
                                    scenario_major),
            **flag_values,
        }
        return _frame(block, floats, labels, order)

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
        from .reference.sources import sources_table

        return sources_table([result.profile for result in self])

    def __str__(self) -> str:
        from .formatting import format_text

        return format_text(self)

    def _repr_html_(self) -> str:
        from .formatting_html import format_html

        return format_html(self)

    def to_html(self, path: Any = None, title: str = "meshcost report") -> str | None:
        """A shareable report: one self-contained HTML page (no network, inline SVG plots).

        The scenario, the comparison on both cost bases, memory / CPU / latency with their
        bands, the components, the assumptions that dominate each total, the flags and the
        sources. Returns the page, or writes it to ``path`` (a file is replaced only when the
        page is complete) and returns None. Plots need matplotlib (``meshcost[plot]``).
        """
        from .report import report_html, write_report

        if path is None:
            return report_html(self, title)
        write_report(self, path, title)
        return None

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

