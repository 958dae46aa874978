"""Reserved vs used, nodes, money and break-even."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import meshcost
from meshcost.breakeven import break_even
from meshcost.reference.nodes import NodeShape
from meshcost.reference.prices import PriceSheet

MESHES = ("istio-sidecar", "istio-ambient", "linkerd")


def sheet(cpu=0.02, gib=0.003, currency="USD", hours=730.0):
    return PriceSheet(vcpu_price_per_hour=cpu, gib_price_per_hour=gib, currency=currency, hours_per_month=hours)


# ----------------------------------------------------------------------------- reserved vs used


def test_istio_default_reserves_exactly_128_mib_per_sidecar():
    r = meshcost.project(nodes=500, sidecars=5000)
    sidecar = r["istio-sidecar"].components["sidecar"]
    assert sidecar.reserved_memory.typical.m_as("MiB") == 5000 * 128
    assert sidecar.reserved_cpu.typical.m_as("vCPU") == pytest.approx(5000 * 0.1)


def test_linkerd_default_reserves_nothing_and_ha_20_mib_per_proxy():
    default = meshcost.project(nodes=500, sidecars=5000)
    ha = meshcost.project(nodes=500, sidecars=5000, install={"linkerd": "ha"})
    assert default["linkerd"].components["proxy"].reserved_memory.typical.m_as("MiB") == 0
    assert ha["linkerd"].components["proxy"].reserved_memory.typical.m_as("MiB") == 5000 * 20
    # nothing reserved, but a cost tool still bills the usage
    assert default["linkerd"].components["proxy"].billable_memory.typical == \
        default["linkerd"].components["proxy"].memory.typical


def test_demo_profile_and_user_requests():
    demo = meshcost.project(nodes=10, sidecars=100, install={"istio-sidecar": "demo", "istio-ambient": "demo"})
    assert demo["istio-sidecar"].components["sidecar"].reserved_memory.typical.m_as("MiB") == 100 * 40
    assert demo["istio-ambient"].components["ztunnel"].reserved_cpu.typical.m_as("vCPU") == pytest.approx(10 * 0.01)
    mine = meshcost.project(nodes=10, sidecars=100,
                            requests={"istio-sidecar.sidecar": {"cpu": "250m", "memory": "1G"}})
    sidecar = mine["istio-sidecar"].components["sidecar"]
    assert sidecar.reserved_cpu.typical.m_as("vCPU") == pytest.approx(25.0)
    assert sidecar.reserved_memory.typical.m_as("B") == pytest.approx(100 * 1e9)


def test_billable_is_max_of_request_and_usage_per_instance():
    r = meshcost.project(nodes=10, sidecars=100, services=2000,
                         requests={"istio-sidecar.sidecar": {"memory": "64Mi"}})
    comp = r["istio-sidecar"].components["sidecar"]
    used = comp.memory_per_instance.typical.m_as("MiB")
    assert used > 64
    assert comp.billable_memory.typical.m_as("MiB") == pytest.approx(100 * max(64, used))
    assert comp.reserved_memory.typical.m_as("MiB") == pytest.approx(100 * 64)


def test_usage_sizing_follows_the_busiest_node():
    kwargs = dict(nodes=20, sidecars=400, rps=20_000, sizing="usage")
    even = meshcost.project(skew=1.0, **kwargs)
    skewed = meshcost.project(skew=3.0, **kwargs)
    z_even = even["istio-ambient"].components["ztunnel"]
    z_skew = skewed["istio-ambient"].components["ztunnel"]
    assert z_even.reserved_cpu.typical.m_as("vCPU") == pytest.approx(z_even.cpu.typical.m_as("vCPU"))
    assert z_skew.reserved_cpu.typical.m_as("vCPU") == pytest.approx(3 * z_even.cpu.typical.m_as("vCPU"))
    assert z_skew.reserved_memory.typical == z_even.reserved_memory.typical  # memory is not traffic-driven


def test_frame_money_columns_sum_to_mesh_totals():
    r = meshcost.project(nodes=np.array([50, 500]), sidecars=np.array([500, 5000]), rps=1000, waypoints=3)
    sums = r.to_frame().groupby(["mesh", "scenario"]).sum(numeric_only=True)
    for mesh in r:
        for column, band in (("reserved_memory [MiB]", mesh.reserved_memory.typical),
                             ("reserved_cpu_high [vCPU]", mesh.reserved_cpu.high),
                             ("billable_memory_low [MiB]", mesh.billable_memory.low),
                             ("cost [USD/month]", mesh.cost.typical), ("cost_high [USD/month]", mesh.cost.high)):
            np.testing.assert_allclose(sums.loc[mesh.name][column].to_numpy(), band.magnitude, rtol=1e-12)


# ----------------------------------------------------------------------------- nodes and money


def test_extra_nodes_come_from_the_binding_resource():
    node = NodeShape(vcpu=4, memory_gib=16, max_pods=110, name="test", allocatable_vcpu=4.0,
                     allocatable_memory_mib=16384.0)
    r = meshcost.project(nodes=100, sidecars=1000, node=node, prices=sheet())
    for mesh in r:
        cpu = mesh.billable_cpu.typical.m_as("vCPU") / 4.0
        mem = mesh.billable_memory.typical.m_as("MiB") / 16384.0
        assert mesh.extra_nodes.typical.magnitude == np.ceil(max(cpu, mem) - 1e-9)
        assert mesh.capacity_share.typical.magnitude == pytest.approx(max(cpu, mem) / 100)


def test_default_prices_are_googles_e2_unit_prices():
    r = meshcost.project(nodes=10, sidecars=100)
    m = r["linkerd"]
    expected = (m.billable_cpu.typical.m_as("vCPU") * 0.021811
                + m.billable_memory.typical.m_as("GiB") * 0.002923) * 730
    assert m.cost.typical.m_as("USD") == pytest.approx(expected)


@given(k=st.floats(min_value=0.01, max_value=100), cpu=st.floats(0.001, 1), gib=st.floats(0.0001, 0.1))
def test_cost_is_linear_in_prices(k, cpu, gib):
    base = meshcost.project(nodes=20, sidecars=300, rps=5000, prices=sheet(cpu, gib))
    scaled = meshcost.project(nodes=20, sidecars=300, rps=5000, prices=sheet(k * cpu, k * gib))
    only_cpu = meshcost.project(nodes=20, sidecars=300, rps=5000, prices=sheet(cpu, 0.0))
    only_mem = meshcost.project(nodes=20, sidecars=300, rps=5000, prices=sheet(0.0, gib))
    for mesh in MESHES:
        for band in ("low", "typical", "high"):
            b = getattr(base[mesh].cost, band).magnitude
            assert getattr(scaled[mesh].cost, band).magnitude == pytest.approx(k * b, rel=1e-9)
            parts = getattr(only_cpu[mesh].cost, band).magnitude + getattr(only_mem[mesh].cost, band).magnitude
            assert parts == pytest.approx(b, rel=1e-9)


def test_other_currencies_name_their_columns():
    r = meshcost.project(nodes=5, sidecars=50, prices=sheet(currency="EUR"))
    assert str(r["linkerd"].cost.typical.units) == "EUR"
    assert "cost [EUR/month]" in r.to_frame().columns
    assert "cost [EUR/month]" in r.mesh_frame().columns


def test_node_from_the_shipped_sheet_with_its_own_price():
    r = meshcost.project(nodes=10, sidecars=100, node="m5.xlarge")
    assert r.cost_settings.node.provider == "eks"
    assert r.cost_settings.prices.instance_type == "m5.xlarge"
    assert r["istio-sidecar"].cost.typical.m_as("USD") > 0


# ----------------------------------------------------------------------------- break-even


def brute_force(mesh_a, mesh_b, along, values, **inputs):
    kwargs = dict(inputs)
    if along == "pods_per_node":
        kwargs["sidecars"] = values * inputs["nodes"]
    else:
        kwargs[along] = values
    r = meshcost.project(meshes=[mesh_a, mesh_b], **kwargs)
    diff = r[mesh_a].cost.typical.magnitude - r[mesh_b].cost.typical.magnitude
    changed = np.sign(diff) != np.sign(diff[0])
    return values[np.argmax(changed)] if changed.any() else np.nan


@pytest.mark.parametrize("along, lo, hi, inputs", [
    ("waypoints", 0, 3000, {"nodes": 100, "sidecars": 1000}),
    ("pods_per_node", 1, 110, {"nodes": 100, "waypoints": 50}),
    ("sidecars", 0, 20_000, {"nodes": 200, "waypoints": 100}),
])
def test_break_even_agrees_with_a_brute_force_sweep(along, lo, hi, inputs):
    found = break_even("istio-ambient", "istio-sidecar", along=along, lo=lo, hi=hi, **inputs)
    expected = brute_force("istio-ambient", "istio-sidecar", along, np.arange(lo, hi + 1), **inputs)
    assert found.crosses
    assert found.value == expected


def test_break_even_is_vectorised_over_other_inputs():
    sidecars = np.array([300, 1000, 4000])  # 300: ambient never cheaper (NaN both ways)
    found = break_even("istio-ambient", "istio-sidecar", along="waypoints", lo=0, hi=20_000, nodes=100,
                       sidecars=sidecars)
    for i, s in enumerate(sidecars):
        expected = brute_force("istio-ambient", "istio-sidecar", "waypoints", np.arange(0, 20_001), nodes=100,
                               sidecars=int(s))
        np.testing.assert_equal(found.value[i], expected)


def test_break_even_says_clearly_when_they_never_cross():
    found = break_even("linkerd", "istio-sidecar", along="sidecars", lo=1, hi=10_000, nodes=100)
    assert not found.crosses and np.isnan(found.value) and found.a_lower_at_lo
    assert "never cross" in found.describe()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, error, words", [
    ({"requests": {"istio-sidecar.sidecar": {"cpu": "100 m"}}}, meshcost.InputValueError, ["cpu", "100 m"]),
    ({"requests": {"istio-sidecar.sidecar": {"memory": "12Mb"}}}, meshcost.InputValueError, ["memory", "12Mb"]),
    ({"requests": {"istio-sidecar.sidecar": {"gpu": "1"}}}, meshcost.InputValueError, ["requests"]),
    ({"requests": {"istio-sidecar.nope": {"cpu": "1"}}}, meshcost.UnknownNameError, ["nope"]),
    ({"install": {"linkerd": "enterprise"}}, meshcost.UnknownNameError, ["enterprise", "ha"]),
    ({"sizing": "vibes"}, meshcost.InputValueError, ["sizing", "chart"]),
    ({"skew": 0.5}, meshcost.InputValueError, ["skew", "from 1 to 1e+10"]),
    ({"skew": 1e308}, meshcost.InputValueError, ["skew", "at most the instance count"]),
    ({"skew": np.array([1.0, 2.0])}, meshcost.InputValueError, ["skew", "shape"]),
    ({"node": "z9.galactic"}, meshcost.UnknownNameError, ["z9.galactic"]),
    ({"prices": {"vcpu_price_per_hour": -1.0, "gib_price_per_hour": 0.01}}, meshcost.InputValueError, ["vcpu_price"]),
])
def test_bad_money_inputs(kwargs, error, words):
    with pytest.raises(error) as info:
        r = meshcost.project(nodes=10, sidecars=100, **kwargs)
        r["istio-sidecar"].cost  # costs are computed on first access
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("kwargs, words", [
    ({"along": "moons", "lo": 0, "hi": 1}, ["along"]),
    ({"along": "waypoints", "lo": 5, "hi": 1}, ["lo, hi"]),
    ({"along": "waypoints", "lo": 0.5, "hi": 10}, ["whole"]),
    ({"along": "waypoints", "lo": 0, "hi": 10, "metric": "joy"}, ["metric"]),
    ({"along": "pods_per_node", "lo": 1, "hi": 10}, ["nodes"]),
])
def test_bad_break_even_inputs(kwargs, words):
    with pytest.raises(meshcost.MeshcostError) as info:
        inputs = {} if kwargs["along"] == "pods_per_node" else {"nodes": 10, "sidecars": 100}
        break_even("istio-ambient", "istio-sidecar", **kwargs, **inputs)
    for word in words:
        assert word in str(info.value)


def test_busiest_instance_cpu_follows_the_skew():
    r = meshcost.project(nodes=np.array([20, 20]), sidecars=400, rps=20_000, skew=np.array([1.0, 2.5]))
    ztunnel = r["istio-ambient"].components["ztunnel"]
    average = ztunnel.cpu_per_instance.typical.m_as("vCPU")
    np.testing.assert_allclose(ztunnel.busiest_cpu_per_instance.typical.m_as("vCPU"), average * np.array([1.0, 2.5]))
    istiod = r["istio-ambient"].components["istiod"]
    np.testing.assert_allclose(istiod.busiest_cpu_per_instance.typical.m_as("vCPU"),
                               istiod.cpu_per_instance.typical.m_as("vCPU"))
