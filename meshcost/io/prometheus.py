"""Read Prometheus HTTP API exports of proxy memory, CPU and load into proxy samples.

Prometheus queries
------------------
Run them as *range* queries (``/api/v1/query_range``) with the **same** ``start``, ``end`` and
``step``, and a ``step`` equal to the rate window (here 1m), so that samples do not overlap.
Save each response body as a file. Replace ``NS`` with your namespace and
``istio-proxy`` with ``linkerd-proxy`` for Linkerd (see :data:`PROMETHEUS_QUERIES`)::

    # memory of each proxy [bytes]
    container_memory_working_set_bytes{namespace="NS", container="istio-proxy"}
    # CPU of each proxy [vCPU]; or the raw counter container_cpu_usage_seconds_total{...}:
    # meshcost then computes the rate between consecutive samples, handling counter resets
    rate(container_cpu_usage_seconds_total{namespace="NS", container="istio-proxy"}[1m])
    # requests through each proxy [1/s]: inbound and outbound, which is what a proxy handles
    sum by (pod) (rate(istio_requests_total{namespace="NS"}[1m]))       # Istio
    sum by (pod) (rate(request_total{namespace="NS"}[1m]))              # Linkerd

for example::

    curl -sG http://prometheus:9090/api/v1/query_range \\
         --data-urlencode 'query=container_memory_working_set_bytes{namespace="shop", container="istio-proxy"}' \\
         --data-urlencode start=2024-06-03T14:00:00Z --data-urlencode end=2024-06-03T16:00:00Z \\
         --data-urlencode step=60s > memory.json

Instant queries (``/api/v1/query``, result type ``vector``) also work: each pod is then one
sample, so you need several pods at different loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import DataFileError, InputTypeError, InputValueError, describe_value
from . import CPU, LOAD, MEMORY
from ..units import strip, ureg
from .files import MAX_INPUT_BYTES, is_file_source, parse_json, read_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PROMETHEUS_QUERIES", "read_prometheus_series", "read_prometheus"]

#: The PromQL to export, per mesh (``NS``: your namespace). See the module docstring.
PROMETHEUS_QUERIES: dict[str, dict[str, str]] = {
    "istio-sidecar": {
        "memory": 'container_memory_working_set_bytes{namespace="NS", container="istio-proxy"}',
        "cpu": 'rate(container_cpu_usage_seconds_total{namespace="NS", container="istio-proxy"}[1m])',
        "cpu_counter": 'container_cpu_usage_seconds_total{namespace="NS", container="istio-proxy"}',
        "load": 'sum by (pod) (rate(istio_requests_total{namespace="NS"}[1m]))',
    },
    "linkerd": {
        "memory": 'container_memory_working_set_bytes{namespace="NS", container="linkerd-proxy"}',
        "cpu": 'rate(container_cpu_usage_seconds_total{namespace="NS", container="linkerd-proxy"}[1m])',
        "cpu_counter": 'container_cpu_usage_seconds_total{namespace="NS", container="linkerd-proxy"}',
        "load": 'sum by (pod) (rate(request_total{namespace="NS"}[1m]))',
    },
}

_CPU_COUNTER_NAME = "container_cpu_usage_seconds_total"
_PROMETHEUS_HINT = "the body of a Prometheus /api/v1/query or /api/v1/query_range response"


@dataclass(frozen=True)
class _Series:
    index: int
    labels: dict[str, str]
    timestamps: np.ndarray  # [s]
    values: np.ndarray


@dataclass(frozen=True)
class _PromResult:
    path: str  # the file's name, for messages
    result_type: str
    series: tuple[_Series, ...]


def _describe_labels(labels: dict[str, str], keys: Sequence[str] = ("namespace", "pod", "container")) -> str:
    shown = {k: labels[k] for k in keys if k in labels} or labels
    return "{" + ", ".join(f'{k}="{v}"' for k, v in shown.items()) + "}"


def _load_prometheus(source: Any, max_bytes: int = MAX_INPUT_BYTES) -> _PromResult:
    """Parse and validate one Prometheus API response (a path or an open file); errors name it and the position."""
    path, text = read_text(source, what=_PROMETHEUS_HINT, max_bytes=max_bytes)
    document = parse_json(text, path, _PROMETHEUS_HINT)
    if not isinstance(document, dict):
        raise DataFileError(f"{path}: the top level is {type(document).__name__}; expected a JSON object, "
                            f"{_PROMETHEUS_HINT}")
    status = document.get("status")
    if status != "success":
        detail = ""
        if "error" in document:
            detail = f" ({document.get('errorType', 'error')}: {document['error']})"
        raise DataFileError(f"{path}: status is {status!r}{detail}; expected 'success' (the query failed)")
    data = document.get("data")
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: field 'data' is {describe_value(data)}; expected an object with "
                            "resultType and result")
    result_type = data.get("resultType")
    if result_type not in ("matrix", "vector"):
        raise DataFileError(f"{path}: data.resultType is {result_type!r}; expected 'matrix' (a range query, "
                            "/api/v1/query_range) or 'vector' (an instant query, /api/v1/query)")
    result = data.get("result")
    if not isinstance(result, list):
        raise DataFileError(f"{path}: data.result is {describe_value(result)}; expected a list of series")
    if not result:
        raise DataFileError(f"{path}: data.result is empty; the query matched no series")
    series = []
    for index, entry in enumerate(result):
        where = f"{path}: data.result[{index}]"
        if not isinstance(entry, dict):
            raise DataFileError(f"{where}: got {describe_value(entry)}; expected an object with metric and "
                                f"{'values' if result_type == 'matrix' else 'value'}")
        labels = entry.get("metric")
        if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in labels.items()):
            raise DataFileError(f"{where}: field 'metric' is {describe_value(labels)}; expected an object of "
                                "label name -> string")
        where = f"{where} {_describe_labels(labels)}"
        if result_type == "matrix":
            samples = entry.get("values")
            if not isinstance(samples, list) or not samples:
                raise DataFileError(f"{where}: field 'values' is {describe_value(samples)}; expected a non-empty "
                                    "list of [timestamp, \"value\"] pairs")
            positions = [f"values[{j}]" for j in range(len(samples))]
        else:
            samples = [entry.get("value")]
            positions = ["value"]
        timestamps = np.empty(len(samples))
        values = np.empty(len(samples))
        for j, (pair, position) in enumerate(zip(samples, positions)):
            here = f"{where} {position}"
            if not isinstance(pair, list) or len(pair) != 2:
                raise DataFileError(f"{here}: got {describe_value(pair)}; expected a [timestamp, \"value\"] pair")
            stamp, raw = pair
            if isinstance(stamp, bool) or not isinstance(stamp, (int, float)) or not math.isfinite(stamp):
                raise DataFileError(f"{here}: timestamp {describe_value(stamp)} is not a number; expected Unix "
                                    "seconds")
            if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
                raise DataFileError(f"{here}: value {describe_value(raw)} is not a number; expected a numeric "
                                    "string such as \"0.25\"")
            try:
                value = float(raw)
            except ValueError:
                raise DataFileError(f"{here}: value {describe_value(raw)} is not a number; expected a numeric "
                                    "string such as \"0.25\"") from None
            if not math.isfinite(value):
                raise DataFileError(f"{here}: value {describe_value(raw)} is not finite; expected a finite number "
                                    "(drop NaN / Inf samples in the query)")
            timestamps[j] = stamp
            values[j] = value
        if len(timestamps) > 1 and np.any(np.diff(timestamps) <= 0):
            j = int(np.argmax(np.diff(timestamps) <= 0)) + 1
            raise DataFileError(f"{where} values[{j}]: timestamp {float(timestamps[j])!r} does not follow "
                                f"{float(timestamps[j - 1])!r}; expected increasing timestamps")
        series.append(_Series(index, dict(labels), timestamps, values))
    return _PromResult(path, result_type, tuple(series))


def read_prometheus_series(path: Any) -> "pd.DataFrame":
    """Read one Prometheus HTTP API response (matrix or vector) into a tidy frame.

    Parameters
    ----------
    path : str, Path or open file
        A saved response body of ``/api/v1/query_range`` (``resultType: matrix``) or
        ``/api/v1/query`` (``resultType: vector``).

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``series`` (index in ``data.result``), ``timestamp`` [s, Unix
        time], ``value`` (as exported, no unit conversion), then one column per label (empty
        string where a series lacks it). ``frame.attrs["result_type"]`` is ``"matrix"`` or
        ``"vector"``.

    Raises
    ------
    DataFileError
        Malformed JSON (with line and column), ``status`` other than ``success``, a result
        type other than matrix / vector, or a bad sample (with the series index, its labels
        and the sample position).
    """
    import pandas as pd

    result = _load_prometheus(path)
    names = sorted({k for s in result.series for k in s.labels})
    columns: dict[str, Any] = {
        "series": np.concatenate([np.full(len(s.values), s.index) for s in result.series]),
        "timestamp": np.concatenate([s.timestamps for s in result.series]),
        "value": np.concatenate([s.values for s in result.series]),
    }
    for name in names:
        if name in columns:
            continue
        columns[name] = np.concatenate([np.full(len(s.values), s.labels.get(name, ""), dtype=object)
                                        for s in result.series])
    frame = pd.DataFrame(columns)
    frame.attrs["result_type"] = result.result_type
    return frame


def _select_container(result: _PromResult, container: str) -> list[_Series]:
    """The series of ``container``; all of them when no series carries a ``container`` label."""
    if not any("container" in s.labels for s in result.series):
        return list(result.series)  # the query aggregated the label away: it selected the container itself
    chosen = [s for s in result.series if s.labels.get("container") == container]
    if not chosen:
        found = sorted({s.labels["container"] for s in result.series if "container" in s.labels})
        raise DataFileError(f"{result.path}: no series has container=\"{container}\"; the file has containers "
                            f"{found}; pass container= the proxy's container name (istio-proxy for Istio "
                            "sidecars, linkerd-proxy for Linkerd)")
    return chosen


def _counter_rate(series: _Series, path: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-second rate of a counter between consecutive samples, at the later timestamp.

    A decrease is a counter reset (the container restarted): as in Prometheus' ``rate()``,
    the counter is taken to have restarted from 0, so the increase over that interval is the
    new value.
    """
    where = f"{path}: data.result[{series.index}] {_describe_labels(series.labels)}"
    if len(series.values) < 2:
        raise DataFileError(f"{where}: a counter needs at least 2 samples to give a rate; got "
                            f"{len(series.values)} (export a longer range or the rate() query)")
    if np.any(series.values < 0):
        j = int(np.argmax(series.values < 0))
        raise DataFileError(f"{where} values[{j}]: counter value {float(series.values[j])!r} is negative; expected "
                            "CPU seconds >= 0")
    delta = np.diff(series.values)
    increase = np.where(delta >= 0, delta, series.values[1:])
    return series.timestamps[1:], increase / np.diff(series.timestamps)


