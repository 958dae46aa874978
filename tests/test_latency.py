"""Tests of meshcost.latency: lognormal fits, call-chain composition, queueing under load."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshcost import latency as lat
from meshcost.errors import BroadcastError, InputTypeError, InputValueError, MeshcostError
from meshcost.latency import (
    chain_quantiles,
    erlang_c,
    loaded_latency,
    lognormal_from_p90_p99,
    lognormal_from_quantiles,
    naive_sum,
    normal_ppf,
    quantile,
    queue_wait,
    sidecar_latency_at,
)
from meshcost.units import Quantity

PROPS = settings(derandomize=True, max_examples=60, deadline=None)

# Published figures used as fixtures (see /work/shared/reference/published-figures.csv).
ISTIO_120_P90, ISTIO_120_P99 = 0.228, 0.298  # client+server pair, Istio 1.20, 1000 RPS, 2 workers
ISTIO_116_P90, ISTIO_116_P99 = 2.65, 2.91  # client+server pair, Istio 1.8-1.16 docs, same test
ENVOY_CPU_120 = 0.5  # vCPU per 1000 RPS per proxy, Istio 1.20 / 1.22
ENVOY_CPU_124 = 0.20  # vCPU per 1000 RPS per proxy, Istio 1.24, 2 workers
LINKERD_CPU = 0.1  # vCPU per 1000 RPS per proxy, a derived figure (see brief)
# Test assumption: the article's "about 1 ms" for Linkerd as a per-hop p99, with a 0.5 ms median
# (Linkerd publishes only "< 1 ms median per proxy").
LINKERD_HOP_P50, LINKERD_HOP_P99 = 0.5, 1.0

ratios = st.floats(1.0, 10.0)
p50s = st.floats(0.01, 50.0)


def p50_from_p90_p99(p90: float, p99: float) -> float:
    mu, sigma = lognormal_from_p90_p99(p90, p99)
    return float(quantile(mu, sigma, 0.5))


# --------------------------------------------------------------------------- distributions


@PROPS
@given(p50=p50s, ratio=ratios)
def test_lognormal_roundtrip(p50: float, ratio: float) -> None:
    mu, sigma = lognormal_from_quantiles(p50, p50 * ratio)
    assert float(quantile(mu, sigma, 0.5)) == pytest.approx(p50, rel=1e-12)
    assert float(quantile(mu, sigma, 0.99)) == pytest.approx(p50 * ratio, rel=1e-12)


@PROPS
@given(p90=p50s, ratio=ratios)
def test_lognormal_p90_p99_roundtrip(p90: float, ratio: float) -> None:
    mu, sigma = lognormal_from_p90_p99(p90, p90 * ratio)
    got = quantile(mu, sigma, [0.9, 0.99])
    np.testing.assert_allclose(got, [p90, p90 * ratio], rtol=1e-12)


def test_lognormal_degenerate_and_values() -> None:
    mu, sigma = lognormal_from_quantiles(2.0, 2.0)
    assert float(sigma) == 0.0 and float(mu) == pytest.approx(math.log(2.0))
    np.testing.assert_allclose(quantile(mu, sigma, [0.01, 0.5, 0.999]), 2.0)
    mu, sigma = lognormal_from_quantiles(1.0, 10.0)
    assert float(sigma) == pytest.approx(math.log(10) / NormalDist().inv_cdf(0.99))
    # Istio 1.20 pair: the fitted median sits below the p90
    assert 0.1 < p50_from_p90_p99(ISTIO_120_P90, ISTIO_120_P99) < ISTIO_120_P90


def test_lognormal_vectorised_and_units() -> None:
    mu, sigma = lognormal_from_quantiles([[1.0], [2.0]], [3.0, 4.0, 5.0])
    assert mu.shape == sigma.shape == (2, 3)
    mu_q, sigma_q = lognormal_from_quantiles(Quantity(1000, "us"), Quantity(0.003, "s"))
    assert float(quantile(mu_q, sigma_q, 0.99)) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("p50", "p99", "name"),
    [
        (1.0, 0.5, "p99"),
        (0.0, 1.0, "p50"),
        (-1.0, 1.0, "p50"),
        (float("nan"), 1.0, "p50"),
        (1.0, float("nan"), "p99"),
        (1.0, float("inf"), "p99"),
        ([1.0, 2.0], [2.0, 1.5], "p99"),
    ],
)
def test_lognormal_rejects(p50, p99, name) -> None:
    with pytest.raises(InputValueError, match=rf"^{name}: got .*expected"):
        lognormal_from_quantiles(p50, p99)


def test_lognormal_error_names_index_and_types() -> None:
    with pytest.raises(InputValueError, match=r"p99: got 1\.5 at index \(1,\); expected p99 >= p50 \(here p50 = 2"):
        lognormal_from_quantiles([1.0, 2.0], [2.0, 1.5])
    with pytest.raises(InputValueError, match="p99: got 0.1.*p99 >= p90"):
        lognormal_from_p90_p99(0.2, 0.1)
    with pytest.raises(InputTypeError, match="p50"):
        lognormal_from_quantiles("fast", 1.0)
    with pytest.raises(BroadcastError, match=r"p50 \(2,\), p99 \(3,\)"):
        lognormal_from_quantiles([1.0, 2.0], [3.0, 4.0, 5.0])
    with pytest.raises(MeshcostError):
        lognormal_from_quantiles(Quantity(1, "MiB"), 2.0)


def test_quantile_and_normal_ppf() -> None:
    nd = NormalDist()
    qs = np.array([1e-6, 0.01, 0.3, 0.5, 0.9, 0.99, 0.999999])
    np.testing.assert_allclose(normal_ppf(qs), [nd.inv_cdf(float(x)) for x in qs], rtol=0, atol=1e-12)
    assert normal_ppf([[0.5, 0.5]]).shape == (1, 2)
    np.testing.assert_allclose(quantile(0.0, [0.0, 1.0], 0.5), [1.0, 1.0])
    for bad in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(InputValueError, match="^q: got"):
            quantile(0.0, 1.0, bad)
    with pytest.raises(InputValueError, match="^sigma: got -1"):
        quantile(0.0, -1.0, 0.5)
    with pytest.raises(InputValueError, match="^mu: got nan"):
        quantile(float("nan"), 1.0, 0.5)


# --------------------------------------------------------------------------- call chains


def test_chain_hops_zero_and_one() -> None:
    out = chain_quantiles([1.0, 0.3], [4.0, 0.3], [[0], [1]])
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out[:, 0], 0.0)
    np.testing.assert_allclose(out[:, 1], [[1.0, 0.3], [4.0, 0.3]], rtol=1e-12)
    assert float(chain_quantiles(1.0, 4.0, 0, 0.99)) == 0.0
    mc = chain_quantiles(1.0, 4.0, [0, 1], method="monte-carlo", samples=100_000, seed=1)
    np.testing.assert_array_equal(mc[:, 0], 0.0)
    np.testing.assert_allclose(mc[:, 1], [1.0, 4.0], rtol=0.03)


def test_chain_degenerate_sigma_is_exact_sum() -> None:
    np.testing.assert_allclose(chain_quantiles(2.0, 2.0, [3, 7]), [[6.0, 14.0], [6.0, 14.0]])
    np.testing.assert_allclose(chain_quantiles(2.0, 2.0, 5, method="monte-carlo", samples=10), 10.0)


def test_fenton_wilkinson_close_to_monte_carlo() -> None:
    """FW within 5 % of MC at p50, p90 and p99 for 1..20 hops and p99/p50 ratios 1.2..10."""
    ratio = np.array([1.2, 2.0, 3.0, 5.0, 10.0])[:, None]
    hops = np.arange(1, 21)[None, :]
    q = (0.5, 0.9, 0.99)
    fw = chain_quantiles(1.0, ratio, hops, q)
    mc = chain_quantiles(1.0, ratio, hops, q, method="monte-carlo", samples=100_000, seed=7)
    assert fw.shape == mc.shape == (3, 5, 20)
    rel = np.abs(fw / mc - 1.0)
    assert rel.max() < 0.05, rel.max()
    assert rel[:, :2].max() < 0.01  # near-symmetric hops: FW is essentially exact


def test_monte_carlo_chunking_and_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    a = chain_quantiles(1.0, 3.0, [1, 4, 9], method="monte-carlo", samples=20_000, seed=3)
    b = chain_quantiles(1.0, 3.0, [1, 4, 9], method="monte-carlo", samples=20_000, seed=3)
    np.testing.assert_array_equal(a, b)
    gen = chain_quantiles(1.0, 3.0, [1, 4, 9], method="monte-carlo", samples=20_000,
                          seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a, gen)
    monkeypatch.setattr(lat, "MC_CHUNK_VALUES", 25_000)  # one element per chunk
    c = chain_quantiles(1.0, 3.0, [1, 4, 9], method="monte-carlo", samples=20_000, seed=3)
    np.testing.assert_allclose(c, chain_quantiles(1.0, 3.0, [1, 4, 9]), rtol=0.05)


@PROPS
@given(p50=p50s, ratio=st.floats(1.01, 10.0), hops=st.integers(2, 60))
def test_chain_p99_below_naive_sum(p50: float, ratio: float, hops: int) -> None:
    p99 = p50 * ratio
    composed = float(chain_quantiles(p50, p99, hops, 0.99))
    assert composed < float(naive_sum(p99, hops))
    assert composed > p99  # the sum is at least its largest term's quantile


@PROPS
@given(p50=p50s, ratio=ratios, hops=st.integers(1, 40))
def test_chain_monotone_in_hops_and_median_bound(p50: float, ratio: float, hops: int) -> None:
    out = chain_quantiles(p50, p50 * ratio, [hops, hops + 1])
    assert np.all(out[:, 1] > out[:, 0])
    # mean > median for a lognormal, so the chain's median is at least hops x the hop median
    assert out[0, 0] >= hops * p50 * (1 - 1e-12)
    assert out[1, 0] >= out[0, 0]


def test_chain_ten_hops_example() -> None:
    p99_10 = float(chain_quantiles(1.0, 5.0, 10, 0.99))
    assert p99_10 < 10 * 5.0
    assert p99_10 < 0.5 * float(naive_sum(5.0, 10))  # at ratio 5 the naive sum is > 2x too high


@PROPS
@given(p50=st.lists(p50s, min_size=1, max_size=5), ratio=ratios, hops=st.integers(0, 30))
def test_chain_vectorised_matches_scalar(p50: list[float], ratio: float, hops: int) -> None:
    arr = chain_quantiles(p50, [x * ratio for x in p50], hops)
    for i, x in enumerate(p50):
        np.testing.assert_allclose(arr[:, i], chain_quantiles(x, x * ratio, hops), rtol=1e-13)


def test_chain_scalar_q_and_errors() -> None:
    assert chain_quantiles(1.0, 2.0, 3, 0.5).shape == ()
    assert chain_quantiles(1.0, 2.0, [3, 4], [0.5]).shape == (1, 2)
    with pytest.raises(InputValueError, match=r"^hops: got 2\.5"):
        chain_quantiles(1.0, 2.0, 2.5)
    with pytest.raises(InputValueError, match="^hops: got -1"):
        chain_quantiles(1.0, 2.0, -1)
    with pytest.raises(InputValueError, match="^hops: got nan"):
        chain_quantiles(1.0, 2.0, float("nan"))
    with pytest.raises(InputTypeError, match="^hops: got a boolean"):
        chain_quantiles(1.0, 2.0, True)
    with pytest.raises(InputValueError, match="^q: got 1.0"):
        chain_quantiles(1.0, 2.0, 3, (0.5, 1.0))
    with pytest.raises(InputValueError, match="^method: got 'exact'"):
        chain_quantiles(1.0, 2.0, 3, method="exact")  # type: ignore[arg-type]
    with pytest.raises(InputValueError, match="^samples: got 0"):
        chain_quantiles(1.0, 2.0, 3, method="monte-carlo", samples=0)
    with pytest.raises(InputTypeError, match="^samples: got 1000.0"):
        chain_quantiles(1.0, 2.0, 3, method="monte-carlo", samples=1000.0)  # type: ignore[arg-type]
    with pytest.raises(InputValueError, match="^hops: got 5000 with method='monte-carlo'"):
        chain_quantiles(1.0, 2.0, 5000, method="monte-carlo")
    with pytest.raises(InputTypeError, match="^seed: got 'x'"):
        chain_quantiles(1.0, 2.0, 3, method="monte-carlo", seed="x")  # type: ignore[arg-type]
    with pytest.raises(BroadcastError, match=r"p50, p99 \(2,\), hops \(3,\)"):
        chain_quantiles([1.0, 1.0], 2.0, [1, 2, 3])


def test_naive_sum() -> None:
    np.testing.assert_array_equal(naive_sum([1.0, 2.5], [[0], [4]]), [[0.0, 0.0], [4.0, 10.0]])
    with pytest.raises(InputValueError, match="^p: got -1"):
        naive_sum(-1.0, 2)


# --------------------------------------------------------------------------- queueing


def _erlang_c_direct(c: int, a: float) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@PROPS
@given(c=st.integers(1, 30), rho=st.floats(0.0, 0.99))
def test_erlang_c_matches_direct_formula(c: int, rho: float) -> None:
    a = c * rho
    assert float(erlang_c(c, a)) == pytest.approx(_erlang_c_direct(c, a), rel=1e-9, abs=1e-300)


def test_erlang_c_values_and_errors() -> None:
    assert float(erlang_c(2, 1.5)) == pytest.approx(9 / 14)
    np.testing.assert_allclose(erlang_c(1, [0.0, 0.3, 0.9]), [0.0, 0.3, 0.9])  # M/M/1: P(wait) = rho
    np.testing.assert_array_equal(erlang_c([1, 2, 4], [1.0, 3.0, float("inf")]), 1.0)
    with pytest.raises(InputValueError, match="^servers: got 1.5"):
        erlang_c(1.5, 1.0)
    with pytest.raises(InputValueError, match="^servers: got 0"):
        erlang_c(0, 1.0)
    with pytest.raises(InputValueError, match="^offered_load: got -1"):
        erlang_c(2, -1.0)


def test_queue_wait_mm1_closed_form() -> None:
    # M/M/1, S = 1 ms, 500 RPS: P(W > t) = 0.5 exp(-500 t) -> p99 = ln(50) / 500 s
    w = queue_wait(500, 1.0, 1, [0.4, 0.99])
    np.testing.assert_allclose(w, [0.0, 1000 * math.log(50) / 500], rtol=1e-12)


def _simulate_mm2(lam: float, service_s: float, n: int, seed: int) -> np.ndarray:
    """FCFS M/M/2 waiting times [ms] by the Kiefer-Wolfowitz workload recursion."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / lam, n).tolist()
    work = rng.exponential(service_s, n).tolist()
    v0 = v1 = 0.0
    out = [0.0] * n
    for i in range(n):
        out[i] = v0
        v0 += work[i]
        if v0 > v1:
            v0, v1 = v1, v0
        t = gaps[i]
        v0 = v0 - t if v0 > t else 0.0
        v1 = v1 - t if v1 > t else 0.0
    return 1000.0 * np.array(out)


