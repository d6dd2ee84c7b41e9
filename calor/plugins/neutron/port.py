"""OS::Neutron::Port: a port on a Neutron network (addresses, security groups, bindings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.neutron import implicit
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook, is_built
from calor.plugins.neutron.lookup import resolve, resolve_many
from calor.schema.constraints import AllowedValues, CustomConstraint
from calor.schema.properties import (
    BOOLEAN,
    DEPRECATED,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)
from calor.template import paths

VNIC_TYPES = ("normal", "direct", "macvtap", "direct-physical", "baremetal", "virtio-forwarder", "smart-nic")


class Port(NeutronPlugin):
    """A resource for managing Neutron ports.

    A port represents a virtual switch port on a logical network switch. Virtual instances
    attach their interfaces into ports.
    """

    type_name: ClassVar[str] = "OS::Neutron::Port"
    resource_kind: ClassVar[str] = "port"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "network": PropertySchema(
            STRING,
            "Network this port belongs to. If you plan to use current port to assign Floating IP, "
            "you should specify fixed_ips with subnet.",
            required=True,
            constraints=(CustomConstraint(name="neutron.network"),),
        ),
        "name": PropertySchema(STRING, "A symbolic name for this port.", update_allowed=True),
        "value_specs": PropertySchema(
            MAP, "Extra parameters to include in the request.", default={}, update_allowed=True
        ),
        "admin_state_up": PropertySchema(
            BOOLEAN, "The administrative state of this port.", default=True, update_allowed=True
        ),
        "fixed_ips": PropertySchema(
            LIST,
            "Desired IPs for this port.",
            schema={
                "subnet_id": PropertySchema(
                    STRING,
                    "Subnet in which to allocate the IP address for this port.",
                    support_status=SupportStatus(
                        status=DEPRECATED, version="5.0.0", message="Use property subnet."
                    ),
                    constraints=(CustomConstraint(name="neutron.subnet"),),
                ),
                "subnet": PropertySchema(
                    STRING,
                    "Subnet in which to allocate the IP address for this port.",
                    constraints=(CustomConstraint(name="neutron.subnet"),),
                ),
                "ip_address": PropertySchema(
                    STRING,
                    "IP address desired in the subnet for this port.",
                    constraints=(CustomConstraint(name="ip_addr"),),
                ),
            },
            update_allowed=True,
        ),
        "security_groups": PropertySchema(
            LIST, "Security group IDs to associate with this port.", update_allowed=True
        ),
        "allowed_address_pairs": PropertySchema(
            LIST,
            "Additional MAC/IP address pairs allowed to pass through the port.",
            schema={
                "mac_address": PropertySchema(
                    STRING,
                    "MAC address to allow through this port.",
                    constraints=(CustomConstraint(name="mac_addr"),),
                ),
                "ip_address": PropertySchema(
                    STRING,
                    "IP address to allow through this port.",
                    required=True,
                    constraints=(CustomConstraint(name="net_cidr"),),
                ),
            },
            update_allowed=True,
        ),
        "mac_address": PropertySchema(
            STRING,
            "MAC address to give to this port. The default update policy of this property in "
            "neutron is that allow admin role only.",
            constraints=(CustomConstraint(name="mac_addr"),),
            update_allowed=True,
        ),
        "device_id": PropertySchema(STRING, "Device ID of this port.", update_allowed=True),
        "device_owner": PropertySchema(
            STRING,
            "Name of the network owning the port. The value is typically network:floatingip or "
            "network:router_interface or network:dhcp.",
            update_allowed=True,
        ),
        "replacement_policy": PropertySchema(
            STRING,
            "Policy on how to respond to a stack-update for this resource. REPLACE_ALWAYS will replace "
            "the port regardless of any property changes. AUTO will update the existing port for any "
            "changed update-allowed property.",
            default="AUTO",
            constraints=(AllowedValues(values=("REPLACE_ALWAYS", "AUTO")),),
            update_allowed=True,
            support_status=SupportStatus(
                status=DEPRECATED,
                version="6.0.0",
                message="Replacement policy used to work around flawed nova/neutron "
                "port interaction which has been fixed since Liberty.",
            ),
        ),
        "binding:vnic_type": PropertySchema(
            STRING,
            "The vnic type to be bound on the neutron port.",
            default="normal",
            constraints=(AllowedValues(values=VNIC_TYPES),),
            update_allowed=True,
            support_status=SupportStatus(version="2015.1"),
        ),
        "port_security_enabled": PropertySchema(
            BOOLEAN,
            "Flag to enable/disable port security on the port. When disable this feature(set it "
            "to False), there will be no packages filtering, like security-group and address-pairs.",
            update_allowed=True,
            support_status=SupportStatus(version="5.0.0"),
        ),
        "qos_policy": PropertySchema(
            STRING,
            "The name or ID of QoS policy to attach to this port.",
            update_allowed=True,
            constraints=(CustomConstraint(name="neutron.qos_policy"),),
        ),
        "no_fixed_ips": PropertySchema(
            BOOLEAN,
            "Flag to disable all fixed ips on the port.",
            default=False,
            update_allowed=True,
            support_status=SupportStatus(version="9.0.0"),
        ),
        "dns_name": PropertySchema(
            STRING,
            "DNS name associated with the port.",
            update_allowed=True,
            constraints=(CustomConstraint(name="dns_name"),),
        ),
        "tags": PropertySchema(
            LIST, "The tags to be added to the port.", schema=PropertySchema(STRING), update_allowed=True
        ),
    }

    @classmethod
    def implicit_dependencies(
        cls, name: str, properties: Mapping[str, Any], others: Mapping[str, Any]
    ) -> set[str]:
        return implicit.port_dependencies(properties, others)

    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "admin_state_up": AttributeSchema("The administrative state of this port.", STRING),
        "device_id": AttributeSchema("Unique identifier for the device.", STRING),
        "device_owner": AttributeSchema("Name of the network owning the port.", STRING),
        "fixed_ips": AttributeSchema("Fixed IP addresses.", LIST),
        "mac_address": AttributeSchema("MAC address of the port.", STRING),
        "name": AttributeSchema("Friendly name of the port.", STRING),
        "network_id": AttributeSchema("Unique identifier for the network owning the port.", STRING),
        "security_groups": AttributeSchema("A list of security groups for the port.", LIST),
        "status": AttributeSchema("The status of the port.", STRING),
        "tenant_id": AttributeSchema("Tenant owning the port.", STRING),
        "allowed_address_pairs": AttributeSchema(
            "Additional MAC/IP address pairs allowed to pass through a port.", LIST
        ),
        "subnets": AttributeSchema("A list of all subnet attributes for the port.", LIST),
        "port_security_enabled": AttributeSchema("Port security enabled of the port.", BOOLEAN),
        "qos_policy_id": AttributeSchema("The QoS policy ID attached to this port.", STRING),
        "dns_assignment": AttributeSchema("The DNS assigned to this port.", MAP),
        "network": AttributeSchema("The attributes of the network owning the port.", MAP),
    }

    def needs_replace(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        if new_properties.get("replacement_policy") == "REPLACE_ALWAYS":
            return True
        return super().needs_replace(new_properties, property_diff)

    def _fixed_ips(self, fixed_ips: Any, path: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for index, item in enumerate(fixed_ips or []):
            entry: dict[str, Any] = {}
            subnet = item.get("subnet") or item.get("subnet_id")
            if subnet:
                entry["subnet_id"] = resolve(self.context, "subnet", subnet, path=paths.join(path, index))
            if item.get("ip_address"):
                entry["ip_address"] = item["ip_address"]
            result.append(entry)
        return result

    def _translate(self, body: dict[str, Any], given: Mapping[str, Any], *, update: bool) -> dict[str, Any]:
        """Names → ids and Heat's rules for fixed IPs and security groups."""
        base = self.properties_path
        for key in ("replacement_policy", "no_fixed_ips", "tags"):
            body.pop(key, None)
        if "network" in body:
            body["network_id"] = resolve(
                self.context, "network", body.pop("network"), path=paths.join(base, "network")
            )
        if "qos_policy" in given:
            body.pop("qos_policy", None)
            policy = given.get("qos_policy")
            if policy:
                body["qos_policy_id"] = resolve(self.context, "qos_policy", policy)
            elif update:
                body["qos_policy_id"] = None
        if given.get("no_fixed_ips"):
            body["fixed_ips"] = []
        elif "fixed_ips" in given:
            # An empty list is not sent: Neutron assigns addresses on create and keeps them on
            # update (Heat's rule, bug 1538473).
            fixed_ips = self._fixed_ips(given.get("fixed_ips"), paths.join(base, "fixed_ips"))
            if fixed_ips:
                body["fixed_ips"] = fixed_ips
            else:
                body.pop("fixed_ips", None)
        if "security_groups" in given:
            groups = given.get("security_groups")
            if groups is not None:
                body["security_groups"] = resolve_many(
                    self.context, "security_group", groups, path=paths.join(base, "security_groups")
                )
            elif update:
                # Removing the property puts the port back into the project's default group.
                body["security_groups"] = resolve_many(self.context, "security_group", ["default"])
        if "allowed_address_pairs" in body:
            body["allowed_address_pairs"] = [
                {key: value for key, value in pair.items() if value is not None}
                for pair in body["allowed_address_pairs"]
            ]
        return body

    @cloud_hook
    def handle_create(self) -> Any:
        body = self._translate(self.create_body(), self.properties, update=False)
        port = self.network_proxy().create_port(**body)
        self.context.set_resource_id(str(port.id))
        self.finish_create(port)
        return None

    @cloud_hook
    def check_create_complete(self, token: Any) -> bool:
        return is_built(self.show_resource().status, "Port")

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        given = {key: new_properties.get(key) for key in property_diff}
        if "no_fixed_ips" in property_diff and "fixed_ips" not in given:
            given["fixed_ips"] = new_properties.get("fixed_ips")
        body = self._translate(self.update_body(new_properties, property_diff), given, update=True)
        if "tags" in property_diff:
            self.network_proxy().set_tags(self.show_resource(), list(new_properties.get("tags") or []))
        if body:
            self.network_proxy().update_port(str(self.resource_id), **body)
        return None

    @cloud_hook
    def check_update_complete(self, token: Any) -> bool:
        return is_built(self.show_resource().status, "Port")

    def resolve_attribute(self, name: str) -> Any:
        body = self.show_body()
        if body is None:
            return None
        if name == "subnets":
            proxy = self.network_proxy()
            subnets = []
            for fixed_ip in body.get("fixed_ips") or []:
                subnet = proxy.get_subnet(fixed_ip["subnet_id"])
                subnets.append(subnet.to_dict(computed=False, original_names=True))
            return subnets
        if name == "network":
            network = self.network_proxy().get_network(body["network_id"])
            return network.to_dict(computed=False, original_names=True)
        return body.get(name)
