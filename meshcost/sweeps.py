"""Sweep a grid of scenarios in chunks: every combination of the values given, to a frame or a CSV file.

``meshcost.sweep(nodes=[100, 500, 1000], sidecars=range(1000, 20001, 1000), rps=[0, 1e4])``
projects the 3 x 20 x 2 grid (each input given as a sequence is an axis; numbers are fixed),
in chunks of ``chunk_size`` scenarios so memory stays bounded, and returns one frame, or
streams it to ``output``. Rows come in grid order (the last axis fastest), so the result does
not depend on the chunking.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .checks import chosen_figures, fail, numbers_array, whole_number
from .errors import InputTypeError, MeshcostError, MissingDependencyError
from .figures import input_names
from .io.files import atomic_writer
from .projection import project

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sweep", "grid_axes", "write_csv", "DEFAULT_CHUNK_SCENARIOS"]

#: Scenarios per chunk: a chunk's frame takes about 280 MB (2.7 KiB per scenario), its
#: computation about as much again.
DEFAULT_CHUNK_SCENARIOS = 100_000
#: The largest grid a sweep accepts (it streams, but each row is written).
MAX_SCENARIOS = 10**10


def grid_axes(inputs: dict[str, Any]) -> tuple[list[tuple[str, np.ndarray]], dict[str, float]]:
    """(axes: input name -> 1-d values, in the given order) and the inputs that take one value."""
    axes: list[tuple[str, np.ndarray]] = []
    fixed: dict[str, float] = {}
    for name, value in inputs.items():
        if value is None:
            continue
        values = numbers_array(value, name, "count" if name != "rps" else "rate", allow_inf=False,
                               expected="a number or a 1-d sequence of finite numbers")
        if values.ndim > 1:
            fail(name, f"an array of shape {values.shape}", "a number or a 1-d sequence (each is one grid axis)",
                 described=True)
        if values.ndim == 0 or values.size == 1:
            fixed[name] = float(values.reshape(-1)[0])
        elif values.size == 0:
            fail(name, "an empty sequence", "at least one value", described=True)
        else:
            axes.append((name, values))
    return axes, fixed


def _chunk_inputs(axes: list[tuple[str, np.ndarray]], fixed: dict[str, float], start: int,
                  stop: int) -> dict[str, Any]:
    inputs: dict[str, Any] = dict(fixed)
    if axes:
        index = np.unravel_index(np.arange(start, stop), tuple(v.size for _, v in axes))
        for (name, values), idx in zip(axes, index):
            inputs[name] = values[idx]
    per_node = inputs.pop("sidecars_per_node", None)
    if per_node is not None:  # an overflow gives inf, which project() refuses by the name sidecars_per_node
        with np.errstate(over="ignore", invalid="ignore"):
            inputs["sidecars"] = np.asarray(inputs["nodes"]) * per_node
    return inputs


def sweep(*, output: Any = None, format: str | None = None, totals: bool = False, figures: Any = None,
          chunk_size: int = DEFAULT_CHUNK_SCENARIOS, progress: Callable[[int, int], None] | None = None,
          sidecars_per_node: Any = None, **kwargs: Any) -> "pd.DataFrame | None":
    """Project every combination of the given input values, in chunks.

    Parameters
    ----------
    output : str, Path, open file or None
        Where to write the rows. None (default): return them as one DataFrame. A file is
        replaced only when the whole sweep succeeds (an existing file is never lost).
    format : {"csv", "parquet"}, optional
        The file format; by default Parquet for a name ending in ``.parquet`` or ``.pq``, else
        CSV. Parquet needs pyarrow (``pip install 'meshcost[parquet]'``) and is written one row
        group per chunk.
    totals : bool
        One row per scenario x mesh (:meth:`~meshcost.Projection.mesh_frame`) instead of one
        per scenario x mesh x component (:meth:`~meshcost.Projection.to_frame`).
    figures : list of str, optional
        Only these figures' columns (``["memory", "cost"]``): a smaller file, written faster;
        money is computed only when a money figure is asked for. Default every figure.
    chunk_size : int
        Scenarios projected at once; bounds memory.
    progress : callable, optional
        ``progress(done, total)`` scenarios, after each chunk (and within chunks for Monte Carlo).
    sidecars_per_node : number or sequence, optional
        Meshed pods per node, instead of ``sidecars``: ``sidecars = nodes x this``.
    **kwargs
        :func:`meshcost.project`'s arguments. Scenario inputs (``nodes``, ``sidecars``, ...)
        given as sequences are grid axes, in the order given; numbers are fixed. Other
        arguments (meshes, money, ``samples``) apply to every scenario; with ``samples`` and
        no ``seed``, one seed is drawn and shared by every chunk.

    Returns
    -------
    pandas.DataFrame or None
        The rows (``scenario`` numbering the grid in order), or None when written to ``output``.
    """
    import pandas as pd

    names = set(input_names())
    scenario = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    scenario = {k: v for k, v in scenario.items() if v is not None}  # None: the input's default
    if "nodes" not in scenario:
        fail("nodes", None, "the worker nodes: a number or a sequence (a grid axis)", error=InputTypeError)
    if ("sidecars" in scenario) == (sidecars_per_node is not None):
        fail("sidecars", scenario.get("sidecars"), "either sidecars or sidecars_per_node (not both)",
             error=InputTypeError)
    if sidecars_per_node is not None:
        scenario = {**scenario, "sidecars_per_node": sidecars_per_node}
    axes, fixed = grid_axes(scenario)
    total = int(np.prod([v.size for _, v in axes], dtype=np.float64)) if axes else 1
    if total > MAX_SCENARIOS:
        fail("grid", f"{total:,} scenarios", f"at most {MAX_SCENARIOS:,} scenarios", described=True)
    chunk = whole_number(chunk_size, "chunk_size", minimum=1, maximum=10**8)
    if not isinstance(totals, bool):
        fail("totals", totals, "True or False", error=InputTypeError)
    names_chosen = [f.name for f in chosen_figures(figures, "mesh" if totals else "component")]
    if kwargs.get("samples") is not None and kwargs.get("seed") is None:
        entropy = np.random.SeedSequence().entropy
        kwargs["seed"] = int(entropy) % 2**63 if isinstance(entropy, int) else 0  # one seed shared by every chunk
    kind = _format(output, format)
    if kind == "parquet" and hasattr(output, "write") and isinstance(output, io.TextIOBase):
        fail("output", output, "a path or a binary file for Parquet (open it with 'wb')")
    writer = _ParquetChunks() if kind == "parquet" else None
    frames = []
    with (atomic_writer(output, what=f"the sweep's {kind}", binary=writer is not None)
          if output is not None else _no_file()) as handle, _closing(writer):
        for start in range(0, total, chunk):
            stop = min(start + chunk, total)
            inputs = _chunk_inputs(axes, fixed, start, stop)
            step = None
            if progress is not None and kwargs.get("samples") is not None:
                def step(done: int, of: int, start: int = start, size: int = stop - start) -> None:
                    progress(int(start + size * done / max(of, 1)), total)
            try:
                result = project(**inputs, **kwargs, progress=step)
            except MeshcostError as exc:
                if sidecars_per_node is not None and exc.parameter == "sidecars":
                    fail("sidecars_per_node", exc.value, f"values whose product with nodes (the pods) is "
                         f"{exc.expected or 'whole numbers'}", described=True)
                raise
            # grid order, then mesh and component: the order the rows are written in
            frame = (result._mesh_frame(scenario_major=True, figures=names_chosen) if totals
                     else result._to_frame(scenario_major=True, figures=names_chosen))
            frame["scenario"] += start
            if handle is None:
                frames.append(frame)
            else:
                _write_chunk(writer, handle, frame, start == 0)
            if progress is not None:
                progress(stop, total)

    if output is not None:
        return None
    return pd.concat(frames, ignore_index=True)


#: Rows formatted at a time when writing CSV (bounds the text held in memory).
CSV_BATCH_ROWS = 65_536


def write_csv(frame: "pd.DataFrame", handle: Any, *, header: bool = True) -> None:
    """Write ``frame`` as CSV to a text stream, as ``frame.to_csv(handle, index=False)`` would
    read back: with pyarrow (its C++ writer, about ten times faster) when it is installed, else
    pandas. Numbers are written in their shortest round-trip form (``3`` for 3.0), booleans as
    ``True`` / ``False``, categories as their labels."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:
        frame.to_csv(handle, index=False, header=header)
        return
    names = [str(name) for name in frame.columns]
    if header:
        if any(ch in name for name in names for ch in ',"\n'):  # pragma: no cover - registry names are plain
            raise ValueError("column names must not need quoting")
        handle.write(",".join(names) + "\n")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_boolean(column.type):
            column = pc.if_else(column, "True", "False")
        columns.append(column)
    table = pa.table(columns, names=names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="none")  # as pandas: quotes only if needed
    for start in range(0, table.num_rows, CSV_BATCH_ROWS):
        sink = pa.BufferOutputStream()
        part = table.slice(start, CSV_BATCH_ROWS)
        try:
            pcsv.write_csv(part, sink, write_options=options)
        except pa.ArrowInvalid:  # a label that needs quoting (a profile named "a,b"): pandas quotes it
            part.to_pandas().to_csv(handle, index=False, header=False)
            continue
        handle.write(sink.getvalue().to_pybytes().decode("utf-8"))


