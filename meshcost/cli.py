"""Command-line interface: ``meshcost`` / ``python -m meshcost``.

Subcommands (``meshcost SUBCOMMAND --help`` for each):

- ``project``: one scenario, as a table (default), CSV (``Projection.to_frame``) or JSON
  (``Projection.to_json``, schema ``meshcost.projection/1``). ``meshcost`` with no
  arguments is ``meshcost project`` on 500 nodes and 5,000 meshed pods.
- ``sweep``: a grid of scenarios (ranges ``start:stop:step``, stop included, or comma
  lists) written as CSV in chunks of bounded memory, with a progress bar on stderr when
  it is a terminal.
- ``cluster``: a real cluster from ``kubectl get ... -o json`` exports or YAML manifests:
  this cluster today and under each mesh, priced on the nodes' own instance types.
- ``versions``: the data vintages shipped per mesh.
- ``sources``: the published figures behind each coefficient.

Exit status: 0 on success, 2 on a bad argument or an input the library refuses (one line
``meshcost: error: ...`` on stderr, no traceback), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import IO, Any, Callable, Sequence

import numpy as np

from .errors import MeshcostError
from .figures import INPUTS, figures

__all__ = ["main", "build_parser", "parse_values", "DEFAULT_CHUNK_SCENARIOS"]

#: Scenarios per chunk in ``meshcost sweep``: one chunk's frame (8 rows per scenario with the
#: built-in meshes, 38 columns) and its CSV text take about 100 MiB; the process peaks near
#: 350 MiB whatever the sweep's size. Progress is reported after each chunk.
DEFAULT_CHUNK_SCENARIOS = 10_000
#: Most values one sweep input may take (a mistyped step would otherwise allocate gigabytes).
MAX_VALUES_PER_INPUT = 10_000_000

_MAIN_EPILOG = """\
examples:
  meshcost                                    the 500-node / 5,000-pod comparison (= meshcost project)
  meshcost project --nodes 200 --sidecars 3000 --rps 20000
  meshcost project --nodes 200 --sidecars 3000 --mesh linkerd --mesh istio-sidecar@1.20
  meshcost project --nodes 200 --sidecars 3000 --format json > projection.json
  meshcost report --nodes 200 --sidecars 3000 --html report.html
  meshcost sweep --nodes 10:5000:10 --sidecars-per-node 10 --output sweep.csv
  meshcost versions istio-sidecar
  meshcost sources --mesh linkerd --format csv > linkerd-sources.csv

Units: memory in MiB (2^20 bytes), CPU in vCPU, latency in ms added per
service-to-service hop, cost per month in the price sheet's currency. Every figure is
a range (low / typical / high) traced to a published measurement: see 'meshcost sources'.
"""

_REPORT_EPILOG = """\
examples:
  meshcost report --html report.html                      500 nodes, 5,000 meshed pods
  meshcost report --nodes 200 --sidecars 3000 --rps 20000 --install linkerd=ha --html shop.html
  meshcost report --nodes 200 --sidecars 3000 --billing nodes > report.html

One self-contained page (no network, no scripts): the comparison on both cost bases,
plots (inline SVG; they need matplotlib, pip install 'meshcost[plot]'), memory, CPU and
latency with their bands, the components, what dominates each total, the flags and the
published sources. The file is replaced only when the page is complete.
"""

_CLUSTER_EPILOG = """\
examples:
  kubectl get nodes,namespaces,all -A -o json > cluster.json
  meshcost cluster cluster.json                            this cluster today and under each mesh
  meshcost cluster cluster.json --rps 20000 --html cluster.html
  meshcost cluster bookinfo.yaml namespace.yaml --nodes 20 --namespace bookinfo
  meshcost cluster cluster.json --format json > cluster-report.json

Pods are counted as they run (a controller's template only when its pods are not in the
files); pods without a proxy count under the mesh their namespace or pod labels would inject
(istio-injection, istio.io/rev, istio.io/dataplane-mode, linkerd.io/inject); finished pods
and control-plane nodes are not counted. Nodes are priced on their instance-type labels when
the price sheet knows them (--node / --prices replace that). Manifests hold no Nodes: give
--nodes. --format csv writes the projection (Projection.to_frame); json adds the cluster.
"""

_PROJECT_EPILOG = """\
examples:
  meshcost project                                         500 nodes, 5,000 meshed pods
  meshcost project --nodes 50 --sidecars 800 --services 60 --rps 5000
  meshcost project --nodes 50 --sidecars 800 --waypoints 4 --l7-share 0.5
  meshcost project --nodes 50 --sidecars 800 --version istio-sidecar=1.20
  meshcost project --nodes 50 --sidecars 800 --format csv > components.csv

