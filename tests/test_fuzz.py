"""Property-based fuzzing of meshcost's public entry points.

The contract every test here checks: a public call either

- returns a result whose numbers are finite where documented (latency may be ``+inf`` only
  where the result's ``saturated`` flag is set) and ordered (``low <= typical <= high`` for every
  figure band, Monte Carlo percentiles non-decreasing), or
- raises :class:`meshcost.MeshcostError` whose ``str()`` is one line,

and never any other exception (TypeError, ValueError, OverflowError, decimal.InvalidOperation,
RecursionError, MemoryError, ZeroDivisionError, numpy / pint errors, warnings turned into errors
by the test configuration, ...). Inputs of an invalid type (strings, bytes, booleans, None,
complex numbers, dates, mappings, arbitrary objects, ragged lists, Quantities of the wrong unit),
alone or as elements of lists and arrays, must be refused, with the same error class the bare
scalar gets.

Entry points: ``project`` (scenario inputs, options, money and Monte Carlo settings, results,
frames, text / JSON), ``sweep``, ``latency_at``, ``break_even``, ``node_shape``, ``NodeShape``,
``PriceSheet``, ``price_sheet``, ``get_profile``, ``meshcost.io.quantity.parse_cpu`` /
``parse_memory`` / ``parse_quantity``, ``validate`` and the command line ``meshcost.cli.main``.

The ``saturated`` flag describes the typical band, so the tests hold the typical latency to it;
the low and high bands may saturate on their own and stay ordered around it.

Settings profiles (registered here): ``fuzz-ci`` (the default: derandomised, 75-150 examples per
test, well under a minute for the file; no shrinking, so a failure is reported as first found)
and ``fuzz-long`` (3000 examples per test, failures shrunk to minimal examples; about ten
minutes), chosen with ``HYPOTHESIS_PROFILE=long``::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py

Files are written only inside temporary directories.
"""

from __future__ import annotations

import contextlib
import datetime
import fractions
import gc
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pint
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.extra import numpy as hnp

import meshcost
from meshcost import MeshcostError, ureg
from meshcost.breakeven import ALONG, METRICS
from meshcost.cli import main as cli_main
from meshcost.cli import parse_values
from meshcost.figures import BANDS, INPUTS, figures
from meshcost.io.quantity import parse_cpu, parse_memory, parse_quantity
from meshcost.projection import MAX_SAMPLES

# --------------------------------------------------------------------------- profiles

_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
           HealthCheck.large_base_example]
# ci does not shrink: a failing test reports its first failing example per distinct bug at once, so
# the file stays near a minute while the library still fails (shrinking can take minutes per test);
# the long profile shrinks to minimal examples.
settings.register_profile("fuzz-ci", max_examples=150, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_HEALTH, print_blob=False,
                          phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile("fuzz-long", max_examples=3000, deadline=None, suppress_health_check=_HEALTH,
                          print_blob=True)
PROFILE = "fuzz-long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "fuzz-ci"
_BASE = settings.get_profile(PROFILE)


def fuzz(scale: float = 1.0) -> settings:
    """The selected profile, with ``scale`` times its examples (slow entry points get fewer)."""
    return settings(_BASE, max_examples=max(5, int(_BASE.max_examples * scale)))


# --------------------------------------------------------------------------- the contract


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, MeshcostError | None]:
    """Call ``fn``: (result, None), or (None, error) for a one-line MeshcostError. Anything else propagates."""
    try:
        result = fn(*args, **kwargs)
    except MeshcostError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, f"multi-line {type(exc).__name__}: {message!r}"
        note(f"refused: {type(exc).__name__}: {message}")
        _event(f"{getattr(fn, '__name__', 'call')}: refused ({type(exc).__name__})")
        return None, exc
    _event(f"{getattr(fn, '__name__', 'call')}: returned")
    return result, None


def _event(text: str) -> None:
    if currently_in_test_context():  # statistics (--hypothesis-show-statistics): how often calls get through
        event(text)


MESH_FIGURES = tuple(f.name for f in figures("mesh"))
COMPONENT_FIGURES = tuple(f.name for f in figures("component"))
LATENCY = ("latency_p50", "latency_p99")
BUILTIN = tuple(meshcost.BUILTIN_MESHES)


def _magnitudes(band: Any) -> list[np.ndarray]:
    return [np.asarray(q.magnitude, dtype=float) for q in (band.low, band.typical, band.high)]


def check_band(band: Any, where: str, shape: tuple[int, ...], *, saturated: Any = None,
               latency: bool = False) -> None:
    """NaN-free, ordered, of the scenario shape; finite unless a latency (typical +inf only where saturated)."""
    low, typical, high = _magnitudes(band)
    for name, values in zip(BANDS, (low, typical, high)):
        assert values.shape == shape, f"{where}.{name}: shape {values.shape}, expected {shape}"
        assert not np.isnan(values).any(), f"{where}.{name} has NaN: {values!r}"
        if latency:
            assert not np.isneginf(values).any(), f"{where}.{name} has -inf: {values!r}"
        else:
            assert np.isfinite(values).all(), f"{where}.{name} is not finite: {values!r}"
        assert (values >= 0).all(), f"{where}.{name} is negative: {values!r}"
    if latency and saturated is not None:
        unsaturated_inf = np.isinf(typical) & ~np.asarray(saturated, dtype=bool)
        assert not unsaturated_inf.any(), f"{where}.typical is inf where saturated is False: {typical!r}"
    assert np.all(low <= typical), f"{where}: low > typical: {low!r} > {typical!r}"
    assert np.all(typical <= high), f"{where}: typical > high: {typical!r} > {high!r}"
    percentiles = band.percentiles
    previous = None
    for percent in sorted(percentiles):
        values = np.asarray(percentiles[percent].magnitude, dtype=float)
        assert not np.isnan(values).any(), f"{where}.p{percent:g} has NaN: {values!r}"
        if not latency:
            assert np.isfinite(values).all(), f"{where}.p{percent:g} is not finite: {values!r}"
        if previous is not None:
            assert np.all(previous[1] <= values), (f"{where}: Monte Carlo p{previous[0]:g} > p{percent:g}: "
                                                   f"{previous[1]!r} > {values!r}")
        previous = (percent, values)


def check_projection(result: Any, expected_shape: tuple[int, ...] | None = None, *, render: bool = True) -> None:
    """Every mesh and component figure of a Projection, its flags, frames and renderings."""
    assert isinstance(result, meshcost.Projection), type(result)
    shape = tuple(result.shape)
    if expected_shape is not None:
        assert shape == expected_shape, f"projection shape {shape}, expected {expected_shape}"
    for mesh in result:
        saturated = mesh.saturated
        assert np.asarray(saturated).dtype == bool and np.shape(saturated) == shape
        for flag in ("overpacked", "oversized", "extrapolated"):
            value = getattr(mesh, flag)
            assert np.asarray(value).dtype == bool and np.shape(value) == shape, (mesh.name, flag, value)
        for name in MESH_FIGURES:
            check_band(mesh.figure(name), f"{mesh.name}.{name}", shape, saturated=saturated,
                       latency=name in LATENCY)
        for comp in mesh.components.values():
            instances = np.asarray(comp.instances, dtype=float)
            assert np.isfinite(instances).all() and (instances >= 0).all(), (mesh.name, comp.name, instances)
            for name in COMPONENT_FIGURES:
                band = comp.figure(name)
                if band is not None:
                    check_band(band, f"{mesh.name}.{comp.name}.{name}", shape, saturated=comp.saturated,
                               latency=name in LATENCY)
    if render:
        check_frame(result.to_frame())
        check_frame(result.mesh_frame())
        text = str(result)
        assert isinstance(text, str)
        assert all(isinstance(line, str) for line in result.notes())
        document = json.loads(result.to_json(), parse_constant=_strict_json)
        assert isinstance(document, dict)


_COLUMN = re.compile(r"^(?P<name>[a-z0-9_]+) \[(?P<unit>[^\]]*)\]$")
_FIGURE_NAMES = {f.name for f in figures("mesh")} | {f.name for f in figures("component")}


def check_frame(frame: Any) -> None:
    """Band columns of a results frame (to_frame, mesh_frame, a sweep): NaN-free, finite, ordered."""
    columns = set(frame.columns)
    saturated = frame["saturated"].to_numpy(dtype=bool) if "saturated" in columns else None
    for column in frame.columns:
        match = _COLUMN.match(str(column))
        if not match or match["name"] not in _FIGURE_NAMES:
            continue
        name, unit = match["name"], match["unit"]
        low_col, high_col = f"{name}_low [{unit}]", f"{name}_high [{unit}]"
        assert low_col in columns and high_col in columns, (column, sorted(columns))
        low, typical, high = (frame[c].to_numpy(dtype=float) for c in (low_col, column, high_col))
        for label, values in (("low", low), ("typical", typical), ("high", high)):
            assert not np.isnan(values).any(), f"frame column {name} ({label}) has NaN"
            if name in LATENCY:
                assert not np.isneginf(values).any(), f"frame column {name} ({label}) has -inf"
            else:
                assert np.isfinite(values).all(), f"frame column {name} ({label}) is not finite: {values!r}"
        if name in LATENCY and saturated is not None:
            assert not (np.isinf(typical) & ~saturated).any(), f"frame column {name}: inf where not saturated"
        assert np.all(low <= typical) and np.all(typical <= high), f"frame column {name}: bands out of order"
        percent_columns = sorted(
            ((float(m[1]), c) for c in frame.columns
             if (m := re.match(rf"^{re.escape(name)}_p([0-9.]+) \[{re.escape(unit)}\]$", str(c)))),
        )
        previous = None
        for percent, col in percent_columns:
            values = frame[col].to_numpy(dtype=float)
            assert not np.isnan(values).any(), f"frame column {col} has NaN"
            if previous is not None:
                assert np.all(previous <= values), f"frame column {col}: percentiles out of order"
            previous = values


def check_path_latency(path: Any) -> None:
    shape = np.shape(path.p50.typical.magnitude)
    for label in ("p50", "p99", "naive_p99"):
        band = getattr(path, label)
        low, typical, high = _magnitudes(band)
        for name, values in zip(BANDS, (low, typical, high)):
            assert values.shape == shape, f"{label}.{name}: shape {values.shape} != {shape}"
            assert not np.isnan(values).any(), f"{label}.{name} has NaN: {values!r}"
            assert (values >= 0).all(), f"{label}.{name} is negative: {values!r}"
        assert np.all(low <= typical) and np.all(typical <= high), f"{label}: low/typical/high out of order"
    for p50, p99 in zip(_magnitudes(path.p50), _magnitudes(path.p99)):
        assert np.all(p50 <= p99), f"p50 > p99: {p50!r} > {p99!r}"


