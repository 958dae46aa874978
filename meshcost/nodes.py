"""Deprecated alias of :mod:`meshcost.reference.nodes` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .reference.nodes import *  # noqa: F401,F403
from .reference.nodes import __all__  # noqa: F401

warnings.warn("meshcost.nodes moved to meshcost.reference.nodes; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
