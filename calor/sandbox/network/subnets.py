"""Subnets of the emulated Neutron: cidr, gateway, allocation pools, DNS servers and host routes;
a subnet with allocations other than DHCP ports cannot be deleted (409 SubnetInUse)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.network import addresses, ipam
from calor.sandbox.network.records import DHCP_OWNER, Subnet, new_id

if TYPE_CHECKING:
    from calor.sandbox.network.models import NetworkBackend, Scope

UNSET = ipam.UNSET


def _owned(project_id: str, scope: Scope | None) -> bool:
    return scope is None or scope.is_admin or project_id == scope.project_id


class SubnetOperations:
    """Subnets, on the backend's store and under its lock."""

    def __init__(self, backend: NetworkBackend) -> None:
        self.backend = backend

    def create_subnet(
        self,
        project_id: str,
        network_id: str,
        cidr: str,
        *,
        scope: Scope | None = None,
        ip_version: int = 4,
        name: str = "",
        description: str = "",
        gateway_ip: str | None = UNSET,
        allocation_pools: Sequence[Mapping[str, str]] | None = None,
        dns_nameservers: Sequence[str] = (),
        host_routes: Sequence[Mapping[str, str]] = (),
        enable_dhcp: bool = True,
        ipv6_address_mode: str | None = None,
        ipv6_ra_mode: str | None = None,
        tags: Sequence[str] = (),
        check_quota: bool = True,
    ) -> Subnet:
        with self.backend.changing():
            network = self.backend._owned_network(network_id, scope)
            if check_quota:
                self.backend.check_quota(project_id, "subnet")
            if ip_version not in (4, 6):
                raise BadRequest(f"Invalid input for ip_version. Reason: '{ip_version}' is not in [4, 6].")
            parsed = addresses.parse_cidr(cidr, ip_version)
            if parsed.num_addresses < 4 and ip_version == 4:
                raise BadRequest(f"Invalid input for operation: {cidr} is too small a subnet.")
            siblings = [self.backend.store.subnets[sid].cidr for sid in network.subnet_ids]
            clash = addresses.overlapping(str(parsed), siblings)
            if clash is not None:
                raise BadRequest(
                    f"Invalid input for operation: Requested subnet with cidr: {parsed} for network: "
                    f"{network_id} overlaps with another subnet.",
                    error_type="InvalidInput",
                )
            gateway = ipam.checked_gateway(parsed, gateway_ip)
            pools = ipam.checked_pools(parsed, allocation_pools, gateway)
            subnet = Subnet(
                id=new_id(),
                project_id=project_id,
                name=name,
                description=description,
                network_id=network_id,
                cidr=str(parsed),
                ip_version=ip_version,
                gateway_ip=gateway,
                allocation_pools=pools,
                dns_nameservers=[str(addresses.parse_address(s, "dns_nameservers")) for s in dns_nameservers],
                host_routes=ipam.checked_routes(host_routes),
                enable_dhcp=enable_dhcp,
                ipv6_address_mode=ipv6_address_mode,
                ipv6_ra_mode=ipv6_ra_mode,
                tags=list(tags),
            )
            self.backend.store.subnets[subnet.id] = subnet
            network.subnet_ids.append(subnet.id)
            network.touch()
            return subnet

    def subnet_visible(self, subnet: Subnet, scope: Scope | None) -> bool:
        if _owned(subnet.project_id, scope):
            return True
        network = self.backend.store.networks.get(subnet.network_id)
        return network is not None and (network.shared or network.external)

    def get_subnet(self, subnet_id: str, scope: Scope | None = None) -> Subnet:
        with self.backend.lock:
            subnet = self.backend.store.subnets.get(subnet_id)
            if subnet is None or not self.subnet_visible(subnet, scope):
                raise NotFound(f"Subnet {subnet_id} could not be found.", error_type="SubnetNotFound")
            return subnet

    def list_subnets(self, scope: Scope | None = None) -> list[Subnet]:
        with self.backend.lock:
            return [
                subnet for subnet in self.backend.store.subnets.values() if self.subnet_visible(subnet, scope)
            ]

    def update_subnet(self, subnet_id: str, scope: Scope | None = None, **changes: Any) -> Subnet:
        with self.backend.changing():
            subnet = self.get_subnet(subnet_id, scope)
            if not _owned(subnet.project_id, scope):
                raise NotFound(f"Subnet {subnet_id} could not be found.", error_type="SubnetNotFound")
            network = ipaddress.ip_network(subnet.cidr)
            gateway = subnet.gateway_ip
            if "gateway_ip" in changes:
                gateway = ipam.checked_gateway(network, changes.pop("gateway_ip"))
            if "allocation_pools" in changes:
                subnet.allocation_pools = ipam.checked_pools(
                    network, changes.pop("allocation_pools"), gateway
                )
            else:
                addresses.validate_pools(network, subnet.allocation_pools, gateway)
            subnet.gateway_ip = gateway
            if "host_routes" in changes:
                subnet.host_routes = ipam.checked_routes(changes.pop("host_routes") or [])
            if "dns_nameservers" in changes:
                servers = changes.pop("dns_nameservers") or []
                subnet.dns_nameservers = [str(addresses.parse_address(s, "dns_nameservers")) for s in servers]
            for key, value in changes.items():
                if key not in {"name", "description", "enable_dhcp", "tags"}:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(subnet, key, value)
            subnet.touch()
            return subnet

    def delete_subnet(self, subnet_id: str, scope: Scope | None = None) -> None:
        """Refused with 409 SubnetInUse while a port other than a DHCP port holds an address."""
        with self.backend.changing():
            subnet = self.get_subnet(subnet_id, scope)
            if not _owned(subnet.project_id, scope):
                raise NotFound(f"Subnet {subnet_id} could not be found.", error_type="SubnetNotFound")
            users = [
                port
                for port in self.backend.store.ports.values()
                if any(fixed.subnet_id == subnet_id for fixed in port.fixed_ips)
            ]
            if any(port.device_owner != DHCP_OWNER for port in users):
                raise Conflict(
                    f"Unable to complete operation on subnet {subnet_id}: "
                    "One or more ports have an IP allocation from this subnet.",
                    error_type="SubnetInUse",
                )
            for port in users:
                port.fixed_ips = [fixed for fixed in port.fixed_ips if fixed.subnet_id != subnet_id]
            network = self.backend.store.networks[subnet.network_id]
            network.subnet_ids.remove(subnet_id)
            network.touch()
            del self.backend.store.subnets[subnet_id]
