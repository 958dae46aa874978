"""meshcost.plot: each plot renders to a PNG; lines carry the library's numbers."""

from __future__ import annotations

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt

import meshcost
from meshcost import plot

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sweep():
    n = np.arange(10, 1001, 10)
    return meshcost.project(nodes=n, sidecars=n * 10, rps=n * 50)


def save(ax, tmp_path, name: str):
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=60)
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG)
    return path


def typical_line(ax, mesh: str):
    (line,) = [line for line in ax.get_lines() if line.get_label().startswith(f"{mesh} (typical")]
    return line


@pytest.mark.parametrize("figure", ["memory", "cpu", "latency_p99", "cost", "reserved_memory"])
def test_plot_overhead_png(sweep, tmp_path, figure):
    ax = plot.plot_overhead(sweep, x="nodes", figure=figure)
    save(ax, tmp_path, f"overhead-{figure}")
    scale = 1024.0 if "memory" in figure else 1.0
    for result in sweep:
        line = typical_line(ax, result.name)
        np.testing.assert_allclose(line.get_xdata(), np.arange(10, 1001, 10))
        np.testing.assert_allclose(line.get_ydata(), getattr(result, figure).typical.magnitude / scale)
    unit = {"memory": "[GiB]", "cpu": "[vCPU]", "latency_p99": "[ms]", "cost": "[USD/month]"}.get(figure, "[GiB]")
    assert unit in ax.get_ylabel()
    assert ax.get_xlabel() == "worker nodes"


def test_plot_overhead_sorts_x_and_uses_given_axes(tmp_path):
    n = np.array([500, 10, 200])
    r = meshcost.project(nodes=n, sidecars=4000)
    _, ax = plt.subplots()
    assert plot.plot_overhead(r, figure="memory", ax=ax) is ax
    line = typical_line(ax, "istio-ambient")
    np.testing.assert_array_equal(line.get_xdata(), [10, 200, 500])
    np.testing.assert_allclose(line.get_ydata(), r["istio-ambient"].memory.typical.magnitude[[1, 2, 0]] / 1024)
    save(ax, tmp_path, "overhead-given-ax")


def test_plot_overhead_monte_carlo_bands(tmp_path):
    n = np.arange(10, 301, 10)
    deterministic = plot.plot_overhead(meshcost.project(nodes=n, sidecars=n * 10), figure="memory")
    sampled = plot.plot_overhead(meshcost.project(nodes=n, sidecars=n * 10, samples=200, seed=2), figure="memory")
    assert len(sampled.collections) == 2 * len(deterministic.collections) == 6
    assert "Monte Carlo p5 – p95" in [t.get_text() for t in sampled.get_legend().get_texts()]
    save(sampled, tmp_path, "overhead-mc")
    custom = plot.plot_overhead(meshcost.project(nodes=n, sidecars=n * 10, samples=200, seed=2,
                                                 percentiles=(10, 50, 90)), figure="cpu")
    assert "Monte Carlo p10 – p90" in [t.get_text() for t in custom.get_legend().get_texts()]


def test_plot_overhead_saturated_latency_leaves_gaps(tmp_path):
    rps = np.array([0, 1e4, 1e7])
    r = meshcost.project(nodes=10, sidecars=100, rps=rps)
    ax = plot.plot_overhead(r, x="rps", figure="latency_p99")
    assert np.isnan(typical_line(ax, "linkerd").get_ydata()[-1])
    save(ax, tmp_path, "overhead-saturated")


def test_plot_overhead_errors(sweep):
    with pytest.raises(meshcost.UnknownNameError, match="figure: got 'disk'"):
        plot.plot_overhead(sweep, figure="disk")
    with pytest.raises(meshcost.UnknownNameError, match="x: got 'pods'"):
        plot.plot_overhead(sweep, x="pods")
    with pytest.raises(meshcost.InputValueError, match="'waypoints' is 0 in every scenario"):
        plot.plot_overhead(sweep, x="waypoints")
    with pytest.raises(meshcost.InputValueError, match="1-d sweep"):
        plot.plot_overhead(meshcost.project(nodes=5, sidecars=50))
    with pytest.raises(meshcost.InputValueError, match="1-d sweep"):
        plot.plot_overhead(meshcost.project(nodes=[[5, 6], [7, 8]], sidecars=50))


@pytest.mark.parametrize("figure", ["memory", "cpu", "latency_p99", "cost"])
def test_plot_components_png(tmp_path, figure):
    r = meshcost.project(nodes=500, sidecars=5000, rps=50_000)
    ax = plot.plot_components(r, figure=figure)
    save(ax, tmp_path, f"components-{figure}")
    assert [t.get_text() for t in ax.get_xticklabels()] == list(r.meshes)
    # the stacks add up to the mesh totals
    scale = 1024.0 if figure == "memory" else 1.0
    heights: dict[float, float] = {}
    for patch in ax.patches:
        heights[round(patch.get_x() + patch.get_width() / 2)] = max(
            heights.get(round(patch.get_x() + patch.get_width() / 2), 0.0), patch.get_y() + patch.get_height())
    for position, result in enumerate(r):
        np.testing.assert_allclose(heights[position], getattr(result, figure).typical.magnitude / scale, rtol=1e-9)


def test_plot_components_array_scenario(tmp_path):
    n = np.array([10, 100, 1000])
    r = meshcost.project(nodes=n, sidecars=n * 10)
    ax = plot.plot_components(r, figure="latency_p50", scenario=2)
    assert "10,000 meshed pods" in ax.get_title()
    save(ax, tmp_path, "components-scenario")
    with pytest.raises(meshcost.InputValueError, match="scenario: got 3"):
        plot.plot_components(r, scenario=3)
    with pytest.raises(meshcost.InputTypeError, match="scenario"):
        plot.plot_components(r, scenario=1.0)
    with pytest.raises(meshcost.UnknownNameError, match="figure"):
        plot.plot_components(r, figure="extra_nodes")


