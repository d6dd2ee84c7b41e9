"""Multi-tenancy in Keystone mode: projects are isolated, admins alone list every project's stacks,
and resource types Heat reserves to administrators are refused to members by policy."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from heatclient import exc as heat_errors
from keystone_tier import Calor
from test_keystone_heatclient import TEMPLATE, password_client, wait_for

FLAVOR_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"flavor": {"type": "OS::Nova::Flavor", "properties": {"ram": 512, "vcpus": 1}}},
}


@pytest.fixture(scope="module")
def demo_stack(calor: Calor) -> Any:
    client = password_client(calor, "demo")
    created = client.stacks.create(stack_name="tenancy-demo", template=TEMPLATE)
    stack = wait_for(client, created["stack"]["id"])
    yield stack
    client.stacks.delete(stack.id)


def _get(calor: Calor, user: str, path: str, method: str = "GET") -> requests.Response:
    token, body = calor.keystone.token(user)
    url = calor.orchestration_url(body["project"]["id"]) + path
    payload = {"check": None} if method == "POST" else None
    return requests.request(method, url, json=payload, headers={"X-Auth-Token": token}, timeout=10)


def test_another_project_gets_404_for_the_stack(calor: Calor, demo_stack: Any) -> None:
    other = password_client(calor, "other")
    with pytest.raises(heat_errors.HTTPNotFound):
        other.stacks.get(demo_stack.id)
    with pytest.raises(heat_errors.HTTPNotFound):
        other.stacks.get("tenancy-demo")
    for method, path in [
        ("GET", f"/stacks/tenancy-demo/{demo_stack.id}"),
        ("GET", f"/stacks/tenancy-demo/{demo_stack.id}/resources"),
        ("GET", f"/stacks/tenancy-demo/{demo_stack.id}/events"),
        ("GET", f"/stacks/tenancy-demo/{demo_stack.id}/template"),
        ("DELETE", f"/stacks/tenancy-demo/{demo_stack.id}"),
        ("POST", f"/stacks/tenancy-demo/{demo_stack.id}/actions"),
    ]:
        response = _get(calor, "other", path, method)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    assert demo_stack.id not in [stack.id for stack in other.stacks.list()]
    assert password_client(calor, "demo").stacks.get(demo_stack.id).stack_status == "CREATE_COMPLETE"


def test_a_url_naming_another_project_is_refused_whether_or_not_the_stack_exists(
    calor: Calor, demo_stack: Any
) -> None:
    token, _body = calor.keystone.token("other")
    demo_project = calor.keystone.projects["demo"]
    statuses = set()
    for stack_id in (demo_stack.id, "00000000-0000-0000-0000-000000000000"):
        url = f"{calor.orchestration_url(demo_project)}/stacks/tenancy-demo/{stack_id}"
        statuses.add(requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code)
    assert statuses == {403}


def test_global_tenant_listing_is_for_admins_only(calor: Calor, demo_stack: Any) -> None:
    with pytest.raises(heat_errors.HTTPForbidden):
        list(password_client(calor, "other").stacks.list(global_tenant=True))
    admin = password_client(calor, "admin")
    listed = {stack.id: stack for stack in admin.stacks.list(global_tenant=True)}
    assert demo_stack.id in listed
    assert demo_stack.id not in [stack.id for stack in admin.stacks.list()]


def test_an_admin_may_show_another_projects_stack(calor: Calor, demo_stack: Any) -> None:
    assert password_client(calor, "admin").stacks.get(demo_stack.id).stack_name == "tenancy-demo"


def test_a_member_is_refused_an_admin_only_resource_type(calor: Calor) -> None:
    member = password_client(calor, "demo")
    with pytest.raises(heat_errors.HTTPForbidden) as raised:
        member.stacks.create(stack_name="flavor-member", template=FLAVOR_TEMPLATE)
    assert "OS::Nova::Flavor" in str(raised.value)
    assert "flavor-member" not in [stack.stack_name for stack in member.stacks.list()]
    with pytest.raises(heat_errors.HTTPForbidden):
        member.stacks.validate(template=FLAVOR_TEMPLATE)


def test_resource_type_listing_hides_admin_only_types_from_members(calor: Calor) -> None:
    member_types = password_client(calor, "demo").resource_types.list()
    admin_types = password_client(calor, "admin").resource_types.list()
    assert "OS::Nova::Flavor" not in [entry.resource_type for entry in member_types]
    assert "OS::Nova::Flavor" in [entry.resource_type for entry in admin_types]
