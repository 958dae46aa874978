"""Fit a proxy's coefficients to your own measurements, and turn them into a mesh profile.

Three steps:

1. **Read** measurements into a tidy frame with one row per sample: load through one proxy
   ``load [1/s]``, that proxy's CPU ``cpu [vCPU]`` and working-set memory ``memory [MiB]``.

   - :func:`read_prometheus` joins three Prometheus HTTP API exports (memory, CPU, load) by
     pod and timestamp and keeps the proxy container; :func:`read_prometheus_series` reads one
     export as is.
   - :func:`read_perf_csv` reads the CSV that Istio's load-test harness (istio/tools,
     ``perf/benchmark``) writes: one row per fortio run, with per-container CPU and memory
     columns for the client's and the server's sidecar.

2. **Fit** with :func:`fit_component` (or :func:`fit_frame`): ordinary least squares
   ``CPU = idle + slope x load``, memory as its mean (plus a memory-vs-load slope, reported so
   you can see whether memory depends on traffic). low / high are the bounds of a Student-t
   confidence interval of each parameter, clipped at 0.

3. **Use**: :meth:`ComponentFit.to_profile` writes the fitted figures into a copy of a mesh
   profile (basis ``measured``, your file as the source); ``meshcost.project(...,
   meshes=["linkerd", fitted])`` projects it next to the built-in meshes and
   ``meshcost.save_profile`` stores it.

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

Statistics
----------
The confidence intervals are the classical OLS ones: exact when the residuals are
independent and normal with constant variance. They describe where the *mean* line lies, not
the spread of single proxies. Samples of one pod taken close together are correlated
(overlapping rate windows, slowly varying memory); the intervals are then too narrow. A
step at least as long as the rate window avoids the worst of it. A proxy that hits its CPU
limit stops growing linearly: fit only loads below saturation.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from .errors import DataFileError, InputTypeError, InputValueError, UnitMismatchError, describe_value
from .profiles import MeshProfile, get_profile, profile_from_dict, profile_to_dict
from .sources import all_sources
from .units import parse_unit, strip, ureg

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LOAD",
    "CPU",
    "MEMORY",
    "PROMETHEUS_QUERIES",
    "read_prometheus_series",
    "read_prometheus",
    "read_perf_csv",
    "Estimate",
    "FitQuality",
    "ComponentFit",
    "fit_component",
    "fit_frame",
    "t_quantile",
]

#: Column of the readers' frames: requests per second through one proxy [1/s].
LOAD = "load [1/s]"
#: Column of the readers' frames: CPU of one proxy [vCPU].
CPU = "cpu [vCPU]"
#: Column of the readers' frames: working-set memory of one proxy [MiB].
MEMORY = "memory [MiB]"

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
_SOURCE_ID = re.compile(r"^[A-Z]\d{3}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_CORNISH_FISHER_DF = 1e5
_PROMETHEUS_HINT = "the body of a Prometheus /api/v1/query or /api/v1/query_range response"

# --------------------------------------------------------------------------- Prometheus


@dataclass(frozen=True)
class _Series:
    index: int
    labels: dict[str, str]
    timestamps: np.ndarray  # [s]
    values: np.ndarray


@dataclass(frozen=True)
class _PromResult:
    path: Path
    result_type: str
    series: tuple[_Series, ...]


def _describe_labels(labels: dict[str, str], keys: Sequence[str] = ("namespace", "pod", "container")) -> str:
    shown = {k: labels[k] for k in keys if k in labels} or labels
    return "{" + ", ".join(f'{k}="{v}"' for k, v in shown.items()) + "}"


def _load_prometheus(path: str | Path) -> _PromResult:
    """Parse and validate one Prometheus API response file; errors name the file and position."""
    if not isinstance(path, (str, Path)):
        raise InputTypeError(f"path: got {describe_value(path)}; expected a file name (str or Path)")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file; expected {_PROMETHEUS_HINT}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg}); "
                            f"expected {_PROMETHEUS_HINT}") from None
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


def read_prometheus_series(path: str | Path) -> "pd.DataFrame":
    """Read one Prometheus HTTP API response (matrix or vector) into a tidy frame.

    Parameters
    ----------
    path : str or Path
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


