"""The overhead model: pure numpy kernels over a :class:`~meshcost.kernels.scenario.Scenario`.

For each component of a mesh profile, under an install (:class:`Setup`):

- instances: per meshed pod, per node, per waypoint, one, or control-plane replicas (fixed,
  or the chart's CPU autoscaler between its bounds, on the typical CPU);
- memory [MiB] = sum of coefficient x driver over the component's memory terms. The config
  drivers encode the domain: an Envoy sidecar holds an outbound cluster per *visible* service
  port and subset, a route entry per HTTP port, a listener per TCP port, and the endpoints
  behind them; a ztunnel and every istiod replica hold every workload and service of the
  cluster; linkerd2-proxy holds none (it discovers destinations on demand);
- CPU [vCPU] = idle per instance + CPU per request through it, linear up to the load the
  figures were measured at (:data:`REFERENCE_RPS` per instance) and at a marginal rate above
  it; control planes add steady per-proxy work and config pushes driven by ``churn``. A
  proxy cannot use more than its worker threads (and CPU limit) give it: its CPU is capped
  there and the scenario is flagged *saturated*;
- latency added per hop [ms]: the sum over components on the request path; a waypoint's
  latency enters as the L7 share of a mixture of the L4 and L7 paths.

Coefficient values carry a *band axis* first: (low, typical, high) for the deterministic
projection, or Monte Carlo samples. Every output has the band axis first, then the scenario
shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..reference.profiles import ComponentProfile, MeshProfile, Replicas
from . import latency as lat
from .scenario import Scenario

#: Load per proxy [requests/s] at which the published per-hop latencies and per-proxy CPU
#: figures were measured (Istio's perf tests: 1000 RPS); below it the published latency is
#: used as is, above it CPU grows at the marginal rate.
REFERENCE_RPS = 1000.0

__all__ = [
    "Key",
    "Values",
    "Terms",
    "Usage",
    "Setup",
    "REFERENCE_RPS",
    "component_setup",
    "mesh_setup",
    "coefficient_values",
    "aligned",
    "typical",
    "component_instances",
    "component_terms",
    "usage",
    "cap_cpu",
    "per_instance",
    "proxy_load",
    "component_latency",
]

#: (component, resource, driver); latency coefficients use driver "hop".
Key = tuple[str, str, str]
#: Coefficient values with the band axis first: ``values[key][b]`` is band ``b``.
Values = Mapping[Key, np.ndarray]
#: ((component, resource, driver), driver total) pairs.
Terms = list[tuple[Key, np.ndarray]]


@dataclass(frozen=True)
class Setup:
    """How one component runs under an install profile.

    ``workers``: a proxy's worker threads [count] (None for non-proxies); ``cpu_cap``: the CPU
    one instance can use, ``min(workers, cpu limit)`` for proxies [vCPU] (``inf``: no cap);
    ``replicas``: a control plane's replica rule; ``cpu_request``: the CPU request of one
    instance [vCPU], which an autoscaler's target is a share of.
    """

    workers: float | None
    cpu_cap: float
    replicas: Replicas | None
    cpu_request: float


def component_setup(comp: ComponentProfile, install: str = "default",
                    override: Mapping[str, Any] | None = None) -> Setup:
    """The :class:`Setup` of ``comp`` under install profile ``install`` and user ``override``.

    ``override`` may give ``cpu`` (request [vCPU]), ``cpu_limit`` [vCPU] and ``replicas``
    (a :class:`~meshcost.reference.profiles.Replicas`). Worker threads follow the profile's
    ``workers_from`` rule: Envoy's concurrency is ``ceil(cpu limit)`` (pilot-agent, F100);
    ztunnel's and linkerd2-proxy's minimum follows the CPU request (F105, F109).
    """
    res = comp.installed(install)
    cpu_request = (res.cpu_request or 0.0) if res is not None else 0.0
    cpu_limit = res.cpu_limit if res is not None else None
    replicas = res.replicas if res is not None else None
    if override:
        cpu_request = float(override.get("cpu", cpu_request))
        cpu_limit = override.get("cpu_limit", cpu_limit)
        replicas = override.get("replicas", replicas)
    workers = comp.workers
    if workers is not None and comp.workers_from == "cpu_limit" and cpu_limit:
        workers = float(math.ceil(cpu_limit - 1e-9))
    elif workers is not None and comp.workers_from == "cpu_request" and cpu_request:
        workers = float(max(workers, math.ceil(cpu_request - 1e-9)))
    cap = math.inf
    if comp.proxy and workers is not None:
        cap = float(workers) if not cpu_limit else float(min(workers, cpu_limit))
    return Setup(workers, cap, replicas, cpu_request)


def mesh_setup(profile: MeshProfile, install: str = "default",
               overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Setup]:
    """The :class:`Setup` of every component, by name; ``overrides`` maps component -> override."""
    overrides = overrides or {}
    return {c.name: component_setup(c, install, overrides.get(c.name)) for c in profile.components}


@dataclass(frozen=True)
class Usage:
    """One component's instances [count] (scenario shape) and, band axis first, its memory [MiB]
    and CPU [vCPU] over all instances and whether its CPU demand reached what they can use
    (``saturated``; ``cpu`` is capped there)."""

    name: str
    instances: np.ndarray
    memory: np.ndarray
    cpu: np.ndarray
    saturated: np.ndarray


def coefficient_values(profile: MeshProfile) -> dict[Key, np.ndarray]:
    """The profile's coefficients in canonical units, band axis first: ``[low, typical, high]``
    (a new dict over read-only arrays built once per profile)."""
    cached = _TABLES.get(id(profile))
    if cached is None or cached[0] is not profile:  # keyed by identity: hashing a profile costs more than the table
        table = {}
        for c, r, d, coef in profile.coefficients():
            values = np.array(coef.values, dtype=float)
            values.flags.writeable = False
            table[(c, r, d)] = values
        if len(_TABLES) >= 256:
            _TABLES.clear()
        cached = _TABLES[id(profile)] = (profile, table)
    return dict(cached[1])


#: id(profile) -> (profile, its coefficient table); the profile is held so its id stays its own.
_TABLES: dict[int, tuple[MeshProfile, dict[Key, np.ndarray]]] = {}


class _Aligned(dict[Key, np.ndarray]):
    """Coefficients :func:`aligned` to ``ndim``-dimensional scenarios (aligning them again is a no-op)."""

    ndim: int


def aligned(values: Values, ndim: int) -> dict[Key, np.ndarray]:
    """Coefficients reshaped to broadcast against ``ndim``-dimensional scenario arrays.

    A value of shape ``(B, *rest)`` (``rest``: the shape of an array override, aligned to the
    right of the scenario shape) becomes ``(B, 1, ..., 1, *rest)`` with ``ndim + 1`` axes.
    """
    if type(values) is _Aligned and values.ndim == ndim:
        return values
    out = _Aligned()
    out.ndim = ndim
    ones = (1,) * ndim
    for key, value in values.items():
        if type(value) is not np.ndarray or value.dtype != np.float64:
            value = np.asarray(value, dtype=float)
        if value.ndim == 1:  # a scalar coefficient's bands (the common case)
            out[key] = value.reshape(value.shape + ones) if ndim else value
            continue
        rest = value.shape[1:]
        out[key] = value.reshape(value.shape[:1] + (1,) * (ndim - len(rest)) + rest)
    return out


def typical(values: Values) -> dict[Key, np.ndarray]:
    """The typical band (index 1) of deterministic values, as scenario-shaped arrays."""
    return {k: np.asarray(v)[1] for k, v in values.items()}


def per_instance(total: Any, instances: Any) -> np.ndarray:
    """``total / instances``, and 0 where no instance runs."""
    instances = np.asarray(instances, dtype=float)
    return np.where(instances > 0, np.asarray(total, dtype=float) / np.where(instances > 0, instances, 1.0), 0.0)


def _traffic_share(comp: ComponentProfile, scenario: Scenario) -> np.ndarray | float:
    if comp.traffic == "all":
        return 1.0
    if comp.traffic == "l7":
        return scenario.l7_share
    return 0.0


def _base_instances(comp: ComponentProfile, scenario: Scenario) -> np.ndarray:
    rule = comp.instances
    if rule == "sidecars":
        return scenario.sidecars
    if rule == "nodes":
        return scenario.nodes
    if rule == "waypoints":
        return scenario.waypoints
    if rule == "one":
        return np.ones(())
    raise AssertionError(f"rule {rule!r} is not a base rule")  # control planes are sized below


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)


def _clusters(scenario: Scenario) -> np.ndarray:
    """Outbound clusters one visible-config proxy holds."""
    return scenario.visible_services * scenario.ports_per_service * (1.0 + scenario.subsets_per_service)


@dataclass(frozen=True)
class _Fleet:
    """Instances of every non-control-plane component and what control planes serve."""

    instances: dict[str, np.ndarray]
    proxies: np.ndarray
    push_rate: dict[str, np.ndarray]  # per control plane: proxy pushes per second
    reconnect_resources: dict[str, np.ndarray]  # per control plane: resources per second


def _fleet(profile: MeshProfile, scenario: Scenario) -> _Fleet:
    instances: dict[str, np.ndarray] = {}
    proxies: np.ndarray = np.zeros(())
    proxy_comps = []
    for comp in profile.components:
        if comp.instances != "control-plane":
            instances[comp.name] = _base_instances(comp, scenario)
            if comp.proxy:
                proxies = proxies + instances[comp.name]
                proxy_comps.append(comp)
    push_rate: dict[str, np.ndarray] = {}
    reconnect: dict[str, np.ndarray] = {}
    for cp in profile.components:
        if cp.instances != "control-plane":
            continue
        pushes: np.ndarray = np.zeros(())
        resources: np.ndarray = np.zeros(())
        for comp in proxy_comps:
            n = instances[comp.name]
            if comp.config == "visible":
                share, size = _ratio(scenario.visible_services, scenario.services), _clusters(scenario)
            elif comp.config == "cluster":
                share, size = np.ones(()), scenario.sidecars + scenario.services
            else:
                continue
            if cp.debounce_seconds is not None:
                pushes = pushes + n * np.minimum(scenario.churn * share, 1.0 / cp.debounce_seconds)
            if cp.reconnect_seconds is not None:
                resources = resources + n * size / cp.reconnect_seconds
        push_rate[cp.name] = pushes
        reconnect[cp.name] = resources
    return _Fleet(instances, proxies, push_rate, reconnect)


def _driver_total(driver: str, comp: ComponentProfile, instances: np.ndarray, scenario: Scenario,
                  fleet: _Fleet, setup: Setup, per_rps: float | None = None) -> np.ndarray:
    """The total a coefficient multiplies, over all of the component's instances."""
    n = instances
    if driver == "instance":
        return n
    if driver == "visible_service_port":
        return n * scenario.visible_services * scenario.ports_per_service
    if driver == "visible_cluster":
        return n * _clusters(scenario)
    if driver == "visible_cluster_worker":
        return n * _clusters(scenario) * max(0.0, (setup.workers or 1.0) - 1.0)
    if driver == "visible_route":
        return n * scenario.visible_services * scenario.ports_per_service * (1.0 - scenario.tcp_share)
    if driver == "visible_tcp_listener":
        return n * scenario.visible_services * scenario.ports_per_service * scenario.tcp_share
    if driver == "visible_endpoint":
        return n * scenario.visible_services * scenario.ports_per_service * _ratio(scenario.sidecars, scenario.services)
    if driver == "cluster_pod":
        return n * scenario.sidecars
    if driver == "cluster_service":
        return n * scenario.services
    if driver == "proxy":
        return fleet.proxies
    if driver == "pod":
        return scenario.sidecars
    if driver == "service":
        return scenario.services
    if driver == "proxy_push":
        return fleet.push_rate.get(comp.name, np.zeros(()))
    if driver == "reconnect_resource":
        return fleet.reconnect_resources.get(comp.name, np.zeros(()))
    if driver in ("request", "request_above_reference"):
        assert per_rps is not None
        through = scenario.rps * (_traffic_share(comp, scenario) * comp.passes)  # requests/s over all instances
        if not any(t.driver == "request_above_reference" for t in comp.cpu):
            return through / per_rps  # linear: no marginal rate published for this component
        at_reference = n * REFERENCE_RPS
        if driver == "request":
            return np.minimum(through, at_reference) / per_rps
        return np.maximum(0.0, through - at_reference) / per_rps
    raise AssertionError(f"unknown driver {driver!r}")  # profiles.py validates drivers


