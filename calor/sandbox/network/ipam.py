"""Neutron's IPAM and port rules: subnet gateway, pools and routes checked, fixed IPs chosen from
the pools or as requested, allowed address pairs, and a port's status from its binding."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.network import addresses
from calor.sandbox.network.records import (
    AddressPair,
    AllocationPool,
    FixedIp,
    HostRoute,
    Network,
    Port,
    Subnet,
)

UNSET: Any = object()
"""The default of ``gateway_ip``: absent means the subnet's first address, None means no gateway."""


def fixed_ip_requests(fixed_ips: Iterable[Mapping[str, Any]]) -> list[tuple[str | None, str | None]]:
    requests: list[tuple[str | None, str | None]] = []
    for entry in fixed_ips:
        if not isinstance(entry, Mapping):
            raise BadRequest("Invalid input for fixed_ips. Reason: each entry must be a dictionary.")
        unknown = set(entry) - {"subnet_id", "ip_address"}
        if unknown:
            raise BadRequest(f"Invalid input for fixed_ips. Reason: unexpected keys {sorted(unknown)}.")
        requests.append((entry.get("subnet_id"), entry.get("ip_address")))
    return requests


def checked_gateway(network: addresses.IpNetwork, gateway_ip: str | None) -> str | None:
    if gateway_ip is UNSET:
        return addresses.default_gateway(network)
    if gateway_ip is None:
        return None
    gateway = addresses.parse_address(gateway_ip, "gateway_ip")
    if (
        gateway.version != network.version
        or gateway in (network.network_address,)
        or (network.version == 4 and gateway == network.broadcast_address)
    ):
        raise BadRequest(f"Invalid input for operation: Gateway is not valid on subnet: {gateway_ip}.")
    return str(gateway)


def checked_pools(
    network: addresses.IpNetwork, pools: Sequence[Mapping[str, str]] | None, gateway: str | None
) -> list[AllocationPool]:
    if not pools:
        return addresses.default_pools(network, gateway)
    parsed = []
    for pool in pools:
        if "start" not in pool or "end" not in pool:
            raise BadRequest("Invalid input for allocation_pools. Reason: each pool needs start and end.")
        parsed.append(AllocationPool(str(pool["start"]), str(pool["end"])))
    addresses.validate_pools(network, parsed, gateway)
    return parsed


def checked_routes(routes: Sequence[Mapping[str, str]]) -> list[HostRoute]:
    checked = []
    for route in routes:
        try:
            destination = str(ipaddress.ip_network(route["destination"], strict=False))
            nexthop = str(ipaddress.ip_address(route["nexthop"]))
        except (KeyError, ValueError, TypeError) as error:
            raise BadRequest(f"Invalid input for host_routes. Reason: invalid route {route!r}.") from error
        checked.append(HostRoute(destination, nexthop))
    return checked


def allocate(
    subnets_by_id: Mapping[str, Subnet], network: Network, fixed_ips: Sequence[Mapping[str, Any]] | None
) -> list[FixedIp]:
    """Addresses for a new port; nothing is marked allocated until all succeed."""
    subnets = [subnets_by_id[subnet_id] for subnet_id in network.subnet_ids]
    chosen: list[FixedIp] = []
    if fixed_ips is None:
        ipv4 = [subnet for subnet in subnets if subnet.ip_version == 4]
        for subnet in ipv4:
            address = addresses.next_free_address(subnet)
            if address is not None:
                chosen.append(FixedIp(subnet.id, address))
                break
        else:
            if ipv4:
                raise Conflict(
                    f"No more IP addresses available on network {network.id}.",
                    error_type="IpAddressGenerationFailure",
                )
        for subnet in subnets:
            if subnet.ip_version == 6:
                address = addresses.next_free_address(subnet)
                if address is not None:
                    chosen.append(FixedIp(subnet.id, address))
        return chosen
    taken: set[str] = set()
    for subnet_id, requested in fixed_ip_requests(fixed_ips):
        subnet = subnet_for_request(subnets_by_id, network, subnet_id, requested)
        if requested is not None:
            address = addresses.check_requested_address(subnet, requested)
            if (subnet.id, address) in {(f.subnet_id, f.ip_address) for f in chosen}:
                raise Conflict(
                    f"IP address {address} already allocated in subnet {subnet.id}",
                    error_type="IpAddressAlreadyAllocated",
                )
        else:
            saved = set(subnet.allocated)
            subnet.allocated |= taken
            free = addresses.next_free_address(subnet)
            subnet.allocated = saved
            if free is None:
                raise Conflict(
                    f"No more IP addresses available on network {network.id}.",
                    error_type="IpAddressGenerationFailure",
                )
            address = free
        taken.add(address)
        chosen.append(FixedIp(subnet.id, address))
    return chosen


def subnet_for_request(
    subnets_by_id: Mapping[str, Subnet], network: Network, subnet_id: str | None, requested: str | None
) -> Subnet:
    if subnet_id is not None:
        subnet = subnets_by_id.get(subnet_id)
        if subnet is None:
            raise NotFound(f"Subnet {subnet_id} could not be found.", error_type="SubnetNotFound")
        if subnet.network_id != network.id:
            raise BadRequest(
                f"Invalid input for operation: Failed to create port on network {network.id}, "
                f"because fixed_ips included invalid subnet {subnet_id}.",
                error_type="InvalidInput",
            )
        return subnet
    if requested is None:
        raise BadRequest("Invalid input for fixed_ips. Reason: give a subnet_id or an ip_address.")
    address = addresses.parse_address(requested)
    for candidate_id in network.subnet_ids:
        candidate = subnets_by_id[candidate_id]
        if address in ipaddress.ip_network(candidate.cidr):
            return candidate
    raise BadRequest(
        f"Invalid input for operation: IP address {requested} is not a valid IP for any of the "
        f"subnets on the specified network.",
        error_type="InvalidIpForNetwork",
    )


def address_pairs(pairs: Sequence[Mapping[str, str]], security_enabled: bool) -> list[AddressPair]:
    if pairs and not security_enabled:
        raise Conflict(
            "Port Security must be enabled in order to have allowed address pairs on a port.",
            error_type="AddressPairAndPortSecurityRequired",
        )
    checked = []
    for pair in pairs:
        if "ip_address" not in pair:
            raise BadRequest(
                "Allowed address pairs must have an ip_address.",
                error_type="AllowedAddressPairsMissingIP",
            )
        try:
            ipaddress.ip_network(pair["ip_address"], strict=False)
        except ValueError as error:
            raise BadRequest(f"'{pair['ip_address']}' is not a valid IP address or CIDR.") from error
        checked.append(AddressPair(pair["ip_address"], pair.get("mac_address", "")))
    return checked


def refresh_status(port: Port) -> None:
    bound = bool(port.device_owner) or bool(port.binding_host_id)
    port.status = "ACTIVE" if bound and port.admin_state_up else "DOWN"
    port.binding_vif_type = (
        "ovs" if port.binding_host_id or port.device_owner.startswith("compute:") else ("unbound")
    )
    if port.binding_vif_type == "ovs" and not port.binding_host_id:
        port.binding_host_id = "sandbox"
