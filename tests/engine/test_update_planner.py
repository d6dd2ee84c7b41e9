"""The update planner: static actions, removal order, decisions and restricted actions."""

from __future__ import annotations

from typing import Any

import pytest

from calor.definition.resource import ResourceDefinition
from calor.engine.dependencies import checked_graph
from calor.engine.planner import (
    Action,
    ActionRestricted,
    check_restricted,
    decide,
    plan_update,
    removal_graph,
    static_action,
)
from calor.engine.store import ResourceState
from calor.errors import ResourceFailure
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.random_string import RandomString
from calor.plugins.heat.test_resource import TestResource
from calor.plugins.heat.value import Value


def _definition(name: str, type_name: str = "OS::Heat::Value", **properties: Any) -> ResourceDefinition:
    return ResourceDefinition(name=name, type_name=type_name, properties=properties, path=f"resources.{name}")


def _state(name: str, type_name: str = "OS::Heat::Value", **fields: Any) -> ResourceState:
    defaults: dict[str, Any] = {"action": "CREATE", "status": "COMPLETE", "physical_id": f"id-{name}"}
    defaults.update(fields)
    return ResourceState(name=name, type_name=type_name, **defaults)


def test_static_actions() -> None:
    definition = _definition("one")
    assert static_action(definition, None) == Action.ADD
    assert static_action(definition, _state("one", action="INIT", physical_id=None)) == Action.ADD
    assert (
        static_action(definition, _state("one", status="FAILED", action="CREATE", physical_id=None))
        == Action.ADD
    )
    assert static_action(definition, _state("one", status="FAILED", action="UPDATE")) == Action.REPLACE
    assert static_action(definition, _state("one", type_name="OS::Heat::None")) == Action.REPLACE
    assert static_action(definition, _state("one")) == Action.EXAMINE


def test_plan_names_every_resource() -> None:
    definitions = {"kept": _definition("kept"), "new": _definition("new")}
    states = {"kept": _state("kept"), "old": _state("old"), "older": _state("older", requires=("old",))}
    plan = plan_update(checked_graph(definitions), definitions, states)
    assert plan.actions == {
        "kept": Action.EXAMINE,
        "new": Action.ADD,
        "old": Action.REMOVE,
        "older": Action.REMOVE,
    }
    assert plan.removed == ("old", "older")
    assert list(plan.removals.requires("old")) == ["older"]  # the dependant goes first
    assert plan.named(Action.REMOVE) == ["old", "older"]


def test_removal_graph_ignores_names_outside() -> None:
    states = {"a": _state("a"), "b": _state("b", requires=("a", "c")), "c": _state("c")}
    graph = removal_graph(states, ["a", "b"])
    assert set(graph) == {"a", "b"}
    assert list(graph.requires("a")) == ["b"]


def _plugin(plugin_class: Any, properties: dict[str, Any]) -> Any:
    validated = plugin_class.validate_properties(properties, "resources.x.properties")
    return plugin_class("x", validated, MemoryPluginContext("x"))


def test_decide_unchanged_update_and_replace() -> None:
    value = _plugin(Value, {"value": "a"})
    stored = _state("x", properties=value.properties)
    assert decide(value, stored, dict(value.properties), {}).action == Action.UNCHANGED
    new = Value.validate_properties({"value": "b"}, "resources.x.properties")
    decision = decide(value, stored, new, {})
    assert decision.action == Action.UPDATE
    assert decision.property_diff == {"value": "b"}
    secret = _plugin(RandomString, {"length": 8})
    stored = _state("x", "OS::Heat::RandomString", properties=secret.properties)
    longer = RandomString.validate_properties({"length": 9}, "resources.x.properties")
    assert decide(secret, stored, longer, {}).action == Action.REPLACE
    assert decide(secret, stored, dict(secret.properties), {"changed": True}).action == Action.UPDATE


def test_decide_follows_the_plugin() -> None:
    test = _plugin(TestResource, {"value": "a"})
    stored = _state("x", "OS::Heat::TestResource", properties=test.properties)
    replaced = TestResource.validate_properties(
        {"value": "b", "update_replace": True}, "resources.x.properties"
    )
    assert decide(test, stored, replaced, {}).action == Action.REPLACE


def test_immutable_property_fails() -> None:
    class Fixed(Value):
        type_name = "Test::Fixed"
        properties_schema = {**Value.properties_schema}

    from dataclasses import replace

    Fixed.properties_schema["value"] = replace(Value.properties_schema["value"], immutable=True)
    plugin = _plugin(Fixed, {"value": "a"})
    stored = _state("x", "Test::Fixed", properties=plugin.properties)
    with pytest.raises(ResourceFailure, match="Update to properties value of x"):
        decide(plugin, stored, {**plugin.properties, "value": "b"}, {})


def test_restricted_actions() -> None:
    check_restricted("x", Action.UPDATE, {"replace"})
    check_restricted("x", Action.UNCHANGED, {"update", "replace"})
    with pytest.raises(ActionRestricted, match="update is restricted for resource x"):
        check_restricted("x", Action.UPDATE, {"update"})
    with pytest.raises(ActionRestricted, match="replace is restricted for resource x"):
        check_restricted("x", Action.REPLACE, ["replace"])


class _AlwaysUpdated(Value):
    """A type that asks for an update even when nothing in its definition changed (a nested stack)."""

    def needs_update(self, new_properties: Any, property_diff: Any) -> bool:
        return True


def test_decide_asks_the_plugin_even_when_nothing_changed() -> None:
    plugin = _plugin(_AlwaysUpdated, {"value": "a"})
    stored = _state("x", properties=plugin.properties)
    decision = decide(plugin, stored, dict(plugin.properties), {})
    assert (decision.action, decision.property_diff) == (Action.UPDATE, {})
