"""Reading cluster inventories: the meshes' own injected manifests and kubectl-shaped exports."""

from __future__ import annotations

import gc
import importlib.util
import io
import json
from pathlib import Path

import pytest

import meshcost
from meshcost.errors import DataFileError, InputTypeError, InputValueError
from meshcost.io.kubectl import MODES, Inventory, Workload, read_inventories, read_inventory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MANIFESTS = FIXTURES / "manifests"
CLUSTER = FIXTURES / "kubectl-cluster.json"
STORE = FIXTURES / "store-manifests.yaml"


def only(inventory: Inventory) -> Workload:
    (workload,) = inventory.workloads
    return workload


def modes(**counts: int) -> dict[str, int]:
    return {mode: counts.get(mode.replace("-", "_"), 0) for mode in MODES}


# ---------------------------------------------------------------- the meshes' own manifests
# All of these put the proxy in initContainers with restartPolicy: Always (native sidecars),
# whatever the file name says: the tests follow the files.


@pytest.mark.parametrize("name", ["istio-hello.yaml.injected", "istio-hello-proxy-override.yaml.injected"])
def test_istio_hello(name):
    inventory = read_inventory(MANIFESTS / name)
    assert inventory.pods == 7 and inventory.meshed_pods == modes(istio_sidecar=7)
    assert inventory.nodes == 0 and inventory.services == 0 and inventory.namespaces == 1  # "default"
    assert only(inventory) == Workload(
        kind="Deployment",
        namespace="default",
        name="hello",
        replicas=7,
        mode="istio-sidecar",
        proxy_cpu_request=0.1,
        proxy_memory_request=128.0,
        proxy_cpu_limit=2.0,
        proxy_memory_limit=1024.0,
        native_sidecar=True,
        pod_cpu_request=0.1,
        pod_memory_request=128.0,
    )
    summary = inventory.proxy_requests["istio-sidecar"]
    assert (summary.pods, summary.with_cpu_request, summary.without_memory_request) == (7, 7, 0)
    assert summary.cpu_requests == {0.1: 7} and summary.memory_requests == {128.0: 7}
    assert summary.cpu_request_total == pytest.approx(0.7) and summary.memory_request_total == 896.0
    assert inventory.skipped_kinds == {} and inventory.controllers_with_pods == 0


def test_istio_hello_multi_two_documents():
    inventory = read_inventory(MANIFESTS / "istio-hello-multi.yaml.injected")
    assert [(w.kind, w.name, w.replicas, w.mode) for w in inventory.workloads] == [
        ("Deployment", "hello-v1", 3, "istio-sidecar"),
        ("Deployment", "hello-v2", 3, "istio-sidecar"),
    ]
    assert inventory.pods == 6 and inventory.proxy_requests["istio-sidecar"].memory_requests == {128.0: 6}


def test_istio_native_sidecar_pod():
    workload = only(read_inventory(MANIFESTS / "istio-native-sidecar.yaml.injected"))
    assert (workload.kind, workload.replicas, workload.mode, workload.native_sidecar) == (
        "Pod",
        1,
        "istio-sidecar",
        True,
    )
    assert (workload.proxy_cpu_request, workload.proxy_memory_request) == (0.1, 128.0)
    # istio-init (100m / 128Mi) runs before istio-proxy; the other native sidecar requests nothing.
    assert (workload.pod_cpu_request, workload.pod_memory_request) == (0.1, 128.0)


@pytest.mark.parametrize(
    "name",
    ["linkerd-inject_emojivoto_deployment.golden.yml", "linkerd-inject_emojivoto_deployment_native_sidecar.golden.yml"],
)
def test_linkerd_default_proxy_sets_no_resources(name):
    inventory = read_inventory(MANIFESTS / name)
    workload = only(inventory)
    assert (workload.namespace, workload.name, workload.replicas, workload.mode) == ("emojivoto", "web", 1, "linkerd")
    assert workload.native_sidecar
    assert workload.proxy_cpu_request is None and workload.proxy_memory_limit is None
    assert (workload.pod_cpu_request, workload.pod_memory_request) == (0.0, 0.0)
    summary = inventory.proxy_requests["linkerd"]
    assert (summary.pods, summary.with_cpu_request, summary.without_cpu_request) == (1, 0, 1)
    assert inventory.namespaces == 1


