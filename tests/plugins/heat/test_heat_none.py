"""OS::Heat::None: accepts anything, does nothing, answers None."""

from __future__ import annotations

import uuid

from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.none import NoneResource


def make(properties: dict[str, object]) -> NoneResource:
    validated = NoneResource.validate_properties(properties, "resources.stub.properties")
    return NoneResource("stub", validated, MemoryPluginContext("stub"))


def test_accepts_any_properties_and_attributes() -> None:
    plugin = make({"flavor": "m1.small", "networks": [{"port": "p"}]})
    assert NoneResource.has_attribute("first_address")
    assert plugin.get_attribute("first_address", ("a", 0)) is None
    assert plugin.all_attributes() == {}


def test_create_sets_a_uuid_and_references_it() -> None:
    plugin = make({})
    assert plugin.check_create_complete(plugin.handle_create())
    assert plugin.resource_id is not None
    uuid.UUID(plugin.resource_id)
    assert plugin.reference_id() == plugin.resource_id


def test_never_updates_nor_replaces() -> None:
    plugin = make({"a": 1})
    assert not plugin.needs_update({"a": 2}, {"a": 2})
    assert not plugin.needs_replace({"a": 2}, {"a": 2})
    assert plugin.check_delete_complete(plugin.handle_delete())
