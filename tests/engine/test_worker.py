"""The worker against a real SQLite queue: registration, clean stop, a lost lease."""

from __future__ import annotations

import dataclasses
import pathlib
import time
from collections.abc import Callable, Iterator

import pytest

from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry

CONFIG = EngineConfig(
    poll_initial=0.01, poll_max=0.05, lease_seconds=0.6, heartbeat_seconds=0.1, idle_poll_seconds=0.05
)
PROJECT = RequestContext(project_id="project-1")
SLOW = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "slow": {"type": "OS::Heat::TestResource", "properties": {"action_wait_secs": {"create": 0.6}}}
    },
}


@pytest.fixture
def repository(tmp_path: pathlib.Path) -> Iterator[Repository]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    yield Repository(engine)
    engine.dispose()


def make_worker(repository: Repository, engine_id: str) -> Worker:
    return Worker(repository, repository.queue, engine_id, plugin_types=default_registry().get, config=CONFIG)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_registers_heartbeats_and_stops(repository: Repository) -> None:
    worker = make_worker(repository, "engine-1")
    worker.start()
    wait_for(lambda: [service.engine_id for service in repository.list_services()] == ["engine-1"])
    first = repository.list_services()[0].heartbeat_at
    wait_for(lambda: repository.list_services()[0].heartbeat_at > first)
    worker.stop()
    assert not worker.thread_alive()
    assert repository.list_services()[0].stopped_at is not None


def test_stop_gives_the_job_back_and_another_worker_finishes(repository: Repository) -> None:
    service = OrchestrationService(repository, default_registry().get)
    stack_id = service.create_stack(PROJECT, "handed-over", SLOW)
    first = make_worker(repository, "engine-1")
    first.start()

    def creating() -> bool:
        resource = repository.find_resource(stack_id, "slow")
        # In progress with its token stored: from here on a takeover only polls.
        return resource is not None and resource.status == "IN_PROGRESS" and resource.handle_token is not None

    wait_for(creating)
    first.stop()
    jobs = repository.queue.list_jobs(stack_id=stack_id)
    assert [(job.status, job.engine_id) for job in jobs] == [("queued", None)]

    second = make_worker(repository, "engine-2")
    second.start()
    wait_for(lambda: service.show_stack(PROJECT, stack_id)["stack_status"] == "CREATE_COMPLETE")
    second.stop()
    events = service.list_events(PROJECT, stack_id, resource_name="slow")
    assert [event["resource_status"] for event in events] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_lost_lease_stops_the_operation_without_finishing_the_job(
    repository: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = OrchestrationService(repository, default_registry().get)
    stack_id = service.create_stack(PROJECT, "stolen", SLOW)
    monkeypatch.setattr(repository.queue, "renew", lambda *arguments: False)
    worker = make_worker(repository, "engine-1")
    assert worker.run_once()
    job = repository.queue.list_jobs(stack_id=stack_id)[0]
    assert (job.status, job.engine_id) == ("running", "engine-1")  # left for the lease to expire
    assert service.show_stack(PROJECT, stack_id)["stack_status"] == "CREATE_IN_PROGRESS"


def template_waiting(seconds: float) -> dict[str, object]:
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            "waiting": {
                "type": "OS::Heat::TestResource",
                "properties": {"action_wait_secs": {"create": seconds}},
            }
        },
    }


def test_a_blocked_stack_does_not_hold_up_others_and_its_delete_cancels_the_create(
    repository: Repository,
) -> None:
    service = OrchestrationService(repository, default_registry().get)
    blocked = service.create_stack(PROJECT, "blocked", template_waiting(3600))
    worker = make_worker(repository, "engine-1")
    worker.start()
    try:
        wait_for(lambda: [job.stack_id for job in worker.running_jobs()] == [blocked])
        quick = service.create_stack(PROJECT, "quick", template_waiting(0.05))
        wait_for(lambda: service.show_stack(PROJECT, quick)["stack_status"] == "CREATE_COMPLETE")
        assert service.show_stack(PROJECT, blocked)["stack_status"] == "CREATE_IN_PROGRESS"

        started = time.monotonic()
        service.delete_stack(PROJECT, blocked)
        wait_for(lambda: repository.get_stack(blocked) is None)
        wait_for(lambda: repository.queue.list_jobs(stack_id=blocked, status="running") == [])
        assert time.monotonic() - started < 5
        jobs = repository.queue.list_jobs(stack_id=blocked)
        assert [(job.operation, job.status) for job in jobs] == [("create", "failed"), ("delete", "done")]
        assert jobs[0].error == "Operation cancelled"
    finally:
        worker.stop()
    assert not worker.thread_alive()


