"""Price sheets and money: what a vCPU, a GiB and a node cost per month.

Prices come from ``data/prices.csv`` (on-demand list prices; every row names its region,
date and source) or from the caller (:meth:`PriceSheet.from_dict`, :meth:`PriceSheet.from_csv`).

Money is a pint Quantity. ``USD`` is meshcost's currency unit (dimension ``[currency]``,
defined in :mod:`meshcost.units`). Any other ISO-style code (``EUR``, ``GBP``, ...) gets a
dimension of its own, ``[currency_EUR]``, on first use (:func:`currency_unit`), so amounts
in different currencies never add up or convert silently: meshcost has no exchange rates.

Month convention
    A monthly cost is an hourly price times :attr:`PriceSheet.hours_per_month`. The default
    is **730 h** (:data:`HOURS_PER_MONTH`): the calendar average, 8760 h a year / 12, the
    month the AWS and Azure price calculators quote monthly figures in (per the project
    brief; the calculators were not re-read in this session). The Cluster Autoscaler's GCE
    price model uses 24 x 30 = **720 h** (:data:`GCE_HOURS_PER_MONTH`; node-allocatable.md
    section 5); pass ``hours_per_month=720`` to match it. Monthly costs are returned as a
    plain currency amount (``USD``), *not* ``USD / month``: pint's ``month`` is 1/12 of a
    Julian year (730.485 h), so ``.to("USD/hour")`` would silently disagree with the
    sheet's convention.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..io.files import read_text
from .data import data_path
from ..errors import (
    DataFileError,
    InputTypeError,
    InputValueError,
    UnitMismatchError,
    UnknownNameError,
    describe_value,
)
from ..checks import broadcast_shape, first_where
from ..units import is_quantity, plain_number, strip, ureg

__all__ = [
    "HOURS_PER_MONTH",
    "GCE_HOURS_PER_MONTH",
    "MAX_HOURS_PER_MONTH",
    "PRICE_COLUMNS",
    "DEFAULT_INSTANCE",
    "PriceRow",
    "PriceSheet",
    "currency_unit",
    "as_money",
    "price_rows",
    "node_price_row",
    "price_sheet",
    "instance_types",
    "unit_families",
    "default_cpu_share_ratio",
    "unit_prices_from_node",
    "monthly_cost",
    "monthly_amount",
    "node_monthly_cost",
    "savings",
]

#: The highest price per hour accepted (far beyond any machine; keeps every cost finite).
MAX_PRICE_PER_HOUR = 1e9
#: Default hours per month: 8760 h / 12, the calendar-average month AWS and Azure quote
#: monthly prices in (see the module docstring).
HOURS_PER_MONTH = 8760.0 / 12.0
#: 24 h x 30 days, the month of the Cluster Autoscaler's GCE price model
#: (kubernetes/autoscaler cloudprovider/gce; node-allocatable.md section 5).
GCE_HOURS_PER_MONTH = 24.0 * 30.0
#: The longest month: 31 days x 24 h. ``hours_per_month`` must lie in (0, 744].
MAX_HOURS_PER_MONTH = 31.0 * 24.0

#: Columns of ``data/prices.csv`` and of user price sheets read by :meth:`PriceSheet.from_csv`.
PRICE_COLUMNS = (
    "provider",
    "instance_type",
    "region",
    "vcpu",
    "memory_gib",
    "price_per_hour",
    "currency",
    "as_of",
    "source_url",
    "notes",
)

#: Instance used when :func:`price_sheet` is given a provider name. Modelling assumption:
#: the 4 vCPU / 16 GiB shapes of node-allocatable.md section 4's worked example.
DEFAULT_INSTANCE: dict[str, str] = {
    "eks": "m5.xlarge",
    "aws": "m5.xlarge",
    "gke": "e2-standard-4",
    "gcp": "e2-standard-4",
    "aks": "Standard_D4s_v5",
    "azure": "Standard_D4s_v5",
}

# Memory is priced per GiB; the kernels work in MiB. Converted once, with pint.
_MIB_PER_GIB = float(ureg.Quantity(1.0, "GiB").m_as("MiB"))
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_UNIT_ROW = re.compile(r"^(?P<family>\S+) per-(?P<what>vCPU|GiB)-hour\b")


# --------------------------------------------------------------------------- currency


def currency_unit(code: str) -> Any:
    """The pint unit of a currency, defined on first use.

    Parameters
    ----------
    code : str
        Three upper-case letters (ISO 4217 style): ``"USD"``, ``"EUR"``, ``"GBP"``, ...

    Returns
    -------
    pint.Unit
        ``USD`` (dimension ``[currency]``), or for any other code a unit with a dimension of
        its own, ``[currency_<CODE>]``: not convertible to USD or to each other, because
        meshcost has no exchange rates.
    """
    if not isinstance(code, str):
        raise InputTypeError(f"currency: got {describe_value(code)}; expected a 3-letter code such as 'USD'")
    if not _CURRENCY_CODE.match(code):
        raise InputValueError(
            f"currency: got {code!r}; expected three upper-case letters (ISO 4217 style) such as 'USD', 'EUR'"
        )
    if code == "USD":
        return ureg.Unit("USD")
    dimension = f"[currency_{code}]"
    if code not in ureg:
        ureg.define(f"{code} = {dimension}")
    unit = ureg.Unit(code)
    if ureg.get_dimensionality(unit) != ureg.get_dimensionality(dimension):
        raise InputValueError(
            f"currency: {code!r} is already a pint unit ({unit.dimensionality}); "
            "expected a code that pint does not define"
        )
    return unit


def _currency_of(value: Any) -> str | None:
    """The currency code of a money Quantity, or None for a plain number."""
    if not is_quantity(value):
        return None
    dims = dict(value.dimensionality)
    if len(dims) == 1:
        (dim, power), = dims.items()
        if power == 1 and dim == "[currency]":
            return "USD"
        if power == 1 and dim.startswith("[currency_"):
            return dim[len("[currency_"):-1]
    return ""


def as_money(value: Any, currency: str = "USD", *, name: str = "value") -> np.ndarray:
    """Strip a money amount to a float64 array in ``currency``.

    Parameters
    ----------
    value : number, array or Quantity
        Plain numbers are taken in ``currency``; Quantities must be in that currency.
    currency : str
        The expected currency code.
    name : str
        Parameter named in error messages.

    Returns
    -------
    numpy.ndarray
        The amount [currency].
    """
    unit = currency_unit(currency)
    if is_quantity(value):
        got = _currency_of(value)
        if got != currency:
            what = f"an amount in {got}" if got else f"a Quantity in {value.units:~}"
            raise UnitMismatchError(
                f"{name}: got {what} ({describe_value(value)}); expected an amount in {currency}. "
                "meshcost has no exchange rates, so currencies are never converted"
            )
        value = value.m_as(unit)
    return strip(value, name, "count")


# --------------------------------------------------------------------------- price rows


@dataclass(frozen=True)
class PriceRow:
    """One row of a price sheet CSV (see :data:`PRICE_COLUMNS`).

    ``kind`` is ``"node"`` for a machine type (vcpu > 0 and memory_gib > 0), ``"vcpu"`` for a
    per-vCPU-hour unit price (vcpu 1, memory_gib 0) and ``"memory"`` for a per-GiB-hour unit
    price (vcpu 0, memory_gib 1). ``price_per_hour`` is [currency / hour] of that unit.
    """

    provider: str
    instance_type: str
    region: str
    vcpu: float
    memory_gib: float
    price_per_hour: float
    currency: str
    as_of: str
    source_url: str
    notes: str
    kind: str
    file: str
    line: int

    @property
    def family(self) -> str:
        """The machine family of a unit-price row (``"e2"``), else ``""``."""
        match = _UNIT_ROW.match(self.instance_type)
        return match["family"] if match and self.kind != "node" else ""


def _row_error(path: Path, row: int, line: int, field: str, value: Any, expected: str) -> DataFileError:
    return DataFileError(
        f"{path}: row {row} (line {line}), field {field!r}: got {describe_value(value)}; expected {expected}"
    )


def _number(path: Path, row: int, line: int, field: str, text: str, *, minimum: float = 0.0) -> float:
    expected = f"a finite number >= {minimum:g}"
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise _row_error(path, row, line, field, text, expected) from None
    if not math.isfinite(value) or value < minimum:
        raise _row_error(path, row, line, field, text, expected)
    return value


def _read_rows(path: Path) -> tuple[PriceRow, ...]:
    _, text = read_text(path, what=f"a price sheet CSV with columns {list(PRICE_COLUMNS)}")
    rows: list[PriceRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    try:
        with io.StringIO(text, newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            twice = sorted({c for c in header if header.count(c) > 1})
            if twice:
                raise DataFileError(f"{path}: column(s) {twice} appear twice in the header; expected each of "
                                    f"{list(PRICE_COLUMNS)} once")
            missing = [c for c in PRICE_COLUMNS if c not in header]
            if missing:
                raise DataFileError(f"{path}: missing column(s) {missing}; expected columns {list(PRICE_COLUMNS)}")
            for number, raw in enumerate(reader, start=1):
                line = reader.line_num
                if None in raw:
                    raise DataFileError(
                        f"{path}: row {number} (line {line}): more fields than the {len(header)} columns "
                        "of the header; quote fields that contain commas"
                    )
                row = {k: (raw.get(k) or "").strip() for k in PRICE_COLUMNS}
                for field in ("provider", "instance_type", "region", "source_url"):
                    if not row[field]:
                        raise _row_error(path, number, line, field, row[field], "a non-empty text")
                vcpu = _number(path, number, line, "vcpu", row["vcpu"])
                memory = _number(path, number, line, "memory_gib", row["memory_gib"])
                price = _number(path, number, line, "price_per_hour", row["price_per_hour"])
                if not _CURRENCY_CODE.match(row["currency"]):
                    raise _row_error(path, number, line, "currency", row["currency"],
                                     "three upper-case letters such as 'USD'")
                try:
                    date.fromisoformat(row["as_of"])
                except ValueError:
                    raise _row_error(path, number, line, "as_of", row["as_of"],
                                     "an ISO date YYYY-MM-DD") from None
                if vcpu > 0 and memory > 0:
                    kind = "node"
                elif (vcpu, memory) == (1.0, 0.0):
                    kind = "vcpu"
                elif (vcpu, memory) == (0.0, 1.0):
                    kind = "memory"
                else:
                    raise _row_error(
                        path, number, line, "vcpu/memory_gib", (row["vcpu"], row["memory_gib"]),
                        "vcpu > 0 and memory_gib > 0 for a machine type, vcpu 1 and memory_gib 0 for a "
                        "per-vCPU-hour price, or vcpu 0 and memory_gib 1 for a per-GiB-hour price",
                    )
                if kind != "node" and not _UNIT_ROW.match(row["instance_type"]):
                    raise _row_error(
                        path, number, line, "instance_type", row["instance_type"],
                        "'<family> per-vCPU-hour ...' or '<family> per-GiB-hour ...' on a unit-price row",
                    )
                key = (row["provider"], row["instance_type"], row["region"])
                if key in seen:
                    raise _row_error(path, number, line, "instance_type", row["instance_type"],
                                     f"one row per provider, instance type and region (row {seen[key]} "
                                     "has the same)")
                seen[key] = number
                rows.append(PriceRow(row["provider"], row["instance_type"], row["region"], vcpu, memory,
                                     price, row["currency"], row["as_of"], row["source_url"], row["notes"],
                                     kind, str(path), line))
    except csv.Error as exc:
        raise DataFileError(f"{path}: malformed CSV ({exc})") from None
    if not rows:
        raise DataFileError(f"{path}: no price rows; expected a header {list(PRICE_COLUMNS)} and one row or more")
    return tuple(rows)


@lru_cache(maxsize=8)
def _shipped_rows(path: str) -> tuple[PriceRow, ...]:
    return _read_rows(Path(path))


def price_rows(path: str | Path | None = None) -> tuple[PriceRow, ...]:
    """Every row of a price sheet CSV: the shipped ``data/prices.csv`` by default.

    Raises :class:`DataFileError` naming the file, row and field of a bad entry.
    """
    if path is None:
        return _shipped_rows(str(data_path("prices.csv")))
    return _read_rows(Path(path))


def instance_types(path: str | Path | None = None) -> tuple[str, ...]:
    """The machine types of a price sheet (shipped sheet by default)."""
    return tuple(dict.fromkeys(r.instance_type for r in price_rows(path) if r.kind == "node"))


def unit_families(path: str | Path | None = None) -> tuple[str, ...]:
    """The machine families with per-vCPU-hour and per-GiB-hour rows (``"e2"``, ``"n2"``)."""
    return tuple(dict.fromkeys(r.family for r in price_rows(path) if r.kind != "node"))


def _pick(rows: list[PriceRow], region: str | None, what: str) -> PriceRow:
    if region is not None:
        rows = [r for r in rows if r.region == region]
        if not rows:
            raise UnknownNameError(f"region: {region!r} has no price for {what}")
    if len(rows) > 1:
        regions = sorted({r.region for r in rows})
        raise InputValueError(f"region: {what} has prices for several regions {regions}; pass region= one of them")
    return rows[0]


def node_price_row(instance_type: str, region: str | None = None, path: str | Path | None = None) -> PriceRow:
    """The price sheet's row for one machine type (in ``region`` when it has several)."""
    if not isinstance(instance_type, str):
        raise InputTypeError(f"instance_type: got {describe_value(instance_type)}; expected a machine type name")
    rows = price_rows(path)
    matching = [r for r in rows if r.kind == "node" and r.instance_type == instance_type]
    if not matching:
        where = "the shipped price sheet" if path is None else str(path)
        raise UnknownNameError(
            f"instance_type: {instance_type!r} is not in {where}; known: {list(instance_types(path))}"
        )
    return _pick(matching, region, repr(instance_type))


