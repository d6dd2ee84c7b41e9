"""Events: every state change of a resource or a stack, with Heat's reasons, written in batches."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from calor.engine.store import EventRecord, StateStore
from calor.errors import CalorError, UserError

STATE_CHANGED = "state changed"


def stack_started(action: str) -> str:
    return f"Stack {action} started"


def stack_completed(action: str) -> str:
    return f"Stack {action} completed successfully"


def resource_failed(action: str, reason: str) -> str:
    """The stack's reason when one resource failed: ``Resource CREATE failed: <resource reason>``."""
    return f"Resource {action} failed: {reason}"


def failure_reason(error: BaseException, resource_name: str) -> str:
    """A resource's status reason for ``error``, as Heat writes it.

    ``ValueError: resources.web: boom``; user errors carry Heat's error type
    (``StackValidationFailed: resources.web: Property error: ...``) and resource
    failures read ``Error: resources.web: ...``.
    """
    if isinstance(error, UserError):
        kind = error.heat_type
        message = str(error)
    elif isinstance(error, CalorError):
        kind = "Error"
        message = error.message
    else:
        kind = type(error).__name__
        message = str(error)
    prefix = f"resources.{resource_name}"
    if message.startswith(prefix):
        return f"{kind}: {message}"
    return f"{kind}: {prefix}: {message}"


class EventLog:
    """Collects events and writes them to the store in batches (``flush``)."""

    def __init__(self, store: StateStore, stack_id: str, stack_name: str) -> None:
        self.store = store
        self.stack_id = stack_id
        self.stack_name = stack_name
        self._pending: list[EventRecord] = []
        self._lock = threading.Lock()

    def resource(
        self,
        name: str,
        type_name: str,
        physical_id: str | None,
        action: str,
        status: str,
        reason: str = STATE_CHANGED,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        self._add(
            EventRecord(
                stack_id=self.stack_id,
                resource_name=name,
                physical_resource_id=physical_id,
                resource_type=type_name,
                action=action,
                status=status,
                reason=reason,
                properties=dict(properties or {}),
            )
        )

    def stack(self, action: str, status: str, reason: str) -> None:
        self._add(
            EventRecord(
                stack_id=self.stack_id,
                resource_name=self.stack_name,
                physical_resource_id=self.stack_id,
                resource_type="OS::Heat::Stack",
                action=action,
                status=status,
                reason=reason,
            )
        )

    def _add(self, event: EventRecord) -> None:
        with self._lock:
            self._pending.append(event)

    def take(self) -> list[EventRecord]:
        with self._lock:
            pending, self._pending = self._pending, []
        return pending

    def flush(self) -> None:
        """Write every pending event (synchronous: call it from the database thread)."""
        pending = self.take()
        if pending:
            self.store.add_events(pending)
