"""A shareable report: one self-contained HTML page of a projection (``Projection.to_html``).

The page needs no network and runs no script: inline CSS, inline SVG plots (matplotlib,
the ``plot`` extra; without it the page says so and keeps every table), and the tables of
:func:`meshcost.formatting.summary`. Sections: the scenario, the comparison on both cost
bases, memory / CPU / latency with their bands, the components, the assumptions that
dominate each total, the flags, the money settings, and the published sources behind the
numbers.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from typing import TYPE_CHECKING, Any, Sequence

from .figures import figure
from .formatting import Cell, Table, format_value, summary
from .formatting_html import escape, html_table

if TYPE_CHECKING:  # pragma: no cover
    from .results import Projection

__all__ = ["report_html", "write_report", "TOP_TERMS"]

#: Terms listed per mesh and resource in "What dominates each total".
TOP_TERMS = 3

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1200px;
     padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0.2em} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{font-size:0.9em} th{background:#f4f4f4} tr:nth-child(even) td{background:#fafafa}
.meta,.note{color:#666;font-size:0.9em} .flags li{color:#8a4b00;margin:0.2em 0}
.plots{display:flex;flex-wrap:wrap;gap:1em} .plots figure{margin:0;flex:1 1 520px}
.plots svg{max-width:100%;height:auto} .assumption{color:#8a4b00;font-weight:600}
"""


