"""Deprecated alias of :mod:`meshcost.reference.profiles` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .reference.profiles import *  # noqa: F401,F403
from .reference.profiles import __all__  # noqa: F401

warnings.warn("meshcost.profiles moved to meshcost.reference.profiles; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