def test_linkerd_config_overrides():
    workload = only(read_inventory(MANIFESTS / "linkerd-inject_emojivoto_deployment_config_overrides.golden.yml"))
    assert workload.mode == "linkerd" and workload.native_sidecar
    assert (workload.proxy_cpu_request, workload.proxy_memory_request) == (0.5, 64.0)
    assert (workload.proxy_cpu_limit, workload.proxy_memory_limit) == (1.0, 256.0)
    # linkerd-init (500m / 64Mi) runs alone before the proxy starts: max(500m, 0 + 500m).
    assert (workload.pod_cpu_request, workload.pod_memory_request) == (0.5, 64.0)


def test_linkerd_list():
    inventory = read_inventory(MANIFESTS / "linkerd-inject_emojivoto_list.golden.yml")
    assert [(w.kind, w.name, w.mode) for w in inventory.workloads] == [
        ("Deployment", "web", "linkerd"),
        ("Deployment", "emoji", "linkerd"),
    ]
    assert inventory.pods == 2 and inventory.meshed_pods == modes(linkerd=2)


def test_all_manifests_together():
    inventory = read_inventories(sorted(p for p in MANIFESTS.iterdir() if p.name != "README.md"))
    assert len(inventory.sources) == 8
    assert inventory.meshed_pods == modes(istio_sidecar=7 + 6 + 1 + 7, linkerd=1 + 1 + 1 + 2)


# ---------------------------------------------------------------- a kubectl-shaped export


@pytest.fixture(scope="module")
def cluster() -> Inventory:
    return read_inventory(CLUSTER)


def test_cluster_counts(cluster):
    assert (cluster.nodes, cluster.pods, cluster.services, cluster.app_services) == (3, 17, 9, 6)
    assert cluster.namespaces == 9
    assert cluster.meshed_pods == modes(istio_sidecar=4, istio_ambient=3, linkerd=3, none=7)
    assert cluster.skipped_kinds == {} and cluster.controllers_with_pods == 0 and cluster.finished_pods == {}
    assert all(w.kind == "Pod" and w.replicas == 1 for w in cluster.workloads)


def test_cluster_modes(cluster):
    by_name = {w.name: w.mode for w in cluster.workloads}
    assert by_name == {
        "cart-7d9f8b6c5-x7k2p": "istio-sidecar",  # istio-proxy container
        "cart-7d9f8b6c5-m4n8q": "istio-sidecar",
        "checkout-5c6d7e8f9-abcde": "istio-sidecar",  # native sidecar
        "recommender-6f7a8b9c0-zz9yy": "istio-ambient",  # its own label
        "ledger-0": "istio-ambient",  # Namespace label (and the istio-cni annotation)
        "ledger-1": "istio-ambient",  # Namespace label only
        "reconcile-28834560-k2j4h": "none",  # opted out of the ambient namespace
        "web-58b7d6d9c-tw4xq": "linkerd",  # linkerd-proxy container
        "voting-6d8f9b7c4-p8r2s": "linkerd",  # native sidecar
        "legacy-7b9c8d6e5-hh3jk": "none",
        "coredns-6f6b679f8f-2xwzq": "none",
        "coredns-6f6b679f8f-9sdkl": "none",
        "kube-proxy-4kq8v": "none",
        "istiod-7c4f9d8b6-l2k9m": "none",
        "ztunnel-8xj2v": "none",  # ambient.istio.io/redirection: disabled
        "istio-ingressgateway-5d8b6f7c9-qq7ww": "istio-sidecar",  # a gateway: an istio-proxy container
        "linkerd-destination-7d5b9c8f6-v4b7n": "linkerd",
    }


