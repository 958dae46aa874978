"""Mesh profiles: the components a mesh runs and their coefficients, with provenance.

A profile is read from a TOML file (the built-in ones live in ``data/profiles/``). Each
component says how many instances run (per meshed pod, per node, per waypoint, one, or
control-plane replicas), whether it is a proxy and which traffic passes it, and lists
memory and CPU *terms*: a coefficient (low / typical / high, in the unit the source
published) times a *driver* (see :data:`MEMORY_DRIVERS`, :data:`CPU_DRIVERS`). Proxies may
also give the latency they add per service-to-service hop (p50, p99).

Coefficients are converted once, on load, with pint, to MiB, vCPU and ms.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .data import data_dir
from ..errors import DataFileError, InputTypeError, MeshcostError, UnknownNameError, describe_value
from ..io.files import MAX_INPUT_BYTES, read_text
from .sources import all_sources
from ..units import CANONICAL_UNIT, unit_is, ureg

__all__ = [
    "Coefficient",
    "Resources",
    "Term",
    "ComponentProfile",
    "MeshProfile",
    "MEMORY_DRIVERS",
    "CPU_DRIVERS",
    "INSTANCE_RULES",
    "WORKER_RULES",
    "CONFIG_SCOPES",
    "EXTRAPOLATION_QUANTITIES",
    "Replicas",
    "MeasuredRange",
    "TEMPLATED_RULES",
    "TRAFFIC_KINDS",
    "BASES",
    "BUILTIN_MESHES",
    "coefficient_kind",
    "split_mesh_key",
    "builtin_profiles",
    "get_profile",
    "versions",
    "load_profile",
    "profile_from_dict",
    "profile_to_dict",
    "save_profile",
]

#: What a memory coefficient is multiplied by (totals over the component's instances).
#: "Service ports" are visible_services x ports_per_service; "clusters" are service ports x
#: (1 + subsets_per_service): Envoy builds one outbound cluster per service port and per
#: DestinationRule subset.
MEMORY_DRIVERS: dict[str, str] = {
    "instance": "each instance",
    "visible_service_port": "each service port each instance holds config for (visible_services x ports_per_service)",
    "visible_cluster": "each outbound cluster each instance holds (service ports x (1 + subsets_per_service))",
    "visible_cluster_worker": "each outbound cluster, per worker thread beyond the first (clusters x (workers - 1))",
    "visible_route": "each HTTP service port's route entry (service ports x (1 - tcp_share))",
    "visible_tcp_listener": "each TCP service port's own listener (service ports x tcp_share)",
    "visible_endpoint": "each endpoint of the visible service ports (service ports x meshed pods per service)",
    "cluster_pod": "each meshed pod of the cluster, per instance (ztunnel, every istiod replica)",
    "cluster_service": "each service of the cluster, per instance",
    "proxy": "each proxy the control plane serves, shared by its replicas",
    "pod": "each meshed pod, shared by the control plane's replicas",
    "service": "each service, shared by the control plane's replicas",
}
#: What a CPU coefficient is multiplied by; request terms are CPU per ``per_rps`` requests/s.
CPU_DRIVERS: dict[str, str] = {
    "instance": "each instance (idle CPU)",
    "request": "requests per second through each instance, up to the reference load (REFERENCE_RPS), per `per_rps`",
    "request_above_reference": "requests per second through each instance above the reference load, per `per_rps`",
    "proxy": "each proxy the control plane serves (steady state), shared by its replicas",
    "pod": "each meshed pod, shared by the control plane's replicas",
    "service": "each service, shared by the control plane's replicas",
    "proxy_push": "config pushes per second to proxies: churn x the share of it each proxy sees, "
                  "at most one per debounce interval per proxy",
    "reconnect_resource": "config resources pushed per second by reconnect full pushes "
                          "(each proxy reconnects every reconnect_seconds)",
}
#: How many instances of a component run.
INSTANCE_RULES: dict[str, str] = {
    "sidecars": "one per meshed pod",
    "nodes": "one per node (DaemonSet)",
    "waypoints": "one per waypoint (the `waypoints` input)",
    "one": "exactly one",
    "control-plane": "replicas from the install profile: fixed, or a CPU autoscaler (HPA) between min and max",
}
#: How a proxy's worker threads follow its install: fixed; ``ceil(cpu limit)`` (pilot-agent
#: sets Envoy's concurrency from the limit, F100); ``max(workers, ceil(cpu request))``
#: (ztunnel's and linkerd2-proxy's minimum follows the request, F105, F109).
WORKER_RULES: dict[str, str] = {
    "fixed": "the profile's `workers`",
    "cpu_limit": "ceil(CPU limit); the profile's `workers` when no limit is set",
    "cpu_request": "max(the profile's `workers`, ceil(CPU request))",
}
#: Which config a proxy holds, i.e. which share of config changes reaches it.
CONFIG_SCOPES: dict[str, str] = {
    "visible": "the services it can see (visible_services of services)",
    "cluster": "every workload and service of the cluster",
    "on-demand": "only the destinations it talks to (discovered on demand)",
    "none": "no mesh config",
}
#: Scenario quantities a component's published measurements can be bounded by.
EXTRAPOLATION_QUANTITIES: dict[str, str] = {
    "nodes": "worker nodes",
    "sidecars": "meshed pods",
    "services": "services",
    "visible_services": "visible services per proxy",
    "pods_per_node": "meshed pods per node",
    "rps_per_instance": "requests per second through one instance",
    "churn": "pod or config changes per second",
}
TEMPLATED_RULES = ("sidecars", "nodes", "waypoints")
TRAFFIC_KINDS = ("all", "l7", "none")
BASES = ("measured", "derived", "default", "assumption")
BUILTIN_MESHES = ("istio-sidecar", "istio-ambient", "linkerd")

_KIND_OF_RESOURCE = {"memory": "memory", "cpu": "cpu", "latency_p50": "time", "latency_p99": "time"}
#: CPU drivers counted in events per second: their coefficients are CPU time per event.
_PER_EVENT_DRIVERS = ("proxy_push", "reconnect_resource")


def split_mesh_key(key: Any, meshes: Any, fields: int) -> tuple[str, list[str]] | None:
    """Split ``"<mesh>.<a>.<b>..."`` into the mesh name and ``fields`` parts (None if it does not fit).

    Mesh names may hold dots (``"istio-sidecar@1.20"``), so the longest projected mesh name
    that prefixes the key wins; the last ``fields - 1`` parts are split off the right.
    """
    if not isinstance(key, str):
        return None
    for mesh in sorted(meshes, key=len, reverse=True):
        if key.startswith(mesh + "."):
            rest = key[len(mesh) + 1:].rsplit(".", fields - 1)
            if len(rest) == fields and all(rest):
                return mesh, rest
    return None


def coefficient_kind(resource: str, driver: str) -> str:
    """The unit kind of a coefficient (``memory``, ``cpu``, ``cpu_time`` or ``time``)."""
    if resource == "cpu" and driver in _PER_EVENT_DRIVERS:
        return "cpu_time"
    return _KIND_OF_RESOURCE[resource]
_SOURCE_ID = re.compile(r"^[A-Z]\d{3}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Coefficient:
    """A low / typical / high figure in its published unit, with provenance.

    ``values`` holds (low, typical, high) in meshcost's canonical unit for the resource:
    memory [MiB], CPU [vCPU], latency [ms].
    """

    low: float
    typical: float
    high: float
    unit: str
    basis: str
    sources: tuple[str, ...]
    note: str
    values: tuple[float, float, float]


@dataclass(frozen=True)
class Term:
    """One coefficient times one driver; ``per_rps`` is set for the ``request`` driver [1/s]."""

    driver: str
    coefficient: Coefficient
    per_rps: float | None = None


@dataclass(frozen=True)
class Replicas:
    """How many replicas of a control-plane component run under an install profile.

    Fixed when ``minimum == maximum``; otherwise a horizontal pod autoscaler keeps the
    average CPU per replica at ``cpu_utilization`` x the CPU request, between the bounds.
    """

    minimum: int
    maximum: int
    cpu_utilization: float | None = None


@dataclass(frozen=True)
class Resources:
    """Requests and limits an install profile sets for one container: CPU [vCPU], memory [MiB].

    ``None`` means not set (Kubernetes then reserves nothing for it). ``init_*`` is the
    mesh's regular init container (istio-init, linkerd-init), which counts through max().
    ``replicas`` is the install's replica rule for control-plane components.
    ``text`` keeps the Kubernetes quantities as written, for saving the profile back.
    """

    cpu_request: float | None
    memory_request: float | None
    cpu_limit: float | None
    memory_limit: float | None
    init_cpu: float | None
    init_memory: float | None
    sources: tuple[str, ...]
    note: str
    text: tuple[tuple[str, str, Any], ...] = ()
    replicas: Replicas | None = None


@dataclass(frozen=True)
class MeasuredRange:
    """The largest value of a scenario quantity the sources behind a component measured.

    Scenarios beyond it are extrapolations: results carry a flag and the printed comparison
    says so.
    """

    quantity: str
    maximum: float
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ComponentProfile:
    """One component of a mesh (a proxy, a node agent, a control plane)."""

    name: str
    title: str
    instances: str
    proxy: bool
    traffic: str
    passes: int = 0
    workers: float | None = None
    workers_from: str = "fixed"
    config: str = "none"
    reconnect_seconds: float | None = None
    debounce_seconds: float | None = None
    memory: tuple[Term, ...] = ()
    cpu: tuple[Term, ...] = ()
    latency_p50: Coefficient | None = None
    latency_p99: Coefficient | None = None
    resources: tuple[tuple[str, Resources], ...] = ()
    measured: tuple[MeasuredRange, ...] = ()

    def __repr__(self) -> str:
        terms = len(self.memory) + len(self.cpu) + (self.latency_p50 is not None) + (self.latency_p99 is not None)
        return f"<ComponentProfile {self.name!r}: {self.instances}, {terms} coefficients>"

    def install(self, name: str) -> Resources:
        """Requests / limits under install profile ``name`` (``default``, ``demo``, ``ha``, ...)."""
        table = dict(self.resources)
        if name not in table:
            raise UnknownNameError(f"install profile {name!r} is not defined for component {self.name!r}; "
                                   f"it has {list(table) or 'none'}")
        return table[name]

    def installed(self, name: str) -> Resources | None:
        """Resources under install profile ``name``, falling back to ``default`` (None if none given)."""
        table = dict(self.resources)
        return table.get(name, table.get("default"))


@dataclass(frozen=True)
class MeshProfile:
    """A mesh: its name, title, the data vintage its figures come from, and its components."""

    name: str
    title: str
    data_version: str
    components: tuple[ComponentProfile, ...]
    origin: str = field(default="", compare=False)
    version: str = ""
    covers: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = ", ".join(f"{c.name} ({c.instances})" for c in self.components)
        return f"<MeshProfile {self.name!r} {self.version}: {parts}>"

    def renamed(self, name: str) -> "MeshProfile":
        """The same profile under another name (to compare two vintages side by side)."""
        return replace(self, name=name)

    def component(self, name: str) -> ComponentProfile:
        """The component with this name."""
        for comp in self.components:
            if comp.name == name:
                return comp
        raise UnknownNameError(
            f"component {name!r} is not part of mesh {self.name!r}; "
            f"its components are {[c.name for c in self.components]}"
        )

    def coefficients(self) -> list[tuple[str, str, str, Coefficient]]:
        """Every coefficient as (component, resource, driver, coefficient); latency uses driver 'hop'."""
        rows: list[tuple[str, str, str, Coefficient]] = []
        for comp in self.components:
            for resource in ("memory", "cpu"):
                for term in getattr(comp, resource):
                    rows.append((comp.name, resource, term.driver, term.coefficient))
            for resource in ("latency_p50", "latency_p99"):
                coef = getattr(comp, resource)
                if coef is not None:
                    rows.append((comp.name, resource, "hop", coef))
        return rows

    def with_coefficient(
        self, component: str, resource: str, driver: str, values: tuple[float, float, float], unit: str
    ) -> "MeshProfile":
        """A copy with one coefficient replaced (values in ``unit``), marked as a user override."""
        where = f"override {self.name}.{component}.{resource}.{driver}"
        if resource not in _KIND_OF_RESOURCE:
            raise UnknownNameError(f"{where}: resource {resource!r} is not one of {list(_KIND_OF_RESOURCE)}")
        coef = _coefficient(
            {"low": values[0], "typical": values[1], "high": values[2], "unit": unit,
             "basis": "assumption", "sources": [], "note": "user override"},
            resource,
            where,
            driver,
        )
        try:
            return self.replacing(component, resource, driver, coef)
        except UnknownNameError as exc:
            raise UnknownNameError(f"{where}: {exc}") from None

    def replacing(self, component: str, resource: str, driver: str, coefficient: Coefficient) -> "MeshProfile":
        """A copy with one coefficient replaced as given; latency coefficients use driver ``hop``."""
        comp = self.component(component)
        if resource in ("latency_p50", "latency_p99"):
            if getattr(comp, resource) is None:
                raise UnknownNameError(f"component {component!r} has no {resource}")
            new_comp = (replace(comp, latency_p50=coefficient) if resource == "latency_p50"
                        else replace(comp, latency_p99=coefficient))
        elif resource in ("memory", "cpu"):
            terms = list(getattr(comp, resource))
            index = [i for i, t in enumerate(terms) if t.driver == driver]
            if not index:
                raise UnknownNameError(f"component {component!r} has no {resource} term with driver {driver!r}; "
                                       f"it has {[t.driver for t in terms]}")
            terms[index[0]] = replace(terms[index[0]], coefficient=coefficient)
            new_comp = replace(comp, memory=tuple(terms)) if resource == "memory" else replace(comp, cpu=tuple(terms))
        else:
            raise UnknownNameError(f"resource {resource!r} is not one of {list(_KIND_OF_RESOURCE)}")
        return replace(self, components=tuple(new_comp if c.name == component else c for c in self.components))


# --------------------------------------------------------------------------- loading


def _fail(where: str, message: str) -> DataFileError:
    return DataFileError(f"{where}: {message}")


def _get(table: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise _fail(where, f"field {key!r} is missing")
        return default
    value = table[key]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        expected = "a number" if kind is float else getattr(kind, "__name__", str(kind))
        raise _fail(where, f"field {key!r} is {describe_value(value)}; expected {expected}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= 1e15:
        raise _fail(where, f"field {key!r} is {describe_value(value)}; expected a finite number of at most 1e15")
    return value


def _coefficient(table: Mapping[str, Any], resource: str, where: str, driver: str = "") -> Coefficient:
    if not isinstance(table, Mapping):
        raise _fail(where, f"expected a table with low/typical/high/unit, got {table!r}")
    low, typical, high = (float(_get(table, k, where, float)) for k in ("low", "typical", "high"))
    for key, value in (("low", low), ("typical", typical), ("high", high)):
        if not math.isfinite(value) or value < 0:
            raise _fail(where, f"field {key!r} is {value!r}; expected a finite number >= 0")
    if not low <= typical <= high:
        raise _fail(where, f"fields low/typical/high are {low}/{typical}/{high}; expected low <= typical <= high")
    unit = _get(table, "unit", where, str)
    kind = coefficient_kind(resource, driver)
    try:
        quantity = ureg.Quantity(np.array([low, typical, high]), unit)
    except Exception:
        raise _fail(where, f"field 'unit' is {unit!r}, which pint cannot read") from None
    if not unit_is(quantity, kind):
        raise _fail(where, f"field 'unit' is {unit!r}; a {resource} coefficient needs a unit of {kind}")
    low_c, typical_c, high_c = (float(v) for v in quantity.m_as(CANONICAL_UNIT[kind]))
    basis = _get(table, "basis", where, str)
    if basis not in BASES:
        raise _fail(where, f"field 'basis' is {basis!r}; expected one of {list(BASES)}")
    sources = _get(table, "sources", where, list)
    known = all_sources()
    for source in sources:
        if not isinstance(source, str):
            raise _fail(where, f"field 'sources' holds {source!r}; expected strings")
        if _SOURCE_ID.match(source) and source not in known:
            raise _fail(where, f"field 'sources' cites {source!r}, which is not in the shipped source tables")
    if basis != "assumption" and not sources:
        raise _fail(where, f"field 'sources' is empty; a {basis} coefficient must cite its sources")
    note = _get(table, "note", where, str, "")
    if basis == "assumption" and not note.strip():
        raise _fail(where, "field 'note' is empty; an assumption must give its reason")
    return Coefficient(low, typical, high, unit, basis, tuple(sources), note, (low_c, typical_c, high_c))


def _resources(raw: Any, where: str) -> tuple[tuple[str, Resources], ...]:
    from ..io.quantity import parse_cpu, parse_memory

    if not isinstance(raw, Mapping):
        raise _fail(where, "field 'resources' must be a table of install profiles ([component.resources.default])")
    out = []
    for install, table in raw.items():
        here = f"{where} resources.{install}"
        if not _NAME.match(install) or not isinstance(table, Mapping):
            raise _fail(here, "expected a table named after an install profile (default, demo, ha, ...)")
        unknown = sorted(set(table) - {"requests", "limits", "init", "sources", "note", "replicas", "hpa"})
        if unknown:
            raise _fail(here, f"unknown field(s) {unknown}; expected requests, limits, init, replicas, hpa, "
                              "sources, note")
        parsed: dict[str, float | None] = {}
        text = []
        for section in ("requests", "limits", "init"):
            spec = table.get(section, {})
            if not isinstance(spec, Mapping) or set(spec) - {"cpu", "memory"}:
                raise _fail(here, f"field {section!r} is {spec!r}; expected a table with cpu and/or memory")
            for key, parse in (("cpu", parse_cpu), ("memory", parse_memory)):
                value = spec.get(key)
                if value is not None:
                    try:
                        value = parse(value, name=f"{section}.{key}")
                    except MeshcostError as exc:
                        raise _fail(here, str(exc)) from None
                    if value < 0:
                        raise _fail(here, f"field '{section}.{key}' is negative; expected a quantity >= 0")
                    text.append((section, key, spec[key]))
                parsed[f"{section}.{key}"] = value
        sources = _get(table, "sources", here, list)
        known = all_sources()
        for source in sources:
            if not isinstance(source, str) or (_SOURCE_ID.match(source) and source not in known):
                raise _fail(here, f"field 'sources' cites {source!r}, which is not in the shipped source tables")
        out.append((install, Resources(
            parsed["requests.cpu"], parsed["requests.memory"], parsed["limits.cpu"], parsed["limits.memory"],
            parsed["init.cpu"], parsed["init.memory"], tuple(sources), _get(table, "note", here, str, ""),
            tuple(text), _replicas(table, here))))
    if out and "default" not in dict(out):
        raise _fail(where, f"resources define {[k for k, _ in out]} but no 'default' install profile")
    return tuple(out)


def _replicas(table: Mapping[str, Any], where: str) -> Replicas | None:
    """``replicas = 3`` (fixed) or ``hpa = {min = 1, max = 5, cpu_utilization = 0.8}``."""
    if "replicas" in table and "hpa" in table:
        raise _fail(where, "gives both 'replicas' and 'hpa'; give a fixed count or an autoscaler")
    if "replicas" in table:
        count = _get(table, "replicas", where, int)
        if isinstance(count, bool) or count < 1:
            raise _fail(where, f"field 'replicas' is {count!r}; expected a whole number >= 1")
        return Replicas(count, count)
    if "hpa" not in table:
        return None
    hpa = _get(table, "hpa", where, Mapping)
    unknown = sorted(set(hpa) - {"min", "max", "cpu_utilization"})
    if unknown:
        raise _fail(where, f"hpa has unknown field(s) {unknown}; expected min, max, cpu_utilization")
    low, high = (_get(hpa, k, f"{where} hpa", int) for k in ("min", "max"))
    utilisation = float(_get(hpa, "cpu_utilization", f"{where} hpa", float))
    if isinstance(low, bool) or isinstance(high, bool) or not 1 <= low <= high:
        raise _fail(where, f"hpa min/max are {low!r}/{high!r}; expected whole numbers with 1 <= min <= max")
    if not 0 < utilisation <= 10:
        raise _fail(where, f"hpa cpu_utilization is {utilisation!r}; expected a share of the CPU request > 0 (0.8 = 80 %)")
    return Replicas(low, high, utilisation)


def _measured(raw: Any, where: str) -> tuple[MeasuredRange, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "field 'measured' must be an array of tables ([[component.measured]])")
    out = []
    for index, table in enumerate(raw):
        here = f"{where} measured[{index}]"
        if not isinstance(table, Mapping):
            raise _fail(here, f"expected a table, got {table!r}")
        unknown = sorted(set(table) - {"quantity", "max", "sources", "note"})
        if unknown:
            raise _fail(here, f"unknown field(s) {unknown}; expected quantity, max, sources, note")
        quantity = _get(table, "quantity", here, str)
        if quantity not in EXTRAPOLATION_QUANTITIES:
            raise _fail(here, f"field 'quantity' is {quantity!r}; expected one of {list(EXTRAPOLATION_QUANTITIES)}")
        maximum = float(_get(table, "max", here, float))
        if not math.isfinite(maximum) or maximum <= 0:
            raise _fail(here, f"field 'max' is {maximum!r}; expected a number > 0")
        sources = _get(table, "sources", here, list)
        known = all_sources()
        if not sources or any(not isinstance(x, str) or x not in known for x in sources):
            raise _fail(here, f"field 'sources' is {sources!r}; expected ids of the shipped source tables")
        out.append(MeasuredRange(quantity, maximum, tuple(sources), _get(table, "note", here, str, "")))
    return tuple(out)


def _terms(raw: Any, resource: str, drivers: Mapping[str, str], where: str) -> tuple[Term, ...]:
    if not isinstance(raw, list):
        raise _fail(where, f"field {resource!r} must be an array of tables ([[component.{resource}]])")
    terms = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        here = f"{where} {resource}[{index}]"
        if not isinstance(table, Mapping):
            raise _fail(here, f"expected a table, got {table!r}")
        driver = _get(table, "driver", here, str)
        if driver not in drivers:
            raise _fail(here, f"field 'driver' is {driver!r}; expected one of {list(drivers)}")
        if driver in seen:
            raise _fail(here, f"field 'driver' repeats {driver!r}; give each driver once")
        seen.add(driver)
        per_rps = None
        if driver in ("request", "request_above_reference"):
            per_rps = float(_get(table, "per_rps", here, float))
            if not math.isfinite(per_rps) or per_rps <= 0:
                raise _fail(here, f"field 'per_rps' is {per_rps!r}; expected a number > 0")
        terms.append(Term(driver, _coefficient(table, resource, here, driver), per_rps))
    return tuple(terms)


def _component(table: Any, where: str) -> ComponentProfile:
    if not isinstance(table, Mapping):
        raise _fail(where, f"expected a table, got {table!r}")
    name = _get(table, "name", where, str)
    if not _NAME.match(name):
        raise _fail(where, f"field 'name' is {name!r}; expected lower-case letters, digits, '-', '_' or '.'")
    where = f"{where} ({name!r})"
    instances = _get(table, "instances", where, str)
    if instances not in INSTANCE_RULES:
        raise _fail(where, f"field 'instances' is {instances!r}; expected one of {list(INSTANCE_RULES)}")
    traffic = _get(table, "traffic", where, str, "none")
    if traffic not in TRAFFIC_KINDS:
        raise _fail(where, f"field 'traffic' is {traffic!r}; expected one of {list(TRAFFIC_KINDS)}")
    passes = _get(table, "passes", where, int, 0)
    if isinstance(passes, bool) or passes < 0:
        raise _fail(where, f"field 'passes' is {passes!r}; expected a whole number >= 0")
    if traffic != "none" and passes == 0:
        raise _fail(where, f"field 'passes' is missing or 0; a component with traffic {traffic!r} needs passes >= 1")
    workers = None
    if "workers" in table:
        workers = float(_get(table, "workers", where, float))
        if not math.isfinite(workers) or workers < 1 or workers != math.floor(workers):
            raise _fail(where, f"field 'workers' is {workers!r}; expected a whole number of worker threads >= 1")
    workers_from = _get(table, "workers_from", where, str, "fixed")
    if workers_from not in WORKER_RULES:
        raise _fail(where, f"field 'workers_from' is {workers_from!r}; expected one of {list(WORKER_RULES)}")
    if workers_from != "fixed" and workers is None:
        raise _fail(where, f"workers_from = {workers_from!r} needs 'workers' (the count when the rule gives none)")
    config = _get(table, "config", where, str, "none")
    if config not in CONFIG_SCOPES:
        raise _fail(where, f"field 'config' is {config!r}; expected one of {list(CONFIG_SCOPES)}")
    timing: dict[str, float | None] = {"reconnect_seconds": None, "debounce_seconds": None}
    for key in timing:
        if key in table:
            value = float(_get(table, key, where, float))
            if not math.isfinite(value) or value <= 0:
                raise _fail(where, f"field {key!r} is {value!r}; expected a number of seconds > 0")
            timing[key] = value
    memory = _terms(table.get("memory", []), "memory", MEMORY_DRIVERS, where)
    cpu = _terms(table.get("cpu", []), "cpu", CPU_DRIVERS, where)
    drivers = {t.driver for t in cpu}
    if drivers & {"request", "request_above_reference"} and traffic == "none":
        raise _fail(where, "has a 'request' CPU term but traffic = 'none'; set traffic to 'all' or 'l7'")
    if "request_above_reference" in drivers and "request" not in drivers:
        raise _fail(where, "has a 'request_above_reference' CPU term but no 'request' term")
    if "proxy_push" in drivers and timing["debounce_seconds"] is None:
        raise _fail(where, "has a 'proxy_push' CPU term but no 'debounce_seconds'")
    if "reconnect_resource" in drivers and timing["reconnect_seconds"] is None:
        raise _fail(where, "has a 'reconnect_resource' CPU term but no 'reconnect_seconds'")
    latency = {}
    for key in ("latency_p50", "latency_p99"):
        latency[key] = _coefficient(table[key], key, f"{where} {key}") if key in table else None
    if (latency["latency_p50"] is None) != (latency["latency_p99"] is None):
        raise _fail(where, "gives only one of latency_p50 / latency_p99; give both or neither")
    if latency["latency_p50"] is not None:
        if workers is None:
            raise _fail(where, "gives latency but no 'workers' (proxy worker threads, for latency under load)")
        if traffic == "none":
            raise _fail(where, "gives latency but traffic = 'none'; latency needs a component on the request path")
        p99 = latency["latency_p99"]
        assert p99 is not None
        for band in range(3):
            if latency["latency_p50"].values[band] > p99.values[band]:
                raise _fail(where, "latency_p50 exceeds latency_p99; a median cannot exceed the 99th percentile")
    resources = _resources(table["resources"], where) if "resources" in table else ()
    if instances == "control-plane":
        if not resources or any(r.replicas is None for _, r in resources):
            raise _fail(where, "instances = 'control-plane' needs 'replicas' or 'hpa' in every install profile "
                               "([component.resources.<install>])")
    elif any(r.replicas is not None for _, r in resources):
        raise _fail(where, "gives 'replicas' or 'hpa' but its instances are not 'control-plane'")
    measured = _measured(table.get("measured", []), where)
    known = {"name", "title", "instances", "proxy", "traffic", "passes", "workers", "workers_from", "config",
             "reconnect_seconds", "debounce_seconds", "memory", "cpu", "resources", "latency_p50", "latency_p99",
             "measured"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise _fail(where, f"unknown field(s) {unknown}; expected some of {sorted(known)}")
    return ComponentProfile(
        name=name,
        title=_get(table, "title", where, str, name),
        instances=instances,
        proxy=bool(_get(table, "proxy", where, bool, False)),
        traffic=traffic,
        passes=passes,
        workers=workers,
        workers_from=workers_from,
        config=config,
        resources=resources,
        memory=memory,
        cpu=cpu,
        measured=measured,
        reconnect_seconds=timing["reconnect_seconds"],
        debounce_seconds=timing["debounce_seconds"],
        latency_p50=latency["latency_p50"],
        latency_p99=latency["latency_p99"],
    )


def _apply_overrides(base: MeshProfile, raw: Any, origin: str) -> MeshProfile:
    if not isinstance(raw, list):
        raise _fail(origin, "field 'override' must be an array of tables ([[override]])")
    profile = base
    for index, table in enumerate(raw):
        where = f"{origin} override[{index}]"
        if not isinstance(table, Mapping):
            raise _fail(where, f"expected a table, got {table!r}")
        component = _get(table, "component", where, str)
        resource = _get(table, "resource", where, str)
        driver = _get(table, "driver", where, str, "hop")
        if resource not in _KIND_OF_RESOURCE:
            raise _fail(where, f"field 'resource' is {resource!r}; expected one of {list(_KIND_OF_RESOURCE)}")
        coef = _coefficient(table, resource, where, driver)
        try:
            profile = profile.replacing(component, resource, driver, coef)
        except UnknownNameError as exc:
            raise _fail(where, str(exc)) from None
    for comp in profile.components:
        if comp.latency_p50 is not None and comp.latency_p99 is not None:
            if any(a > b for a, b in zip(comp.latency_p50.values, comp.latency_p99.values)):
                raise _fail(origin, f"component {comp.name!r}: latency_p50 exceeds latency_p99 after overrides")
    return profile


def profile_from_dict(document: Mapping[str, Any], origin: str = "<dict>",
                      bases: Mapping[str, MeshProfile] | None = None) -> MeshProfile:
    """Build and validate a :class:`MeshProfile` from a parsed TOML document.

    A document whose ``[mesh]`` has ``extends = "<mesh>"`` starts from that profile (looked
    up in ``bases``, default the built-in ones), replaces the coefficients listed in
    ``[[override]]`` tables and adds any ``[[component]]`` tables: this is how data
    vintages (older releases' figures) are written.
    """
    mesh = document.get("mesh")
    if not isinstance(mesh, Mapping):
        raise _fail(origin, "table [mesh] is missing (it needs name, title, data_version)")
    here = f"{origin} [mesh]"
    name = _get(mesh, "name", here, str)
    if not _NAME.match(name):
        raise _fail(here, f"field 'name' is {name!r}; expected lower-case letters, digits, '-', '_' or '.'")
    extra = sorted(set(document) - {"mesh", "component", "override"})
    if extra:
        raise _fail(origin, f"unknown top-level table(s) {extra}; expected [mesh], [[component]], [[override]]")
    version = str(_get(mesh, "version", here, str, ""))
    covers = _get(mesh, "covers", here, list, [])
    if not all(isinstance(c, str) for c in covers):
        raise _fail(here, f"field 'covers' is {covers!r}; expected a list of version strings")
    extends = _get(mesh, "extends", here, str, "")
    raw_components = document.get("component", [])
    if not isinstance(raw_components, list):
        raise _fail(origin, "field 'component' must be an array of tables ([[component]])")
    components = tuple(_component(t, f"{origin} component[{i}]") for i, t in enumerate(raw_components))
    if extends:
        known = builtin_profiles() if bases is None else bases
        if extends not in known:
            raise _fail(here, f"field 'extends' is {extends!r}; expected one of {list(known)}")
        base = _apply_overrides(known[extends], document.get("override", []), origin)
        components = base.components + components
    elif "override" in document:
        raise _fail(origin, "[[override]] tables need [mesh] extends = '<mesh>' to say what they override")
    if not components:
        raise _fail(origin, "no [[component]] tables; a mesh needs at least one component")
    names = [c.name for c in components]
    if len(set(names)) != len(names):
        raise _fail(origin, f"component names repeat: {names}")
    return MeshProfile(
        name=name,
        title=_get(mesh, "title", here, str, name),
        data_version=_get(mesh, "data_version", here, str, ""),
        components=components,
        origin=origin,
        version=version,
        covers=tuple(covers),
    )


def load_profile(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> MeshProfile:
    """Read and validate a mesh profile from a TOML file (at most ``max_bytes``); errors name the
    file, entry and field."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path: got {describe_value(path)}; expected the path of a TOML mesh profile",
                             parameter="path")
    label, text = read_text(path, what="a TOML mesh profile", max_bytes=max_bytes)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{label}: not valid TOML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise DataFileError(f"{label}: nested too deeply; expected a TOML mesh profile") from None
    return profile_from_dict(document, origin=Path(label).name)


