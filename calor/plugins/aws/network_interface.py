"""AWS::EC2::NetworkInterface: a Neutron port on a VPC subnet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.aws.common import tags_property
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook
from calor.plugins.neutron.lookup import resolve_many
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import BOOLEAN, LIST, STRING, AttributeSchema, PropertySchema, SupportStatus
from calor.template import paths


class NetworkInterface(NeutronPlugin):
    """An AWS elastic network interface: a port with a fixed IP on the subnet."""

    type_name: ClassVar[str] = "AWS::EC2::NetworkInterface"
    resource_kind: ClassVar[str] = "port"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "Description": PropertySchema(STRING, "Description for this interface."),
        "GroupSet": PropertySchema(
            LIST, "List of security group IDs associated with this interface.", update_allowed=True
        ),
        "PrivateIpAddress": PropertySchema(STRING, "The private IP address of the interface."),
        "SourceDestCheck": PropertySchema(
            BOOLEAN, "Flag indicating if traffic to or from instance is validated."
        ),
        "SubnetId": PropertySchema(
            STRING,
            "Subnet ID to associate with this interface.",
            required=True,
            constraints=(CustomConstraint(name="neutron.subnet"),),
        ),
        "Tags": tags_property("List of tags associated with this interface."),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "PrivateIpAddress": AttributeSchema("Private IP address of the network interface.", STRING),
    }

    def _groups(self, groups: Any) -> list[str]:
        return resolve_many(
            self.context, "security_group", groups, path=paths.join(self.properties_path, "GroupSet")
        )

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.network_proxy()
        subnet = proxy.get_subnet(str(self.properties["SubnetId"]))
        fixed_ip: dict[str, Any] = {"subnet_id": subnet.id}
        if self.properties.get("PrivateIpAddress"):
            fixed_ip["ip_address"] = self.properties["PrivateIpAddress"]
        body: dict[str, Any] = {
            "name": self.context.physical_resource_name(),
            "admin_state_up": True,
            "network_id": subnet.network_id,
            "fixed_ips": [fixed_ip],
        }
        if self.properties.get("GroupSet") is not None:
            body["security_groups"] = self._groups(self.properties["GroupSet"])
        port = proxy.create_port(**body)
        self.context.set_resource_id(str(port.id))
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "GroupSet" in property_diff:
            groups = new_properties.get("GroupSet")
            self.network_proxy().update_port(
                str(self.resource_id),
                security_groups=self._groups(groups if groups is not None else ["default"]),
            )
        return None

    def resolve_attribute(self, name: str) -> Any:
        if name != "PrivateIpAddress":
            return None
        body = self.show_body()
        if not body or not body.get("fixed_ips"):
            return None
        return body["fixed_ips"][0].get("ip_address")
