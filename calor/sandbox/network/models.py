"""The emulated Neutron's backend: networks, subnets and ports with IP allocation, and quotas.

No HTTP here. Routers and floating IPs live in :mod:`.routers`, security groups in
:mod:`.security_groups`; all three share one :class:`NetworkStore` and one lock.

In-process API for the compute service (Nova's server ports)::

    backend.create_port(project_id, network_id, fixed_ips=[{"subnet_id": ..., "ip_address": ...}],
                        device_id=server_id, device_owner="compute:nova")  -> Port
    backend.bind_port(port_id, device_id=server_id, device_owner="compute:nova", host="sandbox")
    backend.unbind_port(port_id)        # a port the user made: kept, device cleared
    backend.delete_port(port_id)        # a port Nova made for the server
    backend.get_port(port_id) / backend.ports_of_device(server_id)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.framework.quotas import Quotas
from calor.sandbox.framework.store import StateStore
from calor.sandbox.network import addresses, ipam
from calor.sandbox.network.persistence import LOADERS, StatePersistence
from calor.sandbox.network.quotas import NetworkQuotas
from calor.sandbox.network.records import (
    DHCP_OWNER,
    FLOATING_IP_OWNER,
    ROUTER_OWNERS,
    FloatingIp,
    Network,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    new_id,
)
from calor.sandbox.network.routers import RouterOperations
from calor.sandbox.network.security_groups import SecurityGroupOperations
from calor.sandbox.network.subnets import SubnetOperations

__all__ = ["NetworkBackend", "NetworkStore", "Scope"]

PUBLIC_NETWORK_NAME = "public"
PUBLIC_SUBNET_NAME = "public-subnet"
DEFAULT_PUBLIC_CIDR = "172.24.4.0/24"
DEFAULT_MTU = 1500
UNSET = ipam.UNSET


@dataclass(frozen=True)
class Scope:
    """Who asks: a project, and whether it is an administrator (who sees every project's records)."""

    project_id: str
    is_admin: bool = False


@dataclass
class NetworkStore:
    networks: dict[str, Network] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    ports: dict[str, Port] = field(default_factory=dict)
    routers: dict[str, Router] = field(default_factory=dict)
    floating_ips: dict[str, FloatingIp] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    security_group_rules: dict[str, SecurityGroupRule] = field(default_factory=dict)


def _owned(record_project: str, scope: Scope | None) -> bool:
    return scope is None or scope.is_admin or record_project == scope.project_id


class NetworkBackend:
    """All Neutron state and its rules; every public method is atomic under ``lock``."""

    def __init__(self, quotas: Quotas, *, store: StateStore | None = None) -> None:
        # One lock with the state store's: other services call in while holding it.
        self.lock = store.lock if store is not None else threading.RLock()
        self.store = NetworkStore()
        self.quotas = NetworkQuotas(quotas)
        self.persistence = StatePersistence(store) if store is not None else None
        if self.persistence is not None:
            tables = self.persistence.load()
            for name, records in (tables or {}).items():
                setattr(self.store, name, records)
        self.routers = RouterOperations(self)
        self.security_groups = SecurityGroupOperations(self)
        self.subnets = SubnetOperations(self)
        self.public_network_id: str | None = None
        self._depth = 0

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the lock for a mutation; the outermost one saves the state when it succeeds."""
        with self.lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            if self._depth == 0 and self.persistence is not None:
                self.persistence.save({name: getattr(self.store, name) for name in LOADERS})

    # -- bootstrap -----------------------------------------------------------------------------

    def bootstrap(self, admin_project_id: str, *, public_cidr: str = DEFAULT_PUBLIC_CIDR) -> Network:
        """Create the external network ``public`` with its subnet, once; returns it."""
        with self.changing():
            for network in self.store.networks.values():
                if network.name == PUBLIC_NETWORK_NAME and network.external:
                    self.public_network_id = network.id
                    return network
            network = self.create_network(
                admin_project_id, name=PUBLIC_NETWORK_NAME, external=True, check_quota=False
            )
            self.subnets.create_subnet(
                admin_project_id, network.id, public_cidr, name=PUBLIC_SUBNET_NAME, enable_dhcp=False
            )
            self.public_network_id = network.id
            return network

    def usage(self, project_id: str, resource: str) -> int:
        stores: dict[str, Mapping[str, Any]] = {
            "network": self.store.networks,
            "subnet": self.store.subnets,
            "port": self.store.ports,
            "router": self.store.routers,
            "floatingip": self.store.floating_ips,
            "security_group": self.store.security_groups,
            "security_group_rule": self.store.security_group_rules,
        }
        records = stores.get(resource, {})
        return sum(1 for record in records.values() if record.project_id == project_id)

    def check_quota(self, project_id: str, resource: str) -> None:
        self.quotas.check(project_id, resource, self.usage(project_id, resource))

    # -- networks ------------------------------------------------------------------------------

    def create_network(
        self,
        project_id: str,
        *,
        name: str = "",
        description: str = "",
        admin_state_up: bool = True,
        shared: bool = False,
        external: bool = False,
        mtu: int | None = None,
        port_security_enabled: bool = True,
        tags: Sequence[str] = (),
        availability_zone_hints: Sequence[str] = (),
        check_quota: bool = True,
    ) -> Network:
        with self.changing():
            if check_quota:
                self.check_quota(project_id, "network")
            if mtu is not None and not 68 <= mtu <= 9000:
                raise BadRequest(f"Invalid input for mtu. Reason: '{mtu}' is not in range 68 through 9000.")
            network = Network(
                id=new_id(),
                project_id=project_id,
                name=name,
                description=description,
                admin_state_up=admin_state_up,
                shared=shared,
                external=external,
                mtu=mtu or DEFAULT_MTU,
                port_security_enabled=port_security_enabled,
                tags=list(tags),
                availability_zone_hints=list(availability_zone_hints),
            )
            self.store.networks[network.id] = network
            return network

    def network_visible(self, network: Network, scope: Scope | None) -> bool:
        return _owned(network.project_id, scope) or network.shared or network.external

    def get_network(self, network_id: str, scope: Scope | None = None) -> Network:
        with self.lock:
            network = self.store.networks.get(network_id)
            if network is None or not self.network_visible(network, scope):
                raise NotFound(f"Network {network_id} could not be found.", error_type="NetworkNotFound")
            return network

    def list_networks(self, scope: Scope | None = None) -> list[Network]:
        with self.lock:
            return [net for net in self.store.networks.values() if self.network_visible(net, scope)]

    def _owned_network(self, network_id: str, scope: Scope | None) -> Network:
        network = self.get_network(network_id, scope)
        if not _owned(network.project_id, scope):
            raise NotFound(f"Network {network_id} could not be found.", error_type="NetworkNotFound")
        return network

    def update_network(self, network_id: str, scope: Scope | None = None, **changes: Any) -> Network:
        allowed = {
            "name",
            "description",
            "admin_state_up",
            "shared",
            "external",
            "mtu",
            "port_security_enabled",
            "tags",
            "dns_domain",
        }
        with self.changing():
            network = self._owned_network(network_id, scope)
            for key, value in changes.items():
                if key not in allowed:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(network, key, value)
            network.touch()
            return network

    def delete_network(self, network_id: str, scope: Scope | None = None) -> None:
        """Refused with 409 NetworkInUse while ports other than DHCP ports remain."""
        with self.changing():
            network = self._owned_network(network_id, scope)
            ports = [port for port in self.store.ports.values() if port.network_id == network_id]
            if any(port.device_owner != DHCP_OWNER for port in ports):
                raise Conflict(
                    f"Unable to complete operation on network {network_id}. "
                    "There are one or more ports still in use on the network.",
                    error_type="NetworkInUse",
                )
            for port in ports:
                self._release_port(port)
            for subnet_id in list(network.subnet_ids):
                self.store.subnets.pop(subnet_id, None)
            del self.store.networks[network_id]

    # -- ports ---------------------------------------------------------------------------------

    def create_port(
        self,
        project_id: str,
        network_id: str,
        *,
        scope: Scope | None = None,
        name: str = "",
        description: str = "",
        fixed_ips: Sequence[Mapping[str, Any]] | None = None,
        mac_address: str | None = None,
        device_id: str = "",
        device_owner: str = "",
        admin_state_up: bool = True,
        security_groups: Sequence[str] | None = None,
        allowed_address_pairs: Sequence[Mapping[str, str]] = (),
        port_security_enabled: bool | None = None,
        binding_host_id: str = "",
        binding_vnic_type: str = "normal",
        binding_profile: Mapping[str, Any] | None = None,
        dns_name: str = "",
        tags: Sequence[str] = (),
        check_quota: bool = True,
    ) -> Port:
        """A port on ``network_id``; with ``fixed_ips`` None one IPv4 address (and one per IPv6
        subnet) is allocated from the pools. ``scope`` (when given) must see the network."""
        with self.changing():
            network = self.get_network(network_id, scope)
            if check_quota:
                self.check_quota(project_id, "port")
            taken_macs = {
                port.mac_address for port in self.store.ports.values() if port.network_id == network_id
            }
            if mac_address is not None:
                if not addresses.valid_mac(mac_address):
                    raise BadRequest(
                        f"Invalid input for mac_address. Reason: '{mac_address}' is not a valid MAC."
                    )
                mac_address = mac_address.lower()
                if mac_address in taken_macs:
                    raise Conflict(
                        f"Unable to complete operation for network {network_id}. "
                        f"The mac address {mac_address} is in use.",
                        error_type="MacAddressInUse",
                    )
            security_enabled = (
                network.port_security_enabled if port_security_enabled is None else port_security_enabled
            )
            groups = self._port_security_groups(project_id, device_owner, security_enabled, security_groups)
            chosen = ipam.allocate(self.store.subnets, network, fixed_ips)
            port = Port(
                id=new_id(),
                project_id=project_id,
                name=name,
                description=description,
                network_id=network_id,
                mac_address=mac_address or addresses.random_mac(taken_macs),
                fixed_ips=chosen,
                device_id=device_id,
                device_owner=device_owner,
                admin_state_up=admin_state_up,
                security_groups=groups,
                allowed_address_pairs=ipam.address_pairs(allowed_address_pairs, security_enabled),
                port_security_enabled=security_enabled,
                binding_host_id=binding_host_id,
                binding_vnic_type=binding_vnic_type,
                binding_profile=dict(binding_profile or {}),
                dns_name=dns_name,
                tags=list(tags),
            )
            ipam.refresh_status(port)
            for fixed in chosen:
                self.store.subnets[fixed.subnet_id].allocated.add(fixed.ip_address)
            self.store.ports[port.id] = port
            return port

    def _port_security_groups(
        self, project_id: str, device_owner: str, enabled: bool, requested: Sequence[str] | None
    ) -> list[str]:
        if requested is not None:
            if requested and not enabled:
                raise BadRequest(
                    "Port has security group associated. Cannot disable port security or ip address "
                    "until security group is removed",
                    error_type="PortSecurityPortHasSecurityGroup",
                )
            for group_id in requested:
                self.security_groups.get_group(group_id, Scope(project_id))
            return list(dict.fromkeys(requested))
        if not enabled or device_owner.startswith("network:"):
            return []
        return [self.security_groups.default_group(project_id).id]

    def port_visible(self, port: Port, scope: Scope | None) -> bool:
        return _owned(port.project_id, scope)

    def get_port(self, port_id: str, scope: Scope | None = None) -> Port:
        with self.lock:
            port = self.store.ports.get(port_id)
            if port is None or not self.port_visible(port, scope):
                raise NotFound(f"Port {port_id} could not be found.", error_type="PortNotFound")
            return port

    def list_ports(self, scope: Scope | None = None) -> list[Port]:
        with self.lock:
            return [port for port in self.store.ports.values() if self.port_visible(port, scope)]

    def ports_of_device(self, device_id: str) -> list[Port]:
        with self.lock:
            return [port for port in self.store.ports.values() if port.device_id == device_id]

    def update_port(self, port_id: str, scope: Scope | None = None, **changes: Any) -> Port:
        simple = {
            "name",
            "description",
            "device_id",
            "device_owner",
            "admin_state_up",
            "dns_name",
            "tags",
            "binding_host_id",
            "binding_vnic_type",
            "binding_profile",
            "extra_dhcp_opts",
            "qos_policy_id",
        }
        with self.changing():
            port = self.get_port(port_id, scope)
            enabled = changes.pop("port_security_enabled", port.port_security_enabled)
            if "fixed_ips" in changes:
                self._reallocate(port, changes.pop("fixed_ips"))
            if "security_groups" in changes:
                port.security_groups = self._port_security_groups(
                    port.project_id, port.device_owner, enabled, changes.pop("security_groups") or []
                )
            elif not enabled and port.security_groups:
                self._port_security_groups(port.project_id, port.device_owner, enabled, port.security_groups)
            if "allowed_address_pairs" in changes:
                port.allowed_address_pairs = ipam.address_pairs(
                    changes.pop("allowed_address_pairs") or [], enabled
                )
            elif not enabled and port.allowed_address_pairs:
                ipam.address_pairs([vars(pair) for pair in port.allowed_address_pairs], enabled)
            port.port_security_enabled = enabled
            for key, value in changes.items():
                if key not in simple:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(port, key, value)
            ipam.refresh_status(port)
            port.touch()
            return port

    def _reallocate(self, port: Port, fixed_ips: Sequence[Mapping[str, Any]]) -> None:
        network = self.store.networks[port.network_id]
        old = list(port.fixed_ips)
        for fixed in old:
            self.store.subnets[fixed.subnet_id].allocated.discard(fixed.ip_address)
        try:
            chosen = ipam.allocate(self.store.subnets, network, fixed_ips)
        except Exception:
            for fixed in old:
                self.store.subnets[fixed.subnet_id].allocated.add(fixed.ip_address)
            raise
        for fixed in chosen:
            self.store.subnets[fixed.subnet_id].allocated.add(fixed.ip_address)
        port.fixed_ips = chosen

    def bind_port(
        self, port_id: str, *, device_id: str, device_owner: str = "compute:nova", host: str = "sandbox"
    ) -> Port:
        """Attach a port to a server (Nova's port binding); 409 PortInUse when bound elsewhere."""
        with self.changing():
            port = self.get_port(port_id)
            if port.device_id and port.device_id != device_id:
                raise Conflict(
                    f"Unable to complete operation on port {port_id} for network {port.network_id}. "
                    f"Port already has an attached device {port.device_id}.",
                    error_type="PortInUse",
                )
            port.device_id, port.device_owner, port.binding_host_id = device_id, device_owner, host
            ipam.refresh_status(port)
            port.touch()
            return port

    def unbind_port(self, port_id: str) -> Port:
        with self.changing():
            port = self.get_port(port_id)
            port.device_id, port.device_owner, port.binding_host_id = "", "", ""
            ipam.refresh_status(port)
            port.touch()
            return port

    def delete_port(self, port_id: str, scope: Scope | None = None, *, internal: bool = False) -> None:
        """Delete a port and free its addresses; router and floating IP ports only with ``internal``."""
        with self.changing():
            port = self.get_port(port_id, scope)
            if not internal and (
                port.device_owner in ROUTER_OWNERS or port.device_owner == FLOATING_IP_OWNER
            ):
                raise Conflict(
                    f"Port {port_id} cannot be deleted directly via the port API: has device owner "
                    f"{port.device_owner}.",
                    error_type="L3PortInUse",
                )
            self._release_port(port)

    def _release_port(self, port: Port) -> None:
        for fixed in port.fixed_ips:
            subnet = self.store.subnets.get(fixed.subnet_id)
            if subnet is not None:
                subnet.allocated.discard(fixed.ip_address)
        self.routers.port_deleted(port.id)
        self.store.ports.pop(port.id, None)
