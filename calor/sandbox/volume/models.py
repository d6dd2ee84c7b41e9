"""The emulated Cinder's backend: volumes and their actions, usage and quotas. No HTTP here.

Records are JSON documents in the sandbox's state store (collections ``volume.*``); a volume
is created ``creating`` and becomes ``available`` after the configured status delay (read
lazily, see :mod:`calor.sandbox.framework.status`). Snapshots and backups live in
:mod:`.snapshots`, the attachments API in :mod:`.attachments`, volume types in :mod:`.volume_types`.

In-process API for the compute service (the framework's ``VolumeProvider``)::

    backend.describe_volume(project_id, volume_id) -> VolumeInfo
    backend.attach_volume(project_id, volume_id, server_id=..., device="/dev/vdb")   # -> in-use
    backend.detach_volume(project_id, volume_id, server_id=...)                      # -> available
    backend.create_volume(project_id, size_gigabytes=1, image_id=None, name="")      # available at once
    backend.delete_volume(project_id, volume_id)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.framework.errors import BadRequest, Conflict
from calor.sandbox.framework.ids import new_uuid, timestamp
from calor.sandbox.framework.interop import VolumeInfo
from calor.sandbox.framework.quotas import Quotas
from calor.sandbox.framework.status import cancel, schedule
from calor.sandbox.framework.store import Document, StateStore
from calor.sandbox.volume.attachments import AttachmentOperations
from calor.sandbox.volume.common import (
    ATTACHMENTS,
    SNAPSHOTS,
    VOLUMES,
    Scope,
    fetch,
    invalid_input,
    invalid_volume,
    positive_size,
    visible,
)
from calor.sandbox.volume.quotas import VolumeQuotas
from calor.sandbox.volume.snapshots import BackupOperations, SnapshotOperations
from calor.sandbox.volume.volume_types import VolumeTypes

__all__ = ["ImageLookup", "Scope", "VolumeBackend"]

ImageLookup = Callable[[str, Scope], Mapping[str, Any] | None]
"""The image service's view of an image id for a scope (None: no such image), when it is served."""

HOST = "sandbox@lvmdriver-1#lvmdriver-1"
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
DELETE_REFUSED = (
    "Volume status must be available or error or error_restoring or error_extending or error_managing "
    "and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be "
    "disassociated from snapshots after volume transfer."
)


