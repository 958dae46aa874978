"""meshcost: project what a Kubernetes service mesh costs before the cluster exists.

>>> import meshcost
>>> r = meshcost.project(nodes=500, sidecars=5000)
>>> r.meshes
('istio-sidecar', 'istio-ambient', 'linkerd')
"""

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
from .reference.profiles import (
    BUILTIN_MESHES,
    ComponentProfile,
    MeshProfile,
    builtin_profiles,
    get_profile,
    load_profile,
    save_profile,
    versions,
)
from .breakeven import BreakEven, break_even
from .cluster import ClusterReport, cluster_report
from .io.kubectl import Inventory, read_inventories, read_inventory
from .reference.nodes import NodeShape, allocatable, node_shape
from .paths import PathLatency, latency_at
from .reference.prices import PriceSheet, monthly_cost, price_sheet
from .projection import project
from .result import FRAME_COLUMNS, Band, ComponentResult, MeshResult, Projection
from .scenario import INPUT_DOCS
from .reference.sources import Source, get_source, sources_frame
from .validation import validate, validation_summary
from .units import Quantity, ureg

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "project",
    "latency_at",
    "PathLatency",
    "break_even",
    "BreakEven",
    "cluster_report",
    "ClusterReport",
    "read_inventory",
    "read_inventories",
    "Inventory",
    "NodeShape",
    "node_shape",
    "allocatable",
    "PriceSheet",
    "price_sheet",
    "monthly_cost",
    "Projection",
    "MeshResult",
    "ComponentResult",
    "Band",
    "FRAME_COLUMNS",
    "INPUT_DOCS",
    "BUILTIN_MESHES",
    "MeshProfile",
    "ComponentProfile",
    "builtin_profiles",
    "get_profile",
    "load_profile",
    "save_profile",
    "versions",
    "Source",
    "get_source",
    "sources_frame",
    "validate",
    "validation_summary",
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
