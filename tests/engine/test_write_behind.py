"""Write-behind of a resource start: queued writes, batched commits, durable before polling."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import engine_harness
from engine_harness import Harness

from calor.engine.memory_store import MemoryStore
from calor.engine.store import EventRecord, ResourceState
from calor.plugins.base import ResourcePlugin
from calor.schema.properties import PropertySchema


class CountingStore(MemoryStore):
    """A MemoryStore that counts its resource transactions."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    def save_resources(
        self, stack_id: str, states: Sequence[ResourceState], events: Sequence[EventRecord] = ()
    ) -> None:
        self.saves += 1
        super().save_resources(stack_id, states, events)


class Durable(ResourcePlugin):
    """Writes data, an id and a token at start; its polls look at what is stored."""

    type_name: ClassVar[str] = "Test::Durable"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "checks": PropertySchema(type="integer", default=1),
    }
    store: ClassVar[MemoryStore | None] = None
    seen: ClassVar[list[ResourceState]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def handle_create(self) -> Any:
        self.context.data_set("key", "value")
        self.context.set_resource_id(f"durable-{self.name}")
        return {"checks": self.properties["checks"], "done": 0}

    def check_create_complete(self, token: Any) -> bool:
        assert Durable.store is not None
        stored = Durable.store.stacks["stack-1"].resources[self.name]
        with Durable.lock:
            Durable.seen.append(stored)
            checks = sum(1 for state in Durable.seen if state.name == self.name)
        # The first check runs inside the start hop; later ones are polls.
        return checks > int(token["checks"])


def test_start_writes_are_durable_before_polling(harness: Harness) -> None:
    store = CountingStore()
    harness.store = store
    Durable.store, Durable.seen = store, []
    engine_harness.PLUGINS[Durable.type_name] = Durable
    try:
        for index in range(20):
            harness.add(f"d{index}", type_name="Test::Durable", properties={"checks": 2})
        assert harness.create().stack_status == "CREATE_COMPLETE"
    finally:
        del engine_harness.PLUGINS[Durable.type_name]
    polls: dict[str, list[ResourceState]] = {}
    for state in Durable.seen:
        polls.setdefault(state.name, []).append(state)
    assert len(polls) == 20
    for name, seen in polls.items():
        for state in seen[1:]:
            assert state.physical_id == f"durable-{name}"
            assert state.data == {"key": "value"}
            assert state.token["token"] == {"checks": 2, "done": 0}
            assert f"-{name}-" in state.token["create_started"]["physical_name"]
            assert (state.action, state.status) == ("CREATE", "IN_PROGRESS")
        stored = store.stacks["stack-1"].resources[name]
        assert (stored.action, stored.status, stored.token) == ("CREATE", "COMPLETE", None)
    # Twenty starts (four writes each) and completions: after CREATE_IN_PROGRESS the starts'
    # writes are queued, not waited for one by one, so they gather into fewer transactions
    # (27 when each write was waited for; about 16 now).
    assert store.saves <= 20
    events = [(event.resource_name, event.status) for event in store.events if event.resource_name == "d0"]
    assert events == [("d0", "IN_PROGRESS"), ("d0", "COMPLETE")]
