"""Kubernetes resource quantities ("100m", "128Mi", "1.5G", "1e3") as exact numbers.

pint reads these strings wrongly ("100m" is metres, "1M" molar, "1G" gauss), so meshcost
parses them itself, following the grammar of Kubernetes' ``resource.ParseQuantity``
(k8s.io/apimachinery)::

    <quantity>     ::= <signedNumber><suffix>
    <signedNumber> ::= <number> | +<number> | -<number>
    <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>       ::= <binarySI> | <decimalSI> | <decimalExponent>
    <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= e<signedDigits> | E<signedDigits>

Digits are ASCII only; no whitespace, no ``K`` (Kubernetes' kilo is ``k``), no ``1e3k``.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from decimal import Decimal

import numpy as np
from functools import lru_cache
from typing import Any

from ..errors import InputTypeError, InputValueError, describe_value
from ..units import strip

__all__ = ["ACCEPTED_FORMS", "CPU_RESOLUTION", "parse_cpu", "parse_memory", "parse_quantity"]

ACCEPTED_FORMS = (
    "a Kubernetes quantity: an optional sign, digits with an optional decimal point, then an "
    "optional suffix: binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E, or an exponent "
    "e3 / E-3 (e.g. '100m', '128Mi', '0.5Gi', '1e3')"
)

_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<binary>[KMGTPE]i)|(?P<decimal>[numkMGTPE]?)|[eE](?P<exponent>[+-]?[0-9]+))"
)
_DECIMAL_EXPONENT = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_FACTOR = {f"{p}i": 1024 ** (i + 1) for i, p in enumerate("KMGTPE")}
_BYTES_PER_MIB = 1024.0 * 1024.0


#: The smallest CPU amount Kubernetes expresses: one millicore [vCPU].
CPU_RESOLUTION = 0.001


def _invalid(text: Any, name: str) -> InputValueError:
    return InputValueError(f"{name}: got {describe_value(text)}; expected {ACCEPTED_FORMS}")


#: The longest quantity string read (Kubernetes' own are a few characters).
MAX_QUANTITY_LENGTH = 64


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Decimal | None:
    """The exact value of a quantity string, or None when it is malformed or out of any range."""
    match = _QUANTITY.fullmatch(text) if len(text) <= MAX_QUANTITY_LENGTH else None
    if match is None:
        return None
    if match["exponent"] is not None and abs(int(match["exponent"])) > 400:  # beyond any float: no exact value
        if int(match["exponent"]) < 0 or Decimal(match["number"]) == 0:
            return Decimal(0)
        return Decimal("-Infinity") if match["number"].startswith("-") else Decimal("Infinity")
    number = match["number"]
    if match["binary"] is not None:
        # Exact: the context is wide enough for every digit of number * 1024**6.
        context = decimal.Context(prec=len(number) + 20, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
        return context.multiply(Decimal(number), _BINARY_FACTOR[match["binary"]])
    if match["exponent"] is not None:
        return Decimal(f"{number}E{match['exponent']}")
    return Decimal(f"{number}E{_DECIMAL_EXPONENT[match['decimal']]}")


def parse_quantity(text: str | float, *, name: str = "quantity") -> Decimal:
    """Parse a Kubernetes quantity string to its exact value.

    Parameters
    ----------
    text : str, int or float
        A Kubernetes quantity such as ``"100m"``, ``"128Mi"``, ``"1e3"``; plain numbers
        pass through unchanged. [unit of the resource: vCPU for CPU, bytes for memory]
    name : str
        The parameter or field named in error messages.

    Returns
    -------
    decimal.Decimal
        The value, exactly (``"100m"`` -> ``Decimal("0.100")``, ``"1Ki"`` -> ``1024``).
    """
    if isinstance(text, str):
        value = _parse_text(text)
        if value is None:
            raise _invalid(text, name)
        if not value.is_finite():
            raise InputValueError(f"{name}: got {describe_value(text)}; expected a finite quantity")
        return value
    if isinstance(text, (bool, np.bool_, np.timedelta64, np.datetime64)) or not isinstance(text, (numbers.Real, Decimal)):
        raise InputTypeError(f"{name}: got {describe_value(text)}; expected {ACCEPTED_FORMS}, or a number")
    try:
        if isinstance(text, Decimal):
            value = text
        elif isinstance(text, numbers.Integral):
            value = Decimal(int(text))
        else:
            value = Decimal(float(text))
    except (OverflowError, ValueError, TypeError):
        raise InputValueError(f"{name}: got {describe_value(text)}; expected a finite number within the float "
                              "range") from None
    if not value.is_finite():
        raise InputValueError(f"{name}: got {describe_value(text)}; expected a finite number")
    return value


def _to_float(value: Any, name: str, kind: str) -> float:
    if isinstance(value, str):
        number = float(parse_quantity(value, name=name))
        if kind == "memory":
            number /= _BYTES_PER_MIB  # Kubernetes memory strings are in bytes
    else:
        array = strip(value, name, kind)
        if array.ndim != 0:
            raise InputValueError(f"{name}: got {describe_value(value)}; expected a single value, not an array")
        number = float(array)
    if not math.isfinite(number) or number < 0:
        unit = "vCPU" if kind == "cpu" else "MiB"
        raise InputValueError(f"{name}: got {describe_value(value)} (= {number} {unit}); expected a finite amount >= 0")
    return number


def parse_cpu(value: Any, *, name: str = "cpu") -> float:
    """A CPU amount in vCPU: ``"100m"`` -> 0.1, ``"2"`` -> 2.0.

    Parameters
    ----------
    value : str, number or Quantity
        A Kubernetes CPU quantity string (cores), a plain number [vCPU], or a pint
        Quantity in vCPU / millicore.
    name : str
        The parameter or field named in error messages.

    Returns
    -------
    float
        The amount [vCPU, >= 0].
    """
    return _to_float(value, name, "cpu")


def parse_memory(value: Any, *, name: str = "memory") -> float:
    """A memory amount in MiB: ``"128Mi"`` -> 128.0, ``"1G"`` -> 953.67..., ``"1Gi"`` -> 1024.0.

    Parameters
    ----------
    value : str, number or Quantity
        A Kubernetes memory quantity string (bytes, with a suffix), a plain number [MiB],
        or a pint Quantity in the byte family (B, kB, MiB, GiB, ...).
    name : str
        The parameter or field named in error messages.

    Returns
    -------
    float
        The amount [MiB, >= 0].
    """
    return _to_float(value, name, "memory")
