"""OS::Heat::WaitCondition with its handle: CFN_SIGNAL through heat-api-cfn, heat-api's signal path."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

from cfn_fixtures import CfnService

from calor.api.cfn.signalling import deliver_signal
from calor.engine.service import RequestContext


def template(transport: str, count: int = 1) -> dict[str, Any]:
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            "handle": {
                "type": "OS::Heat::WaitConditionHandle",
                "properties": {"signal_transport": transport},
            },
            "wait": {
                "type": "OS::Heat::WaitCondition",
                "properties": {"handle": {"get_resource": "handle"}, "count": count, "timeout": 30},
            },
        },
        "outputs": {
            "curl": {"value": {"get_attr": ["handle", "curl_cli"]}},
            "endpoint": {"value": {"get_attr": ["handle", "endpoint"]}},
            "data": {"value": {"get_attr": ["wait", "data"]}},
        },
    }


def handle_data(cfn: CfnService, name: str) -> dict[str, str]:
    for _ in range(200):
        stack = cfn.repository.find_stack(name, cfn.principals.demo_project.id)
        record = cfn.repository.find_resource(stack.id, "handle") if stack else None
        if record is not None and record.action == "CREATE" and record.status == "COMPLETE":
            return cfn.repository.get_resource_data(record.id)
        time.sleep(0.05)
    raise AssertionError("the handle was not created")


def test_cfn_signal_transport_with_curl(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="heatwait", TemplateBody=json.dumps(template("CFN_SIGNAL")))
    url = handle_data(cfn, "heatwait")["url"]
    assert "/v1/signal/arn%3Aopenstack%3Aheat%3A%3A" in url
    body = json.dumps({"status": "SUCCESS", "data": "ready", "id": "web"})
    completed = subprocess.run(
        ["curl", "-sf", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body, url],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 0, completed.stderr
    stack = cfn.wait(client, "heatwait")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert json.loads(outputs["data"]) == {"web": "ready"}
    assert outputs["endpoint"] == url
    assert outputs["curl"].startswith("curl -i -X POST") and url in outputs["curl"]


def test_token_signal_delivered_as_heat_api_would(cfn: CfnService) -> None:
    client = cfn.client()
    client.create_stack(StackName="tokenwait", TemplateBody=json.dumps(template("TOKEN_SIGNAL", count=2)))
    data = handle_data(cfn, "tokenwait")
    assert data["token"]
    token = cfn.identity.validate_token(data["token"])
    stack_record = cfn.repository.find_stack("tokenwait", cfn.principals.demo_project.id)
    assert stack_record is not None and stack_record.stack_user_project_id is not None
    # The token is the stack user's, scoped to the stack's project in the stack domain.
    assert token.project_id == stack_record.stack_user_project_id == data["project_id"]
    assert cfn.identity.get_project(token.project_id).domain_id == cfn.principals.stack_domain.id
    assert token.user_id == data["user_id"]
    context = RequestContext(project_id=token.project_id, user_id=token.user_id, roles=("heat_stack_user",))
    deliver_signal(cfn.service, context, "tokenwait", "handle", {"data": "one"})
    deliver_signal(cfn.service, context, "tokenwait", "handle", None)
    stack = cfn.wait(client, "tokenwait")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {output["OutputKey"]: output.get("OutputValue") for output in stack["Outputs"]}
    assert json.loads(outputs["data"]) == {"1": "one", "2": None}
    assert outputs["endpoint"] is None  # heat-api's URL was not given to this heat-api-cfn
    assert "X-Auth-Token: " + data["token"] in outputs["curl"]


def test_a_replaced_handle_keeps_a_stack_user_of_its_own(cfn: CfnService) -> None:
    """The replacement is created before the replaced handle is deleted: deleting the old
    handle's user must not take the new handle's with it (Heat names them by physical name)."""
    client = cfn.client()
    handle_only = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "handle": {
                "type": "OS::Heat::WaitConditionHandle",
                "properties": {"signal_transport": "HEAT_SIGNAL"},
            }
        },
    }
    client.create_stack(StackName="replaced", TemplateBody=json.dumps(handle_only))
    assert cfn.wait(client, "replaced")["StackStatus"] == "CREATE_COMPLETE"
    first = handle_data(cfn, "replaced")
    handle_only["resources"]["handle"]["properties"]["signal_transport"] = "CFN_SIGNAL"
    client.update_stack(StackName="replaced", TemplateBody=json.dumps(handle_only))
    stack = cfn.wait(client, "replaced")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack.get("StackStatusReason")
    second = handle_data(cfn, "replaced")
    assert second["user_id"] != first["user_id"]
    assert cfn.identity.get_user(second["user_id"]).enabled
    assert first["user_id"] not in [user.id for user in cfn.identity.list_users()]
