"""Roles on domains and the stack domain's administrator (``heat_domain_admin`` on ``heat``)."""

from __future__ import annotations

from typing import Any

import requests

from calor.sandbox.identity import bootstrap

ADMIN_PASSWORD = "admin-secret"
STACK_DOMAIN_ADMIN_PASSWORD = "heat-domain-secret"  # as the identity fixture bootstraps it


def password_token(
    url: str, user: str, password: str, user_domain: str, scope: dict[str, Any]
) -> requests.Response:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"name": user_domain}, "password": password}},
            },
            "scope": scope,
        }
    }
    return requests.post(f"{url}/v3/auth/tokens", json=body, timeout=10)


class Caller:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.request(
            method, self.url + "/v3" + path, json=body, headers={"X-Auth-Token": self.token}, timeout=10
        )


def domain_admin(identity: Any) -> Caller:
    response = password_token(
        identity.url, "heat_domain_admin", STACK_DOMAIN_ADMIN_PASSWORD, "heat", {"domain": {"name": "heat"}}
    )
    assert response.status_code == 201, response.text
    return Caller(identity.url, response.headers["X-Subject-Token"])


def cloud_admin(identity: Any) -> Caller:
    scope = {"project": {"name": "admin", "domain": {"name": "Default"}}}
    response = password_token(identity.url, "admin", ADMIN_PASSWORD, "Default", scope)
    return Caller(identity.url, response.headers["X-Subject-Token"])


def test_the_bootstrap_makes_the_stack_domain_and_its_admin(identity: Any) -> None:
    backend = identity.backend
    domain = backend.find_domain("heat")
    user = backend.find_user("heat_domain_admin", domain.id)
    assert [role.name for role in backend.assigned_domain_roles(user.id, domain.id)] == ["admin"]
    assert backend.check_password(user.id, STACK_DOMAIN_ADMIN_PASSWORD)
    # Bootstrapping again keeps the domain and its admin (without a password given, the admin's stays).
    again = bootstrap(backend, admin_password=ADMIN_PASSWORD, demo_password="demo-secret")
    assert again.stack_domain.id == domain.id and again.stack_domain_admin.id == user.id
    assert backend.check_password(user.id, STACK_DOMAIN_ADMIN_PASSWORD)


def test_a_domain_scoped_token_carries_the_domain_roles(identity: Any) -> None:
    token = domain_admin(identity).token
    validated = requests.get(
        identity.url + "/v3/auth/tokens",
        headers={"X-Auth-Token": cloud_admin(identity).token, "X-Subject-Token": token},
        timeout=10,
    ).json()["token"]
    assert validated["domain"]["name"] == "heat"
    assert {role["name"] for role in validated["roles"]} == {"admin", "member", "reader"}


def test_the_domain_admin_manages_its_domain(identity: Any) -> None:
    call = domain_admin(identity)
    heat = identity.backend.find_domain("heat").id
    project = call("POST", "/projects", {"project": {"name": "stack-project", "domain_id": heat}})
    assert project.status_code == 201, project.text
    project_id = project.json()["project"]["id"]
    user = call("POST", "/users", {"user": {"name": "agent", "password": "pw", "domain_id": heat}})
    assert user.status_code == 201, user.text
    user_id = user.json()["user"]["id"]
    roles = call("GET", "/roles?name=heat_stack_user").json()["roles"]
    assert call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{roles[0]['id']}").status_code == 204
    credential = call("POST", f"/users/{user_id}/credentials/OS-EC2", {"tenant_id": project_id})
    assert credential.status_code == 201, credential.text
    listed = call("GET", f"/users?domain_id={heat}").json()["users"]
    assert {found["name"] for found in listed} == {"heat_domain_admin", "agent"}
    assert (
        call("GET", f"/projects?name=stack-project&domain_id={heat}").json()["projects"][0]["id"]
        == project_id
    )
    assert call("DELETE", f"/users/{user_id}").status_code == 204
    assert call("DELETE", f"/projects/{project_id}").status_code == 204


def test_the_domain_admin_is_no_cloud_admin(identity: Any) -> None:
    call = domain_admin(identity)
    demo = identity.backend.find_user("demo", "default")
    demo_project = identity.backend.find_project("demo", "default")
    refused = [
        call("POST", "/projects", {"project": {"name": "elsewhere"}}),
        call("POST", "/users", {"user": {"name": "elsewhere", "password": "pw"}}),
        call("GET", "/projects?domain_id=default"),
        call("GET", "/users?domain_id=default"),
        call("GET", f"/projects/{demo_project.id}"),
        call("DELETE", f"/projects/{demo_project.id}"),
        call("DELETE", f"/users/{demo.id}"),
        call("PATCH", f"/users/{demo.id}", {"user": {"password": "taken"}}),
        call("POST", f"/users/{demo.id}/credentials/OS-EC2", {"tenant_id": demo_project.id}),
        call("GET", "/domains"),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert identity.backend.check_password(demo.id, "demo-secret")
    assert call("GET", "/projects").json()["projects"] == []  # its own domain's only


def test_the_domain_admin_cannot_make_a_cloud_admin(identity: Any) -> None:
    """``admin`` on any project is a cloud administrator here: only a cloud administrator grants it."""
    call = domain_admin(identity)
    heat = identity.backend.find_domain("heat").id
    project_id = call("POST", "/projects", {"project": {"name": "p", "domain_id": heat}}).json()["project"][
        "id"
    ]
    user = call("POST", "/users", {"user": {"name": "climber", "password": "pw", "domain_id": heat}})
    user_id = user.json()["user"]["id"]
    admin_role = identity.backend.find_role("admin")
    grant = f"/projects/{project_id}/users/{user_id}/roles/{admin_role.id}"
    assert call("PUT", grant).status_code == 403
    assert not identity.backend.assigned_roles(user_id, project_id)
    scope = {"project": {"id": project_id}}
    assert password_token(identity.url, "climber", "pw", "heat", scope).status_code == 401
    assert cloud_admin(identity)("PUT", grant).status_code == 204


def test_domain_grants_are_for_cloud_admins(identity: Any) -> None:
    admin = cloud_admin(identity)
    heat = identity.backend.find_domain("heat").id
    demo = identity.backend.find_user("demo", "default")
    member = identity.backend.find_role("member")
    grant = f"/domains/{heat}/users/{demo.id}/roles/{member.id}"
    assert admin("HEAD", grant).status_code == 404
    assert domain_admin(identity)("PUT", grant).status_code == 403
    assert admin("PUT", grant).status_code == 204
    assert admin("HEAD", grant).status_code == 204
    assert [
        role["name"] for role in admin("GET", f"/domains/{heat}/users/{demo.id}/roles").json()["roles"]
    ] == ["member"]
    scoped = password_token(identity.url, "demo", "demo-secret", "Default", {"domain": {"id": heat}})
    assert scoped.status_code == 201
    assert admin("DELETE", grant).status_code == 204
    scoped = password_token(identity.url, "demo", "demo-secret", "Default", {"domain": {"id": heat}})
    assert scoped.status_code == 401
