"""AWS::EC2::Volume and AWS::EC2::VolumeAttachment, built by the OS::Cinder plugins.

As in Heat, an EC2 volume is a Cinder volume named after the resource with its tags as
metadata, and its ``SnapshotId`` names a Cinder *backup* to restore from. An attachment is
OS::Cinder::VolumeAttachment (``InstanceId`` → ``instance_uuid``, ``VolumeId`` →
``volume_id``, ``Device`` → ``mountpoint``). Every action is delegated to those plugins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import ignore_not_found
from calor.errors import ResourceFailure
from calor.plugins.aws.common import tags_property
from calor.plugins.base import ResourcePlugin
from calor.plugins.cinder.attachment import VolumeAttachment as CinderVolumeAttachment
from calor.plugins.cinder.volume import Volume as CinderVolume
from calor.schema.constraints import AllowedPattern, CustomConstraint, Range
from calor.schema.properties import INTEGER, STRING, PropertySchema, SupportStatus

ERROR_STATUSES = ("error", "error_deleting", "error_restoring", "error_extending")


def volume_status(connection: Any, volume_id: str) -> str | None:
    """The volume's status (``None`` when it is gone)."""
    volume = ignore_not_found(lambda: connection.block_storage.get_volume(volume_id))
    return None if volume is None else str(volume.status)


def settled(status: str | None, wanted: str, what: str) -> bool:
    """Whether a volume reached ``wanted``; a vanished or failed volume fails the action."""
    if status == wanted:
        return True
    if status is None:
        raise ResourceFailure(f"{what}: the volume disappeared")
    if status in ERROR_STATUSES:
        raise ResourceFailure(f'Went to status {status} due to "{what} failed"')
    return False


class Volume(ResourcePlugin):
    """An AWS EBS volume: a Cinder volume."""

    type_name: ClassVar[str] = "AWS::EC2::Volume"
    required_service: ClassVar[str | None] = "volume"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "AvailabilityZone": PropertySchema(
            STRING, "The availability zone in which the volume will be created.", required=True
        ),
        "Size": PropertySchema(INTEGER, "The size of the volume in GB.", constraints=(Range(min=1),)),
        "SnapshotId": PropertySchema(
            STRING,
            "If specified, the backup used as the source to create the volume.",
            constraints=(CustomConstraint(name="cinder.backup"),),
        ),
        "Tags": tags_property("The list of tags to associate with the volume."),
    }

    def cinder_properties(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "availability_zone": self.properties["AvailabilityZone"],
            "size": self.properties.get("Size"),
            "backup_id": self.properties.get("SnapshotId"),
            "metadata": {str(tag["Key"]): str(tag["Value"]) for tag in self.properties.get("Tags") or []}
            or None,
        }
        return CinderVolume.validate_properties(
            {key: value for key, value in raw.items() if value is not None}, self.properties_path
        )

    def volume(self) -> CinderVolume:
        """The OS::Cinder::Volume plugin doing the work, on this resource's context."""
        return CinderVolume(self.name, self.cinder_properties(), self.context, self.metadata)

    def validate(self) -> None:
        self.volume().validate()

    def handle_create(self) -> Any:
        return self.volume().handle_create()

    def check_create_complete(self, token: Any) -> bool:
        return self.volume().check_create_complete(token)

    def handle_delete(self) -> Any:
        return self.volume().handle_delete()

    def check_delete_complete(self, token: Any) -> bool:
        return self.volume().check_delete_complete(token)

    def handle_snapshot_delete(self) -> Any:
        """The ``Snapshot`` deletion policy: a Cinder backup, then the delete (as Heat does)."""
        return self.volume().handle_snapshot_delete()

    def handle_snapshot(self) -> Any:
        return self.volume().handle_snapshot()

    def check_snapshot_complete(self, token: Any) -> bool:
        return self.volume().check_snapshot_complete(token)

    def handle_check(self) -> None:
        self.volume().handle_check()

    def show_attribute(self) -> Any:
        return self.volume().show_attribute()


class VolumeAttachment(ResourcePlugin):
    """Attaches a volume to an instance at a device."""

    type_name: ClassVar[str] = "AWS::EC2::VolumeAttachment"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "InstanceId": PropertySchema(
            STRING,
            "The ID of the instance to which the volume attaches.",
            required=True,
            constraints=(CustomConstraint(name="nova.server"),),
        ),
        "VolumeId": PropertySchema(
            STRING,
            "The ID of the volume to be attached.",
            required=True,
            constraints=(CustomConstraint(name="cinder.volume"),),
        ),
        "Device": PropertySchema(
            STRING,
            "The device where the volume is exposed on the instance. This assignment may not be "
            "honored and it is advised that the path /dev/disk/by-id/virtio-<VolumeId> be used instead.",
            required=True,
            constraints=(AllowedPattern(pattern="/dev/vd[b-z]"),),
        ),
    }

    def attachment(self) -> CinderVolumeAttachment:
        """The OS::Cinder::VolumeAttachment plugin doing the work, on this resource's context."""
        properties = CinderVolumeAttachment.validate_properties(
            {
                "instance_uuid": self.properties["InstanceId"],
                "volume_id": self.properties["VolumeId"],
                "mountpoint": self.properties["Device"],
            },
            self.properties_path,
        )
        return CinderVolumeAttachment(self.name, properties, self.context, self.metadata)

    def handle_create(self) -> Any:
        return self.attachment().handle_create()

    def check_create_complete(self, token: Any) -> bool:
        return self.attachment().check_create_complete(token)

    def handle_delete(self) -> Any:
        return self.attachment().handle_delete()

    def check_delete_complete(self, token: Any) -> bool:
        return self.attachment().check_delete_complete(token)
