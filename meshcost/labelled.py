"""Labelled and lazy sweeps: xarray in, xarray out, dask underneath.

    import xarray as xr, meshcost
    r = meshcost.project(nodes=xr.DataArray([50, 500], dims="nodes", coords={"nodes": [50, 500]}),
                         sidecars=xr.DataArray([1000, 5000, 20000], dims="sidecars"))
    r.shape                 # (2, 3): the grid over the two named dimensions
    ds = r.to_xarray()      # dims (nodes, sidecars, mesh, band[, component]); units in attrs

Inputs given as xarray DataArrays broadcast by dimension name, as xarray arithmetic does: an
outer grid over distinct names, aligned (``xarray.set_options(arithmetic_join=...)``, default
inner) over shared ones. Scalars mix freely; a plain array beside DataArrays is refused (its
axes have no names).

dask-backed inputs (dask arrays, or DataArrays over dask arrays) give a
:class:`LazyProjection`: nothing is computed until asked. ``to_xarray()`` returns a Dataset of
dask arrays computed block by block (``xarray.apply_ufunc(..., dask="parallelized")``), each
block by :func:`meshcost.project` on that block's scenarios, so memory stays bounded by the
chunks and any dask scheduler runs it, ``dask.distributed`` clusters included. Monte Carlo draws
its coefficient samples from the seed alone (they do not depend on the scenarios), so every
block uses the same draws and results are identical whatever the chunking; without ``seed``
one is drawn up front and shared by every block. The options and the first scenario are
checked when ``project()`` is called; every other value when its chunk is computed (a bad one
raises the same one-line :class:`~meshcost.MeshcostError` then).

xarray and dask are optional (``pip install 'meshcost[xarray]'`` / ``'meshcost[dask]'``) and
imported only when such inputs or outputs are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Mapping

import numpy as np

from .errors import InputTypeError, InputValueError, MissingDependencyError, UnknownNameError, describe_value
from .figures import BANDS, figures, flags

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from .results import Projection

__all__ = ["Labels", "labelled_inputs", "to_xarray", "variable_names", "LAYOUT_VERSION"]

#: Bumped when the Dataset's variables or dims change.
LAYOUT_VERSION = 1


def _is_xarray(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "xarray" and hasattr(value, "dims")


def _is_dask(value: Any) -> bool:
    data = getattr(value, "data", value) if _is_xarray(value) else value
    return type(data).__module__.split(".")[0] == "dask"


def _xarray() -> Any:
    try:
        import xarray
    except ImportError:  # pragma: no cover - the extra's absence
        raise MissingDependencyError("labelled inputs and to_xarray() need xarray (pip install 'meshcost[xarray]')",
                                     name="xarray") from None
    return xarray


@dataclass(frozen=True)
class Labels:
    """The named dimensions of a labelled projection: ``dims`` in order, their coordinates, and
    the inputs as arrays over ``dims`` (numpy, or dask when ``lazy``)."""

    dims: tuple[str, ...]
    coords: Mapping[str, Any]
    values: Mapping[str, Any]
    lazy: bool


def labelled_inputs(inputs: Mapping[str, Any]) -> Labels | None:
    """Broadcast the scenario inputs by dimension name when any is a DataArray or dask-backed;
    None when none is (plain numpy broadcasting then applies)."""
    if not any(_is_xarray(v) or _is_dask(v) for v in inputs.values()):
        return None
    xr = _xarray()
    arrays: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for name, value in inputs.items():
        if value is None:
            continue
        if _is_xarray(value):
            if not isinstance(value, xr.DataArray):
                raise InputTypeError(f"{name}: got {describe_value(value)}; expected an xarray DataArray (of a "
                                     "Dataset, pass one variable)", parameter=name)
            if value.size == 0:
                raise InputValueError(f"{name}: got an empty DataArray; expected at least one value",
                                      parameter=name)
            arrays[name] = value
        elif _is_dask(value):
            ndim = len(value.shape)
            arrays[name] = xr.DataArray(value, dims=[f"dim_{i}" for i in range(ndim)])  # numpy order, by position
        elif np.ndim(value) == 0:
            scalars[name] = value
        else:
            raise InputTypeError(f"{name}: got a plain array beside xarray DataArrays; expected a DataArray (named "
                                 "dimensions) or a single number", parameter=name)
    join = xr.get_options()["arithmetic_join"] if hasattr(xr, "get_options") else "inner"
    try:
        aligned = xr.align(*arrays.values(), join=join)
    except ValueError as exc:  # duplicate index values, conflicting sizes of an unindexed dimension
        raise InputValueError(f"inputs: the DataArrays do not align ({exc}); expected dimensions of equal size, or "
                              "coordinates without duplicates", parameter="inputs") from None
    if any(0 in a.shape for a in aligned):
        raise InputTypeError("inputs: the DataArrays share no coordinate values on a common dimension; expected "
                             "overlapping coordinates (they are aligned as xarray arithmetic aligns them)",
                             parameter="inputs")
    broadcast = xr.broadcast(*aligned)
    dims: list[str] = []
    for array in aligned:
        dims += [d for d in array.dims if d not in dims]
    values = {name: array.transpose(*dims) for name, array in zip(arrays, broadcast)}
    coords = {name: coord for name, coord in broadcast[0].transpose(*dims).coords.items()} if broadcast else {}
    lazy = any(_is_dask(v) for v in values.values())
    plain = {name: (v if lazy else np.asarray(v.data)) for name, v in values.items()}
    return Labels(tuple(dims), coords, {**plain, **scalars}, lazy)


# --------------------------------------------------------------------------- to_xarray


def _components(projection: "Projection") -> list[str]:
    names: list[str] = []
    for result in projection:
        names += [c.name for c in result.profile.components if c.name not in names]
    return names


def variable_names(projection: "Projection") -> tuple[str, ...]:
    """The Dataset's variables, in order (see :meth:`meshcost.Projection.to_xarray`)."""
    names = [name for name in projection.scenario.inputs() if name not in projection.dims]
    for fig in figures("mesh"):
        names.append(fig.name)
        if projection.percentiles and fig.montecarlo:
            names.append(f"{fig.name}_percentile")
    names += [flag.name for flag in flags("mesh")] + ["instances"]
    names += [f"component_{fig.name}" for fig in figures("component")]
    return (*names, *(f"component_{flag.name}" for flag in flags("component")))