def _svg(draw: Any) -> str:
    """An inline ``<svg>`` drawn by ``draw(ax)`` (matplotlib's SVG backend, text kept as paths)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 4.3), layout="constrained")
    try:
        draw(ax)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML declaration and DOCTYPE


def _plots(projection: "Projection") -> str:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return ('<p class="note">Plots need matplotlib: <code>pip install \'meshcost[plot]\'</code>; '
                "every figure is in the tables below.</p>")
    from . import plot

    drawings: list[tuple[str, Any]] = []
    if projection.shape == ():
        drawings = [
            ("Monthly cost on both bases", lambda ax: plot.plot_costs(projection, ax=ax)),
            ("Memory by component", lambda ax: plot.plot_components(projection, "memory", ax=ax)),
            ("CPU by component", lambda ax: plot.plot_components(projection, "cpu", ax=ax)),
            ("Latency along a call chain", lambda ax: plot.plot_latency_vs_hops(projection, hops=10, ax=ax)),
        ]
    elif len(projection.shape) == 1:
        varying = [k for k, v in projection.inputs.items() if len(set(v.tolist())) > 1]
        if varying:
            x = varying[0]
            drawings = [(f"{name} against {x}", (lambda ax, name=name: plot.plot_overhead(projection, x=x, figure=name,
                                                                                          ax=ax)))
                        for name in ("cost", "rightsized_cost", "memory", "cpu")]
    if not drawings:
        return '<p class="note">No plots for a projection of this shape; the tables hold every figure.</p>'
    figures_html = "".join(f'<figure aria-label="{escape(title)}">{_svg(draw)}</figure>' for title, draw in drawings)
    return f'<div class="plots">{figures_html}</div>'


def _dominant_terms(projection: "Projection") -> Table:
    """Per mesh and resource, the largest terms of the typical total (scenario 0), with their basis."""
    rows = []
    for result in projection:
        frame = result.contributions()
        frame = frame[frame["scenario"] == 0]
        for resource in ("memory", "cpu"):
            part = frame[frame["resource"] == resource].sort_values("value", ascending=False).head(TOP_TERMS)
            fig = figure(resource)
            for component, driver, basis, value, share in zip(
                    part["component"].tolist(), part["driver"].tolist(), part["basis"].tolist(),
                    part["value"].to_numpy(dtype=float).tolist(), part["share"].to_numpy(dtype=float).tolist()):
                if share <= 0:
                    continue
                rows.append((Cell(result.name), Cell(resource), Cell(f"{component} · {driver}"),
                             Cell(str(basis), emphasis=str(basis) if basis == "assumption" else ""),
                             Cell(format_value(value, fig), (value,)), Cell(f"{share:.0%}", (share,))))
    return Table("What dominates each total (typical, first scenario)",
                 ("mesh", "resource", "component · term", "basis", "value", "share of the total"), tuple(rows))


def _sources(projection: "Projection") -> Table:
    frame = projection.sources()
    frame = frame[frame["source_id"] != ""]
    rows = []
    for source_id, group in frame.groupby("source_id", sort=True):
        first = group.iloc[0]
        used = sorted({f"{m}.{c}" for m, c in zip(group["mesh"], group["component"])})
        rows.append((Cell(str(source_id)), Cell(str(first["source"])), Cell(str(first["version_or_date"])),
                     Cell(str(first["conditions"])), Cell(", ".join(used))))
    return Table("Published sources behind these numbers",
                 ("id", "source", "version or date", "conditions", "used by"), tuple(rows))


def _basis_marks(html: str) -> str:
    """Highlight the word 'assumption' in the basis column."""
    return re.sub(r"<td ([^>]*)>assumption</td>", r'<td \1><span class="assumption">assumption</span></td>', html)


def report_html(projection: "Projection", title: str = "meshcost report", *, preface: Sequence[Table] = (),
                notes: Sequence[str] = ()) -> str:
    """The report as one self-contained HTML document (a string); ``preface`` tables and ``notes``
    (e.g. a cluster's inventory and pricing basis) come before the comparison."""
    from . import __version__

    s = summary(projection)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">meshcost {escape(__version__)}, {escape(_dt.date.today().isoformat())}. '
        f"{escape(s.headline.removeprefix('meshcost: '))}</p>",
    ]
    for table in preface:
        parts.append(f"<h2>{escape(table.title)}</h2>{html_table(table)}")
    parts.extend(f'<p class="note">{escape(note)}</p>' for note in notes)
    tables = {t.title: t for t in s.tables}
    cost = next((t for t in s.tables if t.title.startswith("Cost [")), None)
    parts.append("<h2>The comparison, on both cost bases</h2>")
    if cost is not None:
        parts.append(f'<p class="note">{escape(cost.title)}</p>{html_table(cost)}')
    parts.append(f'<p class="note">{escape(s.settings)}</p>')
    parts.append("<h2>Plots</h2>")
    parts.append(_plots(projection))
    parts.append("<h2>Memory, CPU and latency</h2>")
    for table in s.tables:
        if table is not cost:
            parts.append(f'<p class="note">{escape(table.title)}</p>{html_table(table)}')
    del tables
    if projection.shape == ():
        parts.append("<h2>What dominates each total</h2>")
        parts.append('<p class="note">A term whose basis is <b>assumption</b> rests on no published figure; '
                     "where one dominates a total, read that total as a modelling choice.</p>")
        parts.append(_basis_marks(html_table(_dominant_terms(projection))))
    parts.append("<h2>Flags</h2>")
    if s.flags:
        parts.append('<ul class="flags">' + "".join(f"<li>{escape(f)}</li>" for f in s.flags) + "</ul>")
    else:
        parts.append('<p class="note">None: no proxy saturates, no input goes beyond the published measurements, '
                     "the nodes hold the pods, and no assumption dominates a total.</p>")
    parts.append("<h2>Sources</h2>")
    parts.append(html_table(_sources(projection)))
    parts.append(f'<p class="note">{escape(s.footnote)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(projection: "Projection", path: Any, title: str = "meshcost report", *,
                 page: str | None = None) -> None:
    """Write :func:`report_html` (or a ``page`` already rendered) to ``path``, replaced only when
    the page is complete."""
    from .io.files import atomic_writer

    if page is None:
        page = report_html(projection, title)
    with atomic_writer(path, what="the report", name="path") as handle:
        handle.write(page)