# --------------------------------------------------------------------------- unit-price split


@lru_cache(maxsize=1)
def default_cpu_share_ratio() -> float:
    """Price of one vCPU-hour over one GiB-hour in GCP's published E2 unit prices [GiB / vCPU].

    Read from the shipped sheet's ``e2 per-vCPU-hour`` and ``e2 per-GiB-hour`` rows
    (0.021811 / 0.002923 = 7.46; kubernetes/autoscaler gce_price_info.go, see the CSV).
    """
    sheet = PriceSheet.gcp_unit("e2")
    assert sheet.vcpu_price_per_hour is not None and sheet.gib_price_per_hour is not None
    return sheet.vcpu_price_per_hour / sheet.gib_price_per_hour


def _plain_price(value: Any, name: str) -> np.ndarray:
    if is_quantity(value):
        raise InputTypeError(
            f"{name}: got a Quantity ({describe_value(value)}); expected a plain number "
            "[currency per hour] (the currency is the price sheet's)"
        )
    array = strip(value, name, "count")
    bad = ~np.isfinite(array) | (array < 0)
    if np.any(bad):
        got = first_where(array, bad)
        raise InputValueError(f"{name}: got {got!r}; expected a finite price >= 0 [currency per hour]")
    return array


def _gib(value: Any, name: str) -> np.ndarray:
    """Memory as GiB: plain numbers are GiB, Quantities in the byte family are converted."""
    if is_quantity(value):
        return strip(value, name, "memory") / _MIB_PER_GIB
    return strip(value, name, "count")


