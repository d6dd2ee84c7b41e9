"""StackDefinition: parameters and pseudo parameters, dependencies, reference checks."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from calor.definition.lookup import DefinitionLookup
from calor.definition.stack import StackDefinition, stack_arn
from calor.errors import InvalidTemplateReference, ParameterError, TemplateError
from calor.template import parse_template
from calor.template.context import StackContext


def hot(body: str, version: str = "2018-08-31") -> str:
    return f"heat_template_version: {version}\n" + textwrap.dedent(body)


WEB = hot(
    """
    parameters:
      flavor: {type: string, default: small}
      count: {type: number}
    resources:
      network: {type: OS::Neutron::Net}
      port:
        type: OS::Neutron::Port
        properties:
          network: {get_resource: network}
      server:
        type: OS::Nova::Server
        depends_on: volume
        properties:
          flavor: {get_param: flavor}
          name: {str_replace: {template: web-$n, params: {$n: {get_param: count}}}}
          networks: [{port: {get_resource: port}}]
        metadata:
          address: {get_attr: [port, fixed_ips]}
      volume: {type: OS::Cinder::Volume}
    outputs:
      address: {value: {get_attr: [server, first_address]}}
      name: {value: {get_param: OS::stack_name}}
    """
)


def context() -> StackContext:
    return StackContext(stack_name="web", stack_id="1234", project_id="proj", region="RegionTwo")


def build(text: str, parameters: dict[str, Any] | None = None, **options: Any) -> StackDefinition:
    return StackDefinition.build(parse_template(text), context(), parameters, **options)


def test_parameters_bound_and_typed() -> None:
    definition = build(WEB, {"count": "3"})
    assert definition.parameters["flavor"] == "small"
    assert definition.parameters["count"] == 3
    assert definition.context.parameters is definition.parameters
    assert definition.resources["server"].resolved_properties()["name"] == "web-3"


def test_missing_parameter_value() -> None:
    with pytest.raises(ParameterError) as caught:
        build(WEB)
    assert "count" in caught.value.message
    assert caught.value.line is not None


def test_parameter_defaults_and_environment() -> None:
    definition = build(WEB, {"count": 1}, parameter_defaults={"flavor": "large"})
    assert definition.parameters["flavor"] == "large"


def test_hot_pseudo_parameters() -> None:
    definition = build(WEB, {"count": 1})
    assert definition.parameters["OS::stack_name"] == "web"
    assert definition.parameters["OS::stack_id"] == "1234"
    assert definition.parameters["OS::project_id"] == "proj"
    assert definition.outputs["name"].resolve() == "web"


def test_cfn_pseudo_parameters() -> None:
    text = json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {},
            "Outputs": {
                name: {"Value": {"Ref": f"AWS::{name}"}}
                for name in ("StackId", "StackName", "Region", "AccountId", "Partition", "URLSuffix")
            },
        }
    )
    values = build(text).resolved_outputs()
    assert values == {
        "StackId": "arn:openstack:heat::proj:stacks/web/1234",
        "StackName": "web",
        "Region": "RegionTwo",
        "AccountId": "proj",
        "Partition": "openstack",
        "URLSuffix": "openstack.org",
    }
    assert stack_arn(context()) == values["StackId"]


def test_dependencies_explicit_and_implicit() -> None:
    definition = build(WEB, {"count": 1})
    assert definition.dependencies() == {
        "network": frozenset(),
        "port": frozenset({"network"}),
        "server": frozenset({"port", "volume"}),
        "volume": frozenset(),
    }


def test_definition_lookup_installed() -> None:
    definition = build(WEB, {"count": 1})
    lookup = definition.context.resources
    assert isinstance(lookup, DefinitionLookup)
    port = lookup.get("port")
    assert port is not None
    assert port.reference_id() == "port"
    assert port.attribute("fixed_ips") is None
    assert lookup.get("nothing") is None
    assert definition.resources["port"].resolved_properties() == {"network": "network"}


def test_unknown_depends_on() -> None:
    text = hot("resources:\n  a: {type: A, depends_on: [b, nope]}\n  b: {type: B}\n")
    with pytest.raises(InvalidTemplateReference) as caught:
        build(text)
    assert caught.value.message == 'The specified reference "nope" (in a) is incorrect.'
    assert caught.value.path == "resources.a.depends_on[1]"
    assert caught.value.line == 3


def test_unknown_get_resource() -> None:
    text = hot("resources:\n  a:\n    type: A\n    properties:\n      x: {get_resource: nope}\n")
    with pytest.raises(InvalidTemplateReference) as caught:
        build(text)
    assert caught.value.path is not None
    assert caught.value.path.startswith("resources.a.properties.x")
    assert caught.value.line == 6


def test_unknown_get_attr_in_an_output() -> None:
    text = hot("resources: {}\noutputs:\n  o: {value: {get_attr: [nope, x]}}\n")
    with pytest.raises(InvalidTemplateReference):
        build(text)


def test_unknown_attribute_when_names_are_known() -> None:
    text = hot("resources:\n  a: {type: A}\noutputs:\n  o: {value: {get_attr: [a, missing]}}\n")
    build(text)  # without a registry every attribute is accepted
    with pytest.raises(TemplateError):
        build(text, attribute_names=lambda type_name: ("known",))


def test_depends_on_a_disabled_resource_is_dropped() -> None:
    text = hot(
        """
        conditions:
          off: false
        resources:
          a: {type: A, condition: off}
          b: {type: B, depends_on: a}
        """
    )
    definition = build(text)
    assert list(definition.resources) == ["b"]
    assert definition.dependencies() == {"b": frozenset()}


def test_reference_to_a_disabled_resource_is_refused() -> None:
    text = hot(
        """
        conditions:
          off: false
        resources:
          a: {type: A, condition: off}
          b: {type: B, properties: {x: {get_resource: a}}}
        """
    )
    with pytest.raises(InvalidTemplateReference):
        build(text)


def test_parameter_groups_checked_on_build() -> None:
    text = hot("parameter_groups:\n  - parameters: [nope]\nresources: {}\n")
    with pytest.raises(
        TemplateError, match=r"The grouped parameter nope does not reference a valid parameter\."
    ):
        build(text)


def test_unknown_user_parameter() -> None:
    with pytest.raises(ParameterError, match=r"The Parameter \(other\) was not defined in template."):
        build(WEB, {"count": 1, "other": 2})


def test_without_validation_references_are_not_checked() -> None:
    text = hot("resources:\n  a: {type: A, depends_on: nope}\n")
    definition = build(text, validate=False)
    assert definition.dependencies() == {"a": frozenset()}


def test_get_file_reads_the_template_files() -> None:
    text = hot("resources:\n  a:\n    type: A\n    properties:\n      script: {get_file: run.sh}\n")
    template = parse_template(text, files={"run.sh": "echo hi"})
    definition = StackDefinition.build(template, StackContext())
    assert definition.resources["a"].resolved_properties() == {"script": "echo hi"}
