"""OS::Cinder::Volume and OS::Cinder::VolumeAttachment against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud, run_action
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import diff_properties
from calor.plugins.cinder import Volume, VolumeAttachment
from calor.plugins.nova import Server

IMAGE = "cirros-0.6.2-x86_64-disk"


def update(plugin: Any, **changes: Any) -> None:
    new = type(plugin).validate_properties({**plugin.properties, **changes}, "resources.x.properties")
    difference = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, difference)
    run_action(plugin, "update", new, difference)
    plugin.properties = new


def test_create_update_delete(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(
        Volume, {"size": 1, "metadata": {"tier": "gold"}, "description": "data"}, name="disk"
    )
    run_action(plugin, "create")
    volume = connection.block_storage.get_volume(plugin.resource_id)
    assert volume.status == "available"
    assert volume.size == 1
    assert volume.name.startswith("stack-disk-")
    assert volume.metadata == {"tier": "gold"}
    assert plugin.get_attribute("status") == "available"
    assert plugin.get_attribute("size") == "1"
    assert plugin.get_attribute("metadata_values") == {"tier": "gold"}
    update(plugin, size=3, name="renamed", metadata={"tier": "silver"})
    volume = connection.block_storage.get_volume(plugin.resource_id)
    assert (volume.size, volume.name, volume.metadata) == (3, "renamed", {"tier": "silver"})
    with pytest.raises(ResourceFailure, match="Shrinking volume is not supported"):
        plugin.handle_update({**plugin.properties, "size": 2}, {"size": 2})
    run_action(plugin, "delete")
    assert connection.block_storage.find_volume(plugin.resource_id) is None
    run_action(plugin, "delete")


def test_volume_from_image(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(Volume, {"size": 1, "image": IMAGE}, name="boot")
    run_action(plugin, "create")
    try:
        volume = connection.block_storage.get_volume(plugin.resource_id)
        assert volume.image_id or volume.volume_image_metadata
    finally:
        run_action(plugin, "delete")


def test_needs_a_source(make_plugin: Callable[..., Any]) -> None:
    with pytest.raises(PropertyError, match="At least one of the following properties"):
        make_plugin(Volume, {"name": "nothing"})


def test_error_status_fails_create(cloud: SandboxCloud, make_plugin: Callable[..., Any]) -> None:
    plugin = make_plugin(Volume, {"size": 1}, name="broken")
    cloud.inject_faults(["volume.volume.create=error"])
    try:
        token = plugin.handle_create()
    finally:
        cloud.clear_faults()
    assert plugin.resource_id is not None
    with pytest.raises(ResourceFailure, match="Went to status error"):
        for _ in range(50):
            plugin.check_create_complete(token)
    run_action(plugin, "delete")


def test_snapshot_and_restore_through_a_backup(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(Volume, {"size": 1}, name="kept")
    run_action(plugin, "create")
    run_action(plugin, "snapshot")
    data = plugin.snapshot_data()
    backup_id = data["backup_id"]
    assert connection.block_storage.get_backup(backup_id).status == "available"
    overrides = plugin.handle_restore({"resource_data": data})
    assert overrides is not None and overrides["backup_id"] == backup_id
    restored = make_plugin(Volume, {"backup_id": backup_id, "metadata": {"from": "backup"}}, name="restored")
    run_action(restored, "create")
    assert connection.block_storage.get_volume(restored.resource_id).metadata == {"from": "backup"}
    run_action(restored, "delete")
    run_action(plugin, "delete")
    plugin.handle_delete_snapshot({"resource_data": data})
    assert connection.block_storage.find_backup(backup_id) is None


def test_a_new_backup_id_restores_the_backup_onto_the_volume(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    """A stack restore sets ``backup_id``: the backup is restored in place, then the volume grows."""
    plugin = make_plugin(Volume, {"size": 1}, name="in-place")
    run_action(plugin, "create")
    larger = make_plugin(Volume, {"size": 2}, name="larger")
    run_action(larger, "create")
    try:
        run_action(plugin, "snapshot")
        backup_id = plugin.snapshot_data()["backup_id"]
        update(plugin, backup_id=backup_id, size=2)
        volume = connection.block_storage.get_volume(plugin.resource_id)
        assert (volume.status, volume.size) == ("available", 2)
        run_action(larger, "snapshot")
        too_big = larger.snapshot_data()["backup_id"]
        smaller = make_plugin(Volume, {"size": 1}, name="smaller")
        run_action(smaller, "create")
        try:
            with pytest.raises(ResourceFailure, match="too small to restore backup"):
                update(smaller, backup_id=too_big)
        finally:
            run_action(smaller, "delete")
        for backup in (backup_id, too_big):
            connection.block_storage.delete_backup(backup)
    finally:
        run_action(plugin, "delete")
        run_action(larger, "delete")


def test_snapshot_deletion_policy_keeps_a_backup(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(Volume, {"size": 1}, name="policy")
    run_action(plugin, "create")
    token = plugin.handle_snapshot_delete()
    for _ in range(50):
        if plugin.check_delete_complete(token):
            break
    assert connection.block_storage.find_volume(plugin.resource_id) is None
    backup = connection.block_storage.get_backup(token["backup"])
    assert backup.status == "available"
    connection.block_storage.delete_backup(backup)


def test_attachment(make_plugin: Callable[..., Any], connection: Any) -> None:
    server = make_plugin(Server, {"flavor": "m1.tiny", "image": IMAGE}, name="vm")
    volume = make_plugin(Volume, {"size": 1}, name="data")
    other = make_plugin(Volume, {"size": 1}, name="other")
    for plugin in (server, volume, other):
        run_action(plugin, "create")
    try:
        attachment = make_plugin(
            VolumeAttachment,
            {"instance_uuid": server.resource_id, "volume_id": volume.resource_id, "mountpoint": "/dev/vdb"},
            name="attach",
        )
        run_action(attachment, "create")
        assert attachment.resource_id is not None
        assert connection.block_storage.get_volume(volume.resource_id).status == "in-use"
        update(attachment, volume_id=other.resource_id)
        assert connection.block_storage.get_volume(volume.resource_id).status == "available"
        assert connection.block_storage.get_volume(other.resource_id).status == "in-use"
        run_action(attachment, "delete")
        assert connection.block_storage.get_volume(other.resource_id).status == "available"
        run_action(attachment, "delete")
    finally:
        for plugin in (server, volume, other):
            run_action(plugin, "delete")
