"""One summary of a projection, rendered as text here and as HTML in :mod:`meshcost.formatting_html`.

:func:`summary` builds the rows once: a headline, the tables (mesh totals, components, money)
whose cells keep the numbers they show, the money settings, the flags (saturation,
extrapolation, dominant assumptions) and a footnote. The columns come from the figure
registry (:data:`meshcost.figures.FIGURES`). ``print(projection)`` is :func:`format_text`.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .band import Band
from .figures import Figure, figure, figures

if TYPE_CHECKING:  # pragma: no cover
    from .results import MeshResult, Projection

__all__ = ["Cell", "Table", "Summary", "summary", "format_text", "format_memory", "format_number", "format_value",
           "scenario_headline", "billing_basis", "requests_basis", "text_table"]


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


def _format_money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def format_value(value: float, fig: Figure) -> str:
    """One number of a figure as shown: memory with a binary prefix, money to the cent, else 3 digits."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf (saturated)" if value > 0 else "-inf"
    if fig.kind == "memory":
        return format_memory(value)
    if fig.kind == "money":
        return _format_money(value)
    if fig.kind == "fraction":
        return f"{value:.3g}"
    return format_number(value)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text and the numbers behind it (typical, low, high; or min, max)."""

    text: str
    values: tuple[float, ...] = ()
    emphasis: str = ""  # the part shown in bold in HTML (the typical value)
    detail: str = ""  # a second line (Monte Carlo percentiles)


@dataclass(frozen=True)
class Table:
    """A titled table: a header and rows of cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def column(self, name: str) -> list[Cell]:
        """The cells of one column, by header."""
        index = self.header.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Summary:
    """What text and HTML show of a projection."""

    headline: str
    tables: tuple[Table, ...]
    settings: str
    flags: tuple[str, ...]
    footnote: str

    def table(self, title: str) -> Table:
        """A table by title."""
        return next(t for t in self.tables if t.title == title)


def scenario_headline(projection: "Projection") -> str:
    """One scenario's inputs in words: "500 nodes, 5,000 meshed pods, ..."."""
    inputs = {k: float(v) for k, v in projection.inputs.items()}

    def count(value: float, noun: str) -> str:
        return f"{value:,.0f} {noun}{'' if value == 1 else 's'}"

    return (
        f"{count(inputs['nodes'], 'node')}, {count(inputs['sidecars'], 'meshed pod')}, "
        f"{count(inputs['services'], 'service')} ({inputs['visible_services']:,.0f} visible per sidecar), "
        f"{inputs['rps']:,.0f} requests/s, {count(inputs['waypoints'], 'waypoint')}"
    )


def _header(fig: Figure, currency: str) -> str:
    """A column header: the label, with the unit unless it is plain (memory is shown with its prefix;
    money and node counts carry their unit in the cost table's title and label)."""
    if fig.kind in ("memory", "money") or fig.unit == "nodes":
        return fig.label
    return f"{fig.label} [{fig.unit_for(currency)}]"


def _band_cell(band: Band, fig: Figure) -> Cell:
    """``typical (low - high)``, and the outermost Monte Carlo percentiles when there are two."""
    low, typical, high = (float(v) for v in band.magnitudes())
    shown = format_value(typical, fig)
    detail = ""
    table = band.percentile_magnitudes()
    if len(table) >= 2:
        lo, hi = min(table), max(table)
        detail = f"p{lo:g}-p{hi:g}: {format_value(float(table[lo]), fig)} - {format_value(float(table[hi]), fig)}"
    if format_value(low, fig) == shown == format_value(high, fig):  # no spread (e.g. requests from a chart)
        return Cell(shown, (typical, low, high), shown, detail)
    return Cell(f"{shown} ({format_value(low, fig)} - {format_value(high, fig)})", (typical, low, high), shown,
                detail)


def _min_max_cell(band: Band, fig: Figure) -> Cell:
    typical = np.asarray(band.values[1], dtype=np.float64)
    low, high = float(typical.min()), float(typical.max())
    return Cell(f"{format_value(low, fig)} - {format_value(high, fig)}", (low, high))


def _mesh_cell(result: "MeshResult") -> Cell:
    return Cell(result.name, detail=str(result.profile.version))


def _price(value: float, currency: str) -> str:
    return f"{value:.4g} {currency}"


def billing_basis(projection: "Projection") -> str:
    """How the cost column was counted, and how it relates to the extra nodes shown."""
    settings = projection.cost_settings
    currency, hours = settings.currency, settings.prices.hours_per_month
    node_hour = settings.node_price_per_hour
    if settings.billing == "nodes":
        return (f"Billed by nodes: extra nodes x {_price(node_hour, currency)} per node-hour x {hours:g} h "
                "(whole nodes, as a cluster autoscaler adds them).")
    unit = settings.unit_prices
    return (f"Billed by resources: billable CPU and memory at {_price(unit.vcpu_hour, currency)} per vCPU-hour and "
            f"{_price(unit.gib_hour, currency)} per GiB-hour (a cost-allocation tool's view). The extra nodes "
            f"cost more ({_price(node_hour * hours, currency)} each per month): a node's price covers its whole "
            "capacity, allocatable is smaller, and nodes come whole; billing='nodes' counts them that way.")


