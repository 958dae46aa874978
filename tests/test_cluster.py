"""From a kubectl export to a per-mesh report."""

from __future__ import annotations

from pathlib import Path

import pytest

import meshcost

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_two_line_path_from_export_to_cost_report():
    inventory = meshcost.read_inventory(FIXTURES / "kubectl-cluster.json")
    r = meshcost.project(**inventory.project_inputs())
    assert r.inputs["nodes"] == inventory.nodes == 3
    assert r.inputs["sidecars"] == inventory.project_inputs()["sidecars"]
    assert r["istio-sidecar"].cost.typical.m_as("USD") > 0


def test_cluster_report_prices_the_mesh_in_use_with_its_real_requests():
    report = meshcost.cluster_report(FIXTURES / "kubectl-cluster.json")
    assert report.requests["istio-sidecar.sidecar"] == {"cpu": 0.1, "memory": 128.0}
    sidecars = report.projection.inputs["sidecars"]
    sidecar = report.projection["istio-sidecar"].components["sidecar"]
    assert sidecar.reserved_memory.typical.m_as("MiB") == pytest.approx(sidecars * 128.0)
    text = str(report)
    assert "This cluster today" in text and "Under each mesh" in text
    for mesh in meshcost.BUILTIN_MESHES:
        assert mesh in text


def test_manifests_without_nodes_need_the_node_count():
    path = FIXTURES / "manifests" / "istio-hello.yaml.injected"
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.cluster_report(path)
    assert "nodes" in str(info.value)
    report = meshcost.cluster_report(path, nodes=2)
    assert report.projection.inputs["sidecars"] == 7  # the Deployment's replicas


# ------------------------------------------------------------------ nodes as they are, and the command line

import json  # noqa: E402

from meshcost.cli import main  # noqa: E402
from meshcost.cluster import fleet_of  # noqa: E402
from meshcost.reference.nodes import node_shape  # noqa: E402
from meshcost.reference.prices import PriceSheet  # noqa: E402
from tests.io.test_kubectl_state import (ISTIO_TEMPLATE, deployment, export, namespace, node,  # noqa: E402
                                         pods_of, replica_set)


def _shop(*nodes: dict) -> dict:
    cart = deployment("cart", replicas=4)
    return export(list(nodes), namespace("shop", {"istio-injection": "enabled"}), cart, replica_set(cart, "a1b2c", 4),
                  pods_of(cart, "a1b2c", 4, injected=ISTIO_TEMPLATE), deployment("web", replicas=6))


def test_a_cluster_of_one_type_is_priced_and_packed_on_it():
    objects = _shop(*[node(f"n{i}", "m5.xlarge") for i in range(4)], node("cp", "m5.large", control_plane=True))
    report = meshcost.cluster_report(objects)
    assert report.projection.inputs["nodes"] == 4 and report.projection.inputs["sidecars"] == 10
    assert "4 x m5.xlarge" in report.pricing and "allocatable as the nodes report it" in report.pricing
    priced = meshcost.project(nodes=4, sidecars=10, services=None, node=node_shape("m5.xlarge"),
                              requests=report.requests or None)
    # Same type, same price: the cost differs from the sheet's default m5.xlarge only through the measured
    # allocatable (which changes packing, not the resource cost).
    assert report.projection["istio-sidecar"].cost.typical.m_as("USD") == pytest.approx(
        priced["istio-sidecar"].cost.typical.m_as("USD"))
    default = meshcost.project(nodes=4, sidecars=10)  # e2-standard-4 at E2 unit prices
    assert report.projection["linkerd"].cost.typical != default["linkerd"].cost.typical


def test_a_mixed_fleet_is_priced_on_its_average_node():
    small = [node(f"s{i}", "m5.xlarge") for i in range(3)]  # 4 vCPU, 16 GiB, 0.192 USD/h
    big = [node(f"b{i}", "m6i.2xlarge") for i in range(1)]  # 8 vCPU, 32 GiB, 0.384 USD/h
    inventory = meshcost.read_inventory(_shop(*small, *big))
    fleet = fleet_of(inventory)
    assert fleet.node.vcpu == pytest.approx(5.0) and fleet.node.memory_gib == pytest.approx(20.0)
    assert fleet.prices.price_per_hour == pytest.approx((3 * 0.192 + 0.384) / 4)
    assert fleet.prices.vcpu_price_per_hour * 5 + fleet.prices.gib_price_per_hour * 20 == pytest.approx(0.24)
    assert "3 x m5.xlarge + 1 x m6i.2xlarge" in fleet.basis
    report = meshcost.cluster_report(inventory)
    assert report.pricing == fleet.basis and "mixed fleet" in str(report)
    # The fleet's unit prices are the m5/m6i ones (the same $/vCPU and $/GiB), so a resource cost matches
    # the one-type price; the nodes billing uses the average node.
    one_type = meshcost.project(nodes=4, sidecars=10, services=None, node="m5.xlarge", requests=report.requests)
    assert report.projection["istio-sidecar"].cost.typical.m_as("USD") == pytest.approx(
        one_type["istio-sidecar"].cost.typical.m_as("USD"))