def _counter_rate(series: _Series, path: Path) -> tuple[np.ndarray, np.ndarray]:
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
    memory: str | Path,
    cpu: str | Path,
    load: Any,
    *,
    container: str = "istio-proxy",
    on: Sequence[str] = ("pod",),
    cpu_counter: bool | None = None,
) -> "pd.DataFrame":
    """Join Prometheus exports of proxy memory, proxy CPU and load into calibration samples.

    Parameters
    ----------
    memory : str or Path
        Response of ``container_memory_working_set_bytes{...}`` [bytes], converted to MiB
        with pint (exactly: a division by 2**20).
    cpu : str or Path
        Response of ``rate(container_cpu_usage_seconds_total{...}[1m])`` [vCPU], or of the
        raw counter ``container_cpu_usage_seconds_total{...}`` [CPU seconds]: the rate is
        then computed between consecutive samples of each series (counter resets, i.e. a
        decrease after a container restart, count as a restart from 0, as Prometheus'
        ``rate()`` does) and placed at the later timestamp.
    load : str, Path, number, array or Quantity
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
    load_is_file = isinstance(load, (str, Path))
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


# --------------------------------------------------------------------------- Istio perf CSV


def _perf_column(prefix: str, container: str, pod: str) -> str:
    return f"{prefix}_{container.replace('-', '_')}_{pod}"


def read_perf_csv(
    path: str | Path,
    *,
    container: str = "istio-proxy",
    pods: Sequence[str] = ("fortioclient", "fortioserver"),
    latency_unit: str = "us",
    missing: Literal["error", "skip"] = "error",
) -> "pd.DataFrame":
    """Read the CSV of Istio's load-test harness (istio/tools ``perf/benchmark``).

    Each row is one fortio run. The columns used are ``ActualQPS`` (requests per second the
    client achieved; every request crosses the client's and the server's proxy once, so it is
    the load through each of them), and per proxy ``cpu_mili_avg_<container>_<pod>``
    [millicores] and ``mem_Mi_avg_<container>_<pod>`` [MiB], where ``<container>`` has ``-``
    written as ``_`` (``istio_proxy``). Optional: ``NumThreads`` (connections), ``Labels``,
    and ``p50`` / ``p90`` / ``p99`` / ``p999``: the harness converts fortio's seconds to
    integer **microseconds** (``int(seconds * 10**6)``), so they are read in ``latency_unit``
    (default ``"us"``) and returned in ms; pass another unit if your file differs. Other
    columns are ignored.

    Parameters
    ----------
    path : str or Path
        The CSV file (a header line, then one line per run).
    container : str
        The proxy container as named in the columns' source (``istio-proxy``; ``linkerd-proxy``
        if the harness ran Linkerd).
    pods : sequence of str
        The pods whose proxy columns to read. Default both: ``fortioclient`` and ``fortioserver``.
    latency_unit : str
        Unit of the ``p50`` ... columns (any pint time unit). Default ``"us"``.
    missing : {"error", "skip"}
        An empty proxy cell (e.g. a ``baseline`` run without sidecars): raise, or drop that
        proxy's sample for that row.

    Returns
    -------
    pandas.DataFrame
        One row per run and proxy: ``line`` (line number in the file), ``proxy`` (the pod),
        ``labels`` and ``connections`` if present, ``load [1/s]``, ``cpu [vCPU]``,
        ``memory [MiB]``, and ``p50 [ms]`` ... for the latency columns present (latency of
        the whole client-to-server path as fortio measured it, the same on both proxies' rows).

    Raises
    ------
    DataFileError
        A missing column (naming the expected and the present ones), a line with the wrong
        number of fields, or a non-numeric or negative value (naming the line and column).
    """
    import pandas as pd

    if not isinstance(container, str) or not container:
        raise InputTypeError(f"container: got {describe_value(container)}; expected a container name, e.g. "
                             "'istio-proxy'")
    if isinstance(pods, str) or not isinstance(pods, (tuple, list)) or not pods or \
            not all(isinstance(p, str) and p for p in pods):
        raise InputTypeError(f"pods: got {describe_value(pods)}; expected a non-empty tuple of pod names, e.g. "
                             "('fortioclient', 'fortioserver')")
    if missing not in ("error", "skip"):
        raise InputValueError(f"missing: got {describe_value(missing)}; expected 'error' or 'skip'")
    if not isinstance(latency_unit, str):
        raise InputTypeError(f"latency_unit: got {describe_value(latency_unit)}; expected a unit of time such as 'us'")
    unit = parse_unit(latency_unit, where="latency_unit")
    if (1 * unit).dimensionality != ureg.get_dimensionality("s"):
        raise UnitMismatchError(f"latency_unit: got {latency_unit!r}; expected a unit of time (us, ms, s)")
    to_ms = float(ureg.Quantity(1.0, unit).m_as("ms"))
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file; expected a CSV of Istio's perf/benchmark results") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise DataFileError(f"{path}: the file is empty; expected a header line with ActualQPS, "
                                    "cpu_mili_avg_... and mem_Mi_avg_... columns")
            header = [h.strip() for h in header]
            rows = [(reader.line_num, row) for row in reader if row]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataFileError(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from None
    per_pod = {pod: (_perf_column("cpu_mili_avg", container, pod), _perf_column("mem_Mi_avg", container, pod))
               for pod in pods}
    required = ["ActualQPS", *(c for pair in per_pod.values() for c in pair)]
    absent = [c for c in required if c not in header]
    if absent:
        found = sorted(c for c in header if c.startswith(("cpu_mili_avg_", "mem_Mi_avg_")))
        raise DataFileError(f"{path}: line 1 (header): column(s) {absent} missing; expected ActualQPS and, per "
                            f"proxy, cpu_mili_avg_<container>_<pod> [millicores] and mem_Mi_avg_<container>_<pod> "
                            f"[MiB] (container={container!r}, pods={list(pods)}); resource columns present: {found}")
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise DataFileError(f"{path}: line 1 (header): column(s) {duplicates} appear more than once")
    if not rows:
        raise DataFileError(f"{path}: no data lines after the header; expected one line per run")
    position = {name: i for i, name in enumerate(header)}
    latency = [c for c in ("p50", "p90", "p99", "p999") if c in position]

    def number(line: int, row: list[str], column: str, *, allow_empty: bool) -> float:
        text = row[position[column]].strip()
        if not text:
            if allow_empty:
                return math.nan
            raise DataFileError(f"{path}: line {line}, column {column!r}: the cell is empty; expected a number "
                                "(pass missing='skip' to drop runs without this proxy)")
        try:
            value = float(text)
        except ValueError:
            raise DataFileError(f"{path}: line {line}, column {column!r}: {text!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise DataFileError(f"{path}: line {line}, column {column!r}: {text!r}; expected a finite number >= 0")
        return value

    records = []
    for line, row in rows:
        if len(row) != len(header):
            raise DataFileError(f"{path}: line {line} has {len(row)} fields; the header has {len(header)}")
        qps = number(line, row, "ActualQPS", allow_empty=False)
        common: dict[str, Any] = {"line": line}
        if "Labels" in position:
            common["labels"] = row[position["Labels"]]
        if "NumThreads" in position:
            common["connections"] = number(line, row, "NumThreads", allow_empty=True)
        lat = {f"{c} [ms]": number(line, row, c, allow_empty=True) * to_ms for c in latency}
        for pod, (cpu_col, mem_col) in per_pod.items():
            allow = missing == "skip"
            cpu_mili = number(line, row, cpu_col, allow_empty=allow)
            mem_mi = number(line, row, mem_col, allow_empty=allow)
            if math.isnan(cpu_mili) or math.isnan(mem_mi):
                continue
            records.append({**common, "proxy": pod, LOAD: qps, CPU: cpu_mili, MEMORY: mem_mi, **lat})
    if not records:
        raise DataFileError(f"{path}: every proxy cell is empty; no sample to read")
    frame = pd.DataFrame.from_records(records)
    frame[CPU] = np.asarray(ureg.Quantity(frame[CPU].to_numpy(np.float64), "millicore").m_as("vCPU"))
    frame[MEMORY] = np.asarray(ureg.Quantity(frame[MEMORY].to_numpy(np.float64), "MiB").m_as("MiB"))
    order = ["line", "proxy", *(c for c in ("labels", "connections") if c in frame), LOAD, CPU, MEMORY,
             *(f"{c} [ms]" for c in latency)]
    return frame[order].reset_index(drop=True)


# --------------------------------------------------------------------------- Student t quantile


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes 6.4)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            return h
    raise AssertionError("incomplete beta continued fraction did not converge")  # pragma: no cover


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b), 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, t >= 0 (accurate in the tail)."""
    return 0.5 * _betainc(0.5 * df, 0.5, df / (df + t * t))


def _t_density(t: float, df: float) -> float:
    log_c = math.lgamma(0.5 * (df + 1)) - math.lgamma(0.5 * df) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - 0.5 * (df + 1) * math.log1p(t * t / df))


