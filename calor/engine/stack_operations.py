"""Stack operations: create, delete and rollback, each one graph walk over the resource runner.

Create: dependency graph (a cycle fails the stack with the cycle in the reason) →
walk → outputs; a failure rolls back (deletes what was created) unless
``disable_rollback``. Delete: the stored "requires" graph reversed. Every stack state
change is an event with Heat's reason; a stack timeout fails the operation with
"Timed out".
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from calor.definition.output import OutputDefinition
from calor.definition.resource import ResourceDefinition
from calor.engine import events, nested, nested_operations
from calor.engine.create_start import CreateStart
from calor.engine.dependencies import add_implicit_edges, checked_graph
from calor.engine.lookup import StoredResourceLookup
from calor.engine.resource_runner import RETAIN, PluginTypes, ResourceRunner
from calor.engine.run import StackRun
from calor.engine.store import (
    COMPLETE,
    CREATE,
    DELETE,
    FAILED,
    IN_PROGRESS,
    INIT,
    ROLLBACK,
    OutputValue,
    ResourceState,
)
from calor.errors import CalorError, UserError
from calor.graph import CycleError, Graph, Slot, WalkResult, walk
from calor.template import function
from calor.template.context import StackContext

TIMED_OUT = "Timed out"


@dataclass(frozen=True)
class Outcome:
    """How an operation ended: the stack's final action, status and reason."""

    action: str
    status: str
    reason: str

    @property
    def stack_status(self) -> str:
        return f"{self.action}_{self.status}"


@dataclass
class StackDefinitionParts:
    """What an operation needs of a built stack definition."""

    context: StackContext
    resources: Mapping[str, ResourceDefinition]
    outputs: Mapping[str, OutputDefinition]
    #: Type name → plugin class through the stack's environment (``None``: the engine's own).
    plugin_types: PluginTypes | None = None
    #: Resource name → its hooks (breakpoints) from the environment (``None``: none).
    hooks: Callable[[str], frozenset[str]] | None = None


def needed_attributes(parts: StackDefinitionParts) -> dict[str, set[str | None]]:
    """Resource → the attributes other resources or outputs read (cached when it completes)."""
    needed: dict[str, set[str | None]] = {}
    snippets: list[Any] = [definition.properties for definition in parts.resources.values()]
    snippets += [definition.metadata for definition in parts.resources.values()]
    snippets += [output.value for output in parts.outputs.values()]
    for snippet in snippets:
        for resource, attribute in function.attribute_dependencies(snippet):
            needed.setdefault(resource, set()).add(attribute)
    return needed


