"""Monte Carlo over the coefficient ranges: percentile bands for every output.

Distribution (a modelling choice). Each coefficient's (low, typical, high) becomes a
Beta-PERT distribution on [low, high] with mode ``typical``: the standard three-point
estimate of cost engineering. It is bounded by the published extremes (no figure outside
what a source reported), peaks at the typical value, and follows the skew of the range
(Envoy's memory range 40-50-120 MB is right-skewed). ``low == high`` is a constant.
Coefficients are independent of one another (assumption), except a proxy's p50 and p99
latency, which come from the same measurements and are coupled by rank (a sample slow at
the median is slow at the tail; this keeps p50 <= p99). Coefficients are shared by every
scenario and every instance (the uncertainty is about the figure, not noise between pods), so each
sample is one possible "true" set of coefficients.

Evaluation. The samples are the band axis of the same kernels the deterministic projection
uses (:func:`meshcost.kernels.mesh.evaluate`): every usage, latency and money figure is
computed for every sample of a block of scenarios, then reduced to exact percentiles.

Memory. Samples are drawn in fixed blocks of :data:`SAMPLE_BLOCK`, each from its own stream
of the seed, so any block can be redrawn alone and the results never depend on the chunking.
The kernels run on at most ``max_chunk_values`` sample-scenario values at once (a few dozen
arrays of ``8 x max_chunk_values`` bytes); exact percentiles keep every sample of each Monte
Carlo figure for the scenarios in hand: ``15 figures x max(samples, max_chunk_values) x 8``
bytes per mesh at most (480 MB at the largest sample count, 4 million), whatever the number of
scenarios. Peak memory is measured by ``benchmarks/bench_uncertainty.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import numpy as np

from ..figures import figures
from ..reference.profiles import MeshProfile
from .mesh import MoneyInputs, evaluate
from .scenario import Scenario, flatten, rows
from .usage import Key, Setup, Values

__all__ = ["pert_samples", "draw", "row_percentiles", "MonteCarlo", "MeshInputs", "monte_carlo",
           "DEFAULT_PERCENTILES", "DEFAULT_CHUNK_VALUES", "SAMPLE_BLOCK"]

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
#: Sample-scenario values the kernels see at once (2^18 = 262,144 values, 2 MiB per array).
DEFAULT_CHUNK_VALUES = 2**18
#: Samples drawn together, each block from its own stream of the seed (so a block can be redrawn).
SAMPLE_BLOCK = 2**16
#: The fewest samples per kernel call (below it the calls' overhead dominates; 1024 values = 8 KiB).
MIN_STEP = 1024
_PERT_WEIGHT = 4.0  # the classic PERT shape: mode weighted 4 against each end


def pert_samples(low: float, typical: float, high: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``size`` samples of Beta-PERT(low, typical, high) (a constant when low == high)."""
    if high <= low:
        return np.full(size, float(typical))
    span = high - low
    alpha = 1.0 + _PERT_WEIGHT * (typical - low) / span
    beta = 1.0 + _PERT_WEIGHT * (high - typical) / span
    return low + span * rng.beta(alpha, beta, size)


@dataclass(frozen=True)
class MonteCarlo:
    """Percentiles of each figure per mesh: ``figures[mesh][figure]`` has shape (len(percentiles), *shape)."""

    samples: int
    seed: Any
    percentiles: tuple[float, ...]
    figures: dict[str, dict[str, np.ndarray]]


def draw(values: Values, samples: int, rng: np.random.Generator) -> dict[Key, np.ndarray]:
    """Samples of every coefficient (scalar low / typical / high), in a fixed order.

    A proxy's p50 and p99 latency are coupled by rank within the samples drawn together (a
    sample slow at the median is slow at the tail), which also keeps p50 <= p99.
    """
    drawn = {}
    for key in sorted(values):  # a fixed order: the same seed gives the same samples
        low, typical, high = (float(v) for v in np.asarray(values[key]))
        drawn[key] = pert_samples(low, typical, high, samples, rng)
    for component, resource, driver in list(drawn):
        if resource == "latency_p50" and (component, "latency_p99", driver) in drawn:
            p50, p99 = drawn[(component, resource, driver)], drawn[(component, "latency_p99", driver)]
            coupled = np.empty_like(p99)
            coupled[np.argsort(p50, kind="stable")] = np.sort(p99, kind="stable")
            drawn[(component, "latency_p99", driver)] = np.maximum(coupled, p50)
    return drawn


