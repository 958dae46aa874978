"""Fit a proxy's coefficients to your own measurements, and turn them into a mesh profile.

Three steps:

1. **Read** measurements into a tidy frame with one row per sample: load through one proxy
   ``load [1/s]``, that proxy's CPU ``cpu [vCPU]`` and working-set memory ``memory [MiB]``.

   - :func:`read_prometheus` joins three Prometheus HTTP API exports (memory, CPU, load) by
     pod and timestamp and keeps the proxy container; :func:`read_prometheus_series` reads one
     export as is.
   - :func:`read_perf_csv` reads the CSV that Istio's load-test harness (istio/tools,
     ``perf/benchmark``) writes: one row per fortio run, with per-container CPU and memory
     columns for the client's and the server's sidecar.

2. **Fit** with :func:`fit_component` (or :func:`fit_frame`): ordinary least squares
   ``CPU = idle + slope x load``, memory as its mean (plus a memory-vs-load slope, reported so
   you can see whether memory depends on traffic). low / high are the bounds of a Student-t
   confidence interval of each parameter (``scipy.stats.t``), clipped at 0.

3. **Use**: :meth:`ComponentFit.to_profile` writes the fitted figures into a copy of a mesh
   profile (basis ``measured``, your file as the source); ``meshcost.project(...,
   meshes=["linkerd", fitted])`` projects it next to the built-in meshes and
   ``meshcost.save_profile`` stores it.

Prometheus queries
------------------
See :mod:`meshcost.io.prometheus` (:data:`~meshcost.io.prometheus.PROMETHEUS_QUERIES`).

Statistics
----------
The confidence intervals are the classical OLS ones: exact when the residuals are
independent and normal with constant variance. They describe where the *mean* line lies, not
the spread of single proxies. Samples of one pod taken close together are correlated
(overlapping rate windows, slowly varying memory); the intervals are then too narrow. A
step at least as long as the rate window avoids the worst of it. A proxy that hits its CPU
limit stops growing linearly: fit only loads below saturation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputTypeError, InputValueError, describe_value
from .io import CPU, LOAD, MEMORY
from .io.perf import read_perf_csv
from .io.prometheus import PROMETHEUS_QUERIES, read_prometheus, read_prometheus_series
from .reference.profiles import MeshProfile, get_profile, profile_from_dict, profile_to_dict
from .reference.sources import all_sources
from .units import strip

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LOAD",
    "CPU",
    "MEMORY",
    "PROMETHEUS_QUERIES",
    "read_prometheus_series",
    "read_prometheus",
    "read_perf_csv",
    "Estimate",
    "FitQuality",
    "ComponentFit",
    "fit_component",
    "fit_frame",
    "t_quantile",
]

_SOURCE_ID = re.compile(r"^[A-Z]\d{3}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


# --------------------------------------------------------------------------- Student t quantile


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom.

    ``scipy.stats.t.ppf``, with meshcost's input checks.

    Parameters
    ----------
    p : float
        Probability, 0 < p < 1.
    df : float
        Degrees of freedom, > 0 (need not be whole).

    Returns
    -------
    float
        ``t`` with ``P(T <= t) = p``.
    """
    from scipy import stats  # imported on use: keeps `import meshcost` light

    for name, value in (("p", p), ("df", df)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"{name}: got {describe_value(value)}; expected a number")
    p, df = float(p), float(df)
    if not 0.0 < p < 1.0:
        raise InputValueError(f"p: got {p!r}; expected a probability strictly between 0 and 1")
    if not (math.isfinite(df) and df > 0):
        raise InputValueError(f"df: got {df!r}; expected a finite number of degrees of freedom > 0")
    return float(stats.t.ppf(p, df))


