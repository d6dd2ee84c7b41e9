"""The ResourcePlugin contract: defaults of every hook, attributes, references, update decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from calor.errors import InvalidTemplateReference, PropertyError, ResourceFailure
from calor.plugins.base import (
    SHOW,
    ActionNotSupported,
    ResourcePlugin,
    diff_properties,
    select_from_attribute,
)
from calor.plugins.context import MemoryPluginContext
from calor.schema.properties import (
    INTEGER,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)


class Sample(ResourcePlugin):
    """A sample resource for tests."""

    type_name: ClassVar[str] = "Test::Sample"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="1.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "A name.", update_allowed=True),
        "size": PropertySchema(INTEGER, "A size.", default=1),
        "zone": PropertySchema(STRING, "A zone.", immutable=True, update_allowed=True),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "details": AttributeSchema("Details.", type=MAP),
        "size": AttributeSchema("The size."),
    }

    def resolve_attribute(self, name: str) -> Any:
        if name == "details":
            return {"networks": [{"address": "10.0.0.1"}], "flat": "x"}
        if name == "size":
            return self.properties["size"]
        return None


def make(properties: Mapping[str, Any] | None = None, **context: Any) -> Sample:
    validated = Sample.validate_properties(properties or {}, "resources.sample.properties")
    return Sample("sample", validated, MemoryPluginContext("sample", **context))


def test_properties_are_validated_by_the_classmethod() -> None:
    assert Sample.validate_properties({"size": "3"}, "resources.s.properties") == {
        "name": None,
        "size": 3,
        "zone": None,
    }
    with pytest.raises(PropertyError) as caught:
        Sample.validate_properties({"colour": "red"}, "resources.s.properties")
    assert caught.value.path == "resources.s.properties"


def test_every_hook_has_a_default() -> None:
    plugin = make()
    assert plugin.check_create_complete(plugin.handle_create()) is True
    assert plugin.check_update_complete(plugin.handle_update({}, {})) is True
    assert plugin.check_delete_complete(plugin.handle_delete()) is True
    assert plugin.check_suspend_complete(plugin.handle_suspend()) is True
    assert plugin.check_resume_complete(plugin.handle_resume()) is True
    assert plugin.check_snapshot_complete(plugin.handle_snapshot()) is True
    assert plugin.check_adopt_complete(None) is True
    plugin.handle_check()
    plugin.validate()
    assert plugin.handle_restore({}) is None
    assert plugin.handle_delete_snapshot({}) is None


def test_signals_are_not_supported_by_default() -> None:
    with pytest.raises(ActionNotSupported, match="Signal is not supported"):
        make().handle_signal({"data": 1})


def test_reference_id_is_the_physical_id_else_the_name() -> None:
    plugin = make()
    assert plugin.reference_id() == "sample"
    plugin.context.set_resource_id("abc-123")
    assert plugin.reference_id() == "abc-123"
    assert plugin.resource_id == "abc-123"


def test_attributes_and_paths() -> None:
    plugin = make({"size": 4})
    assert plugin.get_attribute("size") == 4
    assert plugin.get_attribute("details", ("networks", 0, "address")) == "10.0.0.1"
    assert plugin.get_attribute("details", ("networks", 5, "address")) is None
    assert plugin.get_attribute("details", ("missing",)) is None
    assert plugin.get_attribute("details", ("flat", "deeper")) is None
    assert plugin.get_attribute(SHOW) is None
    assert plugin.all_attributes() == {"details": plugin.get_attribute("details"), "size": 4}
    with pytest.raises(InvalidTemplateReference, match=r"\(sample nothing\) is incorrect"):
        plugin.get_attribute("nothing")


def test_every_type_has_the_show_attribute() -> None:
    assert Sample.has_attribute("show")
    assert Sample.has_attribute("details")
    assert not Sample.has_attribute("nothing")
    assert set(Sample.attribute_schemas()) == {"details", "size", "show"}


def test_select_from_attribute() -> None:
    value = {"a": [1, {"b": "c"}]}
    assert select_from_attribute(value, ()) == value
    assert select_from_attribute(value, ("a", 1, "b")) == "c"
    assert select_from_attribute(value, ("a", "1")) is None
    assert select_from_attribute(value, ("a", -1, "b")) == "c"
    assert select_from_attribute(None, ("a",)) is None


def test_diff_properties() -> None:
    assert diff_properties({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": 3, "c": 4}
    assert diff_properties({"a": 1}, {}) == {"a": None}
    assert diff_properties({"a": [1]}, {"a": [1]}) == {}


def test_update_allowed_properties_update_in_place_others_replace() -> None:
    plugin = make({"name": "a"})
    new = Sample.validate_properties({"name": "b"}, "p")
    diff = diff_properties(plugin.properties, new)
    assert plugin.needs_update(new, diff)
    assert not plugin.needs_replace(new, diff)
    new = Sample.validate_properties({"name": "a", "size": 2}, "p")
    diff = diff_properties(plugin.properties, new)
    assert plugin.needs_replace(new, diff)
    assert not plugin.needs_update(plugin.properties, {})
    assert not plugin.needs_replace(plugin.properties, {})


def test_changing_an_immutable_property_fails_the_update() -> None:
    plugin = make({"zone": "a"})
    with pytest.raises(ResourceFailure, match=r"Update to properties zone of sample \(Test::Sample\)"):
        plugin.needs_replace({"zone": "b"}, {"zone": "b"})


def test_abandon_and_adopt() -> None:
    plugin = make()
    plugin.context.set_resource_id("phys")
    plugin.context.data_set("key", "value")
    plugin.context.metadata_set({"m": 1})
    abandoned = plugin.handle_abandon()
    assert abandoned == {"resource_id": "phys", "resource_data": {"key": "value"}, "metadata": {"m": 1}}
    adopter = make()
    adopter.handle_adopt(abandoned)
    assert adopter.resource_id == "phys"
    assert adopter.context.data() == {"key": "value"}
    assert adopter.context.metadata() == {"m": 1}
    with pytest.raises(ResourceFailure, match="Resource ID was not provided"):
        make().handle_adopt({})


def test_resource_schema_for_the_api() -> None:
    schema = Sample.resource_schema()
    assert schema["resource_type"] == "Test::Sample"
    assert schema["properties"]["size"]["default"] == 1
    show = {"description": "Detailed information about resource.", "type": "map"}
    assert schema["attributes"]["show"] == show
    assert schema["attributes"]["size"] == {"description": "The size."}
    assert schema["support_status"]["version"] == "1.0.0"
    assert schema["description"] == "A sample resource for tests."


def test_properties_path_and_clock() -> None:
    plugin = make()
    assert plugin.properties_path == "resources.sample.properties"
    assert plugin.now() > 0
