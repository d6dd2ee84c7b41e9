"""What every part of the repository shares: the engine, the queue, row → record conversion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, Executable, Result
from sqlalchemy.orm import Session

from calor.db.queue import JobQueue
from calor.db.records import EventRecord, RawTemplateRecord, ResourceRecord, StackRecord
from calor.db.tables import Event, RawTemplate, Resource, Stack
from calor.security.encryption import SecretEncryption


class RepositoryBase:
    """Holds the engine and the job queue; the query families are mixed in beside it."""

    def __init__(self, engine: Engine, *, queue: JobQueue | None = None) -> None:
        self.engine = engine
        self.queue = queue if queue is not None else JobQueue(engine)
        #: heat.conf ``max_events_per_stack`` (0: keep every event) and ``event_purge_batch_size``.
        self.max_events_per_stack = 0
        self.event_purge_batch_size = 200
        #: heat.conf ``auth_encryption_key``: encrypts the secrets of ``user_credentials`` rows.
        self.encryption: SecretEncryption | None = None

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql`` or ``mysql``."""
        return self.engine.dialect.name


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched."""
    return int(getattr(result, "rowcount", 0) or 0)


def rowcount_of(session: Session, statement: Executable) -> int:
    """Execute a DML statement and give the rows it matched."""
    return rowcount(session.execute(statement))


def check_fields(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"cannot set {what} field(s): {', '.join(unknown)}")


def stack_record(row: Stack) -> StackRecord:
    return StackRecord(
        id=row.id,
        name=row.name,
        project_id=row.project_id,
        user_id=row.user_id,
        action=row.action,
        status=row.status,
        status_reason=row.status_reason,
        parent_id=row.parent_id,
        nested_depth=row.nested_depth,
        owner_resource_name=row.owner_resource_name,
        raw_template_id=row.raw_template_id,
        previous_raw_template_id=row.previous_raw_template_id,
        timeout_minutes=row.timeout_minutes,
        disable_rollback=row.disable_rollback,
        tags=tuple(row.tags or ()),
        parameters=row.parameters or {},
        outputs=row.outputs,
        current_traversal=row.current_traversal,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
        user_credentials_id=row.user_credentials_id,
        stack_user_project_id=row.stack_user_project_id,
    )


def raw_template_record(row: RawTemplate) -> RawTemplateRecord:
    return RawTemplateRecord(
        id=row.id, template=row.template or {}, files=row.files or {}, environment=row.environment or {}
    )


def resource_record(row: Resource) -> ResourceRecord:
    return ResourceRecord(
        id=row.id,
        stack_id=row.stack_id,
        name=row.name,
        type_name=row.type_name,
        physical_resource_id=row.physical_resource_id,
        action=row.action,
        status=row.status,
        status_reason=row.status_reason,
        properties_data=row.properties_data or {},
        attribute_data=row.attribute_data or {},
        metadata=row.metadata_ or {},
        requires=tuple(row.requires or ()),
        needed_by=tuple(row.needed_by or ()),
        replaces=row.replaces,
        replaced_by=row.replaced_by,
        handle_token=row.handle_token,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def event_record(row: Event) -> EventRecord:
    return EventRecord(
        id=row.id,
        uuid=row.uuid,
        stack_id=row.stack_id,
        resource_name=row.resource_name,
        physical_resource_id=row.physical_resource_id,
        resource_type=row.resource_type,
        resource_action=row.resource_action,
        resource_status=row.resource_status,
        resource_status_reason=row.resource_status_reason,
        resource_properties=row.resource_properties,
        created_at=row.created_at,
    )
