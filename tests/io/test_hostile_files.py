"""Hostile files: every reader refuses them cleanly, quickly and in bounded memory; writers never lose a file.

Readers (each given the same hostile inputs): ``read_inventory`` (kubectl JSON and YAML, a
path or an open file), ``read_inventories``, ``load_profile`` (TOML), ``PriceSheet.from_csv``,
``project(prices=...)``, the CLI's ``project`` / ``report`` / ``sweep --prices FILE.csv``,
``read_prometheus_series`` and ``read_prometheus`` (Prometheus API JSON, a path or an open
file) and ``read_perf_csv`` (Istio perf-benchmark CSV, a path or an open file). The CLI has
no other option that reads a file.

A refusal is a :class:`meshcost.MeshcostError` (for the CLI: exit status 2 and one line
``meshcost: error: ...`` on stderr) whose message is one line and names the file, raised
within CPU_SECONDS of CPU with a peak RSS under MAX_RSS_MB. Every hostile read runs in a
child process -- forked, one per case, from a helper started with ``sys.executable -c``
that imported meshcost once -- so that a reader that blocks (a FIFO), spins (a huge line)
or eats memory (``/dev/zero``, an alias bomb) is killed and reported instead of taking the
test run down: after WALL_LIMIT seconds, after CPU_KILL seconds of CPU (RLIMIT_CPU), or
above KILL_RSS_MB. The peak RSS comes from ``wait4()`` (it includes the ~200 MB the helper
had imported before forking).

Writers (``meshcost sweep -o``, ``meshcost report --html``, ``meshcost.sweep(output=)``,
``Projection.to_html(path)``): a refused or failing run never removes or truncates an
existing file (or a symlink's target), leaves no temporary file behind, refuses a
read-only directory with one line (exit 2), and writes through ``/dev/null`` without
replacing it.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import io
import json
import os
import random
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import meshcost
from meshcost import cli
from meshcost.errors import MeshcostError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CALIBRATION = FIXTURES / "calibration"
KUBE_JSON = FIXTURES / "kubectl-cluster.json"
KUBE_YAML = FIXTURES / "store-manifests.yaml"
PROFILE_TOML = Path(meshcost.__file__).resolve().parent / "data" / "profiles" / "istio-sidecar.toml"
MEMORY_MATRIX = CALIBRATION / "prometheus-memory-matrix.json"
CPU_MATRIX = CALIBRATION / "prometheus-cpu-rate-matrix.json"
LOAD_MATRIX = CALIBRATION / "prometheus-load-matrix.json"
PERF_CSV = CALIBRATION / "istio-perf-benchmark.csv"

#: A one-machine-type price sheet in the shape of data/prices.csv (from_csv needs no name).
PRICE_CSV = (
    b"provider,instance_type,region,vcpu,memory_gib,price_per_hour,currency,as_of,source_url,notes\n"
    b'gcp,e2-standard-4,us-central1,4,16,0.13402,USD,2026-06-22,https://example.test/prices,'
    b'"hand-written for tests, one row"\n'
)

CPU_SECONDS = 5.0  # "within a few seconds" [CPU s]
MAX_RSS_MB = 700  # "well under 1 GiB" [MB]
WALL_LIMIT = 20.0  # a child still running after this is a hang [s]
CPU_KILL = 8  # RLIMIT_CPU of a child [s]
KILL_RSS_MB = 1200  # a child above this is killed (and fails) [MB]
HUGE_LINE_BYTES = 50 * 1024 * 1024

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# =========================================================================== readers


@dataclass(frozen=True)
class Reader:
    name: str
    suffix: str
    valid: Path | None  # the valid file the content cases are derived from (None: PRICE_CSV)
    code: str  # run in the child with `path` (and `out`); sets `result` (library) or `rc` (CLI)
    cli: bool = False
    open_file: bool = False  # `path` is opened by the test and the open file is passed
    numbers: str | None = None  # the family of numeric-field builders
    anchor: bytes = b""  # invalid UTF-8 goes right after this (inside a string value)
    out_suffix: str = ""  # the CLI's output file (must not be created on refusal)

    def valid_bytes(self) -> bytes:
        return PRICE_CSV if self.valid is None else self.valid.read_bytes()

    @property
    def fmt(self) -> str:
        return {".json": "json", ".yaml": "yaml", ".toml": "toml", ".csv": "csv"}[self.suffix]


_OPEN = "with open(path, 'rb', opener=nonblocking) as fh:\n    result = {call}(fh)"
_CLI = "rc = cli.main([{command!r}, '--nodes', '10', '--sidecars', '100', '--prices', path{extra}])"

READERS = {r.name: r for r in [
    Reader("read_inventory(json)", ".json", KUBE_JSON, "result = meshcost.read_inventory(path)",
           numbers="kube", anchor=b'"name": "'),
    Reader("read_inventory(yaml)", ".yaml", KUBE_YAML, "result = meshcost.read_inventory(path)",
           numbers="kube", anchor=b"name: "),
    Reader("read_inventory(open file)", ".json", KUBE_JSON, _OPEN.format(call="meshcost.read_inventory"),
           open_file=True, anchor=b'"name": "'),
    Reader("read_inventories", ".json", KUBE_JSON, "result = meshcost.read_inventories([KUBE_JSON, path])",
           anchor=b'"name": "'),
    Reader("cluster_report(yaml)", ".yaml", KUBE_YAML, "result = meshcost.cluster_report(path, nodes=3)",
           numbers="kube", anchor=b"name: "),
    Reader("cli cluster", ".json", KUBE_JSON, "rc = cli.main(['cluster', path, '--nodes', '3', '--html', out])",
           cli=True, anchor=b'"name": "', out_suffix=".html"),
    Reader("load_profile", ".toml", PROFILE_TOML, "result = meshcost.load_profile(path)",
           numbers="toml", anchor=b'title = "'),
    Reader("PriceSheet.from_csv", ".csv", None, "result = meshcost.PriceSheet.from_csv(path)",
           numbers="price", anchor=b"hand-"),
    Reader("project(prices=)", ".csv", None,
           "result = meshcost.project(nodes=10, sidecars=100, prices=pathlib.Path(path))",
           numbers="price", anchor=b"hand-"),
    Reader("cli project --prices", ".csv", None, _CLI.format(command="project", extra=""), cli=True,
           numbers="price", anchor=b"hand-"),
    Reader("cli report --prices", ".csv", None, _CLI.format(command="report", extra=", '--html', out"),
           cli=True, anchor=b"hand-", out_suffix=".html"),
    Reader("cli sweep --prices", ".csv", None, _CLI.format(command="sweep", extra=", '-o', out"),
           cli=True, anchor=b"hand-", out_suffix=".csv"),
    Reader("read_prometheus_series", ".json", MEMORY_MATRIX, "result = read_prometheus_series(path)",
           numbers="prom", anchor=b'"pod":"'),
    Reader("read_prometheus_series(open file)", ".json", MEMORY_MATRIX, _OPEN.format(call="read_prometheus_series"),
           open_file=True, anchor=b'"pod":"'),
    Reader("read_prometheus(memory=)", ".json", MEMORY_MATRIX,
           "result = read_prometheus(path, CPU_MATRIX, LOAD_MATRIX)", numbers="prom", anchor=b'"pod":"'),
    Reader("read_prometheus(load=)", ".json", LOAD_MATRIX,
           "result = read_prometheus(MEMORY_MATRIX, CPU_MATRIX, path)", numbers="prom", anchor=b'"pod":"'),
    Reader("read_perf_csv", ".csv", PERF_CSV, "result = read_perf_csv(path)", numbers="perf", anchor=b"f3b1"),
    Reader("read_perf_csv(open file)", ".csv", PERF_CSV, _OPEN.format(call="read_perf_csv"), open_file=True,
           anchor=b"f3b1"),
]}


# =========================================================================== hostile content


def _insert_after(data: bytes, anchor: bytes, extra: bytes) -> bytes:
    index = data.index(anchor) + len(anchor)
    return data[:index] + extra + data[index:]


def _truncated(reader: Reader, data: bytes) -> bytes:
    """A cut that leaves the file broken, not merely shorter."""
    if reader.fmt == "json":
        return data[: len(data) // 2]
    if reader.fmt == "yaml":  # a controller whose pod template ends up null
        index = data.index(b"  template:\n", len(data) // 3)
        return data[: index + len(b"  template:\n")]
    if reader.fmt == "toml":  # inside a string value: unterminated
        return data[: data.index(b' = "', len(data) // 2) + 6]
    return data[: data.index(b",", len(data) // 2) + 3]  # csv: mid-row, fields missing


def _duplicate_keys(reader: Reader, data: bytes) -> bytes:
    if reader.valid in (KUBE_JSON, KUBE_YAML):  # the inventory readers and the cluster report / command
        if reader.fmt == "json":  # {"kind": "Pod", ..., "kind": "List"}: last-wins would read a List
            return data.replace(b"{", b'{"kind": "Pod", ', 1)
        return data.replace(b"  replicas: 3\n", b"  replicas: 3\n  replicas: 300\n", 1)
    if reader.fmt == "toml":
        return data.replace(b'name = "istio-sidecar"\n', b'name = "istio-sidecar"\nname = "linkerd"\n', 1)
    if reader.fmt == "json":  # prometheus: {"status": "error", "status": "success", ...}
        return data.replace(b'{"status":"success"', b'{"status":"error","status":"success"', 1)
    if reader.name.startswith("read_perf"):
        lines = data.decode().splitlines()
        return ("\n".join([lines[0] + ",ActualQPS"] + [line + ",1" for line in lines[1:] if line]) + "\n").encode()
    lines = data.decode().splitlines()  # price sheet: a second vcpu column
    return ("\n".join([lines[0] + ",vcpu"] + [line + ",64" for line in lines[1:] if line]) + "\n").encode()


def _nested(reader: Reader, depth: int = 100_000) -> bytes:
    body = b"[" * depth + b"]" * depth
    return b"a = " + body + b"\n" if reader.fmt == "toml" else body


BILLION_LAUGHS = (
    'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"lol{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    + "kind: List\nitems: *a8\n"
).encode()
#: The same bomb inside a valid Pod, under a field the reader does not look at.
BILLION_LAUGHS_IN_POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n"
    '    lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"    lol{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    + "spec:\n  containers:\n  - name: app\n    args: *a8\n"
).encode()

#: Content cases for every reader: input name -> bytes from (reader, valid bytes).
CONTENT: dict[str, Callable[[Reader, bytes], bytes]] = {
    "empty": lambda r, d: b"",
    "whitespace": lambda r, d: b"  \n \r\n   \n\n",
    "whitespace_with_tabs": lambda r, d: b"\t\n \t\r\n\x0b\x0c \n",
    "invalid_utf8": lambda r, d: _insert_after(d, r.anchor, b"caf\xe9\xff"),
    "binary_garbage": lambda r, d: random.Random(1).randbytes(64 * 1024),
    "truncated": _truncated,
}
SPECIAL_PATHS = ("dev_zero", "fifo", "directory", "missing")
#: Structure attacks: input name -> (which readers, bytes).
STRUCTURE: dict[str, tuple[Callable[[Reader], bool], Callable[[Reader, bytes], bytes]]] = {
    "deep_nesting_100k": (lambda r: r.fmt in ("json", "yaml", "toml"), lambda r, d: _nested(r)),
    "duplicate_keys": (lambda r: True, _duplicate_keys),
    "json_NaN_in_unused_field": (lambda r: r.fmt == "json", lambda r, d: d.replace(b"{", b'{"x-test": NaN, ', 1)),
    "yaml_billion_laughs": (lambda r: r.fmt == "yaml", lambda r, d: BILLION_LAUGHS),
    "yaml_billion_laughs_in_valid_pod": (lambda r: r.fmt == "yaml", lambda r, d: BILLION_LAUGHS_IN_POD),
    "yaml_self_alias": (lambda r: r.fmt == "yaml", lambda r, d: b"&a [*a]\n"),
    "yaml_self_referencing_List": (lambda r: r.fmt == "yaml", lambda r, d: b"&l {kind: List, items: [*l]}\n"),
}


# --------------------------------------------------------------------------- numbers

BIG_INT = str(2**1100)
NUMBER_TEXTS = {  # id -> text, per format
    "json": {"1e999999": "1e999999", "2**1100": BIG_INT, "NaN": "NaN", "Infinity": "Infinity"},
    "yaml": {"1e999999": "1e999999", "1.0e+999999": "1.0e+999999", "2**1100": BIG_INT, ".nan": ".nan"},
    "toml": {"1e999999": "1e999999", "2**1100": BIG_INT, "nan": "nan", "inf": "inf"},
    "csv": {"1e999999": "1e999999", "2**1100": BIG_INT, "nan": "nan", "inf": "inf"},
}


def _kube_list() -> dict:
    proxy = {"name": "istio-proxy", "image": "proxyv2",
             "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}}
    app = {"name": "app", "image": "app", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}

    def template() -> dict:
        return {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [copy.deepcopy(app), copy.deepcopy(proxy)]}}

    return {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"replicas": 2, "template": template()}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "batch", "namespace": "shop"},
         "spec": {"parallelism": 1, "template": template()}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "shop"},
         "spec": {"template": template()}, "status": {"desiredNumberScheduled": 3}},
    ]}


_PROXY = ("items", 0, "spec", "template", "spec", "containers", 1, "resources")
KUBE_FIELDS = {  # field -> (path in _kube_list(), written as a quoted string)
    "spec.replicas": (("items", 0, "spec", "replicas"), False),
    "spec.parallelism": (("items", 1, "spec", "parallelism"), False),
    "status.desiredNumberScheduled": (("items", 2, "status", "desiredNumberScheduled"), False),
    "requests.cpu": ((*_PROXY, "requests", "cpu"), False),
    "requests.cpu(quoted)": ((*_PROXY, "requests", "cpu"), True),
    "requests.memory": ((*_PROXY, "requests", "memory"), False),
    "requests.memory(quoted)": ((*_PROXY, "requests", "memory"), True),
    "limits.cpu(quoted)": ((*_PROXY, "limits", "cpu"), True),
    "limits.memory(quoted)": ((*_PROXY, "limits", "memory"), True),
}


def _kube_number(reader: Reader, field: str, text: str | None) -> bytes:
    doc = _kube_list()
    path, quoted = KUBE_FIELDS[field]
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "__N__"
    text = "1" if text is None else text
    if reader.fmt == "json":
        return json.dumps(doc, indent=1).replace('"__N__"', json.dumps(text) if quoted else text).encode()
    return yaml.safe_dump(doc, sort_keys=False).replace("__N__", f"'{text}'" if quoted else text).encode()


_TOML_NUMBER = r"(-?[0-9][0-9_.eE+-]*)"
TOML_FIELDS = {  # field -> the first match's group 1 is replaced
    **{key: rf"(?<![\w.]){key} *= *{_TOML_NUMBER}" for key in (
        "passes", "workers", "per_rps", "low", "typical", "high", "max", "replicas", "reconnect_seconds",
        "debounce_seconds")},
    "hpa.min": rf"hpa = \{{ *min *= *{_TOML_NUMBER}",
    "hpa.max": rf"hpa = \{{[^}}]*?\bmax *= *{_TOML_NUMBER}",
    "hpa.cpu_utilization": rf"hpa = \{{[^}}]*?\bcpu_utilization *= *{_TOML_NUMBER}",
    "resources.cpu(quoted)": r'requests = \{ *cpu = "([^"]*)"',
    "resources.memory(quoted)": r'requests = \{[^}]*?\bmemory = "([^"]*)"',
}


def _toml_number(reader: Reader, field: str, text: str | None) -> bytes:
    data = reader.valid_bytes().decode()
    match = re.search(TOML_FIELDS[field], data)
    assert match, f"no {field} in {reader.valid}"
    value = match.group(1) if text is None else text
    return (data[: match.start(1)] + value + data[match.end(1):]).encode()


PRICE_FIELDS = ("vcpu", "memory_gib", "price_per_hour")


def _price_number(reader: Reader, field: str, text: str | None) -> bytes:
    rows = list(csv.DictReader(io.StringIO(PRICE_CSV.decode())))
    if text is not None:
        rows[0][field] = text
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


PERF_FIELDS = ("ActualQPS", "NumThreads", "p50", "p90", "p99", "p999", *(
    f"{prefix}_istio_proxy_{pod}" for pod in ("fortioclient", "fortioserver") for prefix in ("cpu_mili_avg", "mem_Mi_avg")))


def _perf_number(reader: Reader, field: str, text: str | None) -> bytes:
    rows = list(csv.reader(io.StringIO(PERF_CSV.read_text())))
    if text is not None:
        rows[1][rows[0].index(field)] = text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


PROM_FIELDS = ("timestamp", "value")
_SAMPLE = re.compile(r'\[(-?[0-9][0-9.eE+-]*),"([^"]*)"\]')


def _prom_number(reader: Reader, field: str, text: str | None) -> bytes:
    data = reader.valid_bytes().decode()
    match = _SAMPLE.search(data)
    assert match
    stamp, value = match.group(1), match.group(2)
    if text is not None:
        stamp, value = (text, value) if field == "timestamp" else (stamp, text)
    return (data[: match.start()] + f'[{stamp},"{value}"]' + data[match.end():]).encode()


NUMBER_FIELDS: dict[str, tuple[tuple[str, ...], Callable[[Reader, str, str | None], bytes]]] = {
    "kube": (tuple(KUBE_FIELDS), _kube_number),
    "toml": (tuple(TOML_FIELDS), _toml_number),
    "price": (PRICE_FIELDS, _price_number),
    "perf": (PERF_FIELDS, _perf_number),
    "prom": (PROM_FIELDS, _prom_number),
}


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    reader: Reader
    input: str
    group: str  # special_path / bad_content / structure / number
    content: Callable[[], bytes] | None = None


def _cases() -> dict[str, Case]:
    cases: list[Case] = []
    for reader in READERS.values():
        def add(input_name: str, group: str, content: Callable[[], bytes] | None = None, r: Reader = reader) -> None:
            cases.append(Case(f"{r.name} <- {input_name}", r, input_name, group, content))

        for name in SPECIAL_PATHS:
            if reader.open_file and name in ("directory", "missing"):
                continue  # there is no open file of these to pass
            add(name, "special_path")
        for name, make in CONTENT.items():
            add(name, "bad_content", lambda r=reader, m=make: m(r, r.valid_bytes()))
        add("huge_line_50MB", "bad_content")
        for name, (applies, make) in STRUCTURE.items():
            if applies(reader) and not (reader.open_file and name != "deep_nesting_100k"):
                add(name, "structure", lambda r=reader, m=make: m(r, r.valid_bytes()))
        if reader.numbers:
            fields, build = NUMBER_FIELDS[reader.numbers]
            texts = NUMBER_TEXTS["json" if reader.numbers == "prom" else reader.fmt]
            for field in fields:
                for text_id, text in texts.items():
                    add(f"{field}={text_id}", "number", lambda r=reader, f=field, t=text, b=build: b(r, f, t))
    return {case.id: case for case in cases}


CASES = _cases()


def _ids(group: str) -> list[Any]:
    return [pytest.param(case_id, id=case_id) for case_id, case in CASES.items() if case.group == group]


# =========================================================================== the child runner

#: Run by `sys.executable -c`: imports meshcost once, then forks one child per case.
RUNNER = r'''
import contextlib, io, json, os, resource, signal, sys, time, traceback

spec = json.load(open(sys.argv[1]))
cases, wall_limit, cpu_kill, kill_kb, parallel = (spec["cases"], spec["wall"], spec["cpu"], spec["kill_kb"],
                                                  spec["parallel"])

import pathlib
import meshcost
import meshcost.cli as cli
from meshcost.errors import MeshcostError, DataFileError
from meshcost.io.prometheus import read_prometheus, read_prometheus_series
from meshcost.io.perf import read_perf_csv
globals().update(spec["globals"])


def nonblocking(name, flags):  # an open FIFO with no writer reads as end of file, not a hang
    return os.open(name, flags | os.O_NONBLOCK)


# Warm the caches (shipped profiles, price sheet, pandas, yaml) so that a child measures the read only.
for warm in spec["warm"]:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(warm, dict(globals()))
    except BaseException:
        pass


def child(case, out):
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_kill, cpu_kill + 2))
    record = {}
    sink_out, sink_err = io.StringIO(), io.StringIO()
    namespace = dict(globals())
    namespace.update(case["vars"])
    wall0, cpu0 = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(sink_out), contextlib.redirect_stderr(sink_err):
            exec(case["code"], namespace)
        record["outcome"] = "returned"
        try:
            record["result"] = repr(namespace.get("result"))[:300]
        except BaseException as exc:
            record["result"] = f"<repr failed: {type(exc).__name__}>"
    except BaseException as exc:
        record["outcome"] = "raised"
        record["type"] = type(exc).__module__ + "." + type(exc).__qualname__
        record["meshcost_error"] = isinstance(exc, MeshcostError)
        record["datafile_error"] = isinstance(exc, DataFileError)
        try:
            message = str(exc)
        except BaseException:
            message = "<str() failed>"
        record["message"] = message[:3000]
        record["message_length"] = len(message)
        record["traceback"] = traceback.format_exc()[-1200:]
    record["child_wall"] = time.perf_counter() - wall0
    record["child_cpu"] = time.process_time() - cpu0
    rc = namespace.get("rc")
    record["rc"] = rc if isinstance(rc, int) else repr(rc)
    record["stderr"] = sink_err.getvalue()[:3000]
    with open(out + ".tmp", "w") as handle:
        json.dump(record, handle)
    os.replace(out + ".tmp", out)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


import gc
gc.collect()
gc.freeze()  # children do not walk (and copy) the parent's objects
results, running = {}, {}
sys.stdout.flush()
sys.stderr.flush()


def start(index):
    out = f"{sys.argv[2]}.{index}"
    pid = os.fork()
    if pid == 0:
        try:
            child(cases[index], out)
        finally:
            os._exit(0)
    running[pid] = {"index": index, "start": time.monotonic(), "killed": None, "out": out, "seen_kb": 0}


idle = [i for i, c in enumerate(cases) if c["idle"]]  # may block without using CPU: started together
queue = [i for i, c in enumerate(cases) if not c["idle"]]
for i in idle:
    start(i)
while queue or running:
    busy = sum(1 for r in running.values() if not cases[r["index"]]["idle"])
    while queue and busy < parallel:
        start(queue.pop(0))
        busy += 1
    for pid, info in list(running.items()):
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done == 0:
            kb = rss_kb(pid)
            info["seen_kb"] = max(info["seen_kb"], kb)
            elapsed = time.monotonic() - info["start"]
            if info["killed"] is None and kb > kill_kb:
                info["killed"] = f"killed at {kb // 1024} MB of memory (limit {kill_kb // 1024} MB)"
                os.kill(pid, signal.SIGKILL)
            elif info["killed"] is None and elapsed > wall_limit:
                info["killed"] = f"killed: still running after {wall_limit:g} s (a hang)"
                os.kill(pid, signal.SIGKILL)
            continue
        del running[pid]
        result = {"wall": time.monotonic() - info["start"], "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": max(usage.ru_maxrss, info["seen_kb"]) // 1024, "killed": info["killed"]}
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            result["signal"] = signal.Signals(sig).name if sig in set(signal.Signals) else str(sig)
            if sig == signal.SIGXCPU and not info["killed"]:
                result["killed"] = f"killed: over the CPU limit of {cpu_kill} s"
        try:
            with open(info["out"]) as handle:
                result["record"] = json.load(handle)
        except (OSError, ValueError):
            result["record"] = None
        results[cases[info["index"]]["id"]] = result
    time.sleep(0.003)

with open(sys.argv[2], "w") as handle:
    json.dump(results, handle)
'''

WARM = [
    "meshcost.project(nodes=10, sidecars=100)",
    "meshcost.read_inventory(KUBE_YAML)",
    "meshcost.read_inventory(KUBE_JSON)",
    "meshcost.load_profile(PROFILE_TOML)",
    "read_prometheus(MEMORY_MATRIX, CPU_MATRIX, LOAD_MATRIX)",
    "read_perf_csv(PERF_CSV)",
    "cli.main(['project', '--nodes', '10', '--sidecars', '100'])",
]


def _safe(text: str) -> str:
    return re.sub(r"[^\w.=+-]+", "_", text).strip("_")


def _materialise(case: Case, root: Path, huge: Path) -> dict[str, str]:
    reader = case.reader
    base = root / _safe(case.id)
    path = base.with_name(base.name + reader.suffix)
    if case.input == "dev_zero":
        if reader.cli:  # --prices reads a file only when its name ends in .csv
            path.symlink_to("/dev/zero")
        else:
            path = Path("/dev/zero")
    elif case.input == "fifo":
        os.mkfifo(path)
    elif case.input == "directory":
        path.mkdir()
    elif case.input == "missing":
        pass
    elif case.input == "huge_line_50MB":
        os.link(huge, path)
    else:
        assert case.content is not None
        path.write_bytes(case.content())
    variables = {"path": str(path)}
    if reader.out_suffix:
        variables["out"] = str(base.with_name(base.name + "-out" + reader.out_suffix))
    return variables


@pytest.fixture(scope="module")
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the selected cases (each in its own forked child) once; case id -> (vars, result)."""
    wanted = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.module is request.module and params.get("case_id") in CASES:
            wanted.append(params["case_id"])
    wanted = list(dict.fromkeys(wanted))
    root = tmp_path_factory.mktemp("hostile")
    huge = root / "huge-line.bin"
    if any(CASES[c].input == "huge_line_50MB" for c in wanted):
        with open(huge, "wb") as handle:
            block = b"A" * (1024 * 1024)
            handle.writelines(block for _ in range(HUGE_LINE_BYTES // len(block)))
    variables = {case_id: _materialise(CASES[case_id], root, huge) for case_id in wanted}
    cases = []
    for case_id in wanted:
        case = CASES[case_id]
        code = case.reader.code
        if case.reader.open_file and case.input == "dev_zero":
            code = code.replace("opener=nonblocking", "opener=None")
        cases.append({"id": case_id, "code": code, "vars": variables[case_id], "idle": case.input == "fifo"})
    spec = {
        "cases": cases, "wall": WALL_LIMIT, "cpu": CPU_KILL, "kill_kb": KILL_RSS_MB * 1024,
        "parallel": 2 * (os.cpu_count() or 2), "warm": WARM,
        "globals": {name: str(value) for name, value in {
            "KUBE_JSON": KUBE_JSON, "KUBE_YAML": KUBE_YAML, "PROFILE_TOML": PROFILE_TOML,
            "MEMORY_MATRIX": MEMORY_MATRIX, "CPU_MATRIX": CPU_MATRIX, "LOAD_MATRIX": LOAD_MATRIX,
            "PERF_CSV": PERF_CSV}.items()},
    }
    spec_path, results_path = root / "spec.json", root / "results.json"
    spec_path.write_text(json.dumps(spec))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    completed = subprocess.run([sys.executable, "-c", RUNNER, str(spec_path), str(results_path)], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0 and results_path.exists(), f"the runner failed:\n{completed.stderr[-3000:]}"
    results = json.loads(results_path.read_text())
    return {case_id: (variables[case_id], results.get(case_id)) for case_id in wanted}


def _names(path: str) -> tuple[str, ...]:
    return (path, Path(path).name, os.path.realpath(path))


def _one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip()


def check_refused(case: Case, variables: dict[str, str], result: dict[str, Any] | None) -> None:
    """A MeshcostError (CLI: exit 2, one line), one line naming the file, in bounded CPU and memory."""
    assert result is not None, f"{case.id}: no result from the runner"
    usage = f"[{result['cpu']:.2f} s CPU, {result['wall']:.2f} s wall, peak {result['rss_mb']} MB]"
    problems = []
    if result.get("killed"):
        problems.append(result["killed"])
    elif result.get("signal"):
        problems.append(f"the child died of {result['signal']}")
    record = result.get("record")
    if record is None and not problems:
        problems.append("the child left no result")
    names = _names(variables["path"])
    if record is not None:
        message = record.get("message", "")
        if case.reader.cli:
            stderr = record["stderr"]
            if record["outcome"] == "raised":
                problems.append(f"main() raised {record['type']}: {message[:300]!r}")
            elif record["rc"] != 2:
                problems.append(f"exit status {record['rc']!r} (expected 2); stderr {stderr[:300]!r}")
            else:
                if not (_one_line(stderr) and stderr.startswith("meshcost: error:")):
                    problems.append(f"stderr is not one 'meshcost: error:' line: {stderr[:300]!r}")
                if not any(name in stderr for name in names):
                    problems.append(f"the message does not name the file: {stderr[:300]!r}")
            out = variables.get("out")
            if out and os.path.exists(out):
                problems.append(f"the output {Path(out).name} was created")
        elif record["outcome"] == "returned":
            problems.append(f"accepted: returned {record['result'][:200]}")
        elif not record["meshcost_error"]:
            problems.append(f"raised {record['type']} (not a MeshcostError): {message[:300]!r}")
        else:
            if not _one_line(message):
                problems.append(f"{record['type']} message is not one line ({record['message_length']:,} "
                                f"characters): {message[:200]!r}")
            if not any(name in message for name in names):
                problems.append(f"{record['type']} message does not name the file: {message[:300]!r}")
    if result["cpu"] > CPU_SECONDS and not result.get("killed"):
        problems.append(f"took {result['cpu']:.1f} s of CPU (limit {CPU_SECONDS:g} s)")
    if result["rss_mb"] >= MAX_RSS_MB:
        problems.append(f"peak memory {result['rss_mb']} MB (limit {MAX_RSS_MB} MB)")
    assert not problems, f"{case.reader.name} <- {case.input}: {'; '.join(problems)} {usage}"


# =========================================================================== reader tests


@pytest.mark.parametrize("case_id", _ids("special_path"))
def test_special_path_is_refused(case_id: str, hostile: dict) -> None:
    """/dev/zero, a FIFO without a writer, a directory, a missing file."""
    check_refused(CASES[case_id], *hostile[case_id])


@pytest.mark.parametrize("case_id", _ids("bad_content"))
def test_bad_content_is_refused(case_id: str, hostile: dict) -> None:
    """Empty, whitespace only, invalid UTF-8, binary garbage, a truncated file, one 50 MB line."""
    check_refused(CASES[case_id], *hostile[case_id])


@pytest.mark.parametrize("case_id", _ids("structure"))
def test_structure_attack_is_refused(case_id: str, hostile: dict) -> None:
    """Deep nesting, duplicate keys, NaN in JSON, YAML alias bombs and self-references."""
    check_refused(CASES[case_id], *hostile[case_id])


@pytest.mark.parametrize("case_id", _ids("number"))
def test_huge_or_non_finite_number_is_refused(case_id: str, hostile: dict) -> None:
    """1e999999, 2**1100, NaN and infinity as text in every numeric field."""
    check_refused(CASES[case_id], *hostile[case_id])


# --------------------------------------------------------------------------- the fixtures behind the cases


def _read_in_process(reader: Reader, path: Path, out_dir: Path) -> Any:
    """What reading ``path`` gives, made comparable (paths replaced by FILE)."""
    if reader.cli:
        stdout, stderr = io.StringIO(), io.StringIO()
        out = out_dir / f"out{reader.out_suffix}"
        variables: dict[str, Any] = {"cli": cli, "path": str(path), "out": str(out)}
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            exec(reader.code, variables)  # noqa: S102 - the same command line the hostile cases run
        rc = variables["rc"]
        assert rc == 0, f"{reader.name} {path.name}: exit {rc}: {stderr.getvalue()}"
        text = stdout.getvalue() + (out.read_text() if reader.out_suffix else "")
    else:
        namespace: dict[str, Any] = {
            "path": str(path), "meshcost": meshcost, "pathlib": __import__("pathlib"),
            "KUBE_JSON": str(KUBE_JSON), "MEMORY_MATRIX": str(MEMORY_MATRIX), "CPU_MATRIX": str(CPU_MATRIX),
            "LOAD_MATRIX": str(LOAD_MATRIX), "nonblocking": None,
        }
        from meshcost.io.perf import read_perf_csv
        from meshcost.io.prometheus import read_prometheus, read_prometheus_series

        namespace.update(read_perf_csv=read_perf_csv, read_prometheus=read_prometheus,
                         read_prometheus_series=read_prometheus_series)
        exec(reader.code, namespace)  # noqa: S102 - the same snippet the hostile cases run
        value = namespace["result"]
        if hasattr(value, "to_csv"):
            text = value.to_csv()
        elif hasattr(value, "to_frame"):
            text = value.to_frame().to_csv()
        elif dataclasses.is_dataclass(value):
            text = repr(dataclasses.asdict(value))
        else:
            text = repr(value)
    text = re.sub(r"(?s)<svg.*?</svg>", "<svg/>", text)  # plots carry a timestamp and random ids
    return text.replace(str(path.parent), "DIR")


@pytest.mark.parametrize("reader", [pytest.param(r, id=r.name) for r in READERS.values() if r.fmt != "toml"])
def test_byte_order_mark_is_accepted(reader: Reader, tmp_path: Path) -> None:
    """A UTF-8 BOM before a valid CSV / JSON / YAML file reads like the file without it."""
    name = f"valid{reader.suffix}"
    plain, marked = tmp_path / "plain", tmp_path / "bom"
    plain.mkdir()
    marked.mkdir()
    (plain / name).write_bytes(reader.valid_bytes())
    (marked / name).write_bytes(b"\xef\xbb\xbf" + reader.valid_bytes())
    expected = _read_in_process(reader, plain / name, plain)
    assert _read_in_process(reader, marked / name, marked) == expected


def _number_templates() -> list[Any]:
    params = []
    for reader in READERS.values():
        if reader.numbers:
            for field in NUMBER_FIELDS[reader.numbers][0]:
                params.append(pytest.param(reader, field, id=f"{reader.name}-{field}"))
    return params


@pytest.mark.parametrize(("reader", "field"), _number_templates())
def test_number_templates_read_with_a_plain_value(reader: Reader, field: str, tmp_path: Path) -> None:
    """The files behind the number cases are valid with an ordinary value: a refusal is about the number."""
    path = tmp_path / f"plain{reader.suffix}"
    path.write_bytes(NUMBER_FIELDS[reader.numbers][1](reader, field, None))
    _read_in_process(reader, path, tmp_path)


def test_every_reader_has_every_hostile_input() -> None:
    for reader in READERS.values():
        inputs = {case.input for case in CASES.values() if case.reader is reader}
        expected = {*SPECIAL_PATHS, *CONTENT, "huge_line_50MB"}
        if reader.open_file:
            expected -= {"directory", "missing"}
        assert expected <= inputs, reader.name
        assert "deep_nesting_100k" in inputs or reader.fmt == "csv"


# --------------------------------------------------------------------------- random kubectl documents

_KINDS = ["Pod", "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "Service", "Node", "Namespace",
          "List", "PodList", "ConfigMap"]
_junk = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
_quantity = st.from_regex(r"\A-?[0-9]{0,4}(\.[0-9]{0,3})?(e-?[0-9]{1,3})?(m|k|Ki|Mi|Gi|Ti|M|G|E|Ei)?\Z") | _junk
_resources = st.fixed_dictionaries({}, optional={
    "requests": st.fixed_dictionaries({}, optional={"cpu": _quantity, "memory": _quantity}) | _junk,
    "limits": st.fixed_dictionaries({}, optional={"cpu": _quantity, "memory": _quantity}) | _junk,
}) | _junk
_container = st.fixed_dictionaries(
    {"name": st.sampled_from(["istio-proxy", "linkerd-proxy", "app"]) | _junk},
    optional={"resources": _resources, "restartPolicy": st.just("Always") | _junk},
) | _junk
_labels = st.dictionaries(st.sampled_from(["istio.io/dataplane-mode", "app", "pod-template-hash"]),
                          st.sampled_from(["ambient", "none", "web"]) | _junk, max_size=2) | _junk
_annotations = st.dictionaries(st.sampled_from(["sidecar.istio.io/status", "linkerd.io/proxy-version",
                                                "ambient.istio.io/redirection"]),
                               st.sampled_from(["enabled", "x"]) | _junk, max_size=2) | _junk
_metadata = st.fixed_dictionaries({}, optional={
    "name": st.text(min_size=1, max_size=6) | _junk,
    "namespace": st.sampled_from(["shop", "kube-system"]) | _junk,
    "labels": _labels, "annotations": _annotations,
    "ownerReferences": st.lists(st.fixed_dictionaries({}, optional={
        "kind": st.sampled_from(_KINDS) | _junk, "name": st.text(max_size=6) | _junk}) | _junk, max_size=2) | _junk,
}) | _junk
_pod_spec = st.fixed_dictionaries({}, optional={
    "containers": st.lists(_container, max_size=3) | _junk,
    "initContainers": st.lists(_container, max_size=2) | _junk,
}) | _junk
_count = st.integers(-2, 5) | _junk
_object = st.fixed_dictionaries({"kind": st.sampled_from(_KINDS) | _junk}, optional={
    "metadata": _metadata,
    "spec": st.fixed_dictionaries({}, optional={
        "replicas": _count, "parallelism": _count,
        "template": st.fixed_dictionaries({}, optional={"metadata": _metadata, "spec": _pod_spec}) | _junk,
        "containers": st.lists(_container, max_size=2) | _junk,
    }) | _junk,
    "status": st.fixed_dictionaries({}, optional={"desiredNumberScheduled": _count}) | _junk,
})
_document = _object | st.lists(_object, max_size=3).map(lambda items: {"apiVersion": "v1", "kind": "List",
                                                                         "items": items})


@given(document=_document)
def test_random_kubectl_documents_read_or_raise_a_meshcost_error(document: dict) -> None:
    """Random nesting in the fields the reader looks at: an Inventory or a MeshcostError, nothing else."""
    sources: list[Any] = [document]
    for name, text in (("random.json", json.dumps(document)), ("random.yaml", yaml.safe_dump(document))):
        buffer = io.BytesIO(text.encode("utf-8", "surrogatepass"))
        buffer.name = name
        sources.append(buffer)
    for source in sources:
        try:
            inventory = meshcost.read_inventory(source)
        except MeshcostError as exc:
            assert _one_line(str(exc)), str(exc)
            if hasattr(source, "name"):
                assert source.name in str(exc), str(exc)
        else:
            assert isinstance(inventory, meshcost.Inventory)


# =========================================================================== writers

PRECIOUS = "precious: an earlier result that must survive\n"


def run_cli(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = cli.main(list(args))
    return rc, stdout.getvalue(), stderr.getvalue()


def _litter(folder: Path, keep: set[str]) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name not in keep)


def _assert_kept(path: Path, folder: Path, keep: set[str]) -> None:
    assert path.read_text() == PRECIOUS, "the existing file was changed"
    assert _litter(folder, keep) == [], "files were left behind"


@pytest.fixture
def keep(tmp_path: Path) -> Path:
    path = tmp_path / "keep.csv"
    path.write_text(PRECIOUS)
    return path


REFUSED_COMMANDS = {
    "sweep --nodes 0:10": ["sweep", "--nodes", "0:10", "--sidecars", "10", "-o", "{out}"],
    "sweep bad --prices": ["sweep", "--nodes", "10", "--sidecars", "10", "--prices", "{missing}", "-o", "{out}"],
    "sweep mid-way (5 x 0.5 pods)": ["sweep", "--nodes", "2,4,5", "--sidecars-per-node", "0.5", "--chunk-size", "1",
                                     "-o", "{out}"],
    "report --nodes 0": ["report", "--nodes", "0", "--html", "{out}"],
    "report bad --prices": ["report", "--nodes", "10", "--sidecars", "10", "--prices", "{missing}", "--html",
                            "{out}"],
}


@pytest.mark.parametrize("command", list(REFUSED_COMMANDS))
def test_refused_command_keeps_the_existing_file(command: str, keep: Path, tmp_path: Path) -> None:
    args = [a.format(out=keep, missing=tmp_path / "missing.csv") for a in REFUSED_COMMANDS[command]]
    rc, _, stderr = run_cli(*args)
    assert rc == 2 and _one_line(stderr) and stderr.startswith("meshcost: error:"), (rc, stderr)
    _assert_kept(keep, tmp_path, {"keep.csv"})


def test_refused_library_sweep_keeps_the_existing_file(keep: Path, tmp_path: Path) -> None:
    with pytest.raises(MeshcostError):
        meshcost.sweep(nodes=[0, 10], sidecars=10, output=keep)
    _assert_kept(keep, tmp_path, {"keep.csv"})


def test_sweep_failing_mid_way_keeps_the_existing_file(keep: Path, tmp_path: Path) -> None:
    done = []
    with pytest.raises(MeshcostError):
        meshcost.sweep(nodes=[2, 4, 5], sidecars_per_node=0.5, chunk_size=1, output=keep,
                       progress=lambda d, of: done.append(d))
    assert done, "expected the sweep to fail after its first chunk"
    _assert_kept(keep, tmp_path, {"keep.csv"})


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_sweep_interrupted_after_a_chunk_keeps_the_existing_file(error: type, keep: Path, tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        raise error("stop")

    with pytest.raises(error):
        meshcost.sweep(nodes=[10, 20, 30], sidecars=100, chunk_size=1, output=keep, progress=progress)
    _assert_kept(keep, tmp_path, {"keep.csv"})


@pytest.fixture(scope="module")
def projection() -> Any:
    return meshcost.project(nodes=10, sidecars=100)


def test_report_failing_while_writing_keeps_the_existing_file(projection: Any, keep: Path, tmp_path: Path) -> None:
    """A title with a lone surrogate (undecodable argv bytes) fails while the page is written."""
    with pytest.raises((UnicodeError, MeshcostError)):
        projection.to_html(keep, title="report \udcff")
    _assert_kept(keep, tmp_path, {"keep.csv"})
    with contextlib.suppress(UnicodeError):
        run_cli("report", "--nodes", "10", "--sidecars", "100", "--title", "x \udcff", "--html", str(keep))
    _assert_kept(keep, tmp_path, {"keep.csv"})


# --------------------------------------------------------------------------- symbolic links


@pytest.fixture
def link(tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "target.out"
    target.write_text(PRECIOUS)
    link = tmp_path / "link.out"
    link.symlink_to(target)
    return link, target


def _assert_link(link: Path, target: Path) -> None:
    assert link.is_symlink() and os.readlink(link) == str(target), "the link was replaced"


@pytest.mark.parametrize("command", ["sweep --nodes 0:10", "report --nodes 0", "sweep mid-way (5 x 0.5 pods)"])
def test_refused_command_through_a_symlink_keeps_its_target(command: str, link: tuple, tmp_path: Path) -> None:
    link_path, target = link
    rc, _, stderr = run_cli(*[a.format(out=link_path) for a in REFUSED_COMMANDS[command]])
    assert rc == 2, stderr
    _assert_link(link_path, target)
    _assert_kept(target, tmp_path, {"target.out", "link.out"})


def test_failing_writers_through_a_symlink_keep_its_target(projection: Any, link: tuple, tmp_path: Path) -> None:
    link_path, target = link
    with pytest.raises(MeshcostError):
        meshcost.sweep(nodes=[2, 4, 5], sidecars_per_node=0.5, chunk_size=1, output=link_path)
    with pytest.raises((UnicodeError, MeshcostError)):
        projection.to_html(link_path, title="\udcff")
    _assert_link(link_path, target)
    _assert_kept(target, tmp_path, {"target.out", "link.out"})


@pytest.mark.parametrize("writer", ["cli sweep -o", "cli report --html", "sweep(output=)", "to_html(path)"])
def test_writing_through_a_symlink_keeps_the_link_and_replaces_the_target(writer: str, link: tuple, tmp_path: Path,
                                                                          projection: Any) -> None:
    link_path, target = link
    if writer == "cli sweep -o":
        assert run_cli("sweep", "--nodes", "10", "--sidecars", "100", "-o", str(link_path))[0] == 0
    elif writer == "cli report --html":
        assert run_cli("report", "--nodes", "10", "--sidecars", "100", "--html", str(link_path))[0] == 0
    elif writer == "sweep(output=)":
        meshcost.sweep(nodes=10, sidecars=100, output=link_path)
    else:
        projection.to_html(link_path)
    _assert_link(link_path, target)
    text = target.read_text()
    assert text != PRECIOUS and (text.startswith(("<!DOCTYPE html>", "scenario")))
    assert _litter(tmp_path, {"target.out", "link.out"}) == []


# --------------------------------------------------------------------------- a read-only directory

READ_ONLY_SCRIPT = r'''
import contextlib, io, json, sys
import meshcost, meshcost.cli as cli
folder = sys.argv[1]
results = {}
try:  # the directory must really be read-only for this process
    open(folder + "/probe", "w").close()
except OSError:
    pass
else:
    import os
    os.remove(folder + "/probe")
    print(json.dumps({"probe": "writable"}))
    sys.exit(0)

def run_cli(name, args):
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            results[name] = {"rc": cli.main(args), "stderr": stderr.getvalue()}
    except BaseException as exc:
        results[name] = {"raised": f"{type(exc).__name__}: {exc}", "stderr": stderr.getvalue()}

def run_lib(name, call):
    try:
        call()
        results[name] = {"returned": True}
    except BaseException as exc:
        results[name] = {"type": type(exc).__name__, "meshcost": isinstance(exc, meshcost.MeshcostError),
                         "message": str(exc)}

run_cli("cli sweep -o", ["sweep", "--nodes", "10", "--sidecars", "100", "-o", folder + "/cli.csv"])
run_cli("cli report --html", ["report", "--nodes", "10", "--sidecars", "100", "--html", folder + "/cli.html"])
run_lib("sweep(output=)", lambda: meshcost.sweep(nodes=10, sidecars=100, output=folder + "/lib.csv"))
run_lib("to_html(path)", lambda: meshcost.project(nodes=10, sidecars=100).to_html(folder + "/lib.html"))
print(json.dumps(results))
'''
READ_ONLY_FILES = {"cli sweep -o": "cli.csv", "cli report --html": "cli.html", "sweep(output=)": "lib.csv",
                   "to_html(path)": "lib.html"}


def _without_dac_override() -> None:
    """preexec_fn: a root child without CAP_DAC_OVERRIDE obeys file modes like any user (it keeps reading)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override = 24, 1
    if libc.prctl(pr_capbset_drop, cap_dac_override, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE) failed")


@pytest.fixture(scope="module")
def read_only_results(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The four writers aimed at a mode 0555 directory, in one child (without CAP_DAC_OVERRIDE when root)."""
    folder = tmp_path_factory.mktemp("read-only") / "ro"
    folder.mkdir()
    os.chmod(folder, 0o555)
    try:
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            completed = subprocess.run([sys.executable, "-c", READ_ONLY_SCRIPT, str(folder)], cwd=ROOT, env=env,
                                       capture_output=True, text=True, timeout=120, check=False,
                                       preexec_fn=_without_dac_override if IS_ROOT else None)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"cannot start a child that obeys file modes: {exc}")
        assert completed.returncode == 0, completed.stderr[-3000:]
        results = json.loads(completed.stdout.strip().splitlines()[-1])
        if results.get("probe") == "writable":
            pytest.skip("the child can write into a mode 0555 directory (file modes are not enforced)")
        yield results, sorted(os.listdir(folder)), str(folder)
    finally:
        os.chmod(folder, 0o755)


@pytest.mark.parametrize("writer", list(READ_ONLY_FILES))
def test_read_only_directory_is_refused_in_one_line(writer: str, read_only_results: Any) -> None:
    results, left, folder = read_only_results
    result = results[writer]
    name = READ_ONLY_FILES[writer]
    created = [item for item in left if name in item]
    assert not created, f"{writer}: created {created} in a read-only directory"
    if writer.startswith("cli"):
        assert "raised" not in result, f"{writer}: main() raised {result['raised']}"
        stderr = result["stderr"]
        assert result["rc"] == 2, f"{writer}: exit {result['rc']}, stderr {stderr!r}"
        assert _one_line(stderr) and stderr.startswith("meshcost: error:"), stderr
        assert name in stderr or folder in stderr, stderr
    else:
        assert "returned" not in result, f"{writer}: wrote into a read-only directory without an error"
        assert result["meshcost"], f"{writer}: raised {result['type']}: {result['message']}"
        assert _one_line(result["message"]) and (name in result["message"] or folder in result["message"])


# --------------------------------------------------------------------------- /dev/null


def _char_device(path: Path | str) -> tuple[int, int]:
    info = os.stat(path, follow_symlinks=False)
    assert stat.S_ISCHR(info.st_mode), f"{path} is no longer a character device"
    return info.st_ino, info.st_rdev


def _write_all(target: str, projection: Any) -> list[str]:
    """Every writer aimed at ``target``: each may write or refuse cleanly (one line, exit 2); the other outcomes."""
    failures = []
    for name, call in [
        ("cli sweep -o", lambda: run_cli("sweep", "--nodes", "10", "--sidecars", "100", "-o", target)),
        ("cli report --html", lambda: run_cli("report", "--nodes", "10", "--sidecars", "100", "--html", target)),
        ("cli sweep refused", lambda: run_cli("sweep", "--nodes", "0:10", "--sidecars", "10", "-o", target)),
        ("sweep(output=)", lambda: meshcost.sweep(nodes=10, sidecars=100, output=target)),
        ("to_html(path)", lambda: projection.to_html(target)),
    ]:
        try:
            outcome = call()
        except MeshcostError as exc:
            if not _one_line(str(exc)):
                failures.append(f"{name}: a refusal of more than one line: {exc}")
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            if isinstance(outcome, tuple):
                rc, _, stderr = outcome
                if rc not in ((2,) if "refused" in name else (0, 2)):
                    failures.append(f"{name}: exit {rc}: {stderr.strip()}")
                elif rc == 2 and not (_one_line(stderr) and stderr.startswith("meshcost: error:")):
                    failures.append(f"{name}: exit 2 without a one-line error: {stderr!r}")
    return failures


def test_dev_null_as_output_is_written_to_not_replaced(projection: Any, tmp_path: Path) -> None:
    """Writing to /dev/null (or refusing it in one line) never deletes or replaces it."""
    before = _char_device("/dev/null")
    if IS_ROOT:  # first a private copy of /dev/null: if a writer replaces it, /dev/null itself is not tried
        clone = tmp_path / "null"
        try:
            os.mknod(clone, 0o666 | stat.S_IFCHR, before[1])
        except OSError as exc:
            pytest.skip(f"cannot make a copy of /dev/null to try first ({exc}); not writing to /dev/null as root")
        _write_all(str(clone), projection)
        _char_device(clone)
        assert _litter(tmp_path, {"null"}) == []
    failures = _write_all("/dev/null", projection)
    assert os.path.exists("/dev/null")
    assert _char_device("/dev/null") == before, "/dev/null was replaced"
    assert not failures, failures
