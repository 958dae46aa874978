"""The benchmarks run, and their plain-numpy reference agrees with the model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import meshcost

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hand_written_reference_matches_the_model():
    bench = load("bench_core")
    n = np.arange(1, 2001, dtype=float)
    rps = np.linspace(0, 5e4, n.size)
    result = meshcost.project(nodes=n, sidecars=n * 7, rps=rps)
    assert bench.check_same(result, bench.reference_totals(n, n * 7, rps)) < 1e-12


def test_core_benchmark_runs(capsys):
    load("bench_core").main(["--size", "1000", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "ratio" in out and "pandas imported by import + project(): False" in out