def test_cluster_requests(cluster):
    by_name = {w.name: w for w in cluster.workloads}
    cart = by_name["cart-7d9f8b6c5-x7k2p"]
    assert (cart.proxy_cpu_request, cart.proxy_memory_request, cart.proxy_cpu_limit, cart.proxy_memory_limit) == (
        0.1,
        128.0,
        2.0,
        1024.0,
    )
    assert not cart.native_sidecar
    assert cart.pod_cpu_request == pytest.approx(0.35) and cart.pod_memory_request == 384.0  # 250m+100m, 256+128Mi

    checkout = by_name["checkout-5c6d7e8f9-abcde"]
    assert checkout.native_sidecar and (checkout.proxy_cpu_request, checkout.proxy_memory_limit) == (0.2, 512.0)
    assert checkout.pod_cpu_request == pytest.approx(0.7) and checkout.pod_memory_request == 1280.0

    web = by_name["web-58b7d6d9c-tw4xq"]
    assert (web.proxy_cpu_request, web.proxy_memory_request, web.proxy_cpu_limit, web.proxy_memory_limit) == (
        0.1,
        20.0,
        None,
        250.0,
    )
    assert web.pod_cpu_request == pytest.approx(0.2) and web.pod_memory_request == 84.0

    voting = by_name["voting-6d8f9b7c4-p8r2s"]  # limits only: requests default to the limits
    assert (voting.proxy_cpu_request, voting.proxy_memory_request) == (1.0, 250.0) and voting.native_sidecar
    assert voting.pod_cpu_request == pytest.approx(1.1) and voting.pod_memory_request == 314.0

    # A native sidecar (100m / 100Mi) started before a regular init container (1 / 1Gi):
    # max(1 + 0.1, 0.2 + 0.1) vCPU and max(1024 + 100, 200 + 100) MiB.
    legacy = by_name["legacy-7b9c8d6e5-hh3jk"]
    assert legacy.mode == "none" and legacy.proxy_cpu_request is None and not legacy.native_sidecar
    assert legacy.pod_cpu_request == pytest.approx(1.1) and legacy.pod_memory_request == 1124.0

    assert by_name["linkerd-destination-7d5b9c8f6-v4b7n"].proxy_cpu_request is None
    assert by_name["kube-proxy-4kq8v"].pod_memory_request == 0.0


def test_cluster_proxy_summaries(cluster):
    istio = cluster.proxy_requests["istio-sidecar"]
    assert (istio.pods, istio.with_cpu_request, istio.with_memory_request) == (4, 4, 4)
    assert istio.cpu_requests == {0.1: 3, 0.2: 1} and istio.memory_requests == {128.0: 3, 256.0: 1}
    linkerd = cluster.proxy_requests["linkerd"]
    assert (linkerd.pods, linkerd.with_cpu_request, linkerd.without_cpu_request) == (3, 2, 1)
    assert linkerd.cpu_requests == {0.1: 1, 1.0: 1} and linkerd.memory_requests == {20.0: 1, 250.0: 1}
    assert linkerd.memory_request_total == 270.0
    ambient = cluster.proxy_requests["istio-ambient"]
    assert (ambient.pods, ambient.with_cpu_request, ambient.cpu_requests) == (3, 0, {})
    assert cluster.proxy_requests["none"].pods == 7


def test_cluster_project_inputs(cluster):
    inputs = cluster.project_inputs()
    # meshed pods outside the system namespaces: cart x2, checkout, recommender, ledger x2, web, voting
    assert inputs == {"nodes": 3, "sidecars": 8, "services": 6}
    assert cluster.project_inputs(nodes=40)["nodes"] == 40
    result = meshcost.project(**inputs)
    assert result.meshes == ("istio-sidecar", "istio-ambient", "linkerd")


def test_unmeshed_cluster_projects_all_application_pods():
    objects = [
        {
            "kind": "Pod",
            "metadata": {"name": f"app-{i}", "namespace": "apps"},
            "spec": {"containers": [{"name": "app"}]},
        }
        for i in range(5)
    ] + [
        {
            "kind": "Pod",
            "metadata": {"name": "dns", "namespace": "kube-system"},
            "spec": {"containers": [{"name": "dns"}]},
        }
    ]
    inventory = read_inventory(objects)
    assert inventory.meshed_pods == modes(none=6)
    with pytest.raises(InputValueError, match=r"nodes: <list> holds no schedulable Node.*nodes="):
        inventory.project_inputs()
    assert inventory.project_inputs(nodes=2) == {"nodes": 2, "sidecars": 5, "services": None}


# ---------------------------------------------------------------- YAML manifests of controllers


