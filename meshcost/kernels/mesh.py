"""One mesh's figures from its kernels, by the registry's sources: usage, latency, money.

:func:`evaluate` returns every figure a source computes, per component and as the mesh's
totals (additive figures summed over components), band axis first. The projection calls it
with the deterministic bands (low, typical, high) and Monte Carlo with coefficient samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..figures import figures
from ..reference.profiles import TEMPLATED_RULES, MeshProfile
from .money import Prices, component_money, mesh_money, node_costs
from .scenario import Scenario
from .usage import Setup, Usage, Values, aligned, component_latency, usage

__all__ = ["MoneyInputs", "MeshFigures", "evaluate", "add_money"]


@dataclass(frozen=True)
class MoneyInputs:
    """What turns one mesh's usage into money.

    ``requests``: per component, the per-instance (CPU [vCPU], memory [MiB]) the install
    reserves, or None to right-size to usage; ``skew``: the busiest instance's CPU over the
    average (scenario-shaped); the node's allocatable CPU [vCPU] and memory [MiB]; prices;
    ``billing``: ``"resources"`` (unit prices x billable CPU and memory) or ``"nodes"`` (whole
    extra nodes x the node price).
    """

    requests: Mapping[str, tuple[float, float] | None]
    skew: np.ndarray
    allocatable_cpu: float
    allocatable_memory: float
    prices: Prices
    billing: str = "resources"


@dataclass
class MeshFigures:
    """Figures by name, band axis first: per component and the mesh's totals; saturation flags."""

    components: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    totals: dict[str, np.ndarray] = field(default_factory=dict)
    usages: dict[str, Usage] = field(default_factory=dict)


def _total(parts: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    total = np.zeros(shape)
    for part in parts:
        total += part
    return total


def evaluate(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup], values: Values,
             instances: Mapping[str, np.ndarray], money: MoneyInputs | None = None) -> MeshFigures:
    """Every usage and latency figure of one mesh, and its money figures when ``money`` is given."""
    bands = len(next(iter(values.values()))) if values else 3
    shape = (bands, *scenario.shape)
    out = MeshFigures()
    values = aligned(values, len(scenario.shape))  # once, for usage and latency
    out.usages = usage(profile, scenario, setup, values, instances)
    for comp in profile.components:
        out.components[comp.name] = {"memory": out.usages[comp.name].memory, "cpu": out.usages[comp.name].cpu}
    latency = component_latency(profile, scenario, setup, values, instances)
    for name, (p50, p99) in latency.items():
        out.components[name].update(latency_p50=p50, latency_p99=p99)
    for fig in figures("mesh"):
        if fig.additive and fig.source != "money":
            out.totals[fig.name] = _total([c[fig.name] for c in out.components.values() if fig.name in c], shape)
    if money is not None:
        add_money(out, profile, scenario, money)
    return out


def add_money(figs: MeshFigures, profile: MeshProfile, scenario: Scenario, money: MoneyInputs) -> None:
    """Add the money figures of every component and the mesh to ``figs`` (from its usage)."""
    for comp in profile.components:
        figs.components[comp.name].update(component_money(
            figs.usages[comp.name], money.requests.get(comp.name), comp.instances in TEMPLATED_RULES, money.skew,
            money.allocatable_cpu, money.prices))
    shape = np.shape(figs.totals["memory"])
    for fig in figures("mesh", "money"):
        if fig.additive:
            figs.totals[fig.name] = _total([c[fig.name] for c in figs.components.values()], shape)
    figs.totals.update(mesh_money(figs.totals["billable_cpu"], figs.totals["billable_memory"], scenario.nodes,
                                  money.allocatable_cpu, money.allocatable_memory))
    rightsized = {k: _total([c[f"rightsized_{k}"] for c in figs.components.values()], shape)
                  for k in ("billable_cpu", "billable_memory")}
    figs.totals["rightsized_extra_nodes"] = mesh_money(rightsized["billable_cpu"], rightsized["billable_memory"],
                                                       scenario.nodes, money.allocatable_cpu,
                                                       money.allocatable_memory)["extra_nodes"]
    if money.billing == "nodes":  # the mesh pays whole nodes; its components, what their resources cost
        figs.totals["cost"] = node_costs(figs.totals["extra_nodes"], money.prices.node_month)
        figs.totals["rightsized_cost"] = node_costs(figs.totals["rightsized_extra_nodes"], money.prices.node_month)