def _is_counter(result: _PromResult, counter: bool | None) -> bool:
    if counter is not None:
        if not isinstance(counter, bool):
            raise InputTypeError(f"cpu_counter: got {describe_value(counter)}; expected True, False or None")
        return counter
    names = {s.labels.get("__name__") for s in result.series}
    return names == {_CPU_COUNTER_NAME}


def _table(result: _PromResult, series: list[_Series], what: str, on: tuple[str, ...],
           convert: Any, counter: bool = False) -> "pd.DataFrame":
    """One tidy table of a selected resource: the join labels, ``_ms`` (timestamp [ms]) and ``what``."""
    import pandas as pd

    parts = []
    for s in series:
        where = f"{result.path}: data.result[{s.index}] {_describe_labels(s.labels)}"
        missing = [label for label in on if label not in s.labels]
        if missing:
            raise DataFileError(f"{where}: has no label {missing[0]!r} (labels: {sorted(s.labels)}); pass on= "
                                "labels that all three queries keep, e.g. aggregate with sum by (pod)")
        if counter:
            if result.result_type != "matrix":
                raise DataFileError(f"{result.path}: a raw {_CPU_COUNTER_NAME} counter needs a range query "
                                    "(resultType matrix) to give a rate; got a vector: export "
                                    "rate(container_cpu_usage_seconds_total[...]) instead")
            stamps, values = _counter_rate(s, result.path)
        else:
            stamps, values = s.timestamps, s.values
            if np.any(values < 0):
                j = int(np.argmax(values < 0))
                position = f"values[{j}]" if result.result_type == "matrix" else "value"
                raise DataFileError(f"{where} {position}: {what} {float(values[j])!r} is negative; "
                                    "expected values >= 0")
        columns: dict[str, Any] = {label: [s.labels[label]] * len(values) for label in on}
        columns["_series"] = s.index
        columns["_ms"] = np.round(stamps * 1000.0).astype(np.int64)
        columns[what] = convert(values)
        parts.append(pd.DataFrame(columns))
    table = pd.concat(parts, ignore_index=True)
    keys = [*on, "_ms"] if result.result_type == "matrix" else list(on)
    duplicated = table.duplicated(keys, keep=False)
    if duplicated.any():
        rows = table[duplicated]
        first = rows.iloc[0]
        same = rows[(rows[keys] == first[keys]).all(axis=1)]["_series"].tolist()
        label_text = ", ".join(f'{k}="{first[k]}"' for k in on)
        raise DataFileError(f"{result.path}: data.result{same} all give {what} for {{{label_text}}} at the same "
                            f"time; expected one series each: aggregate the query (e.g. sum by "
                            f"({', '.join(on)}, container) (...)) or pass on= more labels")
    return table.drop(columns="_series")