def _positive(array: np.ndarray, name: str, unit: str) -> np.ndarray:
    bad = ~np.isfinite(array) | (array <= 0)
    if np.any(bad):
        got = first_where(array, bad)
        raise InputValueError(f"{name}: got {got!r}; expected a finite amount > 0 [{unit}]")
    return array



def unit_prices_from_node(
    price_per_hour: Any, vcpu: Any, memory_gib: Any, cpu_share: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Split a node's hourly price into a per-vCPU-hour and a per-GiB-hour price.

    Split rule (a modelling assumption: AWS and Azure price whole instances, not vCPUs and
    memory separately). With ``cpu_share=None`` (default), a vCPU is priced at
    :func:`default_cpu_share_ratio` (about 7.46) GiB, the ratio of GCP's published E2 unit
    prices, the one public per-vCPU / per-GiB price list among the three providers::

        gib_price = price / (ratio * vcpu + memory_gib),  vcpu_price = ratio * gib_price

    With ``cpu_share=s`` (0-1), a share ``s`` of the node price is CPU::

        vcpu_price = s * price / vcpu,  gib_price = (1 - s) * price / memory_gib

    Either way ``vcpu * vcpu_price + memory_gib * gib_price == price``.

    Parameters
    ----------
    price_per_hour : float or array
        Node price [currency / hour].
    vcpu : float or array
        vCPUs of the node [vCPU, > 0].
    memory_gib : float or array
        Memory of the node [GiB, > 0]; Quantities in bytes are converted.
    cpu_share : float, array or None
        Share of the node price that is CPU [0-1], or None for the E2 ratio rule.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Price per vCPU-hour [currency / vCPU / hour], price per GiB-hour [currency / GiB / hour].
    """
    price = _plain_price(price_per_hour, "price_per_hour")
    cores = _positive(strip(vcpu, "vcpu", "cpu"), "vcpu", "vCPU")
    gib = _positive(_gib(memory_gib, "memory_gib"), "memory_gib", "GiB")
    if cpu_share is None:
        shape = broadcast_shape(price_per_hour=price, vcpu=cores, memory_gib=gib)
        ratio = default_cpu_share_ratio()
        gib_price = price / (ratio * cores + gib)
        vcpu_price = ratio * gib_price
    else:
        share = strip(cpu_share, "cpu_share", "fraction")
        bad = ~np.isfinite(share) | (share < 0) | (share > 1)
        if np.any(bad):
            got = float(np.broadcast_to(share, bad.shape)[bad].flat[0])
            raise InputValueError(f"cpu_share: got {got!r}; expected a share of the node price from 0 to 1")
        shape = broadcast_shape(price_per_hour=price, vcpu=cores, memory_gib=gib, cpu_share=share)
        vcpu_price = share * price / cores
        gib_price = (1.0 - share) * price / gib
    return (np.broadcast_to(vcpu_price, shape).astype(np.float64),
            np.broadcast_to(gib_price, shape).astype(np.float64))


# --------------------------------------------------------------------------- PriceSheet

_PRICE_FIELDS = ("price_per_hour", "vcpu_price_per_hour", "gib_price_per_hour")
_TEXT_FIELDS = ("currency", "instance_type", "region", "as_of", "source", "basis")


@dataclass(frozen=True)
class PriceSheet:
    """Hourly prices in one currency, with provenance.

    Attributes
    ----------
    price_per_hour : float or None
        Price of one node [currency / node / hour].
    vcpu_price_per_hour, gib_price_per_hour : float or None
        Unit prices [currency / vCPU / hour], [currency / GiB / hour]; give both or neither.
    currency : str
        Currency code (default ``"USD"``); see :func:`currency_unit`.
    hours_per_month : float
        Hours billed per month, in (0, 744] (default 730; see the module docstring).
    instance_type, vcpu, memory_gib : str, float or None, float or None
        The priced machine and its shape [vCPU], [GiB], when the sheet prices a node.
    region, as_of, source : str
        Provenance: region, date of the price, source URL.
    basis : str
        How the unit prices were obtained ("published", "split: ...", "user").
    """

    price_per_hour: float | None = None
    vcpu_price_per_hour: float | None = None
    gib_price_per_hour: float | None = None
    currency: str = "USD"
    hours_per_month: float = HOURS_PER_MONTH
    instance_type: str = ""
    vcpu: float | None = None
    memory_gib: float | None = None
    region: str = ""
    as_of: str = ""
    source: str = ""
    basis: str = ""

    def __post_init__(self) -> None:
        for name in _PRICE_FIELDS + ("hours_per_month", "vcpu", "memory_gib"):
            value = getattr(self, name)
            if value is None:
                continue
            object.__setattr__(self, name, plain_number(value, f"PriceSheet.{name}"))
        for name in _PRICE_FIELDS:
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_PRICE_PER_HOUR):
                raise InputValueError(
                    f"PriceSheet.{name}: got {value!r}; expected a price from 0 to {MAX_PRICE_PER_HOUR:g} "
                    f"[{self.currency} per hour]"
                )
        if all(getattr(self, n) is None for n in _PRICE_FIELDS):
            raise InputValueError(
                "PriceSheet: no price given; expected price_per_hour, or vcpu_price_per_hour and "
                "gib_price_per_hour, or all three"
            )
        if (self.vcpu_price_per_hour is None) != (self.gib_price_per_hour is None):
            raise InputValueError(
                "PriceSheet: got only one of vcpu_price_per_hour and gib_price_per_hour; expected both or "
                "neither (use unit_prices_from_node to split a node price)"
            )
        hours = self.hours_per_month
        if hours is None or not (math.isfinite(hours) and 0 < hours <= MAX_HOURS_PER_MONTH):
            raise InputValueError(
                f"PriceSheet.hours_per_month: got {hours!r}; expected hours in (0, {MAX_HOURS_PER_MONTH:g}] "
                f"(730 = 8760/12, the default; 720 = 24 x 30 as the GCE autoscaler uses)"
            )
        for name in ("vcpu", "memory_gib"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0 < value <= 1e7):
                raise InputValueError(f"PriceSheet.{name}: got {value!r}; expected an amount > 0 and at most 1e7")
        for name in _TEXT_FIELDS:
            if not isinstance(getattr(self, name), str):
                raise InputTypeError(f"PriceSheet.{name}: got {describe_value(getattr(self, name))}; expected text")
        currency_unit(self.currency)

    # ------------------------------------------------------------------ properties

    @property
    def unit(self) -> Any:
        """The pint unit of the sheet's currency."""
        return currency_unit(self.currency)

    @property
    def has_unit_prices(self) -> bool:
        """True when the sheet prices vCPU-hours and GiB-hours."""
        return self.vcpu_price_per_hour is not None

    def to_dict(self) -> dict[str, Any]:
        """The sheet as a plain dict (inverse of :meth:`from_dict`)."""
        return asdict(self)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PriceSheet":
        """Build a sheet from a mapping of field names (see the class attributes).

        Unknown keys raise :class:`UnknownNameError` listing the accepted ones.
        """
        if not isinstance(data, Mapping):
            raise InputTypeError(f"data: got {describe_value(data)}; expected a mapping of PriceSheet fields")
        accepted = [f.name for f in fields(cls)]
        unknown = [k for k in data if k not in accepted]
        if unknown:
            raise UnknownNameError(f"PriceSheet.from_dict: unknown key(s) {unknown}; accepted: {accepted}")
        kwargs = dict(data)
        if kwargs.get("hours_per_month") is None:
            kwargs.pop("hours_per_month", None)
        return cls(**kwargs)

    @classmethod
    def _from_node_row(cls, row: PriceRow, *, cpu_share: Any, hours_per_month: float) -> "PriceSheet":
        if cpu_share is not None:
            share = strip(cpu_share, "cpu_share", "fraction")
            if share.ndim:
                raise InputValueError(
                    f"cpu_share: got an array of shape {share.shape}; expected one share for a price sheet "
                    "(call unit_prices_from_node directly to sweep shares)"
                )
            cpu_share = float(share)
        vcpu_price, gib_price = unit_prices_from_node(row.price_per_hour, row.vcpu, row.memory_gib, cpu_share)
        rule = ("GCP E2 vCPU:GiB price ratio (assumption)" if cpu_share is None
                else f"cpu_share={cpu_share:g} (caller)")
        return cls(
            price_per_hour=row.price_per_hour,
            vcpu_price_per_hour=float(vcpu_price),
            gib_price_per_hour=float(gib_price),
            currency=row.currency,
            hours_per_month=hours_per_month,
            instance_type=row.instance_type,
            vcpu=row.vcpu,
            memory_gib=row.memory_gib,
            region=row.region,
            as_of=row.as_of,
            source=row.source_url,
            basis=f"node price published; unit prices split by {rule}",
        )

    @classmethod
    def for_instance(
        cls,
        instance_type: str,
        *,
        region: str | None = None,
        cpu_share: Any = None,
        hours_per_month: float = HOURS_PER_MONTH,
        path: str | Path | None = None,
    ) -> "PriceSheet":
        """The on-demand price of a machine type (shipped sheet, or the CSV at ``path``).

        Unit prices are derived with :func:`unit_prices_from_node` (``cpu_share``).
        Unknown types raise :class:`UnknownNameError` listing the known ones.
        """
        row = node_price_row(instance_type, region, path)
        return cls._from_node_row(row, cpu_share=cpu_share, hours_per_month=hours_per_month)

    @classmethod
    def gcp_unit(
        cls,
        family: str = "e2",
        *,
        region: str | None = None,
        hours_per_month: float = HOURS_PER_MONTH,
        path: str | Path | None = None,
    ) -> "PriceSheet":
        """GCP's published per-vCPU-hour and per-GiB-hour prices of a machine family (``"e2"``, ``"n2"``)."""
        return cls._unit(family, "gcp", region=region, hours_per_month=hours_per_month, path=path)

    @classmethod
    def _unit(cls, family: str, provider: str | None, *, region: str | None, hours_per_month: float,
              path: str | Path | None) -> "PriceSheet":
        rows = [r for r in price_rows(path) if r.kind != "node" and (provider is None or r.provider == provider)]
        known = list(dict.fromkeys(r.family for r in rows))
        picked = {}
        for kind in ("vcpu", "memory"):
            matching = [r for r in rows if r.family == family and r.kind == kind]
            if not matching:
                raise UnknownNameError(
                    f"family: {family!r} has no per-{'vCPU' if kind == 'vcpu' else 'GiB'}-hour price"
                    f"{' for ' + provider if provider else ''}; known families: {known}"
                )
            picked[kind] = _pick(matching, region, f"family {family!r}")
        cpu, mem = picked["vcpu"], picked["memory"]
        if cpu.currency != mem.currency:
            raise DataFileError(
                f"{cpu.file}: lines {cpu.line} and {mem.line}, field 'currency': {cpu.currency!r} and "
                f"{mem.currency!r} differ; expected one currency for a family's unit prices"
            )
        return cls(
            vcpu_price_per_hour=cpu.price_per_hour,
            gib_price_per_hour=mem.price_per_hour,
            currency=cpu.currency,
            hours_per_month=hours_per_month,
            instance_type=f"{family} (unit prices)",
            region=cpu.region,
            as_of=max(cpu.as_of, mem.as_of),
            source=cpu.source_url if cpu.source_url == mem.source_url else f"{cpu.source_url} ; {mem.source_url}",
            basis="published unit prices",
        )

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        name: str | None = None,
        *,
        region: str | None = None,
        cpu_share: Any = None,
        hours_per_month: float = HOURS_PER_MONTH,
    ) -> "PriceSheet":
        """Read a user price sheet with the columns of :data:`PRICE_COLUMNS`.

        ``name`` is a machine type or a unit-price family; it may be omitted when the file holds
        exactly one machine type (or one family). Bad entries raise :class:`DataFileError`
        naming the file, row and field.
        """
        rows = price_rows(path)
        if name is None:
            nodes = list(dict.fromkeys(r.instance_type for r in rows if r.kind == "node"))
            families = list(dict.fromkeys(r.family for r in rows if r.kind != "node"))
            if len(nodes) + len(families) != 1:
                raise InputValueError(
                    f"name: {path} prices {nodes + families}; pass name= one of them"
                )
            name = (nodes + families)[0]
        if any(r.kind == "node" and r.instance_type == name for r in rows):
            return cls.for_instance(name, region=region, cpu_share=cpu_share,
                                    hours_per_month=hours_per_month, path=path)
        if any(r.kind != "node" and r.family == name for r in rows):
            return cls._unit(name, None, region=region, hours_per_month=hours_per_month, path=path)
        raise UnknownNameError(
            f"name: {name!r} is not in {path}; known machine types {list(instance_types(path))}, "
            f"unit-price families {list(unit_families(path))}"
        )