# --------------------------------------------------------------------------- value strategies


class Opaque:
    """An arbitrary object that is not a number."""

    def __repr__(self) -> str:
        return "Opaque()"


class Hostile:
    """An object that claims to be numeric and fails when read as one."""

    def __float__(self) -> float:
        raise ZeroDivisionError("hostile __float__")

    def __index__(self) -> int:
        raise ZeroDivisionError("hostile __index__")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise ZeroDivisionError("hostile __array__")

    def __len__(self) -> int:
        raise ZeroDivisionError("hostile __len__")

    def __repr__(self) -> str:
        return "Hostile()"


def nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


def self_referential() -> list:
    loop: list = []
    loop.append(loop)
    return loop


EDGE_NUMBERS = [0, 1, 2, 0.5, 1.5, -1, -0.0, 1e15, 1e308, 1.7976931348623157e308, 5e-324, 1e-300,
                2**53, 2**53 + 1, 2**63, 2**64, 2**1100, -(2**1100), float("nan"), float("inf"), float("-inf")]

number_scalars = st.one_of(
    st.integers(-10, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(EDGE_NUMBERS),
    st.integers(-(2**70), 2**70),
    st.builds(np.int8, st.integers(-128, 127)),
    st.builds(np.int64, st.integers(-(2**63), 2**63 - 1)),
    st.builds(np.uint64, st.integers(0, 2**64 - 1)),
    st.builds(np.float16, st.floats(-65504, 65504)),
    st.builds(np.float32, st.floats(-3.4e38, 3.4e38)),
    st.sampled_from([np.float16("inf"), np.float16("nan"), np.float32("-inf"), np.float32(1e38)]),
    st.builds(np.float64, st.floats(allow_nan=True)),
    st.sampled_from([Decimal("3.5"), Decimal("-0"), Decimal("1e400"), Decimal("NaN"), Decimal("sNaN"),
                     Decimal("Infinity"), fractions.Fraction(1, 3), fractions.Fraction(10**400, 3)]),
)

BAD_SCALARS = [True, False, np.bool_(True), np.bool_(False), "1", "", "abc", "1e3", "nan", b"1", b"",
               None, {}, {"a": 1}, set(), frozenset({1}), 1j, complex(1, 0), np.complex128(2), np.complex64(0),
               np.datetime64("2020-01-01"), np.timedelta64(1, "s"), datetime.datetime(2020, 1, 1),
               datetime.date(2020, 1, 1), datetime.timedelta(seconds=1), Ellipsis, slice(1),
               Opaque(), Hostile(), object, print]
bad_scalars = st.sampled_from(BAD_SCALARS)

SHAPES = [(), (0,), (1,), (2,), (3,), (5,), (2, 1), (1, 3), (2, 3), (3, 2), (1, 1, 2), (0, 3), (7,), (50,)]
shapes = st.sampled_from(SHAPES)

NUMERIC_DTYPES = [np.int8, np.int64, np.uint64, np.float16, np.float32, np.float64]
numeric_arrays = hnp.arrays(dtype=st.sampled_from(NUMERIC_DTYPES), shape=shapes)
zero_d_arrays = st.one_of(hnp.arrays(dtype=st.sampled_from(NUMERIC_DTYPES), shape=()),
                          st.sampled_from([np.array(True), np.array("5"), np.array(1j),
                                           np.array(np.datetime64("2020-01-01")), np.array(None, dtype=object),
                                           np.array(5, dtype=object), np.array(b"5")]))
empty_arrays = st.sampled_from([np.array([]), np.zeros((0,), np.int8), np.zeros((0, 3)), np.array([], dtype=str),
                                np.array([], dtype=bool), np.array([], dtype=object), np.zeros((2, 0))])
bad_arrays = st.one_of(
    hnp.arrays(dtype=np.bool_, shape=shapes),
    hnp.arrays(dtype=np.complex128, shape=shapes),
    hnp.arrays(dtype=hnp.unicode_string_dtypes(max_len=4), shape=shapes),
    hnp.arrays(dtype=hnp.byte_string_dtypes(max_len=4), shape=shapes),
    hnp.arrays(dtype=hnp.datetime64_dtypes(), shape=shapes),
    hnp.arrays(dtype=hnp.timedelta64_dtypes(), shape=shapes),
)


@st.composite
def object_arrays(draw: Any) -> np.ndarray:
    items = draw(st.lists(st.one_of(number_scalars, bad_scalars), min_size=0, max_size=6))
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array


number_lists = st.lists(number_scalars, max_size=6)
containers = st.one_of(
    number_lists,
    number_lists.map(tuple),
    st.lists(st.lists(number_scalars, min_size=2, max_size=2), min_size=1, max_size=3),  # 2-d, regular
    st.lists(st.lists(number_scalars, max_size=3), min_size=2, max_size=3),  # maybe ragged
    st.lists(st.one_of(number_scalars, bad_scalars), min_size=1, max_size=4),  # maybe a bad element
    st.builds(lambda n: range(n), st.integers(0, 6)),
    st.builds(nest, st.sampled_from([1.0, 3, "x", None]), st.sampled_from([2, 5, 32, 33, 64, 65, 200, 500])),
    st.builds(self_referential),
    object_arrays(),
)

UNITS = ["", "percent", "radian", "byte", "MiB", "GiB", "kB", "bit", "vCPU", "millicore", "ms", "s", "hour",
         "1/s", "1/minute", "Hz", "kHz", "USD", "meter", "kg", "vCPU * s", "degC"]
ACCEPTED_DIMENSION = {"count": "dimensionless", "fraction": "dimensionless", "rate": "rate", "cpu": "cpu",
                      "memory": "memory", "time": "time"}


@st.composite
def quantities(draw: Any, magnitudes: Any = None) -> Any:
    unit = draw(st.sampled_from(UNITS))
    magnitude = draw(magnitudes if magnitudes is not None else st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**6), st.sampled_from(EDGE_NUMBERS[:-3]),
        hnp.arrays(dtype=st.sampled_from([np.int64, np.float64, np.float32]), shape=shapes)))
    try:
        with np.errstate(all="ignore"):
            return ureg.Quantity(magnitude, unit)
    except Exception:  # noqa: BLE001 - pint refuses the magnitude itself: not a meshcost input
        assume(False)


anything = st.one_of(number_scalars, bad_scalars, numeric_arrays, zero_d_arrays, empty_arrays, bad_arrays,
                     containers, quantities())


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating, Decimal, fractions.Fraction))
            and not isinstance(value, (bool, np.bool_)))


def _shape_of(value: Any, depth: int = 0) -> tuple[int, ...] | None:
    """The shape of nested lists of scalars, or None when ragged / too deep / self-referential."""
    if depth > 32:
        return None
    if isinstance(value, (list, tuple, range)):
        shapes_ = [_shape_of(v, depth + 1) for v in value]
        if any(s is None for s in shapes_) or len(set(shapes_)) > 1:
            return None
        return (len(value), *(shapes_[0] if shapes_ else ()))
    return ()


def badness(value: Any, kind: str) -> str | None:
    """Why ``value`` is of an invalid type for a numeric input of ``kind`` (None: a valid type or unclear).

    ``kind`` is a unit kind (count, rate, fraction, cpu, memory, time), ``plain`` (numbers only,
    no Quantity) or ``float`` (anything ``float()`` reads as a number is fine, Quantities dimensionless).
    """
    if isinstance(value, pint.Quantity):
        if kind == "plain":
            return "a Quantity where a plain number is expected"
        wanted = "dimensionless" if kind == "float" else ACCEPTED_DIMENSION[kind]
        if _measures(value) != wanted:
            return f"a Quantity in {value.units} for a {kind} input"
        return badness(value.magnitude, kind)
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return "text"
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number"
    if isinstance(value, (datetime.date, datetime.timedelta, np.datetime64, np.timedelta64)):
        return "a date or duration"
    if isinstance(value, (dict, set, frozenset)):
        return "a mapping or set"
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf":
            return None
        if value.dtype.kind == "O":
            reasons = [badness(item, "plain") for item in value.flat]
            return next((f"an array holding {r}" for r in reasons if r), None)
        return f"an array of dtype {value.dtype}"
    if isinstance(value, (list, tuple, range)):
        if _shape_of(value) is None:
            return None  # ragged, deep or self-referential: refused or not, only the contract applies
        flat: list[Any] = []
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, (list, tuple, range)):
                stack.extend(item)
            else:
                flat.append(item)
        reasons = [badness(item, "plain") for item in flat]
        return next((f"a sequence holding {r}" for r in reasons if r), None)
    if _is_number(value):
        return None
    return f"an object of type {type(value).__name__}"


_BIT_ROOT = ureg.get_root_units("bit")[1]
_DIMENSIONS = {"rate": ureg.get_dimensionality("1/s"), "cpu": ureg.get_dimensionality("vCPU"),
               "time": ureg.get_dimensionality("s")}


def _measures(value: Any) -> str:
    """What a Quantity measures: memory (the byte family), dimensionless, rate, cpu, time or other."""
    units = value.units  # the unit alone: a huge magnitude would overflow pint's conversion
    if not units.dimensionality:
        return "memory" if ureg.get_root_units(units)[1] == _BIT_ROOT else "dimensionless"
    return next((k for k, d in _DIMENSIONS.items() if units.dimensionality == d), "other")


def contains_nan(value: Any) -> bool:
    try:
        with np.errstate(all="ignore"):
            array = np.asarray(value.magnitude if isinstance(value, pint.Quantity) else value, dtype=float)
        return bool(np.isnan(array).any())
    except Exception:  # noqa: BLE001 - a fuzz value, not meshcost
        return False


# --------------------------------------------------------------------------- plausible scenarios

INPUT_KIND = {i.name: i.kind for i in INPUTS}
INPUT_NAMES = tuple(INPUT_KIND)
OPTIONAL_INPUTS = tuple(n for n in INPUT_NAMES if n not in ("nodes", "sidecars"))

PLAUSIBLE: dict[str, Any] = {
    "nodes": st.integers(1, 5000),
    "sidecars": st.integers(0, 200_000),
    "services": st.integers(0, 20_000),
    "visible_services": st.integers(0, 2_000),
    "rps": st.floats(0, 1e7),
    "waypoints": st.integers(0, 200),
    "l7_share": st.floats(0, 1),
    "ports_per_service": st.floats(0, 20),
    "tcp_share": st.floats(0, 1),
    "subsets_per_service": st.floats(0, 20),
    "churn": st.floats(0, 1e5),
}
INPUT_SPEC = {i.name: i for i in INPUTS}


