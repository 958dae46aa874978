"""Node shapes and allocatable capacity on GKE, EKS and AKS.

The kubelet computes ``allocatable = capacity - kube-reserved - system-reserved -
hard-eviction threshold`` (https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/)
and the scheduler packs pods by their requests against ``allocatable``. The providers differ
in how they set the deductions; the rules here follow the reference notes
``node-allocatable.md`` (researched 2026-08; sources per rule below). None of the three
providers publishes a system-reserved figure, so none is applied.

``capacity`` is itself less than the VM's nominal memory (the guest kernel keeps some).
How to get from nominal memory to capacity is the caller's choice, a modelling assumption
(``capacity_overhead``):

- ``"none"`` (default): capacity = nominal memory, as the reference's worked examples do.
- ``"karpenter"``: Karpenter for AWS's default 7.5 % VM memory overhead, rounded as Karpenter
  does (``capacity = memory - ceil(memory * 0.075)``, whole MiB)
  (aws/karpenter-provider-aws pkg/operator/options/options.go, ``vm-memory-overhead-percent``).
- ``"kernel"`` / ``"kernel-ubuntu"``: Cluster Autoscaler's GCE estimate of Linux
  kernel-reserved memory for COS (GKE's default image) / Ubuntu nodes
  (kubernetes/autoscaler cloudprovider/gce/gce_reserved.go @0a2d05b, "best estimated formula").
- a number in [0, 1): that share of nominal memory is lost (no rounding).

Reservations are computed from the *nominal* machine (vCPUs, memory), as the providers'
rules state them; the capacity overhead is subtracted on top. Allocatable is clipped at 0
(the kubelet sets negative allocatable to zero, kubernetes pkg/kubelet/nodestatus/setters.go,
``MachineInfo``). Provider ``"generic"`` reserves nothing: a modelling assumption for
self-managed clusters whose kubelet flags are unknown (kubelet defaults reserve nothing).
Inputs are [vCPU], [MiB] and [pods]; outputs are float64 arrays broadcast over the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputTypeError, InputValueError, UnknownNameError, describe_value
from .prices import node_price_row
from ..checks import broadcast_shape, first_where
from ..units import plain_number, strip, ureg

__all__ = [
    "PROVIDERS",
    "CAPACITY_OVERHEADS",
    "AKS_RULES",
    "AKS_CNI_MAX_PODS",
    "EKS_ENI",
    "GKE_MAX_PODS",
    "KUBELET_DEFAULT_MAX_PODS",
    "KARPENTER_VM_MEMORY_OVERHEAD",
    "EVICTION_MIB",
    "NodeShape",
    "node_shape",
    "default_max_pods",
    "eni_max_pods",
    "gke_reserved",
    "eks_reserved",
    "aks_reserved",
    "reserved",
    "memory_capacity",
    "allocatable",
]

PROVIDERS = ("gke", "eks", "aks", "generic")
CAPACITY_OVERHEADS = ("none", "karpenter", "kernel", "kernel-ubuntu")
AKS_RULES = ("1.29+", "pre-1.29")
_CLOUD_TO_PROVIDER = {"gcp": "gke", "aws": "eks", "azure": "aks"}

_MIB_PER_GIB = float(ureg.Quantity(1.0, "GiB").m_as("MiB"))
_MIB_PER_MB = float(ureg.Quantity(1.0, "MB").m_as("MiB"))

# ----------------------------------------------------------------------------- max pods

#: The kubelet's default --max-pods; EKS uses it for instance types without ENI data
#: (node-allocatable.md section 2, amazon-eks-ami nodeadm eni_max_pods.go).
KUBELET_DEFAULT_MAX_PODS = 110
#: GKE Standard: 110 pods per node (https://cloud.google.com/kubernetes-engine/quotas;
#: node-allocatable.md section 1). Autopilot's 32 is not modelled (its date is unknown).
GKE_MAX_PODS = 110
#: AKS default max pods per CNI (learn.microsoft.com/azure/aks/concepts-network-ip-address-planning,
#: ms.date 2026-04-16; node-allocatable.md section 3). All are configurable up to 250.
AKS_CNI_MAX_PODS: dict[str, int] = {"overlay": 250, "pod-subnet": 110, "kubenet": 110, "legacy": 30}
#: Default AKS CNI when none is named. Modelling assumption: the reference lists Azure CNI
#: Overlay first; whether it is AKS's default network plugin was not checked.
_AKS_DEFAULT_CNI = "overlay"
#: EKS instance types with ENI data: (ENIs, IPv4 addresses per ENI, vCPUs). ENIs and IPs from
#: amazon-eks-ami nodeadm instance-info.jsonl @4d63a3b (node-allocatable.md section 2 table);
#: vCPUs from Karpenter's instance-types reference @692ccdd (as in data/prices.csv).
EKS_ENI: dict[str, tuple[int, int, int]] = {
    "m5.large": (3, 10, 2),
    "m7g.large": (3, 10, 2),
    "m5.xlarge": (4, 15, 4),
    "m6i.xlarge": (4, 15, 4),
    "c6i.xlarge": (4, 15, 4),
    "r6i.xlarge": (4, 15, 4),
    "m5.2xlarge": (4, 15, 8),
    "m6i.2xlarge": (4, 15, 8),
}
# Prefix delegation caps (amazon-eks-ami files/max-pods-calculator.sh @976fe67): 110 pods for
# instances with <= 30 vCPUs, 250 above.
_PREFIX_CAP_SMALL, _PREFIX_CAP_LARGE, _PREFIX_CAP_VCPU = 110, 250, 30
_IPS_PER_PREFIX = 16  # a /28 IPv4 prefix per secondary slot (same script)

# ----------------------------------------------------------------------------- reservations

#: Hard-eviction memory threshold [MiB] per provider/rule (node-allocatable.md: GKE section 1,
#: EKS evictionHard memory.available 100Mi section 2, AKS 100Mi (1.29+) / 750Mi (pre-1.29) section 3).
EVICTION_MIB: dict[str, float] = {"gke": 100.0, "eks": 100.0, "aks-1.29+": 100.0, "aks-pre-1.29": 750.0,
                                  "generic": 0.0}

# CPU brackets over cores [0,1), [1,2), [2,4), [4,inf), in millicores per core.
_CPU_EDGES = (0.0, 1.0, 2.0, 4.0, np.inf)
# GKE: 6 % / 1 % / 0.5 % / 0.25 % (node-allocatable.md section 1); EKS copies them (nodeadm
# config.go @6caf831, "ranges taken from GKE").
_GKE_CPU_M_PER_CORE = (60.0, 10.0, 5.0, 2.5)
# AKS: 6 % / 4 % / 2 % / 1 % (Azure/karpenter-provider-azure instancetype.go @731b1f7), which
# reproduces the AKS doc's table 60/100/140/180/260/420/740 m for 1..64 cores.
_AKS_CPU_M_PER_CORE = (60.0, 40.0, 20.0, 10.0)
#: GKE adds 400 mCPU when max pods per node > 110 ([secondary], node-allocatable.md section 1).
_GKE_HIGH_PODS_CPU_M = 400.0
_GKE_HIGH_PODS_THRESHOLD = 110

# Regressive memory brackets (GiB): 25 % of the first 4, 20 % of the next 4, 10 % of the next 8,
# 6 % of the next 112, 2 % above 128. GKE (section 1) and AKS before 1.29 (section 3).
_MEM_EDGES_MIB = tuple(e * _MIB_PER_GIB for e in (0.0, 4.0, 8.0, 16.0, 128.0, np.inf))
_MEM_RATES = (0.25, 0.20, 0.10, 0.06, 0.02)
# GKE image streaming adds 1 % / 0.8 % / 0.4 % / 0.24 % / 0.08 % on the same brackets
# ([secondary] hatemosphere/gke-node-allocatable-memory-calculator @fcc0bb7).
_IMAGE_STREAMING_RATES = (0.01, 0.008, 0.004, 0.0024, 0.0008)
# GKE: 255 MiB when the machine has < 1 GiB (section 1).
_GKE_SMALL_MACHINE_MIB = 255.0
_GKE_SMALL_MACHINE_BELOW_MIB = 1.0 * _MIB_PER_GIB
# EKS kube-reserved memory: 11 MiB x maxPods + 255 MiB (nodeadm config.go @6caf831).
_EKS_MIB_PER_POD, _EKS_BASE_MIB = 11.0, 255.0
# AKS 1.29+: min(20 MB x maxPods + 50 MB, 25 % of memory) (node-resource-reservations.md,
# ms.date 2026-06-11). Whether "MB" means MiB is [uncertain]; the reference reads MiB.
_AKS_MB_PER_POD, _AKS_BASE_MB, _AKS_MEMORY_CAP = 20.0, 50.0, 0.25
_AKS_MB_UNITS = {"MiB": 1.0, "MB": _MIB_PER_MB}

#: Karpenter for AWS's default VM memory overhead (options.go @0156bcf, default 0.075).
KARPENTER_VM_MEMORY_OVERHEAD = 0.075
# Cluster Autoscaler GCE kernel-reserved estimate (gce_reserved.go @0a2d05b), in MiB.
_KERNEL_RATIO = 64.0
_KERNEL_BASE_MIB = 16.0
_SWIOTLB_MIB, _SWIOTLB_ABOVE_MIB = 64.0, 3.0 * _MIB_PER_GIB
_LOW_MEMORY_MIB, _LOW_MEMORY_AT_OR_BELOW_MIB = 8.0, 8.0 * _MIB_PER_GIB
_CORRECTION_RATE, _CORRECTION_CAP_MIB = 0.00175, 248.0
_UBUNTU_OFFSET_MIB = 4.0


# ----------------------------------------------------------------------------- helpers


def _positive(value: Any, name: str, kind: str, unit: str) -> np.ndarray:
    array = strip(value, name, kind)
    bad = ~np.isfinite(array) | (array <= 0)
    if np.any(bad):
        raise InputValueError(f"{name}: got {first_where(array, bad)!r}; expected a finite amount > 0 [{unit}]")
    return array


def _pods(value: Any, name: str = "max_pods") -> np.ndarray:
    array = strip(value, name, "count")
    bad = ~np.isfinite(array) | (array < 1) | (np.floor(array) != array)
    if np.any(bad):
        raise InputValueError(f"{name}: got {first_where(array, bad)!r}; expected whole numbers of pods >= 1")
    return array



def _out(array: Any, shape: tuple[int, ...]) -> np.ndarray:
    return np.array(np.broadcast_to(np.asarray(array, dtype=np.float64), shape))


def _tiered(x: np.ndarray, edges: tuple[float, ...], rates: tuple[float, ...]) -> np.ndarray:
    total = np.zeros_like(x, dtype=np.float64)
    for lo, hi, rate in zip(edges[:-1], edges[1:], rates):
        total = total + rate * np.clip(x - lo, 0.0, hi - lo)
    return total


def _inputs(vcpu: Any, memory_mib: Any, max_pods: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    cpu = _positive(vcpu, "vcpu", "cpu", "vCPU")
    mem = _positive(memory_mib, "memory_mib", "memory", "MiB")
    pods = _pods(max_pods)
    return cpu, mem, pods, broadcast_shape(vcpu=cpu, memory_mib=mem, max_pods=pods)


def _flag(value: Any, name: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name}: got {describe_value(value)}; expected True or False")


def _choice(value: Any, name: str, accepted: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise InputTypeError(f"{name}: got {describe_value(value)}; expected one of {list(accepted)}")
    if value not in accepted:
        raise UnknownNameError(f"{name}: got {value!r}; expected one of {list(accepted)}")
    return value


def _provider(provider: Any) -> str:
    if isinstance(provider, str) and provider.lower() in PROVIDERS:
        return provider.lower()
    if isinstance(provider, str):
        raise UnknownNameError(
            f"provider: got {provider!r}; expected one of {list(PROVIDERS)} "
            "('generic' reserves nothing)"
        )
    raise InputTypeError(f"provider: got {describe_value(provider)}; expected one of {list(PROVIDERS)}")


# ----------------------------------------------------------------------------- max pods


def eni_max_pods(enis: Any, ipv4_per_eni: Any, *, prefix_delegation: bool = False, vcpu: Any = None) -> np.ndarray:
    """EKS max pods from ENI limits (VPC CNI).

    Secondary IPs: ``ENIs * (IPv4 per ENI - 1) + 2`` (amazon-eks-ami eni_max_pods.go @6826d21).
    Prefix delegation: ``ENIs * ((IPv4 per ENI - 1) * 16) + 2``, capped at 110 pods for
    <= 30 vCPUs and 250 above (max-pods-calculator.sh @976fe67); needs ``vcpu``.

    Parameters
    ----------
    enis, ipv4_per_eni : int or array
        Network interfaces and IPv4 addresses per interface [count].
    prefix_delegation : bool
        VPC CNI prefix delegation on.
    vcpu : float or array
        vCPUs [vCPU], required with prefix delegation.

    Returns
    -------
    numpy.ndarray
        Max pods per node [pods].
    """
    n = _pods(enis, "enis")
    ips = _pods(ipv4_per_eni, "ipv4_per_eni")
    _flag(prefix_delegation, "prefix_delegation")
    if not prefix_delegation:
        return _out(n * (ips - 1) + 2, broadcast_shape(enis=n, ipv4_per_eni=ips))
    if vcpu is None:
        raise InputValueError("vcpu: got None; expected the instance's vCPUs with prefix_delegation=True "
                              "(the cap is 110 pods up to 30 vCPUs, 250 above)")
    cpu = _positive(vcpu, "vcpu", "cpu", "vCPU")
    shape = broadcast_shape(enis=n, ipv4_per_eni=ips, vcpu=cpu)
    raw = n * ((ips - 1) * _IPS_PER_PREFIX) + 2
    cap = np.where(cpu <= _PREFIX_CAP_VCPU, _PREFIX_CAP_SMALL, _PREFIX_CAP_LARGE)
    return _out(np.minimum(raw, cap), shape)


def default_max_pods(
    provider: str,
    instance_type: str | None = None,
    *,
    cni: str | None = None,
    prefix_delegation: bool = False,
) -> int:
    """A provider's default max pods per node.

    GKE: 110 (Standard). EKS: the ENI formula for the types in :data:`EKS_ENI`, else the
    kubelet default 110. AKS: by CNI, :data:`AKS_CNI_MAX_PODS` (``cni`` default ``"overlay"``,
    an assumption). Generic: the kubelet default 110.

    Parameters
    ----------
    provider : str
        One of :data:`PROVIDERS`.
    instance_type : str, optional
        EKS instance type (``"m5.xlarge"``).
    cni : str, optional
        AKS network plugin: ``"overlay"``, ``"pod-subnet"``, ``"kubenet"``, ``"legacy"``.
    prefix_delegation : bool
        EKS VPC CNI prefix delegation.

    Returns
    -------
    int
        Max pods [pods].
    """
    provider = _provider(provider)
    _flag(prefix_delegation, "prefix_delegation")
    if prefix_delegation and provider != "eks":
        raise InputValueError(f"prefix_delegation: got True for provider {provider!r}; expected it only for 'eks'")
    if cni is not None and provider != "aks":
        raise InputValueError(f"cni: got {cni!r} for provider {provider!r}; expected it only for 'aks'")
    if provider == "gke":
        return GKE_MAX_PODS
    if provider == "aks":
        return AKS_CNI_MAX_PODS[_choice(_AKS_DEFAULT_CNI if cni is None else cni, "cni", tuple(AKS_CNI_MAX_PODS))]
    if provider == "eks" and instance_type in EKS_ENI:
        enis, ips, vcpu = EKS_ENI[instance_type]
        return int(eni_max_pods(enis, ips, prefix_delegation=prefix_delegation, vcpu=vcpu))
    return KUBELET_DEFAULT_MAX_PODS


# ----------------------------------------------------------------------------- reservations


def gke_reserved(vcpu: Any, memory_mib: Any, max_pods: Any, *, image_streaming: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
    """GKE Standard reservations, eviction threshold included.

    CPU: 6 % of core 1, 1 % of core 2, 0.5 % of cores 3-4, 0.25 % of each core above 4, plus
    400 m when ``max_pods > 110`` ([secondary]). Memory: 255 MiB below 1 GiB, else 25 % of the
    first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % of the next 112, 2 % above 128;
    plus 100 MiB hard eviction (node-allocatable.md section 1, corroborated copies of
    cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes).

    Parameters
    ----------
    vcpu : float or array
        Machine vCPUs [vCPU].
    memory_mib : float or array
        Machine memory [MiB]; Quantities in bytes are converted.
    max_pods : int or array
        Max pods per node [pods].
    image_streaming : bool
        Add image streaming's reservation (1 % / 0.8 % / 0.4 % / 0.24 % / 0.08 %) [secondary].

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Reserved CPU [vCPU], reserved memory including eviction [MiB].
    """
    cpu, mem, pods, shape = _inputs(vcpu, memory_mib, max_pods)
    millicores = _tiered(cpu, _CPU_EDGES, _GKE_CPU_M_PER_CORE)
    millicores = millicores + np.where(pods > _GKE_HIGH_PODS_THRESHOLD, _GKE_HIGH_PODS_CPU_M, 0.0)
    kube = np.where(mem < _GKE_SMALL_MACHINE_BELOW_MIB, _GKE_SMALL_MACHINE_MIB, _tiered(mem, _MEM_EDGES_MIB, _MEM_RATES))
    _flag(image_streaming, "image_streaming")
    if image_streaming:
        kube = kube + _tiered(mem, _MEM_EDGES_MIB, _IMAGE_STREAMING_RATES)
    return _out(millicores / 1000.0, shape), _out(kube + EVICTION_MIB["gke"], shape)


def eks_reserved(vcpu: Any, memory_mib: Any, max_pods: Any) -> tuple[np.ndarray, np.ndarray]:
    """EKS-optimized AMI reservations, eviction threshold included.

    CPU: GKE's brackets (6 % / 1 % / 0.5 % / 0.25 %). Memory: ``11 MiB x max_pods + 255 MiB``
    kube-reserved plus 100 MiB hard eviction (amazon-eks-ami nodeadm config.go @6caf831;
    node-allocatable.md section 2). Memory does not depend on the machine's memory.

    Parameters
    ----------
    vcpu : float or array
        Machine vCPUs [vCPU].
    memory_mib : float or array
        Machine memory [MiB] (validated and broadcast; not used by the rule).
    max_pods : int or array
        Max pods per node [pods]; see :func:`default_max_pods`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Reserved CPU [vCPU], reserved memory including eviction [MiB].
    """
    cpu, _mem, pods, shape = _inputs(vcpu, memory_mib, max_pods)
    millicores = _tiered(cpu, _CPU_EDGES, _GKE_CPU_M_PER_CORE)
    kube = _EKS_MIB_PER_POD * pods + _EKS_BASE_MIB
    return _out(millicores / 1000.0, shape), _out(kube + EVICTION_MIB["eks"], shape)


def aks_reserved(vcpu: Any, memory_mib: Any, max_pods: Any, rule: str = "1.29+", *, mb_as: str = "MiB"
                 ) -> tuple[np.ndarray, np.ndarray]:
    """AKS (Linux) reservations, eviction threshold included.

    CPU: 6 % of core 1, 4 % of core 2, 2 % of cores 3-4, 1 % of each core above 4 (60 / 100 /
    140 / 180 / 260 / 420 / 740 m for 1 / 2 / 4 / 8 / 16 / 32 / 64 cores). Memory, rule
    ``"1.29+"``: ``min(20 MB x max_pods + 50 MB, 25 % of memory)`` plus 100 MiB eviction;
    rule ``"pre-1.29"``: GKE's regressive brackets plus 750 MiB eviction (node-allocatable.md
    section 3; learn.microsoft.com/azure/aks/node-resource-reservations, ms.date 2026-06-11).
    Windows nodes' extra 2 GB is not modelled.

    Parameters
    ----------
    vcpu : float or array
        Machine vCPUs [vCPU].
    memory_mib : float or array
        Machine memory [MiB].
    max_pods : int or array
        Max pods per node [pods] (250 Overlay, 110 kubenet / pod subnet, 30 legacy CNI).
    rule : {"1.29+", "pre-1.29"}
        AKS Kubernetes version rule.
    mb_as : {"MiB", "MB"}
        How to read the doc's "20 MB" and "50 MB" [uncertain]: ``"MiB"`` (the reference's
        reading, default) or decimal ``"MB"`` (converted with pint).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Reserved CPU [vCPU], reserved memory including eviction [MiB].
    """
    rule = _choice(rule, "rule", AKS_RULES)
    mb = _AKS_MB_UNITS[_choice(mb_as, "mb_as", tuple(_AKS_MB_UNITS))]
    cpu, mem, pods, shape = _inputs(vcpu, memory_mib, max_pods)
    millicores = _tiered(cpu, _CPU_EDGES, _AKS_CPU_M_PER_CORE)
    if rule == "1.29+":
        kube = np.minimum((_AKS_MB_PER_POD * pods + _AKS_BASE_MB) * mb, _AKS_MEMORY_CAP * mem)
    else:
        kube = _tiered(mem, _MEM_EDGES_MIB, _MEM_RATES)
    return _out(millicores / 1000.0, shape), _out(kube + EVICTION_MIB[f"aks-{rule}"], shape)


def reserved(vcpu: Any, memory_mib: Any, max_pods: Any, provider: str, *, aks_rule: str = "1.29+",
             aks_mb_as: str = "MiB", image_streaming: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Reserved CPU [vCPU] and memory incl. eviction [MiB] by ``provider`` (see :data:`PROVIDERS`)."""
    provider = _provider(provider)
    _flag(image_streaming, "image_streaming")
    if image_streaming and provider != "gke":
        raise InputValueError(f"image_streaming: got True for provider {provider!r}; expected it only for 'gke'")
    if provider == "gke":
        return gke_reserved(vcpu, memory_mib, max_pods, image_streaming=image_streaming)
    if provider == "eks":
        return eks_reserved(vcpu, memory_mib, max_pods)
    if provider == "aks":
        return aks_reserved(vcpu, memory_mib, max_pods, aks_rule, mb_as=aks_mb_as)
    _cpu, _mem, _pods_arr, shape = _inputs(vcpu, memory_mib, max_pods)
    return np.zeros(shape), np.zeros(shape)


