"""boto3 against heat-api-cfn: the stack lifecycle, paging, and AWS's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cfn_fixtures import CfnFactory, CfnService

TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "A random string",
    "Parameters": {"Length": {"Type": "Number", "Default": "6", "Description": "how long"}},
    "Resources": {
        "Word": {
            "Type": "OS::Heat::RandomString",
            "Metadata": {"AWS::CloudFormation::Init": {"config": {"files": {"/tmp/x": {"content": "x"}}}}},
            "Properties": {"length": {"Ref": "Length"}},
        }
    },
    "Outputs": {"Value": {"Description": "the string", "Value": {"Fn::GetAtt": ["Word", "value"]}}},
}


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_full_lifecycle(cfn: CfnService) -> None:
    client = cfn.client()
    created = client.create_stack(
        StackName="words",
        TemplateBody=json.dumps(TEMPLATE),
        Parameters=[{"ParameterKey": "Length", "ParameterValue": "9"}],
        Tags=[{"Key": "team", "Value": "blue"}],
        TimeoutInMinutes=5,
        Capabilities=["CAPABILITY_IAM"],
        NotificationARNs=[],
        OnFailure="DO_NOTHING",
    )
    arn = created["StackId"]
    project = cfn.principals.demo_project.id
    assert arn.startswith(f"arn:openstack:heat::{project}:stacks/words/")

    stack = cfn.wait(client, "words")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] == arn
    assert stack["DisableRollback"] is True
    assert stack["TimeoutInMinutes"] == 5
    assert stack["Description"] == "A random string"
    assert {"ParameterKey": "Length", "ParameterValue": "9"} in stack["Parameters"]
    assert stack["Tags"] == [{"Key": "team", "Value": "blue"}]
    (output,) = stack["Outputs"]
    assert output["OutputKey"] == "Value" and len(output["OutputValue"]) == 9

    by_arn = client.describe_stacks(StackName=arn)["Stacks"][0]
    assert by_arn["StackName"] == "words"

    resources = client.describe_stack_resources(StackName="words")["StackResources"]
    assert [(item["LogicalResourceId"], item["ResourceStatus"]) for item in resources] == [
        ("Word", "CREATE_COMPLETE")
    ]
    detail = client.describe_stack_resource(StackName="words", LogicalResourceId="Word")
    metadata = json.loads(detail["StackResourceDetail"]["Metadata"])
    assert metadata["AWS::CloudFormation::Init"]["config"]["files"]["/tmp/x"]["content"] == "x"
    summaries = client.list_stack_resources(StackName="words")["StackResourceSummaries"]
    assert summaries[0]["ResourceType"] == "OS::Heat::RandomString"

    events = client.describe_stack_events(StackName="words")["StackEvents"]
    assert events[0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert events[0]["LogicalResourceId"] == "words"
    assert {event["ResourceStatus"] for event in events} >= {"CREATE_IN_PROGRESS", "CREATE_COMPLETE"}

    template = client.get_template(StackName="words")["TemplateBody"]
    assert template["Resources"]["Word"]["Type"] == "OS::Heat::RandomString"

    listed = client.list_stacks()["StackSummaries"]
    assert [item["StackName"] for item in listed] == ["words"]

    client.delete_stack(StackName="words")
    deleted = cfn.wait(client, arn)
    assert deleted["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError) as error:
        client.describe_stacks(StackName="words")
    assert error_code(error) == "ValidationError"
    assert "does not exist" in str(error.value)
    statuses = client.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    assert [item["StackName"] for item in statuses] == ["words"]
    assert client.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"] == []


def test_validate_and_summary(cfn: CfnService) -> None:
    client = cfn.client()
    validated = client.validate_template(TemplateBody=json.dumps(TEMPLATE))
    assert validated["Description"] == "A random string"
    assert validated["Parameters"] == [
        {"ParameterKey": "Length", "DefaultValue": "6", "NoEcho": False, "Description": "how long"}
    ]
    summary = client.get_template_summary(TemplateBody=json.dumps(TEMPLATE))
    assert summary["ResourceTypes"] == ["OS::Heat::RandomString"]
    assert summary["Version"] == "2010-09-09"
    assert summary["Parameters"][0]["ParameterType"] == "Number"


def test_invalid_template_is_a_validation_error(cfn: CfnService) -> None:
    client = cfn.client()
    with pytest.raises(ClientError) as error:
        client.validate_template(TemplateBody="{not: [valid")
    assert error_code(error) == "ValidationError"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    broken = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "No::Such::Type"}}}
    with pytest.raises(ClientError) as error:
        client.create_stack(StackName="broken", TemplateBody=json.dumps(broken))
    assert error_code(error) == "ValidationError"
    assert "No::Such::Type" in str(error.value)


def test_unknown_stack_and_existing_name(cfn: CfnService) -> None:
    client = cfn.client()
    with pytest.raises(ClientError) as error:
        client.describe_stacks(StackName="nothing")
    assert error_code(error) == "ValidationError"
    assert "Stack with id nothing does not exist" in str(error.value)
    with pytest.raises(ClientError) as error:
        client.describe_stack_resource(StackName="nothing", LogicalResourceId="A")
    assert error_code(error) == "ValidationError"
    client.delete_stack(StackName="nothing")  # AWS: deleting what does not exist succeeds
    client.create_stack(StackName="once", TemplateBody=json.dumps(TEMPLATE))
    with pytest.raises(ClientError) as error:
        client.create_stack(StackName="once", TemplateBody=json.dumps(TEMPLATE), TimeoutInMinutes=3)
    assert error_code(error) == "AlreadyExistsException"


def test_other_projects_stacks_are_invisible(cfn: CfnService) -> None:
    demo = cfn.client()
    demo.create_stack(StackName="mine", TemplateBody=json.dumps(TEMPLATE))
    identity = cfn.identity
    project = identity.create_project("other", "default")
    user = identity.create_user("other-user", "default", "secret", default_project_id=project.id)
    identity.grant_role(user.id, project.id, identity.find_role("member").id)
    key = identity.create_ec2_credential(user.id, project.id)
    other = cfn.client(key.access, key.secret)
    assert other.list_stacks()["StackSummaries"] == []
    with pytest.raises(ClientError) as error:
        other.describe_stacks(StackName="mine")
    assert error_code(error) == "ValidationError"


def test_bad_signature_unknown_key_and_unsigned(cfn: CfnService) -> None:
    credential = cfn.principals.demo_credential
    with pytest.raises(ClientError) as error:
        cfn.client(credential.access, "wrong-secret").list_stacks()
    assert error_code(error) == "SignatureDoesNotMatch"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as error:
        cfn.client("unknown-access", "whatever").list_stacks()
    assert error_code(error) == "InvalidClientTokenId"
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as http_error:
        urllib.request.urlopen(cfn.endpoint + "?Action=ListStacks&Version=2010-05-15")
    assert http_error.value.code == 403
    body = http_error.value.read().decode()
    assert "<Code>MissingAuthenticationToken</Code>" in body
    assert 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"' in body


def test_update_with_previous_template_and_cancel_needs_an_update(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="fixed", TemplateBody=json.dumps(TEMPLATE))
    cfn.wait(client, "fixed")
    client.update_stack(
        StackName="fixed",
        UsePreviousTemplate=True,
        Parameters=[{"ParameterKey": "Length", "ParameterValue": "9"}],
    )
    stack = cfn.wait(client, "fixed")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack.get("StackStatusReason")
    assert len(stack["Outputs"][0]["OutputValue"]) == 9
    with pytest.raises(ClientError) as error:
        client.cancel_update_stack(StackName="fixed")
    assert error_code(error) == "ValidationError"


def test_pagination(cfn_factory: CfnFactory) -> None:
    cfn = cfn_factory(page_size=2)
    client = cfn.client()
    for index in range(5):
        client.create_stack(StackName=f"stack{index}", TemplateBody=json.dumps(TEMPLATE))
    first = client.list_stacks()
    assert len(first["StackSummaries"]) == 2 and first["NextToken"]
    paginator = client.get_paginator("list_stacks")
    names = [item["StackName"] for page in paginator.paginate() for item in page["StackSummaries"]]
    assert sorted(names) == [f"stack{index}" for index in range(5)]
    described = [
        item["StackName"]
        for page in client.get_paginator("describe_stacks").paginate()
        for item in page["Stacks"]
    ]
    assert sorted(described) == sorted(names)
    cfn.wait(client, "stack0")
    events = [
        event
        for page in client.get_paginator("describe_stack_events").paginate(StackName="stack0")
        for event in page["StackEvents"]
    ]
    assert len(events) >= 4


def test_on_failure_and_disable_rollback_conflict(cfn: CfnService) -> None:
    client = cfn.client()
    with pytest.raises(ClientError) as error:
        client.create_stack(
            StackName="both", TemplateBody=json.dumps(TEMPLATE), DisableRollback=True, OnFailure="DELETE"
        )
    assert error_code(error) == "InvalidParameterCombination"
    client.create_stack(StackName="rolling", TemplateBody=json.dumps(TEMPLATE))
    assert cfn.wait(client, "rolling")["DisableRollback"] is False


def test_template_url_is_fetched_within_limits(cfn_factory: CfnFactory) -> None:
    from calor.api.serving import ServedApp
    from calor.config import ApiConfig

    def files(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(TEMPLATE).encode()]

    server = ServedApp("files", "127.0.0.1", 0, threads=1)
    server.application = files
    server.start()
    try:
        refused = cfn_factory().client()
        with pytest.raises(ClientError) as error:
            refused.validate_template(TemplateURL=server.url + "/template.json")
        assert error_code(error) == "ValidationError"
        assert "127.0.0.1" in str(error.value)
        allowed = cfn_factory(config=ApiConfig(template_fetch_allowed_hosts=("127.0.0.1",)))
        validated = allowed.client().validate_template(TemplateURL=server.url + "/template.json")
        assert validated["Description"] == "A random string"
        with pytest.raises(ClientError) as error:
            allowed.client().validate_template(TemplateURL="file:///etc/passwd")
        assert error_code(error) == "ValidationError"
    finally:
        server.stop()
