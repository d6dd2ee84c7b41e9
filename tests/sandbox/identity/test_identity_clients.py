"""Real OpenStack clients against the identity service: openstacksdk and keystonemiddleware."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import openstack
import requests
import webob
from keystonemiddleware import auth_token

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"


def project_token(url: str, user: str, password: str, project: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"id": "default"}, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": {"id": "default"}}},
        }
    }
    response = requests.post(f"{url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


def test_openstacksdk_lists_projects_and_users_as_admin(identity: Any) -> None:
    connection = openstack.connect(
        auth_url=identity.url,
        username="admin",
        password=ADMIN_PASSWORD,
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="RegionOne",
        load_yaml_config=False,
        load_envvars=False,
    )
    try:
        assert {project.name for project in connection.identity.projects()} == {"admin", "demo"}
        users = {user.name for user in connection.identity.users()}
        assert users == {"admin", "demo", "heat_domain_admin"}
        assert "member" in {role.name for role in connection.identity.roles()}
        created = connection.identity.create_project(name="sdk", domain_id="default")
        assert connection.identity.get_project(created.id).name == "sdk"
        connection.identity.delete_project(created.id)
        assert {project.name for project in connection.identity.projects()} == {"admin", "demo"}
        demo = connection.identity.find_user("demo")
        assert demo is not None
        assignments = list(connection.identity.role_assignments(user_id=demo.id))
        assert len(assignments) == 1
    finally:
        connection.close()


def _echo_identity(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A tiny WSGI app that answers with the identity headers keystonemiddleware set."""
    request = webob.Request(environ)
    names = ("X-Identity-Status", "X-Project-Id", "X-Project-Name", "X-User-Id", "X-User-Name", "X-Roles")
    body = json.dumps({name: request.headers.get(name) for name in names}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def test_keystonemiddleware_validates_demo_token(identity: Any) -> None:
    middleware = auth_token.AuthProtocol(
        _echo_identity,
        {
            "auth_type": "password",
            "auth_url": identity.url,
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "project_name": "admin",
            "user_domain_id": "default",
            "project_domain_id": "default",
            "www_authenticate_uri": identity.url,
            "delay_auth_decision": "false",
            "include_service_catalog": "true",
        },
    )
    demo = project_token(identity.url, "demo", DEMO_PASSWORD, "demo")
    response = webob.Request.blank("/stacks", headers={"X-Auth-Token": demo}).get_response(middleware)
    assert response.status_int == 200, response.text
    seen = json.loads(response.body)
    assert seen["X-Identity-Status"] == "Confirmed"
    assert seen["X-Project-Id"] == identity.backend.find_project("demo", "default").id
    assert seen["X-Project-Name"] == "demo"
    assert seen["X-User-Name"] == "demo"
    assert set(seen["X-Roles"].split(",")) == {"member", "reader"}

    refused = webob.Request.blank("/stacks", headers={"X-Auth-Token": "not-a-token"}).get_response(middleware)
    assert refused.status_int == 401
    missing = webob.Request.blank("/stacks").get_response(middleware)
    assert missing.status_int == 401
    assert identity.url in missing.headers["WWW-Authenticate"]
