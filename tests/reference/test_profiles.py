"""Shipped coefficient data: provenance, validation on load, and round trips."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import meshcost
from meshcost.reference.profiles import BASES, builtin_profiles, load_profile, profile_from_dict
from meshcost.reference.sources import all_sources

DATA = Path(__file__).resolve().parents[2] / "meshcost" / "data"


def test_every_builtin_coefficient_has_provenance():
    for profile in builtin_profiles().values():
        assert profile.data_version
        for component, resource, driver, coef in profile.coefficients():
            where = f"{profile.name}.{component}.{resource}.{driver}"
            assert coef.basis in BASES, where
            assert coef.sources, where
            for source in coef.sources:
                assert source in all_sources(), (where, source)
            if coef.basis in ("assumption", "derived"):
                assert len(coef.note) > 40, f"{where}: give the reason"


def test_published_figures_keep_source_version_and_conditions():
    sources = all_sources()
    assert len(sources) >= 102
    for source in sources.values():
        assert source.title and source.location and source.version, source.id
        assert source.unit or source.value, source.id


def test_units_are_converted_once_with_pint():
    sidecar = meshcost.get_profile("istio-sidecar").component("sidecar")
    base = sidecar.memory[0].coefficient
    assert base.unit == "MB"
    assert base.values[1] == pytest.approx(60e6 / 2**20)  # 60 MB is 57.22 MiB, not 60
    cluster = sidecar.memory[1].coefficient
    assert cluster.unit == "B" and cluster.values[0] == pytest.approx(24000 / 2**20)  # bytes, not kB


def test_profiles_round_trip_through_toml(tmp_path):
    for profile in builtin_profiles().values():
        path = meshcost.save_profile(profile, tmp_path / f"{profile.name}.toml")
        assert load_profile(path) == profile


def base_document():
    with (DATA / "profiles" / "linkerd.toml").open("rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d["component"][0]["memory"][0].pop("unit"), ["component[0] ('proxy') memory[0]", "'unit'", "missing"]),
        (lambda d: d["component"][0]["memory"][0].update(unit="seconds"), ["memory[0]", "'unit'", "memory"]),
        (lambda d: d["component"][0]["memory"][0].update(unit="furlongs per zorp"), ["'unit'", "pint"]),
        (lambda d: d["component"][0]["memory"][0].update(low=99), ["low/typical/high", "low <= typical <= high"]),
        (lambda d: d["component"][0]["memory"][0].update(typical="big"), ["'typical'", "a number"]),
        (lambda d: d["component"][0]["memory"][0].update(high=-1.0), ["'high'", ">= 0"]),
        (lambda d: d["component"][0]["memory"][0].update(sources=["F999"]), ["F999", "source tables"]),
        (lambda d: d["component"][0]["memory"][0].update(basis="vibes"), ["'basis'", "measured"]),
        (lambda d: d["component"][0]["memory"][0].update(driver="per_moon"), ["'driver'", "visible_service"]),
        (lambda d: d["component"][0].update(instances="many"), ["'instances'", "sidecars"]),
        (lambda d: d["component"][0].update(colour="red"), ["unknown field", "colour"]),
        (lambda d: d["component"][1].update(latency_p50=d["component"][0]["latency_p50"]), ["latency_p99", "both"]),
        (lambda d: d.pop("mesh"), ["[mesh]", "missing"]),
        (lambda d: d.update(component=[]), ["component"]),
        (lambda d: d["component"][0]["cpu"][1].pop("per_rps"), ["cpu[1]", "'per_rps'"]),
    ],
)
def test_bad_profile_data_names_file_entry_and_field(mutate, words):
    document = base_document()
    mutate(document)
    with pytest.raises(meshcost.DataFileError) as info:
        profile_from_dict(document, origin="linkerd.toml")
    message = str(info.value)
    assert message.startswith("linkerd.toml")
    for word in words:
        assert word in message, (word, message)


def test_bad_toml_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[mesh\nname = 'x'\n")
    with pytest.raises(meshcost.DataFileError) as info:
        load_profile(path)
    assert "broken.toml" in str(info.value) and "TOML" in str(info.value)
    with pytest.raises(meshcost.DataFileError) as info:
        load_profile(tmp_path / "missing.toml")
    assert "missing.toml" in str(info.value)


def test_bad_published_figures_file(tmp_path):
    from meshcost.reference.sources import _read

    path = tmp_path / "figures.csv"
    text = (DATA / "published-figures.csv").read_text()
    lines = text.splitlines()
    lines.append(lines[1])  # repeat the first id
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(meshcost.DataFileError) as info:
        _read(path)
    assert re.search(r"figures\.csv, line \d+: field 'id' repeats 'F001'", str(info.value))


def test_with_coefficient_marks_an_override():
    profile = meshcost.get_profile("linkerd").with_coefficient("proxy", "memory", "instance", (1, 2, 3), "MiB")
    coef = profile.component("proxy").memory[0].coefficient
    assert coef.values == (1.0, 2.0, 3.0) and coef.basis == "assumption"
    with pytest.raises(meshcost.UnknownNameError):
        profile.with_coefficient("proxy", "memory", "visible_service", (1, 2, 3), "MiB")
