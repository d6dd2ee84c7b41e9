"""The backend without HTTP: passwords, bootstrap, assignments, tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from calor.sandbox.identity import IdentityBackend, bootstrap
from calor.sandbox.identity.errors import Conflict, NotFound, Unauthorized
from calor.sandbox.identity.passwords import hash_password, verify_password


def test_password_hashes_verify_and_name_their_rounds() -> None:
    stored = hash_password("secret", rounds=5)
    assert stored.startswith("pbkdf2_sha256$5$")
    assert verify_password("secret", stored)
    assert not verify_password("Secret", stored)
    assert not verify_password("secret", None)
    assert not verify_password("secret", "garbage")
    assert hash_password("secret", rounds=5) != stored  # salted


def test_bootstrap_is_idempotent_and_keeps_passwords(tmp_path: Path) -> None:
    backend = IdentityBackend.open(tmp_path, password_rounds=3)
    first = bootstrap(backend, admin_password="a", demo_password="d")
    second = bootstrap(backend, admin_password="other", demo_password="other")
    assert first == second
    assert backend.check_password(first.admin_user.id, "a")
    assert [role.name for role in backend.effective_roles(first.admin_user.id, first.admin_project.id)] == [
        "admin",
        "member",
        "reader",
    ]
    assert [role.name for role in backend.assigned_roles(first.demo_user.id, first.demo_project.id)] == [
        "member"
    ]
    assert first.demo_credential.project_id == first.demo_project.id
    with pytest.raises(Conflict):
        backend.create_user("admin", "default", "x")
    backend.close()


def test_tokens_validate_revoke_and_expire(tmp_path: Path) -> None:
    backend = IdentityBackend.open(tmp_path, password_rounds=3, token_lifetime=timedelta(seconds=-1))
    result = bootstrap(backend, admin_password="a", demo_password="d")
    expired = backend.issue_token(
        result.demo_user.id, methods=["password"], project_id=result.demo_project.id
    )
    with pytest.raises(NotFound):
        backend.validate_token(expired.id)
    assert backend.validate_token(expired.id, allow_expired=True).id == expired.id
    with pytest.raises(Unauthorized):
        backend.authenticate_token(expired.id)

    backend.token_lifetime = timedelta(hours=1)
    live = backend.issue_token(result.demo_user.id, methods=["password"], project_id=result.demo_project.id)
    assert backend.validate_token(live.id).project_id == result.demo_project.id
    backend.revoke_token(live.id)
    with pytest.raises(NotFound):
        backend.validate_token(live.id)
    assert backend.purge_expired_tokens() == 1
    backend.close()


def test_deleting_a_project_removes_its_assignments_and_credentials(tmp_path: Path) -> None:
    backend = IdentityBackend.open(tmp_path, password_rounds=3)
    result = bootstrap(backend, admin_password="a", demo_password="d")
    backend.delete_project(result.demo_project.id)
    assert backend.list_role_assignments(user_id=result.demo_user.id) == []
    assert backend.list_ec2_credentials(result.demo_user.id) == []
    backend.close()
