"""Read a real cluster's inventory: kubectl JSON exports and YAML manifests.

``read_inventory("cluster.json")`` reads the output of
``kubectl get nodes,pods,services -A -o json`` (a ``v1`` ``List``), or YAML manifests
(one or many documents, ``List`` s included), and counts nodes, services, namespaces and
pods, which pods are meshed and how, and what their proxies request.

Rules (simple on purpose; they are what :class:`Inventory` reports):

- **Kinds read**: Node, Namespace, Service, Pod, Deployment, StatefulSet, ReplicaSet,
  DaemonSet, Job, and ``List`` / ``<Kind>List`` (their ``items``). Other kinds are skipped
  and counted in ``Inventory.skipped_kinds``.
- **Replicas**: ``spec.replicas`` (default 1) for Deployment, StatefulSet and ReplicaSet;
  ``spec.parallelism`` (default 1) for Job; a Pod is 1. A DaemonSet runs one pod per
  node, which a manifest does not say: ``status.desiredNumberScheduled`` when present
  (live exports), else the number of Node objects in the input, else 1.
- **No double counting**: a Pod or ReplicaSet whose owner (``metadata.ownerReferences``)
  is also in the input is not counted (the owner is); a Pod owned by a ReplicaSet
  ``<deployment>-<pod-template-hash>`` counts for that Deployment when it is in the input.
  A plain ``kubectl get pods`` export has Pods only: each one counts.
- **Mesh mode** of a pod (or pod template), in this order:
  ``istio-sidecar``: a container ``istio-proxy``, an init container ``istio-proxy`` with
  ``restartPolicy: Always`` (native sidecar), or the ``sidecar.istio.io/status`` annotation;
  ``linkerd``: the same with ``linkerd-proxy``, or the ``linkerd.io/proxy-version``
  annotation; ``istio-ambient``: label ``istio.io/dataplane-mode=ambient`` on the pod, or
  on its Namespace (when the Namespace object is in the input) unless the pod has
  ``istio.io/dataplane-mode=none``, or the ``ambient.istio.io/redirection: enabled``
  annotation istio-cni puts on running ambient pods; else ``none``.
- **Requests**: a container that sets a limit but no request requests its limit (the
  Kubernetes default). LimitRange defaults and pod overhead are not applied. The pod's
  effective request follows Kubernetes: ``max(app containers + native sidecars, each
  regular init container + the native sidecars started before it)``.
"""

from __future__ import annotations

import gc
import threading
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


from ..errors import DataFileError, InputTypeError, InputValueError, describe_value
from .files import MAX_INPUT_BYTES, is_file_source, parse_json, read_text
from .quantity import parse_cpu, parse_memory

__all__ = [
    "MODES",
    "SYSTEM_NAMESPACES",
    "Inventory",
    "ProxyRequests",
    "Workload",
    "read_inventories",
    "read_inventory",
]

MODES = ("istio-sidecar", "istio-ambient", "linkerd", "none")
SYSTEM_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "istio-system", "linkerd", "linkerd-viz"}
)

_PROXIES = {"istio-proxy": "istio-sidecar", "linkerd-proxy": "linkerd"}
_MODE_ANNOTATIONS = (("sidecar.istio.io/status", "istio-sidecar"), ("linkerd.io/proxy-version", "linkerd"))
_DATAPLANE_LABEL = "istio.io/dataplane-mode"
_REDIRECTION_ANNOTATION = "ambient.istio.io/redirection"
_CONTROLLERS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job")
_NO_RESOURCES = (None, None, None, None)
_EMPTY: dict = {}  # shared, never written to


@dataclass(frozen=True, slots=True)
class Workload:
    """One Pod or pod controller read from the input.

    ``proxy_*`` are the mesh proxy container's own values (None when it sets none, or
    there is no proxy); ``pod_*_request`` is the whole pod's effective request. Per pod.
    """

    kind: str
    namespace: str | None  #: None when the manifest does not say
    name: str
    replicas: int  #: pods it runs [count]
    mode: str  #: one of MODES
    proxy_cpu_request: float | None  #: [vCPU]
    proxy_memory_request: float | None  #: [MiB]
    proxy_cpu_limit: float | None  #: [vCPU]
    proxy_memory_limit: float | None  #: [MiB]
    native_sidecar: bool  #: the proxy is an init container with restartPolicy Always
    pod_cpu_request: float  #: effective pod request [vCPU]
    pod_memory_request: float  #: effective pod request [MiB]


