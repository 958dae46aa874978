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
