"""From usage to requests, billable resources, nodes and money: pure numpy, band axis first.

Per component: ``reserved = instances x request``, ``billable = instances x max(request,
usage per instance)`` (the cost-allocation rule, F102), at most what the node can give for
pods and DaemonSets; ``cost`` is the billable CPU and memory at unit prices for a month.
Per mesh: extra nodes from the binding resource, billable CPU or memory over one node's
allocatable capacity, and the share of the cluster's capacity. Billed by nodes (the way a
cluster autoscaler adds them), a mesh costs its extra nodes times the node price, while its
components keep the cost of their own resources (whole nodes are a mesh-level quantity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .usage import Usage, per_instance

__all__ = ["Prices", "pod_request", "component_money", "mesh_money", "node_costs", "MIB_PER_GIB"]

MIB_PER_GIB = 1024.0


@dataclass(frozen=True)
class Prices:
    """Unit prices per vCPU-hour and GiB-hour [currency], one node's price per hour, hours in a month."""

    vcpu_hour: float
    gib_hour: float
    hours_per_month: float
    node_hour: float = 0.0

    @property
    def node_month(self) -> float:
        """One node for one month [currency]."""
        return self.node_hour * self.hours_per_month

    def monthly(self, cpu: np.ndarray, memory_mib: np.ndarray) -> np.ndarray:
        """The cost of CPU [vCPU] and memory [MiB] for one month [currency]."""
        return (cpu * self.vcpu_hour + (memory_mib / MIB_PER_GIB) * self.gib_hour) * self.hours_per_month


def pod_request(app: np.ndarray | float, sidecars: np.ndarray | float, init: np.ndarray | float) -> np.ndarray:
    """A pod's effective request [vCPU or MiB]: ``max(init, app + sidecars)`` (Kubernetes' rule)."""
    return np.maximum(np.asarray(init, float), np.asarray(app, float) + np.asarray(sidecars, float))


def component_money(use: Usage, request: tuple[float, float] | None, templated: bool, skew: np.ndarray | float,
                    allocatable_cpu: float, prices: Prices) -> dict[str, np.ndarray]:
    """Reserved, billable and cost of one component, band axis first.

    ``request`` is the per-instance (CPU [vCPU], memory [MiB]) the install reserves, or None to
    right-size each instance to its usage (CPU times ``skew`` for templated components: one
    template sizes every sidecar, DaemonSet pod or waypoint, so it must cover the busiest).
    The ``rightsized_*`` entries are always the right-sized ones, whatever ``request`` is.
    """
    n = use.instances
    per_cpu = per_instance(use.cpu, n)
    per_memory = per_instance(use.memory, n)
    if request is None:
        req_cpu: np.ndarray | float = per_cpu * (skew if templated else 1.0)
        req_memory: np.ndarray | float = per_memory
    else:
        req_cpu, req_memory = request
    billable_cpu, billable_memory = _billable(n, req_cpu, req_memory, per_cpu, per_memory, templated, allocatable_cpu)
    rightsized_cpu, rightsized_memory = _billable(n, per_cpu * (skew if templated else 1.0), per_memory, per_cpu,
                                                  per_memory, templated, allocatable_cpu)
    shape = np.shape(use.cpu)
    return {
        "reserved_cpu": np.broadcast_to(n * np.asarray(req_cpu), shape),
        "reserved_memory": np.broadcast_to(n * np.asarray(req_memory), shape),
        "billable_cpu": billable_cpu,
        "billable_memory": billable_memory,
        "cost": prices.monthly(billable_cpu, billable_memory),
        "rightsized_billable_cpu": rightsized_cpu,
        "rightsized_billable_memory": rightsized_memory,
        "rightsized_cost": prices.monthly(rightsized_cpu, rightsized_memory),
    }


def _billable(n: np.ndarray, req_cpu: np.ndarray | float, req_memory: np.ndarray | float, per_cpu: np.ndarray,
              per_memory: np.ndarray, templated: bool, allocatable_cpu: float) -> tuple[np.ndarray, np.ndarray]:
    """Billable CPU and memory of ``n`` instances: ``n x max(request, usage)``."""
    billable_cpu = n * np.maximum(req_cpu, per_cpu)
    if templated:  # a pod cannot use (or be billed for) more CPU than its node can give it
        billable_cpu = np.minimum(billable_cpu, n * allocatable_cpu)
    return billable_cpu, n * np.maximum(req_memory, per_memory)


def mesh_money(billable_cpu: np.ndarray, billable_memory: np.ndarray, nodes: np.ndarray, allocatable_cpu: float,
               allocatable_memory: float) -> dict[str, np.ndarray]:
    """Extra nodes [count] (binding resource, whole nodes) and share of the cluster's capacity."""
    node_equivalents = np.maximum(billable_cpu / allocatable_cpu, billable_memory / allocatable_memory)
    return {"extra_nodes": np.ceil(node_equivalents - 1e-9), "capacity_share": node_equivalents / nodes}


def node_costs(extra_nodes: np.ndarray, node_month: float) -> np.ndarray:
    """Billed by whole nodes: the mesh's cost [currency/month], extra nodes x one node's month.

    A mesh's components keep the cost of their own billable resources at unit prices; their
    sum is at most the mesh's (the rest is the nodes' reserved and unused capacity).
    """
    return extra_nodes * node_month