# --------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class Estimate:
    """A fitted parameter: its estimate, standard error and confidence interval [``unit``].

    ``ci_low`` / ``ci_high`` are the unclipped interval; :attr:`bounds` gives the
    (low, typical, high) a profile uses, clipped at 0.
    """

    value: float
    stderr: float
    ci_low: float
    ci_high: float
    unit: str

    @property
    def bounds(self) -> tuple[float, float, float]:
        """(low, typical, high) = (ci_low, value, ci_high), each clipped at 0 (CPU and memory cannot be negative)."""
        return (max(0.0, self.ci_low), max(0.0, self.value), max(0.0, self.ci_high))

    @property
    def clipped(self) -> bool:
        """True when the interval reached below 0 and :attr:`bounds` clipped it."""
        return self.ci_low < 0.0

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the (unclipped) confidence interval."""
        return self.ci_low <= value <= self.ci_high


@dataclass(frozen=True)
class FitQuality:
    """How well a straight line fits: samples ``n``, residual degrees of freedom ``dof``,
    ``r2`` (1 - SSR/SST; 1.0 when the data have no spread and the line fits exactly),
    ``rmse`` (sqrt(SSR / n)) and ``residual_se`` (sqrt(SSR / dof)), both in the response's unit."""

    n: int
    dof: int
    r2: float
    rmse: float
    residual_se: float


