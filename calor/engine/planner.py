"""The update planner: stored resources and new definitions → one action per resource.

Heat's rules. A resource only in the new template is added; one only stored is
removed (dependants first). A stored resource whose type changed, or that failed or
was left in progress, is replaced. The rest are examined: their new properties are
resolved (once what they depend on is updated) and compared with the stored ones;
equal means unchanged (unless the plugin's :meth:`needs_update` says otherwise: a
nested stack whose child template, files or environment changed is updated), a
difference only in ``update_allowed`` properties means update in place, anything else
(the plugin's :meth:`needs_replace`) replacement.
``restricted_actions`` from the environment turn an update or replacement into a
failure with a clear reason.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.store import COMPLETE, CREATE, DELETE, FAILED, IN_PROGRESS, INIT, ResourceState
from calor.errors import ResourceFailure
from calor.graph import CycleError, Graph
from calor.plugins.base import ResourcePlugin, diff_properties


class Action(enum.StrEnum):
    """What an update does to one resource."""

    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    EXAMINE = "examine"
    """Decided once the new properties can be resolved (see :func:`decide`)."""


class ActionRestricted(ResourceFailure):
    """The environment's ``restricted_actions`` forbid what the update needs."""

    heat_type = "ResourceActionRestricted"


@dataclass(frozen=True)
class UpdatePlan:
    """The static part of a plan: an action per resource, the new and the removal graphs."""

    actions: Mapping[str, Action]
    graph: Graph[str]
    removals: Graph[str]
    removed: tuple[str, ...] = ()

    def named(self, action: Action) -> list[str]:
        return sorted(name for name, chosen in self.actions.items() if chosen == action)


@dataclass(frozen=True)
class Decision:
    """The resolved action of one examined resource and the property diff behind it."""

    action: Action
    properties: Mapping[str, Any] = field(default_factory=dict)
    metadata: Any = None
    property_diff: Mapping[str, Any] = field(default_factory=dict)


def never_created(state: ResourceState) -> bool:
    """Stored but nothing in the cloud to update: create it like a new one."""
    if state.action == INIT or state.state == (DELETE, COMPLETE):
        return True
    return (
        state.state == (CREATE, FAILED)
        and state.physical_id is None
        and not state.data
        and not isinstance(state.token, Mapping)
    )


def static_action(definition: ResourceDefinition, state: ResourceState | None) -> Action:
    """The action known before anything is resolved."""
    if state is None or never_created(state):
        return Action.ADD
    if state.type_name != definition.type_name:
        return Action.REPLACE
    if state.status in (FAILED, IN_PROGRESS):
        return Action.REPLACE
    return Action.EXAMINE


def plan_update(
    graph: Graph[str],
    definitions: Mapping[str, ResourceDefinition],
    states: Mapping[str, ResourceState],
) -> UpdatePlan:
    """The static plan of an update from stored ``states`` to ``definitions`` (``graph``: theirs)."""
    actions = {name: static_action(definition, states.get(name)) for name, definition in definitions.items()}
    removed = tuple(sorted(name for name in states if name not in definitions))
    for name in removed:
        actions[name] = Action.REMOVE
    return UpdatePlan(actions, graph, removal_graph(states, removed), removed)


def removal_graph(states: Mapping[str, ResourceState], names: Iterable[str]) -> Graph[str]:
    """The stored graph restricted to ``names``, reversed: dependants are removed first."""
    chosen = set(names)
    graph: Graph[str] = Graph(sorted(chosen))
    for name in chosen:
        for requirement in states[name].requires:
            if requirement in chosen and requirement != name:
                graph.add_edge(requirement, name)
    try:
        graph.check_acyclic()
    except CycleError:
        return Graph(sorted(chosen))
    return graph


def decide(
    plugin: ResourcePlugin,
    stored: ResourceState,
    properties: Mapping[str, Any],
    metadata: Any,
) -> Decision:
    """Compare resolved new properties with the stored ones through the plugin's rules.

    Raises :class:`~calor.errors.ResourceFailure` when an ``immutable`` property changed.
    """
    property_diff = diff_properties(stored.properties, properties)
    metadata_changed = (metadata or {}) != (stored.metadata or {})
    if not property_diff and not metadata_changed:
        if plugin.needs_update(properties, property_diff):  # a nested stack whose child changed
            return Decision(Action.UPDATE, properties, metadata, property_diff)
        return Decision(Action.UNCHANGED, properties, metadata)
    if property_diff and not plugin.needs_update(properties, property_diff) and not metadata_changed:
        return Decision(Action.UNCHANGED, properties, metadata)
    if property_diff and plugin.needs_replace(properties, property_diff):
        return Decision(Action.REPLACE, properties, metadata, property_diff)
    return Decision(Action.UPDATE, properties, metadata, property_diff)


def check_restricted(name: str, action: Action, restricted: Iterable[str]) -> None:
    """Raise :class:`ActionRestricted` when the environment forbids ``action`` on ``name``."""
    forbidden = set(restricted)
    if action == Action.UPDATE and "update" in forbidden:
        raise ActionRestricted(
            f"update is restricted for resource {name}.", resource_name=name, action="UPDATE"
        )
    if action == Action.REPLACE and "replace" in forbidden:
        raise ActionRestricted(
            f"replace is restricted for resource {name}.", resource_name=name, action="UPDATE"
        )
