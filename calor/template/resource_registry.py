"""The resource registry of an environment: type aliases, provider templates, per-resource settings.

Global entries map a resource type to another type (``AWS::EC2::Instance`` →
``OS::Nova::Server``), to a provider template (``My::Server`` → ``server.yaml``) or by
glob (``OS::Quantum*`` → ``OS::Neutron*``). The ``resources:`` part holds entries per
resource name (``*`` globs allowed), nested by name into nested stacks: type overrides,
``hooks`` and ``restricted_actions``. A ``None`` value unsets an earlier entry.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from calor.errors import InvalidEnvironment
from calor.template import paths

HOOK_TYPES = ("pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete")
RESTRICTED_ACTIONS = ("update", "replace")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".template", ".json")
MAX_ALIASES = 50


def is_template_name(value: str) -> bool:
    """Whether a registry value names a provider template (a file or URL) rather than a type."""
    return value.endswith(TEMPLATE_SUFFIXES) or "://" in value


@dataclass(frozen=True)
class RegistryMatch:
    """What a resource type resolves to: the final ``type_name``, or a provider ``template``."""

    type_name: str
    template: str | None = None


def _as_list(value: Any, allowed: Sequence[str], what: str, path: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise InvalidEnvironment(f"{what} must be a string or a list of strings", path=path)
    for item in items:
        if item not in allowed:
            raise InvalidEnvironment(
                f'"{item}" is not a valid {what} type. Valid types are: {", ".join(allowed)}', path=path
            )
    return list(items)


def _check_resource_entry(raw: Any, path: str) -> dict[str, Any]:
    """Validate one ``resources: {name: {...}}`` entry; its dict values are nested resources."""
    if not isinstance(raw, Mapping):
        raise InvalidEnvironment(f"A resource entry must be a map, not {raw!r}", path=path)
    entry: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key)
        where = paths.join(path, key)
        if key == "hooks":
            entry[key] = None if value is None else _as_list(value, HOOK_TYPES, "hook", where)
        elif key == "restricted_actions":
            entry[key] = (
                None if value is None else _as_list(value, RESTRICTED_ACTIONS, "restricted action", where)
            )
        elif value is None or isinstance(value, str):
            entry[key] = value
        elif isinstance(value, Mapping):
            entry[key] = _check_resource_entry(value, where)
        else:
            raise InvalidEnvironment(f"Invalid registry entry {key}: {value!r}", path=where)
    return entry


def _merge_entries(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Registry entries of ``new`` over ``old``, key by key; ``None`` removes (a ``*`` key: by prefix)."""
    merged = copy.deepcopy(dict(old))
    for key, value in new.items():
        if value is None:
            if key.endswith("*"):
                prefix = key[:-1]
                for existing in [name for name in merged if name.startswith(prefix)]:
                    del merged[existing]
            merged.pop(key, None)
            merged[key] = None
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge_entries(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _glob_target(pattern: str, target: str, type_name: str) -> str:
    if target.endswith("*"):
        return target[:-1] + type_name[len(pattern) - 1 :]
    return target


def _lookup(entries: Mapping[str, Any], type_name: str) -> str | None:
    """The value ``entries`` map ``type_name`` to: exact name first, then the longest matching glob."""
    exact = entries.get(type_name)
    if isinstance(exact, str):
        return exact
    if type_name in entries:
        return None
    globs = sorted(
        (key for key, value in entries.items() if key.endswith("*") and isinstance(value, str)),
        key=len,
        reverse=True,
    )
    for pattern in globs:
        if type_name.startswith(pattern[:-1]):
            return _glob_target(pattern, entries[pattern], type_name)
    return None


class ResourceRegistry:
    """Type aliases, provider templates and per-resource settings of an environment."""

    def __init__(
        self, types: Mapping[str, str | None] | None = None, resources: Mapping[str, Any] | None = None
    ):
        self.types: dict[str, str | None] = dict(types or {})
        self.resources: dict[str, Any] = dict(resources or {})

    @classmethod
    def from_mapping(cls, raw: Any, path: str = "resource_registry") -> ResourceRegistry:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise InvalidEnvironment("resource_registry must be a map", path=path)
        types: dict[str, str | None] = {}
        resources: dict[str, Any] = {}
        for key, value in raw.items():
            key = str(key)
            where = paths.join(path, key)
            if key == "resources":
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    raise InvalidEnvironment("resources must be a map of resource names", path=where)
                for name, entry in value.items():
                    name = str(name)
                    resources[name] = (
                        None if entry is None else _check_resource_entry(entry, paths.join(where, name))
                    )
            elif key in ("hooks", "restricted_actions"):
                raise InvalidEnvironment(f"{key} can only be set per resource, under resources:", path=where)
            elif value is None or isinstance(value, str):
                types[key] = value
            else:
                raise InvalidEnvironment(f"Invalid registry entry {key}: {value!r}", path=where)
        return cls(types, resources)

    def to_mapping(self) -> dict[str, Any]:
        """The registry as stored and shown (Heat always shows a ``resources`` map)."""
        rendered: dict[str, Any] = dict(self.types)
        rendered["resources"] = copy.deepcopy(self.resources)
        return rendered

    def merged_with(self, later: ResourceRegistry) -> ResourceRegistry:
        """This registry with ``later``'s entries over it."""
        return ResourceRegistry(
            _merge_entries(self.types, later.types), _merge_entries(self.resources, later.resources)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResourceRegistry):
            return NotImplemented
        return self.types == other.types and self.resources == other.resources

    def __repr__(self) -> str:
        return f"ResourceRegistry({self.to_mapping()!r})"

    # --- per-resource entries -------------------------------------------------------------------

    def _entries_for(self, resource_path: Sequence[str]) -> list[dict[str, Any]]:
        """The ``resources:`` entries that apply to the resource at ``resource_path`` (globs first)."""
        level: list[dict[str, Any]] = [self.resources]
        matched: list[dict[str, Any]] = []
        for component in resource_path:
            matched = []
            for entries in level:
                globbed = [
                    entry
                    for pattern, entry in entries.items()
                    if isinstance(entry, dict) and pattern != component and fnmatchcase(component, pattern)
                ]
                exact = entries.get(component)
                matched.extend(globbed)
                if isinstance(exact, dict):
                    matched.append(exact)
            level = matched
        return matched

    @staticmethod
    def _path(resource_name: str | Sequence[str] | None, nested_path: Sequence[str]) -> tuple[str, ...]:
        if resource_name is None:
            return tuple(nested_path)
        if isinstance(resource_name, str):
            return (*nested_path, resource_name)
        return (*nested_path, *resource_name)

    def resolve(
        self,
        type_name: str,
        resource_name: str | Sequence[str] | None = None,
        nested_path: Sequence[str] = (),
    ) -> RegistryMatch:
        """The final type of a resource after aliasing, or the provider template it maps to.

        ``resource_name`` is the resource's name (or its whole path of names through
        nested stacks); per-resource entries win over global ones.
        """
        resource_path = self._path(resource_name, nested_path)
        per_resource = self._entries_for(resource_path) if resource_path else []
        seen = [type_name]
        current = type_name
        while True:
            target = None
            for entries in reversed(per_resource):
                target = _lookup(entries, current)
                if target is not None:
                    break
            if target is None:
                target = _lookup(self.types, current)
            if target is None or target == current:
                return RegistryMatch(current)
            if is_template_name(target):
                return RegistryMatch(current, target)
            if target in seen or len(seen) > MAX_ALIASES:
                chain = " -> ".join([*seen, target])
                raise InvalidEnvironment(
                    f"Resource type aliases form a cycle: {chain}", path="resource_registry"
                )
            seen.append(target)
            current = target

    def _settings(self, resource_path: Sequence[str], key: str) -> frozenset[str]:
        found: set[str] = set()
        for entries in self._entries_for(resource_path):
            found.update(entries.get(key) or ())
        return frozenset(found)

    def hooks_for(self, resource_path: str | Sequence[str]) -> frozenset[str]:
        """The hooks (``pre-create``, ...) set on the resource at ``resource_path``."""
        return self._settings(self._path(resource_path, ()), "hooks")

    def restricted_actions_for(self, resource_path: str | Sequence[str]) -> frozenset[str]:
        """The restricted actions (``update``, ``replace``) of the resource at ``resource_path``."""
        return self._settings(self._path(resource_path, ()), "restricted_actions")

    def nested(self, resource_name: str, *, removing_type: str | None = None) -> ResourceRegistry:
        """The registry that applies inside the nested stack made by ``resource_name``.

        Global entries carry over (less ``removing_type``, the mapping that led to a
        provider template, so it does not recurse); the nested resources' entries come
        from the ``resources: {resource_name: {...}}`` sub-tree.
        """
        types = {key: value for key, value in self.types.items() if key != removing_type}
        resources: dict[str, Any] = {}
        for entries in self._entries_for((resource_name,)):
            children = {key: value for key, value in entries.items() if isinstance(value, dict)}
            resources = _merge_entries(resources, children)
        return ResourceRegistry(types, resources)
