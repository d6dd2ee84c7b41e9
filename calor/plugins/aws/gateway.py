"""AWS::EC2::InternetGateway and AWS::EC2::VPCGatewayAttachment.

The internet is the cloud's one external network. An internet gateway is only a name;
attaching it to a VPC sets the external network as the gateway of the VPC's router and of
the routers of the VPC's route tables. (Heat finds the route tables among the stack's
resources; Calor's plugins do not see their stack, so route table routers carry a tag
naming their VPC, and route tables created later copy the gateway of the VPC's router.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_not_found
from calor.plugins.aws.common import external_network_id, route_table_routers, router_for_vpc, tags_property
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.common import cloud_hook
from calor.plugins.references import same_reference
from calor.schema.properties import STRING, PropertySchema, SupportStatus


class InternetGateway(ResourcePlugin):
    """An AWS internet gateway: stands for the cloud's external network."""

    type_name: ClassVar[str] = "AWS::EC2::InternetGateway"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {"Tags": tags_property()}

    def handle_create(self) -> Any:
        self.context.set_resource_id(self.context.physical_resource_name())
        return None


class VPCGatewayAttachment(ResourcePlugin):
    """Connects a VPC's routers to the external network."""

    type_name: ClassVar[str] = "AWS::EC2::VPCGatewayAttachment"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "VpcId": PropertySchema(STRING, "VPC ID for this gateway association.", required=True),
        "InternetGatewayId": PropertySchema(STRING, "ID of the InternetGateway."),
        "VpnGatewayId": PropertySchema(STRING, "ID of the VPNGateway to attach to the VPC."),
    }

    @classmethod
    def implicit_dependencies(
        cls, name: str, properties: Mapping[str, Any], others: Mapping[str, Any]
    ) -> set[str]:
        """The stack's route tables of the same VPC: attaching sets their routers' gateway (Heat)."""
        vpc = properties.get("VpcId")
        return {
            other
            for other, definition in others.items()
            if getattr(definition, "type_name", None) == "AWS::EC2::RouteTable"
            and same_reference((getattr(definition, "properties", None) or {}).get("VpcId"), vpc)
        }

    def _routers(self, proxy: Any) -> list[Any]:
        network_id = str(self.properties["VpcId"])
        routers = route_table_routers(proxy, network_id)
        try:
            default = router_for_vpc(proxy, network_id)
        except Exception as error:
            if not is_not_found(error):
                raise
            default = None
        if default is not None and all(router.id != default.id for router in routers):
            routers.append(default)
        return routers

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        external = external_network_id(proxy)
        for router in self._routers(proxy):
            proxy.update_router(router.id, external_gateway_info={"network_id": external})
        self.context.set_resource_id(self.context.physical_resource_name())
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        proxy = self.context.cloud().network
        for router in self._routers(proxy):
            try:
                proxy.update_router(router.id, external_gateway_info={})
            except sdk_exceptions.SDKException as error:
                if not is_not_found(error):
                    raise
        return None
