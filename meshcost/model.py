"""The overhead model: pure numpy kernels over a :class:`~meshcost.scenario.Scenario`.

For each component of a mesh profile:

- instances: per meshed pod, per node, per waypoint, one, or control-plane replicas
  ``max(1, ceil(max(proxies / capacity_proxies, services / capacity_services)))``;
- memory [MiB] = sum of coefficient x driver over the component's memory terms, where the
  config drivers encode the domain: an Envoy sidecar holds every *visible* service and its
  endpoints, a ztunnel every workload and service of the cluster, linkerd2-proxy none
  (it discovers destinations on demand);
- CPU [vCPU] = idle per instance + CPU per request through it: a service-to-service request
  crosses ``passes`` instances (2 sidecars, 2 ztunnels, 1 waypoint for the L7 share);
- latency added per hop [ms]: the sum over components on the request path (a waypoint only
  where some traffic is L7).

Each figure is computed three times, with the low, typical and high coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .latency import DEFAULT_REFERENCE_RPS, sidecar_latency_at
from .profiles import ComponentProfile, MeshProfile
from .scenario import Scenario

#: Load per proxy [requests/s] at which the published per-hop latencies were measured
#: (Istio's perf tests: 1000 RPS); below it the published figure is used as is.
REFERENCE_RPS = DEFAULT_REFERENCE_RPS

__all__ = [
    "Bands",
    "CoefficientValues",
    "ComponentUsage",
    "coefficient_values",
    "component_instances",
    "driver_total",
    "accumulate",
    "evaluate_components",
    "mesh_terms",
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


@dataclass(frozen=True)
class ComponentUsage:
    """One component's instances and its totals over them: memory [MiB], CPU [vCPU], per band."""

    name: str
    instances: np.ndarray
    memory: Bands
    cpu: Bands


def coefficient_values(profile: MeshProfile) -> dict[tuple[str, str, str], tuple]:
    """The profile's coefficients in canonical units, keyed (component, resource, driver)."""
    return {(c, r, d): coef.values for c, r, d, coef in profile.coefficients()}


def component_instances(comp: ComponentProfile, scenario: Scenario, proxies: np.ndarray | None) -> np.ndarray:
    """How many instances of ``comp`` run [count]."""
    rule = comp.instances
    if rule == "sidecars":
        return scenario.sidecars
    if rule == "nodes":
        return scenario.nodes
    if rule == "waypoints":
        return scenario.waypoints
    if rule == "one":
        return np.ones(())
    if rule == "control-plane":
        assert proxies is not None and comp.capacity_proxies and comp.capacity_services
        load = np.maximum(proxies / comp.capacity_proxies, scenario.services / comp.capacity_services)
        return np.maximum(1.0, np.ceil(load))
    raise AssertionError(f"unknown instance rule {rule!r}")  # profiles.py validates rules


def _traffic_share(comp: ComponentProfile, scenario: Scenario) -> np.ndarray | float:
    if comp.traffic == "all":
        return 1.0
    if comp.traffic == "l7":
        return scenario.l7_share
    return 0.0


def driver_total(driver: str, comp: ComponentProfile, instances: np.ndarray, scenario: Scenario,
                 proxies: np.ndarray, per_rps: float | None = None) -> np.ndarray:
    """The total a coefficient multiplies, over all of the component's instances."""
    if driver == "instance":
        return instances
    if driver == "visible_service":
        return instances * scenario.visible_services
    if driver == "visible_endpoint":
        with np.errstate(divide="ignore", invalid="ignore"):
            pods_per_service = np.where(scenario.services > 0, scenario.sidecars / scenario.services, 0.0)
        return instances * scenario.visible_services * pods_per_service
    if driver == "cluster_pod":
        return instances * scenario.sidecars
    if driver == "cluster_service":
        return instances * scenario.services
    if driver == "proxy":
        return proxies
    if driver == "pod":
        return scenario.sidecars
    if driver == "service":
        return scenario.services
    if driver == "request":
        assert per_rps is not None
        return scenario.rps * (_traffic_share(comp, scenario) * comp.passes / per_rps)
    raise AssertionError(f"unknown driver {driver!r}")  # profiles.py validates drivers


