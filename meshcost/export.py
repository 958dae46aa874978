"""Export a projection as plain data: a versioned, JSON-safe dict and JSON text.

``Projection.to_dict()`` / ``Projection.to_json()`` call :func:`projection_to_dict` /
:func:`projection_to_json`. The output holds only ``str``, ``float``, ``int``, ``bool``,
``None``, ``list`` and ``dict``, so ``json.dumps`` needs no custom encoder and the JSON is
strict (no ``NaN`` or ``Infinity`` tokens).

Schema ``meshcost.projection/1``
--------------------------------
::

    {
      "schema": "meshcost.projection/1",       # bumped only on incompatible changes
      "meshcost_version": "0.1.0",
      "shape": [],                              # broadcast shape of the inputs ([] = one scenario)
      "inputs": {                               # after defaults; number or nested list of `shape`
        "nodes": 500.0, "sidecars": 5000.0, "services": 500.0, "visible_services": 500.0,
        "rps": 0.0, "waypoints": 0.0, "l7_share": 0.0, "ports_per_service": 1.0,
        "tcp_share": 0.0, "subsets_per_service": 0.0, "churn": 0.1157
      },
      "input_units": {"nodes": "count", ..., "rps": "1/s", "l7_share": "fraction"},
      "percentiles": [5.0, 50.0, 95.0],         # Monte Carlo percentiles present ([] without samples)
      "meshes": {
        "istio-sidecar": {
          "title": "Istio, sidecar mode (Envoy)",
          "version": "1.24",                    # data vintage label (meshcost.versions(mesh))
          "covers": ["1.24", "1.25", ...],      # releases that vintage covers ([] if not release-based)
          "data_version": "Istio 1.24 per-proxy CPU/memory; ...",   # where the figures come from
          "sources": ["F034", ...],             # ids of rows in data/published-figures.csv
          "memory":      {"unit": "MiB",  "low": ..., "typical": ..., "high": ...,
                          "p5": ..., "p50": ..., "p95": ...},       # pN only with Monte Carlo
          "cpu":         {"unit": "vCPU", ...},
          "latency_p50": {"unit": "ms", ...},   # added per service-to-service hop
          "latency_p99": {"unit": "ms", ...},
          # money figures (node and price sheet from project()):
          "reserved_memory": {"unit": "MiB", ...}, "reserved_cpu": {"unit": "vCPU", ...},
          "billable_memory": {"unit": "MiB", ...}, "billable_cpu": {"unit": "vCPU", ...},
          "cost": {"unit": "USD/month", ...},   # the price sheet's currency; as installed
          "rightsized_cost": {"unit": "USD/month", ...},   # requests sized to usage: one basis for all
          "extra_nodes": {"unit": "nodes", ...}, "rightsized_extra_nodes": {"unit": "nodes", ...},
          "capacity_share": {"unit": "fraction", ...},
          "saturated": false,                   # flags (bool or nested list), meshcost.figures.FLAGS:
          "extrapolated": false,                #   saturated proxies, inputs beyond the published
          "overpacked": false,                  #   measurements, more pods than the nodes hold,
          "oversized": false,                   #   an instance bigger than a node
          "notes": ["..."],                     # the printed comparison's warnings for this mesh
          "components": {
            "sidecar": {
              "title": "...",
              "instances": 5000.0,
              "memory": {"unit": "MiB", "low", "typical", "high"},   # over all instances
              "cpu": {"unit": "vCPU", ...},
              "latency_p50": {...}, "latency_p99": {...},            # only on the request path
              "reserved_memory": {...}, ..., "cost": {...},
              "saturated": false
            }, ...
          }
        }, ...
      },
      "non_finite": {}                          # see below
    }

Every figure is an object with a ``unit`` and the keys ``low``, ``typical``, ``high`` (and
``p<percent>`` for each Monte Carlo percentile, e.g. ``p5``, ``p50``, ``p95``, ``p2.5``; mesh
totals only). A value is a number when ``shape`` is ``[]``, otherwise a nested list of that
shape (C order, as ``numpy.ndarray.tolist``). Components appear in the profile's order.

Non-finite values. JSON has no infinity, and meshcost's only non-finite outputs are
infinite latencies (a proxy past saturation under load, see :mod:`meshcost.latency`). Each
non-finite value is written as ``null``, and ``non_finite`` maps the JSON pointer
(RFC 6901) of every figure that holds one to the kinds it held, e.g.
``{"/meshes/istio-sidecar/latency_p99/high": ["inf"]}`` (kinds: ``"inf"``, ``"-inf"``,
``"nan"``). A reader restores them with ``float("inf")`` at the ``null`` positions.

Stability. Within ``meshcost.projection/1`` keys are only ever *added* (new figures,
new metadata); a reader should ignore keys it does not know. Renaming or removing a key,
or changing a unit, bumps the schema to ``/2``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from .figures import INPUTS, figures, flags

if TYPE_CHECKING:  # pragma: no cover
    from .band import Band
    from .results import MeshResult, Projection

__all__ = ["SCHEMA", "MESH_FIGURES", "MONEY_FIGURES", "projection_to_dict", "projection_to_json"]

#: Identifier and version of the export schema (see the module docstring).
SCHEMA = "meshcost.projection/1"

#: Mesh figures exported: name -> unit label (``{currency}`` is the price sheet's currency).
MESH_FIGURES: dict[str, str] = {f.name: f.unit for f in figures("mesh", "usage") + figures("mesh", "latency")}
#: Money figures exported (mesh level): name -> unit label.
MONEY_FIGURES: dict[str, str] = {f.name: f.unit for f in figures("mesh", "money")}

_INPUT_UNITS: dict[str, str] = {i.name: i.unit for i in INPUTS}


def _pointer(*parts: str) -> str:
    """An RFC 6901 JSON pointer from unescaped path parts."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


