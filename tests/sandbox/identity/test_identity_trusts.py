"""OS-TRUST in the embedded identity: creating, reading and deleting trusts, trust-scoped tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import generic
from sqlalchemy import update

from calor.sandbox.identity import tables
from calor.sandbox.identity.records import now

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"


def token(url: str, name: str, password: str, scope: dict[str, Any] | None = None) -> tuple[str, Any]:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": name, "domain": {"id": "default"}, "password": password}},
        },
        "scope": scope if scope is not None else {"project": {"name": name, "domain": {"id": "default"}}},
    }
    response = requests.post(f"{url}/v3/auth/tokens", json={"auth": auth}, timeout=10)
    return response.headers.get("X-Subject-Token", ""), response


def call(url: str, method: str, path: str, token_id: str, body: Any = None) -> requests.Response:
    return requests.request(method, url + path, json=body, headers={"X-Auth-Token": token_id}, timeout=10)


def trust_body(identity: Any, **changes: Any) -> dict[str, Any]:
    backend = identity.backend
    trust = {
        "trustor_user_id": backend.find_user("demo", "default").id,
        "trustee_user_id": backend.find_user("admin", "default").id,
        "project_id": backend.find_project("demo", "default").id,
        "impersonation": True,
        "roles": [{"name": "member"}],
    }
    trust.update(changes)
    return {"trust": trust}


def create_trust(identity: Any, **changes: Any) -> dict[str, Any]:
    demo_token, _ = token(identity.url, "demo", DEMO_PASSWORD)
    response = call(identity.url, "POST", "/v3/OS-TRUST/trusts", demo_token, trust_body(identity, **changes))
    assert response.status_code == 201, response.text
    trust: dict[str, Any] = response.json()["trust"]
    return trust


def trust_scope(trust_id: str) -> dict[str, Any]:
    return {"OS-TRUST:trust": {"id": trust_id}}


def test_the_trustee_gets_a_token_acting_as_the_trustor(identity: Any) -> None:
    trust = create_trust(identity)
    backend = identity.backend
    demo = backend.find_user("demo", "default")
    assert [role["name"] for role in trust["roles"]] == ["member"]
    assert trust["links"]["self"].endswith(f"/v3/OS-TRUST/trusts/{trust['id']}")
    plugin = generic.Password(
        auth_url=identity.url + "/v3",
        username="admin",
        password=ADMIN_PASSWORD,
        user_domain_id="default",
        trust_id=trust["id"],
    )
    session = keystone_session.Session(auth=plugin)
    access = plugin.get_access(session)
    assert access.user_id == demo.id  # impersonation
    assert access.project_id == trust["project_id"]
    assert sorted(access.role_names) == ["member", "reader"]
    assert access.trust_id == trust["id"] and access.trustee_user_id == trust["trustee_user_id"]
    # The sandbox's view of the token: the trustor in the project, with the delegated roles.
    validated = backend.validate_token(session.get_token())
    assert validated.trust_id == trust["id"] and validated.user_id == demo.id


def test_without_impersonation_the_token_is_the_trustees(identity: Any) -> None:
    trust = create_trust(identity, impersonation=False)
    admin_token, _ = token(identity.url, "admin", ADMIN_PASSWORD)
    # The token method: the trustee's own token, rescoped to the trust.
    body = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": admin_token}},
            "scope": trust_scope(trust["id"]),
        }
    }
    response = requests.post(f"{identity.url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    issued = response.json()["token"]
    assert issued["user"]["name"] == "admin"
    assert issued["OS-TRUST:trust"]["impersonation"] is False
    assert [role["name"] for role in issued["roles"]] == ["member", "reader"]


def test_only_the_trustee_may_use_a_trust(identity: Any) -> None:
    trust = create_trust(identity)
    _token, response = token(identity.url, "demo", DEMO_PASSWORD, trust_scope(trust["id"]))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "User is not a trustee."


def test_creating_follows_keystones_rules(identity: Any) -> None:
    demo_token, _ = token(identity.url, "demo", DEMO_PASSWORD)
    admin_id = identity.backend.find_user("admin", "default").id
    url, path = identity.url, "/v3/OS-TRUST/trusts"
    not_trustor = call(url, "POST", path, demo_token, trust_body(identity, trustor_user_id=admin_id))
    assert not_trustor.status_code == 403
    assert "should match the trustor" in not_trustor.json()["error"]["message"]
    not_held = call(url, "POST", path, demo_token, trust_body(identity, roles=[{"name": "admin"}]))
    assert not_held.status_code == 403
    no_roles = call(url, "POST", path, demo_token, trust_body(identity, roles=[]))
    assert no_roles.status_code == 403
    unknown_role = call(url, "POST", path, demo_token, trust_body(identity, roles=[{"name": "nope"}]))
    assert unknown_role.status_code == 404
    no_flag = trust_body(identity)
    del no_flag["trust"]["impersonation"]
    assert call(url, "POST", path, demo_token, no_flag).status_code == 400
    assert call(url, "POST", path, "", trust_body(identity)).status_code == 401


def test_tokens_from_ec2_credentials_or_trusts_cannot_manage_trusts(identity: Any) -> None:
    backend = identity.backend
    demo = backend.find_user("demo", "default")
    ec2_token = backend.issue_token(demo.id, methods=["ec2credential"], project_id=demo.default_project_id)
    refused = call(identity.url, "POST", "/v3/OS-TRUST/trusts", ec2_token.id, trust_body(identity))
    assert refused.status_code == 403
    assert "Delegated tokens cannot manage trusts" in refused.json()["error"]["message"]
    trust = create_trust(identity)
    trust_token, _ = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(trust["id"]))
    again = call(identity.url, "POST", "/v3/OS-TRUST/trusts", trust_token, trust_body(identity))
    assert again.status_code == 403


def test_reading_and_listing_are_for_trustor_trustee_and_admins(identity: Any) -> None:
    trust = create_trust(identity)
    backend = identity.backend
    backend.create_user("stranger", "default", "stranger-secret")
    stranger = backend.find_user("stranger", "default")
    backend.grant_role(
        stranger.id, backend.find_project("demo", "default").id, backend.find_role("member").id
    )
    stranger_token, _ = token(
        identity.url,
        "stranger",
        "stranger-secret",
        {"project": {"name": "demo", "domain": {"id": "default"}}},
    )
    demo_token, _ = token(identity.url, "demo", DEMO_PASSWORD)
    path = f"/v3/OS-TRUST/trusts/{trust['id']}"
    assert call(identity.url, "GET", path, demo_token).json()["trust"]["id"] == trust["id"]
    assert call(identity.url, "GET", path, stranger_token).status_code == 403
    roles = call(identity.url, "GET", path + "/roles", demo_token).json()["roles"]
    assert [role["name"] for role in roles] == ["member"]
    mine = call(
        identity.url, "GET", f"/v3/OS-TRUST/trusts?trustor_user_id={trust['trustor_user_id']}", demo_token
    )
    assert [listed["id"] for listed in mine.json()["trusts"]] == [trust["id"]]
    assert call(identity.url, "GET", "/v3/OS-TRUST/trusts", demo_token).status_code == 403
    assert call(identity.url, "GET", "/v3/OS-TRUST/trusts/unknown", demo_token).status_code == 404


def test_deleting_a_trust_ends_its_tokens(identity: Any) -> None:
    trust = create_trust(identity)
    trust_token, _ = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(trust["id"]))
    admin_token, _ = token(identity.url, "admin", ADMIN_PASSWORD)
    path = f"/v3/OS-TRUST/trusts/{trust['id']}"
    # The impersonating token's user is the trustor: it may delete the trust, as in Keystone.
    assert call(identity.url, "DELETE", path, trust_token).status_code == 204
    assert call(identity.url, "GET", path, admin_token).status_code == 404
    _token, again = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(trust["id"]))
    assert again.status_code == 401
    validated = requests.get(
        f"{identity.url}/v3/auth/tokens",
        headers={"X-Auth-Token": admin_token, "X-Subject-Token": trust_token},
        timeout=10,
    )
    assert validated.status_code == 404


def test_an_expired_or_used_up_trust_scopes_nothing(identity: Any) -> None:
    expiring = create_trust(identity, expires_at=(now() + timedelta(hours=1)).isoformat() + "Z")
    with identity.backend.engine.begin() as connection:
        connection.execute(
            update(tables.trusts)
            .where(tables.trusts.c.id == expiring["id"])
            .values(expires_at=now() - timedelta(seconds=1))
        )
    _token, response = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(expiring["id"]))
    assert response.status_code == 401
    once = create_trust(identity, remaining_uses=1)
    first, response = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(once["id"]))
    assert response.status_code == 201
    _token, response = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(once["id"]))
    assert response.status_code == 401
    assert identity.backend.validate_token(first).trust_id == once["id"]


def test_a_trust_token_cannot_be_rescoped(identity: Any) -> None:
    trust = create_trust(identity)
    trust_token, _ = token(identity.url, "admin", ADMIN_PASSWORD, trust_scope(trust["id"]))
    body = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": trust_token}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
        }
    }
    response = requests.post(f"{identity.url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 403
