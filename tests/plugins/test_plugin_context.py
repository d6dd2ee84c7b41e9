"""The in-memory plugin context and Heat's physical resource names."""

from __future__ import annotations

import pytest

from calor.errors import ResourceFailure
from calor.plugins.context import (
    MemoryPluginContext,
    PluginContext,
    physical_resource_name,
    short_id,
)


def test_memory_context_is_a_plugin_context() -> None:
    assert isinstance(MemoryPluginContext(), PluginContext)


def test_resource_id_data_and_metadata() -> None:
    context = MemoryPluginContext("web", data={"a": "1"}, metadata={"m": 1})
    assert context.resource_id is None
    context.set_resource_id("xyz")
    assert context.resource_id == "xyz"
    context.data_set("b", "2", redact=True)
    assert context.data() == {"a": "1", "b": "2"}
    assert context.redacted_keys == {"b"}
    context.data_delete("b")
    context.data_delete("never-set")
    assert context.data() == {"a": "1"}
    assert context.redacted_keys == set()
    copy = context.data()
    copy["c"] = "3"
    assert "c" not in context.data()
    assert context.metadata() == {"m": 1}
    context.metadata_set([1])
    assert context.metadata() == [1]


def test_data_values_are_strings() -> None:
    with pytest.raises(TypeError):
        MemoryPluginContext().data_set("a", 1)  # type: ignore[arg-type]


def test_cloud_is_an_error_until_configured() -> None:
    with pytest.raises(ResourceFailure, match="no cloud configured"):
        MemoryPluginContext().cloud()
    marker = object()
    assert MemoryPluginContext(cloud=marker).cloud() is marker


def test_stored_attributes() -> None:
    context = MemoryPluginContext(stored_attributes={"a": 1})
    assert context.stored_attributes() == {"a": 1}
    context.set_stored_attributes({"b": 2})
    assert context.stored_attributes() == {"b": 2}


def test_physical_resource_name_is_stable_per_context() -> None:
    context = MemoryPluginContext("server", stack_name="mystack", resource_short_id="abcdefghijkl")
    assert context.physical_resource_name() == "mystack-server-abcdefghijkl"
    other = MemoryPluginContext("server", stack_name="mystack")
    assert other.physical_resource_name() == other.physical_resource_name()


def test_short_ids() -> None:
    identifier = short_id()
    assert len(identifier) == 12
    assert identifier.isalnum() and identifier.lower() == identifier


def test_long_physical_names_are_shortened_as_heat_does() -> None:
    name = physical_resource_name("s" * 300, "resource", "abcdefghijkl")
    assert len(name) == 255
    assert name.startswith("ss-")
    assert name.endswith("-resource-abcdefghijkl")
    assert physical_resource_name("a", "b", "c") == "a-b-c"