def test_queue_wait_matches_simulated_mm2() -> None:
    waits = _simulate_mm2(3000.0, 0.0005, 600_000, seed=11)  # rho = 0.75
    model = queue_wait(3000, 0.5, 2, [0.9, 0.99])
    np.testing.assert_allclose(np.quantile(waits, [0.9, 0.99]), model, rtol=0.05)
    assert (waits > 0).mean() == pytest.approx(9 / 14, abs=0.01)


def test_queue_wait_allen_cunneen_scaling_and_edges() -> None:
    mm = queue_wait(3000, 0.5, 2, 0.99)
    np.testing.assert_allclose(queue_wait(3000, 0.5, 2, 0.99, arrival_cv2=1.0, service_cv2=0.0), 0.5 * mm)
    assert float(queue_wait(3000, 0.5, 2, 0.99, arrival_cv2=0.0, service_cv2=0.0)) == 0.0
    np.testing.assert_array_equal(queue_wait([0.0, 100.0], [0.5, 0.0], 2, 0.99), [0.0, 0.0])
    assert np.isinf(queue_wait(4000, 0.5, 2, 0.5))
    # fractional CPU budget: 1.5 vCPU with 2 threads saturates at 3000 RPS
    assert np.isinf(queue_wait(3000, 0.5, 1.5, 0.5))
    assert np.isfinite(queue_wait(2999, 0.5, 1.5, 0.99))
    with pytest.raises(InputValueError, match="^rps: got -5"):
        queue_wait(-5, 0.5, 2)
    with pytest.raises(InputValueError, match="^servers: got 0"):
        queue_wait(5, 0.5, 0)
    with pytest.raises(InputValueError, match="^arrival_cv2: got -1"):
        queue_wait(5, 0.5, 2, arrival_cv2=-1.0)


