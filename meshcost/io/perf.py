"""Read the CSV of Istio's load-test harness (istio/tools ``perf/benchmark``) into proxy samples."""

from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING, Any, Literal, Sequence

import numpy as np

from ..errors import DataFileError, InputTypeError, InputValueError, UnitMismatchError, describe_value
from ..units import parse_unit, ureg
from . import CPU, LOAD, MEMORY
from .files import MAX_INPUT_BYTES, read_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_perf_csv"]


def _perf_column(prefix: str, container: str, pod: str) -> str:
    return f"{prefix}_{container.replace('-', '_')}_{pod}"


def read_perf_csv(
    source: Any,
    *,
    container: str = "istio-proxy",
    pods: Sequence[str] = ("fortioclient", "fortioserver"),
    latency_unit: str = "us",
    missing: Literal["error", "skip"] = "error",
    max_bytes: int = MAX_INPUT_BYTES,
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
    source : str, Path or open file
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
    max_bytes : int
        The largest file accepted [bytes].

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
    path, text = read_text(source, what="a CSV of Istio's perf/benchmark results", max_bytes=max_bytes)
    with io.StringIO(text, newline="") as handle:
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


