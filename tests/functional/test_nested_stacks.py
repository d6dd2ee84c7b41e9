"""Nested stacks through the queue: OS::Heat::Stack and provider templates, limits and failures."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from engine_deployment import PROJECT, Deployment, template

from calor.engine import nested

CHILD: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "parameters": {"word": {"type": "string", "default": "plain"}},
    "resources": {"value": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "word"}}}},
    "outputs": {"echo": {"value": {"get_attr": ["value", "value"]}}},
}


@pytest.fixture
def engine(deployment: Deployment) -> Deployment:
    deployment.worker("engine-1")
    return deployment


def children(deployment: Deployment, stack_id: str) -> list[Any]:
    return deployment.repository.get_child_stacks(stack_id, show_deleted=True)


def test_stack_resource_creates_and_deletes_a_child_stack(engine: Deployment) -> None:
    body = template(
        {
            "inner": {
                "type": "OS::Heat::Stack",
                "properties": {"template": json.dumps(CHILD), "parameters": {"word": "hello"}},
            }
        },
        outputs={
            "echo": {"value": {"get_attr": ["inner", "outputs", "echo"]}},
            "name": {"value": {"get_attr": ["inner", "stack_name"]}},
        },
    )
    stack_id = engine.create("parent", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    outputs = {output["output_key"]: output["output_value"] for output in shown["outputs"]}
    assert outputs["echo"] == "hello"
    [child] = children(engine, stack_id)
    assert child.parent_id == stack_id
    assert child.nested_depth == 1
    assert child.owner_resource_name == "inner"
    assert child.stack_status == "CREATE_COMPLETE"
    assert outputs["name"] == child.name
    assert engine.resources(stack_id)["inner"]["physical_resource_id"] == child.id

    engine.service.delete_stack(PROJECT, stack_id)
    engine.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"})
    [child] = children(engine, stack_id)
    assert child.deleted_at is not None
    assert child.stack_status == "DELETE_COMPLETE"


def test_provider_template_through_the_resource_registry(engine: Deployment) -> None:
    body = template(
        {"thing": {"type": "My::Thing", "properties": {"word": "mapped"}}},
        outputs={"echo": {"value": {"get_attr": ["thing", "echo"]}}},
    )
    stack_id = engine.create(
        "provider",
        body,
        files={"thing.yaml": json.dumps(CHILD)},
        environment={"resource_registry": {"My::Thing": "thing.yaml"}},
    )
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert shown["outputs"][0]["output_value"] == "mapped"


def test_provider_template_named_as_a_file_and_stack_id_output(engine: Deployment) -> None:
    child = {**CHILD, "outputs": {**CHILD["outputs"], "OS::stack_id": {"value": "custom-id"}}}
    body = template(
        {"thing": {"type": "thing.yaml"}},
        outputs={
            "echo": {"value": {"get_attr": ["thing", "echo"]}},
            "reference": {"value": {"get_resource": "thing"}},
        },
    )
    stack_id = engine.create("by-file", body, files={"thing.yaml": json.dumps(child)})
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    outputs = {output["output_key"]: output["output_value"] for output in shown["outputs"]}
    assert outputs == {"echo": "plain", "reference": "custom-id"}


def test_provider_properties_are_checked_against_its_parameters(engine: Deployment) -> None:
    from calor.errors import UserError

    body = template({"thing": {"type": "thing.yaml", "properties": {"unknown": 1}}})
    with pytest.raises(UserError, match="unknown"):
        engine.create("bad-property", body, files={"thing.yaml": json.dumps(CHILD)})


def test_parameter_defaults_flow_into_children(engine: Deployment) -> None:
    body = template(
        {"thing": {"type": "thing.yaml"}}, outputs={"echo": {"value": {"get_attr": ["thing", "echo"]}}}
    )
    stack_id = engine.create(
        "defaults",
        body,
        files={"thing.yaml": json.dumps(CHILD)},
        environment={"parameter_defaults": {"word": "defaulted"}},
    )
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert shown["outputs"][0]["output_value"] == "defaulted"


def test_a_failure_in_a_child_fails_the_parent_with_the_nested_path(engine: Deployment) -> None:
    failing = {
        "heat_template_version": "2018-08-31",
        "resources": {"bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}}},
    }
    body = template({"inner": {"type": "inner.yaml"}})
    stack_id = engine.create("failing", body, files={"inner.yaml": json.dumps(failing)})
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "resources.inner.resources.bad" in shown["stack_status_reason"]
    [child] = children(engine, stack_id)
    assert child.stack_status == "CREATE_FAILED"


@pytest.fixture
def small_limits() -> Iterator[None]:
    saved = nested.LIMITS
    nested.LIMITS = nested.NestedLimits(max_nested_stack_depth=2, max_resources_per_stack=6)
    yield
    nested.LIMITS = saved


def test_depth_limit(engine: Deployment, small_limits: None) -> None:
    recursive = {
        "heat_template_version": "2018-08-31",
        "resources": {"again": {"type": "deeper.yaml"}},
    }
    files = {"deeper.yaml": json.dumps(recursive)}
    stack_id = engine.create("deep", template({"top": {"type": "deeper.yaml"}}), files=files)
    shown = engine.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "Recursion depth exceeds 2." in shown["stack_status_reason"]
    assert "resources.top.resources.again.resources.again" in shown["stack_status_reason"]


def test_resource_count_is_counted_across_the_tree(engine: Deployment, small_limits: None) -> None:
    three = {
        "heat_template_version": "2018-08-31",
        "resources": {f"r{index}": {"type": "OS::Heat::None"} for index in range(3)},
    }
    body = template(
        {"first": {"type": "three.yaml"}, "second": {"type": "three.yaml", "depends_on": "first"}}
    )
    stack_id = engine.create("counted", body, files={"three.yaml": json.dumps(three)})
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "Maximum resources per stack exceeded." in shown["stack_status_reason"]
    assert "resources.second" in shown["stack_status_reason"]


def test_cloudformation_stack_from_the_files_map(engine: Deployment) -> None:
    child = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Word": {"Type": "String"}},
        "Resources": {"Thing": {"Type": "OS::Heat::Value", "Properties": {"value": {"Ref": "Word"}}}},
        "Outputs": {"Echo": {"Value": {"Fn::GetAtt": ["Thing", "value"]}}},
    }
    parent = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Inner": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": "https://example.com/child.json",
                    "Parameters": {"Word": "cfn"},
                },
            }
        },
        "Outputs": {
            "Echo": {"Value": {"Fn::GetAtt": ["Inner", "Outputs.Echo"]}},
            "Arn": {"Value": {"Ref": "Inner"}},
        },
    }
    stack_id = engine.create(
        "cfn-parent", parent, files={"https://example.com/child.json": json.dumps(child)}
    )
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    outputs = {output["output_key"]: output["output_value"] for output in shown["outputs"]}
    [inner] = children(engine, stack_id)
    assert outputs == {
        "Echo": "cfn",
        "Arn": f"arn:openstack:heat::{PROJECT.project_id}:stacks/{inner.name}/{inner.id}",
    }


def test_another_engine_resumes_the_child_after_the_first_stops(deployment: Deployment) -> None:
    slow = {
        "heat_template_version": "2018-08-31",
        "resources": {"slow": {"type": "Test::Counted", "properties": {"wait_secs": 1.0}}},
    }
    stack_id = deployment.create(
        "resumed", template({"inner": {"type": "slow.yaml"}}), files={"slow.yaml": json.dumps(slow)}
    )
    first = deployment.worker("engine-1")
    deadline = time.monotonic() + 10
    while True:
        found = children(deployment, stack_id)
        resources = deployment.repository.get_resources(found[0].id) if found else []
        # Stop once the poll token is stored: from then on the create is never started twice.
        if [(r.status, r.handle_token is not None) for r in resources] == [("IN_PROGRESS", True)]:
            break
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.02)
    first.stop(timeout=10)
    deployment.worker("engine-2")
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    [child] = children(deployment, stack_id)
    assert child.stack_status == "CREATE_COMPLETE"
    [resource] = deployment.repository.get_resources(child.id)
    assert deployment.repository.get_resource_data(resource.id)["creates"] == "1"


def test_another_engine_resumes_a_nested_adopt_after_the_first_stops(deployment: Deployment) -> None:
    slow = {
        "heat_template_version": "2018-08-31",
        "resources": {"slow": {"type": "Test::Counted", "properties": {"wait_secs": 1.0}}},
    }
    files = {"slow.yaml": json.dumps(slow)}
    first = deployment.worker("engine-1")
    original = deployment.create("to-abandon", template({"inner": {"type": "slow.yaml"}}), files=files)
    assert deployment.wait(original)["stack_status"] == "CREATE_COMPLETE"
    deployment.service.enable_stack_abandon = deployment.service.enable_stack_adopt = True
    data = deployment.service.abandon_stack(PROJECT, original)
    slow_id = data["resources"]["inner"]["resources"]["slow"]["resource_id"]
    deployment.wait(original, {"DELETE_COMPLETE"})

    stack_id = deployment.service.adopt_stack(PROJECT, "adopted", data)
    deadline = time.monotonic() + 10
    while True:
        found = children(deployment, stack_id)
        resources = deployment.repository.get_resources(found[0].id) if found else []
        # Stop once the child's resource is adopting (its poll token stored).
        if [(r.action, r.status, r.handle_token is not None) for r in resources] == [
            ("ADOPT", "IN_PROGRESS", True)
        ]:
            break
        assert time.monotonic() < deadline, "the child never started adopting"
        time.sleep(0.02)
    first.stop(timeout=10)
    deployment.worker("engine-2")
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "ADOPT_COMPLETE", shown["stack_status_reason"]
    [child] = children(deployment, stack_id)
    assert child.stack_status == "ADOPT_COMPLETE"
    [resource] = deployment.repository.get_resources(child.id)
    assert resource.physical_resource_id == slow_id
    data_stored = deployment.repository.get_resource_data(resource.id)
    assert (data_stored["creates"], data_stored["adopts"]) == ("1", "1")


def test_stack_resource_update_updates_the_child_in_place(engine: Deployment) -> None:
    def body(word: str) -> dict[str, Any]:
        return template(
            {
                "inner": {
                    "type": "OS::Heat::Stack",
                    "properties": {"template": json.dumps(CHILD), "parameters": {"word": word}},
                }
            },
            outputs={"echo": {"value": {"get_attr": ["inner", "outputs", "echo"]}}},
        )

    stack_id = engine.create("update-inner", body("one"))
    assert engine.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    engine.service.update_stack(PROJECT, stack_id, body("two"))
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert shown["outputs"][0]["output_value"] == "two"
    [child] = children(engine, stack_id)
    assert child.stack_status == "UPDATE_COMPLETE"


def test_a_top_level_template_over_the_limit_is_refused(engine: Deployment, small_limits: None) -> None:
    body = template({f"r{index}": {"type": "OS::Heat::None"} for index in range(7)})
    with pytest.raises(nested.StackResourceLimitExceeded, match="Maximum resources per stack exceeded"):
        engine.create("too-big", body)