def _instances_and_proxies(profile: MeshProfile, scenario: Scenario) -> tuple[dict[str, np.ndarray], np.ndarray]:
    instances: dict[str, np.ndarray] = {}
    proxies: np.ndarray = np.zeros(())
    for comp in profile.components:  # proxies first: control planes scale with them
        if comp.instances != "control-plane":
            instances[comp.name] = component_instances(comp, scenario, None)
            if comp.proxy:
                proxies = proxies + instances[comp.name]
    for comp in profile.components:
        if comp.instances == "control-plane":
            instances[comp.name] = component_instances(comp, scenario, proxies)
    return instances, proxies


def _component_terms(comp: ComponentProfile, resource: str, instances: np.ndarray, scenario: Scenario,
                     proxies: np.ndarray) -> list[tuple[tuple[str, str, str], np.ndarray]]:
    """((component, resource, driver), driver total) for each of a component's terms."""
    return [((comp.name, resource, term.driver),
             driver_total(term.driver, comp, instances, scenario, proxies, term.per_rps))
            for term in getattr(comp, resource)]


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
    tmp = np.empty(shape) if grouped else None
    for band in range(bands):
        total = np.full(shape, scalar[band])
        for driver, coef in grouped.values():
            np.multiply(driver, coef[band], out=tmp)
            total += tmp
        totals.append(total)
    return tuple(totals)


def evaluate_components(profile: MeshProfile, scenario: Scenario,
                        values: CoefficientValues | None = None, bands: int = 3) -> list[ComponentUsage]:
    """Instances, memory [MiB] and CPU [vCPU] of every component of ``profile``."""
    values = coefficient_values(profile) if values is None else values
    instances, proxies = _instances_and_proxies(profile, scenario)
    usages = []
    for comp in profile.components:
        count = instances[comp.name]
        memory = _component_terms(comp, "memory", count, scenario, proxies)
        cpu = _component_terms(comp, "cpu", count, scenario, proxies)
        usages.append(ComponentUsage(comp.name, count,
                                     accumulate([(d, values[k]) for k, d in memory], scenario.shape, bands),
                                     accumulate([(d, values[k]) for k, d in cpu], scenario.shape, bands)))
    return usages


def mesh_terms(profile: MeshProfile, scenario: Scenario) -> tuple[list[tuple[tuple[str, str, str], np.ndarray]],
                                                                    list[tuple[tuple[str, str, str], np.ndarray]]]:
    """The mesh's memory and CPU terms as ((component, resource, driver), driver total) pairs.

    Every total the model produces is linear in the coefficients: sum of coefficient x
    driver total over these terms. Monte Carlo uses that to evaluate many coefficient
    samples at once.
    """
    instances, proxies = _instances_and_proxies(profile, scenario)
    memory: list[tuple[tuple[str, str, str], np.ndarray]] = []
    cpu: list[tuple[tuple[str, str, str], np.ndarray]] = []
    for comp in profile.components:
        memory += _component_terms(comp, "memory", instances[comp.name], scenario, proxies)
        cpu += _component_terms(comp, "cpu", instances[comp.name], scenario, proxies)
    return memory, cpu


def mesh_totals(profile: MeshProfile, scenario: Scenario,
                values: CoefficientValues | None = None, shape: tuple[int, ...] | None = None,
                bands: int = 3) -> tuple[Bands, Bands]:
    """Memory [MiB] and CPU [vCPU] summed over all of the mesh's components, per band.

    Equal (to rounding) to summing :func:`evaluate_components`, without keeping
    per-component arrays. ``shape`` overrides the output shape; ``bands`` is the number of
    coefficient bands (3: low, typical, high).
    """
    values = coefficient_values(profile) if values is None else values
    memory, cpu = mesh_terms(profile, scenario)
    shape = scenario.shape if shape is None else shape
    return (accumulate([(d, values[k]) for k, d in memory], shape, bands),
            accumulate([(d, values[k]) for k, d in cpu], shape, bands))