# --------------------------------------------------------------------------- latency under load


@pytest.mark.parametrize("cpu", [ENVOY_CPU_124, 0.35, ENVOY_CPU_120])
def test_low_load_stays_at_published_figure(cpu: float) -> None:
    """1000 RPS through a 2-worker Envoy: the published 1000-RPS figure comes back."""
    p50 = p50_from_p90_p99(ISTIO_120_P90, ISTIO_120_P99)
    for rps in (250.0, 500.0, 1000.0):
        res = loaded_latency(p50 / 2, ISTIO_120_P99 / 2, rps, cpu, 2)
        np.testing.assert_allclose(res.latency, [p50 / 2, ISTIO_120_P99 / 2], rtol=0.02)
        hop = sidecar_latency_at(rps, 2, p50, ISTIO_120_P99, cpu)
        np.testing.assert_allclose(hop.latency, [p50, ISTIO_120_P99], rtol=0.02)
        assert not hop.saturated


@pytest.mark.parametrize(("p90", "p99"), [(ISTIO_120_P90, ISTIO_120_P99), (ISTIO_116_P90, ISTIO_116_P99)])
def test_envoy_under_load_reaches_article_range(p90: float, p99: float) -> None:
    """3000 RPS per pod, 2-CPU limit, Envoy at 0.5 vCPU/1000 RPS: pair p99 in the article's 2-10 ms."""
    hop = sidecar_latency_at(3000, 2, p50_from_p90_p99(p90, p99), p99, ENVOY_CPU_120)
    assert float(hop.utilisation) == pytest.approx(0.75)
    assert 2.0 <= float(hop.latency[1]) <= 10.0
    assert float(hop.capacity_rps) == pytest.approx(4000.0)
    saturated = sidecar_latency_at(4000, 2, p50_from_p90_p99(p90, p99), p99, ENVOY_CPU_120)
    assert saturated.saturated and np.all(np.isinf(saturated.latency))


