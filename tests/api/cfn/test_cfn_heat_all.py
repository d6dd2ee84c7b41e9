"""heat-all serves heat-api-cfn: boto3 with the demo EC2 key pair, and a wait condition signalled."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from calor.cmd.all import AllInOne
from calor.config import database_url
from calor.db.engine import make_engine
from calor.db.repository import Repository
from calor.sandbox.identity import IdentityBackend


def demo_client(heat_all: AllInOne) -> Any:
    backend = IdentityBackend.open(heat_all.state_dir / "identity")
    demo = backend.find_user("demo", "default")
    key = backend.list_ec2_credentials(demo.id)[0]
    return boto3.client(
        "cloudformation",
        endpoint_url=heat_all.url("cfn") + "/v1",
        region_name="RegionOne",
        aws_access_key_id=key.access,
        aws_secret_access_key=key.secret,
        config=Config(retries={"max_attempts": 1}),
    )


def wait(client: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        stack: dict[str, Any] = client.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def test_heat_all_serves_the_query_api_and_signals(heat_all: AllInOne) -> None:
    client = demo_client(heat_all)
    assert isinstance(client.list_stacks()["StackSummaries"], list)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            "Wait": {
                "Type": "AWS::CloudFormation::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": 60},
            },
        },
    }
    client.create_stack(StackName="cfn-in-heat-all", TemplateBody=json.dumps(template))
    repository = Repository(make_engine(database_url(heat_all.conf, heat_all.state_dir)))
    url = None
    for _ in range(300):
        stack_id = client.describe_stacks(StackName="cfn-in-heat-all")["Stacks"][0]["StackId"].split("/")[-1]
        record = repository.find_resource(stack_id, "Handle")
        if record is not None and (record.action, record.status) == ("CREATE", "COMPLETE"):
            url = repository.get_resource_data(record.id)["url"]
            break
        time.sleep(0.05)
    assert url is not None and url.startswith(heat_all.url("cfn") + "/v1/waitcondition/")
    body = {"Status": "SUCCESS", "Reason": "done", "UniqueId": "i-1", "Data": "hello"}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    stack = wait(client, "cfn-in-heat-all")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    client.delete_stack(StackName="cfn-in-heat-all")


TOKEN_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "handle": {
            "type": "OS::Heat::WaitConditionHandle",
            "properties": {"signal_transport": "TOKEN_SIGNAL"},
        },
        "wait": {"type": "OS::Heat::WaitCondition", "properties": {"handle": {"get_resource": "handle"}}},
        "config": {"type": "OS::Heat::None", "metadata": {"role": "web"}},
    },
    "outputs": {"data": {"value": {"get_attr": ["wait", "data"]}}},
}


def test_heat_all_token_signal_reaches_heat_api_as_the_stack_user(heat_all: AllInOne) -> None:
    client = demo_client(heat_all)
    stack_arn = client.create_stack(StackName="token-in-heat-all", TemplateBody=json.dumps(TOKEN_TEMPLATE))[
        "StackId"
    ]
    stack_id = stack_arn.split("/")[-1]
    repository = Repository(make_engine(database_url(heat_all.conf, heat_all.state_dir)))
    data: dict[str, str] = {}
    for _ in range(300):
        record = repository.find_resource(stack_id, "handle")
        if record is not None and (record.action, record.status) == ("CREATE", "COMPLETE"):
            data = dict(repository.get_resource_data(record.id))
            break
        time.sleep(0.05)
    stack = repository.get_stack(stack_id)
    assert stack is not None and data["project_id"] == stack.stack_user_project_id
    backend = IdentityBackend.open(heat_all.state_dir / "identity")
    assert backend.get_project(data["project_id"]).domain_id == backend.find_domain("heat").id
    base = f"{heat_all.url('api')}/v1/{data['project_id']}/stacks/token-in-heat-all/{stack_id}"
    headers = {"X-Auth-Token": data["token"], "Content-Type": "application/json"}

    def call(method: str, url: str, body: Any = None) -> int:
        request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    assert call("GET", f"{base}/resources/config/metadata") == 200
    assert call("GET", base) == 403
    assert call("GET", f"{heat_all.url('api')}/v1/{data['project_id']}/stacks") == 403
    assert call("POST", f"{base}/resources/handle/signal", {"status": "SUCCESS", "data": "up"}) == 200
    finished = wait(client, "token-in-heat-all")
    assert finished["StackStatus"] == "CREATE_COMPLETE", finished.get("StackStatusReason")
    assert json.loads(finished["Outputs"][0]["OutputValue"]) == {"1": "up"}
    client.delete_stack(StackName="token-in-heat-all")
    assert wait(client, stack_arn)["StackStatus"] == "DELETE_COMPLETE"
    assert data["project_id"] not in [project.id for project in backend.list_projects()]
