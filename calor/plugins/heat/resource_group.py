"""OS::Heat::ResourceGroup: ``count`` identical resources in a nested stack, as Heat builds it.

Members are named ``"0"``, ``"1"``, ... skipping names once removed through
``removal_policies`` (kept in resource data so they are never reused;
``removal_policies_mode: update`` replaces the stored list). ``index_var``
(``%index%``) in the member definition is replaced by the member's name. Attributes:
``refs``, ``refs_map``, ``attributes`` (member name → one attribute), ``resource.N``
(member N's reference) and ``resource.N.attr``; any other name gives that attribute of
every member, as a list.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.errors import ResourceFailure
from calor.plugins.base import select_from_attribute
from calor.plugins.heat import group_batches as batches
from calor.plugins.heat.nested_resource import NestedStackResource
from calor.schema.constraints import AllowedValues, Length, Range
from calor.schema.properties import AttributeSchema, PropertySchema, SupportStatus

BLACKLIST_KEY = "name_blacklist"
NESTED_TEMPLATE_VERSION = "2016-10-14"
REFS = "refs"
REFS_MAP = "refs_map"
ATTRIBUTES = "attributes"
REMOVED = "removed_rsrc_list"
MEMBER_PREFIX = "resource."


def replace_index(value: Any, index_var: str, name: str) -> Any:
    """``value`` with every ``index_var`` in its strings (keys too) replaced by ``name``."""
    if isinstance(value, str):
        return value.replace(index_var, name)
    if isinstance(value, Mapping):
        return {
            replace_index(key, index_var, name): replace_index(item, index_var, name)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [replace_index(item, index_var, name) for item in value]
    return value


class MemberStackResource(NestedStackResource):
    """Attributes common to ResourceGroup and ResourceChain: the members' references and attributes."""

    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        REFS: AttributeSchema("A list of resource IDs for the resources in the group.", type="list"),
        REFS_MAP: AttributeSchema(
            "A map of resource names to IDs for the resources in the group.", type="map"
        ),
        ATTRIBUTES: AttributeSchema(
            "A map of resource names to the specified attribute of each individual resource.", type="map"
        ),
    }

    path_attributes: ClassVar[frozenset[str]] = frozenset({ATTRIBUTES})
    """Attributes whose value is computed for the path (never cached whole)."""

    @abc.abstractmethod
    def member_names(self) -> list[str]:
        """The members' resource names, in order."""

    @abc.abstractmethod
    def member_definitions(self) -> dict[str, dict[str, Any]]:
        """Each member's resource definition, by name."""

    def child_template(self) -> Mapping[str, Any] | str:
        return {"heat_template_version": NESTED_TEMPLATE_VERSION, "resources": self.member_definitions()}

    @classmethod
    def has_attribute(cls, name: str) -> bool:
        return True

    def _child_id(self) -> str | None:
        return str(self.resource_id) if self.resource_id is not None else None

    def get_attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        if name == "show":
            return None
        stack_id = self._child_id()
        names = self.member_names()
        if stack_id is None:
            return None
        stacks = self.nested_stacks()
        if name == REFS:
            references = stacks.references(stack_id, names)
            return select_from_attribute([references[member] for member in names], path)
        if name == REFS_MAP:
            return select_from_attribute(stacks.references(stack_id, names), path)
        if name == REMOVED:
            return select_from_attribute(self.blacklist(), path)
        if name == ATTRIBUTES:
            if not path:
                return None
            return stacks.attributes(stack_id, names, str(path[0]), list(path[1:]))
        if name.startswith(MEMBER_PREFIX):
            member, _, attribute = name[len(MEMBER_PREFIX) :].partition(".")
            if not attribute:
                return select_from_attribute(stacks.references(stack_id, [member])[member], path)
            return stacks.attributes(stack_id, [member], attribute, path)[member]
        values = stacks.attributes(stack_id, names, name, path)
        return [values[member] for member in names]

    def all_attributes(self) -> dict[str, Any]:
        return {REFS: self.get_attribute(REFS), REFS_MAP: self.get_attribute(REFS_MAP)}

    def blacklist(self) -> list[str]:
        stored = self.context.data().get(BLACKLIST_KEY, "")
        return [name for name in stored.split(",") if name]