--format table prints the comparison; csv writes one row per mesh x component
(the columns of meshcost.results.FRAME_COLUMNS); json writes the meshcost.projection/1
document (Monte Carlo p5/p50/p95 included with --samples).
"""

_SWEEP_EPILOG = """\
examples:
  meshcost sweep --nodes 10:5000:10 --sidecars-per-node 10 --output sweep.csv
  meshcost sweep --nodes 100,500,1000 --sidecars 1000:20000:1000 --rps 0,10000 -o grid.csv
  meshcost sweep --nodes 500 --sidecars 5000 --visible-services 10:500:10 --totals -o scoping.csv

Values: a number, start:stop:step (stop included when it falls on the grid;
start:stop steps by 1), or a comma list of those. Every input given more than one
value is an axis of the grid: the sweep runs every combination (the CSV's
'scenario' column is the flat index, last input varying fastest; rows are ordered by
scenario, then mesh and component). The CSV is written
in chunks of --chunk-size scenarios, so memory stays bounded; a progress bar goes to
stderr when it is a terminal.
"""

_VERSIONS_EPILOG = """\
examples:
  meshcost versions
  meshcost versions istio-sidecar

Pin a vintage with 'meshcost project --mesh istio-sidecar@1.20' or
'--version istio-sidecar=1.20' (a release the vintage covers works too).
"""

_VALIDATE_EPILOG = """\
examples:
  meshcost validate
  meshcost validate --all
  meshcost validate --format csv > validation.csv

Each check runs the model at a published measurement's conditions (data/validation.toml)
and asks whether the published figure falls inside the model's low - high band.
"""

_SOURCES_EPILOG = """\
examples:
  meshcost sources
  meshcost sources --mesh istio-ambient
  meshcost sources --mesh istio-sidecar@1.16 --format csv > istio-1.16-sources.csv

The table shows one row per coefficient and source; --format csv adds the notes
(the reason behind derived figures and assumptions) and the test conditions.
"""


class _UsageError(Exception):
    """A bad command line; reported as one line and exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse without the usage dump: errors become :class:`_UsageError`."""

    def error(self, message: str) -> Any:
        raise _UsageError(message)


# --------------------------------------------------------------------------- value parsing


def _number(text: str) -> float:
    """One finite number (``500``, ``2.5e3``, ``5_000``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a number such as 500 or 2.5e3") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a finite number")
    return value


def _range(text: str) -> np.ndarray:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise argparse.ArgumentTypeError(f"got {text!r}; expected start:stop or start:stop:step, e.g. 10:5000:10")
    start, stop = _number(parts[0]), _number(parts[1])
    step = _number(parts[2]) if len(parts) == 3 else 1.0
    if step <= 0:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a step > 0")
    if stop < start:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected stop >= start")
    count = math.floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1
    if count > MAX_VALUES_PER_INPUT:
        raise argparse.ArgumentTypeError(f"got {text!r} ({count:,} values); expected at most "
                                         f"{MAX_VALUES_PER_INPUT:,} values per input")
    return start + step * np.arange(count, dtype=np.float64)


def parse_values(text: str) -> np.ndarray:
    """Parse a sweep value: a number, ``start:stop[:step]`` (stop included), or a comma list.

    Parameters
    ----------
    text : str
        E.g. ``"500"``, ``"10:5000:10"``, ``"100,500,1000"``, ``"0,1000:5000:1000"``.

    Returns
    -------
    ndarray
        The values, in the order written (1-d float64).
    """
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"got {text!r}; expected numbers or ranges separated by commas")
    arrays = [_range(item) if ":" in item else np.array([_number(item)]) for item in items]
    values = np.concatenate(arrays)
    if values.size > MAX_VALUES_PER_INPUT:
        raise argparse.ArgumentTypeError(f"got {values.size:,} values; expected at most "
                                         f"{MAX_VALUES_PER_INPUT:,} per input")
    return values


