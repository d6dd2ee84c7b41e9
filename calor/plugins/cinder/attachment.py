"""OS::Cinder::VolumeAttachment: a volume attached to a server through Nova.

The physical id is Nova's attachment id. Changing the server, volume or mount point
detaches and attaches again in place (as Heat does); delete detaches and waits until the
volume is ``available`` (a server or volume already gone counts as detached).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import CloudNotFound, ConflictRetry, translate_errors
from calor.clouds.factory import client_retry_limit
from calor.errors import ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.cinder.volume import volume_status
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import STRING, PropertySchema, SupportStatus


class VolumeAttachment(ResourcePlugin):
    """Resource for associating volume to instance.

    Resource for associating existing volume to instance. Also, the location where the volume
    is exposed on the instance can be specified.
    """

    type_name: ClassVar[str] = "OS::Cinder::VolumeAttachment"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "instance_uuid": PropertySchema(
            STRING,
            "The ID of the server to which the volume attaches.",
            required=True,
            update_allowed=True,
        ),
        "volume_id": PropertySchema(
            STRING,
            "The ID of the volume to be attached.",
            required=True,
            update_allowed=True,
            constraints=(CustomConstraint(name="cinder.volume"),),
        ),
        "mountpoint": PropertySchema(
            STRING,
            "The location where the volume is exposed on the instance. This assignment may not be "
            "honored and it is advised that the path /dev/disk/by-id/virtio-<VolumeId> be used instead.",
            update_allowed=True,
        ),
    }

    # --- attach / detach steps, shared by create, update and delete -----------------------

    def _attach(self, connection: Any, server_id: str, volume_id: str, mountpoint: str | None) -> str:
        options: dict[str, Any] = {"volume_id": volume_id}
        if mountpoint:
            options["device"] = mountpoint
        with translate_errors(f"attaching volume {volume_id} to server {server_id}"):
            attachment = connection.compute.create_volume_attachment(server_id, **options)
        return str(attachment.id or volume_id)

    def _attached(self, connection: Any, volume_id: str) -> bool:
        try:
            with translate_errors(f"reading volume {volume_id}"):
                volume = connection.block_storage.get_volume(volume_id)
        except CloudNotFound as error:
            raise ResourceFailure(f"The Volume ({volume_id}) could not be found.") from error
        if volume.status == "available":
            return False
        return volume_status(volume, "in-use", f"Attaching volume {volume_id} failed")

    def _request_detach(self, connection: Any, step: dict[str, Any]) -> None:
        retry = ConflictRetry(step.get("conflicts", 0), client_retry_limit(connection))
        try:
            step["requested"] = retry.attempt(
                lambda: connection.compute.delete_volume_attachment(
                    step["server"], step["volume"], ignore_missing=True
                ),
                f"detaching volume {step['volume']}",
            )
        except CloudNotFound:
            step["requested"] = True
        step["conflicts"] = retry.conflicts

    def _detached(self, connection: Any, step: dict[str, Any]) -> bool:
        if not step.get("requested"):
            self._request_detach(connection, step)
            return False
        try:
            with translate_errors(f"reading volume {step['volume']}"):
                volume = connection.block_storage.get_volume(step["volume"])
        except CloudNotFound:
            return True
        if volume.status == "available":
            return True
        if str(volume.status).startswith("error"):
            raise ResourceFailure(f"Detaching volume {step['volume']} failed: status {volume.status}")
        attached_to = {attachment.get("server_id") for attachment in volume.attachments or []}
        return step["server"] not in attached_to

    # --- hooks ----------------------------------------------------------------------------

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        volume_id = self.properties["volume_id"]
        attachment_id = self._attach(
            connection, self.properties["instance_uuid"], volume_id, self.properties.get("mountpoint")
        )
        self.context.set_resource_id(attachment_id)
        return {"volume": volume_id}

    def check_create_complete(self, token: Any) -> bool:
        return self._attached(self.context.cloud(), token["volume"])

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if not property_diff:
            return None
        detach = {
            "server": self.properties["instance_uuid"],
            "volume": self.properties["volume_id"],
            "conflicts": 0,
            "requested": False,
        }
        self._request_detach(self.context.cloud(), detach)
        attach = {
            "server": new_properties["instance_uuid"],
            "volume": new_properties["volume_id"],
            "mountpoint": new_properties.get("mountpoint"),
        }
        return {"detach": detach, "attach": attach, "phase": "detaching"}

    def check_update_complete(self, token: Any) -> bool:
        if token is None:
            return True
        connection = self.context.cloud()
        if token["phase"] == "detaching":
            if not self._detached(connection, token["detach"]):
                return False
            attach = token["attach"]
            self.context.set_resource_id(
                self._attach(connection, attach["server"], attach["volume"], attach.get("mountpoint"))
            )
            token["phase"] = "attaching"
            return False
        return self._attached(connection, token["attach"]["volume"])

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        step = {
            "server": self.properties["instance_uuid"],
            "volume": self.properties["volume_id"],
            "conflicts": 0,
            "requested": False,
        }
        self._request_detach(self.context.cloud(), step)
        return step

    def check_delete_complete(self, token: Any) -> bool:
        if token is None:
            return True
        return self._detached(self.context.cloud(), token)
