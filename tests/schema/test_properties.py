"""Property schemas: coercion, defaults, required and unknown properties, nesting, API rendering."""

from __future__ import annotations

from typing import Any

import pytest

from calor.errors import PropertyError
from calor.schema.constraints import AllowedValues, Length, Range
from calor.schema.properties import (
    ANY,
    BOOLEAN,
    HIDDEN,
    INTEGER,
    JSON,
    LIST,
    MAP,
    NUMBER,
    STRING,
    AttributeSchema,
    Properties,
    PropertySchema,
    SupportStatus,
    attributes_to_api,
    schema_to_api,
    validate_properties,
)

PATH = "resources.web.properties"


def check(schema: PropertySchema, value: Any) -> Any:
    return validate_properties({"p": schema}, {"p": value}, path=PATH)["p"]


def error_of(schema: dict[str, PropertySchema], values: dict[str, Any]) -> PropertyError:
    with pytest.raises(PropertyError) as caught:
        validate_properties(schema, values, path=PATH)
    return caught.value


@pytest.mark.parametrize(
    ("schema_type", "given", "expected"),
    [
        (STRING, "abc", "abc"),
        (STRING, 3, "3"),
        (STRING, 2.5, "2.5"),
        (INTEGER, "3", 3),
        (INTEGER, 4, 4),
        (INTEGER, 4.0, 4),
        (INTEGER, " 7 ", 7),
        (NUMBER, "3", 3),
        (NUMBER, "2.5", 2.5),
        (NUMBER, 1.5, 1.5),
        (BOOLEAN, "true", True),
        (BOOLEAN, "False", False),
        (BOOLEAN, True, True),
        (LIST, ["a", 1], ["a", 1]),
        (LIST, ("a",), ["a"]),
        (MAP, {"a": 1}, {"a": 1}),
        (JSON, '{"a": [1]}', {"a": [1]}),
        (JSON, [1, 2], [1, 2]),
        (ANY, {"x": [1]}, {"x": [1]}),
        (ANY, "text", "text"),
    ],
)
def test_values_are_coerced_to_the_declared_type(schema_type: str, given: Any, expected: Any) -> None:
    result = check(PropertySchema(schema_type), given)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("schema_type", "given", "message"),
    [
        (INTEGER, "3.5", "Value '3.5' is not an integer"),
        (INTEGER, "abc", "Value 'abc' is not an integer"),
        (INTEGER, True, "is not an integer"),
        (NUMBER, "many", "Value 'many' is not a number"),
        (BOOLEAN, "yes", '"yes" is not a valid boolean'),
        (BOOLEAN, 1, "is not a valid boolean"),
        (LIST, "a,b", "is not a list"),
        (MAP, ["a"], "is not a map"),
        (STRING, ["a"], "Value must be a string"),
        (JSON, "{not json", "Value must be valid JSON"),
    ],
)
def test_wrong_types_name_the_property(schema_type: str, given: Any, message: str) -> None:
    error = error_of({"p": PropertySchema(schema_type)}, {"p": given})
    assert message in error.message
    assert error.path == f"{PATH}.p"


def test_a_missing_required_property_is_reported_at_its_path() -> None:
    error = error_of({"flavor": PropertySchema(STRING, required=True)}, {})
    assert error.message == "Property flavor not assigned"
    assert error.path == f"{PATH}.flavor"
    assert str(error) == f"{PATH}.flavor: Property flavor not assigned"


def test_none_counts_as_not_given() -> None:
    schema = {
        "required": PropertySchema(STRING, required=True),
        "defaulted": PropertySchema(INTEGER, default=5),
        "optional": PropertySchema(STRING),
    }
    assert "required" in error_of(schema, {"required": None}).message
    result = validate_properties(schema, {"required": "x", "defaulted": None}, path=PATH)
    assert result == {"required": "x", "defaulted": 5, "optional": None}


def test_an_unknown_property_is_an_error() -> None:
    error = error_of({"a": PropertySchema(STRING)}, {"a": "x", "b": 1})
    assert error.message == "Unknown Property b"
    assert error.path == PATH


def test_defaults_are_filled_and_copied() -> None:
    schema = {"actions": PropertySchema(LIST, default=["CREATE"]), "size": PropertySchema(NUMBER, default=1)}
    first = validate_properties(schema, {}, path=PATH)
    assert first == {"actions": ["CREATE"], "size": 1}
    first["actions"].append("DELETE")
    assert validate_properties(schema, None, path=PATH)["actions"] == ["CREATE"]


def test_constraint_violations_carry_the_path() -> None:
    schema = {"length": PropertySchema(INTEGER, constraints=(Range(min=1, max=512),))}
    error = error_of(schema, {"length": "0"})
    assert error.path == f"{PATH}.length"
    assert "out of range" in error.message
    described = {"name": PropertySchema(STRING, constraints=(Length(min=2, description="Too short"),))}
    assert error_of(described, {"name": "a"}).message == "Too short"


def test_constraints_apply_after_coercion() -> None:
    schema = PropertySchema(INTEGER, constraints=(AllowedValues(values=(1, 2)),))
    assert check(schema, "2") == 2


