"""Flavors, key pairs, server groups, quotas, limits and version discovery of the emulated Nova."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from openstack import exceptions

from calor.sandbox.image import CIRROS_ID

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl sandbox@calor"


def test_default_flavors(demo: Any) -> None:
    names = {flavor.name for flavor in demo.compute.flavors()}
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "ds512M", "cirros256"} <= names
    small = demo.compute.find_flavor("m1.small", ignore_missing=False)
    assert (small.ram, small.vcpus, small.disk) == (2048, 1, 20)


def test_flavor_management_is_for_admins(admin: Any, demo: Any) -> None:
    with pytest.raises(exceptions.ForbiddenException):
        demo.compute.create_flavor(name="custom", ram=256, vcpus=1, disk=1)
    flavor = admin.compute.create_flavor(name="custom", ram=256, vcpus=1, disk=1, id="custom-id")
    assert flavor.id == "custom-id"
    admin.compute.create_flavor_extra_specs(flavor, {"hw:cpu_policy": "dedicated"})
    assert admin.compute.fetch_flavor_extra_specs(flavor).extra_specs == {"hw:cpu_policy": "dedicated"}
    assert demo.compute.get_flavor("custom-id").extra_specs == {"hw:cpu_policy": "dedicated"}
    with pytest.raises(exceptions.ConflictException):
        admin.compute.create_flavor(name="custom", ram=256, vcpus=1, disk=1)
    admin.compute.delete_flavor(flavor)
    with pytest.raises(exceptions.NotFoundException):
        demo.compute.get_flavor("custom-id")


def test_generated_and_imported_keypairs(demo: Any) -> None:
    generated = demo.compute.create_keypair(name="generated")
    assert generated.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert generated.public_key.startswith("ssh-rsa ")
    imported = demo.compute.create_keypair(name="imported", public_key=PUBLIC_KEY)
    assert imported.private_key is None
    assert len(imported.fingerprint.split(":")) == 16
    assert sorted(keypair.name for keypair in demo.compute.keypairs()) == ["generated", "imported"]
    assert demo.compute.get_keypair("imported").public_key == PUBLIC_KEY
    with pytest.raises(exceptions.ConflictException):
        demo.compute.create_keypair(name="imported", public_key=PUBLIC_KEY)
    with pytest.raises(exceptions.BadRequestException):
        demo.compute.create_keypair(name="broken", public_key="ssh-rsa not-a-key")
    demo.compute.delete_keypair("generated")
    assert [keypair.name for keypair in demo.compute.keypairs()] == ["imported"]


def test_server_with_a_key_pair_and_unknown_key(demo: Any) -> None:
    demo.compute.create_keypair(name="mine", public_key=PUBLIC_KEY)
    server = demo.compute.create_server(name="k", flavor_id="1", image_id=CIRROS_ID, key_name="mine")
    assert demo.compute.wait_for_server(server, wait=10, interval=0.05).key_name == "mine"
    with pytest.raises(exceptions.BadRequestException, match="Invalid key_name"):
        demo.compute.create_server(name="k", flavor_id="1", image_id=CIRROS_ID, key_name="other")


def test_server_groups(demo: Any) -> None:
    group = demo.compute.create_server_group(name="spread", policy="anti-affinity")
    assert group.policy == "anti-affinity"
    server = demo.compute.create_server(
        name="member", flavor_id="1", image_id=CIRROS_ID, scheduler_hints={"group": group.id}
    )
    demo.compute.wait_for_server(server, wait=10, interval=0.05)
    assert demo.compute.get_server_group(group).member_ids == [server.id]
    assert [item.id for item in demo.compute.server_groups()] == [group.id]
    demo.compute.delete_server(server)
    assert demo.compute.get_server_group(group).member_ids == []
    demo.compute.delete_server_group(group)
    assert list(demo.compute.server_groups()) == []
    with pytest.raises(exceptions.BadRequestException):
        demo.compute.create_server_group(name="bad", policy="clustered")


def test_quota_exceeded_for_instances(admin: Any, demo: Any) -> None:
    project_id = demo.current_project_id
    admin.compute.update_quota_set(project_id, instances=1)
    assert demo.compute.get_quota_set(project_id).instances == 1
    demo.compute.create_server(name="one", flavor_id="1", image_id=CIRROS_ID)
    with pytest.raises(exceptions.ForbiddenException, match="Quota exceeded for instances"):
        demo.compute.create_server(name="two", flavor_id="1", image_id=CIRROS_ID)
    with pytest.raises(exceptions.ForbiddenException):
        demo.compute.update_quota_set(project_id, instances=5)


def test_quota_exceeded_for_cores(admin: Any, demo: Any) -> None:
    admin.compute.update_quota_set(demo.current_project_id, cores=3)
    with pytest.raises(exceptions.ForbiddenException, match="Quota exceeded for cores: Requested 4"):
        demo.compute.create_server(name="big", flavor_id="4", image_id=CIRROS_ID)


def test_limits_and_availability_zones(demo: Any) -> None:
    demo.compute.create_server(name="one", flavor_id="2", image_id=CIRROS_ID)
    limits = demo.compute.get_limits().absolute
    assert limits.instances == 10 and limits.instances_used == 1
    assert limits.total_ram_used == 2048
    assert [zone.name for zone in demo.compute.availability_zones()] == ["nova"]


def test_version_discovery_and_microversions(sandbox: Any, demo: Any) -> None:
    versions = requests.get(sandbox.url + "/compute", timeout=10).json()["versions"]
    assert versions[0]["id"] == "v2.1" and versions[0]["version"] == "2.79"
    assert requests.get(sandbox.url + "/compute/v2.1/", timeout=10).json()["version"]["min_version"] == "2.1"
    headers = {"X-Auth-Token": demo.session.get_token(), "OpenStack-API-Version": "compute 2.10"}
    response = requests.get(sandbox.url + "/compute/v2.1/flavors", headers=headers, timeout=10)
    assert response.headers["OpenStack-API-Version"] == "compute 2.10"
    headers["OpenStack-API-Version"] = "compute 2.200"
    assert requests.get(sandbox.url + "/compute/v2.1/flavors", headers=headers, timeout=10).status_code == 406


def test_old_microversion_shapes(sandbox: Any, demo: Any) -> None:
    server = demo.compute.create_server(name="old", flavor_id="1", image_id=CIRROS_ID)
    token = demo.session.get_token()
    url = f"{sandbox.url}/compute/v2.1/servers/{server.id}"
    old = requests.get(url, headers={"X-Auth-Token": token}, timeout=10).json()["server"]
    assert old["flavor"]["id"] == "1" and "locked" not in old
    latest = {"X-Auth-Token": token, "X-OpenStack-Nova-API-Version": "latest"}
    new = requests.get(url, headers=latest, timeout=10).json()["server"]
    assert new["flavor"]["original_name"] == "m1.tiny" and new["locked"] is False


def test_requests_without_a_valid_token_are_refused(sandbox: Any) -> None:
    response = requests.get(sandbox.url + "/compute/v2.1/servers", timeout=10)
    assert response.status_code == 401
    response = requests.get(
        sandbox.url + "/compute/v2.1/servers", headers={"X-Auth-Token": "bogus"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


def test_private_flavor_access(admin: Any, demo: Any) -> None:
    flavor = admin.compute.create_flavor(name="secret", ram=128, vcpus=1, disk=1, is_public=False)
    assert "secret" not in {item.name for item in demo.compute.flavors()}
    with pytest.raises(exceptions.NotFoundException):
        demo.compute.get_flavor(flavor.id)
    admin.compute.flavor_add_tenant_access(flavor, demo.current_project_id)
    assert admin.compute.get_flavor_access(flavor) == [
        {"flavor_id": flavor.id, "tenant_id": demo.current_project_id}
    ]
    assert "secret" in {item.name for item in demo.compute.flavors()}
    admin.compute.flavor_remove_tenant_access(flavor, demo.current_project_id)
    assert "secret" not in {item.name for item in demo.compute.flavors()}


def test_server_tags(demo: Any) -> None:
    server = demo.compute.create_server(name="tagged", flavor_id="1", image_id=CIRROS_ID)
    server.set_tags(demo.compute, ["a", "b"])
    server.add_tag(demo.compute, "c")
    server.remove_tag(demo.compute, "a")
    assert demo.compute.get_server(server).tags == ["b", "c"]
    server.check_tag(demo.compute, "b")
    with pytest.raises(exceptions.NotFoundException):
        server.check_tag(demo.compute, "a")
    server.remove_all_tags(demo.compute)
    assert demo.compute.get_server(server).tags == []
