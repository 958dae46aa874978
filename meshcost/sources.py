"""Deprecated alias of :mod:`meshcost.reference.sources` (moved in 0.2); it will be removed in 0.3."""

import warnings

from .reference.sources import *  # noqa: F401,F403
from .reference.sources import __all__  # noqa: F401

warnings.warn("meshcost.sources moved to meshcost.reference.sources; the old name will be removed in 0.3",
              DeprecationWarning, stacklevel=2)
