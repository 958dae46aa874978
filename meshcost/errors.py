"""The meshcost error family.

Every error meshcost raises on purpose is a :class:`MeshcostError`, and also a
``ValueError`` or ``TypeError`` so that callers who catch the built-ins keep working.
Messages name the parameter, the bad value and what is accepted; the same facts are
fields: ``.parameter``, ``.value`` (a short rendering) and ``.expected``. Errors pickle.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

__all__ = [
    "MeshcostError",
    "InputValueError",
    "InputTypeError",
    "UnitMismatchError",
    "BroadcastError",
    "UnknownNameError",
    "DataFileError",
    "MissingDependencyError",
    "describe_value",
]


_MESSAGE = re.compile(r"^(?P<parameter>[A-Za-z_][\w.-]*)(?:\[[^\]]*\])?(?: \([^)]*\))?: "
                      r"(?:got (?P<value>.*?)(?:; |$))?(?:.*?\bexpected (?P<expected>.*)|.*)$", re.S)


def _short_repr(limit: int) -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel = 3
    short.maxlist = short.maxtuple = short.maxset = short.maxfrozenset = short.maxdict = 6
    short.maxstring = short.maxother = limit
    short.maxlong = 40
    return short


def describe_value(value: Any, limit: int = 60) -> str:
    """A short, readable rendering of a bad value for an error message (never a huge ``repr``)."""
    try:
        if isinstance(value, (int,)) and not isinstance(value, bool) and value.bit_length() > 128:
            return f"<an integer of {value.bit_length():,} bits>"
        if isinstance(value, (str, bytes)) and len(value) > 4 * limit:
            text = repr(value[: 2 * limit])
        elif hasattr(value, "shape") and hasattr(value, "dtype") and getattr(value, "size", 0) > 20:
            return f"<array of shape {value.shape}, dtype {value.dtype}>"
        elif isinstance(value, (list, tuple, dict, set, frozenset)):
            if len(value) > 20:
                return f"<{type(value).__name__} of {len(value):,} items>"
            text = _short_repr(limit).repr(value)  # bounded depth and width: aliased or recursive data stay short
        else:
            text = repr(value)
    except Exception:  # a hostile object whose repr fails
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class MeshcostError(Exception):
    """Base class of every error meshcost raises on purpose.

    ``parameter`` (the input or option at fault), ``value`` (a short rendering of what was
    given) and ``expected`` (what is accepted) are set where they apply, else ``None``.
    """

    def __init__(self, message: str = "", *, parameter: str | None = None, value: Any = None,
                 expected: str | None = None) -> None:
        message = " ".join(str(message).split())  # one line, always
        super().__init__(message)
        if parameter is None or value is None or expected is None:  # read them off "<name>: got <value>; expected ..."
            match = _MESSAGE.match(str(message))
            if match:
                parameter = parameter if parameter is not None else match.group("parameter")
                value = value if value is not None else match.group("value")
                expected = expected if expected is not None else match.group("expected")
        self.parameter = parameter
        self.value = value
        self.expected = expected

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), str(self), self.parameter, self.value, self.expected))


def _rebuild(cls: type, message: str, parameter: str | None, value: Any, expected: str | None) -> MeshcostError:
    error = cls(message, parameter=parameter, value=value, expected=expected)
    assert isinstance(error, MeshcostError)
    return error


class InputValueError(MeshcostError, ValueError):
    """An input has the right type but a value outside what is accepted."""


class InputTypeError(MeshcostError, TypeError):
    """An input has a type meshcost cannot use (a string where a number is needed, ...)."""


class UnitMismatchError(InputTypeError):
    """A Quantity has the wrong kind of unit (a time where a memory is expected, ...)."""


class BroadcastError(InputValueError):
    """Array inputs whose shapes do not broadcast together."""


class UnknownNameError(MeshcostError, ValueError, KeyError):
    """A name (mesh, component, version, provider, ...) that meshcost does not know."""


class MissingDependencyError(MeshcostError, ImportError):
    """An optional dependency (matplotlib for plots) is not installed; the message names the extra."""

    def __init__(self, message: str = "", *, name: str | None = None, **fields: Any) -> None:
        MeshcostError.__init__(self, message, **fields)
        self.name = name

    def __reduce__(self) -> Any:
        return (type(self), (str(self),), {"name": self.name, "parameter": self.parameter, "value": self.value,
                                           "expected": self.expected})


class DataFileError(MeshcostError, ValueError):
    """A coefficient, profile or price file that cannot be used; names the file, entry and field."""
