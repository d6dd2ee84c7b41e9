"""OS::Nova::KeyPair, ServerGroup and Flavor against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from calor.clouds.errors import QuotaExceeded
from calor.clouds.testing import SandboxCloud, run_action
from calor.errors import ResourceFailure
from calor.plugins.base import diff_properties
from calor.plugins.nova import Flavor, KeyPair, ServerGroup


def public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    text = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return text.decode("ascii") + " test@calor"


PUBLIC_KEY = public_key()


def test_generated_keypair_keeps_its_private_key(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(KeyPair, {"name": "generated", "save_private_key": True}, name="key")
    run_action(plugin, "create")
    assert plugin.resource_id == "generated"
    assert plugin.reference_id() == "generated"
    assert "PRIVATE KEY" in plugin.get_attribute("private_key")
    assert "private_key" in plugin.context.redacted_keys
    assert plugin.get_attribute("public_key") == connection.compute.get_keypair("generated").public_key
    run_action(plugin, "delete")
    assert connection.compute.find_keypair("generated") is None
    run_action(plugin, "delete")


def test_imported_keypair(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(KeyPair, {"name": "imported", "public_key": PUBLIC_KEY}, name="key")
    run_action(plugin, "create")
    try:
        assert connection.compute.get_keypair("imported").public_key == PUBLIC_KEY
        assert plugin.get_attribute("private_key") == ""
        assert plugin.get_attribute("public_key") == PUBLIC_KEY
        duplicate = make_plugin(KeyPair, {"name": "imported", "public_key": PUBLIC_KEY}, name="again")
        with pytest.raises(ResourceFailure, match="imported"):
            duplicate.handle_create()
        assert duplicate.resource_id is None
    finally:
        run_action(plugin, "delete")


def test_server_group(make_plugin: Callable[..., Any], connection: Any) -> None:
    plugin = make_plugin(ServerGroup, {"policies": ["affinity"]}, name="group")
    run_action(plugin, "create")
    group = connection.compute.get_server_group(plugin.resource_id)
    assert group.name.startswith("stack-group-")
    assert (group.policies or [group.policy]) == ["affinity"]
    assert plugin.get_attribute("show")["id"] == plugin.resource_id
    run_action(plugin, "delete")
    assert connection.compute.find_server_group(plugin.resource_id) is None


def test_flavor_needs_admin_and_updates_extra_specs(
    cloud: SandboxCloud, make_plugin: Callable[..., Any]
) -> None:
    refused = make_plugin(Flavor, {"ram": 1024, "vcpus": 1}, name="flavor")
    with pytest.raises(ResourceFailure) as raised:
        refused.handle_create()
    assert not isinstance(raised.value, QuotaExceeded)
    plugin = make_plugin(
        Flavor,
        {"ram": 1024, "vcpus": 2, "disk": 5, "extra_specs": {"hw:cpu_policy": "dedicated"}},
        name="flavor",
        admin=True,
    )
    run_action(plugin, "create")
    admin = cloud.factory.service_connection()
    flavor = admin.compute.get_flavor(plugin.resource_id)
    assert (flavor.ram, flavor.vcpus, flavor.disk) == (1024, 2, 5)
    assert plugin.get_attribute("extra_specs") == {"hw:cpu_policy": "dedicated"}
    assert plugin.get_attribute("is_public") is True
    new = Flavor.validate_properties(
        {**plugin.properties, "extra_specs": {"a": "b"}}, "resources.flavor.properties"
    )
    difference = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, difference)
    run_action(plugin, "update", new, difference)
    plugin.properties = new
    assert plugin.get_attribute("extra_specs") == {"a": "b"}
    run_action(plugin, "delete")
    assert admin.compute.find_flavor(plugin.resource_id) is None
