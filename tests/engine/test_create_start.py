"""The create's start marker: stored before handle_create, resumed under the same name after a takeover;
self-contained types written behind in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import engine_harness
import pytest
from engine_harness import CALLS, Harness

from calor.engine.create_start import CreateStart
from calor.engine.memory_store import MemoryStore
from calor.engine.store import CREATE, IN_PROGRESS, EventRecord, ResourceState
from calor.plugins.base import ResourcePlugin
from calor.schema.properties import PropertySchema

SEEN: dict[str, Any] = {}


class Cloudy(ResourcePlugin):
    """Makes something outside the engine; records what it saw of the store and its context."""

    type_name: ClassVar[str] = "Test::Cloudy"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {"size": PropertySchema(type="integer")}
    store: ClassVar[MemoryStore | None] = None

    def _look(self, hook: str) -> None:
        assert Cloudy.store is not None
        SEEN[hook] = {
            # The INIT row may still be on its way (inserted behind): None then.
            "stored": Cloudy.store.stacks["stack-1"].resources.get(self.name),
            "events": [(event.resource_name, event.status) for event in Cloudy.store.events],
            "name": self.context.physical_resource_name(),
        }

    def handle_create(self) -> Any:
        self._look("create")
        self.context.set_resource_id("made-by-create")
        return None

    def handle_create_resume(self, started_at: float) -> Any:
        self._look("resume")
        SEEN["started_at"] = started_at
        self.context.set_resource_id("found-by-name")
        return None


class Local(Cloudy):
    """The same, declared self-contained: its start is written behind."""

    type_name: ClassVar[str] = "Test::Local"
    self_contained: ClassVar[bool] = True


class RecordingStore(MemoryStore):
    """Remembers each resource transaction: (name, action, status, token, physical id) and its events."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions: list[tuple[list[tuple[str, str, str, Any, Any]], list[tuple[str, str]]]] = []

    def save_resources(
        self, stack_id: str, states: Sequence[ResourceState], events: Sequence[EventRecord] = ()
    ) -> None:
        self.transactions.append(
            (
                [
                    (state.name, state.action, state.status, state.token, state.physical_id)
                    for state in states
                ],
                [(event.resource_name, event.status) for event in events],
            )
        )
        super().save_resources(stack_id, states, events)


@pytest.fixture
def store(harness: Harness) -> RecordingStore:
    SEEN.clear()
    built = RecordingStore()
    harness.store = built
    Cloudy.store = built
    for plugin in (Cloudy, Local):
        engine_harness.PLUGINS[plugin.type_name] = plugin
    yield built
    for plugin in (Cloudy, Local):
        del engine_harness.PLUGINS[plugin.type_name]


def test_the_start_and_physical_name_are_stored_before_handle_create(
    harness: Harness, store: RecordingStore
) -> None:
    harness.add("disk", type_name="Test::Cloudy", properties={"size": 1})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    stored = SEEN["create"]["stored"]
    assert (stored.action, stored.status) == (CREATE, IN_PROGRESS)
    start = CreateStart.of(stored)
    assert start is not None and start.physical_name == SEEN["create"]["name"]
    assert start.physical_name.startswith("teststack-disk-")
    assert ("disk", "IN_PROGRESS") in SEEN["create"]["events"]
    assert stored.properties == {"size": 1}
    done = store.stacks["stack-1"].resources["disk"]
    assert (done.action, done.status, done.token, done.physical_id) == (
        "CREATE",
        "COMPLETE",
        None,
        "made-by-create",
    )


def test_an_interrupted_create_is_resumed_under_its_stored_name(
    harness: Harness, store: RecordingStore
) -> None:
    harness.add("disk", type_name="Test::Cloudy", properties={"size": 1})
    started = CreateStart("teststack-disk-from-a-replacement", 1234.5)
    store.save_resources(
        "stack-1",
        [
            ResourceState(
                name="disk",
                type_name="Test::Cloudy",
                action=CREATE,
                status=IN_PROGRESS,
                token=started.stored(),
                properties={"size": 1},
            )
        ],
    )
    assert harness.create().stack_status == "CREATE_COMPLETE"
    assert "create" not in SEEN
    assert SEEN["started_at"] == 1234.5
    assert SEEN["resume"]["name"] == "teststack-disk-from-a-replacement"
    # The marker (the first start's time, too) is what the store holds during the resumed create.
    assert CreateStart.of(SEEN["resume"]["stored"]) == started
    assert store.stacks["stack-1"].resources["disk"].physical_id == "found-by-name"


def test_by_default_an_interrupted_create_runs_handle_create_again(harness: Harness) -> None:
    harness.add("probe")
    harness.store.save_resources(
        "stack-1",
        [
            ResourceState(
                name="probe",
                type_name="Test::Probe",
                action=CREATE,
                status=IN_PROGRESS,
                token=CreateStart("teststack-probe-x", 1.0).stored(),
                properties={"checks": 0, "fail": False, "fail_delete": False, "delete_not_found": False},
            )
        ],
    )
    assert harness.create().stack_status == "CREATE_COMPLETE"
    assert CALLS["create"] == ["probe"]


def test_a_self_contained_start_is_one_transaction_with_its_event(
    harness: Harness, store: RecordingStore
) -> None:
    harness.add("local", type_name="Test::Local", properties={"size": 1})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    # Written behind: handle_create ran before anything of its start was stored ...
    assert SEEN["create"]["stored"] is None or SEEN["create"]["stored"].action == "INIT"
    assert ("local", "IN_PROGRESS") not in SEEN["create"]["events"]
    # ... and the start (state, marker, physical id) went in one transaction with its event.
    starts = [
        (states, events)
        for states, events in store.transactions
        if any(state[2] == IN_PROGRESS for state in states)
    ]
    assert len(starts) == 1
    [(states, events)] = starts
    assert states == [("local", CREATE, IN_PROGRESS, states[0][3], "made-by-create")]
    assert "create_started" in states[0][3]
    assert ("local", "IN_PROGRESS") in events
    assert store.stacks["stack-1"].resources["local"].physical_id == "made-by-create"


def test_a_cloudy_start_is_committed_before_the_hook_and_its_writes_after(
    harness: Harness, store: RecordingStore
) -> None:
    harness.add("disk", type_name="Test::Cloudy", properties={"size": 1})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    written = [state for states, _events in store.transactions for state in states if state[0] == "disk"]
    in_progress = [state for state in written if state[2] == IN_PROGRESS]
    # First the start alone (marker, no physical id: the hook had not run), then the hook's writes.
    assert in_progress[0][4] is None and "create_started" in in_progress[0][3]
    assert [state[4] for state in written][-1] == "made-by-create"
    assert written.index(in_progress[0]) < len(written) - 1