def _bounds(name: str) -> list[float]:
    """In-range extremes of an input: its minimum, its maximum (the registry's) and neighbours."""
    spec = INPUT_SPEC[name]
    top = spec.maximum if spec.maximum is not None else 1e15
    values = [spec.minimum, spec.minimum + 1, top, top / 2, top - 1 if spec.whole else top * (1 - 2**-52), 1e6]
    if not spec.whole:
        values += [5e-324, 1e-300, top * 0.999]
    return [v for v in values if spec.minimum <= v <= top and (not spec.whole or v == int(v))]


EDGES = [0, 1, 2, -1, -0.0, 0.5, 1e6, 1e9, 1e15, 1e300, 1e308, 1.7976931348623157e308, 1e-300, 5e-324, 2**53,
         2**53 + 1, 2**64, 2**1100, float("nan"), float("inf"), float("-inf")]
RIGHT_UNITS = {"count": ["", "percent"], "fraction": ["", "percent"], "rate": ["1/s", "1/minute", "Hz", "1/ms"]}


def plausible_elements(name: str, wild: bool = False) -> Any:
    """Typical values, in-range extremes (min, max) and, when ``wild``, anything numeric."""
    usual = st.one_of(PLAUSIBLE[name], PLAUSIBLE[name], PLAUSIBLE[name], st.sampled_from(_bounds(name)))
    return st.one_of(usual, st.sampled_from(EDGES), number_scalars) if wild else usual


ARRAY_SHAPES = [(1,), (2,), (3,), (2, 1), (1, 3), (2, 3), (5,), (0,)]


@st.composite
def plausible_value(draw: Any, name: str, shape_choices: Any = None, wild: bool = False) -> Any:
    """A mostly valid value for scenario input ``name``: a number, an array, a Quantity or (optional) None."""
    elements = plausible_elements(name, wild)
    form = draw(st.sampled_from(["scalar", "scalar", "scalar", "array", "array", "list", "quantity",
                                 "numpy-scalar", "zero-d", "default", "default"]))
    if form == "default" and name in OPTIONAL_INPUTS:
        return None
    if form == "array":
        shape = draw(shape_choices if shape_choices is not None else st.sampled_from(ARRAY_SHAPES))
        values = draw(st.lists(elements, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        dtype = draw(st.sampled_from([np.float64, np.float64, np.int64, np.float32, np.uint64]))
        with np.errstate(all="ignore"):
            try:
                floats = np.array(values, dtype=np.float64).reshape(shape)
            except (ArithmeticError, ValueError, TypeError):  # huge ints, Decimal('sNaN'): keep them as objects
                return _object_array(values).reshape(shape)
            converted = floats.astype(dtype)
            return converted if np.array_equal(converted.astype(np.float64), floats, equal_nan=True) else floats
    if form == "list":
        shape = draw(shape_choices if shape_choices is not None else st.sampled_from(ARRAY_SHAPES))
        size = shape[-1] if shape else 1
        return draw(st.lists(elements, min_size=size, max_size=size))
    value = draw(elements)
    if form == "quantity":
        unit = draw(st.sampled_from(RIGHT_UNITS[INPUT_KIND[name]]))
        factor = {"": 1, "percent": 100, "1/s": 1, "1/minute": 60, "Hz": 1, "1/ms": 1e-3}[unit]
        with np.errstate(all="ignore"):
            try:
                return ureg.Quantity(value * factor, unit)
            except (ArithmeticError, TypeError):  # Decimal('sNaN') * 100, Decimal * 1e-3: the value as it is
                return ureg.Quantity(value, unit)
    if form == "numpy-scalar":
        with np.errstate(all="ignore"):
            try:
                return np.float64(value)
            except (OverflowError, ValueError, TypeError):
                return value
    if form == "zero-d":
        try:
            return np.array(value, dtype=float)
        except (OverflowError, ValueError, TypeError):
            return _object_array0(value)
    return value


def _shape(value: Any) -> tuple[int, ...]:
    return np.shape(value.magnitude if isinstance(value, pint.Quantity) else value)


@st.composite
def plausible_scenario(draw: Any) -> dict[str, Any]:
    """Inputs that mostly broadcast and mostly satisfy the cross-input rules; now and then one wild input."""
    base = draw(st.sampled_from([(2,), (3,), (2, 3), (5,)]), label="scenario shape")
    compatible = st.sampled_from([base, base, base, base, (1,) * len(base), base[-1:], (1,) + base[-1:]]
                                 + ([(base[0], 1)] if len(base) == 2 else []) + [(3, 2), (0,)])  # last two: odd
    wild = draw(st.sampled_from([None, None, None, *INPUT_NAMES]), label="wild input")
    scenario = {name: draw(plausible_value(name, compatible, wild=name == wild), label=name)
                for name in INPUT_NAMES}
    if draw(st.integers(0, 4), label="keep the cross-input rules") > 0:
        if scenario["visible_services"] is not None:
            scenario["visible_services"] = draw(st.sampled_from([None, 0]))
        if scenario["l7_share"] is not None:
            scenario["waypoints"] = draw(st.sampled_from([1, 7, 200, INPUT_SPEC["waypoints"].maximum]))
    return {k: v for k, v in scenario.items() if v is not None or k in ("nodes", "sidecars")}


@fuzz(0.5)
@given(values=st.fixed_dictionaries({name: st.sampled_from(sorted({INPUT_SPEC[name].minimum, *_bounds(name)}))
                                     for name in INPUT_NAMES}),
       rules=st.booleans())
def test_project_at_input_extremes(values: dict[str, Any], rules: bool) -> None:
    """Every input at its minimum or (registry) maximum at once: figures stay finite and ordered."""
    if rules:
        values["visible_services"] = min(values["visible_services"], values["services"])
        if values["waypoints"] == 0:
            values["l7_share"] = 0.0
    result, error = attempt(meshcost.project, **values)
    if error is None:
        check_projection(result, (), render=True)


# --------------------------------------------------------------------------- project: scenario inputs


@fuzz()
@given(scenario=plausible_scenario())
def test_project_plausible_scenarios(scenario: dict[str, Any]) -> None:
    """Mostly valid inputs (and extremes such as 1e308 or 2**64): the results obey the contract."""
    result, error = attempt(meshcost.project, **scenario)
    if error is None:
        try:
            shape = np.broadcast_shapes(*(_shape(v) for v in scenario.values()))
        except ValueError:
            raise AssertionError(f"inputs of shapes {[_shape(v) for v in scenario.values()]} were accepted") from None
        check_projection(result, shape)
        assert not any(contains_nan(v) for v in scenario.values()), "NaN input accepted"


@fuzz()
@given(data=st.data(), hostile=st.lists(st.sampled_from(INPUT_NAMES), min_size=1, max_size=3, unique=True))
def test_project_hostile_scenario_inputs(data: Any, hostile: list[str]) -> None:
    """Any Python / numpy / pint value in some scenario inputs: the contract holds; a bad type is refused."""
    scenario = {name: data.draw(plausible_value(name), label=name) for name in INPUT_NAMES if name not in hostile}
    for name in hostile:
        scenario[name] = data.draw(anything, label=name)
    scenario = {k: v for k, v in scenario.items() if v is not None or k in ("nodes", "sidecars") or k in hostile}
    result, error = attempt(meshcost.project, **scenario)
    reasons = {name: badness(scenario[name], INPUT_KIND[name]) for name in hostile
               if not (scenario[name] is None and name in OPTIONAL_INPUTS)}
    reasons = {k: v for k, v in reasons.items() if v}
    if reasons:
        assert error is not None, f"accepted inputs of an invalid type: {reasons}"
    if error is None:
        check_projection(result)


# --------------------------------------------------------------------------- refusals, element by element


def _project_input(name: str) -> Callable[[Any], Any]:
    def call(value: Any) -> Any:
        kwargs: dict[str, Any] = {"nodes": 10, "sidecars": 100}
        if name == "l7_share":
            kwargs["waypoints"] = 2
        kwargs[name] = value
        return meshcost.project(**kwargs)
    return call


#: Every numeric parameter of the public API: (call with the value, unit kind, types it takes besides numbers).
NUMERIC_SITES: dict[str, tuple[Callable[[Any], Any], str, frozenset[str]]] = {
    **{f"project.{n}": (_project_input(n), INPUT_KIND[n],
                        frozenset({"None"}) if n in OPTIONAL_INPUTS else frozenset()) for n in INPUT_NAMES},
    "project.skew": (lambda v: meshcost.project(10, 100, sizing="usage", skew=v), "fraction", frozenset()),
    "project.hours_per_month": (lambda v: meshcost.project(10, 100, hours_per_month=v), "count",
                                frozenset({"None"})),
    "project.percentiles": (lambda v: meshcost.project(10, 100, samples=16, seed=1, percentiles=v), "count",
                            frozenset()),
    "project.overrides": (lambda v: meshcost.project(10, 100, meshes="linkerd",
                                                     overrides={"linkerd.proxy.memory.instance": v}),
                          "memory", frozenset()),
    "project.requests.cpu": (lambda v: meshcost.project(10, 100, meshes="linkerd",
                                                        requests={"linkerd.proxy": {"cpu": v}}),
                             "cpu", frozenset({"text"})),
    "project.requests.memory": (lambda v: meshcost.project(10, 100, meshes="linkerd",
                                                           requests={"linkerd.proxy": {"memory": v}}),
                                "memory", frozenset({"text"})),
    "sweep.nodes": (lambda v: meshcost.sweep(nodes=v, sidecars=10), "count", frozenset()),
    "sweep.rps": (lambda v: meshcost.sweep(nodes=3, sidecars=10, rps=v), "rate", frozenset({"None"})),
    "sweep.sidecars_per_node": (lambda v: meshcost.sweep(nodes=3, sidecars_per_node=v), "count", frozenset()),
    "latency_at.rps_per_proxy": (lambda v: meshcost.latency_at("linkerd", v), "rate", frozenset()),
    "latency_at.hops": (lambda v: meshcost.latency_at("linkerd", 100, hops=v), "count", frozenset()),
    "latency_at.cpu_limit": (lambda v: meshcost.latency_at("istio-sidecar", 100, cpu_limit=v), "cpu",
                             frozenset({"None"})),
    "latency_at.l7": (lambda v: meshcost.latency_at("istio-ambient", 100, l7=v), "fraction",
                      frozenset({"a boolean"})),
    "break_even.lo": (lambda v: meshcost.break_even("linkerd", "istio-sidecar", along="rps", lo=v, hi=1e4,
                                                    nodes=10, sidecars=100, grid=5), "float", frozenset()),
    "break_even.hi": (lambda v: meshcost.break_even("linkerd", "istio-sidecar", along="rps", lo=0, hi=v,
                                                    nodes=10, sidecars=100, grid=5), "float", frozenset()),
    "break_even.nodes": (lambda v: meshcost.break_even("linkerd", "istio-sidecar", along="rps", lo=0, hi=1e4,
                                                       nodes=v, sidecars=100, grid=5), "count", frozenset()),
    "NodeShape.vcpu": (lambda v: meshcost.NodeShape(vcpu=v, memory_gib=16, max_pods=110), "plain", frozenset()),
    "NodeShape.memory_gib": (lambda v: meshcost.NodeShape(vcpu=4, memory_gib=v, max_pods=110), "plain",
                             frozenset()),
    "NodeShape.max_pods": (lambda v: meshcost.NodeShape(vcpu=4, memory_gib=16, max_pods=v), "plain", frozenset()),
    "PriceSheet.price_per_hour": (lambda v: meshcost.PriceSheet(price_per_hour=v, vcpu=4, memory_gib=16), "plain",
                                  frozenset({"None"})),  # None: not given
    "price_sheet.cpu_share": (lambda v: meshcost.price_sheet("m5.xlarge", cpu_share=v), "fraction",
                              frozenset({"None"})),
    "parse_cpu": (lambda v: parse_cpu(v), "cpu", frozenset({"text"})),
    "parse_memory": (lambda v: parse_memory(v), "memory", frozenset({"text"})),
}


def check_any(result: Any) -> None:
    """The contract for whatever a numeric site returned."""
    if isinstance(result, meshcost.Projection):
        check_projection(result, render=False)
    elif type(result).__name__ == "PathLatency":
        check_path_latency(result)
    elif type(result).__name__ == "BreakEven":
        check_break_even(result, None, None)
    elif type(result).__name__ == "DataFrame":
        check_frame(result)
    elif isinstance(result, float):
        assert math.isfinite(result) and result >= 0, result
    elif isinstance(result, meshcost.NodeShape):
        check_node_shape(result)
    elif isinstance(result, meshcost.PriceSheet):
        check_price_sheet(result)


WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "[x]": lambda x: [x],
    "(x,)": lambda x: (x,),
    "[1, x]": lambda x: [1, x],
    "[x, 2.5]": lambda x: [x, 2.5],
    "[[x]]": lambda x: [[x]],
    "[[1], [x]]": lambda x: [[1], [x]],
    "object array [x]": lambda x: _object_array([x]),
    "object array [3, x]": lambda x: _object_array([3, x]),
    "0-d object array": lambda x: _object_array0(x),
    "np.array([x])": lambda x: np.array([x]),
    "np.array([x, x])": lambda x: np.array([x, x]),
    "np.asarray(x)": lambda x: np.asarray(x),
}


def _object_array(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array


def _object_array0(item: Any) -> np.ndarray:
    array = np.empty((), dtype=object)
    array[()] = item
    return array


@fuzz()
@given(site=st.sampled_from(sorted(NUMERIC_SITES)), bad=bad_scalars, wrapper=st.sampled_from(sorted(WRAPPERS)))
def test_bad_elements_refused_like_the_scalar(site: str, bad: Any, wrapper: str) -> None:
    """A bad element inside a list / tuple / array is refused, with the error class the bare scalar gets."""
    call, kind, allowed = NUMERIC_SITES[site]
    assume(not (site == "project.overrides" and wrapper == "(x,)"))  # a tuple is (low, typical, high) there
    try:
        wrapped = WRAPPERS[wrapper](bad)
    except Exception:  # noqa: BLE001 - a fuzz value, not meshcost  # numpy cannot build that array: nothing to test
        assume(False)
    if isinstance(wrapped, np.ndarray) and wrapped.dtype.kind in "iuf":
        assume(False)  # numpy read the element as a number (e.g. np.asarray of a float subclass)
    scalar_reason = badness(bad, kind)
    _, scalar_error = attempt(call, bad)
    if scalar_reason and scalar_reason not in allowed:
        assert scalar_error is not None, f"{site}: accepted {scalar_reason} ({bad!r})"
    _, error = attempt(call, wrapped)
    assert error is not None, f"{site}: accepted {wrapper} with x = {bad!r} ({badness(wrapped, kind)})"
    if scalar_reason and scalar_reason not in allowed:
        assert type(error) is type(scalar_error), (
            f"{site}: {wrapper} refused with {type(error).__name__} ({error}), the bare scalar with "
            f"{type(scalar_error).__name__} ({scalar_error})")


@fuzz()
@given(site=st.sampled_from(sorted(NUMERIC_SITES)), value=anything)
def test_numeric_parameters_take_anything(site: str, value: Any) -> None:
    """Any value in any numeric parameter: a checked result or a one-line MeshcostError; bad types refused."""
    call, kind, allowed = NUMERIC_SITES[site]
    result, error = attempt(call, value)
    reason = badness(value, kind)
    if reason and reason not in allowed:
        assert error is not None, f"{site}: accepted {reason}: {value!r}"
    if error is None:
        check_any(result)


# --------------------------------------------------------------------------- project: options

KNOWN_VERSIONS = {m: tuple(meshcost.versions(m)) for m in BUILTIN}
OVERRIDE_KEYS = sorted(f"{m}.{c}.{r}.{d}" for m in BUILTIN for c, r, d, _ in meshcost.get_profile(m).coefficients())
REQUEST_KEYS = sorted(f"{m}.{c.name}" for m in BUILTIN for c in meshcost.get_profile(m).components)

mesh_names = st.one_of(
    st.sampled_from(BUILTIN),
    st.sampled_from([f"{m}@{v}" for m in BUILTIN for v in KNOWN_VERSIONS[m]] + ["istio-sidecar@1.20",
                                                                                  "istio-sidecar@1.25"]),
    st.sampled_from(["", "bogus", "istio-sidecar@", "istio-sidecar@9.9", "@1.20", "linkerd@@", "LINKERD",
                     "istio-sidecar@1.20@1.20", " linkerd"]),
)
meshes_option = st.one_of(
    st.none(), mesh_names, st.lists(mesh_names, min_size=0, max_size=4), st.lists(mesh_names, max_size=3).map(tuple),
    st.sampled_from([5, b"linkerd", [None], {"linkerd": 1}, [["linkerd"]], np.array(["linkerd"]), True]),
    st.builds(lambda m: [meshcost.get_profile(m)], st.sampled_from(BUILTIN)),
    st.builds(meshcost.get_profile, st.sampled_from(BUILTIN)),
)
versions_option = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(BUILTIN), st.sampled_from(["1.20", "1.4", "1.24", "1.27", "9", "", "2019-2026"]),
                    max_size=2),
    st.sampled_from([{"istio-sidecar": 1.2}, {1: "1.20"}, "1.20", [], 0, {"bogus": "1.20"},
                     [("istio-sidecar", "1.20")], {"istio-sidecar": None}]),
)

