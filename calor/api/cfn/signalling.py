"""Delivering a signal to a stored resource, outside any engine operation.

:func:`deliver_signal` checks that a stack's own credentials signal only that stack,
then hands the signal to :meth:`OrchestrationService.signal_resource`
(:mod:`calor.engine.signals`: ``handle_signal(details)`` on a plugin whose writes go
straight to the database, so a wait condition polled by any engine reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext
from calor.errors import Forbidden


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
    service.signal_resource(context, stack.id, resource_name, details)


def read_resource_data(repository: Repository) -> Any:
    """A :class:`~calor.plugins.signals.wiring.SignalReader` on the database."""

    def read(stack_id: str, resource_name: str) -> Mapping[str, str]:
        record = repository.find_resource(stack_id, resource_name)
        if record is None:
            return {}
        return repository.get_resource_data(record.id)

    return read
