"""Calibration: the Student t quantile, the least-squares fit, fitted profiles."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

import meshcost
from meshcost.calibrate import (
    CPU,
    LOAD,
    MEMORY,
    ComponentFit,
    fit_component,
    fit_frame,
    read_perf_csv,
    read_prometheus,
    t_quantile,
)
from meshcost.errors import (
    InputTypeError,
    InputValueError,
    UnitMismatchError,
    UnknownNameError,
)
from meshcost.units import ureg
from tests.calibration_samples import (
    CPU_RATE_MATRIX,
    LOAD_MATRIX,
    MEMORY_MATRIX,
    PERF_CSV,
    TRUE_IDLE,
    TRUE_MEMORY,
    TRUE_PER_1000,
)

# --------------------------------------------------------------------------- Student t quantile

#: scipy.stats.t.ppf (scipy 1.17, computed outside the test suite; scipy is not a dependency).
#: The same figures appear, to 3 decimals, in every printed t table (e.g. 12.706, 4.303, 2.571,
#: 2.228, 2.042, 1.984 for 95 % two-sided; 63.657, 5.841 for 99 %; 636.619, 31.599 for 99.9 %).
SCIPY_T_PPF = [
    (0.975, 1, 12.706204736174694),
    (0.975, 2, 4.302652729749462),
    (0.975, 3, 3.1824463052837078),
    (0.975, 4, 2.7764451051977934),
    (0.975, 5, 2.5705818356363146),
    (0.975, 10, 2.228138851986274),
    (0.975, 18, 2.1009220402410382),
    (0.975, 30, 2.0422724563012378),
    (0.975, 100, 1.9839715185235518),
    (0.975, 1000, 1.9623390808264083),
    (0.975, 1e6, 1.959966356814107),
    (0.95, 1, 6.313751514675037),
    (0.95, 4, 2.1318467863266495),
    (0.995, 1, 63.656741162871526),
    (0.995, 3, 5.840909309733355),
    (0.9995, 1, 636.6192487687897),
    (0.9995, 2, 31.599054576445365),
    (0.99, 20, 2.527977002741573),
    (0.9, 7, 1.4149239276505086),
    (0.75, 3, 0.7648923284043444),
    (0.6, 2.5, 0.2814595127485477),
    (0.975, 0.5, 164.55767348048818),
    (0.999999, 3, 103.29946777942898),
    (0.995, 1e7, 2.5758297952037488),
    (0.5000001, 5, 2.6343055223849135e-07),
]


@pytest.mark.parametrize("p, df, expected", SCIPY_T_PPF)
def test_t_quantile_matches_tables(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-9)
    assert t_quantile(1 - p, df) == pytest.approx(-expected, rel=1e-9)


def test_t_quantile_shape():
    assert t_quantile(0.5, 3) == 0.0
    ps = [0.51, 0.6, 0.75, 0.9, 0.975, 0.999]
    for df in (1, 2, 3, 7.5, 40):
        values = [t_quantile(p, df) for p in ps]
        assert values == sorted(values)
    # heavier tails for fewer degrees of freedom, tending to the normal quantile
    by_df = [t_quantile(0.975, df) for df in (1, 2, 3, 5, 10, 100, 1e4, 1e9)]
    assert by_df == sorted(by_df, reverse=True)
    z = NormalDist().inv_cdf(0.975)
    assert by_df[-1] == pytest.approx(z + (z**3 + z) / 4e9, rel=1e-15)  # first-order term: 2.4e-9 above z
    assert t_quantile(1e-12, 3) < -1000  # the far lower tail keeps its precision


@pytest.mark.parametrize("p, df, error, words", [
    (0.0, 3, InputValueError, "p: got 0.0"),
    (1.0, 3, InputValueError, "strictly between 0 and 1"),
    (0.9, 0, InputValueError, "df: got 0.0"),
    (0.9, float("nan"), InputValueError, "df: got nan"),
    ("0.9", 3, InputTypeError, "p: got '0.9'"),
    (0.9, True, InputTypeError, "df: got True"),
])
def test_t_quantile_rejects(p, df, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(")):
        t_quantile(p, df)


# --------------------------------------------------------------------------- fit


def _synthetic(rng: np.random.Generator, n: int = 12, idle: float = 0.004, per_1000: float = 0.22,
               memory: float = 52.0, cpu_sd: float = 0.004, memory_sd: float = 0.6):
    load = np.sort(rng.uniform(50, 2000, n))
    cpu = idle + per_1000 * load / 1000 + rng.normal(0, cpu_sd, n)
    mem = memory + rng.normal(0, memory_sd, n)
    return load, cpu, mem


def test_noise_free_data_are_reproduced_exactly():
    load = np.array([100.0, 400.0, 900.0, 1600.0])
    fit = fit_component(load, 0.003 + 0.25 * load / 1000, np.full(4, 48.0))
    assert isinstance(fit, ComponentFit)
    assert fit.cpu_idle.value == pytest.approx(0.003, abs=1e-15)
    assert fit.cpu_request.value == pytest.approx(0.25, rel=1e-12)
    assert fit.memory.value == 48.0 and fit.memory.stderr == 0.0
    assert fit.cpu_quality.r2 == pytest.approx(1.0, abs=1e-12)
    assert fit.cpu_quality.rmse == pytest.approx(0.0, abs=1e-15)
    assert fit.memory_quality.r2 == 1.0  # no spread, fitted exactly
    assert fit.memory_traffic_independent
    assert fit.load_range == (100.0, 1600.0) and fit.n == 4 and fit.per_rps == 1000.0


def test_intervals_are_t_times_standard_error():
    rng = np.random.default_rng(7)
    for n in (3, 5, 40):
        fit = fit_component(*_synthetic(rng, n=n), confidence=0.9)
        t_line, t_mean = t_quantile(0.95, n - 2), t_quantile(0.95, n - 1)
        assert fit.cpu_quality.dof == n - 2 and fit.cpu_quality.n == n
        for est, t in ((fit.cpu_idle, t_line), (fit.cpu_request, t_line), (fit.memory_slope, t_line),
                       (fit.memory, t_mean)):
            assert est.ci_high - est.value == pytest.approx(t * est.stderr, rel=1e-12)
            assert est.value - est.ci_low == pytest.approx(t * est.stderr, rel=1e-12)
        residual_se = fit.cpu_quality.residual_se
        assert fit.cpu_quality.rmse == pytest.approx(residual_se * math.sqrt((n - 2) / n), rel=1e-12)


def test_confidence_intervals_cover_the_truth():
    """95 % intervals from 200 seeded simulations cover the true parameters about 95 % of the time."""
    rng = np.random.default_rng(20240603)
    hits = {"idle": 0, "request": 0, "memory": 0, "memory_slope": 0}
    hits80 = 0
    runs = 200
    for _ in range(runs):
        load, cpu, mem = _synthetic(rng)
        fit = fit_component(load, cpu, mem)
        hits["idle"] += fit.cpu_idle.covers(0.004)
        hits["request"] += fit.cpu_request.covers(0.22)
        hits["memory"] += fit.memory.covers(52.0)
        hits["memory_slope"] += fit.memory_slope.covers(0.0)
        hits80 += fit_component(load, cpu, mem, confidence=0.8).cpu_request.covers(0.22)
    for name, count in hits.items():
        assert 0.9 <= count / runs <= 0.99, (name, count)
    assert 0.72 <= hits80 / runs <= 0.88


def test_fixture_fits_recover_the_generating_parameters():
    fit = fit_frame(read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX))
    assert fit.cpu_idle.covers(TRUE_IDLE)
    assert fit.cpu_request.covers(TRUE_PER_1000)
    assert fit.memory.covers(TRUE_MEMORY)
    assert fit.memory_traffic_independent
    assert fit.cpu_quality.r2 > 0.99
    text = str(fit)
    assert "24 samples" in text and "traffic-independent" in text
    perf = fit_frame(read_perf_csv(PERF_CSV, pods=("fortioserver",)))
    assert perf.cpu_request.covers(0.23) and perf.cpu_idle.covers(0.0045)  # make_fixtures: 4.5 + 0.23 x QPS mcores


def test_per_rps_and_units():
    rng = np.random.default_rng(3)
    load, cpu, mem = _synthetic(rng)
    base = fit_component(load, cpu, mem)
    per_one = fit_component(load, cpu, mem, per_rps=1)
    assert per_one.cpu_request.value == pytest.approx(base.cpu_request.value / 1000, rel=1e-12)
    assert per_one.cpu_idle.value == pytest.approx(base.cpu_idle.value, rel=1e-12)
    quantities = fit_component(ureg.Quantity(load * 60, "1/minute"), ureg.Quantity(cpu * 1000, "millicore"),
                               ureg.Quantity(mem * 2**20, "B"))
    assert quantities.cpu_request.value == pytest.approx(base.cpu_request.value, rel=1e-12)
    assert quantities.memory.value == pytest.approx(base.memory.value, rel=1e-12)
    with pytest.raises(UnitMismatchError, match="memory_mib"):
        fit_component(load, cpu, ureg.Quantity(mem, "count"))


def test_memory_that_grows_with_load_is_reported():
    load = np.linspace(100, 3000, 20)
    mem = 40 + 3.0 * load / 1000 + np.random.default_rng(5).normal(0, 0.3, 20)
    fit = fit_component(load, 0.01 + 0.2 * load / 1000, mem)
    assert not fit.memory_traffic_independent
    assert fit.memory_slope.covers(3.0)
    assert fit.memory_quality.r2 > 0.9
    assert "depends on load" in str(fit)


def test_intervals_are_clipped_at_zero():
    load = np.array([100.0, 500.0, 1000.0, 1500.0, 2000.0])
    cpu = np.array([0.018, 0.101, 0.199, 0.305, 0.398])  # idle about 0: the interval reaches below 0
    fit = fit_component(load, cpu, np.full(5, 30.0))
    assert fit.cpu_idle.ci_low < 0 and fit.cpu_idle.clipped
    low, typical, high = fit.cpu_idle.bounds
    assert low == 0.0 and typical == max(0.0, fit.cpu_idle.value) and high == fit.cpu_idle.ci_high
    negative = fit_component(load, cpu - 0.01, np.full(5, 30.0))
    assert negative.cpu_idle.value < 0 and negative.cpu_idle.bounds[:2] == (0.0, 0.0)
    profile = negative.to_profile("linkerd", "proxy", name="clipped", source="bench.csv")
    idle = profile.component("proxy").cpu[0].coefficient
    assert (idle.low, idle.typical) == (0.0, 0.0)
    assert "clipped at 0 (CPU cannot be negative); the estimate itself was negative" in idle.note


@pytest.mark.parametrize("args, kwargs, error, words", [
    (([1.0, 2.0], [0.1, 0.2], [5.0, 5.0]), {}, InputValueError, "load_rps: got 2 samples; expected at least 3"),
    (([5.0, 5.0, 5.0], [0.1, 0.2, 0.3], [5.0] * 3), {}, InputValueError,
     "load_rps: all 3 samples are 5.0; expected at least two different loads"),
    (([1.0, 2.0, np.nan], [0.1] * 3, [5.0] * 3), {}, InputValueError, "load_rps: got nan at index 2"),
    (([1.0, 2.0, 3.0], [0.1, -0.2, 0.3], [5.0] * 3), {}, InputValueError,
     "cpu_vcpu: got -0.2 at index 1; expected finite values >= 0"),
    (([1.0, 2.0, 3.0], [0.1] * 3, [5.0, np.inf, 5.0]), {}, InputValueError, "memory_mib: got inf at index 1"),
    (([1.0, 2.0, 3.0], [0.1] * 4, [5.0] * 3), {}, InputValueError, "cpu_vcpu: got 4 samples; load_rps has 3"),
    (([1.0, 2.0, 3.0], [0.1] * 3, [5.0] * 2), {}, InputValueError, "memory_mib: got 2 samples; load_rps has 3"),
    ((np.ones((3, 2)), [0.1] * 3, [5.0] * 3), {}, InputValueError, r"load_rps: got an array of shape \(3, 2\)"),
    ((5.0, [0.1] * 3, [5.0] * 3), {}, InputValueError, r"load_rps: got an array of shape \(\)"),
    ((["a", "b", "c"], [0.1] * 3, [5.0] * 3), {}, InputTypeError, "load_rps: got"),
    (([1.0, 2.0, 3.0], [0.1] * 3, [5.0] * 3), {"per_rps": 0}, InputValueError, "per_rps: got 0"),
    (([1.0, 2.0, 3.0], [0.1] * 3, [5.0] * 3), {"confidence": 1.0}, InputValueError, "confidence: got 1.0"),
    (([1.0, 2.0, 3.0], [0.1] * 3, [5.0] * 3), {"confidence": True}, InputValueError, "confidence: got True"),
])
def test_fit_rejects_bad_input(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        fit_component(*args, **kwargs)


def test_fit_frame_needs_the_reader_columns():
    import pandas as pd

    with pytest.raises(InputValueError, match=r"frame: column\(s\) \['cpu \[vCPU\]'\] missing"):
        fit_frame(pd.DataFrame({LOAD: [1.0, 2, 3], MEMORY: [1.0, 1, 1]}))
    with pytest.raises(InputTypeError, match="frame: got"):
        fit_frame([1, 2, 3])


# --------------------------------------------------------------------------- fitted profiles


@pytest.fixture(scope="module")
def matrix_fit() -> ComponentFit:
    return fit_frame(read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX))


def test_to_profile_replaces_the_proxy_figures(matrix_fit):
    base = meshcost.get_profile("istio-sidecar")
    fitted = matrix_fit.to_profile(base, "sidecar", name="shop-istio", source="shop-2024-06-03.json")
    assert fitted.name == "shop-istio" and "shop-2024-06-03.json" in fitted.title
    sidecar = fitted.component("sidecar")
    expected = {("memory", "instance"): matrix_fit.memory, ("cpu", "instance"): matrix_fit.cpu_idle,
                ("cpu", "request"): matrix_fit.cpu_request,
                ("cpu", "request_above_reference"): matrix_fit.cpu_request}  # the fit is linear
    changed = set()
    for (component, resource, driver, coef), (_, _, _, old) in zip(fitted.coefficients(), base.coefficients()):
        key = (resource, driver)
        if component == "sidecar" and key in expected:
            changed.add(key)
            assert (coef.low, coef.typical, coef.high) == expected[key].bounds
            assert coef.values == expected[key].bounds  # MiB and vCPU are the canonical units
            assert coef.unit == ("MiB" if resource == "memory" else "vCPU")
            assert coef.basis == "measured" and coef.sources == ("shop-2024-06-03.json",)
            assert "n = 24" not in coef.note and "24 samples" in coef.note
            assert "95 %" in coef.note and "R2 " in coef.note
        else:
            assert coef == old, (component, resource, driver)
    assert changed == set(expected)
    assert "RMSE" in sidecar.cpu[1].coefficient.note
    assert sidecar.cpu[1].per_rps == 1000.0
    assert sidecar.latency_p50 == base.component("sidecar").latency_p50
    assert "consistent with traffic-independent memory" in sidecar.memory[0].coefficient.note


def test_fitted_profile_projects_next_to_builtin_meshes(matrix_fit):
    fitted = matrix_fit.to_profile("istio-sidecar", "sidecar", name="shop-istio", source="shop.json")
    result = meshcost.project(nodes=10, sidecars=100, rps=5000, meshes=["linkerd", fitted])
    assert result.meshes == ("linkerd", "shop-istio")
    low, typical, high = result["shop-istio"].cpu.magnitudes()
    assert 0 < low <= typical <= high


def test_fitted_profile_reproduces_its_data(matrix_fit):
    """A one-proxy projection at the measured loads gives the fitted line and covers the truth."""
    fitted = matrix_fit.to_profile("istio-sidecar", "sidecar", name="shop-istio", source="shop.json")
    frame = read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX)
    load = frame[LOAD].to_numpy()
    passes = fitted.component("sidecar").passes  # rps is mesh-wide: each request crosses `passes` sidecars
    result = meshcost.project(nodes=1, sidecars=1, services=0, rps=load / passes, meshes=[fitted])
    sidecar = result["shop-istio"].components["sidecar"]
    cpu_low, cpu_typical, cpu_high = sidecar.cpu.magnitudes()
    mem_low, mem_typical, mem_high = sidecar.memory.magnitudes()
    line = matrix_fit.cpu_idle.value + matrix_fit.cpu_request.value * load / 1000
    np.testing.assert_allclose(cpu_typical, line, rtol=1e-12)
    np.testing.assert_allclose(mem_typical, matrix_fit.memory.value, rtol=1e-12)
    assert np.all(cpu_low <= cpu_typical) and np.all(cpu_typical <= cpu_high)
    # the measured means sit on the line, and the band holds the line the data were drawn from
    assert np.mean(cpu_typical) == pytest.approx(frame[CPU].mean(), rel=1e-12)
    assert np.all((mem_low <= frame[MEMORY].mean()) & (frame[MEMORY].mean() <= mem_high))
    truth = TRUE_IDLE + TRUE_PER_1000 * load / 1000
    assert np.all((cpu_low <= truth) & (truth <= cpu_high))
    assert np.all((mem_low <= TRUE_MEMORY) & (TRUE_MEMORY <= mem_high))
    residuals = frame[CPU].to_numpy() - cpu_typical
    assert np.sqrt(np.mean(residuals**2)) == pytest.approx(matrix_fit.cpu_quality.rmse, rel=1e-9)


def test_noise_free_profile_reproduces_the_data_exactly():
    load = np.array([200.0, 600.0, 1000.0, 1400.0])
    cpu = 0.0015 + 0.09 * load / 1000
    fit = fit_component(load, cpu, np.full(4, 14.0))
    fitted = fit.to_profile("linkerd", "proxy", name="exact", source="lab.csv")
    result = meshcost.project(nodes=1, sidecars=1, rps=load / 2, meshes=[fitted])
    proxy = result["exact"].components["proxy"]
    for band in proxy.cpu.magnitudes():
        np.testing.assert_allclose(band, cpu, rtol=1e-9)
    for band in proxy.memory.magnitudes():
        np.testing.assert_allclose(band, 14.0, rtol=1e-12)


def test_fitted_profile_round_trips_through_toml(matrix_fit, tmp_path):
    for base, component in (("istio-sidecar", "sidecar"), ("linkerd", "proxy"), ("istio-sidecar@1.20", "sidecar")):
        fitted = matrix_fit.to_profile(base, component, name="mine", source="https://prom.example/api?x=1")
        path = meshcost.save_profile(fitted, tmp_path / f"{component}.toml")
        loaded = meshcost.load_profile(path)
        assert loaded == fitted
        note = fitted.component(component).cpu[0].coefficient.note
        assert loaded.component(component).cpu[0].coefficient.note == note
    other = fit_component([1.0, 500, 2000], [0.001, 0.05, 0.2], [10.0, 10.5, 11], per_rps=100)
    fitted = other.to_profile("linkerd", "proxy", name="per-100", source="bench")
    assert fitted.component("proxy").cpu[1].per_rps == 100.0
    assert meshcost.load_profile(meshcost.save_profile(fitted, tmp_path / "p.toml")) == fitted


@pytest.mark.parametrize("kwargs, error, words", [
    ({"base": "istio-ambient", "component": "istio-cni"}, InputValueError,
     r"component: istio-ambient.istio-cni has no cpu.request term\(s\); expected a proxy .*'ztunnel'"),
    ({"component": "istiod"}, InputValueError, r"istio-sidecar.istiod has no .*cpu.request"),
    ({"component": "envoy"}, UnknownNameError, "component 'envoy' is not part of mesh 'istio-sidecar'"),
    ({"base": "consul"}, UnknownNameError, "consul"),
    ({"base": 3}, InputTypeError, "base: got 3"),
    ({"name": "My Mesh"}, InputValueError, "name: got 'My Mesh'; expected lower-case"),
    ({"source": " "}, InputValueError, "source: got ' '; expected a non-empty description"),
    ({"source": "F999"}, InputValueError, "source: got 'F999', which looks like a source id"),
])
def test_to_profile_rejects(matrix_fit, kwargs, error, words):
    arguments = {"base": "istio-sidecar", "component": "sidecar", "name": "mine", "source": "data.json", **kwargs}
    base, component = arguments.pop("base"), arguments.pop("component")
    with pytest.raises(error, match=words):
        matrix_fit.to_profile(base, component, **arguments)


def test_published_source_ids_are_accepted(matrix_fit):
    fitted = matrix_fit.to_profile("istio-sidecar", "sidecar", name="mine", source="F050")
    assert fitted.component("sidecar").cpu[1].coefficient.sources == ("F050",)
