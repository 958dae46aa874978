"""The overhead model: pure numpy kernels over a :class:`~meshcost.scenario.Scenario`.

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

Each figure is computed three times, with the low, typical and high coefficients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..latency import DEFAULT_REFERENCE_RPS, mixture_quantiles, sidecar_latency_at
from ..reference.profiles import ComponentProfile, MeshProfile, Replicas
from ..scenario import Scenario

#: Load per proxy [requests/s] at which the published per-hop latencies and per-proxy CPU
#: figures were measured (Istio's perf tests: 1000 RPS); below it the published latency is
#: used as is, above it CPU grows at the marginal rate.
REFERENCE_RPS = DEFAULT_REFERENCE_RPS

__all__ = [
    "Bands",
    "CoefficientValues",
    "ComponentUsage",
    "Setup",
    "component_setup",
    "mesh_setup",
    "coefficient_values",
    "component_instances",
    "accumulate",
    "evaluate_components",
    "component_terms",
    "cap_cpu",
    "mesh_totals",
    "per_instance",
    "proxy_load",
    "REFERENCE_RPS",
    "component_latency",
    "mesh_latency",
    "BAND_NAMES",
]

BAND_NAMES = ("low", "typical", "high")

#: One array per band: (low, typical, high) normally; any number of bands is allowed
#: (Monte Carlo evaluates a single band whose coefficients are arrays of samples).
Bands = tuple[np.ndarray, ...]
#: (component, resource, driver) -> (low, typical, high) in canonical units; latency uses driver "hop".
CoefficientValues = Mapping[tuple[str, str, str], tuple]
#: A list of ((component, resource, driver), driver total) pairs.
Terms = list[tuple[tuple[str, str, str], np.ndarray]]


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
    (a :class:`~meshcost.profiles.Replicas`). Worker threads follow the profile's
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
class ComponentUsage:
    """One component's instances and its totals over them: memory [MiB], CPU [vCPU], per band.

    ``saturated`` (one bool array per band): the component's CPU demand reached what its
    instances can use; ``cpu`` is capped there.
    """

    name: str
    instances: np.ndarray
    memory: Bands
    cpu: Bands
    saturated: Bands = ()


def coefficient_values(profile: MeshProfile) -> dict[tuple[str, str, str], tuple]:
    """The profile's coefficients in canonical units, keyed (component, resource, driver)."""
    return {(c, r, d): coef.values for c, r, d, coef in profile.coefficients()}


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


def _pods_per_service(scenario: Scenario) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scenario.services > 0, scenario.sidecars / np.where(scenario.services > 0,
                                                                            scenario.services, 1.0), 0.0)


def _visible_share(scenario: Scenario) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scenario.services > 0, scenario.visible_services / np.where(scenario.services > 0,
                                                                                    scenario.services, 1.0), 0.0)


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
                share, size = _visible_share(scenario), _clusters(scenario)
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
        extra = max(0.0, (setup.workers or 1.0) - 1.0)
        return n * _clusters(scenario) * extra
    if driver == "visible_route":
        return n * scenario.visible_services * scenario.ports_per_service * (1.0 - scenario.tcp_share)
    if driver == "visible_tcp_listener":
        return n * scenario.visible_services * scenario.ports_per_service * scenario.tcp_share
    if driver == "visible_endpoint":
        return n * scenario.visible_services * scenario.ports_per_service * _pods_per_service(scenario)
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
              values: CoefficientValues) -> np.ndarray:
    """Control-plane replicas: fixed, or what the CPU autoscaler settles at on the typical CPU.

    The autoscaler keeps the average CPU per replica at ``cpu_utilization x request``: with
    idle CPU ``i`` per replica and shared work ``W``, it needs ``R >= W / (target - i)``
    replicas, clamped to its bounds (the maximum where the target cannot cover even the idle).
    """
    rule = setup.replicas or Replicas(1, 1)
    if rule.cpu_utilization is None or rule.minimum == rule.maximum:
        return np.full((), float(rule.minimum))
    work: np.ndarray = np.zeros(())
    idle = 0.0
    for term in comp.cpu:
        typical = values[(comp.name, "cpu", term.driver)][1]
        if term.driver == "instance":
            idle = typical
            continue
        work = work + typical * _driver_total(term.driver, comp, np.ones(()), scenario, fleet, setup, term.per_rps)
    target = rule.cpu_utilization * setup.cpu_request
    headroom = target - np.asarray(idle, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(headroom > 0, np.ceil(work / np.where(headroom > 0, headroom, 1.0) - 1e-9), np.inf)
    return np.clip(needed, rule.minimum, rule.maximum)


def component_instances(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup] | None = None,
                        values: CoefficientValues | None = None) -> dict[str, np.ndarray]:
    """How many instances of every component run [count], by component name."""
    setup = mesh_setup(profile) if setup is None else setup
    values = coefficient_values(profile) if values is None else values
    fleet = _fleet(profile, scenario)
    out = dict(fleet.instances)
    for comp in profile.components:
        if comp.instances == "control-plane":
            out[comp.name] = _replicas(comp, setup[comp.name], scenario, fleet, values)
    return {c.name: out[c.name] for c in profile.components}


