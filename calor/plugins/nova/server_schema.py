"""The declarations of OS::Nova::Server: its properties and attributes, with Heat's names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from calor.schema.constraints import AllowedValues, CustomConstraint, Range
from calor.schema.properties import (
    BOOLEAN,
    DEPRECATED,
    HIDDEN,
    INTEGER,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)

RAW: Final = "RAW"
SOFTWARE_CONFIG: Final = "SOFTWARE_CONFIG"
HEAT_CFNTOOLS: Final = "HEAT_CFNTOOLS"
USER_DATA_FORMATS: Final = (HEAT_CFNTOOLS, RAW, SOFTWARE_CONFIG)

REBUILD: Final = "REBUILD"
REPLACE: Final = "REPLACE"
REBUILD_PRESERVE_EPHEMERAL: Final = "REBUILD_PRESERVE_EPHEMERAL"
RESIZE: Final = "RESIZE"
IGNORE: Final = "IGNORE"

SOFTWARE_CONFIG_TRANSPORTS: Final = ("POLL_SERVER_CFN", "POLL_SERVER_HEAT", "POLL_TEMP_URL", "ZAQAR_MESSAGE")

BLOCK_DEVICE_MAPPING_SCHEMA: Mapping[str, PropertySchema] = {
    "device_name": PropertySchema(
        STRING,
        "A device name where the volume will be attached in the system at /dev/device_name.",
        required=True,
    ),
    "volume_id": PropertySchema(
        STRING,
        "The ID of the volume to boot from. Only one of volume_id or snapshot_id should be provided.",
        constraints=(CustomConstraint(name="cinder.volume"),),
    ),
    "snapshot_id": PropertySchema(
        STRING,
        "The ID of the snapshot to create a volume from.",
        constraints=(CustomConstraint(name="cinder.snapshot"),),
    ),
    "volume_size": PropertySchema(
        INTEGER,
        "The size of the volume, in GB. It is safe to leave this blank and have the Compute "
        "service infer the size.",
    ),
    "delete_on_termination": PropertySchema(
        BOOLEAN,
        "Indicate whether the volume should be deleted when the server is terminated.",
    ),
}

BLOCK_DEVICE_MAPPING_V2_SCHEMA: Mapping[str, PropertySchema] = {
    "device_name": PropertySchema(STRING, "A device name where the volume will be attached in the system."),
    "volume_id": PropertySchema(
        STRING,
        "The volume_id can be boot or non-boot device to the server.",
        constraints=(CustomConstraint(name="cinder.volume"),),
    ),
    "image_id": PropertySchema(
        STRING,
        "The ID of the image to create a volume from.",
        constraints=(CustomConstraint(name="glance.image"),),
        support_status=SupportStatus(HIDDEN, version="9.0.0", message="Use property image."),
    ),
    "image": PropertySchema(
        STRING,
        "The ID or name of the image to create a volume from.",
        constraints=(CustomConstraint(name="glance.image"),),
    ),
    "snapshot_id": PropertySchema(
        STRING,
        "The ID of the snapshot to create a volume from.",
        constraints=(CustomConstraint(name="cinder.snapshot"),),
    ),
    "swap_size": PropertySchema(INTEGER, "The size of the swap, in MB."),
    "ephemeral_size": PropertySchema(
        INTEGER, "The size of the local ephemeral block device, in GB.", constraints=(Range(min=1),)
    ),
    "ephemeral_format": PropertySchema(
        STRING,
        "The format of the local ephemeral block device.",
        constraints=(AllowedValues(values=("ext2", "ext3", "ext4", "xfs", "ntfs")),),
    ),
    "device_type": PropertySchema(
        STRING,
        "Device type: at the moment we can make distinction only between disk and cdrom.",
        constraints=(AllowedValues(values=("cdrom", "disk")),),
    ),
    "disk_bus": PropertySchema(
        STRING,
        "Bus of the device: hypervisor driver chooses a suitable default if omitted.",
        constraints=(AllowedValues(values=("ide", "lame_bus", "scsi", "usb", "virtio")),),
    ),
    "boot_index": PropertySchema(INTEGER, "Integer used for ordering the boot disks."),
    "volume_size": PropertySchema(INTEGER, "Size of the block device in GB."),
    "delete_on_termination": PropertySchema(
        BOOLEAN,
        "Indicate whether the volume should be deleted when the server is terminated.",
    ),
}

NETWORK_SCHEMA: Mapping[str, PropertySchema] = {
    "uuid": PropertySchema(
        STRING,
        "ID of network to create a port on.",
        support_status=SupportStatus(HIDDEN, version="5.0.0", message="Use property network."),
    ),
    "network": PropertySchema(STRING, "Name or ID of network to create a port on."),
    "allocate_network": PropertySchema(
        STRING,
        "The special string values of network, auto: means either a network that is already "
        "available to the project will be used, or if one does not exist, will be automatically "
        "created for the project; none: means no networking will be allocated for the created server.",
        constraints=(AllowedValues(values=("none", "auto")),),
    ),
    "fixed_ip": PropertySchema(
        STRING,
        "Fixed IP address to specify for the port created on the requested network.",
        constraints=(CustomConstraint(name="ip_addr"),),
    ),
    "port": PropertySchema(STRING, "ID of an existing port to associate with this server."),
    "subnet": PropertySchema(STRING, "Subnet in which to allocate the IP address for port."),
    "floating_ip": PropertySchema(STRING, "ID of the floating IP to associate."),
    "port_extra_properties": PropertySchema(MAP, "Dict, which has expand properties for port."),
    "tag": PropertySchema(STRING, "Port tag. Heat ignores any update on this property."),
}

PROPERTIES: Mapping[str, PropertySchema] = {
    "name": PropertySchema(STRING, "Server name.", update_allowed=True),
    "image": PropertySchema(
        STRING,
        "The ID or name of the image to boot with.",
        constraints=(CustomConstraint(name="glance.image"),),
        update_allowed=True,
    ),
    "block_device_mapping": PropertySchema(
        LIST,
        "Block device mappings for this server.",
        schema=PropertySchema(MAP, schema=BLOCK_DEVICE_MAPPING_SCHEMA),
    ),
    "block_device_mapping_v2": PropertySchema(
        LIST,
        "Block device mappings v2 for this server.",
        schema=PropertySchema(MAP, schema=BLOCK_DEVICE_MAPPING_V2_SCHEMA),
    ),
    "flavor": PropertySchema(
        STRING,
        "The ID or name of the flavor to boot onto.",
        required=True,
        update_allowed=True,
        constraints=(CustomConstraint(name="nova.flavor"),),
    ),
    "flavor_update_policy": PropertySchema(
        STRING,
        "Policy on how to apply a flavor update; either by requesting a server resize or by "
        "replacing the entire server.",
        default=RESIZE,
        constraints=(AllowedValues(values=(RESIZE, REPLACE)),),
        update_allowed=True,
    ),
    "image_update_policy": PropertySchema(
        STRING,
        "Policy on how to apply an image-id update; either by requesting a server rebuild or by "
        "replacing the entire server.",
        default=REBUILD,
        constraints=(AllowedValues(values=(REBUILD, REPLACE, REBUILD_PRESERVE_EPHEMERAL)),),
        update_allowed=True,
    ),
    "key_name": PropertySchema(
        STRING,
        "Name of keypair to inject into the server.",
        constraints=(CustomConstraint(name="nova.keypair"),),
    ),
    "admin_user": PropertySchema(
        STRING,
        "Name of the administrative user to use on the server.",
        support_status=SupportStatus(
            HIDDEN, version="5.0.0", message="The admin_user property is not supported anymore."
        ),
    ),
    "availability_zone": PropertySchema(STRING, "Name of the availability zone for server placement."),
    "security_groups": PropertySchema(
        LIST,
        "List of security group names or IDs. Cannot be used if neutron ports are associated "
        "with this server; assign security groups to the ports instead.",
        default=[],
        update_allowed=True,
    ),
    "networks": PropertySchema(
        LIST,
        "An ordered list of nics to be added to this server, with information about connected "
        "networks, fixed ips, port etc.",
        schema=PropertySchema(MAP, schema=NETWORK_SCHEMA),
        update_allowed=True,
    ),
    "scheduler_hints": PropertySchema(
        MAP, "Arbitrary key-value pairs specified by the client to help boot a server."
    ),
    "metadata": PropertySchema(
        MAP,
        "Arbitrary key/value metadata to store for this server. Both keys and values must be 255 "
        "characters or less. Non-string values will be serialized to JSON.",
        update_allowed=True,
    ),
    "user_data_format": PropertySchema(
        STRING,
        "How the user_data should be formatted for the server. For HEAT_CFNTOOLS, the user_data "
        "is bundled as part of the heat-cfntools cloud-init boot configuration data. For RAW the "
        "user_data is passed to Nova unmodified. For SOFTWARE_CONFIG user_data is bundled as part of "
        "the software config data, and metadata is derived from any associated SoftwareDeployment "
        "resources.",
        default=HEAT_CFNTOOLS,
        constraints=(AllowedValues(values=USER_DATA_FORMATS),),
    ),
    "software_config_transport": PropertySchema(
        STRING,
        "How the server should receive the metadata required for software configuration.",
        default="POLL_SERVER_CFN",
        constraints=(AllowedValues(values=SOFTWARE_CONFIG_TRANSPORTS),),
        update_allowed=True,
    ),
    "user_data_update_policy": PropertySchema(
        STRING,
        "Policy on how to apply a user_data update; either by ignoring it or by replacing the entire server.",
        default=REPLACE,
        constraints=(AllowedValues(values=(REPLACE, IGNORE)),),
        update_allowed=True,
    ),
    "user_data": PropertySchema(
        STRING,
        "User data script to be executed by cloud-init. Changes cause replacement of the "
        "resource by default, but can be ignored altogether by setting the user_data_update_policy "
        "property.",
        default="",
        update_allowed=True,
    ),
    "reservation_id": PropertySchema(STRING, "A UUID for the set of servers being requested."),
    "config_drive": PropertySchema(BOOLEAN, "If True, enable config drive on the server."),
    "diskConfig": PropertySchema(
        STRING,
        "Control how the disk is partitioned when the server is created.",
        constraints=(AllowedValues(values=("AUTO", "MANUAL")),),
    ),
    "personality": PropertySchema(
        MAP,
        "A map of files to create/overwrite on the server upon boot.",
        default={},
        support_status=SupportStatus(DEPRECATED, version="12.0.0", message="Nova API 2.57 removed it."),
    ),
    "admin_pass": PropertySchema(STRING, "The administrator password for the server.", update_allowed=True),
    "deployment_swift_data": PropertySchema(
        MAP,
        "Swift container and object to use for storing deployment data for the server resource.",
        default={},
        update_allowed=True,
    ),
    "tags": PropertySchema(LIST, "Server tags. Supported since client version 2.26.", update_allowed=True),
}

ATTRIBUTES: Mapping[str, AttributeSchema] = {
    "name": AttributeSchema("Name of the server.", type=STRING),
    "addresses": AttributeSchema(
        "A dict of all network addresses with corresponding port_id and subnets. Each network will "
        "have two keys in dict, they are network name and network id.",
        type=MAP,
    ),
    "networks": AttributeSchema(
        'A dict of assigned network addresses of the form: {"public": [ip1, ip2...], "private": '
        '[ip3, ip4], "public_uuid": [ip1, ip2...], "private_uuid": [ip3, ip4]}.',
        type=MAP,
    ),
    "first_address": AttributeSchema(
        "Convenience attribute to fetch the first assigned network address, or an empty string if "
        "nothing has been assigned at this time.",
        type=STRING,
        support_status=SupportStatus(HIDDEN, version="5.0.0", message="Use the networks attribute instead."),
    ),
    "instance_name": AttributeSchema("AWS compatible instance name.", type=STRING),
    "accessIPv4": AttributeSchema(
        "The manually assigned alternative public IPv4 address of the server.", type=STRING
    ),
    "accessIPv6": AttributeSchema(
        "The manually assigned alternative public IPv6 address of the server.", type=STRING
    ),
    "console_urls": AttributeSchema("URLs of server's consoles.", type=MAP),
    "tags": AttributeSchema("Tags from the server.", type=LIST),
    "os_collect_config": AttributeSchema(
        "The os-collect-config configuration for the server's local "
        "agent to be configured to connect to Heat to retrieve deployment "
        "data.",
        type=MAP,
    ),
}
