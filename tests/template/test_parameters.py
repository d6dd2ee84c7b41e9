"""Parameter schemas (HOT and CFN), conversions, Parameters binding and the validate-API view."""

from __future__ import annotations

from typing import Any

import pytest

from calor.errors import ParameterError, TemplateError
from calor.schema.constraints import AllowedValues, Length, Modulo, Range
from calor.template.parameters import (
    MASK,
    Parameters,
    ParameterSchema,
    check_immutable,
    parse_boolean,
)


def hot(name: str, **raw: Any) -> ParameterSchema:
    return ParameterSchema.from_hot(name, raw, f"parameters.{name}", "2018-08-31")


def test_from_hot_reads_every_key() -> None:
    schema = hot(
        "flavor",
        type="string",
        label="Flavor",
        description="The flavor",
        default="m1.small",
        hidden=True,
        immutable=True,
        constraints=[{"allowed_values": ["m1.small", "m1.large"], "description": "a known flavor"}],
        tags=["compute"],
    )
    assert schema == ParameterSchema(
        name="flavor",
        type="string",
        default="m1.small",
        description="The flavor",
        label="Flavor",
        hidden=True,
        immutable=True,
        constraints=(AllowedValues(values=("m1.small", "m1.large"), description="a known flavor"),),
        tags=("compute",),
        path="parameters.flavor",
    )
    assert not schema.required
    assert hot("x", type="number").required


def test_from_hot_unknown_key_names_it() -> None:
    with pytest.raises(TemplateError) as caught:
        hot("flavor", type="string", defualt="x")
    assert caught.value.message == "Invalid key 'defualt' for parameter (flavor)"
    assert caught.value.path == "parameters.flavor.defualt"


def test_tags_and_modulo_depend_on_the_version() -> None:
    with pytest.raises(TemplateError, match="tags"):
        ParameterSchema.from_hot("x", {"type": "string", "tags": ["a"]}, "parameters.x", "2016-10-14")
    with pytest.raises(TemplateError, match="modulo"):
        ParameterSchema.from_hot(
            "x", {"type": "number", "constraints": [{"modulo": {"step": 2, "offset": 0}}]}, "p", "2016-10-14"
        )
    schema = ParameterSchema.from_hot(
        "x", {"type": "number", "constraints": [{"modulo": {"step": 2, "offset": 0}}]}, "p", "ocata"
    )
    assert schema.constraints == (Modulo(step=2, offset=0),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"description": "no type"}, "Missing parameter type for parameter: x"),
        ({"type": "integer"}, "Invalid type (integer)"),
        ({"type": "number", "default": "abc"}, "Invalid default abc"),
        ({"type": "string", "hidden": "maybe"}, '"hidden" must be a boolean'),
        ({"type": "string", "constraints": [{"length": {"min": "1"}}]}, "min/max must be integral"),
    ],
)
def test_from_hot_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ParameterSchema.from_hot("x", raw, "parameters.x")


def test_constraint_error_path() -> None:
    with pytest.raises(TemplateError) as caught:
        hot("x", type="string", constraints=[{"length": {"min": 1}}, {"bogus": 2}])
    assert caught.value.path == "parameters.x.constraints[1]"


def test_from_cfn() -> None:
    schema = ParameterSchema.from_cfn(
        "KeyName",
        {
            "Type": "String",
            "Default": "key",
            "NoEcho": "true",
            "MinLength": "1",
            "MaxLength": "64",
            "ConstraintDescription": "a key name",
            "Description": "SSH key",
        },
        "Parameters.KeyName",
    )
    assert schema.type == "string"
    assert schema.hidden
    assert schema.description == "SSH key"
    assert schema.constraints == (Length(min=1, max=64, description="a key name"),)


@pytest.mark.parametrize(
    ("cfn_type", "expected"),
    [
        ("String", "string"),
        ("Number", "number"),
        ("CommaDelimitedList", "comma_delimited_list"),
        ("List<Number>", "comma_delimited_list"),
        ("Json", "json"),
        ("Boolean", "boolean"),
        ("AWS::EC2::KeyPair::KeyName", "string"),
        ("List<AWS::EC2::Subnet::Id>", "comma_delimited_list"),
    ],
)
def test_cfn_types(cfn_type: str, expected: str) -> None:
    assert ParameterSchema.from_cfn("p", {"Type": cfn_type}, "Parameters.p").type == expected


