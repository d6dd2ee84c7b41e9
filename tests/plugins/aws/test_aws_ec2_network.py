"""AWS::EC2 network types on the sandbox's Neutron: VPC, Subnet, gateways, route tables,
network interfaces, elastic IPs and security groups."""

from __future__ import annotations

from typing import Any

import pytest
from aws_harness import run_create, run_delete, run_update

from calor.errors import PropertyError
from calor.plugins.aws.eip import ElasticIp, ElasticIpAssociation
from calor.plugins.aws.gateway import InternetGateway, VPCGatewayAttachment
from calor.plugins.aws.network_interface import NetworkInterface
from calor.plugins.aws.route_table import RouteTable, SubnetRouteTableAssociation
from calor.plugins.aws.security_group import SecurityGroup
from calor.plugins.aws.vpc import VPC, Subnet


@pytest.fixture
def vpc(make: Any) -> Any:
    vpc = make(VPC, {"CidrBlock": "10.0.0.0/16"}, name="vpc")
    run_create(vpc)
    yield vpc
    run_delete(vpc)


@pytest.fixture
def subnet(make: Any, vpc: Any) -> Any:
    subnet = make(Subnet, {"VpcId": vpc.resource_id, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "nova"})
    run_create(subnet)
    yield subnet
    run_delete(subnet)


def _router_of(cloud: Any, vpc: Any) -> Any:
    network = cloud.network.get_network(vpc.resource_id)
    (router,) = [router for router in cloud.network.routers(name=network.name)]
    return router


def _subnet_routers(cloud: Any, subnet_id: str) -> set[str]:
    ports = cloud.network.ports(device_owner="network:router_interface")
    return {port.device_id for port in ports if any(ip["subnet_id"] == subnet_id for ip in port.fixed_ips)}


def test_vpc_is_a_network_and_a_router_of_the_same_name(make: Any, cloud: Any) -> None:
    vpc = make(VPC, {"CidrBlock": "10.0.0.0/16"}, name="vpc")
    run_create(vpc)
    network = cloud.network.get_network(vpc.resource_id)
    assert network.name.startswith("stack-vpc-")
    assert _router_of(cloud, vpc).name == network.name
    assert vpc.reference_id() == vpc.resource_id
    run_delete(vpc)
    assert cloud.network.find_network(vpc.resource_id, ignore_missing=True) is None
    assert list(cloud.network.routers(name=network.name)) == []


def test_dedicated_tenancy_is_refused(make: Any) -> None:
    with pytest.raises(PropertyError, match="Dedicated"):
        make(VPC, {"CidrBlock": "10.0.0.0/16", "InstanceTenancy": "dedicated"})


def test_subnet_is_plugged_into_the_vpc_router(cloud: Any, vpc: Any, subnet: Any) -> None:
    found = cloud.network.get_subnet(subnet.resource_id)
    assert (found.network_id, found.cidr) == (vpc.resource_id, "10.0.1.0/24")
    assert _subnet_routers(cloud, subnet.resource_id) == {_router_of(cloud, vpc).id}
    assert subnet.get_attribute("AvailabilityZone") == "nova"


def test_gateway_attachment_route_table_and_association(make: Any, cloud: Any, vpc: Any, subnet: Any) -> None:
    public = cloud.network.find_network("public")
    gateway = make(InternetGateway, {}, name="gateway")
    run_create(gateway)
    assert gateway.reference_id().startswith("stack-gateway-")

    table = make(RouteTable, {"VpcId": vpc.resource_id}, name="table")
    run_create(table)
    attachment = make(
        VPCGatewayAttachment, {"VpcId": vpc.resource_id, "InternetGatewayId": gateway.reference_id()}
    )
    run_create(attachment)
    assert _router_of(cloud, vpc).external_gateway_info["network_id"] == public.id
    assert cloud.network.get_router(table.resource_id).external_gateway_info["network_id"] == public.id

    # A route table made after the attachment copies the VPC router's gateway.
    late = make(RouteTable, {"VpcId": vpc.resource_id}, name="late")
    run_create(late)
    assert cloud.network.get_router(late.resource_id).external_gateway_info["network_id"] == public.id
    run_delete(late)

    association = make(
        SubnetRouteTableAssociation, {"RouteTableId": table.resource_id, "SubnetId": subnet.resource_id}
    )
    run_create(association)
    assert _subnet_routers(cloud, subnet.resource_id) == {table.resource_id}
    run_delete(association)
    assert _subnet_routers(cloud, subnet.resource_id) == {_router_of(cloud, vpc).id}

    run_delete(attachment)
    assert not _router_of(cloud, vpc).external_gateway_info
    run_delete(table)
    assert cloud.network.find_router(table.resource_id, ignore_missing=True) is None
    run_delete(gateway)