def per_instance(total: Any, instances: Any) -> np.ndarray:
    """``total / instances``, and 0 where no instance runs."""
    instances = np.asarray(instances, dtype=float)
    return np.where(instances > 0, np.asarray(total, dtype=float) / np.where(instances > 0, instances, 1.0), 0.0)


def proxy_load(comp: ComponentProfile, scenario: Scenario) -> np.ndarray:
    """Average requests per second through one instance of a proxy component [1/s]."""
    instances = component_instances(comp, scenario, None)
    return per_instance(scenario.rps * (_traffic_share(comp, scenario) * comp.passes), instances)


def component_latency(profile: MeshProfile, scenario: Scenario,
                      values: CoefficientValues | None = None) -> dict[str, tuple[Bands, Bands]]:
    """Latency each on-path component adds per service-to-service hop [ms], (p50 bands, p99 bands).

    Proxies with ``traffic = "all"`` are always on the path; ``"l7"`` ones (waypoints) where
    ``l7_share > 0`` (the figure is then that of a hop through a waypoint). The published
    per-hop figure holds up to the load it was measured at (``REFERENCE_RPS`` per proxy);
    above it, the queueing wait on the proxy's worker threads is added
    (:func:`meshcost.latency.sidecar_latency_at`, evaluated at the average load per instance).
    """
    values = coefficient_values(profile) if values is None else values
    out: dict[str, tuple[Bands, Bands]] = {}
    for comp in profile.components:
        if comp.latency_p50 is None:
            continue
        on_path = 1.0 if comp.traffic == "all" else (scenario.l7_share > 0) * 1.0
        c50 = values[(comp.name, "latency_p50", "hop")]
        c99 = values[(comp.name, "latency_p99", "hop")]
        p50 = [c * on_path for c in c50]
        p99 = [c * on_path for c in c99]
        load = proxy_load(comp, scenario)
        request = [t for t in comp.cpu if t.driver == "request"]
        loaded = load > REFERENCE_RPS
        if request and np.any(loaded):  # queueing beyond the published load, only where it applies
            cpu = values[(comp.name, "cpu", "request")]
            scale = 1000.0 / request[0].per_rps  # to vCPU per 1000 requests/s
            shape = np.broadcast_shapes(np.shape(load), *(np.shape(c) for c in (*c50, *c99, *cpu)))
            where = np.broadcast_to(loaded, shape)
            for band in range(len(c50)):
                def pick(a: Any) -> np.ndarray:
                    return np.broadcast_to(a, shape)[where]

                extra = sidecar_latency_at(
                    pick(load), np.inf, pick(c50[band]), pick(c99[band]), pick(cpu[band]) * scale,
                    worker_threads=comp.workers, passes=comp.passes, q=(0.5, 0.99), reference_rps=REFERENCE_RPS,
                    reference_servers=comp.workers).latency
                full50 = np.array(np.broadcast_to(c50[band], shape), dtype=float)
                full99 = np.array(np.broadcast_to(c99[band], shape), dtype=float)
                full50[where] = extra[0]
                full99[where] = extra[1]
                p50[band] = full50 * on_path
                p99[band] = full99 * on_path
        out[comp.name] = (tuple(p50), tuple(p99))
    return out


def mesh_latency(per_component: dict[str, tuple[Bands, Bands]], bands: int = 3) -> tuple[Bands, Bands]:
    """Latency added per hop [ms], summed over the components on the path, (p50, p99) bands.

    Quantiles of the components on one hop are added, as if their delays rose and fell
    together (comonotone): conservative for right-skewed delays such as lognormals.
    """
    p50: list = [np.zeros(())] * bands
    p99: list = [np.zeros(())] * bands
    for c50, c99 in per_component.values():
        for band in range(bands):
            p50[band] = p50[band] + c50[band]
            p99[band] = p99[band] + c99[band]
    return tuple(p50), tuple(p99)