def test_from_cfn_errors() -> None:
    with pytest.raises(TemplateError, match="Invalid key 'Typo' for parameter"):
        ParameterSchema.from_cfn("p", {"Type": "String", "Typo": 1}, "Parameters.p")
    with pytest.raises(TemplateError, match=r"Invalid type \(string\)"):
        ParameterSchema.from_cfn("p", {"Type": "string"}, "Parameters.p")


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("number", "5", 5),
        ("number", "5.5", 5.5),
        ("number", 3, 3),
        ("string", 5, "5"),
        ("string", "x", "x"),
        ("comma_delimited_list", "a,b", ["a", "b"]),
        ("comma_delimited_list", "", []),
        ("comma_delimited_list", ["a", 1], ["a", "1"]),
        ("json", '{"a": 1}', {"a": 1}),
        ("json", {"a": 1}, {"a": 1}),
        ("json", "[1]", [1]),
        ("json", "", {}),
        ("boolean", "yes", True),
        ("boolean", "Off", False),
        ("boolean", "1", True),
        ("boolean", False, False),
        ("boolean", "t", True),
    ],
)
def test_coerce(type_name: str, value: Any, expected: Any) -> None:
    assert hot("p", type=type_name).coerce(value) == expected


@pytest.mark.parametrize(
    ("type_name", "value"),
    [("number", "abc"), ("number", True), ("boolean", "maybe"), ("json", "{bad"), ("string", {"a": 1})],
)
def test_coerce_errors_name_the_parameter(type_name: str, value: Any) -> None:
    with pytest.raises(ParameterError, match="Parameter 'p' is invalid"):
        hot("p", type=type_name).coerce(value)


def test_parse_boolean_lists_acceptable_values() -> None:
    with pytest.raises(ValueError, match="acceptable values"):
        parse_boolean("perhaps")


SCHEMAS = {
    "flavor": hot(
        "flavor",
        type="string",
        default="m1.small",
        constraints=[{"allowed_values": ["m1.small", "m1.large"], "description": "Must be a known flavor."}],
    ),
    "count": hot("count", type="number", constraints=[{"range": {"min": 1, "max": 5}}]),
    "password": hot("password", type="string", hidden=True, default="secret"),
    "names": hot("names", type="comma_delimited_list", default="a,b"),
}


def test_parameters_bind_values_then_defaults() -> None:
    parameters = Parameters(SCHEMAS, {"count": "3"}, pseudo={"OS::stack_name": "s"})
    assert parameters["count"] == 3
    assert parameters["flavor"] == "m1.small"
    assert parameters["names"] == ["a", "b"]
    assert parameters["OS::stack_name"] == "s"
    assert set(parameters) == {"flavor", "count", "password", "names", "OS::stack_name"}
    assert len(parameters) == 5
    assert "nothing" not in parameters


def test_parameter_defaults_override_template_defaults_and_ignore_unknown_names() -> None:
    parameters = Parameters(SCHEMAS, {"count": 1}, defaults={"flavor": "m1.large", "unknown": "x"})
    assert parameters["flavor"] == "m1.large"
    assert "unknown" not in parameters
    user_wins = Parameters(SCHEMAS, {"count": 1, "flavor": "m1.small"}, defaults={"flavor": "m1.large"})
    assert user_wins["flavor"] == "m1.small"


def test_defaults_satisfy_required_parameters() -> None:
    assert Parameters(SCHEMAS, {}, defaults={"count": 2})["count"] == 2


def test_missing_parameter() -> None:
    with pytest.raises(ParameterError) as caught:
        Parameters(SCHEMAS, {})
    assert caught.value.message == "The Parameter (count) was not provided."


def test_unknown_parameter() -> None:
    with pytest.raises(ParameterError) as caught:
        Parameters(SCHEMAS, {"count": 1, "colour": "red"})
    assert caught.value.message == "The Parameter (colour) was not defined in template."


def test_constraint_violation_message() -> None:
    with pytest.raises(ParameterError) as caught:
        Parameters(SCHEMAS, {"count": 1, "flavor": "m1.tiny"})
    assert caught.value.message == "Parameter 'flavor' is invalid: Must be a known flavor."
    assert caught.value.path == "parameters.flavor"
    with pytest.raises(ParameterError) as caught:
        Parameters(SCHEMAS, {"count": 9})
    assert caught.value.message == "Parameter 'count' is invalid: 9 is out of range (min: 1, max: 5)"


