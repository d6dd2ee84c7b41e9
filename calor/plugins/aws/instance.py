"""AWS::EC2::Instance: a Nova server, built by the OS::Nova::Server plugin from AWS properties.

The AWS properties are translated into the server's (``ImageId`` → ``image``,
``InstanceType`` → ``flavor``, ``Tags`` → ``metadata``, ``UserData`` with the
``HEAT_CFNTOOLS`` format, so the resource's metadata - ``AWS::CloudFormation::Init`` -
reaches cfn-init) and every action is delegated to that plugin. ``NetworkInterfaces``
become the server's ports in ``DeviceIndex`` order; a ``SubnetId`` gets a port of its own
(with the instance's security groups), deleted with the instance, as in Heat.
``Volumes`` are attached once the server is active and detached before it is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import ignore_not_found, translate_errors
from calor.errors import PropertyError
from calor.plugins.aws.common import tags_property
from calor.plugins.aws.volume import settled, volume_status
from calor.plugins.base import ResourcePlugin, diff_properties
from calor.plugins.neutron.lookup import resolve_many
from calor.plugins.nova.server import Server
from calor.plugins.nova.server_schema import HEAT_CFNTOOLS
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import BOOLEAN, LIST, MAP, STRING, AttributeSchema, PropertySchema, SupportStatus
from calor.template import paths

IP_ATTRIBUTES = ("PublicIp", "PrivateIp", "PublicDnsName", "PrivateDnsName")
NO_ADDRESS = "0.0.0.0"

_VOLUME_SCHEMA: Mapping[str, PropertySchema] = {
    "Device": PropertySchema(
        STRING,
        "The device where the volume is exposed on the instance. This assignment may not be honored "
        "and it is advised that the path /dev/disk/by-id/virtio-<VolumeId> be used instead.",
        required=True,
    ),
    "VolumeId": PropertySchema(
        STRING,
        "The ID of the volume to be attached.",
        required=True,
        constraints=(CustomConstraint(name="cinder.volume"),),
    ),
}
_KEY_VALUE: Mapping[str, PropertySchema] = {
    "Key": PropertySchema(STRING, required=True),
    "Value": PropertySchema(STRING, required=True),
}


def _not_implemented(kind: str, description: str = "Not Implemented.") -> PropertySchema:
    return PropertySchema(kind, description)


class Instance(ResourcePlugin):
    """An AWS EC2 instance: a Nova server."""

    type_name: ClassVar[str] = "AWS::EC2::Instance"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "ImageId": PropertySchema(
            STRING,
            "Glance image ID or name.",
            required=True,
            constraints=(CustomConstraint(name="glance.image"),),
        ),
        "InstanceType": PropertySchema(
            STRING,
            "Nova instance type (flavor).",
            required=True,
            update_allowed=True,
            constraints=(CustomConstraint(name="nova.flavor"),),
        ),
        "KeyName": PropertySchema(
            STRING, "Optional Nova keypair name.", constraints=(CustomConstraint(name="nova.keypair"),)
        ),
        "AvailabilityZone": PropertySchema(STRING, "Availability zone to launch the instance in."),
        "DisableApiTermination": _not_implemented(STRING),
        "KernelId": _not_implemented(STRING),
        "Monitoring": _not_implemented(BOOLEAN),
        "PlacementGroupName": _not_implemented(STRING),
        "PrivateIpAddress": _not_implemented(STRING),
        "RamDiskId": _not_implemented(STRING),
        "SecurityGroups": PropertySchema(LIST, "Security group names to assign."),
        "SecurityGroupIds": PropertySchema(LIST, "Security group IDs to assign."),
        "NetworkInterfaces": PropertySchema(
            LIST,
            "Network interfaces to associate with instance: network interface ids, or maps of "
            "NetworkInterfaceId and DeviceIndex.",
        ),
        "SourceDestCheck": _not_implemented(BOOLEAN),
        "SubnetId": PropertySchema(STRING, "Subnet ID to launch instance in."),
        "Tags": tags_property("Tags to attach to instance."),
        "NovaSchedulerHints": PropertySchema(
            LIST,
            "Scheduler hints to pass to Nova (Heat extension).",
            schema=PropertySchema(MAP, schema=_KEY_VALUE),
        ),
        "Tenancy": _not_implemented(STRING),
        "UserData": PropertySchema(STRING, "User data to pass to instance."),
        "Volumes": PropertySchema(
            LIST,
            "Volumes to attach to instance.",
            default=[],
            schema=PropertySchema(MAP, schema=_VOLUME_SCHEMA),
        ),
        "BlockDeviceMappings": PropertySchema(
            LIST, "Block device mappings to attach to instance (not supported yet)."
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "AvailabilityZone": AttributeSchema(
            "The Availability Zone where the specified instance is launched.", STRING
        ),
        "PrivateDnsName": AttributeSchema("Private DNS name of the specified instance.", STRING),
        "PublicDnsName": AttributeSchema("Public DNS name of the specified instance.", STRING),
        "PrivateIp": AttributeSchema("Private IP address of the specified instance.", STRING),
        "PublicIp": AttributeSchema("Public IP address of the specified instance.", STRING),
    }

    def validate(self) -> None:
        if self.properties.get("BlockDeviceMappings"):
            raise PropertyError(
                "BlockDeviceMappings is not supported yet; use Volumes or OS::Nova::Server.",
                path=paths.join(self.properties_path, "BlockDeviceMappings"),
            )
        if self.security_groups() and self.properties.get("NetworkInterfaces"):
            raise PropertyError(
                "Cannot define the following properties at the same time: "
                "SecurityGroups/SecurityGroupIds, NetworkInterfaces.",
                path=self.properties_path,
            )
        for index, entry in enumerate(self.properties.get("NetworkInterfaces") or []):
            if isinstance(entry, str):
                continue
            if (
                not isinstance(entry, Mapping)
                or "NetworkInterfaceId" not in entry
                or "DeviceIndex" not in entry
            ):
                raise PropertyError(
                    "A network interface is an id or a map with NetworkInterfaceId and DeviceIndex.",
                    path=paths.join(paths.join(self.properties_path, "NetworkInterfaces"), index),
                )

    # --- translation to OS::Nova::Server ---------------------------------------------------

    def security_groups(self) -> list[str]:
        return [
            *(self.properties.get("SecurityGroups") or []),
            *(self.properties.get("SecurityGroupIds") or []),
        ]

    def _networks(
        self, properties: Mapping[str, Any], *, resolve_groups: bool
    ) -> list[dict[str, Any]] | None:
        interfaces = properties.get("NetworkInterfaces")
        if interfaces:
            entries: list[Mapping[str, Any]] = [
                {"NetworkInterfaceId": entry, "DeviceIndex": index} if isinstance(entry, str) else entry
                for index, entry in enumerate(interfaces)
            ]
            ordered = sorted(entries, key=lambda entry: int(entry["DeviceIndex"]))
            return [{"port": str(entry["NetworkInterfaceId"])} for entry in ordered]
        subnet = properties.get("SubnetId")
        if not subnet:
            return None
        item: dict[str, Any] = {"subnet": str(subnet)}
        groups = self.security_groups()
        if groups and resolve_groups:
            item["port_extra_properties"] = {
                "security_groups": resolve_many(self.context, "security_group", groups),
                "admin_state_up": True,
            }
        return [item]

    def server_properties(
        self, properties: Mapping[str, Any], *, resolve_groups: bool = False
    ) -> dict[str, Any]:
        """The OS::Nova::Server properties standing for these AWS properties (validated)."""
        raw: dict[str, Any] = {
            "image": properties["ImageId"],
            "flavor": properties["InstanceType"],
            "key_name": properties.get("KeyName"),
            "availability_zone": properties.get("AvailabilityZone"),
            "user_data": properties.get("UserData") or "",
            "user_data_format": HEAT_CFNTOOLS,
            "metadata": {str(tag["Key"]): str(tag["Value"]) for tag in properties.get("Tags") or []} or None,
            "flavor_update_policy": "RESIZE",
        }
        hints = properties.get("NovaSchedulerHints")
        if hints:
            raw["scheduler_hints"] = {str(hint["Key"]): hint["Value"] for hint in hints}
        networks = self._networks(properties, resolve_groups=resolve_groups)
        if networks is not None:
            raw["networks"] = networks
        elif self.security_groups():
            raw["security_groups"] = self.security_groups()
        return Server.validate_properties(
            {key: value for key, value in raw.items() if value is not None}, self.properties_path
        )

    def server(self, properties: Mapping[str, Any] | None = None, *, resolve_groups: bool = False) -> Server:
        """The OS::Nova::Server plugin doing the work, on this resource's context."""
        translated = self.server_properties(
            self.properties if properties is None else properties, resolve_groups=resolve_groups
        )
        return Server(self.name, translated, self.context, self.metadata)

    # --- create ---------------------------------------------------------------------------

    def handle_create(self) -> Any:
        return {"server": self.server(resolve_groups=True).handle_create(), "volumes": "pending"}

    def check_create_complete(self, token: Any) -> bool:
        if token["volumes"] == "pending":
            if not self.server().check_create_complete(token["server"]):
                return False
            self._attach_volumes()
            token["volumes"] = "attaching"
        connection = self.context.cloud()
        return all(
            settled(volume_status(connection, str(volume["VolumeId"])), "in-use", "Attaching volume")
            for volume in self.properties.get("Volumes") or []
        )

    def _attach_volumes(self) -> None:
        connection = self.context.cloud()
        for volume in self.properties.get("Volumes") or []:
            with translate_errors(f"attaching volume {volume['VolumeId']}"):
                connection.compute.create_volume_attachment(
                    str(self.resource_id), volume_id=str(volume["VolumeId"]), device=volume["Device"]
                )

    # --- update ---------------------------------------------------------------------------

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        old_server = self.server()
        new_translated = self.server_properties(new_properties)
        server_diff = {
            key: value
            for key, value in diff_properties(old_server.properties, new_translated).items()
            if key in ("flavor", "metadata")
        }
        return old_server.handle_update(new_translated, server_diff)

    def check_update_complete(self, token: Any) -> bool:
        return self.server().check_update_complete(token)

    # --- delete, suspend, resume, check ----------------------------------------------------

    def _detach(self, connection: Any, volume_id: str) -> None:
        server_id = str(self.resource_id)
        ignore_not_found(
            lambda: connection.compute.delete_volume_attachment(server_id, volume_id, ignore_missing=True)
        )

    def handle_delete(self) -> Any:
        if self.resource_id is not None:
            connection = self.context.cloud()
            for volume in self.properties.get("Volumes") or []:
                self._detach(connection, str(volume["VolumeId"]))
        return self.server().handle_delete()

    def check_delete_complete(self, token: Any) -> bool:
        return self.server().check_delete_complete(token)

    def handle_suspend(self) -> Any:
        return self.server().handle_suspend()

    def check_suspend_complete(self, token: Any) -> bool:
        return self.server().check_suspend_complete(token)

    def handle_resume(self) -> Any:
        return self.server().handle_resume()

    def check_resume_complete(self, token: Any) -> bool:
        return self.server().check_resume_complete(token)

    def handle_check(self) -> None:
        self.server().handle_check()

    # --- attributes -----------------------------------------------------------------------

    def _first_address(self) -> str:
        if self.resource_id is None:
            return NO_ADDRESS
        connection = self.context.cloud()
        server = ignore_not_found(lambda: connection.compute.get_server(str(self.resource_id)))
        if server is None:
            return NO_ADDRESS
        for addresses in (server.addresses or {}).values():
            for address in addresses:
                if address.get("addr"):
                    return str(address["addr"])
        return NO_ADDRESS

    def resolve_attribute(self, name: str) -> Any:
        if name == "AvailabilityZone":
            return self.properties.get("AvailabilityZone")
        if name in IP_ATTRIBUTES:
            return self._first_address()
        return None

    def show_attribute(self) -> Any:
        return self.server().show_attribute()
