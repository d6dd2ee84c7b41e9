"""The identity records (frozen values) the backend returns, and id and time helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    description: str
    enabled: bool


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    domain_id: str
    description: str
    enabled: bool


@dataclass(frozen=True)
class User:
    id: str
    name: str
    domain_id: str
    enabled: bool
    default_project_id: str | None
    email: str | None
    description: str


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class RoleAssignment:
    user_id: str
    project_id: str
    role_id: str


@dataclass(frozen=True)
class DomainRoleAssignment:
    user_id: str
    domain_id: str
    role_id: str


@dataclass(frozen=True)
class Ec2Credential:
    access: str
    secret: str
    user_id: str
    project_id: str


@dataclass(frozen=True)
class Token:
    id: str
    user_id: str
    project_id: str | None
    domain_id: str | None
    methods: tuple[str, ...]
    audit_ids: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    revoked: bool
    trust_id: str | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at <= now()


@dataclass(frozen=True)
class Trust:
    """A delegation (Keystone's OS-TRUST): the trustee may act with ``role_ids`` on the project,
    as the trustor when ``impersonation``."""

    id: str
    trustor_user_id: str
    trustee_user_id: str
    project_id: str | None
    impersonation: bool
    expires_at: datetime | None
    remaining_uses: int | None
    role_ids: tuple[str, ...]


def now() -> datetime:
    """The current UTC time without tzinfo and without microseconds below a millisecond."""
    current = datetime.now(UTC).replace(tzinfo=None)
    return current.replace(microsecond=current.microsecond // 1000 * 1000)


def new_id() -> str:
    return uuid.uuid4().hex
