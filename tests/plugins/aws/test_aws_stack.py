"""A CloudFormation template of AWS types through the engine (service → queue → worker → sandbox)."""

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
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.88.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.88.1.0/24"},
        },
        "Gateway": {"Type": "AWS::EC2::InternetGateway"},
        "Attachment": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Gateway"}},
        },
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "ssh",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": "22", "ToPort": "22", "CidrIp": "0.0.0.0/0"}
                ],
            },
        },
        "Server": {
            "Type": "AWS::EC2::Instance",
            "DependsOn": ["Attachment"],
            "Metadata": {"AWS::CloudFormation::Init": {"config": {}}},
            "Properties": {
                "ImageId": "cirros-0.6.2-x86_64-disk",
                "InstanceType": "m1.tiny",
                "SubnetId": {"Ref": "Subnet"},
                "SecurityGroupIds": [{"Ref": "Group"}],
                "UserData": {"Fn::Base64": "#!/bin/sh\necho hi\n"},
            },
        },
        "Address": {
            "Type": "AWS::EC2::EIP",
            "Properties": {"Domain": "vpc", "InstanceId": {"Ref": "Server"}},
        },
    },
    "Outputs": {
        "PrivateIp": {"Value": {"Fn::GetAtt": ["Server", "PrivateIp"]}},
        "PublicAddress": {"Value": {"Ref": "Address"}},
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


def test_vpc_instance_and_elastic_ip_stack(stack_service: Any, cloud: Any) -> None:
    orchestration, worker, context = stack_service
    orchestration.create_stack(context, "web", TEMPLATE)
    assert worker.run_once()
    body = orchestration.show_stack(context, "web")
    assert body["stack_status"] == "CREATE_COMPLETE", body.get("stack_status_reason")
    resources = {item["resource_name"]: item for item in orchestration.list_resources(context, "web")}
    server_id = resources["Server"]["physical_resource_id"]
    (port,) = list(cloud.network.ports(device_id=server_id))
    assert port.security_group_ids == [resources["Group"]["physical_resource_id"]]
    floating = cloud.network.get_ip(resources["Address"]["physical_resource_id"])
    assert floating.port_id == port.id
    assert (
        orchestration.show_output(context, "web", "PrivateIp")["output_value"]
        == port.fixed_ips[0]["ip_address"]
    )
    assert (
        orchestration.show_output(context, "web", "PublicAddress")["output_value"]
        == floating.floating_ip_address
    )

    orchestration.delete_stack(context, "web")
    assert worker.run_once()
    assert cloud.compute.find_server(server_id, ignore_missing=True) is None
    assert cloud.network.find_network(resources["Vpc"]["physical_resource_id"], ignore_missing=True) is None
    assert cloud.network.find_ip(floating.id, ignore_missing=True) is None