override_values = st.one_of(
    st.floats(0, 1e4), number_scalars, st.sampled_from([0, 1e308, -1, float("nan")]),
    hnp.arrays(np.float64, st.sampled_from([(1,), (2,), (3,), (2, 1), (0,)]), elements=st.floats(0, 1e3)),
    quantities(),
    st.tuples(st.floats(0, 10), st.floats(0, 10), st.floats(0, 10)),
    st.tuples(st.floats(0, 10), st.floats(0, 10)),
    st.builds(lambda a, b, c: tuple(sorted((a, b, c))), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6)),
    bad_scalars,
)
overrides_option = st.one_of(
    st.none(),
    st.dictionaries(st.one_of(st.sampled_from(OVERRIDE_KEYS), st.sampled_from(OVERRIDE_KEYS),
                              st.sampled_from(["linkerd.proxy.memory", "linkerd.proxy.memory.instance.x",
                                               "bogus.proxy.memory.instance", "", "....", 5, None, ("a",)])),
                    override_values, max_size=3),
    st.sampled_from([[], 0, "linkerd.proxy.memory.instance", [("linkerd.proxy.memory.instance", 1.0)]]),
)

quantity_texts = st.one_of(
    st.from_regex(r"\A[+-]?([0-9]{1,4}(\.[0-9]{0,3})?|\.[0-9]{1,3})([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,4})?\Z"),
    st.sampled_from(["100m", "128Mi", "0.5Gi", "1e3", "1e999999999999999999", "1e9999999999999999999999",
                     "1e-9999999999999999999999", "9" * 400 + "Ei", "-1", "0", "1K", "", " 1", "1 m", "١٢",
                     "Infinity", "nan", "1e3k", ".", "-.5e-3"]),
    st.text(max_size=8),
)
request_values = st.one_of(quantity_texts, st.floats(0, 64), number_scalars, quantities(), bad_scalars)
replicas_values = st.one_of(st.integers(-2, 12_000), st.tuples(st.integers(0, 20), st.integers(0, 20)),
                            st.sampled_from([True, 2.0, "2", None, (1, 2, 3), [1, 2], (1,), np.int64(3), 2**70]))
request_spec = st.one_of(
    st.fixed_dictionaries({}, optional={"cpu": request_values, "memory": request_values,
                                        "cpu_limit": request_values, "replicas": replicas_values}),
    st.sampled_from([{}, {"bogus": 1}, "100m", None, 5, [("cpu", "1")]]),
)
requests_option = st.one_of(
    st.none(),
    st.dictionaries(st.one_of(st.sampled_from(REQUEST_KEYS), st.sampled_from(["linkerd", "bogus.proxy", "", 5])),
                    request_spec, max_size=2),
    st.sampled_from([[], 0, "linkerd.proxy", [("linkerd.proxy", {"cpu": "1"})]]),
)
install_option = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(BUILTIN + ("bogus",)),
                    st.sampled_from(["default", "demo", "ha", "bogus", "", 5, None]), max_size=2),
    st.sampled_from(["ha", 0, [], [("linkerd", "ha")], {"linkerd": ["ha"]}]),
)
NODE_NAMES = ["e2-standard-4", "m5.xlarge", "m5.large", "Standard_D4s_v5", "n2-standard-4", "m7g.large",
              "bogus", "", "E2-STANDARD-4"]


@st.composite
def node_shapes(draw: Any) -> Any:
    kwargs = dict(vcpu=draw(st.sampled_from([0.25, 1, 2, 4, 96, 1e15, 1e308, 0.001])),
                  memory_gib=draw(st.sampled_from([0.5, 1, 16, 1024, 1e15, 1e308, 0.001])),
                  max_pods=draw(st.sampled_from([1, 2, 30, 110, 10**6, 2**63])),
                  provider=draw(st.sampled_from(["gke", "eks", "aks", "generic"])),
                  name=draw(st.sampled_from(["", "custom", "e2-standard-4", "m5.xlarge"])))
    shape, error = attempt(meshcost.NodeShape, **kwargs)
    assume(error is None)
    return shape