class StackOperation:
    """One operation on one stack, run on the current event loop."""

    def __init__(
        self,
        run: StackRun,
        plugin_types: PluginTypes,
        *,
        project_id: str,
        cloud_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.run = run
        self.plugin_types = plugin_types
        self.project_id = project_id
        self.cloud_factory = cloud_factory
        nested.attach(run, plugin_types, project_id=project_id, cloud_factory=cloud_factory)

    def _runner(self, parts: StackDefinitionParts | None) -> ResourceRunner:
        return ResourceRunner(
            self.run,
            parts.plugin_types or self.plugin_types if parts else self.plugin_types,
            project_id=self.project_id,
            needed_attributes=needed_attributes(parts) if parts else None,
            cloud_factory=self.cloud_factory,
            hooks=parts.hooks if parts else None,
        )

    async def _set_stack(self, action: str, status: str, reason: str) -> Outcome:
        self.run.events.stack(action, status, reason)
        await self.run.in_database(self._set_stack_now, action, status, reason)
        return Outcome(action, status, reason)

    def _set_stack_now(self, action: str, status: str, reason: str) -> None:
        # Events first: a client that sees the new state finds every event that led to it.
        # A final state carries the run's traversal (its job), so that job never runs twice.
        self.run.events.flush()
        traversal = None if status == IN_PROGRESS else self.run.traversal
        self.run.store.set_stack_status(self.run.stack_id, action, status, reason, traversal=traversal)

    async def _walk(
        self, graph: Graph[str], visit: Callable[[str, Slot], Any], runner: ResourceRunner | None = None
    ) -> tuple[WalkResult[str] | None, bool]:
        """Walk ``graph`` within the stack's time; ``(None, True)`` when the time ran out.

        After a failure, resources still running get ``error_wait_seconds`` to finish,
        except those whose plugin is ``cancel_on_failure`` (nested stacks): they are
        cancelled at once, as Heat's ``cancel_grace_period`` does (``runner`` knows them).
        """
        remaining = self.run.remaining()
        error_wait = self.run.config.error_wait_seconds

        def grace_of(name: str) -> float | None:
            if runner is not None and cancels_on_failure(runner, self.run.states.get(name)):
                return 0.0
            return error_wait

        try:
            async with asyncio.timeout(None if remaining is None else max(remaining, 0.0)):
                result = await walk(
                    graph,
                    visit,
                    max_parallel=self.run.config.max_parallel,
                    stop_on_failure=True,
                    failure_grace=error_wait,
                    grace_of=grace_of,
                )
        except TimeoutError:
            return None, True
        return result, False

    async def _abort_in_progress(self, action: str, why: str | None = None) -> None:
        """Every resource still in progress (cancelled) fails with "<ACTION> aborted".

        Their child stacks still in progress are stopped first (:func:`nested_operations.stop_children`).
        A create's start marker is kept (:mod:`calor.engine.create_start`): a create
        cancelled inside ``handle_create`` may have made a cloud object whose id it never
        stored, and the delete that follows looks for it under the marker.
        """
        reason = f"{action} aborted ({why})" if why else f"{action} aborted"
        aborted = [state.name for state in self.run.states.values() if state.status == IN_PROGRESS]
        await nested_operations.stop_children(self.run, aborted)
        for state in list(self.run.states.values()):
            if state.status == IN_PROGRESS:
                self.run.events.resource(
                    state.name, state.type_name, state.physical_id, state.action, FAILED, reason
                )
                start = CreateStart.in_token(state.token)
                token = start.stored() if start is not None else None
                await self.run.save(
                    dataclasses.replace(state, status=FAILED, status_reason=reason, token=token)
                )

    async def stop(self, action: str, reason: str) -> Outcome:
        """End an operation that was cancelled: what it left in progress fails, then the stack."""
        await self.run.flush()
        await self.run.load()
        await self._abort_in_progress(action, reason)
        return await self._set_stack(action, FAILED, reason)

    # --- create ---------------------------------------------------------------------------

    async def create(
        self, parts: StackDefinitionParts, *, disable_rollback: bool, resuming: bool = False
    ) -> Outcome:
        await self.run.load()
        if not resuming or not self.run.states:
            await self._set_stack(CREATE, IN_PROGRESS, events.stack_started(CREATE))
        try:
            graph = checked_graph(parts.resources, parts.plugin_types or self.plugin_types)
        except CycleError as error:
            return await self._set_stack(CREATE, FAILED, str(error))
        await self._store_initial(parts)
        runner = self._runner(parts)
        parts.context.resources = StoredResourceLookup(runner, parts.resources)

        async def visit(name: str, slot: Slot) -> None:
            await runner.create(parts.resources[name], slot)

        result, timed_out = await self._walk(graph, visit, runner)
        if result is not None and result.ok:
            await self._store_outputs(runner, parts)
            return await self._set_stack(CREATE, COMPLETE, events.stack_completed(CREATE))
        if timed_out:
            await self._abort_in_progress(CREATE, TIMED_OUT)
            reason = TIMED_OUT
        else:
            assert result is not None
            reason = self._failure_reason(CREATE, result)
            # Resources cancelled when the grace after the first failure ran out.
            await self._abort_in_progress(CREATE)
        if disable_rollback:
            return await self._set_stack(CREATE, FAILED, reason)
        # The failure is an event; the stack goes straight on to rolling back, so a client
        # polling its status never stops at CREATE_FAILED while the rollback is still to come.
        self.run.events.stack(CREATE, FAILED, reason)
        return await self.rollback(parts)

    def _failure_reason(self, action: str, result: WalkResult[str]) -> str:
        for name, error in result.failed.items():
            if isinstance(error, asyncio.CancelledError):
                continue
            state = self.run.states.get(name)
            if state is not None and state.status == FAILED and state.status_reason:
                return events.resource_failed(action, state.status_reason)
            return events.resource_failed(action, events.failure_reason(error, name))
        return f"Stack {action} failed"

    async def _store_initial(self, parts: StackDefinitionParts) -> None:
        """Store every resource not stored yet as ``INIT_COMPLETE`` (the API lists them at once)."""
        new = [
            ResourceState(
                name=name,
                type_name=definition.type_name,
                action=INIT,
                status=COMPLETE,
                requires=tuple(sorted(definition.dependencies() & set(parts.resources))),
            )
            for name, definition in parts.resources.items()
            if name not in self.run.states
        ]
        if new:
            # Not awaited: the walk starts at once; every write of these rows follows the insert.
            self.run.insert_behind(new)

    async def _store_outputs(self, runner: ResourceRunner, parts: StackDefinitionParts) -> None:
        values = await self.run.in_thread(resolve_outputs, parts.outputs)
        await self.run.in_database(self.run.store.set_outputs, self.run.stack_id, values)

    # --- rollback and delete --------------------------------------------------------------

    async def rollback(self, parts: StackDefinitionParts | None, *, resuming: bool = False) -> Outcome:
        """Delete what a failed create made; the stack ends ``ROLLBACK_COMPLETE`` (or ``_FAILED``).

        The stack is ``ROLLBACK_IN_PROGRESS`` first, so an engine taking the create over
        goes on rolling back (:meth:`resume_create_rollback`) instead of creating again.
        """
        self.run.deadline = None
        if not resuming:
            await self._set_stack(ROLLBACK, IN_PROGRESS, events.stack_started(ROLLBACK))
        result = await self._delete_resources(parts)
        if result.ok:
            return await self._set_stack(ROLLBACK, COMPLETE, events.stack_completed(ROLLBACK))
        return await self._set_stack(ROLLBACK, FAILED, self._failure_reason(DELETE, result))

    async def resume_create_rollback(self, parts: StackDefinitionParts | None) -> Outcome:
        """Go on with the rollback of a create that a stopped engine left ``ROLLBACK_IN_PROGRESS``."""
        await self.run.load()
        return await self.rollback(parts, resuming=True)

    async def delete(
        self,
        parts: StackDefinitionParts | None,
        *,
        resuming: bool = False,
        abandon: bool = False,
        before_complete: Callable[[], Awaitable[None]] | None = None,
    ) -> Outcome:
        """Delete every resource, dependants first; Retain keeps the cloud object (``abandon``: all).

        ``before_complete`` runs once every resource is gone, before ``DELETE_COMPLETE`` is
        stored (as Heat removes a stack's trust and stack domain project first), so a client
        that sees the stack deleted finds nothing of it left.
        """
        await self.run.load()
        await self._set_stack(DELETE, IN_PROGRESS, events.stack_started(DELETE))
        try:
            result = await self._delete_resources(parts, abandon=abandon)
        except TimeoutError:
            await self._abort_in_progress(DELETE, TIMED_OUT)
            return await self._set_stack(DELETE, FAILED, TIMED_OUT)
        if result.ok:
            if before_complete is not None:
                await before_complete()
            return await self._set_stack(DELETE, COMPLETE, events.stack_completed(DELETE))
        return await self._set_stack(DELETE, FAILED, self._failure_reason(DELETE, result))

    async def _delete_resources(
        self, parts: StackDefinitionParts | None, *, abandon: bool = False
    ) -> WalkResult[str]:
        graph = stored_graph(self.run.states).reversed()
        policies = {
            name: definition.deletion_policy
            for name, definition in (parts.resources if parts else {}).items()
        }
        runner = self._runner(parts)
        if parts is not None:
            parts.context.resources = StoredResourceLookup(runner, parts.resources)
        # Abandoning: each resource's child stacks are abandoned with it (Heat's abandon_stack).
        owned = await nested_operations.children_by_owner(self.run) if abandon else {}

        async def visit(name: str, slot: Slot) -> None:
            if name in owned:
                await nested_operations.abandon_children(self.run, name, owned)
            policy = RETAIN if abandon else policies.get(name, "Delete")
            await runner.delete(name, slot, deletion_policy=policy)

        result, timed_out = await self._walk(graph, visit)
        if timed_out or result is None:
            raise TimeoutError
        return result


def cancels_on_failure(runner: ResourceRunner, state: ResourceState | None) -> bool:
    """Whether the resource's plugin is stopped at once when another resource fails."""
    if state is None:
        return False
    try:
        return runner.plugin_types(state.type_name).cancel_on_failure
    except CalorError:
        return False


def stored_graph(states: Mapping[str, ResourceState]) -> Graph[str]:
    """The dependency graph recorded with the stored resources (works without the template)."""
    graph: Graph[str] = Graph(states)
    for name, state in states.items():
        for requirement in state.requires:
            if requirement in states and requirement != name:
                graph.add_edge(name, requirement)
    try:
        graph.check_acyclic()
    except CycleError:
        return Graph(states)
    # Heat's implicit dependencies, from the stored (resolved) properties: a port goes before its subnets.
    add_implicit_edges(graph, states)
    return graph


def resolve_outputs(outputs: Mapping[str, OutputDefinition]) -> list[OutputValue]:
    """Every output resolved; one that fails carries its error instead (Heat's ``output_error``)."""
    values: list[OutputValue] = []
    for name, output in outputs.items():
        description = output.description or "No description given"
        try:
            values.append(OutputValue(name, output.resolve(), description))
        except (CalorError, UserError) as error:
            values.append(OutputValue(name, None, description, error=str(error)))
        except Exception as error:
            values.append(OutputValue(name, None, description, error=f"{type(error).__name__}: {error}"))
    return values
