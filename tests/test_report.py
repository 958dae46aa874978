"""The shareable HTML report: self-contained, complete, written atomically, and rendered by a real browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import meshcost
from meshcost.cli import main
from meshcost.formatting import summary

COST_TITLE = "Cost [USD/month]: typical (low - high)"


@pytest.fixture(scope="module")
def projection():
    return meshcost.project(nodes=500, sidecars=5000, rps=20_000, waypoints=10)


@pytest.fixture(scope="module")
def page(projection):
    pytest.importorskip("matplotlib")
    return projection.to_html()


def test_report_is_one_self_contained_page(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    lowered = page.lower()
    for needle in ("<script", "<link", "<iframe", "@import", " src=", " href="):
        assert needle not in lowered, needle
    assert not re.search(r"url\((?!#)", page)  # only the SVGs' own clip paths
    assert page.count("<svg") == 4  # cost, memory, CPU, latency along a call chain


def test_report_holds_every_section(page, projection):
    for heading in ("The comparison, on both cost bases", "Plots", "Memory, CPU and latency",
                    "What dominates each total", "Flags", "Sources"):
        assert f"<h2>{heading}</h2>" in page
    s = summary(projection)
    cost = s.table(COST_TITLE)
    block = page.split(COST_TITLE, 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<th [^>]*>(.*?)</th>", block) == list(cost.header)
    for row in cost.rows:
        for cell in row:
            assert cell.text.split(" (")[0].replace("'", "&#x27;") in block
    assert "none set (&#x27;default&#x27; chart)" in block
    for line in s.flags:
        assert line.replace("'", "&#x27;") in page
    for source in projection["linkerd"].sources()[:5]:
        assert f"<b>{source}</b></td>" in page
    assert "assumption" in page.split("What dominates each total", 1)[1]


def test_report_for_a_sweep_plots_against_the_varying_input():
    pytest.importorskip("matplotlib")
    page = meshcost.project(nodes=[50, 100, 200, 400], sidecars=2000).to_html()
    assert page.count("<svg") == 4
    assert "What dominates each total" not in page  # per-scenario breakdowns are for one scenario


def test_to_html_writes_the_file_and_keeps_an_old_one_on_failure(tmp_path, projection, monkeypatch):
    pytest.importorskip("matplotlib")
    target = tmp_path / "report.html"
    assert projection.to_html(target, title="Our cluster") is None
    text = target.read_text(encoding="utf-8")
    assert "<title>Our cluster</title>" in text
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    import meshcost.report as report

    def broken(projection, title):
        raise meshcost.InputValueError("title: got a failure; expected none")

    monkeypatch.setattr(report, "report_html", broken)
    with pytest.raises(meshcost.InputValueError):
        projection.to_html(target)
    assert target.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_report_on_the_command_line(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "out.html"
    assert main(["report", "--nodes", "50", "--sidecars", "600", "--install", "linkerd=ha", "--billing", "nodes",
                 "--html", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Billed by nodes" in text and "&#x27;ha&#x27; chart" in text
    assert main(["report", "--nodes", "20", "--sidecars", "100"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert main(["report", "--html", str(tmp_path / "missing" / "r.html")]) == 2
    assert "--html: cannot write the report" in capsys.readouterr().err


# --------------------------------------------------------------------------- in a real browser


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("MESHCOST_REQUIRE_BROWSER"):
        pytest.fail("MESHCOST_REQUIRE_BROWSER is set but no Chromium is installed")
    pytest.skip("no headless Chromium here (.ci/run installs Debian's chromium)")


def _run_chromium(path: Path) -> tuple[str, list[str]]:
    """(the DOM after loading, the page's console messages)."""
    done = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,900",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={path.parent / 'chromium-profile'}", "--dump-dom",
         path.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


_CHECK = """<script>
(function () {
  var out = {tables: [], svgs: [], errors: []};
  window.addEventListener("error", function (e) { out.errors.push(String(e.message)); });
  document.querySelectorAll("table").forEach(function (t) {
    var r = t.getBoundingClientRect();
    out.tables.push({rows: t.rows.length, width: r.width, height: r.height,
                     text: t.rows[0] ? t.rows[0].innerText : ""});
  });
  document.querySelectorAll("svg").forEach(function (s) {
    var r = s.getBoundingClientRect();
    out.svgs.push({width: r.width, height: r.height, shapes: s.querySelectorAll("path, use, rect").length});
  });
  console.log("MESHCOST-CHECK " + JSON.stringify(out));
})();
</script>"""


def test_chromium_renders_the_report_without_console_errors(page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    dom, console = _run_chromium(path)
    assert console == [], console  # the page itself logs nothing: no errors, no scripts
    assert dom.count("<svg") == 4 and "cost as installed" in dom

    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    _, console = _run_chromium(probe)
    found = [line for line in console if "MESHCOST-CHECK" in line]
    assert len(found) == 1, console
    payload = found[0].split("MESHCOST-CHECK ", 1)[1]
    measured = json.loads(payload[: payload.rindex("}") + 1])
    assert measured["errors"] == []
    cost = next(t for t in measured["tables"] if "cost as installed" in t["text"])
    assert cost["rows"] == 1 + 3 and cost["width"] > 300 and cost["height"] > 40
    assert len(measured["svgs"]) == 4
    for svg in measured["svgs"]:
        assert svg["width"] > 200 and svg["height"] > 120 and svg["shapes"] > 20, svg
