"""Children of a failed parent, through the queue: a sibling's failure, the stack timeout and a
cancelled update stop the nested stacks still running, and the parent can be updated and deleted."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from engine_deployment import FAST, PROJECT, Deployment, template

CANCELLED = "Operation cancelled"


def _test(value: str = "v", **extra: Any) -> dict[str, Any]:
    return {"type": "OS::Heat::TestResource", "properties": {"value": value, **extra}}


def _hot(resources: dict[str, Any]) -> dict[str, Any]:
    return {"heat_template_version": "2018-08-31", "resources": resources}


def tree(deployment: Deployment, stack_id: str) -> list[Any]:
    """Every stack below ``stack_id`` (deleted ones too), depth first."""
    found = []
    for child in deployment.repository.get_child_stacks(stack_id, show_deleted=True):
        found.append(child)
        found.extend(tree(deployment, child.id))
    return found


def in_progress(deployment: Deployment, stack_id: str) -> list[str]:
    """The stacks and resources of the tree below ``stack_id`` still in progress."""
    busy = []
    for child in tree(deployment, stack_id):
        if child.status == "IN_PROGRESS":
            busy.append(f"stack {child.name} {child.stack_status}")
        for resource in deployment.repository.get_resources(child.id):
            if resource.status == "IN_PROGRESS":
                busy.append(f"{child.name}.{resource.name} {resource.action}_{resource.status}")
    return busy


def wait_for_child_resource(deployment: Deployment, stack_id: str, name: str, state: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        for child in tree(deployment, stack_id):
            for resource in deployment.repository.get_resources(child.id):
                here = f"{resource.action}_{resource.status}"
                if resource.name == name and here == state and resource.handle_token is not None:
                    return
        assert time.monotonic() < deadline, f"no nested {name} in {state}"
        time.sleep(0.02)


def assert_stopped(deployment: Deployment, stack_id: str, action: str) -> None:
    """Every child ended ``<action>_FAILED`` "Operation cancelled", with events, nothing in progress."""
    assert in_progress(deployment, stack_id) == []
    children = tree(deployment, stack_id)
    assert children
    for child in children:
        assert child.stack_status == f"{action}_FAILED", (child.name, child.status_reason)
        assert child.status_reason == CANCELLED
        events = deployment.events(child.id)
        assert (child.name, f"{action}_FAILED", CANCELLED) in events
        aborted = [event for event in events if event[2] == f"{action} aborted ({CANCELLED})"]
        assert aborted, events


# A child whose resource never finishes, with a ResourceGroup of such resources (a grandchild).
ENDLESS_CHILD = _hot(
    {
        "endless": _test("child", action_wait_secs={"create": -1}),
        "group": {
            "type": "OS::Heat::ResourceGroup",
            "properties": {"count": 2, "resource_def": _test("member", action_wait_secs={"create": -1})},
        },
    }
)


def test_a_failing_sibling_stops_the_running_child(deployment: Deployment) -> None:
    deployment.worker("engine-1")  # error_wait_seconds is Heat's 240: the child is stopped at once
    body = template(
        {
            "inner": {"type": "OS::Heat::Stack", "properties": {"template": json.dumps(ENDLESS_CHILD)}},
            "bad": _test("bad", fail=True, wait_secs=0.5),
        }
    )
    started = time.monotonic()
    stack_id = deployment.create("failing-parent", body, disable_rollback=True)
    shown = deployment.wait(stack_id, timeout=30)
    assert time.monotonic() - started < 20
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "Test Resource failed bad" in shown["stack_status_reason"]
    inner = deployment.resources(stack_id)["inner"]
    assert (inner["resource_status"], inner["resource_status_reason"]) == ("CREATE_FAILED", "CREATE aborted")
    assert len(tree(deployment, stack_id)) == 2  # the child and its group's stack
    assert_stopped(deployment, stack_id, "CREATE")

    # A later update replaces the failed nested stack and completes; delete then removes everything.
    fixed = template(
        {
            "inner": {
                "type": "OS::Heat::Stack",
                "properties": {"template": json.dumps(_hot({"quick": _test()}))},
            },
            "bad": _test("good"),
        }
    )
    deployment.service.update_stack(PROJECT, stack_id, fixed)
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert in_progress(deployment, stack_id) == []
    deployment.service.delete_stack(PROJECT, stack_id)
    shown = deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"}, timeout=30)
    assert shown["stack_status"] == "DELETE_COMPLETE", shown["stack_status_reason"]
    assert all(child.deleted_at is not None for child in tree(deployment, stack_id))


def test_a_failing_sibling_stops_a_child_being_updated(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    child = _hot({"slow": _test(action_wait_secs={"update": -1})})
    child["parameters"] = {"value": {"type": "string"}}
    child["resources"]["slow"]["properties"]["value"] = {"get_param": "value"}
    files = {"child.yaml": json.dumps(child)}

    def body(value: str, bad: dict[str, Any]) -> dict[str, Any]:
        return template({"inner": {"type": "child.yaml", "properties": {"value": value}}, "bad": bad})

    stack_id = deployment.create("updating-parent", body("one", _test()), files=files)
    assert deployment.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    deployment.service.update_stack(
        PROJECT, stack_id, body("two", _test("bad", fail=True, wait_secs=0.5)), files=files
    )
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "UPDATE_FAILED", shown["stack_status_reason"]
    assert "Test Resource failed bad" in shown["stack_status_reason"]
    inner = deployment.resources(stack_id)["inner"]
    assert (inner["resource_status"], inner["resource_status_reason"]) == ("UPDATE_FAILED", "UPDATE aborted")
    assert_stopped(deployment, stack_id, "UPDATE")

    deployment.service.delete_stack(PROJECT, stack_id)
    shown = deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"}, timeout=30)
    assert shown["stack_status"] == "DELETE_COMPLETE", shown["stack_status_reason"]


def test_the_parents_timeout_stops_the_running_child(deployment: Deployment) -> None:
    # The parent has no timeout of its own: the engine's default, here 1.2 seconds. The
    # child's own is 5 minutes, so only the parent's stops it.
    deployment.worker("engine-1", dataclasses.replace(FAST, default_stack_timeout_minutes=0.02))
    body = template(
        {
            "inner": {
                "type": "OS::Heat::Stack",
                "properties": {
                    "template": json.dumps(_hot({"endless": _test(action_wait_secs={"create": -1})})),
                    "timeout": 5,
                },
            }
        }
    )
    stack_id = deployment.create("late-parent", body)
    shown = deployment.wait(stack_id, timeout=30)
    assert (shown["stack_status"], shown["stack_status_reason"]) == ("CREATE_FAILED", "Timed out")
    inner = deployment.resources(stack_id)["inner"]
    assert inner["resource_status_reason"] == "CREATE aborted (Timed out)"
    assert_stopped(deployment, stack_id, "CREATE")

    deployment.service.delete_stack(PROJECT, stack_id)
    shown = deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"}, timeout=30)
    assert shown["stack_status"] == "DELETE_COMPLETE", shown["stack_status_reason"]
    assert all(child.deleted_at is not None for child in tree(deployment, stack_id))


def test_cancelling_the_parents_update_stops_the_child(deployment: Deployment) -> None:
    deployment.worker("engine-1")

    def body(value: str, wait: float) -> dict[str, Any]:
        child = _hot(
            {
                "slow": _test(value, action_wait_secs={"update": wait}),
                "group": {
                    "type": "OS::Heat::ResourceGroup",
                    "properties": {
                        "count": 1,
                        "resource_def": _test(value, action_wait_secs={"update": wait}),
                    },
                },
            }
        )
        return template({"inner": {"type": "OS::Heat::Stack", "properties": {"template": json.dumps(child)}}})

    stack_id = deployment.create("cancelled-parent", body("one", 0), disable_rollback=False)
    assert deployment.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    deployment.service.update_stack(PROJECT, stack_id, body("two", -1))
    wait_for_child_resource(deployment, stack_id, "0", "UPDATE_IN_PROGRESS")
    deployment.service.stack_action(PROJECT, stack_id, "cancel_without_rollback")
    shown = deployment.wait(stack_id, timeout=30)
    assert (shown["stack_status"], shown["stack_status_reason"]) == (
        "UPDATE_FAILED",
        "Stack UPDATE cancelled",
    )
    assert deployment.resources(stack_id)["inner"]["resource_status"] == "UPDATE_FAILED"
    assert_stopped(deployment, stack_id, "UPDATE")

    # The parent can be updated again (back to quick resources), then deleted.
    deployment.service.update_stack(PROJECT, stack_id, body("three", 0))
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert in_progress(deployment, stack_id) == []
    deployment.service.delete_stack(PROJECT, stack_id)
    shown = deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"}, timeout=30)
    assert shown["stack_status"] == "DELETE_COMPLETE", shown["stack_status_reason"]
