"""Resource signals, hook clearing and mark-unhealthy through the OrchestrationService."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.signals import InvalidBreakPointHook, signal_description
from calor.engine.worker import Worker
from calor.errors import Conflict, NotFound
from calor.plugins.base import ActionNotSupported, ResourcePlugin
from calor.plugins.registry import default_registry

PROJECT = RequestContext(project_id="project-1", user_id="user-1")


class Listener(ResourcePlugin):
    """Keeps the signals it receives as resource data."""

    type_name = "Test::Listener"

    def handle_signal(self, details: Any) -> Any:
        count = len(self.context.data())
        self.context.data_set(f"signal-{count}", repr(details))
        return "kept" if details == "keep" else None


TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "listener": {"type": "Test::Listener"},
        "value": {"type": "OS::Heat::Value", "properties": {"value": "x"}},
    },
}


@pytest.fixture
def service(tmp_path: pathlib.Path) -> Iterator[tuple[OrchestrationService, Repository]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    registry.register(Listener)
    worker = Worker(repository, repository.queue, "engine-1", plugin_types=registry.get)
    orchestration = OrchestrationService(repository, registry.get)
    orchestration.create_stack(PROJECT, "signalled", TEMPLATE)
    assert worker.run_once()
    yield orchestration, repository
    engine.dispose()


def _resource(repository: Repository, name: str) -> Any:
    stack = repository.find_stack("signalled", PROJECT.project_id)
    assert stack is not None
    record = repository.find_resource(stack.id, name)
    assert record is not None
    return record


def _reasons(orchestration: OrchestrationService, name: str) -> list[str]:
    events = orchestration.list_events(PROJECT, "signalled", resource_name=name)
    return [f"{event['resource_status']}: {event['resource_status_reason']}" for event in events]


def test_signal_reaches_the_plugin_and_is_an_event(service: tuple[OrchestrationService, Repository]) -> None:
    orchestration, repository = service
    orchestration.signal_resource(PROJECT, "signalled", "listener", {"data": 1})
    orchestration.signal_resource(PROJECT, "signalled", "listener", "keep")
    data = repository.get_resource_data(_resource(repository, "listener").id)
    assert data == {"signal-0": "{'data': 1}", "signal-1": "'keep'"}
    events = orchestration.list_events(PROJECT, "signalled", resource_name="listener")
    signalled = [event for event in events if event["resource_status"] == "SIGNAL_COMPLETE"]
    assert [event["resource_status_reason"] for event in signalled] == ["Unknown", "Signal: kept"]


def test_signal_errors(service: tuple[OrchestrationService, Repository]) -> None:
    orchestration, _ = service
    with pytest.raises(NotFound, match="The Resource \\(missing\\) could not be found"):
        orchestration.signal_resource(PROJECT, "signalled", "missing", None)
    with pytest.raises(ActionNotSupported, match="Signal is not supported"):
        orchestration.signal_resource(PROJECT, "signalled", "value", None)


def test_unset_hook(service: tuple[OrchestrationService, Repository]) -> None:
    orchestration, repository = service
    record = _resource(repository, "value")
    with pytest.raises(InvalidBreakPointHook, match='Invalid hook type "pre-nothing"'):
        orchestration.signal_resource(PROJECT, "signalled", "value", {"unset_hook": "pre-nothing"})
    with pytest.raises(InvalidBreakPointHook, match='The "pre-create" hook is not defined on value'):
        orchestration.signal_resource(PROJECT, "signalled", "value", {"unset_hook": "pre-create"})
    repository.set_resource_data(record.id, "pre-create", "True")
    orchestration.signal_resource(PROJECT, "signalled", "value", {"unset_hook": "pre-create"})
    assert "pre-create" not in repository.get_resource_data(record.id)
    assert "COMPLETE: Hook pre-create is cleared" in _reasons(orchestration, "value")[-1]


def test_mark_unhealthy_and_back(service: tuple[OrchestrationService, Repository]) -> None:
    orchestration, repository = service
    orchestration.mark_resource_unhealthy(PROJECT, "signalled", "value", True, "broken")
    shown = orchestration.show_resource(PROJECT, "signalled", "value")
    assert (shown["resource_status"], shown["resource_status_reason"]) == ("CHECK_FAILED", "broken")
    assert _reasons(orchestration, "value")[-1] == "CHECK_FAILED: broken"
    orchestration.mark_resource_unhealthy(PROJECT, "signalled", "value", False)
    shown = orchestration.show_resource(PROJECT, "signalled", "value")
    assert shown["resource_status"] == "CHECK_COMPLETE"
    assert shown["resource_status_reason"] == "state changed by resource_mark_unhealthy api"
    # Marking healthy a resource that is not CHECK_FAILED changes nothing.
    orchestration.mark_resource_unhealthy(PROJECT, "signalled", "listener", False)
    assert _resource(repository, "listener").state == ("CREATE", "COMPLETE")


def test_mark_unhealthy_refused_while_in_progress(service: tuple[OrchestrationService, Repository]) -> None:
    orchestration, repository = service
    repository.update_resource(_resource(repository, "value").id, status="IN_PROGRESS")
    with pytest.raises(Conflict):
        orchestration.mark_resource_unhealthy(PROJECT, "signalled", "value", True)


def test_signal_description() -> None:
    assert signal_description(None) == "No signal details provided"
    assert signal_description("text") == "text"
    alarm = {"previous": "ok", "current": "alarm", "reason": "high"}
    assert signal_description(alarm) == "alarm state changed from ok to alarm (high)"
    assert signal_description({"state": "alarm"}) == "alarm state changed to alarm"
    assert signal_description([1]) == "Unknown"
