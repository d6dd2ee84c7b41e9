"""DeferredAuth against the embedded identity (it answers Keystone's OS-TRUST and token APIs):
trusts made with the caller's token, the stored-password method, and what is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from calor.clouds.testing import DEMO_PASSWORD, SandboxCloud
from calor.config import load_config
from calor.engine.service import RequestContext
from calor.security.deferred_auth import DeferredAuth, DeferredAuthSettings, deferred_auth_from_config
from calor.security.errors import DeferredAuthFailure, MissingCredentialError
from calor.security.options import PASSWORD


def demo_context(identity: SandboxCloud, **extra: Any) -> RequestContext:
    """demo's context as heat-api builds it from a token keystonemiddleware validated."""
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": DEMO_PASSWORD}},
        },
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
    }
    response = requests.post(
        f"{identity.running.identity_url}/v3/auth/tokens", json={"auth": auth}, timeout=10
    )
    response.raise_for_status()
    token = response.json()["token"]
    return RequestContext(
        project_id=token["project"]["id"],
        user_id=token["user"]["id"],
        roles=tuple(role["name"] for role in token["roles"]),
        username="demo",
        extra={"auth_token": response.headers["X-Subject-Token"], **extra},
    )


def demo_trusts(identity: SandboxCloud) -> list[Any]:
    backend = identity.running.identity
    return backend.list_trusts(trustor_user_id=backend.find_user("demo", "default").id)  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def no_trusts_left(identity: SandboxCloud) -> None:
    for trust in demo_trusts(identity):
        identity.running.identity.delete_trust(trust.id)


def test_a_trust_delegates_the_callers_roles_to_the_trustee(
    identity: SandboxCloud, trusts: DeferredAuth
) -> None:
    context = demo_context(identity)
    credentials = trusts.credentials_for(context)
    assert credentials is not None and credentials.trust_id is not None and credentials.password is None
    assert credentials.project_id == context.project_id and credentials.user_id == context.user_id
    assert credentials.auth_url == identity.running.identity_url + "/v3"
    (trust,) = demo_trusts(identity)
    backend = identity.running.identity
    assert trust.id == credentials.trust_id and trust.impersonation
    assert trust.trustee_user_id == backend.find_user("admin", "default").id
    assert sorted(backend.get_role(role_id).name for role_id in trust.role_ids) == ["member", "reader"]
    assert trusts.delete_trust(trust.id) is True
    assert demo_trusts(identity) == []
    assert trusts.delete_trust(trust.id) is False  # already gone: logged, not raised


def test_trusts_delegated_roles_limit_the_trust(identity: SandboxCloud, trusts: DeferredAuth) -> None:
    limited = DeferredAuth(replace(trusts.settings, delegated_roles=("member",)))
    credentials = limited.credentials_for(demo_context(identity))
    assert credentials is not None
    (trust,) = demo_trusts(identity)
    assert [identity.running.identity.get_role(role_id).name for role_id in trust.role_ids] == ["member"]


def test_a_refused_trust_is_a_clear_error_and_creates_nothing(
    identity: SandboxCloud, trusts: DeferredAuth
) -> None:
    too_much = DeferredAuth(replace(trusts.settings, delegated_roles=("admin",)))
    with pytest.raises(DeferredAuthFailure) as raised:
        too_much.credentials_for(demo_context(identity))
    assert raised.value.http_status == 403
    assert "Could not create a trust for user" in str(raised.value) and "role admin" in str(raised.value)
    assert demo_trusts(identity) == []
    assert trusts.settings.trustee is not None
    wrong_trustee = DeferredAuth(
        replace(trusts.settings, trustee=replace(trusts.settings.trustee, password="not-the-password"))
    )
    with pytest.raises(DeferredAuthFailure, match="trustee user cannot authenticate") as unavailable:
        wrong_trustee.credentials_for(demo_context(identity))
    assert unavailable.value.http_status == 503