def _t_upper_quantile(alpha: float, df: float) -> float:
    """``t`` with ``P(T > t) = alpha`` for 0 < alpha < 0.5."""
    if df == 1.0:
        return 1.0 / math.tan(math.pi * alpha)
    if df == 2.0:
        return (1.0 - 2.0 * alpha) / math.sqrt(2.0 * alpha * (1.0 - alpha))
    z = -NormalDist().inv_cdf(alpha)
    g1 = (z**3 + z) / 4.0
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160.0
    t = z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    if df > _CORNISH_FISHER_DF:
        return t
    # Solve an increasing function of t for 0. Near the centre, P(0 < T < t) avoids the
    # cancellation of 0.5 - P(T > t); in the tail, P(T > t) keeps its relative precision.
    central = alpha > 0.25
    half_width = 0.5 - alpha  # exact for 0.25 <= alpha <= 0.5 (Sterbenz)

    def excess(t: float) -> float:
        if central:
            return 0.5 * _betainc(0.5, 0.5 * df, t * t / (df + t * t)) - half_width
        return alpha - _t_upper_tail(t, df)

    lo, hi = 0.0, math.inf
    t = max(t, z)  # Student's t quantiles exceed the normal one
    for _ in range(200):
        gap = excess(t)
        if gap == 0:
            return t
        if gap < 0:
            lo = t
        else:
            hi = t
        candidate = t - gap / _t_density(t, df)
        if not (lo < candidate < hi):  # Newton left the bracket: bisect, or expand an open bracket
            candidate = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * t + 1.0
        if abs(candidate - t) <= 1e-15 * abs(t):
            return candidate
        t = candidate
    return t  # pragma: no cover - Newton converges in a handful of steps


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom.

    Closed forms for ``df`` = 1 and 2. Otherwise a Cornish-Fisher start (Abramowitz & Stegun
    26.7.5, from the normal quantile of :class:`statistics.NormalDist`) refined by safeguarded
    Newton steps on the exact upper tail ``P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2`` (the
    regularised incomplete beta function, by Lentz's continued fraction; near the centre the
    equivalent ``P(0 < T < t) = I_{t^2/(df+t^2)}(1/2, df/2) / 2``, free of cancellation). Above 10^5 degrees
    of freedom the expansion alone is used: its error, O(df^-5), is below double precision
    there, while the beta function's log-gamma terms would start to cancel. Agrees with
    ``scipy.stats.t.ppf`` to about 1e-12 relative (the tests check table values); scipy is
    not needed.

    Parameters
    ----------
    p : float
        Probability, 0 < p < 1.
    df : float
        Degrees of freedom, > 0 (need not be whole).

    Returns
    -------
    float
        ``t`` with ``P(T <= t) = p``.
    """
    for name, value in (("p", p), ("df", df)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"{name}: got {describe_value(value)}; expected a number")
    p, df = float(p), float(df)
    if not 0.0 < p < 1.0:
        raise InputValueError(f"p: got {p!r}; expected a probability strictly between 0 and 1")
    if not (math.isfinite(df) and df > 0):
        raise InputValueError(f"df: got {df!r}; expected a finite number of degrees of freedom > 0")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_t_upper_quantile(p, df)
    return _t_upper_quantile(1.0 - p, df)


# --------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class Estimate:
    """A fitted parameter: its estimate, standard error and confidence interval [``unit``].

    ``ci_low`` / ``ci_high`` are the unclipped interval; :attr:`bounds` gives the
    (low, typical, high) a profile uses, clipped at 0.
    """

    value: float
    stderr: float
    ci_low: float
    ci_high: float
    unit: str

    @property
    def bounds(self) -> tuple[float, float, float]:
        """(low, typical, high) = (ci_low, value, ci_high), each clipped at 0 (CPU and memory cannot be negative)."""
        return (max(0.0, self.ci_low), max(0.0, self.value), max(0.0, self.ci_high))

    @property
    def clipped(self) -> bool:
        """True when the interval reached below 0 and :attr:`bounds` clipped it."""
        return self.ci_low < 0.0

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the (unclipped) confidence interval."""
        return self.ci_low <= value <= self.ci_high


