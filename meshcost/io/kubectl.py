"""Read a real cluster's inventory: kubectl JSON exports and YAML manifests.

``read_inventory("cluster.json")`` reads the output of
``kubectl get nodes,pods,services -A -o json`` (a ``v1`` ``List``), or YAML manifests
(one or many documents, ``List`` s included), and counts nodes, services, namespaces and
pods, which pods are meshed and how, and what their proxies request.

Rules (they are what :class:`Inventory` reports):

- **Kinds read**: Node, Namespace, Service, Pod, Deployment, StatefulSet, ReplicaSet,
  DaemonSet, Job, CronJob, and ``List`` / ``<Kind>List`` (their ``items``). Other kinds are
  skipped and counted in ``Inventory.skipped_kinds``. An object without a namespace is in
  ``namespace`` (default ``"default"``, as ``kubectl apply`` puts it).
- **Actual state first**: a Pod counts as itself. A controller counts from its template only
  when none of its pods is in the input. Pods are matched to controllers by their owner
  references, followed up the chain (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob);
  when the ReplicaSet between a pod and its Deployment is missing, by namespace and the
  Deployment's selector (preferring the Deployment whose name plus the pod's
  ``pod-template-hash`` is the ReplicaSet's name); a Job named ``<cronjob>-<minute>`` belongs
  to its CronJob. A ReplicaSet owned by a Deployment in the input, or a Job owned by a CronJob,
  is counted through that owner. No pod is counted twice.
- **Replicas of a controller without pods**: ``spec.replicas`` (default 1) for Deployment,
  StatefulSet and ReplicaSet; for a Job, ``status.active`` in a live export, else
  ``spec.parallelism`` (default 1); a CronJob 0 (its pods run only while a scheduled Job does);
  a DaemonSet ``status.desiredNumberScheduled`` when present, else one per schedulable worker
  node in the input, else 1.
- **Only running work**: pods in phase Succeeded or Failed are not counted; they are reported
  in ``Inventory.finished_pods``.
- **Mesh mode** of a pod or template. *Injected*: a container ``istio-proxy`` (or a native
  sidecar init container of that name), or the ``sidecar.istio.io/status`` annotation:
  ``istio-sidecar``; the same with ``linkerd-proxy`` / ``linkerd.io/proxy-version``:
  ``linkerd``; the ``ambient.istio.io/redirection: enabled`` annotation istio-cni puts on
  captured pods: ``istio-ambient``. *Otherwise* the mode the admission webhooks would give it
  at its next start, from the pod's and its Namespace's labels and annotations (the Namespace
  object must be in the input): Istio's injector (namespace ``istio-injection=enabled``, or
  ``istio.io/rev`` without ``istio-injection``; pod label ``istio.io/rev`` or
  ``sidecar.istio.io/inject=true`` in a namespace with neither; ``sidecar.istio.io/inject=false``
  and ``istio-injection=disabled`` opt out), then Linkerd's (``linkerd.io/inject: enabled`` or
  ``ingress`` annotation on the pod, else its namespace; ``disabled`` on the pod opts out), then
  ambient (``istio.io/dataplane-mode=ambient`` on the pod or its namespace, ``none`` on the pod
  opts out). Host-network pods and kube-system / kube-public are never meshed. Such pods count
  under their mesh and in ``Inventory.meshed_by_labels``.
- **Nodes**: ``Inventory.nodes`` counts schedulable workers; nodes with a control-plane
  ``NoSchedule`` / ``NoExecute`` taint (``node-role.kubernetes.io/control-plane`` or ``master``)
  are counted in ``control_plane_nodes``. ``node_types`` counts workers by their
  ``node.kubernetes.io/instance-type`` label.
- **Requests**: a container that sets a limit but no request requests its limit (the
  Kubernetes default). LimitRange defaults and pod overhead are not applied. The pod's
  effective request follows Kubernetes: ``max(app containers + native sidecars, each
  regular init container + the native sidecars started before it)``.
"""

from __future__ import annotations

import gc
import numbers
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