def _bytes_to_mib(values: np.ndarray) -> np.ndarray:
    return np.asarray(ureg.Quantity(values, "B").m_as("MiB"), dtype=np.float64)


def _check_on(on: Any) -> tuple[str, ...]:
    if isinstance(on, str):
        on = (on,)
    if not isinstance(on, (tuple, list)) or not on or not all(isinstance(x, str) and x for x in on):
        raise InputTypeError(f"on: got {describe_value(on)}; expected a non-empty tuple of label names, "
                             "e.g. ('pod',) or ('namespace', 'pod')")
    if "container" in on:
        raise InputValueError("on: got 'container'; the container is selected with container=, not joined on")
    return tuple(on)


def read_prometheus(
    memory: Any,
    cpu: Any,
    load: Any,
    *,
    container: str = "istio-proxy",
    on: Sequence[str] = ("pod",),
    cpu_counter: bool | None = None,
) -> "pd.DataFrame":
    """Join Prometheus exports of proxy memory, proxy CPU and load into calibration samples.

    Parameters
    ----------
    memory : str, Path or open file
        Response of ``container_memory_working_set_bytes{...}`` [bytes], converted to MiB
        with pint (exactly: a division by 2**20).
    cpu : str, Path or open file
        Response of ``rate(container_cpu_usage_seconds_total{...}[1m])`` [vCPU], or of the
        raw counter ``container_cpu_usage_seconds_total{...}`` [CPU seconds]: the rate is
        then computed between consecutive samples of each series (counter resets, i.e. a
        decrease after a container restart, count as a restart from 0, as Prometheus'
        ``rate()`` does) and placed at the later timestamp.
    load : str, Path, open file, number, array or Quantity
        Requests per second through each proxy [1/s]: a response of e.g. ``sum by (pod)
        (rate(istio_requests_total{...}[1m]))`` (see :data:`PROMETHEUS_QUERIES`), or numbers
        you know: one per distinct timestamp of the memory / CPU data, in ascending time
        order (the same load for every pod), or a single number.
    container : str
        The proxy container: ``"istio-proxy"`` (Istio sidecar), ``"linkerd-proxy"``
        (Linkerd) or your own. Series of other containers (the app, ``POD``, the pod-level
        cgroup) are ignored. If no series of a file has a ``container`` label, the query is
        taken to have selected the container itself.
    on : sequence of str
        Labels that identify a proxy in all three files. Default ``("pod",)``; use
        ``("namespace", "pod")`` when pod names repeat across namespaces.
    cpu_counter : bool, optional
        Whether ``cpu`` holds the raw counter. Default: detected from the ``__name__`` label
        (a raw selector keeps it as ``container_cpu_usage_seconds_total``; ``rate()`` drops it).

    Returns
    -------
    pandas.DataFrame
        One row per proxy and timestamp found in all three inputs: the ``on`` labels,
        ``container``, ``timestamp`` [s, Unix time], ``load [1/s]``, ``cpu [vCPU]``,
        ``memory [MiB]``; sorted by the labels and time. Range results (matrix) are joined on
        labels and timestamp (to the millisecond); instant results (vector) on labels only.

    Raises
    ------
    DataFileError
        A malformed file (see :func:`read_prometheus_series`), no series of ``container``,
        a series without an ``on`` label, two series for one proxy, negative values, or no
        sample common to all inputs.
    InputValueError
        Range and instant results mixed, or a ``load`` array of the wrong length.
    """
    if not isinstance(container, str) or not container:
        raise InputTypeError(f"container: got {describe_value(container)}; expected the proxy's container name, "
                             "e.g. 'istio-proxy' or 'linkerd-proxy'")
    on = _check_on(on)
    mem_result = _load_prometheus(memory)
    cpu_result = _load_prometheus(cpu)
    results = {"memory": mem_result, "cpu": cpu_result}
    load_is_file = is_file_source(load)
    if load_is_file:
        results["load"] = _load_prometheus(load)
    kinds = {name: r.result_type for name, r in results.items()}
    if len(set(kinds.values())) > 1:
        raise InputValueError(f"memory, cpu, load: got result types {kinds}; expected all range queries (matrix) "
                              "or all instant queries (vector), so that samples can be matched")
    matrix = mem_result.result_type == "matrix"
    mem_table = _table(mem_result, _select_container(mem_result, container), MEMORY, on, _bytes_to_mib)
    counter = _is_counter(cpu_result, cpu_counter)
    cpu_table = _table(cpu_result, _select_container(cpu_result, container), CPU, on, np.asarray, counter)
    keys = [*on, "_ms"] if matrix else list(on)
    joined = mem_table.merge(cpu_table.drop(columns="_ms") if not matrix else cpu_table, on=keys, how="inner")
    if joined.empty:
        raise DataFileError(f"{mem_result.path}, {cpu_result.path}: no memory sample matches a CPU sample on "
                            f"{' + '.join(keys).replace('_ms', 'timestamp')}; export both with the same start, end "
                            "and step (and the same pods)")
    if load_is_file:
        load_result = results["load"]
        load_table = _table(load_result, list(load_result.series), LOAD, on, np.asarray)
        joined = joined.merge(load_table.drop(columns="_ms") if not matrix else load_table, on=keys, how="inner")
        if joined.empty:
            raise DataFileError(f"{load_result.path}: no load sample matches the memory / CPU samples on "
                                f"{' + '.join(keys).replace('_ms', 'timestamp')}; export it with the same start, "
                                "end and step, aggregated by the same labels (sum by (pod))")
    else:
        values = strip(load, "load", "rate")
        stamps = np.unique(joined["_ms"].to_numpy())
        if values.ndim > 1 or (values.ndim == 1 and len(values) != len(stamps)):
            raise InputValueError(f"load: got an array of shape {values.shape}; expected a number or one value per "
                                  f"distinct timestamp of the memory / CPU samples ({len(stamps)}), or a file")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise InputValueError(f"load: got {describe_value(values.tolist())}; expected finite requests per "
                                  "second >= 0")
        by_stamp = dict(zip(stamps.tolist(), np.broadcast_to(values, stamps.shape).tolist()))
        joined[LOAD] = joined["_ms"].map(by_stamp).astype(np.float64)
    joined["container"] = container
    joined["timestamp"] = joined["_ms"].to_numpy() / 1000.0
    frame = joined[[*on, "container", "timestamp", LOAD, CPU, MEMORY]]
    frame = frame.sort_values([*on, "timestamp"], kind="stable").reset_index(drop=True)
    frame.attrs["result_type"] = mem_result.result_type
    frame.attrs["cpu_counter"] = counter
    return frame