def component_terms(profile: MeshProfile, scenario: Scenario, setup: Mapping[str, Setup],
                    instances: Mapping[str, np.ndarray]) -> dict[str, tuple[Terms, Terms]]:
    """Each component's memory and CPU terms as ((component, resource, driver), driver total).

    Every usage figure is linear in the coefficients, sum of coefficient x driver total,
    until a proxy's CPU reaches its cap (:func:`cap_cpu`). Monte Carlo uses that to
    evaluate many coefficient samples at once.
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


def accumulate(terms: list[tuple[np.ndarray, tuple]], shape: tuple[int, ...], bands: int = 3) -> Bands:
    """Sum of coefficient x driver over ``terms``, per band, into arrays of ``shape``.

    Terms that share a driver array are merged first; 0-d terms are summed as scalars;
    the rest are multiplied and added in place, so a sweep of 10^6 scenarios allocates a
    handful of arrays rather than one per operation.
    """
    grouped: dict[int, tuple[np.ndarray, list]] = {}
    scalar: list = [0.0] * bands
    for driver, coef in terms:
        if np.ndim(driver) == 0 and all(np.ndim(c) == 0 for c in coef):
            d = float(driver)
            for band in range(bands):
                scalar[band] += float(coef[band]) * d
            continue
        entry = grouped.setdefault(id(driver), (driver, [0.0] * bands))
        for band in range(bands):
            entry[1][band] = entry[1][band] + coef[band]
    totals = []
    tmp = None
    for band in range(bands):
        total = np.full(shape, scalar[band])
        for driver, coef in grouped.values():
            product = np.multiply(driver, coef[band])
            if product.shape == shape:
                total += product
            else:
                if tmp is None:
                    tmp = np.empty(shape)
                np.copyto(tmp, np.broadcast_to(product, shape))
                total += tmp
        totals.append(total)
    return tuple(totals)


def cap_cpu(cpu: np.ndarray, instances: np.ndarray, setup: Setup) -> tuple[np.ndarray, np.ndarray]:
    """CPU capped at what the instances can use, and where the cap binds (saturated)."""
    if not math.isfinite(setup.cpu_cap):
        return cpu, np.zeros(np.shape(cpu), dtype=bool)
    limit = np.asarray(instances, dtype=float) * setup.cpu_cap
    saturated = (cpu >= limit) & (np.asarray(instances) > 0)
    return np.minimum(cpu, limit), saturated


def evaluate_components(profile: MeshProfile, scenario: Scenario, values: CoefficientValues | None = None,
                        bands: int = 3, setup: Mapping[str, Setup] | None = None,
                        instances: Mapping[str, np.ndarray] | None = None) -> list[ComponentUsage]:
    """Instances, memory [MiB] and CPU [vCPU] (capped, with the saturation flag) of every component."""
    values = coefficient_values(profile) if values is None else values
    setup = mesh_setup(profile) if setup is None else setup
    instances = component_instances(profile, scenario, setup, values) if instances is None else instances
    terms = component_terms(profile, scenario, setup, instances)
    usages = []
    for comp in profile.components:
        memory, cpu = terms[comp.name]
        count = instances[comp.name]
        mem = accumulate([(d, values[k]) for k, d in memory], scenario.shape, bands)
        raw = accumulate([(d, values[k]) for k, d in cpu], scenario.shape, bands)
        capped = [cap_cpu(c, count, setup[comp.name]) for c in raw]
        usages.append(ComponentUsage(comp.name, count, mem, tuple(c for c, _ in capped),
                                     tuple(s for _, s in capped)))
    return usages


def mesh_totals(usages: list[ComponentUsage], bands: int = 3) -> tuple[Bands, Bands, Bands]:
    """Memory [MiB], CPU [vCPU] summed over a mesh's components, and whether any component saturated."""
    memory = tuple(sum((u.memory[b] for u in usages), np.zeros(())) for b in range(bands))
    cpu = tuple(sum((u.cpu[b] for u in usages), np.zeros(())) for b in range(bands))
    saturated = tuple(np.logical_or.reduce([np.asarray(u.saturated[b]) for u in usages if u.saturated]
                                           or [np.zeros((), dtype=bool)]) for b in range(bands))
    return memory, cpu, saturated