def test_network_interface_and_elastic_ip(make: Any, cloud: Any, vpc: Any, subnet: Any) -> None:
    group = make(SecurityGroup, {"GroupDescription": "interface group"}, name="group")
    run_create(group)
    interface = make(
        NetworkInterface,
        {"SubnetId": subnet.resource_id, "PrivateIpAddress": "10.0.1.20", "GroupSet": [group.resource_id]},
        name="interface",
    )
    run_create(interface)
    port = cloud.network.get_port(interface.resource_id)
    assert port.fixed_ips == [{"subnet_id": subnet.resource_id, "ip_address": "10.0.1.20"}]
    assert port.security_group_ids == [group.resource_id]
    assert interface.get_attribute("PrivateIpAddress") == "10.0.1.20"

    eip = make(ElasticIp, {"Domain": "vpc"}, name="eip")
    run_create(eip)
    floating = cloud.network.get_ip(eip.resource_id)
    assert eip.reference_id() == floating.floating_ip_address
    assert eip.get_attribute("AllocationId") == eip.resource_id

    association = make(
        ElasticIpAssociation, {"AllocationId": eip.resource_id, "NetworkInterfaceId": interface.resource_id}
    )
    run_create(association)
    assert cloud.network.get_ip(eip.resource_id).port_id == interface.resource_id
    # The VPC's router now reaches the floating IP's network.
    assert _router_of(cloud, vpc).external_gateway_info["network_id"] == floating.floating_network_id
    run_delete(association)
    assert cloud.network.get_ip(eip.resource_id).port_id is None

    by_address = make(ElasticIpAssociation, {"EIP": eip.reference_id(), "InstanceId": "no-such-server"})
    assert by_address.properties["EIP"] == floating.floating_ip_address

    run_delete(eip)
    assert cloud.network.find_ip(eip.resource_id, ignore_missing=True) is None
    run_delete(interface)
    run_delete(group)
    cloud.network.update_router(_router_of(cloud, vpc).id, external_gateway_info={})


def test_eip_association_validation(make: Any) -> None:
    with pytest.raises(PropertyError, match="Either 'EIP' or 'AllocationId'"):
        make(ElasticIpAssociation, {"InstanceId": "x"})
    with pytest.raises(PropertyError, match="Must specify 'InstanceId'"):
        make(ElasticIpAssociation, {"EIP": "172.24.4.10", "NetworkInterfaceId": "x"})
    with pytest.raises(PropertyError, match="InstanceId, NetworkInterfaceId"):
        make(ElasticIpAssociation, {"AllocationId": "x"})


def _rules(cloud: Any, group_id: str) -> list[tuple[Any, ...]]:
    group = cloud.network.get_security_group(group_id)
    return sorted(
        (
            rule["direction"],
            rule["ethertype"],
            rule.get("protocol"),
            rule.get("port_range_min"),
            rule.get("port_range_max"),
            rule.get("remote_ip_prefix"),
        )
        for rule in group.security_group_rules
    )


DEFAULT_EGRESS = [("egress", "IPv4", None, None, None, None), ("egress", "IPv6", None, None, None, None)]


def test_security_group_rules_and_updates(make: Any, cloud: Any) -> None:
    group = make(
        SecurityGroup,
        {
            "GroupDescription": "web",
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"},
                {"IpProtocol": "icmp", "FromPort": "-1", "ToPort": "-1", "CidrIp": "10.0.0.0/8"},
            ],
        },
        name="web",
    )
    run_create(group)
    found = cloud.network.get_security_group(group.resource_id)
    assert (found.description, found.name.startswith("stack-web-")) == ("web", True)
    assert _rules(cloud, group.resource_id) == sorted(
        [
            *DEFAULT_EGRESS,
            ("ingress", "IPv4", "tcp", 80, 80, "0.0.0.0/0"),
            ("ingress", "IPv4", "icmp", None, None, "10.0.0.0/8"),
        ]
    )
    run_update(
        group,
        {
            "GroupDescription": "web",
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": "443", "ToPort": "443", "CidrIp": "0.0.0.0/0"}
            ],
            "SecurityGroupEgress": [
                {"IpProtocol": "tcp", "FromPort": "53", "ToPort": "53", "CidrIp": "10.0.0.2/32"}
            ],
        },
    )
    assert _rules(cloud, group.resource_id) == sorted(
        [("ingress", "IPv4", "tcp", 443, 443, "0.0.0.0/0"), ("egress", "IPv4", "tcp", 53, 53, "10.0.0.2/32")]
    )
    run_delete(group)
    assert cloud.network.find_security_group(group.resource_id, ignore_missing=True) is None


def test_security_group_with_egress_rules_drops_the_defaults(make: Any, cloud: Any) -> None:
    group = make(
        SecurityGroup,
        {
            "GroupDescription": "out",
            "SecurityGroupEgress": [{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53}],
        },
    )
    run_create(group)
    assert _rules(cloud, group.resource_id) == [("egress", "IPv4", "udp", 53, 53, None)]
    run_delete(group)
