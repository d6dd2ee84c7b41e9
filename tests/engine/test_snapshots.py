"""Stack snapshots (create, list, show, restore, delete) through the service and a worker on SQLite."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.abandon import NotSupported
from calor.engine.portability_jobs import job_failed
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.errors import Conflict, NotFound, UserError
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import default_registry
from calor.schema.properties import STRING, PropertySchema

PROJECT = RequestContext(project_id="project-1", user_id="user-1")


class Disk(ResourcePlugin):
    """Snapshots itself as a "backup" held in resource data; a new ``backup`` is restored in place."""

    type_name = "Test::Disk"
    properties_schema: ClassVar[dict[str, PropertySchema]] = {
        "size": PropertySchema(STRING, default="1"),
        "backup": PropertySchema(STRING, update_allowed=True),
    }
    calls: ClassVar[list[str]] = []
    fail_snapshot: ClassVar[bool] = False
    fail_restore: ClassVar[bool] = False

    def handle_create(self) -> Any:
        self.calls.append(f"create {self.name} from {self.properties['backup']}")
        self.context.set_resource_id(str(uuid.uuid4()))
        return None

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if self.fail_restore:
            raise RuntimeError("the backup is gone")
        self.calls.append(f"restore {self.name} from {property_diff.get('backup')}")
        return None

    def handle_delete(self) -> Any:
        self.calls.append(f"delete {self.name}")
        return None

    def handle_snapshot(self) -> Any:
        if self.fail_snapshot:
            raise RuntimeError("the disk is busy")
        backup = f"backup-of-{self.resource_id}"
        self.context.data_set("backup", backup)
        return {"polls": 0}

    def check_snapshot_complete(self, token: Any) -> bool:
        return True

    def handle_restore(self, snapshot_data: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return {"backup": snapshot_data["resource_data"]["backup"]}

    def handle_delete_snapshot(self, snapshot_data: Mapping[str, Any]) -> Any:
        self.calls.append(f"delete {snapshot_data['resource_data']['backup']}")
        return None


TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "disk": {"type": "Test::Disk", "properties": {"size": "2"}},
        "word": {"type": "OS::Heat::RandomString", "depends_on": ["disk"]},
    },
    "outputs": {"word": {"value": {"get_attr": ["word", "value"]}}},
}


@dataclass
class Setup:
    service: OrchestrationService
    worker: Worker
    repository: Repository

    def run_jobs(self) -> None:
        while self.worker.run_once():
            pass


@pytest.fixture
def setup(tmp_path: pathlib.Path) -> Iterator[Setup]:
    Disk.calls.clear()
    Disk.fail_snapshot = False
    Disk.fail_restore = False
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    registry.register(Disk)
    service = OrchestrationService(repository, registry.get)
    worker = Worker(repository, repository.queue, "engine-1", plugin_types=registry.get)
    built = Setup(service, worker, repository)
    built.service.create_stack(PROJECT, "stored", TEMPLATE)
    built.run_jobs()
    yield built
    engine.dispose()


def _physical_id(setup: Setup, name: str) -> str:
    return str(setup.service.show_resource(PROJECT, "stored", name)["physical_resource_id"])


def test_snapshot_create_list_show(setup: Setup) -> None:
    created = setup.service.create_snapshot(PROJECT, "stored", "first")
    assert (created["name"], created["status"], created["data"]) == ("first", "IN_PROGRESS", None)
    assert setup.service.show_stack(PROJECT, "stored")["stack_status"] == "SNAPSHOT_IN_PROGRESS"
    with pytest.raises(Conflict):
        setup.service.create_snapshot(PROJECT, "stored", "second")
    setup.run_jobs()
    assert setup.service.show_stack(PROJECT, "stored")["stack_status"] == "SNAPSHOT_COMPLETE"
    shown = setup.service.show_snapshot(PROJECT, "stored", created["id"])
    assert (shown["status"], shown["status_reason"]) == ("COMPLETE", "Stack SNAPSHOT completed successfully")
    assert shown["creation_time"].endswith("Z")
    data = shown["data"]
    assert data["template"] == TEMPLATE
    assert data["resources"]["disk"]["resource_data"] == {
        "backup": f"backup-of-{_physical_id(setup, 'disk')}"
    }
    assert "value" in data["resources"]["word"]["resource_data"]
    listed = setup.service.list_snapshots(PROJECT, "stored")
    assert [snapshot["id"] for snapshot in listed] == [created["id"]]
    statuses = {
        resource["resource_name"]: resource["resource_status"]
        for resource in setup.service.list_resources(PROJECT, "stored")
    }
    assert statuses == {"disk": "SNAPSHOT_COMPLETE", "word": "SNAPSHOT_COMPLETE"}


def test_failed_snapshot(setup: Setup) -> None:
    Disk.fail_snapshot = True
    created = setup.service.create_snapshot(PROJECT, "stored")
    setup.run_jobs()
    assert setup.service.show_stack(PROJECT, "stored")["stack_status"] == "SNAPSHOT_FAILED"
    shown = setup.service.show_snapshot(PROJECT, "stored", created["id"])
    assert shown["status"] == "FAILED"
    assert "the disk is busy" in shown["status_reason"]
    with pytest.raises(NotSupported):
        setup.service.restore_snapshot(PROJECT, "stored", created["id"])


def _value(value: str, **options: Any) -> dict[str, Any]:
    return {"type": "OS::Heat::Value", "properties": {"value": value}, **options}


def _resources(setup: Setup) -> dict[str, dict[str, Any]]:
    return {body["resource_name"]: body for body in setup.service.list_resources(PROJECT, "changing")}


def test_restore_updates_the_stack_back_to_the_snapshot(setup: Setup) -> None:
    """Heat's restore is an update: untouched resources stay, added go, removed come back."""
    body = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "disk": {"type": "Test::Disk", "properties": {"size": "2"}},
            "word": {"type": "OS::Heat::RandomString", "depends_on": ["disk"]},
            "note": _value("first"),
            "removed": _value("kept in the snapshot"),
        },
        "outputs": {
            "word": {"value": {"get_attr": ["word", "value"]}},
            "note": {"value": {"get_attr": ["note", "value"]}},
        },
    }
    setup.service.create_stack(PROJECT, "changing", body)
    setup.run_jobs()
    before = _resources(setup)
    outputs = {
        item["output_key"]: item["output_value"]
        for item in setup.service.show_stack(PROJECT, "changing")["outputs"]
    }
    assert outputs["note"] == "first"
    snapshot = setup.service.create_snapshot(PROJECT, "changing", "before")
    setup.run_jobs()

    changed = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "disk": {"type": "Test::Disk", "properties": {"size": "2"}},
            "word": {"type": "OS::Heat::RandomString", "depends_on": ["disk"]},
            "note": _value("second"),
            "added": _value("made after the snapshot"),
        },
        "outputs": {"note": {"value": {"get_attr": ["note", "value"]}}},
    }
    setup.service.update_stack(PROJECT, "changing", changed)
    setup.run_jobs()
    assert setup.service.show_stack(PROJECT, "changing")["stack_status"] == "UPDATE_COMPLETE"
    assert set(_resources(setup)) == {"disk", "word", "note", "added"}
    Disk.calls.clear()
    marker = len(setup.service.list_events(PROJECT, "changing"))

    setup.service.restore_snapshot(PROJECT, "changing", snapshot["id"])
    assert setup.service.show_stack(PROJECT, "changing")["stack_status"] == "RESTORE_IN_PROGRESS"
    setup.run_jobs()
    shown = setup.service.show_stack(PROJECT, "changing")
    assert shown["stack_status"] == "RESTORE_COMPLETE", shown["stack_status_reason"]
    assert shown["stack_status_reason"] == "Stack RESTORE completed successfully"
    after = _resources(setup)
    assert set(after) == {"disk", "word", "note", "removed"}
    # The disk is restored in place from its backup (handle_restore's property), not recreated.
    disk = before["disk"]["physical_resource_id"]
    assert after["disk"]["physical_resource_id"] == disk
    assert Disk.calls == [f"restore disk from backup-of-{disk}"]
    assert after["disk"]["resource_status"] == "UPDATE_COMPLETE"
    assert after["word"]["physical_resource_id"] == before["word"]["physical_resource_id"]
    assert after["word"]["resource_status"] == "SNAPSHOT_COMPLETE"  # untouched since the snapshot
    assert after["removed"]["resource_status"] == "CREATE_COMPLETE"
    restored = {item["output_key"]: item["output_value"] for item in shown["outputs"]}
    assert restored == outputs  # the snapshot's outputs, the random word unchanged
    events = [
        (event["resource_name"], event["resource_status"])
        for event in setup.service.list_events(PROJECT, "changing")[marker:]
    ]
    assert events[0] == ("changing", "RESTORE_IN_PROGRESS")
    assert events[-1] == ("changing", "RESTORE_COMPLETE")
    touched = {name for name, _status in events[1:-1]}
    assert touched == {"disk", "note", "removed", "added"}  # "word" is left alone
    assert ("added", "DELETE_COMPLETE") in events
    assert ("removed", "CREATE_COMPLETE") in events
    assert ("note", "UPDATE_COMPLETE") in events
    # The restored definition is the stack's template now (as Heat stores it).
    raw = setup.repository.get_raw_template(
        setup.service.find_stack(PROJECT, "changing").raw_template_id or 0
    )
    assert raw is not None
    assert raw.template["resources"]["disk"]["properties"] == {"size": "2", "backup": f"backup-of-{disk}"}

    # Restoring the same snapshot again changes nothing.
    Disk.calls.clear()
    setup.service.restore_snapshot(PROJECT, "changing", snapshot["id"])
    setup.run_jobs()
    assert setup.service.show_stack(PROJECT, "changing")["stack_status"] == "RESTORE_COMPLETE"
    assert Disk.calls == []


