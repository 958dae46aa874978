"""Reserved vs used: what Kubernetes sets aside for a mesh, and what a cost tool bills.

Kubernetes schedules on *requests*; cost tools (OpenCost's rule, F102) charge a container
at ``max(request, usage)``. Per component:

- requests come from the mesh's install profile (Istio ``default`` / ``demo``, Linkerd
  ``default`` / ``ha``; ``data/profiles``), or from the user, or -- with
  ``sizing="usage"`` -- from the projected usage itself (right-sizing);
- one template sizes every instance (a DaemonSet is one size on every node; a sidecar
  template one size in every pod), so a right-sized request follows the *busiest*
  instance: ``skew`` is the busiest instance's CPU use over the average [>= 1];
- pod-level rule (Kubernetes): a regular init container (istio-init, linkerd-init)
  counts through ``max(init, containers)``, a native sidecar (``restartPolicy: Always``)
  adds to the containers. The mesh's increment per pod is therefore
  ``max(init, app + proxy) - max(0, app)``; meshcost takes the app's own request as 0,
  so the increment is ``max(init, proxy)``.

Results per component, totals over its instances, one array per band:
``reserved = instances x request`` and ``billable = instances x max(request, usage per instance)``.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .errors import InputTypeError, InputValueError, UnknownNameError, describe_value
from .kernels.usage import Bands, per_instance
from .reference.profiles import TEMPLATED_RULES, ComponentProfile, MeshProfile, Replicas, Resources, split_mesh_key
from .io.quantity import parse_cpu, parse_memory

__all__ = ["SIZINGS", "pod_request", "component_requests", "reserve", "parse_requests", "parse_install"]

SIZINGS = ("chart", "usage")


def pod_request(app: Any, sidecars: Any, init: Any) -> np.ndarray:
    """A pod's effective request [vCPU or MiB]: ``max(init, app + sidecars)`` (Kubernetes' rule).

    ``app`` is the sum over regular containers, ``sidecars`` over native sidecars
    (restartPolicy Always) and classic sidecar containers, ``init`` the largest regular
    init container.
    """
    return np.maximum(np.asarray(init, float), np.asarray(app, float) + np.asarray(sidecars, float))


def component_requests(comp: ComponentProfile, install: str,
                       override: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Per-instance (CPU [vCPU], memory [MiB]) that Kubernetes reserves for ``comp``.

    Unset requests reserve 0. For per-pod proxies the pod rule applies with the app's own
    request taken as 0: ``max(init, proxy)``. A user override also resizes the init container
    where the install profile gives both the same resources (one template, as Istio's and
    Linkerd's charts do).
    """
    if comp.resources:
        res: Resources = comp.install(install) if install in dict(comp.resources) else comp.install("default")
        cpu, memory = res.cpu_request or 0.0, res.memory_request or 0.0
        init_cpu, init_memory = res.init_cpu or 0.0, res.init_memory or 0.0
    else:
        cpu = memory = init_cpu = init_memory = 0.0
    if override:  # istio-init and linkerd-init share the proxy's resources template
        if init_cpu == cpu:
            init_cpu = override.get("cpu", init_cpu)
        if init_memory == memory:
            init_memory = override.get("memory", init_memory)
        cpu = override.get("cpu", cpu)
        memory = override.get("memory", memory)
    if comp.instances == "sidecars":
        cpu = float(pod_request(0.0, cpu, init_cpu))
        memory = float(pod_request(0.0, memory, init_memory))
    return cpu, memory


def reserve(comp: ComponentProfile, instances: np.ndarray, usage_cpu: Bands, usage_memory: Bands,
            request: tuple[float, float], sizing: str, skew: np.ndarray) -> tuple[Bands, Bands, Bands, Bands]:
    """(reserved CPU, reserved memory, billable CPU, billable memory) totals per band.

    ``usage_*`` are the component's totals over its instances [vCPU, MiB]; ``request`` the
    per-instance requests from :func:`component_requests` (used when ``sizing == "chart"``).
    """
    per_cpu = [per_instance(u, instances) for u in usage_cpu]
    per_memory = [per_instance(u, instances) for u in usage_memory]
    if sizing == "usage":
        factor = skew if comp.instances in TEMPLATED_RULES else 1.0
        req_cpu = [c * factor for c in per_cpu]
        req_memory = per_memory
    else:
        req_cpu = [np.asarray(request[0])] * len(per_cpu)
        req_memory = [np.asarray(request[1])] * len(per_memory)
    reserved_cpu = tuple(instances * r for r in req_cpu)
    reserved_memory = tuple(instances * r for r in req_memory)
    billable_cpu = tuple(instances * np.maximum(r, u) for r, u in zip(req_cpu, per_cpu))
    billable_memory = tuple(instances * np.maximum(r, u) for r, u in zip(req_memory, per_memory))
    return reserved_cpu, reserved_memory, billable_cpu, billable_memory