def row_percentiles(values: np.ndarray, percentiles: tuple[float, ...]) -> np.ndarray:
    """Percentiles along the first axis (numpy's default 'linear' rule), exact with ``inf`` values.

    Returns shape ``(len(percentiles), *values.shape[1:])``. One partition serves all percentiles.
    """
    n = values.shape[0]
    h = (n - 1) * np.asarray(percentiles) / 100.0
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    part = np.partition(values, np.unique(np.concatenate([lo, hi])), axis=0)
    v_lo, v_hi = part[lo], part[hi]
    frac = (h - lo).reshape((-1,) + (1,) * (values.ndim - 1))
    with np.errstate(invalid="ignore"):
        mixed = v_lo + frac * (v_hi - v_lo)
    return np.where(frac == 0, v_lo, np.where(np.isinf(v_hi), v_hi, mixed))


#: One mesh as Monte Carlo needs it: profile, deterministic values, setups, instances, money inputs.
MeshInputs = tuple[MeshProfile, Values, Mapping[str, Setup], Mapping[str, np.ndarray], MoneyInputs]


def monte_carlo(meshes: list[MeshInputs], scenario: Scenario, samples: int, seed: Any = None,
                percentiles: tuple[float, ...] = DEFAULT_PERCENTILES, max_chunk_values: int = DEFAULT_CHUNK_VALUES,
                progress: Callable[[int, int], None] | None = None) -> MonteCarlo:
    """Percentiles of every Monte Carlo figure of the registry, per mesh.

    Instances (control-plane replicas included) are those of the deterministic projection;
    a proxy's CPU is capped per sample at what its instances can use. Coefficient overrides
    must be scalars. ``progress(done, total)`` is called after each chunk of scenarios.
    """
    entropy = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]
    blocks = [(start, min(samples, start + SAMPLE_BLOCK)) for start in range(0, samples, SAMPLE_BLOCK)]
    size = int(np.prod(scenario.shape, dtype=np.int64))
    width = max(1, min(size, max_chunk_values // samples))
    step = max(MIN_STEP, max_chunk_values // width)  # samples per kernel call
    names = [f.name for f in figures("mesh") if f.montecarlo]
    out = {profile.name: {f: np.empty((len(percentiles), size)) for f in names} for profile, *_ in meshes}
    single = size <= width  # one chunk of scenarios: each block is drawn once
    cache: dict[tuple[int, int], dict[Key, np.ndarray]] = {}
    flat = scenario.flattened()  # once: each chunk slices it
    flat_instances = [{name: flatten(np.asarray(count, dtype=float), scenario.shape) for name, count in mesh[3].items()}
                      for mesh in meshes]
    flat_skew = [flatten(np.asarray(mesh[4].skew, dtype=float), scenario.shape) for mesh in meshes]
    for start in range(0, size, width):
        stop = min(size, start + width)
        chunk = flat.rows(start, stop)
        for index, (profile, values, setup, _, money) in enumerate(meshes):
            chunk_instances = {name: rows(count, start, stop) for name, count in flat_instances[index].items()}
            chunk_money = replace(money, skew=rows(flat_skew[index], start, stop))
            kept = {name: np.empty((samples, stop - start)) for name in names}
            for number, (first, last) in enumerate(blocks):
                drawn = cache.pop((index, number), None)
                if drawn is None:
                    drawn = draw(values, last - first, np.random.default_rng([entropy, index, number]))
                for lo in range(0, last - first, step):
                    hi = min(last - first, lo + step)
                    part = {key: array[lo:hi] for key, array in drawn.items()}
                    result = evaluate(profile, chunk, setup, part, chunk_instances, chunk_money)
                    for name in names:
                        kept[name][first + lo:first + hi] = result.totals[name]
                if not single and len(blocks) == 1:
                    cache[(index, number)] = drawn  # small enough to keep for the next chunk
            for name in names:
                out[profile.name][name][:, start:stop] = row_percentiles(kept[name], percentiles)
            del kept
        if progress is not None:
            progress(stop, size)
    shaped = {mesh: {f: a.reshape((len(percentiles),) + scenario.shape) for f, a in by.items()}
              for mesh, by in out.items()}
    return MonteCarlo(samples, seed, tuple(percentiles), shaped)
