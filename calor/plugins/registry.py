"""The registry of resource types: type name → plugin class, filled explicitly.

Nothing registers itself on import. :func:`default_registry` builds a registry from the
table in :mod:`calor.plugins.catalog`; third-party packages add types through the
``calor.resources`` entry point group (each entry point names a plugin class, or a
sequence of them), loaded by :meth:`PluginRegistry.load_entry_points`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import metadata

from calor.errors import ResourceTypeNotFound
from calor.plugins.base import ResourcePlugin
from calor.plugins.catalog import PLUGINS
from calor.schema.properties import HIDDEN

ENTRY_POINT_GROUP = "calor.resources"


class PluginRegistry:
    """Resource plugin classes by type name."""

    def __init__(self, plugins: Iterable[type[ResourcePlugin]] = ()) -> None:
        self._plugins: dict[str, type[ResourcePlugin]] = {}
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: type[ResourcePlugin], *, replace: bool = False) -> None:
        """Add ``plugin`` under its ``type_name`` (a second class for the same name needs ``replace``)."""
        if not (isinstance(plugin, type) and issubclass(plugin, ResourcePlugin)):
            raise TypeError(f"{plugin!r} is not a ResourcePlugin class")
        if not plugin.type_name:
            raise ValueError(f"{plugin.__qualname__} has no type_name")
        existing = self._plugins.get(plugin.type_name)
        if existing is not None and existing is not plugin and not replace:
            raise ValueError(
                f"Resource type {plugin.type_name} is already registered by {existing.__qualname__}"
            )
        self._plugins[plugin.type_name] = plugin

    def get(self, type_name: str, *, path: str | None = None) -> type[ResourcePlugin]:
        """The class of ``type_name``; ResourceTypeNotFound (at ``path``) when unknown."""
        plugin = self._plugins.get(type_name)
        if plugin is None:
            raise ResourceTypeNotFound(f"The Resource Type ({type_name}) could not be found.", path=path)
        return plugin

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._plugins

    def __len__(self) -> int:
        return len(self._plugins)

    def types(
        self,
        *,
        name_filter: str | None = None,
        support_status: str | None = None,
        version: str | None = None,
    ) -> list[str]:
        """Sorted type names, as Heat's resource-types list filters them.

        ``name_filter`` is a regular expression matched at the start of the name;
        ``support_status`` (``SUPPORTED``, ``DEPRECATED``, ...) and ``version`` (the release
        that introduced the type) select on the type's support status. Hidden types are only
        listed when ``support_status="HIDDEN"`` asks for them.
        """
        pattern = re.compile(name_filter) if name_filter else None
        names = []
        for name, plugin in self._plugins.items():
            status = plugin.support_status
            if support_status is not None:
                if status.status != support_status.upper():
                    continue
            elif status.status == HIDDEN:
                continue
            if version is not None and status.version != version:
                continue
            if pattern is not None and pattern.match(name) is None:
                continue
            names.append(name)
        return sorted(names)

    def plugins(self) -> dict[str, type[ResourcePlugin]]:
        """Every registered class by type name (a copy)."""
        return dict(self._plugins)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[str]:
        """Register the plugins third-party packages publish in ``group``; give the names added."""
        added: list[str] = []
        for entry_point in metadata.entry_points(group=group):
            loaded = entry_point.load()
            candidates = loaded if isinstance(loaded, list | tuple) else [loaded]
            for plugin in candidates:
                self.register(plugin, replace=True)
                added.append(plugin.type_name)
        return added


def default_registry(*, entry_points: bool = False) -> PluginRegistry:
    """A new registry holding Calor's own resource types (and, if asked, installed third-party ones)."""
    registry = PluginRegistry(PLUGINS)
    if entry_points:
        registry.load_entry_points()
    return registry
