"""AWS::EC2::RouteTable (a Neutron router) and AWS::EC2::SubnetRouteTableAssociation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_not_found
from calor.plugins.aws.common import ROUTE_TABLE_TAG_PREFIX, router_for_vpc, tags_property
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.common import cloud_hook, is_built
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import STRING, PropertySchema, SupportStatus


def _ignore_not_found(call: Any, *arguments: Any, **options: Any) -> Any:
    try:
        return call(*arguments, **options)
    except sdk_exceptions.SDKException as error:
        if not is_not_found(error):
            raise
    return None


class RouteTable(ResourcePlugin):
    """An AWS route table: a Neutron router of its own in the VPC."""

    type_name: ClassVar[str] = "AWS::EC2::RouteTable"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "VpcId": PropertySchema(STRING, "VPC ID for where the route table is created.", required=True),
        "Tags": tags_property("List of tags to be attached to this resource."),
    }

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        router = proxy.create_router(name=self.context.physical_resource_name())
        self.context.set_resource_id(str(router.id))
        proxy.set_tags(router, [ROUTE_TABLE_TAG_PREFIX + str(self.properties["VpcId"])])
        return None

    @cloud_hook
    def check_create_complete(self, token: Any) -> bool:
        proxy = self.context.cloud().network
        if not is_built(proxy.get_router(str(self.resource_id)).status, "Router"):
            return False
        default = router_for_vpc(proxy, str(self.properties["VpcId"]))
        gateway = default.external_gateway_info if default is not None else None
        if gateway:
            # The VPC's router reaches the internet: so does this route table.
            proxy.update_router(
                str(self.resource_id), external_gateway_info={"network_id": gateway["network_id"]}
            )
        return True

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        proxy = self.context.cloud().network
        _ignore_not_found(proxy.update_router, str(self.resource_id), external_gateway_info={})
        _ignore_not_found(proxy.delete_router, str(self.resource_id), ignore_missing=True)
        return None


class SubnetRouteTableAssociation(ResourcePlugin):
    """Moves a subnet from its VPC's router to a route table's router."""

    type_name: ClassVar[str] = "AWS::EC2::SubnetRouteTableAssociation"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "RouteTableId": PropertySchema(STRING, "Route table ID.", required=True),
        "SubnetId": PropertySchema(
            STRING, "Subnet ID.", required=True, constraints=(CustomConstraint(name="neutron.subnet"),)
        ),
    }

    def _default_router(self, proxy: Any) -> Any | None:
        subnet = _ignore_not_found(proxy.get_subnet, str(self.properties["SubnetId"]))
        if subnet is None:
            return None
        try:
            return router_for_vpc(proxy, subnet.network_id)
        except Exception as error:
            if not is_not_found(error):
                raise
        return None

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        subnet_id = str(self.properties["SubnetId"])
        previous = self._default_router(proxy)
        if previous is not None:
            _ignore_not_found(proxy.remove_interface_from_router, previous.id, subnet=subnet_id)
        proxy.add_interface_to_router(str(self.properties["RouteTableId"]), subnet=subnet_id)
        self.context.set_resource_id(self.context.physical_resource_name())
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        proxy = self.context.cloud().network
        subnet_id = str(self.properties["SubnetId"])
        _ignore_not_found(
            proxy.remove_interface_from_router, str(self.properties["RouteTableId"]), subnet=subnet_id
        )
        default = self._default_router(proxy)
        if default is not None:
            # Give the subnet back to the VPC's router.
            _ignore_not_found(proxy.add_interface_to_router, default.id, subnet=subnet_id)
        return None
