"""Neutron's JSON shape of each record (``tenant_id`` beside ``project_id``, ``router:external``,
``binding:*``), and the request-body attribute names mapped onto the backend's keywords."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.sandbox.network.records import (
    FloatingIp,
    Network,
    Port,
    Record,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)


def _common(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "tenant_id": record.project_id,
        "project_id": record.project_id,
        "description": record.description,
        "tags": list(record.tags),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "revision_number": record.revision_number,
    }


def network_view(network: Network) -> dict[str, Any]:
    return _common(network) | {
        "admin_state_up": network.admin_state_up,
        "status": network.status,
        "subnets": list(network.subnet_ids),
        "shared": network.shared,
        "router:external": network.external,
        "mtu": network.mtu,
        "port_security_enabled": network.port_security_enabled,
        "availability_zone_hints": list(network.availability_zone_hints),
        "availability_zones": ["nova"],
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "is_default": False,
        "l2_adjacency": True,
        "dns_domain": network.dns_domain,
    }


def subnet_view(subnet: Subnet) -> dict[str, Any]:
    return _common(subnet) | {
        "network_id": subnet.network_id,
        "ip_version": subnet.ip_version,
        "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": [{"start": pool.start, "end": pool.end} for pool in subnet.allocation_pools],
        "dns_nameservers": list(subnet.dns_nameservers),
        "host_routes": [{"destination": r.destination, "nexthop": r.nexthop} for r in subnet.host_routes],
        "enable_dhcp": subnet.enable_dhcp,
        "ipv6_ra_mode": subnet.ipv6_ra_mode,
        "ipv6_address_mode": subnet.ipv6_address_mode,
        "subnetpool_id": subnet.subnetpool_id,
        "segment_id": subnet.segment_id,
        "service_types": [],
        "dns_publish_fixed_ip": False,
    }


def port_view(port: Port) -> dict[str, Any]:
    return _common(port) | {
        "network_id": port.network_id,
        "mac_address": port.mac_address,
        "admin_state_up": port.admin_state_up,
        "status": port.status,
        "device_id": port.device_id,
        "device_owner": port.device_owner,
        "fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address} for f in port.fixed_ips],
        "allowed_address_pairs": [
            {"ip_address": pair.ip_address, "mac_address": pair.mac_address or port.mac_address}
            for pair in port.allowed_address_pairs
        ],
        "extra_dhcp_opts": list(port.extra_dhcp_opts),
        "security_groups": list(port.security_groups),
        "port_security_enabled": port.port_security_enabled,
        "binding:host_id": port.binding_host_id,
        "binding:vnic_type": port.binding_vnic_type,
        "binding:profile": dict(port.binding_profile),
        "binding:vif_type": port.binding_vif_type,
        "binding:vif_details": dict(port.binding_vif_details),
        "dns_name": port.dns_name,
        "qos_policy_id": port.qos_policy_id,
        "ip_allocation": "immediate",
        "propagate_uplink_status": False,
    }


def router_view(router: Router, gateway_port: Port | None) -> dict[str, Any]:
    gateway_info = None
    if router.external_gateway is not None:
        fixed = gateway_port.fixed_ips if gateway_port is not None else []
        gateway_info = {
            "network_id": router.external_gateway.network_id,
            "enable_snat": router.external_gateway.enable_snat,
            "external_fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address} for f in fixed],
        }
    return _common(router) | {
        "admin_state_up": router.admin_state_up,
        "status": router.status,
        "external_gateway_info": gateway_info,
        "routes": [{"destination": r.destination, "nexthop": r.nexthop} for r in router.routes],
        "distributed": router.distributed,
        "ha": router.ha,
        "availability_zone_hints": list(router.availability_zone_hints),
        "availability_zones": ["nova"],
        "flavor_id": None,
    }


def floating_ip_view(fip: FloatingIp, port: Port | None) -> dict[str, Any]:
    view = _common(fip) | {
        "floating_network_id": fip.floating_network_id,
        "floating_ip_address": fip.floating_ip_address,
        "router_id": fip.router_id,
        "port_id": fip.port_id,
        "fixed_ip_address": fip.fixed_ip_address,
        "status": fip.status,
        "dns_name": fip.dns_name,
        "dns_domain": fip.dns_domain,
        "qos_policy_id": fip.qos_policy_id,
        "port_forwardings": [],
        "port_details": None,
    }
    del view["name"]
    if port is not None:
        view["port_details"] = {
            "name": port.name,
            "network_id": port.network_id,
            "mac_address": port.mac_address,
            "admin_state_up": port.admin_state_up,
            "status": port.status,
            "device_id": port.device_id,
            "device_owner": port.device_owner,
        }
    return view


def rule_view(rule: SecurityGroupRule, default_group: bool = False) -> dict[str, Any]:
    view = _common(rule) | {
        "security_group_id": rule.security_group_id,
        "direction": rule.direction,
        "ethertype": rule.ethertype,
        "protocol": rule.protocol,
        "port_range_min": rule.port_range_min,
        "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix,
        "remote_group_id": rule.remote_group_id,
        "remote_address_group_id": rule.remote_address_group_id,
        "normalized_cidr": rule.remote_ip_prefix,
        "belongs_to_default_sg": default_group,
    }
    del view["name"]
    return view


def security_group_view(group: SecurityGroup, rules: list[SecurityGroupRule]) -> dict[str, Any]:
    is_default = group.name == "default"
    return _common(group) | {
        "stateful": group.stateful,
        "shared": group.shared,
        "security_group_rules": [rule_view(rule, is_default) for rule in rules],
    }


# -- request bodies ----------------------------------------------------------------------------

NETWORK_FIELDS: Mapping[str, str] = {
    "name": "name",
    "description": "description",
    "admin_state_up": "admin_state_up",
    "shared": "shared",
    "router:external": "external",
    "mtu": "mtu",
    "port_security_enabled": "port_security_enabled",
    "tags": "tags",
    "availability_zone_hints": "availability_zone_hints",
    "dns_domain": "dns_domain",
}
SUBNET_FIELDS: Mapping[str, str] = {
    name: name
    for name in (
        "name",
        "description",
        "network_id",
        "cidr",
        "ip_version",
        "gateway_ip",
        "allocation_pools",
        "dns_nameservers",
        "host_routes",
        "enable_dhcp",
        "ipv6_address_mode",
        "ipv6_ra_mode",
        "tags",
    )
}
PORT_FIELDS: Mapping[str, str] = {
    "name": "name",
    "description": "description",
    "network_id": "network_id",
    "fixed_ips": "fixed_ips",
    "mac_address": "mac_address",
    "device_id": "device_id",
    "device_owner": "device_owner",
    "admin_state_up": "admin_state_up",
    "security_groups": "security_groups",
    "allowed_address_pairs": "allowed_address_pairs",
    "port_security_enabled": "port_security_enabled",
    "binding:host_id": "binding_host_id",
    "binding:vnic_type": "binding_vnic_type",
    "binding:profile": "binding_profile",
    "dns_name": "dns_name",
    "tags": "tags",
    "extra_dhcp_opts": "extra_dhcp_opts",
    "qos_policy_id": "qos_policy_id",
}
ROUTER_FIELDS: Mapping[str, str] = {
    name: name
    for name in (
        "name",
        "description",
        "admin_state_up",
        "external_gateway_info",
        "routes",
        "distributed",
        "ha",
        "tags",
    )
}
FLOATING_IP_FIELDS: Mapping[str, str] = {
    name: name
    for name in (
        "floating_network_id",
        "port_id",
        "fixed_ip_address",
        "floating_ip_address",
        "subnet_id",
        "description",
        "dns_name",
        "dns_domain",
        "tags",
        "qos_policy_id",
    )
}
SECURITY_GROUP_FIELDS: Mapping[str, str] = {
    name: name for name in ("name", "description", "stateful", "tags")
}
RULE_FIELDS: Mapping[str, str] = {
    name: name
    for name in (
        "security_group_id",
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_ip_prefix",
        "remote_group_id",
        "description",
    )
}
IGNORED_FIELDS = frozenset(
    {
        "tenant_id",
        "project_id",
        "provider:network_type",
        "provider:physical_network",
        "provider:segmentation_id",
        "segments",
        "is_default",
        "availability_zone_hints",
        "subnetpool_id",
        "prefixlen",
        "use_default_subnetpool",
        "service_types",
        "segment_id",
        "dns_publish_fixed_ip",
        "binding:vif_type",
        "binding:vif_details",
        "status",
        "id",
        "propagate_uplink_status",
        "flavor_id",
        "availability_zones",
    }
)
