"""The calibration fixtures (Prometheus exports, an Istio perf CSV) and helpers to write variants."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "calibration"
MEMORY_MATRIX = FIXTURES / "prometheus-memory-matrix.json"
CPU_RATE_MATRIX = FIXTURES / "prometheus-cpu-rate-matrix.json"
CPU_COUNTER_MATRIX = FIXTURES / "prometheus-cpu-counter-matrix.json"
LOAD_MATRIX = FIXTURES / "prometheus-load-matrix.json"
MEMORY_VECTOR = FIXTURES / "prometheus-memory-vector.json"
CPU_RATE_VECTOR = FIXTURES / "prometheus-cpu-rate-vector.json"
LOAD_VECTOR = FIXTURES / "prometheus-load-vector.json"
PERF_CSV = FIXTURES / "istio-perf-benchmark.csv"

#: The parameters the matrix fixtures were drawn from (make_fixtures.TRUTH).
TRUE_IDLE, TRUE_PER_1000, TRUE_MEMORY = 0.004, 0.22, 52.0
CART = "cart-6f9d8c7b5-x2k4q"


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def response(result_type: str, series: list[dict]) -> dict:
    return {"status": "success", "data": {"resultType": result_type, "result": series}}
