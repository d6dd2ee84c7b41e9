"""Update preview: what an update would do, touching nothing (Heat's ``preview_update_stack``).

Each resource of the new template is ``added``, ``replaced``, ``updated`` or
``unchanged`` as the planner and the plugin's rules decide (resolved against the stored
resources; a nested-stack resource with the same properties is ``updated`` when its
child would be built differently); stored ones the template drops are ``deleted``. With ``show_nested`` the
changes inside nested stacks (``OS::Heat::Stack``, provider templates, ResourceGroup
members, ...) join the same five lists after the stack's own, as Heat does: every
resource of the child of a deleted or replaced nested-stack resource is ``deleted``,
every resource of the child an added or replaced one would make is ``added``, and the
child of one updated in place is previewed against its new template the same way,
level by level. A nested entry names its own stack and its ``parent_resource``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calor.definition.resource import ResourceDefinition
from calor.definition.stack import StackDefinition
from calor.engine import nested
from calor.engine.config import EngineConfig
from calor.engine.loading import build_definition, environment_types
from calor.engine.lookup import StoredResourceLookup
from calor.engine.memory_store import MemoryStore
from calor.engine.nested_inputs import ChildInputs, child_changed, child_environment
from calor.engine.planner import Action, decide, static_action
from calor.engine.repository_store import RepositoryStore
from calor.engine.resource_context import EngineResourceContext
from calor.engine.resource_runner import PluginTypes, ResourceRunner
from calor.engine.run import StackRun
from calor.engine.store import ResourceState
from calor.errors import ResourceFailure
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.nested_resource import NestedStackResource
from calor.plugins.nested import ChildStack, NestedStacks
from calor.template.context import StackContext

if TYPE_CHECKING:
    from calor.db.repository import Repository

CHANGES = ("added", "deleted", "replaced", "updated", "unchanged")
KEYS = {
    Action.ADD: "added",
    Action.REPLACE: "replaced",
    Action.UPDATE: "updated",
    Action.UNCHANGED: "unchanged",
}
Changes = dict[str, list[dict[str, Any]]]


@dataclass
class Level:
    """One stack of the previewed tree: its identity, stored resources and new definition."""

    stack_name: str
    stack_id: str | None
    project_id: str
    states: Mapping[str, ResourceState]
    definition: StackDefinition | None = None
    parent_resource: str | None = None
    depth: int = 0
    #: The environment as stored with the new template (the parsed one adds Heat's defaults).
    environment: Mapping[str, Any] = field(default_factory=dict)

    def entry(self, name: str, type_name: str, state: ResourceState | None) -> dict[str, Any]:
        """One resource as the preview shows it (Heat's resource format, in part)."""
        entry: dict[str, Any] = {
            "resource_name": name,
            "resource_type": type_name,
            "physical_resource_id": (state.physical_id if state is not None else None) or "",
            "resource_action": state.action if state is not None else "INIT",
            "resource_status": state.status if state is not None else "COMPLETE",
            "resource_status_reason": state.status_reason if state is not None else "",
            "stack_name": self.stack_name,
            "stack_identity": {
                "stack_name": self.stack_name,
                "stack_id": self.stack_id,
                "tenant": self.project_id,
                "path": "",
            },
        }
        if self.parent_resource is not None:
            entry["parent_resource"] = self.parent_resource
        return entry


@dataclass(frozen=True)
class Decided:
    """What the update would do to one resource, with its new properties when they resolved."""

    action: Action
    properties: Mapping[str, Any] | None = None
    metadata: Any = None


def empty_changes() -> Changes:
    return {key: [] for key in CHANGES}


class Previewer:
    """Walks a stack (and, with ``show_nested``, its children) and fills the five lists."""

    def __init__(self, repository: Repository, plugin_types: PluginTypes, executor: Executor) -> None:
        self.repository = repository
        self.plugin_types = plugin_types
        self.executor = executor
        self.changes = empty_changes()

    def preview(self, level: Level, *, show_nested: bool) -> Changes:
        decided = self._level(level)
        if show_nested:
            self._nested(level, decided)
        return self.changes

    # --- one level --------------------------------------------------------------------------

    def _types(self, definition: StackDefinition) -> PluginTypes:
        return environment_types(
            self.plugin_types, definition.template.environment, definition.template.files
        )

    def _runner(self, level: Level, types: PluginTypes) -> ResourceRunner:
        """A runner on memory whose plugins read (never change) their stored children."""
        run = StackRun(
            stack_id=level.stack_id or "",
            stack_name=level.stack_name,
            store=MemoryStore(),
            config=EngineConfig(),
            hook_executor=self.executor,
            database_executor=self.executor,
        )
        run.states = dict(level.states)
        assert level.definition is not None
        files = level.definition.template.files

        def children(name: str) -> PreviewChildren:
            return PreviewChildren(self.repository, files, level.environment, name)

        return PreviewRunner(run, types, project_id=level.project_id, children=children)

    def _level(self, level: Level) -> dict[str, Decided]:
        """The level's own entries; what was decided for each resource."""
        assert level.definition is not None
        definitions = level.definition.resources
        runner = self._runner(level, self._types(level.definition))
        level.definition.context.resources = StoredResourceLookup(runner, definitions)
        decided: dict[str, Decided] = {}
        for name, resource in definitions.items():
            state = level.states.get(name)
            decided[name] = self._decide(runner, resource, state)
            key = KEYS[decided[name].action]
            self.changes[key].append(level.entry(name, resource.type_name, state))
        for name, state in level.states.items():
            if name not in definitions:
                decided[name] = Decided(Action.REMOVE)
                self.changes["deleted"].append(level.entry(name, state.type_name, state))
        return decided

    @staticmethod
    def _decide(runner: ResourceRunner, resource: ResourceDefinition, state: ResourceState | None) -> Decided:
        action = static_action(resource, state)
        try:
            properties, metadata = runner.prepare(resource)
        except Exception:
            # Properties that cannot be resolved before the update runs: it would change them.
            return Decided(Action.UPDATE if action == Action.EXAMINE else action)
        if action == Action.EXAMINE and state is not None:
            try:
                action = decide(runner.plugin_for(state), state, properties, metadata).action
            except Exception:
                action = Action.UPDATE
        return Decided(action, properties, metadata)

    # --- nested stacks ----------------------------------------------------------------------

    def _nested(self, level: Level, decided: Mapping[str, Decided]) -> None:
        """Heat's order: children going away, then new children, then children updated in place."""
        if level.depth > nested.LIMITS.max_nested_stack_depth:
            return
        going = [name for name, item in decided.items() if item.action in (Action.REMOVE, Action.REPLACE)]
        for name in going:
            child = self._stored_child(level, name)
            if child is not None:
                self._all(child, "deleted")
        assert level.definition is not None
        coming = [name for name, item in decided.items() if item.action in (Action.ADD, Action.REPLACE)]
        for name in coming:
            child = self._new_child(level, name, decided[name], stored=None)
            if child is not None:
                self._all(child, "added")
        for name in [name for name, item in decided.items() if item.action == Action.UPDATE]:
            current = self._stored_child(level, name)
            if current is None:
                continue
            child = self._new_child(level, name, decided[name], stored=current)
            if child is not None:
                self.preview(child, show_nested=True)

    def _all(self, level: Level, key: str) -> None:
        """Every resource of ``level`` and of its children, under ``key`` (deleted or added)."""
        if level.depth > nested.LIMITS.max_nested_stack_depth:
            return
        if key == "deleted":
            for name, state in level.states.items():
                self.changes[key].append(level.entry(name, state.type_name, state))
            for name in level.states:
                child = self._stored_child(level, name)
                if child is not None:
                    self._all(child, key)
            return
        assert level.definition is not None
        runner = self._runner(level, self._types(level.definition))
        level.definition.context.resources = StoredResourceLookup(runner, level.definition.resources)
        decided: dict[str, Decided] = {}
        for name, resource in level.definition.resources.items():
            self.changes[key].append(level.entry(name, resource.type_name, None))
            decided[name] = self._decide(runner, resource, None)
        for name, item in decided.items():
            child = self._new_child(level, name, item, stored=None)
            if child is not None:
                self._all(child, key)

    def _stored_child(self, level: Level, name: str) -> Level | None:
        """The child stack a stored resource of ``level`` owns (``None`` if it owns none)."""
        state = level.states.get(name)
        if state is None or not state.physical_id or level.stack_id is None:
            return None
        child = self.repository.get_stack(state.physical_id)
        if child is None or child.parent_id != level.stack_id:
            return None
        states = RepositoryStore(self.repository).load_resources(child.id)
        return Level(child.name, child.id, child.project_id, states, None, name, level.depth + 1)

    def _new_child(self, level: Level, name: str, decided: Decided, *, stored: Level | None) -> Level | None:
        """The child stack a resource's new definition would make (or update ``stored`` to)."""
        assert level.definition is not None
        resource = level.definition.resources.get(name)
        if resource is None or decided.properties is None:
            return None
        types = self._types(level.definition)
        try:
            plugin_class = types(resource.type_name)
        except Exception:
            return None
        if not issubclass(plugin_class, NestedStackResource):
            return None
        files = dict(level.definition.template.files)
        state = level.states.get(name) if stored is not None else None
        context = PreviewContext(
            name,
            PreviewChildren(self.repository, files, level.environment, name),
            stack_name=level.stack_name,
            stack_id=level.stack_id or "",
            project_id=level.project_id,
            resource_id=state.physical_id if state is not None else None,
            data=state.data if state is not None else None,
        )
        try:
            plugin = plugin_class(name, decided.properties, context, decided.metadata)
            with contextlib.suppress(Exception):  # by reference, removal policies need the live child
                plugin.prepare_update()
            template = plugin.child_template()
            all_files = {**files, **dict(plugin.child_files() or {})}
            environment = child_environment(level.environment, name, plugin.removing_type())
            child_name = stored.stack_name if stored is not None else context.physical_resource_name()
            child_id = stored.stack_id if stored is not None else None
            definition = build_definition(
                template=template,
                files=all_files,
                environment=environment,
                parameters=plugin.child_parameters(),
                context=StackContext(
                    stack_name=child_name,
                    stack_id=child_id or "",
                    project_id=level.project_id,
                    files=all_files,
                ),
                plugin_types=self.plugin_types,
            )
        except Exception:
            return None  # the update itself will report what is wrong with this child
        states = stored.states if stored is not None else {}
        return Level(
            child_name,
            child_id,
            level.project_id,
            states,
            definition,
            name,
            level.depth + 1,
            environment=environment,
        )


class PreviewChildren:
    """Read-only :class:`~calor.plugins.nested.NestedStacks` for plugins a preview builds.

    ``files`` and ``environment`` are the parent's new ones; ``resource_name`` names the
    resource whose children these are.
    """

    def __init__(
        self,
        repository: Repository,
        files: Mapping[str, Any],
        environment: Mapping[str, Any] | None = None,
        resource_name: str = "",
    ) -> None:
        self.repository = repository
        self._files = {str(key): str(value) for key, value in files.items()}
        self._environment = environment
        self._resource_name = resource_name

    def _refused(self) -> ResourceFailure:
        return ResourceFailure("a preview changes no stack")

    def create(self, template: Mapping[str, Any] | str, **options: Any) -> str:
        raise self._refused()

    def adopt(self, template: Mapping[str, Any] | str, **options: Any) -> str:
        raise self._refused()

    def update(self, stack_id: str, template: Mapping[str, Any] | str, **options: Any) -> None:
        raise self._refused()

    def delete(self, stack_id: str) -> None:
        raise self._refused()

    def changed(
        self,
        stack_id: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        removing_type: str | None = None,
    ) -> bool:
        environment = child_environment(self._environment, self._resource_name, removing_type)
        inputs = ChildInputs(template, dict(parameters), {**self._files, **dict(files or {})}, environment)
        return child_changed(self.repository, stack_id, inputs)

    def update_policy(self) -> Mapping[str, Any]:
        return {}

    def files(self) -> Mapping[str, str]:
        return dict(self._files)

    def get(self, stack_id: str, *, adopt_resources: Mapping[str, Any] | None = None) -> ChildStack | None:
        stack = self.repository.get_stack(stack_id)
        if stack is None:
            return None
        return ChildStack(stack.id, stack.name, stack.action, stack.status, stack.status_reason)

    def resource_names(self, stack_id: str) -> list[str]:
        return [record.name for record in self.repository.get_resources(stack_id, include_replaced=False)]

    def references(self, stack_id: str, resource_names: Any) -> dict[str, str | None]:
        records = {
            record.name: record.physical_resource_id
            for record in self.repository.get_resources(stack_id, include_replaced=False)
        }
        return {name: records.get(name) for name in resource_names}

    def attributes(
        self, stack_id: str, resource_names: Any, attribute: str, path: Any = ()
    ) -> dict[str, Any]:
        return dict.fromkeys(resource_names)


class PreviewRunner(ResourceRunner):
    """The runner of a preview: its plugins' child-stack operations only read."""

    def __init__(
        self,
        run: StackRun,
        plugin_types: PluginTypes,
        *,
        project_id: str,
        children: Callable[[str], PreviewChildren],
    ) -> None:
        super().__init__(run, plugin_types, project_id=project_id)
        self._children = children

    def context_for(self, name: str) -> EngineResourceContext:
        return PreviewResourceContext(self.run, name, self._children(name), project_id=self.project_id)


class PreviewResourceContext(EngineResourceContext):
    """A stored resource's context in a preview (in memory), with read-only child stacks."""

    def __init__(self, run: StackRun, name: str, children: PreviewChildren, *, project_id: str) -> None:
        super().__init__(run, name, project_id=project_id)
        self._children = children

    def nested_stacks(self) -> NestedStacks:
        return self._children


class PreviewContext(MemoryPluginContext):
    """A plugin context in memory whose child-stack operations only read."""

    def __init__(self, resource_name: str, children: PreviewChildren, **options: Any) -> None:
        super().__init__(resource_name, **options)
        self._children = children

    def nested_stacks(self) -> NestedStacks:
        return self._children


def preview_changes(
    repository: Repository,
    plugin_types: PluginTypes,
    top: Level,
    *,
    show_nested: bool,
) -> Changes:
    """The five lists of an update of ``top`` (its stored resources to its new definition)."""
    with ThreadPoolExecutor(1) as executor:
        return Previewer(repository, plugin_types, executor).preview(top, show_nested=show_nested)
