"""Istio perf-benchmark CSV reader (meshcost.io.perf)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshcost.errors import (
    DataFileError,
    InputTypeError,
    InputValueError,
    UnitMismatchError,
)
from meshcost.io import CPU, LOAD, MEMORY
from meshcost.io.perf import read_perf_csv
from tests.calibration_samples import (
    PERF_CSV,
)

# --------------------------------------------------------------------------- Istio perf CSV


def test_perf_csv_reads_both_proxies():
    frame = read_perf_csv(PERF_CSV)
    assert list(frame.columns) == ["line", "proxy", "labels", "connections", LOAD, CPU, MEMORY,
                                   "p50 [ms]", "p90 [ms]", "p99 [ms]", "p999 [ms]"]
    assert len(frame) == 2 * 11
    first = frame.iloc[0]
    assert (first["line"], first["proxy"], first["connections"]) == (2, "fortioclient", 16.0)
    lines = PERF_CSV.read_text(encoding="utf-8").splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    cell = dict(zip(header, row))
    assert first[LOAD] == float(cell["ActualQPS"])
    assert first[CPU] == pytest.approx(float(cell["cpu_mili_avg_istio_proxy_fortioclient"]) / 1000, rel=1e-15)
    assert first[MEMORY] == float(cell["mem_Mi_avg_istio_proxy_fortioclient"])
    assert first["p99 [ms]"] == pytest.approx(int(cell["p99"]) / 1000, rel=1e-15)  # microseconds -> ms
    server = frame.iloc[1]
    assert server["proxy"] == "fortioserver"
    assert server[CPU] == pytest.approx(float(cell["cpu_mili_avg_istio_proxy_fortioserver"]) / 1000, rel=1e-15)
    assert server["p50 [ms]"] == first["p50 [ms]"]  # fortio's latency covers the whole path


def test_perf_csv_options():
    server = read_perf_csv(PERF_CSV, pods=("fortioserver",))
    assert set(server["proxy"]) == {"fortioserver"} and len(server) == 11
    in_ms = read_perf_csv(PERF_CSV, latency_unit="ms")
    assert in_ms["p50 [ms]"].iloc[0] == 1000 * read_perf_csv(PERF_CSV)["p50 [ms]"].iloc[0]
    with pytest.raises(UnitMismatchError, match="latency_unit: got 'MiB'; expected a unit of time"):
        read_perf_csv(PERF_CSV, latency_unit="MiB")
    with pytest.raises(UnitMismatchError, match="latency_unit"):
        read_perf_csv(PERF_CSV, latency_unit="fortnights of doom")
    with pytest.raises(DataFileError,
                       match=r"line 1 \(header\): column\(s\) \['cpu_mili_avg_linkerd_proxy_fortioclient'"):
        read_perf_csv(PERF_CSV, container="linkerd-proxy")
    with pytest.raises(InputTypeError, match="pods: got 'fortioclient'"):
        read_perf_csv(PERF_CSV, pods="fortioclient")
    with pytest.raises(InputValueError, match="missing: got 'drop'"):
        read_perf_csv(PERF_CSV, missing="drop")


def _perf_file(tmp_path: Path, edit) -> Path:
    lines = PERF_CSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    header, rows = edit(header, rows)
    path = tmp_path / "perf.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _set(column: str, row: int, value: str):
    def edit(header, rows):
        rows[row][header.index(column)] = value
        return header, rows
    return edit


def _drop(column: str):
    def edit(header, rows):
        i = header.index(column)
        return header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]
    return edit


@pytest.mark.parametrize("edit, words", [
    (_drop("ActualQPS"), r"line 1 \(header\): column\(s\) \['ActualQPS'\] missing; expected ActualQPS"),
    (_drop("mem_Mi_avg_istio_proxy_fortioserver"),
     r"line 1 \(header\): column\(s\) \['mem_Mi_avg_istio_proxy_fortioserver'\] missing.*present: "
     r"\['cpu_mili_avg_discovery_istiod'"),
    (_set("ActualQPS", 3, "n/a"), r"line 5, column 'ActualQPS': 'n/a' is not a number"),
    (_set("cpu_mili_avg_istio_proxy_fortioclient", 0, "-3"),
     r"line 2, column 'cpu_mili_avg_istio_proxy_fortioclient': '-3'; expected a finite number >= 0"),
    (_set("mem_Mi_avg_istio_proxy_fortioserver", 1, ""),
     r"line 3, column 'mem_Mi_avg_istio_proxy_fortioserver': the cell is empty.*missing='skip'"),
    (_set("p99", 2, "fast"), r"line 4, column 'p99': 'fast' is not a number"),
    (lambda h, r: (h, [*r[:2], r[2][:-1], *r[3:]]), r"line 4 has 20 fields; the header has 21"),
    (lambda h, r: (h + ["ActualQPS"], [x + ["1"] for x in r]),
     r"line 1 \(header\): column\(s\) \['ActualQPS'\] appear more than once"),
    (lambda h, r: (h, []), "no data lines after the header"),
])
def test_malformed_perf_csv_names_line_and_column(tmp_path, edit, words):
    path = _perf_file(tmp_path, edit)
    with pytest.raises(DataFileError, match=r"perf.csv: " + words):
        read_perf_csv(path)


def test_perf_csv_baseline_runs_can_be_skipped(tmp_path):
    def baseline(header, rows):
        for column in ("cpu_mili_avg_istio_proxy_fortioclient", "mem_Mi_avg_istio_proxy_fortioclient"):
            rows[0][header.index(column)] = ""
        return header, rows
    path = _perf_file(tmp_path, baseline)
    frame = read_perf_csv(path, missing="skip")
    assert len(frame) == 21
    assert frame.iloc[0]["proxy"] == "fortioserver" and frame.iloc[0]["line"] == 2
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match="empty.csv: the file is empty"):
        read_perf_csv(empty)
    with pytest.raises(DataFileError, match="absent.csv: no such file"):
        read_perf_csv(tmp_path / "absent.csv")


