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

Evaluation. Memory and CPU are linear in the coefficients (:func:`meshcost.model.component_terms`),
so for a block of scenarios they are one matrix product per component, samples x coefficients
times coefficients x scenarios; a proxy's CPU is then capped, per sample, at what its worker
threads can use. Latency is linear too until a proxy is loaded past the published measurement
load or a partial L7 share mixes two paths; those scenarios are evaluated element-wise. Scenarios are processed in chunks of
at most ``max_chunk_values`` sample-scenario values, so memory stays bounded (about
``12 x 8 x max_chunk_values`` bytes) whatever the number of samples and scenarios, and
chunked and unchunked runs give identical results (the same samples serve every chunk).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import InputTypeError, InputValueError, describe_value
from .usage import REFERENCE_RPS, CoefficientValues, Setup, component_latency, component_terms, proxy_load
from ..reference.profiles import MeshProfile
from ..scenario import Scenario

__all__ = ["pert_samples", "row_percentiles", "MonteCarlo", "monte_carlo", "check_samples", "DEFAULT_PERCENTILES",
           "DEFAULT_CHUNK_VALUES"]

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
#: Sample-scenario values per chunk (2^22 = 4M values, 32 MiB per array).
DEFAULT_CHUNK_VALUES = 2**22
_PERT_WEIGHT = 4.0  # the classic PERT shape: mode weighted 4 against each end


def check_samples(samples: Any, seed: Any, percentiles: Any) -> tuple[int, Any, tuple[float, ...]]:
    """Validate ``samples`` (whole number >= 1), ``seed`` and ``percentiles`` (0-100)."""
    if isinstance(samples, (bool, np.bool_)) or not isinstance(samples, (int, np.integer)):
        raise InputTypeError(f"samples: got {describe_value(samples)}; expected a whole number >= 1")
    if samples < 1:
        raise InputValueError(f"samples: got {samples}; expected a whole number >= 1")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.SeedSequence))):
        raise InputTypeError(f"seed: got {describe_value(seed)}; expected a whole number or None")
    try:
        pct = tuple(float(p) for p in np.atleast_1d(np.asarray(percentiles, dtype=float)))
    except (TypeError, ValueError):
        raise InputTypeError(f"percentiles: got {describe_value(percentiles)}; expected numbers from 0 to 100") from None
    if not pct or not all(0 <= p <= 100 for p in pct):
        raise InputValueError(f"percentiles: got {describe_value(percentiles)}; expected numbers from 0 to 100")
    return int(samples), seed, pct


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
    """Percentiles of each output per mesh: ``figures[mesh][figure]`` has shape (len(percentiles), *shape)."""

    samples: int
    seed: Any
    percentiles: tuple[float, ...]
    figures: dict[str, dict[str, np.ndarray]]


def _draw(mesh: str, values: CoefficientValues, samples: int, rng: np.random.Generator) -> dict[tuple, np.ndarray]:
    drawn = {}
    for key in sorted(values):  # a fixed order: the same seed gives the same samples
        low, typical, high = values[key]
        if any(np.ndim(v) for v in (low, typical, high)):
            raise InputValueError(
                f"overrides: {mesh}.{'.'.join(key)} is an array; Monte Carlo needs scalar coefficients "
                "(sweep scenarios instead, or run one projection per coefficient value)")
        drawn[key] = pert_samples(float(low), float(typical), float(high), samples, rng)
    for component, resource, driver in list(drawn):
        if resource == "latency_p50" and (component, "latency_p99", driver) in drawn:
            p50, p99 = drawn[(component, resource, driver)], drawn[(component, "latency_p99", driver)]
            coupled = np.empty_like(p99)
            coupled[np.argsort(p50, kind="stable")] = np.sort(p99, kind="stable")
            drawn[(component, "latency_p99", driver)] = np.maximum(coupled, p50)
    return drawn