def price_sheet(
    provider_or_instance: str,
    *,
    region: str | None = None,
    cpu_share: Any = None,
    hours_per_month: float = HOURS_PER_MONTH,
) -> PriceSheet:
    """A price sheet from the shipped CSV, by provider, machine type or unit-price family.

    Parameters
    ----------
    provider_or_instance : str
        A provider (``"eks"``/``"aws"``, ``"gke"``/``"gcp"``, ``"aks"``/``"azure"``: its
        :data:`DEFAULT_INSTANCE`), a machine type (``"m5.xlarge"``) or a GCP family with
        published unit prices (``"e2"``, ``"n2"``).
    region, cpu_share, hours_per_month
        As for :meth:`PriceSheet.for_instance`.
    """
    if not isinstance(provider_or_instance, str):
        raise InputTypeError(
            f"provider_or_instance: got {describe_value(provider_or_instance)}; expected a provider, "
            "machine type or family name"
        )
    name = DEFAULT_INSTANCE.get(provider_or_instance.lower(), provider_or_instance)
    if name in unit_families() and name not in instance_types():
        return PriceSheet.gcp_unit(name, region=region, hours_per_month=hours_per_month)
    if name not in instance_types():
        raise UnknownNameError(
            f"provider_or_instance: {provider_or_instance!r} is not known; expected a provider "
            f"{sorted(DEFAULT_INSTANCE)}, a machine type {list(instance_types())} or a unit-price family "
            f"{list(unit_families())}"
        )
    return PriceSheet.for_instance(name, region=region, cpu_share=cpu_share, hours_per_month=hours_per_month)