class VolumeBackend:
    """Volumes and their actions; snapshots, backups, attachments and types as attributes."""

    def __init__(
        self,
        store: StateStore,
        quotas: Quotas,
        config: SandboxConfig | None = None,
        *,
        image_lookup: ImageLookup | None = None,
    ) -> None:
        self.store = store
        self.image_lookup = image_lookup
        self.lock = store.lock
        self.config = config
        self.volumes = store.collection(VOLUMES)
        self.quotas = VolumeQuotas(quotas)
        self.types = VolumeTypes(self)
        self.snapshots = SnapshotOperations(self)
        self.backups = BackupOperations(self)
        self.attachments = AttachmentOperations(self)

    def delay(self, operation: str) -> float:
        return 0.0 if self.config is None else self.config.status_delay(operation)

    # -- usage ---------------------------------------------------------------------------------

    def usage(self, project_id: str) -> dict[str, int]:
        volumes = self.volumes.list(project_id)
        snapshots = self.store.collection(SNAPSHOTS).list(project_id)
        backups = self.backups.collection.list(project_id)
        return {
            "volumes": len(volumes),
            "gigabytes": sum(int(v["size"]) for v in volumes) + sum(int(s["size"]) for s in snapshots),
            "snapshots": len(snapshots),
            "backups": len(backups),
            "backup_gigabytes": sum(int(b["size"]) for b in backups),
            "per_volume_gigabytes": 0,
            "groups": 0,
        }

    def reserve_volume(self, project_id: str, size: int) -> None:
        usage = self.usage(project_id)
        self.quotas.check_count(project_id, "volumes", usage["volumes"])
        self.quotas.check_gigabytes(project_id, "gigabytes", usage["gigabytes"], size)

    # -- volumes -------------------------------------------------------------------------------

    def get(self, volume_id: str, scope: Scope | None = None) -> Document:
        return fetch(self.volumes, volume_id, scope, "Volume")

    def list(self, scope: Scope | None = None, *, all_projects: bool = False) -> list[Document]:
        if scope is None or (scope.is_admin and all_projects):
            return self.volumes.list()
        return self.volumes.list(scope.project_id)

    def create(
        self,
        project_id: str,
        values: Mapping[str, Any],
        *,
        user_id: str = "",
        scope: Scope | None = None,
        error_state: bool = False,
    ) -> Document:
        """A volume from Cinder's request member (``size``, ``name``, ``volume_type``, ``imageRef``,
        ``snapshot_id``, ``source_volid``, ``backup_id``, ``metadata``, ...), ``creating`` at first."""
        with self.lock:
            source_size, extra = self._source(values, scope or Scope(project_id))
            if values.get("size") is None:
                if source_size is None:
                    raise invalid_input("Volume size 'None' must be an integer and greater than 0")
                size = source_size
            else:
                size = positive_size(values["size"])
            if source_size is not None and size < source_size:
                raise invalid_input(
                    f"Volume size '{size}'GB cannot be smaller than the snapshot size {source_size}GB. "
                    "They must be >= original snapshot size."
                )
            volume_type = self.types.resolve(values.get("volume_type"), scope)
            metadata = values.get("metadata") or {}
            if not isinstance(metadata, dict):
                raise invalid_input("metadata must be a dictionary.")
            self.reserve_volume(project_id, size)
            now = timestamp()
            volume: Document = {
                "id": new_uuid(),
                "name": values.get("name"),
                "description": values.get("description"),
                "size": size,
                "status": "creating",
                "volume_type": volume_type["name"],
                "volume_type_id": volume_type["id"],
                "availability_zone": values.get("availability_zone") or "nova",
                "bootable": "false",
                "encrypted": False,
                "multiattach": bool(values.get("multiattach", False)),
                "metadata": {str(key): str(value) for key, value in metadata.items()},
                "snapshot_id": values.get("snapshot_id"),
                "source_volid": values.get("source_volid"),
                "backup_id": values.get("backup_id"),
                "consistencygroup_id": None,
                "group_id": None,
                "replication_status": "disabled",
                "migration_status": None,
                "user_id": user_id,
                "project_id": project_id,
                "os-vol-tenant-attr:tenant_id": project_id,
                "os-vol-host-attr:host": HOST,
                "os-vol-mig-status-attr:migstat": None,
                "os-vol-mig-status-attr:name_id": None,
                "provider_id": None,
                "service_uuid": "5f2c9c8e-8d1f-4d2a-9b3e-0c1d2e3f4a5b",
                "shared_targets": False,
                "cluster_name": None,
                "consumes_quota": True,
                "created_at": now,
                "updated_at": None,
            }
            volume.update(extra)
            if values.get("imageRef"):
                volume["bootable"] = "true"
                volume["volume_image_metadata"] = self._image_metadata(str(values["imageRef"]), size, scope)
            schedule(
                volume,
                {"status": "error" if error_state else "available"},
                self.delay("volume.volume.create"),
            )
            return self.volumes.put(volume)

    def _image_metadata(self, image_id: str, size: int, scope: Scope | None) -> dict[str, str]:
        """What a volume made from an image records of it; the image must exist and fit."""
        if self.image_lookup is None:
            return {"image_id": image_id}
        image = self.image_lookup(image_id, scope or Scope(""))
        if image is None:
            raise BadRequest("Invalid image identifier or unable to access requested image.")
        min_disk = int(image.get("min_disk") or 0)
        image_gigabytes = -(-int(image.get("size") or 0) // 1024**3)
        if size < max(min_disk, image_gigabytes):
            raise invalid_input(
                f"Volume size {size}GB cannot be smaller than the image minDisk size "
                f"{max(min_disk, image_gigabytes)}GB."
            )
        metadata = {"image_id": image_id}
        for key in ("name", "container_format", "disk_format", "checksum", "min_disk", "min_ram", "size"):
            if image.get(key) is not None:
                metadata["image_name" if key == "name" else key] = str(image[key])
        return metadata

    def _source(self, values: Mapping[str, Any], scope: Scope) -> tuple[int | None, dict[str, Any]]:
        """The size of the snapshot, volume or backup a new volume copies, and what it inherits."""
        if values.get("snapshot_id"):
            snapshot = self.snapshots.get(str(values["snapshot_id"]), scope)
            if snapshot["status"] != "available":
                raise BadRequest(
                    "Invalid snapshot: Originating snapshot status must be one of 'available' values"
                )
            origin = self.volumes.get(snapshot["volume_id"]) or {}
            return int(snapshot["size"]), {"bootable": origin.get("bootable", "false")}
        if values.get("source_volid"):
            origin = self.get(str(values["source_volid"]), scope)
            if origin["status"] not in ("available", "in-use"):
                raise invalid_volume("Source volume status must be available or in-use.")
            return int(origin["size"]), {"bootable": origin["bootable"]}
        if values.get("backup_id"):
            backup = self.backups.get(str(values["backup_id"]), scope)
            if backup["status"] != "available":
                raise BadRequest("Invalid backup: Backup status must be available.")
            return int(backup["size"]), {}
        return None, {}

    def update(self, volume_id: str, scope: Scope | None, values: Mapping[str, Any]) -> Document:
        with self.lock:
            volume = self.get(volume_id, scope)
            for key in ("name", "description"):
                if key in values:
                    volume[key] = values[key]
            if "metadata" in values:
                volume["metadata"] = {str(k): str(v) for k, v in (values["metadata"] or {}).items()}
            volume["updated_at"] = timestamp()
            return self.volumes.put(volume)

    def has_snapshots(self, volume_id: str) -> bool:
        return any(s["volume_id"] == volume_id for s in self.store.collection(SNAPSHOTS).list())

    def delete(
        self, volume_id: str, scope: Scope | None = None, *, cascade: bool = False, force: bool = False
    ) -> None:
        """Refused (400, as Cinder) while attached, in a transient status, or with snapshots."""
        with self.lock:
            volume = self.get(volume_id, scope)
            if not force:
                attached = self.attachments.of_volume(volume_id)
                if volume["status"] not in DELETABLE or attached:
                    raise invalid_volume(DELETE_REFUSED)
                if self.has_snapshots(volume_id) and not cascade:
                    raise invalid_volume(DELETE_REFUSED)
            for snapshot in self.store.collection(SNAPSHOTS).list():
                if snapshot["volume_id"] == volume_id:
                    self.store.collection(SNAPSHOTS).delete(snapshot["id"])
            for attachment in self.store.collection(ATTACHMENTS).list():
                if attachment["volume_id"] == volume_id:
                    self.store.collection(ATTACHMENTS).delete(attachment["id"])
            self.volumes.delete(volume_id)

    # -- actions -------------------------------------------------------------------------------

    def extend(
        self, volume_id: str, scope: Scope | None, new_size: Any, *, microversion: tuple[int, int]
    ) -> None:
        with self.lock:
            volume = self.get(volume_id, scope)
            allowed = ("available", "in-use") if microversion >= (3, 42) else ("available",)
            if volume["status"] not in allowed:
                raise invalid_volume(
                    f"Volume status must be {' or '.join(repr(s) for s in allowed)} to extend, currently "
                    f"{volume['status']}."
                )
            size = positive_size(new_size, "New size")
            if size <= int(volume["size"]):
                raise invalid_input(
                    f"New size for extend must be greater than current size. (current: {volume['size']}, "
                    f"extended: {size})."
                )
            usage = self.usage(volume["project_id"])
            self.quotas.check_gigabytes(
                volume["project_id"], "gigabytes", usage["gigabytes"], size - int(volume["size"])
            )
            previous = volume["status"]
            volume["status"] = "extending"
            volume["updated_at"] = timestamp()
            schedule(volume, {"status": previous, "size": size}, self.delay("volume.volume.extend"))
            self.volumes.put(volume)

    def set_status(self, volume_id: str, scope: Scope | None, status: str, **extra: Any) -> Document:
        with self.lock:
            volume = self.get(volume_id, scope)
            cancel(volume)
            volume["status"] = status
            volume.update(extra)
            volume["updated_at"] = timestamp()
            return self.volumes.put(volume)

    def transition(
        self, volume_id: str, scope: Scope | None, allowed: tuple[str, ...], status: str, action: str
    ) -> Document:
        """Move from one of ``allowed`` statuses to ``status`` (os-reserve, os-begin_detaching, ...)."""
        with self.lock:
            volume = self.get(volume_id, scope)
            if volume["status"] not in allowed:
                raise invalid_volume(
                    f"Volume status must be {' or '.join(allowed)} to {action}, but current status is: "
                    f"{volume['status']}."
                )
            return self.set_status(volume_id, scope, status)

    def set_bootable(self, volume_id: str, scope: Scope | None, bootable: Any) -> None:
        with self.lock:
            volume = self.get(volume_id, scope)
            if isinstance(bootable, str):
                if bootable.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise invalid_input(f"Invalid value for bootable: {bootable}")
                flag = bootable.lower() in ("true", "1", "yes", "on")
            else:
                flag = bool(bootable)
            volume["bootable"] = "true" if flag else "false"
            self.volumes.put(volume)

    def retype(self, volume_id: str, scope: Scope | None, new_type: Any) -> None:
        with self.lock:
            volume = self.get(volume_id, scope)
            if volume["status"] not in ("available", "in-use"):
                raise invalid_volume("Volume status must be available or in-use to retype.")
            volume_type = self.types.resolve(new_type, scope)
            volume["volume_type"], volume["volume_type_id"] = volume_type["name"], volume_type["id"]
            self.volumes.put(volume)

    def set_image_metadata(
        self, volume_id: str, scope: Scope | None, metadata: Mapping[str, Any]
    ) -> Document:
        with self.lock:
            volume = self.get(volume_id, scope)
            image_metadata = dict(volume.get("volume_image_metadata") or {})
            image_metadata.update({str(k): str(v) for k, v in metadata.items()})
            volume["volume_image_metadata"] = image_metadata
            return self.volumes.put(volume)

    def set_readonly(self, volume_id: str, scope: Scope | None, readonly: Any) -> None:
        with self.lock:
            volume = self.get(volume_id, scope)
            volume["metadata"]["readonly"] = "True" if readonly in (True, "true", "True", "1") else "False"
            self.volumes.put(volume)

    def revert(self, volume_id: str, scope: Scope | None, snapshot_id: str) -> None:
        with self.lock:
            volume = self.get(volume_id, scope)
            snapshot = self.snapshots.get(snapshot_id, scope)
            if snapshot["volume_id"] != volume_id:
                raise invalid_input(f"Snapshot {snapshot_id} does not belong to volume {volume_id}.")
            latest = max(
                (s for s in self.store.collection(SNAPSHOTS).list() if s["volume_id"] == volume_id),
                key=lambda s: str(s["created_at"]),
            )
            if latest["id"] != snapshot_id:
                raise invalid_volume(f"Snapshot {snapshot_id} is not the latest one of volume {volume_id}.")
            if volume["status"] != "available":
                raise invalid_volume("Volume status must be available to revert.")
            volume["status"] = "reverting"
            schedule(volume, {"status": "available"}, self.delay("volume.volume.revert"))
            self.volumes.put(volume)

    # -- the compute service's API (framework VolumeProvider) ----------------------------------

    def describe_volume(self, project_id: str, volume_id: str) -> VolumeInfo:
        volume = self.get(volume_id, Scope(project_id))
        return VolumeInfo(volume["id"], int(volume["size"]), str(volume["status"]))

    def attach_volume(self, project_id: str, volume_id: str, *, server_id: str, device: str) -> None:
        """Attach to a server (``in-use``); Conflict when the volume is not ``available``."""
        with self.lock:
            volume = self.get(volume_id, Scope(project_id))
            if volume["status"] not in ("available", "reserved", "attaching") and not (
                volume["status"] == "in-use" and volume["multiattach"]
            ):
                raise Conflict(f"Volume {volume_id} status must be available, but it is {volume['status']}.")
            self.attachments.attach(volume_id, server_id=server_id, device=device, scope=Scope(project_id))

    def detach_volume(self, project_id: str, volume_id: str, *, server_id: str) -> None:
        with self.lock:
            self.get(volume_id, Scope(project_id))
            for attachment in self.attachments.of_volume(volume_id):
                if attachment["instance"] == server_id:
                    self.attachments.remove(attachment["id"], None)

    def create_volume(
        self, project_id: str, *, size_gigabytes: int, image_id: str | None = None, name: str = ""
    ) -> VolumeInfo:
        """A volume for boot from volume, ``available`` at once."""
        values: dict[str, Any] = {"size": size_gigabytes, "name": name}
        if image_id:
            values["imageRef"] = image_id
        volume = self.create(project_id, values)
        volume = self.set_status(volume["id"], None, "available")
        return VolumeInfo(volume["id"], int(volume["size"]), str(volume["status"]))

    def delete_volume(self, project_id: str, volume_id: str) -> None:
        """Delete a volume Nova created, detaching it first."""
        with self.lock:
            volume = self.get(volume_id, Scope(project_id))
            if visible(volume, Scope(project_id)):
                self.delete(volume_id, None, cascade=True, force=True)
