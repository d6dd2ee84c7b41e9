"""OS::Neutron::Subnet: an IP address block on a Neutron network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.errors import PropertyError
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook
from calor.plugins.neutron.lookup import resolve
from calor.schema.constraints import AllowedValues, CustomConstraint
from calor.schema.properties import (
    BOOLEAN,
    INTEGER,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)
from calor.template import paths

_IPV6_MODES = AllowedValues(values=("dhcpv6-stateful", "dhcpv6-stateless", "slaac"))


class Subnet(NeutronPlugin):
    """A resource for managing Neutron subnets.

    A subnet represents an IP address block that can be used for assigning IP addresses
    to virtual instances. Each subnet must have a CIDR and must be associated with a network.
    """

    type_name: ClassVar[str] = "OS::Neutron::Subnet"
    resource_kind: ClassVar[str] = "subnet"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "network": PropertySchema(
            STRING,
            "The ID or name of the attached network.",
            required=True,
            constraints=(CustomConstraint(name="neutron.network"),),
        ),
        "subnetpool": PropertySchema(
            STRING,
            "The name or ID of the subnet pool.",
            constraints=(CustomConstraint(name="neutron.subnetpool"),),
        ),
        "prefixlen": PropertySchema(INTEGER, "Prefix length for subnet allocation from subnet pool."),
        "cidr": PropertySchema(
            STRING,
            "The CIDR.",
            constraints=(CustomConstraint(name="net_cidr"),),
        ),
        "value_specs": PropertySchema(
            MAP, "Extra parameters to include in the request.", default={}, update_allowed=True
        ),
        "name": PropertySchema(STRING, "The name of the subnet.", update_allowed=True),
        "ip_version": PropertySchema(
            INTEGER,
            "The IP version, which is 4 or 6.",
            default=4,
            constraints=(AllowedValues(values=(4, 6)),),
        ),
        "dns_nameservers": PropertySchema(
            LIST, "A specified set of DNS name servers to be used.", default=[], update_allowed=True
        ),
        "gateway_ip": PropertySchema(
            STRING,
            'The gateway IP address. Set to any of [ null | ~ | "" ] to create/update a subnet '
            "without a gateway. If omitted when creation, neutron will assign the first free IP "
            "address within the subnet to the gateway automatically.",
            update_allowed=True,
        ),
        "enable_dhcp": PropertySchema(
            BOOLEAN,
            "Set to true if DHCP is enabled and false if DHCP is disabled.",
            default=True,
            update_allowed=True,
        ),
        "allocation_pools": PropertySchema(
            LIST,
            "The start and end addresses for the allocation pools.",
            schema={
                "start": PropertySchema(
                    STRING,
                    "Start address for the allocation pool.",
                    required=True,
                    constraints=(CustomConstraint(name="ip_addr"),),
                ),
                "end": PropertySchema(
                    STRING,
                    "End address for the allocation pool.",
                    required=True,
                    constraints=(CustomConstraint(name="ip_addr"),),
                ),
            },
            update_allowed=True,
        ),
        "tenant_id": PropertySchema(STRING, "The ID of the tenant who owns the network."),
        "host_routes": PropertySchema(
            LIST,
            "A list of host route dictionaries for the subnet.",
            schema={
                "destination": PropertySchema(
                    STRING,
                    "The destination for static route.",
                    required=True,
                    constraints=(CustomConstraint(name="net_cidr"),),
                ),
                "nexthop": PropertySchema(
                    STRING,
                    "The next hop for the destination.",
                    required=True,
                    constraints=(CustomConstraint(name="ip_addr"),),
                ),
            },
            update_allowed=True,
        ),
        "ipv6_ra_mode": PropertySchema(
            STRING, "IPv6 RA (Router Advertisement) mode.", constraints=(_IPV6_MODES,)
        ),
        "ipv6_address_mode": PropertySchema(STRING, "IPv6 address mode.", constraints=(_IPV6_MODES,)),
        "segment": PropertySchema(
            STRING,
            "The name/ID of the segment to associate.",
            update_allowed=True,
            support_status=SupportStatus(version="9.0.0"),
        ),
        "tags": PropertySchema(
            LIST,
            "The tags to be added to the subnet.",
            schema=PropertySchema(STRING),
            update_allowed=True,
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "name": AttributeSchema("Friendly name of the subnet.", STRING),
        "network_id": AttributeSchema("Parent network of the subnet.", STRING),
        "tenant_id": AttributeSchema("Tenant owning the subnet.", STRING),
        "allocation_pools": AttributeSchema("Ip allocation pools and their ranges.", LIST),
        "gateway_ip": AttributeSchema("Ip of the subnet's gateway.", STRING),
        "host_routes": AttributeSchema("Additional routes for this subnet.", LIST),
        "ip_version": AttributeSchema("Ip version for the subnet.", STRING),
        "cidr": AttributeSchema("CIDR block notation for this subnet.", STRING),
        "dns_nameservers": AttributeSchema("List of dns nameservers.", LIST),
        "enable_dhcp": AttributeSchema(
            "'true' if DHCP is enabled for this subnet; 'false' otherwise.", STRING
        ),
        "segment_id": AttributeSchema("The segment ID of the subnet.", STRING),
    }

    def validate(self) -> None:
        super().validate()
        has_cidr = self.properties.get("cidr") is not None
        has_pool = self.properties.get("subnetpool") is not None
        if has_cidr == has_pool:
            raise PropertyError(
                "Exactly one of the properties cidr and subnetpool must be given.", path=self.properties_path
            )
        if self.properties.get("prefixlen") is not None and not has_pool:
            raise PropertyError(
                "The property prefixlen needs subnetpool.", path=paths.join(self.properties_path, "prefixlen")
            )
        if self.properties.get("ip_version") == 4:
            for key in ("ipv6_ra_mode", "ipv6_address_mode"):
                if self.properties.get(key) is not None:
                    raise PropertyError(
                        f"{key} is not supported for ip_version 4.",
                        path=paths.join(self.properties_path, key),
                    )

    def _translate(self, body: dict[str, Any]) -> dict[str, Any]:
        body.pop("tags", None)
        if "network" in body:
            body["network_id"] = resolve(self.context, "network", body.pop("network"))
        if "subnetpool" in body:
            body["subnetpool_id"] = resolve(self.context, "subnet_pool", body.pop("subnetpool"))
        if "segment" in body:
            body["segment_id"] = body.pop("segment")
        if body.get("gateway_ip") == "":
            body["gateway_ip"] = None
        return body

    @cloud_hook
    def handle_create(self) -> Any:
        body = self._translate(self.create_body())
        subnet = self.network_proxy().create_subnet(**body)
        self.context.set_resource_id(str(subnet.id))
        self.finish_create(subnet)
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        body = self._translate(self.update_body(new_properties, property_diff))
        if "gateway_ip" in property_diff and not property_diff["gateway_ip"]:
            body["gateway_ip"] = None
        if "tags" in property_diff:
            self.network_proxy().set_tags(self.show_resource(), list(new_properties.get("tags") or []))
        if body:
            self.network_proxy().update_subnet(str(self.resource_id), **body)
        return None
