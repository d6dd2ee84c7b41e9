"""Delivering a signal to a stored resource, outside any engine operation.

The resource's plugin is built on a :class:`StoredPluginContext`, whose writes go
straight to the database, and its ``handle_signal(details)`` runs in the API process.
A wait condition polled by any engine then reads what the handle stored. heat-api's
``POST .../resources/{name}/signal`` can deliver through :func:`deliver_signal` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.db.records import ResourceRecord, StackRecord
from calor.db.repository import Repository
from calor.engine.resource_context import stable_short_id
from calor.engine.service import OrchestrationService, RequestContext
from calor.errors import Conflict, Forbidden, NotFound, ResourceFailure
from calor.plugins.context import physical_resource_name


class StoredPluginContext:
    """A :class:`~calor.plugins.context.PluginContext` persisting every write at once."""

    def __init__(self, repository: Repository, stack: StackRecord, record: ResourceRecord) -> None:
        self.repository = repository
        self.record = record
        self.stack_id = stack.id
        self.stack_name = stack.name
        self.project_id = stack.project_id
        self.resource_name = record.name
        self._resource_id = record.physical_resource_id
        self._metadata: Any = record.metadata

    @property
    def resource_id(self) -> str | None:
        return self._resource_id

    def set_resource_id(self, value: str | None) -> None:
        self.repository.set_physical_id(self.record.id, value)
        self._resource_id = value

    def physical_resource_name(self) -> str:
        return physical_resource_name(
            self.stack_name, self.resource_name, stable_short_id(self.stack_id, self.resource_name)
        )

    def data(self) -> dict[str, str]:
        return self.repository.get_resource_data(self.record.id)

    def data_set(self, key: str, value: str, *, redact: bool = False) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Resource data values are strings, not {type(value).__name__}")
        self.repository.set_resource_data(self.record.id, key, value, redact=redact)

    def data_delete(self, key: str) -> None:
        self.repository.delete_resource_data(self.record.id, key)

    def metadata(self) -> Any:
        return self._metadata

    def metadata_set(self, value: Any) -> None:
        stored = value if isinstance(value, dict) else {"value": value}
        self.repository.update_resource(self.record.id, metadata=stored)
        self._metadata = value

    def cloud(self) -> Any:
        raise ResourceFailure("no cloud is configured for signals", resource_name=self.resource_name)

    def stored_attributes(self) -> Mapping[str, Any]:
        return dict(self.record.attribute_data)


def deliver_signal(
    service: OrchestrationService,
    context: RequestContext,
    stack_identity: str,
    resource_name: str,
    details: Any,
    *,
    only_stack_id: str | None = None,
) -> None:
    """Run ``handle_signal(details)`` of a stack's resource; ``only_stack_id`` limits a per-stack user.

    Raises NotFound for an unknown stack or resource, Forbidden for another stack than
    ``only_stack_id``, Conflict when the resource is not created or is being deleted, and
    the plugin's error (ActionNotSupported for types that take no signals).
    """
    stack = service.find_stack(context, stack_identity)
    if only_stack_id is not None and stack.id != only_stack_id:
        raise Forbidden("These credentials may only signal resources of the stack they were made for.")
    record = service.repository.find_resource(stack.id, resource_name)
    if record is None:
        raise NotFound(f"The Resource ({resource_name}) could not be found in Stack {stack.name}.")
    if record.action in ("INIT", "DELETE") or stack.action == "DELETE":
        raise Conflict(
            f"Signal resource during {record.action if record.action != 'INIT' else 'INIT'} is not supported."
        )
    plugin_class = service.plugin_types(record.type_name)
    plugin_context = StoredPluginContext(service.repository, stack, record)
    plugin = plugin_class(record.name, record.properties_data, plugin_context, record.metadata)
    plugin.handle_signal(details)


def read_resource_data(repository: Repository) -> Any:
    """A :class:`~calor.plugins.signals.wiring.SignalReader` on the database."""

    def read(stack_id: str, resource_name: str) -> Mapping[str, str]:
        record = repository.find_resource(stack_id, resource_name)
        if record is None:
            return {}
        return repository.get_resource_data(record.id)

    return read
