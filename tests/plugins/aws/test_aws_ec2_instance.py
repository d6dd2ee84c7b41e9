"""AWS::EC2::Instance (through OS::Nova::Server), AWS::EC2::Volume and AWS::EC2::VolumeAttachment."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aws_harness import run_create, run_delete, run_update

from calor.errors import PropertyError
from calor.plugins.aws.eip import ElasticIp, ElasticIpAssociation
from calor.plugins.aws.instance import Instance
from calor.plugins.aws.volume import Volume, VolumeAttachment

IMAGE = "cirros-0.6.2-x86_64-disk"
INIT = {"AWS::CloudFormation::Init": {"config": {"files": {"/tmp/hello": {"content": "hi"}}}}}


def _user_data(sandbox: Any, server_id: str) -> str:
    """The server's user data, as an administrator sees it (microversion 2.3)."""
    compute = sandbox.factory.service_connection().compute
    body = compute.get(f"/servers/{server_id}", microversion="2.3").json()["server"]
    return base64.b64decode(body["OS-EXT-SRV-ATTR:user_data"]).decode()


def test_instance_boots_with_cfn_user_data_tags_and_attributes(make: Any, cloud: Any, sandbox: Any) -> None:
    instance = make(
        Instance,
        {
            "ImageId": IMAGE,
            "InstanceType": "m1.tiny",
            "UserData": "#!/bin/sh\necho hello\n",
            "Tags": [{"Key": "role", "Value": "web"}],
        },
        name="web",
        metadata=INIT,
    )
    run_create(instance)
    server = cloud.compute.get_server(instance.resource_id)
    assert server.status == "ACTIVE"
    assert server.name.startswith("stack-web-")
    assert server.metadata == {"role": "web"}
    user_data = _user_data(sandbox, instance.resource_id)
    assert "cfn-userdata" in user_data and "echo hello" in user_data
    assert "AWS::CloudFormation::Init" in user_data
    address = instance.get_attribute("PrivateIp")
    assert address and address != "0.0.0.0"
    assert instance.get_attribute("PublicIp") == address
    assert instance.get_attribute("PrivateDnsName") == address

    run_update(instance, {**_given(instance), "InstanceType": "m1.small"})
    assert cloud.compute.get_server(instance.resource_id).flavor["original_name"] == "m1.small"

    run_delete(instance)
    assert cloud.compute.find_server(instance.resource_id, ignore_missing=True) is None


def _given(plugin: Any) -> dict[str, Any]:
    return {key: value for key, value in plugin.properties.items() if value is not None}


def test_instance_in_a_subnet_gets_its_own_port_with_the_security_groups(make: Any, cloud: Any) -> None:
    network = cloud.network.create_network(name="instance-net")
    subnet = cloud.network.create_subnet(network_id=network.id, cidr="192.168.50.0/24", ip_version=4)
    group = cloud.network.create_security_group(name="instance-group")
    public = cloud.network.find_network("public")
    router = cloud.network.create_router(
        name="instance-router", external_gateway_info={"network_id": public.id}
    )
    cloud.network.add_interface_to_router(router, subnet=subnet.id)
    instance = make(
        Instance,
        {
            "ImageId": IMAGE,
            "InstanceType": "m1.tiny",
            "SubnetId": subnet.id,
            "SecurityGroups": ["instance-group"],
        },
        name="inside",
    )
    run_create(instance)
    (port,) = list(cloud.network.ports(device_id=instance.resource_id))
    assert port.fixed_ips[0]["subnet_id"] == subnet.id
    assert port.security_group_ids == [group.id]
    assert instance.get_attribute("PrivateIp") == port.fixed_ips[0]["ip_address"]

    eip = make(ElasticIp, {"InstanceId": instance.resource_id}, name="eip")
    run_create(eip)
    assert cloud.network.get_ip(eip.resource_id).port_id == port.id
    association = make(ElasticIpAssociation, {"EIP": eip.reference_id(), "InstanceId": instance.resource_id})
    run_create(association)
    assert association.resource_id == eip.reference_id()
    run_delete(association)
    assert cloud.network.get_ip(eip.resource_id).port_id is None
    run_update(eip, {})
    assert cloud.network.get_ip(eip.resource_id).port_id is None
    run_update(eip, {"InstanceId": instance.resource_id})
    assert cloud.network.get_ip(eip.resource_id).port_id == port.id
    run_delete(eip)

    run_delete(instance)
    assert list(cloud.network.ports(id=port.id)) == []
    cloud.network.delete_security_group(group)
    cloud.network.remove_interface_from_router(router, subnet=subnet.id)
    cloud.network.delete_router(router)
    cloud.network.delete_network(network)


