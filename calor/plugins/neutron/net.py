"""OS::Neutron::Net: a Neutron network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

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


class Net(NeutronPlugin):
    """A resource for managing Neutron networks.

    A network is a virtual isolated layer-2 broadcast domain which is typically reserved
    to the tenant who created it, unless it is configured to be shared.
    """

    type_name: ClassVar[str] = "OS::Neutron::Net"
    resource_kind: ClassVar[str] = "network"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(
            STRING, "A string specifying a symbolic name for the network.", update_allowed=True
        ),
        "value_specs": PropertySchema(
            MAP,
            "Extra parameters to include in the request. Parameters are often specific to installed "
            "hardware or extensions.",
            default={},
            update_allowed=True,
        ),
        "admin_state_up": PropertySchema(
            BOOLEAN,
            "A boolean value specifying the administrative status of the network.",
            default=True,
            update_allowed=True,
        ),
        "tenant_id": PropertySchema(
            STRING,
            "The ID of the tenant which will own the network. Only administrative users can set "
            "the tenant identifier; this cannot be changed using authorization policies.",
        ),
        "shared": PropertySchema(
            BOOLEAN,
            "Whether this network should be shared across all tenants. Note that the default "
            "policy setting restricts usage of this attribute to administrative users only.",
            update_allowed=True,
        ),
        "dhcp_agent_ids": PropertySchema(
            LIST,
            "The IDs of the DHCP agent to schedule the network. Note that the default policy "
            "setting in Neutron restricts usage of this property to administrative users only.",
            update_allowed=True,
        ),
        "port_security_enabled": PropertySchema(
            BOOLEAN,
            "Flag to enable/disable port security on the network. It provides the default value "
            "for the attribute of the ports created on this network.",
            update_allowed=True,
            support_status=SupportStatus(version="5.0.0"),
        ),
        "qos_policy": PropertySchema(
            STRING,
            "The name or ID of QoS policy to attach to this network.",
            update_allowed=True,
            constraints=(CustomConstraint(name="neutron.qos_policy"),),
            support_status=SupportStatus(version="6.0.0"),
        ),
        "dns_domain": PropertySchema(
            STRING,
            "DNS domain associated with this network.",
            update_allowed=True,
            constraints=(CustomConstraint(name="dns_domain"),),
            support_status=SupportStatus(version="7.0.0"),
        ),
        "tags": PropertySchema(
            LIST,
            "The tags to be added to the network.",
            schema=PropertySchema(STRING),
            update_allowed=True,
            support_status=SupportStatus(version="9.0.0"),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "status": AttributeSchema("The status of the network.", STRING),
        "name": AttributeSchema("The name of the network.", STRING),
        "subnets": AttributeSchema("Subnets of this network.", LIST),
        "admin_state_up": AttributeSchema("The administrative status of the network.", STRING),
        "tenant_id": AttributeSchema("The tenant owning this network.", STRING),
        "port_security_enabled": AttributeSchema("Port security enabled of the network.", BOOLEAN),
        "mtu": AttributeSchema("The maximum transmission unit size(in bytes) for the network.", "integer"),
        "qos_policy_id": AttributeSchema("The QoS policy ID attached to this network.", STRING),
        "l2_adjacency": AttributeSchema("A boolean value for L2 adjacency.", BOOLEAN),
        "segments": AttributeSchema("The segments of this network.", LIST),
    }

    def _body(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        """Translate names (QoS policy) and leave out what the create/update call does not take."""
        body = dict(properties)
        body.pop("dhcp_agent_ids", None)
        body.pop("tags", None)
        if "qos_policy" in body:
            policy = body.pop("qos_policy")
            body["qos_policy_id"] = resolve(self.context, "qos_policy", policy) if policy else None
        return body

    @cloud_hook
    def handle_create(self) -> Any:
        body = self._body(self.create_body())
        network = self.network_proxy().create_network(**body)
        self.context.set_resource_id(str(network.id))
        self.finish_create(network)
        return None

    @cloud_hook
    def check_create_complete(self, token: Any) -> bool:
        network = self.show_resource()
        return is_built(network.status, "Network")

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        body = self._body(self.update_body(new_properties, property_diff))
        if "tags" in property_diff:
            network = self.show_resource()
            self.network_proxy().set_tags(network, list(new_properties.get("tags") or []))
        if body:
            self.network_proxy().update_network(str(self.resource_id), **body)
        return None

    @cloud_hook
    def check_update_complete(self, token: Any) -> bool:
        return is_built(self.show_resource().status, "Network")
