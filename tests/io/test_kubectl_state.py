"""The reader counts the cluster as it runs: pods over templates, injection by labels, finished pods, nodes.

Objects are built by hand from the meshes' documented webhook rules and the shape of
``kubectl get all -A -o json``; the injected pods reuse the containers of the meshes' own
injected manifests (tests/fixtures/manifests).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from meshcost.errors import DataFileError, InputValueError
from meshcost.io.kubectl import MODES, read_inventories, read_inventory

MANIFESTS = Path(__file__).resolve().parents[1] / "fixtures" / "manifests"


def _first(name: str) -> dict:
    return next(d for d in yaml.safe_load_all((MANIFESTS / name).read_text()) if d)


ISTIO_TEMPLATE = _first("istio-hello.yaml.injected")["spec"]["template"]  # native istio-proxy, 100m / 128Mi
LINKERD_TEMPLATE = _first("linkerd-inject_emojivoto_deployment.golden.yml")["spec"]["template"]


def modes(**counts: int) -> dict[str, int]:
    return {mode: counts.get(mode.replace("-", "_"), 0) for mode in MODES}


def namespace(name: str, labels: dict | None = None, annotations: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name, "labels": {"kubernetes.io/metadata.name": name, **(labels or {})}}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def plain_template(app: str, labels: dict | None = None, annotations: dict | None = None) -> dict:
    meta: dict[str, Any] = {"labels": {"app": app, **(labels or {})}}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": {"containers": [{"name": app, "image": f"example/{app}:1",
                                                       "resources": {"requests": {"cpu": "100m",
                                                                                  "memory": "64Mi"}}}]}}


def deployment(name: str, ns: str | None = "shop", replicas: int = 3, template: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": copy.deepcopy(template or plain_template(name))}}


def replica_set(deploy: dict, template_hash: str, replicas: int) -> dict:
    name, ns = deploy["metadata"]["name"], deploy["metadata"].get("namespace")
    template = copy.deepcopy(deploy["spec"]["template"])
    template["metadata"].setdefault("labels", {})["pod-template-hash"] = template_hash
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{name}-{template_hash}", "namespace": ns,
                         "labels": {"app": name, "pod-template-hash": template_hash},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                              "uid": f"uid-{name}", "controller": True}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name,
                                                                        "pod-template-hash": template_hash}},
                     "template": template}}


def pod(name: str, ns: str = "shop", template: dict | None = None, owner: tuple[str, str] | None = None,
        phase: str = "Running", labels: dict | None = None) -> dict:
    """A running pod as the API server returns it (the webhook's changes included when ``template`` has them)."""
    template = copy.deepcopy(template or plain_template(name))
    meta = template["metadata"]
    meta.update(name=name, namespace=ns)
    meta.setdefault("labels", {}).update(labels or {})
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": "u",
                                    "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"],
            "status": {"phase": phase}}


def pods_of(deploy: dict, template_hash: str, count: int, *, injected: dict | None = None,
            with_owner: bool = True) -> list[dict]:
    """The pods a Deployment's ReplicaSet runs; ``injected``: the template after the webhook."""
    name, ns = deploy["metadata"]["name"], deploy["metadata"].get("namespace", "default")
    template = copy.deepcopy(injected or deploy["spec"]["template"])
    template["metadata"].setdefault("labels", {}).update(deploy["spec"]["template"]["metadata"]["labels"])
    return [pod(f"{name}-{template_hash}-{i:05d}", ns, template,
                owner=("ReplicaSet", f"{name}-{template_hash}") if with_owner else None,
                labels={"pod-template-hash": template_hash}) for i in range(count)]


def node(name: str, instance: str | None = "m5.xlarge", *, control_plane: bool = False,
         region: str = "us-east-1") -> dict:
    labels = {"kubernetes.io/hostname": name, "topology.kubernetes.io/region": region}
    if instance:
        labels["node.kubernetes.io/instance-type"] = instance
    spec: dict[str, Any] = {}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
        spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": spec,
            "status": {"allocatable": {"cpu": "3920m", "memory": "15136852Ki", "pods": "58"}}}


def export(*items: Any) -> dict:
    flat: list[dict] = []
    for item in items:
        flat.extend(item if isinstance(item, list) else [item])
    return {"apiVersion": "v1", "kind": "List", "items": flat}


# ------------------------------------------------------------------ actual state over templates


