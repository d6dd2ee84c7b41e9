"""A whole stack of Neutron resources through the engine (service → queue → worker → sandbox)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "net": {"type": "OS::Neutron::Net", "properties": {"name": "stack-net"}},
        "subnet": {
            "type": "OS::Neutron::Subnet",
            "properties": {"network": {"get_resource": "net"}, "cidr": "10.77.0.0/24"},
        },
        "router": {
            "type": "OS::Neutron::Router",
            "properties": {"external_gateway_info": {"network": "public"}},
        },
        "interface": {
            "type": "OS::Neutron::RouterInterface",
            "properties": {"router": {"get_resource": "router"}, "subnet": {"get_resource": "subnet"}},
        },
        "group": {
            "type": "OS::Neutron::SecurityGroup",
            "properties": {"rules": [{"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]},
        },
        "port": {
            "type": "OS::Neutron::Port",
            "properties": {
                "network": {"get_resource": "net"},
                "fixed_ips": [{"subnet": {"get_resource": "subnet"}}],
                "security_groups": [{"get_resource": "group"}],
            },
        },
        "floating": {
            "type": "OS::Neutron::FloatingIP",
            "depends_on": ["interface"],
            "properties": {"floating_network": "public", "port_id": {"get_resource": "port"}},
        },
    },
    "outputs": {
        "address": {"value": {"get_attr": ["port", "fixed_ips", 0, "ip_address"]}},
        "public": {"value": {"get_attr": ["floating", "floating_ip_address"]}},
        "cidr": {"value": {"get_attr": ["subnet", "cidr"]}},
    },
}


@pytest.fixture
def stack_service(
    tmp_path: pathlib.Path, sandbox: SandboxCloud
) -> Iterator[tuple[OrchestrationService, Worker, RequestContext]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    worker = Worker(
        repository,
        repository.queue,
        "engine-1",
        plugin_types=registry.get,
        config=EngineConfig(),
        cloud_factory=sandbox.connection,
    )
    context = RequestContext(project_id=sandbox.demo_project_id, user_id="demo")
    yield OrchestrationService(repository, registry.get), worker, context
    engine.dispose()


def test_network_stack_create_and_delete(stack_service: Any, cloud: Any) -> None:
    orchestration, worker, context = stack_service
    orchestration.create_stack(context, "topology", TEMPLATE)
    assert worker.run_once()
    body = orchestration.show_stack(context, "topology")
    assert body["stack_status"] == "CREATE_COMPLETE", body.get("stack_status_reason")
    resources = {item["resource_name"]: item for item in orchestration.list_resources(context, "topology")}
    port = cloud.network.get_port(resources["port"]["physical_resource_id"])
    assert port.security_group_ids == [resources["group"]["physical_resource_id"]]
    floating = cloud.network.get_ip(resources["floating"]["physical_resource_id"])
    assert floating.port_id == port.id
    assert (
        orchestration.show_output(context, "topology", "address")["output_value"]
        == port.fixed_ips[0]["ip_address"]
    )
    assert (
        orchestration.show_output(context, "topology", "public")["output_value"]
        == floating.floating_ip_address
    )
    assert orchestration.show_output(context, "topology", "cidr")["output_value"] == "10.77.0.0/24"

    orchestration.delete_stack(context, "topology")
    assert worker.run_once()
    network_id = resources["net"]["physical_resource_id"]
    assert cloud.network.find_network(network_id, ignore_missing=True) is None
    assert cloud.network.find_router(resources["router"]["physical_resource_id"], ignore_missing=True) is None
    assert cloud.network.find_ip(floating.id, ignore_missing=True) is None
