"""Plots of projections and of latency models (matplotlib, the optional extra ``meshcost[plot]``).

Every function takes ``ax=None`` (a new figure is made when None) and returns the
matplotlib Axes it drew on. matplotlib is imported on first use only; without it a
:class:`MissingDependencyError` says how to install it.

- :func:`plot_overhead`: a figure (memory, CPU, latency, cost, ...) of a 1-d sweep against
  one scenario input, per mesh, with the low - high range shaded (and the Monte Carlo
  p5 - p95 band when ``project(samples=...)`` ran).
- :func:`plot_components`: one stacked bar per mesh, split by component, for one scenario.
- :func:`plot_costs`: each mesh's monthly cost as installed beside its right-sized cost.
- :func:`plot_latency_vs_load`: latency added per hop against the requests per second
  through each proxy, with each mesh's saturation point (:mod:`meshcost.latency`).
- :func:`plot_latency_vs_hops`: p99 of a request crossing 1..N hops, composed
  (Fenton-Wilkinson) against the naive sum of per-hop p99s.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np

from .errors import InputTypeError, InputValueError, MissingDependencyError, UnknownNameError, describe_value
from .figures import INPUTS, Figure, figures
from .formatting import format_number

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .reference.profiles import MeshProfile
    from .results import Projection

__all__ = [
    "MissingDependencyError",
    "OVERHEAD_FIGURES",
    "COMPONENT_FIGURES",
    "plot_overhead",
    "plot_components",
    "plot_costs",
    "plot_latency_vs_load",
    "plot_latency_vs_hops",
]


def _axis(fig: Figure) -> tuple[str, str, float]:
    """(axis label, unit label, divisor from meshcost's unit) of a figure as plotted."""
    if fig.kind == "memory":
        return fig.label, "GiB", 1024.0
    if fig.kind == "fraction":
        return fig.label, "%", 0.01
    return fig.label, fig.unit, 1.0


#: Figures :func:`plot_overhead` can draw: name -> (axis label, unit label, divisor from
#: meshcost's unit), from the registry.
OVERHEAD_FIGURES: dict[str, tuple[str, str, float]] = {f.name: _axis(f) for f in figures("mesh")}

#: Figures :func:`plot_components` can split by component (the registry's component figures).
COMPONENT_FIGURES: tuple[str, ...] = tuple(f.name for f in figures("component"))

_INPUT_LABELS: dict[str, str] = {i.name: i.label + (f" [{i.unit}]" if i.unit not in ("count", "fraction") else "")
                                 for i in INPUTS}

_MESH_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
#: One colour per component, the same in every plot (other names get one from a stable hash).
_COMPONENT_COLORS = {"sidecar": "#4c72b0", "proxy": "#4c72b0", "ztunnel": "#55a868", "istio-cni": "#8172b3",
                     "waypoint": "#dd8452", "istiod": "#c44e52", "control-plane": "#c44e52",
                     "istio-telemetry": "#937860"}
_SPARE_COLORS = ("#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd", "#937860", "#8172b3")


def _component_color(name: str) -> str:
    return _COMPONENT_COLORS.get(name) or _SPARE_COLORS[zlib.crc32(name.encode("utf-8")) % len(_SPARE_COLORS)]


def _pyplot() -> Any:
    """matplotlib.pyplot, or a MissingDependencyError naming the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependencyError(
            "matplotlib: not installed (import failed: " f"{exc}); meshcost's plots need it: "
            "pip install 'meshcost[plot]' (or pip install matplotlib)", name="matplotlib") from None
    return plt


def _axes(ax: Any) -> Any:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    return ax


def _check_figure(figure: Any, accepted: Iterable[str]) -> str:
    accepted = list(accepted)
    if not isinstance(figure, str) or figure not in accepted:
        raise UnknownNameError(f"figure: got {describe_value(figure)}; expected one of {accepted}")
    return figure


def _finite(values: Any) -> np.ndarray:
    """Float array with non-finite values as NaN (matplotlib leaves gaps there)."""
    array = np.array(values, dtype=np.float64)
    array[~np.isfinite(array)] = np.nan
    return array


def _sentence(label: str) -> str:
    """Capitalise a label for a title, leaving quantile names (p50, p99) as they are."""
    return label if label[:1] == "p" and label[1:2].isdigit() else label[:1].upper() + label[1:]


def _mesh_color(index: int) -> str:
    return _MESH_COLORS[index % len(_MESH_COLORS)]


def _range_legend(ax: Any, percentiles: str = "", alpha: float = 0.18) -> None:
    """Add grey legend entries for the shaded low - high range (and the percentile band, if named)."""
    from matplotlib.patches import Patch

    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="0.5", alpha=alpha, label="low – high"))
    if percentiles:
        handles.append(Patch(facecolor="0.5", alpha=0.4, label=percentiles))
    ax.legend(handles=handles, fontsize="small")


# --------------------------------------------------------------------------- overhead sweep


def plot_overhead(projection: "Projection", x: str = "nodes", figure: str = "memory", ax: Any = None) -> "Axes":
    """Plot one figure of a 1-d sweep against a scenario input, one line per mesh.

    Parameters
    ----------
    projection : Projection
        A sweep: ``project(nodes=np.arange(10, 5001, 10), sidecars=...)``, with exactly one
        axis of more than one scenario.
    x : str
        The scenario input on the x axis: ``nodes``, ``sidecars``, ``services``,
        ``visible_services``, ``rps``, ``waypoints`` or ``l7_share``. It must vary.
    figure : str
        One of :data:`OVERHEAD_FIGURES`: ``memory`` [GiB], ``cpu`` [vCPU], ``latency_p50`` /
        ``latency_p99`` [ms per hop], and the money figures ``reserved_memory``,
        ``reserved_cpu``, ``billable_memory``, ``billable_cpu``, ``cost`` [currency/month],
        ``extra_nodes``, ``capacity_share`` [%].
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib Axes
        Typical value as a line; low - high shaded lightly; the outer Monte Carlo
        percentiles (p5 - p95 by default) shaded darker when present. Latency figures use a
        log scale; infinite values (saturated proxies) leave gaps.
    """
    figure = _check_figure(figure, OVERHEAD_FIGURES)
    if not isinstance(x, str) or x not in _INPUT_LABELS:
        raise UnknownNameError(f"x: got {describe_value(x)}; expected one of {list(_INPUT_LABELS)}")
    shape = projection.shape
    if int(np.prod(shape, dtype=np.int64)) < 2 or sum(n > 1 for n in shape) != 1:
        raise InputValueError(f"projection: got shape {shape}; expected a 1-d sweep (exactly one axis longer "
                              "than 1), e.g. project(nodes=np.arange(10, 5001, 10), sidecars=...)")
    inputs = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in projection.inputs.items()}
    xs = inputs[x]
    if np.all(xs == xs[0]):
        varying = [k for k, v in inputs.items() if not np.all(v == v[0])]
        raise InputValueError(f"x: {x!r} is {xs[0]:g} in every scenario; expected an input that varies "
                              f"(here: {varying})")
    order = np.argsort(xs, kind="stable")
    xs = xs[order]
    label, unit, divisor = OVERHEAD_FIGURES[figure]
    unit = unit.format(currency=projection.cost_settings.currency)
    ax = _axes(ax)
    any_percentiles = ""
    for index, result in enumerate(projection):
        band = getattr(result, figure)
        low, typical, high = (_finite(np.ravel(a))[order] / divisor for a in band.magnitudes())
        color = _mesh_color(index)
        ax.fill_between(xs, low, high, color=color, alpha=0.18, linewidth=0)
        table = getattr(band, "percentiles", None) or {}
        if len(table) >= 2:  # the outer Monte Carlo percentiles (p5 - p95 by default)
            lo, hi = min(table), max(table)
            any_percentiles = f"Monte Carlo p{lo:g} – p{hi:g}"
            ax.fill_between(xs, _finite(np.ravel(table[lo].magnitude))[order] / divisor,
                            _finite(np.ravel(table[hi].magnitude))[order] / divisor, color=color, alpha=0.4,
                            linewidth=0)
        ax.plot(xs, typical, color=color, linewidth=1.8, label=f"{result.name} (typical)")
    ax.set_xlabel(_INPUT_LABELS[x])
    ax.set_ylabel(f"{label} [{unit}]")
    ax.set_title(f"{_sentence(label)}, by {_INPUT_LABELS[x].split(' [')[0]}")
    if figure.startswith("latency"):
        ax.set_yscale("log")  # from tenths of a ms to the knee of saturation
    else:
        ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    _range_legend(ax, any_percentiles)
    return ax


# --------------------------------------------------------------------------- components


def _scenario_index(scenario: Any, shape: tuple[int, ...]) -> int:
    size = int(np.prod(shape, dtype=np.int64))
    if isinstance(scenario, (bool, np.bool_)) or not isinstance(scenario, (int, np.integer)):
        raise InputTypeError(f"scenario: got {describe_value(scenario)}; expected a whole number "
                             f"(flat index from 0 to {size - 1})")
    if not 0 <= int(scenario) < size:
        raise InputValueError(f"scenario: got {scenario}; expected a flat index from 0 to {size - 1}")
    return int(scenario)


def _at(values: Any, index: int) -> float:
    return float(np.ravel(values)[index]) if np.ndim(values) else float(values)


def plot_components(projection: "Projection", figure: str = "memory", scenario: int = 0, ax: Any = None) -> "Axes":
    """One stacked bar per mesh, split by component, for one scenario (typical values).

    Parameters
    ----------
    projection : Projection
        Any projection.
    figure : str
        One of :data:`COMPONENT_FIGURES`: ``memory`` [GiB], ``cpu`` [vCPU],
        ``latency_p50`` / ``latency_p99`` [ms per hop; components off the request path add
        0], or a money figure (``reserved_memory``, ``reserved_cpu``, ``billable_memory``,
        ``billable_cpu``, ``cost``).
    scenario : int
        Flat index of the scenario in the projection's shape (as the frame's ``scenario``
        column). Default 0.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib Axes
        The mesh total's low - high range is drawn as an error bar on each stack.
    """
    figure = _check_figure(figure, COMPONENT_FIGURES)
    index = _scenario_index(scenario, projection.shape)
    label, unit, divisor = OVERHEAD_FIGURES[figure]
    unit = unit.format(currency=projection.cost_settings.currency)
    ax = _axes(ax)
    colors: dict[str, str] = {}
    labelled: set[str] = set()
    names = []
    for position, result in enumerate(projection):
        names.append(result.name)
        bottom = 0.0
        for comp in result.components.values():
            if figure.startswith("latency"):
                band = getattr(comp, figure, None)
                value = 0.0 if band is None else _at(band.magnitudes()[1], index)
            else:
                value = _at(getattr(comp, figure).magnitudes()[1], index)
            value = value / divisor
            if not np.isfinite(value) or value <= 0:
                continue
            color = colors.setdefault(comp.name, _component_color(comp.name))
            ax.bar(position, value, bottom=bottom, color=color, width=0.6, edgecolor="white", linewidth=0.6,
                   label=None if comp.name in labelled else comp.name)
            labelled.add(comp.name)
            bottom += value
        total = getattr(result, figure)
        low, typical, high = (_at(a, index) / divisor for a in total.magnitudes())
        if all(np.isfinite(v) for v in (low, typical, high)):
            ax.errorbar(position, typical, yerr=[[max(typical - low, 0.0)], [max(high - typical, 0.0)]],
                        color="black", capsize=4, linewidth=1)
            ax.annotate(format_number(typical), (position, typical), textcoords="offset points", xytext=(14, 2),
                        fontsize="small")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel(f"{label} [{unit}]")
    inputs = {k: _at(v, index) for k, v in projection.inputs.items()}
    ax.set_title(f"{_sentence(label)} by component (typical; bars: low – high)\n"
                 f"{inputs['nodes']:,.0f} nodes, {inputs['sidecars']:,.0f} meshed pods, "
                 f"{inputs['rps']:,.0f} requests/s", fontsize="medium")
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="y", alpha=0.3)
    if labelled:
        ax.legend(fontsize="small", title="component", title_fontsize="small")
    return ax


def plot_costs(projection: "Projection", scenario: int = 0, ax: Any = None) -> "Axes":
    """Each mesh's monthly cost on both bases for one scenario: as installed and right-sized.

    Bars are the typical values, error bars the low - high range; a mesh whose install
    requests nothing is labelled so (its as-installed cost is its usage alone).

    Parameters
    ----------
    projection : Projection
        Any projection.
    scenario : int
        Flat index of the scenario (as the frame's ``scenario`` column). Default 0.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    """
    from .formatting import requests_basis

    index = _scenario_index(scenario, projection.shape)
    ax = _axes(ax)
    currency = projection.cost_settings.currency
    bases = (("cost", "#4c72b0"), ("rightsized_cost", "#55a868"))
    width = 0.38
    names = []
    for position, result in enumerate(projection):
        names.append(f"{result.name}\n({requests_basis(result)})")
        for offset, (name, color) in zip((-width / 2, width / 2), bases):
            low, typical, high = (_at(a, index) for a in result.figure(name).magnitudes())
            ax.bar(position + offset, typical, width=width, color=color,
                   label=OVERHEAD_FIGURES[name][0] if position == 0 else None)
            if all(np.isfinite(v) for v in (low, typical, high)):
                ax.errorbar(position + offset, typical, yerr=[[max(typical - low, 0.0)], [max(high - typical, 0.0)]],
                            color="black", capsize=3, linewidth=1)
    ax.set_xticks(range(len(names)), names, fontsize="small")
    ax.set_ylabel(f"cost [{currency}/month]")
    ax.set_title(f"Monthly cost: as installed and right-sized (typical; bars: low – high)\n"
                 f"billing by {projection.cost_settings.billing}", fontsize="medium")
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


# --------------------------------------------------------------------------- latency under load


def _profiles(meshes: Any, versions: Mapping[str, str] | None) -> list["MeshProfile"]:
    from .projection import resolve_meshes

    return resolve_meshes(meshes, versions)


def _loaded(profile: "MeshProfile", rps: np.ndarray, limit: Any, l7: bool,
            quantile: float) -> tuple[list[np.ndarray], float]:
    """(low, typical, high) added latency [ms] at each rps, and the typical saturation rate [1/s]."""
    from .latency import loaded_hop

    return loaded_hop(profile, rps, cpu_limit=limit, l7_share=float(l7), q=quantile)


def plot_latency_vs_load(
    meshes: Any = None,
    *,
    rps_per_proxy: Any = None,
    cpu_limit: Any = None,
    versions: Mapping[str, str] | None = None,
    quantile: str = "p99",
    l7: bool = False,
    ax: Any = None,
) -> "Axes":
    """Latency each mesh adds per hop against the load through each proxy; saturation marked.

    Uses each mesh's published per-hop latency (anchored at the load it was measured at)
    and its CPU per request, through :func:`meshcost.latency.sidecar_latency_at` (anchored
    Erlang-C queueing on the proxy's worker threads), exactly as
    :func:`meshcost.latency_at` does.

    Parameters
    ----------
    meshes : names or MeshProfile objects, optional
        Default the three built in; a name may pin a vintage (``"istio-sidecar@1.20"``).
    rps_per_proxy : array_like, optional
        Requests per second through each proxy on the path [1/s] (a pod's sidecar, a node's
        ztunnel). Default 0 to 1.2 x the highest typical saturation rate, 400 points.
    cpu_limit : float, optional
        The proxies' CPU limit [vCPU]; caps the worker threads' CPU. Default none.
    versions : dict, optional
        Data vintage per mesh, as in :func:`meshcost.project`.
    quantile : {"p99", "p50"}
        Which latency quantile to draw. Default ``"p99"``.
    l7 : bool
        Ambient: the hop also passes a waypoint. Default False (ztunnels only).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib Axes
        Log-scale latency [ms] against rps [1/s]: typical line, low - high shaded, and a
        dotted vertical line where each mesh's proxy saturates (typical CPU figure).
    """
    q = {"p99": 0.99, "p50": 0.5}.get(quantile) if isinstance(quantile, str) else None
    if q is None:
        raise InputValueError(f"quantile: got {describe_value(quantile)}; expected 'p99' or 'p50'")
    if not isinstance(l7, (bool, np.bool_)):
        raise InputTypeError(f"l7: got {describe_value(l7)}; expected True or False")
    from .units import strip

    limit: Any = None  # each proxy's chart limit (Envoy 2 vCPU; ztunnel and linkerd2-proxy none)
    if cpu_limit is not None:
        stripped = strip(cpu_limit, "cpu_limit", "cpu")
        if stripped.ndim or not 0 < stripped < np.inf:
            raise InputValueError(f"cpu_limit: got {describe_value(cpu_limit)}; expected one CPU limit > 0 [vCPU]")
        limit = float(stripped)
    profiles = _profiles(meshes, versions)
    if rps_per_proxy is None:
        capacities = [_loaded(p, np.zeros(1), limit, l7, q)[1] for p in profiles]
        finite = [c for c in capacities if np.isfinite(c)]
        rps = np.linspace(0.0, 1.2 * max(finite) if finite else 10_000.0, 400)
    else:
        rps = strip(rps_per_proxy, "rps_per_proxy", "rate").ravel()
        if rps.size < 2 or not np.all(np.isfinite(rps)) or np.any(rps < 0):
            raise InputValueError(f"rps_per_proxy: got {describe_value(rps_per_proxy)}; expected at least two "
                                  "finite values >= 0 [1/s]")
        rps = np.sort(rps)
    ax = _axes(ax)
    curves = []
    for index, profile in enumerate(profiles):
        bands, capacity = _loaded(profile, rps, limit, l7, q)
        curves.append((profile, bands, capacity, _mesh_color(index)))
    # y range: from half the lowest unloaded figure to 100 ms (or 20 x the highest unloaded typical)
    floor = min(float(b[0][0]) for _, b, _, _ in curves)
    top = max([100.0] + [20.0 * float(b[1][0]) for _, b, _, _ in curves if np.isfinite(b[1][0])])
    for profile, bands, capacity, color in curves:
        # the shaded range runs off the top where a band saturates (inf)
        low, high = (np.where(np.isfinite(b), np.minimum(b, top * 10), top * 10) for b in (bands[0], bands[2]))
        ax.fill_between(rps, low, high, color=color, alpha=0.1, linewidth=0)
        saturates = f"saturates at {capacity:,.0f} rps" if np.isfinite(capacity) else "does not saturate"
        ax.plot(rps, _finite(bands[1]), color=color, linewidth=1.8, label=f"{profile.name} (typical; {saturates})")
        if np.isfinite(capacity) and capacity <= rps[-1]:
            ax.axvline(capacity, color=color, linestyle=":", linewidth=1.2)
    ax.set_yscale("log")
    ax.set_ylim(max(floor / 2, 1e-3), top)
    ax.set_xlim(rps[0], rps[-1])
    ax.set_xlabel("requests per second through each proxy [1/s]")
    ax.set_ylabel(f"{quantile} latency added per hop [ms]")
    limit_text = "the charts' CPU limits" if limit is None else f"CPU limit {limit:g} vCPU"
    ax.set_title(f"Latency under load ({limit_text}; dotted: saturation)", fontsize="medium")
    ax.grid(True, which="both", alpha=0.25)
    _range_legend(ax, alpha=0.1)
    return ax


# --------------------------------------------------------------------------- latency over hops


def _hops(hops: Any) -> np.ndarray:
    if isinstance(hops, (int, np.integer)) and not isinstance(hops, (bool, np.bool_)):
        if hops < 1:
            raise InputValueError(f"hops: got {hops}; expected a whole number >= 1 or a sequence of them")
        return np.arange(1, int(hops) + 1, dtype=np.float64)
    array = np.asarray(hops, dtype=np.float64) if isinstance(hops, (list, tuple, range, np.ndarray)) else None
    if array is None or array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)) \
            or np.any(array < 1) or np.any(array != np.floor(array)):
        raise InputValueError(f"hops: got {describe_value(hops)}; expected a whole number >= 1 "
                              "(plots 1..hops) or a sequence of whole numbers >= 1")
    return np.sort(array)