def test_linkerd_stays_near_one_ms_at_same_load() -> None:
    hop = sidecar_latency_at([1000, 3000, 4000], 2, LINKERD_HOP_P50, LINKERD_HOP_P99, LINKERD_CPU)
    assert np.all(hop.latency[1] < 1.5)
    assert hop.latency[1, 0] == pytest.approx(LINKERD_HOP_P99)
    envoy = sidecar_latency_at(3000, 2, LINKERD_HOP_P50, LINKERD_HOP_P99, ENVOY_CPU_120)
    assert float(envoy.latency[1]) > 2.0 * float(hop.latency[1, 1])


def test_sweep_over_saturation_has_no_warnings_and_flags() -> None:
    rps = np.linspace(0, 6000, 61)
    res = loaded_latency(0.1, 0.15, rps, ENVOY_CPU_120, 2)
    assert res.latency.shape == (2, 61)
    sat = rps >= 4000
    np.testing.assert_array_equal(res.saturated, sat)
    assert np.all(np.isinf(res.latency[:, sat])) and np.all(np.isfinite(res.latency[:, ~sat]))
    np.testing.assert_array_equal(res.wait_probability[sat], 1.0)
    np.testing.assert_allclose(res.utilisation, rps * 0.0005 / 2)
    assert np.all(np.diff(res.latency[:, ~sat], axis=1) >= 0)


