"""The terms that dominate large clusters: config memory from its parts, istiod at scale,
ztunnel under load, latency on one basis, chart values, flags for extrapolation and assumptions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import meshcost
from meshcost.kernels.usage import coefficient_values

MESHES = ("istio-sidecar", "istio-ambient", "linkerd")


def sidecar_each(r, band="typical"):
    return getattr(r["istio-sidecar"].components["sidecar"].memory_per_instance, band).m_as("MiB")


# ----------------------------------------------------------------------------- Envoy config memory


def test_sidecar_memory_is_the_sum_of_its_parts():
    v = coefficient_values(meshcost.get_profile("istio-sidecar"))
    r = meshcost.project(nodes=10, sidecars=400, services=40, visible_services=30, ports_per_service=2,
                         tcp_share=0.25, subsets_per_service=1)
    ports = 30 * 2
    clusters = ports * 2  # one per port and per subset
    endpoints = ports * 400 / 40
    for band, name in enumerate(("low", "typical", "high")):
        def c(driver):
            return v[("sidecar", "memory", driver)][band]
        expected = (c("instance") + clusters * (c("visible_cluster") + c("visible_cluster_worker") * 1)
                    + ports * 0.75 * c("visible_route") + ports * 0.25 * c("visible_tcp_listener")
                    + ports * c("visible_service_port") + endpoints * c("visible_endpoint"))
        assert sidecar_each(r, name) == pytest.approx(expected, rel=1e-12)


def test_ports_subsets_tcp_and_workers_each_add_memory():
    base = dict(nodes=10, sidecars=1000, services=200)
    one = sidecar_each(meshcost.project(**base))
    assert sidecar_each(meshcost.project(**base, ports_per_service=2)) > 1.9 * (one - 57.2) + 57.2
    assert sidecar_each(meshcost.project(**base, subsets_per_service=2)) > one
    assert sidecar_each(meshcost.project(**base, tcp_share=1)) > one  # a listener costs more than a route
    four = {"istio-sidecar.sidecar": {"cpu_limit": 4}}  # pilot-agent: concurrency = ceil(limit)
    r = meshcost.project(**base, requests=four)
    assert r["istio-sidecar"].setup["sidecar"].workers == 4
    assert sidecar_each(r) > one


def test_scoping_saves_memory_in_proportion_to_visible_config():
    full = meshcost.project(nodes=500, sidecars=5000, services=500)
    per = [sidecar_each(meshcost.project(nodes=500, sidecars=5000, services=500, visible_services=n))
           for n in (1, 20, 100, 500)]
    assert per == sorted(per)
    assert per[-1] == pytest.approx(sidecar_each(full))
    # the typical per-service cost is the geometric centre of micro-benchmarks and field reports: ~0.4 MB
    slope = (per[-1] - per[0]) / 499 * 2**20 / 1e6
    assert 0.3 < slope < 0.5


# ----------------------------------------------------------------------------- istiod


def test_every_istiod_replica_holds_the_registry():
    fixed = {"istio-sidecar.istiod": {"replicas": 1}}
    three = {"istio-sidecar.istiod": {"replicas": 3}}
    one = meshcost.project(nodes=100, sidecars=2000, services=1000, requests=fixed)["istio-sidecar"]
    more = meshcost.project(nodes=100, sidecars=2000, services=1000, requests=three)["istio-sidecar"]
    v = coefficient_values(meshcost.get_profile("istio-sidecar"))
    per_replica = v[("istiod", "memory", "instance")][1] + 1000 * v[("istiod", "memory", "cluster_service")][1] \
        + 2000 * v[("istiod", "memory", "cluster_pod")][1]
    extra = more.components["istiod"].memory.typical.m_as("MiB") - one.components["istiod"].memory.typical.m_as("MiB")
    assert extra == pytest.approx(2 * per_replica)


def test_demo_install_uses_the_demo_chart_values():
    r = meshcost.project(nodes=10, sidecars=100, install={"istio-sidecar": "demo", "istio-ambient": "demo"})
    istiod = r["istio-sidecar"].components["istiod"]
    assert istiod.reserved_cpu.typical.m_as("vCPU") == pytest.approx(0.010)  # F107: 10m / 100Mi
    assert istiod.reserved_memory.typical.m_as("MiB") == pytest.approx(100)
    assert r["istio-sidecar"].setup["sidecar"].workers == 2  # demo overrides requests only; the 2-CPU limit stays


def test_linkerd_ha_control_plane_counts_sp_validator_and_its_proxies():
    r = meshcost.project(nodes=10, sidecars=100, install={"linkerd": "ha"})
    plane = r["linkerd"].components["control-plane"]
    assert plane.instances == 3
    assert plane.reserved_cpu.typical.m_as("vCPU") == pytest.approx(2.1)  # F108
    assert plane.reserved_memory.typical.m_as("MiB") == pytest.approx(660)
    default = meshcost.project(nodes=10, sidecars=100)["linkerd"].components["control-plane"]
    assert default.instances == 1 and default.reserved_cpu.typical.m_as("vCPU") == 0


# ----------------------------------------------------------------------------- ztunnel and saturation


def test_ztunnel_is_finite_up_to_the_production_guidance():
    for rps in (1_000, 30_000, 60_000, 100_000):
        assert np.isfinite(meshcost.latency_at("istio-ambient", rps).p99.typical.m_as("ms"))


def test_ztunnel_workers_follow_the_cpu_request():
    base = meshcost.project(nodes=1, sidecars=10, rps=100_000)["istio-ambient"]
    four = meshcost.project(nodes=1, sidecars=10, rps=100_000,
                            requests={"istio-ambient.ztunnel": {"cpu": 4}})["istio-ambient"]
    assert base.setup["ztunnel"].workers == 2 and four.setup["ztunnel"].workers == 4
    assert base.components["ztunnel"].saturated  # 200k requests/s through one node
    assert not four.components["ztunnel"].saturated


def test_saturated_proxies_are_capped_flagged_and_never_billed_past_the_node():
    r = meshcost.project(nodes=2, sidecars=4, rps=np.array([1_000, 10_000_000]))
    for mesh in r:
        assert not mesh.saturated[0] and mesh.saturated[1]
    ztunnel = r["istio-ambient"].components["ztunnel"]
    assert ztunnel.cpu.high.m_as("vCPU")[1] == pytest.approx(2 * 2)  # two nodes x two worker threads
    assert np.isinf(r["istio-ambient"].latency_p99.typical.m_as("ms")[1])
    frame = r.mesh_frame()
    assert frame["saturated"].tolist() == [False, True] * 3
    sidecar = r["istio-sidecar"].components["sidecar"]
    allocatable = r.cost_settings.allocatable_cpu
    assert np.all(sidecar.billable_cpu.high.m_as("vCPU") <= 4 * min(2, allocatable) + 1e-9)
    assert "saturates" in str(meshcost.project(nodes=2, sidecars=4, rps=10_000_000))


# ----------------------------------------------------------------------------- latency on one basis


@pytest.mark.parametrize("version", list(meshcost.versions("istio-sidecar")))
def test_linkerd_is_below_istio_sidecars_under_every_vintage_pairing(version):
    r = meshcost.project(nodes=10, sidecars=100, rps=1000, versions={"istio-sidecar": version})
    for figure in ("latency_p50", "latency_p99"):
        for band in ("low", "typical", "high"):
            assert getattr(getattr(r["linkerd"], figure), band) < getattr(getattr(r["istio-sidecar"], figure), band)


def test_a_small_l7_share_moves_the_hop_a_little_not_a_step():
    def hop(share):
        r = meshcost.project(nodes=10, sidecars=100, rps=100, waypoints=2, l7_share=share)["istio-ambient"]
        return r.latency_p50.typical.m_as("ms"), r.latency_p99.typical.m_as("ms")

    l4, small, half, full = hop(0), hop(0.01), hop(0.5), hop(1)
    assert small[0] == pytest.approx(l4[0], rel=0.01)  # the median stays on the L4 path
    assert l4[1] < small[1] < half[1] < full[1]
    assert small[1] - l4[1] < 0.5 * (full[1] - l4[1])
    components = meshcost.project(nodes=10, sidecars=100, rps=100, waypoints=2, l7_share=0.5)["istio-ambient"]
    total = sum(c.latency_p99.typical.m_as("ms") for c in components.components.values()
                if c.latency_p99 is not None)
    assert total == pytest.approx(half[1])


def test_envoy_concurrency_follows_the_cpu_limit_in_latency():
    two = meshcost.latency_at("istio-sidecar", 6000, cpu_limit=2).p99.typical.m_as("ms")
    four = meshcost.latency_at("istio-sidecar", 6000, cpu_limit=4).p99.typical.m_as("ms")
    assert four < two


# ----------------------------------------------------------------------------- honesty flags


def test_istio_cni_is_a_flagged_narrow_assumption():
    cni = meshcost.get_profile("istio-ambient").component("istio-cni")
    memory, cpu = cni.memory[0].coefficient, cni.cpu[0].coefficient
    assert memory.basis == cpu.basis == "assumption"
    assert memory.values[2] < 100 and cpu.values[2] < 0.1  # not the chart's 100Mi / 100m request
    text = str(meshcost.project(nodes=500, sidecars=5000))
    assert "istio-cni's 'instance' term, an assumption" in text


@given(nodes=st.integers(1, 3000), pods=st.integers(0, 40), rps=st.floats(0, 1e6), waypoints=st.integers(0, 5))
def test_every_assumption_that_dominates_a_total_is_flagged(nodes, pods, rps, waypoints):
    r = meshcost.project(nodes=nodes, sidecars=nodes * pods, rps=rps, waypoints=waypoints)
    notes = "\n".join(r.notes())
    for mesh in r:
        table = mesh.contributions()
        for resource in ("memory", "cpu"):
            part = table[table["resource"] == resource]
            if part["value"].max() <= 0:
                continue
            top = part.loc[part["value"].idxmax()]
            if top["basis"] == "assumption":
                assert f"{mesh.name}: " in notes and f"{top['component']}'s '{top['driver']}' term" in notes


def test_contributions_add_up_to_the_totals():
    r = meshcost.project(nodes=np.array([5, 50]), sidecars=np.array([50, 5000]), rps=np.array([0, 5e6]))
    for mesh in r:
        table = mesh.contributions()
        for resource in ("memory", "cpu"):
            sums = table[table["resource"] == resource].groupby("scenario")["value"].sum().to_numpy()
            np.testing.assert_allclose(sums, getattr(mesh, resource).typical.magnitude, rtol=1e-9)


def test_extrapolation_is_flagged_per_scenario_without_warnings():
    r = meshcost.project(nodes=100, sidecars=np.array([1000, 50_000]), services=np.array([100, 3000]))
    sidecar = r["istio-sidecar"]
    assert sidecar.extrapolated.tolist() == [False, True]
    found = {(e.component, e.quantity) for e in sidecar.extrapolations}
    assert ("istiod", "services") in found and ("sidecar", "visible_services") in found
    frame = r.mesh_frame()
    assert frame.loc[frame["mesh"] == "istio-sidecar", "extrapolated"].tolist() == [False, True]
    one = meshcost.project(nodes=100, sidecars=50_000, services=3000)
    assert "beyond the largest published measurement" in str(one)
    assert "beyond the largest published measurement" in one._repr_html_()
    assert not meshcost.project(nodes=10, sidecars=100)["istio-sidecar"].extrapolated


def test_sources_cover_every_coefficient_with_a_basis():
    frame = meshcost.project(nodes=1, sidecars=1).sources()
    assert set(frame["basis"]) <= set(meshcost.reference.profiles.BASES)
    assert not frame[frame["basis"] != "assumption"]["source_id"].eq("").any()


# ----------------------------------------------------------------------------- properties with the new inputs


@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 5000), st.floats(0, 3e5), st.integers(0, 4),
                          st.floats(0, 4), st.floats(0, 1), st.floats(0, 3), st.floats(0, 20)),
                min_size=1, max_size=5))
def test_vectorised_equals_scalar_with_every_input(rows):
    cols = [np.array(c) for c in zip(*rows)]
    nodes, sidecars, rps, waypoints, ports, tcp, subsets, churn = cols
    kw = dict(rps=rps, waypoints=waypoints, ports_per_service=ports, tcp_share=tcp, subsets_per_service=subsets,
              churn=churn)
    vec = meshcost.project(nodes=nodes, sidecars=sidecars, **kw)
    for i in range(len(rows)):
        one = meshcost.project(nodes=int(nodes[i]), sidecars=int(sidecars[i]),
                               **{k: float(v[i]) for k, v in kw.items()})
        for mesh in MESHES:
            for figure in ("memory", "cpu", "latency_p50", "latency_p99"):
                for band in ("low", "typical", "high"):
                    v = getattr(getattr(vec[mesh], figure), band).magnitude[i]
                    s = getattr(getattr(one[mesh], figure), band).magnitude
                    assert v == pytest.approx(s, rel=1e-9, abs=1e-12)


@given(nodes=st.integers(1, 500), sidecars=st.integers(1, 5000), churn=st.floats(0, 50), more=st.floats(0, 50))
def test_istiod_cpu_grows_with_churn(nodes, sidecars, churn, more):
    a = meshcost.project(nodes=nodes, sidecars=sidecars, churn=churn)
    b = meshcost.project(nodes=nodes, sidecars=sidecars, churn=churn + more)
    for mesh in ("istio-sidecar", "istio-ambient"):
        assert b[mesh].cpu.typical >= a[mesh].cpu.typical