def test_a_failed_restore_is_not_rolled_back(setup: Setup) -> None:
    snapshot = setup.service.create_snapshot(PROJECT, "stored")
    setup.run_jobs()
    broken = {
        "heat_template_version": "2018-08-31",
        "resources": {"disk": {"type": "Test::Disk", "properties": {"size": "2"}}},
    }
    setup.service.update_stack(PROJECT, "stored", broken)
    setup.run_jobs()
    Disk.fail_restore = True
    setup.service.restore_snapshot(PROJECT, "stored", snapshot["id"])
    setup.run_jobs()
    shown = setup.service.show_stack(PROJECT, "stored")
    assert shown["stack_status"] == "RESTORE_FAILED"
    assert "the backup is gone" in shown["stack_status_reason"]
    statuses = [
        event["resource_status"]
        for event in setup.service.list_events(PROJECT, "stored", resource_name="stored")
    ]
    assert "ROLLBACK_IN_PROGRESS" not in statuses


def test_delete_snapshot(setup: Setup) -> None:
    snapshot = setup.service.create_snapshot(PROJECT, "stored")
    setup.run_jobs()
    disk = _physical_id(setup, "disk")
    Disk.calls.clear()
    setup.service.delete_snapshot(PROJECT, "stored", snapshot["id"])
    setup.run_jobs()
    assert Disk.calls == [f"delete backup-of-{disk}"]
    assert setup.service.list_snapshots(PROJECT, "stored") == []
    with pytest.raises(NotFound, match="The Snapshot"):
        setup.service.show_snapshot(PROJECT, "stored", snapshot["id"])