def _write_chunk(writer: "_ParquetChunks | None", handle: Any, frame: "pd.DataFrame", first: bool) -> None:
    if writer is not None:
        writer.write(handle, frame)
    else:
        write_csv(frame, handle, header=first)


def _format(output: Any, format: str | None) -> str:
    if format is None:
        name = str(getattr(output, "name", output) or "")
        return "parquet" if name.lower().endswith((".parquet", ".pq")) else "csv"
    if format not in ("csv", "parquet"):
        fail("format", format, "'csv' or 'parquet'")
    return format


class _ParquetChunks:
    """Streams frames into one Parquet file, one row group per chunk (pyarrow, imported on use)."""

    def __init__(self) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise MissingDependencyError(
                "format: got 'parquet'; expected pyarrow to be installed (pip install 'meshcost[parquet]')",
                name="pyarrow") from None
        self.pa, self.pq = pa, pq
        self.writer: Any = None

    def write(self, handle: Any, frame: "pd.DataFrame") -> None:
        table = self.pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            # Dictionary encoding only for the label columns: on float columns it costs time
            # and, with snappy, makes the file no smaller.
            labels = [str(name) for name, dtype in frame.dtypes.items() if str(dtype) == "category"]
            self.writer = self.pq.ParquetWriter(handle, table.schema, use_dictionary=labels)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close()


@contextlib.contextmanager
def _closing(writer: "_ParquetChunks | None") -> Any:
    """Close the Parquet writer (its footer) on success, and on failure before the file is dropped."""
    try:
        yield
    except BaseException:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        raise
    if writer is not None:
        writer.close()


class _no_file:
    """A stand-in for :func:`atomic_writer` when the rows are returned, not written."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None