@PROPS
@given(
    rps=st.floats(0.0, 20_000.0),
    extra=st.floats(0.0, 5_000.0),
    cpu=st.floats(0.0, 1.0),
    servers=st.floats(1.0, 8.0),
    ratio=ratios,
)
def test_loaded_latency_properties(rps: float, extra: float, cpu: float, servers: float, ratio: float) -> None:
    base = np.array([0.2, 0.2 * ratio])
    a = loaded_latency(0.2, 0.2 * ratio, rps, cpu, servers, reference_rps=500)
    b = loaded_latency(0.2, 0.2 * ratio, rps + extra, cpu, servers, reference_rps=500)
    assert np.all(a.latency >= base * (1 - 1e-12))
    assert np.all(b.latency >= a.latency)  # monotone in load
    assert bool(a.saturated) == bool(a.utilisation >= 1)
    assert bool(a.saturated) == bool(np.all(np.isinf(a.latency)))


def test_unanchored_model_and_zero_cpu() -> None:
    plain = loaded_latency(0.1, 0.2, 1000, 0.5, 2, reference_rps=0)
    np.testing.assert_allclose(plain.latency, [0.1, 0.2] + queue_wait(1000, 0.5, 2))
    np.testing.assert_allclose(plain.queue_wait, queue_wait(1000, 0.5, 2))
    free = loaded_latency(0.1, 0.2, 1e6, 0.0, 2)
    np.testing.assert_allclose(free.latency, [0.1, 0.2])
    assert np.isinf(free.capacity_rps) and not free.saturated
    assert loaded_latency(0.1, 0.2, 3000, 0.5, 2, q=0.99).latency.shape == ()


