"""xarray in, xarray out, dask underneath (meshcost.labelled, meshcost.lazy)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import meshcost

xr = pytest.importorskip("xarray")
da = pytest.importorskip("dask.array")


def grid_inputs():
    nodes = xr.DataArray([20.0, 200.0, 2000.0], dims="nodes", coords={"nodes": [20, 200, 2000]})
    sidecars = xr.DataArray([100.0, 5000.0], dims="sidecars", coords={"sidecars": [100, 5000]})
    return nodes, sidecars


def test_named_dimensions_build_the_grid_and_keep_their_labels():
    nodes, sidecars = grid_inputs()
    r = meshcost.project(nodes=nodes, sidecars=sidecars, rps=1000)
    assert r.shape == (3, 2) and r.dims == ("nodes", "sidecars")
    ds = r.to_xarray()
    assert list(ds["nodes"].values) == [20, 200, 2000] and list(ds["sidecars"].values) == [100, 5000]
    assert ds["memory"].dims == ("nodes", "sidecars", "mesh", "band")
    assert ds["memory"].attrs["units"] == "MiB" and ds["cost"].attrs["units"] == "USD/month"
    # the same as projecting the grid by hand
    by_hand = meshcost.project(nodes=np.array([20.0, 200.0, 2000.0])[:, None], sidecars=np.array([100.0, 5000.0]),
                               rps=1000)
    for mesh in r.meshes:
        assert np.array_equal(r[mesh].memory.values, by_hand[mesh].memory.values)


def test_to_xarray_equals_the_frames_value_for_value():
    nodes, sidecars = grid_inputs()
    rps = xr.DataArray([0.0, 1e4], dims="rps")
    r = meshcost.project(nodes=nodes, sidecars=sidecars, rps=rps, samples=64, seed=1)
    assert r.dims == ("nodes", "sidecars", "rps")
    ds = r.to_xarray()
    frame = r.to_frame()
    flat = ds.stack(scenario=("nodes", "sidecars", "rps"))  # the frame's scenario numbering (C order)
    for _, row in frame.iterrows():
        cell = flat.isel(scenario=int(row["scenario"])).sel(mesh=row["mesh"], component=row["component"])
        assert cell["instances"].item() == row["instances"]
        for band, suffix in (("typical", ""), ("low", "_low"), ("high", "_high")):
            assert cell["component_memory"].sel(band=band).item() == row[f"memory{suffix} [MiB]"]
            assert cell["component_cost"].sel(band=band).item() == row[f"cost{suffix} [USD/month]"]
        assert cell["component_saturated"].item() == row["saturated"]
    totals = r.mesh_frame()
    for _, row in totals.iterrows():
        cell = flat.isel(scenario=int(row["scenario"])).sel(mesh=row["mesh"])
        assert cell["latency_p99"].sel(band="high").item() == row["latency_p99_high [ms]"]
        assert cell["extra_nodes"].sel(band="typical").item() == row["extra_nodes [nodes]"]
        assert cell["cost_percentile"].sel(percentile=95).item() == row["cost_p95 [USD/month]"]
        assert cell["services"].item() == row["services"]


def test_shared_dimensions_align_as_xarray_arithmetic_does():
    a = xr.DataArray([10.0, 20.0, 30.0], dims="x", coords={"x": [1, 2, 3]})
    b = xr.DataArray([100.0, 200.0, 300.0], dims="x", coords={"x": [2, 3, 4]})
    r = meshcost.project(nodes=a, sidecars=b)
    assert r.shape == (2,) and list(r.to_xarray()["x"].values) == [2, 3]
    assert list(r.inputs["nodes"]) == [20, 30] and list(r.inputs["sidecars"]) == [100, 200]
    with pytest.raises(meshcost.InputTypeError, match="share no coordinate values"):
        meshcost.project(nodes=a, sidecars=b.assign_coords(x=[7, 8, 9]))


def test_a_plain_array_beside_dataarrays_is_refused():
    nodes, _ = grid_inputs()
    with pytest.raises(meshcost.InputTypeError, match="sidecars: got a plain array beside xarray DataArrays"):
        meshcost.project(nodes=nodes, sidecars=np.array([1.0, 2.0]))


def test_plain_projections_name_their_axes():
    ds = meshcost.project(nodes=np.array([5.0, 6.0]), sidecars=50).to_xarray()
    assert ds["memory"].dims == ("dim_0", "mesh", "band") and "nodes" in ds.data_vars


@pytest.mark.parametrize("chunks", [1, 2, 3])
def test_dask_inputs_are_lazy_and_equal_the_numpy_path(chunks):
    nodes, sidecars = grid_inputs()
    lazy = meshcost.project(nodes=nodes.chunk({"nodes": chunks}), sidecars=sidecars, rps=500)
    assert isinstance(lazy, meshcost.LazyProjection) and lazy.shape == (3, 2)
    ds = lazy.to_xarray()
    assert all(hasattr(v.data, "dask") for v in ds.data_vars.values())
    eager = meshcost.project(nodes=nodes, sidecars=sidecars, rps=500).to_xarray()
    xr.testing.assert_identical(ds.compute(scheduler="threads"), eager)
    assert lazy.compute().to_frame().equals(meshcost.project(nodes=nodes, sidecars=sidecars, rps=500).to_frame())


def test_monte_carlo_is_identical_whatever_the_chunking():
    nodes = xr.DataArray(np.arange(10.0, 3010.0, 250.0), dims="n")
    results = [meshcost.project(nodes=nodes.chunk({"n": c}), sidecars=nodes * 10, samples=200,
                                seed=7).to_xarray().compute() for c in (1, 5, 12)]
    for other in results[1:]:
        xr.testing.assert_identical(results[0], other)
    unseeded = meshcost.project(nodes=nodes.chunk({"n": 4}), sidecars=nodes * 10, samples=100)
    first = unseeded.to_xarray()["cost_percentile"].compute()
    again = unseeded.to_xarray()["cost_percentile"].compute()
    xr.testing.assert_identical(first, again)  # one seed drawn up front, shared by every block


def test_plain_dask_arrays_broadcast_like_numpy():
    nodes = da.from_array(np.array([10.0, 100.0, 1000.0]), chunks=2)
    lazy = meshcost.project(nodes=nodes, sidecars=nodes * 20)
    assert lazy.dims == ("dim_0",)
    got = lazy.to_xarray()["memory"].compute().values
    eager = meshcost.project(nodes=np.array([10.0, 100.0, 1000.0]), sidecars=np.array([200.0, 2000.0, 20000.0]))
    assert np.array_equal(got, eager.to_xarray()["memory"].values)


def test_a_lazy_projection_says_what_to_call():
    nodes, sidecars = grid_inputs()
    lazy = meshcost.project(nodes=nodes.chunk(), sidecars=sidecars)
    with pytest.raises(meshcost.InputValueError, match=r"lazy .* call \.compute\(\)"):
        lazy["linkerd"]
    with pytest.raises(meshcost.InputValueError, match="to_frame"):
        lazy.to_frame()
    assert "not computed" in repr(lazy) and lazy.meshes == ("istio-sidecar", "istio-ambient", "linkerd")
    with pytest.raises(meshcost.InputValueError, match="nodes"):  # options and inputs are checked up front
        meshcost.project(nodes=nodes.chunk() * 0, sidecars=sidecars)


def test_runs_on_a_distributed_cluster():
    distributed = pytest.importorskip("distributed")
    nodes, sidecars = grid_inputs()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster):
        got = meshcost.project(nodes=nodes.chunk({"nodes": 1}), sidecars=sidecars, samples=50,
                               seed=3).to_xarray().compute()
    xr.testing.assert_identical(got, meshcost.project(nodes=nodes, sidecars=sidecars, samples=50,
                                                      seed=3).to_xarray())


def test_import_meshcost_imports_neither_xarray_nor_dask():
    # (pint itself imports the dask package to detect it; dask.array and distributed are what would cost)
    code = ("import sys, meshcost; meshcost.project(nodes=5, sidecars=50); "
            "print([m in sys.modules for m in ('xarray', 'dask.array', 'distributed')])")
    assert subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip() == "[False, False, False]"


def test_bad_labelled_inputs_and_variables_are_refused_clearly():
    nodes, sidecars = grid_inputs()
    r = meshcost.project(nodes=nodes, sidecars=sidecars)
    with pytest.raises(meshcost.UnknownNameError, match=r"variables: \['bogus'\] are not variables"):
        r.to_xarray(["bogus"])
    with pytest.raises(meshcost.InputTypeError, match="variables: got 'cost'"):
        r.to_xarray("cost")
    with pytest.raises(meshcost.InputTypeError, match="nodes: got .*Dataset"):
        meshcost.project(nodes=nodes.to_dataset(name="n"), sidecars=sidecars)
    lazy = meshcost.project(nodes=nodes.chunk({"nodes": 1}) * xr.DataArray([1, 0, 1], dims="nodes",
                                                                         coords={"nodes": [20, 200, 2000]}),
                            sidecars=sidecars)
    with pytest.raises(meshcost.InputValueError, match="nodes: got 0"):  # checked when its chunk runs
        lazy.to_xarray(["memory"]).compute()


@pytest.mark.parametrize(("inputs", "message"), [
    ({"nodes": xr.DataArray([1.0, 2.0], dims="x", coords={"x": [1, 1]}),
      "sidecars": xr.DataArray([10.0, 20.0], dims="x", coords={"x": [1, 2]})}, "inputs: the DataArrays do not align"),
    ({"nodes": xr.DataArray([1.0, 2.0], dims="x"), "sidecars": xr.DataArray([10.0, 20.0, 30.0], dims="x")},
     "inputs: the DataArrays do not align"),
    ({"nodes": xr.DataArray(np.array([]), dims="x"), "sidecars": 10}, "nodes: got an empty DataArray"),
    ({"nodes": xr.DataArray(["a", "b"], dims="x"), "sidecars": 10}, "nodes: got an array of str"),
    ({"nodes": xr.Variable("x", [1.0, 2.0]), "sidecars": 10}, "nodes: got .*Variable"),
])
def test_hostile_labelled_inputs_get_one_line_errors(inputs, message):
    with pytest.raises(meshcost.MeshcostError, match=message) as info:
        meshcost.project(**inputs)
    assert "\n" not in str(info.value)
