"""Volume attachments: the legacy ``os-attach`` / ``os-detach`` actions and the 3.27+ attachments API
(reserve without a connector, attach with one, ``os-complete``, delete to detach)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.ids import new_uuid, timestamp
from calor.sandbox.framework.store import Document
from calor.sandbox.volume.common import ATTACHMENTS, Scope, fetch, invalid_volume

if TYPE_CHECKING:
    from calor.sandbox.volume.models import VolumeBackend

DETACHED = "detached"


def connection_info(volume_id: str, mode: str) -> dict[str, Any]:
    """An iSCSI connection description like Cinder's LVM driver returns."""
    return {
        "driver_volume_type": "iscsi",
        "data": {
            "target_iqn": f"iqn.2010-10.org.openstack:volume-{volume_id}",
            "target_portal": "127.0.0.1:3260",
            "target_lun": 0,
            "target_discovered": False,
            "volume_id": volume_id,
            "access_mode": mode,
            "encrypted": False,
        },
    }


class AttachmentOperations:
    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend
        self.collection = backend.store.collection(ATTACHMENTS)

    def of_volume(self, volume_id: str) -> list[Document]:
        return [
            attachment
            for attachment in self.collection.list()
            if attachment["volume_id"] == volume_id and attachment["attach_status"] != DETACHED
        ]

    def get(self, attachment_id: str, scope: Scope | None = None) -> Document:
        return fetch(self.collection, attachment_id, scope, "VolumeAttachment")

    def list(self, scope: Scope | None = None, *, all_projects: bool = False) -> list[Document]:
        if scope is None or (scope.is_admin and all_projects):
            return self.collection.list()
        return self.collection.list(scope.project_id)

    def _new(self, volume: Document, instance: str | None, mode: str, status: str) -> Document:
        attachment: Document = {
            "id": new_uuid(),
            "volume_id": volume["id"],
            "project_id": volume["project_id"],
            "instance": instance,
            "attach_status": status,
            "status": status,
            "attach_mode": mode,
            "connector": None,
            "connection_info": None,
            "attached_at": None,
            "detached_at": None,
            "device": None,
            "host_name": None,
        }
        return attachment

    def _check_attachable(self, volume: Document) -> None:
        if volume["status"] in ("available", "reserved", "attaching"):
            return
        if volume["status"] == "in-use" and volume.get("multiattach"):
            return
        raise invalid_volume(
            f"Volume {volume['id']} status must be available or downloading to reserve, but the current "
            f"status is {volume['status']}."
        )

    def attach(
        self,
        volume_id: str,
        *,
        server_id: str | None,
        device: str | None,
        scope: Scope | None,
        host_name: str | None = None,
        mode: str = "rw",
    ) -> Document:
        """``os-attach`` (and Nova's in-process attach): attached at once, volume ``in-use``."""
        with self.backend.lock:
            volume = self.backend.get(volume_id, scope)
            self._check_attachable(volume)
            attachment = self._new(volume, server_id, mode, "attached")
            attachment.update({"device": device, "host_name": host_name, "attached_at": timestamp()})
            attachment["connection_info"] = connection_info(volume_id, mode)
            self.collection.put(attachment)
            self.backend.set_status(volume_id, None, "in-use", attach_status="attached")
            return attachment

    def detach(self, volume_id: str, scope: Scope | None, attachment_id: str | None = None) -> None:
        """``os-detach``: one attachment (or all), volume ``available`` when none remains."""
        with self.backend.lock:
            volume = self.backend.get(volume_id, scope)
            attached = self.of_volume(volume_id)
            if volume["status"] not in ("in-use", "detaching") or not attached:
                raise invalid_volume(
                    "Unable to detach volume. Volume status must be 'in-use' and attach_status must be "
                    "'attached' to detach."
                )
            for attachment in attached:
                if attachment_id is None or attachment["id"] == attachment_id:
                    self.collection.delete(attachment["id"])
            self._settle_volume(volume_id)

    def _settle_volume(self, volume_id: str) -> None:
        remaining = self.of_volume(volume_id)
        if any(attachment["attach_status"] == "attached" for attachment in remaining):
            self.backend.set_status(volume_id, None, "in-use", attach_status="attached")
        elif remaining:
            self.backend.set_status(volume_id, None, "reserved", attach_status="reserved")
        else:
            self.backend.set_status(volume_id, None, "available", attach_status="detached")

    def create(
        self,
        volume_id: str,
        scope: Scope | None,
        *,
        instance_id: str | None,
        connector: Mapping[str, Any] | None,
        mode: str = "rw",
    ) -> Document:
        """``POST /attachments``: reserved without a connector, attached with one."""
        with self.backend.lock:
            volume = self.backend.get(volume_id, scope)
            self._check_attachable(volume)
            attachment = self._new(volume, instance_id, mode, "reserved")
            self.collection.put(attachment)
            if connector:
                return self.update(attachment["id"], scope, connector)
            if volume["status"] == "available":
                self.backend.set_status(volume_id, None, "reserved", attach_status="reserved")
            return attachment

    def update(self, attachment_id: str, scope: Scope | None, connector: Mapping[str, Any]) -> Document:
        """``PUT /attachments/{id}`` with a connector: the connection is made, the volume ``in-use``."""
        with self.backend.lock:
            attachment = self.get(attachment_id, scope)
            mode = str(attachment["attach_mode"])
            attachment.update(
                {
                    "connector": dict(connector),
                    "connection_info": connection_info(attachment["volume_id"], mode),
                    "attach_status": "attached",
                    "status": "attached",
                    "attached_at": timestamp(),
                    "host_name": connector.get("host"),
                    "device": connector.get("mountpoint"),
                }
            )
            self.collection.put(attachment)
            self.backend.set_status(attachment["volume_id"], None, "in-use", attach_status="attached")
            return attachment

    def complete(self, attachment_id: str, scope: Scope | None) -> None:
        """``os-complete`` (3.44): the attachment is in use."""
        with self.backend.lock:
            attachment = self.get(attachment_id, scope)
            attachment["attach_status"] = attachment["status"] = "attached"
            attachment["attached_at"] = attachment["attached_at"] or timestamp()
            self.collection.put(attachment)
            self.backend.set_status(attachment["volume_id"], None, "in-use", attach_status="attached")

    def remove(self, attachment_id: str, scope: Scope | None) -> None:
        """``DELETE /attachments/{id}``: detach; the volume is ``available`` when none remains."""
        with self.backend.lock:
            attachment = self.get(attachment_id, scope)
            self.collection.delete(attachment_id)
            if self.backend.volumes.get(attachment["volume_id"]) is not None:
                self._settle_volume(attachment["volume_id"])
