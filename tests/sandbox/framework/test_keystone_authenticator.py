"""KeystoneAuthenticator: the sandbox cloud checking tokens with an identity service over HTTP.

The embedded identity service answers ``GET /v3/auth/tokens`` as Keystone does, so it stands
in for Keystone here (the Keystone tier runs the same class against the real one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from calor.sandbox.framework.auth import KeystoneAuthenticator
from calor.sandbox.framework.errors import Unauthorized


@pytest.fixture
def authenticator(sandbox: Any) -> Iterator[KeystoneAuthenticator]:
    yield KeystoneAuthenticator.with_password(
        sandbox.identity_url + "/v3", username="admin", password="admin-secret", project_name="admin"
    )


def demo_token(sandbox: Any, scope: object = None) -> str:
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": "demo-secret"}},
        },
        "scope": scope if scope is not None else {"project": {"name": "demo", "domain": {"id": "default"}}},
    }
    response = requests.post(f"{sandbox.identity_url}/v3/auth/tokens", json={"auth": auth}, timeout=10)
    response.raise_for_status()
    return response.headers["X-Subject-Token"]


def test_a_project_token_names_its_caller(sandbox: Any, authenticator: KeystoneAuthenticator) -> None:
    caller = authenticator.authenticate(demo_token(sandbox))
    demo = sandbox.identity.find_user("demo", "default")
    assert caller.user_id == demo.id
    assert caller.project_id == sandbox.project_id("demo")
    assert caller.roles == {"member", "reader"} and not caller.is_admin


def test_bad_tokens_are_refused(sandbox: Any, authenticator: KeystoneAuthenticator) -> None:
    for token in (None, "", "not-a-token"):
        with pytest.raises(Unauthorized):
            authenticator.authenticate(token)
    with pytest.raises(Unauthorized, match="project-scoped"):
        authenticator.authenticate(demo_token(sandbox, scope="unscoped"))


def test_validations_are_remembered_briefly(sandbox: Any) -> None:
    url = sandbox.identity_url + "/v3"
    remembering = KeystoneAuthenticator.with_password(
        url, username="admin", password="admin-secret", project_name="admin", cache_seconds=300
    )
    forgetting = KeystoneAuthenticator.with_password(
        url, username="admin", password="admin-secret", project_name="admin", cache_seconds=0
    )
    token = demo_token(sandbox)
    assert remembering.authenticate(token).project_id == forgetting.authenticate(token).project_id
    sandbox.identity.revoke_token(token)
    assert remembering.authenticate(token).token_id == token  # within its cache window
    with pytest.raises(Unauthorized):
        forgetting.authenticate(token)
