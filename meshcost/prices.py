"""Deprecated alias of :mod:`meshcost.reference.prices` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .reference.prices import *  # noqa: F401,F403
from .reference.prices import __all__  # noqa: F401

warnings.warn("meshcost.prices moved to meshcost.reference.prices; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
