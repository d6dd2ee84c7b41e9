"""Wait conditions end to end: heat-cfntools' cfn-signal and cfn-get-metadata against heat-api-cfn."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cfn_fixtures import CfnService

from calor.engine.resource_context import stable_short_id
from calor.plugins.context import physical_resource_name

CFN_SIGNAL = shutil.which("cfn-signal")
needs_cfntools = pytest.mark.skipif(CFN_SIGNAL is None, reason="heat-cfntools is not installed")


def wait_template(timeout: int = 30, count: int = 1) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            "Wait": {
                "Type": "AWS::CloudFormation::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": timeout, "Count": count},
            },
            "Config": {
                "Type": "OS::Heat::None",
                "Metadata": {
                    "AWS::CloudFormation::Init": {
                        "config": {
                            "packages": {"yum": {"httpd": []}},
                            "files": {"/etc/motd": {"content": "hi"}},
                        }
                    }
                },
            },
        },
        "Outputs": {
            "Url": {"Value": {"Ref": "Handle"}},
            "Data": {"Value": {"Fn::GetAtt": ["Wait", "Data"]}},
        },
    }


def handle_url(cfn: CfnService, client: Any, name: str) -> str:
    for _ in range(200):
        resources = client.describe_stack_resources(StackName=name, LogicalResourceId="Handle")
        found = resources["StackResources"]
        if found and found[0]["ResourceStatus"] == "CREATE_COMPLETE":
            stack = cfn.repository.find_stack(name, cfn.principals.demo_project.id)
            assert stack is not None
            record = cfn.repository.find_resource(stack.id, "Handle")
            assert record is not None
            return cfn.repository.get_resource_data(record.id)["url"]
        time.sleep(0.05)
    raise AssertionError("the handle was not created")


def cfn_signal(url: str, *arguments: str) -> None:
    assert CFN_SIGNAL is not None
    completed = subprocess.run([CFN_SIGNAL, *arguments, url], capture_output=True, text=True, timeout=30)
    assert completed.returncode == 0, completed.stderr


@needs_cfntools
def test_cfn_signal_completes_the_wait_condition(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="waiting", TemplateBody=json.dumps(wait_template()))
    url = handle_url(cfn, client, "waiting")
    assert "/v1/waitcondition/arn%3Aopenstack%3Aheat%3A%3A" in url and "Signature=" in url
    assert cfn.wait(client, "waiting", timeout=0.3)["StackStatus"] == "CREATE_IN_PROGRESS"
    cfn_signal(url, "-i", "instance-1", "-d", "configured", "-s", "true")
    stack = cfn.wait(client, "waiting")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert json.loads(outputs["Data"]) == {"instance-1": "configured"}
    assert outputs["Url"] == url


@needs_cfntools
def test_failure_signal_fails_the_stack_with_its_reason(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="failing", TemplateBody=json.dumps(wait_template()), OnFailure="DO_NOTHING")
    url = handle_url(cfn, client, "failing")
    cfn_signal(url, "-i", "instance-1", "-s", "false", "-r", "httpd would not start")
    stack = cfn.wait(client, "failing")
    assert stack["StackStatus"] == "CREATE_FAILED"
    assert stack["StackStatusReason"] == (
        "Resource CREATE failed: WaitConditionFailure: resources.Wait: httpd would not start"
    )


def test_timeout_fails_the_stack_with_a_clear_reason(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(
        StackName="late", TemplateBody=json.dumps(wait_template(timeout=1)), OnFailure="DO_NOTHING"
    )
    stack = cfn.wait(client, "late")
    assert stack["StackStatus"] == "CREATE_FAILED"
    assert stack["StackStatusReason"] == (
        "Resource CREATE failed: WaitConditionTimeout: resources.Wait: 0 of 1 received"
    )
    events = client.describe_stack_events(StackName="late")["StackEvents"]
    failed = next(event for event in events if event["LogicalResourceId"] == "Wait")
    assert failed["ResourceStatus"] == "CREATE_FAILED"


def test_two_signals_for_a_count_of_two(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="pair", TemplateBody=json.dumps(wait_template(count=2)))
    url = handle_url(cfn, client, "pair")
    for number in (1, 2):
        body = {"Status": "SUCCESS", "Reason": "ok", "UniqueId": str(number), "Data": f"data{number}"}
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
        if number == 1:
            assert cfn.wait(client, "pair", timeout=0.3)["StackStatus"] == "CREATE_IN_PROGRESS"
    stack = cfn.wait(client, "pair")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert json.loads(outputs["Data"]) == {"1": "data1", "2": "data2"}


def test_a_bad_signal_is_refused(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="strict", TemplateBody=json.dumps(wait_template()))
    url = handle_url(cfn, client, "strict")
    request = urllib.request.Request(url, data=b'{"Status": "MAYBE"}', method="PUT")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 400
    tampered = urllib.request.Request(url.replace("Signature=", "Signature=x"), data=b"{}", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(tampered)
    assert error.value.code == 403


def stack_user_client(cfn: CfnService, name: str) -> Any:
    stack = cfn.repository.find_stack(name, cfn.principals.demo_project.id)
    assert stack is not None
    record = cfn.repository.find_resource(stack.id, "Handle")
    assert record is not None
    data = cfn.repository.get_resource_data(record.id)
    return cfn.client(data["access_key"], data["secret_key"])


def test_stack_credentials_read_only_their_own_stack(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="first", TemplateBody=json.dumps(wait_template()))
    client.create_stack(StackName="second", TemplateBody=json.dumps(wait_template()))
    handle_url(cfn, client, "first")
    handle_url(cfn, client, "second")
    agent = stack_user_client(cfn, "first")
    detail = agent.describe_stack_resource(StackName="first", LogicalResourceId="Config")
    metadata = json.loads(detail["StackResourceDetail"]["Metadata"])
    assert metadata["AWS::CloudFormation::Init"]["config"]["files"]["/etc/motd"]["content"] == "hi"
    # Another stack of the same project answers as a stack that does not exist.
    for name in ("second", "nothing-by-that-name"):
        with pytest.raises(ClientError) as error:
            agent.describe_stack_resource(StackName=name, LogicalResourceId="Config")
        assert error.value.response["Error"]["Code"] == "ValidationError"
        assert f"Stack with id {name} does not exist" in error.value.response["Error"]["Message"]
    # Everything but DescribeStackResource is refused by policy (cloudformation:*: deny_stack_user).
    for call in (
        agent.list_stacks,
        lambda: agent.describe_stacks(StackName="first"),
        lambda: agent.describe_stack_resources(StackName="first"),
        lambda: agent.describe_stack_events(StackName="first"),
        lambda: agent.delete_stack(StackName="first"),
        lambda: agent.create_stack(StackName="mine", TemplateBody=json.dumps(wait_template())),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["Error"]["Code"] == "AccessDenied"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert client.describe_stacks(StackName="first")["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"


# heat-cfntools reads boto's settings from /var/lib/heat-cfntools/cfn-boto-cfg (written by
# cloud-init in an instance); loading boto first makes it use $BOTO_CONFIG instead.
GET_METADATA = """
import sys
import boto
from heat_cfntools.cfntools import cfn_helper
cfn_helper.metadata_server_port = lambda *arguments, **options: int(sys.argv[1])
metadata = cfn_helper.Metadata(sys.argv[2], sys.argv[3], access_key=sys.argv[4], secret_key=sys.argv[5])
import json
print(json.dumps(metadata.remote_metadata()))
"""


@needs_cfntools
def test_cfn_get_metadata_reads_cloudformation_init(cfn: CfnService, tmp_path: Any) -> None:
    client = cfn.client()
    client.create_stack(StackName="configured", TemplateBody=json.dumps(wait_template()))
    handle_url(cfn, client, "configured")
    stack = cfn.repository.find_stack("configured", cfn.principals.demo_project.id)
    assert stack is not None
    record = cfn.repository.find_resource(stack.id, "Handle")
    assert record is not None
    data = cfn.repository.get_resource_data(record.id)
    boto_config = tmp_path / "boto.cfg"
    boto_config.write_text("[Boto]\ncfn_region_name = RegionOne\ncfn_region_endpoint = 127.0.0.1\n")
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            GET_METADATA,
            str(cfn.served.port),
            "configured",
            "Config",
            data["access_key"],
            data["secret_key"],
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"BOTO_CONFIG": str(boto_config), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    metadata = json.loads(completed.stdout.strip().splitlines()[-1])
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    assert metadata["AWS::CloudFormation::Init"]["config"]["packages"] == {"yum": {"httpd": []}}


def stack_domain_users(cfn: CfnService) -> list[str]:
    return [user.name for user in cfn.identity.list_users(domain_id=cfn.principals.stack_domain.id)]


def test_deleting_the_stack_revokes_the_signal_url(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="revoked", TemplateBody=json.dumps(wait_template(timeout=600)))
    url = handle_url(cfn, client, "revoked")
    stack = cfn.repository.find_stack("revoked", cfn.principals.demo_project.id)
    assert stack is not None and stack.stack_user_project_id is not None
    project = cfn.identity.get_project(stack.stack_user_project_id)
    assert project.domain_id == cfn.principals.stack_domain.id
    assert project.name == f"{cfn.principals.demo_project.id}-{stack.id}"[:64]  # as Heat names it
    # Named by the handle's physical name (as Heat names stack users) and the stack id.
    name = f"{physical_resource_name('revoked', 'Handle', stable_short_id(stack.id, 'Handle'))}-{stack.id}"
    assert sorted(stack_domain_users(cfn)) == sorted(["heat_domain_admin", name])
    user = cfn.identity.find_user(name, cfn.principals.stack_domain.id)
    assert [role.name for role in cfn.identity.assigned_roles(user.id, project.id)] == ["heat_stack_user"]
    client.delete_stack(StackName="revoked")
    stack_arn = client.describe_stacks(StackName="revoked")["Stacks"][0]["StackId"]
    assert cfn.wait(client, stack_arn)["StackStatus"] == "DELETE_COMPLETE"
    assert stack_domain_users(cfn) == ["heat_domain_admin"]
    assert project.id not in [found.id for found in cfn.identity.list_projects()]
    body = {"Status": "SUCCESS", "Reason": "late", "UniqueId": "1", "Data": ""}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 403


def test_stack_credentials_signal_only_their_own_stack(cfn: CfnService) -> None:
    from calor.plugins.signals.presign import presigned_url

    client = cfn.client()
    client.create_stack(StackName="own", TemplateBody=json.dumps(wait_template()))
    client.create_stack(StackName="foreign", TemplateBody=json.dumps(wait_template()))
    handle_url(cfn, client, "own")
    foreign_url = handle_url(cfn, client, "foreign")
    own = cfn.repository.find_stack("own", cfn.principals.demo_project.id)
    assert own is not None
    record = cfn.repository.find_resource(own.id, "Handle")
    assert record is not None
    keys = cfn.repository.get_resource_data(record.id)
    foreign_path = urllib.parse.unquote(urllib.parse.urlsplit(foreign_url).path)
    forged = presigned_url(
        cfn.url, foreign_path, access=keys["access_key"], secret=keys["secret_key"], method="PUT"
    )
    body = {"Status": "SUCCESS", "Reason": "forged", "UniqueId": "1", "Data": ""}
    request = urllib.request.Request(forged, data=json.dumps(body).encode(), method="PUT")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    # As for a stack that does not exist: nothing tells the agent the other stack is there.
    assert error.value.code == 400
    assert b"ValidationError" in error.value.read()
    foreign = cfn.repository.find_stack("foreign", cfn.principals.demo_project.id)
    assert foreign is not None
    handle = cfn.repository.find_resource(foreign.id, "Handle")
    assert handle is not None
    assert not [key for key in cfn.repository.get_resource_data(handle.id) if key.startswith("signal.")]
