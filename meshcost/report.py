"""Plain-text rendering of a projection (what ``print(result)`` shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .result import Projection

__all__ = ["format_projection", "format_memory", "format_number", "scenario_headline"]


def format_memory(mib: float) -> str:
    """MiB as a readable binary-prefixed string (MiB, GiB, TiB)."""
    for unit, size in (("TiB", 1024.0**2), ("GiB", 1024.0), ("MiB", 1.0)):
        if abs(mib) >= size or unit == "MiB":
            return f"{mib / size:,.3g} {unit}" if abs(mib / size) < 1000 else f"{mib / size:,.0f} {unit}"
    return f"{mib:.3g} MiB"  # pragma: no cover


def format_number(value: float) -> str:
    """A number with three significant digits and thousands separators."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _range(low: float, typical: float, high: float, fmt) -> str:  # type: ignore[no-untyped-def]
    return f"{fmt(typical)} ({fmt(low)} - {fmt(high)})"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def scenario_headline(projection: "Projection") -> str:
    """One scenario's inputs in words: "500 nodes, 5,000 meshed pods, ..."."""
    inputs = {k: float(v) for k, v in projection.inputs.items()}
    return (
        f"{inputs['nodes']:,.0f} nodes, {inputs['sidecars']:,.0f} meshed pods, "
        f"{inputs['services']:,.0f} services ({inputs['visible_services']:,.0f} visible per sidecar), "
        f"{inputs['rps']:,.0f} requests/s, {inputs['waypoints']:,.0f} waypoints"
    )


def _scalar_report(projection: "Projection") -> str:
    head = f"meshcost: {scenario_headline(projection)}"
    rows = [["mesh", "memory: typical (low - high)", "CPU [vCPU]", "p50 per hop [ms]", "p99 per hop [ms]"]]
    detail = [["mesh", "component", "instances", "memory each", "memory total", "CPU total [vCPU]"]]
    for result in projection:
        mem = [float(a) for a in result._memory]
        cpu = [float(a) for a in result._cpu]
        p50 = [float(a) for a in result._latency[0]]
        p99 = [float(a) for a in result._latency[1]]
        rows.append([
            result.name,
            _range(*mem, format_memory),
            _range(*cpu, format_number),
            _range(*p50, format_number),
            _range(*p99, format_number),
        ])
        for comp in result.components.values():
            count = float(comp.usage.instances)
            each = float(comp.usage.memory[1]) / count if count else 0.0
            no_memory = not comp.profile.memory
            detail.append([
                result.name, comp.name, f"{count:,.0f}", "not published" if no_memory else format_memory(each),
                "not published" if no_memory else format_memory(float(comp.usage.memory[1])),
                format_number(float(comp.usage.cpu[1])),
            ])
    settings = projection.cost_settings
    money = [["mesh", "reserved (requests)", "billable: max(request, usage)", "cost per month", "extra nodes"]]
    for result in projection:
        cost = [float(a) for a in result._mesh_cost["cost"]]
        money.append([
            result.name,
            f"{format_memory(float(result._mesh_cost['reserved_memory'][1]))}, "
            f"{format_number(float(result._mesh_cost['reserved_cpu'][1]))} vCPU",
            f"{format_memory(float(result._mesh_cost['billable_memory'][1]))}, "
            f"{format_number(float(result._mesh_cost['billable_cpu'][1]))} vCPU",
            f"{format_number(cost[1])} {settings.currency} ({format_number(cost[0])} - {format_number(cost[2])})",
            format_number(float(result._mesh_cost["extra_nodes"][1])),
        ])
    node = settings.node
    sheet = settings.prices
    money_head = (
        f"Money: {node.name or 'custom node'} ({node.provider}, {node.vcpu:g} vCPU / {node.memory_gib:g} GiB, "
        f"allocatable {settings.allocatable_cpu:g} vCPU / {format_memory(settings.allocatable_memory)}); "
        f"prices {sheet.instance_type or 'custom'} {sheet.region} ({sheet.as_of or 'undated'}), "
        f"{sheet.hours_per_month:g} h per month; sizing {settings.sizing!r}"
    )
    notes = (
        "Memory and CPU are what the mesh adds over the whole cluster (usage, not requests).\n"
        "Ranges span the published figures behind each coefficient; latency is added per\n"
        "service-to-service hop at the average load per proxy. Sources: result.sources()."
    )
    return (f"{head}\n\n{_table(rows)}\n\nTypical, by component:\n{_table(detail)}\n\n"
            f"{money_head}\n{_table(money)}\n\n{_flags(projection)}{notes}")


def _flags(projection: "Projection") -> str:
    """The projection's warnings (saturation, extrapolation, dominant assumptions) as a list."""
    lines = projection.notes()
    return "".join(f"! {line}\n" for line in lines) + ("\n" if lines else "")


def _array_report(projection: "Projection") -> str:
    size = int(np.prod(projection.shape, dtype=np.int64))
    rows = [["mesh", "memory (typical): min - max", "CPU [vCPU] (typical): min - max"]]
    for result in projection:
        mem = np.asarray(result._memory[1])
        cpu = np.asarray(result._cpu[1])
        rows.append([
            result.name,
            f"{format_memory(float(mem.min()))} - {format_memory(float(mem.max()))}",
            f"{format_number(float(cpu.min()))} - {format_number(float(cpu.max()))}",
        ])
    return (f"meshcost: {size:,} scenarios (shape {projection.shape}); typical values across them:\n\n"
            f"{_table(rows)}\n\n{_flags(projection)}Use .to_frame() for every scenario, mesh and component.")


def format_projection(projection: "Projection") -> str:
    """A readable comparison table: one scenario in full, or a summary of many."""
    if projection.shape == ():
        return _scalar_report(projection)
    return _array_report(projection)
