"""The core projection: API shape, properties, and agreement with published figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import meshcost
import meshcost.results
import meshcost.scenario
from meshcost import ureg

MESHES = ("istio-sidecar", "istio-ambient", "linkerd")

counts = st.integers(min_value=1, max_value=20_000)
small = st.integers(min_value=0, max_value=5_000)
rates = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


def per_instance(result, mesh, component, what="memory"):
    comp = result[mesh].components[component]
    return getattr(comp, f"{what}_per_instance")


# ----------------------------------------------------------------------------- the public API


def test_api_of_the_issue():
    r = meshcost.project(nodes=500, sidecars=5000)
    assert set(MESHES) <= set(r.meshes)
    m = r["istio-sidecar"]
    for q in (m.memory.low, m.memory.typical, m.memory.high):
        assert q.check("[]") and q.units == ureg.MiB
    assert m.cpu.typical.units == ureg.vCPU
    assert m.latency_p50.typical.check("[time]") and m.latency_p99.typical.check("[time]")
    frame = r.to_frame()
    assert list(frame.columns) == list(meshcost.results.FRAME_COLUMNS)
    text = str(r)
    for mesh in MESHES:
        assert mesh in text


def test_article_claims_at_500_nodes_5000_sidecars():
    # The article's "50-100 MB per Envoy" describes a sidecar holding little config (scoped).
    r = meshcost.project(nodes=500, sidecars=5000, visible_services=20)
    envoy = per_instance(r, "istio-sidecar", "sidecar").typical.m_as("MB")
    linkerd = per_instance(r, "linkerd", "proxy").typical.m_as("MB")
    assert 50 <= envoy <= 100
    assert 10 <= linkerd <= 20
    sidecar_plane = r["istio-sidecar"].components["sidecar"].memory.typical
    ambient_plane = sum(r["istio-ambient"].components[c].memory.typical for c in ("ztunnel", "istio-cni", "waypoint"))
    assert ambient_plane < 0.1 * sidecar_plane
    assert r["istio-ambient"].memory.high < r["istio-sidecar"].memory.low
    for q in ("latency_p50", "latency_p99"):
        assert getattr(r["linkerd"], q).typical < getattr(r["istio-sidecar"], q).typical


def test_unscoped_sidecars_reach_the_field_reports_and_scoping_saves_most_of_it():
    unscoped = meshcost.project(nodes=500, sidecars=5000, services=500)
    scoped = meshcost.project(nodes=500, sidecars=5000, services=500, visible_services=20)
    full = per_instance(unscoped, "istio-sidecar", "sidecar")
    narrow = per_instance(scoped, "istio-sidecar", "sidecar")
    # "700 MB to 1.2 GB" with several hundred services (M015), 540 Mi (M016): inside the band
    assert full.low.m_as("MB") < 540 * 1.048576 < 1200 < full.high.m_as("MB")
    assert full.typical.m_as("MB") > 200  # several hundred MB, not the docs' ~50 MB
    # scoped: the docs' "~50 MB in a large namespace with namespace isolation" (F040) is inside the band
    assert narrow.low.m_as("MB") <= 50 <= narrow.high.m_as("MB")
    saving = {b: 1 - getattr(narrow, b) / getattr(full, b) for b in ("typical", "high")}
    assert saving["typical"] > 0.7  # field reports: ~90 % (700-1200 MB -> 60-70 MB, M014/M015)
    assert saving["high"] > 0.85
    for figure in ("memory", "cpu"):  # Linkerd discovers on demand: scoping changes nothing
        assert getattr(unscoped["linkerd"], figure).typical == getattr(scoped["linkerd"], figure).typical


def test_sweep_of_the_issue_has_the_broadcast_shape():
    n = np.arange(10, 5001)
    r = meshcost.project(nodes=n, sidecars=n * 10, rps=2000)
    assert r.shape == n.shape
    for mesh in r:
        for band in (mesh.memory, mesh.cpu, mesh.latency_p50, mesh.latency_p99):
            for q in band:
                assert np.shape(q.magnitude) == n.shape


def test_scalar_outputs_are_scalar_quantities():
    r = meshcost.project(nodes=3, sidecars=30)
    assert isinstance(r["linkerd"].memory.typical.magnitude, float)


def test_default_services_and_visibility():
    r = meshcost.project(nodes=5, sidecars=95)
    assert r.inputs["services"] == 10
    assert r.inputs["visible_services"] == 10
    assert r.inputs["l7_share"] == 0


def test_sidecar_scoping_saves_memory_for_envoy_but_not_linkerd():
    full = meshcost.project(nodes=100, sidecars=3000, services=1000)
    scoped = meshcost.project(nodes=100, sidecars=3000, services=1000, visible_services=50)
    assert scoped["istio-sidecar"].memory.typical < full["istio-sidecar"].memory.typical
    assert scoped["linkerd"].memory.typical == full["linkerd"].memory.typical
    assert scoped["istio-ambient"].memory.typical == full["istio-ambient"].memory.typical


def test_linkerd_proxy_memory_does_not_grow_with_services():
    a = meshcost.project(nodes=10, sidecars=1000, services=10)
    b = meshcost.project(nodes=10, sidecars=1000, services=1000)
    assert per_instance(a, "linkerd", "proxy").typical == per_instance(b, "linkerd", "proxy").typical
    assert per_instance(b, "istio-sidecar", "sidecar").typical > per_instance(a, "istio-sidecar", "sidecar").typical
    assert per_instance(b, "istio-ambient", "ztunnel").typical > per_instance(a, "istio-ambient", "ztunnel").typical


def test_ambient_scales_with_nodes_not_pods_per_node():
    few = meshcost.project(nodes=100, sidecars=1000, services=100)
    more = meshcost.project(nodes=200, sidecars=1000, services=100)
    assert more["istio-ambient"].components["ztunnel"].instances == 200
    assert more["istio-ambient"].memory.typical > few["istio-ambient"].memory.typical
    assert more["istio-sidecar"].memory.typical == few["istio-sidecar"].memory.typical


def test_waypoints_add_memory_cpu_and_latency():
    l4 = meshcost.project(nodes=50, sidecars=500, rps=1000)
    l7 = meshcost.project(nodes=50, sidecars=500, rps=1000, waypoints=5)
    a4, a7 = l4["istio-ambient"], l7["istio-ambient"]
    assert a7.memory.typical > a4.memory.typical
    assert a7.cpu.typical > a4.cpu.typical
    assert a7.latency_p99.typical > a4.latency_p99.typical
    half = meshcost.project(nodes=50, sidecars=500, rps=1000, waypoints=5, l7_share=0.5)
    way_full = a7.components["waypoint"].cpu.typical
    way_half = half["istio-ambient"].components["waypoint"].cpu.typical
    idle = 5 * 0.005 * ureg.vCPU  # idle CPU per waypoint (M024)
    assert (way_half - idle).m_as("vCPU") == pytest.approx((way_full - idle).m_as("vCPU") / 2)


def test_request_crosses_two_sidecars():
    r = meshcost.project(nodes=1, sidecars=2, services=1, rps=1000)
    comp = r["istio-sidecar"].components["sidecar"]
    idle = 2 * 0.005  # idle CPU per sidecar (M024)
    assert comp.cpu.typical.m_as("vCPU") == pytest.approx(idle + 2 * 0.20)


def test_overrides_change_one_coefficient_and_accept_units():
    base = meshcost.project(nodes=10, sidecars=100)
    key = "istio-sidecar.sidecar.memory.instance"
    in_mb = meshcost.project(nodes=10, sidecars=100, overrides={key: 100 * ureg.MB})
    in_mib = meshcost.project(nodes=10, sidecars=100, overrides={key: (100 * ureg.MB).to("MiB")})
    plain = meshcost.project(nodes=10, sidecars=100, overrides={key: 100e6 / 2**20})
    a = in_mb["istio-sidecar"].memory.typical.m_as("MiB")
    assert a == pytest.approx(in_mib["istio-sidecar"].memory.typical.m_as("MiB"))
    assert a == pytest.approx(plain["istio-sidecar"].memory.typical.m_as("MiB"))
    assert a != base["istio-sidecar"].memory.typical.m_as("MiB")
    assert in_mb["linkerd"].memory.typical == base["linkerd"].memory.typical


def test_array_overrides_broadcast_into_a_sensitivity_sweep():
    key = "linkerd.proxy.memory.instance"
    values = np.array([5.0, 10.0, 20.0]) * ureg.MB
    r = meshcost.project(nodes=10, sidecars=100, overrides={key: values})
    assert r.shape == (3,)
    assert np.all(np.diff(r["linkerd"].memory.typical.magnitude) > 0)


def test_custom_mesh_profile_alongside_builtins(tmp_path):
    profile = meshcost.get_profile("linkerd")
    path = meshcost.save_profile(profile, tmp_path / "copy.toml")
    loaded = meshcost.load_profile(path)
    assert loaded == profile
    renamed = meshcost.MeshProfile("my-linkerd", "copy", "", loaded.components)
    r = meshcost.project(nodes=10, sidecars=100, meshes=["linkerd", renamed])
    assert r["my-linkerd"].memory.typical == r["linkerd"].memory.typical


def test_result_sources_are_known_rows():
    r = meshcost.project(nodes=10, sidecars=100)
    for mesh in r:
        ids = mesh.sources()
        assert ids
        for source_id in ids:
            assert meshcost.get_source(source_id).title


# ----------------------------------------------------------------------------- properties


@given(nodes=counts, sidecars=small, scale=st.sampled_from(["MB", "MiB", "GiB", "kB", "B"]),
       value=st.floats(min_value=1, max_value=500))
def test_unit_invariance_of_memory_inputs(nodes, sidecars, scale, value):
    key = "istio-sidecar.sidecar.memory.instance"
    q = (value * ureg.MiB).to(scale)
    a = meshcost.project(nodes=nodes, sidecars=sidecars, overrides={key: q})
    b = meshcost.project(nodes=nodes, sidecars=sidecars, overrides={key: value})
    np.testing.assert_allclose(a["istio-sidecar"].memory.typical.m_as("MiB"),
                               b["istio-sidecar"].memory.typical.m_as("MiB"), rtol=1e-12)


@given(rps=rates, unit=st.sampled_from(["1/s", "1/min", "1/hour", "Hz"]))
def test_unit_invariance_of_rates(rps, unit):
    q = (rps * ureg("1/s")).to(unit)
    a = meshcost.project(nodes=10, sidecars=100, rps=q)
    b = meshcost.project(nodes=10, sidecars=100, rps=rps)
    for mesh in MESHES:
        np.testing.assert_allclose(a[mesh].cpu.typical.m_as("vCPU"), b[mesh].cpu.typical.m_as("vCPU"), rtol=1e-9)


@given(st.lists(st.tuples(counts, small, small, rates, st.integers(0, 20)), min_size=1, max_size=8))
def test_vectorised_equals_scalar(rows):
    nodes, sidecars, extra, rps, waypoints = (np.array(c) for c in zip(*rows))
    services = np.ceil(sidecars / 10) + extra
    vec = meshcost.project(nodes=nodes, sidecars=sidecars, services=services, rps=rps, waypoints=waypoints)
    for i in range(len(rows)):
        one = meshcost.project(nodes=int(nodes[i]), sidecars=int(sidecars[i]), services=int(services[i]),
                               rps=float(rps[i]), waypoints=int(waypoints[i]))
        for mesh in MESHES:
            for figure in ("memory", "cpu", "latency_p50", "latency_p99"):
                for band in ("low", "typical", "high"):
                    v = getattr(getattr(vec[mesh], figure), band).magnitude[i]
                    s = getattr(getattr(one[mesh], figure), band).magnitude
                    assert v == pytest.approx(s, rel=1e-12, abs=1e-12)


@given(nodes=counts, sidecars=small, rps=rates, waypoints=st.integers(0, 50))
def test_non_negative_and_ordered_bands(nodes, sidecars, rps, waypoints):
    r = meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps, waypoints=waypoints)
    for mesh in r:
        for band in (mesh.memory, mesh.cpu, mesh.latency_p50, mesh.latency_p99):
            low, typical, high = (q.magnitude for q in band)
            assert 0 <= low <= typical <= high
        for comp in mesh.components.values():
            for band in (comp.memory, comp.cpu):
                low, typical, high = (q.magnitude for q in band)
                assert 0 <= low <= typical <= high


@given(nodes=counts, sidecars=small, rps=rates, step=st.integers(1, 1000),
       which=st.sampled_from(["nodes", "sidecars", "services", "rps"]))
def test_monotonic_in_each_input(nodes, sidecars, rps, step, which):
    base = {"nodes": nodes, "sidecars": sidecars, "services": max(1, sidecars // 10), "rps": rps}
    bigger = dict(base)
    bigger[which] = base[which] + step
    a, b = meshcost.project(**base), meshcost.project(**bigger)
    for mesh in MESHES:
        for figure in ("memory", "cpu"):
            for band in ("low", "typical", "high"):
                lo = getattr(getattr(a[mesh], figure), band).magnitude
                hi = getattr(getattr(b[mesh], figure), band).magnitude
                assert hi >= lo * (1 - 1e-12), (mesh, figure, band, which)


@given(nodes=counts, sidecars=small, load=st.floats(min_value=0, max_value=1000), k=st.floats(min_value=0, max_value=1))
def test_cpu_is_linear_in_rps_up_to_the_reference_load(nodes, sidecars, load, k):
    # up to the load the CPU figures were measured at (1000/s per instance) CPU is linear in rps
    rps = load * min(nodes, max(sidecars, 1)) / 2  # every proxy at or below the reference load
    zero = meshcost.project(nodes=nodes, sidecars=sidecars)
    one = meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps)
    scaled = meshcost.project(nodes=nodes, sidecars=sidecars, rps=k * rps)
    for mesh in MESHES:
        c0, c1, ck = (x[mesh].cpu.typical.m_as("vCPU") for x in (zero, one, scaled))
        assert ck - c0 == pytest.approx(k * (c1 - c0), rel=1e-9, abs=1e-9)
        assert one[mesh].memory.typical == zero[mesh].memory.typical  # memory is traffic-independent


@given(nodes=st.integers(1, 200), rps=st.floats(min_value=1, max_value=1e6), k=st.floats(min_value=1, max_value=10))
def test_cpu_grows_at_most_linearly_with_rps(nodes, rps, k):
    # above the reference load proxies spend less per request (F091): CPU is concave in rps
    zero = meshcost.project(nodes=nodes, sidecars=10 * nodes)
    one = meshcost.project(nodes=nodes, sidecars=10 * nodes, rps=rps)
    scaled = meshcost.project(nodes=nodes, sidecars=10 * nodes, rps=k * rps)
    for mesh in MESHES:
        c0, c1, ck = (x[mesh].cpu.typical.m_as("vCPU") for x in (zero, one, scaled))
        assert c1 - c0 >= -1e-12
        assert ck - c0 <= k * (c1 - c0) * (1 + 1e-9) + 1e-12


@given(st.lists(st.tuples(counts, small, rates, st.integers(0, 5)), min_size=1, max_size=5))
def test_components_sum_to_totals_and_frame(rows):
    nodes, sidecars, rps, waypoints = (np.array(c) for c in zip(*rows))
    r = meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps, waypoints=waypoints)
    frame = r.to_frame()
    assert len(frame) == len(rows) * sum(len(m.components) for m in r)
    sums = frame.groupby(["mesh", "scenario"]).sum(numeric_only=True)
    for mesh in r:
        for column, band in (("memory [MiB]", mesh.memory.typical), ("memory_low [MiB]", mesh.memory.low),
                             ("cpu_high [vCPU]", mesh.cpu.high), ("latency_p99 [ms]", mesh.latency_p99.typical)):
            np.testing.assert_allclose(sums.loc[mesh.name][column].to_numpy(), band.magnitude, rtol=1e-12)
        comp_total = sum(c.memory.typical for c in mesh.components.values())
        np.testing.assert_allclose(comp_total.m_as("MiB"), mesh.memory.typical.m_as("MiB"), rtol=1e-12)


# ----------------------------------------------------------------------------- published figures


def test_istio_124_sidecar_cpu_and_memory_at_1000_rps():
    # F050/F051: one Envoy sidecar, 1000 RPS through it, 1 KB payload: 0.20 vCPU, 60 MB.
    r = meshcost.project(nodes=2, sidecars=2, services=2, rps=1000)
    cpu = per_instance(r, "istio-sidecar", "sidecar", "cpu")
    mem = per_instance(r, "istio-sidecar", "sidecar")
    assert cpu.low.m_as("vCPU") <= 0.20 <= cpu.high.m_as("vCPU")
    assert cpu.typical.m_as("vCPU") == pytest.approx(0.20, rel=0.05)
    assert mem.low.m_as("MB") <= 60 <= mem.high.m_as("MB")


def test_istio_124_ztunnel_and_waypoint_at_1000_rps():
    # F054/F055: ztunnel 0.06 vCPU, 12 MB; F052/F053: waypoint 0.25 vCPU, 60 MB.
    r = meshcost.project(nodes=2, sidecars=2, services=2, rps=1000, waypoints=1)
    ztunnel_cpu = per_instance(r, "istio-ambient", "ztunnel", "cpu")
    ztunnel_mem = per_instance(r, "istio-ambient", "ztunnel")
    waypoint_cpu = per_instance(r, "istio-ambient", "waypoint", "cpu")
    waypoint_mem = per_instance(r, "istio-ambient", "waypoint")
    assert ztunnel_cpu.typical.m_as("vCPU") == pytest.approx(0.06, rel=0.05)
    assert ztunnel_mem.typical.m_as("MB") == pytest.approx(12, rel=0.01)
    assert waypoint_cpu.typical.m_as("vCPU") == pytest.approx(0.25, rel=0.05)
    assert waypoint_mem.low.m_as("MB") <= 60 <= waypoint_mem.high.m_as("MB")


def test_istiod_at_1000_services_2000_sidecars():
    # F030/F035/F043: one istiod, 1 vCPU and 1.5 GB for 1000 services and 2000 sidecars.
    one = {"istio-sidecar.istiod": {"replicas": 1}}
    r = meshcost.project(nodes=100, sidecars=2000, services=1000, requests=one)
    istiod = r["istio-sidecar"].components["istiod"]
    assert istiod.instances == 1
    assert istiod.memory.typical.m_as("GB") == pytest.approx(1.5, rel=0.01)
    assert istiod.cpu.typical.m_as("vCPU") == pytest.approx(1.0, rel=0.05)  # plus the default churn's pushes
    # the chart's autoscaler keeps ~0.4 vCPU per replica (80 % of 500m): three replicas,
    # and every replica holds the whole registry
    scaled = meshcost.project(nodes=100, sidecars=2000, services=1000)["istio-sidecar"].components["istiod"]
    assert scaled.instances == 3
    assert scaled.memory.typical > 2 * istiod.memory.typical
    assert scaled.cpu.typical.m_as("vCPU") == pytest.approx(istiod.cpu.typical.m_as("vCPU") + 2 * 0.05)


def test_istiod_replicas_stay_within_the_autoscaler_bounds():
    r = meshcost.project(nodes=2000, sidecars=np.array([10, 2000, 100_000]), churn=0)
    assert list(r["istio-sidecar"].components["istiod"].instances) == [1, 2, 5]
    demo = meshcost.project(nodes=2000, sidecars=100_000, install={"istio-sidecar": "demo"})
    assert demo["istio-sidecar"].components["istiod"].instances == 1  # the demo profile has no autoscaler
    wide = meshcost.project(nodes=2000, sidecars=100_000, requests={"istio-sidecar.istiod": {"replicas": (2, 20)}})
    assert wide["istio-sidecar"].components["istiod"].instances > 5


def test_churn_drives_istiod_cpu_through_pushes():
    calm = meshcost.project(nodes=100, sidecars=2000, churn=0)["istio-sidecar"].components["istiod"]
    busy = meshcost.project(nodes=100, sidecars=2000, churn=5)["istio-sidecar"].components["istiod"]
    # 5 changes/s pushed to 2000 proxies: 10,000 pushes/s at 0.1 ms each (M027)
    extra = busy.cpu.typical.m_as("vCPU") - calm.cpu.typical.m_as("vCPU")
    assert extra == pytest.approx(10_000 * 1e-4, rel=0.2)
    assert busy.cpu.high.m_as("vCPU") > 10 * calm.cpu.high.m_as("vCPU")  # push storms: 8.6 ms a push


def test_ztunnel_at_a_million_pods():
    # F064: ztunnel RSS 3 GB with 1M pods and 66k services.
    r = meshcost.project(nodes=5000, sidecars=1_000_000, services=66_000)
    mem = per_instance(r, "istio-ambient", "ztunnel")
    assert mem.low.m_as("GB") <= 3 <= mem.high.m_as("GB")


def test_kinvolk_2019_per_proxy_memory():
    # F077/F078: 5.7 MB per linkerd2-proxy, 47 MB per Envoy, emojivoto (~91 proxies).
    r = meshcost.project(nodes=3, sidecars=91, services=10)
    linkerd = per_instance(r, "linkerd", "proxy")
    envoy = per_instance(r, "istio-sidecar", "sidecar")
    assert linkerd.low.m_as("MB") <= 5.7 <= linkerd.high.m_as("MB")
    assert envoy.low.m_as("MB") <= 47 <= envoy.high.m_as("MB")


def test_published_latency_figures_fall_in_the_bands():
    r = meshcost.project(nodes=2, sidecars=2, rps=1000)
    sidecar, ambient = r["istio-sidecar"], r["istio-ambient"]
    assert sidecar.latency_p99.low.m_as("ms") <= 0.298 <= sidecar.latency_p99.high.m_as("ms")  # F045
    assert sidecar.latency_p99.low.m_as("ms") <= 1.58 <= sidecar.latency_p99.high.m_as("ms")  # F103
    old = meshcost.project(nodes=2, sidecars=2, rps=1000, versions={"istio-sidecar": "1.16"})["istio-sidecar"]
    assert old.latency_p99.low.m_as("ms") <= 2.91 <= old.latency_p99.high.m_as("ms")  # F037
    assert ambient.latency_p99.typical.m_as("ms") == pytest.approx(0.20)  # F049
    assert r["linkerd"].latency_p50.high.m_as("ms") <= 2.0  # F085: under 1 ms median per proxy


# ----------------------------------------------------------------------------- data vintages


def test_versions_are_listed_newest_first_and_default_is_newest():
    labels = list(meshcost.versions("istio-sidecar"))
    assert labels[0] == "1.24" and "1.16" in labels and "1.4" in labels
    r = meshcost.project(nodes=5, sidecars=50)
    assert r["istio-sidecar"].profile.version == "1.24"


def test_choosing_a_vintage_changes_the_figures_it_published():
    new = meshcost.project(nodes=5, sidecars=50, services=5, rps=1000)
    old = meshcost.project(nodes=5, sidecars=50, services=5, rps=1000, versions={"istio-sidecar": "1.12"})
    assert old["istio-sidecar"].profile.version == "1.16"
    assert old["istio-sidecar"].latency_p99.typical.m_as("ms") == pytest.approx(2.91)  # F037
    assert old["istio-sidecar"].cpu.typical > new["istio-sidecar"].cpu.typical
    assert old["linkerd"].cpu.typical == new["linkerd"].cpu.typical


def test_two_vintages_side_by_side():
    r = meshcost.project(nodes=5, sidecars=50, meshes=["istio-sidecar", "istio-sidecar@1.20", "istio-sidecar@1.4"])
    assert r.meshes == ("istio-sidecar", "istio-sidecar@1.20", "istio-sidecar@1.4")
    assert "istio-telemetry" in r["istio-sidecar@1.4"].components  # Mixer era
    assert r["istio-sidecar@1.20"].latency_p99.typical.m_as("ms") == pytest.approx(0.298)  # F045


def test_unknown_version_lists_the_known_ones():
    with pytest.raises(meshcost.UnknownNameError) as info:
        meshcost.project(nodes=5, sidecars=50, versions={"istio-sidecar": "0.1"})
    assert "0.1" in str(info.value) and "1.16" in str(info.value)
    with pytest.raises(meshcost.UnknownNameError):
        meshcost.project(nodes=5, sidecars=50, meshes=["linkerd"], versions={"istio-sidecar": "1.20"})


def test_sources_view_cites_every_coefficient():
    r = meshcost.project(nodes=5, sidecars=50)
    frame = r.sources()
    assert {"mesh", "component", "resource", "driver", "source_id", "source", "conditions"} <= set(frame.columns)
    n_coefficients = sum(len(m.profile.coefficients()) for m in r)
    coefficients = frame[frame["basis"] != "default"]
    assert coefficients.groupby(["mesh", "component", "resource", "driver"]).ngroups == n_coefficients
    charts = frame[frame["basis"] == "default"]  # every chart value of every install profile, with its source
    istiod = charts[(charts.mesh == "istio-sidecar") & (charts.component == "istiod")]
    assert set(zip(istiod.resource, istiod.driver)) == {("request_cpu", "default"), ("request_memory", "default"),
                                                        ("replicas", "default"), ("request_cpu", "demo"),
                                                        ("request_memory", "demo"), ("replicas", "demo")}
    demo = istiod[(istiod.resource == "request_cpu") & (istiod.driver == "demo")].iloc[0]
    assert demo["typical"] == pytest.approx(0.01) and demo["source_id"] == "F107"
    hpa = istiod[(istiod.resource == "replicas") & (istiod.driver == "default")].iloc[0]
    assert (hpa["low"], hpa["high"]) == (1, 5)
    row = frame[(frame.mesh == "istio-ambient") & (frame.component == "ztunnel") & (frame.source_id == "F054")]
    assert len(row) == 1 and "1.24" in row.iloc[0]["version_or_date"]