@dataclass(frozen=True)
class ProxyRequests:
    """The proxy requests of the pods of one mode, counted with replicas.

    ``cpu_requests`` / ``memory_requests`` map a request value [vCPU] / [MiB] to the number
    of pods whose proxy requests it. Ambient and unmeshed pods have no per-pod proxy.
    """

    pods: int  #: pods of this mode [count]
    with_cpu_request: int  #: of which the proxy sets a CPU request [count]
    with_memory_request: int  #: of which the proxy sets a memory request [count]
    cpu_requests: dict[float, int]
    memory_requests: dict[float, int]

    @property
    def without_cpu_request(self) -> int:
        """Pods of this mode whose proxy sets no CPU request [count]."""
        return self.pods - self.with_cpu_request

    @property
    def without_memory_request(self) -> int:
        """Pods of this mode whose proxy sets no memory request [count]."""
        return self.pods - self.with_memory_request

    @property
    def cpu_request_total(self) -> float:
        """Sum of the proxies' CPU requests [vCPU]."""
        return sum(value * count for value, count in self.cpu_requests.items())

    @property
    def memory_request_total(self) -> float:
        """Sum of the proxies' memory requests [MiB]."""
        return sum(value * count for value, count in self.memory_requests.items())


@dataclass(frozen=True)
class Inventory:
    """What a cluster export or a set of manifests contains (see the module docstring)."""

    nodes: int  #: Node objects [count]
    pods: int  #: pods, replicas included [count]
    services: int  #: Service objects [count]
    app_services: int  #: Service objects outside SYSTEM_NAMESPACES [count]
    namespaces: int  #: distinct namespaces seen (Namespace objects and metadata.namespace) [count]
    meshed_pods: dict[str, int]  #: mode -> pods, keys MODES [count]
    proxy_requests: dict[str, ProxyRequests]  #: mode -> proxy requests, keys MODES
    workloads: tuple[Workload, ...] = field(repr=False)
    skipped_kinds: dict[str, int] = field(default_factory=dict)  #: kind -> objects not read
    duplicates: int = 0  #: pods not counted because their owner is in the input [count]
    sources: tuple[str, ...] = ()  #: the files (or "<dict>", "<list>", "<stream>") read

    def project_inputs(self, *, nodes: int | None = None) -> dict[str, Any]:
        """Inputs for ``meshcost.project(**inputs)``.

        ``sidecars`` counts pods outside SYSTEM_NAMESPACES: the meshed ones when the
        cluster is already meshed (any mode), else all of them (the pods a mesh would
        take in). ``services`` is the Services outside SYSTEM_NAMESPACES, None when there
        are none (project's default then applies). ``nodes`` is the Node count, or the
        ``nodes`` argument; None when neither is known (supply it before projecting).
        """
        meshed = every = 0
        for workload in self.workloads:
            if workload.namespace not in SYSTEM_NAMESPACES:
                every += workload.replicas
                if workload.mode != "none":
                    meshed += workload.replicas
        return {
            "nodes": nodes if nodes is not None else (self.nodes or None),
            "sidecars": meshed or every,
            "services": self.app_services or None,
        }


def read_inventory(source: Any, *, max_bytes: int = MAX_INPUT_BYTES) -> Inventory:
    """Read one kubectl export or manifest file.

    Parameters
    ----------
    source : str, Path, file-like, dict or list
        A path (``.json`` is read with ``json``; ``.yaml`` / ``.yml`` and other names as
        YAML, unless they start with ``{`` or ``[``), an open file, an already-parsed
        object (dict) or list of objects.
    max_bytes : int
        The largest file read [bytes]; default 256 MiB (about 35,000 pods as JSON).

    Returns
    -------
    Inventory
    """
    return read_inventories([source], max_bytes=max_bytes)


