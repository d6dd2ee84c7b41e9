"""A :class:`~calor.engine.store.StateStore` kept in memory (tests, benchmarks, previews)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from calor.engine.store import EventRecord, OutputValue, ResourceState, utc_now


@dataclasses.dataclass
class StoredStack:
    action: str = "INIT"
    status: str = "COMPLETE"
    reason: str = ""
    resources: dict[str, ResourceState] = dataclasses.field(default_factory=dict)
    outputs: list[OutputValue] = dataclasses.field(default_factory=list)


class MemoryStore:
    """Every stack's state in dictionaries, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stacks: dict[str, StoredStack] = {}
        self.events: list[EventRecord] = []

    def _stack(self, stack_id: str) -> StoredStack:
        return self.stacks.setdefault(stack_id, StoredStack())

    def load_resources(self, stack_id: str) -> dict[str, ResourceState]:
        with self._lock:
            return dict(self._stack(stack_id).resources)

    def save_resources(
        self, stack_id: str, states: Sequence[ResourceState], events: Sequence[EventRecord] = ()
    ) -> None:
        with self._lock:
            self.events.extend(events)
            resources = self._stack(stack_id).resources
            now = utc_now()
            for state in states:
                previous = resources.get(state.name)
                created = previous.created_at if previous and previous.created_at else now
                resources[state.name] = dataclasses.replace(state, created_at=created, updated_at=now)

    def insert_resources(self, stack_id: str, states: Sequence[ResourceState]) -> None:
        self.save_resources(stack_id, states)

    def add_events(self, events: Sequence[EventRecord]) -> None:
        with self._lock:
            self.events.extend(events)

    def set_stack_status(
        self, stack_id: str, action: str, status: str, reason: str, *, traversal: str | None = None
    ) -> None:
        with self._lock:
            stack = self._stack(stack_id)
            stack.action, stack.status, stack.reason = action, status, reason

    def set_outputs(self, stack_id: str, outputs: Sequence[OutputValue]) -> None:
        with self._lock:
            self._stack(stack_id).outputs = list(outputs)

    def status(self, stack_id: str) -> str:
        stack = self.stacks[stack_id]
        return f"{stack.action}_{stack.status}"
