"""Prometheus export readers (meshcost.io.prometheus): matrix and vector results joined per proxy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from meshcost.errors import (
    DataFileError,
    InputTypeError,
    InputValueError,
    UnitMismatchError,
)
from meshcost.io import CPU, LOAD, MEMORY
from meshcost.io.prometheus import (
    PROMETHEUS_QUERIES,
    read_prometheus,
    read_prometheus_series,
)
from meshcost.units import ureg
from tests.calibration_samples import (
    CART,
    CPU_COUNTER_MATRIX,
    CPU_RATE_MATRIX,
    CPU_RATE_VECTOR,
    LOAD_MATRIX,
    LOAD_VECTOR,
    MEMORY_MATRIX,
    MEMORY_VECTOR,
    read_json,
    response,
    write_json,
)

# --------------------------------------------------------------------------- Prometheus readers


def test_queries_are_documented():
    for mesh, container in (("istio-sidecar", "istio-proxy"), ("linkerd", "linkerd-proxy")):
        queries = PROMETHEUS_QUERIES[mesh]
        assert set(queries) == {"memory", "cpu", "cpu_counter", "load"}
        assert f'container="{container}"' in queries["memory"]
        assert queries["cpu"].startswith("rate(container_cpu_usage_seconds_total")


def test_matrix_exports_join_on_pod_and_time():
    frame = read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX)
    assert list(frame.columns) == ["pod", "container", "timestamp", LOAD, CPU, MEMORY]
    assert frame.attrs == {"result_type": "matrix", "cpu_counter": False}
    assert len(frame) == 2 * 12  # two pods x 12 steps; app, POD and pod-level series dropped
    assert set(frame["container"]) == {"istio-proxy"}
    assert frame["timestamp"].iloc[0] == 1717430400.0
    for column in (LOAD, CPU, MEMORY):
        assert frame[column].dtype == np.float64

    # memory: bytes -> MiB with pint, exactly (a division by 2**20)
    raw = read_json(MEMORY_MATRIX)["data"]["result"]
    proxy = next(s for s in raw if s["metric"].get("container") == "istio-proxy" and s["metric"]["pod"] == CART)
    cart = frame[frame["pod"] == CART]
    assert cart[MEMORY].tolist() == [int(v) / 2**20 for _, v in proxy["values"]]
    assert cart[MEMORY].iloc[0] == float(ureg.Quantity(int(proxy["values"][0][1]), "B").m_as("MiB"))
    # CPU and load: as exported, matched by pod and timestamp
    cpu = next(s for s in read_json(CPU_RATE_MATRIX)["data"]["result"]
               if s["metric"].get("container") == "istio-proxy" and s["metric"]["pod"] == CART)
    load = next(s for s in read_json(LOAD_MATRIX)["data"]["result"] if s["metric"]["pod"] == CART)
    assert cart[CPU].tolist() == [float(v) for _, v in cpu["values"]]
    assert cart[LOAD].tolist() == [float(v) for _, v in load["values"]]
    assert cart["timestamp"].tolist() == [t for t, _ in load["values"]]


def test_raw_cpu_counter_gives_the_rate_across_a_reset():
    counted = read_prometheus(MEMORY_MATRIX, CPU_COUNTER_MATRIX, LOAD_MATRIX)
    assert counted.attrs["cpu_counter"] is True  # detected from __name__
    rated = read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX)
    # the rate over (t[i-1], t[i]] sits at t[i]: the first step of each series has none
    later = rated[rated["timestamp"] > rated["timestamp"].min()].reset_index(drop=True)
    assert len(counted) == len(later) == 22
    np.testing.assert_allclose(counted[CPU], later[CPU], rtol=1e-9, atol=0)
    np.testing.assert_array_equal(counted[MEMORY], later[MEMORY])

    # the cart proxy restarted: its counter drops between steps 6 and 7; the rate stays positive
    raw = next(s for s in read_json(CPU_COUNTER_MATRIX)["data"]["result"]
               if s["metric"]["pod"] == CART and s["metric"]["container"] == "istio-proxy")
    values = np.array([float(v) for _, v in raw["values"]])
    assert np.diff(values)[6] < 0
    cart = counted[counted["pod"] == CART].reset_index(drop=True)
    assert cart[CPU].iloc[6] == pytest.approx(values[7] / 60, rel=1e-12)
    assert (counted[CPU] > 0).all()

    forced = read_prometheus(MEMORY_MATRIX, CPU_COUNTER_MATRIX, LOAD_MATRIX, cpu_counter=False)
    assert forced[forced["pod"] == CART][CPU].tolist() == values.tolist()  # the override takes the values as they are


def test_vector_exports_join_on_pod():
    frame = read_prometheus(MEMORY_VECTOR, CPU_RATE_VECTOR, LOAD_VECTOR, container="linkerd-proxy")
    assert frame.attrs["result_type"] == "vector"
    assert len(frame) == 6
    assert set(frame["container"]) == {"linkerd-proxy"}
    assert (frame["timestamp"] == 1717431000.25).all()
    loads = {s["metric"]["pod"]: float(s["value"][1]) for s in read_json(LOAD_VECTOR)["data"]["result"]}
    assert dict(zip(frame["pod"], frame[LOAD])) == loads
    assert frame[MEMORY].between(12, 16).all()  # the app container's ~85 MiB is not mixed in


def test_namespace_and_pod_join():
    frame = read_prometheus(MEMORY_VECTOR, CPU_RATE_VECTOR, LOAD_VECTOR, container="linkerd-proxy", on="pod")
    assert len(frame) == 6
    with pytest.raises(DataFileError, match=r"prometheus-load-vector.json: data.result\[0\].*no label 'namespace'"):
        read_prometheus(MEMORY_VECTOR, CPU_RATE_VECTOR, LOAD_VECTOR, container="linkerd-proxy",
                        on=("namespace", "pod"))


def test_load_given_as_numbers():
    frame = read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, np.arange(12) * 100.0)
    assert (frame.groupby("pod")[LOAD].apply(list).tolist()
            == [list(np.arange(12) * 100.0)] * 2)
    single = read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, ureg.Quantity(30, "1/minute"))
    assert (single[LOAD] == 0.5).all()
    with pytest.raises(InputValueError, match=r"load: got an array of shape \(5,\).*\(12\)"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, np.ones(5))
    with pytest.raises(InputValueError, match="load: got"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, -np.ones(12))
    with pytest.raises(UnitMismatchError, match="load"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, ureg.Quantity(5, "MiB"))


def test_read_prometheus_series_is_tidy():
    frame = read_prometheus_series(LOAD_MATRIX)
    assert list(frame.columns) == ["series", "timestamp", "value", "pod"]
    assert len(frame) == 24 and frame.attrs["result_type"] == "matrix"
    assert frame["series"].tolist() == [0] * 12 + [1] * 12
    memory = read_prometheus_series(MEMORY_MATRIX)
    assert {"container", "namespace", "pod", "__name__"} <= set(memory.columns)
    assert (memory["container"] == "").sum() == 2 * 12  # the pod-level cgroup series has no container


def test_mixed_result_types_are_refused():
    with pytest.raises(InputValueError, match="memory, cpu, load: got result types"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_VECTOR, LOAD_MATRIX)


def test_wrong_container_names_what_is_there():
    with pytest.raises(DataFileError, match=r"prometheus-memory-matrix.json: no series has container=\"linkerd-proxy\""
                                            r".*'POD', 'cart', 'checkout', 'istio-proxy'"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, LOAD_MATRIX, container="linkerd-proxy")


def test_series_without_container_label_are_taken_as_the_proxy(tmp_path):
    at = 1717431000
    memory = write_json(tmp_path, "m.json", response("vector", [
        {"metric": {"pod": f"p{i}"}, "value": [at, str((40 + i) * 2**20)]} for i in range(4)]))
    cpu = write_json(tmp_path, "c.json", response("vector", [
        {"metric": {"pod": f"p{i}"}, "value": [at, str(0.01 * i)]} for i in range(4)]))
    frame = read_prometheus(memory, cpu, 100.0, container="my-proxy")
    assert frame[MEMORY].tolist() == [40.0, 41.0, 42.0, 43.0]
    assert set(frame["container"]) == {"my-proxy"}


def test_duplicate_series_for_one_proxy(tmp_path):
    document = read_json(MEMORY_MATRIX)
    twin = json.loads(json.dumps(document["data"]["result"][0]))
    twin["metric"]["id"] = "/another/cgroup"
    document["data"]["result"].append(twin)
    path = write_json(tmp_path, "dup.json", document)
    last = len(document["data"]["result"]) - 1
    with pytest.raises(DataFileError, match=rf"dup.json: data.result\[0, {last}\] all give memory \[MiB\] for "
                                            rf"\{{pod=\"{CART}\"\}}.*sum by \(pod, container\)"):
        read_prometheus(path, CPU_RATE_MATRIX, LOAD_MATRIX)


def test_exports_that_do_not_overlap(tmp_path):
    document = read_json(LOAD_MATRIX)
    for series in document["data"]["result"]:
        series["values"] = [[t + 30, v] for t, v in series["values"]]
    shifted = write_json(tmp_path, "shifted-load.json", document)
    with pytest.raises(DataFileError, match="shifted-load.json: no load sample matches.*same start, end and step"):
        read_prometheus(MEMORY_MATRIX, CPU_RATE_MATRIX, shifted)


def test_raw_counter_needs_a_range_query(tmp_path):
    document = response("vector", [
        {"metric": {"__name__": "container_cpu_usage_seconds_total", "pod": "a", "container": "istio-proxy"},
         "value": [1717431000, "1234.5"]}])
    path = write_json(tmp_path, "counter-vector.json", document)
    memory = write_json(tmp_path, "m.json", response("vector", [
        {"metric": {"pod": "a", "container": "istio-proxy"}, "value": [1717431000, "1048576"]}]))
    with pytest.raises(DataFileError, match="counter-vector.json: a raw container_cpu_usage_seconds_total counter "
                                            "needs a range query"):
        read_prometheus(memory, path, 1.0)


def _series(values: list, labels: dict | None = None) -> dict:
    return {"metric": labels or {"pod": "a", "container": "istio-proxy"}, "values": values}


BAD_EXPORTS = [
    ('{"status": "success",\n "data": {"resultType": "matrix", "result": [}}', r"line 2, column \d+: malformed JSON"),
    ("[1, 2]", "the top level is list; expected a JSON object"),
    ({"status": "error", "errorType": "bad_data", "error": "parse error at char 7"},
     "status is 'error' \\(bad_data: parse error at char 7\\); expected 'success'"),
    ({"status": "success", "data": {"resultType": "scalar", "result": [1717431000, "1"]}},
     "data.resultType is 'scalar'; expected 'matrix'.*or 'vector'"),
    (response("matrix", []), "data.result is empty; the query matched no series"),
    (response("matrix", [_series([[1, "1"]]), _series([[1, "2"], [2, "abc"]])]),
     r"data.result\[1\] \{pod=\"a\", container=\"istio-proxy\"\} values\[1\]: value 'abc' is not a number"),
    (response("matrix", [_series([[1, "NaN"]])]), r"data.result\[0\].*values\[0\]: value 'NaN' is not finite"),
    (response("matrix", [_series([[1, True]])]), r"data.result\[0\] .* values\[0\]: value True is not a number"),
    (response("matrix", [_series([[1, "1"], [1, "2"]])]),
     r"data.result\[0\] .* values\[1\]: timestamp 1.0 does not follow 1.0"),
    (response("matrix", [_series([[1, "1", 3]])]),
     r"data.result\[0\] .* values\[0\]: got \[1, '1', 3\]; expected a \[timestamp"),
    (response("matrix", [_series([["yesterday", "1"]])]),
     r"data.result\[0\] .* values\[0\]: timestamp 'yesterday' is not a number"),
    (response("matrix", [{"metric": {"pod": "a"}, "value": [1, "1"]}]), r"data.result\[0\].*field 'values'"),
    (response("vector", [{"metric": {"pod": 3}, "value": [1, "1"]}]), r"data.result\[0\]: field 'metric'"),
    ({"status": "success", "data": None}, "field 'data' is None"),
]


@pytest.mark.parametrize("content, words", BAD_EXPORTS)
def test_malformed_prometheus_files_name_file_and_position(tmp_path, content, words):
    path = tmp_path / "export.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"export.json: " + words):
        read_prometheus_series(path)


def test_negative_samples_and_missing_files(tmp_path):
    memory = write_json(tmp_path, "m.json", response("matrix", [_series([[1, "1048576"], [2, "-5"]])]))
    cpu = write_json(tmp_path, "c.json", response("matrix", [_series([[1, "0.1"], [2, "0.2"]])]))
    with pytest.raises(DataFileError, match=r"m.json: data.result\[0\].*values\[1\]: memory \[MiB\] .* is negative"):
        read_prometheus(memory, cpu, 1.0)
    with pytest.raises(DataFileError, match="nowhere.json: no such file"):
        read_prometheus(tmp_path / "nowhere.json", cpu, 1.0)
    with pytest.raises(InputTypeError, match="source: got 42"):
        read_prometheus_series(42)