@dataclass(frozen=True)
class FitQuality:
    """How well a straight line fits: samples ``n``, residual degrees of freedom ``dof``,
    ``r2`` (1 - SSR/SST; 1.0 when the data have no spread and the line fits exactly),
    ``rmse`` (sqrt(SSR / n)) and ``residual_se`` (sqrt(SSR / dof)), both in the response's unit."""

    n: int
    dof: int
    r2: float
    rmse: float
    residual_se: float


@dataclass(frozen=True)
class ComponentFit:
    """Coefficients of one proxy fitted to measurements (see :func:`fit_component`).

    Attributes
    ----------
    n : int
        Samples.
    per_rps : float
        The load unit of the slopes [requests/s].
    confidence : float
        Confidence level of the intervals (0.95).
    load_range : tuple of float
        Smallest and largest load measured [requests/s per proxy]; the fit says nothing outside it.
    cpu_idle : Estimate
        CPU at no load, the intercept [vCPU].
    cpu_request : Estimate
        CPU per ``per_rps`` requests/s through the proxy, the slope [vCPU].
    memory : Estimate
        Mean working-set memory [MiB] (Student t interval of the mean, n - 1 dof).
    memory_slope : Estimate
        Memory per ``per_rps`` requests/s from a line memory = baseline + slope x load
        [MiB]; not used in profiles (meshcost models proxy memory as traffic-independent),
        reported so you can check that.
    cpu_quality, memory_quality : FitQuality
        Quality of the CPU line and of the memory line (its ``r2`` is the share of the memory
        variance that load explains).
    """

    n: int
    per_rps: float
    confidence: float
    load_range: tuple[float, float]
    cpu_idle: Estimate
    cpu_request: Estimate
    memory: Estimate
    memory_slope: Estimate
    cpu_quality: FitQuality
    memory_quality: FitQuality

    @property
    def memory_traffic_independent(self) -> bool:
        """True when the memory-vs-load slope's confidence interval contains 0."""
        return self.memory_slope.covers(0.0)

    def _level(self) -> str:
        return f"{100 * self.confidence:g} %"

    def __str__(self) -> str:
        q = self.cpu_quality
        rows = [
            f"fit of {self.n} samples at {self.load_range[0]:g}-{self.load_range[1]:g} requests/s per proxy "
            f"({self._level()} confidence intervals)",
            f"  idle CPU        {self.cpu_idle.value:.4g} vCPU "
            f"({self.cpu_idle.ci_low:.4g} to {self.cpu_idle.ci_high:.4g})",
            f"  CPU per {self.per_rps:g} rps {self.cpu_request.value:.4g} vCPU "
            f"({self.cpu_request.ci_low:.4g} to {self.cpu_request.ci_high:.4g}); "
            f"R2 {q.r2:.3f}, RMSE {q.rmse:.3g} vCPU",
            f"  memory          {self.memory.value:.4g} MiB ({self.memory.ci_low:.4g} to {self.memory.ci_high:.4g}); "
            f"slope {self.memory_slope.value:.3g} MiB per {self.per_rps:g} rps "
            f"({self.memory_slope.ci_low:.3g} to {self.memory_slope.ci_high:.3g}): "
            + ("traffic-independent" if self.memory_traffic_independent else "depends on load"),
        ]
        return "\n".join(rows)

    def _notes(self, source: str) -> dict[str, str]:
        lo, hi = self.load_range
        q, m = self.cpu_quality, self.memory_quality
        level = self._level()
        line = (f"ordinary least squares line CPU = idle + slope x load over {self.n} samples at {lo:g}-{hi:g} "
                f"requests/s per proxy (R2 {q.r2:.4f}, RMSE {q.rmse:.4g} vCPU, residual SE {q.residual_se:.4g} "
                f"vCPU)")
        interval = (f"low/high: the {level} confidence interval (Student t, {q.dof} dof), clipped at 0 "
                    "(CPU cannot be negative)")

        def clip_note(est: Estimate) -> str:
            return "; the estimate itself was negative and is set to 0" if est.value < 0 else ""

        slope = self.memory_slope
        verdict = ("consistent with traffic-independent memory" if self.memory_traffic_independent
                   else "memory changes with load; the profile keeps only the mean")
        return {
            "memory": (f"Fitted to {source}: mean working-set memory of {self.n} samples (standard deviation "
                       f"{self.memory.stderr * math.sqrt(self.n):.4g} MiB); low/high: the {level} confidence interval "
                       f"of the mean (Student t, {self.n - 1} dof), clipped at 0. Memory vs load: "
                       f"{slope.value:.4g} MiB per {self.per_rps:g} requests/s ({level} CI {slope.ci_low:.4g} to "
                       f"{slope.ci_high:.4g}, R2 {m.r2:.4f}), {verdict}. It includes the config the proxy held where "
                       "it was measured; the profile's per-service terms still add on top."),
            "idle": f"Fitted to {source}: idle CPU, the intercept of an {line}; {interval}{clip_note(self.cpu_idle)}.",
            "request": (f"Fitted to {source}: CPU per {self.per_rps:g} requests/s through one proxy, the slope of an "
                        f"{line}; {interval}{clip_note(self.cpu_request)}."),
        }

    def to_profile(self, base: MeshProfile | str, component: str, *, name: str, source: str) -> MeshProfile:
        """A copy of ``base`` with ``component``'s proxy figures replaced by this fit.

        Replaced: the ``instance`` memory term (the mean [MiB]), the ``instance`` CPU term
        (idle [vCPU]) and the ``request`` CPU term (per ``per_rps`` requests/s [vCPU]), each
        with low / typical / high = the clipped confidence interval and estimate, basis
        ``measured``, sources ``[source]`` and a note giving n, R2, RMSE and the confidence
        level. Everything else (per-service memory, latency, control plane) stays as in
        ``base``. The measured memory includes the config the proxy held in your cluster, and
        the per-service terms add on top: project your own cluster's size with that in mind.

        Parameters
        ----------
        base : MeshProfile or str
            The profile to start from, or a built-in mesh name (``"istio-sidecar"``,
            ``"linkerd"``, ``"istio-sidecar@1.20"``).
        component : str
            The proxy component to replace (``"sidecar"`` in istio-sidecar, ``"proxy"`` in
            linkerd); it must have instance memory, instance CPU and request CPU terms.
        name : str
            Name of the new profile (lower-case letters, digits, ``.``, ``_``, ``-``), so it
            can be projected next to ``base``.
        source : str
            Where the data came from (a file name, a URL, a description); written as the
            coefficients' source. Ids such as ``F123`` must exist in the shipped source tables.

        Returns
        -------
        MeshProfile
            Validated like a profile file; ``meshcost.save_profile`` / ``load_profile`` round-trip it.
        """
        if isinstance(base, str):
            profile = get_profile(base)
        elif isinstance(base, MeshProfile):
            profile = base
        else:
            raise InputTypeError(f"base: got {describe_value(base)}; expected a MeshProfile or a built-in mesh name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputValueError(f"name: got {describe_value(name)}; expected lower-case letters, digits, '.', '_' "
                                  "or '-', starting with a letter or digit")
        if not isinstance(source, str) or not source.strip():
            raise InputValueError(f"source: got {describe_value(source)}; expected a non-empty description of the "
                                  "data (a file name, a URL)")
        if _SOURCE_ID.match(source) and source not in all_sources():
            raise InputValueError(f"source: got {source!r}, which looks like a source id but is not "
                                  "in the shipped source tables; expected an existing id or a file name / URL")
        if not isinstance(component, str):
            raise InputTypeError(f"component: got {describe_value(component)}; expected a component name")
        comp = profile.component(component)
        have = {("memory", t.driver) for t in comp.memory} | {("cpu", t.driver) for t in comp.cpu}
        need = [("memory", "instance"), ("cpu", "instance"), ("cpu", "request")]
        lacking = [f"{r}.{d}" for r, d in need if (r, d) not in have]
        if lacking:
            raise InputValueError(f"component: {profile.name}.{component} has no {', '.join(lacking)} term(s); "
                                  "expected a proxy with instance memory, instance CPU and request CPU terms "
                                  f"(e.g. {[c.name for c in profile.components if c.proxy]})")
        notes = self._notes(source)
        document = profile_to_dict(profile)

        def coefficient(estimate: Estimate, unit: str, note: str) -> dict[str, Any]:
            low, typical, high = estimate.bounds
            return {"low": low, "typical": typical, "high": high, "unit": unit, "basis": "measured",
                    "sources": [source], "note": note}

        request = {"per_rps": self.per_rps, **coefficient(self.cpu_request, "vCPU", notes["request"])}
        fitted = {
            ("memory", "instance"): coefficient(self.memory, "MiB", notes["memory"]),
            ("cpu", "instance"): coefficient(self.cpu_idle, "vCPU", notes["idle"]),
            ("cpu", "request"): request,
            # the fit is linear in the request rate: the same rate applies above the reference load
            ("cpu", "request_above_reference"): request,
        }
        for table in document["component"]:
            if table["name"] != component:
                continue
            for resource in ("memory", "cpu"):
                table[resource] = [{"driver": row["driver"], **fitted[(resource, row["driver"])]}
                                   if (resource, row["driver"]) in fitted else row
                                   for row in table[resource]]
        document["mesh"] = {
            "name": name,
            "title": f"{profile.title}; {component} fitted to {source}",
            "data_version": f"{component} CPU and memory fitted to {source} (n = {self.n}); other figures: "
                            f"{profile.name} ({profile.data_version})",
        }
        return profile_from_dict(document, origin=f"fit of {component} to {source}")


