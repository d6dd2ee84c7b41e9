"""The neutron.* custom constraints: names and ids accepted, unknown names refused clearly."""

from __future__ import annotations

from typing import Any

import pytest

from calor.errors import PropertyError
from calor.plugins import neutron_constraints
from calor.plugins.neutron.port import Port
from calor.plugins.neutron.subnet import Subnet
from calor.schema.constraints import ConstraintViolation, CustomConstraintRegistry


def test_register_adds_every_checker() -> None:
    registry = CustomConstraintRegistry()
    names = neutron_constraints.register(registry)
    assert {
        "neutron.network",
        "neutron.subnet",
        "neutron.port",
        "neutron.router",
        "neutron.security_group",
    } <= set(names)
    assert all(name in registry for name in names)


def test_network_by_name_or_id_is_accepted(cloud: Any) -> None:
    check = neutron_constraints.NEUTRON_CONSTRAINTS["neutron.network"]
    public = cloud.network.find_network("public")
    check("public", cloud)
    check(public.id, cloud)


def test_unknown_network_is_refused_with_a_clear_message(cloud: Any) -> None:
    check = neutron_constraints.NEUTRON_CONSTRAINTS["neutron.network"]
    with pytest.raises(ConstraintViolation, match=r"The Network \(nowhere\) could not be found\."):
        check("nowhere", cloud)


def test_without_a_cloud_the_value_is_accepted() -> None:
    neutron_constraints.NEUTRON_CONSTRAINTS["neutron.subnet"]("anything", None)


def test_property_validation_with_a_plugin_context(make: Any) -> None:
    probe = make(Subnet, {"network": "public", "cidr": "10.0.0.0/24"})
    with pytest.raises(PropertyError) as raised:
        Port.validate_properties({"network": "nowhere"}, "resources.port.properties", probe.context)
    assert raised.value.path == "resources.port.properties.network"
    assert "The Network (nowhere) could not be found." in raised.value.message
    Port.validate_properties({"network": "public"}, "resources.port.properties", probe.context)


def test_default_security_group_resolves_to_the_projects_own(cloud: Any) -> None:
    check = neutron_constraints.NEUTRON_CONSTRAINTS["neutron.security_group"]
    cloud.network.find_security_group("default", project_id=cloud.current_project_id)
    check("default", cloud)
