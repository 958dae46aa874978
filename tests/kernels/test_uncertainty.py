"""Monte Carlo bands, latency along paths and under load, and their acceptance checks."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import meshcost
from meshcost.kernels.uncertainty import pert_samples, row_percentiles

FIGURES = ("memory", "cpu", "latency_p50", "latency_p99")


def test_pert_samples_stay_in_range_and_peak_at_typical():
    rng = np.random.default_rng(0)
    x = pert_samples(40.0, 50.0, 120.0, 200_000, rng)
    assert x.min() >= 40 and x.max() <= 120
    assert np.mean(x) == pytest.approx((40 + 4 * 50 + 120) / 6, rel=0.01)  # the PERT mean
    hist, edges = np.histogram(x, bins=80)
    assert 45 <= edges[np.argmax(hist)] <= 55
    assert np.all(pert_samples(3.0, 3.0, 3.0, 10, rng) == 3.0)


def test_row_percentiles_match_numpy_and_handle_inf():
    rng = np.random.default_rng(1)
    a = rng.random((999, 6))  # samples first, then scenarios
    np.testing.assert_allclose(row_percentiles(a, (0, 5, 50, 95, 100)), np.percentile(a, [0, 5, 50, 95, 100], axis=0))
    a[:, 0] = np.inf
    a[-20:, 1] = np.inf
    out = row_percentiles(a, (5, 50, 99))
    assert np.all(np.isinf(out[:, 0])) and np.isinf(out[2, 1]) and np.isfinite(out[1, 1])


def test_bands_contain_the_typical_value_and_are_ordered():
    n = np.array([3, 50, 500])
    r = meshcost.project(nodes=n, sidecars=n * 10, rps=n * 100, waypoints=1, samples=20_000, seed=7)
    for mesh in r:
        for figure in FIGURES:
            band = getattr(mesh, figure)
            low, typical, high = (q.magnitude for q in band)
            p5, p50, p95 = band.p5.magnitude, band.p50.magnitude, band.p95.magnitude
            assert np.all(low <= p5 + 1e-9) and np.all(p95 <= high + 1e-9), (mesh.name, figure)
            assert np.all(p5 <= p50) and np.all(p50 <= p95)
            # a sum of right-skewed coefficients can put its 5th percentile above the sum of the
            # typical values (a waypoint hop: ztunnel + waypoint p99), so only the upper side is checked
            assert np.all(typical <= p95 + 1e-9), (mesh.name, figure)


def test_same_seed_same_result_and_other_seed_differs():
    kwargs = dict(nodes=np.arange(1, 30), sidecars=300, samples=5000)
    a = meshcost.project(seed=3, **kwargs)
    b = meshcost.project(seed=3, **kwargs)
    c = meshcost.project(seed=4, **kwargs)
    for mesh in a.meshes:
        np.testing.assert_array_equal(a[mesh].memory.p95.magnitude, b[mesh].memory.p95.magnitude)
    assert not np.array_equal(a["linkerd"].memory.p95.magnitude, c["linkerd"].memory.p95.magnitude)


@functools.lru_cache(maxsize=1)
def _unchunked_cached(key):
    return meshcost.project(**dict(key))


def _unchunked(**kwargs):
    return _unchunked_cached(tuple((k, tuple(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()))


@settings(max_examples=30, deadline=None)
@given(chunk=st.integers(min_value=1, max_value=50_000))
def test_chunked_and_unchunked_agree(chunk):
    kwargs = dict(nodes=np.arange(1, 40), sidecars=np.arange(1, 40) * 7, rps=500, samples=2000, seed=11)
    whole = _unchunked(**kwargs)
    parts = meshcost.project(chunk_values=chunk, **kwargs)
    for mesh in whole.meshes:
        for figure in FIGURES:
            for p, q in getattr(whole[mesh], figure).percentiles.items():
                np.testing.assert_allclose(getattr(parts[mesh], figure).percentile(p).magnitude, q.magnitude,
                                           rtol=1e-12)


def test_percentiles_reach_the_frames():
    r = meshcost.project(nodes=[5, 6], sidecars=50, samples=500, seed=1, percentiles=(10, 90))
    frame = r.mesh_frame()
    assert {"memory_p10 [MiB]", "cpu_p90 [vCPU]", "latency_p99_p10 [ms]"} <= set(frame.columns)
    assert len(frame) == 2 * len(r.meshes)
    with pytest.raises(AttributeError):
        r["linkerd"].memory.p5
    plain = meshcost.project(nodes=5, sidecars=50)
    assert plain["linkerd"].memory.percentiles == {}


def test_progress_is_reported_per_chunk():
    seen = []
    meshcost.project(nodes=np.arange(1, 101), sidecars=100, samples=100, seed=0, chunk_values=1000,
                     progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (100, 100) and len(seen) == 10


@pytest.mark.parametrize("kwargs, words", [
    ({"samples": 0}, ["samples", "from 1"]),
    ({"samples": -5}, ["samples"]),
    ({"samples": 2.5}, ["samples", "whole number"]),
    ({"samples": 10, "percentiles": (5, 101)}, ["percentiles", "0 to 100"]),
    ({"samples": 10, "percentiles": (-1,)}, ["percentiles"]),
    ({"samples": 10, "seed": "abc"}, ["seed"]),
    ({"samples": 10, "chunk_values": 0}, ["chunk_values"]),
])
def test_bad_monte_carlo_arguments(kwargs, words):
    with pytest.raises(meshcost.MeshcostError) as info:
        meshcost.project(nodes=5, sidecars=50, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_array_overrides_are_refused_in_monte_carlo():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=5, sidecars=50, samples=10,
                         overrides={"linkerd.proxy.memory.instance": np.array([1.0, 2.0])})
    assert "linkerd.proxy.memory.instance" in str(info.value)


# ----------------------------------------------------------------------------- latency along a path


@pytest.mark.parametrize("mesh", ["istio-sidecar", "istio-ambient", "linkerd"])
def test_ten_hop_p99_is_below_ten_single_hop_p99s(mesh):
    r = meshcost.project(nodes=10, sidecars=100)
    path = r[mesh].path_latency(10)
    one = r[mesh].latency_p99.typical.m_as("ms")
    assert path.p99.typical.m_as("ms") < 10 * one
    assert path.naive_p99.typical.m_as("ms") == pytest.approx(10 * one)
    single = r[mesh].path_latency(1)
    assert single.p99.typical.m_as("ms") == pytest.approx(one, rel=1e-9)
    assert single.p50.typical.m_as("ms") == pytest.approx(r[mesh].latency_p50.typical.m_as("ms"), rel=1e-9)


def test_path_latency_grows_with_hops_and_broadcasts():
    r = meshcost.project(nodes=10, sidecars=100)
    path = r["linkerd"].path_latency(np.arange(0, 21))
    p99 = path.p99.typical.m_as("ms")
    assert p99[0] == 0 and np.all(np.diff(p99) > 0)


def test_article_latency_under_load():
    # "Envoy 2-10 ms under load, linkerd2-proxy about 1 ms" (A002, load not stated). On the Istio
    # 1.19-1.22 CPU figures applied linearly (the high band of the marginal CPU) the Envoy pair
    # reaches it at 3,000 RPS per pod; on the measured sub-linear CPU (F091) at 6,000-8,000.
    envoy = meshcost.latency_at("istio-sidecar", 3000, cpu_limit=2, version="1.20")
    assert 2 <= envoy.p99.high.m_as("ms") <= 10
    assert envoy.p99.typical.m_as("ms") < 1
    for rps in (6000, 8000):
        envoy = meshcost.latency_at("istio-sidecar", rps, cpu_limit=2, version="1.20")
        linkerd = meshcost.latency_at("linkerd", rps, cpu_limit=2)
        assert 2 <= envoy.p99.typical.m_as("ms") <= 10
        assert linkerd.p99.typical.m_as("ms") < 1


@pytest.mark.parametrize("mesh, version, p99", [("istio-sidecar", "1.20", 0.298), ("istio-sidecar", "1.16", 2.91),
                                                ("istio-ambient", None, 0.20)])
def test_low_load_matches_published_figures(mesh, version, p99):
    for rps in (100, 500, 1000):
        result = meshcost.latency_at(mesh, rps, version=version)
        assert result.p99.typical.m_as("ms") == pytest.approx(p99)


def test_saturation_shows_as_infinite_latency_in_projections():
    r = meshcost.project(nodes=10, sidecars=10, rps=100_000, versions={"istio-sidecar": "1.20"})
    assert np.isinf(r["istio-sidecar"].latency_p99.typical.m_as("ms"))
    assert np.isfinite(r["linkerd"].latency_p99.low.m_as("ms"))


def test_flattened_scenario_rows_are_the_broadcast_inputs_in_c_order():
    from meshcost.scenario import make_scenario

    scenario = make_scenario(nodes=np.array([[3.0], [4.0]]), sidecars=np.array([10.0, 20.0, 30.0]), rps=5.0)
    flat = scenario.flattened()
    assert flat.shape == (6,)
    assert np.ndim(flat.rps) == 0  # a scalar input stays one number: a chunk does not copy it
    rows = flat.rows(2, 5)
    assert rows.shape == (3,)
    np.testing.assert_array_equal(rows.nodes, [3.0, 4.0, 4.0])
    np.testing.assert_array_equal(rows.sidecars, [30.0, 10.0, 20.0])
    for name, value in scenario.inputs().items():
        np.testing.assert_array_equal(np.broadcast_to(getattr(rows, name), (3,)), value.reshape(6)[2:5])