def _samples(value: Any, name: str, kind: str) -> np.ndarray:
    array = strip(value, name, kind)
    if array.ndim != 1:
        raise InputValueError(f"{name}: got an array of shape {array.shape}; expected a 1-D array of samples")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputValueError(f"{name}: got {float(array[i])!r} at index {i}; expected finite values >= 0")
    return array


def _line(x: np.ndarray, y: np.ndarray, t: float, unit: str, slope_unit: str) -> tuple[Estimate, Estimate, FitQuality]:
    """OLS of y on x: (intercept, slope, quality); intervals estimate +- t x standard error."""
    n = len(x)
    x_mean, y_mean = x.mean(), y.mean()
    dx = x - x_mean
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y_mean)) / sxx
    intercept = float(y_mean - slope * x_mean)
    residuals = y - (intercept + slope * x)
    ssr = float(residuals @ residuals)
    sst = float(((y - y_mean) ** 2).sum())
    dof = n - 2
    s = math.sqrt(ssr / dof)
    se_slope = s / math.sqrt(sxx)
    se_intercept = s * math.sqrt(1.0 / n + float(x_mean) ** 2 / sxx)
    r2 = 1.0 - ssr / sst if sst > 0 else 1.0
    quality = FitQuality(n, dof, r2, math.sqrt(ssr / n), s)
    return (Estimate(intercept, se_intercept, intercept - t * se_intercept, intercept + t * se_intercept, unit),
            Estimate(slope, se_slope, slope - t * se_slope, slope + t * se_slope, slope_unit),
            quality)