@dataclass(frozen=True)
class ComponentFit:
    """Coefficients of one proxy fitted to measurements (see :func:`fit_component`).

    Attributes
    ----------
    n : int
        Samples.
    per_rps : float
        The load unit of the slopes [requests/s].
    confidence : float
        Confidence level of the intervals (0.95).
    load_range : tuple of float
        Smallest and largest load measured [requests/s per proxy]; the fit says nothing outside it.
    cpu_idle : Estimate
        CPU at no load, the intercept [vCPU].
    cpu_request : Estimate
        CPU per ``per_rps`` requests/s through the proxy, the slope [vCPU].
    memory : Estimate
        Mean working-set memory [MiB] (Student t interval of the mean, n - 1 dof).
    memory_slope : Estimate
        Memory per ``per_rps`` requests/s from a line memory = baseline + slope x load
        [MiB]; not used in profiles (meshcost models proxy memory as traffic-independent),
        reported so you can check that.
    cpu_quality, memory_quality : FitQuality
        Quality of the CPU line and of the memory line (its ``r2`` is the share of the memory
        variance that load explains).
    """

    n: int
    per_rps: float
    confidence: float
    load_range: tuple[float, float]
    cpu_idle: Estimate
    cpu_request: Estimate
    memory: Estimate
    memory_slope: Estimate
    cpu_quality: FitQuality
    memory_quality: FitQuality

    @property
    def memory_traffic_independent(self) -> bool:
        """True when the memory-vs-load slope's confidence interval contains 0."""
        return self.memory_slope.covers(0.0)

    def _level(self) -> str:
        return f"{100 * self.confidence:g} %"

    def __str__(self) -> str:
        q = self.cpu_quality
        rows = [
            f"fit of {self.n} samples at {self.load_range[0]:g}-{self.load_range[1]:g} requests/s per proxy "
            f"({self._level()} confidence intervals)",
            f"  idle CPU        {self.cpu_idle.value:.4g} vCPU "
            f"({self.cpu_idle.ci_low:.4g} to {self.cpu_idle.ci_high:.4g})",
            f"  CPU per {self.per_rps:g} rps {self.cpu_request.value:.4g} vCPU "
            f"({self.cpu_request.ci_low:.4g} to {self.cpu_request.ci_high:.4g}); "
            f"R2 {q.r2:.3f}, RMSE {q.rmse:.3g} vCPU",
            f"  memory          {self.memory.value:.4g} MiB ({self.memory.ci_low:.4g} to {self.memory.ci_high:.4g}); "
            f"slope {self.memory_slope.value:.3g} MiB per {self.per_rps:g} rps "
            f"({self.memory_slope.ci_low:.3g} to {self.memory_slope.ci_high:.3g}): "
            + ("traffic-independent" if self.memory_traffic_independent else "depends on load"),
        ]
        return "\n".join(rows)

    def _notes(self, source: str) -> dict[str, str]:
        lo, hi = self.load_range
        q, m = self.cpu_quality, self.memory_quality
        level = self._level()
        line = (f"ordinary least squares line CPU = idle + slope x load over {self.n} samples at {lo:g}-{hi:g} "
                f"requests/s per proxy (R2 {q.r2:.4f}, RMSE {q.rmse:.4g} vCPU, residual SE {q.residual_se:.4g} "
                f"vCPU)")
        interval = (f"low/high: the {level} confidence interval (Student t, {q.dof} dof), clipped at 0 "
                    "(CPU cannot be negative)")

        def clip_note(est: Estimate) -> str:
            return "; the estimate itself was negative and is set to 0" if est.value < 0 else ""

        slope = self.memory_slope
        verdict = ("consistent with traffic-independent memory" if self.memory_traffic_independent
                   else "memory changes with load; the profile keeps only the mean")
        return {
            "memory": (f"Fitted to {source}: mean working-set memory of {self.n} samples (standard deviation "
                       f"{self.memory.stderr * math.sqrt(self.n):.4g} MiB); low/high: the {level} confidence interval "
                       f"of the mean (Student t, {self.n - 1} dof), clipped at 0. Memory vs load: "
                       f"{slope.value:.4g} MiB per {self.per_rps:g} requests/s ({level} CI {slope.ci_low:.4g} to "
                       f"{slope.ci_high:.4g}, R2 {m.r2:.4f}), {verdict}. It includes the config the proxy held where "
                       "it was measured; the profile's per-service terms still add on top."),
            "idle": f"Fitted to {source}: idle CPU, the intercept of an {line}; {interval}{clip_note(self.cpu_idle)}.",
            "request": (f"Fitted to {source}: CPU per {self.per_rps:g} requests/s through one proxy, the slope of an "
                        f"{line}; {interval}{clip_note(self.cpu_request)}."),
        }

    def to_profile(self, base: MeshProfile | str, component: str, *, name: str, source: str) -> MeshProfile:
        """A copy of ``base`` with ``component``'s proxy figures replaced by this fit.

        Replaced: the ``instance`` memory term (the mean [MiB]), the ``instance`` CPU term
        (idle [vCPU]) and the ``request`` CPU term (per ``per_rps`` requests/s [vCPU]), each
        with low / typical / high = the clipped confidence interval and estimate, basis
        ``measured``, sources ``[source]`` and a note giving n, R2, RMSE and the confidence
        level. Everything else (per-service memory, latency, control plane) stays as in
        ``base``. The measured memory includes the config the proxy held in your cluster, and
        the per-service terms add on top: project your own cluster's size with that in mind.

        Parameters
        ----------
        base : MeshProfile or str
            The profile to start from, or a built-in mesh name (``"istio-sidecar"``,
            ``"linkerd"``, ``"istio-sidecar@1.20"``).
        component : str
            The proxy component to replace (``"sidecar"`` in istio-sidecar, ``"proxy"`` in
            linkerd); it must have instance memory, instance CPU and request CPU terms.
        name : str
            Name of the new profile (lower-case letters, digits, ``.``, ``_``, ``-``), so it
            can be projected next to ``base``.
        source : str
            Where the data came from (a file name, a URL, a description); written as the
            coefficients' source. Ids such as ``F123`` must exist in the shipped source tables.

        Returns
        -------
        MeshProfile
            Validated like a profile file; ``meshcost.save_profile`` / ``load_profile`` round-trip it.
        """
        if isinstance(base, str):
            profile = get_profile(base)
        elif isinstance(base, MeshProfile):
            profile = base
        else:
            raise InputTypeError(f"base: got {describe_value(base)}; expected a MeshProfile or a built-in mesh name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputValueError(f"name: got {describe_value(name)}; expected lower-case letters, digits, '.', '_' "
                                  "or '-', starting with a letter or digit")
        if not isinstance(source, str) or not source.strip():
            raise InputValueError(f"source: got {describe_value(source)}; expected a non-empty description of the "
                                  "data (a file name, a URL)")
        if _SOURCE_ID.match(source) and source not in all_sources():
            raise InputValueError(f"source: got {source!r}, which looks like a source id but is not "
                                  "in the shipped source tables; expected an existing id or a file name / URL")
        if not isinstance(component, str):
            raise InputTypeError(f"component: got {describe_value(component)}; expected a component name")
        comp = profile.component(component)
        have = {("memory", t.driver) for t in comp.memory} | {("cpu", t.driver) for t in comp.cpu}
        need = [("memory", "instance"), ("cpu", "instance"), ("cpu", "request")]
        lacking = [f"{r}.{d}" for r, d in need if (r, d) not in have]
        if lacking:
            raise InputValueError(f"component: {profile.name}.{component} has no {', '.join(lacking)} term(s); "
                                  "expected a proxy with instance memory, instance CPU and request CPU terms "
                                  f"(e.g. {[c.name for c in profile.components if c.proxy]})")
        notes = self._notes(source)
        document = profile_to_dict(profile)

        def coefficient(estimate: Estimate, unit: str, note: str) -> dict[str, Any]:
            low, typical, high = estimate.bounds
            return {"low": low, "typical": typical, "high": high, "unit": unit, "basis": "measured",
                    "sources": [source], "note": note}

        request = {"per_rps": self.per_rps, **coefficient(self.cpu_request, "vCPU", notes["request"])}
        fitted = {
            ("memory", "instance"): coefficient(self.memory, "MiB", notes["memory"]),
            ("cpu", "instance"): coefficient(self.cpu_idle, "vCPU", notes["idle"]),
            ("cpu", "request"): request,
            # the fit is linear in the request rate: the same rate applies above the reference load
            ("cpu", "request_above_reference"): request,
        }
        for table in document["component"]:
            if table["name"] != component:
                continue
            for resource in ("memory", "cpu"):
                table[resource] = [{"driver": row["driver"], **fitted[(resource, row["driver"])]}
                                   if (resource, row["driver"]) in fitted else row
                                   for row in table[resource]]
        document["mesh"] = {
            "name": name,
            "title": f"{profile.title}; {component} fitted to {source}",
            "data_version": f"{component} CPU and memory fitted to {source} (n = {self.n}); other figures: "
                            f"{profile.name} ({profile.data_version})",
        }
        return profile_from_dict(document, origin=f"fit of {component} to {source}")