def test_loaded_latency_errors() -> None:
    with pytest.raises(InputValueError, match="^cpu_per_1000_rps: got 2.5.*reference"):
        loaded_latency(0.1, 0.2, 100, 2.5, 4)
    with pytest.raises(InputValueError, match="^base_p99: got 0.05"):
        loaded_latency(0.1, 0.05, 100, 0.5, 2)
    with pytest.raises(InputValueError, match="^servers: got nan"):
        loaded_latency(0.1, 0.2, 100, 0.5, float("nan"))
    with pytest.raises(InputValueError, match="^reference_servers: got 0"):
        loaded_latency(0.1, 0.2, 100, 0.5, 2, reference_servers=0)
    with pytest.raises(BroadcastError, match=r"rps_per_proxy \(3,\), cpu_per_1000_rps \(2,\)"):
        loaded_latency(0.1, 0.2, [1, 2, 3], [0.1, 0.2], 2)


def test_sidecar_latency_at_threads_units_and_errors() -> None:
    # default threads = ceil(cpu_limit): 1.5 vCPU -> 2 threads sharing 1.5 vCPU
    res = sidecar_latency_at(2000, 1.5, 0.2, 0.3, 0.5)
    assert float(res.capacity_rps) == pytest.approx(3000.0)
    one = sidecar_latency_at(2000, 2, 0.2, 0.3, 0.5, worker_threads=1)
    assert float(one.capacity_rps) == pytest.approx(2000.0) and one.saturated
    unlimited = sidecar_latency_at(2000, float("inf"), 0.2, 0.3, 0.5, worker_threads=4)
    assert float(unlimited.capacity_rps) == pytest.approx(8000.0)
    q = sidecar_latency_at(Quantity(3, "1/ms"), Quantity(2000, "millicore"), Quantity(200, "us"), 0.3, 0.5)
    np.testing.assert_allclose(q.latency, sidecar_latency_at(3000, 2, 0.2, 0.3, 0.5).latency)
    single = sidecar_latency_at(3000, 2, 0.2, 0.3, 0.5, passes=1)
    double = sidecar_latency_at(3000, 2, 0.2, 0.3, 0.5)
    np.testing.assert_allclose(double.latency - [0.2, 0.3], 2 * (single.latency - [0.2, 0.3]))
    with pytest.raises(InputValueError, match="^cpu_limit: got inf.*worker_threads"):
        sidecar_latency_at(3000, float("inf"), 0.2, 0.3, 0.5)
    with pytest.raises(InputValueError, match="^cpu_limit: got 0"):
        sidecar_latency_at(3000, 0, 0.2, 0.3, 0.5)
    with pytest.raises(InputValueError, match="^worker_threads: got 2.5"):
        sidecar_latency_at(3000, 2, 0.2, 0.3, 0.5, worker_threads=2.5)
    with pytest.raises(InputValueError, match="^passes: got 0"):
        sidecar_latency_at(3000, 2, 0.2, 0.3, 0.5, passes=0)
    with pytest.raises(InputTypeError, match="^rps_per_pod"):
        sidecar_latency_at(Quantity(3, "MiB"), 2, 0.2, 0.3, 0.5)


def test_latency_at_and_path_latency_name_shapes_that_do_not_broadcast() -> None:
    import meshcost

    with pytest.raises(BroadcastError, match=r"rps_per_proxy \(1, 2\), hops \(3,\)"):
        meshcost.latency_at("istio-sidecar", [[0.0, 10.0]], hops=np.array([0, 1, 2]))
    assert meshcost.latency_at("istio-sidecar", [[0.0, 10.0]], hops=np.array([[1], [2], [3]])).p99.typical.shape == (3, 2)
    r = meshcost.project(nodes=[10.0, 20.0], sidecars=100)
    with pytest.raises(BroadcastError, match=r"per-hop latency \(2,\), hops \(3,\)"):
        r["linkerd"].path_latency([1, 2, 3])