def fit_component(
    load_rps: Any,
    cpu_vcpu: Any,
    memory_mib: Any,
    *,
    per_rps: float = 1000,
    confidence: float = 0.95,
) -> ComponentFit:
    """Fit a proxy's idle CPU, CPU per request and memory to measured samples.

    CPU: ordinary least squares ``CPU = idle + slope x load / per_rps``. Memory: the mean
    (meshcost models proxy memory as traffic-independent), plus a least-squares slope vs load,
    reported so you can check that. Each parameter gets the two-sided Student-t confidence
    interval ``estimate +- t((1 + confidence) / 2, dof) x standard error`` (dof = n - 2 for
    the lines, n - 1 for the mean); exact for independent normal residuals of constant
    variance. Profiles use them clipped at 0 (:attr:`Estimate.bounds`).

    Parameters
    ----------
    load_rps : array or Quantity
        Requests per second through the proxy, one per sample. [1/s]
    cpu_vcpu : array or Quantity
        CPU of the proxy at those samples. [vCPU] (or a Quantity in millicore)
    memory_mib : array or Quantity
        Working-set memory of the proxy. [MiB] (or a Quantity in bytes)
    per_rps : float
        Load unit of the CPU slope: CPU per ``per_rps`` requests/s. Default 1000. [1/s]
    confidence : float
        Confidence level of the intervals, 0 < confidence < 1. Default 0.95.

    Returns
    -------
    ComponentFit
        Estimates with standard errors and intervals, fit quality, and
        :meth:`ComponentFit.to_profile`.

    Raises
    ------
    InputValueError
        Fewer than 3 samples, arrays of different lengths, all loads equal, NaN, infinite or
        negative values (naming the parameter and index), or a bad ``per_rps`` / ``confidence``.
    """
    x_raw = _samples(load_rps, "load_rps", "rate")
    cpu = _samples(cpu_vcpu, "cpu_vcpu", "cpu")
    memory = _samples(memory_mib, "memory_mib", "memory")
    for name, array in (("cpu_vcpu", cpu), ("memory_mib", memory)):
        if len(array) != len(x_raw):
            raise InputValueError(f"{name}: got {len(array)} samples; load_rps has {len(x_raw)}; expected one per "
                                  "load sample")
    n = len(x_raw)
    if n < 3:
        raise InputValueError(f"load_rps: got {n} samples; expected at least 3 (a line and its uncertainty need "
                              "n - 2 >= 1 degrees of freedom)")
    if isinstance(per_rps, bool) or not isinstance(per_rps, (int, float, np.integer, np.floating)) \
            or not math.isfinite(per_rps) or per_rps <= 0:
        raise InputValueError(f"per_rps: got {describe_value(per_rps)}; expected a number of requests/s > 0 "
                              "(e.g. 1000)")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.integer, np.floating)) \
            or not 0 < confidence < 1:
        raise InputValueError(f"confidence: got {describe_value(confidence)}; expected a level strictly between "
                              "0 and 1 (e.g. 0.95)")
    if np.ptp(x_raw) == 0:
        raise InputValueError(f"load_rps: all {n} samples are {float(x_raw[0])!r}; expected at least two different "
                              "loads (the CPU per request is the slope over load)")
    per_rps, confidence = float(per_rps), float(confidence)
    x = x_raw / per_rps
    q = 0.5 * (1.0 + confidence)
    t_line = t_quantile(q, n - 2)
    slope_unit = f"vCPU per {per_rps:g} requests/s"
    idle, request, cpu_quality = _line(x, cpu, t_line, "vCPU", slope_unit)
    _, memory_slope, memory_quality = _line(x, memory, t_line, "MiB", f"MiB per {per_rps:g} requests/s")
    mean = float(memory.mean())
    se_mean = float(memory.std(ddof=1)) / math.sqrt(n)
    t_mean = t_quantile(q, n - 1)
    memory_est = Estimate(mean, se_mean, mean - t_mean * se_mean, mean + t_mean * se_mean, "MiB")
    return ComponentFit(n, per_rps, confidence, (float(x_raw.min()), float(x_raw.max())), idle, request,
                        memory_est, memory_slope, cpu_quality, memory_quality)


def fit_frame(frame: "pd.DataFrame", *, per_rps: float = 1000, confidence: float = 0.95) -> ComponentFit:
    """:func:`fit_component` on a reader's frame (columns ``load [1/s]``, ``cpu [vCPU]``, ``memory [MiB]``)."""
    columns = getattr(frame, "columns", None)
    if columns is None:
        raise InputTypeError(f"frame: got {describe_value(frame)}; expected a DataFrame from read_prometheus or "
                             "read_perf_csv")
    absent = [c for c in (LOAD, CPU, MEMORY) if c not in columns]
    if absent:
        raise InputValueError(f"frame: column(s) {absent} missing; expected {[LOAD, CPU, MEMORY]} "
                              f"(got {list(columns)})")
    return fit_component(frame[LOAD].to_numpy(np.float64), frame[CPU].to_numpy(np.float64),
                         frame[MEMORY].to_numpy(np.float64), per_rps=per_rps, confidence=confidence)
