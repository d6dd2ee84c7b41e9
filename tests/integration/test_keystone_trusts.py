"""Deferred authentication against the real Keystone: a create that outlives a short token expiry.

A second Keystone copy issues tokens that live a few seconds; its Calor has the sandbox cloud
and no ``project_role``, so the engine can reach demo's project only through the trust the
create made. The cloud resources are created after demo's token expired, in demo's project
and as demo (the trust impersonates); the trust lives as long as the stack.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from keystone_tier import Calor, Keystone, start_calor, start_keystone
from sqlalchemy import select

from calor.db.engine import read_session
from calor.db.tables import UserCredentials

TOKEN_SECONDS = 4
TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        # Outlives demo's token: what depends on it is created with the trust alone.
        "pause": {
            "type": "OS::Heat::TestResource",
            "properties": {"action_wait_secs": {"create": TOKEN_SECONDS + 2}},
        },
        "net": {"type": "OS::Neutron::Net", "depends_on": ["pause"], "properties": {"name": "late-net"}},
        "key": {"type": "OS::Nova::KeyPair", "depends_on": ["pause"], "properties": {"name": "late-key"}},
    },
}


@pytest.fixture(scope="module")
def short_keystone(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Keystone]:
    # ``keystone`` (the session's) is requested only so a missing Keystone skips or fails first.
    running = start_keystone(
        tmp_path_factory.mktemp("keystone-short") / "keystone", token_expiration=TOKEN_SECONDS
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def short_calor(short_keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Calor]:
    running = start_calor(tmp_path_factory.mktemp("calor-short"), short_keystone)
    yield running
    running.stop()


def demo_call(calor: Calor, method: str, url: str, **options: Any) -> requests.Response:
    """A request with a fresh demo token (tokens here outlive a few seconds only)."""
    token, _body = calor.keystone.token("demo")
    return requests.request(method, url, headers={"X-Auth-Token": token}, timeout=30, **options)


def stack_status(calor: Calor, project_id: str, stack_id: str) -> str:
    response = demo_call(calor, "GET", f"{calor.orchestration_url(project_id)}/stacks/trusted/{stack_id}")
    response.raise_for_status()
    stack = response.json()["stack"]
    return f"{stack['stack_status']}: {stack['stack_status_reason']}"


def wait_while_in_progress(calor: Calor, project_id: str, stack_id: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    status = stack_status(calor, project_id, stack_id)
    while "_IN_PROGRESS" in status and time.monotonic() < deadline:
        time.sleep(0.3)
        status = stack_status(calor, project_id, stack_id)
    return status


def demo_trusts(calor: Calor, user_id: str) -> list[dict[str, Any]]:
    response = demo_call(calor, "GET", f"{calor.keystone.url}/OS-TRUST/trusts?trustor_user_id={user_id}")
    response.raise_for_status()
    trusts: list[dict[str, Any]] = response.json()["trusts"]
    return trusts


def keystone_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_create_outlives_the_token_that_started_it(short_calor: Calor) -> None:
    calor = short_calor
    keystone = calor.keystone
    token, body = keystone.token("demo")
    project_id, user_id = body["project"]["id"], body["user"]["id"]
    token_expires = keystone_time(body["expires_at"])
    created = requests.post(
        f"{calor.orchestration_url(project_id)}/stacks",
        json={"stack_name": "trusted", "template": TEMPLATE},
        headers={"X-Auth-Token": token},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    stack_id = created.json()["stack"]["id"]

    # The trust: demo → heat, on demo's project, impersonating, while the stack lives.
    (trust,) = demo_trusts(calor, user_id)
    assert trust["trustee_user_id"] == keystone.users["heat"]["id"]
    assert trust["project_id"] == project_id and trust["impersonation"] is True
    stack = calor.repository.get_stack(stack_id)
    assert stack is not None and stack.user_credentials_id is not None
    with read_session(calor.repository.engine) as session:
        stored = session.scalars(
            select(UserCredentials.trust_id).where(UserCredentials.id == stack.user_credentials_id)
        ).one()
    assert stored is not None and trust["id"] not in stored  # encrypted at rest

    status = wait_while_in_progress(calor, project_id, stack_id)
    assert status.startswith("CREATE_COMPLETE"), status
    # demo's own token is long gone by now.
    validated = requests.get(
        f"{keystone.url}/auth/tokens",
        headers={"X-Auth-Token": keystone.token("heat")[0], "X-Subject-Token": token},
        timeout=30,
    )
    assert validated.status_code == 404

    resources = demo_call(
        calor, "GET", f"{calor.orchestration_url(project_id)}/stacks/trusted/{stack_id}/resources"
    ).json()["resources"]
    physical = {resource["resource_name"]: resource["physical_resource_id"] for resource in resources}
    assert calor.cloud is not None
    network = demo_call(calor, "GET", f"{calor.cloud.url}/network/v2.0/networks/{physical['net']}")
    assert network.status_code == 200, network.text
    assert network.json()["network"]["project_id"] == project_id
    assert keystone_time(network.json()["network"]["created_at"]) > token_expires
    # Key pairs belong to users: the trust impersonated demo, so demo sees the key pair.
    key = demo_call(calor, "GET", f"{calor.cloud.url}/compute/v2.1/os-keypairs/late-key")
    assert key.status_code == 200, key.text

    deleted = demo_call(calor, "DELETE", f"{calor.orchestration_url(project_id)}/stacks/trusted/{stack_id}")
    assert deleted.status_code == 204, deleted.text
    deadline = time.monotonic() + 60
    gone = calor.repository.get_stack(stack_id)
    while gone is not None and time.monotonic() < deadline:
        time.sleep(0.3)
        gone = calor.repository.get_stack(stack_id)
    assert gone is None, stack_status(calor, project_id, stack_id)
    deadline = time.monotonic() + 10
    while demo_trusts(calor, user_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert demo_trusts(calor, user_id) == []
    assert calor.repository.get_user_credentials(stack.user_credentials_id) is None
    missing = demo_call(calor, "GET", f"{calor.cloud.url}/network/v2.0/networks/{physical['net']}")
    assert missing.status_code == 404


def test_a_stack_created_with_ec2_credentials_stores_no_trust(calor: Calor) -> None:
    """Keystone lets no token made from EC2 credentials create a trust: such a stack (heat-api-cfn)
    is served by the service user, as stacks made before deferred auth are."""
    access, secret = calor.keystone.ec2_credentials("demo")
    client = boto3.client(
        "cloudformation",
        endpoint_url=calor.cfn.url + "/v1",
        region_name="RegionOne",
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Word": {"Type": "OS::Heat::RandomString"}},
    }
    stack_id = client.create_stack(StackName="cfn-untrusted", TemplateBody=json.dumps(template))["StackId"]
    stack = calor.repository.find_stack("cfn-untrusted", calor.keystone.projects["demo"])
    assert stack is not None and stack.id in stack_id
    assert stack.user_credentials_id is None
    client.delete_stack(StackName="cfn-untrusted")
