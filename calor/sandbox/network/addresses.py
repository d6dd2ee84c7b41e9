"""Subnet address arithmetic: default gateway and allocation pools, pool validation, IP and MAC
allocation, as Neutron's IPAM does it."""

from __future__ import annotations

import ipaddress
import itertools
import random
from collections.abc import Iterable, Sequence

from calor.sandbox.framework.errors import BadRequest, Conflict
from calor.sandbox.network.records import AllocationPool, Subnet

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The OUI Neutron uses by default (base_mac fa:16:3e:00:00:00).
MAC_PREFIX = "fa:16:3e"


def parse_cidr(cidr: str, ip_version: int) -> IpNetwork:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError as error:
        raise BadRequest(f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.") from error
    if network.version != ip_version:
        raise BadRequest(
            f"Invalid input for operation: cidr '{cidr}' does not match the ip_version '{ip_version}'.",
            error_type="InvalidInput",
        )
    return network


def parse_address(address: str, what: str = "ip_address") -> IpAddress:
    try:
        return ipaddress.ip_address(address)
    except ValueError as error:
        raise BadRequest(
            f"Invalid input for {what}. Reason: '{address}' is not a valid IP address.",
            error_type="InvalidInput",
        ) from error


def usable_range(network: IpNetwork) -> tuple[IpAddress, IpAddress]:
    """The first and last host addresses (IPv4 leaves out network and broadcast addresses)."""
    if network.num_addresses <= 2:
        return network[0], network[-1]
    if network.version == 4:
        return network[1], network[-2]
    return network[1], network[-1]


def default_gateway(network: IpNetwork) -> str:
    return str(usable_range(network)[0])


def default_pools(network: IpNetwork, gateway_ip: str | None) -> list[AllocationPool]:
    """The whole usable range, cut around the gateway."""
    first, last = usable_range(network)
    if gateway_ip is None:
        return [AllocationPool(str(first), str(last))]
    gateway = int(ipaddress.ip_address(gateway_ip))
    low, high = int(first), int(last)
    make = type(first)
    pools: list[AllocationPool] = []
    if low < gateway:
        pools.append(AllocationPool(str(first), str(make(min(high, gateway - 1)))))
    if gateway < high:
        pools.append(AllocationPool(str(make(max(low, gateway + 1))), str(last)))
    return pools


def validate_pools(network: IpNetwork, pools: Sequence[AllocationPool], gateway_ip: str | None) -> None:
    """Every pool inside the subnet, ordered, not overlapping another, not holding the gateway."""
    ranges: list[tuple[int, int]] = []
    for pool in pools:
        start_address = parse_address(pool.start, "allocation_pools")
        end_address = parse_address(pool.end, "allocation_pools")
        start, end = int(start_address), int(end_address)
        if start_address not in network or end_address not in network or start > end:
            raise BadRequest(
                f"The allocation pool {pool.start}-{pool.end} spans beyond the subnet cidr {network}.",
                error_type="OutOfBoundsAllocationPool",
            )
        ranges.append((start, end))
    ranges.sort()
    for (_, previous_end), (start, _end) in itertools.pairwise(ranges):
        if start <= previous_end:
            raise BadRequest(
                "Found overlapping allocation pools: a pool overlaps another pool.",
                error_type="OverlappingAllocationPools",
            )
    if gateway_ip is not None:
        gateway = int(ipaddress.ip_address(gateway_ip))
        for start, end in ranges:
            if start <= gateway <= end:
                raise Conflict(
                    f"Gateway ip {gateway_ip} conflicts with an allocation pool.",
                    error_type="GatewayConflictWithAllocationPools",
                )


def in_pools(subnet: Subnet, address: IpAddress) -> bool:
    number = int(address)
    return any(
        int(ipaddress.ip_address(pool.start)) <= number <= int(ipaddress.ip_address(pool.end))
        for pool in subnet.allocation_pools
    )


def next_free_address(subnet: Subnet) -> str | None:
    """The lowest address of the subnet's pools that is not allocated, or None when full."""
    for pool in subnet.allocation_pools:
        first = ipaddress.ip_address(pool.start)
        make = type(first)
        for number in range(int(first), int(ipaddress.ip_address(pool.end)) + 1):
            text = str(make(number))
            if text not in subnet.allocated:
                return text
    return None


def check_requested_address(subnet: Subnet, requested: str) -> str:
    """A requested address must lie in the subnet and be free; returns its canonical form."""
    address = parse_address(requested)
    network = ipaddress.ip_network(subnet.cidr)
    if address.version != network.version or address not in network:
        raise BadRequest(
            f"IP address {requested} is not a valid IP for the specified subnet.",
            error_type="InvalidIpForSubnet",
        )
    text = str(address)
    if text in subnet.allocated:
        raise Conflict(
            f"IP address {text} already allocated in subnet {subnet.id}",
            error_type="IpAddressAlreadyAllocated",
        )
    return text


def overlapping(cidr: str, others: Iterable[str]) -> str | None:
    network = ipaddress.ip_network(cidr)
    for other in others:
        other_network = ipaddress.ip_network(other)
        if other_network.version == network.version and network.overlaps(other_network):
            return other
    return None


def random_mac(taken: set[str]) -> str:
    while True:
        suffix = ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))
        mac = f"{MAC_PREFIX}:{suffix}"
        if mac not in taken:
            return mac


def valid_mac(mac: str) -> bool:
    parts = mac.split(":")
    return len(parts) == 6 and all(
        len(part) == 2 and all(c in "0123456789abcdefABCDEF" for c in part) for part in parts
    )