def parse_install(install: Mapping[str, str] | None, profiles: list[MeshProfile]) -> dict[str, str]:
    """Validate ``install={"linkerd": "ha", ...}``; every named profile must exist in that mesh."""
    if install is None:
        return {}
    if not isinstance(install, Mapping):
        raise InputTypeError(f"install: got {describe_value(install)}; expected a dict of mesh -> install profile")
    by_name = {p.name: p for p in profiles}
    for mesh, name in install.items():
        if mesh not in by_name:
            raise UnknownNameError(f"install: mesh {mesh!r} is not projected; projected meshes are {list(by_name)}")
        known = sorted({k for c in by_name[mesh].components for k, _ in c.resources})
        if name not in known:
            raise UnknownNameError(f"install: {mesh!r} has no install profile {name!r}; it has {known}")
    return dict(install)


def parse_requests(requests: Mapping[str, Mapping[str, Any]] | None,
                   profiles: list[MeshProfile]) -> dict[tuple[str, str], dict[str, Any]]:
    """Validate ``requests={"mesh.component": {"cpu": "200m", "memory": "256Mi", ...}}``.

    Keys: ``cpu`` and ``memory`` (the requests), ``cpu_limit`` (sets a proxy's worker threads
    where the mesh derives them from the limit) and, for control planes, ``replicas``: a
    whole number (fixed) or ``(min, max)`` bounds for the chart's CPU autoscaler. Values are
    Kubernetes quantities (``"100m"``, ``"128Mi"``, ``"1G"``), plain numbers (vCPU, MiB) or
    pint Quantities.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if not requests:
        return out
    if not isinstance(requests, Mapping):
        raise InputTypeError(f"requests: got {describe_value(requests)}; expected a dict of "
                             "'mesh.component' -> {'cpu': ..., 'memory': ..., 'cpu_limit': ..., 'replicas': ...}")
    by_name = {p.name: p for p in profiles}
    accepted = {"cpu", "memory", "cpu_limit", "replicas"}
    for key, spec in requests.items():
        split = split_mesh_key(key, by_name, 1)
        if split is None:
            raise UnknownNameError(f"requests: key {key!r} is not 'mesh.component' for a projected mesh "
                                   f"({list(by_name)})")
        parts = [split[0], split[1][0]]
        comp = by_name[parts[0]].component(parts[1])
        if not isinstance(spec, Mapping) or not spec or set(spec) - accepted:
            raise InputValueError(f"requests[{key!r}]: got {describe_value(spec)}; expected a dict with some of "
                                  f"{sorted(accepted)}")
        parsed: dict[str, Any] = {}
        for field, parse in (("cpu", parse_cpu), ("memory", parse_memory), ("cpu_limit", parse_cpu)):
            if field in spec:
                value = parse(spec[field], name=f"requests[{key!r}].{field}")
                if not np.isfinite(value) or value < 0 or (field == "cpu_limit" and value <= 0):
                    raise InputValueError(f"requests[{key!r}].{field}: got {value!r}; expected a quantity "
                                          f"{'> 0' if field == 'cpu_limit' else '>= 0'}")
                parsed[field] = value
        if "replicas" in spec:
            parsed["replicas"] = _replicas(spec["replicas"], comp, f"requests[{key!r}].replicas")
        out[(parts[0], parts[1])] = parsed
    return out


def _replicas(value: Any, comp: ComponentProfile, name: str) -> Replicas:
    if comp.instances != "control-plane":
        raise InputValueError(f"{name}: {comp.name!r} is not a control plane; replicas apply to control planes")

    def whole(item: Any) -> int:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or not 1 <= item <= 10_000:
            raise InputValueError(f"{name}: got {describe_value(value)}; expected a whole number from 1 to 10000 "
                                  "or a (min, max) pair of them")
        return int(item)

    if isinstance(value, tuple) and len(value) == 2:
        low, high = whole(value[0]), whole(value[1])
        if low > high:
            raise InputValueError(f"{name}: got {value!r}; expected min <= max")
        hpa = next((r.replicas for _, r in comp.resources if r.replicas and r.replicas.cpu_utilization), None)
        return Replicas(low, high, hpa.cpu_utilization if hpa else 0.8)
    count = whole(value)
    return Replicas(count, count)