class ResourceGroup(MemberStackResource):
    """Creates one or more identically configured nested resources."""

    type_name: ClassVar[str] = "OS::Heat::ResourceGroup"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "count": PropertySchema(
            "integer",
            "The number of resources to create.",
            default=1,
            constraints=(Range(min=0),),
            update_allowed=True,
        ),
        "index_var": PropertySchema(
            "string",
            "A variable that this resource will use to replace with the current index of a given "
            "resource in the group.",
            default="%index%",
            constraints=(Length(min=3),),
            update_allowed=True,
        ),
        "resource_def": PropertySchema(
            "map",
            "Resource definition for the resources in the group.",
            required=True,
            update_allowed=True,
            schema={
                "type": PropertySchema("string", "The type of the resources in the group.", required=True),
                "properties": PropertySchema("map", "Property values for the resources in the group."),
                "metadata": PropertySchema("map", "Supplied metadata for the resources in the group."),
            },
        ),
        "removal_policies": PropertySchema(
            "list",
            "Policies for removal of resources on update.",
            default=[],
            update_allowed=True,
            schema=PropertySchema(
                "map",
                "Policy to be processed when doing an update which requires removal of specific resources.",
                schema={
                    "resource_list": PropertySchema(
                        "list",
                        "List of resources to be removed when doing an update which requires removal "
                        "of specific resources.",
                        default=[],
                    )
                },
            ),
        ),
        "removal_policies_mode": PropertySchema(
            "string",
            "How to handle changes to removal_policies on update.",
            default="append",
            constraints=(AllowedValues(("append", "update")),),
            update_allowed=True,
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        **MemberStackResource.attributes_schema,
        REMOVED: AttributeSchema("A list of removed resource names.", type="list"),
    }

    def handle_create(self) -> Any:
        self._store_blacklist()
        settings = batches.policy_settings(self.nested_stacks().update_policy(), batches.BATCH_CREATE)
        names = self.member_names()
        if settings is None or not names:
            return super().handle_create()
        size, pause, _minimum = settings
        token = batches.new_token(
            None, batches.create_batches(names, size), self.member_definitions(), {}, pause, creating=True
        )
        stack_id = self.nested_stacks().create(
            batches.step_template(token, NESTED_TEMPLATE_VERSION), parameters={}
        )
        self.context.set_resource_id(stack_id)
        token["stack_id"] = stack_id
        return token

    def check_create_complete(self, token: Any) -> bool:
        if isinstance(token, dict) and "batches" in token:
            return self._advance(token, "CREATE")
        return super().check_create_complete(token)

    def handle_adopt(self, resource_data: Mapping[str, Any]) -> Any:
        """Adopt the members at once (no batches); names missing below the highest are removed ones."""
        self._store_blacklist()
        members = resource_data.get("resources")
        numbers = (
            [int(name) for name in members if str(name).isdigit()] if isinstance(members, Mapping) else []
        )
        if numbers:
            assert isinstance(members, Mapping)
            gaps = {str(index) for index in range(max(numbers)) if str(index) not in members}
            removed = set(self.blacklist()) | gaps
            if removed:
                self.context.data_set(BLACKLIST_KEY, ",".join(sorted(removed, key=_name_order)))
        return super().handle_adopt(resource_data)

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        settings = batches.policy_settings(self.nested_stacks().update_policy(), batches.ROLLING_UPDATE)
        if settings is None or self.resource_id is None:
            return super().handle_update(new_properties, property_diff)
        old = self.member_definitions()
        updated = ResourceGroup(self.name, new_properties, self.context, self.metadata)
        updated.prepare_update()
        target = updated.member_definitions()
        size, pause, minimum = settings
        steps = batches.update_batches(old, target, size, minimum)
        if not steps:
            return super().handle_update(new_properties, property_diff)
        token = batches.new_token(str(self.resource_id), steps, target, old, pause, creating=False)
        self.nested_stacks().update(
            str(self.resource_id), batches.step_template(token, NESTED_TEMPLATE_VERSION), parameters={}
        )
        return token

    def check_update_complete(self, token: Any) -> bool:
        if isinstance(token, dict) and "batches" in token:
            return self._advance(token, "UPDATE")
        return super().check_update_complete(token)

    def _advance(self, token: dict[str, Any], action: str) -> bool:
        """Poll the current step; once it is done, wait the pause, then start the next one."""
        stack_id = str(token["stack_id"])
        child = self.nested_stacks().get(stack_id)
        if child is None:
            raise ResourceFailure("The nested stack was deleted.", resource_name=self.name, action=action)
        if child.status == "FAILED":
            raise self._failure(child, action)
        expected = "CREATE" if token["creating"] and token["step"] == 0 else "UPDATE"
        if child.state != (expected, "COMPLETE"):
            return False
        if token["step"] + 1 >= len(token["batches"]):
            return True
        if token["resume_at"] is None:
            token["resume_at"] = self.now() + float(token["pause"])
        if self.now() < token["resume_at"]:
            return False
        token["step"] += 1
        token["resume_at"] = None
        self.nested_stacks().update(
            stack_id, batches.step_template(token, NESTED_TEMPLATE_VERSION), parameters={}
        )
        return False

    def prepare_update(self) -> None:
        self._store_blacklist()

    def _store_blacklist(self) -> None:
        """Resolve ``removal_policies`` (member names or references) into the stored name list."""
        names = set() if self.properties.get("removal_policies_mode") == "update" else set(self.blacklist())
        entries = [
            str(entry)
            for policy in self.properties.get("removal_policies") or []
            for entry in (policy or {}).get("resource_list") or []
        ]
        by_reference: dict[str, str] = {}
        if entries and self.resource_id is not None:
            stack_id = str(self.resource_id)
            stacks = self.nested_stacks()
            references = stacks.references(stack_id, stacks.resource_names(stack_id))
            by_reference = {str(reference): name for name, reference in references.items() if reference}
        for entry in entries:
            names.add(by_reference.get(entry, entry))
        if names:
            self.context.data_set(BLACKLIST_KEY, ",".join(sorted(names, key=_name_order)))
        elif self.blacklist():
            self.context.data_delete(BLACKLIST_KEY)

    def member_names(self) -> list[str]:
        count = int(self.properties.get("count") or 0)
        removed = set(self.blacklist())
        names: list[str] = []
        candidate = 0
        while len(names) < count:
            if str(candidate) not in removed:
                names.append(str(candidate))
            candidate += 1
        return names

    def member_definitions(self) -> dict[str, dict[str, Any]]:
        resource_def = self.properties["resource_def"]
        index_var = str(self.properties.get("index_var") or "%index%")
        definitions: dict[str, dict[str, Any]] = {}
        for name in self.member_names():
            definition: dict[str, Any] = {"type": resource_def["type"]}
            if resource_def.get("properties"):
                definition["properties"] = replace_index(
                    copy.deepcopy(resource_def["properties"]), index_var, name
                )
            if resource_def.get("metadata"):
                definition["metadata"] = replace_index(
                    copy.deepcopy(resource_def["metadata"]), index_var, name
                )
            definitions[name] = definition
        return definitions


def _name_order(name: str) -> tuple[int, int | str]:
    return (0, int(name)) if name.isdigit() else (1, name)
