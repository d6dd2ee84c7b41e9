"""The dependency graph of a stack's resources, built from their definitions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from calor.graph import CycleError, Graph


class DependentDefinition(Protocol):
    """What the graph needs of a resource definition."""

    @property
    def name(self) -> str: ...

    def dependencies(self) -> Iterable[str]:
        """Every resource name this one requires: ``depends_on`` and implicit references."""
        ...


def dependency_graph(definitions: Mapping[str, DependentDefinition]) -> Graph[str]:
    """A graph of resource names where each resource requires the ones it refers to.

    References to names outside ``definitions`` (resources removed by a condition) are
    ignored here; template validation reports real dangling references.
    """
    graph: Graph[str] = Graph(definitions)
    for name, definition in definitions.items():
        for requirement in definition.dependencies():
            if requirement in definitions:
                graph.add_edge(name, requirement)
    return graph


def checked_graph(definitions: Mapping[str, DependentDefinition]) -> Graph[str]:
    """:func:`dependency_graph`, raising :class:`~calor.graph.CycleError` if it has a cycle."""
    graph = dependency_graph(definitions)
    graph.check_acyclic()
    return graph


__all__ = ["CycleError", "DependentDefinition", "checked_graph", "dependency_graph"]
