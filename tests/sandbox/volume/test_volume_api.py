"""Cinder v3 through openstacksdk's block storage proxy, exactly as against a real cloud."""

from __future__ import annotations

from typing import Any

import openstack
import pytest
import requests
from openstack import exceptions


def available(connection: openstack.connection.Connection, volume: object) -> object:
    return connection.block_storage.wait_for_status(
        volume, "available", failures=["error"], interval=0.05, wait=5
    )


def test_version_discovery_advertises_microversions(sandbox: Any) -> None:
    response = requests.get(sandbox.url + "/volume/", timeout=5)
    assert response.status_code == 300
    version = response.json()["versions"][0]
    assert (version["id"], version["min_version"], version["version"]) == ("v3.0", "3.0", "3.71")


def test_unsupported_microversion_is_406(sandbox: Any, demo: openstack.connection.Connection) -> None:
    response = requests.get(
        sandbox.url + "/volume/v3/volumes",
        headers={"X-Auth-Token": demo.auth_token, "OpenStack-API-Version": "volume 3.99"},
        timeout=5,
    )
    assert response.status_code == 406


def test_create_extend_and_delete(demo: openstack.connection.Connection) -> None:
    volume = available(demo, demo.block_storage.create_volume(size=1, name="data", metadata={"tier": "gold"}))
    assert (volume.size, volume.volume_type, volume.metadata) == (1, "__DEFAULT__", {"tier": "gold"})
    assert not volume.is_bootable
    demo.block_storage.extend_volume(volume, 3)
    assert demo.block_storage.get_volume(volume).size == 3
    with pytest.raises(exceptions.BadRequestException, match="greater than current size"):
        demo.block_storage.extend_volume(volume, 2)
    assert demo.block_storage.find_volume("data").id == volume.id
    demo.block_storage.delete_volume(volume)
    demo.block_storage.wait_for_delete(volume, interval=0.05, wait=5)


def test_status_moves_from_creating_to_available(cloud_factory: Any) -> None:
    cloud = cloud_factory(status_delays={"volume.volume.create": 0.3})
    demo = cloud.connect("demo")
    volume = demo.block_storage.create_volume(size=1)
    assert volume.status == "creating"
    assert available(demo, volume).status == "available"


def test_volume_types(admin: openstack.connection.Connection, demo: openstack.connection.Connection) -> None:
    names = {volume_type.name for volume_type in demo.block_storage.types()}
    assert {"__DEFAULT__", "lvmdriver-1"} <= names
    fast = admin.block_storage.create_type(name="fast", extra_specs={"speed": "high"})
    volume = available(demo, demo.block_storage.create_volume(size=1, volume_type="fast"))
    assert volume.volume_type == "fast"
    with pytest.raises(exceptions.BadRequestException, match="still in use"):
        admin.block_storage.delete_type(fast)
    with pytest.raises(exceptions.NotFoundException):
        demo.block_storage.create_volume(size=1, volume_type="no-such-type")
    demo.block_storage.delete_volume(volume)
    admin.block_storage.delete_type(fast)


def test_bootable_volume_from_image(demo: openstack.connection.Connection) -> None:
    volume = available(
        demo, demo.block_storage.create_volume(size=1, image_id="c0ffee00-0000-4000-8000-000000000001")
    )
    assert volume.is_bootable
    assert volume.volume_image_metadata["image_id"] == "c0ffee00-0000-4000-8000-000000000001"
    demo.block_storage.delete_volume(volume)


def test_volume_from_a_glance_image(cloud_factory: Any) -> None:
    cloud = cloud_factory(extra_services=("calor.sandbox.image",))
    demo = cloud.connect("demo")
    image = next(iter(demo.image.images()))
    volume = available(demo, demo.block_storage.create_volume(size=1, image_id=image.id))
    assert volume.is_bootable
    assert volume.volume_image_metadata["image_name"] == image.name
    with pytest.raises(exceptions.BadRequestException, match="Invalid image"):
        demo.block_storage.create_volume(size=1, image_id="00000000-0000-4000-8000-000000000000")


def test_attached_volume_cannot_be_deleted(demo: openstack.connection.Connection) -> None:
    volume = available(demo, demo.block_storage.create_volume(size=1, name="attached"))
    demo.block_storage.attach_volume(volume, "/dev/vdb", instance="server-1")
    volume = demo.block_storage.get_volume(volume)
    assert volume.status == "in-use"
    assert volume.attachments[0]["server_id"] == "server-1"
    assert volume.attachments[0]["device"] == "/dev/vdb"
    with pytest.raises(exceptions.BadRequestException, match="must not be migrating, attached"):
        demo.block_storage.delete_volume(volume)
    demo.block_storage.detach_volume(volume, volume.attachments[0]["attachment_id"])
    assert demo.block_storage.get_volume(volume).status == "available"
    demo.block_storage.delete_volume(volume)


