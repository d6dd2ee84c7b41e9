"""The dependency graph of a stack's resources, built from their definitions.

Each resource requires the resources it refers to (``depends_on``, ``get_resource``,
``get_attr``...) and those its plugin class names in
:meth:`~calor.plugins.base.ResourcePlugin.implicit_dependencies` (Heat's
``add_dependencies``: a port after the subnets of its network, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from calor.graph import CycleError, Graph

PluginLookup = Callable[[str], Any]
"""Type name → plugin class (raises for an unknown type)."""


class DependentDefinition(Protocol):
    """What the graph needs of a resource definition."""

    @property
    def name(self) -> str: ...

    def dependencies(self) -> Iterable[str]:
        """Every resource name this one requires: ``depends_on`` and implicit references."""
        ...


@functools.cache
def _default_lookup() -> PluginLookup:
    from calor.plugins.registry import default_registry

    return default_registry().get


def implicit_requirements(
    definitions: Mapping[str, Any], plugin_types: PluginLookup | None = None
) -> dict[str, set[str]]:
    """Resource name → the resources its plugin class says it needs (types unknown: none)."""
    lookup = plugin_types or _default_lookup()
    found: dict[str, set[str]] = {}
    for name, definition in definitions.items():
        try:
            plugin = lookup(getattr(definition, "type_name", ""))
        except Exception:  # an unknown type is reported by validation, not here
            continue
        hook = getattr(plugin, "implicit_dependencies", None)
        if hook is None:
            continue
        properties = getattr(definition, "properties", None) or {}
        # ``definitions`` itself is passed as "the others": the hooks never pick their own type.
        names = {
            required
            for required in hook(name, properties, definitions)
            if required != name and required in definitions
        }
        if names:
            found[name] = names
    return found


def dependency_graph(
    definitions: Mapping[str, DependentDefinition], plugin_types: PluginLookup | None = None
) -> Graph[str]:
    """A graph of resource names where each resource requires the ones it refers to.

    References to names outside ``definitions`` (resources removed by a condition) are
    ignored here; template validation reports real dangling references. Implicit
    requirements that would close a cycle are left out (they only order, never forbid).
    """
    graph: Graph[str] = Graph(definitions)
    for name, definition in definitions.items():
        for requirement in definition.dependencies():
            if requirement in definitions:
                graph.add_edge(name, requirement)
    add_implicit_edges(graph, definitions, plugin_types)
    return graph


def add_implicit_edges(
    graph: Graph[str], definitions: Mapping[str, Any], plugin_types: PluginLookup | None = None
) -> None:
    """Add the plugins' implicit requirements to ``graph``, except those closing a cycle.

    ``definitions`` need only ``type_name`` and ``properties``: stored resource states
    (resolved properties) serve as well, which orders a delete.
    """
    for name, requirements in sorted(implicit_requirements(definitions, plugin_types).items()):
        for requirement in sorted(requirements):
            if requirement != name and requirement in graph and requirement not in graph.dependants(name):
                graph.add_edge(name, requirement)


def checked_graph(
    definitions: Mapping[str, DependentDefinition], plugin_types: PluginLookup | None = None
) -> Graph[str]:
    """:func:`dependency_graph`, raising :class:`~calor.graph.CycleError` if it has a cycle."""
    graph = dependency_graph(definitions, plugin_types)
    graph.check_acyclic()
    return graph


__all__ = [
    "CycleError",
    "DependentDefinition",
    "add_implicit_edges",
    "checked_graph",
    "dependency_graph",
    "implicit_requirements",
]
