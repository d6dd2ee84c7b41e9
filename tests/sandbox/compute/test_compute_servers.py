"""Servers through openstacksdk's compute proxy, as against a real Nova."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from openstack import exceptions

from calor.sandbox.image import CIRROS_ID

WAIT = {"wait": 10, "interval": 0.05}


def boot(connection: Any, name: str = "web", flavor: str = "m1.tiny", **options: Any) -> Any:
    flavor_id = connection.compute.find_flavor(flavor, ignore_missing=False).id
    options.setdefault("networks", "auto")
    return connection.compute.create_server(name=name, flavor_id=flavor_id, image_id=CIRROS_ID, **options)


def test_server_lifecycle(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo, metadata={"role": "web"}, key_name=None), **WAIT)
    assert server.status == "ACTIVE"
    assert server.metadata == {"role": "web"}
    assert server.flavor.original_name == "m1.tiny"
    assert server.image.id == CIRROS_ID
    address = server.addresses["private"][0]
    assert address["addr"].startswith("10.0.") and address["OS-EXT-IPS:type"] == "fixed"
    assert [item.id for item in demo.compute.servers()] == [server.id]
    assert demo.compute.find_server("web", ignore_missing=False).id == server.id
    updated = demo.compute.update_server(server, name="web-renamed")
    assert updated.name == "web-renamed"
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, **WAIT)
    assert list(demo.compute.servers()) == []


def test_resize_confirm_and_revert(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    small = demo.compute.find_flavor("m1.small", ignore_missing=False)
    demo.compute.resize_server(server, small.id)
    server = demo.compute.wait_for_server(server, status="VERIFY_RESIZE", **WAIT)
    assert server.flavor.original_name == "m1.small"
    demo.compute.confirm_server_resize(server)
    server = demo.compute.wait_for_server(server, **WAIT)
    assert server.flavor.original_name == "m1.small"

    tiny = demo.compute.find_flavor("m1.tiny", ignore_missing=False)
    demo.compute.resize_server(server, tiny.id)
    demo.compute.wait_for_server(server, status="VERIFY_RESIZE", **WAIT)
    demo.compute.revert_server_resize(server)
    server = demo.compute.wait_for_server(server, **WAIT)
    assert server.flavor.original_name == "m1.small"


def test_resize_to_the_same_flavor_is_refused(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    with pytest.raises(exceptions.BadRequestException, match="must change flavor"):
        demo.compute.resize_server(server, "1")


def test_rebuild_reboot_suspend_stop_pause(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    rebuilt = demo.compute.rebuild_server(server, image=CIRROS_ID, name="rebuilt", admin_password="secret")
    assert rebuilt.name == "rebuilt"
    demo.compute.wait_for_server(server, **WAIT)
    demo.compute.reboot_server(server, "SOFT")
    demo.compute.wait_for_server(server, **WAIT)
    demo.compute.reboot_server(server, "HARD")
    demo.compute.wait_for_server(server, **WAIT)
    demo.compute.suspend_server(server)
    demo.compute.wait_for_server(server, status="SUSPENDED", **WAIT)
    demo.compute.resume_server(server)
    demo.compute.wait_for_server(server, **WAIT)
    demo.compute.stop_server(server)
    demo.compute.wait_for_server(server, status="SHUTOFF", **WAIT)
    demo.compute.start_server(server)
    demo.compute.wait_for_server(server, **WAIT)
    demo.compute.pause_server(server)
    demo.compute.wait_for_server(server, status="PAUSED", **WAIT)
    demo.compute.unpause_server(server)
    assert demo.compute.wait_for_server(server, **WAIT).status == "ACTIVE"


def test_action_in_the_wrong_state_is_a_conflict(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    with pytest.raises(exceptions.ConflictException, match="vm_state active"):
        demo.compute.start_server(server)


def test_console_output_and_remote_console(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    output = demo.compute.get_server_console_output(server)["output"]
    assert "login:" in output
    console = demo.compute.create_server_remote_console(server, protocol="vnc", type="novnc")
    assert console.url.startswith("http://")


def test_server_metadata(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    demo.compute.set_server_metadata(server, color="blue", size="large")
    demo.compute.delete_server_metadata(server, ["size"])
    assert demo.compute.get_server_metadata(server).metadata == {"color": "blue"}


def test_create_image_from_a_server(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    image = demo.compute.create_server_image(server, "snapshot", wait=True, timeout=10)
    assert image.name == "snapshot"
    assert demo.image.get_image(image.id).status == "active"


def test_injected_error_puts_the_server_in_error(sandbox_factory: Any, connect_to: Any) -> None:
    sandbox = sandbox_factory(faults=["compute.server.create=error"])
    demo = connect_to(sandbox)
    server = boot(demo)
    with pytest.raises(exceptions.ResourceFailure):
        demo.compute.wait_for_server(server, **WAIT)
    server = demo.compute.get_server(server)
    assert server.status == "ERROR"
    assert server.fault["code"] == 500


def test_fault_header_fails_the_nth_call(sandbox: Any, demo: Any) -> None:
    token = demo.session.get_token()
    headers = {"X-Auth-Token": token, "X-Calor-Sandbox-Fault": "compute.flavor.list=fail:503;nth=2"}
    url = sandbox.url + "/compute/v2.1/flavors"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    failed = requests.get(url, headers=headers, timeout=10)
    assert failed.status_code == 503
    assert failed.json()["serviceUnavailable"]["code"] == 503
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_fault_header_error_state_on_an_action(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    response = demo.compute.post(
        f"/servers/{server.id}/action",
        json={"reboot": {"type": "SOFT"}},
        headers={"X-Calor-Sandbox-Fault": "compute.server.action=error"},
    )
    assert response.status_code == 202
    assert demo.compute.get_server(server).status == "ERROR"


def test_latency_delays_the_operation(sandbox_factory: Any, connect_to: Any) -> None:
    sandbox = sandbox_factory(latency={"compute.flavor.list": 0.3})
    demo = connect_to(sandbox)
    demo.compute.find_flavor("m1.tiny")  # authenticate first
    started = time.monotonic()
    list(demo.compute.flavors())
    assert time.monotonic() - started >= 0.3


def test_status_delay_shows_build_first(sandbox_factory: Any, connect_to: Any) -> None:
    sandbox = sandbox_factory(status_delay_seconds=0.3)
    demo = connect_to(sandbox)
    server = boot(demo)
    assert demo.compute.get_server(server).status == "BUILD"
    assert demo.compute.wait_for_server(server, **WAIT).status == "ACTIVE"


def test_multiple_networks_and_fixed_ip(demo: Any) -> None:
    server = boot(demo, networks=[{"uuid": "ignored-without-neutron", "fixed_ip": "10.0.5.5"}])
    server = demo.compute.wait_for_server(server, **WAIT)
    assert server.addresses["private"][0]["addr"] == "10.0.5.5"
    with pytest.raises(exceptions.ConflictException):
        boot(demo, name="clash", networks=[{"uuid": "x", "fixed_ip": "10.0.5.5"}])


def test_volume_attachments_and_interfaces(demo: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    attachment = demo.compute.create_volume_attachment(server, volume_id="4b0b3c6e-vol")
    assert attachment.device == "/dev/vdb"
    assert [item.volume_id for item in demo.compute.volume_attachments(server)] == ["4b0b3c6e-vol"]
    demo.compute.delete_volume_attachment(server, "4b0b3c6e-vol")
    assert list(demo.compute.volume_attachments(server)) == []
    interface = demo.compute.create_server_interface(server, net_id="private")
    ports = [item.port_id for item in demo.compute.server_interfaces(server)]
    assert interface.port_id in ports and len(ports) == 2
    demo.compute.delete_server_interface(interface, server=server)
    assert len(list(demo.compute.server_interfaces(server))) == 1


def test_unknown_server_is_item_not_found(sandbox: Any, demo: Any) -> None:
    with pytest.raises(exceptions.NotFoundException):
        demo.compute.get_server("no-such-server")
    response = requests.get(
        sandbox.url + "/compute/v2.1/servers/nope",
        headers={"X-Auth-Token": demo.session.get_token()},
        timeout=10,
    )
    assert response.json() == {"itemNotFound": {"code": 404, "message": "Instance nope could not be found."}}


def test_other_projects_do_not_see_the_server(demo: Any, admin: Any) -> None:
    server = demo.compute.wait_for_server(boot(demo), **WAIT)
    assert list(admin.compute.servers()) == []
    assert [item.id for item in admin.compute.servers(all_projects=True)] == [server.id]


def test_create_validation(demo: Any) -> None:
    cases = [
        ({"flavor_id": "999", "image_id": CIRROS_ID}, "Flavor 999 could not be found"),
        ({"flavor_id": "1", "image_id": "no-such-image"}, "Image no-such-image could not be found"),
        ({"flavor_id": "1"}, "Block Device Mapping is Invalid"),
        ({"flavor_id": "1", "image_id": CIRROS_ID, "user_data": "%%%"}, "valid base 64"),
        ({"flavor_id": "1", "image_id": CIRROS_ID, "availability_zone": "mars"}, "availability zone"),
    ]
    for options, message in cases:
        with pytest.raises(exceptions.BadRequestException, match=message):
            demo.compute.create_server(name="bad", **options)
    assert list(demo.compute.servers()) == []


def test_min_and_max_count_create_several_servers(demo: Any) -> None:
    demo.compute.create_server(name="farm", flavor_id="1", image_id=CIRROS_ID, min_count=2, max_count=3)
    assert sorted(server.name for server in demo.compute.servers()) == ["farm-1", "farm-2", "farm-3"]


def test_user_data_and_config_drive_are_shown_to_admins(demo: Any, admin: Any) -> None:
    server = demo.compute.create_server(
        name="cfg", flavor_id="1", image_id=CIRROS_ID, user_data="I2Nsb3VkLWNvbmZpZw==", config_drive=True
    )
    shown = admin.compute.get_server(server.id)
    assert shown.user_data == "I2Nsb3VkLWNvbmZpZw=="
    assert shown.has_config_drive in (True, "True")