def read_inventories(sources: Iterable[Any], *, max_bytes: int = MAX_INPUT_BYTES) -> Inventory:
    """Read several files (or parsed objects) as one cluster.

    Namespace labels and owners apply across files. Files are refused when they are empty,
    larger than ``max_bytes``, hold a key twice in one mapping, nest deeper than
    :data:`MAX_DEPTH`, or (YAML) expand through aliases to more than :data:`MAX_VALUES` values.

    Parameters
    ----------
    sources : iterable of str, Path, file-like, dict or list
        As for :func:`read_inventory`.
    max_bytes : int
        The largest file read [bytes], per file.

    Returns
    -------
    Inventory
    """
    if isinstance(sources, (str, bytes, os.PathLike, dict)) or not isinstance(sources, Iterable):
        raise InputTypeError(
            f"sources: got {describe_value(sources)}; expected a list of paths, files or parsed "
            "objects (use read_inventory for one)"
        )
    with _collector_paused():
        return _read(sources, max_bytes)  # the parsed documents are freed before the collector resumes


def _read(sources: Iterable[Any], max_bytes: int) -> Inventory:
    objects: list[tuple[dict, str, tuple]] = []
    skipped: Counter[str] = Counter()
    labels = []
    for source in sources:
        label, documents = _load(source, max_bytes)
        labels.append(label)
        if is_file_source(source) and all(d is None for d in documents):
            raise DataFileError(f"{label}: no document in it (an empty file?); expected a kubectl export "
                                "(kubectl get nodes,pods,services -A -o json) or YAML manifests")
        for index, document in enumerate(documents):
            if document is not None:  # an empty YAML document (e.g. a trailing ---)
                _flatten(document, None, (label, index, ""), objects, skipped)
    if not labels:
        raise InputValueError("sources: got no sources; expected at least one path, file or object")
    return _build(objects, skipped, tuple(labels))


# ---------------------------------------------------------------------------- loading


