"""The records the emulated Neutron keeps: networks, subnets, ports, routers, floating IPs,
security groups and their rules. Mutable dataclasses owned by the backend (under its lock)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ROUTER_INTERFACE = "network:router_interface"
ROUTER_GATEWAY = "network:router_gateway"
FLOATING_IP_OWNER = "network:floatingip"
DHCP_OWNER = "network:dhcp"
ROUTER_OWNERS = frozenset({ROUTER_INTERFACE, ROUTER_GATEWAY, "network:router_interface_distributed"})


def new_id() -> str:
    return str(uuid.uuid4())


def timestamp() -> str:
    """Neutron's timestamp form: ``2026-11-24T22:02:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Record:
    """What every Neutron resource carries."""

    id: str
    project_id: str
    name: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=timestamp)
    updated_at: str = field(default_factory=timestamp)
    revision_number: int = 0

    def touch(self) -> None:
        self.updated_at = timestamp()
        self.revision_number += 1


@dataclass
class Network(Record):
    admin_state_up: bool = True
    shared: bool = False
    external: bool = False
    mtu: int = 1500
    port_security_enabled: bool = True
    status: str = "ACTIVE"
    subnet_ids: list[str] = field(default_factory=list)
    availability_zone_hints: list[str] = field(default_factory=list)
    dns_domain: str = ""


@dataclass
class AllocationPool:
    start: str
    end: str


@dataclass
class HostRoute:
    destination: str
    nexthop: str


@dataclass
class Subnet(Record):
    network_id: str = ""
    cidr: str = ""
    ip_version: int = 4
    gateway_ip: str | None = None
    allocation_pools: list[AllocationPool] = field(default_factory=list)
    dns_nameservers: list[str] = field(default_factory=list)
    host_routes: list[HostRoute] = field(default_factory=list)
    enable_dhcp: bool = True
    ipv6_address_mode: str | None = None
    ipv6_ra_mode: str | None = None
    subnetpool_id: str | None = None
    segment_id: str | None = None
    allocated: set[str] = field(default_factory=set)


@dataclass
class FixedIp:
    subnet_id: str
    ip_address: str


@dataclass
class AddressPair:
    ip_address: str
    mac_address: str


@dataclass
class Port(Record):
    network_id: str = ""
    mac_address: str = ""
    fixed_ips: list[FixedIp] = field(default_factory=list)
    device_id: str = ""
    device_owner: str = ""
    admin_state_up: bool = True
    status: str = "DOWN"
    security_groups: list[str] = field(default_factory=list)
    allowed_address_pairs: list[AddressPair] = field(default_factory=list)
    port_security_enabled: bool = True
    binding_host_id: str = ""
    binding_vnic_type: str = "normal"
    binding_profile: dict[str, Any] = field(default_factory=dict)
    binding_vif_type: str = "unbound"
    binding_vif_details: dict[str, Any] = field(default_factory=dict)
    dns_name: str = ""
    extra_dhcp_opts: list[dict[str, Any]] = field(default_factory=list)
    qos_policy_id: str | None = None


@dataclass
class ExternalGateway:
    network_id: str
    enable_snat: bool = True
    port_id: str = ""


@dataclass
class Router(Record):
    admin_state_up: bool = True
    status: str = "ACTIVE"
    external_gateway: ExternalGateway | None = None
    routes: list[HostRoute] = field(default_factory=list)
    distributed: bool = False
    ha: bool = False
    availability_zone_hints: list[str] = field(default_factory=list)


@dataclass
class FloatingIp(Record):
    floating_network_id: str = ""
    floating_ip_address: str = ""
    floating_port_id: str = ""
    port_id: str | None = None
    fixed_ip_address: str | None = None
    router_id: str | None = None
    status: str = "DOWN"
    dns_name: str = ""
    dns_domain: str = ""
    qos_policy_id: str | None = None


@dataclass
class SecurityGroupRule(Record):
    security_group_id: str = ""
    direction: str = "ingress"
    ethertype: str = "IPv4"
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    remote_address_group_id: str | None = None


@dataclass
class SecurityGroup(Record):
    stateful: bool = True
    shared: bool = False
    rule_ids: list[str] = field(default_factory=list)