def _samples(value: Any, name: str, kind: str) -> np.ndarray:
    array = strip(value, name, kind)
    if array.ndim != 1:
        raise InputValueError(f"{name}: got an array of shape {array.shape}; expected a 1-D array of samples")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputValueError(f"{name}: got {float(array[i])!r} at index {i}; expected finite values >= 0")
    return array


def _line(x: np.ndarray, y: np.ndarray, t: float, unit: str, slope_unit: str) -> tuple[Estimate, Estimate, FitQuality]:
    """OLS of y on x: (intercept, slope, quality); intervals estimate +- t x standard error."""
    n = len(x)
    x_mean, y_mean = x.mean(), y.mean()
    dx = x - x_mean
    sxx = float(dx @ dx)
    slope = float(dx @ (y - y_mean)) / sxx
    intercept = float(y_mean - slope * x_mean)
    residuals = y - (intercept + slope * x)
    ssr = float(residuals @ residuals)
    sst = float(((y - y_mean) ** 2).sum())
    dof = n - 2
    s = math.sqrt(ssr / dof)
    se_slope = s / math.sqrt(sxx)
    se_intercept = s * math.sqrt(1.0 / n + float(x_mean) ** 2 / sxx)
    r2 = 1.0 - ssr / sst if sst > 0 else 1.0
    quality = FitQuality(n, dof, r2, math.sqrt(ssr / n), s)
    return (Estimate(intercept, se_intercept, intercept - t * se_intercept, intercept + t * se_intercept, unit),
            Estimate(slope, se_slope, slope - t * se_slope, slope + t * se_slope, slope_unit),
            quality)