def memory_capacity(memory_mib: Any, capacity_overhead: Any = "none") -> np.ndarray:
    """Memory capacity the kubelet sees, from nominal memory [MiB] (see the module docstring).

    Parameters
    ----------
    memory_mib : float or array
        Nominal machine memory [MiB].
    capacity_overhead : {"none", "karpenter", "kernel", "kernel-ubuntu"} or float
        How nominal memory becomes capacity; a number is the share lost [0-1).

    Returns
    -------
    numpy.ndarray
        Capacity [MiB].
    """
    mem = _positive(memory_mib, "memory_mib", "memory", "MiB")
    if isinstance(capacity_overhead, str):
        mode = _choice(capacity_overhead, "capacity_overhead", CAPACITY_OVERHEADS)
        if mode == "none":
            return _out(mem, mem.shape)
        if mode == "karpenter":
            return _out(mem - np.ceil(mem * KARPENTER_VM_MEMORY_OVERHEAD), mem.shape)
        kernel = (mem / _KERNEL_RATIO + _KERNEL_BASE_MIB
                  + np.where(mem > _SWIOTLB_ABOVE_MIB, _SWIOTLB_MIB, 0.0)
                  + np.where(mem <= _LOW_MEMORY_AT_OR_BELOW_MIB, _LOW_MEMORY_MIB, 0.0)
                  + np.minimum(_CORRECTION_RATE * mem, _CORRECTION_CAP_MIB))
        if mode == "kernel-ubuntu":
            kernel = kernel + _UBUNTU_OFFSET_MIB
        return _out(np.maximum(mem - kernel, 0.0), mem.shape)
    if capacity_overhead is None or isinstance(capacity_overhead, (bool, np.bool_)):
        raise InputTypeError(
            f"capacity_overhead: got {capacity_overhead!r}; expected one of {list(CAPACITY_OVERHEADS)} "
            "or a share of memory from 0 to 1"
        )
    share = strip(capacity_overhead, "capacity_overhead", "fraction")
    bad = ~np.isfinite(share) | (share < 0) | (share >= 1)
    if np.any(bad):
        raise InputValueError(
            f"capacity_overhead: got {first_where(share, bad)!r}; expected a share of memory in [0, 1) "
            f"or one of {list(CAPACITY_OVERHEADS)}"
        )
    shape = broadcast_shape(memory_mib=mem, capacity_overhead=share)
    return _out(mem * (1.0 - share), shape)


