"""The compute state survives a restart of the sandbox cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from calor.sandbox.image import CIRROS_ID


def test_servers_keypairs_and_flavors_survive_a_restart(
    sandbox_factory: Any, tmp_path: Path, connect_to: Any
) -> None:
    state = tmp_path / "persistent"
    first = sandbox_factory(state)
    demo = connect_to(first)
    server = demo.compute.create_server(name="kept", flavor_id="2", image_id=CIRROS_ID, metadata={"a": "b"})
    demo.compute.wait_for_server(server, wait=10, interval=0.05)
    demo.compute.create_keypair(name="kept-key")
    connect_to(first, "admin").compute.delete_flavor("5")
    first.stop()

    second = sandbox_factory(state)
    demo = connect_to(second)
    restored = demo.compute.get_server(server.id)
    assert (restored.name, restored.status, restored.metadata) == ("kept", "ACTIVE", {"a": "b"})
    assert restored.addresses == demo.compute.get_server(server.id).addresses
    assert [keypair.name for keypair in demo.compute.keypairs()] == ["kept-key"]
    assert "m1.xlarge" not in {flavor.name for flavor in demo.compute.flavors()}
    again = demo.compute.create_server(name="next", flavor_id="1", image_id=CIRROS_ID)
    again = demo.compute.wait_for_server(again, wait=10, interval=0.05)
    assert again.addresses["private"][0]["addr"] != restored.addresses["private"][0]["addr"]
