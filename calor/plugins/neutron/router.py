"""OS::Neutron::Router and OS::Neutron::RouterInterface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_not_found
from calor.errors import PropertyError
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook, is_built
from calor.plugins.neutron.lookup import resolve
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import (
    BOOLEAN,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)
from calor.template import paths

_GATEWAY_SCHEMA: Mapping[str, PropertySchema] = {
    "network": PropertySchema(
        STRING,
        "ID or name of the external network for the gateway.",
        required=True,
        update_allowed=True,
        constraints=(CustomConstraint(name="neutron.network"),),
    ),
    "enable_snat": PropertySchema(
        BOOLEAN,
        "Enables Source NAT on the router gateway. NOTE: The default policy setting in Neutron "
        "restricts usage of this property to administrative users only.",
        update_allowed=True,
    ),
    "external_fixed_ips": PropertySchema(
        LIST,
        "External fixed IP addresses for the gateway.",
        schema={
            "ip_address": PropertySchema(
                STRING, "External fixed IP address.", constraints=(CustomConstraint(name="ip_addr"),)
            ),
            "subnet": PropertySchema(
                STRING,
                "Subnet of external fixed IP address.",
                constraints=(CustomConstraint(name="neutron.subnet"),),
            ),
        },
        update_allowed=True,
        support_status=SupportStatus(version="6.0.0"),
    ),
}


class Router(NeutronPlugin):
    """A resource that implements Neutron router.

    Router is a physical or virtual network device that passes network traffic between
    different networks.
    """

    type_name: ClassVar[str] = "OS::Neutron::Router"
    resource_kind: ClassVar[str] = "router"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "The name of the router.", update_allowed=True),
        "external_gateway_info": PropertySchema(
            MAP,
            "External network gateway configuration for a router.",
            schema=_GATEWAY_SCHEMA,
            update_allowed=True,
        ),
        "value_specs": PropertySchema(
            MAP, "Extra parameters to include in the creation request.", default={}, update_allowed=True
        ),
        "admin_state_up": PropertySchema(
            BOOLEAN, "The administrative state of the router.", default=True, update_allowed=True
        ),
        "l3_agent_ids": PropertySchema(
            LIST,
            "ID list of the L3 agent. User can specify multi-agents for highly available router. "
            "NOTE: The default policy setting in Neutron restricts usage of this property to "
            "administrative users only.",
            update_allowed=True,
            schema=PropertySchema(STRING),
        ),
        "distributed": PropertySchema(
            BOOLEAN,
            "Indicates whether or not to create a distributed router. NOTE: The default policy "
            "setting in Neutron restricts usage of this property to administrative users only.",
        ),
        "ha": PropertySchema(
            BOOLEAN,
            "Indicates whether or not to create a highly available router. NOTE: The default "
            "policy setting in Neutron restricts usage of this property to administrative users only.",
        ),
        "tags": PropertySchema(
            LIST, "The tags to be added to the router.", schema=PropertySchema(STRING), update_allowed=True
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "status": AttributeSchema("The status of the router.", STRING),
        "external_gateway_info": AttributeSchema("Gateway network for the router.", MAP),
        "name": AttributeSchema("Friendly name of the router.", STRING),
        "admin_state_up": AttributeSchema("Administrative state of the router.", STRING),
        "tenant_id": AttributeSchema("Tenant owning the router.", STRING),
    }

    def _gateway(self, info: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if not info:
            return None
        path = paths.join(self.properties_path, "external_gateway_info")
        gateway: dict[str, Any] = {
            "network_id": resolve(self.context, "network", info["network"], path=paths.join(path, "network"))
        }
        if info.get("enable_snat") is not None:
            gateway["enable_snat"] = info["enable_snat"]
        fixed_ips = []
        for item in info.get("external_fixed_ips") or []:
            entry: dict[str, Any] = {}
            if item.get("subnet"):
                entry["subnet_id"] = resolve(self.context, "subnet", item["subnet"])
            if item.get("ip_address"):
                entry["ip_address"] = item["ip_address"]
            fixed_ips.append(entry)
        if fixed_ips:
            gateway["external_fixed_ips"] = fixed_ips
        return gateway

    def _translate(self, body: dict[str, Any], given: Mapping[str, Any], *, update: bool) -> dict[str, Any]:
        for key in ("l3_agent_ids", "tags"):
            body.pop(key, None)
        if "external_gateway_info" in given:
            body.pop("external_gateway_info", None)
            gateway = self._gateway(given.get("external_gateway_info"))
            if gateway is not None:
                body["external_gateway_info"] = gateway
            elif update:
                body["external_gateway_info"] = {}
        return body

    @cloud_hook
    def handle_create(self) -> Any:
        body = self._translate(self.create_body(), self.properties, update=False)
        router = self.network_proxy().create_router(**body)
        self.context.set_resource_id(str(router.id))
        self.finish_create(router)
        return None

    @cloud_hook
    def check_create_complete(self, token: Any) -> bool:
        return is_built(self.show_resource().status, "Router")

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        given = {key: new_properties.get(key) for key in property_diff}
        body = self._translate(self.update_body(new_properties, property_diff), given, update=True)
        if "tags" in property_diff:
            self.network_proxy().set_tags(self.show_resource(), list(new_properties.get("tags") or []))
        if body:
            self.network_proxy().update_router(str(self.resource_id), **body)
        return None


class RouterInterface(ResourcePlugin):
    """A resource for managing Neutron router interfaces.

    Router interfaces associate routers with existing subnets or ports.
    """

    type_name: ClassVar[str] = "OS::Neutron::RouterInterface"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "router": PropertySchema(
            STRING, "The router.", required=True, constraints=(CustomConstraint(name="neutron.router"),)
        ),
        "subnet": PropertySchema(
            STRING,
            "The subnet, either subnet or port should be specified.",
            constraints=(CustomConstraint(name="neutron.subnet"),),
        ),
        "port": PropertySchema(
            STRING,
            "The port, either subnet or port should be specified.",
            constraints=(CustomConstraint(name="neutron.port"),),
        ),
    }

    def validate(self) -> None:
        has_subnet = self.properties.get("subnet") is not None
        has_port = self.properties.get("port") is not None
        if has_subnet == has_port:
            raise PropertyError(
                "Exactly one of the properties subnet and port must be given.", path=self.properties_path
            )

    def _interface(self) -> tuple[str, str, str] | None:
        """(router id, ``subnet_id`` or ``port_id``, id) parsed from the physical id."""
        if not self.resource_id:
            return None
        router_id, _, rest = str(self.resource_id).partition(":")
        key, _, value = rest.partition("=")
        return router_id, key, value

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.context.cloud().network
        base = self.properties_path
        router_id = resolve(
            self.context, "router", self.properties["router"], path=paths.join(base, "router")
        )
        if self.properties.get("subnet") is not None:
            key = "subnet_id"
            value = resolve(
                self.context, "subnet", self.properties["subnet"], path=paths.join(base, "subnet")
            )
            proxy.add_interface_to_router(router_id, subnet=value)
        else:
            key = "port_id"
            value = resolve(self.context, "port", self.properties["port"], path=paths.join(base, "port"))
            proxy.add_interface_to_router(router_id, port=value)
        self.context.set_resource_id(f"{router_id}:{key}={value}")
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        interface = self._interface()
        if interface is None:
            return None
        router_id, key, value = interface
        arguments = {"subnet": value} if key == "subnet_id" else {"port": value}
        try:
            self.context.cloud().network.remove_interface_from_router(router_id, **arguments)
        except sdk_exceptions.SDKException as error:
            if not is_not_found(error):
                raise
        return None
