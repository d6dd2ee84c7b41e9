"""The admin API: domains, projects, users, roles, grants and role assignments, and its policy."""

from __future__ import annotations

from typing import Any

import requests

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"


def token(url: str, user: str, password: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}},
            },
            "scope": {"project": {"name": user, "domain": {"name": "Default"}}},
        }
    }
    return str(requests.post(f"{url}/v3/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"])


class Client:
    def __init__(self, url: str, auth_token: str) -> None:
        self.url = url
        self.headers = {"X-Auth-Token": auth_token}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.request(method, self.url + path, json=body, headers=self.headers, timeout=10)


def test_users_projects_roles_and_grants(identity: Any) -> None:
    admin = Client(identity.url, token(identity.url, "admin", ADMIN_PASSWORD))
    project = admin.call("POST", "/v3/projects", {"project": {"name": "web", "description": "d"}}).json()
    assert project["project"]["domain_id"] == "default"
    project_id = project["project"]["id"]
    user = admin.call("POST", "/v3/users", {"user": {"name": "alice", "password": "pw"}})
    assert user.status_code == 201
    user_id = user.json()["user"]["id"]
    assert "password" not in user.json()["user"]
    duplicate = admin.call("POST", "/v3/users", {"user": {"name": "alice", "password": "pw"}})
    assert duplicate.status_code == 409

    roles = admin.call("GET", "/v3/roles").json()["roles"]
    names = {role["name"] for role in roles}
    assert {"admin", "member", "reader", "heat_stack_user", "heat_stack_owner"} <= names
    owner = next(role for role in roles if role["name"] == "heat_stack_owner")
    grant = f"/v3/projects/{project_id}/users/{user_id}/roles/{owner['id']}"
    assert admin.call("HEAD", grant).status_code == 404
    assert admin.call("PUT", grant).status_code == 204
    assert admin.call("HEAD", grant).status_code == 204
    granted = admin.call("GET", f"/v3/projects/{project_id}/users/{user_id}/roles").json()["roles"]
    assert [role["name"] for role in granted] == ["heat_stack_owner"]

    assignments = admin.call("GET", f"/v3/role_assignments?user.id={user_id}&include_names").json()
    (assignment,) = assignments["role_assignments"]
    assert assignment["role"] == {"id": owner["id"], "name": "heat_stack_owner"}
    assert assignment["scope"]["project"]["name"] == "web"

    alice_body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": {"id": user_id, "password": "pw"}}},
            "scope": {"project": {"id": project_id}},
        }
    }
    alice = requests.post(f"{identity.url}/v3/auth/tokens", json=alice_body, timeout=10)
    assert alice.status_code == 201
    assert [role["name"] for role in alice.json()["token"]["roles"]] == ["heat_stack_owner"]
    projects = Client(identity.url, alice.headers["X-Subject-Token"]).call(
        "GET", f"/v3/users/{user_id}/projects"
    )
    assert [project["name"] for project in projects.json()["projects"]] == ["web"]

    assert admin.call("PATCH", f"/v3/users/{user_id}", {"user": {"enabled": False}}).status_code == 200
    assert requests.post(f"{identity.url}/v3/auth/tokens", json=alice_body, timeout=10).status_code == 401
    assert admin.call("DELETE", grant).status_code == 204
    assert admin.call("DELETE", f"/v3/users/{user_id}").status_code == 204
    assert admin.call("GET", f"/v3/users/{user_id}").status_code == 404
    assert admin.call("DELETE", f"/v3/projects/{project_id}").status_code == 204


def test_effective_assignments_include_implied_roles(identity: Any) -> None:
    admin = Client(identity.url, token(identity.url, "admin", ADMIN_PASSWORD))
    admin_id = identity.backend.find_user("admin", "default").id
    listed = admin.call("GET", f"/v3/role_assignments?user.id={admin_id}&effective&include_names").json()
    assert {assignment["role"]["name"] for assignment in listed["role_assignments"]} == {
        "admin",
        "member",
        "reader",
    }


def test_domains(identity: Any) -> None:
    admin = Client(identity.url, token(identity.url, "admin", ADMIN_PASSWORD))
    created = admin.call("POST", "/v3/domains", {"domain": {"name": "other"}}).json()["domain"]
    assert created["enabled"] is True
    listed = admin.call("GET", "/v3/domains").json()["domains"]
    assert {domain["name"] for domain in listed} == {"Default", "heat", "other"}
    assert admin.call("DELETE", f"/v3/domains/{created['id']}").status_code == 400
    admin.call("PATCH", f"/v3/domains/{created['id']}", {"domain": {"enabled": False}})
    assert admin.call("DELETE", f"/v3/domains/{created['id']}").status_code == 204
    assert admin.call("GET", "/v3/domains/default").json()["domain"]["name"] == "Default"


def test_members_cannot_administer(identity: Any) -> None:
    demo = Client(identity.url, token(identity.url, "demo", DEMO_PASSWORD))
    demo_id = identity.backend.find_user("demo", "default").id
    for path in ("/v3/users", "/v3/projects", "/v3/roles", "/v3/domains", "/v3/role_assignments"):
        response = demo.call("GET", path)
        assert response.status_code == 403, path
        assert response.json()["error"]["title"] == "Forbidden"
    assert demo.call("POST", "/v3/projects", {"project": {"name": "x"}}).status_code == 403
    assert demo.call("GET", f"/v3/users/{demo_id}").json()["user"]["name"] == "demo"
    own = demo.call("GET", f"/v3/role_assignments?user.id={demo_id}")
    assert own.status_code == 200
    assert requests.get(identity.url + "/v3/users", timeout=10).status_code == 401
    unknown = demo.call("GET", "/v3/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == 404


def test_services_and_endpoints_follow_the_catalog(identity: Any) -> None:
    admin = Client(identity.url, token(identity.url, "admin", ADMIN_PASSWORD))
    services = admin.call("GET", "/v3/services").json()["services"]
    assert {service["type"] for service in services} == {"identity", "orchestration"}
    endpoints = admin.call("GET", "/v3/endpoints?interface=public").json()["endpoints"]
    assert {endpoint["url"] for endpoint in endpoints} == {
        identity.url + "/v3",
        "http://127.0.0.1:8004/v1/%(tenant_id)s",
    }