def test_store_manifests():
    inventory = read_inventory(STORE)
    assert [(w.kind, w.name, w.replicas, w.mode, w.controller) for w in inventory.workloads] == [
        ("Pod", "api-5f7c9d8b4-x2k9q", 1, "istio-ambient", "Deployment/api"),  # the Namespace is labelled ambient
        ("Pod", "api-6b8d4c7f5-p0o9i", 1, "istio-ambient", "Deployment/api"),  # its ReplicaSet is missing
        ("StatefulSet", "db", 2, "istio-ambient", None),
        ("DaemonSet", "node-agent", 1, "none", None),  # no nodes in the input: 1
        ("Job", "migrate", 2, "none", None),  # parallelism
    ]
    # The Deployment's two pods count, not its template's 3 replicas nor the ReplicaSet's.
    assert inventory.pods == 7 and inventory.controllers_with_pods == 1
    assert inventory.meshed_pods == modes(istio_ambient=4, none=3)
    assert inventory.meshed_by_labels == {"istio-ambient": 4}  # none is captured yet
    assert inventory.skipped_kinds == {"ConfigMap": 1}
    assert (inventory.services, inventory.namespaces, inventory.nodes) == (1, 2, 0)
    by_name = {w.name: w for w in inventory.workloads}
    api = by_name["api-5f7c9d8b4-x2k9q"]
    assert (api.pod_cpu_request, api.pod_memory_request, api.injected) == (0.25, 256.0, False)
    assert by_name["db"].pod_memory_request == 4096.0
    assert by_name["migrate"].pod_memory_request == 256.0  # a bare number is bytes
    assert inventory.project_inputs(nodes=4) == {"nodes": 4, "sidecars": 4, "services": 1}


def test_merging_files_shares_nodes_and_namespaces():
    inventory = read_inventories([STORE, CLUSTER])
    agent = next(w for w in inventory.workloads if w.name == "node-agent")
    assert agent.replicas == 3  # one per Node of the other file
    assert inventory.pods == 17 + 2 + 2 + 3 + 2
    assert (inventory.nodes, inventory.services, inventory.namespaces) == (3, 10, 11)
    assert inventory.sources == (str(STORE), str(CLUSTER))


def test_daemonset_status_wins():
    daemonset = {
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "tools"},
        "spec": {"template": {"spec": {"containers": [{"name": "agent"}]}}},
        "status": {"desiredNumberScheduled": 12},
    }
    assert only(read_inventory(daemonset)).replicas == 12


def test_typed_list_items_without_kind():
    pod_list = {
        "apiVersion": "v1",
        "kind": "PodList",
        "items": [{"metadata": {"name": "a", "namespace": "x"}, "spec": {"containers": [{"name": "linkerd-proxy"}]}}],
    }
    assert only(read_inventory(pod_list)).mode == "linkerd"


def test_annotations_alone_set_the_mode():
    def pod(annotations):
        return {
            "kind": "Pod",
            "metadata": {"name": "p", "annotations": annotations},
            "spec": {"containers": [{"name": "app"}]},
        }

    assert only(read_inventory(pod({"sidecar.istio.io/status": "{}"}))).mode == "istio-sidecar"
    assert only(read_inventory(pod({"linkerd.io/proxy-version": "stable-2.14"}))).mode == "linkerd"
    assert only(read_inventory(pod({"ambient.istio.io/redirection": "enabled"}))).mode == "istio-ambient"


# ---------------------------------------------------------------- sources


def test_sources_of_every_kind():
    text = CLUSTER.read_text()
    expected = read_inventory(CLUSTER).meshed_pods
    assert read_inventory(str(CLUSTER)).meshed_pods == expected
    assert read_inventory(io.StringIO(text)).meshed_pods == expected
    assert read_inventory(io.BytesIO(text.encode())).meshed_pods == expected
    assert read_inventory(json.loads(text)).meshed_pods == expected
    with STORE.open() as handle:
        assert read_inventory(handle).pods == 7