def fit_component(
    load_rps: Any,
    cpu_vcpu: Any,
    memory_mib: Any,
    *,
    per_rps: float = 1000,
    confidence: float = 0.95,
) -> ComponentFit:
    """Fit a proxy's idle CPU, CPU per request and memory to measured samples.

    CPU: ordinary least squares ``CPU = idle + slope x load / per_rps``. Memory: the mean
    (meshcost models proxy memory as traffic-independent), plus a least-squares slope vs load,
    reported so you can check that. Each parameter gets the two-sided Student-t confidence
    interval ``estimate +- t((1 + confidence) / 2, dof) x standard error`` (dof = n - 2 for
    the lines, n - 1 for the mean); exact for independent normal residuals of constant
    variance. Profiles use them clipped at 0 (:attr:`Estimate.bounds`).

    Parameters
    ----------
    load_rps : array or Quantity
        Requests per second through the proxy, one per sample. [1/s]
    cpu_vcpu : array or Quantity
        CPU of the proxy at those samples. [vCPU] (or a Quantity in millicore)
    memory_mib : array or Quantity
        Working-set memory of the proxy. [MiB] (or a Quantity in bytes)
    per_rps : float
        Load unit of the CPU slope: CPU per ``per_rps`` requests/s. Default 1000. [1/s]
    confidence : float
        Confidence level of the intervals, 0 < confidence < 1. Default 0.95.

    Returns
    -------
    ComponentFit
        Estimates with standard errors and intervals, fit quality, and
        :meth:`ComponentFit.to_profile`.

    Raises
    ------
    InputValueError
        Fewer than 3 samples, arrays of different lengths, all loads equal, NaN, infinite or
        negative values (naming the parameter and index), or a bad ``per_rps`` / ``confidence``.
    """
    x_raw = _samples(load_rps, "load_rps", "rate")
    cpu = _samples(cpu_vcpu, "cpu_vcpu", "cpu")
    memory = _samples(memory_mib, "memory_mib", "memory")
    for name, array in (("cpu_vcpu", cpu), ("memory_mib", memory)):
        if len(array) != len(x_raw):
            raise InputValueError(f"{name}: got {len(array)} samples; load_rps has {len(x_raw)}; expected one per "
                                  "load sample")
    n = len(x_raw)
    if n < 3:
        raise InputValueError(f"load_rps: got {n} samples; expected at least 3 (a line and its uncertainty need "
                              "n - 2 >= 1 degrees of freedom)")
    if isinstance(per_rps, bool) or not isinstance(per_rps, (int, float, np.integer, np.floating)) \
            or not math.isfinite(per_rps) or per_rps <= 0:
        raise InputValueError(f"per_rps: got {describe_value(per_rps)}; expected a number of requests/s > 0 "
                              "(e.g. 1000)")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.integer, np.floating)) \
            or not 0 < confidence < 1:
        raise InputValueError(f"confidence: got {describe_value(confidence)}; expected a level strictly between "
                              "0 and 1 (e.g. 0.95)")
    if np.ptp(x_raw) == 0:
        raise InputValueError(f"load_rps: all {n} samples are {float(x_raw[0])!r}; expected at least two different "
                              "loads (the CPU per request is the slope over load)")
    per_rps, confidence = float(per_rps), float(confidence)
    x = x_raw / per_rps
    q = 0.5 * (1.0 + confidence)
    t_line = t_quantile(q, n - 2)
    slope_unit = f"vCPU per {per_rps:g} requests/s"
    idle, request, cpu_quality = _line(x, cpu, t_line, "vCPU", slope_unit)
    _, memory_slope, memory_quality = _line(x, memory, t_line, "MiB", f"MiB per {per_rps:g} requests/s")
    mean = float(memory.mean())
    se_mean = float(memory.std(ddof=1)) / math.sqrt(n)
    t_mean = t_quantile(q, n - 1)
    memory_est = Estimate(mean, se_mean, mean - t_mean * se_mean, mean + t_mean * se_mean, "MiB")
    return ComponentFit(n, per_rps, confidence, (float(x_raw.min()), float(x_raw.max())), idle, request,
                        memory_est, memory_slope, cpu_quality, memory_quality)


def fit_frame(frame: "pd.DataFrame", *, per_rps: float = 1000, confidence: float = 0.95) -> ComponentFit:
    """:func:`fit_component` on a reader's frame (columns ``load [1/s]``, ``cpu [vCPU]``, ``memory [MiB]``)."""
    columns = getattr(frame, "columns", None)
    if columns is None:
        raise InputTypeError(f"frame: got {describe_value(frame)}; expected a DataFrame from read_prometheus or "
                             "read_perf_csv")
    absent = [c for c in (LOAD, CPU, MEMORY) if c not in columns]
    if absent:
        raise InputValueError(f"frame: column(s) {absent} missing; expected {[LOAD, CPU, MEMORY]} "
                              f"(got {list(columns)})")
    return fit_component(frame[LOAD].to_numpy(np.float64), frame[CPU].to_numpy(np.float64),
                         frame[MEMORY].to_numpy(np.float64), per_rps=per_rps, confidence=confidence)