def allocatable(
    vcpu: Any,
    memory_mib: Any,
    max_pods: Any,
    provider: str,
    *,
    capacity_overhead: Any = "none",
    aks_rule: str = "1.29+",
    aks_mb_as: str = "MiB",
    image_streaming: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Allocatable CPU and memory of a node: capacity minus reservations and eviction threshold.

    Parameters
    ----------
    vcpu : float or array
        Machine vCPUs [vCPU].
    memory_mib : float or array
        Nominal machine memory [MiB]; Quantities in bytes are converted.
    max_pods : int, array or None
        Max pods per node [pods]; None takes :func:`default_max_pods` of the provider.
    provider : {"gke", "eks", "aks", "generic"}
        Whose reservation rules apply; ``"generic"`` reserves nothing (assumption).
    capacity_overhead : {"none", "karpenter", "kernel", "kernel-ubuntu"} or float
        Nominal memory to capacity (see :func:`memory_capacity`); an assumption to state.
    aks_rule, aks_mb_as : str
        AKS memory rule and reading of "MB" (see :func:`aks_reserved`).
    image_streaming : bool
        GKE image streaming reservation.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Allocatable CPU [vCPU] and memory [MiB], >= 0, broadcast over the inputs.
    """
    provider = _provider(provider)
    if max_pods is None:
        max_pods = default_max_pods(provider)
    res_cpu, res_mem = reserved(vcpu, memory_mib, max_pods, provider, aks_rule=aks_rule,
                                aks_mb_as=aks_mb_as, image_streaming=image_streaming)
    cpu = strip(vcpu, "vcpu", "cpu")
    capacity = memory_capacity(memory_mib, capacity_overhead)
    shape = broadcast_shape(reserved=res_cpu, capacity=capacity)
    return (_out(np.maximum(cpu - res_cpu, 0.0), shape),
            _out(np.maximum(capacity - res_mem, 0.0), shape))


# ----------------------------------------------------------------------------- NodeShape


#: Bounds on a node far beyond any machine (they keep every figure finite).
MAX_NODE_VCPU = 1e5
MAX_NODE_GIB = 1e7
MAX_NODE_PODS = 1_000_000
MAX_NODE_MIB = MAX_NODE_GIB * _MIB_PER_GIB


def _number(value: Any, name: str) -> float:
    return plain_number(value, f"NodeShape.{name}")


@dataclass(frozen=True)
class NodeShape:
    """A worker node: its size, pod limit, provider rules and (optionally) measured allocatable.

    Attributes
    ----------
    vcpu : float
        vCPUs [vCPU, > 0].
    memory_gib : float
        Nominal memory [GiB, > 0].
    max_pods : int
        Max pods per node [pods, >= 1].
    provider : str
        Reservation rules, one of :data:`PROVIDERS` (default ``"generic"``: none).
    name : str
        Instance type or label.
    allocatable_vcpu, allocatable_memory_mib : float or None
        Allocatable CPU [vCPU] and memory [MiB] if known (e.g. from ``kubectl describe node``);
        they override the provider rules in :meth:`allocatable`.
    """

    vcpu: float
    memory_gib: float
    max_pods: int
    provider: str = "generic"
    name: str = ""
    allocatable_vcpu: float | None = None
    allocatable_memory_mib: float | None = None

    def __post_init__(self) -> None:
        vcpu = _number(self.vcpu, "vcpu")
        gib = _number(self.memory_gib, "memory_gib")
        for name, value, unit, most in (("vcpu", vcpu, "vCPU", MAX_NODE_VCPU), ("memory_gib", gib, "GiB", MAX_NODE_GIB)):
            if not (np.isfinite(value) and 0 < value <= most):
                raise InputValueError(f"NodeShape.{name}: got {value!r}; expected an amount > 0 and at most "
                                      f"{most:g} [{unit}]")
        pods = _number(self.max_pods, "max_pods")
        if not (np.isfinite(pods) and 1 <= pods <= MAX_NODE_PODS and pods == int(pods)):
            raise InputValueError(f"NodeShape.max_pods: got {describe_value(self.max_pods)}; expected a whole number "
                                  f"of pods from 1 to {MAX_NODE_PODS:,}")
        if not isinstance(self.name, str):
            raise InputTypeError(f"NodeShape.name: got {describe_value(self.name)}; expected text")
        object.__setattr__(self, "vcpu", vcpu)
        object.__setattr__(self, "memory_gib", gib)
        object.__setattr__(self, "max_pods", int(pods))
        object.__setattr__(self, "provider", _provider(self.provider))
        for name, cap, unit in (("allocatable_vcpu", vcpu, "vCPU"),
                                ("allocatable_memory_mib", self.memory_mib, "MiB")):
            value = getattr(self, name)
            if value is None:
                continue
            value = _number(value, name)
            if not (np.isfinite(value) and 0 <= value <= cap):
                raise InputValueError(
                    f"NodeShape.{name}: got {value!r}; expected a finite amount from 0 to the node's {cap:g} {unit}"
                )
            object.__setattr__(self, name, value)

    @property
    def memory_mib(self) -> float:
        """Nominal memory [MiB]."""
        return self.memory_gib * _MIB_PER_GIB

    def allocatable(self, capacity_overhead: Any = "none", **rules: Any) -> tuple[float, float]:
        """Allocatable CPU [vCPU] and memory [MiB]: measured values if set, else the provider rules.

        ``rules`` are passed to :func:`allocatable` (``aks_rule``, ``aks_mb_as``, ``image_streaming``).
        """
        cpu, mem = allocatable(self.vcpu, self.memory_mib, self.max_pods, self.provider,
                               capacity_overhead=capacity_overhead, **rules)
        return (float(cpu) if self.allocatable_vcpu is None else self.allocatable_vcpu,
                float(mem) if self.allocatable_memory_mib is None else self.allocatable_memory_mib)


def node_shape(
    instance_type: str,
    provider: str | None = None,
    *,
    max_pods: int | None = None,
    cni: str | None = None,
    prefix_delegation: bool = False,
    region: str | None = None,
) -> NodeShape:
    """A :class:`NodeShape` for a machine type of the shipped price sheet (``data/prices.csv``).

    Parameters
    ----------
    instance_type : str
        A machine type of the sheet (``"m5.xlarge"``, ``"e2-standard-4"``, ``"Standard_D4s_v5"``).
    provider : str, optional
        Reservation rules; default from the sheet's cloud (aws -> eks, gcp -> gke, azure -> aks).
    max_pods : int, optional
        Max pods; default :func:`default_max_pods` (``cni``, ``prefix_delegation``).
    region : str, optional
        Needed only when the sheet lists the type in several regions.

    Returns
    -------
    NodeShape
        vCPUs and memory [GiB] from the sheet, with the provider's default max pods.
    """
    row = node_price_row(instance_type, region, None)
    chosen = _CLOUD_TO_PROVIDER.get(row.provider, "generic") if provider is None else _provider(provider)
    if max_pods is None:
        max_pods = default_max_pods(chosen, instance_type, cni=cni, prefix_delegation=prefix_delegation)
    return NodeShape(vcpu=row.vcpu, memory_gib=row.memory_gib, max_pods=max_pods, provider=chosen, name=instance_type)
