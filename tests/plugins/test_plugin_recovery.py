"""Finishing a create an engine left inside handle_create: the plugin finds what the cloud made."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from calor.clouds.testing import run_action
from calor.errors import ResourceFailure
from calor.plugins.cinder import Volume
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.test_resource import TestResource
from calor.plugins.neutron.net import Net
from calor.plugins.neutron.security_group import SecurityGroup
from calor.plugins.nova import Server
from calor.plugins.recovery import CLOCK_SKEW_SECONDS, made_since, timestamp

IMAGE = "cirros-0.6.2-x86_64-disk"


def item(name: str, created: str | None, identifier: str = "x") -> Any:
    return SimpleNamespace(id=identifier, name=name, created_at=created)


def test_timestamps_of_openstack_services() -> None:
    assert timestamp("2026-11-24T22:02:13Z") == timestamp("2026-11-24T22:02:13+00:00")
    assert timestamp("2026-11-24T22:02:13.250000") == timestamp("2026-11-24T22:02:13Z") + 0.25
    assert timestamp(None) is None
    assert timestamp("yesterday") is None


def test_made_since_keeps_the_one_object_of_that_name_made_since_the_start() -> None:
    started = timestamp("2026-11-24T22:00:00Z")
    assert started is not None
    old = item("web", "2026-11-24T21:00:00Z", "old")
    new = item("web", "2026-11-24T22:00:01Z", "new")
    other = item("db", "2026-11-24T22:00:01Z", "other")
    assert made_since([old, new, other], name="web", started_at=started, what="Server") is new
    assert made_since([old, other], name="web", started_at=started, what="Server") is None
    # A cloud stamping whole seconds, or with a clock a little behind, still counts.
    early = item("web", "2026-11-24T21:59:45Z", "early")
    assert CLOCK_SKEW_SECONDS >= 15
    assert made_since([early], name="web", started_at=started, what="Server") is early
    # Unknown creation time: the name decides.
    assert (
        made_since([item("web", None, "undated")], name="web", started_at=started, what="Server").id
        == "undated"
    )


def test_two_candidates_fail_rather_than_adopt_another_stack_s_object() -> None:
    started = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started + 1))
    with pytest.raises(ResourceFailure, match="a, b"):
        made_since(
            [item("web", stamp, "b"), item("web", stamp, "a")], name="web", started_at=started, what="x"
        )


def test_the_default_resume_creates_again() -> None:
    context = MemoryPluginContext("thing")
    plugin = TestResource("thing", TestResource.validate_properties({"value": "v"}, "p"), context)
    plugin.handle_create_resume(time.time())
    assert context.data() == {"value": "v"}


def test_a_network_made_by_an_interrupted_create_is_adopted(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    started = time.time()
    first = make_plugin(Net, {}, name="net", resource_short_id="interrupted1")
    first.handle_create()  # the engine dies before storing the id
    made = first.resource_id
    second = make_plugin(Net, {}, name="net", resource_short_id="interrupted1")
    assert second.handle_create_resume(started) is None
    assert second.resource_id == made
    assert [network.id for network in connection.network.networks(name="stack-net-interrupted1")] == [made]
    # Nothing was made: the resume creates it.
    third = make_plugin(Net, {}, name="net", resource_short_id="interrupted2")
    third.handle_create_resume(started)
    assert [network.id for network in connection.network.networks(name="stack-net-interrupted2")] == [
        third.resource_id
    ]
    for plugin in (second, third):
        run_action(plugin, "delete")


def test_explicitly_named_twins_are_not_adopted(make_plugin: Callable[..., Any], connection: Any) -> None:
    started = time.time()
    twins = [connection.network.create_network(name="twin-net") for _ in range(2)]
    plugin = make_plugin(Net, {"name": "twin-net"}, name="net")
    with pytest.raises(ResourceFailure, match="interrupted create may have made any of"):
        plugin.handle_create_resume(started)
    for network in twins:
        connection.network.delete_network(network)


def test_a_security_group_gets_the_rules_the_interrupted_create_never_made(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    started = time.time()
    rules = {"rules": [{"protocol": "tcp", "port_range_min": 80, "port_range_max": 80}]}
    name = "stack-group-interrupted3"
    group = connection.network.create_security_group(name=name)  # made, then the engine died
    plugin = make_plugin(SecurityGroup, rules, name="group", resource_short_id="interrupted3")
    plugin.handle_create_resume(started)
    assert plugin.resource_id == group.id
    plugin.handle_create_resume(started)  # a second resume adds nothing twice
    found = connection.network.security_group_rules(security_group_id=group.id, direction="ingress")
    assert [rule.port_range_min for rule in found] == [80]
    run_action(plugin, "delete")


def test_a_server_and_its_port_made_by_an_interrupted_create_are_adopted(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    network = connection.network.create_network(name="recovery-net")
    subnet = connection.network.create_subnet(network_id=network.id, cidr="10.50.0.0/24", ip_version=4)
    properties = {"image": IMAGE, "flavor": "m1.tiny", "networks": [{"subnet": subnet.id}]}
    started = time.time()
    first = make_plugin(Server, properties, name="server", resource_short_id="interrupted4")
    first.handle_create()
    server_id = first.resource_id
    second = make_plugin(Server, properties, name="server", resource_short_id="interrupted4")
    token = second.handle_create_resume(started)
    assert token["server_id"] == server_id == second.resource_id
    ports = list(connection.network.ports(name="stack-server-interrupted4-port-0"))
    assert len(ports) == 1
    assert second.context.data()["internal_ports"] == f'["{ports[0].id}"]'
    assert len(list(connection.compute.servers(name="^stack-server-interrupted4$"))) == 1
    run_action(second, "delete")
    assert list(connection.network.ports(name="stack-server-interrupted4-port-0")) == []

    # Killed after making the port, before asking for the server: the port is used, not made again.
    port = connection.network.create_port(
        network_id=network.id, fixed_ips=[{"subnet_id": subnet.id}], name="stack-server-interrupted5-port-0"
    )
    third = make_plugin(Server, properties, name="server", resource_short_id="interrupted5")
    run_action_from_resume(third, started)
    assert [found.id for found in connection.network.ports(name="stack-server-interrupted5-port-0")] == [
        port.id
    ]
    assert [interface.port_id for interface in connection.compute.server_interfaces(third.resource_id)] == [
        port.id
    ]
    run_action(third, "delete")
    connection.network.delete_subnet(subnet)
    connection.network.delete_network(network)


def run_action_from_resume(plugin: Any, started_at: float) -> None:
    token = plugin.handle_create_resume(started_at)
    for _ in range(200):
        if plugin.check_create_complete(token):
            return
    raise AssertionError("the resumed create did not complete")


def test_a_volume_made_by_an_interrupted_create_is_adopted(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    started = time.time()
    first = make_plugin(Volume, {"size": 1}, name="disk", resource_short_id="interrupted6")
    first.handle_create()
    second = make_plugin(Volume, {"size": 1}, name="disk", resource_short_id="interrupted6")
    run_action_from_resume(second, started)
    assert second.resource_id == first.resource_id
    assert [volume.id for volume in connection.block_storage.volumes(name="stack-disk-interrupted6")] == [
        first.resource_id
    ]
    run_action(second, "delete")


def test_find_created_gives_what_a_create_that_stored_no_id_made_for_its_delete(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    started = time.time()
    network = make_plugin(Net, {}, name="net", resource_short_id="orphan1")
    network.handle_create()
    volume = make_plugin(Volume, {"size": 1}, name="disk", resource_short_id="orphan2")
    volume.handle_create()
    for made, short_id in ((network, "orphan1"), (volume, "orphan2")):
        deleting = make_plugin(type(made), dict(made.properties), name=made.name, resource_short_id=short_id)
        assert deleting.find_created(started) == made.resource_id
    # Nothing made under the name: nothing to delete; the default hook finds nothing either.
    assert make_plugin(Net, {}, name="net", resource_short_id="orphan3").find_created(started) is None
    thing = TestResource("thing", TestResource.validate_properties({}, "p"), MemoryPluginContext("thing"))
    assert thing.find_created(started) is None
    run_action(network, "delete")
    run_action(volume, "delete")


def test_a_server_create_that_made_only_its_port_is_deleted_with_the_port(
    make_plugin: Callable[..., Any], connection: Any
) -> None:
    network = connection.network.create_network(name="orphan-net")
    subnet = connection.network.create_subnet(network_id=network.id, cidr="10.51.0.0/24", ip_version=4)
    properties = {"image": IMAGE, "flavor": "m1.tiny", "networks": [{"subnet": subnet.id}]}
    started = time.time()
    # The create made the server's port, then stopped before asking for the server.
    connection.network.create_port(
        network_id=network.id, fixed_ips=[{"subnet_id": subnet.id}], name="stack-server-orphan4-port-0"
    )
    plugin = make_plugin(Server, properties, name="server", resource_short_id="orphan4")
    assert plugin.find_created(started) is None
    run_action(plugin, "delete")
    assert list(connection.network.ports(name="stack-server-orphan4-port-0")) == []
    connection.network.delete_subnet(subnet)
    connection.network.delete_network(network)
