"""OS::Neutron::Net against the sandbox's Neutron."""

from __future__ import annotations

from typing import Any

import pytest
from neutron_harness import run_create, run_delete, run_update

from calor.errors import PropertyError
from calor.plugins.neutron.net import Net


def test_create_names_the_network_after_the_resource_and_resolves_attributes(make: Any, cloud: Any) -> None:
    net = make(Net, {"admin_state_up": False}, name="private")
    run_create(net)
    network = cloud.network.get_network(net.resource_id)
    assert network.name.startswith("stack-private-")
    assert network.is_admin_state_up is False
    assert net.get_attribute("status") == "ACTIVE"
    assert net.get_attribute("subnets") == []
    assert net.get_attribute("mtu") > 0
    assert net.get_attribute("show")["id"] == net.resource_id
    assert net.reference_id() == net.resource_id


def test_update_in_place_and_delete(make: Any, cloud: Any) -> None:
    net = make(Net, {"name": "before"})
    run_create(net)
    run_update(net, {"name": "after", "admin_state_up": False})
    network = cloud.network.get_network(net.resource_id)
    assert (network.name, network.is_admin_state_up) == ("after", False)
    run_delete(net)
    assert cloud.network.find_network(net.resource_id, ignore_missing=True) is None


def test_delete_of_a_network_already_gone_succeeds(make: Any) -> None:
    net = make(Net, {}, resource_id="00000000-0000-0000-0000-000000000000")
    run_delete(net)


def test_value_specs_may_not_override_properties(make: Any) -> None:
    with pytest.raises(PropertyError, match="name not allowed in value_specs"):
        make(Net, {"value_specs": {"name": "x"}})
    with pytest.raises(PropertyError, match="shared not allowed"):
        make(Net, {"value_specs": {"shared": True}})


def test_value_specs_reach_the_request(make: Any, cloud: Any) -> None:
    net = make(Net, {"value_specs": {"mtu": 1400}})
    run_create(net)
    assert cloud.network.get_network(net.resource_id).mtu == 1400
    run_delete(net)