node_option = st.one_of(st.sampled_from(NODE_NAMES), node_shapes(), st.sampled_from([None, 4, {"vcpu": 4}, b"m5"]))


@st.composite
def price_sheets(draw: Any) -> Any:
    prices = st.sampled_from([None, 0, 0.01, 1, 1e6, 1e300, 1.7976931348623157e308])
    kwargs = dict(price_per_hour=draw(prices), vcpu_price_per_hour=draw(prices), gib_price_per_hour=draw(prices),
                  currency=draw(st.sampled_from(["USD", "EUR", "usd", "JPY"])),
                  hours_per_month=draw(st.sampled_from([730, 720, 1, 744, 1e-300])),
                  vcpu=draw(st.sampled_from([None, 4, 1e308])), memory_gib=draw(st.sampled_from([None, 16, 1e308])))
    sheet, error = attempt(meshcost.PriceSheet, **kwargs)
    assume(error is None)
    return sheet


prices_option = st.one_of(
    st.none(), st.sampled_from(["e2", "n2", "eks", "gke", "aks", "m5.xlarge", "e2-standard-4", "bogus", "",
                                "/nonexistent/prices.csv", "E2"]),
    price_sheets(),
    st.fixed_dictionaries({}, optional={"price_per_hour": st.sampled_from([1, 0.2, -1, "x", None, float("nan")]),
                                        "vcpu_price_per_hour": st.sampled_from([0.02, 1e308, -1]),
                                        "gib_price_per_hour": st.sampled_from([0.003, 0, True]),
                                        "vcpu": st.sampled_from([4, 0]), "memory_gib": st.sampled_from([16, 1e308]),
                                        "currency": st.sampled_from(["USD", "EUR", "", "kg", 5]),
                                        "bogus": st.just(1)}),
    st.sampled_from([5, [], b"e2"]),
)
scalar_like = st.one_of(st.floats(0, 10), number_scalars, bad_scalars, numeric_arrays)


@st.composite
def options(draw: Any) -> dict[str, Any]:
    """Options of project() besides the scenario, each present or not."""
    drawn: dict[str, Any] = {}
    pick = {
        "meshes": meshes_option, "versions": versions_option, "overrides": overrides_option,
        "samples": st.one_of(st.integers(1, 300), st.sampled_from([0, -1, MAX_SAMPLES + 1, 2**70, True, 10.0, "10",
                                                                   np.int64(5), np.uint8(3), None])),
        "seed": st.one_of(st.integers(0, 2**128 - 1), st.sampled_from([2**128, -1, 1.5, "1", True, np.int64(7)])),
        "percentiles": st.one_of(st.lists(st.floats(0, 100), max_size=5).map(tuple),
                                 st.sampled_from([(), (101,), (float("nan"),), "50", 50, np.array([5.0, 95.0]),
                                                  np.arange(102) % 100, (True,), [[5, 95]], -1,
                                                  ureg.Quantity([5, 95], "percent"), np.arange(101) % 100,
                                                  (5, 50, 95), (0, 100), [None]])),
        "chunk_values": st.sampled_from([1, 7, 1024, 2**22, 0, -1, 2.0, True, 2**70, None]),
        "progress": st.sampled_from([None, lambda done, total: None, 5, "x"]),
        "install": install_option, "requests": requests_option,
        "sizing": st.sampled_from(["chart", "usage", "Chart", "", None, 1]),
        "skew": st.one_of(st.sampled_from([1, 1.5, 10, 1e308, 0.5, float("nan"), np.array([1.0, 2.0])]),
                          scalar_like),
        "node": node_option, "prices": prices_option,
        "billing": st.sampled_from(["resources", "nodes", "Nodes", "", None, 0]),
        "hours_per_month": st.one_of(st.sampled_from([None, 730, 720, 744, 745, 0, 1e-300, -1, float("nan")]),
                                     scalar_like),
    }
    for name in draw(st.lists(st.sampled_from(sorted(pick)), max_size=6, unique=True)):
        drawn[name] = draw(pick[name], label=name)
    if "samples" in drawn:
        drawn.setdefault("seed", 1)  # Monte Carlo stays reproducible
    how = draw(st.sampled_from(["keywords", "keywords", "money", "uncertainty"]))
    if how == "money":
        fields = {k: drawn.pop(k) for k in ("install", "requests", "sizing", "skew", "node", "prices", "billing",
                                           "hours_per_month") if k in drawn}
        drawn["money"] = meshcost.Money(**fields)
    elif how == "uncertainty" and "samples" in drawn:
        fields = {k: drawn.pop(k) for k in ("samples", "seed", "percentiles", "chunk_values", "progress")
                  if k in drawn}
        drawn["uncertainty"] = meshcost.Uncertainty(**fields)
    return drawn


small_scenario = st.fixed_dictionaries(
    {"nodes": st.one_of(st.integers(1, 500), st.just(np.array([1, 50, 500])), st.sampled_from([1e15, 1e308])),
     "sidecars": st.one_of(st.integers(0, 10_000), st.just(np.array([[0], [100]])), st.sampled_from([1e15]))},
    optional={"rps": st.one_of(st.floats(0, 1e6), st.sampled_from([1e308])),
              "waypoints": st.integers(0, 20), "services": st.integers(0, 2000)},
)


@fuzz()
@given(scenario=small_scenario, kwargs=options())
def test_project_options(scenario: dict[str, Any], kwargs: dict[str, Any]) -> None:
    """meshes, versions, overrides, Monte Carlo, install, requests, sizing, node, prices, billing, Money, ..."""
    result, error = attempt(meshcost.project, **scenario, **kwargs)
    if error is None:
        check_projection(result)


@fuzz(0.5)
@given(option=st.sampled_from(["install", "requests", "overrides", "versions", "money", "uncertainty"]),
       value=st.sampled_from([0, False, "", [], (), "linkerd", 1.5, b"", [("linkerd", "ha")], np.array([])]))
def test_mapping_options_refuse_other_types(option: str, value: Any) -> None:
    """Options documented as dicts (or option objects) refuse numbers, text, lists and arrays."""
    _, error = attempt(meshcost.project, 10, 100, **{option: value})
    assert error is not None, f"project({option}={value!r}) was accepted"


# --------------------------------------------------------------------------- latency

LATENCY_INF_SCENARIO = st.fixed_dictionaries({
    "nodes": st.integers(1, 50), "sidecars": st.integers(1, 200),
    "rps": st.one_of(st.floats(0, 1e8), hnp.arrays(np.float64, (5,), elements=st.floats(0, 1e8))),
    "waypoints": st.integers(0, 3)})


@fuzz(0.5)
@given(scenario=LATENCY_INF_SCENARIO)
def test_latency_infinite_only_where_saturated(scenario: dict[str, Any]) -> None:
    """The typical latency is +inf only where the result's saturated flag (which describes the typical
    band) is true; the low and high bands may saturate on their own (the README shows '0.235 - inf'),
    and stay ordered around the typical band."""
    result, error = attempt(meshcost.project, **scenario)
    assume(error is None)
    for mesh in result:
        saturated = np.asarray(mesh.saturated, dtype=bool)
        for name in LATENCY:
            low, typical, high = _magnitudes(mesh.figure(name))
            assert not (np.isinf(typical) & ~saturated).any(), (
                f"{mesh.name}.{name}.typical is inf where saturated is False: {typical!r}, saturated {saturated!r}")
            assert np.all(low <= typical) and np.all(typical <= high), f"{mesh.name}.{name} out of order"


@fuzz()
@given(mesh=st.one_of(mesh_names, st.sampled_from([None, 5, ["linkerd"]])),
       rps=st.one_of(st.floats(0, 1e5), hnp.arrays(np.float64, st.sampled_from([(3,), (2, 2), (0,)]),
                                                    elements=st.floats(0, 1e6)), anything),
       cpu_limit=st.one_of(st.none(), st.sampled_from([0.1, 0.5, 1, 2, 2.5, 64, 4096, 1e15, 1e308, 5e-324]),
                           anything),
       workers=st.one_of(st.none(), st.sampled_from([1, 2, 3, 4096, 4097, 0, -1, True, 2.0, "2", 2**70,
                                                     np.int64(2)])),
       hops=st.one_of(st.integers(0, 30), st.sampled_from([0, 1, 1000, 1001, 10**6, 2**53, 1e308, 0.5, -1]),
                      hnp.arrays(np.int64, st.sampled_from([(3,), (3, 1), (2,)]), elements=st.integers(0, 50)),
                      anything),
       version=st.one_of(st.none(), st.sampled_from(["1.20", "1.4", "1.24", "2019-2026", "9", "", 1.2])),
       l7=st.one_of(st.booleans(), st.floats(0, 1), anything))
def test_latency_at(mesh: Any, rps: Any, cpu_limit: Any, workers: Any, hops: Any, version: Any, l7: Any) -> None:
    result, error = attempt(meshcost.latency_at, mesh, rps, cpu_limit=cpu_limit, workers=workers, hops=hops,
                            version=version, l7=l7)
    for name, value, kind, allowed in (("rps_per_proxy", rps, "rate", ()), ("cpu_limit", cpu_limit, "cpu", ("None",)),
                                       ("hops", hops, "count", ()), ("l7", l7, "fraction", ("a boolean",))):
        reason = badness(value, kind)
        if reason and reason not in allowed:
            assert error is not None, f"latency_at accepted {name} = {value!r} ({reason})"
    if error is None:
        check_path_latency(result)


# --------------------------------------------------------------------------- break-even


def check_break_even(answer: Any, lo: Any, hi: Any) -> None:
    value = np.asarray(answer.value, dtype=float)
    crosses = np.asarray(answer.crosses)
    lower = np.asarray(answer.a_lower_at_lo)
    assert crosses.dtype == bool and lower.dtype == bool, (crosses.dtype, lower.dtype)
    assert value.shape == crosses.shape == lower.shape, (value.shape, crosses.shape, lower.shape)
    assert not np.isinf(value).any(), f"break-even value is infinite: {value!r}"
    assert np.array_equal(np.isnan(value), ~crosses), f"NaN exactly where it does not cross: {value!r} {crosses!r}"
    if lo is not None and hi is not None:
        inside = value[crosses]
        assert np.all((inside >= float(lo)) & (inside <= float(hi))), f"crossing {inside!r} outside [{lo}, {hi}]"
    if ALONG.get(answer.along):
        assert np.all(value[crosses] == np.floor(value[crosses])), f"count crossing not whole: {value!r}"
    assert isinstance(answer.describe(), str)


