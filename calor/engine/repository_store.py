"""The engine's :class:`~calor.engine.store.StateStore` on :class:`calor.db.repository.Repository`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from calor.db.records import NewEvent, NewResource, ResourceChange, ResourceDataChange, ResourceRecord
from calor.db.repository import Repository
from calor.engine.store import COMPLETE, DELETE, EventRecord, OutputValue, ResourceState


def resource_state(record: ResourceRecord, data: dict[str, str], redacted: frozenset[str]) -> ResourceState:
    return ResourceState(
        name=record.name,
        type_name=record.type_name,
        action=record.action,
        status=record.status,
        status_reason=record.status_reason,
        physical_id=record.physical_resource_id,
        token=record.handle_token,
        data=data,
        redacted=redacted,
        attributes=record.attribute_data,
        properties=record.properties_data,
        metadata=record.metadata,
        requires=record.requires,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def resource_fields(state: ResourceState) -> dict[str, Any]:
    """The stored fields of ``state`` (``Repository`` field names)."""
    return {
        "action": state.action,
        "status": state.status,
        "status_reason": state.status_reason,
        "physical_resource_id": state.physical_id,
        "handle_token": state.token,
        "properties_data": state.properties,
        "attribute_data": state.attributes,
        "metadata": state.metadata if isinstance(state.metadata, dict) else {"value": state.metadata},
        "requires": tuple(state.requires),
    }


def data_change(
    state: ResourceState, written: dict[str, str], written_redacted: frozenset[str]
) -> ResourceDataChange | None:
    """The resource data of ``state`` not written yet (``None`` when all of it is)."""
    changed = {
        key: value
        for key, value in state.data.items()
        if written.get(key) != value or ((key in state.redacted) != (key in written_redacted))
    }
    deleted = tuple(sorted(set(written) - set(state.data)))
    if not changed and not deleted:
        return None
    return ResourceDataChange(
        state.name, changed, frozenset(key for key in changed if key in state.redacted), deleted
    )


def new_event(event: EventRecord) -> NewEvent:
    return NewEvent(
        stack_id=event.stack_id,
        resource_name=event.resource_name,
        resource_type=event.resource_type,
        resource_action=event.action,
        resource_status=event.status,
        resource_status_reason=event.reason,
        physical_resource_id=event.physical_resource_id,
        resource_properties=dict(event.properties) if event.properties else None,
        created_at=event.created_at,
    )


class RepositoryStore:
    """Stack state in the database. Remembers resource ids and data written, to write only changes."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], int] = {}
        self._data: dict[tuple[str, str], tuple[dict[str, str], frozenset[str]]] = {}
        self._fields: dict[tuple[str, str], dict[str, Any]] = {}

    def load_resources(self, stack_id: str) -> dict[str, ResourceState]:
        records = self.repository.get_resources(stack_id, include_replaced=False)
        all_data = self.repository.get_stack_resource_data(stack_id)
        all_redacted = self.repository.get_stack_redacted_keys(stack_id) if all_data else {}
        states: dict[str, ResourceState] = {}
        for record in records:
            data = all_data.get(record.id, {})
            redacted = all_redacted.get(record.id, frozenset()) if data else frozenset()
            state = resource_state(record, data, redacted)
            with self._lock:
                self._ids[(stack_id, record.name)] = record.id
                self._data[(stack_id, record.name)] = (dict(data), redacted)
                self._fields[(stack_id, record.name)] = resource_fields(state)
            states[record.name] = state
        return states

    def save_resources(
        self, stack_id: str, states: Sequence[ResourceState], events: Sequence[EventRecord] = ()
    ) -> None:
        """Every state, its changed data and ``events`` in one transaction (one bulk update by id).

        Only the fields changed since this store last wrote the row are sent.
        """
        latest = {state.name: state for state in states}
        changes: list[ResourceChange] = []
        data_changes: list[ResourceDataChange] = []
        for state in latest.values():
            key = (stack_id, state.name)
            fields = resource_fields(state)
            with self._lock:
                known_id = self._ids.get(key)
                written_fields = self._fields.get(key)
                written, written_redacted = self._data.get(key, ({}, frozenset()))
            changed = {
                name: value
                for name, value in fields.items()
                if written_fields is None or written_fields.get(name) != value
            }
            changes.append(ResourceChange(state.name, state.type_name, changed, known_id, fields))
            data_item = data_change(state, written, written_redacted)
            if data_item is not None:
                data_changes.append(data_item)
        ids = self.repository.save_resources(
            stack_id, changes, data=data_changes, events=[new_event(event) for event in events]
        )
        with self._lock:
            for state, change, resource_id in zip(latest.values(), changes, ids, strict=True):
                key = (stack_id, state.name)
                self._ids[key] = resource_id
                assert change.full_fields is not None
                self._fields[key] = dict(change.full_fields)
                self._data[key] = (dict(state.data), state.redacted)

    def insert_resources(self, stack_id: str, states: Sequence[ResourceState]) -> None:
        records = self.repository.create_resources(
            stack_id,
            [
                NewResource(
                    name=state.name,
                    type_name=state.type_name,
                    action=state.action,
                    status=state.status,
                    status_reason=state.status_reason,
                    physical_resource_id=state.physical_id,
                    properties_data=state.properties,
                    attribute_data=state.attributes,
                    requires=tuple(state.requires),
                    handle_token=state.token,
                )
                for state in states
            ],
        )
        with self._lock:
            for record in records:
                self._ids[(stack_id, record.name)] = record.id
                self._data[(stack_id, record.name)] = ({}, frozenset())
                self._fields[(stack_id, record.name)] = resource_fields(
                    resource_state(record, {}, frozenset())
                )

    def forget(self, stack_id: str) -> None:
        """Drop what this store remembers of the stack's rows (its operation ended)."""
        with self._lock:
            for cache in (self._ids, self._data, self._fields):
                for key in [key for key in cache if key[0] == stack_id]:
                    del cache[key]

    def add_events(self, events: Sequence[EventRecord]) -> None:
        self.repository.add_events([new_event(event) for event in events])

    def set_stack_status(
        self, stack_id: str, action: str, status: str, reason: str, *, traversal: str | None = None
    ) -> None:
        """A stack's new state; ``DELETE_COMPLETE`` also soft-deletes it, in the same transaction."""
        if (action, status) == (DELETE, COMPLETE):
            self.repository.complete_stack_delete(stack_id, reason, traversal=traversal)
            self.forget(stack_id)
            return
        self.repository.update_stack_status(stack_id, action, status, reason, traversal=traversal)

    def set_outputs(self, stack_id: str, outputs: Sequence[OutputValue]) -> None:
        self.repository.update_stack(stack_id, outputs=[output.to_mapping() for output in outputs])