def test_stop_gives_back_every_running_job(repository: Repository) -> None:
    service = OrchestrationService(repository, default_registry().get)
    stacks = [
        service.create_stack(PROJECT, f"waiting-{number}", template_waiting(3600)) for number in range(3)
    ]
    worker = make_worker(repository, "engine-1")
    worker.start()
    wait_for(lambda: len(worker.running_jobs()) == 3)
    worker.stop()
    assert not worker.thread_alive()
    for stack_id in stacks:
        assert [job.status for job in repository.queue.list_jobs(stack_id=stack_id)] == ["queued"]


def test_at_most_max_concurrent_jobs_run_at_once(repository: Repository) -> None:
    service = OrchestrationService(repository, default_registry().get)
    for number in range(3):
        service.create_stack(PROJECT, f"waiting-{number}", template_waiting(3600))
    worker = Worker(
        repository,
        repository.queue,
        "engine-1",
        plugin_types=default_registry().get,
        config=dataclasses.replace(CONFIG, max_concurrent_jobs=2),
    )
    worker.start()
    try:
        wait_for(lambda: len(worker.running_jobs()) == 2)
        time.sleep(0.3)
        assert len(worker.running_jobs()) == 2
        assert len(repository.queue.list_jobs(status="queued")) == 1
    finally:
        worker.stop()


def _finish_dropped_once(repository: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next ``finish`` is lost, as when an engine dies between a stack's final state and its job's end."""
    finish = repository.queue.finish
    calls: list[int] = []

    def dropped(job_id: int, *arguments: object, **options: object) -> bool:
        calls.append(job_id)
        if len(calls) == 1:
            return True
        return finish(job_id, *arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(repository.queue, "finish", dropped)


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_a_job_whose_operation_ended_is_finished_on_takeover_not_run_again(
    repository: Repository, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    service = OrchestrationService(repository, default_registry().get)
    stack_id = service.create_stack(PROJECT, "ended", template_waiting(0.01))
    if operation != "create":
        assert make_worker(repository, "engine-0").run_once()
        if operation == "update":
            service.update_stack(PROJECT, stack_id, template_waiting(0.02))
        else:
            service.delete_stack(PROJECT, stack_id)
    _finish_dropped_once(repository, monkeypatch)
    assert make_worker(repository, "engine-1").run_once()
    job = repository.queue.list_jobs(stack_id=stack_id)[-1]
    assert (job.status, job.engine_id) == ("running", "engine-1")  # the engine "died" before finishing it
    events_before = repository.list_events(stack_id)
    stack_before = repository.get_stack(stack_id, show_deleted=True)
    assert stack_before is not None and stack_before.current_traversal == str(job.id)

    time.sleep(CONFIG.lease_seconds + 0.1)  # the lease expires; another engine takes the job
    assert make_worker(repository, "engine-2").run_once()
    finished = repository.queue.list_jobs(stack_id=stack_id)[-1]
    assert (finished.id, finished.status, finished.engine_id) == (job.id, "done", "engine-2")
    assert finished.attempts == 2
    assert repository.list_events(stack_id) == events_before  # nothing ran again
    stack_after = repository.get_stack(stack_id, show_deleted=True)
    assert stack_after is not None and stack_after.version == stack_before.version
    expected = {"create": "CREATE_COMPLETE", "update": "UPDATE_COMPLETE", "delete": "DELETE_COMPLETE"}
    assert stack_after.stack_status == expected[operation]