@fuzz(0.5)
@given(data=st.data(),
       pair=st.lists(st.sampled_from(BUILTIN + ("istio-sidecar@1.20",)), min_size=2, max_size=2),
       along=st.one_of(st.sampled_from(sorted(ALONG)), st.sampled_from(["bogus", 5, None, ""])),
       metric=st.one_of(st.sampled_from(METRICS), st.sampled_from(["bogus", None])),
       band=st.sampled_from(["typical", "low", "high", "p95", None]),
       grid=st.sampled_from([3, 5, 17, 65, 2, 0, -1, True, 3.0, "65", None, 10**15, 2**62, np.int64(9)]))
def test_break_even(data: Any, pair: list[str], along: Any, metric: Any, band: Any, grid: Any) -> None:
    lo = data.draw(st.one_of(st.sampled_from([0, 1, 2, 0.5, 10, 1e4, 1e15, 1e308, -1]), st.floats(0, 1e5),
                             st.integers(0, 10**6), anything), label="lo")
    hi = data.draw(st.one_of(st.sampled_from([1, 5, 110, 1e4, 1e6, 1e15, 1e308, float("inf")]), st.floats(0, 1e7),
                             st.integers(1, 10**7), anything), label="hi")
    inputs: dict[str, Any] = {}
    for name in ("nodes", "sidecars", "rps", "waypoints"):
        if name == along or (along == "pods_per_node" and name == "sidecars"):
            continue
        if name in ("nodes", "sidecars") or data.draw(st.booleans(), label=f"give {name}"):
            inputs[name] = data.draw(st.one_of(plausible_value(name), anything) if data.draw(
                st.integers(0, 5), label=f"hostile {name}") == 0 else plausible_value(name), label=name)
            if inputs[name] is None:
                del inputs[name]
    answer, error = attempt(meshcost.break_even, pair[0], pair[1], along=along, lo=lo, hi=hi, metric=metric,
                            band=band, grid=grid, **inputs)
    for name, value in (("lo", lo), ("hi", hi)):
        reason = badness(value, "float")
        if reason:
            assert error is not None, f"break_even accepted {name} = {value!r} ({reason})"
    if error is None:
        check_break_even(answer, lo, hi)


# --------------------------------------------------------------------------- sweep


@contextlib.contextmanager
def unraisable_exceptions() -> Any:
    """Collect exceptions raised where Python cannot propagate them (``__del__`` at garbage collection)."""
    seen: list[str] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda report: seen.append(
        f"{type(report.exc_value).__name__}: {report.exc_value} (in {report.object!r})")
    try:
        yield seen
    finally:
        gc.collect()
        sys.unraisablehook = previous


def _size(value: Any) -> int:
    try:
        return int(np.size(value.magnitude if isinstance(value, pint.Quantity) else value))
    except Exception:  # noqa: BLE001 - a fuzz value, not meshcost
        return 1


@st.composite
def sweep_input(draw: Any, name: str) -> Any:
    form = draw(st.sampled_from(["number", "list", "list", "range", "anything", "none"]))
    if form == "none" and name in OPTIONAL_INPUTS:
        return None
    if form == "list":  # now and then a bad value after good ones: the sweep fails part-way
        return draw(st.lists(plausible_elements(name, wild=draw(st.booleans())), min_size=0, max_size=4))
    if form == "range":
        return range(draw(st.integers(0, 3)), draw(st.integers(1, 6)))
    if form == "anything":
        return draw(anything)
    return draw(plausible_elements(name))


@fuzz(0.5)
@given(data=st.data(), names=st.lists(st.sampled_from(OPTIONAL_INPUTS), max_size=3, unique=True),
       per_node=st.booleans(), totals=st.booleans(),
       chunk=st.sampled_from([1, 2, 3, 100_000, 10**8, 10**8 + 1, 0, -1, True, 2.5, "10", None]),
       output=st.sampled_from(["none", "none", "stringio", "csv", "parquet", "pq-name", "txt", "dir"]),
       format=st.sampled_from([None, None, "csv", "parquet", "json", 5]),
       meshes=st.one_of(st.none(), st.sampled_from([["linkerd"], "istio-ambient", ["bogus"]])),
       samples=st.sampled_from([None, None, None, 8, 0]))
def test_sweep(data: Any, names: list[str], per_node: bool, totals: bool, chunk: Any, output: str, format: Any,
               meshes: Any, samples: Any) -> None:
    inputs: dict[str, Any] = {"nodes": data.draw(sweep_input("nodes"), label="nodes")}
    if per_node:
        inputs["sidecars_per_node"] = data.draw(sweep_input("sidecars"), label="sidecars_per_node")
    else:
        inputs["sidecars"] = data.draw(sweep_input("sidecars"), label="sidecars")
    for name in names:
        inputs[name] = data.draw(sweep_input(name), label=name)
    assume(math.prod(_size(v) for v in inputs.values()) <= 400)
    with tempfile.TemporaryDirectory() as folder:
        target: Any = {"none": None, "stringio": io.StringIO(), "csv": Path(folder, "s.csv"),
                       "parquet": Path(folder, "s.parquet"), "pq-name": str(Path(folder, "s.pq")),
                       "txt": Path(folder, "s.txt"), "dir": folder}[output]
        with unraisable_exceptions() as leaked:
            result, error = attempt(meshcost.sweep, **inputs, totals=totals, chunk_size=chunk, output=target,
                                    format=format, meshes=meshes, samples=samples, seed=3 if samples else None)
        assert not leaked, f"sweep left objects that fail when garbage-collected: {leaked}"
        for name, value in inputs.items():
            kind = INPUT_KIND.get(name, "count")
            reason = badness(value, kind)
            if reason and not (value is None and name in OPTIONAL_INPUTS):
                assert error is not None, f"sweep accepted {name} = {value!r} ({reason})"
        if error is not None:
            return
        if target is None:
            check_frame(result)
            return
        assert result is None
        import pandas as pd

        if isinstance(target, io.StringIO):
            text = target.getvalue()
            if text:
                check_frame(pd.read_csv(io.StringIO(text)))
        elif format == "parquet" or (format is None and str(target).endswith((".parquet", ".pq"))):
            check_frame(pd.read_parquet(target))
        else:
            check_frame(pd.read_csv(target))


# --------------------------------------------------------------------------- nodes, prices, profiles


def check_node_shape(shape: Any) -> None:
    for name in ("vcpu", "memory_gib"):
        value = getattr(shape, name)
        assert isinstance(value, float) and math.isfinite(value) and value > 0, (name, value)
    assert isinstance(shape.max_pods, int) and shape.max_pods >= 1, shape.max_pods
    assert math.isfinite(shape.memory_mib), shape.memory_mib
    cpu, memory = shape.allocatable()
    assert math.isfinite(cpu) and math.isfinite(memory), (cpu, memory)
    assert 0 <= cpu <= shape.vcpu and 0 <= memory <= shape.memory_mib, (cpu, memory, shape)


def check_price_sheet(sheet: Any) -> None:
    for name in ("price_per_hour", "vcpu_price_per_hour", "gib_price_per_hour", "vcpu", "memory_gib"):
        value = getattr(sheet, name)
        assert value is None or (isinstance(value, float) and math.isfinite(value) and value >= 0), (name, value)
    assert 0 < sheet.hours_per_month <= 744, sheet.hours_per_month
    assert isinstance(sheet.to_dict(), dict)


plain_numbers = st.one_of(st.sampled_from([0.25, 1, 2, 4, 16, 110, 1e15, 1e308, 0, -1, float("nan"), float("inf"),
                                           2**63, 2**1100, 5e-324, np.float16(4), np.int8(4), np.uint64(2**64 - 1)]),
                          st.floats(0, 1e6), number_scalars, bad_scalars, quantities())


@fuzz()
@given(vcpu=plain_numbers, memory_gib=plain_numbers, max_pods=plain_numbers,
       provider=st.sampled_from(["gke", "eks", "aks", "generic", "GKE", "bogus", "", None, 5]),
       name=st.one_of(st.sampled_from(["", "custom", "m5.xlarge", "e2-standard-4"]), bad_scalars),
       alloc_cpu=st.one_of(st.none(), plain_numbers), alloc_mem=st.one_of(st.none(), plain_numbers),
       use=st.booleans())
def test_node_shape_class(vcpu: Any, memory_gib: Any, max_pods: Any, provider: Any, name: Any, alloc_cpu: Any,
                          alloc_mem: Any, use: bool) -> None:
    shape, error = attempt(meshcost.NodeShape, vcpu, memory_gib, max_pods, provider=provider, name=name,
                           allocatable_vcpu=alloc_cpu, allocatable_memory_mib=alloc_mem)
    for label, value in (("vcpu", vcpu), ("memory_gib", memory_gib), ("max_pods", max_pods)):
        reason = badness(value, "plain")
        if reason:
            assert error is not None, f"NodeShape accepted {label} = {value!r} ({reason})"
    if error is not None:
        return
    check_node_shape(shape)
    if use:
        result, error = attempt(meshcost.project, 20, 300, node=shape, prices="e2")
        if error is None:
            check_projection(result, render=False)


@fuzz()
@given(instance=st.one_of(st.sampled_from(NODE_NAMES), bad_scalars),
       provider=st.one_of(st.none(), st.sampled_from(["gke", "eks", "aks", "generic", "bogus", 5])),
       max_pods=st.one_of(st.none(), plain_numbers),
       cni=st.one_of(st.none(), st.sampled_from(["overlay", "azure", "kubenet", "cilium", "bogus", "", 5])),
       prefix_delegation=st.one_of(st.booleans(), bad_scalars),
       region=st.one_of(st.none(), st.sampled_from(["us-east-1", "us-central1", "eastus", "bogus", "", 5])))
def test_node_shape_function(instance: Any, provider: Any, max_pods: Any, cni: Any, prefix_delegation: Any,
                             region: Any) -> None:
    shape, error = attempt(meshcost.node_shape, instance, provider, max_pods=max_pods, cni=cni,
                           prefix_delegation=prefix_delegation, region=region)
    if max_pods is not None and badness(max_pods, "plain"):
        assert error is not None, f"node_shape accepted max_pods = {max_pods!r}"
    if error is None:
        check_node_shape(shape)


prices_numbers = st.one_of(st.none(), plain_numbers)


@fuzz()
@given(price=prices_numbers, vcpu_price=prices_numbers, gib_price=prices_numbers,
       currency=st.one_of(st.sampled_from(["USD", "EUR", "usd", "", "m", "kg", "US D", "€", "1"]), bad_scalars),
       hours=st.one_of(st.sampled_from([730, 720, 744, 744.0000001, 1e-300, 0]), plain_numbers),
       vcpu=prices_numbers, memory_gib=prices_numbers,
       text=st.one_of(st.text(max_size=5), bad_scalars), use=st.booleans())
