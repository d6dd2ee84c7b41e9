"""boto3 against heat-api-cfn in Keystone mode: EC2 credentials made in Keystone, /v3/ec2tokens."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from keystone_tier import Calor

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Word": {"Type": "OS::Heat::RandomString", "Properties": {"length": 7}}},
    "Outputs": {"Value": {"Value": {"Fn::GetAtt": ["Word", "value"]}}},
}


def cloudformation(calor: Calor, access: str, secret: str) -> Any:
    return boto3.client(
        "cloudformation",
        endpoint_url=calor.cfn.url + "/v1",
        region_name="RegionOne",
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def wait_for(client: Any, name: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stack: dict[str, Any] = client.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


@pytest.fixture(scope="module")
def demo_keys(calor: Calor) -> tuple[str, str]:
    return calor.keystone.ec2_credentials("demo")


def test_boto3_runs_a_stack_with_keystone_ec2_credentials(calor: Calor, demo_keys: tuple[str, str]) -> None:
    client = cloudformation(calor, *demo_keys)
    stack_id = client.create_stack(StackName="cfn-keystone", TemplateBody=json.dumps(TEMPLATE))["StackId"]
    stack = wait_for(client, "cfn-keystone")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    assert stack["StackId"] == stack_id
    assert calor.keystone.projects["demo"] in stack_id
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert len(outputs["Value"]) == 7
    resources = client.describe_stack_resources(StackName="cfn-keystone")["StackResources"]
    assert [resource["LogicalResourceId"] for resource in resources] == ["Word"]
    client.delete_stack(StackName="cfn-keystone")


def test_a_wrong_secret_is_refused(calor: Calor, demo_keys: tuple[str, str]) -> None:
    client = cloudformation(calor, demo_keys[0], "not-the-secret")
    with pytest.raises(ClientError) as raised:
        client.list_stacks()
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_an_unknown_access_key_is_refused(calor: Calor) -> None:
    client = cloudformation(calor, "0123456789abcdef0123456789abcdef", "secret")
    with pytest.raises(ClientError) as raised:
        client.list_stacks()
    assert raised.value.response["Error"]["Code"] in ("InvalidClientTokenId", "SignatureDoesNotMatch")


def test_another_project_cannot_see_the_stack_by_cfn(calor: Calor, demo_keys: tuple[str, str]) -> None:
    demo = cloudformation(calor, *demo_keys)
    demo.create_stack(StackName="cfn-private", TemplateBody=json.dumps(TEMPLATE))
    other = cloudformation(calor, *calor.keystone.ec2_credentials("other"))
    with pytest.raises(ClientError) as raised:
        other.describe_stacks(StackName="cfn-private")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "cfn-private" not in [summary["StackName"] for summary in other.list_stacks()["StackSummaries"]]
    wait_for(demo, "cfn-private")
    demo.delete_stack(StackName="cfn-private")
