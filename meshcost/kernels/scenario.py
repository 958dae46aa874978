"""The scenario the kernels compute on: validated float arrays in fixed units."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

__all__ = ["Scenario"]


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
        size = math.prod(self.shape)
        return replace(self, shape=(size,), **{
            f.name: value if np.ndim(value) == 0 else np.broadcast_to(value, self.shape).reshape(size)
            for f in fields(self) if f.name != "shape" for value in (getattr(self, f.name),)})

    def rows(self, start: int, stop: int) -> "Scenario":
        """Scenarios ``start:stop`` of a :meth:`flattened` scenario (views)."""
        return replace(self, shape=(stop - start,), **{
            f.name: value if np.ndim(value) == 0 else value[start:stop]
            for f in fields(self) if f.name != "shape" for value in (getattr(self, f.name),)})
