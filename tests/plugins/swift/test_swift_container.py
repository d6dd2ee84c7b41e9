"""OS::Swift::Container against the sandbox's object store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calor.clouds.testing import run_action
from calor.plugins.base import ActionNotSupported
from calor.plugins.swift import SwiftContainer


def test_create_with_acls_and_metadata(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(
        SwiftContainer,
        {"X-Container-Read": ".r:*", "X-Container-Meta": {"Web-Index": "index.html"}},
        name="site",
    )
    run_action(plugin, "create")
    name = plugin.resource_id
    assert name is not None and name.startswith("stack-site-")
    container = connection.object_store.get_container_metadata(name)
    assert container.read_ACL == ".r:*"
    assert {key.lower(): value for key, value in container.metadata.items()} == {"web-index": "index.html"}
    connection.object_store.upload_object(container=name, name="index.html", data=b"<html></html>")
    assert plugin.get_attribute("ObjectCount") == 1
    assert plugin.get_attribute("BytesUsed") == 13
    endpoint = connection.object_store.get_endpoint()
    assert plugin.get_attribute("RootURL") == endpoint.rstrip("/")
    assert plugin.get_attribute("WebsiteURL") == endpoint.rstrip("/") + "/" + name
    assert plugin.get_attribute("DomainName") == "127.0.0.1"
    assert plugin.get_attribute("HeadContainer")["x-container-object-count"] == 1
    with pytest.raises(ActionNotSupported, match="PurgeOnDelete is False"):
        plugin.handle_delete()
    connection.object_store.delete_object("index.html", container=name)
    run_action(plugin, "delete")
    assert name not in [container.name for container in connection.object_store.containers()]
    run_action(plugin, "delete")


def test_purge_on_delete(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(SwiftContainer, {"name": "purged", "PurgeOnDelete": True}, name="bucket")
    run_action(plugin, "create")
    assert plugin.resource_id == "purged"
    for index in range(3):
        connection.object_store.upload_object(container="purged", name=f"object-{index}", data=b"x")
    run_action(plugin, "delete")
    assert "purged" not in [container.name for container in connection.object_store.containers()]
