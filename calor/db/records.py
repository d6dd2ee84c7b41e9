"""Plain frozen values the repository returns and accepts; no ORM object leaves a session."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    """The life of a job in the work queue."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class RawTemplateRecord:
    """A template as the user gave it, with its ``files`` map and (merged) environment."""

    id: int
    template: Mapping[str, Any]
    files: Mapping[str, Any]
    environment: Mapping[str, Any]


@dataclass(frozen=True)
class StackRecord:
    """One stack row. ``version`` grows on every change (optimistic concurrency).

    ``updated_at`` is ``None`` until an update operation starts (Heat's ``updated_time``);
    ``deleted_at`` is set once the stack is soft-deleted. ``outputs`` holds the resolved
    outputs the engine stored last (a list of Heat's output mappings), ``None`` before.
    ``user_credentials_id`` names what the engine acts with for the owner (a root stack's
    :class:`UserCredentialsRecord`; ``None``: the service user); ``stack_user_project_id`` is the
    stack domain project holding the stack's users.
    """

    id: str
    name: str
    project_id: str
    user_id: str | None
    action: str
    status: str
    status_reason: str
    parent_id: str | None
    nested_depth: int
    owner_resource_name: str | None
    raw_template_id: int | None
    previous_raw_template_id: int | None
    timeout_minutes: int | None
    disable_rollback: bool
    tags: tuple[str, ...]
    parameters: Mapping[str, Any]
    outputs: Any
    current_traversal: str | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime | None
    deleted_at: datetime.datetime | None
    user_credentials_id: str | None = None
    stack_user_project_id: str | None = None

    @property
    def state(self) -> tuple[str, str]:
        return self.action, self.status

    @property
    def stack_status(self) -> str:
        """Heat's combined form, ``CREATE_COMPLETE``."""
        return f"{self.action}_{self.status}"


@dataclass(frozen=True)
class NewUserCredentials:
    """What the engine needs to act for a stack's owner later: a trust or a stored password.

    The repository encrypts ``password`` and ``trust_id`` before storing them.
    """

    project_id: str
    user_id: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    trust_id: str | None = field(default=None, repr=False)
    auth_url: str | None = None
    region_name: str | None = None


@dataclass(frozen=True)
class UserCredentialsRecord:
    """A stored ``user_credentials`` row, its secrets decrypted."""

    id: str
    project_id: str
    user_id: str | None
    username: str | None
    password: str | None = field(repr=False)
    trust_id: str | None = field(repr=False)
    auth_url: str | None
    region_name: str | None
    created_at: datetime.datetime


@dataclass(frozen=True)
class ResourceRecord:
    """One resource row. A replacement has ``replaces`` set to the old row's id and the
    old row ``replaced_by`` set to the new one's; both rows carry the same name.
    ``handle_token`` is the JSON value ``handle_<action>`` returned, kept for polling."""

    id: int
    stack_id: str
    name: str
    type_name: str
    physical_resource_id: str | None
    action: str
    status: str
    status_reason: str
    properties_data: Mapping[str, Any]
    attribute_data: Mapping[str, Any]
    metadata: Mapping[str, Any]
    requires: tuple[str, ...]
    needed_by: tuple[str, ...]
    replaces: int | None
    replaced_by: int | None
    handle_token: Any
    created_at: datetime.datetime
    updated_at: datetime.datetime | None

    @property
    def state(self) -> tuple[str, str]:
        return self.action, self.status


@dataclass(frozen=True)
class NewResource:
    """A resource to insert (see ``Repository.create_resources``)."""

    name: str
    type_name: str
    action: str = "INIT"
    status: str = "COMPLETE"
    status_reason: str = ""
    physical_resource_id: str | None = None
    properties_data: Mapping[str, Any] = field(default_factory=dict)
    attribute_data: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    needed_by: tuple[str, ...] = ()
    handle_token: Any = None


@dataclass(frozen=True)
class ResourceChange:
    """A resource to insert or update by name (see ``Repository.save_resources``).

    ``fields`` are names of ``calor.db.repository.RESOURCE_FIELDS``. A writer that sends
    only the fields changed since its last write of row ``known_id`` gives every field
    in ``full_fields``: they are written instead when the current row is another one
    (inserted, or replaced meanwhile).
    """

    name: str
    type_name: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    known_id: int | None = None
    full_fields: Mapping[str, Any] | None = None

    def fields_for(self, resource_id: int | None) -> Mapping[str, Any]:
        """The fields to write to row ``resource_id`` (``None``: a new row)."""
        if self.full_fields is not None and (resource_id is None or resource_id != self.known_id):
            return self.full_fields
        return self.fields


@dataclass(frozen=True)
class ResourceDataChange:
    """Resource data of the resource ``name`` to write with ``Repository.save_resources``.

    ``values`` are inserted or replaced (the keys in ``redacted`` stored redacted);
    ``deleted`` keys are removed.
    """

    name: str
    values: Mapping[str, str] = field(default_factory=dict)
    redacted: frozenset[str] = frozenset()
    deleted: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRecord:
    """One stored event. ``id`` orders events; ``uuid`` is the id Heat's API shows."""

    id: int
    uuid: str
    stack_id: str
    resource_name: str
    physical_resource_id: str | None
    resource_type: str
    resource_action: str
    resource_status: str
    resource_status_reason: str
    resource_properties: Mapping[str, Any] | None
    created_at: datetime.datetime


@dataclass(frozen=True)
class NewEvent:
    """An event to insert (``Repository.add_event`` / ``add_events``).

    ``uuid`` and ``created_at`` are generated when not given.
    """

    stack_id: str
    resource_name: str
    resource_type: str
    resource_action: str
    resource_status: str
    resource_status_reason: str = ""
    physical_resource_id: str | None = None
    resource_properties: Mapping[str, Any] | None = None
    uuid: str | None = None
    created_at: datetime.datetime | None = None


@dataclass(frozen=True)
class JobRecord:
    """One job of the work queue: run ``operation`` on ``stack_id`` with ``payload``."""

    id: int
    stack_id: str
    operation: str
    payload: Mapping[str, Any]
    status: str
    engine_id: str | None
    lease_expires_at: datetime.datetime | None
    attempts: int
    cancel_requested: bool
    error: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None


@dataclass(frozen=True)
class ServiceRecord:
    """An engine process as it registered itself; ``heartbeat_at`` tells whether it is alive."""

    engine_id: str
    hostname: str
    binary: str
    topic: str
    started_at: datetime.datetime
    heartbeat_at: datetime.datetime
    stopped_at: datetime.datetime | None

    def is_up(self, now: datetime.datetime, down_after_seconds: float) -> bool:
        """Whether the service heartbeat is recent enough and it has not stopped."""
        if self.stopped_at is not None:
            return False
        return (now - self.heartbeat_at).total_seconds() <= down_after_seconds


@dataclass(frozen=True)
class PurgeResult:
    """What ``Repository.purge_deleted`` removed."""

    stacks: int
    resources: int
    events: int
    raw_templates: int
    jobs: int
