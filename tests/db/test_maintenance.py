"""purge_deleted, reset_stack_status and engine services."""

from __future__ import annotations

import datetime

import pytest

from calor.db.records import JobStatus, NewEvent
from calor.db.repository import Repository
from calor.errors import StackNotFound

TEMPLATE = {"heat_template_version": "2018-08-31"}


def populated_stack(repository: Repository, name: str) -> str:
    stack, _job = repository.create_stack_with_job(
        name=name, project_id="project", template=TEMPLATE, tags=["t"]
    )
    resource = repository.create_or_get_resource(stack.id, "r", "OS::Heat::None")
    repository.set_resource_data(resource.id, "key", "value")
    repository.add_event(
        NewEvent(
            stack_id=stack.id,
            resource_name="r",
            resource_type="OS::Heat::None",
            resource_action="CREATE",
            resource_status="COMPLETE",
        )
    )
    return stack.id


def test_purge_deleted_removes_old_deleted_stacks_only(repository: Repository) -> None:
    old = populated_stack(repository, "old")
    recent = populated_stack(repository, "recent")
    live = populated_stack(repository, "live")
    job = repository.queue.claim("engine", 30)
    assert job is not None and job.stack_id == old
    repository.queue.finish(job.id, "engine")
    old_template = repository.get_stack(old)
    assert old_template is not None
    repository.soft_delete_stack(old)
    repository.soft_delete_stack(recent)
    repository.update_stack_status(live, "CREATE", "COMPLETE")
    # Deleted moments ago: not older than an hour.
    result = repository.purge_deleted(datetime.timedelta(hours=1))
    assert result.stacks == 0

    result = repository.purge_deleted(datetime.timedelta(0))
    assert result.stacks == 2 and result.resources == 2 and result.events == 2
    assert result.raw_templates == 2 and result.jobs == 1
    assert repository.get_stack(old, show_deleted=True) is None
    assert repository.get_raw_template(old_template.raw_template_id or 0) is None
    assert repository.get_stack(live) is not None
    assert len(repository.get_resources(live)) == 1
    assert repository.count_events(live) == 1


def test_purge_by_project(repository: Repository) -> None:
    mine = populated_stack(repository, "mine")
    theirs = repository.create_stack(name="theirs", project_id="other", template=TEMPLATE).id
    repository.soft_delete_stack(mine)
    repository.soft_delete_stack(theirs)
    assert repository.purge_deleted(datetime.timedelta(0), project_id="other").stacks == 1
    assert repository.get_stack(mine, show_deleted=True) is not None


def test_reset_stack_status_fails_the_stack_its_children_resources_and_jobs(repository: Repository) -> None:
    stack_id = populated_stack(repository, "stuck")
    child = repository.create_stack(
        name="stuck-child", project_id="project", template=TEMPLATE, parent_id=stack_id
    )
    resource = repository.create_or_get_resource(
        child.id, "server", "T", action="CREATE", status="IN_PROGRESS"
    )
    done = repository.create_or_get_resource(stack_id, "done", "T", action="CREATE", status="COMPLETE")

    stack = repository.reset_stack_status(stack_id)
    assert stack.stack_status == "CREATE_FAILED"
    assert stack.status_reason == "Stack status manually reset"
    child_now = repository.get_stack(child.id)
    assert child_now is not None and child_now.stack_status == "CREATE_FAILED"
    resource_now = repository.get_resource(resource.id)
    assert resource_now is not None and resource_now.state == ("CREATE", "FAILED")
    done_now = repository.get_resource(done.id)
    assert done_now is not None and done_now.state == ("CREATE", "COMPLETE")
    assert [job.status for job in repository.queue.list_jobs(stack_id=stack_id)] == [JobStatus.FAILED]
    assert repository.queue.claim("engine", 30) is None
    with pytest.raises(StackNotFound):
        repository.reset_stack_status("missing")


def test_services(repository: Repository) -> None:
    registered = repository.register_service("engine-1", "host-a")
    assert registered.binary == "heat-engine" and registered.topic == "engine"
    now = datetime.datetime.now(datetime.UTC)
    assert registered.is_up(now, 60)
    assert repository.heartbeat("engine-1")
    assert not repository.heartbeat("engine-unknown")
    repository.register_service("engine-2", "host-b")
    assert repository.stop_service("engine-2")
    services = {service.engine_id: service for service in repository.list_services()}
    assert set(services) == {"engine-1", "engine-2"}
    assert not services["engine-2"].is_up(now, 60)
    assert not services["engine-1"].is_up(now + datetime.timedelta(minutes=5), 60)
    again = repository.register_service("engine-2", "host-c")
    assert again.stopped_at is None and again.hostname == "host-c"
    assert repository.delete_service("engine-2")
    assert [service.engine_id for service in repository.list_services()] == ["engine-1"]
