"""Event queries: the engine writes many, the API pages through them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select

from calor.db.engine import read_session, write_connection, write_session
from calor.db.records import EventRecord, NewEvent
from calor.db.repository.base import RepositoryBase, event_record
from calor.db.tables import Event, table_of
from calor.db.types import utc_now
from calor.errors import NotFound

_FILTER_COLUMNS = (
    "resource_name",
    "resource_type",
    "resource_action",
    "resource_status",
    "physical_resource_id",
    "uuid",
)


def event_row(event: NewEvent) -> dict[str, Any]:
    """The column values for inserting ``event``."""
    return {
        "uuid": event.uuid or str(uuid.uuid4()),
        "stack_id": event.stack_id,
        "resource_name": event.resource_name,
        "physical_resource_id": event.physical_resource_id,
        "resource_type": event.resource_type,
        "resource_action": event.resource_action,
        "resource_status": event.resource_status,
        "resource_status_reason": event.resource_status_reason,
        "resource_properties": dict(event.resource_properties)
        if event.resource_properties is not None
        else None,
        "created_at": event.created_at or utc_now(),
    }


class EventQueries(RepositoryBase):
    """Stack and resource events."""

    def add_event(self, event: NewEvent) -> EventRecord:
        with write_session(self.engine) as session:
            row = Event(**event_row(event))
            session.add(row)
            session.flush()
            record = event_record(row)
        self._purge_old_events({event.stack_id})
        return record

    def add_events(self, events: Sequence[NewEvent]) -> None:
        """Insert many events in one transaction (one bulk insert), keeping their order."""
        if not events:
            return
        with write_connection(self.engine) as connection:
            connection.execute(insert(table_of(Event)), [event_row(event) for event in events])
        self._purge_old_events({event.stack_id for event in events})

    def _purge_old_events(self, stack_ids: set[str]) -> None:
        """As Heat: a stack holding ``max_events_per_stack`` events loses its oldest batch."""
        limit = self.max_events_per_stack
        if limit <= 0:
            return
        batch = max(1, self.event_purge_batch_size)
        with write_connection(self.engine) as connection:
            for stack_id in stack_ids:
                count = connection.execute(
                    select(func.count()).select_from(Event).where(Event.stack_id == stack_id)
                ).scalar_one()
                if count < limit:
                    continue
                oldest_first = select(Event.id).where(Event.stack_id == stack_id).order_by(Event.id)
                oldest = connection.execute(oldest_first.limit(min(count, batch))).scalars().all()
                connection.execute(delete(table_of(Event)).where(Event.id.in_(oldest)))

    def get_event(self, stack_id: str, event_uuid: str) -> EventRecord | None:
        with read_session(self.engine) as session:
            row = session.scalars(
                select(Event).where(Event.stack_id == stack_id, Event.uuid == event_uuid)
            ).first()
            return event_record(row) if row is not None else None

    def list_events(
        self,
        stack_id: str | Sequence[str],
        *,
        resource_name: str | None = None,
        filters: Mapping[str, Any] | None = None,
        sort_dir: str = "asc",
        limit: int | None = None,
        marker: str | None = None,
    ) -> list[EventRecord]:
        """Events of one stack (or several: a stack and its nested stacks) in creation order.

        ``filters`` maps ``resource_name``, ``resource_type``, ``resource_action``,
        ``resource_status``, ``physical_resource_id`` or ``uuid`` to a value or a list of
        values. ``marker`` is the uuid of the last event of the previous page (raises
        :class:`NotFound` when unknown). ``sort_dir`` ``desc`` gives newest first.
        """
        if sort_dir not in ("asc", "desc"):
            raise ValueError(f"sort direction must be asc or desc, not {sort_dir!r}")
        stack_ids = [stack_id] if isinstance(stack_id, str) else list(stack_id)
        query = select(Event).where(
            Event.stack_id.in_(stack_ids) if len(stack_ids) != 1 else Event.stack_id == stack_ids[0]
        )
        if resource_name is not None:
            query = query.where(Event.resource_name == resource_name)
        for key, value in (filters or {}).items():
            if key not in _FILTER_COLUMNS:
                raise ValueError(f"cannot filter events by {key!r}")
            column = getattr(Event, key)
            if isinstance(value, list | tuple | set | frozenset):
                query = query.where(column.in_(list(value)))
            else:
                query = query.where(column == value)
        descending = sort_dir == "desc"
        with read_session(self.engine) as session:
            if marker is not None:
                marker_id = session.scalar(select(Event.id).where(Event.uuid == marker))
                if marker_id is None:
                    raise NotFound(f"The marker event ({marker}) could not be found.")
                query = query.where(Event.id < marker_id if descending else Event.id > marker_id)
            query = query.order_by(Event.id.desc() if descending else Event.id.asc())
            if limit is not None:
                query = query.limit(limit)
            return [event_record(row) for row in session.scalars(query)]

    def count_events(self, stack_id: str) -> int:
        with read_session(self.engine) as session:
            return int(
                session.scalar(select(func.count()).select_from(Event).where(Event.stack_id == stack_id)) or 0
            )