def _coefficient_to_dict(coef: Coefficient) -> dict[str, Any]:
    out: dict[str, Any] = {"low": coef.low, "typical": coef.typical, "high": coef.high, "unit": coef.unit,
                           "basis": coef.basis, "sources": list(coef.sources)}
    if coef.note:
        out["note"] = coef.note
    return out


def profile_to_dict(profile: MeshProfile) -> dict[str, Any]:
    """The TOML-shaped document of a profile (inverse of :func:`profile_from_dict`)."""
    components = []
    for comp in profile.components:
        table: dict[str, Any] = {"name": comp.name, "title": comp.title, "instances": comp.instances,
                                 "proxy": comp.proxy, "traffic": comp.traffic}
        if comp.passes:
            table["passes"] = comp.passes
        if comp.workers is not None:
            table["workers"] = comp.workers
        if comp.workers_from != "fixed":
            table["workers_from"] = comp.workers_from
        if comp.config != "none":
            table["config"] = comp.config
        for key in ("reconnect_seconds", "debounce_seconds"):
            if getattr(comp, key) is not None:
                table[key] = getattr(comp, key)
        for resource in ("memory", "cpu"):
            terms = getattr(comp, resource)
            if terms:
                rows = []
                for term in terms:
                    row = {"driver": term.driver}
                    if term.per_rps is not None:
                        row["per_rps"] = term.per_rps
                    row.update(_coefficient_to_dict(term.coefficient))
                    rows.append(row)
                table[resource] = rows
        for key in ("latency_p50", "latency_p99"):
            coef = getattr(comp, key)
            if coef is not None:
                table[key] = _coefficient_to_dict(coef)
        if comp.resources:
            resources: dict[str, Any] = {}
            for install, res in comp.resources:
                entry: dict[str, Any] = {"requests": {}}
                for section, key, raw in res.text:
                    entry.setdefault(section, {})[key] = raw
                replicas = res.replicas
                if replicas is not None and replicas.cpu_utilization is None:
                    entry["replicas"] = replicas.minimum
                elif replicas is not None:
                    entry["hpa"] = {"min": replicas.minimum, "max": replicas.maximum,
                                    "cpu_utilization": replicas.cpu_utilization}
                entry["sources"] = list(res.sources)
                if res.note:
                    entry["note"] = res.note
                resources[install] = entry
            table["resources"] = resources
        if comp.measured:
            table["measured"] = [{"quantity": m.quantity, "max": m.maximum, "sources": list(m.sources),
                                  **({"note": m.note} if m.note else {})} for m in comp.measured]
        components.append(table)
    mesh: dict[str, Any] = {"name": profile.name, "title": profile.title, "data_version": profile.data_version}
    if profile.version:
        mesh["version"] = profile.version
    if profile.covers:
        mesh["covers"] = list(profile.covers)
    return {"mesh": mesh, "component": components}


