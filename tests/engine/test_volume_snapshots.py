"""A stack snapshot of an OS::Cinder::Volume in the sandbox cloud: a Cinder backup, restored and deleted."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud, sandbox_cloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins import constraints
from calor.plugins.registry import default_registry

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"disk": {"type": "OS::Cinder::Volume", "properties": {"size": 1}}},
}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    constraints.register()
    with sandbox_cloud(tmp_path_factory.mktemp("sandbox"), services=("calor.sandbox.volume",)) as running:
        yield running


def _run(worker: Worker) -> None:
    while worker.run_once():
        pass


@pytest.fixture
def deployment(cloud: SandboxCloud, tmp_path: pathlib.Path) -> Iterator[tuple[OrchestrationService, Worker]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    worker = Worker(
        repository,
        repository.queue,
        "engine-1",
        plugin_types=registry.get,
        config=EngineConfig(poll_initial=0.01, poll_max=0.05),
        cloud_factory=cloud.factory.bound(cloud.demo_project_id),
    )
    yield OrchestrationService(repository, registry.get), worker
    engine.dispose()


def test_volume_snapshot_restore_and_delete(
    cloud: SandboxCloud, deployment: tuple[OrchestrationService, Worker]
) -> None:
    service, worker = deployment
    caller = RequestContext(project_id=cloud.demo_project_id)
    connection: Any = cloud.connection()
    service.create_stack(caller, "disks", TEMPLATE)
    _run(worker)
    assert service.show_stack(caller, "disks")["stack_status"] == "CREATE_COMPLETE"
    volume_id = service.show_resource(caller, "disks", "disk")["physical_resource_id"]

    snapshot = service.create_snapshot(caller, "disks", "nightly")
    _run(worker)
    shown = service.show_snapshot(caller, "disks", snapshot["id"])
    assert shown["status"] == "COMPLETE", shown["status_reason"]
    backup_id = shown["data"]["resources"]["disk"]["resource_data"]["backup_id"]
    backup = connection.block_storage.get_backup(backup_id)
    assert backup.volume_id == volume_id

    service.restore_snapshot(caller, "disks", snapshot["id"])
    _run(worker)
    shown_stack = service.show_stack(caller, "disks")
    assert shown_stack["stack_status"] == "RESTORE_COMPLETE", shown_stack["stack_status_reason"]
    # Heat's restore is an update: the backup is restored onto the same volume.
    restored = service.show_resource(caller, "disks", "disk")
    assert (restored["physical_resource_id"], restored["resource_status"]) == (volume_id, "UPDATE_COMPLETE")
    assert connection.block_storage.get_volume(volume_id).status == "available"
    assert connection.block_storage.get_backup(backup_id).status == "available"
    assert [volume.id for volume in connection.block_storage.volumes()] == [volume_id]
    stack = service.find_stack(caller, "disks")
    record = service.repository.find_resource(stack.id, "disk")
    assert record is not None and record.properties_data["backup_id"] == backup_id  # restored from the backup

    service.delete_snapshot(caller, "disks", snapshot["id"])
    _run(worker)
    assert service.list_snapshots(caller, "disks") == []
    assert connection.block_storage.find_backup(backup_id, ignore_missing=True) is None