_COLLECTOR_LOCK = threading.Lock()
_COLLECTOR_PAUSES = 0
_COLLECTOR_WAS_ENABLED = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while reading.

    Parsed JSON / YAML holds no reference cycles, so the collector finds nothing, but its
    passes over millions of fresh dicts made ``json.loads`` of a 100,000-pod export about
    four times slower. Concurrent readers share one pause (counted under a lock): the
    collector resumes, if it ran before, when the last of them finishes. Free the parsed
    documents before, or the first pass after it walks them all.
    """
    global _COLLECTOR_PAUSES, _COLLECTOR_WAS_ENABLED
    with _COLLECTOR_LOCK:
        if _COLLECTOR_PAUSES == 0:
            _COLLECTOR_WAS_ENABLED = gc.isenabled()
            gc.disable()
        _COLLECTOR_PAUSES += 1
    try:
        yield
    finally:
        with _COLLECTOR_LOCK:
            _COLLECTOR_PAUSES -= 1
            if _COLLECTOR_PAUSES == 0 and _COLLECTOR_WAS_ENABLED:
                gc.enable()


def _load(source: Any, max_bytes: int = MAX_INPUT_BYTES) -> tuple[str, list]:
    """(label for messages, documents) of one source."""
    if isinstance(source, dict):
        return "<dict>", [source]
    if isinstance(source, (list, tuple)):
        return "<list>", list(source)
    if is_file_source(source):
        label, text = read_text(source, what="JSON or YAML (kubectl get -o json / -o yaml, or manifests)",
                                max_bytes=max_bytes)
        return label, _parse(text, label, Path(label).suffix.lower())
    raise InputTypeError(
        f"source: got {describe_value(source)}; expected a path (str or Path), an open file, "
        "a parsed object (dict) or a list of objects"
    )


#: The most values (mappings, lists and scalars, counting every use of a YAML alias) a source
#: may expand to: far above a 100,000-pod export (~10^7), far below an alias bomb.
MAX_VALUES = 50_000_000
#: The deepest nesting of mappings and lists a source may have (kubectl output stays below 30).
MAX_DEPTH = 200


def _parse(text: str, label: str, suffix: str) -> list:
    """The documents of a JSON (by suffix, or text starting with { or [) or YAML text."""
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and text[:4096].lstrip()[:1] in ("{", "[")):
        document = parse_json(text, label, "a kubectl JSON export")
        return document if isinstance(document, list) else [document]  # JSON shares no values; depth is bounded
    documents = _parse_yaml(text, label)
    _check_size(documents, label)
    return documents


def _yaml_loader() -> Any:
    """A safe YAML loader (libyaml's C parser when installed) that refuses duplicate keys."""
    import yaml  # only YAML input needs it; kept off `import meshcost`

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value != "<<"]
                if len(keys) != len(set(keys)):
                    seen: set[str] = set()
                    twice = next(k for k in keys if k in seen or seen.add(k))  # type: ignore[func-returns-value]
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found the key {describe_value(twice)} twice in one mapping", node.start_mark)
            return super().construct_mapping(node, deep=deep)

    return Loader


def _parse_yaml(text: str, label: str) -> list:
    import yaml

    try:
        return list(yaml.load_all(text, Loader=_yaml_loader()))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "twice" not in problem:
            problem += "; only plain YAML is read, never tags such as !!python/..."
        raise DataFileError(f"{label}: {where}malformed YAML ({problem})") from None
    except RecursionError:
        raise DataFileError(f"{label}: nested too deeply; expected YAML manifests") from None


def _check_size(documents: list, label: str) -> None:
    """Refuse documents that nest deeper than MAX_DEPTH, refer to themselves (YAML aliases), or
    expand to more than MAX_VALUES values; linear in the distinct values, so alias bombs are
    measured, never walked."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(documents, 0, False)]
    open_ids: set[int] = set()
    while stack:
        obj, depth, done = stack.pop()
        key = id(obj)
        if done:
            children = obj.values() if isinstance(obj, dict) else obj
            size = 1 + sum(sizes.get(id(c), 1) for c in children)
            if size > MAX_VALUES:
                raise DataFileError(f"{label}: expands to more than {MAX_VALUES:,} values (YAML aliases reused "
                                    "many times?); expected a kubectl export or manifests")
            sizes[key] = size
            open_ids.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_ids:
            raise DataFileError(f"{label}: a YAML alias refers to the value that contains it; expected finite data")
        if depth > MAX_DEPTH:
            raise DataFileError(f"{label}: nested deeper than {MAX_DEPTH} levels; expected a kubectl export or "
                                "manifests")
        open_ids.add(key)
        stack.append((obj, depth, True))
        children = obj.values() if isinstance(obj, dict) else obj
        for child in children:
            if isinstance(child, (dict, list)) and id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _where(loc: tuple) -> str:
    label, index, item = loc
    return f"{label}: document {index}{', ' + item if item else ''}"


def _flatten(obj: Any, list_kind: str | None, loc: tuple, out: list, skipped: Counter) -> None:
    """Append (object, kind, loc) for every object, opening Lists."""
    if not isinstance(obj, dict):
        raise DataFileError(
            f"{_where(loc)}: got {describe_value(obj)}; expected a Kubernetes object (a mapping with 'kind')"
        )
    kind = obj.get("kind", list_kind)  # items of a typed PodList may omit their kind
    if not isinstance(kind, str) or not kind:
        raise DataFileError(
            f"{_where(loc)}: no 'kind' field (got {describe_value(kind)}); expected a Kubernetes "
            "object such as kind: Pod, Deployment or List"
        )
    if kind == "List" or (kind.endswith("List") and "items" in obj):
        items = obj.get("items") or []
        if not isinstance(items, list):
            raise DataFileError(f"{_where(loc)}: items must be a list, got {describe_value(items)}")
        item_kind = None if kind == "List" else kind[: -len("List")]
        label, index, prefix = loc
        for number, item in enumerate(items):
            _flatten(item, item_kind, (label, index, f"{prefix}items[{number}]"), out, skipped)
        return
    if kind in _READERS:
        out.append((obj, kind, loc))
    else:
        skipped[kind] += 1


# ---------------------------------------------------------------------------- fields


def _path_text(path: str | tuple) -> str:
    """A field path; tuples (built cheaply per pod) are joined only when an error is raised."""
    if isinstance(path, str):
        return path
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _field_error(loc: tuple, path: str | tuple, problem: str) -> DataFileError:
    return DataFileError(f"{_where(loc)}: {_path_text(path)} {problem}")


def _get_map(obj: dict, key: str, loc: tuple, path: str | tuple, required: bool = False) -> dict:
    value = obj.get(key)
    if value is None:
        if required:
            raise _field_error(loc, path, "is missing; Kubernetes requires it")
        return _EMPTY
    if not isinstance(value, dict):
        raise _field_error(loc, path, f"must be a mapping, got {describe_value(value)}")
    return value


def _get_list(obj: dict, key: str, loc: tuple, path: str | tuple, required: bool = False) -> list:
    value = obj.get(key)
    if value is None:
        if required:
            raise _field_error(loc, path, "is missing; Kubernetes requires it")
        return []
    if not isinstance(value, list):
        raise _field_error(loc, path, f"must be a list, got {describe_value(value)}")
    return value


#: The largest replica count read (Kubernetes stores replicas as a 32-bit integer).
MAX_REPLICAS = 2**31 - 1


def _get_count(obj: dict, key: str, loc: tuple, path: str, default: int) -> int:
    value = obj.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REPLICAS:
        raise _field_error(loc, path, f"must be a whole number from 0 to {MAX_REPLICAS:,} (a 32-bit count), got "
                                      f"{describe_value(value)}")
    return value


@lru_cache(maxsize=1024)
def _cpu(value: str | float) -> float:
    return parse_cpu(value, name="cpu")


@lru_cache(maxsize=1024)
def _memory(value: str | float) -> float:
    # A bare number in a manifest is bytes in Kubernetes, while parse_memory takes plain numbers as MiB.
    return parse_memory(value if isinstance(value, str) else value / (1024 * 1024), name="memory")


def _amount(value: Any, kind: str, loc: tuple, where: tuple, section: str) -> float | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):  # would share a cache entry with 1 / 0
            raise TypeError
        return _cpu(value) if kind == "cpu" else _memory(value)
    except (InputValueError, InputTypeError) as exc:
        message = str(exc).split(": ", 1)[-1]
        problem = f"is not a valid quantity: {message}"
    except TypeError:  # unhashable (a list or a mapping), or a boolean
        problem = f"must be a quantity, got {describe_value(value)}"
    except OverflowError:
        problem = f"is beyond any real quantity, got {describe_value(value)}"
    raise _field_error(loc, (*where, "resources", section, kind), problem)


def _resources(container: dict, loc: tuple, where: tuple) -> tuple:
    """(cpu request [vCPU], memory request [MiB], cpu limit, memory limit); None when unset."""
    resources = container.get("resources")
    if not resources:
        return _NO_RESOURCES
    if not isinstance(resources, dict):
        raise _field_error(loc, (*where, "resources"), f"must be a mapping, got {describe_value(resources)}")
    requests = resources.get("requests") or _EMPTY
    limits = resources.get("limits") or _EMPTY
    if not isinstance(requests, dict) or not isinstance(limits, dict):
        section, values = ("limits", limits) if isinstance(requests, dict) else ("requests", requests)
        raise _field_error(loc, (*where, "resources", section), f"must be a mapping, got {describe_value(values)}")
    cpu_limit = _amount(limits.get("cpu"), "cpu", loc, where, "limits")
    memory_limit = _amount(limits.get("memory"), "memory", loc, where, "limits")
    cpu = _amount(requests.get("cpu"), "cpu", loc, where, "requests")
    memory = _amount(requests.get("memory"), "memory", loc, where, "requests")
    return (
        cpu if cpu is not None else cpu_limit,  # Kubernetes: an unset request defaults to the limit
        memory if memory is not None else memory_limit,
        cpu_limit,
        memory_limit,
    )


# ---------------------------------------------------------------------------- pods


def _pod(spec: dict, meta: dict, namespace_labels: dict, loc: tuple, path: str, meta_path: str) -> tuple:
    """(mode, proxy resources, native sidecar, pod cpu request, pod memory request)."""
    containers = _get_list(spec, "containers", loc, (path, "containers"), required=True)
    init_containers = _get_list(spec, "initContainers", loc, (path, "initContainers"))
    mode, proxy, native = None, _NO_RESOURCES, False
    app_cpu = app_memory = 0.0
    for number, container in enumerate(containers):
        where = (path, "containers", number)
        name = _container_name(container, loc, where)
        resources = _resources(container, loc, where)
        app_cpu += resources[0] or 0.0
        app_memory += resources[1] or 0.0
        if mode is None and name in _PROXIES:
            mode, proxy = _PROXIES[name], resources
    sidecar_cpu = sidecar_memory = init_cpu = init_memory = 0.0
    for number, container in enumerate(init_containers):
        where = (path, "initContainers", number)
        name = _container_name(container, loc, where)
        resources = _resources(container, loc, where)
        cpu, memory = resources[0] or 0.0, resources[1] or 0.0
        if container.get("restartPolicy") == "Always":  # a native sidecar: runs alongside the app
            sidecar_cpu += cpu
            sidecar_memory += memory
            if mode is None and name in _PROXIES:
                mode, proxy, native = _PROXIES[name], resources, True
        else:  # runs to completion before the app, beside the sidecars started before it
            init_cpu = max(init_cpu, cpu + sidecar_cpu)
            init_memory = max(init_memory, memory + sidecar_memory)
    if mode is None:
        mode = _mode_from_metadata(meta, namespace_labels, loc, meta_path)
    pod_cpu = max(init_cpu, app_cpu + sidecar_cpu)
    pod_memory = max(init_memory, app_memory + sidecar_memory)
    return mode, proxy, native, pod_cpu, pod_memory


def _container_name(container: Any, loc: tuple, where: tuple) -> str:
    if not isinstance(container, dict):
        raise _field_error(loc, where, f"must be a mapping (a container), got {describe_value(container)}")
    name = container.get("name")
    if not isinstance(name, str):
        raise _field_error(
            loc, (*where, "name"), f"is missing or not a string ({describe_value(name)}); Kubernetes requires it"
        )
    return name


def _mode_from_metadata(meta: dict, namespace_labels: dict, loc: tuple, path: str) -> str:
    annotations = _get_map(meta, "annotations", loc, (path, "annotations"))
    for key, mode in _MODE_ANNOTATIONS:
        if key in annotations:
            return mode
    dataplane = _get_map(meta, "labels", loc, (path, "labels")).get(_DATAPLANE_LABEL)
    if dataplane == "none":
        return "none"
    if (
        dataplane == "ambient"
        or annotations.get(_REDIRECTION_ANNOTATION) == "enabled"
        or namespace_labels.get(_DATAPLANE_LABEL) == "ambient"
    ):
        return "istio-ambient"
    return "none"


# ---------------------------------------------------------------------------- objects


def _metadata(obj: dict, loc: tuple) -> tuple[dict, str | None, str]:
    meta = _get_map(obj, "metadata", loc, "metadata", required=True)
    name = meta.get("name") or meta.get("generateName")
    if not isinstance(name, str):
        raise _field_error(
            loc, "metadata.name", f"is missing or not a string ({describe_value(name)}); Kubernetes requires it"
        )
    namespace = meta.get("namespace")
    return meta, namespace if isinstance(namespace, str) and namespace else None, name


def _replicas(obj: dict, kind: str, loc: tuple, node_count: int) -> int:
    spec = obj.get("spec") or {}
    if kind == "Job":
        return _get_count(spec, "parallelism", loc, "spec.parallelism", 1)
    if kind == "DaemonSet":
        status = obj.get("status") or {}
        if status.get("desiredNumberScheduled") is not None:
            return _get_count(status, "desiredNumberScheduled", loc, "status.desiredNumberScheduled", 1)
        return node_count or 1
    return _get_count(spec, "replicas", loc, "spec.replicas", 1)


def _owned_by(meta: dict, namespace: str | None, controllers: set) -> bool:
    """True when one of the object's owners is in the input (it counts the pods)."""
    for owner in meta.get("ownerReferences") or ():
        if not isinstance(owner, dict):
            continue
        kind, name = owner.get("kind"), owner.get("name")
        if (kind, namespace, name) in controllers:
            return True
        # A Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
        labels = meta.get("labels")
        template_hash = labels.get("pod-template-hash") if isinstance(labels, dict) else None
        if (
            kind == "ReplicaSet"
            and isinstance(name, str)
            and template_hash
            and name.endswith(f"-{template_hash}")
            and ("Deployment", namespace, name[: -len(template_hash) - 1]) in controllers
        ):
            return True
    return False


_READERS = frozenset({"Node", "Namespace", "Service", "Pod", *_CONTROLLERS})


def _build(objects: list, skipped: Counter, labels: tuple[str, ...]) -> Inventory:
    # Pass 1: what later objects depend on (namespace labels, owners, node count).
    namespace_labels: dict[str, dict] = {}
    controllers: set[tuple] = set()
    namespaces: set[str] = set()
    nodes = services = app_services = 0
    for obj, kind, loc in objects:
        if kind == "Node":
            nodes += 1
        elif kind == "Namespace":
            meta, _, name = _metadata(obj, loc)
            namespace_labels[name] = _get_map(meta, "labels", loc, "metadata.labels")
            namespaces.add(name)
        elif kind in _CONTROLLERS:
            meta, namespace, name = _metadata(obj, loc)
            controllers.add((kind, namespace, name))

    # Pass 2: pods and pod templates.
    workloads: list[Workload] = []
    duplicates = 0
    for obj, kind, loc in objects:
        if kind in ("Node", "Namespace"):
            continue
        meta, namespace, name = _metadata(obj, loc)
        if namespace is not None:
            namespaces.add(namespace)
        if kind == "Service":
            services += 1
            app_services += namespace not in SYSTEM_NAMESPACES
            continue
        spec = _get_map(obj, "spec", loc, "spec", required=True)
        if kind == "Pod":
            pod_meta, path, replicas = meta, "spec", 1
        else:
            template = _get_map(spec, "template", loc, "spec.template", required=True)
            pod_meta = _get_map(template, "metadata", loc, "spec.template.metadata")
            spec = _get_map(template, "spec", loc, "spec.template.spec", required=True)
            path, replicas = "spec.template.spec", _replicas(obj, kind, loc, nodes)
        if kind in ("Pod", "ReplicaSet") and _owned_by(meta, namespace, controllers):
            duplicates += replicas
            continue
        ns_labels = namespace_labels.get(namespace, {}) if namespace is not None else {}
        meta_path = "metadata" if kind == "Pod" else "spec.template.metadata"
        mode, proxy, native, pod_cpu, pod_memory = _pod(spec, pod_meta, ns_labels, loc, path, meta_path)
        cpu_request, memory_request, cpu_limit, memory_limit = proxy
        workloads.append(Workload(kind, namespace, name, replicas, mode, cpu_request, memory_request, cpu_limit,
                                  memory_limit, native, pod_cpu, pod_memory))

    meshed = dict.fromkeys(MODES, 0)
    for workload in workloads:
        meshed[workload.mode] += workload.replicas
    return Inventory(
        nodes=nodes,
        pods=sum(meshed.values()),
        services=services,
        app_services=app_services,
        namespaces=len(namespaces),
        meshed_pods=meshed,
        proxy_requests={mode: _summary(workloads, mode) for mode in MODES},
        workloads=tuple(workloads),
        skipped_kinds=dict(skipped),
        duplicates=duplicates,
        sources=labels,
    )


def _summary(workloads: list[Workload], mode: str) -> ProxyRequests:
    pods = 0
    cpu: Counter[float] = Counter()
    memory: Counter[float] = Counter()
    for workload in workloads:
        if workload.mode != mode:
            continue
        pods += workload.replicas
        if workload.proxy_cpu_request is not None:
            cpu[workload.proxy_cpu_request] += workload.replicas
        if workload.proxy_memory_request is not None:
            memory[workload.proxy_memory_request] += workload.replicas
    return ProxyRequests(pods, sum(cpu.values()), sum(memory.values()), dict(cpu), dict(memory))
