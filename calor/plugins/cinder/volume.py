"""OS::Cinder::Volume: a block storage volume (empty, or from an image, snapshot, volume or backup).

Create stores the volume id at once and polls until ``available``. Name, description,
metadata, type (retype), read-only mode and a larger size (extend) are updated in place;
shrinking fails, as in Heat. A stack snapshot and the ``Snapshot`` deletion policy keep a
Cinder backup of the volume (Heat's behaviour); restoring the stack sets ``backup_id``,
and a changed ``backup_id`` restores that backup onto the volume in place (a volume the
restore brings back is made from it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from calor.clouds.deletion import delete_requested, is_gone, request_delete
from calor.clouds.errors import CloudNotFound, ignore_not_found, translate_errors
from calor.clouds.lookup import find_id
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.cinder.volume_schema import ATTRIBUTES, PROPERTIES
from calor.plugins.recovery import made_since
from calor.schema.properties import AttributeSchema, PropertySchema, SupportStatus

BACKUP_ID = "backup_id"
PASSING_STATUSES = frozenset(
    {
        "creating",
        "downloading",
        "extending",
        "retyping",
        "restoring-backup",
        "attaching",
        "detaching",
        "backing-up",
        "maintenance",
        "reserved",
    }
)


def volume_status(volume: Any, wanted: str, result: str) -> bool:
    """Whether ``volume`` reached ``wanted``; Heat's failures for ``error*`` and unknown statuses."""
    status = str(volume.status or "")
    if status == wanted:
        return True
    if status.startswith("error"):
        raise ResourceFailure(f'Went to status {status} due to "Unknown"')
    if status in PASSING_STATUSES or status == "available":
        return False
    raise ResourceFailure(f'{result} - Unknown status {status} due to "Unknown"')


