"""Neutron through openstacksdk's network proxy, exactly as against a real cloud."""

from __future__ import annotations

from typing import Any

import openstack
import pytest
from openstack import exceptions


@pytest.fixture(scope="module")
def private(demo: openstack.connection.Connection) -> dict[str, object]:
    network = demo.network.create_network(name="private")
    subnet = demo.network.create_subnet(
        network_id=network.id,
        cidr="10.0.0.0/24",
        ip_version=4,
        name="private-subnet",
        dns_nameservers=["8.8.8.8"],
    )
    return {"network": network, "subnet": subnet}


def test_version_discovery_and_extensions(demo: openstack.connection.Connection) -> None:
    aliases = {extension.alias for extension in demo.network.extensions()}
    assert {"router", "external-net", "security-group", "quotas"} <= aliases


def test_public_network_is_visible_and_external(demo: openstack.connection.Connection) -> None:
    public = demo.network.find_network("public")
    assert public is not None
    assert public.is_router_external
    subnets = list(demo.network.subnets(network_id=public.id))
    assert len(subnets) == 1


def test_subnet_defaults(private: dict[str, object]) -> None:
    subnet = private["subnet"]
    assert subnet.gateway_ip == "10.0.0.1"
    assert subnet.allocation_pools == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    assert subnet.is_dhcp_enabled
    assert subnet.dns_nameservers == ["8.8.8.8"]


def test_ports_get_addresses_from_the_pool(demo: openstack.connection.Connection, private: dict) -> None:
    network, subnet = private["network"], private["subnet"]
    first = demo.network.create_port(network_id=network.id, name="first")
    chosen = demo.network.create_port(
        network_id=network.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.0.0.50"}]
    )
    assert first.fixed_ips[0]["subnet_id"] == subnet.id
    assert first.fixed_ips[0]["ip_address"].startswith("10.0.0.")
    assert chosen.fixed_ips == [{"subnet_id": subnet.id, "ip_address": "10.0.0.50"}]
    assert first.mac_address.startswith("fa:16:3e:")
    assert first.status == "DOWN"
    default_group = demo.network.find_security_group("default")
    assert first.security_group_ids == [default_group.id]
    with pytest.raises(exceptions.ConflictException, match="already allocated"):
        demo.network.create_port(
            network_id=network.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.0.0.50"}]
        )
    found = list(demo.network.ports(fixed_ips=["ip_address=10.0.0.50"]))
    assert [port.id for port in found] == [chosen.id]
    updated = demo.network.update_port(chosen, device_id="server-1", device_owner="compute:nova")
    assert updated.status == "ACTIVE"
    demo.network.delete_port(first)
    demo.network.delete_port(chosen)
    assert demo.network.find_port(first.id) is None


def test_network_and_subnet_in_use_are_refused(demo: openstack.connection.Connection) -> None:
    network = demo.network.create_network(name="busy")
    subnet = demo.network.create_subnet(network_id=network.id, cidr="10.9.0.0/29", ip_version=4)
    port = demo.network.create_port(network_id=network.id)
    with pytest.raises(exceptions.ConflictException, match="one or more ports"):
        demo.network.delete_network(network)
    with pytest.raises(exceptions.ConflictException, match="IP allocation"):
        demo.network.delete_subnet(subnet)
    demo.network.delete_port(port)
    demo.network.delete_network(network)
    assert demo.network.find_network(network.id) is None
    assert demo.network.find_subnet(subnet.id) is None


def test_pool_exhaustion(demo: openstack.connection.Connection) -> None:
    network = demo.network.create_network(name="tiny")
    demo.network.create_subnet(network_id=network.id, cidr="10.8.0.0/30", ip_version=4)
    port = demo.network.create_port(network_id=network.id)
    assert port.fixed_ips[0]["ip_address"] == "10.8.0.2"
    with pytest.raises(exceptions.ConflictException, match="No more IP addresses"):
        demo.network.create_port(network_id=network.id)
    demo.network.delete_port(port)
    demo.network.delete_network(network)


