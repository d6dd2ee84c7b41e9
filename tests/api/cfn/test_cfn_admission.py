"""Quotas and resource type policy through heat-api-cfn: the service refuses, AWS's codes answer.

The same checks as heat-api's (calor.engine.admission): ``RequestLimitExceeded`` (400) for
``max_stacks_per_tenant``, ``max_resources_per_stack`` and ``max_template_size``,
``AccessDenied`` (403) for a resource type the caller's role may not use, as Heat's
``heat.api.aws.exception`` maps them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cfn_fixtures import CfnFactory, CfnService

from calor.config import ApiConfig

WORD = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Word": {"Type": "OS::Heat::RandomString"}},
}
FLAVOR = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Flavor": {"Type": "OS::Nova::Flavor", "Properties": {"ram": 512, "vcpus": 1}}},
}


def refusal(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        str(response["Error"]["Code"]),
        int(response["ResponseMetadata"]["HTTPStatusCode"]),
        str(response["Error"]["Message"]),
    )


def admin_client(cfn: CfnService) -> Any:
    credential = cfn.principals.admin_credential
    return cfn.client(credential.access, credential.secret)


def test_stacks_per_tenant(cfn_factory: CfnFactory) -> None:
    cfn = cfn_factory(config=ApiConfig(max_stacks_per_tenant=1))
    client = cfn.client()
    client.create_stack(StackName="one", TemplateBody=json.dumps(WORD))
    code, status, message = refusal(
        lambda: client.create_stack(StackName="two", TemplateBody=json.dumps(WORD))
    )
    assert (code, status) == ("RequestLimitExceeded", 400)
    assert "maximum stacks per tenant, 1" in message
    assert [summary["StackName"] for summary in client.list_stacks()["StackSummaries"]] == ["one"]
    # Administrators are exempt, as in Heat.
    admin_client(cfn).create_stack(StackName="three", TemplateBody=json.dumps(WORD))


def test_resources_per_stack_and_template_size(cfn_factory: CfnFactory) -> None:
    cfn = cfn_factory(config=ApiConfig(max_resources_per_stack=2, max_template_size=400))
    client = cfn.client()
    many = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {name: {"Type": "OS::Heat::None"} for name in ("a", "b", "c")},
    }
    code, status, message = refusal(
        lambda: client.create_stack(StackName="many", TemplateBody=json.dumps(many))
    )
    assert (code, status) == ("RequestLimitExceeded", 400)
    assert "maximum resources per stack, 2" in message
    large = {**WORD, "Description": "x" * 400}
    code, status, message = refusal(
        lambda: client.create_stack(StackName="large", TemplateBody=json.dumps(large))
    )
    assert (code, status) == ("RequestLimitExceeded", 400)
    assert "exceeds maximum allowed size (400 bytes)" in message
    assert (
        refusal(lambda: client.validate_template(TemplateBody=json.dumps(large)))[0] == "RequestLimitExceeded"
    )
    assert client.list_stacks()["StackSummaries"] == []


def test_admin_only_resource_types(cfn: CfnService) -> None:
    client = cfn.client()
    code, status, message = refusal(
        lambda: client.create_stack(StackName="f", TemplateBody=json.dumps(FLAVOR))
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "resource_types:OS::Nova::Flavor" in message
    assert refusal(lambda: client.validate_template(TemplateBody=json.dumps(FLAVOR)))[:2] == (
        "AccessDenied",
        403,
    )
    assert client.list_stacks()["StackSummaries"] == []
    assert admin_client(cfn).validate_template(TemplateBody=json.dumps(FLAVOR))["Parameters"] == []


def test_update_is_held_to_the_same_rules(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="grows", TemplateBody=json.dumps(WORD))
    cfn.wait(client, "grows")
    code, status, _message = refusal(
        lambda: client.update_stack(StackName="grows", TemplateBody=json.dumps(FLAVOR))
    )
    assert (code, status) == ("AccessDenied", 403)
    assert client.describe_stacks(StackName="grows")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_a_policy_file_decides_cloudformation_actions(cfn_factory: CfnFactory, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"cloudformation:ListStacks": "role:admin"\n', encoding="utf-8")
    cfn = cfn_factory(config=ApiConfig(policy_file=str(policy_file)))
    assert refusal(cfn.client().list_stacks)[:2] == ("AccessDenied", 403)
    assert admin_client(cfn).list_stacks()["StackSummaries"] == []
    assert cfn.client().describe_stacks()["Stacks"] == []