def test_unknown_types_and_given_prices():
    inventory = meshcost.read_inventory(_shop(node("a", "x9.mega"), node("b", None)))
    fleet = fleet_of(inventory)
    assert fleet.node is None and "x9.mega" in fleet.basis and "without a node.kubernetes.io/instance-type" in fleet.basis
    part = fleet_of(meshcost.read_inventory(_shop(node("a", "x9.mega"), node("c", "m5.xlarge"))))
    assert part.node.name == "m5.xlarge" and "priced as the known ones' average" in part.basis
    given = meshcost.cluster_report(inventory, prices="e2")
    assert given.pricing == "Priced on the prices given (e2)."
    assert isinstance(meshcost.cluster_report(inventory, prices=PriceSheet(price_per_hour=1.0, vcpu=4, memory_gib=16)),
                      meshcost.ClusterReport)


def test_the_notebook_view_escapes_what_the_cluster_names():
    report = meshcost.cluster_report(meshcost.read_inventory(_shop(node("a", "<script>x</script>"))))
    assert "<script>x</script>" in report.pricing
    page = report._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_the_report_shows_requests_as_text_not_dicts():
    text = str(meshcost.cluster_report(FIXTURES / "kubectl-cluster.json"))
    assert "{'cpu'" not in text and "100m CPU / 128 MiB" in text


def test_the_tables_say_what_was_counted():
    objects = _shop(node("a", "m5.xlarge"), node("cp", "m5.large", control_plane=True))
    finished = pods_of(deployment("batch", replicas=1), "f0f0f", 2)
    for item in finished:
        item["status"]["phase"] = "Succeeded"
    objects["items"].extend(finished)
    report = meshcost.cluster_report(objects)
    today = {row[0].text.strip(): row[1].text for row in report.tables()[0].rows}
    assert today["worker nodes"] == "1" and today["control-plane nodes (not counted)"] == "1"
    assert today["nodes by instance type"] == "m5.xlarge 1"
    assert today["istio-sidecar"] == "10 (6 by namespace or pod labels, not yet injected)"
    assert today["finished pods (not counted)"] == "Succeeded 2"
    assert today["controllers counted as their pods"] == "1"
    (proxies,) = report.tables()[1:]
    assert [c.text for c in proxies.rows[0]] == ["istio-sidecar", "4", "0.4 vCPU", "512 MiB", "0 / 0",
                                                 "100m CPU / 128 MiB"]
    data = report.to_dict()
    assert data["cluster"]["meshed_by_labels"] == {"istio-sidecar": 6}
    assert data["projection"]["schema"].startswith("meshcost.projection")
    html = report.to_html()
    assert "<h2>This cluster today</h2>" in html and "10 (6 by namespace or pod labels" in html


def test_manifests_scale_daemonsets_with_the_nodes_given():
    ds = {"kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "tools"},
          "spec": {"template": {"metadata": {"annotations": {"linkerd.io/inject": "enabled"}},
                                "spec": {"containers": [{"name": "agent"}]}}}}
    assert meshcost.read_inventory(ds).project_inputs(nodes=7)["sidecars"] == 7
    with pytest.raises(meshcost.InputValueError, match="nodes: got 2.5"):
        meshcost.read_inventory(ds).project_inputs(nodes=2.5)


def test_cli_cluster(tmp_path, capsys):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_shop(node("a", "m5.xlarge"), node("b", "m5.xlarge"))))
    assert main(["cluster", str(path), "--rps", "500"]) == 0
    out = capsys.readouterr().out
    assert "This cluster today" in out and "2 x m5.xlarge" in out and "Under each mesh" in out
    assert main(["cluster", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cluster"]["node_types"] == {"m5.xlarge": 2} and data["projection"]["inputs"]["sidecars"] == 10
    assert main(["cluster", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("scenario,")
    page = tmp_path / "cluster.html"
    assert main(["cluster", str(path), "--html", str(page)]) == 0
    assert "This cluster today" in page.read_text()
    manifests = FIXTURES / "store-manifests.yaml"
    assert main(["cluster", str(manifests)]) == 2
    assert "--nodes" in capsys.readouterr().err
    assert main(["cluster", str(manifests), "--nodes", "3", "--namespace", "store"]) == 0
    assert main(["cluster", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.json: no such file" in err


def test_the_shipped_example_is_what_its_generator_builds():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_example_cluster", FIXTURES / "make_example_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert meshcost.examples.path("cluster.json").read_text(encoding="utf-8") == module.text()


def test_the_example_export_reads_as_the_readme_says():
    inventory = meshcost.read_inventory(meshcost.examples.path("cluster.json"))
    assert inventory.meshed_pods == {"istio-sidecar": 15, "istio-ambient": 0, "linkerd": 0, "none": 13}
    assert inventory.meshed_by_labels == {"istio-sidecar": 4}
    assert inventory.node_types == {"m5.xlarge": 6, "m6i.2xlarge": 2} and inventory.control_plane_nodes == 1
    assert inventory.finished_pods == {"Succeeded": 1, "Failed": 1}
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for shown in (str(inventory.meshed_pods), str(inventory.meshed_by_labels), str(inventory.node_types)):
        assert shown in readme


def test_examples_names_and_unknown_name():
    assert "cluster.json" in meshcost.examples.names()
    with pytest.raises(meshcost.UnknownNameError, match="name: got 'nope.json'; expected one of the example files"):
        meshcost.examples.path("nope.json")
