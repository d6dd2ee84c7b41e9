"""Servers with the volume service served: attachments and boot from volume through Cinder."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from calor.sandbox.framework import SandboxConfig, VolumeProvider
from calor.sandbox.framework.serving import serve_sandbox
from calor.sandbox.image import CIRROS_ID

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("calor.sandbox.volume") is None, reason="the volume service is not written yet"
)
SERVICES = ("calor.sandbox.compute", "calor.sandbox.image", "calor.sandbox.volume")
WAIT = {"wait": 10, "interval": 0.05}


@pytest.fixture
def demo(tmp_path: Path, connect_to: Any) -> Iterator[Any]:
    config = SandboxConfig(state_dir=tmp_path / "state", status_delay_seconds=0.0)
    running = serve_sandbox(config, services=SERVICES, password_rounds=4)
    assert isinstance(running.context.backend("volume"), VolumeProvider)
    yield connect_to(running)
    running.stop()


def test_attach_and_detach_a_volume(demo: Any) -> None:
    volume = demo.block_storage.create_volume(size=1, name="data")
    demo.block_storage.wait_for_status(volume, "available", **WAIT)
    server = demo.compute.wait_for_server(
        demo.compute.create_server(name="web", flavor_id="1", image_id=CIRROS_ID), **WAIT
    )
    demo.compute.create_volume_attachment(server, volume_id=volume.id)
    attached = demo.block_storage.get_volume(volume)
    assert attached.status == "in-use"
    assert [item["server_id"] for item in attached.attachments] == [server.id]
    assert demo.compute.get_server(server).attached_volumes[0]["id"] == volume.id
    demo.compute.delete_volume_attachment(server, volume.id)
    assert demo.block_storage.get_volume(volume).status == "available"


def test_boot_from_an_image_volume_deleted_with_the_server(demo: Any) -> None:
    mapping = {
        "boot_index": 0,
        "uuid": CIRROS_ID,
        "source_type": "image",
        "destination_type": "volume",
        "volume_size": 2,
        "delete_on_termination": True,
    }
    server = demo.compute.create_server(name="bfv", flavor_id="1", block_device_mapping=[mapping])
    server = demo.compute.wait_for_server(server, **WAIT)
    assert not server.image
    volume_id = server.attached_volumes[0]["id"]
    assert demo.block_storage.get_volume(volume_id).size == 2
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, **WAIT)
    assert demo.block_storage.find_volume(volume_id) is None
