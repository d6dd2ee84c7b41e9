"""Resource signals, hook clearing and mark-unhealthy: changes to one stored resource outside a walk.

A signal's ``handle_signal(details)`` runs on a plugin built over a
:class:`StoredPluginContext`, whose writes go straight to the database, so a wait
condition (or a hook) polled by whichever engine runs the stack's operation sees it at
once. Signals are not serialised behind the stack's running job: a wait condition
handle must take its signal while the stack's create is still waiting for it.

Details holding ``unset_hook`` clear a pending hook instead (Heat: the hook's name is a
resource data key set to ``"True"`` while the hook is pending).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from calor.db.records import NewEvent, ResourceRecord, StackRecord
from calor.db.repository import Repository
from calor.engine.resource_context import stable_short_id
from calor.engine.resource_runner import PluginTypes
from calor.errors import Conflict, NotFound, ResourceFailure, UserError
from calor.plugins.base import ResourcePlugin
from calor.plugins.context import physical_resource_name

HOOK_TYPES = ("pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete")
UNSET_HOOK = "unset_hook"
MARK_UNHEALTHY_REASON = "state changed by resource_mark_unhealthy api"
CHECK = "CHECK"
SIGNAL = "SIGNAL"


class InvalidBreakPointHook(UserError):
    """An ``unset_hook`` signal naming an unknown hook type or a hook that is not pending."""

    heat_type = "InvalidBreakPointHook"


class StoredPluginContext:
    """A :class:`~calor.plugins.context.PluginContext` persisting every write at once."""

    def __init__(
        self,
        repository: Repository,
        stack: StackRecord,
        record: ResourceRecord,
        *,
        cloud_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.repository = repository
        self.record = record
        self.stack_id = stack.id
        self.stack_name = stack.name
        self.project_id = stack.project_id
        self.resource_name = record.name
        self._resource_id = record.physical_resource_id
        self._metadata: Any = record.metadata
        self._cloud_factory = cloud_factory

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
        if self._cloud_factory is None:
            raise ResourceFailure("no cloud is configured here", resource_name=self.resource_name)
        return self._cloud_factory()

    def stored_attributes(self) -> Mapping[str, Any]:
        return dict(self.record.attribute_data)


def find_resource(repository: Repository, stack: StackRecord, resource_name: str) -> ResourceRecord:
    """The stack's current resource called ``resource_name`` (NotFound as Heat words it)."""
    record = repository.find_resource(stack.id, resource_name)
    if record is None:
        raise NotFound(f"The Resource ({resource_name}) could not be found in Stack {stack.name}.")
    return record


def stored_plugin(
    repository: Repository,
    plugin_types: PluginTypes,
    stack: StackRecord,
    record: ResourceRecord,
    *,
    cloud_factory: Callable[[], Any] | None = None,
) -> ResourcePlugin:
    """The plugin of a stored resource, on a context writing straight to the database."""
    plugin_class = plugin_types(record.type_name)
    context = StoredPluginContext(repository, stack, record, cloud_factory=cloud_factory)
    return plugin_class(record.name, record.properties_data, context, record.metadata)


def signal_resource(
    repository: Repository,
    plugin_types: PluginTypes,
    stack: StackRecord,
    resource_name: str,
    details: Any,
) -> None:
    """Deliver ``details`` to the resource: clear a hook, or run its ``handle_signal``.

    Raises NotFound for an unknown resource, Conflict while the resource is not created
    or is being deleted, InvalidBreakPointHook for a bad ``unset_hook`` and the plugin's
    error (ActionNotSupported for types that take no signals).
    """
    record = find_resource(repository, stack, resource_name)
    # A hook may pause a resource before it exists (pre-create) or while the stack is being
    # deleted (pre-delete): clearing it is always allowed, as in Heat.
    if isinstance(details, Mapping) and UNSET_HOOK in details:
        clear_hook(repository, stack, record, details[UNSET_HOOK])
        return
    if record.action in ("INIT", "DELETE") or stack.action == "DELETE":
        raise Conflict(f"Signal resource during {record.action} is not supported.")
    result = stored_plugin(repository, plugin_types, stack, record).handle_signal(details)
    reason = f"Signal: {result}" if result else signal_description(details)
    repository.add_events([_event(stack, record, SIGNAL, record.status, reason)])


def signal_description(details: Any) -> str:
    """The event reason Heat gives a signal whose handler returned nothing."""
    if details is None:
        return "No signal details provided"
    if isinstance(details, str):
        return details
    if isinstance(details, Mapping):
        if all(key in details for key in ("previous", "current", "reason")):
            change = f"{details['previous']} to {details['current']} ({details['reason']})"
            return f"alarm state changed from {change}"
        if "state" in details:
            return f"alarm state changed to {details['state']}"
    return "Unknown"


def clear_hook(repository: Repository, stack: StackRecord, record: ResourceRecord, hook: Any) -> None:
    """Clear the pending ``hook`` of a resource (an event says so)."""
    if hook not in HOOK_TYPES:
        raise InvalidBreakPointHook(f'Invalid hook type "{hook}" for {record.name}')
    if repository.get_resource_data(record.id).get(hook) != "True":
        raise InvalidBreakPointHook(f'The "{hook}" hook is not defined on {record.name}')
    repository.delete_resource_data(record.id, hook)
    repository.add_events([_event(stack, record, record.action, record.status, f"Hook {hook} is cleared")])


def mark_unhealthy(
    repository: Repository,
    stack: StackRecord,
    resource_name: str,
    mark: bool,
    reason: str | None = None,
) -> None:
    """Heat's mark-unhealthy: ``CHECK_FAILED`` (replaced on the next update), or ``CHECK_COMPLETE``."""
    record = find_resource(repository, stack, resource_name)
    if record.status == "IN_PROGRESS":
        raise Conflict(f"Stack {stack.name} already has an action ({stack.action}) in progress.")
    reason = reason or MARK_UNHEALTHY_REASON
    if mark:
        if record.action == "DELETE":
            return
        status = "FAILED"
    elif record.state == (CHECK, "FAILED"):
        status = "COMPLETE"
    else:
        return
    event = _event(stack, record, CHECK, status, reason)
    repository.update_resource_with_event(record.id, event, action=CHECK, status=status, status_reason=reason)


def _event(stack: StackRecord, record: ResourceRecord, action: str, status: str, reason: str) -> NewEvent:
    return NewEvent(
        stack_id=stack.id,
        resource_name=record.name,
        resource_type=record.type_name,
        resource_action=action,
        resource_status=status,
        resource_status_reason=reason,
        physical_resource_id=record.physical_resource_id,
    )