def test_without_validation_a_missing_value_reads_as_none() -> None:
    parameters = Parameters(SCHEMAS, {"colour": "red", "flavor": "m1.tiny"}, validate=False)
    assert parameters["flavor"] == "m1.tiny"
    assert "count" in parameters
    assert parameters["count"] is None


def test_masked() -> None:
    parameters = Parameters(SCHEMAS, {"count": 2}, pseudo={"OS::stack_id": "id"})
    assert parameters.masked() == {
        "flavor": "m1.small",
        "count": 2,
        "password": MASK,
        "names": ["a", "b"],
        "OS::stack_id": "id",
    }
    assert parameters.is_hidden("password")


def test_schema_for_validate() -> None:
    schemas = {
        **SCHEMAS,
        "size": hot(
            "size",
            type="number",
            label="Size",
            description="GB",
            default=10,
            immutable=True,
            constraints=[
                {"range": {"min": 1, "max": 100}, "description": "1 to 100"},
                {"modulo": {"step": 2, "offset": 0}},
                {"custom_constraint": "cinder.vtype"},
            ],
        ),
        "name": hot(
            "name", type="string", constraints=[{"length": {"min": 1}}, {"allowed_pattern": "[a-z]+"}]
        ),
    }
    rendered = Parameters(schemas, {"count": 2, "password": "hunter2"}, validate=False).schema_for_validate()
    assert rendered["flavor"] == {
        "Type": "String",
        "Description": "",
        "NoEcho": "false",
        "Label": "flavor",
        "Default": "m1.small",
        "AllowedValues": ["m1.small", "m1.large"],
        "ConstraintDescription": "Must be a known flavor.",
    }
    assert rendered["count"] == {
        "Type": "Number",
        "Description": "",
        "NoEcho": "false",
        "Label": "count",
        "Value": 2,
        "MinValue": 1,
        "MaxValue": 5,
    }
    assert rendered["password"]["NoEcho"] == "true"
    assert rendered["password"]["Value"] == MASK
    assert rendered["names"]["Type"] == "CommaDelimitedList"
    assert rendered["size"] == {
        "Type": "Number",
        "Description": "GB",
        "NoEcho": "false",
        "Label": "Size",
        "Default": 10,
        "MinValue": 1,
        "MaxValue": 100,
        "Step": 2,
        "Offset": 0,
        "CustomConstraint": "cinder.vtype",
        "ConstraintDescription": "1 to 100",
        "Immutable": True,
    }
    assert rendered["name"]["MinLength"] == 1
    assert rendered["name"]["AllowedPattern"] == "[a-z]+"


def test_custom_constraints_get_the_context() -> None:
    schemas = {"address": hot("address", type="string", constraints=[{"custom_constraint": "ip_addr"}])}
    assert Parameters(schemas, {"address": "10.0.0.1"})["address"] == "10.0.0.1"
    with pytest.raises(ParameterError, match="does not validate ip_addr"):
        Parameters(schemas, {"address": "nope"})


def test_range_constraint_object() -> None:
    assert hot("n", type="number", constraints=[{"range": {"min": 1}}]).constraints == (Range(min=1),)


def test_check_immutable() -> None:
    schemas = {"a": hot("a", type="string", immutable=True), "b": hot("b", type="string")}
    check_immutable(schemas, {"a": "x", "b": "y"}, {"a": "x", "b": "z"})
    with pytest.raises(ParameterError, match="immutable and may not be updated: a"):
        check_immutable(schemas, {"a": "x"}, {"a": "y"})


@pytest.mark.parametrize(
    ("type_name", "constraint"),
    [
        ("string", {"range": {"min": 1}}),
        ("number", {"length": {"min": 1}}),
        ("number", {"allowed_pattern": "[0-9]"}),
        ("json", {"allowed_values": [1]}),
        ("boolean", {"modulo": {"step": 2, "offset": 0}}),
    ],
)
def test_constraints_must_fit_the_type(type_name: str, constraint: dict[str, Any]) -> None:
    with pytest.raises(TemplateError, match="constraint invalid for") as caught:
        hot("p", type=type_name, constraints=[{"custom_constraint": "ip_addr"}, constraint])
    assert caught.value.path == "parameters.p.constraints[1]"