def test_deployments_replicasets_and_injected_pods_count_each_pod_once():
    """`kubectl get all -A -o json` in a mesh: the template has no proxy, the pods do."""
    cart, web = deployment("cart", replicas=3), deployment("web", replicas=2)
    objects = export(
        namespace("shop", {"istio-injection": "enabled"}),
        cart, replica_set(cart, "7d9f8b6c5", 3), replica_set(cart, "5b4c3d2e1", 0),  # an old, scaled-down one
        pods_of(cart, "7d9f8b6c5", 3, injected=ISTIO_TEMPLATE),
        web, replica_set(web, "6c5d4e3f2", 2), pods_of(web, "6c5d4e3f2", 2, injected=ISTIO_TEMPLATE),
    )
    inventory = read_inventory(objects)
    assert inventory.pods == 5 and inventory.meshed_pods == modes(istio_sidecar=5)
    assert all(w.kind == "Pod" and w.injected and w.replicas == 1 for w in inventory.workloads)
    assert {w.controller for w in inventory.workloads} == {"Deployment/cart", "Deployment/web"}
    assert inventory.controllers_with_pods == 2 and inventory.meshed_by_labels == {}
    sidecars = inventory.proxy_requests["istio-sidecar"]
    assert (sidecars.pods, sidecars.injected, sidecars.cpu_requests) == (5, 5, {0.1: 5})


def test_the_template_is_not_what_runs():
    """Before: the Deployment's uninjected template won over its injected pods."""
    cart = deployment("cart", replicas=2)
    inventory = read_inventory(export(cart, replica_set(cart, "abc12", 2),
                                      pods_of(cart, "abc12", 2, injected=LINKERD_TEMPLATE)))
    assert inventory.meshed_pods == modes(linkerd=2)


def test_fewer_pods_than_replicas_counts_the_pods():
    cart = deployment("cart", replicas=5)  # mid-rollout or quota-limited: 2 run
    inventory = read_inventory(export(cart, pods_of(cart, "abc12", 2)))
    assert inventory.pods == 2


def test_deployment_and_pods_without_their_replicaset_match_by_selector():
    cart, other = deployment("cart", replicas=4), deployment("cart-admin", replicas=1)
    pods = pods_of(cart, "9f8e7d6c5", 2)
    inventory = read_inventory(export(cart, other, pods))
    assert inventory.pods == 2 + 1  # cart's two pods; cart-admin from its template
    assert [(w.kind, w.controller) for w in inventory.workloads] == [
        ("Deployment", None), ("Pod", "Deployment/cart"), ("Pod", "Deployment/cart")]
    assert inventory.workloads[0].name == "cart-admin"


def test_owner_references_stripped_still_match_by_selector_and_template_hash():
    cart = deployment("cart", replicas=4)
    inventory = read_inventory(export(cart, pods_of(cart, "9f8e7d6c5", 2, with_owner=False)))
    assert inventory.pods == 2 and inventory.controllers_with_pods == 1


def test_a_bare_pod_matching_a_selector_is_its_own_workload():
    cart = deployment("cart", replicas=2)
    inventory = read_inventory(export(cart, pod("debug", labels={"app": "cart"})))
    assert inventory.pods == 3  # no pod-template-hash, no owner: Kubernetes would not adopt it


def test_a_replicaset_without_its_deployment_is_the_top_controller():
    cart = deployment("cart")
    rs = replica_set(cart, "abc12", 3)
    inventory = read_inventory(export(rs, pods_of(cart, "abc12", 1)))
    assert inventory.pods == 1 and inventory.workloads[0].controller == "ReplicaSet/cart-abc12"
    assert read_inventory(export(rs)).pods == 3  # no pods: its template x replicas


def test_old_replicasets_add_nothing():
    cart = deployment("cart", replicas=3)
    inventory = read_inventory(export(cart, replica_set(cart, "new11", 3), replica_set(cart, "old22", 0)))
    assert inventory.pods == 3 and [w.kind for w in inventory.workloads] == ["Deployment"]


def test_statefulset_and_its_pods():
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "db"}}, "template": plain_template("db")}}
    pods = [pod(f"db-{i}", template=ISTIO_TEMPLATE, owner=("StatefulSet", "db")) for i in range(3)]
    assert read_inventory(export(sts)).pods == 3
    inventory = read_inventory(export(sts, pods))
    assert inventory.meshed_pods == modes(istio_sidecar=3) and inventory.controllers_with_pods == 1


def test_daemonset_pods_or_one_per_worker_node():
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "tools"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": plain_template("agent")}}
    nodes = [node("a"), node("b"), node("cp", control_plane=True)]
    assert read_inventory(export(nodes, ds)).pods == 2  # workers only
    running = [pod(f"agent-{i}", "tools", owner=("DaemonSet", "agent")) for i in range(3)]
    assert read_inventory(export(nodes, ds, running)).pods == 3  # the pods that run (one on the control plane)


