"""The benchmarks' plain-numpy reference agrees with the model (the benchmarks themselves run apart:
``python benchmarks/bench_core.py`` and the others, see the README)."""

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
