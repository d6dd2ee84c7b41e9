"""heat-all serves heat-api-cfn: boto3 with the demo EC2 key pair, and a wait condition signalled."""

from __future__ import annotations

import json
import time
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
