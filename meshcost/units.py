"""The unit boundary: pint registry, meshcost's unit names, and stripping inputs to magnitudes.

meshcost uses the registry that is pint's *application registry* when meshcost is imported
(``pint.get_application_registry()``), so Quantities a user builds with ``pint.Quantity`` or
their own application-registry units work with meshcost's. It never creates a private
``UnitRegistry`` and never changes global formatting. It adds, only where the names are free
(a host application may have defined some already):

- ``vCPU`` (aliases ``vcpu``, ``core``): a new base dimension ``[cpu]``; ``millicore`` =
  vCPU/1000. Kubernetes' ``100m`` CPU is 100 millicore = 0.1 vCPU.
- ``USD`` (alias ``usd``): a new base dimension ``[currency]``. Other currencies are not
  convertible to it (no exchange rates); they get a dimension of their own when a price sheet
  names them.

An existing ``vCPU`` or ``USD`` is reused when it has a dimension of its own; one that is
dimensionless (so a count would pass for it) is refused at import with a clear error. If the
host later switches the application registry (``pint.set_application_registry``), meshcost
keeps its own and converts Quantities from the new one by their unit names.

Memory is the trap: pint treats bytes as dimensionless, so ``1 MiB + 1 count`` is accepted
silently. meshcost checks memory inputs against the byte family explicitly (their root unit
must be ``bit``). Canonical units inside the kernels: memory MiB, CPU vCPU, CPU time per event vCPU-s,
time ms, request rate 1/s, money USD.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pint

from .errors import InputTypeError, UnitMismatchError, describe_value

__all__ = [
    "ureg",
    "Quantity",
    "MIB",
    "VCPU",
    "MS",
    "PER_SECOND",
    "USD",
    "DIMENSIONLESS",
    "Kind",
    "CANONICAL_UNIT",
    "strip",
    "is_quantity",
    "is_real_number",
    "plain_number",
    "parse_unit",
    "unit_is",
]

ureg: Any = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
ureg.Quantity  # noqa: B018 - a lazy registry becomes the real one on first attribute access


def _define_once(name: str, value: str, *aliases: str) -> None:
    """Define ``name = value = aliases...`` with the aliases the registry does not have yet; an
    existing ``name`` is kept if it is not dimensionless (a count must never pass for it)."""
    if name in ureg:
        if value.startswith("[") and ureg.get_dimensionality(name) == ureg.get_dimensionality(""):
            from .errors import MeshcostError

            raise MeshcostError(f"units: the application registry defines {name!r} as dimensionless; meshcost "
                                f"needs {name} as a dimension of its own (use another registry, or drop that "
                                "definition)")
        return
    free = [alias for alias in aliases if alias not in ureg]
    ureg.define(" = ".join((name, value, *free)))


_define_once("vCPU", "[cpu]", "vcpu", "core")
_define_once("millicore", "vCPU / 1000", "mcore")
_define_once("USD", "[currency]", "usd")

Quantity: Any = ureg.Quantity

MIB = ureg.Unit("MiB")
VCPU = ureg.Unit("vCPU")
MS = ureg.Unit("ms")
PER_SECOND = ureg.Unit("1/s")
USD = ureg.Unit("USD")
DIMENSIONLESS = ureg.Unit("dimensionless")

Kind = Literal["count", "fraction", "memory", "cpu", "cpu_time", "time", "rate", "money"]

CANONICAL_UNIT: dict[str, Any] = {
    "count": DIMENSIONLESS,
    "fraction": DIMENSIONLESS,
    "memory": MIB,
    "cpu": VCPU,
    "cpu_time": ureg.Unit("vCPU * s"),
    "time": MS,
    "rate": PER_SECOND,
    "money": USD,
}

_EXPECTED = {
    "count": "a plain number or a dimensionless Quantity (a count)",
    "fraction": "a plain number from 0 to 1 or a dimensionless Quantity (e.g. 50 percent)",
    "memory": "a plain number in MiB or a Quantity in bytes (B, kB, MB, MiB, GiB, ...)",
    "cpu": "a plain number in vCPU or a Quantity in vCPU / millicore",
    "cpu_time": "a plain number in vCPU-seconds or a Quantity in vCPU * s (CPU time per event)",
    "time": "a plain number in ms or a Quantity of time (s, ms, us, ...)",
    "rate": "a plain number in requests per second or a Quantity of 1/time (e.g. 2000 / second)",
    "money": "a plain number in USD or a Quantity in USD",
}

_BIT_ROOT = ureg.get_root_units("bit")[1]
_dimension_of = {
    "cpu": ureg.get_dimensionality("vCPU"),
    "cpu_time": ureg.get_dimensionality("vCPU * s"),
    "time": ureg.get_dimensionality("s"),
    "rate": ureg.get_dimensionality("1/s"),
    "money": ureg.get_dimensionality("USD"),
}


def is_real_number(value: Any) -> bool:
    """A plain real number: Python or numpy int / float, not a boolean, date, duration or complex."""
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)))


def plain_number(value: Any, name: str, expected: str = "a plain number") -> float:
    """``value`` as a float: InputTypeError for anything but a real number, InputValueError beyond float range."""
    if not is_real_number(value):
        raise InputTypeError(f"{name}: got {describe_value(value)}; expected {expected}", parameter=name,
                             expected=expected)
    try:
        return float(value)
    except OverflowError:
        from .errors import InputValueError

        raise InputValueError(f"{name}: got {describe_value(value)}; expected {expected} within the float range",
                              parameter=name, expected=expected) from None


def is_quantity(value: Any) -> bool:
    """True for a pint Quantity of any registry."""
    return isinstance(value, pint.Quantity)


def parse_unit(text: str, *, where: str) -> Any:
    """Parse a unit string once (data files, price sheets); errors name ``where``."""
    try:
        return ureg.Unit(text)
    except Exception as exc:  # pint raises several unrelated types here
        raise UnitMismatchError(f"{where}: unknown unit {text!r} ({exc})") from None


def unit_is(value: Any, kind: str) -> bool:
    """Whether a Quantity's unit is of ``kind``; memory must be in the byte family
    (pint treats bytes as dimensionless, so a bare count is not memory)."""
    units = value.units  # judged on the unit alone: the magnitude may be anything
    dimensionless = not units.dimensionality
    if kind in ("count", "fraction"):
        return bool(dimensionless and ureg.get_root_units(units)[1] != _BIT_ROOT)
    if kind == "memory":
        return bool(dimensionless and ureg.get_root_units(units)[1] == _BIT_ROOT)
    return bool(units.dimensionality == _dimension_of[kind])


def _check_unit(value: Any, name: str, kind: str) -> None:
    units = value.units
    if not unit_is(value, kind):
        raise UnitMismatchError(
            f"{name}: got a Quantity in {units:~} ({describe_value(value)}); "
            f"expected {_EXPECTED[kind]}"
        )


def _refuse(value: Any, name: str, kind: str, what: str = "") -> InputTypeError:
    shown = what or describe_value(value)
    return InputTypeError(f"{name}: got {shown}; expected {_EXPECTED[kind]}", parameter=name, value=shown,
                          expected=_EXPECTED[kind])


def _own(value: Any, name: str, kind: str) -> Any:
    """A Quantity of meshcost's registry: one from another registry is rebuilt by its unit's name."""
    if value._REGISTRY is ureg or getattr(value._REGISTRY, "_registry", None) is ureg:
        return value
    try:
        return ureg.Quantity(value.magnitude, str(value.units))
    except Exception:  # pint raises several unrelated types for unknown names
        raise UnitMismatchError(f"{name}: got a Quantity in {value.units} from another unit registry that meshcost's "
                                f"does not know; expected {_EXPECTED[kind]}", parameter=name,
                                expected=_EXPECTED[kind]) from None


def strip(value: Any, name: str, kind: str) -> np.ndarray:
    """Return ``value`` as a float64 array in the canonical unit of ``kind``.

    Accepts plain numbers (taken in the canonical unit), numpy arrays of integers or floats,
    sequences of numbers and pint Quantities of a compatible unit. Raises
    :class:`InputTypeError` for anything else (strings, booleans, dates, complex numbers,
    integers beyond float range, nested ragged lists) and :class:`UnitMismatchError` for the
    wrong kind of unit. Checks of value ranges (negative, NaN, ...) are the caller's.
    """
    if is_quantity(value):
        value = _own(value, name, kind)
        _check_unit(value, name, kind)
        try:
            magnitude = value.m_as(CANONICAL_UNIT[kind])
        except pint.DimensionalityError:  # pragma: no cover - _check_unit guards this
            raise UnitMismatchError(f"{name}: cannot convert {value.units:~} to {_EXPECTED[kind]}", parameter=name,
                                    expected=_EXPECTED[kind]) from None
        except OverflowError:
            raise _refuse(value, name, kind, "a Quantity beyond the float range") from None
        except Exception:  # a magnitude pint cannot scale (strings, objects, ragged lists)
            raise _refuse(value, name, kind) from None
    else:
        magnitude = value
    if isinstance(magnitude, (str, bytes)) or magnitude is None:
        raise _refuse(value, name, kind)
    if isinstance(magnitude, (bool, np.bool_)):
        raise _refuse(value, name, kind, f"a boolean {value!r}")
    try:
        # a list is checked element by element (numpy would read [False, 2.5] as [0.0, 2.5])
        raw = np.asarray(magnitude, dtype=object) if isinstance(magnitude, (list, tuple)) else np.asarray(magnitude)
        if raw.dtype.kind in "iuf":
            return raw.astype(np.float64, copy=False)
        if raw.dtype.kind != "O":
            raise _refuse(value, name, kind, f"an array of {raw.dtype.name} values" if raw.ndim else "")
        if not all(is_real_number(x) for x in raw.flat):
            raise _refuse(value, name, kind)
        return raw.astype(np.float64)
    except InputTypeError:
        raise
    except OverflowError:
        raise _refuse(value, name, kind, "a number beyond the float range") from None
    except Exception:  # numpy's many failures on odd objects (ragged, 33+ deep, hostile __array__)
        raise _refuse(value, name, kind) from None
