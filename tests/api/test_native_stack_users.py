"""Stack users through heat-api: a token of a stack's stack user project (role heat_stack_user)
reaches that stack alone, and policy lets it read resource metadata and signal, nothing else."""

from __future__ import annotations

import time
from typing import Any

from api_harness import PROJECT, Api

STACK_USER_PROJECT = "stack-user-project"
STACK_USER = "heat_stack_user"

AGENT_TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "config": {"type": "OS::Heat::None", "metadata": {"deployments": [{"name": "web"}]}},
        "word": {"type": "OS::Heat::RandomString"},
    },
}
PAUSED = {"resource_registry": {"resources": {"word": {"hooks": "pre-create"}}}}


def paused_stack(api: Api, name: str) -> str:
    """A stack whose ``word`` waits on its pre-create hook (cleared by a signal)."""
    stack_id = api.create(name, AGENT_TEMPLATE, environment=PAUSED)
    for _ in range(400):
        record = api.repository.find_resource(stack_id, "word")
        if record is not None and api.repository.get_resource_data(record.id).get("pre-create") == "True":
            return stack_id
        time.sleep(0.025)
    raise AssertionError("the hook did not pause the resource")


def as_stack_user(api: Api, method: str, path: str, **options: Any) -> Any:
    return api.call(method, path, project=STACK_USER_PROJECT, roles=STACK_USER, **options)


def test_a_stack_user_reads_metadata_and_signals_its_own_stack(api: Api) -> None:
    stack_id = paused_stack(api, "agents")
    assert api.repository.claim_stack_user_project(stack_id, STACK_USER_PROJECT) == STACK_USER_PROJECT
    base = f"stacks/agents/{stack_id}"
    metadata = as_stack_user(api, "GET", f"{base}/resources/config/metadata")
    assert metadata.status_code == 200, metadata.json
    assert metadata.json == {"metadata": {"deployments": [{"name": "web"}]}}
    signalled = as_stack_user(api, "POST", f"{base}/resources/word/signal", json={"unset_hook": "pre-create"})
    assert signalled.status_code == 200, signalled.json
    shown = api.wait("agents", stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE"
    assert shown["stack_user_project_id"] == STACK_USER_PROJECT  # as its owner sees it


def test_everything_else_is_refused_by_policy(api: Api) -> None:
    stack_id = api.create("agents", AGENT_TEMPLATE)
    api.repository.claim_stack_user_project(stack_id, STACK_USER_PROJECT)
    base = f"stacks/agents/{stack_id}"
    for method, path in [
        ("GET", "stacks"),
        ("GET", base),
        ("GET", f"{base}/resources"),
        ("GET", f"{base}/resources/config"),
        ("GET", f"{base}/events"),
        ("GET", f"{base}/template"),
        ("GET", f"{base}/outputs"),
        ("PATCH", base),
        ("DELETE", base),
        ("POST", f"{base}/actions"),
        ("POST", "stacks"),
        ("POST", "validate"),
        ("GET", "resource_types"),
        ("GET", "software_configs"),
    ]:
        response = as_stack_user(api, method, path, json={"check": None} if path.endswith("actions") else {})
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json["error"]["type"] == "Forbidden"
    assert api.wait("agents", stack_id)["stack_status"] == "CREATE_COMPLETE"


def test_other_stacks_are_not_found(api: Api) -> None:
    own = api.create("agents", AGENT_TEMPLATE)
    other = api.create("neighbour", AGENT_TEMPLATE)
    api.repository.claim_stack_user_project(own, STACK_USER_PROJECT)
    for stack in (f"neighbour/{other}", f"agents/{other}", "neighbour/00000000-0000-0000-0000-000000000000"):
        metadata = as_stack_user(api, "GET", f"stacks/{stack}/resources/config/metadata")
        assert metadata.status_code == 404, (stack, metadata.json)
        signal = as_stack_user(api, "POST", f"stacks/{stack}/resources/word/signal", json={})
        assert signal.status_code == 404, (stack, signal.json)
    # The stack's owner project in the URL is not the token's: 403, whether the stack exists or not.
    url = f"/v1/{PROJECT}/stacks/agents/{own}/resources/config/metadata"
    assert api.call("GET", url, project=STACK_USER_PROJECT, roles=STACK_USER).status_code == 403
    # A project that is nobody's stack user project reaches nothing.
    stranger = api.call(
        "GET", f"stacks/agents/{own}/resources/config/metadata", project="unrelated", roles=STACK_USER
    )
    assert stranger.status_code == 404


def test_a_stack_user_project_is_claimed_once_and_shared_with_nested_stacks(api: Api) -> None:
    root = api.create("root", AGENT_TEMPLATE)
    nested = api.repository.create_stack(
        name="root-child", project_id=PROJECT, template=AGENT_TEMPLATE, parent_id=root, nested_depth=1
    )
    assert api.repository.stack_user_project_id(nested.id) is None
    assert api.repository.claim_stack_user_project(nested.id, "first") == "first"
    assert api.repository.claim_stack_user_project(root, "second") == "first"
    assert api.repository.stack_user_project_id(root) == "first"
    assert api.repository.stack_user_project_id(nested.id) == "first"
    found = api.repository.find_stack_of_stack_user("root-child", "first")
    assert found is not None and found.id == nested.id
    assert api.repository.find_stack_of_stack_user(root, "first") is not None
    assert api.repository.find_stack_of_stack_user(root, "second") is None
