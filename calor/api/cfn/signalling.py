"""Delivering a signal to a stored resource, outside any engine operation.

:func:`deliver_signal` finds the stack as the caller may see it (a stack user sees only
its own stack), then hands the signal to :meth:`OrchestrationService.signal_resource`
(:mod:`calor.engine.signals`: ``handle_signal(details)`` on a plugin whose writes go
straight to the database, so a wait condition polled by any engine reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext


def deliver_signal(
    service: OrchestrationService,
    context: RequestContext,
    stack_identity: str,
    resource_name: str,
    details: Any,
) -> None:
    """Run ``handle_signal(details)`` of a stack's resource.

    Raises StackNotFound for a stack the caller may not see (for a stack user: any but its
    own), NotFound for an unknown resource, Conflict when the resource is not created or is
    being deleted, and the plugin's error (ActionNotSupported for types that take no signals).
    """
    stack = service.find_stack(context, stack_identity)
    service.signal_resource(context, stack.id, resource_name, details)


def read_resource_data(repository: Repository) -> Any:
    """A :class:`~calor.plugins.signals.wiring.SignalReader` on the database."""

    def read(stack_id: str, resource_name: str) -> Mapping[str, str]:
        record = repository.find_resource(stack_id, resource_name)
        if record is None:
            return {}
        return repository.get_resource_data(record.id)

    return read