def _mesh_version(text: str) -> tuple[str, str]:
    mesh, sep, version = text.partition("=")
    if not sep or not mesh.strip() or not version.strip():
        raise argparse.ArgumentTypeError(f"got {text!r}; expected MESH=VERSION, e.g. istio-sidecar=1.20")
    return mesh.strip(), version.strip()


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number >= 1")
    return value


def _names(text: str) -> list[str]:
    """A comma-separated list of names (checked against the registry by the command)."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected comma-separated figure names, e.g. memory,cost")
    return names


# --------------------------------------------------------------------------- parser


def _add_mesh_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("meshes and data vintages")
    group.add_argument("--mesh", action="append", metavar="NAME[@VERSION]", dest="meshes",
                       help="mesh to project (repeatable): istio-sidecar, istio-ambient, linkerd, optionally "
                            "pinned to a data vintage (istio-sidecar@1.20); default all three")
    group.add_argument("--version", action="append", type=_mesh_version, metavar="MESH=VERSION", dest="versions",
                       help="data vintage for one mesh (repeatable), e.g. istio-sidecar=1.20; "
                            "'meshcost versions' lists them; default the newest")


def _add_money_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("nodes and money")
    group.add_argument("--node", default=None, metavar="TYPE",
                       help="node type for allocatable capacity and extra nodes, e.g. m5.xlarge, "
                            "Standard_D4s_v5 (default e2-standard-4 on GKE)")
    group.add_argument("--prices", default=None, metavar="SHEET",
                       help="prices: a machine type or provider from the shipped sheet, e2/n2 unit prices, "
                            "or a CSV file in the shape of meshcost/data/prices.csv (default: the node's)")
    group.add_argument("--billing", choices=("resources", "nodes"), default="resources",
                       help="cost of the billable CPU and memory at unit prices (resources), or of whole extra "
                            "nodes at the node price (nodes); default resources")
    group.add_argument("--hours-per-month", type=float, default=None, metavar="H",
                       help="hours in a billed month (default the price sheet's, 730 = 8760 / 12; GCE uses 720)")
    group.add_argument("--install", action="append", type=_mesh_version, metavar="MESH=PROFILE", dest="install",
                       help="install profile whose requests are reserved (repeatable), e.g. linkerd=ha, "
                            "istio-sidecar=demo (default: default)")
    group.add_argument("--sizing", choices=("chart", "usage"), default="chart",
                       help="requests from the install profile (chart) or right-sized to usage (usage)")
    group.add_argument("--skew", type=float, default=1.0, metavar="X",
                       help="busiest instance's CPU over the average, for --sizing usage [1 to 1e10] (default 1)")


def _add_scenario_options(parser: argparse.ArgumentParser, value: Callable[[str], Any], sweep: bool,
                          skip: tuple[str, ...] = ()) -> None:
    """One option per scenario input of the registry (:data:`meshcost.figures.INPUTS`), but ``skip``."""
    group = parser.add_argument_group("scenario" + (" (each a number, range or list)" if sweep else ""))
    defaults = {} if sweep else {"nodes": 500.0, "sidecars": 5000.0}
    for spec in INPUTS:
        if spec.name in skip:
            continue
        metavar = "VALUES" if sweep else {"rate": "RATE", "fraction": "SHARE"}.get(spec.kind, "N")
        if spec.name in defaults:
            note = f" (default {defaults[spec.name]:,.0f})"
        elif spec.default == "required":
            note = " (required)" if spec.name == "nodes" else " (this or --sidecars-per-node is required)"
        else:
            note = f" (default {spec.default})"
        target: Any = group
        if sweep and spec.name == "sidecars":
            target = group.add_mutually_exclusive_group()
            target.add_argument("--sidecars-per-node", type=value, default=None, metavar=metavar,
                                help="meshed pods per node: sidecars = nodes x this (must give whole numbers)")
        target.add_argument(spec.option, type=value, default=defaults.get(spec.name), metavar=metavar,
                            dest=spec.name, help=f"{spec.doc} [{spec.unit}]{note}")


def _add_sampling_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("uncertainty (Monte Carlo over the coefficient ranges)")
    group.add_argument("--samples", type=_whole, default=None, metavar="N",
                       help="Monte Carlo samples; adds p5 / p50 / p95 (json output, sweep --totals)")
    group.add_argument("--seed", type=int, default=None, metavar="S",
                       help="random seed; the same seed gives identical results")


def build_parser() -> argparse.ArgumentParser:
    """The ``meshcost`` argument parser (subcommands project, report, sweep, versions, sources, validate)."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="meshcost",
        description="Project the memory, CPU, latency and money a Kubernetes service mesh (Istio sidecar, "
                    "Istio ambient, Linkerd) adds to a cluster, before the cluster exists.",
        epilog=_MAIN_EPILOG, formatter_class=formatter, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands",
                                     parser_class=_Parser, required=True)

    project = commands.add_parser(
        "project", help="project one scenario (the default command)", epilog=_PROJECT_EPILOG,
        formatter_class=formatter, allow_abbrev=False,
        description="Project what each mesh adds to one cluster scenario: memory, CPU, latency per hop "
                    "(and cost), as typical (low - high).")
    _add_scenario_options(project, _number, sweep=False)
    _add_mesh_options(project)
    _add_money_options(project)
    _add_sampling_options(project)
    project.add_argument("--format", choices=("table", "csv", "json"), default="table",
                         help="output format (default table)")
    project.set_defaults(func=_cmd_project)

    report = commands.add_parser(
        "report", help="write a shareable HTML report of one scenario", epilog=_REPORT_EPILOG,
        formatter_class=formatter, allow_abbrev=False,
        description="Write one self-contained HTML page comparing the meshes for one cluster scenario.")
    _add_scenario_options(report, _number, sweep=False)
    _add_mesh_options(report)
    _add_money_options(report)
    _add_sampling_options(report)
    report.add_argument("--html", default="-", metavar="FILE",
                        help="the page to write (default '-', standard output)")
    report.add_argument("--title", default="meshcost report", help="the page's title")
    report.set_defaults(func=_cmd_report)

    cluster = commands.add_parser(
        "cluster", help="a real cluster from kubectl exports or manifests, today and under each mesh",
        epilog=_CLUSTER_EPILOG, formatter_class=formatter, allow_abbrev=False,
        description="Read kubectl JSON exports or YAML manifests and show this cluster today and what each "
                    "mesh would add to it, priced on the nodes' own instance types.")
    cluster.add_argument("files", nargs="+", metavar="FILE",
                         help="kubectl get ... -o json / -o yaml output or manifests; several files are one cluster")
    inventory = cluster.add_argument_group("the cluster")
    inventory.add_argument("--nodes", type=_whole, default=None, metavar="N",
                           help="worker nodes, when the files hold no Node objects (manifests)")
    inventory.add_argument("--namespace", default="default", metavar="NS",
                           help="namespace of objects that name none (default 'default', as kubectl apply)")
    _add_scenario_options(cluster, _number, sweep=False, skip=("nodes", "sidecars", "services"))
    _add_mesh_options(cluster)
    _add_money_options(cluster)
    _add_sampling_options(cluster)
    shown = cluster.add_argument_group("output")
    shown.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="output format (default table)")
    shown.add_argument("--html", default=None, metavar="FILE",
                       help="write a self-contained HTML page instead ('-' for standard output)")
    shown.add_argument("--title", default="meshcost cluster report", help="the HTML page's title")
    cluster.set_defaults(func=_cmd_cluster)

    sweep = commands.add_parser(
        "sweep", help="project a grid of scenarios to CSV or Parquet", epilog=_SWEEP_EPILOG, formatter_class=formatter,
        allow_abbrev=False,
        description="Project every combination of the given input values and write the results as CSV "
                    "(or Parquet).")
    _add_scenario_options(sweep, parse_values, sweep=True)
    _add_mesh_options(sweep)
    _add_money_options(sweep)
    _add_sampling_options(sweep)
    out = sweep.add_argument_group("output")
    out.add_argument("--output", "-o", default="-", metavar="FILE",
                     help="file to write (default '-', standard output); replaced only when the sweep succeeds")
    out.add_argument("--format", choices=("csv", "parquet"), default=None,
                     help="file format (default: parquet for FILE.parquet or FILE.pq, else csv; "
                          "parquet needs pyarrow and a file)")
    out.add_argument("--totals", action="store_true",
                     help="one row per scenario x mesh (Projection.mesh_frame, with Monte Carlo percentiles) "
                          "instead of one per scenario x mesh x component (Projection.to_frame)")
    out.add_argument("--figures", type=_names, default=None, metavar="NAMES",
                     help="only these figures' columns, comma-separated (e.g. memory,cost; of "
                          f"{','.join(f.name for f in figures('component'))}; with --totals also "
                          f"{','.join(f.name for f in figures('mesh') if 'component' not in f.levels)})")
    out.add_argument("--chunk-size", type=_whole, default=DEFAULT_CHUNK_SCENARIOS, metavar="N",
                     help=f"scenarios per chunk (default {DEFAULT_CHUNK_SCENARIOS:,}); bounds memory")
    sweep.set_defaults(func=_cmd_sweep)

    versions = commands.add_parser(
        "versions", help="list the data vintages shipped per mesh", epilog=_VERSIONS_EPILOG,
        formatter_class=formatter, allow_abbrev=False,
        description="List the data vintages (sets of published figures) shipped for each mesh and the "
                    "releases each covers.")
    versions.add_argument("mesh", nargs="?", default=None, metavar="MESH",
                          help="one mesh (default all built-in meshes)")
    versions.set_defaults(func=_cmd_versions)

    sources = commands.add_parser(
        "sources", help="show the published figures behind each coefficient", epilog=_SOURCES_EPILOG,
        formatter_class=formatter, allow_abbrev=False,
        description="Show which published measurement or default produced each coefficient.")
    _add_mesh_options(sources)
    sources.add_argument("--format", choices=("table", "csv"), default="table",
                         help="output format (default table)")
    sources.set_defaults(func=_cmd_sources)

    validate = commands.add_parser(
        "validate", help="compare the model with every published measurement that states its conditions",
        epilog=_VALIDATE_EPILOG, formatter_class=formatter, allow_abbrev=False,
        description="Run the model at the conditions of every published measurement in the shipped data "
                    "and show whether each falls inside the model's low - high band.")
    validate.add_argument("--all", action="store_true",
                          help="list every check and the rows not modelled (default: the headline and the "
                               "checks outside the band)")
    validate.add_argument("--format", choices=("table", "csv"), default="table",
                          help="output format (default table)")
    validate.set_defaults(func=_cmd_validate)
    return parser


