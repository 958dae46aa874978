"""Every reader takes the same kinds of source (pvlib's iotools contract): a path as text or Path,
an open text or binary file, or an in-memory buffer, and reads them alike."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

import pytest

import meshcost
from meshcost.io.perf import read_perf_csv
from meshcost.io.prometheus import read_prometheus, read_prometheus_series


def _prometheus(source: Callable[[Path], Any]) -> Any:
    paths = [meshcost.examples.path(f"prometheus-{n}.json") for n in ("memory", "cpu", "load")]
    return read_prometheus(*(source(p) for p in paths), container="istio-proxy")


READERS = {
    "read_inventory": lambda source: meshcost.read_inventory(source(meshcost.examples.path("cluster.json"))),
    "read_prometheus_series": lambda source: read_prometheus_series(
        source(meshcost.examples.path("prometheus-memory.json"))),
    "read_prometheus": _prometheus,
    "read_perf_csv": lambda source: read_perf_csv(source(meshcost.examples.path("istio-perf-benchmark.csv"))),
}
_OPENED: list[Any] = []  # the files a test opened: the readers leave the caller's files open


def _open(path: Path, *args: Any, **kwargs: Any) -> Any:
    _OPENED.append(path.open(*args, **kwargs))
    return _OPENED[-1]


SOURCES = {
    "str": lambda p: str(p),
    "Path": lambda p: p,
    "text file": lambda p: _open(p, encoding="utf-8"),
    "binary file": lambda p: _open(p, "rb"),
    "StringIO": lambda p: io.StringIO(p.read_text(encoding="utf-8")),
    "BytesIO": lambda p: io.BytesIO(p.read_bytes()),
}


def _comparable(value: Any) -> Any:
    if hasattr(value, "to_csv"):
        return value.to_csv()
    return (value.pods, value.meshed_pods, value.node_types, value.finished_pods)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("kind", [k for k in SOURCES if k != "Path"])
def test_every_reader_takes_every_kind_of_source(reader, kind):
    expected = _comparable(READERS[reader](SOURCES["Path"]))
    try:
        assert _comparable(READERS[reader](SOURCES[kind])) == expected
        assert not any(handle.closed for handle in _OPENED)  # the caller's files stay the caller's
    finally:
        while _OPENED:
            _OPENED.pop().close()
