"""OS::Nova::Server against the sandbox: create, attributes, updates, faults, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calor.clouds.errors import QuotaExceeded
from calor.clouds.testing import SandboxCloud, run_action
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import diff_properties
from calor.plugins.nova import software_config
from calor.plugins.nova.server import Server
from calor.plugins.signals import wiring
from calor.plugins.signals.wiring import StackCredential

IMAGE = "cirros-0.6.2-x86_64-disk"


def server(make_plugin: Callable[..., Any], **properties: Any) -> Server:
    raw = {"flavor": "m1.tiny", "image": IMAGE, **properties}
    plugin: Server = make_plugin(Server, raw, name=properties.pop("resource_name", "web"))
    return plugin


def update(plugin: Server, **changes: Any) -> Server:
    new = type(plugin).validate_properties({**plugin.properties, **changes}, "resources.web.properties")
    difference = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, difference)
    run_action(plugin, "update", new, difference)
    plugin.properties = new
    return plugin


def test_create_then_delete(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = server(make_plugin, metadata={"role": "web", "count": 2})
    run_action(plugin, "create")
    assert plugin.resource_id is not None
    created = connection.compute.get_server(plugin.resource_id)
    assert created.status == "ACTIVE"
    assert created.name.startswith("stack-web-")
    assert created.metadata == {"role": "web", "count": "2"}
    assert created.flavor["original_name"] == "m1.tiny" or created.flavor.get("id") == "1"
    run_action(plugin, "delete")
    assert connection.compute.find_server(plugin.resource_id) is None
    run_action(plugin, "delete")  # already gone: nothing to do


def test_attributes(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = server(make_plugin, name="attributes-server")
    run_action(plugin, "create")
    try:
        assert plugin.get_attribute("name") == "attributes-server"
        address = plugin.get_attribute("first_address")
        assert address
        networks = plugin.get_attribute("networks")
        assert any(address in addresses for addresses in networks.values())
        addresses = plugin.get_attribute("addresses")
        assert addresses and all(isinstance(entries, list) for entries in addresses.values())
        assert plugin.get_attribute("show")["id"] == plugin.resource_id
        consoles = plugin.get_attribute("console_urls")
        assert set(consoles) >= {"novnc", "xvpvnc"}
        assert plugin.reference_id() == plugin.resource_id
    finally:
        run_action(plugin, "delete")


def test_update_in_place(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = server(make_plugin, name="before", metadata={"a": "1", "b": "2"})
    run_action(plugin, "create")
    try:
        update(plugin, name="after", metadata={"b": "3"})
        changed = connection.compute.get_server(plugin.resource_id)
        assert changed.name == "after"
        assert changed.metadata == {"b": "3"}
        update(plugin, flavor="m1.small")
        resized = connection.compute.get_server(plugin.resource_id)
        assert resized.status == "ACTIVE"
        assert resized.flavor["original_name"] == "m1.small"
    finally:
        run_action(plugin, "delete")


def test_replacement_rules(make_plugin: Callable[..., Any]) -> None:
    plugin = server(make_plugin)
    for changes, replace in [
        ({"user_data": "#!/bin/sh\necho hi"}, True),
        ({"user_data": "#!/bin/sh\necho hi", "user_data_update_policy": "IGNORE"}, False),
        ({"flavor": "m1.small"}, False),
        ({"flavor": "m1.small", "flavor_update_policy": "REPLACE"}, True),
        ({"image_update_policy": "REPLACE", "image": "other"}, True),
        ({"key_name": "mine"}, True),
    ]:
        new = Server.validate_properties({**plugin.properties, **changes}, "resources.web.properties")
        assert plugin.needs_replace(new, diff_properties(plugin.properties, new)) is replace, changes


def test_fault_makes_create_fail_with_the_reason(
    cloud: SandboxCloud, make_plugin: Callable[..., Any], connection: Any
) -> None:
    cloud.inject_faults(["compute.server.create=error"])
    try:
        plugin = server(make_plugin, name="doomed")
        token = plugin.handle_create()
    finally:
        cloud.clear_faults()
    assert plugin.resource_id == token["server_id"]
    with pytest.raises(ResourceFailure, match="Went to status ERROR due to"):
        for _ in range(50):
            plugin.check_create_complete(token)
    run_action(plugin, "delete")
    assert connection.compute.find_server(plugin.resource_id) is None


def test_unknown_flavor_fails_create_clearly(make_plugin: Callable[..., Any]) -> None:
    plugin = server(make_plugin, flavor="m1.enormous")
    with pytest.raises(ResourceFailure, match=r"The Flavor \(m1.enormous\) could not be found"):
        plugin.handle_create()
    assert plugin.resource_id is None


def test_suspend_resume_and_check(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = server(make_plugin)
    run_action(plugin, "create")
    try:
        plugin.handle_check()
        run_action(plugin, "suspend")
        assert connection.compute.get_server(plugin.resource_id).status == "SUSPENDED"
        with pytest.raises(ResourceFailure, match="expected"):
            plugin.handle_check()
        run_action(plugin, "resume")
        assert connection.compute.get_server(plugin.resource_id).status == "ACTIVE"
    finally:
        run_action(plugin, "delete")


def test_validation(make_plugin: Callable[..., Any]) -> None:
    with pytest.raises(PropertyError, match="Neither image nor bootable volume"):
        make_plugin(Server, {"flavor": "m1.tiny"})
    with pytest.raises(PropertyError, match="at the same time"):
        make_plugin(
            Server,
            {
                "flavor": "m1.tiny",
                "block_device_mapping": [{"device_name": "vda", "volume_id": "x"}],
                "block_device_mapping_v2": [{"volume_id": "x", "boot_index": 0}],
            },
        )
    with pytest.raises(PropertyError, match='One of the properties "network"'):
        make_plugin(Server, {"flavor": "m1.tiny", "image": IMAGE, "networks": [{"fixed_ip": "10.0.0.4"}]})


def test_image_update_rebuilds(make_plugin: Callable[..., Any], connection: Any) -> None:
    other = connection.image.create_image(
        name="rebuild-target", disk_format="qcow2", container_format="bare", data=b"QFI\xfb other image"
    )
    plugin = server(make_plugin)
    run_action(plugin, "create")
    try:
        update(plugin, image="rebuild-target")
        rebuilt = connection.compute.get_server(plugin.resource_id)
        assert rebuilt.status == "ACTIVE"
        assert rebuilt.image["id"] == other.id
    finally:
        run_action(plugin, "delete")
        connection.image.delete_image(other)


def test_networks_with_a_subnet_create_and_remove_a_port(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    network = connection.network.create_network(name="server-net")
    subnet = connection.network.create_subnet(
        network_id=network.id, cidr="192.168.50.0/24", ip_version=4, name="server-subnet"
    )
    plugin = server(
        make_plugin,
        networks=[{"subnet": "server-subnet"}, {"network": "server-net", "fixed_ip": "192.168.50.77"}],
    )
    try:
        run_action(plugin, "create")
        ports = list(connection.network.ports(device_id=plugin.resource_id))
        addresses = sorted(fixed["ip_address"] for port in ports for fixed in port.fixed_ips)
        assert len(ports) == 2 and "192.168.50.77" in addresses
        assert "internal_ports" in plugin.context.data()
        assert "192.168.50.77" in plugin.get_attribute("networks")["server-net"]
        assert network.id in plugin.get_attribute("networks")
        run_action(plugin, "delete")
        assert list(connection.network.ports(network_id=network.id, device_owner="compute:nova")) == []
        assert [port for port in connection.network.ports(network_id=network.id) if port.device_id] == []
    finally:
        for port in connection.network.ports(network_id=network.id):
            connection.network.delete_port(port)
        connection.network.delete_subnet(subnet)
        connection.network.delete_network(network)


def test_delete_before_any_create_and_with_conflicts(
    cloud: SandboxCloud, make_plugin: Callable[..., Any], connection: Any
) -> None:
    assert run_action(server(make_plugin), "delete") == {"server_id": None}
    plugin = server(make_plugin)
    run_action(plugin, "create")
    cloud.inject_faults(["compute.server.delete=fail:409;nth=1"])
    try:
        token = plugin.handle_delete()
        assert token["requested"] is False and token["conflicts"] == 1
        for _ in range(50):
            if plugin.check_delete_complete(token):
                break
    finally:
        cloud.clear_faults()
    assert connection.compute.find_server(plugin.resource_id) is None


def test_conflicts_beyond_the_retry_limit_fail(
    cloud: SandboxCloud, make_plugin: Callable[..., Any], connection: Any
) -> None:
    plugin = server(make_plugin)
    run_action(plugin, "create")
    cloud.inject_faults(["compute.server.delete=fail:409"])
    try:
        token = plugin.handle_delete()
        with pytest.raises(ResourceFailure):
            for _ in range(10):
                plugin.check_delete_complete(token)
    finally:
        cloud.clear_faults()
    run_action(plugin, "delete")


class FakeCredentials:
    """Stack credentials kept in memory (what the signal wiring's identity helper does for real)."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def create(self, project_id: str, stack_id: str, resource_name: str) -> StackCredential:
        return StackCredential("user-1", f"{resource_name}-{stack_id}", "stack-project", "AKIA1", "s3cr3t")

    def delete(self, user_id: str) -> None:
        self.deleted.append(user_id)

    def token(self, credential: StackCredential) -> str:
        return "token"

    def delete_project(self, project_id: str) -> None:
        self.deleted.append(project_id)


def test_software_config_server_gets_its_agent_configuration(make_plugin: Callable[..., Any]) -> None:
    previous = software_config.current_wiring()
    credentials = FakeCredentials()
    wiring.configure(
        wiring.SignalWiring(cfn_url="http://127.0.0.1:8000", credentials=credentials, reader=lambda s, r: {})
    )
    try:
        plugin = server(make_plugin, user_data_format="SOFTWARE_CONFIG", user_data="#!/bin/sh\ntrue\n")
        run_action(plugin, "create")
        collect = plugin.get_attribute("os_collect_config")
        assert collect["collectors"] == ["ec2", "cfn", "local"]
        assert collect["cfn"]["metadata_url"] == "http://127.0.0.1:8000/v1/"
        assert collect["cfn"]["access_key_id"] == "AKIA1"
        assert collect["cfn"]["path"] == "web.Metadata"
        assert plugin.context.metadata()["deployments"] == []
        assert "secret_key" in plugin.context.redacted_keys
        run_action(plugin, "delete")
        assert credentials.deleted == ["user-1"]
        assert "access_key" not in plugin.context.data()
    finally:
        wiring.configure(previous)


def test_networks_update_in_place(make_plugin: Callable[..., Any], connection: Any) -> None:
    created = []
    for name, cidr in (("net-a", "10.10.1.0/24"), ("net-b", "10.10.2.0/24")):
        network = connection.network.create_network(name=name)
        subnet = connection.network.create_subnet(network_id=network.id, cidr=cidr, ip_version=4, name=name)
        created.append((network, subnet))
    (network_a, _), (network_b, _) = created
    plugin = server(make_plugin, networks=[{"network": "net-a"}])
    try:
        run_action(plugin, "create")
        server_id = plugin.resource_id

        def networks_of_server() -> list[str]:
            return sorted(interface.net_id for interface in connection.compute.server_interfaces(server_id))

        assert networks_of_server() == [network_a.id]
        update(plugin, networks=[{"network": "net-a"}, {"network": "net-b", "fixed_ip": "10.10.2.20"}])
        assert networks_of_server() == sorted([network_a.id, network_b.id])
        assert "10.10.2.20" in plugin.get_attribute("networks")["net-b"]
        update(plugin, networks=[{"network": "net-b", "fixed_ip": "10.10.2.20"}])
        assert networks_of_server() == [network_b.id]
        assert connection.compute.get_server(server_id).id == server_id
        new = Server.validate_properties(
            {**plugin.properties, "networks": [{"allocate_network": "none"}]}, "resources.web.properties"
        )
        assert plugin.needs_replace(new, diff_properties(plugin.properties, new))
    finally:
        run_action(plugin, "delete")
        for network, subnet in created:
            for port in connection.network.ports(network_id=network.id):
                connection.network.delete_port(port)
            connection.network.delete_subnet(subnet)
            connection.network.delete_network(network)


def test_quota_refusal_names_the_quota(cloud: SandboxCloud, make_plugin: Callable[..., Any]) -> None:
    quotas = cloud.running.context.quotas
    quotas.set_limit(cloud.demo_project_id, "compute.instances", 0)
    try:
        plugin = server(make_plugin)
        with pytest.raises(QuotaExceeded) as raised:
            plugin.handle_create()
    finally:
        quotas.clear(cloud.demo_project_id, "compute.")
    assert raised.value.quota == "instances"
    assert "Quota exceeded for instances" in raised.value.message
    assert plugin.resource_id is None
