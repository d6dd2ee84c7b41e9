"""ResourceGroup and ResourceChain plugins: member definitions, names and attributes (fake child stacks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from calor.errors import PropertyError, ResourceFailure
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.resource_chain import ResourceChain
from calor.plugins.heat.resource_group import ResourceGroup, replace_index
from calor.plugins.nested import ChildStack, NestedStacks


class FakeChildren:
    """Child stacks in memory: create records the template, the members answer from a table."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.adopted: dict[str, Any] = {}
        self.polled_with: list[Mapping[str, Any] | None] = []

    def create(
        self,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> str:
        assert isinstance(template, Mapping)
        self.created.append(dict(template))
        for name, definition in template["resources"].items():
            self.members[name] = {"ref": f"ref-{name}", **(definition.get("properties") or {})}
        return "child-id"

    def adopt(
        self,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        resources: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> str:
        self.adopted = dict(resources)
        return self.create(template, parameters=parameters)

    def update(
        self,
        stack_id: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> None:
        assert isinstance(template, Mapping)
        self.created.append(dict(template))

    def update_policy(self) -> Mapping[str, Any]:
        return {}

    def files(self) -> Mapping[str, str]:
        return {}

    def get(self, stack_id: str, *, adopt_resources: Mapping[str, Any] | None = None) -> ChildStack | None:
        if stack_id in self.deleted:
            return None
        self.polled_with.append(adopt_resources)
        action = "ADOPT" if self.adopted else "CREATE"
        return ChildStack(stack_id, "child", action, "COMPLETE", "done")

    def delete(self, stack_id: str) -> None:
        self.deleted.append(stack_id)

    def references(self, stack_id: str, resource_names: Sequence[str]) -> dict[str, str | None]:
        return {name: self.members[name]["ref"] if name in self.members else None for name in resource_names}

    def attributes(
        self, stack_id: str, resource_names: Sequence[str], attribute: str, path: Sequence[str | int] = ()
    ) -> dict[str, Any]:
        return {name: self.members.get(name, {}).get(attribute) for name in resource_names}

    def resource_names(self, stack_id: str) -> list[str]:
        return list(self.members)


class NestedContext(MemoryPluginContext):
    def __init__(self, children: FakeChildren) -> None:
        super().__init__("group")
        self.children = children

    def nested_stacks(self) -> NestedStacks:
        return self.children


def group(properties: dict[str, Any]) -> tuple[ResourceGroup, FakeChildren]:
    children = FakeChildren()
    values = ResourceGroup.validate_properties(properties, "resources.group.properties")
    return ResourceGroup("group", values, NestedContext(children)), children


def test_replace_index_in_strings_keys_and_lists() -> None:
    value = {"name": "web-%index%", "%index%": ["a%index%", 3]}
    assert replace_index(value, "%index%", "2") == {"name": "web-2", "2": ["a2", 3]}


def test_group_creates_count_members_with_index_replaced() -> None:
    plugin, children = group(
        {"count": 3, "resource_def": {"type": "OS::Heat::Value", "properties": {"value": "v%index%"}}}
    )
    token = plugin.handle_create()
    assert plugin.check_create_complete(token)
    assert plugin.resource_id == "child-id"
    [template] = children.created
    assert template["resources"] == {
        name: {"type": "OS::Heat::Value", "properties": {"value": f"v{name}"}} for name in ("0", "1", "2")
    }
    assert plugin.get_attribute("refs") == ["ref-0", "ref-1", "ref-2"]
    assert plugin.get_attribute("refs_map") == {"0": "ref-0", "1": "ref-1", "2": "ref-2"}
    assert plugin.get_attribute("value") == ["v0", "v1", "v2"]
    assert plugin.get_attribute("attributes", ["value"]) == {"0": "v0", "1": "v1", "2": "v2"}
    assert plugin.get_attribute("resource.1") == "ref-1"
    assert plugin.get_attribute("resource.2.value") == "v2"


def test_removal_policies_skip_names_for_good() -> None:
    plugin, children = group(
        {
            "count": 2,
            "removal_policies": [{"resource_list": ["1"]}],
            "resource_def": {"type": "OS::Heat::None"},
        }
    )
    plugin.handle_create()
    assert list(children.created[0]["resources"]) == ["0", "2"]
    assert plugin.get_attribute("removed_rsrc_list") == ["1"]


def test_zero_count_and_bad_properties() -> None:
    plugin, children = group({"count": 0, "resource_def": {"type": "OS::Heat::None"}})
    plugin.handle_create()
    assert children.created[0]["resources"] == {}
    with pytest.raises(PropertyError):
        group({"count": -1, "resource_def": {"type": "OS::Heat::None"}})
    with pytest.raises(PropertyError):
        group({"count": 1})


def test_delete_deletes_the_child() -> None:
    plugin, children = group({"count": 1, "resource_def": {"type": "OS::Heat::None"}})
    plugin.handle_create()
    token = plugin.handle_delete()
    assert children.deleted == ["child-id"]
    assert plugin.check_delete_complete(token)


def test_a_failed_child_fails_the_group_with_the_nested_path() -> None:
    plugin, children = group({"count": 1, "resource_def": {"type": "OS::Heat::None"}})
    token = plugin.handle_create()
    children.get = lambda stack_id: ChildStack(  # type: ignore[method-assign]
        stack_id, "child", "CREATE", "FAILED", "Resource CREATE failed: ValueError: resources.0: boom"
    )
    with pytest.raises(ResourceFailure, match=r"resources\.group\.resources\.0: boom"):
        plugin.check_create_complete(token)


def test_chain_members_depend_on_the_previous_unless_concurrent() -> None:
    children = FakeChildren()
    properties = ResourceChain.validate_properties(
        {"resources": ["OS::Heat::None", "OS::Heat::Value"], "resource_properties": {"value": 1}},
        "resources.chain.properties",
    )
    chain = ResourceChain("chain", properties, NestedContext(children))
    chain.handle_create()
    assert children.created[0]["resources"] == {
        "0": {"type": "OS::Heat::None", "properties": {"value": 1}},
        "1": {"type": "OS::Heat::Value", "properties": {"value": 1}, "depends_on": ["0"]},
    }
    properties = dict(properties, concurrent=True)
    concurrent = ResourceChain("chain", properties, NestedContext(FakeChildren()))
    assert "depends_on" not in concurrent.member_definitions()["1"]


def test_group_adopts_the_members_of_its_abandon_data() -> None:
    plugin, children = group({"count": 2, "resource_def": {"type": "OS::Heat::None"}})
    members = {"1": {"resource_id": "a"}, "3": {"resource_id": "b"}}
    token = plugin.handle_adopt({"id": "old-child", "resources": members})
    # The names missing below the highest one were removed before the abandon: never reused.
    assert plugin.blacklist() == ["0", "2"]
    assert sorted(children.created[0]["resources"]) == ["1", "3"]
    assert children.adopted == members
    assert plugin.check_adopt_complete(token)
    assert children.polled_with == [members]  # an engine taking over resumes the adopt with them
    assert plugin.resource_id == "child-id"


def test_adopt_needs_a_nested_stacks_abandon_data() -> None:
    plugin, _children = group({"count": 1, "resource_def": {"type": "OS::Heat::None"}})
    with pytest.raises(ResourceFailure, match="not a nested stack's"):
        plugin.handle_adopt({"resource_id": "x"})
