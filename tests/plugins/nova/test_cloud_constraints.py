"""Cloud-backed custom constraints (nova.flavor, glance.image, ...) and type availability."""

from __future__ import annotations

from typing import Any

import pytest

from calor.clouds import catalog_service_types
from calor.clouds.testing import CloudPluginContext, SandboxCloud
from calor.errors import PropertyError
from calor.plugins import availability, constraints
from calor.plugins.nova import Server
from calor.plugins.registry import default_registry
from calor.schema.constraints import ConstraintViolation, CustomConstraint, CustomConstraintRegistry


@pytest.fixture
def registry() -> CustomConstraintRegistry:
    fresh = CustomConstraintRegistry()
    constraints.register(fresh)
    return fresh


def check(registry: CustomConstraintRegistry, name: str, value: str, context: Any) -> None:
    CustomConstraint(name=name, registry=registry).validate(value, context)


def test_known_values_pass(registry: CustomConstraintRegistry, cloud: SandboxCloud, connection: Any) -> None:
    check(registry, "nova.flavor", "m1.tiny", connection)
    check(registry, "nova.flavor", "1", connection)
    check(registry, "glance.image", "cirros-0.6.2-x86_64-disk", connection)
    check(registry, "keystone.project", "demo", cloud.factory.service_connection())
    check(registry, "keystone.role", "member", cloud.factory.service_connection())


def test_unknown_values_are_refused_clearly(registry: CustomConstraintRegistry, connection: Any) -> None:
    with pytest.raises(ConstraintViolation) as raised:
        check(registry, "nova.flavor", "m1.enormous", connection)
    assert str(raised.value) == (
        '"m1.enormous" does not validate nova.flavor: The Flavor (m1.enormous) could not be found.'
    )
    with pytest.raises(ConstraintViolation, match=r"The Image \(no-such-image\) could not be found"):
        check(registry, "glance.image", "no-such-image", connection)
    with pytest.raises(ConstraintViolation, match="could not be found"):
        check(registry, "cinder.volume", "no-such-volume", connection)
    with pytest.raises(ConstraintViolation, match="could not be found"):
        check(registry, "nova.keypair", "no-such-key", connection)


def test_plugin_context_and_no_cloud(registry: CustomConstraintRegistry, cloud: SandboxCloud) -> None:
    context = CloudPluginContext("web", cloud_factory=cloud.factory.bound(cloud.demo_project_id))
    with pytest.raises(ConstraintViolation):
        check(registry, "nova.flavor", "m1.enormous", context)
    check(registry, "nova.flavor", "m1.enormous", None)


def test_server_properties_validated_against_the_cloud(cloud: SandboxCloud, connection: Any) -> None:
    constraints.register()
    with pytest.raises(PropertyError) as raised:
        Server.validate_properties(
            {"flavor": "m1.enormous", "image": "cirros-0.6.2-x86_64-disk"},
            "resources.web.properties",
            connection,
        )
    assert raised.value.path == "resources.web.properties.flavor"
    assert "The Flavor (m1.enormous) could not be found." in raised.value.message


def test_available_types_follow_the_catalog(connection: Any) -> None:
    registry = default_registry()
    services = catalog_service_types(connection)
    available = availability.available_types(registry, services)
    assert "OS::Nova::Server" in available
    assert "OS::Cinder::Volume" in available
    assert "OS::Heat::RandomString" in available
    assert "OS::Swift::Container" not in available
    with pytest.raises(availability.ResourceTypeUnavailable, match="Service object-store is not available"):
        availability.check_available(registry.get("OS::Swift::Container"), services)
    only_compute = availability.available_types(registry, ["compute"])
    assert "OS::Cinder::Volume" not in only_compute and "OS::Nova::KeyPair" in only_compute
