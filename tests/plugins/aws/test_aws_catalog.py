"""The AWS and Neutron types are in the default registry, and their schemas render for the API."""

from __future__ import annotations

import pytest

from calor.plugins.aws import AWS_PLUGINS
from calor.plugins.neutron import NEUTRON_PLUGINS
from calor.plugins.registry import default_registry

SERVICES = {"network", "compute", "volume", "identity", "object-store"}


@pytest.mark.parametrize("plugin", [*AWS_PLUGINS, *NEUTRON_PLUGINS], ids=lambda plugin: plugin.type_name)
def test_registered_with_a_service_and_a_rendered_schema(plugin: type) -> None:
    registry = default_registry()
    assert registry.get(plugin.type_name) is plugin
    assert plugin.required_service in SERVICES
    schema = plugin.resource_schema()
    assert schema["resource_type"] == plugin.type_name
    assert "show" in schema["attributes"]
    assert schema["description"]
