"""ResourceGroup and ResourceChain through the queue: members in a nested stack, their attributes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from engine_deployment import FAST, PROJECT, Deployment, template


@pytest.fixture
def engine(deployment: Deployment) -> Deployment:
    # No takeover here: a long lease, so a loaded machine that delays a renewal past the
    # short test lease does not make the engine take its own job over (an in-place update
    # taken over starts again: one more nested update than the batches).
    deployment.worker("engine-1", dataclasses.replace(FAST, lease_seconds=30.0))
    return deployment


def outputs_of(body: dict[str, Any]) -> dict[str, Any]:
    return {output["output_key"]: output["output_value"] for output in body["outputs"]}


def test_resource_group_of_three_with_index(engine: Deployment) -> None:
    body = template(
        {
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": 3,
                    "resource_def": {
                        "type": "OS::Heat::Value",
                        "properties": {"value": "member-%index%"},
                    },
                },
            }
        },
        outputs={
            "values": {"value": {"get_attr": ["group", "value"]}},
            "by_name": {"value": {"get_attr": ["group", "attributes", "value"]}},
            "second": {"value": {"get_attr": ["group", "resource.1.value"]}},
            "refs": {"value": {"get_attr": ["group", "refs"]}},
            "refs_map": {"value": {"get_attr": ["group", "refs_map"]}},
            "first_ref": {"value": {"get_attr": ["group", "resource.0"]}},
        },
    )
    stack_id = engine.create("grouped", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    outputs = outputs_of(shown)
    assert outputs["values"] == ["member-0", "member-1", "member-2"]
    assert outputs["by_name"] == {"0": "member-0", "1": "member-1", "2": "member-2"}
    assert outputs["second"] == "member-1"
    [child] = engine.repository.get_child_stacks(stack_id)
    members = engine.resources(child.id)
    assert sorted(members) == ["0", "1", "2"]
    assert outputs["refs"] == [members[name]["physical_resource_id"] for name in ("0", "1", "2")]
    assert outputs["refs_map"] == {name: members[name]["physical_resource_id"] for name in members}
    assert outputs["first_ref"] == members["0"]["physical_resource_id"]

    engine.service.delete_stack(PROJECT, stack_id)
    assert engine.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"})["stack_status"] == "DELETE_COMPLETE"
    assert engine.repository.get_child_stacks(stack_id) == []


def test_resource_group_removal_policies_and_index_var(engine: Deployment) -> None:
    body = template(
        {
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": 2,
                    "index_var": "__n__",
                    "removal_policies": [{"resource_list": ["0"]}],
                    "resource_def": {"type": "OS::Heat::Value", "properties": {"value": "v__n__"}},
                },
            }
        },
        outputs={
            "values": {"value": {"get_attr": ["group", "attributes", "value"]}},
            "removed": {"value": {"get_attr": ["group", "removed_rsrc_list"]}},
        },
    )
    stack_id = engine.create("policies", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert outputs_of(shown) == {"values": {"1": "v1", "2": "v2"}, "removed": ["0"]}


def test_resource_group_member_failure_names_the_member(engine: Deployment) -> None:
    body = template(
        {
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": 2,
                    "resource_def": {"type": "OS::Heat::TestResource", "properties": {"fail": True}},
                },
            }
        }
    )
    stack_id = engine.create("failing-group", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "resources.group.resources." in shown["stack_status_reason"]


def test_resource_chain_in_order(engine: Deployment) -> None:
    body = template(
        {
            "chain": {
                "type": "OS::Heat::ResourceChain",
                "properties": {
                    "resources": ["OS::Heat::Value", "OS::Heat::Value", "OS::Heat::None"],
                    "resource_properties": {"value": "same"},
                },
            }
        },
        outputs={
            "values": {"value": {"get_attr": ["chain", "attributes", "value"]}},
            "refs": {"value": {"get_attr": ["chain", "refs"]}},
        },
    )
    stack_id = engine.create("chained", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    outputs = outputs_of(shown)
    assert outputs["values"] == {"0": "same", "1": "same", "2": None}
    assert len(outputs["refs"]) == 3
    [child] = engine.repository.get_child_stacks(stack_id)
    members = {record.name: record for record in engine.repository.get_resources(child.id)}
    assert members["1"].requires == ("0",)
    assert members["2"].requires == ("1",)


def group_body(count: int, value: str, removal: list[str] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "count": count,
        "resource_def": {"type": "OS::Heat::Value", "properties": {"value": f"{value}-%index%"}},
    }
    if removal is not None:
        properties["removal_policies"] = [{"resource_list": removal}]
    return template(
        {"group": {"type": "OS::Heat::ResourceGroup", "properties": properties}},
        outputs={"values": {"value": {"get_attr": ["group", "attributes", "value"]}}},
    )


def test_resource_group_update_grows_shrinks_and_changes_members(engine: Deployment) -> None:
    stack_id = engine.create("updated-group", group_body(2, "a"))
    assert engine.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    [child] = engine.repository.get_child_stacks(stack_id)

    engine.service.update_stack(PROJECT, stack_id, group_body(4, "a"))
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert outputs_of(shown)["values"] == {str(index): f"a-{index}" for index in range(4)}
    assert [found.id for found in engine.repository.get_child_stacks(stack_id)] == [child.id]

    engine.service.update_stack(PROJECT, stack_id, group_body(2, "b", removal=["0"]))
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert outputs_of(shown)["values"] == {"1": "b-1", "2": "b-2"}
    assert sorted(engine.resources(child.id)) == ["1", "2"]


def member_events(engine: Deployment, child_id: str) -> list[tuple[str, str]]:
    return [
        (event["resource_name"], event["resource_status"])
        for event in engine.service.list_events(PROJECT, child_id)
        if event["resource_name"].isdigit()
    ]


def test_batch_create_creates_members_in_batches(engine: Deployment) -> None:
    body = group_body(3, "a")
    body["resources"]["group"]["update_policy"] = {"batch_create": {"max_batch_size": 2, "pause_time": 0}}
    stack_id = engine.create("batched", body)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert outputs_of(shown)["values"] == {"0": "a-0", "1": "a-1", "2": "a-2"}
    [child] = engine.repository.get_child_stacks(stack_id)
    assert child.stack_status == "UPDATE_COMPLETE"  # the first batch, then one update per batch
    created = [name for name, status in member_events(engine, child.id) if status == "CREATE_COMPLETE"]
    assert created.index("2") > max(created.index("0"), created.index("1"))


def test_rolling_update_changes_members_in_batches(engine: Deployment) -> None:
    def body(value: str) -> dict[str, Any]:
        built = group_body(3, value)
        built["resources"]["group"]["update_policy"] = {
            "rolling_update": {"max_batch_size": 1, "pause_time": 0}
        }
        return built

    stack_id = engine.create("rolling", body("a"))
    assert engine.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    [child] = engine.repository.get_child_stacks(stack_id)
    engine.service.update_stack(PROJECT, stack_id, body("b"))
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert outputs_of(shown)["values"] == {"0": "b-0", "1": "b-1", "2": "b-2"}
    stack_events = [
        event
        for event in engine.service.list_events(PROJECT, child.id)
        if event["resource_name"] == child.name and event["resource_status"] == "UPDATE_COMPLETE"
    ]
    # One nested update per batch of one (on failure, say what the child went through).
    assert len(stack_events) == 3, [
        (event["resource_status"], event["resource_status_reason"], event["event_time"])
        for event in engine.service.list_events(PROJECT, child.id)
    ]
