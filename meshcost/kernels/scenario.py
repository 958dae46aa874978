"""The scenario the kernels compute on: validated float arrays in fixed units."""

from __future__ import annotations

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

    def flat(self, start: int, stop: int) -> "Scenario":
        """Scenarios ``start:stop`` of the flattened inputs, as a 1-d scenario."""
        size = int(np.prod(self.shape, dtype=np.int64))
        chunk = {name: array.reshape(size)[start:stop] for name, array in self.inputs().items()}
        return replace(self, shape=(stop - start,), **chunk)

    def subset(self, columns: np.ndarray) -> "Scenario":
        """The scenarios at ``columns`` of a 1-d scenario."""
        return replace(self, shape=(len(columns),), **{name: a[columns] for name, a in self.inputs().items()})