def test_jobs_cronjobs_and_finished_pods():
    job_template = plain_template("report")
    job_template["spec"]["restartPolicy"] = "Never"
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "report", "namespace": "ops"},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": job_template}}}}
    done_job = {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "report-28834560", "namespace": "ops",
                             "ownerReferences": [{"kind": "CronJob", "name": "report", "controller": True}]},
                "spec": {"template": job_template},
                "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}}
    done = pod("report-28834560-k2j4h", "ops", job_template, owner=("Job", "report-28834560"), phase="Succeeded")
    failed = pod("report-28834565-a1b2c", "ops", job_template, owner=("Job", "report-28834565"), phase="Failed")
    running = pod("report-28834570-z9y8x", "ops", job_template, owner=("Job", "report-28834570"))
    # A CronJob alone runs nothing between schedules.
    assert read_inventory(export(cron)).pods == 0
    inventory = read_inventory(export(cron, done_job, done, failed, running))
    assert inventory.pods == 1 and inventory.finished_pods == {"Succeeded": 1, "Failed": 1}
    assert inventory.workloads[-1].controller == "CronJob/report"  # through the missing Job, by its name
    # A finished Job in a live export without its pods: nothing running; a manifest: its parallelism.
    lone = {**done_job, "metadata": {"name": "migrate", "namespace": "ops"}}
    assert read_inventory(export(lone)).pods == 0
    manifest = {k: v for k, v in lone.items() if k != "status"}
    manifest["spec"] = {**manifest["spec"], "parallelism": 4}
    assert read_inventory(export(manifest)).pods == 4
    assert read_inventory(export(pod("setup", "ops", phase="Pending"))).pods == 1  # pending pods will run


# ------------------------------------------------------------------ would-be-meshed


@pytest.mark.parametrize(("ns_labels", "ns_annotations", "pod_labels", "pod_annotations", "expected"), [
    # Istio sidecar injector
    ({"istio-injection": "enabled"}, {}, {}, {}, "istio-sidecar"),
    ({"istio-injection": "enabled"}, {}, {"sidecar.istio.io/inject": "false"}, {}, "none"),
    ({"istio-injection": "enabled"}, {}, {}, {"sidecar.istio.io/inject": "false"}, "none"),
    ({"istio-injection": "disabled"}, {}, {"sidecar.istio.io/inject": "true"}, {}, "none"),
    ({"istio-injection": "disabled", "istio.io/rev": "canary"}, {}, {}, {}, "none"),  # istio-injection wins
    ({"istio.io/rev": "1-24-0"}, {}, {}, {}, "istio-sidecar"),  # a revision label
    ({"istio.io/rev": "canary"}, {}, {"sidecar.istio.io/inject": "false"}, {}, "none"),
    ({}, {}, {"istio.io/rev": "canary"}, {}, "istio-sidecar"),  # pod-level revision
    ({}, {}, {"sidecar.istio.io/inject": "true"}, {}, "istio-sidecar"),
    ({}, {}, {"sidecar.istio.io/inject": True}, {}, "istio-sidecar"),  # unquoted YAML boolean
    ({}, {}, {}, {"sidecar.istio.io/inject": "true"}, "none"),  # the annotation alone selects nothing
    ({}, {}, {}, {}, "none"),
    # Linkerd proxy injector (annotations)
    ({}, {"linkerd.io/inject": "enabled"}, {}, {}, "linkerd"),
    ({}, {"linkerd.io/inject": "enabled"}, {}, {"linkerd.io/inject": "disabled"}, "none"),
    ({}, {}, {}, {"linkerd.io/inject": "enabled"}, "linkerd"),
    ({}, {}, {}, {"linkerd.io/inject": "ingress"}, "linkerd"),
    ({}, {"linkerd.io/inject": "disabled"}, {}, {"linkerd.io/inject": "enabled"}, "linkerd"),  # pod wins
    ({"config.linkerd.io/admission-webhooks": "disabled"}, {"linkerd.io/inject": "enabled"}, {}, {}, "none"),
    ({"linkerd.io/inject": "enabled"}, {}, {}, {}, "none"),  # a label: Linkerd reads annotations only
    # Istio ambient
    ({"istio.io/dataplane-mode": "ambient"}, {}, {}, {}, "istio-ambient"),
    ({"istio.io/dataplane-mode": "ambient"}, {}, {"istio.io/dataplane-mode": "none"}, {}, "none"),
    ({}, {}, {"istio.io/dataplane-mode": "ambient"}, {}, "istio-ambient"),
    # a sidecar wins over ambient: ztunnel skips pods that have one
    ({"istio.io/dataplane-mode": "ambient", "istio-injection": "enabled"}, {}, {}, {}, "istio-sidecar"),
])
def test_injection_rules(ns_labels, ns_annotations, pod_labels, pod_annotations, expected):
    template = plain_template("app", pod_labels, pod_annotations)
    for objects in (export(namespace("shop", ns_labels, ns_annotations), deployment("app", template=template)),
                    export(namespace("shop", ns_labels, ns_annotations), pod("app-1", template=template))):
        inventory = read_inventory(objects)
        (workload,) = inventory.workloads
        assert workload.mode == expected and not workload.injected
        assert inventory.meshed_by_labels == ({} if expected == "none" else {expected: workload.replicas})