def test_volume_and_attachment(make: Any, cloud: Any) -> None:
    volume = make(
        Volume, {"AvailabilityZone": "nova", "Size": 1, "Tags": [{"Key": "k", "Value": "v"}]}, name="data"
    )
    run_create(volume)
    found = cloud.block_storage.get_volume(volume.resource_id)
    assert (found.status, found.size, found.metadata) == ("available", 1, {"k": "v"})
    assert found.name.startswith("stack-data-")

    instance = make(Instance, {"ImageId": IMAGE, "InstanceType": "m1.tiny"}, name="host")
    run_create(instance)
    attachment = make(
        VolumeAttachment,
        {"InstanceId": instance.resource_id, "VolumeId": volume.resource_id, "Device": "/dev/vdb"},
    )
    run_create(attachment)
    assert cloud.block_storage.get_volume(volume.resource_id).status == "in-use"
    run_delete(attachment)
    assert cloud.block_storage.get_volume(volume.resource_id).status == "available"

    run_delete(instance)
    run_delete(volume)
    assert cloud.block_storage.find_volume(volume.resource_id, ignore_missing=True) is None


def test_instance_volumes_are_attached_after_boot(make: Any, cloud: Any) -> None:
    volume = make(Volume, {"AvailabilityZone": "nova", "Size": 1}, name="disk")
    run_create(volume)
    instance = make(
        Instance,
        {
            "ImageId": IMAGE,
            "InstanceType": "m1.tiny",
            "Volumes": [{"Device": "/dev/vdc", "VolumeId": volume.resource_id}],
        },
        name="with-volume",
    )
    run_create(instance)
    assert cloud.block_storage.get_volume(volume.resource_id).status == "in-use"
    run_delete(instance)
    run_delete(volume)


def test_attachment_device_must_be_a_virtio_disk(make: Any) -> None:
    with pytest.raises(PropertyError):
        make(VolumeAttachment, {"InstanceId": "i", "VolumeId": "v", "Device": "/dev/sda"})


def test_instance_validation(make: Any) -> None:
    base = {"ImageId": IMAGE, "InstanceType": "m1.tiny"}
    with pytest.raises(PropertyError, match="at the same time"):
        make(Instance, {**base, "SecurityGroups": ["default"], "NetworkInterfaces": ["port-id"]})
    with pytest.raises(PropertyError, match="NetworkInterfaceId and DeviceIndex"):
        make(Instance, {**base, "NetworkInterfaces": [{"DeviceIndex": "0"}]})
    with pytest.raises(PropertyError, match="BlockDeviceMappings"):
        make(Instance, {**base, "BlockDeviceMappings": [{"DeviceName": "vdb"}]})


def test_network_interfaces_become_ports_in_device_order(make: Any) -> None:
    instance = make(
        Instance,
        {
            "ImageId": IMAGE,
            "InstanceType": "m1.tiny",
            "NetworkInterfaces": [
                {"NetworkInterfaceId": "second", "DeviceIndex": "1"},
                {"NetworkInterfaceId": "first", "DeviceIndex": "0"},
            ],
        },
    )
    networks = instance.server_properties(instance.properties)["networks"]
    assert [item["port"] for item in networks] == ["first", "second"]
