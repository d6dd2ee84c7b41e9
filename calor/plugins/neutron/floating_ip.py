"""OS::Neutron::FloatingIP and OS::Neutron::FloatingIPAssociation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_not_found
from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron import implicit
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook
from calor.plugins.neutron.lookup import resolve
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import (
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)
from calor.template import paths


class FloatingIP(NeutronPlugin):
    """A resource for managing Neutron floating ips.

    Floating IP addresses can change their association between routers by action of the
    user. One of the most common use cases for floating IPs is to provide public IP
    addresses to a private cloud, where there are a limited number of IP addresses available.
    """

    type_name: ClassVar[str] = "OS::Neutron::FloatingIP"
    resource_kind: ClassVar[str] = "ip"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "floating_network": PropertySchema(
            STRING,
            "Network to allocate floating IP from.",
            required=True,
            constraints=(CustomConstraint(name="neutron.network"),),
        ),
        "floating_subnet": PropertySchema(
            STRING,
            "Subnet to allocate floating IP from.",
            constraints=(CustomConstraint(name="neutron.subnet"),),
        ),
        "value_specs": PropertySchema(
            MAP,
            'Extra parameters to include in the "floatingip" object in the creation request.',
            default={},
        ),
        "port_id": PropertySchema(
            STRING,
            "ID of an existing port with at least one IP address to associate with this floating IP.",
            update_allowed=True,
            constraints=(CustomConstraint(name="neutron.port"),),
        ),
        "fixed_ip_address": PropertySchema(
            STRING,
            "IP address to use if the port has multiple addresses.",
            update_allowed=True,
            constraints=(CustomConstraint(name="ip_addr"),),
        ),
        "floating_ip_address": PropertySchema(
            STRING,
            "IP address of the floating IP. NOTE: The default policy setting in Neutron "
            "restricts usage of this property to administrative users only.",
            constraints=(CustomConstraint(name="ip_addr"),),
        ),
        "dns_name": PropertySchema(
            STRING,
            "DNS name associated with floating ip.",
            constraints=(CustomConstraint(name="rel_dns_name"),),
        ),
        "dns_domain": PropertySchema(
            STRING,
            "DNS domain associated with floating ip.",
            constraints=(CustomConstraint(name="dns_domain"),),
        ),
        "tags": PropertySchema(
            LIST,
            "The tags to be added to the floating IP.",
            schema=PropertySchema(STRING),
            update_allowed=True,
        ),
    }

    @classmethod
    def implicit_dependencies(
        cls, name: str, properties: Mapping[str, Any], others: Mapping[str, Any]
    ) -> set[str]:
        return implicit.floating_ip_dependencies(properties, others)

    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "router_id": AttributeSchema(
            "ID of the router used as gateway, set when associated with a port.", STRING
        ),
        "tenant_id": AttributeSchema("The tenant owning this floating IP.", STRING),
        "floating_network_id": AttributeSchema("ID of the network in which this IP is allocated.", STRING),
        "fixed_ip_address": AttributeSchema("IP address of the associated port, if specified.", STRING),
        "floating_ip_address": AttributeSchema("The allocated address of this IP.", STRING),
        "port_id": AttributeSchema("ID of the port associated with this IP.", STRING),
    }

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.network_proxy()
        base = self.properties_path
        body = prepare_body(self.properties)
        body["floating_network_id"] = resolve(
            self.context, "network", body.pop("floating_network"), path=paths.join(base, "floating_network")
        )
        if "floating_subnet" in body:
            body["subnet_id"] = resolve(
                self.context, "subnet", body.pop("floating_subnet"), path=paths.join(base, "floating_subnet")
            )
        if "port_id" in body:
            body["port_id"] = resolve(self.context, "port", body["port_id"], path=paths.join(base, "port_id"))
        floating_ip = proxy.create_ip(**body)
        self.context.set_resource_id(str(floating_ip.id))
        if self.properties.get("tags"):
            proxy.set_tags(floating_ip, list(self.properties["tags"]))
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        proxy = self.network_proxy()
        if "tags" in property_diff:
            proxy.set_tags(self.show_resource(), list(new_properties.get("tags") or []))
        if "port_id" in property_diff or "fixed_ip_address" in property_diff:
            port = new_properties.get("port_id")
            proxy.update_ip(
                str(self.resource_id),
                port_id=resolve(self.context, "port", port) if port else None,
                fixed_ip_address=new_properties.get("fixed_ip_address"),
            )
        return None


def prepare_body(properties: Mapping[str, Any]) -> dict[str, Any]:
    body = {
        key: value
        for key, value in properties.items()
        if value is not None and key not in ("value_specs", "tags")
    }
    body.update(properties.get("value_specs") or {})
    return body


class FloatingIPAssociation(ResourcePlugin):
    """A resource for associating floating ips and ports.

    This resource allows associating a floating IP to a port with at least one IP address
    to associate with this floating IP.
    """

    type_name: ClassVar[str] = "OS::Neutron::FloatingIPAssociation"
    required_service: ClassVar[str | None] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "floatingip_id": PropertySchema(
            STRING, "ID of the floating IP to associate.", required=True, update_allowed=True
        ),
        "port_id": PropertySchema(
            STRING,
            "ID of an existing port with at least one IP address to associate with this floating IP.",
            required=True,
            update_allowed=True,
            constraints=(CustomConstraint(name="neutron.port"),),
        ),
        "fixed_ip_address": PropertySchema(
            STRING,
            "IP address to use if the port has multiple addresses.",
            update_allowed=True,
            constraints=(CustomConstraint(name="ip_addr"),),
        ),
    }

    def _associate(self, properties: Mapping[str, Any]) -> None:
        proxy = self.context.cloud().network
        port_id = resolve(
            self.context, "port", properties["port_id"], path=paths.join(self.properties_path, "port_id")
        )
        arguments: dict[str, Any] = {"port_id": port_id}
        if properties.get("fixed_ip_address"):
            arguments["fixed_ip_address"] = properties["fixed_ip_address"]
        proxy.update_ip(str(properties["floatingip_id"]), **arguments)

    def _dissociate(self, floating_ip_id: str) -> None:
        try:
            self.context.cloud().network.update_ip(floating_ip_id, port_id=None)
        except sdk_exceptions.SDKException as error:
            if not is_not_found(error):
                raise

    @cloud_hook
    def handle_create(self) -> Any:
        self._associate(self.properties)
        self.context.set_resource_id(str(self.properties["floatingip_id"]))
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "floatingip_id" in property_diff:
            self._dissociate(str(self.properties["floatingip_id"]))
        self._associate(new_properties)
        self.context.set_resource_id(str(new_properties["floatingip_id"]))
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is not None:
            self._dissociate(str(self.resource_id))
        return None