def save_profile(profile: MeshProfile, path: str | Path) -> Path:
    """Write a profile as TOML; :func:`load_profile` reads it back unchanged."""
    import tomli_w

    path = Path(path)
    path.write_bytes(tomli_w.dumps(profile_to_dict(profile)).encode("utf-8"))
    return path


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, MeshProfile]:
    """The shipped profiles at their newest data vintage, by mesh name."""
    folder = data_dir() / "profiles"
    return {name: load_profile(folder / f"{name}.toml") for name in BUILTIN_MESHES}


@lru_cache(maxsize=1)
def _vintages() -> dict[str, dict[str, MeshProfile]]:
    folder = data_dir() / "profiles"
    out: dict[str, dict[str, MeshProfile]] = {}
    for name, profile in builtin_profiles().items():
        out[name] = {profile.version: profile}
    for path in sorted(folder.glob("*@*.toml")):
        profile = load_profile(path)
        if profile.name not in out:
            raise DataFileError(f"{path.name}: mesh {profile.name!r} is not a built-in mesh")
        out[profile.name][profile.version] = profile
    return {name: dict(sorted(table.items(), key=lambda kv: _version_key(kv[0]), reverse=True))
            for name, table in out.items()}


def _version_key(label: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.\-]", label))


def versions(mesh: str) -> dict[str, tuple[str, ...]]:
    """The data vintages shipped for a mesh: vintage label -> releases it covers (newest first)."""
    table = _vintages()
    if mesh not in table:
        raise UnknownNameError(f"mesh {mesh!r} is not built in; known meshes are {list(table)}")
    return {label: profile.covers for label, profile in table[mesh].items()}


