"""One resource as the template defines it: a frozen value the engine compares and stores.

Properties, metadata and policies are *snippets*: data with Function objects inside.
:meth:`ResourceDefinition.resolved_properties` computes them against the stack the
functions were parsed for; :meth:`ResourceDefinition.render` gives the
template-independent form the engine stores and compares between updates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from calor.errors import TemplateError
from calor.template import function, paths
from calor.template.functions.common import resolve

DELETION_POLICIES = ("Delete", "Retain", "Snapshot")


@dataclass(frozen=True)
class DefinitionDiff:
    """What changed between two definitions of the same resource (old → new)."""

    type_changed: bool = False
    properties_changed: frozenset[str] = frozenset()
    metadata_changed: bool = False
    update_policy_changed: bool = False
    deletion_policy_changed: bool = False
    external_id_changed: bool = False

    def __bool__(self) -> bool:
        return (
            self.type_changed
            or bool(self.properties_changed)
            or self.metadata_changed
            or self.update_policy_changed
            or self.deletion_policy_changed
            or self.external_id_changed
        )


@dataclass(frozen=True, eq=False)
class ResourceDefinition:
    """A resource of a template, with its functions parsed but not resolved."""

    name: str
    type_name: str
    properties: Any = field(default_factory=dict)
    metadata: Any = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    deletion_policy: str = "Delete"
    update_policy: Any = field(default_factory=dict)
    external_id: Any = None
    condition: Any = None
    description: str | None = None
    path: str = ""

    def explicit_dependencies(self) -> frozenset[str]:
        return frozenset(self.depends_on)

    def implicit_dependencies(self) -> frozenset[str]:
        """Resources named by ``get_resource`` / ``get_attr`` / ``Ref`` in properties and metadata."""
        return frozenset(function.dependencies(self.properties)) | frozenset(
            function.dependencies(self.metadata)
        )

    def dependencies(self) -> frozenset[str]:
        """Every resource this one needs first: ``depends_on`` and function references."""
        return self.explicit_dependencies() | self.implicit_dependencies()

    def resolved_properties(self) -> dict[str, Any]:
        return self._resolved_mapping(self.properties, "properties")

    def resolved_metadata(self) -> dict[str, Any]:
        return self._resolved_mapping(self.metadata, "metadata")

    def resolved_update_policy(self) -> dict[str, Any]:
        return self._resolved_mapping(self.update_policy, "update_policy")

    def _resolved_mapping(self, snippet: Any, key: str) -> dict[str, Any]:
        value = resolve(snippet)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise TemplateError(
                f"Resource {self.name} {key} type must be object", path=paths.join(self.path, key)
            )
        return dict(value)

    def resolved_external_id(self) -> str | None:
        value = resolve(self.external_id)
        return None if value is None else str(value)

    def render(self) -> dict[str, Any]:
        """The resolved, template-independent form (what the engine stores and compares)."""
        rendered: dict[str, Any] = {
            "type": self.type_name,
            "properties": self.resolved_properties(),
            "metadata": self.resolved_metadata(),
            "depends_on": list(self.depends_on),
            "deletion_policy": self.deletion_policy,
            "update_policy": self.resolved_update_policy(),
        }
        external_id = self.resolved_external_id()
        if external_id is not None:
            rendered["external_id"] = external_id
        return rendered

    def diff(self, other: ResourceDefinition | Mapping[str, Any]) -> DefinitionDiff:
        """What changes from this (old) definition to ``other`` (new, or a stored :meth:`render`)."""
        return diff_rendered(
            self.render(), other.render() if isinstance(other, ResourceDefinition) else other
        )


def diff_rendered(old: Mapping[str, Any], new: Mapping[str, Any]) -> DefinitionDiff:
    """The :class:`DefinitionDiff` between two :meth:`ResourceDefinition.render` results."""
    old_properties = old.get("properties") or {}
    new_properties = new.get("properties") or {}
    changed = frozenset(
        str(key)
        for key in set(old_properties) | set(new_properties)
        if key not in old_properties
        or key not in new_properties
        or old_properties[key] != new_properties[key]
    )
    return DefinitionDiff(
        type_changed=old.get("type") != new.get("type"),
        properties_changed=changed,
        metadata_changed=(old.get("metadata") or {}) != (new.get("metadata") or {}),
        update_policy_changed=(old.get("update_policy") or {}) != (new.get("update_policy") or {}),
        deletion_policy_changed=old.get("deletion_policy", "Delete") != new.get("deletion_policy", "Delete"),
        external_id_changed=old.get("external_id") != new.get("external_id"),
    )