def test_router_interfaces_and_floating_ip(demo: openstack.connection.Connection, private: dict) -> None:
    network, subnet = private["network"], private["subnet"]
    public = demo.network.find_network("public")
    router = demo.network.create_router(name="router", external_gateway_info={"network_id": public.id})
    gateway = router.external_gateway_info
    assert gateway["network_id"] == public.id
    assert gateway["external_fixed_ips"][0]["ip_address"].startswith("172.24.4.")

    server_port = demo.network.create_port(network_id=network.id)
    unreachable = demo.network.create_ip(floating_network_id=public.id)
    with pytest.raises(exceptions.NotFoundException, match="not reachable"):
        demo.network.update_ip(unreachable, port_id=server_port.id)

    info = demo.network.add_interface_to_router(router, subnet=subnet.id)
    assert info["subnet_id"] == subnet.id
    interface = demo.network.get_port(info["port_id"])
    assert interface.device_owner == "network:router_interface"
    assert interface.fixed_ips[0]["ip_address"] == "10.0.0.1"
    with pytest.raises(exceptions.BadRequestException, match="already has a port"):
        demo.network.add_interface_to_router(router, subnet=subnet.id)

    fip = demo.network.update_ip(unreachable, port_id=server_port.id)
    assert fip.status == "ACTIVE"
    assert fip.router_id == router.id
    assert fip.fixed_ip_address == server_port.fixed_ips[0]["ip_address"]
    assert fip.floating_ip_address.startswith("172.24.4.")

    with pytest.raises(exceptions.ConflictException):
        demo.network.delete_router(router)
    with pytest.raises(exceptions.ConflictException):
        demo.network.delete_port(interface)
    with pytest.raises(exceptions.ConflictException, match="required by floating IP"):
        demo.network.remove_interface_from_router(router, subnet=subnet.id)

    demo.network.delete_port(server_port)
    assert demo.network.get_ip(fip).port_id is None
    demo.network.delete_ip(fip)
    demo.network.remove_interface_from_router(router, subnet=subnet.id)
    assert demo.network.find_port(interface.id) is None
    demo.network.delete_router(router)


def test_security_group_rules(demo: openstack.connection.Connection) -> None:
    group = demo.network.create_security_group(name="web", description="web servers")
    assert {(rule["direction"], rule["ethertype"]) for rule in group.security_group_rules} == {
        ("egress", "IPv4"),
        ("egress", "IPv6"),
    }
    rule = demo.network.create_security_group_rule(
        security_group_id=group.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=80,
        port_range_max=80,
        remote_ip_prefix="0.0.0.0/0",
    )
    assert rule.ether_type == "IPv4"
    with pytest.raises(exceptions.ConflictException, match="already exists"):
        demo.network.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=80,
            port_range_max=80,
            remote_ip_prefix="0.0.0.0/0",
        )
    with pytest.raises(exceptions.BadRequestException):
        demo.network.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=90,
            port_range_max=80,
        )
    default = demo.network.find_security_group("default")
    assert len(default.security_group_rules) == 4
    with pytest.raises(exceptions.ConflictException):
        demo.network.delete_security_group(default)
    demo.network.delete_security_group_rule(rule)
    demo.network.delete_security_group(group)


def test_quota_exceeded_is_409(
    sandbox: Any, admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    project_id = sandbox.project_id("demo")
    used = len([router for router in demo.network.routers()])
    admin.network.update_quota(project_id, routers=used + 1)
    try:
        router = demo.network.create_router(name="one-allowed")
        with pytest.raises(exceptions.ConflictException, match="Quota exceeded"):
            demo.network.create_router(name="too-many")
        details = demo.network.get_quota(project_id, details=True)
        assert details.routers["used"] == used + 1
        demo.network.delete_router(router)
    finally:
        admin.network.delete_quota(project_id)
    assert admin.network.get_quota(project_id).routers == 10


def test_projects_do_not_see_each_other(
    admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    network = admin.network.create_network(name="admin-only")
    assert demo.network.find_network(network.id) is None
    with pytest.raises(exceptions.ForbiddenException):
        demo.network.create_network(name="shared-net", shared=True)
    admin.network.delete_network(network)


def test_tags(demo: openstack.connection.Connection) -> None:
    network = demo.network.create_network(name="tagged")
    demo.network.set_tags(network, ["blue", "green"])
    assert demo.network.get_network(network).tags == ["blue", "green"]
    assert [net.id for net in demo.network.networks(tags="blue")] == [network.id]
    assert list(demo.network.networks(tags="blue,red")) == []
    assert [net.id for net in demo.network.networks(any_tags="red,green")] == [network.id]
    network.add_tag(demo.network, "red")
    network.remove_tag(demo.network, "blue")
    assert demo.network.get_network(network).tags == ["green", "red"]
    demo.network.delete_network(network)


def test_extra_routes_need_a_connected_next_hop(demo: openstack.connection.Connection) -> None:
    network = demo.network.create_network(name="routed")
    subnet = demo.network.create_subnet(network_id=network.id, cidr="10.20.0.0/24", ip_version=4)
    router = demo.network.create_router(name="routes")
    with pytest.raises(exceptions.BadRequestException, match="not connected"):
        demo.network.update_router(router, routes=[{"destination": "192.0.2.0/24", "nexthop": "10.20.0.9"}])
    demo.network.add_interface_to_router(router, subnet=subnet.id)
    route = {"destination": "192.0.2.0/24", "nexthop": "10.20.0.9"}
    demo.network.add_extra_routes_to_router(router, {"router": {"routes": [route]}})
    assert demo.network.get_router(router).routes == [route]
    demo.network.remove_extra_routes_from_router(router, {"router": {"routes": [route]}})
    assert demo.network.get_router(router).routes == []
    demo.network.remove_interface_from_router(router, subnet=subnet.id)
    demo.network.delete_router(router)
    demo.network.delete_network(network)