def _settings(projection: "Projection") -> str:
    settings = projection.cost_settings
    node, sheet = settings.node, settings.prices
    return (f"Money: {node.name or 'custom node'} ({node.provider}, {node.vcpu:g} vCPU / {node.memory_gib:g} GiB, "
            f"allocatable {settings.allocatable_cpu:g} vCPU / {format_memory(settings.allocatable_memory)}); "
            f"prices {sheet.instance_type or 'custom'} {sheet.region} ({sheet.as_of or 'undated'}), "
            f"{sheet.hours_per_month:g} h per month; sizing {settings.sizing!r}, billing {settings.billing!r}. "
            + billing_basis(projection))


def requests_basis(result: "MeshResult") -> str:
    """What the mesh's as-installed requests are: its chart's, yours, none, or right-sized."""
    settings = result.cost_settings
    if settings.sizing == "usage":
        return "right-sized to usage" + (" x skew" if np.any(settings.skew != 1.0) else "")
    install = settings.install.get(result.name, "default")
    base = f"'{install}' chart" + (" + yours" if any(m == result.name for m, _ in settings.requests) else "")
    nothing = result.requests_nothing
    if nothing and len(nothing) == len(result.profile.components):
        return f"none set ({base})"
    if nothing:
        return f"{base}; none for {', '.join(nothing)}"
    return base


def _figure_table(projection: "Projection", title: str, figs: tuple[Figure, ...],
                  cell: Callable[[Band, Figure], Cell], basis: bool = False) -> Table:
    """One row per mesh; with ``basis``, a column saying what the as-installed requests are."""
    currency = projection.cost_settings.currency
    header = ("mesh", *(("requests",) if basis else ()), *(_header(f, currency) for f in figs))
    rows = tuple((_mesh_cell(r), *((Cell(requests_basis(r)),) if basis else ()),
                  *(cell(r.figure(f.name), f) for f in figs)) for r in projection)
    return Table(title, header, rows)


def _components_table(projection: "Projection") -> Table:
    memory, cpu = figures("component", "usage")
    rows = []
    for result in projection:
        for comp in result.components.values():
            count = float(comp.instances)
            total = float(comp.usage.memory[1])
            published = bool(comp.profile.memory)
            each = total / count if count else 0.0
            cpu_total = float(comp.usage.cpu[1])
            rows.append((_mesh_cell(result), Cell(comp.name, detail=comp.profile.title), Cell(f"{count:,.0f}", (count,)),
                         Cell(format_value(each, memory) if published else "not published", (each,)),
                         Cell(format_value(total, memory) if published else "not published", (total,)),
                         Cell(format_value(cpu_total, cpu), (cpu_total,))))
    return Table("Typical, by component", ("mesh", "component", "instances", "memory each", "memory total",
                                           "CPU total [vCPU]"), tuple(rows))


def summary(projection: "Projection") -> Summary:
    """The rows text and HTML show: one scenario in full, many as the range of their typical values."""
    flags = tuple(projection.notes())
    usage = figures("mesh", table="totals")
    currency = projection.cost_settings.currency
    if projection.shape == ():
        return Summary(
            headline=f"meshcost: {scenario_headline(projection)}",
            tables=(_figure_table(projection, "Mesh totals: typical (low - high)", usage, _band_cell),
                    _components_table(projection),
                    _figure_table(projection, f"Cost [{figure('cost').unit_for(currency)}]: typical (low - high)",
                                  figures("mesh", table="cost"), _band_cell, basis=True),
                    _figure_table(projection, "Requests and billable resources: typical (low - high)",
                                  figures("mesh", table="requests"), _band_cell)),
            settings=_settings(projection),
            flags=flags,
            footnote="Memory and CPU are what the mesh adds over the whole cluster (usage, not requests). Cost as "
                     "installed bills each mesh's own requests (its chart's or yours) at max(request, usage), so "
                     "meshes whose charts request different amounts are on different bases; right-sized cost sizes "
                     "every request to the projected usage, the same basis for every mesh. Ranges span the "
                     "published figures behind each coefficient; latency is added per service-to-service hop at "
                     "the average load per proxy. Sources: result.sources().",
        )
    size = int(np.prod(projection.shape, dtype=np.int64))
    return Summary(
        headline=f"meshcost: {size:,} scenarios (shape {projection.shape}); typical values across them, minimum - "
                 "maximum:",
        tables=(_figure_table(projection, "Typical values: minimum - maximum",
                              (*usage, figure("cost"), figure("rightsized_cost")), _min_max_cell),),
        settings=_settings(projection),
        flags=flags,
        footnote="Use .to_frame() or .mesh_frame() for every scenario, mesh and component.",
    )


def text_table(table: Table) -> str:
    """A table as fixed-width text: the header, a rule, the rows."""
    rows = [list(table.header)] + [[c.text for c in row] for row in table.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_text(s: Summary) -> str:
    """The summary as plain text (fixed-width tables)."""
    parts = [s.headline]
    for table in s.tables:
        parts.append(f"{table.title}:\n{text_table(table)}")
    percentiles = [c.detail for t in s.tables[:1] for row in t.rows for c in row[1:] if c.detail]
    if percentiles:
        parts.append("Monte Carlo: " + "; ".join(
            f"{row[0].text} {t.header[i]} {row[i].detail}" for t in s.tables[:1] for row in t.rows
            for i in range(1, len(row)) if row[i].detail))
    parts.append(textwrap.fill(s.settings, width=100))
    if s.flags:
        parts.append("\n".join(f"! {line}" for line in s.flags))
    parts.append(textwrap.fill(s.footnote, width=100))
    return "\n\n".join(parts)


def format_text(projection: "Projection") -> str:
    """A readable comparison: one scenario in full, or a summary of many (what ``print`` shows)."""
    return render_text(summary(projection))
