"""Stored credentials of stacks: written with the stack, encrypted at rest, re-encrypted, purged."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select

from calor.db.engine import read_session
from calor.db.errors import StackExists
from calor.db.records import NewUserCredentials
from calor.db.repository import Repository
from calor.db.repository.credentials import EncryptionNotConfigured
from calor.db.tables import UserCredentials
from calor.security.encryption import InvalidEncryptionKey, SecretEncryption

TEMPLATE = {"heat_template_version": "2018-08-31"}
OLD_KEY = "the previous key, long enough...."
NEW_KEY = "the current key, also long enough"
TRUST = NewUserCredentials(
    project_id="project", user_id="user", trust_id="trust-0001", auth_url="http://k/v3"
)
PASSWORD = NewUserCredentials(project_id="project", user_id="user", username="demo", password="pass-0001")


def stored_columns(repository: Repository, credentials_id: str) -> tuple[str | None, str | None]:
    with read_session(repository.engine) as session:
        row = session.execute(
            select(UserCredentials.password, UserCredentials.trust_id).where(
                UserCredentials.id == credentials_id
            )
        ).one()
        return row[0], row[1]


def stack_with(repository: Repository, name: str, credentials: NewUserCredentials) -> str:
    stack, _job = repository.create_stack_with_job(
        name=name, project_id="project", template=TEMPLATE, user_credentials=credentials
    )
    assert stack.user_credentials_id is not None
    return stack.user_credentials_id


def test_credentials_are_stored_with_the_stack_and_encrypted(repository: Repository) -> None:
    repository.encryption = SecretEncryption(OLD_KEY)
    trust_row = stack_with(repository, "trusting", TRUST)
    password_row = stack_with(repository, "remembering", PASSWORD)
    password, trust_id = stored_columns(repository, trust_row)
    assert password is None and trust_id is not None and "trust-0001" not in trust_id
    password, trust_id = stored_columns(repository, password_row)
    assert trust_id is None and password is not None and "pass-0001" not in password
    found = repository.get_user_credentials(trust_row)
    assert found is not None and found.trust_id == "trust-0001" and found.auth_url == "http://k/v3"
    assert "trust-0001" not in repr(found)
    remembered = repository.get_user_credentials(password_row)
    assert remembered is not None and (remembered.username, remembered.password) == ("demo", "pass-0001")
    stack = repository.find_stack("trusting", "project")
    assert (
        stack is not None and stack.user_credentials_id == trust_row and stack.stack_user_project_id is None
    )


def test_no_secret_is_stored_without_a_key(repository: Repository) -> None:
    with pytest.raises(EncryptionNotConfigured):
        stack_with(repository, "clear", TRUST)
    assert repository.count_stacks("project") == 0
    assert repository.count_user_credentials() == 0


def test_a_failed_stack_insert_stores_no_credentials(repository: Repository) -> None:
    repository.encryption = SecretEncryption(OLD_KEY)
    stack_with(repository, "taken", TRUST)
    with pytest.raises(StackExists):
        stack_with(repository, "taken", TRUST)
    assert repository.count_user_credentials() == 1


def test_another_key_cannot_read_them(repository: Repository) -> None:
    repository.encryption = SecretEncryption(OLD_KEY)
    row = stack_with(repository, "trusting", TRUST)
    repository.encryption = SecretEncryption(NEW_KEY)
    with pytest.raises(InvalidEncryptionKey, match="auth_encryption_key"):
        repository.get_user_credentials(row)


def test_nested_stacks_use_their_roots_credentials(repository: Repository) -> None:
    repository.encryption = SecretEncryption(OLD_KEY)
    stack_with(repository, "root", TRUST)
    root = repository.find_stack("root", "project")
    assert root is not None
    child = repository.create_stack(
        name="root-child", project_id="project", template=TEMPLATE, parent_id=root.id, nested_depth=1
    )
    grandchild = repository.create_stack(
        name="root-grandchild", project_id="project", template=TEMPLATE, parent_id=child.id, nested_depth=2
    )
    assert grandchild.user_credentials_id is None
    found = repository.stack_user_credentials(grandchild.id)
    assert found is not None and found.id == root.user_credentials_id
    plain = repository.create_stack(name="plain", project_id="project", template=TEMPLATE)
    assert repository.stack_user_credentials(plain.id) is None
    assert repository.stack_user_credentials("no-such-stack") is None


def test_reencrypting_moves_every_row_to_the_current_key(repository: Repository) -> None:
    old, new = SecretEncryption(OLD_KEY), SecretEncryption(NEW_KEY)
    repository.encryption = old
    trust_row = stack_with(repository, "trusting", TRUST)
    password_row = stack_with(repository, "remembering", PASSWORD)
    before = stored_columns(repository, trust_row)
    assert repository.reencrypt_user_credentials(old, new) == 2
    assert stored_columns(repository, trust_row) != before
    repository.encryption = new
    found = repository.get_user_credentials(password_row)
    assert found is not None and found.password == "pass-0001"
    assert repository.reencrypt_user_credentials(old, new) == 0  # already done: nothing to change


def test_a_row_neither_key_reads_changes_nothing(repository: Repository) -> None:
    old, new = SecretEncryption(OLD_KEY), SecretEncryption(NEW_KEY)
    repository.encryption = old
    readable = stack_with(repository, "readable", TRUST)
    repository.encryption = SecretEncryption("a third key nobody remembers!!")
    stranger = stack_with(repository, "stranger", PASSWORD)
    before = stored_columns(repository, readable)
    with pytest.raises(InvalidEncryptionKey, match=stranger):
        repository.reencrypt_user_credentials(old, new)
    assert stored_columns(repository, readable) == before  # one transaction: all or nothing


def test_purging_a_stack_removes_its_left_over_credentials(repository: Repository) -> None:
    repository.encryption = SecretEncryption(OLD_KEY)
    gone = stack_with(repository, "gone", TRUST)
    kept = stack_with(repository, "kept", PASSWORD)
    stack = repository.find_stack("gone", "project")
    assert stack is not None
    repository.soft_delete_stack(stack.id)
    repository.purge_deleted(datetime.timedelta(0))
    assert repository.get_user_credentials(gone) is None
    assert repository.get_user_credentials(kept) is not None
    assert repository.delete_user_credentials(kept) is True
    assert repository.delete_user_credentials(kept) is False