def _flat_scenario(scenario: Scenario, start: int, stop: int) -> Scenario:
    size = int(np.prod(scenario.shape, dtype=np.int64))
    fields = {name: array.reshape(size)[start:stop][np.newaxis, :] for name, array in scenario.inputs().items()}
    return replace(scenario, shape=(1, stop - start), **fields)


def _flat(array: Any, shape: tuple[int, ...], start: int, stop: int) -> np.ndarray:
    size = int(np.prod(shape, dtype=np.int64))
    return np.broadcast_to(np.asarray(array, dtype=float), shape).reshape(size)[start:stop][np.newaxis, :]


def _linear(terms: list[tuple[tuple, np.ndarray]], drawn: Mapping[tuple, np.ndarray], width: int) -> np.ndarray:
    """scenarios x samples: each scenario's output for every coefficient sample (one matrix product)."""
    if not terms:
        return np.zeros((width, 1))
    keys = [k for k, _ in terms]
    coefficients = np.stack([drawn[k] for k in keys], axis=0)  # terms x samples
    drivers = np.stack([np.broadcast_to(d, (1, width))[0] for _, d in terms], axis=1)  # scenarios x terms
    return drivers @ coefficients


def row_percentiles(values: np.ndarray, percentiles: tuple[float, ...]) -> np.ndarray:
    """Percentiles along the last axis (numpy's default 'linear' rule), exact with ``inf`` values.

    Returns shape (len(percentiles), rows). One partition of each row serves all percentiles.
    """
    n = values.shape[-1]
    h = (n - 1) * np.asarray(percentiles) / 100.0
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    part = np.partition(values, np.unique(np.concatenate([lo, hi])), axis=-1)
    v_lo = part[..., lo].T
    v_hi = part[..., hi].T
    frac = (h - lo)[:, np.newaxis]
    with np.errstate(invalid="ignore"):
        mixed = v_lo + frac * (v_hi - v_lo)
    return np.where(frac == 0, v_lo, np.where(np.isinf(v_hi), v_hi, mixed))


def _subset(chunk: Scenario, columns: np.ndarray) -> Scenario:
    fields = {name: array[:, columns] for name, array in chunk.inputs().items()}
    return replace(chunk, shape=(1, len(columns)), **fields)


