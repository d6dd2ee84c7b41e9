"""python-heatclient against heat-api in Keystone mode: password and token auth, a whole lifecycle."""

from __future__ import annotations

import time
from typing import Any

import pytest
from heatclient import client as heat_client
from keystone_tier import Calor
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"length": {"type": "number", "default": 12}},
    "resources": {
        "word": {"type": "OS::Heat::RandomString", "properties": {"length": {"get_param": "length"}}}
    },
    "outputs": {"value": {"value": {"get_attr": ["word", "value"]}}},
}


def password_client(calor: Calor, user: str, project: str | None = None) -> Any:
    entry = calor.keystone.users[user]
    auth = v3.Password(
        auth_url=calor.keystone.url,
        username=user,
        password=entry["password"],
        project_name=project or entry["project"],
        user_domain_id="default",
        project_domain_id="default",
    )
    return heat_client.Client("1", session=keystone_session.Session(auth=auth))


def wait_for(client: Any, stack_id: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        stack = client.stacks.get(stack_id)
        if not stack.stack_status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def wait_gone(client: Any, stack_id: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack = client.stacks.get(stack_id)
        if stack.stack_status != "DELETE_IN_PROGRESS":
            return str(stack.stack_status)
        time.sleep(0.1)
    return "TIMEOUT"


def test_password_auth_runs_a_whole_stack_lifecycle(calor: Calor) -> None:
    client = password_client(calor, "demo")
    created = client.stacks.create(stack_name="keystone-words", template=TEMPLATE, parameters={"length": 9})
    stack_id = created["stack"]["id"]
    stack = wait_for(client, stack_id)
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason
    assert stack.project == calor.keystone.projects["demo"]
    output = client.stacks.output_show(stack_id, "value")["output"]
    assert len(output["output_value"]) == 9
    assert [resource.resource_name for resource in client.resources.list(stack_id)] == ["word"]
    assert any(event.resource_status == "CREATE_COMPLETE" for event in client.events.list(stack_id))
    assert stack_id in [listed.id for listed in client.stacks.list()]
    client.stacks.delete(stack_id)
    assert wait_gone(client, stack_id) == "DELETE_COMPLETE"


def test_token_auth_reaches_the_same_project(calor: Calor) -> None:
    token, body = calor.keystone.token("demo")
    auth = v3.Token(auth_url=calor.keystone.url, token=token, project_id=body["project"]["id"])
    client = heat_client.Client("1", session=keystone_session.Session(auth=auth))
    created = client.stacks.create(stack_name="keystone-token", template=TEMPLATE)
    stack = wait_for(client, created["stack"]["id"])
    assert stack.stack_status == "CREATE_COMPLETE"
    # The same stack, seen with a password session of the same user.
    assert password_client(calor, "demo").stacks.get(stack.id).stack_name == "keystone-token"
    client.stacks.delete(stack.id)


def test_an_endpoint_and_token_client_works_without_the_catalog(calor: Calor) -> None:
    token, body = calor.keystone.token("demo")
    client = heat_client.Client("1", endpoint=calor.orchestration_url(body["project"]["id"]), token=token)
    assert isinstance(list(client.stacks.list()), list)


def test_a_request_without_or_with_a_bad_token_is_refused(calor: Calor) -> None:
    import requests

    url = calor.orchestration_url(calor.keystone.projects["demo"]) + "/stacks"
    assert requests.get(url, timeout=10).status_code == 401
    refused = requests.get(url, headers={"X-Auth-Token": "not-a-token"}, timeout=10)
    assert refused.status_code == 401
    assert "Www-Authenticate" in refused.headers


@pytest.mark.parametrize("user", ["demo", "other"])
def test_each_user_lists_only_its_project(calor: Calor, user: str) -> None:
    client = password_client(calor, user)
    project = calor.keystone.projects[calor.keystone.users[user]["project"]]
    assert all(stack.project == project for stack in client.stacks.list())
