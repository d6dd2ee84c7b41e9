"""Token issue, validation, revocation and expiry over HTTP, with keystoneauth1 and raw requests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"


def password_body(name: str, password: str, scope: dict[str, Any] | None = None) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": name, "domain": {"id": "default"}, "password": password}},
        }
    }
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def issue(url: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{url}/v3/auth/tokens", json=body, timeout=10)


def test_version_discovery_has_keystone_shape(identity: Any) -> None:
    root = requests.get(identity.url + "/", timeout=10)
    assert root.status_code == 300
    (version,) = root.json()["versions"]["values"]
    assert version["id"].startswith("v3.")
    assert version["status"] == "stable"
    assert version["links"][0] == {"rel": "self", "href": f"{identity.url}/v3/"}
    assert version["media-types"][0]["type"] == "application/vnd.openstack.identity-v3+json"
    versioned = requests.get(identity.url + "/v3", timeout=10)
    assert versioned.status_code == 200
    assert versioned.json()["version"] == version


def test_keystoneauth_password_gets_token_and_catalog(identity: Any) -> None:
    auth = v3.Password(
        auth_url=identity.url + "/v3",
        username="demo",
        password=DEMO_PASSWORD,
        user_domain_id="default",
        project_name="demo",
        project_domain_id="default",
    )
    session = keystone_session.Session(auth=auth)
    assert session.get_token()
    demo_project_id = identity.backend.find_project("demo", "default").id
    assert session.get_project_id() == demo_project_id
    heat = session.get_endpoint(service_type="orchestration", interface="public")
    # Keystone fills the project placeholders of a scoped token's catalog.
    assert heat == f"http://127.0.0.1:8004/v1/{demo_project_id}"
    assert session.get_endpoint(service_type="identity", interface="public") == identity.url + "/v3"
    access = auth.get_access(session)
    assert set(access.role_names) == {"member", "reader"}


def test_token_body_is_keystone_shaped(identity: Any) -> None:
    response = issue(
        identity.url,
        password_body("admin", ADMIN_PASSWORD, {"project": {"name": "admin", "domain": {"name": "Default"}}}),
    )
    assert response.status_code == 201
    assert response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"]["name"] == "admin"
    assert token["user"]["domain"] == {"id": "default", "name": "Default"}
    assert token["project"]["name"] == "admin"
    assert {role["name"] for role in token["roles"]} == {"admin", "member", "reader"}
    assert token["expires_at"].endswith("Z") and token["issued_at"].endswith("Z")
    assert len(token["audit_ids"]) == 1
    services = {service["type"]: service for service in token["catalog"]}
    assert {endpoint["interface"] for endpoint in services["identity"]["endpoints"]} == {
        "public",
        "internal",
        "admin",
    }
    assert services["identity"]["endpoints"][0]["region"] == "RegionOne"


def test_unscoped_and_domain_scoped_and_token_method(identity: Any) -> None:
    admin_id = identity.backend.find_user("admin", "default").id
    body = password_body("admin", ADMIN_PASSWORD)
    body["auth"]["identity"]["password"]["user"] = {"id": admin_id, "password": ADMIN_PASSWORD}
    body["auth"]["scope"] = "unscoped"
    unscoped = issue(identity.url, body)
    assert unscoped.status_code == 201
    assert "project" not in unscoped.json()["token"]
    assert "catalog" not in unscoped.json()["token"]

    domain = issue(identity.url, password_body("admin", ADMIN_PASSWORD, {"domain": {"id": "default"}}))
    assert domain.status_code == 201
    assert domain.json()["token"]["domain"] == {"id": "default", "name": "Default"}

    rescoped = issue(
        identity.url,
        {
            "auth": {
                "identity": {"methods": ["token"], "token": {"id": unscoped.headers["X-Subject-Token"]}},
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        },
    )
    assert rescoped.status_code == 201
    token = rescoped.json()["token"]
    assert token["methods"] == ["token"]
    assert token["expires_at"] == unscoped.json()["token"]["expires_at"]
    assert token["audit_ids"][1] == unscoped.json()["token"]["audit_ids"][0]


def test_default_project_scoping_when_no_scope_is_given(identity: Any) -> None:
    response = issue(identity.url, password_body("demo", DEMO_PASSWORD))
    assert response.status_code == 201
    assert response.json()["token"]["project"]["name"] == "demo"


def test_bad_credentials_and_scopes_are_refused(identity: Any) -> None:
    wrong = issue(identity.url, password_body("demo", "nope"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
    assert wrong.headers["WWW-Authenticate"].startswith("Keystone uri=")
    assert issue(identity.url, password_body("nobody", "x")).status_code == 401
    no_role = issue(identity.url, password_body("demo", DEMO_PASSWORD, {"project": {"name": "admin"}}))
    assert no_role.status_code == 400
    forbidden_project = issue(
        identity.url,
        password_body("demo", DEMO_PASSWORD, {"project": {"name": "admin", "domain": {"id": "default"}}}),
    )
    assert forbidden_project.status_code == 401
    malformed = requests.post(f"{identity.url}/v3/auth/tokens", data="not json", timeout=10)
    assert malformed.status_code == 400
    assert malformed.json()["error"]["title"] == "Bad Request"


def admin_token(url: str) -> str:
    scope = {"project": {"name": "admin", "domain": {"id": "default"}}}
    return str(issue(url, password_body("admin", ADMIN_PASSWORD, scope)).headers["X-Subject-Token"])


def demo_token(url: str) -> str:
    scope = {"project": {"name": "demo", "domain": {"id": "default"}}}
    return str(issue(url, password_body("demo", DEMO_PASSWORD, scope)).headers["X-Subject-Token"])


def test_validate_check_and_revoke(identity: Any) -> None:
    admin = admin_token(identity.url)
    demo = demo_token(identity.url)
    headers = {"X-Auth-Token": admin, "X-Subject-Token": demo}
    validated = requests.get(f"{identity.url}/v3/auth/tokens", headers=headers, timeout=10)
    assert validated.status_code == 200
    assert validated.headers["X-Subject-Token"] == demo
    assert validated.json()["token"]["user"]["name"] == "demo"
    assert "catalog" in validated.json()["token"]
    nocatalog = requests.get(f"{identity.url}/v3/auth/tokens?nocatalog", headers=headers, timeout=10)
    assert "catalog" not in nocatalog.json()["token"]
    assert requests.head(f"{identity.url}/v3/auth/tokens", headers=headers, timeout=10).status_code == 200

    other_demo = demo_token(identity.url)
    as_demo = {"X-Auth-Token": other_demo, "X-Subject-Token": admin}
    assert requests.get(f"{identity.url}/v3/auth/tokens", headers=as_demo, timeout=10).status_code == 403
    no_caller = {"X-Subject-Token": demo}
    assert requests.get(f"{identity.url}/v3/auth/tokens", headers=no_caller, timeout=10).status_code == 401

    assert requests.delete(f"{identity.url}/v3/auth/tokens", headers=headers, timeout=10).status_code == 204
    gone = requests.get(f"{identity.url}/v3/auth/tokens", headers=headers, timeout=10)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == 404


def test_tokens_expire(tmp_path: Path, identity_factory: Any) -> None:
    running = identity_factory(tmp_path / "state", token_lifetime_seconds=1)
    admin = admin_token(running.url)
    time.sleep(1.2)
    listing = requests.get(f"{running.url}/v3/projects", headers={"X-Auth-Token": admin}, timeout=10)
    assert listing.status_code == 401
    fresh = admin_token(running.url)
    headers = {"X-Auth-Token": fresh, "X-Subject-Token": admin}
    assert requests.get(f"{running.url}/v3/auth/tokens", headers=headers, timeout=10).status_code == 404
    allowed = requests.get(f"{running.url}/v3/auth/tokens?allow_expired=1", headers=headers, timeout=10)
    assert allowed.status_code == 200


def test_auth_catalog_projects_and_domains(identity: Any) -> None:
    headers = {"X-Auth-Token": demo_token(identity.url)}
    catalog = requests.get(f"{identity.url}/v3/auth/catalog", headers=headers, timeout=10).json()
    assert {service["type"] for service in catalog["catalog"]} == {"identity", "orchestration"}
    projects = requests.get(f"{identity.url}/v3/auth/projects", headers=headers, timeout=10).json()
    assert [project["name"] for project in projects["projects"]] == ["demo"]
    domains = requests.get(f"{identity.url}/v3/auth/domains", headers=headers, timeout=10).json()
    assert domains["domains"] == []
    admin_headers = {"X-Auth-Token": admin_token(identity.url)}
    admin_domains = requests.get(f"{identity.url}/v3/auth/domains", headers=admin_headers, timeout=10)
    assert [domain["id"] for domain in admin_domains.json()["domains"]] == ["default"]


def test_state_survives_a_restart(tmp_path: Path, identity_factory: Any) -> None:
    state = tmp_path / "state"
    first = identity_factory(state)
    token = admin_token(first.url)
    created = requests.post(
        f"{first.url}/v3/projects",
        json={"project": {"name": "kept", "domain_id": "default"}},
        headers={"X-Auth-Token": token},
        timeout=10,
    )
    assert created.status_code == 201
    admin_id = first.backend.find_user("admin", "default").id
    first.stop()

    second = identity_factory(state)
    assert second.backend.find_user("admin", "default").id == admin_id
    listing = requests.get(f"{second.url}/v3/projects", headers={"X-Auth-Token": token}, timeout=10)
    assert listing.status_code == 200
    assert {project["name"] for project in listing.json()["projects"]} == {"admin", "demo", "kept"}


def test_concurrent_token_requests_all_succeed(identity: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = password_body("demo", DEMO_PASSWORD)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: issue(identity.url, body).status_code, range(16)))
    assert statuses == [201] * 16