from ..errors import DataFileError, InputTypeError, InputValueError, describe_value
from ..figures import INPUTS
from .files import MAX_INPUT_BYTES, is_file_source, parse_json, read_text
from .quantity import parse_cpu, parse_memory

__all__ = [
    "MODES",
    "NodeInfo",
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
_ISTIO_INJECT = "sidecar.istio.io/inject"
_ISTIO_NAMESPACE_INJECTION = "istio-injection"
_ISTIO_REVISION = "istio.io/rev"
_LINKERD_INJECT = "linkerd.io/inject"
_LINKERD_WEBHOOKS = "config.linkerd.io/admission-webhooks"
_NEVER_INJECTED = frozenset({"kube-system", "kube-public"})
_TEMPLATE_HASH = "pod-template-hash"
_FINISHED = frozenset({"Succeeded", "Failed"})
_CONTROL_PLANE_TAINTS = frozenset({"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"})
_INSTANCE_TYPE = "node.kubernetes.io/instance-type"
_INSTANCE_TYPE_BETA = "beta.kubernetes.io/instance-type"
_REGION = "topology.kubernetes.io/region"
_REGION_BETA = "failure-domain.beta.kubernetes.io/region"
_CONTROLLERS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "CronJob")
#: The most worker nodes ``nodes=`` takes: project()'s bound on its ``nodes`` input.
_MAX_NODES = int(next(i.maximum for i in INPUTS if i.name == "nodes") or 0)
_NO_RESOURCES = (None, None, None, None)
_EMPTY: dict = {}  # shared, never written to


