"""A stack of Nova, Cinder and Glance resources through the engine (service → queue → worker → sandbox)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"flavor": {"type": "string", "default": "m1.tiny"}},
    "resources": {
        "key": {"type": "OS::Nova::KeyPair", "properties": {"name": "stack-key"}},
        "group": {"type": "OS::Nova::ServerGroup", "properties": {"policies": ["anti-affinity"]}},
        "server": {
            "type": "OS::Nova::Server",
            "properties": {
                "flavor": {"get_param": "flavor"},
                "image": "cirros-0.6.2-x86_64-disk",
                "key_name": {"get_resource": "key"},
                "scheduler_hints": {"group": {"get_resource": "group"}},
                "user_data_format": "RAW",
                "user_data": "#!/bin/sh\necho hello\n",
                "metadata": {"stack": "nova"},
            },
        },
        "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
        "attachment": {
            "type": "OS::Cinder::VolumeAttachment",
            "properties": {
                "instance_uuid": {"get_resource": "server"},
                "volume_id": {"get_resource": "volume"},
            },
        },
    },
    "outputs": {
        "address": {"value": {"get_attr": ["server", "first_address"]}},
        "volume_status": {"value": {"get_attr": ["volume", "status"]}},
    },
}


@pytest.fixture
def stack_service(
    tmp_path: pathlib.Path, cloud: SandboxCloud
) -> Iterator[tuple[OrchestrationService, Worker, RequestContext]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    worker = Worker(
        repository,
        repository.queue,
        "engine-1",
        plugin_types=registry.get,
        config=EngineConfig(),
        cloud_factory=cloud.factory.bound(cloud.demo_project_id),
    )
    context = RequestContext(project_id=cloud.demo_project_id, user_id="demo")
    yield OrchestrationService(repository, registry.get), worker, context
    engine.dispose()


def test_compute_stack_create_and_delete(stack_service: Any, connection: Any) -> None:
    orchestration, worker, context = stack_service
    orchestration.create_stack(context, "compute", TEMPLATE)
    assert worker.run_once()
    body = orchestration.show_stack(context, "compute")
    assert body["stack_status"] == "CREATE_COMPLETE", body.get("stack_status_reason")
    resources = {item["resource_name"]: item for item in orchestration.list_resources(context, "compute")}
    server = connection.compute.get_server(resources["server"]["physical_resource_id"])
    assert server.key_name == "stack-key"
    assert server.metadata == {"stack": "nova"}
    volume_id = resources["volume"]["physical_resource_id"]
    assert connection.block_storage.get_volume(volume_id).status == "in-use"
    address = orchestration.show_output(context, "compute", "address")["output_value"]
    assert address and address in str(server.addresses)
    # The engine keeps the attributes as they were when the volume itself was created.
    assert orchestration.show_output(context, "compute", "volume_status")["output_value"] in (
        "available",
        "in-use",
    )

    orchestration.delete_stack(context, "compute")
    assert worker.run_once()
    assert connection.compute.find_server(server.id) is None
    assert connection.block_storage.find_volume(volume_id) is None
    assert connection.compute.find_keypair("stack-key") is None


def test_a_server_in_error_fails_the_stack(stack_service: Any, cloud: SandboxCloud, connection: Any) -> None:
    orchestration, worker, context = stack_service
    template = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "server": {
                "type": "OS::Nova::Server",
                "properties": {"flavor": "m1.tiny", "image": "cirros-0.6.2-x86_64-disk"},
            }
        },
    }
    cloud.inject_faults(["compute.server.create=error"])
    try:
        orchestration.create_stack(context, "broken", template)
        assert worker.run_once()
    finally:
        cloud.clear_faults()
    body = orchestration.show_stack(context, "broken")
    assert body["stack_status"] == "CREATE_FAILED"
    assert "Went to status ERROR" in body["stack_status_reason"]
    resources = {item["resource_name"]: item for item in orchestration.list_resources(context, "broken")}
    server_id = resources["server"]["physical_resource_id"]
    assert server_id
    orchestration.delete_stack(context, "broken")
    assert worker.run_once()
    assert connection.compute.find_server(server_id) is None


def test_restoring_a_server_snapshot_rebuilds_it_from_the_image(stack_service: Any, connection: Any) -> None:
    """Heat's restore is an update: the server gets the snapshot's image and is rebuilt in place."""
    orchestration, worker, context = stack_service
    body = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "server": {
                "type": "OS::Nova::Server",
                "properties": {"flavor": "m1.tiny", "image": "cirros-0.6.2-x86_64-disk"},
            }
        },
    }
    orchestration.create_stack(context, "imaged", body)
    while worker.run_once():
        pass
    server_id = orchestration.show_resource(context, "imaged", "server")["physical_resource_id"]
    snapshot = orchestration.create_snapshot(context, "imaged", "nightly")
    while worker.run_once():
        pass
    shown = orchestration.show_snapshot(context, "imaged", snapshot["id"])
    assert shown["status"] == "COMPLETE", shown["status_reason"]
    image_id = shown["data"]["resources"]["server"]["resource_data"]["snapshot_image_id"]

    orchestration.restore_snapshot(context, "imaged", snapshot["id"])
    while worker.run_once():
        pass
    stack = orchestration.show_stack(context, "imaged")
    assert stack["stack_status"] == "RESTORE_COMPLETE", stack["stack_status_reason"]
    restored = orchestration.show_resource(context, "imaged", "server")
    assert (restored["physical_resource_id"], restored["resource_status"]) == (server_id, "UPDATE_COMPLETE")
    server = connection.compute.get_server(server_id)
    assert server.image.id == image_id
    assert server.status == "ACTIVE"
    orchestration.delete_snapshot(context, "imaged", snapshot["id"])
    orchestration.delete_stack(context, "imaged")
    while worker.run_once():
        pass
    assert connection.image.find_image(image_id) is None
