"""OS::Heat::Value: the value property as an attribute, typed by the type property."""

from __future__ import annotations

from typing import Any

import pytest

from calor.errors import PropertyError
from calor.plugins.base import diff_properties
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.value import Value

PATH = "resources.v.properties"


def make(properties: dict[str, Any]) -> Value:
    return Value("v", Value.validate_properties(properties, PATH), MemoryPluginContext("v", stack_name="s"))


def test_untyped_value_is_kept_as_is() -> None:
    plugin = make({"value": {"a": [1, 2]}})
    assert plugin.get_attribute("value") == {"a": [1, 2]}
    assert plugin.get_attribute("value", ("a", 1)) == 2
    assert plugin.all_attributes() == {"value": {"a": [1, 2]}}


@pytest.mark.parametrize(
    ("value_type", "given", "expected"),
    [
        ("number", "3", 3),
        ("string", 5, "5"),
        ("boolean", "true", True),
        ("comma_delimited_list", ["a", "b"], ["a", "b"]),
        ("json", {"a": 1}, {"a": 1}),
    ],
)
def test_typed_values_are_coerced(value_type: str, given: Any, expected: Any) -> None:
    assert make({"value": given, "type": value_type}).get_attribute("value") == expected


def test_type_mismatch_and_bad_types_are_errors() -> None:
    with pytest.raises(PropertyError) as caught:
        make({"value": "abc", "type": "number"})
    assert caught.value.path == f"{PATH}.value"
    with pytest.raises(PropertyError) as caught:
        make({"value": 1, "type": "float"})
    assert caught.value.path == f"{PATH}.type"
    with pytest.raises(PropertyError, match="Property value not assigned"):
        make({})


def test_create_and_update_in_place() -> None:
    plugin = make({"value": "a"})
    plugin.handle_create()
    assert plugin.reference_id().startswith("s-v-")
    new = Value.validate_properties({"value": "b", "type": "string"}, PATH)
    diff = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, diff)
    assert plugin.check_update_complete(plugin.handle_update(new, diff))
    assert plugin.get_attribute("value") == "b"
