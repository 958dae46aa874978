"""Price sheets and money: shipped CSV, unit prices, linearity, currencies, CSV errors, data paths."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import meshcost.reference.data as data_module
from meshcost.errors import (
    DataFileError,
    InputTypeError,
    InputValueError,
    UnitMismatchError,
    UnknownNameError,
)
from meshcost.reference.nodes import NodeShape, node_shape
from meshcost.reference.prices import (
    GCE_HOURS_PER_MONTH,
    HOURS_PER_MONTH,
    PRICE_COLUMNS,
    PriceSheet,
    as_money,
    currency_unit,
    default_cpu_share_ratio,
    instance_types,
    monthly_cost,
    node_monthly_cost,
    price_rows,
    price_sheet,
    savings,
    unit_families,
    unit_prices_from_node,
)
from meshcost.units import ureg

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path("/work/shared/reference/prices.csv")
PROFILE = settings(derandomize=True, max_examples=60, deadline=None, database=None)
approx = pytest.approx


# --------------------------------------------------------------------------- shipped sheet


def test_shipped_sheet_loads_with_provenance():
    rows = price_rows()
    assert len(rows) == 17
    assert {r.provider for r in rows} == {"aws", "gcp", "azure"}
    assert all(r.source_url and r.as_of and r.region for r in rows)
    assert "m5.xlarge" in instance_types() and "Standard_D4s_v5" in instance_types()
    assert unit_families() == ("e2", "n2")
    with (ROOT / "meshcost" / "data" / "prices.csv").open(newline="", encoding="utf-8") as handle:
        assert tuple(csv.DictReader(handle).fieldnames or ()) == PRICE_COLUMNS


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference copy not available")
def test_shipped_sheet_is_the_reference_unchanged():
    assert (ROOT / "meshcost" / "data" / "prices.csv").read_bytes() == REFERENCE.read_bytes()


@pytest.mark.parametrize("instance, family", [("e2-standard-4", "e2"), ("e2-standard-8", "e2"),
                                              ("n2-standard-4", "n2")])
def test_gcp_machine_price_is_the_unit_price_product_within_rounding(instance, family):
    # e.g. e2-standard-4: 4 x 0.021811 + 16 x 0.002923 = 0.134012 vs 0.13402 (the CSV notes).
    # The sheet's unit prices are cut to 6 decimals (2021 list: 0.02181159 -> 0.021811) and the machine
    # price is rounded to its printed decimals, so they may differ by (vcpu + GiB) x 1e-6 + half a last digit.
    node = next(r for r in price_rows() if r.instance_type == instance)
    unit = PriceSheet.gcp_unit(family)
    product = node.vcpu * unit.vcpu_price_per_hour + node.memory_gib * unit.gib_price_per_hour
    decimals = -Decimal(str(node.price_per_hour)).as_tuple().exponent
    bound = (node.vcpu + node.memory_gib) * 1e-6 + 0.5 * 10.0 ** -decimals
    assert abs(product - node.price_per_hour) <= bound
    if instance == "e2-standard-4":
        assert product == approx(0.134012, abs=1e-12)
        assert node.price_per_hour == 0.13402


def test_for_instance_carries_price_and_provenance():
    sheet = PriceSheet.for_instance("m5.xlarge")
    assert sheet.price_per_hour == 0.192
    assert (sheet.region, sheet.as_of, sheet.currency) == ("us-east-1", "2026-07-20", "USD")
    assert "karpenter-provider-aws" in sheet.source
    assert sheet.hours_per_month == 730.0 == HOURS_PER_MONTH == 8760 / 12
    assert 4 * sheet.vcpu_price_per_hour + 16 * sheet.gib_price_per_hour == approx(0.192, rel=1e-12)
    assert "assumption" in sheet.basis


def test_price_sheet_by_provider_instance_or_family():
    assert price_sheet("eks") == PriceSheet.for_instance("m5.xlarge")
    assert price_sheet("GKE").instance_type == "e2-standard-4"
    assert price_sheet("azure").instance_type == "Standard_D4s_v5"
    assert price_sheet("e2") == PriceSheet.gcp_unit("e2")
    assert price_sheet("c6i.xlarge").price_per_hour == 0.17
    with pytest.raises(UnknownNameError) as info:
        price_sheet("m9.tiny")
    assert "m5.xlarge" in str(info.value) and "eks" in str(info.value)


def test_unknown_instance_lists_known_types():
    with pytest.raises(UnknownNameError) as info:
        PriceSheet.for_instance("m5.huge")
    message = str(info.value)
    assert "m5.huge" in message and "m5.xlarge" in message and "e2-standard-4" in message
    with pytest.raises(UnknownNameError, match="e2"):
        PriceSheet.gcp_unit("t2d")
    with pytest.raises(UnknownNameError):
        PriceSheet.for_instance("e2 per-vCPU-hour (predefined)")


# --------------------------------------------------------------------------- unit-price split


def test_default_split_uses_e2_ratio_and_keeps_the_node_price():
    ratio = default_cpu_share_ratio()
    assert ratio == approx(0.021811 / 0.002923)
    cpu, gib = unit_prices_from_node(0.192, 4, 16)
    assert float(cpu) / float(gib) == approx(ratio)
    assert 4 * float(cpu) + 16 * float(gib) == approx(0.192, rel=1e-12)
    # On an e2 node the rule gives back (nearly) the published E2 unit prices.
    cpu_e2, gib_e2 = unit_prices_from_node(0.134012, 4, 16)
    assert float(cpu_e2) == approx(0.021811, rel=1e-9) and float(gib_e2) == approx(0.002923, rel=1e-9)


def test_cpu_share_split_is_vectorised():
    cpu, gib = unit_prices_from_node(np.array([0.192, 0.384]), np.array([4, 8]), np.array([16, 32]), cpu_share=0.5)
    np.testing.assert_allclose(cpu, [0.024, 0.024])
    np.testing.assert_allclose(gib, [0.006, 0.006])
    cpu, gib = unit_prices_from_node(0.192, 4, 16 * ureg.GiB, cpu_share=np.array([0.0, 1.0]))
    np.testing.assert_allclose(cpu, [0.0, 0.048])
    np.testing.assert_allclose(gib, [0.012, 0.0])
    sheet = PriceSheet.for_instance("m5.xlarge", cpu_share=0.5)
    assert sheet.vcpu_price_per_hour == approx(0.024) and "cpu_share=0.5" in sheet.basis
    with pytest.raises(InputValueError, match="cpu_share"):
        unit_prices_from_node(0.192, 4, 16, cpu_share=1.2)
    with pytest.raises(InputValueError, match="price_per_hour: got -0.1"):
        unit_prices_from_node(-0.1, 4, 16)
    with pytest.raises(InputTypeError, match="plain number"):
        unit_prices_from_node(0.192 * ureg.USD, 4, 16)


# --------------------------------------------------------------------------- costs


def test_monthly_cost_from_unit_prices():
    sheet = PriceSheet.gcp_unit("e2")
    cost = monthly_cost(1, 1024, sheet)
    assert cost.units == ureg.USD
    assert cost.magnitude == approx((0.021811 + 0.002923) * 730, rel=1e-12)
    assert monthly_cost(4, 16 * ureg.GiB, sheet).magnitude == approx(0.134012 * 730, rel=1e-12)
    assert monthly_cost(500 * ureg.millicore, 0, sheet).magnitude == approx(0.5 * 0.021811 * 730)
    # MB is not MiB: 1024 MB is 976.56 MiB.
    in_mb = monthly_cost(0, 1024 * ureg.MB, sheet).magnitude
    assert in_mb == approx(ureg.Quantity(1024, "MB").m_as("GiB") * 0.002923 * 730, rel=1e-12)
    assert in_mb < monthly_cost(0, 1024, sheet).magnitude


def test_monthly_cost_broadcasts():
    sheet = PriceSheet.for_instance("m5.xlarge")
    cost = monthly_cost(np.array([[1.0], [2.0]]), np.array([0.0, 1024.0, 2048.0]), sheet)
    assert cost.magnitude.shape == (2, 3)
    assert cost.magnitude[1, 2] == approx((2 * sheet.vcpu_price_per_hour + 2 * sheet.gib_price_per_hour) * 730)


def test_hours_per_month_conventions():
    sheet = PriceSheet.gcp_unit("e2")
    gce = PriceSheet.gcp_unit("e2", hours_per_month=GCE_HOURS_PER_MONTH)
    assert GCE_HOURS_PER_MONTH == 720
    ratio = monthly_cost(1, 0, gce).magnitude / monthly_cost(1, 0, sheet).magnitude
    assert ratio == approx(720 / 730)
    for bad in (0, -1, 745, float("nan"), float("inf")):
        with pytest.raises(InputValueError, match="hours_per_month"):
            PriceSheet(price_per_hour=1.0, hours_per_month=bad)
    with pytest.raises(InputTypeError, match="hours_per_month"):
        PriceSheet(price_per_hour=1.0, hours_per_month="730")


def test_node_monthly_cost():
    sheet = PriceSheet.for_instance("m5.xlarge")
    assert node_monthly_cost(3, sheet).magnitude == approx(3 * 0.192 * 730)
    np.testing.assert_allclose(node_monthly_cost(np.array([1, 2.5]), sheet).magnitude, [140.16, 350.4])
    unit = PriceSheet.gcp_unit("e2")
    assert node_monthly_cost(2, unit, node_shape("e2-standard-4")).magnitude == approx(2 * 0.134012 * 730)
    assert node_monthly_cost(1, unit, NodeShape(2, 8, 110)).magnitude == approx(0.067006 * 730)
    with pytest.raises(InputTypeError, match="node"):
        node_monthly_cost(1, unit)
    with pytest.raises(InputValueError, match="nodes: got -1"):
        node_monthly_cost(-1, sheet)
    with pytest.raises(InputValueError, match="unit prices"):
        monthly_cost(1, 1024, PriceSheet(price_per_hour=0.1))
    with pytest.raises(InputTypeError, match="PriceSheet"):
        monthly_cost(1, 1024, {"vcpu_price_per_hour": 0.1})
    with pytest.raises(InputValueError, match="cpu_vcpu: got nan"):
        monthly_cost(np.array([1.0, np.nan]), 1024, sheet)
    with pytest.raises(UnitMismatchError, match="memory_mib"):
        monthly_cost(1, 5 * ureg.second, sheet)


prices = st.floats(0, 10, allow_nan=False)
scales = st.floats(0, 100, allow_nan=False)


def _unit_sheet(cpu: float, gib: float) -> PriceSheet:
    return PriceSheet(vcpu_price_per_hour=cpu, gib_price_per_hour=gib)


@PROFILE
@given(prices, prices, prices, prices, scales, scales,
       st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1e6)), min_size=1, max_size=6))
def test_cost_is_linear_in_prices(c1, g1, c2, g2, a, b, amounts):
    cpu, mem = (np.array(col) for col in zip(*amounts))
    combined = monthly_cost(cpu, mem, _unit_sheet(a * c1 + b * c2, a * g1 + b * g2)).magnitude
    parts = (a * monthly_cost(cpu, mem, _unit_sheet(c1, g1)).magnitude
             + b * monthly_cost(cpu, mem, _unit_sheet(c2, g2)).magnitude)
    np.testing.assert_allclose(combined, parts, rtol=1e-12, atol=1e-9)
    assert np.all(monthly_cost(cpu, mem, _unit_sheet(0.0, 0.0)).magnitude == 0)


@PROFILE
@given(prices, prices, st.floats(0, 1000), st.floats(0, 1e6), st.floats(0, 1000), st.floats(0, 1e6))
def test_cost_is_additive_in_amounts(c, g, cpu1, mem1, cpu2, mem2):
    sheet = _unit_sheet(c, g)
    total = monthly_cost(cpu1 + cpu2, mem1 + mem2, sheet).magnitude
    parts = monthly_cost(cpu1, mem1, sheet).magnitude + monthly_cost(cpu2, mem2, sheet).magnitude
    assert total == approx(parts, rel=1e-12, abs=1e-9)


@PROFILE
@given(st.floats(0.001, 50), st.floats(0.5, 448), st.floats(0.5, 24576), st.one_of(st.none(), st.floats(0, 1)))
def test_split_recovers_node_price(price, vcpu, gib, share):
    cpu, mem = unit_prices_from_node(price, vcpu, gib, cpu_share=share)
    assert float(cpu) >= 0 and float(mem) >= 0
    assert vcpu * float(cpu) + gib * float(mem) == approx(price, rel=1e-12)


# --------------------------------------------------------------------------- currency


def test_currency_units():
    assert currency_unit("USD") == ureg.USD
    eur = currency_unit("EUR")
    assert currency_unit("EUR") == eur                       # defined once
    assert str(ureg.get_dimensionality(eur)) == "[currency_EUR]"
    with pytest.raises(pint.DimensionalityError):
        (1 * eur).to("USD")                                   # no exchange rates
    with pytest.raises(InputValueError, match="three upper-case letters"):
        currency_unit("eur")
    with pytest.raises(InputValueError, match="currency"):
        currency_unit("EURO")
    with pytest.raises(InputTypeError, match="currency"):
        currency_unit(978)


def test_sheet_in_another_currency():
    sheet = PriceSheet(vcpu_price_per_hour=0.03, gib_price_per_hour=0.004, currency="GBP")
    cost = monthly_cost(1, 1024, sheet)
    assert cost.units == currency_unit("GBP")
    assert cost.magnitude == approx(0.034 * 730)
    usd = monthly_cost(1, 1024, PriceSheet(vcpu_price_per_hour=0.03, gib_price_per_hour=0.004))
    with pytest.raises(UnitMismatchError, match="exchange rates"):
        savings(usd, cost)
    with pytest.raises(UnitMismatchError, match="exchange rates"):
        as_money(cost, "USD")
    with pytest.raises(InputValueError, match="currency"):
        PriceSheet(price_per_hour=1.0, currency="usd")


def test_savings():
    sheet = PriceSheet.for_instance("m5.xlarge")
    sidecar = monthly_cost(np.array([10.0, 20.0]), 4096, sheet)
    ambient = monthly_cost(np.array([2.0, 4.0]), 1024, sheet)
    saved = savings(sidecar, ambient)
    assert saved.units == ureg.USD
    np.testing.assert_allclose(saved.magnitude, sidecar.magnitude - ambient.magnitude)
    rel = savings(sidecar, ambient, relative=True)
    assert rel.dimensionless and np.all((rel.magnitude > 0) & (rel.magnitude < 1))
    assert savings(100, 40).magnitude == 60 and savings(100, 40).units == ureg.USD
    eur = 100 * currency_unit("EUR")
    assert savings(eur, 30).units == currency_unit("EUR")     # a plain number takes the other's currency
    assert savings(10, 15).magnitude == -5                    # negative: b costs more
    with pytest.raises(UnitMismatchError, match="cost_a"):
        savings(5 * ureg.GiB, 1)
    with pytest.raises(InputValueError, match="cost_a: got 0"):
        savings(0, 1, relative=True)


# --------------------------------------------------------------------------- validation, dicts


def test_price_validation():
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(InputValueError, match="PriceSheet.price_per_hour"):
            PriceSheet(price_per_hour=bad)
        with pytest.raises(InputValueError, match="PriceSheet.gib_price_per_hour"):
            PriceSheet(vcpu_price_per_hour=0.1, gib_price_per_hour=bad)
    with pytest.raises(InputValueError, match="no price"):
        PriceSheet()
    with pytest.raises(InputValueError, match="both or neither"):
        PriceSheet(vcpu_price_per_hour=0.03)
    with pytest.raises(InputTypeError, match="vcpu_price_per_hour"):
        PriceSheet(vcpu_price_per_hour="0.03", gib_price_per_hour=0.004)
    with pytest.raises(InputTypeError, match="price_per_hour"):
        PriceSheet(price_per_hour=True)


def test_from_dict_round_trip_and_errors():
    sheet = PriceSheet.from_dict({"vcpu_price_per_hour": 0.03, "gib_price_per_hour": 0.004, "currency": "EUR",
                                  "hours_per_month": 720, "source": "my contract", "as_of": "2026-01-01"})
    assert sheet.currency == "EUR" and sheet.hours_per_month == 720.0
    assert PriceSheet.from_dict(sheet.to_dict()) == sheet
    assert PriceSheet.for_instance("r6i.xlarge") == PriceSheet.from_dict(PriceSheet.for_instance("r6i.xlarge").to_dict())
    with pytest.raises(UnknownNameError) as info:
        PriceSheet.from_dict({"price": 0.1})
    assert "'price'" in str(info.value) and "price_per_hour" in str(info.value)
    with pytest.raises(InputValueError, match="price_per_hour"):
        PriceSheet.from_dict({"price_per_hour": -1})
    with pytest.raises(InputTypeError, match="mapping"):
        PriceSheet.from_dict([("price_per_hour", 0.1)])


# --------------------------------------------------------------------------- user CSV sheets

HEADER = ",".join(PRICE_COLUMNS)
GOOD = "aws,m5.xlarge,us-east-1,4,16,0.192,USD,2026-07-20,https://example.org/prices,"


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "my-prices.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_from_csv_user_sheet(tmp_path):
    path = _write(tmp_path, HEADER, GOOD.replace("0.192", "0.2"))
    sheet = PriceSheet.from_csv(path)
    assert sheet.price_per_hour == 0.2 and sheet.instance_type == "m5.xlarge"
    path = _write(tmp_path, HEADER, GOOD,
                  "acme,x per-vCPU-hour,dc1,1,0,0.02,EUR,2026-01-01,https://example.org/acme,",
                  "acme,x per-GiB-hour,dc1,0,1,0.003,EUR,2026-01-01,https://example.org/acme,")
    unit = PriceSheet.from_csv(path, "x")
    assert (unit.vcpu_price_per_hour, unit.gib_price_per_hour, unit.currency) == (0.02, 0.003, "EUR")
    with pytest.raises(InputValueError, match="name="):
        PriceSheet.from_csv(path)
    with pytest.raises(UnknownNameError, match="m5.xlarge"):
        PriceSheet.from_csv(path, "m6.xlarge")


def test_several_regions_need_region(tmp_path):
    path = _write(tmp_path, HEADER, GOOD, GOOD.replace("us-east-1", "eu-west-1").replace("0.192", "0.214"))
    with pytest.raises(InputValueError, match="region"):
        PriceSheet.from_csv(path, "m5.xlarge")
    assert PriceSheet.from_csv(path, "m5.xlarge", region="eu-west-1").price_per_hour == 0.214
    with pytest.raises(UnknownNameError, match="region"):
        PriceSheet.from_csv(path, "m5.xlarge", region="ap-south-1")


@pytest.mark.parametrize("line, field", [
    (GOOD.replace("0.192", "-0.192"), "price_per_hour"),
    (GOOD.replace("0.192", "nan"), "price_per_hour"),
    (GOOD.replace("0.192", "cheap"), "price_per_hour"),
    (GOOD.replace(",4,16,", ",four,16,"), "vcpu"),
    (GOOD.replace(",4,16,", ",4,-16,"), "memory_gib"),
    (GOOD.replace(",4,16,", ",2,0,"), "vcpu/memory_gib"),
    (GOOD.replace("USD", "usd"), "currency"),
    (GOOD.replace("2026-07-20", "July 2026"), "as_of"),
    (GOOD.replace("https://example.org/prices", ""), "source_url"),
    (GOOD.replace("m5.xlarge", ""), "instance_type"),
    (GOOD.replace(",4,16,", ",1,0,"), "instance_type"),       # a unit-price row must be named '<family> per-...'
    (GOOD.replace("m5.xlarge", "m5.large"), "instance_type"),  # duplicate of row 1
])
def test_csv_errors_name_file_row_and_field(tmp_path, line, field):
    path = _write(tmp_path, HEADER, GOOD.replace("m5.xlarge", "m5.large"), line)
    with pytest.raises(DataFileError) as info:
        PriceSheet.from_csv(path, "m5.large")
    message = str(info.value)
    assert str(path) in message and "row 2 (line 3)" in message and f"field {field!r}" in message


def test_csv_file_level_errors(tmp_path):
    with pytest.raises(DataFileError, match="missing column"):
        PriceSheet.from_csv(_write(tmp_path, "provider,instance_type,price", "aws,m5.xlarge,0.192"))
    with pytest.raises(DataFileError, match="no price rows"):
        PriceSheet.from_csv(_write(tmp_path, HEADER))
    with pytest.raises(DataFileError, match="more fields"):
        PriceSheet.from_csv(_write(tmp_path, HEADER, GOOD + ",extra"))
    with pytest.raises(DataFileError, match="no such file"):
        PriceSheet.from_csv(tmp_path / "missing.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + "\n" + GOOD.replace("us-east-1", "s\xe3o-paulo") + "\n").encode("latin-1"))
    with pytest.raises(DataFileError, match="UTF-8"):
        PriceSheet.from_csv(bad)


# --------------------------------------------------------------------------- data directory


def test_data_lives_inside_the_package(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "meshcost"
    (package / "data").mkdir(parents=True)
    (package / "data" / "prices.csv").write_text(HEADER + "\n" + GOOD + "\n", encoding="utf-8")
    monkeypatch.setattr(data_module.resources, "files", lambda name: package)
    monkeypatch.setattr(data_module, "data_dir", data_module.data_dir.__wrapped__)
    assert data_module.data_dir() == package / "data"
    assert data_module.data_path("prices.csv") == package / "data" / "prices.csv"
    assert [r.instance_type for r in price_rows(data_module.data_path("prices.csv"))] == ["m5.xlarge"]
