"""The database tables, as SQLAlchemy 2 declarative models.

Only :mod:`calor.db.repository` and :mod:`calor.db.queue` use these classes; every
other package sees the frozen records of :mod:`calor.db.records`. A change here needs
a new Alembic revision in ``calor/db/migrations/versions`` (a test compares both).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from sqlalchemy import Boolean, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from calor.db.types import BigId, Json, UtcDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A live stack's ``deleted_marker`` is empty; a soft-deleted one's is its id, so the unique
# (project, name, marker) index allows one live stack per name and any number of deleted ones.
LIVE = ""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RawTemplate(Base):
    __tablename__ = "raw_template"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    template: Mapped[Any] = mapped_column(Json, nullable=False)
    files: Mapped[Any] = mapped_column(Json, nullable=False)
    environment: Mapped[Any] = mapped_column(Json, nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)


class Stack(Base):
    __tablename__ = "stack"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "deleted_marker"),
        Index(None, "project_id", "deleted_at", "created_at"),
        Index(None, "parent_id"),
        Index(None, "deleted_at"),
        Index(None, "stack_user_project_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    project_id: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    parent_id: Mapped[str | None] = mapped_column(String(36))
    nested_depth: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    owner_resource_name: Mapped[str | None] = mapped_column(String(255))
    raw_template_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("raw_template.id"))
    previous_raw_template_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("raw_template.id"))
    timeout_minutes: Mapped[int | None] = mapped_column(Integer)
    disable_rollback: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    tags: Mapped[Any] = mapped_column(Json, nullable=False)
    parameters: Mapped[Any] = mapped_column(Json, nullable=False)
    outputs: Mapped[Any] = mapped_column(Json, nullable=True)
    current_traversal: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)
    deleted_marker: Mapped[str] = mapped_column(String(36), nullable=False, default=LIVE)
    user_credentials_id: Mapped[str | None] = mapped_column(String(36))
    stack_user_project_id: Mapped[str | None] = mapped_column(String(64))


class StackTag(Base):
    """One tag of a stack, kept beside ``stack.tags`` so tag filters run in SQL."""

    __tablename__ = "stack_tag"
    __table_args__ = (Index(None, "tag"),)

    stack_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("stack.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(255), primary_key=True)


class Resource(Base):
    __tablename__ = "resource"
    __table_args__ = (Index(None, "stack_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stack_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("stack.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    type_name: Mapped[str] = mapped_column(String(255), nullable=False)
    physical_resource_id: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    properties_data: Mapped[Any] = mapped_column(Json, nullable=False)
    attribute_data: Mapped[Any] = mapped_column(Json, nullable=False)
    metadata_: Mapped[Any] = mapped_column("metadata", Json, nullable=False)
    requires: Mapped[Any] = mapped_column(Json, nullable=False)
    needed_by: Mapped[Any] = mapped_column(Json, nullable=False)
    replaces: Mapped[int | None] = mapped_column(BigId)
    replaced_by: Mapped[int | None] = mapped_column(BigId)
    handle_token: Mapped[Any] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)


class ResourceData(Base):
    __tablename__ = "resource_data"

    resource_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    redact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index(None, "stack_id", "id"),
        UniqueConstraint("uuid"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    stack_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("stack.id", ondelete="CASCADE"), nullable=False
    )
    resource_name: Mapped[str] = mapped_column(String(255), nullable=False)
    physical_resource_id: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(255), nullable=False)
    resource_action: Mapped[str] = mapped_column(String(32), nullable=False)
    resource_status: Mapped[str] = mapped_column(String(32), nullable=False)
    resource_status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    resource_properties: Mapped[Any] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        Index(None, "status", "id"),
        Index(None, "stack_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stack_id: Mapped[str] = mapped_column(String(36), nullable=False)
    operation: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[Any] = mapped_column(Json, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    engine_id: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)


class Snapshot(Base):
    """A stack snapshot; ``data`` is the stack's abandon data once it completed (revision 0002)."""

    __tablename__ = "snapshot"
    __table_args__ = (Index(None, "stack_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("stack.id", ondelete="CASCADE"), nullable=False
    )
    project_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    data: Mapped[Any] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)


class UserCredentials(Base):
    """What the engine acts with for a stack's owner (revision 0003); secrets are encrypted."""

    __tablename__ = "user_credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(Text)
    trust_id: Mapped[str | None] = mapped_column(Text)
    auth_url: Mapped[str | None] = mapped_column(Text)
    region_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False, default=utc_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)


class Service(Base):
    __tablename__ = "service"

    engine_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255), nullable=False)
    binary: Mapped[str] = mapped_column(String(255), nullable=False)
    topic: Mapped[str] = mapped_column(String(255), nullable=False)
    started_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    heartbeat_at: Mapped[datetime.datetime] = mapped_column(UtcDateTime, nullable=False)
    stopped_at: Mapped[datetime.datetime | None] = mapped_column(UtcDateTime)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for plain DML on a connection (the fast write path)."""
    return cast(Table, model.__table__)
