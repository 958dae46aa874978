"""meshcost: project what a Kubernetes service mesh costs before the cluster exists.

>>> import meshcost
>>> r = meshcost.project(nodes=500, sidecars=5000)
>>> r.meshes
('istio-sidecar', 'istio-ambient', 'linkerd')

The package in layers: :mod:`meshcost.reference` (mesh profiles, published figures, prices,
node shapes), :mod:`meshcost.kernels` (pure numpy), :mod:`meshcost.io` (readers), and the face
below -- :func:`project` and its results, :mod:`meshcost.latency`, :mod:`meshcost.plot`,
:mod:`meshcost.export`, :mod:`meshcost.calibrate`, the command line. Names that are not listed
in ``__all__`` are not public. Public names load on first use (``import meshcost`` loads the
errors and the unit registry only).
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # pragma: no cover - the lazy names below, for type checkers
    from . import examples
    from .band import Band
    from .options import Money, Uncertainty
    from .projection import project
    from .reference.profiles import (BUILTIN_MESHES, ComponentProfile, MeshProfile, builtin_profiles, get_profile,
                                     load_profile, save_profile, versions)
    from .lazy import LazyProjection
    from .results import ComponentResult, MeshResult, Projection
    from .breakeven import BreakEven, break_even
    from .cluster import ClusterReport, cluster_report
    from .io.kubectl import Inventory, read_inventories, read_inventory
    from .latency import PathLatency, latency_at
    from .reference.nodes import NodeShape, node_shape
    from .reference.prices import PriceSheet, price_sheet
    from .reference.sources import Source, get_source, sources_frame
    from .sweeps import sweep
    from .validation import validate

__version__ = "0.2.0"

#: Public names loaded on first use: name -> module. Only the errors and the unit registry load
#: with the package, so ``import meshcost`` costs about what ``import numpy, pint`` and one unit
#: lookup cost; the model loads on the first ``project()`` (or any of these names).
_LAZY = {
    "project": ".projection", "Band": ".band", "Money": ".options", "Uncertainty": ".options",
    "Projection": ".results", "MeshResult": ".results", "ComponentResult": ".results", "LazyProjection": ".lazy",
    **{name: ".reference.profiles" for name in ("BUILTIN_MESHES", "ComponentProfile", "MeshProfile",
                                                 "builtin_profiles", "get_profile", "load_profile", "save_profile",
                                                 "versions")},
    "latency_at": ".latency", "PathLatency": ".latency",
    "break_even": ".breakeven", "BreakEven": ".breakeven",
    "cluster_report": ".cluster", "ClusterReport": ".cluster",
    "read_inventory": ".io.kubectl", "read_inventories": ".io.kubectl", "Inventory": ".io.kubectl",
    "NodeShape": ".reference.nodes", "node_shape": ".reference.nodes",
    "PriceSheet": ".reference.prices", "price_sheet": ".reference.prices",
    "Source": ".reference.sources", "get_source": ".reference.sources", "sources_frame": ".reference.sources",
    "sweep": ".sweeps",
    "validate": ".validation",
}
#: Names that used to be top-level, with their new home (deprecated, removed in 0.3).
_MOVED = {
    "FRAME_COLUMNS": (".results", "FRAME_COLUMNS"),
    "INPUT_DOCS": (".scenario", "INPUT_DOCS"),
    "units": (".units", None),
    "allocatable": (".reference.nodes", "allocatable"),
    "monthly_cost": (".reference.prices", "monthly_cost"),
    "validation_summary": (".validation", "validation_summary"),
}

__all__ = [
    "__version__",
    # projecting
    "project",
    "sweep",
    "latency_at",
    "break_even",
    "validate",
    "cluster_report",
    "read_inventory",
    "read_inventories",
    "Money",
    "Uncertainty",
    # results
    "Projection",
    "LazyProjection",
    "MeshResult",
    "ComponentResult",
    "Band",
    "PathLatency",
    "BreakEven",
    "ClusterReport",
    "Inventory",
    # reference data
    "BUILTIN_MESHES",
    "MeshProfile",
    "ComponentProfile",
    "builtin_profiles",
    "get_profile",
    "load_profile",
    "save_profile",
    "versions",
    "NodeShape",
    "node_shape",
    "PriceSheet",
    "price_sheet",
    "Source",
    "get_source",
    "sources_frame",
    # units
    "ureg",
    "Quantity",
    # errors
    "MeshcostError",
    "InputValueError",
    "InputTypeError",
    "UnitMismatchError",
    "BroadcastError",
    "UnknownNameError",
    "DataFileError",
]


def __getattr__(name: str) -> Any:
    if name == "examples":  # the shipped example inputs (meshcost.examples.path("cluster.json"))
        return importlib.import_module(".examples", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _MOVED:
        module, attribute = _MOVED[name]
        home = f"meshcost{module}" + (f".{attribute}" if attribute else "")
        warnings.warn(f"meshcost.{name} moved to {home}; the top-level name will be removed in 0.3",
                      DeprecationWarning, stacklevel=2)
        loaded = importlib.import_module(module, __name__)
        return getattr(loaded, attribute) if attribute else loaded
    raise AttributeError(f"module 'meshcost' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