def to_xarray(projection: "Projection", variables: Collection[str] | None = None) -> "xr.Dataset":
    """The projection as an xarray Dataset (see :meth:`meshcost.Projection.to_xarray`)."""
    xr = _xarray()
    known = variable_names(projection)
    if variables is not None:
        if isinstance(variables, str) or not all(isinstance(v, str) for v in variables):
            raise InputTypeError(f"variables: got {describe_value(variables)}; expected a list of variable names",
                                 parameter="variables")
        unknown = [v for v in variables if v not in known]
        if unknown:
            raise UnknownNameError(f"variables: {unknown} are not variables of this projection; known: {list(known)}",
                                   parameter="variables")
    wanted = set(known if variables is None else variables)
    shape = projection.shape
    dims = projection.dims
    labels = projection.labels
    currency = projection.cost_settings.currency
    meshes = list(projection.meshes)
    components = _components(projection)
    # labels as variable-length strings (object arrays): what Zarr and netCDF store without warnings
    coords: dict[str, Any] = {"mesh": np.array(meshes, dtype=object), "band": np.array(BANDS, dtype=object),
                              "component": np.array(components, dtype=object)}
    if labels is not None:
        coords.update({k: v for k, v in labels.coords.items() if set(v.dims) <= set(dims)})
    data: dict[str, Any] = {}
    for name, values in projection.scenario.inputs().items():
        if name not in dims and name in wanted:
            data[name] = (dims, np.array(values), {"long_name": f"scenario input {name}"})
    results = list(projection)
    for fig in figures("mesh"):
        if fig.name in wanted:
            stacked = np.stack([result.figure(fig.name).values for result in results], axis=-1)  # band, *shape, mesh
            data[fig.name] = ((*dims, "mesh", "band"), np.moveaxis(stacked, 0, -1),
                              {"units": fig.unit_for(currency), "long_name": fig.doc})
        percentiles = projection.percentiles
        if f"{fig.name}_percentile" in wanted and all(fig.name in result._mc for result in results):
            array = np.stack([np.stack([result._mc[fig.name][p] for p in percentiles], axis=-1) for result in results],
                             axis=-2)  # *shape, mesh, percentile
            data[f"{fig.name}_percentile"] = ((*dims, "mesh", "percentile"), array,
                                              {"units": fig.unit_for(currency)})
    if projection.percentiles:
        coords["percentile"] = list(projection.percentiles)
    for flag in [f for f in flags("mesh") if f.name in wanted]:
        data[flag.name] = ((*dims, "mesh"),
                           np.stack([np.broadcast_to(np.asarray(r.flag(flag.name), dtype=bool), shape)
                                     for r in results], axis=-1), {})
    if "instances" in wanted:
        instances = np.full((*shape, len(meshes), len(components)), np.nan)
        for m, result in enumerate(results):
            for comp in result.profile.components:
                instances[..., m, components.index(comp.name)] = np.broadcast_to(
                    result._figures.usages[comp.name].instances, shape)
        data["instances"] = ((*dims, "mesh", "component"), instances, {"units": "count"})
    for fig in [f for f in figures("component") if f"component_{f.name}" in wanted]:
        array = np.full((*shape, len(meshes), len(components), len(BANDS)), np.nan)
        for m, result in enumerate(results):
            by_component = result._component_values(fig)
            for comp in result.profile.components:
                found = by_component.get(comp.name)
                array[..., m, components.index(comp.name), :] = 0.0 if found is None else np.moveaxis(
                    np.broadcast_to(found, (len(BANDS), *shape)), 0, -1)
        data[f"component_{fig.name}"] = ((*dims, "mesh", "component", "band"), array,
                                         {"units": fig.unit_for(currency)})
    for flag in [f for f in flags("component") if f"component_{f.name}" in wanted]:
        array = np.zeros((*shape, len(meshes), len(components)), dtype=bool)
        for m, result in enumerate(results):
            for comp in result.profile.components:
                array[..., m, components.index(comp.name)] = np.broadcast_to(
                    np.asarray(result.components[comp.name].flag(flag.name), dtype=bool), shape)
        data[f"component_{flag.name}"] = ((*dims, "mesh", "component"), array, {})
    from . import __version__

    attrs = {"title": "meshcost projection", "meshcost_version": __version__, "currency": currency,
             "layout": LAYOUT_VERSION, "versions": ", ".join(f"{r.name} {r.profile.version}" for r in results)}
    dataset = xr.Dataset({name: data[name] for name in known if name in data}, coords=coords, attrs=attrs)
    return dataset.drop_vars([c for c in ("component", "percentile") if c in dataset.coords
                              and not any(c in v.dims for v in dataset.data_vars.values())])


