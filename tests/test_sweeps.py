"""meshcost.sweep: the grid in order, independent of chunking, to a frame, CSV or Parquet, atomically."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import meshcost
from meshcost.errors import InputTypeError, InputValueError, MeshcostError


def _grid_frame(totals: bool = False, **axes):
    """The same grid through one project() call on a meshgrid (the plain reference)."""
    names = list(axes)
    mesh = np.meshgrid(*[np.asarray(v) for v in axes.values()], indexing="ij")
    r = meshcost.project(**{n: m.reshape(-1) for n, m in zip(names, mesh)})
    frame = r.mesh_frame() if totals else r.to_frame()
    return frame.sort_values("scenario", kind="stable").reset_index(drop=True)


def test_sweep_equals_one_projection_of_the_grid():
    got = meshcost.sweep(nodes=[10, 50, 200], sidecars=[100, 2000], rps=[0, 5000])
    want = _grid_frame(nodes=[10, 50, 200], sidecars=[100, 2000], rps=[0, 5000])
    pd.testing.assert_frame_equal(got, want)
    assert got["scenario"].max() == 3 * 2 * 2 - 1


@pytest.mark.parametrize("chunk", [1, 2, 5, 7, 100])
def test_chunking_does_not_change_the_rows(chunk):
    whole = meshcost.sweep(nodes=[10, 50, 200], sidecars=[100, 2000, 3000], totals=True)
    chunked = meshcost.sweep(nodes=[10, 50, 200], sidecars=[100, 2000, 3000], totals=True, chunk_size=chunk)
    pd.testing.assert_frame_equal(whole, chunked)


def test_last_axis_varies_fastest_and_fixed_inputs_apply_everywhere():
    frame = meshcost.sweep(nodes=[10, 20], sidecars=[100, 200, 300], rps=500, totals=True)
    first = frame.drop_duplicates("scenario")
    assert first["nodes"].tolist() == [10, 10, 10, 20, 20, 20]
    assert first["sidecars"].tolist() == [100, 200, 300] * 2
    assert (frame["rps"] == 500).all()


def test_sidecars_per_node():
    frame = meshcost.sweep(nodes=[10, 30], sidecars_per_node=7, totals=True)
    assert (frame["sidecars"] == frame["nodes"] * 7).all()


def test_progress_reports_every_chunk():
    calls = []
    meshcost.sweep(nodes=list(range(1, 11)), sidecars=100, chunk_size=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3, 10), (6, 10), (9, 10), (10, 10)]


def test_csv_output_round_trips(tmp_path):
    path = tmp_path / "grid.csv"
    assert meshcost.sweep(nodes=[10, 50], sidecars=[100, 200], totals=True, output=path, chunk_size=1) is None
    back = pd.read_csv(path)
    want = meshcost.sweep(nodes=[10, 50], sidecars=[100, 200], totals=True)
    assert back.columns.tolist() == want.columns.tolist()
    np.testing.assert_allclose(back["memory [MiB]"], want["memory [MiB]"])
    assert back["mesh"].tolist() == want["mesh"].tolist()


def test_open_text_file_output():
    buffer = io.StringIO()
    meshcost.sweep(nodes=[10, 50], sidecars=100, totals=True, output=buffer)
    assert buffer.getvalue().startswith("scenario,")
    assert buffer.getvalue().count("\n") == 1 + 2 * 3


def test_parquet_output_round_trips(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "grid.parquet"
    meshcost.sweep(nodes=[10, 50, 90], sidecars=[100, 200], output=path, chunk_size=2)
    back = pd.read_parquet(path)
    want = meshcost.sweep(nodes=[10, 50, 90], sidecars=[100, 200])
    pd.testing.assert_frame_equal(back, want)


def test_a_failing_sweep_leaves_the_existing_file_alone(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text("precious\n")
    with pytest.raises(MeshcostError):
        # the second chunk is refused (visible services above services), after the first was written
        meshcost.sweep(nodes=[10, 20], sidecars=100, services=10, visible_services=[5, 50], output=path, chunk_size=1)
    assert path.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grid.csv"]


@pytest.mark.parametrize("kwargs, error, words", [
    ({"sidecars": 100}, InputTypeError, "nodes"),
    ({"nodes": 10}, InputTypeError, "sidecars"),
    ({"nodes": 10, "sidecars": 100, "sidecars_per_node": 3}, InputTypeError, "not both"),
    ({"nodes": [[1, 2]], "sidecars": 100}, InputValueError, "1-d"),
    ({"nodes": [], "sidecars": 100}, InputValueError, "empty"),
    ({"nodes": 10, "sidecars": 100, "chunk_size": 0}, InputValueError, "chunk_size"),
    ({"nodes": 10, "sidecars": 100, "format": "xlsx", "output": "x.xlsx"}, InputValueError, "format"),
    ({"nodes": list(range(1, 10**4)), "sidecars": list(range(10**4)), "rps": list(range(10**3))},
     InputValueError, "scenarios"),
    ({"nodes": [3, 5], "sidecars_per_node": 0.5}, InputValueError, "sidecars_per_node"),
    ({"nodes": [3, 5], "sidecars_per_node": 6e307}, InputValueError, r"sidecars_per_node: .*<= 1e\+10"),
    ({"nodes": 10, "sidecars": 100, "totals": "yes"}, InputTypeError, "totals"),
])
def test_bad_sweeps_are_refused_with_one_line(kwargs, error, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=words) as info:
        meshcost.sweep(**kwargs)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_the_public_name_stays_the_function_when_the_module_is_imported():
    import meshcost.sweeps  # noqa: F401  (importing the module must not shadow the function)

    assert callable(meshcost.sweep) and not isinstance(meshcost.sweep, type(meshcost))