def test_attachments_api(demo: openstack.connection.Connection) -> None:
    volume = available(demo, demo.block_storage.create_volume(size=1))
    reserved = demo.block_storage.create_attachment(volume, instance="server-2")
    assert reserved.status == "reserved"
    assert demo.block_storage.get_volume(volume).status == "reserved"
    attached = demo.block_storage.update_attachment(
        reserved, connector={"host": "compute-1", "mountpoint": "/dev/vdc"}
    )
    assert attached.connection_info["driver_volume_type"] == "iscsi"
    demo.block_storage.complete_attachment(attached)
    assert demo.block_storage.get_volume(volume).status == "in-use"
    assert [a.id for a in demo.block_storage.attachments()] == [attached.id]
    demo.block_storage.delete_attachment(attached, volume)
    assert demo.block_storage.get_volume(volume).status == "available"
    demo.block_storage.delete_volume(volume)


def test_snapshot_backup_and_restore(demo: openstack.connection.Connection) -> None:
    volume = available(demo, demo.block_storage.create_volume(size=2, name="source"))
    snapshot = demo.block_storage.create_snapshot(volume_id=volume.id, name="snap")
    snapshot = demo.block_storage.wait_for_status(snapshot, "available", interval=0.05, wait=5)
    assert snapshot.size == 2
    with pytest.raises(exceptions.BadRequestException, match="have snapshots"):
        demo.block_storage.delete_volume(volume)
    from_snapshot = available(demo, demo.block_storage.create_volume(snapshot_id=snapshot.id))
    assert from_snapshot.size == 2
    with pytest.raises(exceptions.BadRequestException, match="cannot be smaller"):
        demo.block_storage.create_volume(snapshot_id=snapshot.id, size=1)

    backup = demo.block_storage.create_backup(volume_id=volume.id, name="nightly")
    backup = demo.block_storage.wait_for_status(backup, "available", interval=0.05, wait=5)
    assert backup.size == 2
    restored = demo.block_storage.restore_backup(backup, name="restored")
    restored_volume = available(demo, demo.block_storage.get_volume(restored.volume_id))
    assert (restored_volume.name, restored_volume.size) == ("restored", 2)

    demo.block_storage.delete_backup(backup)
    demo.block_storage.delete_snapshot(snapshot)
    for leftover in (from_snapshot, restored_volume, volume):
        demo.block_storage.delete_volume(leftover)


def test_snapshot_of_in_use_volume_needs_force(demo: openstack.connection.Connection) -> None:
    volume = available(demo, demo.block_storage.create_volume(size=1))
    demo.block_storage.attach_volume(volume, "/dev/vdd", instance="server-3")
    with pytest.raises(exceptions.BadRequestException, match="must be available"):
        demo.block_storage.create_snapshot(volume_id=volume.id)
    snapshot = demo.block_storage.create_snapshot(volume_id=volume.id, force=True)
    demo.block_storage.wait_for_status(snapshot, "available", interval=0.05, wait=5)
    demo.block_storage.delete_snapshot(snapshot)
    attachment_id = demo.block_storage.get_volume(volume).attachments[0]["attachment_id"]
    demo.block_storage.detach_volume(volume, attachment_id)
    demo.block_storage.delete_volume(volume)


def test_quota_exceeded_is_413(
    sandbox: Any, admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    project_id = sandbox.project_id("demo")
    used = len(list(demo.block_storage.volumes()))
    admin.block_storage.update_quota_set(project_id, volumes=used + 1)
    try:
        volume = demo.block_storage.create_volume(size=1)
        with pytest.raises(exceptions.HttpException) as raised:
            demo.block_storage.create_volume(size=1)
        assert raised.value.status_code == 413
        usage = demo.block_storage.get_quota_set(project_id, usage=True)
        assert usage.usage["volumes"] == used + 1
        available(demo, volume)
        demo.block_storage.delete_volume(volume)
    finally:
        admin.block_storage.revert_quota_set(project_id)
    assert admin.block_storage.get_quota_set(project_id).volumes == 10


def test_other_projects_volumes_are_hidden(
    admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    volume = admin.block_storage.create_volume(size=1, name="admin-volume")
    with pytest.raises(exceptions.NotFoundException):
        demo.block_storage.get_volume(volume.id)
    available(admin, volume)
    admin.block_storage.delete_volume(volume)


def test_injected_error_state(sandbox: Any, demo: openstack.connection.Connection) -> None:
    response = requests.post(
        sandbox.url + "/volume/v3/volumes",
        json={"volume": {"size": 1, "name": "doomed"}},
        headers={"X-Auth-Token": demo.auth_token, "X-Calor-Sandbox-Fault": "volume.volume.create=error"},
        timeout=5,
    )
    assert response.status_code == 202
    volume = demo.block_storage.get_volume(response.json()["volume"]["id"])
    assert volume.status == "error"
    demo.block_storage.delete_volume(volume)


def test_private_volume_type_access(
    sandbox: Any, admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    private = admin.block_storage.create_type(name="private-gold", is_public=False)
    assert "private-gold" not in {volume_type.name for volume_type in demo.block_storage.types()}
    admin.block_storage.add_type_access(private, sandbox.project_id("demo"))
    assert "private-gold" in {volume_type.name for volume_type in demo.block_storage.types()}
    assert [entry["project_id"] for entry in admin.block_storage.get_type_access(private)] == [
        sandbox.project_id("demo")
    ]
    admin.block_storage.remove_type_access(private, sandbox.project_id("demo"))
    with pytest.raises(exceptions.NotFoundException):
        demo.block_storage.create_volume(size=1, volume_type="private-gold")
    admin.block_storage.delete_type(private)
