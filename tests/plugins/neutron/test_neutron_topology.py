"""Subnet, Port, Router, RouterInterface, FloatingIP and FloatingIPAssociation against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from neutron_harness import run_create, run_delete, run_update

from calor.clouds.errors import CloudError
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.neutron.floating_ip import FloatingIP, FloatingIPAssociation
from calor.plugins.neutron.lookup import NeutronEntityNotFound
from calor.plugins.neutron.net import Net
from calor.plugins.neutron.port import Port
from calor.plugins.neutron.router import Router, RouterInterface
from calor.plugins.neutron.subnet import Subnet


@pytest.fixture
def network(make: Any) -> Any:
    net = make(Net, {"name": "topology-net"}, name="net")
    run_create(net)
    yield net
    run_delete(net)


@pytest.fixture
def subnet(make: Any, network: Any) -> Any:
    subnet = make(Subnet, {"network": network.resource_id, "cidr": "10.10.0.0/24", "name": "topology-subnet"})
    run_create(subnet)
    yield subnet
    run_delete(subnet)


def test_subnet_resolves_the_network_by_name_and_exposes_attributes(
    make: Any, network: Any, cloud: Any
) -> None:
    subnet = make(
        Subnet,
        {
            "network": "topology-net",
            "cidr": "10.20.0.0/24",
            "allocation_pools": [{"start": "10.20.0.10", "end": "10.20.0.20"}],
            "dns_nameservers": ["8.8.8.8"],
        },
    )
    run_create(subnet)
    found = cloud.network.get_subnet(subnet.resource_id)
    assert found.network_id == network.resource_id
    assert subnet.get_attribute("cidr") == "10.20.0.0/24"
    assert subnet.get_attribute("gateway_ip") == "10.20.0.1"
    assert subnet.get_attribute("allocation_pools") == [{"start": "10.20.0.10", "end": "10.20.0.20"}]
    assert subnet.get_attribute("network_id") == network.resource_id
    assert network.get_attribute("subnets") == [subnet.resource_id]
    run_update(
        subnet,
        {
            "network": "topology-net",
            "cidr": "10.20.0.0/24",
            "dns_nameservers": ["1.1.1.1"],
            "name": "renamed",
        },
    )
    found = cloud.network.get_subnet(subnet.resource_id)
    assert (found.name, found.dns_nameservers) == ("renamed", ["1.1.1.1"])
    run_delete(subnet)
    assert cloud.network.find_subnet(subnet.resource_id, ignore_missing=True) is None


def test_subnet_without_gateway(make: Any, network: Any) -> None:
    subnet = make(Subnet, {"network": network.resource_id, "cidr": "10.30.0.0/24", "gateway_ip": ""})
    run_create(subnet)
    assert subnet.get_attribute("gateway_ip") is None
    run_delete(subnet)


def test_subnet_needs_cidr_or_pool(make: Any) -> None:
    with pytest.raises(PropertyError, match="cidr and subnetpool"):
        make(Subnet, {"network": "x"})


def test_unknown_network_name_fails_with_a_clear_message(make: Any) -> None:
    subnet = make(Subnet, {"network": "no-such-net", "cidr": "10.40.0.0/24"})
    with pytest.raises(NeutronEntityNotFound, match=r"The Network \(no-such-net\) could not be found"):
        run_create(subnet)


def test_port_with_fixed_ip_by_subnet_name_and_security_groups(
    make: Any, network: Any, subnet: Any, cloud: Any
) -> None:
    port = make(
        Port,
        {
            "network": "topology-net",
            "fixed_ips": [{"subnet": "topology-subnet", "ip_address": "10.10.0.50"}],
            "security_groups": ["default"],
        },
    )
    run_create(port)
    found = cloud.network.get_port(port.resource_id)
    assert found.fixed_ips == [{"subnet_id": subnet.resource_id, "ip_address": "10.10.0.50"}]
    default_group = cloud.network.find_security_group("default", project_id=cloud.current_project_id)
    assert found.security_group_ids == [default_group.id]
    assert port.get_attribute("fixed_ips")[0]["ip_address"] == "10.10.0.50"
    assert port.get_attribute("network_id") == network.resource_id
    assert port.get_attribute("subnets")[0]["cidr"] == "10.10.0.0/24"
    assert port.get_attribute("mac_address")
    assert port.get_attribute("status") in ("ACTIVE", "DOWN")

    # Security groups change in place; removing the property returns to the default group.
    group = cloud.network.create_security_group(name="extra-group")
    run_update(port, {**_raw(port), "security_groups": ["extra-group"], "name": "renamed-port"})
    found = cloud.network.get_port(port.resource_id)
    assert (found.name, found.security_group_ids) == ("renamed-port", [group.id])
    run_update(port, {**_raw(port), "security_groups": None})
    assert cloud.network.get_port(port.resource_id).security_group_ids == [default_group.id]
    run_delete(port)
    cloud.network.delete_security_group(group)


def _raw(plugin: Any) -> dict[str, Any]:
    return {key: value for key, value in plugin.properties.items() if value is not None}


def test_network_in_use_is_retried_then_fails_clearly(make: Any, network: Any, cloud: Any) -> None:
    port = cloud.network.create_port(network_id=network.resource_id)
    busy = make(Net, {}, resource_id=network.resource_id)
    busy.conflict_retry_seconds = 0.0
    token = busy.handle_delete()
    assert "retry_until" in token
    with pytest.raises(ResourceFailure, match="in use"):
        busy.check_delete_complete(token)
    # Once the port is gone, a retry goes through.
    busy.conflict_retry_seconds = 60.0
    token = busy.handle_delete()
    assert busy.check_delete_complete(token) is False
    cloud.network.delete_port(port)
    run_delete(busy)
    assert cloud.network.find_network(network.resource_id, ignore_missing=True) is None


def test_router_gateway_interface_floating_ip_and_association(
    make: Any, network: Any, subnet: Any, cloud: Any
) -> None:
    router = make(Router, {"external_gateway_info": {"network": "public"}, "name": "edge"})
    run_create(router)
    public = cloud.network.find_network("public")
    assert cloud.network.get_router(router.resource_id).external_gateway_info["network_id"] == public.id
    assert router.get_attribute("status") == "ACTIVE"

    interface = make(RouterInterface, {"router": "edge", "subnet": "topology-subnet"})
    run_create(interface)
    assert interface.resource_id == f"{router.resource_id}:subnet_id={subnet.resource_id}"
    router_ports = list(cloud.network.ports(device_id=router.resource_id, network_id=network.resource_id))
    assert len(router_ports) == 1

    port = make(Port, {"network": network.resource_id})
    run_create(port)
    floating = make(FloatingIP, {"floating_network": "public"})
    run_create(floating)
    assert floating.get_attribute("floating_ip_address")
    assert floating.get_attribute("port_id") is None

    association = make(
        FloatingIPAssociation, {"floatingip_id": floating.resource_id, "port_id": port.resource_id}
    )
    run_create(association)
    assert cloud.network.get_ip(floating.resource_id).port_id == port.resource_id
    assert floating.get_attribute("fixed_ip_address") == port.get_attribute("fixed_ips")[0]["ip_address"]
    run_delete(association)
    assert cloud.network.get_ip(floating.resource_id).port_id is None

    run_update(floating, {"floating_network": "public", "port_id": port.resource_id})
    assert cloud.network.get_ip(floating.resource_id).port_id == port.resource_id
    run_delete(floating)
    assert cloud.network.find_ip(floating.resource_id, ignore_missing=True) is None

    # The router cannot go while its interface is there; the interface goes first.
    run_delete(port)
    run_delete(interface)
    assert list(cloud.network.ports(device_id=router.resource_id, network_id=network.resource_id)) == []
    run_update(router, {"name": "edge"})
    assert cloud.network.get_router(router.resource_id).external_gateway_info in (None, {})
    run_delete(router)
    assert cloud.network.find_router(router.resource_id, ignore_missing=True) is None


def test_router_interface_needs_exactly_one_of_subnet_and_port(make: Any) -> None:
    with pytest.raises(PropertyError, match="subnet and port"):
        make(RouterInterface, {"router": "r"})
    with pytest.raises(PropertyError, match="subnet and port"):
        make(RouterInterface, {"router": "r", "subnet": "s", "port": "p"})


def test_router_interface_delete_is_done_when_already_gone(make: Any) -> None:
    interface = make(RouterInterface, {"router": "r", "subnet": "s"}, resource_id="missing:subnet_id=missing")
    run_delete(interface)


def test_cloud_refusals_are_reported_as_calor_errors(make: Any, network: Any) -> None:
    subnet = make(
        Subnet,
        {
            "network": network.resource_id,
            "cidr": "10.50.0.0/24",
            "allocation_pools": [{"start": "10.60.0.10", "end": "10.60.0.20"}],
        },
    )
    with pytest.raises(CloudError) as raised:
        run_create(subnet)
    assert raised.value.status == 400


def test_port_without_fixed_ips_and_its_update(make: Any, network: Any, subnet: Any, cloud: Any) -> None:
    port = make(Port, {"network": network.resource_id, "no_fixed_ips": True})
    run_create(port)
    assert cloud.network.get_port(port.resource_id).fixed_ips == []
    run_update(port, {"network": network.resource_id, "fixed_ips": [{"subnet": subnet.resource_id}]})
    assert [ip["subnet_id"] for ip in cloud.network.get_port(port.resource_id).fixed_ips] == [
        subnet.resource_id
    ]
    # An empty fixed_ips keeps the addresses the port has.
    run_update(port, {"network": network.resource_id})
    assert len(cloud.network.get_port(port.resource_id).fixed_ips) == 1
    run_delete(port)


def test_replace_always_replaces_the_port(make: Any) -> None:
    port = make(Port, {"network": "n", "replacement_policy": "REPLACE_ALWAYS"})
    values = Port.validate_properties({"network": "n", "replacement_policy": "REPLACE_ALWAYS"}, "p")
    assert port.needs_replace(values, {})
    changed = Port.validate_properties({"network": "other"}, "p")
    assert port.needs_replace(changed, {"network": "other"})
