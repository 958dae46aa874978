"""``meshcost.project``: the thin orchestration layer over the model kernels."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from .checks import fail, numbers_array, whole_number
from .checks import seed as check_seed
from .errors import InputTypeError, InputValueError, UnknownNameError, describe_value
from .labelled import labelled_inputs
from .kernels.uncertainty import DEFAULT_CHUNK_VALUES, DEFAULT_PERCENTILES, MeshInputs, monte_carlo
from .kernels.usage import Setup, Values, aligned, coefficient_values, component_instances, mesh_setup
from .money import DEFAULT_NODE, make_cost_settings, money_inputs
from .options import Money, Uncertainty, merge
from .reference.profiles import (BUILTIN_MESHES, MeshProfile, builtin_profiles, coefficient_kind, get_profile,
                                 split_mesh_key)
from .results import MeshResult, Projection
from .scenario import make_scenario
from .units import strip

__all__ = ["project", "resolve_meshes", "parse_overrides", "check_samples", "MAX_SAMPLES"]

#: The largest Monte Carlo sample count: the samples kept for exact percentiles (15 figures x
#: samples x 8 bytes per mesh) stay below 0.5 GB (see :mod:`meshcost.kernels.uncertainty`).
MAX_SAMPLES = 4_000_000


def check_samples(samples: Any, seed: Any, percentiles: Any) -> tuple[int, int | None, tuple[float, ...]]:
    """Validate ``samples`` (1 to :data:`MAX_SAMPLES`), ``seed`` and ``percentiles`` (0-100)."""
    count = whole_number(samples, "samples", minimum=1, maximum=MAX_SAMPLES)
    if isinstance(percentiles, (str, bytes)):
        fail("percentiles", percentiles, "numbers from 0 to 100", error=InputTypeError)
    values = numbers_array(percentiles, "percentiles", "count", minimum=0.0, maximum=100.0,
                           expected="numbers from 0 to 100")
    if values.ndim > 1:
        fail("percentiles", percentiles, "a number or a flat sequence of numbers from 0 to 100")
    pct = tuple(float(p) for p in np.atleast_1d(values))
    if not pct or len(pct) > 101:
        fail("percentiles", percentiles, "1 to 101 numbers from 0 to 100")
    return count, check_seed(seed), pct


def resolve_meshes(meshes: Iterable[str | MeshProfile] | str | MeshProfile | None,
                   versions: Mapping[str, str] | None = None) -> list[MeshProfile]:
    """Turn mesh names and/or :class:`MeshProfile` objects into profiles (default: the three built in).

    A name may pin a data vintage (``"istio-sidecar@1.20"``); ``versions`` maps a built-in
    mesh name to the release whose figures to use (``{"istio-sidecar": "1.20"}``).
    """
    profiles = builtin_profiles()
    if versions is not None and not isinstance(versions, Mapping):
        raise InputTypeError(f"versions: got {describe_value(versions)}; expected a dict of mesh name -> version string")
    versions = dict(versions or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()):
        raise InputTypeError(f"versions: got {describe_value(versions)}; expected a dict of mesh name -> version string")
    if meshes is None:
        meshes = list(BUILTIN_MESHES)
    if isinstance(meshes, (str, MeshProfile)):
        meshes = [meshes]
    if isinstance(meshes, (bytes, Mapping)) or not isinstance(meshes, Iterable):
        raise InputTypeError(f"meshes: got {describe_value(meshes)}; expected a mesh name, a MeshProfile, or a list "
                             f"of them (built in: {list(BUILTIN_MESHES)})")
    meshes = list(meshes)
    if len(meshes) > 100:
        fail("meshes", f"{len(meshes):,} meshes", "at most 100 meshes per projection", described=True)
    for mesh in meshes:
        if not isinstance(mesh, (str, MeshProfile)):
            raise InputTypeError(f"meshes: got {describe_value(mesh)}; expected mesh names or MeshProfile objects")
    unused = set(versions) - {m for m in meshes if isinstance(m, str)}
    if unused:
        raise UnknownNameError(f"versions: {sorted(unused)} not among the projected meshes "
                               f"{[m if isinstance(m, str) else m.name for m in meshes]}")
    resolved: list[MeshProfile] = []
    for mesh in meshes:
        if isinstance(mesh, MeshProfile):
            resolved.append(mesh)
        else:
            base = mesh.split("@", 1)[0]
            if base not in profiles:
                raise UnknownNameError(f"meshes: {mesh!r} is not a known mesh; expected one of {list(profiles)} "
                                       "(optionally with @version) or a MeshProfile (meshcost.load_profile)")
            if "@" in mesh:
                resolved.append(get_profile(mesh))
            else:
                resolved.append(get_profile(mesh, versions.get(mesh)))
    names = [p.name for p in resolved]
    if len(set(names)) != len(names) or not names:
        raise InputValueError(f"meshes: got {names}; expected at least one mesh, each named once")
    return resolved


def parse_overrides(overrides: Mapping[str, Any] | None,
                    profiles: list[MeshProfile]) -> dict[str, dict[tuple[str, str, str], np.ndarray]]:
    """Validate coefficient overrides ``{"mesh.component.resource.driver": value}``.

    ``value`` is a number or array (in MiB, vCPU or ms), a pint Quantity, or a
    (low, typical, high) tuple of those. Latency keys use driver ``hop``
    (``"linkerd.proxy.latency_p99.hop"``). Returns, per mesh, canonical values with the band
    axis first: ``(3, *override_shape)``.
    """
    out: dict[str, dict[tuple[str, str, str], np.ndarray]] = {}
    if overrides is None:
        return out
    if not isinstance(overrides, Mapping):
        raise InputTypeError(f"overrides: got {describe_value(overrides)}; expected a dict of "
                             "'mesh.component.resource.driver' -> value")
    by_name = {p.name: p for p in profiles}
    for key, value in overrides.items():
        split = split_mesh_key(key, by_name, 3)
        if split is None:
            if isinstance(key, str) and key.count(".") >= 3:
                raise UnknownNameError(f"overrides: key {key!r} names no projected mesh; projected meshes are "
                                       f"{list(by_name)}")
            raise InputValueError(f"overrides: key {key!r} is not 'mesh.component.resource.driver' "
                                  "(e.g. 'istio-sidecar.sidecar.memory.instance')")
        mesh, (component, resource, driver) = split
        known = {(c, r, d) for c, r, d, _ in by_name[mesh].coefficients()}
        if (component, resource, driver) not in known:
            raise UnknownNameError(
                f"overrides: key {key!r} is not a coefficient of {mesh!r}; it has "
                f"{sorted('.'.join((mesh, *k)) for k in known)}")
        triple = value if isinstance(value, tuple) else (value, value, value)
        if len(triple) != 3:
            raise InputValueError(f"overrides[{key!r}]: got a tuple of {len(triple)}; expected (low, typical, high)")
        kind = coefficient_kind(resource, driver)
        arrays = []
        for band, item in zip(("low", "typical", "high"), triple):
            array = strip(item, f"overrides[{key!r}] ({band})", kind)
            if not np.all(np.isfinite(array)) or np.any(array < 0):
                raise InputValueError(f"overrides[{key!r}] ({band}): got {describe_value(item)}; "
                                      "expected finite values >= 0")
            arrays.append(array)
        if np.any(arrays[0] > arrays[1]) or np.any(arrays[1] > arrays[2]):
            raise InputValueError(f"overrides[{key!r}]: expected low <= typical <= high")
        try:
            stacked = np.stack(np.broadcast_arrays(*arrays))
        except ValueError:
            fail(f"overrides[{key!r}]", "low, typical and high of shapes " + ", ".join(str(a.shape) for a in arrays),
                 "shapes that broadcast together", described=True)
        out.setdefault(mesh, {})[(component, resource, driver)] = stacked
    return out


def project(
    nodes: Any,
    sidecars: Any,
    services: Any = None,
    visible_services: Any = None,
    rps: Any = 0.0,
    waypoints: Any = 0,
    l7_share: Any = None,
    *,
    ports_per_service: Any = None,
    tcp_share: Any = 0.0,
    subsets_per_service: Any = 0.0,
    churn: Any = None,
    meshes: Iterable[str | MeshProfile] | str | MeshProfile | None = None,
    versions: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    percentiles: Iterable[float] = DEFAULT_PERCENTILES,
    chunk_values: int = DEFAULT_CHUNK_VALUES,
    progress: Callable[[int, int], None] | None = None,
    install: Mapping[str, str] | None = None,
    requests: Mapping[str, Mapping[str, Any]] | None = None,
    sizing: str = "chart",
    skew: Any = 1.0,
    node: Any = DEFAULT_NODE,
    prices: Any = None,
    billing: str = "resources",
    hours_per_month: Any = None,
    money: Any = None,
    uncertainty: Any = None,
) -> Projection:
    """Project the memory, CPU and latency each mesh adds to a cluster.

    Every input takes a plain number (in the unit given), a pint Quantity of a compatible
    unit, or a numpy array; inputs broadcast together and every output has their shape.
    xarray DataArrays broadcast by dimension name instead (``r.dims``, ``r.to_xarray()``), and
    dask-backed inputs return a :class:`~meshcost.LazyProjection` computed chunk by chunk
    when asked (see :mod:`meshcost.labelled`).

    Parameters
    ----------
    nodes : int or array
        Worker nodes in the cluster. [count, >= 1]
    sidecars : int or array
        Meshed pods: one sidecar each in sidecar meshes (ambient meshes them without
        sidecars). [count]
    services : int or array, optional
        Services in the mesh. Default ``ceil(sidecars / 10)`` (an assumption). [count]
    visible_services : int or array, optional
        Services each sidecar holds config for. Default all (no ``Sidecar`` / ``exportTo``
        scoping). Must not exceed ``services``. [count]
    rps : float, array or Quantity, optional
        Mesh-wide service-to-service requests per second. Default 0 (idle). [1/s]
    waypoints : int or array, optional
        Istio ambient waypoint proxies. Default 0 (L4 only). [count]
    l7_share : float or array, optional
        Share of requests that pass a waypoint. Default 1 where ``waypoints > 0``, else 0. [0-1]
    ports_per_service : float or array, optional
        Ports per Service, on average: Envoy builds an outbound cluster per service port.
        Default 1 (an assumption). [count]
    tcp_share : float or array, optional
        Share of service ports that carry plain TCP (each gets its own Envoy listener).
        Default 0. [0-1]
    subsets_per_service : float or array, optional
        DestinationRule subsets per Service (each adds a cluster per port). Default 0. [count]
    churn : float, array or Quantity, optional
        Pod or config changes per second in the cluster; drives control-plane pushes.
        Default ``2 x sidecars / 86400`` (every pod replaced once a day, an assumption). [1/s]
    meshes : names or MeshProfile objects, optional
        Which meshes to project. Default ``("istio-sidecar", "istio-ambient", "linkerd")``.
        A name may pin a data vintage: ``"istio-sidecar@1.20"``.
    versions : dict, optional
        Release whose published figures to use per mesh, e.g. ``{"istio-sidecar": "1.20"}``.
        Default: the newest vintage with data (``meshcost.versions(mesh)`` lists them).
    overrides : dict, optional
        Coefficient overrides ``{"mesh.component.resource.driver": value}`` (see
        :func:`parse_overrides`); values may be arrays, which broadcast with the inputs.
    samples : int, optional
        Monte Carlo samples of the coefficients (Beta-PERT on each low / typical / high,
        see :mod:`meshcost.uncertainty`). Adds ``.p5`` / ``.p50`` / ``.p95`` (and every
        requested percentile) to each mesh's bands. Default: none (deterministic bands only).
    seed : int, optional
        Random seed; the same seed gives identical results.
    percentiles : sequence of float
        Percentiles to report, 0-100. Default (5, 50, 95).
    chunk_values : int
        Sample x scenario values evaluated at once (bounds memory). Default 2**22.
    progress : callable, optional
        ``progress(done, total)`` after each chunk of scenarios (Monte Carlo only).
    install : dict, optional
        Install profile per mesh whose requests Kubernetes reserves, e.g.
        ``{"istio-sidecar": "demo", "linkerd": "ha"}``. Default ``"default"`` for every mesh.
    requests : dict, optional
        Your own resources per component, ``{"istio-sidecar.sidecar": {"cpu": "200m", "memory": "256Mi"}}``
        (Kubernetes quantities, numbers in vCPU / MiB, or Quantities); also ``cpu_limit``
        (a sidecar's Envoy runs ``ceil(limit)`` worker threads) and, for control planes,
        ``replicas``: a whole number or ``(min, max)`` autoscaler bounds
        (``{"istio-sidecar.istiod": {"replicas": (2, 10)}}``).
    sizing : {"chart", "usage"}
        ``"chart"``: requests from the install profile (or ``requests``); ``"usage"``:
        requests right-sized to the projected usage, CPU scaled by ``skew``.
    skew : float or array
        The busiest instance's CPU use over the average (one template sizes every sidecar or
        DaemonSet pod) [1 to 1e10: at most the instance count]. Default 1.
    node : str or NodeShape
        Node type for allocatable capacity and extra nodes. Default GKE ``e2-standard-4``.
    prices : PriceSheet, str, path or dict, optional
        Prices: a machine type or provider from the shipped sheet, ``"e2"``/``"n2"`` unit
        prices, a ``PriceSheet``, a dict of its fields, or the path of a CSV price sheet
        (``PriceSheet.from_csv``). Default: Google's E2 unit prices for e2 nodes, else the
        node's own price.
    billing : {"resources", "nodes"}
        ``"resources"``: the billable CPU and memory at unit prices (how a cost-allocation tool
        charges a workload); ``"nodes"``: whole extra nodes at the node price (what a cluster
        autoscaler adds). Default ``"resources"``.
    hours_per_month : float, optional
        Hours in a billed month, in (0, 744]. Default the price sheet's (730 = 8760 / 12);
        720 = 24 x 30 is GCE's.
    money : meshcost.Money, optional
        ``install``, ``requests``, ``sizing``, ``skew``, ``node``, ``prices``, ``billing`` and
        ``hours_per_month`` as one object.
    uncertainty : meshcost.Uncertainty, optional
        ``samples``, ``seed``, ``percentiles``, ``chunk_values`` and ``progress`` as one object.

    Returns
    -------
    Projection
        ``r.meshes``, ``r["linkerd"].memory.typical`` (Quantity, MiB), ``.cpu`` (vCPU),
        ``.latency_p50`` / ``.latency_p99`` (ms per hop), ``r.to_frame()``, ``print(r)``;
        a :class:`~meshcost.LazyProjection` (a Projection subclass) for dask-backed inputs.
    """
    inputs = {"nodes": nodes, "sidecars": sidecars, "services": services, "visible_services": visible_services,
              "rps": rps, "waypoints": waypoints, "l7_share": l7_share, "ports_per_service": ports_per_service,
              "tcp_share": tcp_share, "subsets_per_service": subsets_per_service, "churn": churn}
    labels = labelled_inputs(inputs)
    if labels is not None and labels.lazy:
        from .lazy import LazyProjection

        return LazyProjection(labels, {
            "meshes": meshes, "versions": versions, "overrides": overrides, "samples": samples, "seed": seed,
            "percentiles": percentiles, "chunk_values": chunk_values, "install": install, "requests": requests,
            "sizing": sizing, "skew": skew, "node": node, "prices": prices, "billing": billing,
            "hours_per_month": hours_per_month, "money": money, "uncertainty": uncertainty})
    if labels is not None:  # broadcast by dimension name; None still means the input's default
        inputs = {name: labels.values.get(name) for name in inputs}
    settings = merge(money, Money, "money", {"install": install, "requests": requests, "sizing": sizing,
                                             "skew": skew, "node": node, "prices": prices, "billing": billing,
                                             "hours_per_month": hours_per_month})
    sampling = merge(uncertainty, Uncertainty, "uncertainty", {"samples": samples, "seed": seed,
                                                               "percentiles": percentiles,
                                                               "chunk_values": chunk_values, "progress": progress})
    samples, seed, percentiles, chunk_values, progress = (sampling[k] for k in ("samples", "seed", "percentiles",
                                                                                 "chunk_values", "progress"))
    if progress is not None and not callable(progress):
        raise InputTypeError(f"progress: got {describe_value(progress)}; expected a function progress(done, total), "
                             "or None")
    profiles = resolve_meshes(meshes, versions)
    parsed = parse_overrides(overrides, profiles)
    extra = tuple(a.shape[1:] for by_key in parsed.values() for a in by_key.values())
    scenario = make_scenario(**inputs, extra_shapes=extra)
    cost_settings = make_cost_settings(profiles, scenario.shape, **settings)
    if samples is not None:
        samples, seed, pct = check_samples(samples, seed, percentiles)
        chunk_values = whole_number(chunk_values, "chunk_values", minimum=1)
        for mesh, by_key in parsed.items():
            for key, value in by_key.items():
                if np.ndim(value) > 1:
                    fail("overrides", f"{mesh}.{'.'.join(key)} as an array", "scalar coefficients with samples= "
                         "(Monte Carlo needs scalar coefficients: sweep scenarios instead, or run one projection "
                         "per coefficient value)", described=True)
    meshes_in: list[tuple[MeshProfile, Values, dict[str, Setup], dict[str, np.ndarray]]] = []
    for profile in profiles:
        values = coefficient_values(profile)
        values.update(parsed.get(profile.name, {}))
        setup = mesh_setup(profile, cost_settings.install.get(profile.name, "default"),
                           {c: spec for (m, c), spec in cost_settings.requests.items() if m == profile.name})
        instances = component_instances(profile, scenario, setup,
                                        {k: v[1] for k, v in aligned(values, len(scenario.shape)).items()})
        meshes_in.append((profile, values, setup, instances))
    mc = None
    if samples is not None:  # money inputs only here: a deterministic projection prices on first use
        evaluated: list[MeshInputs] = [(*mesh, money_inputs(mesh[0], cost_settings)) for mesh in meshes_in]
        mc = monte_carlo(evaluated, scenario, samples, seed, pct, chunk_values, progress)
    results: dict[str, MeshResult] = {}
    for profile, mesh_values, mesh_setup_, mesh_instances in meshes_in:
        percentile_arrays = None
        if mc is not None:
            percentile_arrays = {figure: dict(zip(mc.percentiles, arrays))
                                 for figure, arrays in mc.figures[profile.name].items()}
        results[profile.name] = MeshResult(profile, scenario, mesh_values, mesh_setup_, mesh_instances, cost_settings,
                                           percentile_arrays)
    return Projection(scenario, results, cost_settings, labels)