def test_plot_latency_vs_load_png(tmp_path):
    ax = plot.plot_latency_vs_load(cpu_limit=2)
    save(ax, tmp_path, "latency-load")
    assert ax.get_yscale() == "log"
    assert "[ms]" in ax.get_ylabel() and "[1/s]" in ax.get_xlabel()
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(label.startswith("istio-sidecar (typical; saturates at") for label in labels)
    # one dotted saturation marker per mesh that saturates in range
    assert sum(line.get_linestyle() == ":" for line in ax.get_lines()) == 3


def test_plot_latency_vs_load_equals_latency_at():
    rps = np.linspace(0, 6000, 61)
    for mesh in ("istio-sidecar", "linkerd", "istio-ambient"):
        ax = plot.plot_latency_vs_load([mesh], rps_per_proxy=rps, cpu_limit=2)
        expected = meshcost.latency_at(mesh, rps, cpu_limit=2).p99.typical.magnitude
        got = typical_line(ax, mesh).get_ydata()
        finite = np.isfinite(expected)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-12)
        assert np.all(np.isnan(got[~finite]))
        plt.close("all")


def test_plot_latency_vs_load_options(tmp_path):
    ax = plot.plot_latency_vs_load(["istio-sidecar@1.16", "linkerd"], quantile="p50", l7=True)
    assert "p50" in ax.get_ylabel()
    save(ax, tmp_path, "latency-load-p50")
    with pytest.raises(meshcost.InputValueError, match="quantile"):
        plot.plot_latency_vs_load(quantile="p90")
    with pytest.raises(meshcost.InputValueError, match="cpu_limit"):
        plot.plot_latency_vs_load(cpu_limit=0)
    with pytest.raises(meshcost.InputValueError, match="rps_per_proxy"):
        plot.plot_latency_vs_load(rps_per_proxy=[-1, 5])
    with pytest.raises(meshcost.UnknownNameError):
        plot.plot_latency_vs_load(["consul"])


def test_plot_latency_vs_hops_png(tmp_path):
    ax = plot.plot_latency_vs_hops()
    save(ax, tmp_path, "latency-hops")
    r = meshcost.project(nodes=1, sidecars=1)
    for result in r:
        (composed,) = [line for line in ax.get_lines() if line.get_label() == f"{result.name}: p99 of the chain"]
        (naive,) = [line for line in ax.get_lines() if line.get_label() == f"{result.name}: hops × per-hop p99"]
        hops = np.arange(1, 21)
        np.testing.assert_array_equal(composed.get_xdata(), hops)
        np.testing.assert_allclose(composed.get_ydata(), result.path_latency(hops).p99.typical.magnitude, rtol=1e-12)
        np.testing.assert_allclose(naive.get_ydata(), hops * result.latency_p99.typical.magnitude, rtol=1e-12)
        # composition beats the naive sum beyond one hop, and equals it at one hop
        assert composed.get_ydata()[0] == pytest.approx(naive.get_ydata()[0], rel=1e-9)
        assert np.all(composed.get_ydata()[1:] < naive.get_ydata()[1:])


def test_plot_latency_vs_hops_from_projection(tmp_path):
    r = meshcost.project(nodes=[10, 20], sidecars=200, rps=[0, 400_000])
    ax = plot.plot_latency_vs_hops(r, meshes=["linkerd"], hops=[1, 5, 10], scenario=1)
    (composed,) = [line for line in ax.get_lines() if line.get_label() == "linkerd: p99 of the chain"]
    p50 = r["linkerd"].latency_p50.typical.magnitude[1]
    p99 = r["linkerd"].latency_p99.typical.magnitude[1]
    expected = meshcost.latency.chain_quantiles(p50, p99, [1, 5, 10], q=0.99)
    np.testing.assert_allclose(composed.get_ydata(), expected, rtol=1e-12)
    save(ax, tmp_path, "latency-hops-projection")
    with pytest.raises(meshcost.InputValueError, match="hops"):
        plot.plot_latency_vs_hops(hops=0)
    with pytest.raises(meshcost.UnknownNameError):
        plot.plot_latency_vs_hops(r, meshes=["consul"])
    with pytest.raises(meshcost.InputValueError, match="versions"):
        plot.plot_latency_vs_hops(r, versions={"istio-sidecar": "1.20"})


def test_missing_matplotlib_is_a_clear_error(monkeypatch, sweep):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(plot.MissingDependencyError, match=r"meshcost\[plot\]") as info:
        plot.plot_overhead(sweep)
    assert isinstance(info.value, ImportError) and isinstance(info.value, meshcost.MeshcostError)


def test_import_meshcost_does_not_import_matplotlib():
    import subprocess

    code = ("import sys, meshcost; r = meshcost.project(nodes=5, sidecars=50); r.to_json(); r._repr_html_(); "
            "import meshcost.plot, meshcost.cli, meshcost.export, meshcost.formatting_html; "
            "print('matplotlib' in sys.modules, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_cost_bars_carry_both_bases(tmp_path):
    r = meshcost.project(nodes=500, sidecars=5000)
    ax = plot.plot_costs(r)
    save(ax, tmp_path, "costs")
    heights = [patch.get_height() for patch in ax.patches]
    expected = [float(getattr(result, name).typical.magnitude) for result in r for name in ("cost", "rightsized_cost")]
    assert heights == pytest.approx(expected)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "linkerd\n(none set ('default' chart))" in labels
