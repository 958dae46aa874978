"""Deprecated alias of :mod:`meshcost.io.quantity` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .io.quantity import *  # noqa: F401,F403
from .io.quantity import __all__  # noqa: F401

warnings.warn("meshcost.quantity moved to meshcost.io.quantity; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
