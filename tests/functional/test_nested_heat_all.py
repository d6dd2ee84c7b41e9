"""Nested stacks of a failed parent, through python-heatclient → heat-api → the queue → the engine
(heat-all in this process): a failing sibling and a cancelled update stop the running children."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.cmd.all import AllInOne, AllOptions
from calor.config import load_config

heat_client = pytest.importorskip("heatclient.client")


def _test(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "OS::Heat::TestResource", "properties": {"value": value, **extra}}


def _hot(resources: dict[str, Any]) -> dict[str, Any]:
    return {"heat_template_version": "2018-08-31", "resources": resources}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = AllOptions(
        state_dir=tmp_path_factory.mktemp("heat-all"),
        api_port=0,
        cfn_port=0,
        identity_port=0,
        cloud_port=0,
        with_cloud=False,
    )
    heat_all = AllInOne(options, load_config())
    heat_all.start()
    auth = v3.Password(
        auth_url=heat_all.url("identity") + "/v3",
        username="demo",
        password=heat_all.credentials["demo"],
        project_name="demo",
        user_domain_name="Default",
        project_domain_name="Default",
    )
    yield heat_client.Client("1", session=keystone_session.Session(auth=auth), service_type="orchestration")
    heat_all.stop()


def _wait(client: Any, identity: str, *, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        stack = client.stacks.get(identity)
        if not stack.stack_status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def _children(client: Any, stack_id: str) -> list[Any]:
    return [stack for stack in client.stacks.list(show_nested=True) if stack.parent == stack_id]


def _assert_children_stopped(client: Any, stack_id: str, action: str) -> None:
    [child] = _children(client, stack_id)
    assert (child.stack_status, child.stack_status_reason) == (f"{action}_FAILED", "Operation cancelled")
    statuses = {resource.resource_status for resource in client.resources.list(stack_id, nested_depth=3)}
    assert not any(status.endswith("IN_PROGRESS") for status in statuses), statuses
    reasons = [event.resource_status_reason for event in client.events.list(child.id)]
    assert f"{action} aborted (Operation cancelled)" in reasons
    assert "Operation cancelled" in reasons


def test_a_failing_sibling_stops_the_child_then_delete_works(client: Any) -> None:
    child = _hot({"endless": _test("child", action_wait_secs={"create": -1})})
    template = _hot(
        {
            "inner": {"type": "OS::Heat::Stack", "properties": {"template": json.dumps(child)}},
            "bad": _test("bad", fail=True, wait_secs=0.5),
        }
    )
    created = client.stacks.create(stack_name="failing", template=template, disable_rollback=True)
    stack = _wait(client, created["stack"]["id"])
    assert stack.stack_status == "CREATE_FAILED"
    assert "Test Resource failed bad" in stack.stack_status_reason
    _assert_children_stopped(client, stack.id, "CREATE")

    client.stacks.delete(stack.id)
    assert _wait(client, stack.id).stack_status == "DELETE_COMPLETE"
    assert _children(client, stack.id) == []


def test_cancel_without_rollback_stops_the_child_then_update_works(client: Any) -> None:
    def template(value: str, wait: float) -> dict[str, Any]:
        child = _hot({"slow": _test(value, action_wait_secs={"update": wait})})
        return _hot({"inner": {"type": "OS::Heat::Stack", "properties": {"template": json.dumps(child)}}})

    created = client.stacks.create(
        stack_name="cancelled", template=template("one", 0), disable_rollback=False
    )
    stack_id = created["stack"]["id"]
    assert _wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    client.stacks.update(stack_id, template=template("two", -1))
    [child] = _children(client, stack_id)
    deadline = time.monotonic() + 20
    while client.resources.get(child.id, "slow").resource_status != "UPDATE_IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.actions.cancel_without_rollback(stack_id)
    stack = _wait(client, stack_id)
    assert (stack.stack_status, stack.stack_status_reason) == ("UPDATE_FAILED", "Stack UPDATE cancelled")
    _assert_children_stopped(client, stack_id, "UPDATE")

    client.stacks.update(stack_id, template=template("three", 0))
    stack = _wait(client, stack_id)
    assert stack.stack_status == "UPDATE_COMPLETE", stack.stack_status_reason
