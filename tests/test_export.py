"""meshcost.export (dict / JSON schema) and meshcost.formatting_html (HTML for Jupyter)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import meshcost
import meshcost.results
import meshcost.scenario
from meshcost.formatting_html import format_html as projection_html
from meshcost.export import SCHEMA, projection_to_dict, projection_to_json


def _strict_loads(text: str):
    def refuse(token: str):
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def _assert_band(entry: dict, band, unit: str) -> None:
    assert entry["unit"] == unit
    for key, magnitude in zip(("low", "typical", "high"), band.magnitudes()):
        np.testing.assert_array_equal(np.asarray(entry[key], dtype=float), np.asarray(magnitude, dtype=float))


@pytest.fixture(scope="module")
def scalar():
    return meshcost.project(nodes=500, sidecars=5000, rps=20_000)


def test_schema_header(scalar):
    d = scalar.to_dict()
    assert d["schema"] == SCHEMA == "meshcost.projection/1"
    assert d["meshcost_version"] == meshcost.__version__
    assert d["shape"] == []
    assert list(d["meshes"]) == list(scalar.meshes)
    assert d["percentiles"] == []
    assert d["non_finite"] == {}
    assert set(d["inputs"]) == set(meshcost.scenario.INPUT_DOCS) == set(d["input_units"])
    assert d["inputs"]["nodes"] == 500.0 and d["inputs"]["services"] == 500.0


def test_json_round_trip_equals_projection(scalar):
    d = _strict_loads(scalar.to_json())
    assert d == projection_to_dict(scalar)
    for result in scalar:
        mesh = d["meshes"][result.name]
        assert mesh["title"] == result.title
        assert mesh["version"] == result.profile.version
        assert mesh["data_version"] == result.profile.data_version
        assert mesh["sources"] == result.sources()
        for figure, unit in (("memory", "MiB"), ("cpu", "vCPU"), ("latency_p50", "ms"), ("latency_p99", "ms")):
            _assert_band(mesh[figure], getattr(result, figure), unit)
        assert list(mesh["components"]) == list(result.components)
        for name, comp in result.components.items():
            entry = mesh["components"][name]
            assert entry["instances"] == float(comp.instances)
            _assert_band(entry["memory"], comp.memory, "MiB")
            _assert_band(entry["cpu"], comp.cpu, "vCPU")
            assert ("latency_p99" in entry) == (comp.latency_p99 is not None)
            if comp.latency_p99 is not None:
                _assert_band(entry["latency_p99"], comp.latency_p99, "ms")


def test_money_figures_when_present(scalar):
    d = scalar.to_dict()
    for result in scalar:
        mesh = d["meshes"][result.name]
        if not hasattr(result, "cost"):
            pytest.skip("this build has no money figures")
        _assert_band(mesh["cost"], result.cost, f"{scalar.cost_settings.currency}/month")
        _assert_band(mesh["reserved_memory"], result.reserved_memory, "MiB")
        _assert_band(mesh["reserved_cpu"], result.reserved_cpu, "vCPU")
        for name, comp in result.components.items():
            _assert_band(mesh["components"][name]["cost"], comp.cost, f"{scalar.cost_settings.currency}/month")


def test_array_projection_nested_lists():
    nodes = np.array([[10, 20, 30], [40, 50, 60]])
    r = meshcost.project(nodes=nodes, sidecars=nodes * 10)
    d = _strict_loads(r.to_json())
    assert d["shape"] == [2, 3]
    assert np.asarray(d["inputs"]["nodes"]).shape == (2, 3)
    np.testing.assert_array_equal(d["inputs"]["sidecars"], nodes * 10)
    for result in r:
        _assert_band(d["meshes"][result.name]["memory"], result.memory, "MiB")
        comp = next(iter(result.components.values()))
        assert np.asarray(d["meshes"][result.name]["components"][comp.name]["instances"]).shape == (2, 3)


def test_monte_carlo_percentiles_exported():
    r = meshcost.project(nodes=50, sidecars=500, samples=500, seed=3)
    d = _strict_loads(r.to_json())
    assert d["percentiles"] == [5.0, 50.0, 95.0]
    for result in r:
        entry = d["meshes"][result.name]["memory"]
        assert entry["p5"] == float(result.memory.p5.magnitude)
        assert entry["p50"] == float(result.memory.p50.magnitude)
        assert entry["p95"] == float(result.memory.p95.magnitude)
        # components carry no Monte Carlo bands
        comp = next(iter(d["meshes"][result.name]["components"].values()))
        assert "p5" not in comp["memory"]


def test_infinite_latency_is_null_with_pointer():
    r = meshcost.project(nodes=[2, 3], sidecars=10, rps=1e6)  # every proxy past saturation
    text = r.to_json()
    assert "Infinity" not in text and "NaN" not in text
    d = _strict_loads(text)
    entry = d["meshes"]["linkerd"]["latency_p99"]
    assert entry["typical"] == [None, None]
    assert d["non_finite"]["/meshes/linkerd/latency_p99/typical"] == ["inf"]
    assert d["non_finite"]["/meshes/linkerd/components/proxy/latency_p99/high"] == ["inf"]
    # finite figures stay numbers
    assert all(isinstance(v, float) for v in d["meshes"]["linkerd"]["memory"]["typical"])
    # every pointer resolves to a figure holding null
    for pointer in d["non_finite"]:
        node = d
        for part in pointer.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert None in (node if isinstance(node, list) else [node])


def test_pointer_escapes_names():
    profile = meshcost.get_profile("linkerd").renamed("team/a~b")
    r = meshcost.project(nodes=1, sidecars=10, rps=1e6, meshes=[profile])
    d = r.to_dict()
    assert "/meshes/team~1a~0b/latency_p99/typical" in d["non_finite"]


def test_json_kwargs_and_hook(scalar):
    assert scalar.to_json(indent=2) == projection_to_json(scalar, indent=2)
    assert "\n  " in scalar.to_json(indent=2)
    assert json.loads(scalar.to_json(sort_keys=True)) == scalar.to_dict()


# --------------------------------------------------------------------------- HTML


def test_html_scalar_contains_each_mesh(scalar):
    text = scalar._repr_html_()
    assert text == projection_html(scalar)
    assert text.startswith('<div class="meshcost-projection">') and text.endswith("</div>")
    for result in scalar:
        assert f"<b>{result.name}</b>" in text
        for comp in result.components:
            assert f">{comp}</span>" in text
    big = meshcost.project(nodes=500, sidecars=5000)
    from meshcost.formatting import format_memory
    assert format_memory(big["istio-sidecar"].memory.typical.m_as("MiB")) in big._repr_html_()
    assert "<script" not in text and "<link" not in text and "stylesheet" not in text
    assert "<details>" in text and "p99 per hop [ms]" in text


def test_html_escapes_names():
    evil = meshcost.get_profile("linkerd").renamed('<script>alert("x")</script>')
    text = meshcost.project(nodes=5, sidecars=50, meshes=[evil])._repr_html_()
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_html_array_summary():
    n = np.array([10, 100, 1000])
    r = meshcost.project(nodes=n, sidecars=n * 10)
    text = r._repr_html_()
    assert "3 scenarios" in text and "(3,)" in text
    for result in r:
        assert f"<b>{result.name}</b>" in text
    assert "<details>" not in text


def test_html_monte_carlo_and_saturation():
    text = meshcost.project(nodes=50, sidecars=500, samples=200, seed=1)._repr_html_()
    assert "p5-p95" in text
    text = meshcost.project(nodes=50, sidecars=500, samples=200, seed=1, percentiles=(2.5, 97.5))._repr_html_()
    assert "p2.5-p97.5" in text
    d = meshcost.project(nodes=50, sidecars=500, samples=200, seed=1, percentiles=(2.5, 97.5)).to_dict()
    assert d["percentiles"] == [2.5, 97.5] and "p2.5" in d["meshes"]["linkerd"]["memory"]
    text = meshcost.project(nodes=2, sidecars=10, rps=1e6)._repr_html_()
    assert "inf (saturated)" in text
