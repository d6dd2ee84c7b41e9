"""Servers with the network service served: ports come from the emulated Neutron."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from calor.sandbox.framework import NetworkPorts
from calor.sandbox.image import CIRROS_ID

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("calor.sandbox.network") is None, reason="the network service is not written yet"
)
SERVICES = ("calor.sandbox.compute", "calor.sandbox.image", "calor.sandbox.network")
WAIT = {"wait": 10, "interval": 0.05}


@pytest.fixture
def demo(tmp_path: Any, connect_to: Any) -> Any:
    from calor.sandbox.framework import SandboxConfig
    from calor.sandbox.framework.serving import serve_sandbox

    config = SandboxConfig(state_dir=tmp_path / "state", status_delay_seconds=0.0)
    running = serve_sandbox(config, services=SERVICES, password_rounds=4)
    assert isinstance(running.context.backend("network"), NetworkPorts)
    yield connect_to(running)
    running.stop()


def test_server_ports_come_from_the_network_service(demo: Any) -> None:
    network = demo.network.create_network(name="app-net")
    subnet = demo.network.create_subnet(network_id=network.id, cidr="192.168.50.0/24", ip_version=4)
    server = demo.compute.create_server(
        name="web", flavor_id="1", image_id=CIRROS_ID, networks=[{"uuid": network.id}]
    )
    server = demo.compute.wait_for_server(server, **WAIT)
    address = server.addresses["app-net"][0]["addr"]
    assert address.startswith("192.168.50.")
    ports = list(demo.network.ports(device_id=server.id))
    assert [port.fixed_ips[0]["ip_address"] for port in ports] == [address]
    assert ports[0].fixed_ips[0]["subnet_id"] == subnet.id

    port = demo.network.create_port(network_id=network.id)
    interface = demo.compute.create_server_interface(server, port_id=port.id)
    assert interface.port_id == port.id
    assert demo.network.get_port(port.id).device_id == server.id

    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, **WAIT)
    assert list(demo.network.ports(device_id=server.id)) == []
    assert demo.network.get_port(port.id).device_id == ""


def test_auto_network_uses_the_projects_network(demo: Any) -> None:
    network = demo.network.create_network(name="mine")
    demo.network.create_subnet(network_id=network.id, cidr="172.16.0.0/24", ip_version=4)
    server = demo.compute.wait_for_server(
        demo.compute.create_server(name="auto", flavor_id="1", image_id=CIRROS_ID, networks="auto"), **WAIT
    )
    assert list(server.addresses) == ["mine"]


def test_unknown_network_is_a_bad_request(demo: Any) -> None:
    from openstack import exceptions

    with pytest.raises(exceptions.BadRequestException, match="could not be found"):
        demo.compute.create_server(name="x", flavor_id="1", image_id=CIRROS_ID, networks=[{"uuid": "nope"}])