# --------------------------------------------------------------------------- costs


def _sheet(sheet: Any) -> PriceSheet:
    if not isinstance(sheet, PriceSheet):
        raise InputTypeError(f"sheet: got {describe_value(sheet)}; expected a PriceSheet (see price_sheet())")
    return sheet


def _amount(array: np.ndarray, name: str, unit: str) -> np.ndarray:
    bad = ~np.isfinite(array) | (array < 0)
    if np.any(bad):
        got = first_where(array, bad)
        raise InputValueError(f"{name}: got {got!r}; expected a finite amount >= 0 [{unit}]")
    return array


def _money(array: np.ndarray, sheet: PriceSheet) -> Any:
    return ureg.Quantity(array[()] if array.ndim == 0 else array, sheet.unit)


def monthly_cost(cpu_vcpu: Any, memory_mib: Any, sheet: PriceSheet) -> Any:
    """What CPU and memory cost for a month at the sheet's unit prices.

    ``cost = (cpu * vcpu_price + memory / 1024 * gib_price) * hours_per_month``: exactly
    linear in the prices and in the amounts. Memory is priced per GiB (1 GiB = 1024 MiB,
    converted with pint).

    Parameters
    ----------
    cpu_vcpu : float, array or Quantity
        CPU [vCPU, >= 0]; Quantities in vCPU / millicore are converted.
    memory_mib : float, array or Quantity
        Memory [MiB, >= 0]; Quantities in bytes (MB, GiB, ...) are converted.
    sheet : PriceSheet
        Must have unit prices (``sheet.has_unit_prices``).

    Returns
    -------
    pint.Quantity
        The cost of one month [sheet currency, per month of ``sheet.hours_per_month`` hours],
        broadcast over the inputs.
    """
    sheet = _sheet(sheet)
    if not sheet.has_unit_prices:
        raise InputValueError(
            f"sheet: {sheet.instance_type or 'this sheet'} has only a node price; expected unit prices "
            "(vcpu_price_per_hour, gib_price_per_hour): use PriceSheet.for_instance(...) or "
            "unit_prices_from_node(...)"
        )
    cpu = _amount(strip(cpu_vcpu, "cpu_vcpu", "cpu"), "cpu_vcpu", "vCPU")
    mem = _amount(strip(memory_mib, "memory_mib", "memory"), "memory_mib", "MiB")
    broadcast_shape(cpu_vcpu=cpu, memory_mib=mem)
    return _money(np.asarray(monthly_amount(cpu, mem, sheet), dtype=np.float64), sheet)


