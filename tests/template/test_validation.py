"""validate_template: the body of Heat's validate API, and the errors it refuses with."""

from __future__ import annotations

import textwrap

import pytest

from calor.errors import InvalidTemplateReference, TemplateError
from calor.template import parse_template
from calor.template.validation import validate_template


def hot(body: str, version: str = "2018-08-31") -> str:
    return f"heat_template_version: {version}\n" + textwrap.dedent(body)


TEMPLATE = hot(
    """
    description: A web server
    parameter_groups:
      - label: Server
        description: the server
        parameters: [flavor, password]
    parameters:
      flavor:
        type: string
        label: Flavor
        description: The flavor
        default: m1.small
        constraints:
          - allowed_values: [m1.small, m1.large]
      password: {type: string, hidden: true}
    resources:
      server:
        type: OS::Nova::Server
        properties:
          flavor: {get_param: flavor}
          admin_pass: {get_param: password}
    """
)


def test_validate_body() -> None:
    result = validate_template(parse_template(TEMPLATE))
    assert list(result) == ["Description", "Parameters", "ParameterGroups", "Environment"]
    assert result["Description"] == "A web server"
    assert result["ParameterGroups"] == [
        {"label": "Server", "description": "the server", "parameters": ["flavor", "password"]}
    ]
    flavor = result["Parameters"]["flavor"]
    assert flavor["Type"] == "String"
    assert flavor["Default"] == "m1.small"
    assert flavor["Description"] == "The flavor"
    assert flavor["Label"] == "Flavor"
    assert flavor["NoEcho"] == "false"
    assert flavor["AllowedValues"] == ["m1.small", "m1.large"]
    assert result["Parameters"]["password"]["NoEcho"] == "true"
    assert set(result["Parameters"]) == {"flavor", "password"}
    assert isinstance(result["Environment"], dict)


def test_no_parameter_groups_key_without_groups() -> None:
    result = validate_template(parse_template(hot("resources: {}\n")))
    assert "ParameterGroups" not in result
    assert result["Description"] == "No description"
    assert result["Parameters"] == {}


def test_given_values_are_shown() -> None:
    result = validate_template(parse_template(TEMPLATE), parameters={"flavor": "m1.large"})
    assert result["Parameters"]["flavor"]["Value"] == "m1.large"


def test_bad_reference_refused_with_path_and_line() -> None:
    text = hot("resources:\n  a:\n    type: A\n    properties:\n      x: {get_param: nope}\n")
    with pytest.raises(InvalidTemplateReference) as caught:
        validate_template(parse_template(text, source_name="a.yaml"))
    assert caught.value.line == 6
    assert caught.value.source == "a.yaml"
    assert caught.value.located().startswith("a.yaml:6: resources.a.properties.x")


def test_parameter_in_two_groups_refused() -> None:
    text = hot(
        """
        parameter_groups:
          - parameters: [a]
          - parameters: [a]
        parameters:
          a: {type: string}
        resources: {}
        """
    )
    with pytest.raises(TemplateError) as caught:
        validate_template(parse_template(text))
    assert caught.value.message == "The a parameter must be assigned to one parameter group only."
    assert caught.value.path == "parameter_groups[1].parameters[0]"
    assert caught.value.line == 5


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("{a: 1}", "The parameter_groups should be a list."),
        ("[{label: x}]", "The parameters must be provided for each parameter group."),
        ("[{parameters: a}]", "The parameters of parameter group should be a list."),
    ],
)
def test_parameter_group_shapes(groups: str, message: str) -> None:
    text = hot(f"parameter_groups: {groups}\nparameters:\n  a: {{type: string}}\nresources: {{}}\n")
    with pytest.raises(TemplateError) as caught:
        validate_template(parse_template(text))
    assert caught.value.message == message


def test_show_nested_reads_provider_templates_from_files() -> None:
    nested = hot(
        """
        description: nested one
        parameters:
          size: {type: number, default: 1}
        resources: {}
        """
    )
    text = hot("resources:\n  inner:\n    type: nested.yaml\n    properties: {size: 3}\n")
    template = parse_template(text, files={"nested.yaml": nested})
    result = validate_template(template, show_nested=True)
    inner = result["NestedParameters"]["inner"]
    assert inner["Type"] == "nested.yaml"
    assert inner["Description"] == "nested one"
    assert inner["Parameters"]["size"]["Value"] == 3
    assert "NestedParameters" not in validate_template(template)


def test_ignore_errors_codes() -> None:
    template = parse_template(hot("resources: {}\n"))
    assert validate_template(template, ignore_errors=["99001"])["Parameters"] == {}
    with pytest.raises(TemplateError, match=r"Invalid codes in ignore_errors : \['12345'\]"):
        validate_template(template, ignore_errors=["12345"])
