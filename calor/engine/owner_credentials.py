"""The engine's side of deferred auth: whose rights a stack's job acts with, and the cleanup.

A stack created with credentials (:mod:`calor.security.deferred_auth`) is run with a
:class:`~calor.clouds.Delegation` of its root stack's row: the trust (used by the trustee)
or the owner's stored password. A stack without credentials keeps the service user. When a
stack is gone (``DELETE_COMPLETE``, abandon), its trust is deleted in Keystone (best effort)
and its row removed.
"""

from __future__ import annotations

import logging

from calor.clouds import Delegation
from calor.db.records import StackRecord, UserCredentialsRecord
from calor.db.repository import Repository
from calor.security.deferred_auth import DeferredAuth

LOG = logging.getLogger(__name__)


def delegation_of(credentials: UserCredentialsRecord) -> Delegation | None:
    """The delegation a stored row describes (``None`` when it holds no secret)."""
    if credentials.trust_id is None and credentials.password is None:
        return None
    return Delegation(
        project_id=credentials.project_id,
        trust_id=credentials.trust_id,
        user_id=credentials.user_id,
        username=credentials.username,
        password=credentials.password if credentials.trust_id is None else None,
        auth_url=credentials.auth_url,
    )


class OwnerCredentials:
    """Reads a stack's stored credentials and releases them with the stack."""

    def __init__(self, repository: Repository, deferred_auth: DeferredAuth | None = None) -> None:
        self.repository = repository
        self.deferred_auth = deferred_auth

    def delegation(self, stack: StackRecord) -> Delegation | None:
        """The root stack's delegation; ``None``: act as the service user.

        Raises :class:`~calor.security.encryption.InvalidEncryptionKey` when the row cannot be
        decrypted with the configured ``auth_encryption_key``.
        """
        credentials = self.repository.stack_user_credentials(stack.id)
        return None if credentials is None else delegation_of(credentials)

    def release(self, stack: StackRecord) -> None:
        """After the stack is gone: delete its trust (logged when that fails) and its row."""
        if stack.user_credentials_id is None:
            return
        try:
            credentials = self.repository.get_user_credentials(stack.user_credentials_id)
        except Exception as error:  # an undecryptable row still goes; its trust cannot be named
            LOG.warning("stack %s: stored credentials unreadable (%s); removing them", stack.id, error)
            credentials = None
        if credentials is not None and credentials.trust_id is not None:
            if self.deferred_auth is None:
                LOG.warning("stack %s: no Keystone configured to delete its trust", stack.id)
            else:
                self.deferred_auth.release(credentials)
        self.repository.delete_user_credentials(stack.user_credentials_id)