def get_profile(name: str, version: str | None = None) -> MeshProfile:
    """A built-in profile by mesh name, at its newest data vintage or the one covering ``version``.

    ``name`` may carry the version after an ``@`` (``"istio-sidecar@1.20"``); the profile is
    then named that way too, so two vintages can be projected side by side.
    """
    if not isinstance(name, str):
        raise InputTypeError(f"mesh: got {describe_value(name)}; expected a built-in mesh name such as "
                             "'istio-sidecar' (optionally 'name@version')", parameter="mesh")
    if version is not None and not isinstance(version, str):
        raise InputTypeError(f"version: got {describe_value(version)}; expected a release such as '1.20', or None",
                             parameter="version")
    label = name
    if "@" in name and version is None:
        name, version = name.split("@", 1)
    table = _vintages()
    if name not in table:
        raise UnknownNameError(f"mesh {name!r} is not built in; known meshes are {list(table)}")
    if version is None or version in ("latest", "newest"):
        return builtin_profiles()[name]
    for vintage_label, profile in table[name].items():
        if version == vintage_label or version in profile.covers:
            return profile.renamed(label) if label != name else profile
    known = {k: list(p.covers) for k, p in table[name].items()}
    raise UnknownNameError(f"version {version!r} of {name!r} has no shipped figures; known vintages "
                           f"(and the releases they cover) are {known}")