def monthly_amount(cpu_vcpu: np.ndarray, memory_mib: np.ndarray, sheet: PriceSheet) -> np.ndarray:
    """The unit-price formula of :func:`monthly_cost` on plain, already validated arrays.

    CPU [vCPU], memory [MiB]; returns the cost of one month [sheet currency]. The sheet
    must have unit prices.
    """
    assert sheet.vcpu_price_per_hour is not None and sheet.gib_price_per_hour is not None
    hourly = cpu_vcpu * sheet.vcpu_price_per_hour + (memory_mib / _MIB_PER_GIB) * sheet.gib_price_per_hour
    return hourly * sheet.hours_per_month


def node_monthly_cost(nodes: Any, sheet: PriceSheet, node: Any = None) -> Any:
    """What ``nodes`` nodes cost for a month.

    Uses the sheet's node price; a sheet with only unit prices needs the node's shape,
    from ``node`` (a :class:`~meshcost.nodes.NodeShape` or anything with ``vcpu`` and
    ``memory_gib``) or from the sheet's own ``vcpu`` / ``memory_gib``.

    Parameters
    ----------
    nodes : float or array
        Number of nodes [count, >= 0]; fractions are allowed (node-equivalents).
    sheet : PriceSheet
        Prices.
    node : NodeShape, optional
        Shape to price with unit prices when the sheet has no node price.

    Returns
    -------
    pint.Quantity
        The cost of one month [sheet currency, per month of ``sheet.hours_per_month`` hours].
    """
    sheet = _sheet(sheet)
    count = _amount(strip(nodes, "nodes", "count"), "nodes", "count")
    if sheet.price_per_hour is not None and node is None:
        hourly = sheet.price_per_hour
    else:
        shape_src = node if node is not None else sheet
        vcpu = getattr(shape_src, "vcpu", None)
        gib = getattr(shape_src, "memory_gib", None)
        if vcpu is None or gib is None:
            raise InputTypeError(
                f"node: got {describe_value(node)}; expected a NodeShape (or anything with vcpu and memory_gib) "
                "because the sheet has no node price"
            )
        if not sheet.has_unit_prices:
            raise InputValueError(
                "sheet: has no unit prices to price the given node shape; expected vcpu_price_per_hour and "
                "gib_price_per_hour, or drop node= to use the sheet's node price"
            )
        assert sheet.vcpu_price_per_hour is not None and sheet.gib_price_per_hour is not None
        hourly = float(vcpu) * sheet.vcpu_price_per_hour + float(gib) * sheet.gib_price_per_hour
    return _money(np.asarray(count * hourly * sheet.hours_per_month, dtype=np.float64), sheet)