def test_a_trust_whose_stack_is_not_stored_is_deleted_again(
    identity: SandboxCloud, trusts: DeferredAuth
) -> None:
    with pytest.raises(RuntimeError), trusts.delegate(demo_context(identity)) as credentials:
        assert credentials is not None and demo_trusts(identity)
        raise RuntimeError("the stack could not be stored")
    assert demo_trusts(identity) == []


def test_callers_whose_token_cannot_delegate_store_nothing(
    identity: SandboxCloud, trusts: DeferredAuth
) -> None:
    ec2 = demo_context(identity, auth_methods=("ec2credential",))
    assert trusts.credentials_for(ec2) is None
    without_token = replace(demo_context(identity), extra={})
    assert trusts.credentials_for(without_token) is None
    assert demo_trusts(identity) == []


def test_the_password_method_needs_and_checks_heats_headers(
    identity: SandboxCloud, trusts: DeferredAuth
) -> None:
    passwords = DeferredAuth(replace(trusts.settings, method=PASSWORD))
    with pytest.raises(MissingCredentialError, match=r"^Missing required credential: X-Auth-User$") as raised:
        passwords.credentials_for(demo_context(identity))
    assert raised.value.http_status == 400 and raised.value.heat_type == "MissingCredentialError"
    with pytest.raises(MissingCredentialError, match="X-Auth-Key"):
        passwords.credentials_for(demo_context(identity, auth_user="demo"))
    with pytest.raises(DeferredAuthFailure, match="refused the X-Auth-User / X-Auth-Key"):
        passwords.credentials_for(demo_context(identity, auth_user="demo", auth_key="wrong"))
    backend = identity.running.identity
    helper = backend.create_user("helper", "default", "helper-secret")
    backend.grant_role(helper.id, backend.find_project("demo", "default").id, backend.find_role("member").id)
    with pytest.raises(DeferredAuthFailure, match="another user"):
        passwords.credentials_for(demo_context(identity, auth_user="helper", auth_key="helper-secret"))
    credentials = passwords.credentials_for(demo_context(identity, auth_user="demo", auth_key=DEMO_PASSWORD))
    assert credentials is not None and credentials.password == DEMO_PASSWORD and credentials.trust_id is None
    assert credentials.user_id == identity.running.identity.find_user("demo", "default").id
    assert demo_trusts(identity) == []


def test_from_heat_conf(tmp_path: Path) -> None:
    path = tmp_path / "heat.conf"
    path.write_text("[DEFAULT]\nauth_strategy = noauth\n")
    assert deferred_auth_from_config(load_config(config_files=[str(path)])) is None
    path.write_text("")
    assert deferred_auth_from_config(load_config(config_files=[str(path)])) is None  # no Keystone named
    path.write_text(
        "[DEFAULT]\ndeferred_auth_method = password\n"
        "[keystone_authtoken]\nauth_type = password\nauth_url = http://keystone:5000\nusername = heat\n"
        "password = secret\n"
    )
    found = deferred_auth_from_config(load_config(config_files=[str(path)]))
    assert found is not None and found.method == PASSWORD
    assert found.settings.identity_url == "http://keystone:5000/v3"
    assert found.settings.trustee is not None and found.settings.trustee.username == "heat"
    path.write_text(
        "[DEFAULT]\ntrusts_delegated_roles = member,heat_stack_owner\n"
        "[clients_keystone]\nauth_uri = http://public-keystone:5000/\n"
    )
    found = deferred_auth_from_config(load_config(config_files=[str(path)]))
    assert found is not None and found.settings.identity_url == "http://public-keystone:5000/v3"
    assert found.settings.delegated_roles == ("member", "heat_stack_owner")
    assert found.settings.trustee is None
    with pytest.raises(DeferredAuthFailure, match="names the trustee user"):
        found.trustee_user_id()


def test_the_settings_validate_the_method(identity: SandboxCloud) -> None:
    with pytest.raises(ValueError, match="trusts or password"):
        DeferredAuth(DeferredAuthSettings(identity_url="http://x", method="tokens"))
