"""meshcost: project what a Kubernetes service mesh costs before the cluster exists."""

from __future__ import annotations

from . import units
from .errors import (
    BroadcastError,
    DataFileError,
    InputTypeError,
    InputValueError,
    MeshcostError,
    UnitMismatchError,
    UnknownNameError,
)
from .units import Quantity, ureg

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ureg",
    "Quantity",
    "units",
    "MeshcostError",
    "InputValueError",
    "InputTypeError",
    "UnitMismatchError",
    "BroadcastError",
    "UnknownNameError",
    "DataFileError",
]
