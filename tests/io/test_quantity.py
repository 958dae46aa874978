"""Kubernetes quantity parsing, checked against the kubernetes client's parser as an oracle."""

from __future__ import annotations

import decimal
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kubernetes.utils.quantity import parse_quantity as oracle

from meshcost.errors import InputTypeError, InputValueError, UnitMismatchError
from meshcost.io.quantity import parse_cpu, parse_memory, parse_quantity
from meshcost.units import ureg

PROFILE = settings(derandomize=True, max_examples=300, deadline=None, database=None)

# The oracle multiplies in the current decimal context (28 digits); meshcost is exact.
ORACLE_CONTEXT = decimal.Context(prec=28)

BINARY = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
DECIMAL = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"]

digits = st.text("0123456789", min_size=1, max_size=9)
numbers = st.one_of(
    digits,
    st.tuples(digits, digits).map(".".join),
    digits.map(lambda d: d + "."),
    digits.map(lambda d: "." + d),
)
signs = st.sampled_from(["", "+", "-"])
exponents = st.tuples(st.sampled_from("eE"), signs, st.text("0123456789", min_size=1, max_size=2)).map("".join)
suffixes = st.one_of(st.sampled_from(BINARY + DECIMAL), exponents)
valid_quantities = st.tuples(signs, numbers, suffixes).map("".join)

bad_suffixes = ["mi", "ki", "ni", "ui", "i", "Kb", "MB", "b", "x", "e", "E+", "e-", "ee3", "e1.5", "Gi3", "iM"]
malformed_quantities = st.one_of(
    st.tuples(signs, numbers, st.sampled_from(bad_suffixes)).map("".join),
    st.tuples(numbers, st.sampled_from([".", ".5", "+1", "-"]), suffixes).map("".join),  # 1.2.3, 1+1
    st.tuples(st.sampled_from(["", "+", "-", ".", "+.", "-."]), st.sampled_from(BINARY + DECIMAL)).map("".join),
    st.tuples(st.sampled_from(["++", "--", "+-", "-+"]), numbers).map("".join),
    st.text("abcxyz.-+eEiMm", max_size=6),
).filter(lambda text: _oracle_rejects(text))


def _oracle_rejects(text: str) -> bool:
    try:
        oracle(text)
    except ValueError:
        return True
    return False


@PROFILE
@given(valid_quantities)
def test_valid_quantities_agree_with_the_kubernetes_parser(text):
    ours = parse_quantity(text)
    assert ORACLE_CONTEXT.plus(ours) == ORACLE_CONTEXT.plus(oracle(text))


@PROFILE
@given(malformed_quantities)
def test_malformed_quantities_are_rejected_like_the_kubernetes_parser(text):
    with pytest.raises(InputValueError) as info:
        parse_quantity(text, name="spec.cpu")
    message = str(info.value)
    assert message.startswith("spec.cpu:") and repr(text) in message and "Ki Mi Gi" in message


@pytest.mark.parametrize(
    "text",
    # The python client accepts these (it hands them to Decimal()); Kubernetes' grammar does not.
    [" 1", "1 ", "1\n", "1K", "1e3k", "1e3Mi", "1_000", "NaN", "Infinity", "\u0661", "1.5e3m"],
)
def test_strings_kubernetes_rejects_but_the_python_client_accepts(text):
    oracle(text)  # documents the client's leniency
    with pytest.raises(InputValueError):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["", ".", "-", "+", "Mi", "m", "1.2.3", "1i", ".5i", "-3.01e-", "1.1.M", "0.1am"])
def test_rejected(text):
    with pytest.raises(InputValueError, match="expected a Kubernetes quantity"):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Decimal("0.1")),
        ("128Mi", Decimal(128 * 2**20)),
        ("1G", Decimal(10**9)),
        ("2", Decimal(2)),
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("0.5Gi", Decimal(2**29)),
        ("+1.", Decimal(1)),
        (".5", Decimal("0.5")),
        ("-1Ki", Decimal(-1024)),
        ("1E", Decimal(10**18)),
        ("1Ei", Decimal(2**60)),
        ("250u", Decimal("0.00025")),
        ("5n", Decimal("0.000000005")),
        ("1e+2", Decimal(100)),
        ("123456789012345678901234567890Ki", Decimal(123456789012345678901234567890 * 1024)),  # exact
    ],
)
def test_unit_cases(text, value):
    assert parse_quantity(text) == value


def test_numbers_pass_through():
    assert parse_quantity(3) == 3
    assert parse_quantity(0.5) == Decimal("0.5")
    assert parse_quantity(np.int64(2**62)) == 2**62
    with pytest.raises(InputTypeError, match="quantity: got True"):
        parse_quantity(True)
    with pytest.raises(InputTypeError):
        parse_quantity(None)
    with pytest.raises(InputValueError, match="finite"):
        parse_quantity(float("inf"))


@pytest.mark.parametrize(
    ("value", "vcpu"),
    [("100m", 0.1), ("2", 2.0), ("1500m", 1.5), ("0.25", 0.25), (2, 2.0), (0.5, 0.5)],
)
def test_cpu(value, vcpu):
    assert parse_cpu(value) == vcpu


def test_cpu_quantities():
    assert parse_cpu(250 * ureg.millicore) == pytest.approx(0.25)
    assert parse_cpu(ureg.Quantity(2, "vCPU")) == 2.0
    with pytest.raises(UnitMismatchError, match="requests.cpu"):
        parse_cpu(ureg.Quantity(1, "MiB"), name="requests.cpu")


@pytest.mark.parametrize(
    ("value", "mib"),
    [
        ("128Mi", 128.0),
        ("1G", 1e9 / 2**20),
        ("1Gi", 1024.0),
        ("0.5Gi", 512.0),
        ("1048576", 1.0),
        ("64", 64 / 2**20),
        (64, 64.0),
    ],
)
def test_memory(value, mib):
    assert parse_memory(value) == pytest.approx(mib, rel=1e-15)


def test_memory_quantities():
    assert parse_memory(ureg.Quantity(1, "GiB")) == 1024.0
    assert parse_memory(ureg.Quantity(1, "GB")) == pytest.approx(1e9 / 2**20)
    with pytest.raises(UnitMismatchError, match="limits.memory"):
        parse_memory(ureg.Quantity(1, "vCPU"), name="limits.memory")
    with pytest.raises(UnitMismatchError):
        parse_memory(ureg.Quantity(3, "dimensionless"))


@PROFILE
@given(st.tuples(numbers, suffixes).map("".join))
def test_memory_agrees_with_the_oracle(text):
    expected = float(oracle(text)) / 2**20
    assert parse_memory(text) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("parse", [parse_cpu, parse_memory])
def test_amount_errors_name_the_parameter(parse):
    with pytest.raises(InputValueError, match=r"proxy: got '-1'.*>= 0"):
        parse("-1", name="proxy")
    with pytest.raises(InputValueError, match=r"proxy: got '1e999'.*finite"):
        parse("1e999", name="proxy")
    with pytest.raises(InputValueError, match=r"proxy: got '100 m'.*Kubernetes quantity"):
        parse("100 m", name="proxy")
    with pytest.raises(InputValueError, match="single value"):
        parse(np.array([1.0, 2.0]), name="proxy")
    with pytest.raises(InputTypeError, match="proxy"):
        parse(None, name="proxy")
