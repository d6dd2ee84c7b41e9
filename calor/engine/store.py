"""What the engine persists, as one narrow interface.

The engine reads and writes stack state only through :class:`StateStore`, so a
resource's progress (status, physical id, polling token, data) is stored the moment
it changes and any engine can resume from it. :mod:`calor.engine.repository_store`
adapts :class:`calor.db.repository.Repository`; :mod:`calor.engine.memory_store` keeps
everything in memory for tests. Store methods are synchronous and thread safe; the
engine calls them from its database thread.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# Actions and statuses as Heat spells them.
INIT = "INIT"
CREATE = "CREATE"
DELETE = "DELETE"
UPDATE = "UPDATE"
ROLLBACK = "ROLLBACK"
RESTORE = "RESTORE"
ADOPT = "ADOPT"
IN_PROGRESS = "IN_PROGRESS"
COMPLETE = "COMPLETE"
FAILED = "FAILED"


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class ResourceState:
    """One resource of a stack as stored.

    ``token`` is the JSON-able value ``handle_<action>`` returned, kept so another
    engine resumes polling ``check_<action>_complete`` instead of starting again.
    ``attributes`` caches attribute values computed once the resource is complete.
    """

    name: str
    type_name: str
    action: str = INIT
    status: str = COMPLETE
    status_reason: str = ""
    physical_id: str | None = None
    token: Any = None
    data: Mapping[str, str] = field(default_factory=dict)
    redacted: frozenset[str] = frozenset()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    requires: Sequence[str] = ()
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def state(self) -> tuple[str, str]:
        return self.action, self.status


@dataclass(frozen=True)
class EventRecord:
    """One event: a resource's (or the stack's, when ``resource_name`` is the stack name) new state."""

    stack_id: str
    resource_name: str
    physical_resource_id: str | None
    resource_type: str
    action: str
    status: str
    reason: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime.datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class OutputValue:
    """A resolved output: its value, or the error resolving it (Heat's ``output_error``)."""

    key: str
    value: Any = None
    description: str = "No description given"
    error: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "output_key": self.key,
            "output_value": self.value,
            "description": self.description,
        }
        if self.error is not None:
            body["output_error"] = self.error
        return body


class StateStore(Protocol):
    """The persistence the engine needs for one stack's operation."""

    def load_resources(self, stack_id: str) -> dict[str, ResourceState]: ...

    def save_resources(
        self, stack_id: str, states: Sequence[ResourceState], events: Sequence[EventRecord] = ()
    ) -> None:
        """Insert or replace each resource named ``state.name``, with ``events``, all in one transaction."""
        ...

    def insert_resources(self, stack_id: str, states: Sequence[ResourceState]) -> None:
        """Insert resources not stored yet, all at once."""
        ...

    def add_events(self, events: Sequence[EventRecord]) -> None: ...

    def set_stack_status(
        self, stack_id: str, action: str, status: str, reason: str, *, traversal: str | None = None
    ) -> None:
        """The stack's new state; ``traversal`` names the job whose operation it ends."""
        ...

    def set_outputs(self, stack_id: str, outputs: Sequence[OutputValue]) -> None: ...
