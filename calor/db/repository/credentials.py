"""``user_credentials`` rows: what the engine acts with for a stack's owner; secrets encrypted.

``password`` and ``trust_id`` are encrypted with ``Repository.encryption`` (heat.conf's
``auth_encryption_key``) before they are written and decrypted when read; without an
encryption configured such secrets are refused, never stored in clear.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from calor.db.engine import read_session, write_session
from calor.db.records import NewUserCredentials, UserCredentialsRecord
from calor.db.repository.base import RepositoryBase, rowcount
from calor.db.tables import Stack, UserCredentials
from calor.db.types import utc_now
from calor.errors import CalorError
from calor.security.encryption import SecretEncryption

SECRET_COLUMNS = ("password", "trust_id")
MAXIMUM_NESTING = 100


class EncryptionNotConfigured(CalorError):
    """A secret was to be stored or read without an ``auth_encryption_key``."""

    def __init__(self) -> None:
        super().__init__("auth_encryption_key is not configured: stored credentials cannot be used.")


def _encrypt(encryption: SecretEncryption | None, value: str | None) -> str | None:
    if value is None:
        return None
    if encryption is None:
        raise EncryptionNotConfigured()
    return encryption.encrypt(value)


def _decrypt(encryption: SecretEncryption | None, value: str | None) -> str | None:
    if value is None:
        return None
    if encryption is None:
        raise EncryptionNotConfigured()
    return encryption.decrypt(value)


def insert_user_credentials(
    session: Session, credentials: NewUserCredentials, encryption: SecretEncryption | None
) -> str:
    """Insert a row in the caller's transaction (secrets encrypted); returns its id."""
    row = UserCredentials(
        id=str(uuid.uuid4()),
        project_id=credentials.project_id,
        user_id=credentials.user_id,
        username=credentials.username,
        password=_encrypt(encryption, credentials.password),
        trust_id=_encrypt(encryption, credentials.trust_id),
        auth_url=credentials.auth_url,
        region_name=credentials.region_name,
        created_at=utc_now(),
    )
    session.add(row)
    session.flush()
    return row.id


class CredentialsQueries(RepositoryBase):
    """Stored credentials of stacks (Heat's ``user_creds``)."""

    def _record(self, row: UserCredentials) -> UserCredentialsRecord:
        return UserCredentialsRecord(
            id=row.id,
            project_id=row.project_id,
            user_id=row.user_id,
            username=row.username,
            password=_decrypt(self.encryption, row.password),
            trust_id=_decrypt(self.encryption, row.trust_id),
            auth_url=row.auth_url,
            region_name=row.region_name,
            created_at=row.created_at,
        )

    def store_user_credentials(self, credentials: NewUserCredentials) -> str:
        """Store credentials on their own (a stack's are stored with it); returns the row id."""
        with write_session(self.engine) as session:
            return insert_user_credentials(session, credentials, self.encryption)

    def get_user_credentials(self, credentials_id: str) -> UserCredentialsRecord | None:
        """The row, decrypted; :class:`~calor.security.encryption.InvalidEncryptionKey` on a wrong key."""
        with read_session(self.engine) as session:
            row = session.get(UserCredentials, credentials_id)
            return self._record(row) if row is not None else None

    def stack_user_credentials(self, stack_id: str) -> UserCredentialsRecord | None:
        """The credentials of the stack's root stack (nested stacks act with their root's)."""
        with read_session(self.engine) as session:
            current: str | None = stack_id
            for _ in range(MAXIMUM_NESTING):
                if current is None:
                    return None
                found = session.execute(
                    select(Stack.parent_id, Stack.user_credentials_id).where(Stack.id == current)
                ).first()
                if found is None:
                    return None
                parent_id, credentials_id = found
                if credentials_id is not None:
                    row = session.get(UserCredentials, credentials_id)
                    return self._record(row) if row is not None else None
                current = parent_id
        return None

    def delete_user_credentials(self, credentials_id: str) -> bool:
        """Remove the row; ``False`` when it was not there."""
        with write_session(self.engine) as session:
            return bool(
                rowcount(session.execute(delete(UserCredentials).where(UserCredentials.id == credentials_id)))
            )

    def count_user_credentials(self) -> int:
        with read_session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(UserCredentials)) or 0)

    def reencrypt_user_credentials(self, previous: SecretEncryption, current: SecretEncryption) -> int:
        """Encrypt every row's secrets with ``current`` instead of ``previous``, in ONE transaction.

        Rows ``current`` already decrypts are left as they are (running it twice is harmless);
        a row neither key decrypts raises
        :class:`~calor.security.encryption.InvalidEncryptionKey` and nothing is changed.
        Returns how many rows were re-encrypted.
        """
        from calor.security.encryption import InvalidEncryptionKey

        changed = 0
        with write_session(self.engine) as session:
            for row in session.scalars(select(UserCredentials).order_by(UserCredentials.id)):
                updates: dict[str, str] = {}
                for column in SECRET_COLUMNS:
                    value = getattr(row, column)
                    if value is None:
                        continue
                    if previous.can_decrypt(value):
                        updates[column] = current.encrypt(previous.decrypt(value))
                    elif not current.can_decrypt(value):
                        raise InvalidEncryptionKey(
                            f"The credentials {row.id} cannot be decrypted with the previous "
                            "encryption key nor with the current one."
                        )
                if updates:
                    for column, value in updates.items():
                        setattr(row, column, value)
                    row.updated_at = utc_now()
                    changed += 1
            session.flush()
        return changed
