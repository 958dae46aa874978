"""Bad input gets one meshcost error naming the parameter, the value and what is accepted."""

from __future__ import annotations

import numpy as np
import pytest

import meshcost
from meshcost import ureg


def check(exc_info, *words):
    message = str(exc_info.value)
    for word in words:
        assert word in message, (word, message)
    assert isinstance(exc_info.value, meshcost.MeshcostError)


@pytest.mark.parametrize("name", ["nodes", "sidecars", "services", "waypoints"])
def test_negative_counts(name):
    kwargs = {"nodes": 10, "sidecars": 100, name: -3}
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(**kwargs)
    check(info, name, "-3", ">=")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", ["nodes", "sidecars", "rps", "services"])
def test_nan_and_infinite(name, bad):
    kwargs = {"nodes": 10, "sidecars": 100, name: bad}
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(**kwargs)
    check(info, name)


def test_nan_inside_an_array_names_the_value():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=np.array([1, 2, np.nan]), sidecars=10)
    check(info, "nodes", "nan", "at index (2,)")


def test_fractional_pod_counts():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=10, sidecars=12.5)
    check(info, "sidecars", "12.5", "whole numbers")


def test_zero_nodes():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=0, sidecars=10)
    check(info, "nodes", ">= 1")


@pytest.mark.parametrize("bad", ["500", "many", None, object(), [1, "a"], True])
def test_non_numeric(bad):
    with pytest.raises(meshcost.InputTypeError) as info:
        meshcost.project(nodes=bad, sidecars=10)
    check(info, "nodes")
    assert isinstance(info.value, TypeError)


def test_time_where_a_memory_is_expected():
    with pytest.raises(meshcost.UnitMismatchError) as info:
        meshcost.project(nodes=10, sidecars=100, overrides={"linkerd.proxy.memory.instance": 5 * ureg.second})
    check(info, "linkerd.proxy.memory.instance", "bytes")


def test_count_where_bytes_are_expected():
    # pint treats bytes as dimensionless; a plain count must still be refused.
    for bad in (5 * ureg.count, ureg.Quantity(5, "dimensionless"), 5 * ureg.percent):
        with pytest.raises(meshcost.UnitMismatchError) as info:
            meshcost.project(nodes=10, sidecars=100, overrides={"linkerd.proxy.memory.instance": bad})
        check(info, "memory.instance", "bytes")


def test_bytes_where_a_count_is_expected():
    with pytest.raises(meshcost.UnitMismatchError) as info:
        meshcost.project(nodes=10 * ureg.MiB, sidecars=100)
    check(info, "nodes", "count")


def test_memory_where_a_rate_is_expected():
    with pytest.raises(meshcost.UnitMismatchError) as info:
        meshcost.project(nodes=10, sidecars=100, rps=3 * ureg.GiB)
    check(info, "rps", "1/time")


@pytest.mark.parametrize("meshes", [[None], ["linkerd", 5], [b"linkerd"]])
def test_mesh_entries_of_other_types_are_refused_before_versions_are_matched(meshes):
    with pytest.raises(meshcost.InputTypeError) as info:
        meshcost.project(nodes=10, sidecars=100, meshes=meshes, versions={"istio-sidecar": "1.20"})
    check(info, "meshes", "mesh names or MeshProfile objects")


def test_unknown_mesh_name():
    with pytest.raises(meshcost.UnknownNameError) as info:
        meshcost.project(nodes=10, sidecars=100, meshes=["istio-sidecar", "consul"])
    check(info, "consul", "istio-ambient", "linkerd")
    assert isinstance(info.value, ValueError)
    r = meshcost.project(nodes=10, sidecars=100)
    with pytest.raises(meshcost.UnknownNameError) as info:
        r["kuma"]
    check(info, "kuma", "linkerd")
    assert isinstance(info.value, KeyError)


def test_inputs_that_do_not_broadcast():
    with pytest.raises(meshcost.BroadcastError) as info:
        meshcost.project(nodes=np.arange(1, 4), sidecars=np.arange(5))
    check(info, "nodes (3,)", "sidecars (5,)")


def test_visible_services_above_services():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=10, sidecars=100, services=20, visible_services=30)
    check(info, "visible_services", "30", "services", "<=")


def test_l7_share_without_waypoints_and_out_of_range():
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=10, sidecars=100, l7_share=0.5)
    check(info, "l7_share", "waypoints")
    with pytest.raises(meshcost.InputValueError) as info:
        meshcost.project(nodes=10, sidecars=100, waypoints=2, l7_share=1.5)
    check(info, "l7_share", "1.5")


@pytest.mark.parametrize("key", ["linkerd.proxy.memory", "linkerd.proxy.memory.per_service",
                                 "kuma.proxy.memory.instance", 42])
def test_bad_override_keys(key):
    with pytest.raises(meshcost.MeshcostError) as info:
        meshcost.project(nodes=10, sidecars=100, overrides={key: 1.0})
    check(info, "overrides")


def test_bad_override_values():
    key = "linkerd.proxy.memory.instance"
    with pytest.raises(meshcost.InputValueError):
        meshcost.project(nodes=10, sidecars=100, overrides={key: -1.0})
    with pytest.raises(meshcost.InputValueError):
        meshcost.project(nodes=10, sidecars=100, overrides={key: (3.0, 2.0, 4.0)})
    with pytest.raises(meshcost.BroadcastError):
        meshcost.project(nodes=np.arange(1, 4), sidecars=10, overrides={key: np.ones(2)})