NETWORKS = PropertySchema(
    LIST,
    schema=PropertySchema(
        MAP,
        schema={
            "port": PropertySchema(STRING),
            "fixed_ip": PropertySchema(STRING),
            "size": PropertySchema(INTEGER, default=1),
        },
    ),
)


def test_nested_list_of_maps_is_validated_with_full_paths() -> None:
    result = check(NETWORKS, [{"port": "p1"}, {"fixed_ip": "10.0.0.1", "size": "3"}])
    assert result == [
        {"port": "p1", "fixed_ip": None, "size": 1},
        {"port": None, "fixed_ip": "10.0.0.1", "size": 3},
    ]
    error = error_of({"networks": NETWORKS}, {"networks": [{"port": "p"}, {"size": "big"}]})
    assert error.path == f"{PATH}.networks[1].size"
    error = error_of({"networks": NETWORKS}, {"networks": [{"bogus": 1}]})
    assert error.message == "Unknown Property bogus"
    assert error.path == f"{PATH}.networks[0]"


def test_list_of_maps_shorthand() -> None:
    shorthand = PropertySchema(LIST, schema={"name": PropertySchema(STRING, required=True)})
    assert check(shorthand, [{"name": "a"}]) == [{"name": "a"}]
    error = error_of({"items": shorthand}, {"items": [{"name": "a"}, {}]})
    assert error.path == f"{PATH}.items[1].name"


def test_list_items_are_coerced() -> None:
    assert check(PropertySchema(LIST, schema=PropertySchema(INTEGER)), ["1", 2]) == [1, 2]
    error = error_of({"p": PropertySchema(LIST, schema=PropertySchema(INTEGER))}, {"p": [1, "x"]})
    assert error.path == f"{PATH}.p[1]"


def test_map_without_schema_accepts_any_keys() -> None:
    assert check(PropertySchema(MAP), {"anything": [1]}) == {"anything": [1]}


def test_nested_required_member() -> None:
    schema = PropertySchema(MAP, schema={"name": PropertySchema(STRING, required=True)})
    error = error_of({"p": schema}, {"p": {}})
    assert error.path == f"{PATH}.p.name"


def test_allow_conversion() -> None:
    assert check(PropertySchema(LIST, allow_conversion=True), "a, b,c") == ["a", "b", "c"]
    assert check(PropertySchema(LIST, allow_conversion=True), "") == []
    assert check(PropertySchema(STRING, allow_conversion=True), ["a", "b"]) == "a,b"
    assert check(PropertySchema(STRING, allow_conversion=True), {"a": 1}) == '{"a": 1}'


def test_schema_definitions_are_checked() -> None:
    with pytest.raises(ValueError):
        PropertySchema("float")
    with pytest.raises(ValueError):
        PropertySchema(STRING, schema={"a": PropertySchema(STRING)})
    with pytest.raises(ValueError):
        PropertySchema(MAP, schema=PropertySchema(STRING))


def test_properties_validate_is_the_same_entry_point() -> None:
    assert Properties.validate({"a": PropertySchema(INTEGER)}, {"a": "1"}, PATH) == {"a": 1}


def test_values_must_be_a_map() -> None:
    error = error_of({"a": PropertySchema(STRING)}, ["a"])  # type: ignore[arg-type]
    assert error.path == PATH


def test_api_rendering_follows_heat() -> None:
    schema = {
        "length": PropertySchema(
            INTEGER, "Length of the string.", default=32, constraints=(Range(min=1, max=512),)
        ),
        "networks": NETWORKS,
        "options": PropertySchema(MAP, schema={"a": PropertySchema(BOOLEAN, update_allowed=True)}),
        "old": PropertySchema(STRING, support_status=SupportStatus(HIDDEN)),
    }
    rendered = schema_to_api(schema)
    assert set(rendered) == {"length", "networks", "options"}
    assert rendered["length"] == {
        "type": "integer",
        "description": "Length of the string.",
        "default": 32,
        "required": False,
        "update_allowed": False,
        "immutable": False,
        "constraints": [{"range": {"min": 1, "max": 512}}],
    }
    assert rendered["networks"]["schema"]["*"]["type"] == "map"
    assert rendered["networks"]["schema"]["*"]["schema"]["size"]["default"] == 1
    assert rendered["options"]["schema"]["a"]["update_allowed"] is True


def test_attribute_rendering() -> None:
    attributes = {
        "value": AttributeSchema("The value.", type="string"),
        "other": AttributeSchema("Untyped."),
        "gone": AttributeSchema("Hidden.", support_status=SupportStatus(HIDDEN)),
    }
    assert attributes_to_api(attributes) == {
        "value": {"description": "The value.", "type": "string"},
        "other": {"description": "Untyped."},
    }


def test_support_status_rendering() -> None:
    previous = SupportStatus("DEPRECATED", message="old")
    status = SupportStatus("HIDDEN", version="5.0.0", previous_status=previous)
    assert status.to_dict() == {
        "status": "HIDDEN",
        "version": "5.0.0",
        "message": None,
        "previous_status": previous.to_dict(),
    }
    assert previous.to_dict()["message"] == "old"
    assert previous.to_dict()["previous_status"] is None
    with pytest.raises(ValueError):
        SupportStatus("MAYBE")
