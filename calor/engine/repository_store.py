"""The engine's :class:`~calor.engine.store.StateStore` on :class:`calor.db.repository.Repository`."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from calor.db.records import NewEvent, NewResource, ResourceRecord
from calor.db.repository import Repository
from calor.engine.store import EventRecord, OutputValue, ResourceState


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


class RepositoryStore:
    """Stack state in the database. Remembers resource ids and data written, to write only changes."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], int] = {}
        self._data: dict[tuple[str, str], tuple[dict[str, str], frozenset[str]]] = {}

    def load_resources(self, stack_id: str) -> dict[str, ResourceState]:
        records = self.repository.get_resources(stack_id, include_replaced=False)
        all_data = self.repository.get_stack_resource_data(stack_id)
        states: dict[str, ResourceState] = {}
        for record in records:
            data = all_data.get(record.id, {})
            redacted = frozenset(self.repository.get_redacted_keys(record.id)) if data else frozenset()
            with self._lock:
                self._ids[(stack_id, record.name)] = record.id
                self._data[(stack_id, record.name)] = (dict(data), redacted)
            states[record.name] = resource_state(record, data, redacted)
        return states

    def save_resources(self, stack_id: str, states: Sequence[ResourceState]) -> None:
        for state in states:
            resource_id = self.repository.save_resource(
                stack_id,
                state.name,
                state.type_name,
                action=state.action,
                status=state.status,
                status_reason=state.status_reason,
                physical_resource_id=state.physical_id,
                handle_token=state.token,
                properties_data=state.properties,
                attribute_data=state.attributes,
                metadata=state.metadata if isinstance(state.metadata, dict) else {"value": state.metadata},
                requires=tuple(state.requires),
            )
            key = (stack_id, state.name)
            with self._lock:
                self._ids[key] = resource_id
                written, written_redacted = self._data.get(key, ({}, frozenset()))
            self._write_data(resource_id, state, written, written_redacted)
            with self._lock:
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

    def _write_data(
        self,
        resource_id: int,
        state: ResourceState,
        written: dict[str, str],
        written_redacted: frozenset[str],
    ) -> None:
        changed = {
            key: value
            for key, value in state.data.items()
            if written.get(key) != value or ((key in state.redacted) != (key in written_redacted))
        }
        plain = {key: value for key, value in changed.items() if key not in state.redacted}
        secret = {key: value for key, value in changed.items() if key in state.redacted}
        self.repository.set_resource_data_many(resource_id, plain)
        self.repository.set_resource_data_many(resource_id, secret, redact=True)
        for key in set(written) - set(state.data):
            self.repository.delete_resource_data(resource_id, key)

    def add_events(self, events: Sequence[EventRecord]) -> None:
        self.repository.add_events(
            [
                NewEvent(
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
                for event in events
            ]
        )

    def set_stack_status(self, stack_id: str, action: str, status: str, reason: str) -> None:
        self.repository.update_stack_status(stack_id, action, status, reason)

    def set_outputs(self, stack_id: str, outputs: Sequence[OutputValue]) -> None:
        self.repository.update_stack(stack_id, outputs=[output.to_mapping() for output in outputs])
