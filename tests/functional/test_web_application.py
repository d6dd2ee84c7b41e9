"""A web application through heat-all: python-heatclient creates it on the sandbox cloud,
openstacksdk sees it there, delete leaves nothing; a server fault rolls the stack back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import openstack.config
import openstack.connection
import pytest
import requests
from heatclient import client as heat_client

from calor.cmd.all import AllInOne, AllOptions

TEMPLATE = """
heat_template_version: 2018-08-31
description: Two web servers behind one network, a floating IP and a data volume.
parameters:
  image: {type: string, default: cirros-0.6.2-x86_64-disk}
  flavor: {type: string, default: m1.tiny}
resources:
  network:
    type: OS::Neutron::Net
    properties: {name: web-net}
  subnet:
    type: OS::Neutron::Subnet
    properties:
      network: {get_resource: network}
      cidr: 10.10.0.0/24
  router:
    type: OS::Neutron::Router
    properties:
      external_gateway_info: {network: public}
  router_interface:
    type: OS::Neutron::RouterInterface
    properties:
      router: {get_resource: router}
      subnet: {get_resource: subnet}
  security_group:
    type: OS::Neutron::SecurityGroup
    properties:
      rules:
        - {protocol: tcp, port_range_min: 80, port_range_max: 80, remote_ip_prefix: 0.0.0.0/0}
        - {protocol: tcp, port_range_min: 22, port_range_max: 22, remote_ip_prefix: 0.0.0.0/0}
  port_one:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: network}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: security_group}]
  port_two:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: network}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: security_group}]
  server_one:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks: [{port: {get_resource: port_one}}]
  server_two:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks: [{port: {get_resource: port_two}}]
  floating_ip:
    type: OS::Neutron::FloatingIP
    depends_on: router_interface
    properties:
      floating_network: public
      port_id: {get_resource: port_one}
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties:
      instance_uuid: {get_resource: server_one}
      volume_id: {get_resource: volume}
outputs:
  public_address:
    value: {get_attr: [floating_ip, floating_ip_address]}
