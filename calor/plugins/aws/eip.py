"""AWS::EC2::EIP and AWS::EC2::EIPAssociation: Neutron floating IPs on the external network.

Heat once used Nova's floating IP API for non-VPC addresses; Nova dropped it, and both
kinds are Neutron floating IPs here. ``Ref`` of an EIP is its address, ``AllocationId``
its floating IP id. Associating with an instance uses the instance's first port.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import CloudNotFound, is_not_found
from calor.errors import PropertyError
from calor.plugins.aws.common import external_network_id, router_for_vpc
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.common import cloud_hook
from calor.schema.constraints import AllowedValues, CustomConstraint
from calor.schema.properties import STRING, AttributeSchema, PropertySchema, SupportStatus


def instance_port(network_proxy: Any, instance_id: str) -> Any:
    """The first port of a server (its ``device_id``)."""
    ports = list(network_proxy.ports(device_id=instance_id))
    if not ports:
        raise CloudNotFound(f"No port found for instance {instance_id}.")
    return ports[0]


def _dissociate(network_proxy: Any, floating_ip_id: str) -> None:
    try:
        network_proxy.update_ip(floating_ip_id, port_id=None)
    except sdk_exceptions.SDKException as error:
        if not is_not_found(error):
            raise


class ElasticIp(ResourcePlugin):
    """An AWS elastic IP: a floating IP on the external network."""

    type_name: ClassVar[str] = "AWS::EC2::EIP"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "Domain": PropertySchema(
            STRING,
            'Set to "vpc" to have IP address allocation associated to your VPC.',
            constraints=(AllowedValues(values=("vpc",)),),
        ),
        "InstanceId": PropertySchema(
            STRING,
            "Instance ID to associate with EIP.",
            update_allowed=True,
            constraints=(CustomConstraint(name="nova.server"),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "AllocationId": AttributeSchema(
            "ID that AWS assigns to represent the allocation of the address for use with Amazon VPC. "
            "Returned only for VPC elastic IP addresses.",
            STRING,
        ),
    }

    def _associate(self, instance_id: str) -> None:
        proxy = self.context.cloud().network
        port = instance_port(proxy, instance_id)
        proxy.update_ip(str(self.resource_id), port_id=port.id)

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        floating_ip = proxy.create_ip(floating_network_id=external_network_id(proxy))
        self.context.set_resource_id(str(floating_ip.id))
        self.context.data_set("address", str(floating_ip.floating_ip_address))
        if self.properties.get("InstanceId"):
            self._associate(str(self.properties["InstanceId"]))
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "InstanceId" in property_diff:
            instance_id = new_properties.get("InstanceId")
            if instance_id:
                self._associate(str(instance_id))
            else:
                _dissociate(self.context.cloud().network, str(self.resource_id))
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        proxy = self.context.cloud().network
        if self.properties.get("InstanceId"):
            _dissociate(proxy, str(self.resource_id))
        proxy.delete_ip(str(self.resource_id), ignore_missing=True)
        return None

    def address(self) -> str:
        stored = self.context.data().get("address")
        if stored:
            return stored
        if self.resource_id is None:
            return ""
        try:
            return str(self.context.cloud().network.get_ip(str(self.resource_id)).floating_ip_address or "")
        except sdk_exceptions.SDKException as error:
            if is_not_found(error):
                return ""
            raise

    def reference_id(self) -> str:
        return self.address() or self.name

    def resolve_attribute(self, name: str) -> Any:
        if name == "AllocationId":
            return None if self.resource_id is None else str(self.resource_id)
        return None


class ElasticIpAssociation(ResourcePlugin):
    """Associates an elastic IP (by address or allocation id) with an instance or a network interface."""

    type_name: ClassVar[str] = "AWS::EC2::EIPAssociation"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "InstanceId": PropertySchema(
            STRING,
            "Instance ID to associate with EIP specified by EIP property.",
            update_allowed=True,
            constraints=(CustomConstraint(name="nova.server"),),
        ),
        "EIP": PropertySchema(
            STRING,
            "EIP address to associate with instance.",
            update_allowed=True,
            constraints=(CustomConstraint(name="ip_addr"),),
        ),
        "AllocationId": PropertySchema(STRING, "Allocation ID for VPC EIP address.", update_allowed=True),
        "NetworkInterfaceId": PropertySchema(
            STRING, "Network interface ID to associate with EIP.", update_allowed=True
        ),
    }

    def validate(self) -> None:
        eip = self.properties.get("EIP")
        allocation = self.properties.get("AllocationId")
        if bool(eip) == bool(allocation):
            raise PropertyError("Either 'EIP' or 'AllocationId' must be provided.", path=self.properties_path)
        instance = self.properties.get("InstanceId")
        if eip and not instance:
            raise PropertyError("Must specify 'InstanceId' if you specify 'EIP'.", path=self.properties_path)
        if not instance and not self.properties.get("NetworkInterfaceId"):
            raise PropertyError(
                "At least one of the following properties must be specified: InstanceId, NetworkInterfaceId.",
                path=self.properties_path,
            )

    @staticmethod
    def _floating_ip_id(proxy: Any, properties: Mapping[str, Any]) -> str:
        if properties.get("AllocationId"):
            return str(properties["AllocationId"])
        address = str(properties["EIP"])
        found = [ip for ip in proxy.ips(floating_ip_address=address) if ip.floating_ip_address == address]
        if not found:
            raise CloudNotFound(f"The floating IP ({address}) could not be found.")
        return str(found[0].id)

    @staticmethod
    def _port(proxy: Any, properties: Mapping[str, Any]) -> Any:
        if properties.get("NetworkInterfaceId"):
            return proxy.get_port(str(properties["NetworkInterfaceId"]))
        return instance_port(proxy, str(properties["InstanceId"]))

    def _associate(self, properties: Mapping[str, Any]) -> str:
        proxy = self.context.cloud().network
        floating_ip_id = self._floating_ip_id(proxy, properties)
        port = self._port(proxy, properties)
        router = router_for_vpc(proxy, port.network_id)
        if router is not None and not router.external_gateway_info:
            # A VPC's router must reach the floating IP's network (as Heat does).
            floating_ip = proxy.get_ip(floating_ip_id)
            proxy.update_router(
                router.id, external_gateway_info={"network_id": floating_ip.floating_network_id}
            )
        proxy.update_ip(floating_ip_id, port_id=port.id)
        return floating_ip_id

    @cloud_hook
    def handle_create(self) -> Any:
        floating_ip_id = self._associate(self.properties)
        self.context.data_set("floating_ip_id", floating_ip_id)
        self.context.set_resource_id(str(self.properties.get("EIP") or floating_ip_id))
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        old = self.context.data().get("floating_ip_id")
        if old and ("EIP" in property_diff or "AllocationId" in property_diff):
            _dissociate(self.context.cloud().network, old)
        floating_ip_id = self._associate(new_properties)
        self.context.data_set("floating_ip_id", floating_ip_id)
        self.context.set_resource_id(str(new_properties.get("EIP") or floating_ip_id))
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        floating_ip_id = self.context.data().get("floating_ip_id")
        if floating_ip_id:
            _dissociate(self.context.cloud().network, floating_ip_id)
        return None
