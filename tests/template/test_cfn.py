"""CloudFormation-format templates: both version keys, sections, resource keys, Mappings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from calor.errors import InvalidTemplateVersion, TemplateError
from calor.template import parse_template
from calor.template.cfn import CfnTemplate
from calor.template.context import StackContext

AWS = "AWSTemplateFormatVersion"
HEAT = "HeatTemplateFormatVersion"


def cfn(body: Mapping[str, Any], key: str = AWS, version: str | None = None) -> str:
    version = version or ("2010-09-09" if key == AWS else "2012-12-12")
    return json.dumps({key: version, **body}, indent=2)


@pytest.mark.parametrize("key", [AWS, HEAT])
def test_both_version_keys(key: str) -> None:
    text = cfn(
        {
            "Description": "cfn test",
            "Parameters": {"Size": {"Type": "Number", "Default": "2"}},
            "Mappings": {"Sizes": {"small": {"Value": 1}}},
            "Resources": {"Box": {"Type": "OS::Heat::None", "Properties": {"a": 1}}},
            "Outputs": {"Out": {"Value": 3, "Description": "three"}},
        },
        key,
    )
    template = parse_template(text)
    assert isinstance(template, CfnTemplate)
    assert template.version_key == key
    assert template.description == "cfn test"
    assert set(template.parameter_schemas()) == {"Size"}
    assert template.mappings == {"Sizes": {"small": {"Value": 1}}}
    assert template.parameter_groups() == []
    box = template.resource_definitions(StackContext())["Box"]
    assert box.type_name == "OS::Heat::None"
    assert box.resolved_properties() == {"a": 1}
    assert template.outputs(StackContext())["Out"].resolve() == 3


def test_conditions_only_in_the_aws_version() -> None:
    body = {"Conditions": {"Yes": True}, "Resources": {}}
    assert parse_template(cfn(body)).conditions(StackContext()) == {"Yes": True}
    with pytest.raises(TemplateError, match="The template section is invalid: Conditions"):
        parse_template(cfn(body, HEAT))


def test_condition_resource_key_only_in_the_aws_version() -> None:
    body = {"Resources": {"Box": {"Type": "A", "Condition": "Yes"}}}
    with pytest.raises(TemplateError) as caught:
        parse_template(cfn(body, HEAT)).resource_definitions(StackContext())
    assert caught.value.message == '"Condition" is not a valid keyword inside a resource definition'
    assert caught.value.path == "Resources.Box.Condition"
    assert caught.value.line == 6


def test_hot_sections_refused() -> None:
    with pytest.raises(TemplateError, match="The template section is invalid: resources"):
        parse_template(cfn({"resources": {}}))


@pytest.mark.parametrize(
    ("key", "expected"), [(AWS, "should be: 2010-09-09"), (HEAT, "should be: 2012-12-12")]
)
def test_unknown_version(key: str, expected: str) -> None:
    with pytest.raises(InvalidTemplateVersion) as caught:
        parse_template(cfn({"Resources": {}}, key, "2009-01-01"))
    assert caught.value.message == (
        f'The template version is invalid: "{key}: 2009-01-01". "{key}" {expected}'
    )
    assert caught.value.line == 2


def test_resource_keys() -> None:
    body = {
        "Resources": {
            "A": {"Type": "A"},
            "B": {
                "Type": "B",
                "Properties": {"x": 1},
                "Metadata": {"m": 2},
                "DependsOn": "A",
                "DeletionPolicy": "Retain",
                "UpdatePolicy": {"u": 3},
                "Description": "bee",
            },
        }
    }
    b = parse_template(cfn(body)).resource_definitions(StackContext())["B"]
    assert b.depends_on == ("A",)
    assert b.deletion_policy == "Retain"
    assert b.resolved_metadata() == {"m": 2}
    assert b.resolved_update_policy() == {"u": 3}
    assert b.description == "bee"


def test_lower_case_deletion_policy_refused() -> None:
    body = {"Resources": {"A": {"Type": "A", "DeletionPolicy": "retain"}}}
    with pytest.raises(TemplateError, match='Invalid deletion policy "retain"'):
        parse_template(cfn(body)).resource_definitions(StackContext())


def test_unknown_resource_key() -> None:
    body = {"Resources": {"A": {"Type": "A", "type": "B"}}}
    with pytest.raises(TemplateError) as caught:
        parse_template(cfn(body)).resource_definitions(StackContext())
    assert caught.value.path == "Resources.A.type"


def test_missing_type() -> None:
    body: dict[str, Any] = {"Resources": {"A": {"Properties": {}}}}
    with pytest.raises(TemplateError, match='Resource A is missing "Type"'):
        parse_template(cfn(body)).resource_definitions(StackContext())


def test_outputs_may_carry_cfn_extras() -> None:
    body: dict[str, Any] = {"Resources": {}, "Outputs": {"O": {"Value": 1, "Export": {"Name": "x"}}}}
    assert parse_template(cfn(body)).outputs(StackContext())["O"].resolve() == 1


def test_mappings_must_be_a_map() -> None:
    template = parse_template(cfn({"Resources": {}, "Mappings": [1]}))
    with pytest.raises(TemplateError) as caught:
        template.mappings  # noqa: B018
    assert caught.value.path == "Mappings"


def test_yaml_cfn_template_with_short_tags() -> None:
    text = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  A:\n"
        "    Type: A\n"
        "  B:\n"
        "    Type: B\n"
        "    Properties:\n"
        "      peer: !Ref A\n"
    )
    b = parse_template(text).resource_definitions(StackContext())["B"]
    assert b.dependencies() == frozenset({"A"})