def proxy_load(comp: ComponentProfile, scenario: Scenario, instances: np.ndarray) -> np.ndarray:
    """Average requests per second through one instance of a proxy component [1/s]."""
    return per_instance(scenario.rps * (_traffic_share(comp, scenario) * comp.passes), instances)


def _proxy_latency(comp: ComponentProfile, scenario: Scenario, values: CoefficientValues, setup: Setup,
                   instances: np.ndarray, bands: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(p50 per band, p99 per band) one on-path component adds per hop [ms], under its load."""
    c50 = values[(comp.name, "latency_p50", "hop")]
    c99 = values[(comp.name, "latency_p99", "hop")]
    p50 = [np.asarray(c, dtype=float) for c in c50]
    p99 = [np.asarray(c, dtype=float) for c in c99]
    load = proxy_load(comp, scenario, instances)
    request = [t for t in comp.cpu if t.driver == "request"]
    loaded = load > REFERENCE_RPS
    if not request or not np.any(loaded):
        return p50, p99
    # queueing beyond the published load, only where it applies
    cpu = values[(comp.name, "cpu", "request")]
    above_key = (comp.name, "cpu", "request_above_reference")
    above = values[above_key] if above_key in values else cpu
    scale = 1000.0 / request[0].per_rps  # to vCPU per 1000 requests/s
    shape = np.broadcast_shapes(np.shape(load), *(np.shape(c) for c in (*c50, *c99, *cpu, *above)))
    where = np.broadcast_to(loaded, shape)
    for band in range(bands):
        def pick(a: Any) -> np.ndarray:
            return np.broadcast_to(a, shape)[where]

        extra = sidecar_latency_at(
            pick(load), setup.cpu_cap, pick(c50[band]), pick(c99[band]), pick(cpu[band]) * scale,
            worker_threads=setup.workers, passes=comp.passes, q=(0.5, 0.99), reference_rps=REFERENCE_RPS,
            reference_servers=comp.workers, cpu_per_1000_rps_above=pick(above[band]) * scale).latency
        full50 = np.array(np.broadcast_to(c50[band], shape), dtype=float)
        full99 = np.array(np.broadcast_to(c99[band], shape), dtype=float)
        full50[where] = extra[0]
        full99[where] = extra[1]
        p50[band], p99[band] = full50, full99
    return p50, p99


def component_latency(profile: MeshProfile, scenario: Scenario, values: CoefficientValues | None = None,
                      bands: int = 3, setup: Mapping[str, Setup] | None = None,
                      instances: Mapping[str, np.ndarray] | None = None) -> dict[str, tuple[Bands, Bands]]:
    """Latency each on-path component adds per service-to-service hop [ms], (p50 bands, p99 bands).

    Proxies with ``traffic = "all"`` are on every request's path; their quantiles add
    (comonotone). ``"l7"`` proxies (waypoints) are on the path of the ``l7_share`` of
    requests: the hop's quantiles are those of the mixture ``(1 - s) L4 + s (L4 + L7)`` (each
    path a lognormal fitted to its p50 and p99, :func:`meshcost.latency.mixture_quantiles`),
    and the waypoint's share is what the mixture adds over the L4 path. The published
    per-hop figure holds up to the load it was measured at (``REFERENCE_RPS`` per proxy);
    above it, the queueing wait on the proxy's worker threads is added
    (:func:`meshcost.latency.sidecar_latency_at`, at the average load per instance).
    """
    values = coefficient_values(profile) if values is None else values
    setup = mesh_setup(profile) if setup is None else setup
    instances = component_instances(profile, scenario, setup, values) if instances is None else instances
    own: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for comp in profile.components:
        if comp.latency_p50 is not None and comp.traffic != "none":
            own[comp.name] = _proxy_latency(comp, scenario, values, setup[comp.name], instances[comp.name], bands)
    always = [c.name for c in profile.components if c.name in own and c.traffic == "all"]
    l7 = [c.name for c in profile.components if c.name in own and c.traffic == "l7"]
    out: dict[str, tuple[Bands, Bands]] = {name: (tuple(own[name][0]), tuple(own[name][1])) for name in always}
    if not l7:
        return out
    share = scenario.l7_share
    base50 = [sum((own[n][0][b] for n in always), np.zeros(())) for b in range(bands)]
    base99 = [sum((own[n][1][b] for n in always), np.zeros(())) for b in range(bands)]
    extra50 = [sum((own[n][0][b] for n in l7), np.zeros(())) for b in range(bands)]
    extra99 = [sum((own[n][1][b] for n in l7), np.zeros(())) for b in range(bands)]
    added50, added99 = [], []
    for b in range(bands):
        if not always:  # L7 proxies without an L4 path to mix with (no built-in mesh): on the path or not
            added50.append(np.where(share > 0, extra50[b], 0.0))
            added99.append(np.where(share > 0, extra99[b], 0.0))
            continue
        full = (base50[b] + extra50[b], base99[b] + extra99[b])
        partial = (share > 0) & (share < 1)
        if np.any(partial):
            mixed = mixture_quantiles(base50[b], base99[b], full[0], full[1], share, (0.5, 0.99))
        else:
            shape = np.broadcast_shapes(np.shape(base50[b]), np.shape(full[0]), np.shape(share))
            mixed = np.stack([np.broadcast_to(np.where(share > 0, full[0], base50[b]), shape),
                              np.broadcast_to(np.where(share > 0, full[1], base99[b]), shape)])
        with np.errstate(invalid="ignore"):  # inf - inf where the L4 path itself saturated
            added50.append(np.where((share > 0) & np.isfinite(base50[b]), mixed[0] - base50[b], 0.0))
            added99.append(np.where((share > 0) & np.isfinite(base99[b]), mixed[1] - base99[b], 0.0))
    total50 = [sum((own[n][0][b] for n in l7), np.zeros(())) for b in range(bands)]
    total99 = [sum((own[n][1][b] for n in l7), np.zeros(())) for b in range(bands)]
    for name in l7:  # split the mixture's addition over the L7 proxies in proportion to their own latency
        parts50, parts99 = [], []
        for b in range(bands):
            with np.errstate(divide="ignore", invalid="ignore"):
                ok50 = (total50[b] > 0) & np.isfinite(total50[b])
                ok99 = (total99[b] > 0) & np.isfinite(total99[b])
                w50 = np.where(ok50, own[name][0][b] / np.where(ok50, total50[b], 1.0), 1.0 / len(l7))
                w99 = np.where(ok99, own[name][1][b] / np.where(ok99, total99[b], 1.0), 1.0 / len(l7))
            parts50.append(np.where(np.isinf(added50[b]), added50[b], added50[b] * w50))
            parts99.append(np.where(np.isinf(added99[b]), added99[b], added99[b] * w99))
        out[name] = (tuple(parts50), tuple(parts99))
    return {c.name: out[c.name] for c in profile.components if c.name in out}


def mesh_latency(per_component: dict[str, tuple[Bands, Bands]], bands: int = 3) -> tuple[Bands, Bands]:
    """Latency added per hop [ms], summed over the components on the path, (p50, p99) bands."""
    p50: list = [np.zeros(())] * bands
    p99: list = [np.zeros(())] * bands
    for c50, c99 in per_component.values():
        for band in range(bands):
            p50[band] = p50[band] + c50[band]
            p99[band] = p99[band] + c99[band]
    return tuple(p50), tuple(p99)