def savings(cost_a: Any, cost_b: Any, *, relative: bool = False) -> Any:
    """How much cheaper ``cost_b`` is than ``cost_a``: ``cost_a - cost_b``.

    Parameters
    ----------
    cost_a, cost_b : Quantity, float or array
        Amounts in one currency (money Quantities, e.g. from :func:`monthly_cost`). A plain
        number takes the currency of the other argument (USD if both are plain).
    relative : bool
        Return ``(cost_a - cost_b) / cost_a`` [fraction] instead of an amount; ``cost_a``
        must then be non-zero.

    Returns
    -------
    pint.Quantity
        The saving [currency] (negative when ``cost_b`` costs more), or the relative saving
        [dimensionless], broadcast over the inputs.
    """
    cur_a, cur_b = _currency_of(cost_a), _currency_of(cost_b)
    for name, value, cur in (("cost_a", cost_a, cur_a), ("cost_b", cost_b, cur_b)):
        if cur == "":
            raise UnitMismatchError(f"{name}: got a Quantity in {value.units:~}; expected an amount of money")
    if cur_a is not None and cur_b is not None and cur_a != cur_b:
        raise UnitMismatchError(
            f"cost_b: got an amount in {cur_b} while cost_a is in {cur_a}; expected one currency. "
            "meshcost has no exchange rates, so it cannot compare or convert between currencies"
        )
    currency = cur_a or cur_b or "USD"
    a = as_money(cost_a, currency, name="cost_a")
    b = as_money(cost_b, currency, name="cost_b")
    for name, array in (("cost_a", a), ("cost_b", b)):
        if not np.all(np.isfinite(array)):
            raise InputValueError(f"{name}: got a non-finite amount; expected finite amounts of money")
    broadcast_shape(cost_a=a, cost_b=b)
    diff = a - b
    if relative:
        if np.any(a == 0):
            raise InputValueError("cost_a: got 0; expected a non-zero baseline for relative=True")
        share = np.asarray(diff / a, dtype=np.float64)
        return ureg.Quantity(share[()] if share.ndim == 0 else share, "dimensionless")
    diff = np.asarray(diff, dtype=np.float64)
    return ureg.Quantity(diff[()] if diff.ndim == 0 else diff, currency_unit(currency))
