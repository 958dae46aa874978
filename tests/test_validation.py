"""meshcost.validate(): the model against every published measurement that states its conditions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import meshcost
from meshcost import cli
from meshcost.reference.sources import all_sources
from meshcost.validation import (FIGURES, TOLERANCE, Check, _inside, _published, checks, validate,
                                 validation_headline, validation_summary)

README = Path(__file__).resolve().parent.parent / "README.md"

#: The share of checks inside the model's band may not fall below this (raise it as the model improves).
FLOOR = 0.94


@pytest.fixture(scope="module")
def frame():
    return validate()


def test_every_source_row_is_checked_or_explained(frame):
    assert set(frame["source_id"]) == set(all_sources())
    explained = frame[frame["status"] == "not modelled"]
    assert explained["note"].str.len().min() > 10  # every row not modelled says why
    checked = set(frame.loc[frame["status"] != "not modelled", "source_id"])
    assert not checked & set(explained["source_id"])  # a row is either checked or explained


def test_share_inside_the_band_does_not_fall_and_the_readme_says_it(frame):
    summary = validation_summary(frame)
    assert summary["share_inside"] >= FLOOR
    headline = validation_headline(summary)
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert headline in text, f"update the README's validation headline to: {headline}"


def test_columns_and_values_users_read(frame):
    assert list(frame.columns[:6]) == ["source_id", "status", "figure", "mesh", "component", "conditions"]
    row = frame[(frame["source_id"] == "F045")].iloc[0]  # Istio 1.20: 0.298 ms p99 per hop
    assert row["status"] == "inside" and row["published"] == "0.298 ms" and row["unit"] == "ms"
    assert row["model_typical"] == pytest.approx(0.298) and row["used_in_model"]
    ztunnel = frame[(frame["source_id"] == "F064")].iloc[0]  # 3 GB at 1M pods, converted once to MiB
    assert ztunnel["published_low"] == pytest.approx(3e9 / 2**20)
    assert ztunnel["model_low"] <= ztunnel["published_low"] <= ztunnel["model_high"]
    swapped = frame[frame["status"] != "not modelled"]
    assert (swapped["model_low"] <= swapped["model_typical"] + 1e-9).all()
    assert (swapped["model_typical"] <= swapped["model_high"] + 1e-9).all()


def test_outside_rows_are_really_outside(frame):
    for row in frame[frame["status"] == "outside"].to_dict("records"):
        low, high = row["published_low"], row["published_high"]
        assert high < row["model_low"] * (1 - TOLERANCE) or low > row["model_high"] * (1 + TOLERANCE) \
            or low != low or high != high


def test_every_check_names_a_known_figure_and_mesh():
    for check in checks():
        assert check.figure in FIGURES
        assert check.mesh.split("@")[0] in meshcost.BUILTIN_MESHES


def _check(**kw):
    base = dict(source="F045", figure="latency_p99", mesh="istio-sidecar", component="", conditions={}, options={},
                low=1.0, high=2.0, bound=False, unit="ms", published="")
    base.update(kw)
    return Check(**base)


def test_points_ranges_and_bounds():
    assert _inside(_check(low=1.0, high=2.0), 1.5, 3, 4)  # overlapping ranges
    assert not _inside(_check(low=1.0, high=2.0), 2.5, 3, 4)
    assert _inside(_check(low=2.0, high=2.0), 1.0, 1.5, 1.99)  # a rounded point within the tolerance
    assert _inside(_check(low=None, high=2.0, bound=True), 0.1, 1.9, 9)  # at most: the typical decides
    assert not _inside(_check(low=None, high=2.0, bound=True), 0.1, 2.5, 9)
    assert _inside(_check(low=100.0, high=None, bound=True), 1, 120, 200)


def test_published_values_convert_once_with_pint():
    low, high, bound, text = _published({"value": 50, "unit": "MB"}, "memory_per_instance", "x")
    assert low == high == pytest.approx(50e6 / 2**20) and not bound and text == "50 MB"
    low, high, bound, _ = _published({"at_least": 99, "unit": "percent"}, "data_plane_memory_saving", "x")
    assert low == pytest.approx(0.99) and high is None and bound
    for bad, match in (({"value": 1, "unit": "ms"}, "needs a unit of memory"),
                       ({"value": 1, "unit": "zorkmids"}, "cannot read"),
                       ({"value": 1}, "unit"),
                       ({"low": 3, "high": 2, "unit": "MB"}, "low 3.0 > high 2.0"),
                       ({"value": 1, "at_most": 2, "unit": "MB"}, "give 'value'")):
        with pytest.raises(meshcost.DataFileError, match=match):
            _published(bad, "memory_per_instance", "check[0]")


def test_command_line_prints_the_headline_and_the_outliers(frame, capsys):
    assert cli.main(["validate"]) == 0
    out = capsys.readouterr().out
    assert validation_headline(validation_summary(frame)) in " ".join(out.split())
    for source in frame.loc[frame["status"] == "outside", "source_id"]:
        assert re.search(rf"^{source}\s+outside", out, re.M)
    assert cli.main(["validate", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert csv.startswith("source_id,status,figure") and csv.count("\n") == len(frame) + 1
    assert cli.main(["validate", "--all"]) == 0
    assert "Not modelled:" in capsys.readouterr().out
