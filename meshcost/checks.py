"""One home for input checks: every public function validates through these.

Each check strips units (:func:`meshcost.units.strip`), tests the values and raises a
:class:`~meshcost.errors.MeshcostError` whose message reads ``"<parameter>: got <value>;
expected <what is accepted>"`` and whose fields carry the same three facts.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NoReturn, Sequence

import numpy as np

from .errors import BroadcastError, InputTypeError, InputValueError, MeshcostError, UnknownNameError, describe_value
from .figures import Figure, Level, figures
from .units import strip

__all__ = [
    "fail",
    "first_where",
    "require",
    "numbers_array",
    "number",
    "whole_number",
    "seed",
    "choice",
    "broadcast",
    "broadcast_shape",
    "chosen_figures",
    "MAX_WHOLE",
]

#: Whole-number inputs (samples, chunk sizes, replicas, ...) are at most this unless a
#: check says otherwise; beyond it float64 no longer holds every integer.
MAX_WHOLE = 2**53


def fail(parameter: str, value: Any, expected: str, *, error: type[MeshcostError] = InputValueError,
         where: str = "", described: bool = False) -> NoReturn:
    """Raise ``error`` for ``parameter``; ``where`` adds a position (`` at index (3,)``)."""
    shown = str(value) if described else describe_value(value)
    raise error(f"{parameter}: got {shown}{where}; expected {expected}", parameter=parameter, value=shown,
                expected=expected)


def first_where(array: Any, mask: np.ndarray) -> float:
    """The first value of ``array`` (broadcast to ``mask``) where ``mask`` is true, for messages."""
    return float(np.broadcast_to(array, mask.shape)[mask].flat[0])


def require(name: str, array: np.ndarray, ok: np.ndarray, expected: str) -> None:
    """Fail naming the first value of ``array`` where ``ok`` is false, and its index."""
    if bool(np.all(ok)):
        return
    ok = np.broadcast_to(ok, np.broadcast_shapes(np.shape(ok), np.shape(array)))
    index = tuple(int(i) for i in np.argwhere(~ok)[0]) if ok.ndim else ()
    value = float(np.broadcast_to(array, ok.shape)[index])
    where = f" at index {index}" if ok.ndim else ""
    fail(name, value, expected, where=where)


#: The most dimensions an input array may have (numpy stops at 64, some of its functions at 32).
MAX_DIMENSIONS = 16


def _accepted(minimum: float | None, maximum: float | None, above: float | None, whole: bool,
              allow_inf: bool) -> str:
    """What :func:`numbers_array` accepts, in words."""
    parts = ["whole numbers" if whole else ("numbers" if allow_inf else "finite numbers")]
    if minimum is not None:
        parts.append(f">= {minimum:g}")
    if above is not None:
        parts.append(f"> {above:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    return " ".join(parts[:1]) + (" " + " and ".join(parts[1:]) if parts[1:] else "")


def numbers_array(value: Any, name: str, kind: str = "count", *, minimum: float | None = None,
                  maximum: float | None = None, above: float | None = None, whole: bool = False,
                  allow_inf: bool = False, expected: str = "") -> np.ndarray:
    """``value`` as a float64 array in the canonical unit of ``kind``, within the bounds given.

    ``minimum`` / ``maximum`` are inclusive, ``above`` exclusive; NaN is never accepted and
    infinity only with ``allow_inf``. ``expected`` overrides the generated description.
    """
    array = strip(value, name, kind)
    if array.size == 0:
        fail(name, "an empty array", "at least one value", described=True)
    if array.ndim > MAX_DIMENSIONS:
        fail(name, f"an array of {array.ndim} dimensions", f"at most {MAX_DIMENSIONS} dimensions", described=True)
    if array.ndim == 0:  # fast scalar path
        x = float(array)
        ok = (x == x) and (allow_inf or abs(x) != math.inf)
        ok = ok and (minimum is None or x >= minimum) and (maximum is None or x <= maximum)
        ok = ok and (above is None or x > above) and (not whole or x == np.floor(x))
        if not ok:
            fail(name, x, expected or _accepted(minimum, maximum, above, whole, allow_inf))
        return array
    accepted = expected or _accepted(minimum, maximum, above, whole, allow_inf)
    ok = ~np.isnan(array) if allow_inf else np.isfinite(array)
    for bound in (None if minimum is None else array >= minimum, None if maximum is None else array <= maximum,
                  None if above is None else array > above, (np.floor(array) == array) if whole else None):
        if bound is not None:
            ok &= bound
    require(name, array, ok, accepted)
    return array


def number(value: Any, name: str, kind: str = "count", **bounds: Any) -> float:
    """One number (see :func:`numbers_array`); arrays are refused."""
    array = numbers_array(value, name, kind, **bounds)
    if array.ndim:
        fail(name, value, "a single number, not an array", error=InputTypeError)
    return float(array)


def whole_number(value: Any, name: str, *, minimum: int = 0, maximum: int = MAX_WHOLE) -> int:
    """A Python ``int`` from ``minimum`` to ``maximum`` (bools, floats and arrays refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        fail(name, value, f"a whole number from {minimum:,} to {maximum:,}", error=InputTypeError)
    number_ = int(value)
    if not minimum <= number_ <= maximum:
        fail(name, value, f"a whole number from {minimum:,} to {maximum:,}")
    return number_


def seed(value: Any, name: str = "seed") -> int | None:
    """A random seed: ``None`` or a whole number from 0 to 2**128 - 1 (numpy's SeedSequence range)."""
    if value is None:
        return None
    return whole_number(value, name, minimum=0, maximum=2**128 - 1)


def choice(value: Any, name: str, accepted: Sequence[str]) -> str:
    """One of the ``accepted`` strings."""
    if not isinstance(value, str) or value not in accepted:
        fail(name, value, f"one of {list(accepted)}", error=InputValueError if isinstance(value, str)
             else InputTypeError)
    return value


def broadcast_shape(**named: Any) -> tuple[int, ...]:
    """The shape named arrays broadcast to; :class:`BroadcastError` naming each shape if they don't."""
    shapes = [np.shape(a) for a in named.values()]
    if not any(shapes):  # every value a scalar
        return ()
    try:
        return np.broadcast_shapes(*shapes)
    except (ValueError, RuntimeError):  # RuntimeError: beyond numpy's 32 dimensions
        listed = ", ".join(f"{k} {np.shape(v)}" for k, v in named.items() if np.ndim(v))
        raise BroadcastError(f"inputs do not broadcast together: {listed}; give scalars or arrays of compatible "
                             "shapes", parameter=next(iter(named), None), value=listed,
                             expected="numpy-broadcastable shapes") from None


def broadcast(*pairs: tuple[str, np.ndarray]) -> list[np.ndarray]:
    """Broadcast (name, array) pairs; a :class:`BroadcastError` names each argument and its shape."""
    try:
        return list(np.broadcast_arrays(*(a for _, a in pairs)))
    except ValueError:
        seen: dict[str, tuple[int, ...]] = {}
        for name, a in pairs:
            seen.setdefault(name, np.shape(a))
        shapes = ", ".join(f"{k} {v}" for k, v in seen.items())
        raise BroadcastError(f"shapes do not broadcast together: {shapes}; expected numpy-broadcastable shapes",
                             parameter=next(iter(seen), None), value=shapes,
                             expected="numpy-broadcastable shapes") from None


def chosen_figures(value: Any, level: Level, name: str = "figures") -> tuple[Figure, ...]:
    """The figures a frame keeps, in registry order (the full frame's column order): every figure
    carried at ``level`` for None, else those a collection of names names."""
    known = figures(level)
    if value is None:
        return known
    names = [f.name for f in known]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        fail(name, value, f"a list of figure names, e.g. ['memory', 'cost'] (of {names})", error=InputTypeError)
    if len(value) > 10 * len(known) or not all(isinstance(v, str) for v in value):
        fail(name, value, f"a list of figure names (of {names})", error=InputTypeError)
    wanted = set(value)
    unknown = sorted(wanted - set(names))
    if unknown:
        elsewhere = [n for n in unknown if n in {f.name for f in figures()}]
        hint = f" ({elsewhere} are mesh totals: mesh_frame(), sweep totals=True)" if elsewhere else ""
        raise UnknownNameError(f"{name}: {unknown} are not {level} figures{hint}; expected names among {names}",
                               parameter=name, value=str(unknown), expected=f"names among {names}")
    if not wanted:
        fail(name, value, f"at least one figure name (of {names})")
    return tuple(f for f in known if f.name in wanted)
