"""The outputs users read are the same as before the output paths were made fast: exact, column
for column, at the fixed inputs of tests/fixtures/make_golden.py (frames written by the code
before that work). A model change regenerates them on purpose."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_spec = importlib.util.spec_from_file_location("make_golden", FIXTURES / "make_golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


@pytest.mark.parametrize("name", list(make_golden.cases()))
@pytest.mark.parametrize("kind", ["to_frame", "mesh_frame"])
def test_frames_equal_the_golden_outputs(name, kind):
    expected = pd.read_csv(FIXTURES / "golden" / f"{name}.{kind}.csv", dtype=str, keep_default_na=False)
    got = make_golden.frames(name)[kind]
    assert list(got.columns) == list(expected.columns)
    for column in got.columns:
        a, b = got[column], expected[column]
        if a.dtype.kind in "fiub":  # Python's float() reads the shortest round-trip text exactly
            exact = np.array([float(x) if x not in ("True", "False") else x == "True" for x in b], dtype=float)
            assert np.array_equal(a.to_numpy(dtype=float), exact, equal_nan=True), column
        else:
            assert list(a.astype(str)) == list(b.astype(str)), column