def _replicas(comp: ComponentProfile, setup: Setup, scenario: Scenario, fleet: _Fleet,
              typical_values: Mapping[Key, Any]) -> np.ndarray:
    """Control-plane replicas: fixed, or what the CPU autoscaler settles at on the typical CPU.

    The autoscaler keeps the average CPU per replica at ``cpu_utilization x request``: with
    idle CPU ``i`` per replica and shared work ``W``, it needs ``R >= W / (target - i)``
    replicas, clamped to its bounds (the maximum where the target cannot cover even the idle).
    """
    rule = setup.replicas or Replicas(1, 1)
    if rule.cpu_utilization is None or rule.minimum == rule.maximum:
        return np.full((), float(rule.minimum))
    work: np.ndarray = np.zeros(())
    idle: Any = 0.0
    for term in comp.cpu:
        value = typical_values[(comp.name, "cpu", term.driver)]
        if term.driver == "instance":
            idle = value
            continue
        work = work + value * _driver_total(term.driver, comp, np.ones(()), scenario, fleet, setup, term.per_rps)
    headroom = rule.cpu_utilization * setup.cpu_request - np.asarray(idle, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(headroom > 0, np.ceil(work / np.where(headroom > 0, headroom, 1.0) - 1e-9), np.inf)
    return np.clip(needed, rule.minimum, rule.maximum)


def component_instances(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup],
                        typical_values: Mapping[Key, Any]) -> dict[str, np.ndarray]:
    """How many instances of every component run [count], by component name.

    ``typical_values``: each coefficient's typical value (scenario-shaped), which control
    planes' autoscalers size on.
    """
    fleet = _fleet(profile, scenario)
    out = dict(fleet.instances)
    for comp in profile.components:
        if comp.instances == "control-plane":
            out[comp.name] = _replicas(comp, setup[comp.name], scenario, fleet, typical_values)
    return {c.name: out[c.name] for c in profile.components}


