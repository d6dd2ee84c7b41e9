"""The declarations of OS::Cinder::Volume: properties and attributes with Heat's names."""

from __future__ import annotations

from collections.abc import Mapping

from calor.schema.constraints import CustomConstraint, Range
from calor.schema.properties import (
    BOOLEAN,
    HIDDEN,
    INTEGER,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)

PROPERTIES: Mapping[str, PropertySchema] = {
    "availability_zone": PropertySchema(STRING, "The availability zone in which the volume will be created."),
    "size": PropertySchema(
        INTEGER,
        "The size of the volume in GB. On update only increase in size is supported.",
        constraints=(Range(min=1),),
        update_allowed=True,
    ),
    "snapshot_id": PropertySchema(
        STRING,
        "If specified, the snapshot to create the volume from.",
        constraints=(CustomConstraint(name="cinder.snapshot"),),
    ),
    "backup_id": PropertySchema(
        STRING,
        "If specified, the backup to create the volume from.",
        constraints=(CustomConstraint(name="cinder.backup"),),
        update_allowed=True,
    ),
    "name": PropertySchema(STRING, "A name used to distinguish the volume.", update_allowed=True),
    "description": PropertySchema(STRING, "A description of the volume.", update_allowed=True),
    "volume_type": PropertySchema(
        STRING,
        "If specified, the type of volume to use, mapping to a specific backend.",
        constraints=(CustomConstraint(name="cinder.vtype"),),
        update_allowed=True,
    ),
    "metadata": PropertySchema(
        MAP, "Key/value pairs to associate with the volume.", default={}, update_allowed=True
    ),
    "imageRef": PropertySchema(
        STRING,
        "The ID of the image to create the volume from.",
        support_status=SupportStatus(HIDDEN, version="5.0.0", message="Use property image."),
    ),
    "image": PropertySchema(
        STRING,
        "If specified, the name or ID of the image to create the volume from.",
        constraints=(CustomConstraint(name="glance.image"),),
    ),
    "source_volid": PropertySchema(
        STRING,
        "If specified, the volume to use as source.",
        constraints=(CustomConstraint(name="cinder.volume"),),
    ),
    "cinder_scheduler_hints": PropertySchema(
        MAP,
        "Arbitrary key-value pairs specified by the client to help the Cinder scheduler creating a volume.",
    ),
    "read_only": PropertySchema(
        BOOLEAN, "Enables or disables read-only access mode of volume.", update_allowed=True
    ),
    "multiattach": PropertySchema(BOOLEAN, "Whether allow the volume to be attached more than once."),
}

ATTRIBUTES: Mapping[str, AttributeSchema] = {
    "availability_zone": AttributeSchema(
        "The availability zone in which the volume is located.", type=STRING
    ),
    "size": AttributeSchema("The size of the volume in GB.", type=STRING),
    "snapshot_id": AttributeSchema("The snapshot the volume was created from, if any.", type=STRING),
    "display_name": AttributeSchema("Name of the volume.", type=STRING),
    "display_description": AttributeSchema("Description of the volume.", type=STRING),
    "volume_type": AttributeSchema("The type of the volume mapping to a backend, if any.", type=STRING),
    "metadata": AttributeSchema("Key/value pairs associated with the volume.", type=STRING),
    "metadata_values": AttributeSchema(
        "Key/value pairs associated with the volume in raw dict form.", type=MAP
    ),
    "source_volid": AttributeSchema("The volume used as source, if any.", type=STRING),
    "status": AttributeSchema("The current status of the volume.", type=STRING),
    "created_at": AttributeSchema("The timestamp indicating volume creation.", type=STRING),
    "bootable": AttributeSchema("Boolean indicating if the volume can be booted or not.", type=STRING),
    "encrypted": AttributeSchema("Boolean indicating if the volume is encrypted or not.", type=STRING),
    "attachments": AttributeSchema(
        "A string representation of the list of attachments of the volume.", type=STRING
    ),
    "attachments_list": AttributeSchema("The list of attachments of the volume.", type=LIST),
    "multiattach": AttributeSchema(
        "Boolean indicating whether allow the volume to be attached more than once.", type=BOOLEAN
    ),
}
