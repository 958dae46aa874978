"""A projection over dask-backed inputs, computed block by block when asked (see :mod:`meshcost.labelled`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Collection, Iterator, Mapping

import numpy as np

from .errors import InputValueError, MeshcostError
from .labelled import Labels, to_xarray
from .results import MeshResult, Projection

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr

__all__ = ["LazyProjection"]

_VALUE = "meshcost_value"  # the stacked output axis of a block (every variable's values, in layout order)


def _eager(value: Any) -> Any:
    """A DataArray's first element along every dimension, computed (the template's inputs)."""
    if hasattr(value, "dims"):
        return value.isel({d: slice(0, 1) for d in value.dims}).compute()
    return value


class LazyProjection(Projection):
    """What :func:`meshcost.project` returns for dask-backed inputs: nothing computed yet.

    :meth:`to_xarray` gives the full Dataset (the same variables as
    :meth:`meshcost.Projection.to_xarray`) over dask arrays chunked like the inputs; reduce it,
    write it (``to_zarr``), or ``.compute()`` parts of it under any dask scheduler.
    :meth:`compute` projects everything now and returns a :class:`~meshcost.Projection`.
    Mesh results and frames need :meth:`compute` first.
    """

    labels: Labels  # always labelled: its inputs are dask-backed

    def __init__(self, labels: Labels, options: Mapping[str, Any]) -> None:
        from .projection import project

        self.labels = labels
        self._options = dict(options)
        uncertainty = self._options.get("uncertainty")
        samples = self._options.get("samples") or getattr(uncertainty, "samples", None)
        if samples is not None and self._options.get("seed") is None and getattr(uncertainty, "seed", None) is None:
            entropy = np.random.SeedSequence().entropy  # one seed for every block: identical draws
            self._options["seed"] = int(entropy) % 2**63 if isinstance(entropy, int) else 0
        # A one-scenario projection validates the options now and gives the output layout.
        self._template = project(**{k: _eager(v) for k, v in labels.values.items()}, **self._options)
        self._dataset = to_xarray(self._template)

    # ------------------------------------------------------------------ what is known without computing

    @property
    def meshes(self) -> tuple[str, ...]:
        return self._template.meshes

    @property
    def shape(self) -> tuple[int, ...]:
        sizes = {}
        for value in self.labels.values.values():
            if hasattr(value, "sizes"):
                sizes.update(value.sizes)
        return tuple(int(sizes[d]) for d in self.labels.dims)

    @property
    def dims(self) -> tuple[str, ...]:
        return self.labels.dims

    @property
    def percentiles(self) -> tuple[float, ...]:
        return self._template.percentiles

    def __repr__(self) -> str:
        grid = " x ".join(f"{d} {n:,}" for d, n in zip(self.dims, self.shape))
        return f"<LazyProjection {grid} ({int(np.prod(self.shape)):,} scenarios), meshes {list(self.meshes)}: " \
               "not computed (to_xarray() for dask arrays, compute() for a Projection)>"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(repr(self))}</p>"

    # ------------------------------------------------------------------ results

    def to_xarray(self, variables: Collection[str] | None = None) -> "xr.Dataset":
        """Every figure (or the ``variables`` named) as dask arrays over the scenario dims, computed
        block by block when asked; a block computes only the variables asked for."""
        import xarray as xr

        template = self._dataset if variables is None else to_xarray(self._template, variables)
        layout = [(name, template[name].shape[len(self.dims):], template[name].dtype) for name in template.data_vars]
        total = sum(int(np.prod(extra, dtype=np.int64)) for _, extra, _ in layout)
        names = [n for n, v in self.labels.values.items() if hasattr(v, "dims")]
        scalars = {n: v for n, v in self.labels.values.items() if not hasattr(v, "dims")}
        arrays = [self.labels.values[n] for n in names]
        stacked = xr.apply_ufunc(
            _block, *arrays,
            kwargs={"names": names, "scalars": scalars, "options": self._options,
                    "layout": [(name, extra) for name, extra, _ in layout]},
            output_core_dims=[[_VALUE]], dask="parallelized", output_dtypes=[np.float64],
            dask_gufunc_kwargs={"output_sizes": {_VALUE: total}},
        ).transpose(*self.dims, _VALUE)
        data = {}
        start = 0
        for name, extra, dtype in layout:
            size = int(np.prod(extra, dtype=np.int64))
            part = stacked.data[..., start:start + size].reshape(stacked.shape[:-1] + tuple(extra))
            start += size
            variable = template[name]
            data[name] = xr.Variable((*self.dims, *variable.dims[len(self.dims):]),
                                     part.astype(dtype) if dtype != np.float64 else part, variable.attrs)
        coords = {k: v for k, v in template.coords.items() if k not in self.dims}
        coords.update({k: v for k, v in self.labels.coords.items()})
        return xr.Dataset(data, coords=coords, attrs=template.attrs)

    def compute(self) -> Projection:
        """Project every scenario now (in memory) and return the :class:`~meshcost.Projection`."""
        from .projection import project

        values = {k: (v.compute() if hasattr(v, "compute") else v) for k, v in self.labels.values.items()}
        return project(**values, **self._options)

    def _not_computed(self, what: str) -> MeshcostError:
        return InputValueError(f"{what}: this projection is lazy (dask-backed inputs); call .compute() for a "
                               "Projection, or .to_xarray() for lazy results", parameter=what)

    def __getitem__(self, mesh: str) -> MeshResult:
        raise self._not_computed(f"projection[{mesh!r}]")

    def __iter__(self) -> Iterator[MeshResult]:
        raise self._not_computed("iterating over meshes")

    def __len__(self) -> int:
        return len(self.meshes)

    @property
    def inputs(self) -> dict[str, Any]:
        raise self._not_computed("inputs")

    def to_frame(self, figures: Collection[str] | None = None) -> "pd.DataFrame":
        raise self._not_computed("to_frame()")

    def mesh_frame(self, figures: Collection[str] | None = None) -> "pd.DataFrame":
        raise self._not_computed("mesh_frame()")

    def to_dict(self) -> dict[str, Any]:
        raise self._not_computed("to_dict()")


def _block(*arrays: np.ndarray, names: list[str], scalars: Mapping[str, Any], options: Mapping[str, Any],
           layout: list[tuple[str, tuple[int, ...]]]) -> np.ndarray:
    """One block: project its scenarios and stack every variable's values on a last axis."""
    from .projection import project

    inputs: dict[str, Any] = {**dict(zip(names, arrays)), **scalars, **options}
    result = project(**inputs)
    dataset = to_xarray(result, [name for name, _ in layout])
    shape = result.shape
    parts = [np.asarray(dataset[name].data, dtype=np.float64).reshape(shape + (int(np.prod(extra, dtype=np.int64)),))
             for name, extra in layout]
    return np.concatenate(parts, axis=-1)