def component_terms(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup],
                    instances: Mapping[str, np.ndarray]) -> dict[str, tuple[Terms, Terms]]:
    """Each component's memory and CPU terms as ((component, resource, driver), driver total).

    Every usage figure is linear in the coefficients, sum of coefficient x driver total,
    until a proxy's CPU reaches its cap (:func:`cap_cpu`).
    """
    fleet = _fleet(profile, scenario)
    out = {}
    for comp in profile.components:
        count = instances[comp.name]
        terms = []
        for resource in ("memory", "cpu"):
            terms.append([((comp.name, resource, t.driver),
                           _driver_total(t.driver, comp, count, scenario, fleet, setup[comp.name], t.per_rps))
                          for t in getattr(comp, resource)])
        out[comp.name] = (terms[0], terms[1])
    return out


def _accumulate(terms: Terms, values: Mapping[Key, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Sum of coefficient x driver over ``terms`` into one array of ``shape`` (band axis first)."""
    total = np.zeros(shape)
    for key, driver in terms:
        total += values[key] * driver
    return total


def cap_cpu(cpu: np.ndarray, instances: np.ndarray, setup: Setup) -> tuple[np.ndarray, np.ndarray]:
    """CPU capped at what the instances can use, and where the cap binds (saturated)."""
    if not math.isfinite(setup.cpu_cap):
        return cpu, np.zeros(np.shape(cpu), dtype=bool)
    limit = np.asarray(instances, dtype=float) * setup.cpu_cap
    saturated = (cpu >= limit) & (np.asarray(instances) > 0)
    return np.minimum(cpu, limit), saturated


def usage(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup], values: Values,
          instances: Mapping[str, np.ndarray]) -> dict[str, Usage]:
    """Memory [MiB] and CPU [vCPU] (capped, with the saturation flag) of every component, band axis first."""
    bands = len(next(iter(values.values()))) if values else 3
    shape = (bands, *scenario.shape)
    coefficients = aligned(values, len(scenario.shape))
    terms = component_terms(profile, scenario, setup, instances)
    out = {}
    for comp in profile.components:
        memory_terms, cpu_terms = terms[comp.name]
        count = instances[comp.name]
        cpu, saturated = cap_cpu(_accumulate(cpu_terms, coefficients, shape), count, setup[comp.name])
        out[comp.name] = Usage(comp.name, count, _accumulate(memory_terms, coefficients, shape), cpu, saturated)
    return out


def proxy_load(comp: ComponentProfile, scenario: Scenario, instances: np.ndarray) -> np.ndarray:
    """Average requests per second through one instance of a proxy component [1/s]."""
    return per_instance(scenario.rps * (_traffic_share(comp, scenario) * comp.passes), instances)


_Q = np.array([0.5, 0.99])


def _proxy_latency(comp: ComponentProfile, scenario: Scenario, values: Mapping[Key, np.ndarray], setup: Setup,
                   instances: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(p50, p99) one on-path component adds per hop [ms], band axis first, under its load."""
    p50 = np.array(np.broadcast_to(values[(comp.name, "latency_p50", "hop")], shape))
    p99 = np.array(np.broadcast_to(values[(comp.name, "latency_p99", "hop")], shape))
    load = proxy_load(comp, scenario, instances)
    terms = {t.driver: t for t in comp.cpu}
    loaded = np.broadcast_to(load > REFERENCE_RPS, shape)
    if "request" not in terms or not loaded.any():
        return p50, p99
    # queueing beyond the published load, only where it applies
    request = terms["request"]
    above = terms.get("request_above_reference", request)

    def pick(a: Any) -> np.ndarray:
        return np.broadcast_to(a, shape)[loaded]

    mu, sigma = lat.lognormal(pick(p50), pick(p99))
    out = lat.anchored(mu, sigma, pick(load), pick(values[(comp.name, "cpu", "request")]) / request.per_rps,
                       pick(values[(comp.name, "cpu", above.driver)]) / above.per_rps, np.asarray(setup.cpu_cap),
                       _Q, float(comp.passes), REFERENCE_RPS, float(comp.workers or 1.0), REFERENCE_RPS)
    p50[loaded] = out.latency[0]
    p99[loaded] = out.latency[1]
    return p50, p99


def component_latency(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup], values: Values,
                      instances: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Latency each on-path component adds per service-to-service hop [ms]: (p50, p99), band axis first.

    Proxies with ``traffic = "all"`` are on every request's path; their quantiles add
    (comonotone). ``"l7"`` proxies (waypoints) are on the path of the ``l7_share`` of
    requests: the hop's quantiles are those of the mixture ``(1 - s) L4 + s (L4 + L7)`` (each
    path a lognormal fitted to its p50 and p99, :func:`meshcost.kernels.latency.mixture`), and
    the waypoint's share is what the mixture adds over the L4 path. The published per-hop
    figure holds up to the load it was measured at (``REFERENCE_RPS`` per proxy); above it,
    the queueing wait on the proxy's worker threads is added, at the average load per
    instance.
    """
    bands = len(next(iter(values.values()))) if values else 3
    shape = (bands, *scenario.shape)
    coefficients = aligned(values, len(scenario.shape))
    own = {c.name: _proxy_latency(c, scenario, coefficients, setup[c.name], instances[c.name], shape)
           for c in profile.components if c.latency_p50 is not None and c.traffic != "none"}
    traffic = {c.name: c.traffic for c in profile.components}
    always = [n for n in own if traffic[n] == "all"]
    l7 = [n for n in own if traffic[n] == "l7"]
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {n: own[n] for n in always}
    if l7:
        share = np.broadcast_to(scenario.l7_share, shape)
        base = [sum((own[n][i] for n in always), np.zeros(shape)) for i in (0, 1)]
        extra = [sum((own[n][i] for n in l7), np.zeros(shape)) for i in (0, 1)]
        if not share.any():  # no request passes an L7 proxy: it adds nothing
            added = [np.zeros(shape), np.zeros(shape)]
        elif always:
            mixed = lat.mixture(base[0], base[1], base[0] + extra[0], base[1] + extra[1], share, _Q)
            # what the mixture adds over the L4 path (never below 0: rounding); where the L4 path itself
            # saturates there is no finite path to add to, and the L7 proxies report their own latency
            with np.errstate(invalid="ignore"):
                added = [np.where(share > 0, np.where(np.isfinite(base[i]), np.maximum(mixed[i] - base[i], 0.0),
                                                      extra[i]), 0.0) for i in (0, 1)]
        else:  # L7 proxies without an L4 path to mix with (no built-in mesh): on the path or not
            added = [np.where(share > 0, extra[i], 0.0) for i in (0, 1)]
        for name in l7:  # split the mixture's addition over the L7 proxies in proportion to their own latency
            parts = []
            for i in (0, 1):
                ok = (extra[i] > 0) & np.isfinite(extra[i])
                with np.errstate(divide="ignore", invalid="ignore"):
                    weight = np.where(ok, own[name][i] / np.where(ok, extra[i], 1.0), 1.0 / len(l7))
                parts.append(np.where(np.isinf(added[i]), added[i], added[i] * weight))
            out[name] = (parts[0], parts[1])
    return {c.name: out[c.name] for c in profile.components if c.name in out}
