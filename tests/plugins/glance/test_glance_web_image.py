"""OS::Glance::WebImage against the sandbox's Glance (which records the URL without fetching)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calor.clouds.testing import run_action
from calor.plugins.base import diff_properties
from calor.plugins.glance import WebImage

LOCATION = "https://download.example.org/images/tiny.qcow2"


def test_import_update_delete(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(
        WebImage,
        {
            "location": LOCATION,
            "disk_format": "qcow2",
            "container_format": "bare",
            "min_disk": 1,
            "tags": ["one"],
            "os_distro": "cirros",
        },
        name="image",
    )
    run_action(plugin, "create")
    image = connection.image.get_image(plugin.resource_id)
    assert image.status == "active"
    assert image.name.startswith("stack-image-")
    assert (image.disk_format, image.container_format, image.min_disk) == ("qcow2", "bare", 1)
    assert image.tags == ["one"]
    assert image.os_distro == "cirros"
    assert plugin.get_attribute("status") == "active"
    assert plugin.get_attribute("location") == LOCATION

    new = WebImage.validate_properties(
        {**plugin.properties, "name": "renamed", "tags": ["two"], "min_ram": 64}, "resources.image.properties"
    )
    difference = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, difference)
    run_action(plugin, "update", new, difference)
    image = connection.image.get_image(plugin.resource_id)
    assert (image.name, image.tags, image.min_ram) == ("renamed", ["two"], 64)
    moved = WebImage.validate_properties({**new, "location": LOCATION + "?v=2"}, "resources.image.properties")
    assert plugin.needs_replace(moved, diff_properties(new, moved))

    run_action(plugin, "delete")
    assert connection.image.find_image(plugin.resource_id) is None
    run_action(plugin, "delete")