class Volume(ResourcePlugin):
    """A resource that implements Cinder volumes.

    Cinder volume is a storage in the form of block devices. It can be used, for example, for
    providing storage to instance. Volume supports creation from snapshot, backup or image.
    Also volume can be created only by size.
    """

    type_name: ClassVar[str] = "OS::Cinder::Volume"
    required_service: ClassVar[str | None] = "block-storage"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = PROPERTIES
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = ATTRIBUTES

    def validate(self) -> None:
        sources = ("size", "snapshot_id", "backup_id", "image", "imageRef", "source_volid")
        if not any(self.properties.get(key) for key in sources):
            raise PropertyError(
                "At least one of the following properties must be specified: "
                "size, snapshot_id, backup_id, image, imageRef, source_volid.",
                path=self.properties_path,
            )

    # --- create ---------------------------------------------------------------------------

    def _name(self) -> str:
        return str(self.properties.get("name") or self.context.physical_resource_name())

    def create_request(self, connection: Any) -> dict[str, Any]:
        properties = self.properties
        request: dict[str, Any] = {"name": self._name()}
        simple = {
            "size": "size",
            "description": "description",
            "availability_zone": "availability_zone",
            "snapshot_id": "snapshot_id",
            "source_volid": "source_volume_id",
            "cinder_scheduler_hints": "scheduler_hints",
            "multiattach": "is_multiattach",
        }
        for key, attribute in simple.items():
            if properties.get(key) is not None:
                request[attribute] = properties[key]
        if properties.get("metadata"):
            request["metadata"] = _strings(properties["metadata"])
        if properties.get("volume_type"):
            request["volume_type"] = properties["volume_type"]
        image = properties.get("image") or properties.get("imageRef")
        if image:
            request["image_id"] = find_id(connection.image.find_image, image, "Image")
        return request

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        if self.properties.get("backup_id"):
            with translate_errors(f"restoring backup {self.properties['backup_id']}"):
                restored = connection.block_storage.restore_backup(
                    self.properties["backup_id"], name=self._name()
                )
            volume_id = str(restored.volume_id)
        else:
            request = self.create_request(connection)
            with translate_errors(f"creating volume {request['name']}"):
                volume_id = str(connection.block_storage.create_volume(**request).id)
        self.context.set_resource_id(volume_id)
        return {"volume_id": volume_id, "read_only": self.properties.get("read_only")}

    def handle_create_resume(self, started_at: float) -> Any:
        """Adopt the volume an interrupted create made (by id, else by name and time), else create it."""
        connection = self.context.cloud()
        found: Any = None
        if self.resource_id is not None:
            try:
                with translate_errors(f"reading volume {self.resource_id}"):
                    found = connection.block_storage.get_volume(self.resource_id)
            except CloudNotFound:
                found = None
        else:
            found = self._made_since(connection, started_at)
        if found is None:
            return self.handle_create()
        self.context.set_resource_id(str(found.id))
        return {"volume_id": str(found.id), "read_only": self.properties.get("read_only")}

    def find_created(self, started_at: float) -> str | None:
        """The volume a create that stored no id made (by name and time), to delete it."""
        found = self._made_since(self.context.cloud(), started_at)
        return None if found is None else str(found.id)

    def _made_since(self, connection: Any, started_at: float) -> Any | None:
        name = self._name()
        with translate_errors(f"listing volumes named {name}"):
            volumes = [
                volume
                for volume in connection.block_storage.volumes(details=True, name=name)
                if volume.status not in ("deleting", "error_deleting")
            ]
        return made_since(volumes, name=name, started_at=started_at, what=self.type_name)

    def check_create_complete(self, token: Any) -> bool:
        connection = self.context.cloud()
        volume = self._existing(connection, token["volume_id"])
        if not volume_status(volume, "available", "Volume create failed"):
            return False
        if self.properties.get("backup_id"):
            self._apply_after_restore(connection, token["volume_id"])
        if token.get("read_only"):
            with translate_errors("setting the volume read-only"):
                connection.block_storage.set_volume_readonly(token["volume_id"], True)
        return True

    def _apply_after_restore(self, connection: Any, volume_id: str) -> None:
        """A restored volume gets the description and metadata asked for (the restore cannot)."""
        with translate_errors(f"updating restored volume {volume_id}"):
            if self.properties.get("description"):
                connection.block_storage.update_volume(volume_id, description=self.properties["description"])
            if self.properties.get("metadata"):
                connection.block_storage.set_volume_metadata(
                    volume_id, **_strings(self.properties["metadata"])
                )

    def _existing(self, connection: Any, volume_id: str) -> Any:
        try:
            with translate_errors(f"reading volume {volume_id}"):
                return connection.block_storage.get_volume(volume_id)
        except CloudNotFound as error:
            raise ResourceFailure(f"The Volume ({volume_id}) could not be found.") from error

    # --- update ---------------------------------------------------------------------------

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        volume_id = self.resource_id
        if volume_id is None:
            raise ResourceFailure(f"Volume {self.name} has no physical resource to update")
        connection = self.context.cloud()
        token: dict[str, Any] = {
            "volume_id": volume_id,
            "extend": None,
            "retype": None,
            "read_only": None,
            "restore": new_properties.get(BACKUP_ID) if property_diff.get(BACKUP_ID) else None,
        }
        with translate_errors(f"updating volume {volume_id}"):
            changes = {
                attribute: new_properties.get(key)
                for key, attribute in (("name", "name"), ("description", "description"))
                if key in property_diff
            }
            if "name" in changes and not changes["name"]:
                changes["name"] = self.context.physical_resource_name()
            if changes:
                connection.block_storage.update_volume(volume_id, **changes)
            if "metadata" in property_diff:
                old = _strings(self.properties.get("metadata"))
                new = _strings(new_properties.get("metadata"))
                removed = [key for key in old if key not in new]
                if removed:
                    connection.block_storage.delete_volume_metadata(volume_id, removed)
                if new:
                    connection.block_storage.set_volume_metadata(volume_id, **new)
        if "size" in property_diff and new_properties.get("size") is not None:
            old_size = self.properties.get("size") or self._existing(connection, volume_id).size
            if new_properties["size"] < old_size:
                raise ResourceFailure("Shrinking volume is not supported.")
            if new_properties["size"] > old_size:
                token["extend"] = new_properties["size"]
        if "volume_type" in property_diff and new_properties.get("volume_type"):
            token["retype"] = new_properties["volume_type"]
        if "read_only" in property_diff:
            token["read_only"] = bool(new_properties.get("read_only"))
        token["phase"] = "start"
        return token

    def check_update_complete(self, token: Any) -> bool:
        connection = self.context.cloud()
        volume_id = token["volume_id"]
        if token.get("phase") == "start" and token.get("restore"):
            # Heat restores the backup first, then resizes and retypes.
            with translate_errors(f"restoring backup {token['restore']} to volume {volume_id}"):
                connection.block_storage.restore_backup(token["restore"], volume=volume_id)
            token["phase"] = "restoring"
            return False
        if token.get("phase") == "restoring":
            if not volume_status(
                self._existing(connection, volume_id), "available", "Volume backup restore failed"
            ):
                return False
            token["phase"] = "start"
            token["restore"] = None
        if token.get("phase") == "start":
            with translate_errors(f"updating volume {volume_id}"):
                if token.get("extend"):
                    connection.block_storage.extend_volume(volume_id, token["extend"])
                if token.get("retype"):
                    connection.block_storage.retype_volume(
                        volume_id, token["retype"], migration_policy="on-demand"
                    )
            token["phase"] = "waiting"
            return False
        volume = self._existing(connection, volume_id)
        wanted = "in-use" if volume.attachments else "available"
        if not volume_status(volume, wanted, "Volume update failed"):
            return False
        if token.get("read_only") is not None:
            with translate_errors("changing the volume's read-only mode"):
                connection.block_storage.set_volume_readonly(volume_id, token["read_only"])
            token["read_only"] = None
        return True

    # --- delete ---------------------------------------------------------------------------

    def _delete_call(self, connection: Any) -> Any:
        return partial(connection.block_storage.delete_volume, self.resource_id, ignore_missing=True)

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        return request_delete(
            connection, self._delete_call(connection), f"deleting volume {self.resource_id}"
        )

    def check_delete_complete(self, token: Any) -> bool:
        if token is None:
            return True
        connection = self.context.cloud()
        if token.get("backup") is not None and not token.get("backed_up"):
            if not self._backup_ready(connection, token["backup"]):
                return False
            token["backed_up"] = True
            token.update(request_delete(connection, self._delete_call(connection), "deleting volume"))
            return False
        if not delete_requested(connection, self._delete_call(connection), token, "deleting volume"):
            return False
        volume_id = self.resource_id
        try:
            with translate_errors(f"reading volume {volume_id}"):
                volume = connection.block_storage.get_volume(volume_id)
        except CloudNotFound:
            return True
        if str(volume.status) == "error_deleting":
            raise ResourceFailure('Went to status error_deleting due to "Unknown"')
        return is_gone(lambda: volume, "reading volume")

    def handle_snapshot_delete(self) -> Any:
        """The ``Snapshot`` deletion policy: back the volume up, then delete it (as Heat does)."""
        if self.resource_id is None:
            return None
        backup_id = self._start_backup(self.context.cloud())
        return {"backup": backup_id, "backed_up": False, "conflicts": 0, "requested": False}

    # --- snapshot / restore (Cinder backups) ----------------------------------------------

    def _start_backup(self, connection: Any) -> str:
        with translate_errors(f"backing up volume {self.resource_id}"):
            backup = connection.block_storage.create_backup(volume_id=self.resource_id, force=True)
        self.context.data_set(BACKUP_ID, str(backup.id))
        return str(backup.id)

    def _backup_ready(self, connection: Any, backup_id: str) -> bool:
        with translate_errors(f"reading backup {backup_id}"):
            backup = connection.block_storage.get_backup(backup_id)
        if backup.status == "available":
            return True
        if str(backup.status).startswith("error"):
            raise ResourceFailure(f"Error creating backup of volume {self.resource_id}: {backup.fail_reason}")
        return False

    def handle_snapshot(self) -> Any:
        if self.resource_id is None:
            raise ResourceFailure(f"Cannot snapshot {self.name}, resource_id not set")
        return self._start_backup(self.context.cloud())

    def check_snapshot_complete(self, token: Any) -> bool:
        return self._backup_ready(self.context.cloud(), token)

    def handle_restore(self, snapshot_data: Mapping[str, Any]) -> Mapping[str, Any] | None:
        backup = (snapshot_data.get("resource_data") or snapshot_data).get(BACKUP_ID)
        if not backup:
            return None
        return {
            "backup_id": backup,
            "image": None,
            "imageRef": None,
            "snapshot_id": None,
            "source_volid": None,
        }

    def handle_delete_snapshot(self, snapshot_data: Mapping[str, Any]) -> Any:
        backup = (snapshot_data.get("resource_data") or snapshot_data).get(BACKUP_ID)
        if backup:
            connection = self.context.cloud()
            ignore_not_found(partial(connection.block_storage.delete_backup, backup, ignore_missing=True))
        return None

    # --- check and attributes -------------------------------------------------------------

    def handle_check(self) -> None:
        volume = self._existing(self.context.cloud(), self.resource_id or "")
        if volume.status not in ("available", "in-use"):
            raise ResourceFailure(f"'status': expected '['available', 'in-use']', got '{volume.status}'")

    def _volume(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        return ignore_not_found(partial(connection.block_storage.get_volume, self.resource_id))

    def resolve_attribute(self, name: str) -> Any:
        volume = self._volume()
        if volume is None:
            return None
        values: dict[str, Any] = {
            "availability_zone": volume.availability_zone,
            "size": volume.size,
            "snapshot_id": volume.snapshot_id,
            "display_name": volume.name,
            "display_description": volume.description,
            "volume_type": volume.volume_type,
            "metadata": json.dumps(volume.metadata or {}),
            "source_volid": volume.source_volume_id,
            "status": volume.status,
            "created_at": volume.created_at,
            "bootable": volume.is_bootable,
            "encrypted": volume.is_encrypted,
            "attachments": json.dumps(volume.attachments or []),
        }
        if name == "metadata_values":
            return dict(volume.metadata or {})
        if name == "attachments_list":
            return list(volume.attachments or [])
        if name == "multiattach":
            return bool(volume.is_multiattach)
        value = values.get(name)
        return None if value is None else str(value)

    def show_attribute(self) -> Any:
        volume = self._volume()
        return None if volume is None else volume.to_dict(computed=False)


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in (values or {}).items()
    }
