"""The values users read: text, HTML and frames, checked cell by cell against the results' Quantities."""

from __future__ import annotations

import re

import numpy as np
import pytest

import meshcost
from meshcost.band import Band
from meshcost.figures import BANDS, figure, figures, flags
from meshcost.formatting import format_text, format_value, render_text, summary
from meshcost.formatting_html import render_html


@pytest.fixture(scope="module")
def one():
    return meshcost.project(nodes=200, sidecars=3000, rps=20_000, waypoints=3, install={"linkerd": "ha"})


@pytest.fixture(scope="module")
def many():
    n = np.array([10, 100, 1000])
    return meshcost.project(nodes=n, sidecars=n * 12, rps=n * 50, samples=2000, seed=4)


def _expected(band: Band) -> tuple[float, float, float]:
    low, typical, high = (float(v) for v in band.magnitudes())
    return typical, low, high


COST = "Cost [USD/month]: typical (low - high)"
TABLES = (("Mesh totals: typical (low - high)", "totals", 1), (COST, "cost", 2),
          ("Requests and billable resources: typical (low - high)", "requests", 1))


def test_every_summary_cell_holds_its_figure(one):
    s = summary(one)
    for title, group, leading in TABLES:
        table = s.table(title)
        shown = figures("mesh", table=group)
        assert len(table.header) == leading + len(shown)
        for row, result in zip(table.rows, one):
            assert row[0].text == result.name
            for cell, fig in zip(row[leading:], shown):
                assert cell.values == pytest.approx(_expected(result.figure(fig.name))), (result.name, fig.name)
                assert cell.text.startswith(format_value(cell.values[0], fig))


def test_text_and_html_show_the_same_cells_in_the_same_columns(one):
    s = summary(one)
    text, html = render_text(s), render_html(s)
    assert text == format_text(one) == str(one)
    assert html == one._repr_html_()
    for table in s.tables:
        lines = text.split(f"{table.title}:\n", 1)[1].splitlines()
        header, rule = lines[0], lines[1]
        starts = [m.start() for m in re.finditer(r"-+", rule)]
        for row, line in zip(table.rows, lines[2:]):
            for start, name, cell in zip(starts, table.header, row):
                assert line[start:].startswith(cell.text), (table.title, name, cell.text, line)
        # the HTML table has the same header and, column by column, the same cell texts
        block = html.split(f"{table.title}", 1)[1]
        heads = re.findall(r"<th [^>]*>(.*?)</th>", block.split("</thead>")[0])
        assert heads == list(table.header)
        body = block.split("<tbody>")[1].split("</tbody>")[0]
        html_rows = [re.findall(r"<td [^>]*>(.*?)</td>", tr) for tr in body.split("</tr>")[:-1]]
        assert len(html_rows) == len(table.rows)
        for row, html_row in zip(table.rows, html_rows):
            assert len(html_row) == len(row)
            for cell, shown in zip(row, html_row):
                plain = " ".join(re.sub(r"<[^>]+>", " ", shown).replace("&#x27;", "'").split())
                assert plain.startswith(" ".join(cell.text.split())), (table.title, cell.text, plain)


def test_money_cells_follow_the_registry_not_a_neighbour(one):
    money = summary(one).table(COST)
    for result, row in zip(one, money.rows):
        cells = dict(zip(money.header, row))
        cost = cells["cost as installed"]
        assert cost.values == pytest.approx(_expected(result.cost))
        assert cost.values != pytest.approx(_expected(result.cpu))
        assert cells["right-sized cost"].values == pytest.approx(_expected(result.rightsized_cost))
        nodes = cells["extra nodes"]
        assert nodes.values == pytest.approx(_expected(result.extra_nodes))  # typical first, not the low band
        assert cells["right-sized extra nodes"].values == pytest.approx(_expected(result.rightsized_extra_nodes))
        assert cells["requests"].text == ("'ha' chart" if result.name == "linkerd" else "'default' chart")


def test_array_summary_is_the_range_of_typical_values(many):
    table = summary(many).tables[0]
    for row, result in zip(table.rows, many):
        for cell, name in zip(row[1:], ("memory", "cpu", "latency_p50", "latency_p99", "cost", "rightsized_cost"),
                              strict=True):
            typical = np.asarray(result.figure(name).magnitudes()[1])
            assert cell.values == pytest.approx((typical.min(), typical.max()))


def test_mesh_frame_columns_equal_the_quantities(many):
    frame = many.mesh_frame()
    currency = many.cost_settings.currency
    for result in many:
        rows = frame[frame["mesh"] == result.name]
        for fig in figures("mesh"):
            band = result.figure(fig.name)
            unit = fig.unit_for(currency)
            for name in BANDS:
                column = f"{fig.name} [{unit}]" if name == "typical" else f"{fig.name}_{name} [{unit}]"
                np.testing.assert_allclose(rows[column].to_numpy(), band.band(name), rtol=1e-12,
                                           err_msg=f"{result.name} {column}")
            for percent in many.percentiles:
                column = f"{fig.name}_p{percent:g} [{unit}]"
                np.testing.assert_allclose(rows[column].to_numpy(), band.band(f"p{percent:g}"), rtol=1e-12)
        for flag in flags("mesh"):
            assert rows[flag.name].tolist() == list(np.broadcast_to(getattr(result, flag.name), many.shape)), flag.name


def test_component_frame_columns_equal_the_quantities(one):
    frame = one.to_frame()
    for result in one:
        for comp in result.components.values():
            row = frame[(frame["mesh"] == result.name) & (frame["component"] == comp.name)].iloc[0]
            assert row["instances"] == pytest.approx(comp.instances)
            for fig in figures("component"):
                band = comp.figure(fig.name)
                unit = fig.unit_for(one.cost_settings.currency)
                for name, value in zip(BANDS, band.magnitudes() if band is not None else (0.0, 0.0, 0.0)):
                    column = f"{fig.name} [{unit}]" if name == "typical" else f"{fig.name}_{name} [{unit}]"
                    assert row[column] == pytest.approx(value), (result.name, comp.name, column)


def test_json_values_equal_the_quantities(one):
    data = one.to_dict()
    for result in one:
        entry = data["meshes"][result.name]
        for fig in figures("mesh"):
            low, typical, high = (float(v) for v in result.figure(fig.name).magnitudes())
            assert (entry[fig.name]["low"], entry[fig.name]["typical"], entry[fig.name]["high"]) == pytest.approx(
                (low, typical, high)), (result.name, fig.name)


def test_reprs_are_short_and_readable(one):
    text = repr(one["istio-sidecar"])
    assert len(text) < 200 and "GiB" in text and "vCPU" in text
    comp = repr(one["istio-sidecar"].components["sidecar"])
    assert len(comp) < 200 and "instances" in comp
    profile = repr(meshcost.get_profile("istio-ambient"))
    assert len(profile) < 300 and "ztunnel" in profile
    assert "<table" in one["linkerd"]._repr_html_()


def test_units_in_headers_come_from_the_registry(one):
    s = summary(one)
    headers = " ".join(h for t in s.tables for h in (t.title, *t.header))
    assert f"[{figure('cost').unit_for(one.cost_settings.currency)}]" in headers
    assert "[vCPU]" in headers and "[ms]" in headers
