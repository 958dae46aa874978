"""Deprecated alias of :mod:`meshcost.io.kubectl` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .io.kubectl import *  # noqa: F401,F403
from .io.kubectl import __all__  # noqa: F401

warnings.warn("meshcost.inventory moved to meshcost.io.kubectl; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