@dataclass(frozen=True, slots=True)
class Workload:
    """One Pod or pod controller read from the input.

    ``proxy_*`` are the mesh proxy container's own values (None when it sets none, or
    there is no proxy); ``pod_*_request`` is the whole pod's effective request. Per pod.
    """

    kind: str
    namespace: str  #: the manifest's, else the reader's ``namespace`` (default "default")
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
    injected: bool = True  #: the proxy is in the spec (False: ``mode`` is what the webhooks would do)
    controller: str | None = None  #: a Pod's top controller in the input ("Deployment/web"), if any


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One Node object: its type, region, role and allocatable resources (None when not given)."""

    name: str
    instance_type: str | None  #: label node.kubernetes.io/instance-type
    region: str | None  #: label topology.kubernetes.io/region
    control_plane: bool  #: a control-plane NoSchedule / NoExecute taint: not a worker
    allocatable_cpu: float | None  #: status.allocatable.cpu [vCPU]
    allocatable_memory: float | None  #: status.allocatable.memory [MiB]
    allocatable_pods: int | None  #: status.allocatable.pods [count]


@dataclass(frozen=True)
class ProxyRequests:
    """The proxy requests of the pods of one mode, counted with replicas.

    ``cpu_requests`` / ``memory_requests`` map a request value [vCPU] / [MiB] to the number
    of injected pods whose proxy requests it. Ambient and unmeshed pods have no per-pod proxy;
    pods meshed only by labels have none yet.
    """

    pods: int  #: pods of this mode [count]
    with_cpu_request: int  #: of the injected pods, those whose proxy sets a CPU request [count]
    with_memory_request: int  #: of the injected pods, those whose proxy sets a memory request [count]
    cpu_requests: dict[float, int]
    memory_requests: dict[float, int]
    injected: int = -1  #: pods with the proxy in their spec [count]; -1: all of ``pods``

    def __post_init__(self) -> None:
        if self.injected < 0:
            object.__setattr__(self, "injected", self.pods)

    @property
    def without_cpu_request(self) -> int:
        """Injected pods of this mode whose proxy sets no CPU request [count]."""
        return self.injected - self.with_cpu_request

    @property
    def without_memory_request(self) -> int:
        """Injected pods of this mode whose proxy sets no memory request [count]."""
        return self.injected - self.with_memory_request

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

    nodes: int  #: schedulable worker nodes [count]
    pods: int  #: running (or pending) pods, replicas of controllers without pods included [count]
    services: int  #: Service objects [count]
    app_services: int  #: Service objects outside SYSTEM_NAMESPACES [count]
    namespaces: int  #: distinct namespaces seen (Namespace objects and metadata.namespace) [count]
    meshed_pods: dict[str, int]  #: mode -> pods, keys MODES [count]
    proxy_requests: dict[str, ProxyRequests]  #: mode -> proxy requests, keys MODES
    workloads: tuple[Workload, ...] = field(repr=False)
    skipped_kinds: dict[str, int] = field(default_factory=dict)  #: kind -> objects not read
    sources: tuple[str, ...] = ()  #: the files (or "<dict>", "<list>", "<stream>") read
    control_plane_nodes: int = 0  #: nodes with a control-plane NoSchedule taint [count]
    node_list: tuple[NodeInfo, ...] = field(default=(), repr=False)  #: every Node object
    finished_pods: dict[str, int] = field(default_factory=dict)  #: phase (Succeeded, Failed) -> pods not counted
    meshed_by_labels: dict[str, int] = field(default_factory=dict)  #: mode -> pods meshed by labels, not yet injected
    controllers_with_pods: int = 0  #: controllers counted as their pods, not their template [count]

    @property
    def node_types(self) -> dict[str, int]:
        """Worker nodes by instance type (label ``node.kubernetes.io/instance-type``); unlabelled
        workers are left out [count]."""
        return dict(Counter(n.instance_type for n in self.node_list if not n.control_plane and n.instance_type))

    @property
    def regions(self) -> dict[str, int]:
        """Worker nodes by region (label ``topology.kubernetes.io/region``) [count]."""
        return dict(Counter(n.region for n in self.node_list if not n.control_plane and n.region))

    def project_inputs(self, *, nodes: int | None = None) -> dict[str, Any]:
        """Inputs for ``meshcost.project(**inputs)``.

        ``sidecars`` counts pods outside SYSTEM_NAMESPACES: the meshed ones when the
        cluster is already meshed (any mode), else all of them (the pods a mesh would
        take in); without Node objects in the input, a DaemonSet counts one pod per ``nodes``
        given. ``services`` is the Services outside SYSTEM_NAMESPACES, None when there
        are none (project's default then applies). ``nodes`` is the ``nodes`` argument, else
        the schedulable workers; :class:`InputValueError` naming ``nodes=`` when the input holds
        no Nodes and none is given (YAML manifests).
        """
        if nodes is not None and (isinstance(nodes, bool) or not isinstance(nodes, numbers.Integral)
                                  or not 1 <= nodes <= _MAX_NODES):
            raise InputValueError(f"nodes: got {describe_value(nodes)}; expected a whole number of worker nodes "
                                  f"from 1 to {_MAX_NODES:,}")
        if nodes is None and not self.nodes:
            where = ", ".join(self.sources) or "the input"
            raise InputValueError(f"nodes: {where} holds no schedulable Node objects (manifests hold none); give "
                                  "the number of worker nodes (nodes=, or --nodes on the command line)",
                                  parameter="nodes", value=None, expected="the number of worker nodes")
        meshed = every = 0
        per_node = nodes is not None and not self.node_list  # manifests: a DaemonSet runs one pod per node given
        for workload in self.workloads:
            if workload.namespace not in SYSTEM_NAMESPACES:
                replicas = nodes if per_node and nodes is not None and workload.kind == "DaemonSet" else workload.replicas
                every += replicas
                if workload.mode != "none":
                    meshed += replicas
        return {
            "nodes": nodes if nodes is not None else self.nodes,
            "sidecars": meshed or every,
            "services": self.app_services or None,
        }


def read_inventory(source: Any, *, namespace: str = "default", max_bytes: int = MAX_INPUT_BYTES) -> Inventory:
    """Read one kubectl export or manifest file.

    Parameters
    ----------
    source : str, Path, file-like, dict or list
        A path (``.json`` is read with ``json``; ``.yaml`` / ``.yml`` and other names as
        YAML, unless they start with ``{`` or ``[``), an open file, an already-parsed
        object (dict) or list of objects.
    namespace : str
        The namespace of objects that name none (``kubectl apply -n``'s); default "default".
    max_bytes : int
        The largest file read [bytes]; default 256 MiB (about 35,000 pods as JSON).

    Returns
    -------
    Inventory
    """
    return read_inventories([source], namespace=namespace, max_bytes=max_bytes)


def read_inventories(sources: Iterable[Any], *, namespace: str = "default",
                     max_bytes: int = MAX_INPUT_BYTES) -> Inventory:
    """Read several files (or parsed objects) as one cluster.

    Namespace labels and owners apply across files. Files are refused when they are empty,
    larger than ``max_bytes``, hold a key twice in one mapping, nest deeper than
    :data:`MAX_DEPTH`, or (YAML) expand through aliases to more than :data:`MAX_VALUES` values.

    Parameters
    ----------
    sources : iterable of str, Path, file-like, dict or list
        As for :func:`read_inventory`.
    namespace : str
        The namespace of objects that name none; default "default".
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
    if not isinstance(namespace, str) or not _NAMESPACE_NAME.fullmatch(namespace):
        raise InputValueError(f"namespace: got {describe_value(namespace)}; expected a Kubernetes namespace name "
                              "(lower-case letters, digits and '-', at most 63 characters)")
    with _collector_paused():
        return _read(sources, max_bytes, namespace)  # the parsed documents are freed before the collector resumes


#: A namespace name (an RFC 1123 label, as Kubernetes requires).
_NAMESPACE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def _read(sources: Iterable[Any], max_bytes: int, namespace: str) -> Inventory:
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
    return _build(objects, skipped, tuple(labels), namespace)


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


def _quantity(value: Any, kind: str, loc: tuple, path: str | tuple) -> float | None:
    """A CPU [vCPU] or memory [MiB] quantity at ``path``; None when unset."""
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
    raise _field_error(loc, path, problem)


def _amount(value: Any, kind: str, loc: tuple, where: tuple, section: str) -> float | None:
    return _quantity(value, kind, loc, (*where, "resources", section, kind))


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


def _pod(spec: dict, loc: tuple, path: str) -> tuple:
    """(proxy mode or None, proxy resources, native sidecar, pod cpu request, pod memory request,
    host network) of a pod spec, from its containers."""
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
    pod_cpu = max(init_cpu, app_cpu + sidecar_cpu)
    pod_memory = max(init_memory, app_memory + sidecar_memory)
    return mode, proxy, native, pod_cpu, pod_memory, spec.get("hostNetwork") is True


def _container_name(container: Any, loc: tuple, where: tuple) -> str:
    if not isinstance(container, dict):
        raise _field_error(loc, where, f"must be a mapping (a container), got {describe_value(container)}")
    name = container.get("name")
    if not isinstance(name, str):
        raise _field_error(
            loc, (*where, "name"), f"is missing or not a string ({describe_value(name)}); Kubernetes requires it"
        )
    return name


def _text_map(meta: dict, key: str, loc: tuple, path: str | tuple) -> dict:
    """Labels or annotations; a YAML boolean (``inject: false`` unquoted) reads as its text."""
    values = _get_map(meta, key, loc, (path, key) if isinstance(path, str) else (*path, key))
    if any(isinstance(v, bool) for v in values.values()):
        values = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in values.items()}
    return values


@dataclass(frozen=True, slots=True)
class _Meta:
    """The labels and annotations that decide a pod's mesh: the pod's and its namespace's."""

    labels: dict
    annotations: dict
    namespace: str
    namespace_labels: dict
    namespace_annotations: dict


def _observed_mode(meta: _Meta) -> str | None:
    """The mode the pod's annotations show it was given (a proxy injected, ambient redirection)."""
    for key, mode in _MODE_ANNOTATIONS:
        if key in meta.annotations:
            return mode
    if meta.annotations.get(_REDIRECTION_ANNOTATION) == "enabled":
        return "istio-ambient"
    return None


def _istio_injects(meta: _Meta) -> bool:
    """Istio's sidecar injector (the istiod chart's four webhooks, then the injector's own checks).

    Namespace ``istio-injection=enabled``, or no ``istio-injection`` label and an ``istio.io/rev``
    label; or, in a namespace with neither, a pod label ``istio.io/rev`` or
    ``sidecar.istio.io/inject=true``. A pod label or annotation ``sidecar.istio.io/inject=false``
    opts out; ``istio-injection=disabled`` wins over the pod; kube-system and kube-public are
    never injected (``enableNamespacesByDefault`` is off, the chart default).
    """
    if meta.namespace in _NEVER_INJECTED:
        return False
    if meta.labels.get(_ISTIO_INJECT) == "false" or meta.annotations.get(_ISTIO_INJECT) == "false":
        return False
    namespace_injection = meta.namespace_labels.get(_ISTIO_NAMESPACE_INJECTION)
    if namespace_injection is not None:
        return namespace_injection == "enabled"
    if _ISTIO_REVISION in meta.namespace_labels:
        return True
    return _ISTIO_REVISION in meta.labels or meta.labels.get(_ISTIO_INJECT) == "true"


def _linkerd_injects(meta: _Meta) -> bool:
    """Linkerd's proxy injector: ``linkerd.io/inject: enabled`` (or ``ingress``) on the pod, else on
    its namespace (annotations); ``disabled`` on the pod opts out; namespaces labelled
    ``config.linkerd.io/admission-webhooks: disabled`` and kube-system are skipped."""
    if meta.namespace in _NEVER_INJECTED or meta.namespace_labels.get(_LINKERD_WEBHOOKS) == "disabled":
        return False
    value = meta.annotations.get(_LINKERD_INJECT)
    if value is None:
        value = meta.namespace_annotations.get(_LINKERD_INJECT)
    return value in ("enabled", "ingress")


def _ambient_captures(meta: _Meta) -> bool:
    """Istio ambient: ``istio.io/dataplane-mode=ambient`` on the pod or its namespace, unless the pod
    says ``none``."""
    if meta.namespace in _NEVER_INJECTED:
        return False
    pod = meta.labels.get(_DATAPLANE_LABEL)
    if pod is not None:
        return pod == "ambient"
    return meta.namespace_labels.get(_DATAPLANE_LABEL) == "ambient"


def _mode(proxy_mode: str | None, meta: _Meta, host_network: bool) -> tuple[str, bool]:
    """(mode, injected): the proxy found in the spec or the annotations injection leaves; else the
    mode the admission webhooks would give the pod at its next start (sidecars first: a pod with a
    sidecar is not captured by ambient). Host-network pods are never meshed."""
    mode = proxy_mode or _observed_mode(meta)
    if mode is not None:
        return mode, True
    if host_network:
        return "none", False
    if _istio_injects(meta):
        return "istio-sidecar", False
    if _linkerd_injects(meta):
        return "linkerd", False
    if _ambient_captures(meta):
        return "istio-ambient", False
    return "none", False


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


def _owners(meta: dict) -> list[tuple[str, str]]:
    """(kind, name) of the owner references, the controlling owner first."""
    refs = [r for r in meta.get("ownerReferences") or () if isinstance(r, dict)
            and isinstance(r.get("kind"), str) and isinstance(r.get("name"), str)]
    refs.sort(key=lambda r: r.get("controller") is not True)
    return [(r["kind"], r["name"]) for r in refs]


def _selects(selector: Any, labels: dict) -> bool:
    """Whether a label selector (``matchLabels`` / ``matchExpressions``) selects ``labels``; an empty
    or malformed selector selects nothing."""
    if not isinstance(selector, dict):
        return False
    match = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match, dict) or not isinstance(expressions, list) or not (match or expressions):
        return False
    if any(labels.get(key) != value for key, value in match.items()):
        return False
    for expression in expressions:
        if not isinstance(expression, dict):
            return False
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        if not isinstance(key, str) or not isinstance(values, list):
            return False
        ok = {"In": key in labels and labels[key] in values, "NotIn": key not in labels or labels[key] not in values,
              "Exists": key in labels, "DoesNotExist": key not in labels}.get(str(operator), False)
        if not ok:
            return False
    return True


@dataclass(slots=True)
class _Controller:
    obj: dict
    kind: str
    loc: tuple
    meta: dict
    namespace: str
    name: str
    owners: list


class _Owners:
    """Finds the top controller in the input that runs a pod (see the module docstring)."""

    def __init__(self, controllers: dict[tuple, _Controller]) -> None:
        self.controllers = controllers
        self.by_namespace: dict[tuple[str, str], list[_Controller]] = {}
        for controller in controllers.values():
            self.by_namespace.setdefault((controller.kind, controller.namespace), []).append(controller)

    def top(self, key: tuple) -> tuple:
        """The controller at the top of ``key``'s owner chain within the input."""
        seen = {key}
        while True:
            controller = self.controllers[key]
            parent = self._parent(controller.owners, controller.namespace)
            if parent is None or parent in seen:
                return key
            seen.add(parent)
            key = parent

    def _parent(self, owners: list, namespace: str) -> tuple | None:
        for owner_kind, name in owners:
            if (owner_kind, namespace, name) in self.controllers:
                return (owner_kind, namespace, name)
        return None

    def of_pod(self, meta: dict, namespace: str, labels: dict) -> tuple | None:
        """The pod's top controller in the input, or None for a pod that runs on its own."""
        owners = _owners(meta)
        parent = self._parent(owners, namespace)
        if parent is not None:
            return self.top(parent)
        for kind, name in owners:  # the owner itself is not in the input: its own owner may be
            found = None
            if kind == "ReplicaSet":
                found = self._deployment(namespace, labels, name)
            elif kind == "Job":
                found = self._cronjob(namespace, name)
            if found is not None:
                return self.top(found)
        if not owners and _TEMPLATE_HASH in labels:  # owner references stripped from an export
            found = self._deployment(namespace, labels, None)
            return None if found is None else self.top(found)
        return None

    def _deployment(self, namespace: str, labels: dict, replica_set: str | None) -> tuple | None:
        """The Deployment whose ReplicaSet runs the pod: by selector, preferring the one whose name
        with the pod's ``pod-template-hash`` is the ReplicaSet's name."""
        candidates = [c for c in self.by_namespace.get(("Deployment", namespace), ())
                      if isinstance(c.obj.get("spec"), dict) and _selects(c.obj["spec"].get("selector"), labels)]
        template_hash = labels.get(_TEMPLATE_HASH)
        if replica_set is not None and template_hash:
            named = [c for c in candidates if f"{c.name}-{template_hash}" == replica_set]
            candidates = named or candidates
        if not candidates:
            return None
        chosen = min(candidates, key=lambda c: c.name)
        return ("Deployment", namespace, chosen.name)

    def _cronjob(self, namespace: str, job: str) -> tuple | None:
        """The CronJob that created a Job (named ``<cronjob>-<scheduled minute>``)."""
        base, _, suffix = job.rpartition("-")
        if suffix.isdigit() and ("CronJob", namespace, base) in self.controllers:
            return ("CronJob", namespace, base)
        return None


def _replicas(obj: dict, kind: str, loc: tuple, workers: int) -> int:
    """Pods a controller runs, from its spec (and status in live exports), when its pods are not in
    the input."""
    spec = obj.get("spec") or {}
    if kind == "CronJob":
        return 0  # its pods exist only while a scheduled Job runs
    if kind == "Job":
        status = obj.get("status")
        if isinstance(status, dict) and status:  # a live export: the pods running now
            return _get_count(status, "active", loc, "status.active", 0)
        return _get_count(spec, "parallelism", loc, "spec.parallelism", 1)
    if kind == "DaemonSet":
        status = obj.get("status") or {}
        if status.get("desiredNumberScheduled") is not None:
            return _get_count(status, "desiredNumberScheduled", loc, "status.desiredNumberScheduled", 1)
        return workers or 1
    return _get_count(spec, "replicas", loc, "spec.replicas", 1)


def _template(obj: dict, kind: str, loc: tuple) -> tuple[dict, dict, str]:
    """(template metadata, template spec, spec path) of a controller."""
    spec = _get_map(obj, "spec", loc, "spec", required=True)
    path = "spec"
    if kind == "CronJob":
        job = _get_map(spec, "jobTemplate", loc, "spec.jobTemplate", required=True)
        spec = _get_map(job, "spec", loc, "spec.jobTemplate.spec", required=True)
        path = "spec.jobTemplate.spec"
    template = _get_map(spec, "template", loc, f"{path}.template", required=True)
    pod_meta = _get_map(template, "metadata", loc, f"{path}.template.metadata")
    pod_spec = _get_map(template, "spec", loc, f"{path}.template.spec", required=True)
    return pod_meta, pod_spec, f"{path}.template"


def _node(obj: dict, loc: tuple) -> NodeInfo:
    meta, _, name = _metadata(obj, loc)
    labels = _text_map(meta, "labels", loc, "metadata")
    spec = _get_map(obj, "spec", loc, "spec")
    taints = _get_list(spec, "taints", loc, ("spec", "taints"))
    control_plane = any(isinstance(t, dict) and t.get("key") in _CONTROL_PLANE_TAINTS
                        and t.get("effect") in ("NoSchedule", "NoExecute") for t in taints)
    allocatable = _get_map(_get_map(obj, "status", loc, "status"), "allocatable", loc, "status.allocatable")
    where = ("status", "allocatable")
    cpu = _quantity(allocatable.get("cpu"), "cpu", loc, (*where, "cpu"))
    memory = _quantity(allocatable.get("memory"), "memory", loc, (*where, "memory"))
    pods = allocatable.get("pods")
    if pods is not None:
        text = str(pods)
        if isinstance(pods, bool) or not text.isdigit() or not 1 <= int(text) <= MAX_REPLICAS:
            raise _field_error(loc, (*where, "pods"), f"must be a whole number of pods, got {describe_value(pods)}")
        pods = int(text)
    instance = labels.get(_INSTANCE_TYPE) or labels.get(_INSTANCE_TYPE_BETA)
    region = labels.get(_REGION) or labels.get(_REGION_BETA)
    return NodeInfo(name, instance if isinstance(instance, str) else None, region if isinstance(region, str) else None,
                    control_plane, cpu, memory, pods)


_READERS = frozenset({"Node", "Namespace", "Service", "Pod", *_CONTROLLERS})


def _build(objects: list, skipped: Counter, labels: tuple[str, ...], default_namespace: str) -> Inventory:
    # Pass 1: what the others depend on: nodes, namespace labels, controllers.
    namespace_meta: dict[str, tuple[dict, dict]] = {}
    controllers: dict[tuple, _Controller] = {}
    namespaces: set[str] = set()
    node_list: list[NodeInfo] = []
    for obj, kind, loc in objects:
        if kind == "Node":
            node_list.append(_node(obj, loc))
        elif kind == "Namespace":
            meta, _, name = _metadata(obj, loc)
            namespace_meta[name] = (_text_map(meta, "labels", loc, "metadata"),
                                    _text_map(meta, "annotations", loc, "metadata"))
            namespaces.add(name)
        elif kind in _CONTROLLERS:
            meta, namespace, name = _metadata(obj, loc)
            namespace = namespace or default_namespace
            controllers[(kind, namespace, name)] = _Controller(obj, kind, loc, meta, namespace, name, _owners(meta))
    workers = sum(not n.control_plane for n in node_list)
    owners = _Owners(controllers)

    def pod_meta(meta: dict, namespace: str, loc: tuple, path: str) -> _Meta:
        ns_labels, ns_annotations = namespace_meta.get(namespace, (_EMPTY, _EMPTY))
        return _Meta(_text_map(meta, "labels", loc, path), _text_map(meta, "annotations", loc, path), namespace,
                     ns_labels, ns_annotations)

    # Pass 2: the controllers whose pods are in the input (they are counted as those pods).
    pod_owner: dict[int, tuple | None] = {}
    observed: set[tuple] = set()
    for number, (obj, kind, loc) in enumerate(objects):
        if kind == "Pod":
            meta, namespace, _ = _metadata(obj, loc)
            namespace = namespace or default_namespace
            top = owners.of_pod(meta, namespace, _text_map(meta, "labels", loc, "metadata"))
            pod_owner[number] = top
            if top is not None:
                observed.add(top)

    # Pass 3: pods, and the top controllers whose pods are absent, in input order.
    workloads: list[Workload] = []
    finished: Counter[str] = Counter()
    services = app_services = 0
    for number, (obj, kind, loc) in enumerate(objects):
        if kind in ("Node", "Namespace"):
            continue
        meta, namespace, name = _metadata(obj, loc)
        namespace = namespace or default_namespace
        namespaces.add(namespace)
        if kind == "Service":
            services += 1
            app_services += namespace not in SYSTEM_NAMESPACES
            continue
        if kind == "Pod":
            status = obj.get("status")
            phase = status.get("phase") if isinstance(status, dict) else None
            if phase in _FINISHED:
                finished[phase] += 1
                continue
            spec = _get_map(obj, "spec", loc, "spec", required=True)
            template_meta, path, meta_path, replicas = meta, "spec", "metadata", 1
            top = pod_owner[number]
            controller = f"{top[0]}/{top[2]}" if top is not None else None
        else:
            key = (kind, namespace, name)
            template_meta, spec, path = _template(obj, kind, loc)  # checked even when not counted
            if key in observed or owners.top(key) != key:
                continue  # counted as its pods, or by the controller above it
            meta_path, replicas, controller = f"{path}.metadata", _replicas(obj, kind, loc, workers), None
            path = f"{path}.spec"
        proxy_mode, proxy, native, pod_cpu, pod_memory, host_network = _pod(spec, loc, path)
        mode, injected = _mode(proxy_mode, pod_meta(template_meta, namespace, loc, meta_path), host_network)
        cpu_request, memory_request, cpu_limit, memory_limit = proxy
        workloads.append(Workload(kind, namespace, name, replicas, mode, cpu_request, memory_request, cpu_limit,
                                  memory_limit, native, pod_cpu, pod_memory, injected, controller))

    meshed = dict.fromkeys(MODES, 0)
    by_labels = dict.fromkeys(MODES, 0)
    for workload in workloads:
        meshed[workload.mode] += workload.replicas
        if not workload.injected and workload.mode != "none":
            by_labels[workload.mode] += workload.replicas
    return Inventory(
        nodes=workers,
        pods=sum(meshed.values()),
        services=services,
        app_services=app_services,
        namespaces=len(namespaces),
        meshed_pods=meshed,
        proxy_requests={mode: _summary(workloads, mode) for mode in MODES},
        workloads=tuple(workloads),
        skipped_kinds=dict(skipped),
        sources=labels,
        control_plane_nodes=len(node_list) - workers,
        node_list=tuple(node_list),
        finished_pods=dict(finished),
        meshed_by_labels={k: v for k, v in by_labels.items() if v},
        controllers_with_pods=len(observed),
    )


def _summary(workloads: list[Workload], mode: str) -> ProxyRequests:
    pods = injected = 0
    cpu: Counter[float] = Counter()
    memory: Counter[float] = Counter()
    for workload in workloads:
        if workload.mode != mode:
            continue
        pods += workload.replicas
        if not workload.injected:
            continue
        injected += workload.replicas
        if workload.proxy_cpu_request is not None:
            cpu[workload.proxy_cpu_request] += workload.replicas
        if workload.proxy_memory_request is not None:
            memory[workload.proxy_memory_request] += workload.replicas
    return ProxyRequests(pods, sum(cpu.values()), sum(memory.values()), dict(cpu), dict(memory), injected)
