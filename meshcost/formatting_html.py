"""HTML rendering of a projection for Jupyter (``Projection._repr_html_``), from the same summary as the text.

Self-contained: one ``<div>`` with inline styles only (no external CSS or JavaScript), every
piece of text escaped with :func:`html.escape`. The rows are :func:`meshcost.formatting.summary`'s:
mesh totals first, the per-component breakdown in a ``<details>`` element, then money, the
settings, the flags and the footnote.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .figures import figures
from .formatting import Cell, Summary, Table, format_value, summary

if TYPE_CHECKING:  # pragma: no cover
    from .results import MeshResult, Projection

__all__ = ["render_html", "format_html", "mesh_html", "html_table", "escape"]

_TABLE = 'style="border-collapse:collapse;margin:0.4em 0"'
_CELL = 'style="padding:0.15em 0.7em;text-align:left;vertical-align:top"'
_NOTE = 'style="color:#666;font-size:0.85em;margin:0.3em 0"'
_FLAGS = 'style="margin:0.3em 0;color:#8a4b00"'


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _cell(cell: Cell, first: bool, bold: bool = True) -> str:
    if first:  # the mesh name (bold; detail is its version) or a component's (detail is its title)
        label = f"<b>{escape(cell.text)}</b>" if bold else escape(cell.text)
        return f'<span title="{escape(cell.detail)}">{label}</span>' if cell.detail else label
    if cell.emphasis and cell.text.startswith(cell.emphasis):
        rest = cell.text[len(cell.emphasis):]
        body = f"<b>{escape(cell.emphasis)}</b> <small>{escape(rest.strip())}</small>"
    else:
        body = escape(cell.text)
    if cell.detail:
        body += f"<br><small>{escape(cell.detail)}</small>"
    return body


def html_table(table: Table) -> str:
    """One summary table as an HTML ``<table>`` (inline styles, every text escaped)."""
    head = "<tr>" + "".join(f"<th {_CELL}>{escape(h)}</th>" for h in table.header) + "</tr>"
    named = 2 if table.header[1:2] == ("component",) else 1  # leading columns that hold names
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{_cell(c, i < named, bold=i == 0)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in table.rows)
    return f"<table {_TABLE}><thead>{head}</thead><tbody>{body}</tbody></table>"


def render_html(s: Summary) -> str:
    """The summary as one self-contained ``<div>``."""
    parts = [f'<p style="margin:0.3em 0"><b>meshcost</b>: {escape(s.headline.removeprefix("meshcost: "))}</p>']
    for table in s.tables:
        if table.title == "Typical, by component":
            parts.append(f"<details><summary>{escape(table.title)}</summary>{html_table(table)}</details>")
        else:
            parts.append(f"<p {_NOTE}>{escape(table.title)}</p>{html_table(table)}")
    parts.append(f"<p {_NOTE}>{escape(s.settings)}</p>")
    if s.flags:
        parts.append(f'<ul class="meshcost-flags" {_FLAGS}>' + "".join(f"<li>{escape(f)}</li>" for f in s.flags) + "</ul>")
    parts.append(f"<p {_NOTE}>{escape(s.footnote)}</p>")
    return '<div class="meshcost-projection">' + "".join(parts) + "</div>"


def mesh_html(result: "MeshResult") -> str:
    """One mesh's figures as a small table (``MeshResult._repr_html_``): typical (low - high)."""
    rows = []
    for fig in figures("mesh"):
        band = result.figure(fig.name)
        if result.scenario.shape == ():
            low, typical, high = (float(v) for v in band.magnitudes())
            text = f"{format_value(typical, fig)} ({format_value(low, fig)} - {format_value(high, fig)})"
        else:
            typical_all = band.values[1]
            text = f"{format_value(float(typical_all.min()), fig)} - {format_value(float(typical_all.max()), fig)}"
        rows.append((Cell(fig.label), Cell(fig.unit_for(result.cost_settings.currency)), Cell(text)))
    table = Table(result.name, ("figure", "unit", "typical (low - high)" if result.scenario.shape == () else
                                "typical, minimum - maximum"), tuple(rows))
    title = f"{result.title} ({result.profile.version})"
    return f'<div class="meshcost-mesh"><p {_NOTE}>{escape(title)}</p>{html_table(table)}</div>'


def format_html(projection: "Projection") -> str:
    """A compact, self-contained HTML comparison of a projection (for Jupyter)."""
    return render_html(summary(projection))
