"""Like-for-like money: both cost bases, node billing, every price form through every output, sanity flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import meshcost
from meshcost.figures import figures
from meshcost.reference.nodes import NodeShape


@pytest.fixture(scope="module")
def default():
    return meshcost.project(nodes=500, sidecars=5000)


# --------------------------------------------------------------------------- both bases


def _row(text: str, title: str, mesh: str) -> str:
    block = text.split(title, 1)[1]
    return next(line for line in block.splitlines() if line.startswith(mesh + " "))


def test_defaults_show_both_bases_side_by_side_and_mark_linkerd(default):
    text = str(default)
    title = "Cost [USD/month]: typical (low - high):"
    header = text.split(title, 1)[1].splitlines()[1]
    assert re.search(r"requests\s+cost as installed\s+right-sized cost\s+extra nodes\s+right-sized extra nodes", header)
    for result in default:
        row = _row(text, title, result.name)
        cost, rightsized = (f"{float(b.typical.magnitude):,.0f}" for b in (result.cost, result.rightsized_cost))
        assert row.index(cost) < row.index(rightsized, row.index(cost) + len(cost))
    assert "none set ('default' chart)" in _row(text, title, "linkerd")
    assert "'default' chart" in _row(text, title, "istio-sidecar")
    assert "! linkerd: its 'default' install requests no CPU or memory" in text
    html = default._repr_html_()
    for words in ("cost as installed", "right-sized cost", "none set (&#x27;default&#x27; chart)",
                  "its &#x27;default&#x27; install requests no CPU or memory", "Billed by resources"):
        assert words in html


def test_rightsized_cost_is_the_cost_of_right_sizing(default):
    usage = meshcost.project(nodes=500, sidecars=5000, sizing="usage")
    for name in default.meshes:
        for band in ("low", "typical", "high"):
            assert getattr(default[name].rightsized_cost, band).magnitude == pytest.approx(
                getattr(usage[name].cost, band).magnitude, rel=1e-12)
            assert (getattr(default[name].rightsized_extra_nodes, band)
                    == getattr(usage[name].extra_nodes, band))
        assert usage[name].rightsized_cost.typical == usage[name].cost.typical
    assert usage["linkerd"].requests_nothing == ()
    assert default["linkerd"].requests_nothing == ("proxy", "control-plane")
    assert default["istio-sidecar"].requests_nothing == ()


def test_like_for_like_gap_is_smaller_than_as_installed(default):
    installed = default["istio-sidecar"].cost.typical / default["linkerd"].cost.typical
    rightsized = default["istio-sidecar"].rightsized_cost.typical / default["linkerd"].rightsized_cost.typical
    assert installed > 30 and 2 < rightsized < installed


# --------------------------------------------------------------------------- node billing


@pytest.mark.parametrize("node, prices", [("e2-standard-4", None), ("m6i.xlarge", None), ("m5.xlarge", "m5.xlarge"),
                                          ("e2-standard-4", meshcost.PriceSheet(price_per_hour=0.2, vcpu=4,
                                                                                memory_gib=16, currency="EUR"))])
@pytest.mark.parametrize("hours", [None, 720])
def test_node_billing_is_extra_nodes_times_node_price(node, prices, hours):
    n = np.array([3, 50, 500, 2000])
    r = meshcost.project(nodes=n, sidecars=n * 11, rps=n * 40, billing="nodes", node=node, prices=prices,
                         hours_per_month=hours, install={"linkerd": "ha"})
    settings = r.cost_settings
    month = settings.node_price_per_hour * (hours or 730.0)
    for result in r:
        for band in ("low", "typical", "high"):
            nodes = result.extra_nodes.band(band)
            np.testing.assert_allclose(result.cost.band(band), nodes * month, rtol=1e-12)
            np.testing.assert_allclose(result.rightsized_cost.band(band), result.rightsized_extra_nodes.band(band) * month,
                                       rtol=1e-12)
            parts = sum(c.cost.band(band) for c in result.components.values())  # their resources' cost
            assert np.all(parts <= result.cost.band(band) * (1 + 1e-12))
    assert "Billed by nodes" in str(r)
    assert settings.currency == ("EUR" if isinstance(prices, meshcost.PriceSheet) else "USD")


def test_node_price_is_the_sheets_when_it_prices_that_shape():
    aws = meshcost.project(nodes=5, sidecars=50, node="m6i.xlarge").cost_settings
    assert aws.node_price_per_hour == aws.prices.price_per_hour
    e2 = meshcost.project(nodes=5, sidecars=50).cost_settings
    unit = e2.unit_prices
    assert e2.node_price_per_hour == pytest.approx(unit.vcpu_hour * 4 + unit.gib_hour * 16, rel=1e-12)


def test_node_billing_with_monte_carlo():
    r = meshcost.project(nodes=200, sidecars=3000, billing="nodes", samples=1000, seed=2)
    month = r.cost_settings.node_price_per_hour * r.cost_settings.prices.hours_per_month
    for result in r:
        for p in (5, 50, 95):
            assert result.cost.percentile(p).magnitude == pytest.approx(
                result.extra_nodes.percentile(p).magnitude * month, rel=1e-9)


def test_resource_billing_explains_the_extra_nodes(default):
    text = " ".join(str(default).split())
    settings = default.cost_settings
    assert "Billed by resources" in text
    assert f"{settings.node_price_per_hour * 730:.4g} USD each per month" in text


# --------------------------------------------------------------------------- every price form


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "my-prices.csv"
    path.write_text("provider,instance_type,region,vcpu,memory_gib,price_per_hour,currency,as_of,source_url,notes\n"
                    "onprem,rack-4x16,dc1,4,16,0.15,EUR,2026-01-01,internal,amortised hardware\n", encoding="utf-8")
    return path


PRICE_FORMS = {
    "node price sheet": lambda tmp: {"prices": meshcost.PriceSheet(price_per_hour=0.2, vcpu=4, memory_gib=16)},
    "node price dict": lambda tmp: {"prices": {"price_per_hour": 0.2, "vcpu": 4, "memory_gib": 16}},
    "unit price sheet": lambda tmp: {"prices": meshcost.PriceSheet(vcpu_price_per_hour=0.03, gib_price_per_hour=0.004)},
    "unit price dict": lambda tmp: {"prices": {"vcpu_price_per_hour": 0.03, "gib_price_per_hour": 0.004,
                                               "currency": "EUR"}},
    "machine type": lambda tmp: {"node": "m5.xlarge"},
    "machine type prices": lambda tmp: {"prices": "n2"},
    "csv path": lambda tmp: {"prices": str(_csv(tmp))},
    "csv Path": lambda tmp: {"prices": _csv(tmp)},
    "from_csv": lambda tmp: {"prices": meshcost.PriceSheet.from_csv(_csv(tmp))},
    "hours per month": lambda tmp: {"hours_per_month": 720},
    "Money object": lambda tmp: {"money": meshcost.Money(prices={"price_per_hour": 0.2, "vcpu": 4, "memory_gib": 16},
                                                         hours_per_month=720, billing="nodes")},
    "azure node": lambda tmp: {"node": "Standard_D4s_v5"},
}


@pytest.mark.parametrize("form", sorted(PRICE_FORMS))
def test_every_price_form_runs_through_every_output(form, tmp_path):
    kwargs = PRICE_FORMS[form](tmp_path)
    r = meshcost.project(nodes=50, sidecars=600, rps=5000, **kwargs)
    currency = r.cost_settings.currency
    text = str(r)
    assert f"Cost [{currency}/month]" in text
    html = r._repr_html_()
    assert "right-sized cost" in html and currency in html
    frame = r.to_frame()
    assert (frame[f"cost [{currency}/month]"] >= 0).all()
    mesh_frame = r.mesh_frame()
    for fig in figures("mesh", "money"):
        column = f"{fig.name} [{fig.unit_for(currency)}]"
        assert np.isfinite(mesh_frame[column]).all(), column
    data = json.loads(r.to_json())
    assert data["meshes"]["linkerd"]["cost"]["unit"] == f"{currency}/month"
    for result in r:
        assert result.cost.typical.magnitude > 0
    if "hours" in form or form == "Money object":
        assert r.cost_settings.prices.hours_per_month == 720
        assert "720 h per month" in " ".join(text.split())


def test_cost_is_linear_in_hours():
    a = meshcost.project(nodes=50, sidecars=600)
    b = meshcost.project(nodes=50, sidecars=600, hours_per_month=365)
    for name in a.meshes:
        assert b[name].cost.typical.magnitude == pytest.approx(a[name].cost.typical.magnitude * 365 / 730, rel=1e-12)


def test_csv_prices_on_the_command_line(tmp_path, capsys):
    from meshcost.cli import main

    code = main(["project", "--nodes", "50", "--sidecars", "600", "--prices", str(_csv(tmp_path)),
                 "--hours-per-month", "720", "--billing", "nodes", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["meshes"]["istio-sidecar"]["cost"]["unit"] == "EUR/month"
    linkerd = data["meshes"]["linkerd"]
    assert linkerd["cost"]["typical"] == pytest.approx(linkerd["extra_nodes"]["typical"] * 0.15 * 720)


@pytest.mark.parametrize("kwargs, words", [
    ({"hours_per_month": 0}, "hours_per_month"),
    ({"hours_per_month": 800}, "hours_per_month"),
    ({"hours_per_month": [720, 730]}, "hours_per_month"),
    ({"hours_per_month": "720"}, "hours_per_month"),
    ({"billing": "cloud"}, "billing"),
    ({"billing": None}, "billing"),
    ({"prices": "no-such-sheet.csv"}, "no-such-sheet.csv"),
    ({"prices": 3.5}, "prices"),
])
def test_bad_money_settings_are_one_line_errors(kwargs, words):
    with pytest.raises(meshcost.MeshcostError, match=re.escape(words)) as info:
        meshcost.project(nodes=5, sidecars=50, **kwargs)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- sanity flags


def test_more_pods_than_the_nodes_hold_is_flagged_everywhere():
    r = meshcost.project(nodes=1, sidecars=10_000_000)
    text, html = str(r), r._repr_html_()
    for result in r:
        assert result.overpacked is True
        assert f"! {result.name}: more pods per node (10,000,0" in text
        assert f"{result.name}: more pods per node" in html
    assert r.mesh_frame()["overpacked"].all()
    assert json.loads(r.to_json())["meshes"]["linkerd"]["overpacked"] is True
    fine = meshcost.project(nodes=[1, 500], sidecars=5000)
    assert fine.mesh_frame().groupby("scenario")["overpacked"].all().tolist() == [True, False]
    assert "(in 1 of 2 scenarios)" in str(fine)


def test_ambient_counts_its_own_pods_per_node():
    node = NodeShape(vcpu=16, memory_gib=64, max_pods=12, name="tight")
    r = meshcost.project(nodes=10, sidecars=110, node=node, prices="e2")
    assert not r["istio-sidecar"].overpacked and not r["linkerd"].overpacked
    assert r["istio-ambient"].overpacked  # 11 meshed pods + ztunnel + istio-cni on each node


def test_an_instance_bigger_than_a_node_is_flagged_not_refused():
    tiny = NodeShape(vcpu=0.5, memory_gib=0.5, max_pods=10, name="tiny")
    r = meshcost.project(nodes=10, sidecars=50, node=tiny, prices="e2",
                         requests={"istio-sidecar.sidecar": {"memory": "1Gi"}})
    assert r["istio-sidecar"].oversized is True
    assert "! istio-sidecar: one sidecar instance requests or uses more than a node's allocatable (tiny" in str(r)
    assert r.mesh_frame().set_index("mesh").loc["istio-sidecar", "oversized"]
    assert not meshcost.project(nodes=10, sidecars=50)["istio-sidecar"].oversized


# --------------------------------------------------------------------------- Monte Carlo for money


def test_monte_carlo_gives_percentiles_for_every_money_figure():
    r = meshcost.project(nodes=200, sidecars=3000, samples=2000, seed=7)
    frame = r.mesh_frame()
    for fig in figures("mesh", "money"):
        unit = fig.unit_for("USD")
        for p in ("p5", "p50", "p95"):
            assert f"{fig.name}_{p} [{unit}]" in frame.columns
    for result in r:
        p5, p95 = result.cost.percentile(5).magnitude, result.cost.percentile(95).magnitude
        assert result.cost.low.magnitude - 1e-9 <= p5 <= p95 <= result.cost.high.magnitude + 1e-9
