"""A figure's range: low / typical / high along one axis, wrapped in Quantities on the way out."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from .figures import BANDS
from .units import Quantity

__all__ = ["Band", "stack_bands", "full"]


def full(array: Any, shape: tuple[int, ...]) -> Any:
    """``array`` broadcast to ``shape``: a float for a single scenario, else a new array."""
    array = np.asarray(array, dtype=float)
    if shape == ():
        return float(array)
    if array.shape == shape:
        return array
    return np.broadcast_to(array, shape).copy()


def stack_bands(bands: Sequence[Any] | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Bands as one float array with the band axis first: ``(len(bands), *shape)``."""
    if isinstance(bands, np.ndarray) and bands.shape[1:] == shape:
        return bands
    return np.stack([np.broadcast_to(np.asarray(b, dtype=float), shape) for b in bands])


class Band:
    """A low / typical / high range of a figure, in one unit, for every scenario.

    ``values`` has the band axis first (low, typical, high), then the scenario shape.
    ``.low``, ``.typical``, ``.high`` are pint Quantities (floats for one scenario, arrays
    otherwise); Monte Carlo percentiles, when computed, are in :attr:`percentiles`.
    """

    __slots__ = ("_values", "_unit", "_shape", "_percentiles")

    def __init__(self, values: Sequence[Any] | np.ndarray, unit: Any, shape: tuple[int, ...],
                 percentiles: Mapping[float, np.ndarray] | None = None) -> None:
        self._values = stack_bands(values, shape)
        self._unit = unit
        self._shape = shape
        self._percentiles = dict(percentiles) if percentiles else {}

    def _quantity(self, array: Any) -> Any:
        return Quantity(full(array, self._shape), self._unit)

    @property
    def low(self) -> Any:
        """The low end of the range (Quantity)."""
        return self._quantity(self._values[0])

    @property
    def typical(self) -> Any:
        """The typical value (Quantity)."""
        return self._quantity(self._values[1])

    @property
    def high(self) -> Any:
        """The high end of the range (Quantity)."""
        return self._quantity(self._values[2])

    @property
    def unit(self) -> Any:
        """The pint unit of the magnitudes."""
        return self._unit

    @property
    def values(self) -> np.ndarray:
        """The magnitudes with the band axis first: ``(3, *shape)`` (read-only view)."""
        view = self._values.view()
        view.flags.writeable = False
        return view

    @property
    def percentiles(self) -> dict[float, Any]:
        """Monte Carlo percentiles {percent: Quantity}; empty unless ``project(samples=...)`` ran."""
        return {p: self._quantity(a) for p, a in self._percentiles.items()}

    def percentile_magnitudes(self) -> dict[float, Any]:
        """Monte Carlo percentiles as plain numbers or arrays, {percent: magnitude}."""
        return {p: full(a, self._shape) for p, a in self._percentiles.items()}

    def percentile(self, percent: float) -> Any:
        """The Monte Carlo ``percent`` percentile (Quantity); needs ``project(samples=..., percentiles=...)``."""
        if float(percent) not in self._percentiles:
            raise AttributeError(f"percentile {percent} was not computed (have {sorted(self._percentiles)}); "
                                 "pass samples= and percentiles= to meshcost.project")
        return self._quantity(self._percentiles[float(percent)])

    @property
    def p5(self) -> Any:
        """Monte Carlo 5th percentile (Quantity); AttributeError without samples."""
        return self.percentile(5)

    @property
    def p50(self) -> Any:
        """Monte Carlo median (Quantity); AttributeError without samples."""
        return self.percentile(50)

    @property
    def p95(self) -> Any:
        """Monte Carlo 95th percentile (Quantity); AttributeError without samples."""
        return self.percentile(95)

    def magnitudes(self) -> tuple[Any, Any, Any]:
        """(low, typical, high) as floats or arrays in :attr:`unit`."""
        return (full(self._values[0], self._shape), full(self._values[1], self._shape),
                full(self._values[2], self._shape))

    def band(self, name: str) -> Any:
        """One band's magnitudes by name (``"low"``, ``"typical"``, ``"high"``, ``"p95"``)."""
        if name in BANDS:
            return full(self._values[BANDS.index(name)], self._shape)
        if name.startswith("p") and float(name[1:]) in self._percentiles:
            return full(self._percentiles[float(name[1:])], self._shape)
        raise KeyError(name)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.low, self.typical, self.high))

    def __repr__(self) -> str:
        if self._shape == ():
            low, typical, high = (float(a) for a in self._values)
            return f"Band(low={low:.4g}, typical={typical:.4g}, high={high:.4g} {self._unit:~})"
        return f"Band(shape={self._shape}, unit={self._unit:~})"