# --------------------------------------------------------------------------- commands


def _mesh_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    versions = dict(args.versions) if args.versions else None
    kwargs: dict[str, Any] = {"meshes": args.meshes, "versions": versions}
    if getattr(args, "sizing", None) is not None:
        kwargs.update(install=dict(args.install) if args.install else None, sizing=args.sizing, skew=args.skew,
                      prices=args.prices, billing=args.billing, hours_per_month=args.hours_per_month)
        if args.node is not None:
            kwargs["node"] = args.node
    return kwargs


#: Scenario inputs with a default: every input of the registry but nodes and sidecars.
_OPTIONAL_INPUTS = tuple(i.name for i in INPUTS if i.name not in ("nodes", "sidecars"))


def _scenario_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    names = _OPTIONAL_INPUTS
    kwargs: dict[str, Any] = {"nodes": args.nodes, "sidecars": args.sidecars}
    kwargs.update({name: getattr(args, name) for name in names if getattr(args, name) is not None})
    return kwargs


def _cmd_project(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .projection import project
    from .sweeps import write_csv

    result = project(**_scenario_kwargs(args), **_mesh_kwargs(args), samples=args.samples, seed=args.seed)
    if args.format == "csv":
        write_csv(result.to_frame(), out)
    elif args.format == "json":
        out.write(result.to_json(indent=2) + "\n")
    else:
        out.write(str(result) + "\n")
    return 0


def _cmd_report(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .projection import project
    from .report import report_html, write_report

    result = project(**_scenario_kwargs(args), **_mesh_kwargs(args), samples=args.samples, seed=args.seed)
    if args.html == "-":
        out.write(report_html(result, args.title))
    else:
        write_report(result, args.html, args.title)
    return 0


def _cmd_cluster(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .cluster import cluster_report
    from .report import write_report
    from .sweeps import write_csv

    scenario = {name: getattr(args, name) for name in _OPTIONAL_INPUTS
                if name != "services" and getattr(args, name, None) is not None}
    report = cluster_report(args.files, nodes=args.nodes, namespace=args.namespace, **scenario,
                            **_mesh_kwargs(args), samples=args.samples, seed=args.seed)
    if args.html is not None:
        page = report.to_html(args.title)
        if args.html == "-":
            out.write(page)
        else:
            write_report(report.projection, args.html, args.title, page=page)
    elif args.format == "csv":
        write_csv(report.projection.to_frame(), out)
    elif args.format == "json":
        out.write(report.to_json(indent=2) + "\n")
    else:
        out.write(str(report) + "\n")
    return 0


class _Progress:
    """A one-line progress bar, redrawn in place with carriage returns."""

    def __init__(self, total: int, stream: IO[str], label: str = "meshcost sweep", width: int = 30) -> None:
        self.total = max(int(total), 1)
        self.stream = stream
        self.label = label
        self.width = width
        self.start = time.monotonic()
        self.last = -math.inf
        self.drawn = False

    def update(self, done: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.total:
            return
        self.last = now
        share = min(max(done / self.total, 0.0), 1.0)
        filled = round(share * self.width)
        elapsed = now - self.start
        eta = f", {elapsed * (1 - share) / share:,.0f} s left" if 0 < share < 1 and elapsed > 1 else ""
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%} "
                          f"{int(done):,}/{self.total:,} scenarios{eta}   ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _cmd_sweep(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .sweeps import sweep

    if args.nodes is None:
        raise _UsageError("the following arguments are required: --nodes")
    if args.sidecars is None and args.sidecars_per_node is None:
        raise _UsageError("one of the arguments --sidecars --sidecars-per-node is required")
    inputs = {name: getattr(args, name) for name in ("nodes", "sidecars", *_OPTIONAL_INPUTS)
              if getattr(args, name) is not None}
    if args.output == "-" and args.format == "parquet":
        raise _UsageError("argument --format: parquet needs a file (--output FILE.parquet)")
    total = int(np.prod([np.size(v) for v in (*inputs.values(), args.sidecars_per_node) if v is not None]))
    bar = _Progress(total, err) if _is_tty(err) and (total > args.chunk_size or args.samples is not None) else None
    try:
        sweep(**inputs, sidecars_per_node=args.sidecars_per_node, **_mesh_kwargs(args), samples=args.samples,
              seed=args.seed, totals=args.totals, figures=args.figures, chunk_size=args.chunk_size,
              output=out if args.output == "-" else args.output, format=args.format,
              progress=None if bar is None else (lambda done, of: bar.update(done)))
    finally:
        if bar is not None:
            bar.close()
    return 0


def _text_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    from .formatting import Cell, Table, text_table

    return text_table(Table("", tuple(header), tuple(tuple(Cell(str(c)) for c in row) for row in rows)))


def _cmd_versions(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from . import __version__
    from .reference.profiles import BUILTIN_MESHES, get_profile, versions

    meshes = [args.mesh] if args.mesh else list(BUILTIN_MESHES)
    rows = []
    for mesh in meshes:
        table = versions(mesh)
        default = get_profile(mesh).version
        for label, covers in table.items():
            rows.append([mesh, label, "*" if label == default else "",
                         ", ".join(covers) if covers else "(one set of figures; not tied to releases)"])
    out.write(f"meshcost {__version__}: data vintages (* = used by default)\n\n")
    out.write(_text_table(["mesh", "vintage", "default", "covers releases"], rows) + "\n")
    return 0


def _cmd_sources(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .projection import project

    frame = project(nodes=1, sidecars=1, **_mesh_kwargs(args)).sources()
    if args.format == "csv":
        frame.to_csv(out, index=False)
        return 0

    def short(text: Any, limit: int = 70) -> str:
        text = " ".join(str(text).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    columns = ["mesh", "version", "component", "resource", "driver", "low", "typical", "high", "unit", "basis",
               "source_id", "source"]
    rows = [[short(row[c]) if c == "source" else (f"{row[c]:g}" if isinstance(row[c], float) else str(row[c]))
             for c in columns] for row in frame.to_dict("records")]
    out.write(_text_table(columns, rows) + "\n")
    out.write("\nFull notes and test conditions: meshcost sources --format csv\n")
    return 0


def _cmd_validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .validation import validate, validation_headline, validation_summary

    frame = validate()
    if args.format == "csv":
        frame.to_csv(out, index=False)
        return 0
    out.write(validation_headline(validation_summary(frame)) + "\n\n")
    shown = frame if args.all else frame[frame["status"] == "outside"]
    checked = shown[shown["status"] != "not modelled"]

    def number(value: Any) -> str:
        return "" if value != value else f"{value:.4g}"  # NaN -> empty

    rows = [[r["source_id"], r["status"], r["figure"], r["mesh"], r["component"], r["published"],
             number(r["model_low"]), number(r["model_typical"]), number(r["model_high"]), r["unit"],
             "yes" if r["used_in_model"] else ""]
            for r in checked.to_dict("records")]
    if rows:
        out.write(("Checks:" if args.all else "Outside the band:") + "\n")
        out.write(_text_table(["source", "status", "figure", "mesh", "component", "published", "model low",
                               "typical", "high", "unit", "calibration"], rows) + "\n")
    if args.all:
        rest = shown[shown["status"] == "not modelled"]
        out.write("\nNot modelled:\n")
        out.write(_text_table(["source", "why"], [[r["source_id"], r["note"]] for r in rest.to_dict("records")])
                  + "\n")
    out.write("\nConditions, notes and sources: meshcost validate --format csv\n")
    return 0


# --------------------------------------------------------------------------- entry point


_COMMANDS = ("project", "report", "cluster", "sweep", "versions", "sources", "validate")

#: Library parameter names -> the option that sets them, for error messages.
_OPTION_OF = {
    **{i.name: i.option for i in INPUTS},
    "meshes": "--mesh", "versions": "--version", "samples": "--samples", "seed": "--seed", "output": "--output",
    "sidecars_per_node": "--sidecars-per-node", "chunk_size": "--chunk-size", "node": "--node",
    "prices": "--prices", "install": "--install", "sizing": "--sizing", "skew": "--skew", "billing": "--billing",
    "hours_per_month": "--hours-per-month", "path": "--html", "namespace": "--namespace", "source": "FILE",
    "sources": "FILE",
}


def _one_line(message: Any) -> str:
    return " ".join(str(message).split())


def _library_message(exc: MeshcostError) -> str:
    """The library's message, its parameter named by the CLI option that sets it."""
    text = _one_line(exc)
    name = exc.parameter
    if name in _OPTION_OF and text.startswith(f"{name}:"):
        return f"{_OPTION_OF[name]}:{text[len(name) + 1:]}"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``. No arguments means
        ``project`` with its defaults; arguments starting with an option (``--nodes 50``)
        are taken as ``project`` options.

    Returns
    -------
    int
        0 on success, 2 on a bad argument or an input meshcost refuses, 130 if interrupted.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments:
        arguments = ["project"]
    elif arguments[0].startswith("-") and arguments[0] not in ("-h", "--help"):
        arguments = ["project", *arguments]
    out, err = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(arguments)
        return int(args.func(args, out, err))
    except _UsageError as exc:
        command = f"meshcost {arguments[0]}" if arguments[0] in _COMMANDS else "meshcost"
        print(f"meshcost: error: {_one_line(exc)} (see '{command} --help')", file=err)
        return 2
    except MeshcostError as exc:
        print(f"meshcost: error: {_library_message(exc)}", file=err)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        print("\nmeshcost: interrupted", file=err)
        return 130
    except BrokenPipeError:  # e.g. `meshcost sweep ... | head`: stop quietly
        try:  # the recipe of Python's signal docs: send the flush at exit to devnull
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a file descriptor
            pass
        return 0
    except OSError as exc:  # writing the output failed (a full disk, a closed stream)
        print(f"meshcost: error: cannot write the output ({_one_line(exc.strerror or exc)})", file=err)
        return 2
    except MemoryError:
        print("meshcost: error: out of memory; project fewer scenarios at once (meshcost sweep --chunk-size) "
              "or fewer Monte Carlo samples", file=err)
        return 2