def _latency(profile: MeshProfile, chunk: Scenario, drawn: Mapping[tuple, np.ndarray], samples: int, width: int,
             budget: int, setup: Mapping[str, Setup], instances: Mapping[str, np.ndarray]
             ) -> tuple[np.ndarray, np.ndarray]:
    """Per-hop latency, scenarios x samples (one shared row when every scenario has the same path)."""
    out = []
    share = np.broadcast_to(chunk.l7_share, (1, width))
    for resource in ("latency_p50", "latency_p99"):
        terms = []
        for comp in profile.components:
            if getattr(comp, resource) is not None and comp.traffic != "none":
                on_path = np.ones((1, width)) if comp.traffic == "all" else (share > 0) * 1.0
                terms.append(((comp.name, resource, "hop"), on_path))
        if not terms:
            out.append(np.zeros((1, samples)))
        elif all(np.ptp(d) == 0 for _, d in terms):  # the same path in every scenario: one row serves all
            out.append(_linear([(k, d[:, :1]) for k, d in terms], drawn, 1))
        else:
            out.append(_linear(terms, drawn, width))
    # Past the published load the queueing wait is not linear in the CPU coefficient, and a
    # partial L7 share mixes two paths: evaluate those scenarios element-wise, a few at a
    # time (the queueing maths makes about a dozen temporaries of samples x scenarios).
    nonlinear = np.zeros(width, dtype=bool)
    for comp in profile.components:
        if comp.latency_p50 is not None and comp.traffic != "none":
            load = proxy_load(comp, chunk, np.broadcast_to(instances[comp.name], (1, width)))
            nonlinear |= np.broadcast_to(load > REFERENCE_RPS, (1, width))[0]
            if comp.traffic == "l7":
                nonlinear |= ((share > 0) & (share < 1))[0]
    if not nonlinear.any():
        return out[0], out[1]
    p50, p99 = (np.array(np.broadcast_to(o, (width, samples))) for o in out)
    values = {k: (v[:, np.newaxis],) for k, v in drawn.items()}
    columns = np.flatnonzero(nonlinear)
    step = max(1, budget // (16 * samples))
    for first in range(0, len(columns), step):
        sub = columns[first:first + step]
        sub_instances = {name: np.broadcast_to(count, (1, width))[:, sub] for name, count in instances.items()}
        per = component_latency(profile, _subset(chunk, sub), values, bands=1, setup=setup, instances=sub_instances)
        shape = (samples, len(sub))
        p50[sub] = sum((np.broadcast_to(c[0][0], shape) for c in per.values()), np.zeros(shape)).T
        p99[sub] = sum((np.broadcast_to(c[1][0], shape) for c in per.values()), np.zeros(shape)).T
    return p50, p99


#: One mesh as Monte Carlo needs it: profile, coefficient values, component setups, instances.
MeshInputs = tuple[MeshProfile, CoefficientValues, Mapping[str, Setup], Mapping[str, np.ndarray]]


def monte_carlo(meshes: list[MeshInputs], scenario: Scenario, samples: int,
                seed: Any = None, percentiles: tuple[float, ...] = DEFAULT_PERCENTILES,
                max_chunk_values: int = DEFAULT_CHUNK_VALUES,
                progress: Callable[[int, int], None] | None = None) -> MonteCarlo:
    """Percentiles of memory [MiB], CPU [vCPU] and per-hop latency [ms] for each mesh.

    Instances (control-plane replicas included) are those of the deterministic projection;
    a proxy's CPU is capped per sample at what its instances can use.
    ``progress(done, total)`` is called after each chunk of scenarios, if given.
    """
    rng = np.random.default_rng(seed)
    drawn_by_mesh = {profile.name: _draw(profile.name, values, samples, rng) for profile, values, _, _ in meshes}
    size = int(np.prod(scenario.shape, dtype=np.int64))
    width = max(1, min(size, max_chunk_values // samples))
    figures = {profile.name: {f: np.empty((len(percentiles), size))
                              for f in ("memory", "cpu", "latency_p50", "latency_p99")}
               for profile, _, _, _ in meshes}
    for start in range(0, size, width):
        stop = min(size, start + width)
        chunk = _flat_scenario(scenario, start, stop)
        for profile, _, setup, instances in meshes:
            drawn = drawn_by_mesh[profile.name]
            chunk_instances = {name: _flat(count, scenario.shape, start, stop) for name, count in instances.items()}
            terms = component_terms(profile, chunk, setup, chunk_instances)
            memory = np.zeros((stop - start, samples))
            cpu = np.zeros((stop - start, samples))
            for comp in profile.components:
                memory_terms, cpu_terms = terms[comp.name]
                memory += _linear(memory_terms, drawn, stop - start)
                demand = _linear(cpu_terms, drawn, stop - start)
                cap = setup[comp.name].cpu_cap
                if np.isfinite(cap):
                    demand = np.minimum(demand, chunk_instances[comp.name][0][:, np.newaxis] * cap)
                cpu += demand
            outputs = {"memory": memory, "cpu": cpu}
            outputs["latency_p50"], outputs["latency_p99"] = _latency(
                profile, chunk, drawn, samples, stop - start, max_chunk_values, setup, chunk_instances)
            for figure, values in outputs.items():  # rows: scenarios of the chunk (or one shared row)
                figures[profile.name][figure][:, start:stop] = row_percentiles(values, percentiles)
        if progress is not None:
            progress(stop, size)
    shaped = {mesh: {f: a.reshape((len(percentiles),) + scenario.shape) for f, a in by.items()}
              for mesh, by in figures.items()}
    return MonteCarlo(samples, seed, tuple(percentiles), shaped)
