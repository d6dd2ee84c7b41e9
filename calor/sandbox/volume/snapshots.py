"""Volume snapshots and backups (with restore), ``creating`` first and ``available`` after the delay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.errors import BadRequest
from calor.sandbox.framework.ids import new_uuid, timestamp
from calor.sandbox.framework.status import schedule
from calor.sandbox.framework.store import Document
from calor.sandbox.volume.common import BACKUPS, SNAPSHOTS, Scope, fetch, invalid_volume

if TYPE_CHECKING:
    from calor.sandbox.volume.models import VolumeBackend


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes", "on")
    return bool(value)


def _listed(collection_documents: list[Document], scope: Scope | None, all_projects: bool) -> list[Document]:
    if scope is None or (scope.is_admin and all_projects):
        return collection_documents
    return [document for document in collection_documents if document.get("project_id") == scope.project_id]


class SnapshotOperations:
    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend
        self.collection = backend.store.collection(SNAPSHOTS)

    def get(self, snapshot_id: str, scope: Scope | None = None) -> Document:
        return fetch(self.collection, snapshot_id, scope, "Snapshot")

    def list(self, scope: Scope | None = None, *, all_projects: bool = False) -> list[Document]:
        return _listed(self.collection.list(), scope, all_projects)

    def create(self, scope: Scope, values: Mapping[str, Any], *, error_state: bool = False) -> Document:
        """A snapshot of an ``available`` volume (``in-use`` only with ``force``)."""
        with self.backend.lock:
            volume_id = values.get("volume_id")
            if not volume_id:
                raise BadRequest("Invalid input received: 'volume_id' is a required property")
            volume = self.backend.get(str(volume_id), scope)
            force = _flag(values.get("force", False))
            if volume["status"] != "available" and not (force and volume["status"] == "in-use"):
                raise invalid_volume(
                    f"Volume {volume_id} status must be available, but current status is: {volume['status']}."
                )
            project_id = volume["project_id"]
            usage = self.backend.usage(project_id)
            self.backend.quotas.check_count(project_id, "snapshots", usage["snapshots"])
            self.backend.quotas.check_gigabytes(
                project_id, "gigabytes", usage["gigabytes"], int(volume["size"])
            )
            snapshot: Document = {
                "id": new_uuid(),
                "name": values.get("name"),
                "description": values.get("description"),
                "volume_id": volume["id"],
                "size": int(volume["size"]),
                "status": "creating",
                "metadata": {str(k): str(v) for k, v in (values.get("metadata") or {}).items()},
                "project_id": project_id,
                "user_id": scope.user_id,
                "os-extended-snapshot-attributes:project_id": project_id,
                "os-extended-snapshot-attributes:progress": "0%",
                "group_snapshot_id": None,
                "consumes_quota": True,
                "created_at": timestamp(),
                "updated_at": None,
            }
            final = {
                "status": "error" if error_state else "available",
                "os-extended-snapshot-attributes:progress": "100%",
            }
            schedule(snapshot, final, self.backend.delay("volume.snapshot.create"))
            return self.collection.put(snapshot)

    def update(self, snapshot_id: str, scope: Scope | None, values: Mapping[str, Any]) -> Document:
        with self.backend.lock:
            snapshot = self.get(snapshot_id, scope)
            for key in ("name", "description"):
                if key in values:
                    snapshot[key] = values[key]
            if "metadata" in values:
                snapshot["metadata"] = {str(k): str(v) for k, v in (values["metadata"] or {}).items()}
            snapshot["updated_at"] = timestamp()
            return self.collection.put(snapshot)

    def delete(self, snapshot_id: str, scope: Scope | None, *, force: bool = False) -> None:
        with self.backend.lock:
            snapshot = self.get(snapshot_id, scope)
            if not force and snapshot["status"] not in ("available", "error", "error_deleting"):
                raise BadRequest(
                    f"Invalid snapshot: Volume Snapshot status must be available or error, "
                    f"currently {snapshot['status']}."
                )
            self.collection.delete(snapshot_id)


class BackupOperations:
    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend
        self.collection = backend.store.collection(BACKUPS)

    def get(self, backup_id: str, scope: Scope | None = None) -> Document:
        return fetch(self.collection, backup_id, scope, "Backup")

    def list(self, scope: Scope | None = None, *, all_projects: bool = False) -> list[Document]:
        return _listed(self.collection.list(), scope, all_projects)

    def create(self, scope: Scope, values: Mapping[str, Any], *, error_state: bool = False) -> Document:
        """A backup of a volume (``in-use`` only with ``force``); the volume is ``backing-up`` meanwhile."""
        with self.backend.lock:
            volume_id = values.get("volume_id")
            if not volume_id:
                raise BadRequest("Invalid input received: 'volume_id' is a required property")
            volume = self.backend.get(str(volume_id), scope)
            force = _flag(values.get("force", False))
            if volume["status"] != "available" and not (force and volume["status"] == "in-use"):
                raise invalid_volume(
                    f"Volume to be backed up must be available or in-use, but the current "
                    f'status is "{volume["status"]}".'
                )
            incremental = _flag(values.get("incremental", False))
            previous = [b for b in self.collection.list() if b["volume_id"] == volume["id"]]
            if incremental and not any(b["status"] == "available" for b in previous):
                raise BadRequest("Invalid backup: No backups available to do an incremental backup.")
            project_id = volume["project_id"]
            usage = self.backend.usage(project_id)
            self.backend.quotas.check_count(project_id, "backups", usage["backups"])
            self.backend.quotas.check_gigabytes(
                project_id, "backup_gigabytes", usage["backup_gigabytes"], int(volume["size"])
            )
            now = timestamp()
            backup: Document = {
                "id": new_uuid(),
                "name": values.get("name"),
                "description": values.get("description"),
                "volume_id": volume["id"],
                "snapshot_id": values.get("snapshot_id"),
                "size": int(volume["size"]),
                "status": "creating",
                "object_count": 0,
                "container": values.get("container") or "volumebackups",
                "availability_zone": values.get("availability_zone") or "nova",
                "fail_reason": None,
                "is_incremental": incremental,
                "has_dependent_backups": False,
                "data_timestamp": now,
                "created_at": now,
                "updated_at": None,
                "metadata": {str(k): str(v) for k, v in (values.get("metadata") or {}).items()},
                "encryption_key_id": None,
                "project_id": project_id,
                "user_id": scope.user_id,
                "os-backup-project-attr:project_id": project_id,
                "_parent_id": previous[-1]["id"] if incremental else None,
            }
            delay = self.backend.delay("volume.backup.create")
            schedule(backup, {"status": "error" if error_state else "available"}, delay)
            if incremental:
                parent = previous[-1]
                parent["has_dependent_backups"] = True
                self.collection.put(parent)
            volume_status = volume["status"]
            volume["status"] = "backing-up"
            schedule(volume, {"status": volume_status}, delay)
            self.backend.volumes.put(volume)
            return self.collection.put(backup)

    def delete(self, backup_id: str, scope: Scope | None, *, force: bool = False) -> None:
        with self.backend.lock:
            backup = self.get(backup_id, scope)
            if not force and backup["status"] not in ("available", "error"):
                raise BadRequest("Invalid backup: Backup status must be available or error")
            if any(other.get("_parent_id") == backup_id for other in self.collection.list()):
                raise BadRequest("Invalid backup: Incremental backups exist for this backup.")
            self.collection.delete(backup_id)
            parent_id = backup.get("_parent_id")
            parent = self.collection.get(str(parent_id)) if parent_id else None
            if parent is not None and not any(
                o.get("_parent_id") == parent["id"] for o in self.collection.list()
            ):
                parent["has_dependent_backups"] = False
                self.collection.put(parent)

    def restore(self, backup_id: str, scope: Scope, values: Mapping[str, Any]) -> dict[str, Any]:
        """Into a given ``available`` volume at least as large, or into a new volume of the backup's size."""
        with self.backend.lock:
            backup = self.get(backup_id, scope)
            if backup["status"] != "available":
                raise BadRequest(
                    f"Invalid backup: Backup status must be available but is {backup['status']}."
                )
            delay = self.backend.delay("volume.backup.restore")
            if values.get("volume_id"):
                volume = self.backend.get(str(values["volume_id"]), scope)
                if volume["status"] != "available":
                    raise invalid_volume(
                        f"Volume to be restored to must be available, but the current status "
                        f"is {volume['status']}."
                    )
                if int(volume["size"]) < int(backup["size"]):
                    raise invalid_volume(
                        f"volume size {volume['size']} is too small to restore backup of size "
                        f"{backup['size']}."
                    )
            else:
                volume = self.backend.create(
                    scope.project_id,
                    {"size": backup["size"], "name": values.get("name") or f"restore_backup_{backup_id}"},
                    user_id=scope.user_id,
                    scope=scope,
                )
            volume["status"] = "restoring-backup"
            schedule(volume, {"status": "available"}, delay)
            self.backend.volumes.put(volume)
            backup["status"] = "restoring"
            schedule(backup, {"status": "available"}, delay)
            self.collection.put(backup)
            return {"backup_id": backup_id, "volume_id": volume["id"], "volume_name": volume["name"]}