def test_system_namespaces_and_host_network_pods_are_never_injected():
    template = plain_template("agent", {"sidecar.istio.io/inject": "true"})
    assert read_inventory(export(pod("a", "kube-system", template))).meshed_pods["none"] == 1
    host = copy.deepcopy(template)
    host["spec"]["hostNetwork"] = True
    assert read_inventory(export(pod("b", "tools", host))).meshed_pods["none"] == 1


def test_manifests_without_a_namespace_are_in_default_or_the_one_given():
    bookinfo = [deployment(name, ns=None, replicas=1) for name in ("productpage", "reviews", "ratings")]
    labelled = namespace("default", {"istio-injection": "enabled"})
    inventory = read_inventory(export(labelled, bookinfo))
    assert inventory.meshed_pods == modes(istio_sidecar=3)
    assert {w.namespace for w in inventory.workloads} == {"default"}
    elsewhere = read_inventory(export(labelled, bookinfo), namespace="bookinfo")
    assert elsewhere.meshed_pods == modes(none=3)  # the labelled namespace is not theirs
    linkerd_ns = namespace("emojivoto", annotations={"linkerd.io/inject": "enabled"})
    assert read_inventories([export(linkerd_ns), export(bookinfo)], namespace="emojivoto").meshed_pods == modes(
        linkerd=3)


@pytest.mark.parametrize("bad", ["", "Shop", "a_b", "x" * 64, 5, None])
def test_namespace_argument_is_checked(bad):
    with pytest.raises(InputValueError, match="namespace: got"):
        read_inventory(export(), namespace=bad)


def test_already_injected_pods_keep_their_mesh_whatever_the_labels_say():
    inventory = read_inventory(export(namespace("shop", {"istio-injection": "disabled"}),
                                      pod("a", template=ISTIO_TEMPLATE)))
    assert inventory.meshed_pods == modes(istio_sidecar=1) and inventory.workloads[0].injected


def test_project_inputs_use_would_be_meshed_pods():
    objects = export(namespace("shop", {"istio-injection": "enabled"}), deployment("a", replicas=4),
                     deployment("b", "tools", replicas=6), node("n1"), node("n2"))
    assert read_inventory(objects).project_inputs() == {"nodes": 2, "sidecars": 4, "services": None}


# ------------------------------------------------------------------ nodes


def test_nodes_workers_control_plane_and_types():
    nodes = [node(f"w{i}", "m5.xlarge") for i in range(3)] + [node(f"x{i}", "m6i.2xlarge") for i in range(2)]
    nodes += [node("cp0", "m5.large", control_plane=True), node("bare", None)]
    legacy = node("old", None)
    legacy["metadata"]["labels"]["beta.kubernetes.io/instance-type"] = "c6i.xlarge"
    master = node("m0", "m5.large")
    master["spec"]["taints"] = [{"key": "node-role.kubernetes.io/master", "effect": "NoExecute"}]
    other_taint = node("gpu", "m5.xlarge")
    other_taint["spec"]["taints"] = [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}]
    inventory = read_inventory(export(nodes, legacy, master, other_taint))
    assert (inventory.nodes, inventory.control_plane_nodes) == (8, 2)
    assert inventory.node_types == {"m5.xlarge": 4, "m6i.2xlarge": 2, "c6i.xlarge": 1}  # "bare" is unlabelled
    assert inventory.regions == {"us-east-1": 8}
    first = inventory.node_list[0]
    assert (first.allocatable_cpu, first.allocatable_pods) == (3.92, 58)
    assert first.allocatable_memory == pytest.approx(15136852 / 1024)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cpu", "lots", r"status\.allocatable\.cpu is not a valid quantity"),
    ("memory", [1], r"status\.allocatable\.memory must be a quantity"),
    ("pods", "-3", r"status\.allocatable\.pods must be a whole number"),
])
def test_bad_node_fields_name_the_path(field, value, message):
    bad = node("n")
    bad["status"]["allocatable"][field] = value
    with pytest.raises(DataFileError, match=message):
        read_inventory(export(bad))


def test_a_bad_template_is_refused_even_when_its_pods_are_counted():
    cart = deployment("cart")
    broken = replica_set(cart, "abc12", 1)
    broken["spec"]["template"] = None
    with pytest.raises(DataFileError, match=r"spec\.template is missing"):
        read_inventory(export(cart, broken, pods_of(cart, "abc12", 1)))