"""


@pytest.fixture(scope="module")
def heat_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllInOne]:
    state_dir: Path = tmp_path_factory.mktemp("heat-all")
    everything = AllInOne(
        AllOptions(state_dir=state_dir, api_port=0, cfn_port=0, identity_port=0, cloud_port=0)
    )
    everything.start()
    yield everything
    everything.stop()


def connect(heat_all: AllInOne, cloud: str) -> Any:
    loader = openstack.config.OpenStackConfig(config_files=[str(heat_all.clouds_file)])
    return openstack.connection.Connection(config=loader.get_one(cloud))


@pytest.fixture(scope="module")
def demo(heat_all: AllInOne) -> Any:
    return connect(heat_all, "calor-demo")


@pytest.fixture(scope="module")
def admin(heat_all: AllInOne) -> Any:
    return connect(heat_all, "calor-admin")


@pytest.fixture(scope="module")
def heat(demo: Any) -> Any:
    return heat_client.Client("1", session=demo.session)


def wait(heat: Any, stack_id: str, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        stack = heat.stacks.get(stack_id)
        if not stack.stack_status.endswith("IN_PROGRESS"):
            return stack
        assert time.monotonic() < deadline, stack.stack_status
        time.sleep(0.2)


def wait_deleted(heat: Any, stack_id: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        stack = heat.stacks.get(stack_id, resolve_outputs=False)
        if stack.stack_status == "DELETE_COMPLETE":
            return
        assert stack.stack_status != "DELETE_FAILED", stack.stack_status_reason
        assert time.monotonic() < deadline, stack.stack_status
        time.sleep(0.2)


def cloud_objects(demo: Any) -> dict[str, list[str]]:
    """What the demo project holds that a stack could have made."""
    return {
        "servers": sorted(server.id for server in demo.compute.servers()),
        "volumes": sorted(volume.id for volume in demo.block_storage.volumes()),
        "networks": sorted(
            network.id for network in demo.network.networks(project_id=demo.current_project_id)
        ),
        "ports": sorted(port.id for port in demo.network.ports(project_id=demo.current_project_id)),
        "routers": sorted(router.id for router in demo.network.routers(project_id=demo.current_project_id)),
        "floating_ips": sorted(ip.id for ip in demo.network.ips(project_id=demo.current_project_id)),
        "security_groups": sorted(
            group.id
            for group in demo.network.security_groups(project_id=demo.current_project_id)
            if group.name != "default"
        ),
    }


def test_web_application_created_on_the_sandbox_and_deleted(heat: Any, demo: Any) -> None:
    before = cloud_objects(demo)
    created = heat.stacks.create(stack_name="web", template=TEMPLATE)
    stack_id = created["stack"]["id"]
    stack = wait(heat, stack_id)
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason

    resources = {item.resource_name: item for item in heat.resources.list(stack_id)}
    assert len(resources) == 12
    assert {item.resource_status for item in resources.values()} == {"CREATE_COMPLETE"}
    servers = {server.id: server for server in demo.compute.servers()}
    for name in ("server_one", "server_two"):
        assert servers[resources[name].physical_resource_id].status == "ACTIVE"
    volume = demo.block_storage.get_volume(resources["volume"].physical_resource_id)
    assert volume.status == "in-use"
    assert volume.attachments[0]["server_id"] == resources["server_one"].physical_resource_id
    floating_ip = demo.network.get_ip(resources["floating_ip"].physical_resource_id)
    port_one = demo.network.get_port(resources["port_one"].physical_resource_id)
    assert floating_ip.port_id == port_one.id
    outputs = {output["output_key"]: output["output_value"] for output in stack.outputs}
    assert outputs["public_address"] == floating_ip.floating_ip_address
    group = demo.network.get_security_group(resources["security_group"].physical_resource_id)
    assert {(rule["protocol"], rule["port_range_min"]) for rule in group.security_group_rules} >= {
        ("tcp", 80),
        ("tcp", 22),
    }

    # Update: resize both servers (in place) and add a third one.
    grown = TEMPLATE.replace(
        "  floating_ip:\n",
        "  server_three:\n"
        "    type: OS::Nova::Server\n"
        "    properties:\n"
        "      image: {get_param: image}\n"
        "      flavor: {get_param: flavor}\n"
        "      networks: [{network: {get_resource: network}}]\n"
        "  floating_ip:\n",
    )
    heat.stacks.update(stack_id, template=grown, parameters={"flavor": "m1.small"})
    stack = wait(heat, stack_id)
    assert stack.stack_status == "UPDATE_COMPLETE", stack.stack_status_reason
    updated = {item.resource_name: item for item in heat.resources.list(stack_id)}
    assert len(updated) == 13
    for name in ("server_one", "server_two"):
        # Resized in place: the same servers, now on m1.small.
        assert updated[name].physical_resource_id == resources[name].physical_resource_id
        server = demo.compute.get_server(updated[name].physical_resource_id)
        assert server.status == "ACTIVE" and server.flavor["original_name"] == "m1.small"
    third = demo.compute.get_server(updated["server_three"].physical_resource_id)
    assert third.status == "ACTIVE"
    touched = {
        event.resource_name
        for event in heat.events.list(stack_id)
        if event.resource_status_reason != "Stack UPDATE started" and "UPDATE" in event.resource_status
    }
    assert {"server_one", "server_two"} <= touched

    heat.stacks.delete(stack_id)
    wait_deleted(heat, stack_id)
    assert cloud_objects(demo) == before


def test_a_server_fault_rolls_the_stack_back_leaving_nothing(
    heat: Any, demo: Any, admin: Any, heat_all: AllInOne
) -> None:
    before = cloud_objects(demo)
    faults_url = heat_all.url("cloud") + "/calor-sandbox/faults"
    headers = {"X-Auth-Token": admin.session.get_token()}
    response = requests.put(
        faults_url, json={"rules": ["compute.server.create=error;nth=2"]}, headers=headers, timeout=10
    )
    assert response.status_code < 300, response.text
    try:
        created = heat.stacks.create(stack_name="web-faulty", template=TEMPLATE, disable_rollback=False)
        stack_id = created["stack"]["id"]
        stack = wait(heat, stack_id)
    finally:
        requests.delete(faults_url, headers=headers, timeout=10)
    assert stack.stack_status == "ROLLBACK_COMPLETE", stack.stack_status_reason
    events = [event.resource_status for event in heat.events.list(stack_id)]
    assert "CREATE_FAILED" in events
    assert cloud_objects(demo) == before
    heat.stacks.delete(stack_id)
    wait_deleted(heat, stack_id)


CFN_TEMPLATE = """
AWSTemplateFormatVersion: 2010-09-09
Description: The web application with AWS resource types, mapped onto the same cloud.
Parameters:
  ImageId: {Type: String, Default: cirros-0.6.2-x86_64-disk}
  InstanceType: {Type: String, Default: m1.tiny}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.20.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.20.1.0/24}
  Gateway:
    Type: AWS::EC2::InternetGateway
  GatewayAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  WebSecurity:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
  WebOne:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref ImageId
      InstanceType: !Ref InstanceType
      SubnetId: !Ref Subnet
      SecurityGroupIds: [!Ref WebSecurity]
  WebTwo:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref ImageId
      InstanceType: !Ref InstanceType
      SubnetId: !Ref Subnet
      SecurityGroupIds: [!Ref WebSecurity]
  PublicAddress:
    Type: AWS::EC2::EIP
    DependsOn: GatewayAttachment
    Properties: {Domain: vpc, InstanceId: !Ref WebOne}
  Data:
    Type: AWS::EC2::Volume
    Properties: {Size: 1, AvailabilityZone: nova}
  DataAttachment:
    Type: AWS::EC2::VolumeAttachment
    Properties: {InstanceId: !Ref WebOne, VolumeId: !Ref Data, Device: /dev/vdb}
Outputs:
  PublicIp:
    Value: !GetAtt WebOne.PublicIp
"""


def test_the_cloudformation_form_with_aws_types(heat: Any, demo: Any) -> None:
    before = cloud_objects(demo)
    created = heat.stacks.create(stack_name="web-cfn", template=CFN_TEMPLATE)
    stack_id = created["stack"]["id"]
    stack = wait(heat, stack_id)
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason
    resources = {item.resource_name: item for item in heat.resources.list(stack_id)}
    for name in ("WebOne", "WebTwo"):
        assert demo.compute.get_server(resources[name].physical_resource_id).status == "ACTIVE"
    volume = demo.block_storage.get_volume(resources["Data"].physical_resource_id)
    assert volume.status == "in-use"
    assert volume.attachments[0]["server_id"] == resources["WebOne"].physical_resource_id
    outputs = {output["output_key"]: output["output_value"] for output in stack.outputs}
    assert outputs["PublicIp"]

    heat.stacks.update(stack_id, template=CFN_TEMPLATE, parameters={"InstanceType": "m1.small"})
    stack = wait(heat, stack_id)
    assert stack.stack_status == "UPDATE_COMPLETE", stack.stack_status_reason
    for name in ("WebOne", "WebTwo"):
        server_id = heat.resources.get(stack_id, name).physical_resource_id
        assert demo.compute.get_server(server_id).flavor["original_name"] == "m1.small"

    heat.stacks.delete(stack_id)
    wait_deleted(heat, stack_id)
    assert cloud_objects(demo) == before