def test_unknown_snapshot_and_limit(setup: Setup) -> None:
    with pytest.raises(NotFound, match=r"The Snapshot \(nothing\) could not be found."):
        setup.service.delete_snapshot(PROJECT, "stored", "nothing")
    with pytest.raises(NotFound):
        setup.service.restore_snapshot(PROJECT, "stored", "nothing")
    setup.service.max_snapshots_per_stack = 1
    setup.service.create_snapshot(PROJECT, "stored")
    setup.run_jobs()
    with pytest.raises(UserError, match="maximum snapshots per stack, 1"):
        setup.service.create_snapshot(PROJECT, "stored")


def test_a_job_that_raises_fails_the_stack_and_the_snapshot(setup: Setup) -> None:
    snapshot = setup.service.create_snapshot(PROJECT, "stored")
    stack = setup.service.find_stack(PROJECT, "stored")
    job = setup.repository.queue.list_jobs(stack_id=stack.id)[-1]
    assert job.operation == "snapshot"
    job_failed(setup.repository, job, RuntimeError("the engine broke"))
    shown = setup.service.show_stack(PROJECT, "stored")
    assert (shown["stack_status"], shown["stack_status_reason"]) == ("SNAPSHOT_FAILED", "the engine broke")
    failed = setup.service.show_snapshot(PROJECT, "stored", snapshot["id"])
    assert (failed["status"], failed["status_reason"]) == ("FAILED", "the engine broke")
