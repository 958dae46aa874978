"""HTML rendering of a projection for Jupyter (``Projection._repr_html_``).

Self-contained: one ``<div>`` with inline styles only (no external CSS or JavaScript), every
piece of text escaped with :func:`html.escape`. One scenario is shown in full (mesh totals,
then a per-component breakdown in a ``<details>`` element); many scenarios are summarised as
the minimum - maximum of the typical values across them, like the text table
(:mod:`meshcost.report`).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from .report import format_memory, format_number, scenario_headline

if TYPE_CHECKING:  # pragma: no cover
    from .result import Band, MeshResult, Projection

__all__ = ["projection_html"]

_TABLE = 'style="border-collapse:collapse;margin:0.4em 0"'
_CELL = 'style="padding:0.15em 0.7em;text-align:left;vertical-align:top"'
_NOTE = 'style="color:#666;font-size:0.85em;margin:0.3em 0"'


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: float, fmt: Callable[[float], str]) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞ (saturated)" if value > 0 else "-∞"
    return fmt(value)


def _money(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _row(cells: Iterable[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag} {_CELL}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Header cells are plain text (escaped here); body cells are already-escaped HTML."""
    head = _row((_esc(h) for h in header), header=True)
    body = "".join(_row(r) for r in rows)
    return f"<table {_TABLE}><thead>{head}</thead><tbody>{body}</tbody></table>"


def _band_cell(band: "Band", fmt: Callable[[float], str]) -> str:
    """``typical (low - high)``, plus the Monte Carlo p5 - p95 when present (one scenario)."""
    low, typical, high = (float(v) for v in band.magnitudes())
    cell = f"<b>{_esc(_fmt(typical, fmt))}</b> <small>({_esc(_fmt(low, fmt))} – {_esc(_fmt(high, fmt))})</small>"
    outer = _outer_percentiles(band)
    if outer is not None:
        (lo, lo_q), (hi, hi_q) = outer
        cell += (f"<br><small>p{lo:g}–p{hi:g}: {_esc(_fmt(float(lo_q.magnitude), fmt))} – "
                 f"{_esc(_fmt(float(hi_q.magnitude), fmt))}</small>")
    return cell


def _outer_percentiles(band: "Band") -> tuple[tuple[float, Any], tuple[float, Any]] | None:
    """The lowest and highest Monte Carlo percentiles (percent, Quantity), if at least two ran."""
    table = getattr(band, "percentiles", None) or {}
    if len(table) < 2:
        return None
    lo, hi = min(table), max(table)
    return (lo, table[lo]), (hi, table[hi])


def _min_max_cell(band: "Band", fmt: Callable[[float], str]) -> str:
    typical = np.asarray(band.magnitudes()[1], dtype=np.float64)
    return f"{_esc(_fmt(float(typical.min()), fmt))} – {_esc(_fmt(float(typical.max()), fmt))}"


def _mesh_label(result: "MeshResult") -> str:
    version = getattr(result.profile, "version", "")
    label = f"<b>{_esc(result.name)}</b>"
    if version:
        label += f" <small>{_esc(version)}</small>"
    return f'<span title="{_esc(result.title)}">{label}</span>'


def _scalar_html(projection: "Projection") -> str:
    head = scenario_headline(projection)
    header = ["mesh", "memory", "CPU [vCPU]", "p50 per hop [ms]", "p99 per hop [ms]",
              f"cost [{projection.cost_settings.currency}/month]"]
    rows = []
    detail = []
    for result in projection:
        row = [
            _mesh_label(result),
            _band_cell(result.memory, format_memory),
            _band_cell(result.cpu, format_number),
            _band_cell(result.latency_p50, format_number),
            _band_cell(result.latency_p99, format_number),
            _band_cell(result.cost, _money),
        ]
        rows.append(row)
        for comp in result.components.values():
            count = float(comp.instances)
            memory = float(comp.memory.magnitudes()[1])
            published = bool(comp.profile.memory)
            detail.append([
                _esc(result.name),
                f'<span title="{_esc(comp.profile.title)}">{_esc(comp.name)}</span>',
                _esc(f"{count:,.0f}"),
                _esc(format_memory(memory / count if count else 0.0) if published else "not published"),
                _esc(format_memory(memory) if published else "not published"),
                _esc(format_number(float(comp.cpu.magnitudes()[1]))),
            ])
    detail_table = _table(["mesh", "component", "instances", "memory each", "memory total", "CPU total [vCPU]"],
                          detail)
    notes = ("Memory and CPU are what the mesh adds over the whole cluster (usage, not requests). "
             "Bold: typical; in brackets: low – high across the published figures"
             + ("; second line: Monte Carlo percentiles"
                if any(_outer_percentiles(r.memory) is not None for r in projection) else "")
             + ". Latency is added per service-to-service hop. Sources: <code>result.sources()</code>.")
    return (
        f"<p style=\"margin:0.3em 0\"><b>meshcost</b>: {_esc(head)}</p>"
        f"{_table(header, rows)}"
        f"<details><summary>Typical, by component</summary>{detail_table}</details>"
        f"{_flags(projection)}<p {_NOTE}>{notes}</p>"
    )


def _flags(projection: "Projection") -> str:
    """The projection's warnings (saturation, extrapolation, dominant assumptions) as a list."""
    lines = projection.notes()
    if not lines:
        return ""
    items = "".join(f"<li>{_esc(line)}</li>" for line in lines)
    return f'<ul class="meshcost-flags" style="margin:0.3em 0;color:#8a4b00">{items}</ul>'


def _array_html(projection: "Projection") -> str:
    size = int(np.prod(projection.shape, dtype=np.int64))
    header = ["mesh", "memory", "CPU [vCPU]", "p99 per hop [ms]", f"cost [{projection.cost_settings.currency}/month]"]
    rows = []
    for result in projection:
        row = [
            _mesh_label(result),
            _min_max_cell(result.memory, format_memory),
            _min_max_cell(result.cpu, format_number),
            _min_max_cell(result.latency_p99, format_number),
            _min_max_cell(result.cost, _money),
        ]
        rows.append(row)
    return (
        f"<p style=\"margin:0.3em 0\"><b>meshcost</b>: {size:,} scenarios (shape {_esc(projection.shape)}); "
        "typical values across them, minimum – maximum:</p>"
        f"{_table(header, rows)}{_flags(projection)}"
        f"<p {_NOTE}>Use <code>.to_frame()</code> for every scenario, mesh and component.</p>"
    )


def projection_html(projection: "Projection") -> str:
    """A compact, self-contained HTML comparison of a projection (for Jupyter).

    Parameters
    ----------
    projection : Projection
        The result of :func:`meshcost.project`.

    Returns
    -------
    str
        One ``<div>``: for a single scenario, each mesh's memory, CPU, p50 / p99 per hop
        and monthly cost as typical (low – high), the outer Monte Carlo
        percentiles (p5 – p95 by default) when present, and a per-component breakdown; for many scenarios, the minimum – maximum
        of the typical values. All text is HTML-escaped; no external CSS or JavaScript.
    """
    body = _scalar_html(projection) if projection.shape == () else _array_html(projection)
    return f'<div class="meshcost-projection">{body}</div>'
