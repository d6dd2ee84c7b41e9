"""The resource graph: references, and the implicit dependencies plugins declare."""

from __future__ import annotations

from typing import Any

import pytest

from calor.engine.dependencies import checked_graph, dependency_graph
from calor.engine.loading import build_definition
from calor.graph import CycleError
from calor.plugins.registry import default_registry
from calor.template.context import StackContext


def definitions(resources: dict[str, Any]) -> Any:
    registry = default_registry()
    built = build_definition(
        template={"heat_template_version": "2018-08-31", "resources": resources},
        files=None,
        environment=None,
        parameters=None,
        context=StackContext(stack_name="stack", stack_id="stack-id", project_id="project"),
        plugin_types=registry.get,
    )
    return built.resources


NETWORK = {
    "net": {"type": "OS::Neutron::Net"},
    "subnet_a": {
        "type": "OS::Neutron::Subnet",
        "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"},
    },
    "subnet_b": {
        "type": "OS::Neutron::Subnet",
        "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.1.0/24"},
    },
    "other_net": {"type": "OS::Neutron::Net"},
    "other_subnet": {
        "type": "OS::Neutron::Subnet",
        "properties": {"network": {"get_resource": "other_net"}, "cidr": "10.1.0.0/24"},
    },
}


def test_references_make_edges() -> None:
    graph = dependency_graph(definitions(NETWORK))
    assert graph.requires("subnet_a") == ["net"]
    assert graph.requires("net") == []


def test_a_port_waits_for_every_subnet_of_its_network() -> None:
    resources = {
        **NETWORK,
        "port": {"type": "OS::Neutron::Port", "properties": {"network": {"get_resource": "net"}}},
    }
    graph = checked_graph(definitions(resources), default_registry().get)
    assert sorted(graph.requires("port")) == ["net", "subnet_a", "subnet_b"]


def test_a_port_on_a_named_network_waits_for_subnets_naming_it() -> None:
    resources = {
        "subnet": {
            "type": "OS::Neutron::Subnet",
            "properties": {"network": "private", "cidr": "10.0.0.0/24"},
        },
        "elsewhere": {
            "type": "OS::Neutron::Subnet",
            "properties": {"network": "public", "cidr": "10.2.0.0/24"},
        },
        "port": {"type": "OS::Neutron::Port", "properties": {"network": "private"}},
    }
    assert dependency_graph(definitions(resources)).requires("port") == ["subnet"]


def test_a_floating_ip_waits_for_the_router_interface_of_its_port_and_the_gateway_router() -> None:
    resources = {
        **NETWORK,
        "router": {
            "type": "OS::Neutron::Router",
            "properties": {"external_gateway_info": {"network": "public"}},
        },
        "interface": {
            "type": "OS::Neutron::RouterInterface",
            "properties": {"router": {"get_resource": "router"}, "subnet": {"get_resource": "subnet_a"}},
        },
        "unrelated_interface": {
            "type": "OS::Neutron::RouterInterface",
            "properties": {"router": {"get_resource": "router"}, "subnet": {"get_resource": "other_subnet"}},
        },
        "port": {
            "type": "OS::Neutron::Port",
            "properties": {
                "network": {"get_resource": "net"},
                "fixed_ips": [{"subnet": {"get_resource": "subnet_a"}}],
            },
        },
        "ip": {
            "type": "OS::Neutron::FloatingIP",
            "properties": {"floating_network": "public", "port_id": {"get_resource": "port"}},
        },
    }
    graph = checked_graph(definitions(resources))
    assert sorted(graph.requires("ip")) == ["interface", "port", "router"]


def test_an_implicit_dependency_never_makes_a_cycle_but_references_still_do() -> None:
    resources = {
        "net": {"type": "OS::Neutron::Net"},
        "port": {"type": "OS::Neutron::Port", "properties": {"network": {"get_resource": "net"}}},
        "subnet": {
            "type": "OS::Neutron::Subnet",
            "depends_on": ["port"],
            "properties": {"network": {"get_resource": "net"}, "cidr": "10.0.0.0/24"},
        },
    }
    graph = checked_graph(definitions(resources))
    assert graph.requires("port") == ["net"]
    looped = {
        "a": {"type": "OS::Heat::None", "depends_on": ["b"]},
        "b": {"type": "OS::Heat::None", "depends_on": ["a"]},
    }
    with pytest.raises(CycleError):
        checked_graph(definitions(looped))


def test_a_vpc_gateway_attachment_waits_for_the_route_tables_of_its_vpc() -> None:
    resources = {
        "vpc": {"type": "AWS::EC2::VPC", "properties": {"CidrBlock": "10.0.0.0/16"}},
        "other_vpc": {"type": "AWS::EC2::VPC", "properties": {"CidrBlock": "10.1.0.0/16"}},
        "gateway": {"type": "AWS::EC2::InternetGateway"},
        "table": {"type": "AWS::EC2::RouteTable", "properties": {"VpcId": {"get_resource": "vpc"}}},
        "other_table": {
            "type": "AWS::EC2::RouteTable",
            "properties": {"VpcId": {"get_resource": "other_vpc"}},
        },
        "attachment": {
            "type": "AWS::EC2::VPCGatewayAttachment",
            "properties": {
                "VpcId": {"get_resource": "vpc"},
                "InternetGatewayId": {"get_resource": "gateway"},
            },
        },
    }
    graph = checked_graph(definitions(resources))
    assert sorted(graph.requires("attachment")) == ["gateway", "table", "vpc"]


def test_stored_resources_order_a_delete_by_their_resolved_properties() -> None:
    from calor.engine.stack_operations import stored_graph
    from calor.engine.store import COMPLETE, CREATE, ResourceState

    def stored(
        name: str, type_name: str, properties: dict[str, Any], requires: tuple[str, ...] = ()
    ) -> ResourceState:
        return ResourceState(
            name=name,
            type_name=type_name,
            action=CREATE,
            status=COMPLETE,
            properties=properties,
            requires=requires,
        )

    states = {
        "net": stored("net", "OS::Neutron::Net", {}),
        "subnet": stored(
            "subnet", "OS::Neutron::Subnet", {"network": "net-id", "cidr": "10.0.0.0/24"}, ("net",)
        ),
        "port": stored("port", "OS::Neutron::Port", {"network": "net-id"}, ("net",)),
    }
    graph = stored_graph(states)
    assert sorted(graph.requires("port")) == ["net", "subnet"]
    assert graph.reversed().requires("subnet") == ["port"]  # deleted after the port
