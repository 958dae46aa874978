"""The command line: same numbers as the library, one-line errors with exit status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import meshcost
from meshcost import cli

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def by_scenario(frame: pd.DataFrame) -> pd.DataFrame:
    """The library's frame (mesh-major) in the sweep file's order: scenario, then mesh and component."""
    return frame.sort_values("scenario", kind="stable").reset_index(drop=True)


def assert_frames_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in expected.columns:
        if expected[column].dtype.kind in "fi":
            np.testing.assert_array_equal(got[column].to_numpy(float), expected[column].to_numpy(float), err_msg=column)
        else:
            assert got[column].astype(str).tolist() == expected[column].astype(str).tolist(), column


# --------------------------------------------------------------------------- project


def test_project_table_equals_library(capsys):
    code, out, err = run(capsys, "project", "--nodes", "120", "--sidecars", "2400", "--rps", "30000")
    assert code == 0 and err == ""
    assert out == str(meshcost.project(nodes=120, sidecars=2400, rps=30000)) + "\n"


def test_project_csv_equals_library(capsys):
    code, out, err = run(capsys, "project", "--nodes", "50", "--sidecars", "800", "--services", "60",
                         "--visible-services", "20", "--rps", "5000", "--waypoints", "4", "--l7-share", "0.5",
                         "--format", "csv")
    assert code == 0 and err == ""
    expected = meshcost.project(nodes=50, sidecars=800, services=60, visible_services=20, rps=5000, waypoints=4,
                                l7_share=0.5).to_frame()
    assert_frames_equal(read_csv(out), expected)


def test_project_json_equals_library(capsys):
    code, out, _ = run(capsys, "project", "--nodes", "50", "--sidecars", "800", "--format", "json")
    assert code == 0
    got = json.loads(out)
    expected = meshcost.project(nodes=50, sidecars=800)
    assert got == expected.to_dict()
    for result in expected:
        assert got["meshes"][result.name]["memory"]["typical"] == float(result.memory.typical.magnitude)
        assert got["meshes"][result.name]["cpu"]["high"] == float(result.cpu.high.magnitude)


def test_project_meshes_and_versions(capsys):
    code, out, _ = run(capsys, "project", "--nodes", "50", "--sidecars", "800", "--mesh", "istio-sidecar@1.20",
                       "--mesh", "linkerd", "--format", "json")
    assert code == 0
    expected = meshcost.project(nodes=50, sidecars=800, meshes=["istio-sidecar@1.20", "linkerd"])
    assert json.loads(out) == expected.to_dict()
    assert list(json.loads(out)["meshes"]) == ["istio-sidecar@1.20", "linkerd"]

    code, out, _ = run(capsys, "project", "--nodes", "50", "--sidecars", "800", "--version", "istio-sidecar=1.16",
                       "--format", "json")
    assert code == 0
    expected = meshcost.project(nodes=50, sidecars=800, versions={"istio-sidecar": "1.16"})
    assert json.loads(out) == expected.to_dict()
    assert json.loads(out)["meshes"]["istio-sidecar"]["version"] == "1.16"


def test_project_monte_carlo_json(capsys):
    code, out, _ = run(capsys, "project", "--nodes", "50", "--sidecars", "800", "--samples", "300", "--seed", "7",
                       "--format", "json")
    assert code == 0
    expected = meshcost.project(nodes=50, sidecars=800, samples=300, seed=7)
    assert json.loads(out) == expected.to_dict()
    assert json.loads(out)["meshes"]["linkerd"]["memory"]["p95"] == float(expected["linkerd"].memory.p95.magnitude)


def test_no_arguments_is_the_default_comparison(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    assert out == str(meshcost.project(nodes=500, sidecars=5000)) + "\n"
    # options without a command are project options (the original CLI's form)
    code, out, _ = run(capsys, "--nodes", "20", "--sidecars", "100")
    assert code == 0 and out == str(meshcost.project(nodes=20, sidecars=100)) + "\n"


def test_python_dash_m_meshcost():
    done = subprocess.run([sys.executable, "-m", "meshcost"], capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == str(meshcost.project(nodes=500, sidecars=5000)) + "\n"
    assert "istio-sidecar" in done.stdout and "500 nodes, 5,000 meshed pods" in done.stdout


def test_python_dash_m_bad_argument_no_traceback():
    done = subprocess.run([sys.executable, "-m", "meshcost", "project", "--nodes", "0"], capture_output=True,
                          text=True, cwd=REPO, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("meshcost: error: --nodes:")
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("argv, fragment", [
    (["project", "--nodes", "abc"], "argument --nodes"),
    (["project", "--nodes", "inf"], "finite"),
    (["project", "--nodes", "12.5"], "--nodes: got 12.5"),
    (["project", "--nodes", "-3"], "--nodes"),
    (["project", "--sidecars", "10", "--nodes", "5", "--visible-services", "100"], "--visible-services"),
    (["project", "--mesh", "consul"], "'consul' is not a known mesh"),
    (["project", "--version", "linkerd"], "MESH=VERSION"),
    (["project", "--version", "istio-sidecar=0.1"], "no shipped figures"),
    (["project", "--version", "linkerd=x", "--mesh", "istio-sidecar"], "--version"),
    (["project", "--format", "xml"], "invalid choice"),
    (["project", "--samples", "0"], "--samples"),
    (["project", "--sidec", "5"], "unrecognized arguments"),
    (["bogus"], "invalid choice"),
    (["sweep", "--sidecars", "5"], "--nodes"),
    (["sweep", "--nodes", "5"], "--sidecars"),
    (["sweep", "--nodes", "5:1"], "stop >= start"),
    (["sweep", "--nodes", "1:10:0", "--sidecars", "5"], "step > 0"),
    (["sweep", "--nodes", "1:1e9:0.5", "--sidecars", "5"], "at most"),
    (["sweep", "--nodes", "1,,2", "--sidecars", "5"], "commas"),
    (["sweep", "--nodes", "3", "--sidecars-per-node", "2.5"], "--sidecars-per-node"),
    (["sweep", "--nodes", "3", "--sidecars", "5", "--sidecars-per-node", "2"], "not allowed with"),
    (["versions", "consul"], "consul"),
    (["sources", "--mesh", "consul"], "consul"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("meshcost: error: ")
    assert fragment in err
    assert "Traceback" not in err


def test_bad_output_path(capsys, tmp_path):
    code, _, err = run(capsys, "sweep", "--nodes", "5", "--sidecars", "5", "-o", str(tmp_path / "no" / "x.csv"))
    assert code == 2 and err.startswith("meshcost: error: --output:") and err.count("\n") == 1


def test_refused_sweep_leaves_no_file(capsys, tmp_path):
    target = tmp_path / "x.csv"
    code, _, _ = run(capsys, "sweep", "--nodes", "0", "--sidecars", "5", "-o", str(target))
    assert code == 2 and not target.exists()


def test_help_has_examples(capsys):
    for argv in (["--help"], ["project", "--help"], ["sweep", "--help"], ["versions", "--help"], ["sources", "-h"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert "examples:" in out and "meshcost" in out


# --------------------------------------------------------------------------- sweep


def test_parse_values():
    np.testing.assert_array_equal(cli.parse_values("10:50:10"), [10, 20, 30, 40, 50])
    np.testing.assert_array_equal(cli.parse_values("10:55:10"), [10, 20, 30, 40, 50])
    np.testing.assert_array_equal(cli.parse_values("1:3"), [1, 2, 3])
    np.testing.assert_array_equal(cli.parse_values("0:1:0.1"), np.arange(11) * 0.1)
    assert len(cli.parse_values("0:1:0.1")) == 11
    np.testing.assert_array_equal(cli.parse_values("5"), [5])
    np.testing.assert_array_equal(cli.parse_values("100, 500,1000:3000:1000"), [100, 500, 1000, 2000, 3000])
    assert len(cli.parse_values("10:5000:10")) == 500


def test_sweep_rows_and_numbers(capsys, tmp_path):
    target = tmp_path / "sweep.csv"
    code, out, err = run(capsys, "sweep", "--nodes", "10:200:10", "--sidecars-per-node", "10", "-o", str(target))
    assert code == 0 and out == "" and err == ""
    frame = pd.read_csv(target)
    nodes = np.arange(10, 201, 10)
    expected = by_scenario(meshcost.project(nodes=nodes, sidecars=nodes * 10).to_frame())
    components = sum(len(r.components) for r in meshcost.project(nodes=1, sidecars=1))
    assert len(frame) == len(nodes) * components == len(expected)
    assert sorted(frame["scenario"].unique()) == list(range(len(nodes)))
    assert_frames_equal(frame, expected)


def test_sweep_to_parquet(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    target = tmp_path / "sweep.parquet"
    code, out, err = run(capsys, "sweep", "--nodes", "10,20,30", "--sidecars", "100", "--totals", "-o", str(target),
                         "--chunk-size", "2")
    assert code == 0 and out == "" and err == ""
    frame = pd.read_parquet(target)
    pd.testing.assert_frame_equal(frame, meshcost.sweep(nodes=[10, 20, 30], sidecars=100, totals=True))
    code, out, err = run(capsys, "sweep", "--nodes", "10", "--sidecars", "100", "--format", "parquet")
    assert code == 2 and "parquet needs a file" in err


def test_sweep_grid_chunked_equals_unchunked(capsys, tmp_path):
    argv = ["sweep", "--nodes", "10,100,1000", "--sidecars", "100:1000:100", "--rps", "0,50000"]
    code, whole, _ = run(capsys, *argv)
    assert code == 0
    code, chunked, _ = run(capsys, *argv, "--chunk-size", "7")
    assert code == 0
    assert whole == chunked
    frame = read_csv(whole)
    assert frame["scenario"].nunique() == 3 * 10 * 2
    # grid order: last input varies fastest, as numpy's C order
    n, s, r = np.meshgrid([10, 100, 1000], np.arange(100, 1001, 100), [0, 50000], indexing="ij")
    expected = by_scenario(meshcost.project(nodes=n.ravel(), sidecars=s.ravel(), rps=r.ravel()).to_frame())
    assert_frames_equal(frame, expected)


def test_sweep_totals_monte_carlo_chunks_share_samples(capsys):
    argv = ["sweep", "--nodes", "1:30", "--sidecars-per-node", "5", "--samples", "200", "--seed", "11", "--totals"]
    code, whole, _ = run(capsys, *argv)
    code2, chunked, _ = run(capsys, *argv, "--chunk-size", "4")
    assert code == code2 == 0
    assert whole == chunked
    nodes = np.arange(1, 31)
    expected = by_scenario(meshcost.project(nodes=nodes, sidecars=nodes * 5, samples=200, seed=11).mesh_frame())
    assert_frames_equal(read_csv(whole), expected)
    assert "memory_p95 [MiB]" in read_csv(whole).columns


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, tmp_path):
    argv = ["sweep", "--nodes", "1:100", "--sidecars-per-node", "3", "--chunk-size", "25", "-o", str(tmp_path / "a.csv")]
    code, _, err = run(capsys, *argv)
    assert code == 0 and err == ""  # captured stderr is not a terminal
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(argv) == 0
    text = terminal.getvalue()
    assert "\r" in text and "100.0% 100/100 scenarios" in text and text.endswith("\n")
    assert len(pd.read_csv(tmp_path / "a.csv")) == 100 * 8


# --------------------------------------------------------------------------- versions, sources


def test_versions(capsys):
    code, out, _ = run(capsys, "versions")
    assert code == 0
    for mesh in meshcost.BUILTIN_MESHES:
        for label in meshcost.versions(mesh):
            assert any(line.split()[:2] == [mesh, label] for line in out.splitlines()), (mesh, label)
    code, out, _ = run(capsys, "versions", "istio-sidecar")
    assert code == 0 and "linkerd" not in out and "1.5, 1.6, 1.7" in out


def test_sources_csv_equals_library(capsys):
    code, out, _ = run(capsys, "sources", "--mesh", "linkerd", "--format", "csv")
    assert code == 0
    expected = meshcost.project(nodes=1, sidecars=1, meshes=["linkerd"]).sources()
    got = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected)
    assert got["source_id"].astype(str).tolist() == expected["source_id"].astype(str).tolist()
    np.testing.assert_array_equal(got["typical"].to_numpy(float), expected["typical"].to_numpy(float))


def test_sources_table(capsys):
    code, out, _ = run(capsys, "sources", "--mesh", "istio-ambient")
    assert code == 0
    assert "ztunnel" in out and "source_id" in out and "linkerd" not in out


def test_money_options_match_the_library():
    import contextlib

    from meshcost.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["project", "--nodes", "100", "--sidecars", "1000", "--node", "m5.xlarge",
                     "--install", "linkerd=ha", "--format", "json"])
    assert code == 0
    data = json.loads(out.getvalue())
    expected = meshcost.project(nodes=100, sidecars=1000, node="m5.xlarge", install={"linkerd": "ha"})
    assert data["meshes"]["linkerd"]["cost"]["typical"] == pytest.approx(expected["linkerd"].cost.typical.m_as("USD"))
