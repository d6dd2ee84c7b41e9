"""OS::Heat::Stack, provider templates and AWS::CloudFormation::Stack plugins (fake child stacks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_resource_group import FakeChildren, NestedContext

from calor.engine.nested import nested_path_reason
from calor.errors import ResourceFailure, ResourceTypeNotFound
from calor.plugins.aws.cloudformation_stack import CloudFormationStack
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.provider import provider_plugin
from calor.plugins.heat.stack import StackResource
from calor.plugins.nested import ChildStack

CHILD = {
    "heat_template_version": "2018-08-31",
    "parameters": {"word": {"type": "string"}, "size": {"type": "number", "default": 1}},
    "resources": {},
    "outputs": {"echo": {"value": {"get_param": "word"}}, "OS::stack_id": {"value": "custom"}},
}


class OutputChildren(FakeChildren):
    def __init__(self, outputs: dict[str, Any]) -> None:
        super().__init__()
        self.outputs = outputs
        self.parameters: dict[str, Any] = {}

    def create(self, template: Any, *, parameters: Any, **options: Any) -> str:
        self.created.append({"template": template})
        self.parameters = dict(parameters)
        return "child-id"

    def get(self, stack_id: str) -> ChildStack | None:
        return ChildStack(stack_id, "parent-inner-abc", "CREATE", "COMPLETE", "", outputs=self.outputs)


def test_nested_path_reason() -> None:
    assert nested_path_reason("inner", "Resource CREATE failed: ValueError: resources.bad: boom") == (
        "resources.inner.resources.bad: boom"
    )
    assert nested_path_reason("inner", "Timed out") == "resources.inner: Timed out"


def test_stack_resource_passes_template_and_parameters_and_reads_outputs() -> None:
    children = OutputChildren({"echo": "hi"})
    properties = StackResource.validate_properties(
        {"template": CHILD, "parameters": {"word": "hi"}}, "resources.inner.properties"
    )
    plugin = StackResource("inner", properties, NestedContext(children))
    assert plugin.check_create_complete(plugin.handle_create())
    assert json.loads(children.created[0]["template"]) == CHILD
    assert children.parameters == {"word": "hi"}
    assert plugin.get_attribute("outputs") == {"echo": "hi"}
    assert plugin.get_attribute("outputs", ["echo"]) == "hi"
    assert plugin.get_attribute("stack_name") == "parent-inner-abc"
    assert plugin.reference_id() == "child-id"


def test_stack_resource_without_an_engine_fails_clearly() -> None:
    properties = StackResource.validate_properties({"template": "{}"}, "resources.inner.properties")
    plugin = StackResource("inner", properties, MemoryPluginContext("inner"))
    with pytest.raises(ResourceFailure, match="nested stacks"):
        plugin.handle_create()


def test_provider_schema_comes_from_the_template_parameters() -> None:
    plugin_class = provider_plugin(
        "My::Thing", "thing.yaml", {"thing.yaml": json.dumps(CHILD)}, registered=True
    )
    assert plugin_class.type_name == "My::Thing"
    assert plugin_class.properties_schema["word"].required
    assert not plugin_class.properties_schema["size"].required
    assert set(plugin_class.attributes_schema) == {"echo", "OS::stack_id"}
    with pytest.raises(Exception, match="unknown"):
        plugin_class.validate_properties({"word": "x", "unknown": 1}, "resources.thing.properties")
    children = OutputChildren({"echo": "x", "OS::stack_id": "custom"})
    properties = plugin_class.validate_properties({"word": "x"}, "resources.thing.properties")
    plugin = plugin_class("thing", properties, NestedContext(children))
    plugin.handle_create()
    assert children.parameters == {"word": "x"}
    assert plugin.get_attribute("echo") == "x"
    assert plugin.reference_id() == "custom"


def test_provider_defaults_make_parameters_optional_and_missing_files_fail() -> None:
    plugin_class = provider_plugin(
        "thing.yaml",
        "thing.yaml",
        {"thing.yaml": json.dumps(CHILD)},
        registered=False,
        parameter_defaults={"word": "d"},
    )
    assert not plugin_class.properties_schema["word"].required
    with pytest.raises(ResourceTypeNotFound, match=r"missing\.yaml"):
        provider_plugin("missing.yaml", "missing.yaml", {}, registered=False)


def test_cloudformation_stack_outputs_and_arn() -> None:
    children = OutputChildren({"Echo": "cfn"})
    children.files = lambda: {"child.json": json.dumps(CHILD)}  # type: ignore[method-assign]
    properties = CloudFormationStack.validate_properties(
        {"TemplateURL": "child.json", "Parameters": {"word": "cfn"}}, "resources.Inner.properties"
    )
    context = NestedContext(children)
    plugin = CloudFormationStack("Inner", properties, context)
    plugin.handle_create()
    assert children.created[0]["template"] == json.dumps(CHILD)
    assert CloudFormationStack.has_attribute("Outputs.Echo")
    assert plugin.get_attribute("Outputs.Echo") == "cfn"
    assert (
        plugin.reference_id() == f"arn:openstack:heat::{context.project_id}:stacks/parent-inner-abc/child-id"
    )
    missing = CloudFormationStack(
        "Other", dict(properties, TemplateURL="nowhere.json"), NestedContext(children)
    )
    with pytest.raises(ResourceFailure, match=r"nowhere\.json"):
        missing.handle_create()