def test_price_sheet_class(price: Any, vcpu_price: Any, gib_price: Any, currency: Any, hours: Any, vcpu: Any,
                           memory_gib: Any, text: Any, use: bool) -> None:
    sheet, error = attempt(meshcost.PriceSheet, price, vcpu_price, gib_price, currency=currency,
                           hours_per_month=hours, vcpu=vcpu, memory_gib=memory_gib, region=text)
    for label, value in (("price_per_hour", price), ("vcpu_price_per_hour", vcpu_price),
                         ("gib_price_per_hour", gib_price), ("hours_per_month", hours), ("vcpu", vcpu),
                         ("memory_gib", memory_gib)):
        reason = badness(value, "plain") if value is not None else None
        if reason:
            assert error is not None, f"PriceSheet accepted {label} = {value!r} ({reason})"
    if error is not None:
        return
    check_price_sheet(sheet)
    if use:
        result, error = attempt(meshcost.project, np.array([1, 100]), np.array([10, 5000]), prices=sheet)
        if error is None:
            check_projection(result, render=False)


@fuzz()
@given(name=st.one_of(st.sampled_from(["e2", "n2", "eks", "aws", "gke", "gcp", "aks", "azure", "EKS", "m5.xlarge",
                                       "e2-standard-4", "Standard_D4s_v5", "bogus", ""]), bad_scalars),
       region=st.one_of(st.none(), st.sampled_from(["us-east-1", "us-central1", "eastus", "bogus", "", 5])),
       cpu_share=st.one_of(st.none(), st.sampled_from([0, 0.5, 1, 1.5, -0.1, float("nan")]), anything),
       hours=st.one_of(st.sampled_from([730, 720, 744, 745, 0, float("nan")]), plain_numbers))
def test_price_sheet_function(name: Any, region: Any, cpu_share: Any, hours: Any) -> None:
    sheet, error = attempt(meshcost.price_sheet, name, region=region, cpu_share=cpu_share, hours_per_month=hours)
    if error is None:
        check_price_sheet(sheet)


@fuzz(0.5)
@given(name=st.one_of(mesh_names, bad_scalars),
       version=st.one_of(st.none(), st.sampled_from(["1.20", "1.4", "1.24", "1.27", "1.8", "2019-2026", "9", "",
                                                     "1.20@1", "1", "1.2"]), bad_scalars))
def test_get_profile(name: Any, version: Any) -> None:
    profile, error = attempt(meshcost.get_profile, name, version)
    if error is None:
        assert isinstance(profile, meshcost.MeshProfile)
        for component, resource, driver, coefficient in profile.coefficients():
            values = np.asarray(coefficient.values, dtype=float)
            assert np.isfinite(values).all() and (values >= 0).all(), (component, resource, driver, values)
            assert values[0] <= values[1] <= values[2], (component, resource, driver, values)


# --------------------------------------------------------------------------- Kubernetes quantities


@fuzz()
@given(value=st.one_of(quantity_texts, quantity_texts, number_scalars, bad_scalars, quantities(), numeric_arrays,
                       containers),
       parser=st.sampled_from(["parse_quantity", "parse_cpu", "parse_memory"]))
def test_parse_quantities(value: Any, parser: str) -> None:
    function = {"parse_quantity": parse_quantity, "parse_cpu": parse_cpu, "parse_memory": parse_memory}[parser]
    result, error = attempt(function, value)
    kind = {"parse_quantity": "plain", "parse_cpu": "cpu", "parse_memory": "memory"}[parser]
    reason = badness(value, kind)
    if reason and reason != "text":
        assert error is not None, f"{parser} accepted {value!r} ({reason})"
    if error is not None:
        return
    if parser == "parse_quantity":
        assert isinstance(result, Decimal) and result.is_finite(), result
    else:
        assert isinstance(result, float) and math.isfinite(result) and result >= 0, result


# --------------------------------------------------------------------------- validate


def test_validate() -> None:
    frame, error = attempt(meshcost.validate)
    assert error is None, error
    low, typical, high = (frame[c].to_numpy(dtype=float) for c in ("model_low", "model_typical", "model_high"))
    modelled = ~np.isnan(typical)
    assert np.array_equal(np.isnan(low), ~modelled) and np.array_equal(np.isnan(high), ~modelled)
    assert np.isfinite(low[modelled]).all() and np.isfinite(high[modelled]).all()
    assert np.all(low[modelled] <= typical[modelled]) and np.all(typical[modelled] <= high[modelled])


# --------------------------------------------------------------------------- command line