def test_json_without_json_suffix_and_yaml_stream(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(CLUSTER.read_text())
    assert read_inventory(path).pods == 17
    assert read_inventory(io.StringIO(STORE.read_text())).pods == 7


def test_bad_sources(tmp_path):
    with pytest.raises(DataFileError, match="nope.json: no such file"):
        read_inventory(tmp_path / "nope.json")
    with pytest.raises(InputTypeError, match="source: got 42"):
        read_inventory(42)
    with pytest.raises(InputTypeError, match="read_inventory for one"):
        read_inventories(str(CLUSTER))
    with pytest.raises(InputValueError, match="no sources"):
        read_inventories([])


# ---------------------------------------------------------------- malformed input


def test_malformed_json_names_file_and_line(tmp_path):
    path = tmp_path / "pods.json"
    path.write_text('{\n  "kind": "List",\n  "items": [\n    {"kind": "Pod",,}\n  ]\n}\n')
    with pytest.raises(DataFileError, match=r"pods\.json: line 4, column 20: malformed JSON"):
        read_inventory(path)


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "deploy.yaml"
    path.write_text("kind: Pod\nmetadata:\n  name: a\n---\nkind: Pod\nmetadata: [unclosed\n  name: b\n")
    with pytest.raises(DataFileError, match=r"deploy\.yaml: line \d+, column \d+: malformed YAML") as info:
        read_inventory(path)
    assert "line 1," not in str(info.value)


def test_python_tags_are_refused_not_run(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text(f"kind: Pod\nmetadata: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(DataFileError, match=r"evil\.yaml: line 2, column 11: .*python/object/apply:os\.system"):
        read_inventory(path)
    assert not marker.exists()


def test_missing_kind_and_non_mapping_documents(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("kind: Namespace\nmetadata: {name: a}\n---\nmetadata: {name: b}\n")
    with pytest.raises(DataFileError, match=r"m\.yaml: document 1: no 'kind' field"):
        read_inventory(path)
    path.write_text("kind: Namespace\nmetadata: {name: a}\n---\n- just\n- a list\n")
    with pytest.raises(
        DataFileError, match=r"m\.yaml: document 1: got \['just', 'a list'\]; expected a Kubernetes object"
    ):
        read_inventory(path)
    with pytest.raises(DataFileError, match=r"<dict>: document 0, items\[1\]: got 'oops'"):
        read_inventory({"kind": "List", "items": [{"kind": "Service", "metadata": {"name": "s"}}, "oops"]})


@pytest.mark.parametrize(
    ("obj", "where"),
    [
        (
            {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}},
            "document 0: spec.template is missing",
        ),
        (
            {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"metadata": {}}}},
            "spec.template.spec is missing",
        ),
        ({"kind": "Pod", "metadata": {"name": "p"}, "spec": {}}, "spec.containers is missing"),
        ({"kind": "Pod", "spec": {"containers": []}}, "metadata is missing"),
        ({"kind": "Pod", "metadata": {}, "spec": {"containers": []}}, "metadata.name is missing"),
        (
            {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"image": "x"}]}},
            r"spec.containers\[0\].name is missing",
        ),
        ({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": "app"}}, "spec.containers must be a list"),
        (
            {
                "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {"replicas": "two", "template": {"spec": {"containers": []}}},
            },
            "spec.replicas must be a whole number from 0 to 2,147,483,647",
        ),
        (
            {
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "100 m"}}}]},
            },
            r"spec.containers\[0\].resources.requests.cpu is not a valid quantity: got '100 m'; expected a Kubernetes quantity",
        ),
        (
            {
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {
                    "containers": [{"name": "a"}],
                    "initContainers": [{"name": "i", "resources": {"limits": {"memory": "-1Gi"}}}],
                },
            },
            r"spec.initContainers\[0\].resources.limits.memory is not a valid quantity: got '-1Gi'.*>= 0",
        ),
    ],
)
def test_missing_or_wrong_fields_name_the_path(obj, where):
    with pytest.raises(DataFileError, match=f"<dict>: {where}" if where.startswith("document") else where):
        read_inventory(obj)


def test_field_errors_in_a_list_name_the_item():
    listing = {
        "kind": "List",
        "items": [{"kind": "Node", "metadata": {"name": "n"}}, {"kind": "Pod", "metadata": {"name": "p"}}],
    }
    with pytest.raises(DataFileError, match=r"<dict>: document 0, items\[1\]: spec is missing"):
        read_inventory(listing)


def test_garbage_collector_state_is_restored(tmp_path):
    assert gc.isenabled()
    read_inventory(CLUSTER)
    assert gc.isenabled()
    with pytest.raises(DataFileError):
        read_inventory({"kind": "Pod"})
    assert gc.isenabled()
    gc.disable()
    try:
        read_inventory(CLUSTER)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


# ---------------------------------------------------------------- the benchmark script runs


def test_benchmark_runs(capsys):
    spec = importlib.util.spec_from_file_location(
        "bench_inventory", FIXTURES.parent.parent / "benchmarks" / "bench_inventory.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--pods", "300"])
    out = capsys.readouterr().out
    assert "ratio read_inventory / json.load" in out and "pods: 300" in out
