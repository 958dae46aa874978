"""The meshcost error family.

Every error meshcost raises on purpose is a :class:`MeshcostError`, and also a
``ValueError`` or ``TypeError`` so that callers who catch the built-ins keep working.
Messages name the parameter, the bad value and what is accepted.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MeshcostError",
    "InputValueError",
    "InputTypeError",
    "UnitMismatchError",
    "BroadcastError",
    "UnknownNameError",
    "DataFileError",
    "describe_value",
]


class MeshcostError(Exception):
    """Base class of every error meshcost raises on purpose."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


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


class DataFileError(MeshcostError, ValueError):
    """A coefficient, profile or price file that cannot be used; names the file, entry and field."""


def describe_value(value: Any, limit: int = 60) -> str:
    """A short, readable rendering of a bad value for an error message."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
