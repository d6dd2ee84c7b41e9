"""What the AWS::EC2 network types share: the Tags schema, the VPC's router, the external network.

Heat maps a VPC onto a Neutron network plus a router of the same name; subnets of the VPC
are plugged into that router, and the one external network stands for the internet.
"""

from __future__ import annotations

from typing import Any

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import CloudRequestFailed, translate_errors
from calor.errors import ResourceFailure
from calor.schema.properties import LIST, MAP, STRING, PropertySchema

TAG_SCHEMA = PropertySchema(
    MAP,
    "A tag: a key and a value.",
    schema={
        "Key": PropertySchema(STRING, required=True),
        "Value": PropertySchema(STRING, required=True),
    },
)


def tags_property(description: str = "Tags to attach to this resource.") -> PropertySchema:
    """AWS's ``Tags`` list of ``{Key, Value}`` (accepted; Neutron objects do not carry them, as in Heat)."""
    return PropertySchema(LIST, description, schema=TAG_SCHEMA)


ROUTE_TABLE_TAG_PREFIX = "calor-route-table-of:"
"""Tag put on the router of an AWS::EC2::RouteTable, naming its VPC (network id)."""


def external_network_id(network_proxy: Any) -> str:
    """The id of the one external network (Heat's InternetGateway.get_external_network_id)."""
    with translate_errors("listing external networks"):
        networks = list(network_proxy.networks(is_router_external=True))
    if len(networks) != 1:
        raise CloudRequestFailed(f"Expected 1 external network, found {len(networks)}")
    return str(networks[0].id)


def router_for_vpc(network_proxy: Any, network_id: str) -> Any | None:
    """The VPC's router: the router named as the VPC's network (``None`` when there is none)."""
    with translate_errors(f"looking up the router of VPC {network_id}"):
        network = network_proxy.get_network(network_id)
        routers = [
            router for router in network_proxy.routers(name=network.name) if router.name == network.name
        ]
    if not routers:
        return None
    if len(routers) > 1:
        raise ResourceFailure(f"Multiple routers found with name {network.name}")
    return routers[0]


def route_table_routers(network_proxy: Any, network_id: str) -> list[Any]:
    """The routers of the AWS::EC2::RouteTable resources of a VPC (found by their tag)."""
    tag = ROUTE_TABLE_TAG_PREFIX + network_id
    with translate_errors("listing route tables"):
        return list(network_proxy.routers(tags=tag))


def checked(response: Any) -> Any:
    """A raw openstacksdk proxy response, or the SDK's exception for an error status.

    Proxy calls made by path (``identity.post(...)``) do not raise on errors by themselves.
    """
    sdk_exceptions.raise_from_response(response)
    return response
