"""Stack update, its rollback, cancel, and the stack actions check, suspend and resume.

Update: the new definitions' graph is walked (add, examine → unchanged / in place /
replace); once every resource succeeded, replaced copies and removed resources are
deleted (dependants first), outputs stored, ``UPDATE_COMPLETE``. A failure (or the
stack's timeout) rolls back unless ``disable_rollback``: replaced copies are made
current again (their replacements deleted), then the same walk brings the stack back
to the previous template, and the stack's template and parameters are restored.
Restore (to a snapshot) is the same walk under the stack action RESTORE, never rolled back.
An engine that takes over a job whose stack is ``ROLLBACK_IN_PROGRESS`` continues the
rollback from the stored resources (:meth:`UpdateOperation.resume_rollback`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from calor.engine import events, nested
from calor.engine.dependencies import checked_graph
from calor.engine.lookup import StoredResourceLookup
from calor.engine.operations.resource_update import CHECK, RESUME, SUSPEND, UpdateRunner
from calor.engine.operations.rows import ReplacedCopy, ResourceRows
from calor.engine.planner import Action, plan_update, removal_graph
from calor.engine.resource_runner import PluginTypes
from calor.engine.run import StackRun
from calor.engine.stack_operations import (
    TIMED_OUT,
    Outcome,
    StackDefinitionParts,
    StackOperation,
    needed_attributes,
)
from calor.engine.store import COMPLETE, CREATE, FAILED, IN_PROGRESS, INIT, RESTORE, ROLLBACK, UPDATE
from calor.graph import CycleError, Graph, Slot, WalkResult

CANCELLED = "cancelled"
UNFINISHED = frozenset({(INIT, COMPLETE), (CREATE, IN_PROGRESS)})
"""States of a resource whose create may have been cut short (a replacement to resume)."""


@dataclass
class UpdateParts:
    """A stack definition with the environment settings an update reads."""

    parts: StackDefinitionParts
    hooks: Callable[[str], frozenset[str]]
    restricted: Callable[[str], frozenset[str]]


@dataclass
class Converged:
    """How a walk towards a definition ended."""

    ok: bool
    reason: str = ""
    actions: Mapping[str, Action] | None = None


class UpdateOperation(StackOperation):
    """Update, rollback, cancel and the stack actions, on the current event loop."""

    def __init__(
        self,
        run: StackRun,
        plugin_types: PluginTypes,
        *,
        project_id: str,
        rows: ResourceRows,
        cloud_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(run, plugin_types, project_id=project_id, cloud_factory=cloud_factory)
        self.rows = rows
        self.last_actions: dict[str, Action] = {}
        self._target: UpdateParts | None = None

    def _update_runner(self, update_parts: UpdateParts | None) -> UpdateRunner:
        parts = update_parts.parts if update_parts else None
        return UpdateRunner(
            self.run,
            (parts.plugin_types if parts else None) or self.plugin_types,
            project_id=self.project_id,
            rows=self.rows,
            needed_attributes=needed_attributes(parts) if parts else None,
            cloud_factory=self.cloud_factory,
            hooks=update_parts.hooks if update_parts else _nothing,
            restricted=update_parts.restricted if update_parts else _nothing,
        )

    # --- update ---------------------------------------------------------------------------

    async def update(
        self,
        new: UpdateParts,
        previous: UpdateParts | None,
        *,
        disable_rollback: bool,
        previous_fields: Mapping[str, Any],
    ) -> Outcome:
        await self.run.load()
        self.run.events.stack(UPDATE, IN_PROGRESS, events.stack_started(UPDATE))
        self._target = new
        converged = await self._converge(new, UPDATE, removing=previous)
        if converged.ok:
            return await self._set_stack(UPDATE, COMPLETE, events.stack_completed(UPDATE))
        if disable_rollback or previous is None:
            return await self._set_stack(UPDATE, FAILED, converged.reason)
        self.run.events.stack(UPDATE, FAILED, converged.reason)
        return await self.rollback_update(previous, previous_fields)

    async def restore(self, target: UpdateParts, previous: UpdateParts | None) -> Outcome:
        """Update the stack to a snapshot's template (Heat's restore): RESTORE, never rolled back."""
        await self.run.load()
        self.run.events.stack(RESTORE, IN_PROGRESS, events.stack_started(RESTORE))
        converged = await self._converge(target, RESTORE, removing=previous)
        if converged.ok:
            return await self._set_stack(RESTORE, COMPLETE, events.stack_completed(RESTORE))
        return await self._set_stack(RESTORE, FAILED, converged.reason)

    async def _converge(
        self, target: UpdateParts, action: str, *, removing: UpdateParts | None = None
    ) -> Converged:
        """Walk towards ``target``; removed resources keep the policy ``removing`` gave them."""
        parts = target.parts
        try:
            graph = checked_graph(parts.resources)
        except CycleError as error:
            return Converged(False, str(error))
        unfinished = any(state.state in UNFINISHED for state in self.run.states.values())
        await self._store_initial(parts)
        plan = plan_update(graph, parts.resources, self.run.states)
        runner = self._update_runner(target)
        if unfinished:
            runner.pending = await self.run.in_database(self.rows.pending_replacements, self.run.stack_id)
        lookup = StoredResourceLookup(runner, parts.resources)
        parts.context.resources = lookup
        runner.lookup = lookup
        done: dict[str, Action] = {}

        async def visit(name: str, slot: Slot) -> None:
            done[name] = await runner.update(parts.resources[name], slot, plan.actions[name])

        result, timed_out = await self._walk(graph, visit, runner)
        self.last_actions = dict(done)
        if timed_out or result is None:
            await self._abort_in_progress(UPDATE, TIMED_OUT)
            return Converged(False, TIMED_OUT, done)
        if not result.ok:
            reason = self._failure_reason(UPDATE, result)
            await self._abort_in_progress(UPDATE)
            return Converged(False, reason, done)
        try:
            removed_policies = {
                name: definition.deletion_policy
                for name, definition in (removing.parts.resources.items() if removing else ())
            }
            await self._clean_up(runner, plan.removed, plan.removals, parts, removed_policies)
        except TimeoutError:
            return Converged(False, TIMED_OUT, done)
        except CleanUpFailed as error:
            return Converged(False, str(error), done)
        for name in plan.removed:
            done[name] = Action.REMOVE
        self.last_actions = dict(done)
        await self._store_outputs(runner, parts)
        return Converged(True, "", done)

    async def _clean_up(
        self,
        runner: UpdateRunner,
        removed: tuple[str, ...],
        removals: Graph[str],
        parts: StackDefinitionParts,
        removed_policies: Mapping[str, str],
    ) -> None:
        """Delete replaced copies, then removed resources (dependants first)."""
        copies = await self.run.in_database(self.rows.replaced, self.run.stack_id)
        if copies:
            policies = {name: definition.deletion_policy for name, definition in parts.resources.items()}

            async def delete_copies(name: str, slot: Slot) -> None:
                for copy in copies[name]:
                    await runner.delete_copy(copy, slot, deletion_policy=policies.get(name, "Delete"))

            states = {name: items[-1].state for name, items in copies.items()}
            result = await self._checked_walk(removal_graph(states, states), delete_copies)
            if not result.ok:
                raise CleanUpFailed(self._failure_reason("DELETE", result))
        if not removed:
            return

        async def remove(name: str, slot: Slot) -> None:
            await runner.delete(name, slot, deletion_policy=removed_policies.get(name, "Delete"))
            await self.run.in_database(self.rows.remove, self.run.stack_id, name)
            self.run.states.pop(name, None)

        result = await self._checked_walk(removals, remove)
        if not result.ok:
            raise CleanUpFailed(self._failure_reason("DELETE", result))

    async def _checked_walk(self, graph: Graph[str], visit: Callable[[str, Slot], Any]) -> WalkResult[str]:
        result, timed_out = await self._walk(graph, visit)
        if timed_out or result is None:
            raise TimeoutError
        return result

    # --- rollback -------------------------------------------------------------------------

    async def rollback_update(
        self, previous: UpdateParts, previous_fields: Mapping[str, Any], *, resuming: bool = False
    ) -> Outcome:
        """Return to the previous template: replaced copies restored, the rest updated back.

        The stack is ``ROLLBACK_IN_PROGRESS`` from the start, so an engine taking the job
        over continues the rollback (:meth:`resume_rollback`) instead of the update.
        Child stacks are built from the previous template's files and environment.
        """
        self.run.deadline = None
        if not resuming:
            await self._set_stack(ROLLBACK, IN_PROGRESS, events.stack_started(ROLLBACK))
        nested.build_children_from(
            self.run, previous_fields.get("raw_template_id"), previous_fields.get("parameters") or {}
        )
        runner = self._update_runner(previous)
        copies: dict[str, list[ReplacedCopy]] = await self.run.in_database(
            self.rows.replaced, self.run.stack_id
        )
        slot = asyncio.Semaphore(self.run.config.max_parallel)
        try:
            for name, items in copies.items():
                await runner.restore_copy(name, items[-1], slot)
        except Exception as error:
            await self._restore_fields(previous_fields)
            return await self._set_stack(ROLLBACK, FAILED, f"{type(error).__name__}: {error}")
        converged = await self._converge(previous, ROLLBACK, removing=self._target)
        await self._restore_fields(previous_fields)
        if converged.ok:
            return await self._set_stack(ROLLBACK, COMPLETE, events.stack_completed(ROLLBACK))
        return await self._set_stack(ROLLBACK, FAILED, converged.reason)

    async def resume_rollback(
        self, failed: UpdateParts | None, previous: UpdateParts | None, previous_fields: Mapping[str, Any]
    ) -> Outcome:
        """Go on with the rollback a stopped engine left (the stack ``ROLLBACK_IN_PROGRESS``).

        The failed update (``failed``: the stack's template, whose deletion policies apply
        to the resources it added) is never applied again: the replaced copies still stored
        are restored, then the walk to ``previous`` continues from the stored resources.
        """
        await self.run.load()
        if previous is None:
            return await self._set_stack(ROLLBACK, FAILED, "The previous template could not be read.")
        self._target = failed
        return await self.rollback_update(previous, previous_fields, resuming=True)

    async def _restore_fields(self, fields: Mapping[str, Any]) -> None:
        if fields:
            await self.run.in_database(lambda: self.rows.set_stack(self.run.stack_id, **fields))

    async def cancel(
        self, previous: UpdateParts | None, previous_fields: Mapping[str, Any], *, rollback: bool
    ) -> Outcome:
        """After the update job was stopped: resources in progress fail, then roll back or stop."""
        await self.run.load()
        await self._abort_in_progress(UPDATE, CANCELLED)
        reason = f"Stack {UPDATE} cancelled"
        if not rollback or previous is None:
            return await self._set_stack(UPDATE, FAILED, reason)
        self.run.events.stack(UPDATE, FAILED, reason)
        return await self.rollback_update(previous, previous_fields)

    # --- check, suspend, resume -------------------------------------------------------------

    async def stack_action(self, action: str, parts: StackDefinitionParts | None) -> Outcome:
        """Run ``action`` on every resource: suspend dependants first, resume and check in order."""
        await self.run.load()
        self.run.events.stack(action, IN_PROGRESS, events.stack_started(action))
        runner = self._update_runner(None)
        names = [name for name, state in self.run.states.items() if state.action != INIT]
        graph = removal_graph(self.run.states, names)
        if action != SUSPEND:
            graph = graph.reversed()

        async def visit(name: str, slot: Slot) -> None:
            await runner.simple_action(name, action, slot)

        try:
            result = await self._checked_walk(graph, visit)
        except TimeoutError:
            await self._abort_in_progress(action, TIMED_OUT)
            return await self._set_stack(action, FAILED, TIMED_OUT)
        if result.ok:
            return await self._set_stack(action, COMPLETE, events.stack_completed(action))
        await self._abort_in_progress(action)
        return await self._set_stack(action, FAILED, self._failure_reason(action, result))


class CleanUpFailed(Exception):
    """Deleting replaced or removed resources failed after the update itself succeeded."""


def _nothing(name: str) -> frozenset[str]:
    return frozenset()


STACK_ACTIONS = {"check": CHECK, "suspend": SUSPEND, "resume": RESUME}
