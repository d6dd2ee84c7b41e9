"""Stack domain users in Keystone mode: a wait condition's handle gets a user of Keystone's ``heat``
domain, in a project of its own for the stack, made by ``heat_domain_admin``. That user signals
its handle (the pre-signed URL, cfn-signal, heat-api's resource signal) and reads its stack's
metadata, and nothing else; deleting the stack removes the users and the project from Keystone."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from keystone_tier import Calor
from test_keystone_cfn import cloudformation, wait_for

from calor.engine.resource_context import stable_short_id
from calor.plugins.context import physical_resource_name
from calor.plugins.signals.presign import presigned_url

TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "handle": {"type": "AWS::CloudFormation::WaitConditionHandle"},
        "wait": {
            "type": "AWS::CloudFormation::WaitCondition",
            "properties": {"Handle": {"get_resource": "handle"}, "Timeout": 120},
        },
        "heat_handle": {
            "type": "OS::Heat::WaitConditionHandle",
            "properties": {"signal_transport": "HEAT_SIGNAL"},
        },
        "heat_wait": {
            "type": "OS::Heat::WaitCondition",
            "properties": {"handle": {"get_resource": "heat_handle"}, "timeout": 120},
        },
        "config": {
            "type": "OS::Heat::None",
            "metadata": {
                "AWS::CloudFormation::Init": {"config": {"files": {"/etc/motd": {"content": "hi"}}}}
            },
        },
    },
    "outputs": {
        "cfn_data": {"value": {"get_attr": ["wait", "Data"]}},
        "heat_data": {"value": {"get_attr": ["heat_wait", "data"]}},
    },
}
CFN_SIGNAL = shutil.which("cfn-signal")


@dataclass
class AgentStack:
    name: str
    stack_id: str
    arn: str
    handle: dict[str, str]
    heat_handle: dict[str, str]

    @property
    def project_id(self) -> str:
        return self.handle["project_id"]


def handle_data(calor: Calor, stack_id: str, resource: str) -> dict[str, str]:
    for _ in range(600):
        record = calor.repository.find_resource(stack_id, resource)
        if record is not None and (record.action, record.status) == ("CREATE", "COMPLETE"):
            return dict(calor.repository.get_resource_data(record.id))
        if record is not None and record.status == "FAILED":
            raise AssertionError(f"{resource}: {record.status_reason}")
        time.sleep(0.05)
    stack = calor.repository.get_stack(stack_id)
    found = calor.repository.find_resource(stack_id, resource)
    state = None if stack is None else (stack.stack_status, stack.status_reason)
    raise AssertionError(f"{resource} was not created: {found}, stack {state}")


def create_agent_stack(calor: Calor, client: Any, name: str) -> AgentStack:
    arn = client.create_stack(StackName=name, TemplateBody=json.dumps(TEMPLATE), DisableRollback=True)[
        "StackId"
    ]
    stack_id = arn.rsplit("/", 1)[-1]
    return AgentStack(
        name,
        stack_id,
        arn,
        handle_data(calor, stack_id, "handle"),
        handle_data(calor, stack_id, "heat_handle"),
    )


@pytest.fixture(scope="module")
def demo(calor: Calor) -> Any:
    return cloudformation(calor, *calor.keystone.ec2_credentials("demo"))


@pytest.fixture(scope="module")
def stacks(calor: Calor, demo: Any) -> Iterator[tuple[AgentStack, AgentStack]]:
    own = create_agent_stack(calor, demo, "agents")
    neighbour = create_agent_stack(calor, demo, "agents-neighbour")
    yield own, neighbour
    for stack in (own, neighbour):
        demo.delete_stack(StackName=stack.arn)


def admin_get(calor: Calor, path: str) -> requests.Response:
    token, _body = calor.keystone.token("admin", system=True)
    return requests.get(calor.keystone.url + path, headers={"X-Auth-Token": token}, timeout=30)


def agent_client(calor: Calor, stack: AgentStack) -> Any:
    return cloudformation(calor, stack.handle["access_key"], stack.handle["secret_key"])


def refused_code(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def test_the_handles_users_live_in_the_stack_domain(
    calor: Calor, stacks: tuple[AgentStack, AgentStack]
) -> None:
    own, neighbour = stacks
    assert own.project_id != neighbour.project_id
    assert own.heat_handle["project_id"] == own.project_id
    stored = calor.repository.get_stack(own.stack_id)
    assert stored is not None and stored.stack_user_project_id == own.project_id
    domain_id = calor.keystone.users["heat_domain_admin"]["domain_id"]
    project = admin_get(calor, f"/projects/{own.project_id}").json()["project"]
    assert project["domain_id"] == domain_id
    assert project["name"] == f"{calor.keystone.projects['demo']}-{own.stack_id}"[:64]
    assignments = admin_get(
        calor, f"/role_assignments?scope.project.id={own.project_id}&include_names"
    ).json()
    granted = {(entry["user"]["id"], entry["role"]["name"]) for entry in assignments["role_assignments"]}
    assert granted == {
        (own.handle["user_id"], "heat_stack_user"),
        (own.heat_handle["user_id"], "heat_stack_user"),
    }
    user = admin_get(calor, f"/users/{own.handle['user_id']}").json()["user"]
    physical_name = physical_resource_name(own.name, "handle", stable_short_id(own.stack_id, "handle"))
    assert user["domain_id"] == domain_id and user["name"] == f"{physical_name}-{own.stack_id}"


def test_the_stack_user_reads_its_metadata_and_nothing_else(
    calor: Calor, stacks: tuple[AgentStack, AgentStack]
) -> None:
    own, neighbour = stacks
    agent = agent_client(calor, own)
    detail = agent.describe_stack_resource(StackName=own.name, LogicalResourceId="config")
    metadata = json.loads(detail["StackResourceDetail"]["Metadata"])
    assert metadata["AWS::CloudFormation::Init"]["config"]["files"]["/etc/motd"]["content"] == "hi"
    assert refused_code(agent.list_stacks) == "AccessDenied"
    assert refused_code(lambda: agent.describe_stacks(StackName=own.name)) == "AccessDenied"
    assert refused_code(lambda: agent.describe_stack_resources(StackName=own.name)) == "AccessDenied"
    assert refused_code(lambda: agent.delete_stack(StackName=own.name)) == "AccessDenied"
    # Another stack of the same project, or of another project, is not found.
    other = cloudformation(calor, *calor.keystone.ec2_credentials("other"))
    other.create_stack(
        StackName="others-stack",
        TemplateBody=json.dumps({"heat_template_version": "2018-08-31", "resources": {}}),
    )
    for name in (neighbour.name, "others-stack"):
        code = refused_code(
            lambda name=name: agent.describe_stack_resource(StackName=name, LogicalResourceId="config")
        )
        assert code == "ValidationError"
    wait_for(other, "others-stack")
    other.delete_stack(StackName="others-stack")


def test_the_stack_user_cannot_signal_another_stack(
    calor: Calor, stacks: tuple[AgentStack, AgentStack]
) -> None:
    own, neighbour = stacks
    foreign_path = urllib.parse.unquote(urllib.parse.urlsplit(neighbour.handle["url"]).path)
    forged = presigned_url(
        calor.cfn.url,
        foreign_path,
        access=own.handle["access_key"],
        secret=own.handle["secret_key"],
        method="PUT",
    )
    body = {"Status": "SUCCESS", "Reason": "forged", "UniqueId": "1", "Data": ""}
    response = requests.put(forged, data=json.dumps(body), timeout=30)
    assert response.status_code == 400 and "ValidationError" in response.text
    token = stack_user_token(calor, own.heat_handle)
    stack_path = f"stacks/{neighbour.name}/{neighbour.stack_id}"
    url = f"{calor.api_url}/v1/{own.project_id}/{stack_path}/resources/heat_handle/signal"
    assert (
        requests.post(
            url, json={"status": "SUCCESS"}, headers={"X-Auth-Token": token}, timeout=30
        ).status_code
        == 404
    )
    record = calor.repository.find_resource(neighbour.stack_id, "handle")
    assert record is not None
    assert not [key for key in calor.repository.get_resource_data(record.id) if key.startswith("signal.")]


def stack_user_token(calor: Calor, data: dict[str, str]) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": data["user_id"], "password": data["password"]}},
            },
            "scope": {"project": {"id": data["project_id"]}},
        }
    }
    response = requests.post(calor.keystone.url + "/auth/tokens", json=body, timeout=30)
    response.raise_for_status()
    return str(response.headers["X-Subject-Token"])


def test_heat_api_answers_the_stack_user_as_policy_says(
    calor: Calor, stacks: tuple[AgentStack, AgentStack]
) -> None:
    own, _neighbour = stacks
    token = stack_user_token(calor, own.heat_handle)
    base = f"{calor.api_url}/v1/{own.project_id}/stacks/{own.name}/{own.stack_id}"
    headers = {"X-Auth-Token": token}
    metadata = requests.get(f"{base}/resources/config/metadata", headers=headers, timeout=30)
    assert metadata.status_code == 200, metadata.text
    assert "AWS::CloudFormation::Init" in metadata.json()["metadata"]
    for path in ("", "/resources", "/events", "/template"):
        assert requests.get(base + path, headers=headers, timeout=30).status_code == 403, path
    assert (
        requests.get(f"{calor.api_url}/v1/{own.project_id}/stacks", headers=headers, timeout=30).status_code
        == 403
    )
    # The stack's owner project in the URL is not the token's.
    demo_url = f"{calor.api_url}/v1/{calor.keystone.projects['demo']}/stacks/{own.name}/{own.stack_id}"
    assert (
        requests.get(demo_url + "/resources/config/metadata", headers=headers, timeout=30).status_code == 403
    )


def test_the_stack_user_signals_and_the_stack_completes(
    calor: Calor, demo: Any, stacks: tuple[AgentStack, AgentStack]
) -> None:
    own, _neighbour = stacks
    url = own.handle["url"]
    if CFN_SIGNAL is not None:
        completed = subprocess.run(
            [CFN_SIGNAL, "-i", "instance-1", "-d", "configured", "-s", "true", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert completed.returncode == 0, completed.stderr
    else:
        body = {"Status": "SUCCESS", "Reason": "ok", "UniqueId": "instance-1", "Data": "configured"}
        assert requests.put(url, data=json.dumps(body), timeout=30).status_code == 200
    token = stack_user_token(calor, own.heat_handle)
    signal_url = (
        f"{calor.api_url}/v1/{own.project_id}/stacks/{own.name}/{own.stack_id}/resources/heat_handle/signal"
    )
    signalled = requests.post(
        signal_url, json={"status": "SUCCESS", "data": "up"}, headers={"X-Auth-Token": token}, timeout=30
    )
    assert signalled.status_code == 200, signalled.text
    stack = wait_for(demo, own.arn, timeout=60)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert json.loads(outputs["cfn_data"]) == {"instance-1": "configured"}
    assert json.loads(outputs["heat_data"]) == {"1": "up"}


def test_deleting_the_stack_removes_its_users_and_project(calor: Calor, demo: Any) -> None:
    stack = create_agent_stack(calor, demo, "agents-deleted")
    users = (stack.handle["user_id"], stack.heat_handle["user_id"])
    assert all(admin_get(calor, f"/users/{user}").status_code == 200 for user in users)
    demo.delete_stack(StackName=stack.arn)
    assert wait_for(demo, stack.arn, timeout=60)["StackStatus"] == "DELETE_COMPLETE"
    assert [admin_get(calor, f"/users/{user}").status_code for user in users] == [404, 404]
    assert admin_get(calor, f"/projects/{stack.project_id}").status_code == 404
    # The key pair no longer signs anything.
    assert refused_code(agent_client(calor, stack).list_stacks) in (
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
    )