CLI_NUMBERS = st.one_of(
    st.sampled_from(["0", "1", "2", "-1", "10", "500", "2.5", "1e3", "1e15", "1e308", "1e309", "-1e309", "nan", "inf",
                     "-inf", "NaN", "1_000", "0x10", " 5", "5 ", "١٢", "9" * 400, "", "abc", "1,2", "1:3", "-0"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 10**6).map(str),
    st.text(max_size=4),
)
CLI_VALUES = st.one_of(  # sweep values: numbers, small ranges and lists (never a valid range of millions)
    CLI_NUMBERS,
    st.sampled_from(["1:5", "1:10:3", "0:1:0.25", "10:1", "1:5:0", "1:5:-1", "1:1e12", "0:2e7", "1:5:nan",
                     "1:inf", "1,2,3", "1,,2", "1:3,7", ",", ":", "1:2:3:4", "1e308:1.7e308:1e307", "0.5:2.5",
                     "2,2,2,2", "5000,1e15", "0:1e-320:1e-322"]),
)


@st.composite
def cli_arguments(draw: Any, folder: str) -> list[str]:
    command = draw(st.sampled_from(["project", "project", "project", "sweep", "sweep", "report", "cluster", "versions",
                                    "sources", "validate", "bogus", "", "--nodes", "-h"]))
    argv: list[str] = [] if command in ("", "--nodes") else [command]
    if command == "cluster":
        manifests = Path(__file__).resolve().parent / "fixtures" / "store-manifests.yaml"
        argv += draw(st.lists(st.sampled_from([str(meshcost.examples.path("cluster.json")), str(manifests),
                                               str(Path(folder, "price-sheet.csv")), str(Path(folder, "none.json"))]),
                              min_size=1, max_size=2))
    if command == "--nodes":  # options first: taken as 'project'
        argv += ["--nodes", draw(CLI_NUMBERS)]
    scenario_values = CLI_VALUES if command == "sweep" else CLI_NUMBERS
    options: list[tuple[str, Any]] = [(i.option, scenario_values) for i in INPUTS]
    options += [
        ("--sidecars-per-node", CLI_VALUES),
        ("--mesh", mesh_names), ("--version", st.sampled_from(["istio-sidecar=1.20", "linkerd=x", "=1", "x", "a=b=c",
                                                               "istio-sidecar=", "bogus=1.20"])),
        ("--node", st.sampled_from(NODE_NAMES)),
        ("--prices", st.sampled_from(["e2", "n2", "eks", "bogus", "m5.xlarge", "price-sheet.csv", "missing.csv"])),
        ("--billing", st.sampled_from(["resources", "nodes", "bogus"])),
        ("--hours-per-month", CLI_NUMBERS),
        ("--install", st.sampled_from(["linkerd=ha", "istio-sidecar=demo", "linkerd=bogus", "bogus=ha", "x"])),
        ("--sizing", st.sampled_from(["chart", "usage", "bogus"])),
        ("--skew", CLI_NUMBERS),
        ("--samples", st.sampled_from(["1", "10", "64", "0", "-1", "x", str(MAX_SAMPLES + 1), "9" * 30, "1e3"])),
        ("--seed", st.sampled_from(["0", "1", "-1", "x", "9" * 50, str(2**128 - 1), str(2**128)])),
        ("--format", st.sampled_from(["table", "csv", "json", "parquet", "bogus"])),
        ("--html", st.sampled_from(["-", "report.html", "missing-dir/report.html", "."])),
        ("--title", st.text(max_size=10)),
        ("--output", st.sampled_from(["-", "out.csv", "out.parquet", "missing-dir/out.csv", "."])),
        ("--totals", None), ("--all", None),
        ("--chunk-size", st.sampled_from(["1", "2", "10000", "0", "x", "-3"])),
        ("--bogus", None), ("-h", None),
    ]
    for option, values in draw(st.lists(st.sampled_from(options), max_size=7)):
        argv.append(option)
        if values is not None:
            value = draw(values)
            if option in ("--html", "--output", "--prices") and value not in ("-", "e2", "n2", "eks", "bogus",
                                                                              "m5.xlarge"):
                value = str(Path(folder, value))
            argv.append(value)
    if command == "versions" and draw(st.booleans()):
        argv.append(draw(mesh_names))
    if "--samples" in argv and "--seed" not in argv:
        argv += ["--seed", "1"]  # reproducible Monte Carlo
    if command == "sweep":  # keep the grid small: at most a few hundred scenarios
        sizes = []
        for i, token in enumerate(argv[:-1]):
            if token in SWEEP_OPTIONS:
                try:
                    sizes.append(parse_values(argv[i + 1]).size)
                except Exception:  # noqa: BLE001 - a fuzz value, not meshcost
                    sizes.append(1)
        assume(math.prod(sizes) <= 300)
    return argv


SWEEP_OPTIONS = {i.option for i in INPUTS} | {"--sidecars-per-node"}
_PRICE_CSV_HEADER = "provider,instance_type,region,vcpu,memory_gib,price_per_hour,currency,as_of,source_url,notes\n"


@fuzz(0.5)
@given(data=st.data())
def test_cli(data: Any) -> None:
    """main(argv) returns 0 or 2; on 2, stderr holds exactly one 'meshcost: error: ...' line."""
    with tempfile.TemporaryDirectory() as folder:
        argv = data.draw(cli_arguments(folder), label="argv")
        cells = st.one_of(CLI_NUMBERS, st.sampled_from(["USD", "EUR", "", "kg"]))
        Path(folder, "price-sheet.csv").write_text(
            _PRICE_CSV_HEADER + ",".join(["gcp", "custom-1", "us-central1", data.draw(cells, label="vcpu"),
                                          data.draw(cells, label="memory_gib"), data.draw(cells, label="price"),
                                          data.draw(cells, label="currency"), "2026-01-01", "https://x", "n"]) + "\n",
            encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(argv)
        lines = err.getvalue().splitlines()
        note(f"exit {code}; stderr {err.getvalue()!r}")
        assert code in (0, 2), f"exit status {code!r}"
        if code == 2:
            assert len(lines) == 1 and lines[0].startswith("meshcost: error: "), f"stderr: {err.getvalue()!r}"
        else:
            check_cli_output(argv, out.getvalue())


def _last(argv: list[str], *options: str, default: str | None = None) -> str | None:
    """The value of the last occurrence of an option (argparse keeps the last)."""
    found = default
    for i, token in enumerate(argv[:-1]):
        if token in options:
            found = argv[i + 1]
    return found


def check_cli_output(argv: list[str], stdout: str) -> None:
    """A successful projection or sweep wrote numbers that obey the contract (CSV read back, JSON strict)."""
    import pandas as pd

    if "-h" in argv or "--help" in argv or not argv:
        return
    command = argv[0] if not argv[0].startswith("-") else "project"
    if command == "cluster" and "--html" in argv:
        return  # the page, not the table / CSV / JSON
    if command in ("project", "cluster"):
        form = _last(argv, "--format", default="table")
        if form == "csv":
            check_frame(pd.read_csv(io.StringIO(stdout)))
        elif form == "json":
            json.loads(stdout, parse_constant=_strict_json)
    elif command == "sweep":
        target = _last(argv, "--output", "-o", default="-")
        form = _last(argv, "--format")
        parquet = form == "parquet" or (form is None and str(target).endswith((".parquet", ".pq")))
        if target == "-":
            if stdout:
                check_frame(pd.read_csv(io.StringIO(stdout)))
        elif parquet:
            check_frame(pd.read_parquet(target))
        else:
            check_frame(pd.read_csv(target))


def _strict_json(token: str) -> Any:
    raise AssertionError(f"the JSON output holds {token}, which is not JSON")


# --------------------------------------------------------------------------- clusters as they run

_LABEL_VALUES = st.sampled_from(["enabled", "disabled", "true", "false", "ambient", "none", "ingress", "canary", "",
                                 True, False])
_MESH_KEYS = ["istio-injection", "istio.io/rev", "istio.io/dataplane-mode", "sidecar.istio.io/inject",
              "linkerd.io/inject", "config.linkerd.io/admission-webhooks", "app"]
_MESH_LABELS = st.dictionaries(st.sampled_from(_MESH_KEYS), _LABEL_VALUES, max_size=3)
_NAMESPACES = st.sampled_from(["shop", "web", "kube-system", "default", None])
_CONTAINERS = st.lists(st.sampled_from(["app", "istio-proxy", "linkerd-proxy"]), min_size=1, max_size=2)


@st.composite
def cluster_objects(draw: Any) -> list[dict]:
    """A random cluster: namespaces with mesh labels, controllers, pods owned (or not) by them, nodes."""
    objects: list[dict] = []
    for name in draw(st.lists(st.sampled_from(["shop", "web", "default", "kube-system"]), unique=True, max_size=4)):
        objects.append({"kind": "Namespace", "metadata": {"name": name, "labels": draw(_MESH_LABELS),
                                                          "annotations": draw(_MESH_LABELS)}})
    controllers: list[tuple[str, str | None, str]] = []
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "CronJob"]))
        namespace, name = draw(_NAMESPACES), f"c{number}"
        template = {"metadata": {"labels": {"app": name, **draw(_MESH_LABELS)}, "annotations": draw(_MESH_LABELS)},
                    "spec": {"containers": [{"name": c} for c in draw(_CONTAINERS)]}}
        spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}}
        spec.update({"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else {"template": template})
        if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
            spec["replicas"] = draw(st.integers(0, 5))
        meta: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
        if kind == "ReplicaSet" and controllers and draw(st.booleans()):
            owner = draw(st.sampled_from(controllers))
            meta["ownerReferences"] = [{"kind": owner[0], "name": owner[2], "controller": True}]
        objects.append({"kind": kind, "metadata": meta, "spec": spec})
        controllers.append((kind, namespace, name))
    pods = draw(st.integers(0, 8))
    for number in range(pods):
        namespace = draw(_NAMESPACES)
        meta = {"name": f"p{number}", "labels": draw(_MESH_LABELS), "annotations": draw(_MESH_LABELS)}
        if namespace:
            meta["namespace"] = namespace
        if controllers and draw(st.booleans()):
            kind, owner_ns, name = draw(st.sampled_from(controllers))
            if draw(st.booleans()):
                kind, name = "ReplicaSet", f"{name}-{draw(st.sampled_from(['abc12', 'zz9']))}"
                meta["labels"]["pod-template-hash"] = name.rpartition("-")[2]
            meta["labels"]["app"] = name.split("-")[0]
            meta["ownerReferences"] = [{"kind": kind, "name": name, "controller": draw(st.booleans())}]
        objects.append({"kind": "Pod", "metadata": meta,
                        "spec": {"containers": [{"name": c} for c in draw(_CONTAINERS)],
                                 "hostNetwork": draw(st.booleans())},
                        "status": {"phase": draw(st.sampled_from(["Running", "Pending", "Succeeded", "Failed"]))}})
    for number in range(draw(st.integers(0, 3))):
        taints = draw(st.lists(st.fixed_dictionaries({
            "key": st.sampled_from(["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master", "gpu"]),
            "effect": st.sampled_from(["NoSchedule", "NoExecute", "PreferNoSchedule"])}), max_size=2))
        labels = {"node.kubernetes.io/instance-type": draw(st.sampled_from(["m5.xlarge", "m6i.2xlarge", "x1.weird"]))}
        objects.append({"kind": "Node", "metadata": {"name": f"n{number}", "labels": labels},
                        "spec": {"taints": taints}})
    return draw(st.permutations(objects))


@fuzz(0.5)
@given(objects=cluster_objects())
def test_inventory_counts_every_running_pod_once(objects: list[dict]) -> None:
    """Invariants of the reader over random clusters: every running pod once, finished pods apart, a controller
    from its template only without pods, would-be-meshed within meshed, workers + control plane = nodes."""
    inventory, error = attempt(meshcost.read_inventory, {"kind": "List", "items": objects})
    assert error is None, str(error)
    running = [o for o in objects if o["kind"] == "Pod" and o["status"]["phase"] in ("Running", "Pending")]
    finished = [o for o in objects if o["kind"] == "Pod" and o not in running]
    pod_workloads = [w for w in inventory.workloads if w.kind == "Pod"]
    assert sorted(w.name for w in pod_workloads) == sorted(o["metadata"]["name"] for o in running)
    assert sum(inventory.finished_pods.values()) == len(finished)
    assert inventory.pods == sum(inventory.meshed_pods.values()) == sum(w.replicas for w in inventory.workloads)
    observed = {w.controller for w in pod_workloads if w.controller}
    assert not observed & {f"{w.kind}/{w.name}" for w in inventory.workloads if w.kind != "Pod"}
    for mode, count in inventory.meshed_by_labels.items():
        assert 0 < count <= inventory.meshed_pods[mode]
    nodes = [o for o in objects if o["kind"] == "Node"]
    assert inventory.nodes + inventory.control_plane_nodes == len(nodes)
    for workload in inventory.workloads:
        if workload.namespace in ("kube-system",) and not workload.injected:
            assert workload.mode == "none"
    if inventory.pods:
        report, error = attempt(meshcost.cluster_report, inventory, nodes=None if inventory.nodes else 2)
        assert error is None, str(error)
        assert report.projection.inputs["nodes"] == (inventory.nodes or 2)


# --------------------------------------------------------------------------- labelled and lazy inputs


@st.composite
def labelled_scenario(draw: Any) -> dict[str, Any]:
    import xarray as xr

    out: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["nodes", "sidecars", "rps", "services", "waypoints"]), min_size=2,
                              max_size=4, unique=True)):
        dims = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=2, unique=True))
        shape = [draw(st.integers(0, 3)) for _ in dims]
        values = draw(st.lists(st.one_of(st.integers(0, 5000), st.floats(allow_nan=True, allow_infinity=True),
                                         st.sampled_from([1.5, -1, 10**12])),
                               min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        coords = {d: draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)) for d, n in zip(dims, shape)
                  if draw(st.booleans())}
        array = xr.DataArray(np.array(values, dtype=float).reshape(shape), dims=dims, coords=coords)
        out[name] = array.chunk() if draw(st.booleans()) and dims else array
    out.setdefault("nodes", 10)
    out.setdefault("sidecars", 100)
    return out


@fuzz(0.3)
@given(scenario=labelled_scenario())
def test_labelled_and_lazy_inputs(scenario: dict[str, Any]) -> None:
    """DataArray and dask inputs: a projection (lazy or not) whose Dataset computes, or a one-line MeshcostError."""
    result, error = attempt(meshcost.project, **scenario)
    if error is not None:
        return
    try:
        dataset = result.to_xarray(["memory", "cost"])
        computed = dataset.compute()
    except MeshcostError as exc:  # a lazy projection checks each chunk's values when it runs
        assert isinstance(result, meshcost.LazyProjection) and "\n" not in str(exc)
        return
    values = computed["memory"].values
    assert not np.isnan(values).any() and (values >= 0).all()


# --------------------------------------------------------------------------- frame figure choice

FRAME_RESULT = meshcost.project(nodes=np.array([5.0, 50.0]), sidecars=np.array([40.0, 900.0]), rps=300, samples=16,
                                seed=2)
figure_names = st.sampled_from([*MESH_FIGURES, *COMPONENT_FIGURES, "bogus", "", "Memory", "memory [MiB]"])


@fuzz(0.5)
@given(figures_=st.one_of(st.none(), st.lists(figure_names, max_size=5), st.lists(figure_names, max_size=3).map(tuple),
                          st.sets(figure_names, max_size=3), st.sampled_from(["memory", b"cost", 5, {"cost": 1}]),
                          st.lists(st.one_of(figure_names, bad_scalars), min_size=1, max_size=3), anything),
       kind=st.sampled_from(["to_frame", "mesh_frame"]))
def test_frame_figures(figures_: Any, kind: str) -> None:
    from pandas import testing as pd_testing

    frame, error = attempt(getattr(FRAME_RESULT, kind), figures=figures_)
    level = "component" if kind == "to_frame" else "mesh"
    known = {f.name for f in figures(level)}
    valid = figures_ is None or (isinstance(figures_, (list, tuple, set)) and len(figures_) > 0
                                 and all(isinstance(n, str) and n in known for n in figures_))
    if not valid:
        assert error is not None and error.parameter == "figures", (figures_, error)
        return
    assert error is None, error
    full = getattr(FRAME_RESULT, kind)()
    assert set(frame.columns) <= set(full.columns)
    assert [c for c in full.columns if c in set(frame.columns)] == list(frame.columns)  # the full frame's order
    pd_testing.assert_frame_equal(frame, full[list(frame.columns)])
    kept = known if figures_ is None else set(figures_)
    for name in known:
        assert any(c.startswith(f"{name} [") for c in frame.columns) == (name in kept), name
