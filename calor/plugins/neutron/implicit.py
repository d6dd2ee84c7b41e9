"""Implicit dependencies of Neutron resources (Heat's ``add_dependencies``).

A port waits for every subnet of its network (Neutron may allocate from any of them); a
floating IP waits for the router interfaces that connect its port's subnets and for the
routers and gateways whose external network it is allocated from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.plugins.references import referenced_resource, same_reference

SUBNET = "OS::Neutron::Subnet"
ROUTER = "OS::Neutron::Router"
ROUTER_INTERFACE = "OS::Neutron::RouterInterface"
ROUTER_GATEWAY = "OS::Neutron::RouterGateway"


def _properties(definition: Any) -> Mapping[str, Any]:
    properties = getattr(definition, "properties", None)
    return properties if isinstance(properties, Mapping) else {}


def _network(properties: Mapping[str, Any]) -> Any:
    return properties.get("network", properties.get("network_id"))


def port_dependencies(properties: Mapping[str, Any], others: Mapping[str, Any]) -> set[str]:
    """The subnets on the port's network."""
    network = _network(properties)
    return {
        name
        for name, definition in others.items()
        if getattr(definition, "type_name", None) == SUBNET
        and same_reference(_network(_properties(definition)), network)
    }


def _port_subnets(port: Any) -> list[Any]:
    subnets: list[Any] = []
    fixed_ips = _properties(port).get("fixed_ips")
    if isinstance(fixed_ips, list):
        for item in fixed_ips:
            if isinstance(item, Mapping):
                subnet = item.get("subnet", item.get("subnet_id"))
                if subnet is not None:
                    subnets.append(subnet)
    return subnets


def floating_ip_dependencies(properties: Mapping[str, Any], others: Mapping[str, Any]) -> set[str]:
    """Router interfaces of the port's subnets; routers and gateways on the floating network."""
    floating_network = properties.get("floating_network", properties.get("floating_network_id"))
    port_name = referenced_resource(properties.get("port_id", properties.get("port")))
    port = others.get(port_name) if port_name is not None else None
    port_subnets = _port_subnets(port) if port is not None else []
    found: set[str] = set()
    for name, definition in others.items():
        type_name = getattr(definition, "type_name", None)
        other = _properties(definition)
        if type_name == ROUTER_INTERFACE:
            subnet = other.get("subnet", other.get("subnet_id"))
            if any(same_reference(subnet, port_subnet) for port_subnet in port_subnets):
                found.add(name)
        elif type_name == ROUTER:
            gateway = other.get("external_gateway_info")
            if isinstance(gateway, Mapping) and same_reference(gateway.get("network"), floating_network):
                found.add(name)
        elif type_name == ROUTER_GATEWAY and same_reference(_network(other), floating_network):
            found.add(name)
    return found
