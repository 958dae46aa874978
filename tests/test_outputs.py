"""The output paths: frames built without copies, categorical labels, CSV and Parquet that read
back as the frame, sweeps in grid order, and a light `import meshcost`."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import meshcost
from meshcost.sweeps import write_csv


@pytest.fixture(scope="module")
def result():
    return meshcost.project(nodes=np.array([10.0, 200.0, 3000.0]), sidecars=np.array([100.0, 4000.0, 60000.0]),
                            rps=[0, 500, 20000], samples=64, seed=1)


def test_labels_are_categoricals_with_the_meshes_in_order(result):
    frame = result.to_frame()
    assert isinstance(frame["mesh"].dtype, pd.CategoricalDtype)
    assert list(frame["mesh"].cat.categories) == list(result.meshes)
    assert list(frame["component"].cat.categories)[:2] == ["sidecar", "istiod"]
    totals = result.mesh_frame()
    assert isinstance(totals["version"].dtype, pd.CategoricalDtype)
    assert list(totals["mesh"]) == [m for m in result.meshes for _ in range(3)]


def test_the_frame_holds_one_block_of_floats_not_copies(result):
    frame = result.to_frame()
    floats = frame.select_dtypes("float64")
    rows = len(frame)
    # 8 bytes per float cell, 8 per scenario id, 1 per label code and flag: nothing else
    expected = rows * (8 * floats.shape[1] + 8 + 1 + 1 + 1)
    assert frame.memory_usage(index=False, deep=True).sum() <= expected + 4096
    # The float columns share one buffer (written once, not concatenated then copied).
    bases = {id(frame[c].to_numpy().base if frame[c].to_numpy().base is not None else frame[c].to_numpy())
             for c in floats.columns[:3]}
    assert len(bases) == 1


@pytest.mark.parametrize("kind", ["to_frame", "mesh_frame"])
def test_scenario_order_is_the_sorted_frame(result, kind):
    ordered = getattr(result, f"_{kind}")(scenario_major=True)
    sorted_frame = getattr(result, kind)().sort_values("scenario", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(ordered, sorted_frame)


def test_csv_reads_back_as_the_frame(result):
    frame = result.mesh_frame()
    text = io.StringIO()
    write_csv(frame, text)
    back = pd.read_csv(io.StringIO(text.getvalue()))
    assert list(back.columns) == list(frame.columns)
    for column in frame.columns:
        if frame[column].dtype.kind in "fiub":
            assert np.array_equal(back[column].to_numpy(dtype=float), frame[column].to_numpy(dtype=float)), column
        else:
            assert list(back[column].astype(str)) == list(frame[column].astype(str)), column
    assert text.getvalue().splitlines()[0] == ",".join(frame.columns)  # a plain header, as pandas writes it


def test_csv_labels_that_need_quotes_are_quoted():
    text = io.StringIO()
    write_csv(pd.DataFrame({"a": [1.0, 2.5], "m": pd.Categorical(["x,y", "z"]), "b": [True, False]}), text)
    assert text.getvalue() == 'a,m,b\n1.0,"x,y",True\n2.5,z,False\n'


def test_sweep_parquet_and_csv_agree(tmp_path):
    kwargs = dict(nodes=[10, 100, 1000], sidecars=[100, 1000], rps=[0, 5000], chunk_size=5)
    in_memory = meshcost.sweep(**kwargs)
    meshcost.sweep(**kwargs, output=tmp_path / "grid.parquet")
    meshcost.sweep(**kwargs, output=tmp_path / "grid.csv")
    parquet = pd.read_parquet(tmp_path / "grid.parquet")
    csv = pd.read_csv(tmp_path / "grid.csv")
    assert list(in_memory["scenario"]) == sorted(in_memory["scenario"])  # grid order across chunks
    for column in in_memory.columns:
        if in_memory[column].dtype.kind in "fiub":
            assert np.array_equal(parquet[column].to_numpy(dtype=float), in_memory[column].to_numpy(dtype=float))
            assert np.array_equal(csv[column].to_numpy(dtype=float), in_memory[column].to_numpy(dtype=float))


def test_import_loads_the_errors_and_the_units_only():
    code = ("import sys, meshcost; print(sorted(m for m in sys.modules if m.startswith('meshcost'))); "
            "print('pandas' in sys.modules); meshcost.project(nodes=5, sidecars=50); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split("\n")
    assert out[0] == "['meshcost', 'meshcost.errors', 'meshcost.units']"
    assert out[1] == "False" and out[2] == "False"


def test_a_scalar_projection_does_no_unit_arithmetic(monkeypatch):
    """Units are stripped at the boundary: project() computes on plain floats and wraps a figure in
    a Quantity only when it is read."""
    quantity = type(meshcost.ureg.Quantity(1.0, "MiB"))
    calls = []
    for name in ("__mul__", "__rmul__", "__truediv__", "__add__", "to", "m_as"):
        original = getattr(quantity, name)
        monkeypatch.setattr(quantity, name, lambda self, *a, _o=original, _n=name, **k: calls.append(_n) or _o(
            self, *a, **k))
    for rps in (0, 20_000):
        result = meshcost.project(nodes=500, sidecars=5000, rps=rps)
    assert calls == []
    result["istio-sidecar"].memory.typical.m_as("GiB")
    assert calls[0] == "m_as"  # the conversion the reader asked for (pint implements it with .to)


@pytest.mark.parametrize("kind, chosen", [("to_frame", ["cost", "memory"]), ("to_frame", ("latency_p99",)),
                                          ("mesh_frame", ["extra_nodes", "cpu"]), ("mesh_frame", {"cost"})])
def test_chosen_figures_are_the_full_frames_columns(result, kind, chosen):
    frame = getattr(result, kind)(figures=chosen)
    full = getattr(result, kind)()
    unit = {"cost": "USD/month", "memory": "MiB", "latency_p99": "ms", "extra_nodes": "nodes", "cpu": "vCPU"}
    wanted = [c for c in full.columns
              if not any(c.startswith(f"{f.name} [") or c.startswith(f"{f.name}_")
                         for f in meshcost.figures.figures("component" if kind == "to_frame" else "mesh"))
              or c.split(" [")[0].rsplit("_", 1)[0] in chosen or c.split(" [")[0] in chosen]
    assert list(frame.columns) == wanted
    for name in chosen:
        assert f"{name} [{unit[name]}]" in frame.columns
        assert f"{name}_low [{unit[name]}]" in frame.columns
    if kind == "mesh_frame":  # Monte Carlo percentiles of the chosen figures come along
        assert f"{sorted(chosen)[0]}_p95 [{unit[sorted(chosen)[0]]}]" in frame.columns
    pd.testing.assert_frame_equal(frame, full[wanted])


def test_a_frame_without_money_figures_computes_no_money():
    fresh = meshcost.project(nodes=np.arange(1, 50.0), sidecars=500)
    frame = fresh.to_frame(figures=["memory", "cpu"])
    assert all("cost" not in mesh._figures.totals for mesh in fresh)
    assert frame.shape[1] == 12 + 3 + 6 + 1  # scenario + inputs, mesh, component, instances, 2 figures x 3, saturated
    fresh.to_frame(figures=["cost"])
    assert all("cost" in mesh._figures.totals for mesh in fresh)


@pytest.mark.parametrize("kind, value, words", [
    ("to_frame", "memory", "a list of figure names"),
    ("to_frame", ["memory", 3], "a list of figure names"),
    ("to_frame", [], "at least one figure"),
    ("to_frame", ["memroy"], "['memroy'] are not component figures"),
    ("to_frame", ["extra_nodes"], "mesh totals"),
    ("mesh_frame", ["instances"], "are not mesh figures"),
    ("mesh_frame", 7, "a list of figure names"),
])
def test_bad_figure_choices_are_refused_in_one_line(result, kind, value, words):
    with pytest.raises(meshcost.MeshcostError) as info:
        getattr(result, kind)(figures=value)
    assert words in str(info.value) and "\n" not in str(info.value)
    assert info.value.parameter == "figures"


def test_sweep_and_its_command_write_only_the_chosen_figures(tmp_path, capsys):
    from meshcost.cli import main

    grid = dict(nodes=[10, 20], sidecars=[100, 400])
    frame = meshcost.sweep(**grid, figures=["memory", "cost"])
    full = meshcost.sweep(**grid)
    pd.testing.assert_frame_equal(frame, full[list(frame.columns)])
    assert [c for c in frame.columns if c.startswith("cost")] == ["cost [USD/month]", "cost_low [USD/month]",
                                                                   "cost_high [USD/month]"]
    totals = meshcost.sweep(**grid, totals=True, figures=["extra_nodes"])
    assert "extra_nodes [nodes]" in totals.columns and "memory [MiB]" not in totals.columns
    with pytest.raises(meshcost.MeshcostError, match="mesh totals"):
        meshcost.sweep(**grid, figures=["extra_nodes"])
    target = tmp_path / "grid.parquet"
    code = main(["sweep", "--nodes", "10,20", "--sidecars", "100,400", "--figures", "memory,cost", "-o", str(target)])
    assert code == 0, capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(target), frame)
    code = main(["sweep", "--nodes", "10", "--sidecars", "100", "--figures", "memory,bogus"])
    assert code == 2 and "['bogus'] are not component figures" in capsys.readouterr().err
