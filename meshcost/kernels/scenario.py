"""The scenario the kernels compute on: validated float arrays in fixed units."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

__all__ = ["Scenario", "flatten", "rows"]


@dataclass(frozen=True)
class Scenario:
    """Scenario inputs as float64 arrays that broadcast to ``shape`` (see :data:`meshcost.figures.INPUTS`).

    Counts, requests per second, shares; built and checked by :func:`meshcost.scenario.make_scenario`.
    """

    nodes: np.ndarray
    sidecars: np.ndarray
    services: np.ndarray
    visible_services: np.ndarray
    rps: np.ndarray
    waypoints: np.ndarray
    l7_share: np.ndarray
    ports_per_service: np.ndarray
    tcp_share: np.ndarray
    subsets_per_service: np.ndarray
    churn: np.ndarray
    shape: tuple[int, ...]

    def inputs(self) -> dict[str, np.ndarray]:
        """The inputs by name, each broadcast to :attr:`shape` (read-only views)."""
        return {f.name: np.broadcast_to(getattr(self, f.name), self.shape) for f in fields(self) if f.name != "shape"}

    def flattened(self) -> "Scenario":
        """The scenarios along one axis (C order): varying inputs as 1-d arrays, scalars kept as scalars."""
        return replace(self, shape=(math.prod(self.shape),), **{
            f.name: flatten(getattr(self, f.name), self.shape) for f in fields(self) if f.name != "shape"})

    def rows(self, start: int, stop: int) -> "Scenario":
        """Scenarios ``start:stop`` of a :meth:`flattened` scenario (views)."""
        return replace(self, shape=(stop - start,), **{
            f.name: rows(getattr(self, f.name), start, stop) for f in fields(self) if f.name != "shape"})


def flatten(array: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A scenario-shaped (or broadcastable) array with its scenarios along one axis; a scalar stays one."""
    if np.ndim(array) == 0:
        return np.asarray(array)
    return np.broadcast_to(array, shape).reshape(math.prod(shape))


def rows(array: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Scenarios ``start:stop`` of a :func:`flatten`-ed array (a scalar stays one)."""
    return array if array.ndim == 0 else array[start:stop]