def plot_latency_vs_hops(
    projection: "Projection | None" = None,
    *,
    meshes: Any = None,
    versions: Mapping[str, str] | None = None,
    hops: int | Sequence[int] = 20,
    scenario: int = 0,
    ax: Any = None,
) -> "Axes":
    """p99 latency a request crossing several hops adds: composed vs the naive sum of p99s.

    Per-hop delays are lognormals fitted to each mesh's per-hop p50 and p99; the chain's p99
    is composed with Fenton-Wilkinson (:func:`meshcost.latency.chain_quantiles`, hops
    assumed independent) and compared with ``hops x per-hop p99``
    (:func:`meshcost.latency.naive_sum`).

    Parameters
    ----------
    projection : Projection, optional
        Take the per-hop latency from this projection (at its load) for ``scenario``.
        Default: each mesh's published per-hop figures (``project(nodes=1, sidecars=1)``).
    meshes : names or MeshProfile objects, optional
        Without a projection: which meshes (default the three built in). With one: a subset
        of its meshes to draw.
    versions : dict, optional
        Data vintage per mesh (without a projection), as in :func:`meshcost.project`.
    hops : int or sequence of int
        ``N`` plots 1..N hops (default 20), or the hop counts to plot.
    scenario : int
        Flat scenario index in the projection. Default 0.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib Axes
        Composed p99 [ms] as solid lines with the low - high range shaded; the naive sum of
        per-hop p99s dashed. Meshes whose per-hop latency is infinite (saturated) are skipped.
    """
    from .latency import chain_quantiles, naive_sum

    counts = _hops(hops)
    if projection is None:
        from .projection import project

        projection = project(nodes=1, sidecars=1, meshes=meshes, versions=versions)
        names = list(projection.meshes)
    else:
        if versions is not None:
            raise InputValueError("versions: given with a projection; the projection already fixed the "
                                  "vintages (pass versions= to meshcost.project instead)")
        if meshes is None:
            names = list(projection.meshes)
        else:
            names = [meshes] if isinstance(meshes, str) else list(meshes)
            for name in names:
                projection[name]  # raises UnknownNameError naming the projection's meshes
    index = _scenario_index(scenario, projection.shape)
    ax = _axes(ax)
    drawn = 0
    for position, name in enumerate(projection.meshes):
        if name not in names:
            continue
        result = projection[name]
        p50 = np.array([_at(a, index) for a in result.latency_p50.magnitudes()])
        p99 = np.array([_at(a, index) for a in result.latency_p99.magnitudes()])
        if not (np.all(np.isfinite(p50)) and np.all(np.isfinite(p99)) and np.all(p50 > 0)):
            continue
        composed = chain_quantiles(p50[:, None], p99[:, None], counts[None, :], q=0.99)
        naive = naive_sum(p99[1], counts)
        color = _mesh_color(position)
        ax.fill_between(counts, composed[0], composed[2], color=color, alpha=0.12, linewidth=0)
        ax.plot(counts, composed[1], color=color, linewidth=1.8, marker="o", markersize=3,
                label=f"{name}: p99 of the chain")
        ax.plot(counts, naive, color=color, linewidth=1.2, linestyle="--", label=f"{name}: hops × per-hop p99")
        drawn += 1
    if not drawn:
        raise InputValueError("projection: no mesh has a finite per-hop latency in this scenario "
                              "(every proxy is saturated); nothing to plot")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("service-to-service hops on the request path")
    ax.set_ylabel("p99 latency added along the request [ms]")
    ax.set_title("Latency over a call chain: composed p99 vs the sum of per-hop p99s", fontsize="medium")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    _range_legend(ax, alpha=0.12)
    return ax
