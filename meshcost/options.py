"""Option objects for :func:`meshcost.project`: the money settings and the Monte Carlo settings, each one value.

``project(nodes=500, sidecars=5000, money=Money(node="m5.xlarge", install={"linkerd": "ha"}),
uncertainty=Uncertainty(samples=20_000, seed=1))`` is the same as passing those keywords to
``project`` directly; an option object can be built once and reused across calls.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, Mapping

from .checks import fail
from .kernels.uncertainty import DEFAULT_CHUNK_VALUES, DEFAULT_PERCENTILES
from .money import DEFAULT_NODE

__all__ = ["Money", "Uncertainty", "merge"]


@dataclass(frozen=True)
class Money:
    """How usage becomes requests, nodes and money (see :func:`meshcost.project`'s parameters)."""

    install: Mapping[str, str] | None = None
    requests: Mapping[str, Mapping[str, Any]] | None = None
    sizing: str = "chart"
    skew: Any = 1.0
    node: Any = DEFAULT_NODE
    prices: Any = None
    billing: str = "resources"
    hours_per_month: Any = None


@dataclass(frozen=True)
class Uncertainty:
    """Monte Carlo over the coefficient ranges (see :func:`meshcost.project`'s parameters)."""

    samples: int
    seed: int | None = None
    percentiles: Iterable[float] = DEFAULT_PERCENTILES
    chunk_values: int = DEFAULT_CHUNK_VALUES
    progress: Callable[[int, int], None] | None = None


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and other values without a plain truth value
        return False


def merge(option: Any, cls: type, name: str, keywords: dict[str, Any]) -> dict[str, Any]:
    """The keyword values, or the option object's when one is given (keywords must then keep their defaults)."""
    if option is None:
        return keywords
    if not isinstance(option, cls):
        fail(name, option, f"a meshcost.{cls.__name__}(...) or None")
    defaults = {f.name: f.default for f in fields(cls)}
    clashes = [k for k, v in keywords.items()
               if k in defaults and v is not None and v is not defaults[k] and not _same(v, defaults[k])]
    if clashes:
        fail(name, f"{cls.__name__}(...) together with {', '.join(clashes)}=",
             f"the {name} settings either as {name}= or as keywords, not both", described=True)
    return {f.name: getattr(option, f.name) for f in fields(cls)}
