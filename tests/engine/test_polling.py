"""Polling: a check at the plugin's due time instead of backoff rounds; non-blocking checks on the loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import engine_harness
import pytest
from engine_harness import Harness

from calor.engine.store import CREATE, IN_PROGRESS, ResourceState
from calor.errors import ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.schema.properties import PropertySchema

CHECKS: list[tuple[str, float, float, str]] = []
LOCK = threading.Lock()


class Timer(ResourcePlugin):
    """Done ``wait`` seconds after its create began; says when, and its checks do not block."""

    type_name: ClassVar[str] = "Test::Timer"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "wait": PropertySchema(type="number", default=0.2),
        "fail": PropertySchema(type="boolean", default=False),
        "blocking": PropertySchema(type="boolean", default=False),
    }

    def handle_create(self) -> Any:
        self.context.set_resource_id(f"timer-{self.name}")
        return {"due": self.now() + float(self.properties["wait"])}

    def checks_block(self) -> bool:
        return bool(self.properties["blocking"])

    def check_due(self, token: Any) -> float | None:
        return float(token["due"])

    def check_create_complete(self, token: Any) -> bool:
        now = self.now()
        with LOCK:
            CHECKS.append((self.name, now, float(token["due"]), threading.current_thread().name))
        if now < float(token["due"]):
            return False
        if self.properties["fail"]:
            raise ResourceFailure(f"{self.name} went wrong")
        return True


@pytest.fixture(autouse=True)
def timer_type() -> Any:
    CHECKS.clear()
    engine_harness.PLUGINS[Timer.type_name] = Timer
    yield
    del engine_harness.PLUGINS[Timer.type_name]


def checks_of(name: str) -> list[tuple[str, float, float, str]]:
    return [check for check in CHECKS if check[0] == name]


def test_a_check_runs_at_the_due_time_instead_of_in_backoff_rounds(harness: Harness) -> None:
    # Backoff from 1 ms would check about a dozen times in 0.2 s.
    harness.add("timer", type_name="Test::Timer", properties={"wait": 0.2})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    first, second = checks_of("timer")
    assert first[1] < first[2]  # the check of the start hop, before the due time
    assert second[1] >= second[2]  # the one poll, at the due time


def test_non_blocking_checks_run_on_the_event_loop_and_blocking_ones_in_hook_threads(
    harness: Harness,
) -> None:
    harness.add("quick", type_name="Test::Timer", properties={"wait": 0.05})
    harness.add("blocking", type_name="Test::Timer", properties={"wait": 0.05, "blocking": True})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    loop_thread = threading.current_thread().name  # the harness runs the loop in this thread
    assert checks_of("quick")[-1][3] == loop_thread
    assert checks_of("blocking")[-1][3] != loop_thread


def test_a_failing_check_fails_only_its_resource(harness: Harness) -> None:
    for index in range(5):
        harness.add(f"ok{index}", type_name="Test::Timer", properties={"wait": 0.05})
    harness.add("bad", type_name="Test::Timer", properties={"wait": 0.05, "fail": True})
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_FAILED"
    assert harness.state("bad") == "CREATE_FAILED"
    assert "bad went wrong" in harness.reason("bad")
    for index in range(5):
        assert harness.state(f"ok{index}") == "CREATE_COMPLETE"


def test_an_engine_taking_over_polls_the_stored_token_at_its_due_time(harness: Harness) -> None:
    harness.add("resumed", type_name="Test::Timer")
    due = time.time() + 0.2
    harness.store.save_resources(
        "stack-1",
        [
            ResourceState(
                name="resumed",
                type_name="Test::Timer",
                action=CREATE,
                status=IN_PROGRESS,
                physical_id="timer-resumed",
                token={"token": {"due": due}},
                properties={"wait": 0.2, "fail": False, "blocking": False},
            )
        ],
    )
    assert harness.create().stack_status == "CREATE_COMPLETE"
    first, second = checks_of("resumed")
    assert first[1] < due  # checked at once on takeover (the token might be done already)
    assert second[1] >= due
    assert harness.store.stacks["stack-1"].resources["resumed"].physical_id == "timer-resumed"


class PollingTestResource(ResourcePlugin):
    """Self-contained, but its checks block (OS::Heat::TestResource with ``client_name``)."""

    type_name: ClassVar[str] = "Test::PollingTestResource"
    self_contained: ClassVar[bool] = True

    def handle_create(self) -> Any:
        return {"due": self.now()}

    def handle_delete(self) -> Any:
        return {"due": self.now()}

    def checks_block(self) -> bool:
        return True

    def _check(self, token: Any) -> bool:
        with LOCK:
            CHECKS.append((self.name, self.now(), float(token["due"]), threading.current_thread().name))
        return True

    def check_create_complete(self, token: Any) -> bool:
        return self._check(token)

    def check_delete_complete(self, token: Any) -> bool:
        return self._check(token)


def test_a_self_contained_type_whose_checks_block_is_never_checked_on_the_event_loop(
    harness: Harness,
) -> None:
    engine_harness.PLUGINS[PollingTestResource.type_name] = PollingTestResource
    try:
        harness.add("poller", type_name=PollingTestResource.type_name)
        assert harness.create().stack_status == "CREATE_COMPLETE"
        assert harness.delete().stack_status == "DELETE_COMPLETE"
    finally:
        del engine_harness.PLUGINS[PollingTestResource.type_name]
    loop_thread = threading.current_thread().name  # the harness runs the loop in this thread
    threads = [check[3] for check in checks_of("poller")]
    assert len(threads) == 2  # one check of the create, one of the delete
    assert loop_thread not in threads
