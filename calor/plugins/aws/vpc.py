"""AWS::EC2::VPC and AWS::EC2::Subnet on Neutron, as Heat maps them.

A VPC is a network and a router with the same (physical) name; its ``Ref`` is the network
id. A subnet is a Neutron subnet on that network, plugged into the VPC's router.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_not_found
from calor.errors import PropertyError
from calor.plugins.aws.common import router_for_vpc, tags_property
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.common import cloud_hook, is_built
from calor.schema.constraints import AllowedValues, CustomConstraint
from calor.schema.properties import STRING, AttributeSchema, PropertySchema, SupportStatus
from calor.template import paths


def _ignore_not_found(call: Any, *arguments: Any, **options: Any) -> None:
    try:
        call(*arguments, **options)
    except sdk_exceptions.SDKException as error:
        if not is_not_found(error):
            raise


class VPC(ResourcePlugin):
    """An AWS VPC: a Neutron network and a router of the same name."""

    type_name: ClassVar[str] = "AWS::EC2::VPC"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "CidrBlock": PropertySchema(STRING, "CIDR block to apply to the VPC.", required=True),
        "InstanceTenancy": PropertySchema(
            STRING,
            "Allowed tenancy of instances launched in the VPC. default - any tenancy; dedicated - "
            "instance will be dedicated, regardless of the tenancy option specified at instance launch.",
            default="default",
            constraints=(AllowedValues(values=("default", "dedicated")),),
        ),
        "Tags": tags_property(),
    }

    def validate(self) -> None:
        if self.properties.get("InstanceTenancy") == "dedicated":
            raise PropertyError(
                "Dedicated instance tenancy is not supported.",
                path=paths.join(self.properties_path, "InstanceTenancy"),
            )

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        name = self.context.physical_resource_name()
        network = proxy.create_network(name=name)
        self.context.set_resource_id(str(network.id))
        router = proxy.create_router(name=name)
        self.context.data_set("router_id", str(router.id))
        return None

    @cloud_hook
    def check_create_complete(self, token: Any) -> bool:
        proxy = self.context.cloud().network
        if not is_built(proxy.get_network(str(self.resource_id)).status, "Network"):
            return False
        return is_built(proxy.get_router(self.context.data()["router_id"]).status, "Router")

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        proxy = self.context.cloud().network
        router_id = self.context.data().get("router_id")
        if router_id is None:
            try:
                router = router_for_vpc(proxy, str(self.resource_id))
            except Exception as error:
                if not is_not_found(error):
                    raise
                router = None
            router_id = router.id if router is not None else None
        if router_id is not None:
            _ignore_not_found(proxy.delete_router, router_id, ignore_missing=True)
        _ignore_not_found(proxy.delete_network, str(self.resource_id), ignore_missing=True)
        return None


class Subnet(ResourcePlugin):
    """An AWS VPC subnet: a Neutron subnet on the VPC's network, plugged into the VPC's router."""

    type_name: ClassVar[str] = "AWS::EC2::Subnet"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "AvailabilityZone": PropertySchema(STRING, "Availability zone in which you want the subnet."),
        "CidrBlock": PropertySchema(
            STRING,
            "CIDR block to apply to subnet.",
            required=True,
            constraints=(CustomConstraint(name="net_cidr"),),
        ),
        "VpcId": PropertySchema(
            STRING,
            "Ref structure that contains the ID of the VPC on which you want to create the subnet.",
            required=True,
        ),
        "Tags": tags_property(),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "AvailabilityZone": AttributeSchema("Availability Zone of the subnet.", STRING),
    }

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        network_id = str(self.properties["VpcId"])
        subnet = proxy.create_subnet(
            network_id=network_id,
            cidr=self.properties["CidrBlock"],
            name=self.context.physical_resource_name(),
            ip_version=4,
        )
        self.context.set_resource_id(str(subnet.id))
        router = router_for_vpc(proxy, network_id)
        if router is not None:
            proxy.add_interface_to_router(router.id, subnet=subnet.id)
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        proxy = self.context.cloud().network
        try:
            router = router_for_vpc(proxy, str(self.properties["VpcId"]))
        except Exception as error:
            if not is_not_found(error):
                raise
            router = None
        if router is not None:
            _ignore_not_found(proxy.remove_interface_from_router, router.id, subnet=str(self.resource_id))
        _ignore_not_found(proxy.delete_subnet, str(self.resource_id), ignore_missing=True)
        return None

    def resolve_attribute(self, name: str) -> Any:
        if name == "AvailabilityZone":
            return self.properties.get("AvailabilityZone")
        return None