class _Encoder:
    """Turns magnitudes into JSON-safe values, recording where non-finite values were."""

    def __init__(self) -> None:
        self.non_finite: dict[str, list[str]] = {}

    def value(self, magnitude: Any, path: tuple[str, ...]) -> Any:
        array = np.asarray(magnitude, dtype=np.float64)
        finite = np.isfinite(array)
        if finite.all():
            return float(array) if array.ndim == 0 else array.tolist()
        kinds = []
        if np.isposinf(array).any():
            kinds.append("inf")
        if np.isneginf(array).any():
            kinds.append("-inf")
        if np.isnan(array).any():
            kinds.append("nan")
        self.non_finite[_pointer(*path)] = kinds
        if array.ndim == 0:
            return None
        as_object = array.astype(object)
        as_object[~finite] = None
        return as_object.tolist()

    def band(self, band: "Band", unit: str, path: tuple[str, ...]) -> dict[str, Any]:
        low, typical, high = band.magnitudes()
        out: dict[str, Any] = {"unit": unit}
        for key, magnitude in (("low", low), ("typical", typical), ("high", high)):
            out[key] = self.value(magnitude, (*path, key))
        for percent, magnitude in band.percentile_magnitudes().items():
            key = f"p{float(percent):g}"
            out[key] = self.value(magnitude, (*path, key))
        return out


def _flag(value: Any) -> Any:
    """A bool or a nested list of bools."""
    return bool(value) if np.ndim(value) == 0 else np.asarray(value, dtype=bool).tolist()


def _mesh(result: "MeshResult", currency: str, encoder: _Encoder) -> dict[str, Any]:
    profile = result.profile
    base = ("meshes", result.name)
    out: dict[str, Any] = {
        "title": result.title,
        "version": str(getattr(profile, "version", "")),
        "covers": [str(c) for c in getattr(profile, "covers", ())],
        "data_version": str(getattr(profile, "data_version", "")),
        "sources": list(result.sources()),
    }
    for fig in figures("mesh"):
        out[fig.name] = encoder.band(result.figure(fig.name), fig.unit_for(currency), (*base, fig.name))
    for flag in flags("mesh"):
        out[flag.name] = _flag(result.flag(flag.name))
    out["notes"] = result.notes()
    components: dict[str, Any] = {}
    for name, comp in result.components.items():
        path = (*base, "components", name)
        entry: dict[str, Any] = {
            "title": comp.profile.title,
            "instances": encoder.value(comp.instances, (*path, "instances")),
        }
        for fig in figures("component"):
            band = comp.figure(fig.name)
            if band is not None:  # latency only on the request path
                entry[fig.name] = encoder.band(band, fig.unit_for(currency), (*path, fig.name))
        for flag in flags("component"):
            entry[flag.name] = _flag(comp.flag(flag.name))
        components[name] = entry
    out["components"] = components
    return out


def projection_to_dict(projection: "Projection") -> dict[str, Any]:
    """A projection as plain, JSON-safe data in the ``meshcost.projection/1`` schema.

    Parameters
    ----------
    projection : Projection
        The result of :func:`meshcost.project`.

    Returns
    -------
    dict
        See the module docstring for the schema. Values are floats (one scenario) or nested
        lists of the projection's shape; memory [MiB], CPU [vCPU], latency [ms], cost
        [currency/month]. Non-finite values are ``null`` and listed under ``non_finite``.
    """
    from . import __version__

    encoder = _Encoder()
    inputs = {name: encoder.value(value, ("inputs", name)) for name, value in projection.inputs.items()}
    percents: set[float] = set()
    percents.update(projection.percentiles)
    currency = projection.cost_settings.currency
    meshes = {result.name: _mesh(result, currency, encoder) for result in projection}
    return {
        "schema": SCHEMA,
        "meshcost_version": __version__,
        "shape": [int(n) for n in projection.shape],
        "inputs": inputs,
        "input_units": {name: _INPUT_UNITS.get(name, "") for name in inputs},
        "percentiles": sorted(percents),
        "meshes": meshes,
        "non_finite": encoder.non_finite,
    }


def projection_to_json(projection: "Projection", **json_kwargs: Any) -> str:
    """:func:`projection_to_dict` as JSON text.

    Parameters
    ----------
    projection : Projection
        The result of :func:`meshcost.project`.
    **json_kwargs
        Passed to :func:`json.dumps` (e.g. ``indent=2``). ``allow_nan`` defaults to False:
        the text is strict JSON (non-finite values are already ``null``).

    Returns
    -------
    str
        The JSON document.
    """
    json_kwargs.setdefault("allow_nan", False)
    return json.dumps(projection_to_dict(projection), **json_kwargs)

