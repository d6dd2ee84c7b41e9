"""The conditions section: evaluation, conditions naming conditions, cycles, resources and outputs."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calor.definition.stack import StackDefinition
from calor.errors import TemplateError
from calor.template import parse_template
from calor.template.context import StackContext


def hot(body: str, version: str = "2018-08-31") -> str:
    return f"heat_template_version: {version}\n" + textwrap.dedent(body)


ENVIRONMENTS = hot(
    """
    parameters:
      env: {type: string, default: test}
      zone: {type: string, default: a}
    conditions:
      prod: {equals: [{get_param: env}, prod]}
      test: {not: prod}
      zone_a: {equals: [{get_param: zone}, a]}
      prod_in_a: {and: [prod, zone_a]}
      prod_or_a: {or: [prod, zone_a]}
      literal: true
    resources:
      always: {type: A}
      prod_only: {type: A, condition: prod}
      test_only: {type: A, condition: test}
      inline: {type: A, condition: {not: prod}}
      literal_false: {type: A, condition: false}
    outputs:
      prod_out: {value: 1, condition: prod}
      test_out: {value: 2, condition: test}
    """
)


def build(text: str, parameters: dict[str, Any] | None = None) -> StackDefinition:
    return StackDefinition.build(parse_template(text), StackContext(), parameters)


def test_conditions_evaluate_with_parameters() -> None:
    test = build(ENVIRONMENTS)
    assert test.conditions == {
        "prod": False,
        "test": True,
        "zone_a": True,
        "prod_in_a": False,
        "prod_or_a": True,
        "literal": True,
    }
    prod = build(ENVIRONMENTS, {"env": "prod"})
    assert prod.conditions["prod"] is True
    assert prod.conditions["prod_in_a"] is True
    assert prod.conditions["test"] is False


def test_conditions_switch_resources() -> None:
    assert list(build(ENVIRONMENTS).resources) == ["always", "test_only", "inline"]
    assert list(build(ENVIRONMENTS, {"env": "prod"}).resources) == ["always", "prod_only"]


def test_outputs_with_false_conditions_exist_without_value() -> None:
    outputs = build(ENVIRONMENTS).outputs
    assert outputs["prod_out"].enabled is False
    assert outputs["prod_out"].resolve() is None
    assert outputs["test_out"].enabled is True
    assert outputs["test_out"].resolve() == 2


def test_conditions_are_left_in_the_context() -> None:
    template = parse_template(ENVIRONMENTS)
    definition = StackDefinition.build(template, StackContext())
    assert definition.context.conditions == definition.conditions
    assert type(definition.context.conditions) is dict


def test_order_of_definition_does_not_matter() -> None:
    text = hot(
        """
        conditions:
          last: {not: middle}
          middle: {not: first}
          first: true
        resources: {}
        """
    )
    assert build(text).conditions == {"last": True, "middle": False, "first": True}


def test_circular_conditions_refused() -> None:
    text = hot(
        """
        conditions:
          a: {not: b}
          b: {not: a}
        resources: {}
        """
    )
    with pytest.raises(TemplateError) as caught:
        build(text)
    assert "a -> b -> a" in caught.value.message or "b -> a -> b" in caught.value.message
    assert caught.value.path is not None
    assert caught.value.path.startswith("conditions.")
    assert caught.value.line is not None


@pytest.mark.parametrize("definition", ["3", "some text", "[1, 2]"])
def test_invalid_definitions_refused(definition: str) -> None:
    text = hot(f"conditions:\n  bad: {definition}\nresources: {{}}\n")
    with pytest.raises(TemplateError) as caught:
        build(text)
    assert caught.value.message.startswith('The definition of condition "bad" is invalid')
    assert caught.value.path == "conditions.bad"
    assert caught.value.line == 3


def test_conditions_section_must_be_a_map() -> None:
    with pytest.raises(TemplateError, match="Condition definitions must be a map"):
        build(hot("conditions: [a]\nresources: {}\n"))


def test_unknown_condition_name_in_a_resource() -> None:
    text = hot("conditions: {}\nresources:\n  web: {type: A, condition: nope}\n")
    with pytest.raises(TemplateError) as caught:
        build(text)
    assert caught.value.message == 'Invalid condition "nope"'
    assert caught.value.path == "resources.web.condition"
    assert caught.value.line == 4


def test_unknown_condition_name_inside_a_condition() -> None:
    text = hot("conditions:\n  a: {not: nope}\nresources: {}\n")
    with pytest.raises(TemplateError, match='Invalid condition "nope"'):
        build(text)


def test_non_condition_function_refused_in_conditions() -> None:
    text = hot("conditions:\n  a: {equals: [{get_resource: web}, x]}\nresources:\n  web: {type: A}\n")
    with pytest.raises(TemplateError):
        build(text)


def test_if_reads_the_conditions() -> None:
    text = hot(
        """
        parameters:
          env: {type: string, default: prod}
        conditions:
          prod: {equals: [{get_param: env}, prod]}
        resources:
          web:
            type: A
            properties:
              size: {if: [prod, large, small]}
        """
    )
    assert build(text).resources["web"].resolved_properties() == {"size": "large"}
    assert build(text, {"env": "dev"}).resources["web"].resolved_properties() == {"size": "small"}


def test_two_argument_if_removes_the_item_from_2021_04_16() -> None:
    text = hot(
        """
        conditions:
          off: false
        resources:
          web:
            type: A
            properties:
              kept: 1
              dropped: {if: [off, 2]}
              items: [a, {if: [off, b]}, c]
        """,
        "2021-04-16",
    )
    assert build(text).resources["web"].resolved_properties() == {"kept": 1, "items": ["a", "c"]}


def test_cfn_conditions() -> None:
    text = json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
            "Conditions": {
                "Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "NotProd": {"Fn::Not": [{"Condition": "Prod"}]},
                "Both": {"Fn::And": [{"Condition": "Prod"}, {"Fn::Equals": ["a", "a"]}]},
            },
            "Resources": {
                "Always": {"Type": "A", "Properties": {"Size": {"Fn::If": ["Prod", "large", "small"]}}},
                "ProdOnly": {"Type": "A", "Condition": "Prod"},
                "DevOnly": {"Type": "A", "Condition": "NotProd"},
            },
            "Outputs": {"DevOut": {"Value": 1, "Condition": "NotProd"}},
        }
    )
    prod = build(text)
    assert prod.conditions == {"Prod": True, "NotProd": False, "Both": True}
    assert list(prod.resources) == ["Always", "ProdOnly"]
    assert prod.resources["Always"].resolved_properties() == {"Size": "large"}
    assert prod.outputs["DevOut"].enabled is False
    dev = build(text, {"Env": "dev"})
    assert list(dev.resources) == ["Always", "DevOnly"]
    assert dev.outputs["DevOut"].resolve() == 1


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.booleans(), st.integers(min_value=0)), min_size=1, max_size=12), st.randoms())
def test_any_order_of_chained_conditions(chain: list[bool | int], shuffler: Any) -> None:
    """Condition i is a literal or ``not`` of an earlier one; written in any order, values agree."""
    expected: list[bool] = []
    definitions: dict[str, Any] = {}
    for index, item in enumerate(chain):
        if isinstance(item, bool) or index == 0:
            value = bool(item)
            definitions[f"c{index}"] = value
        else:
            earlier = item % index
            value = not expected[earlier]
            definitions[f"c{index}"] = {"not": f"c{earlier}"}
        expected.append(value)
    names = list(definitions)
    shuffler.shuffle(names)
    template = {
        "heat_template_version": "2016-10-14",
        "conditions": {name: definitions[name] for name in names},
        "resources": {},
    }
    values = StackDefinition.build(parse_template(template), StackContext()).conditions
    assert values == {f"c{index}": value for index, value in enumerate(expected)}
