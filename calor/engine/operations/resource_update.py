"""One resource in an update, a rollback or a stack action (check, suspend, resume).

:class:`UpdateRunner` adds to :class:`~calor.engine.resource_runner.ResourceRunner`:
``update`` (add, examine → unchanged / in place / replace), the deletion of replaced
copies once an update succeeded, their restoration when it failed, the simple actions
and the ``pre-update`` / ``post-update`` hooks (create and delete hooks are the base's).

A replacement an engine left unfinished (its row ``INIT`` or ``CREATE_IN_PROGRESS``
beside the copy it replaces, see :meth:`ResourceRows.pending_replacements`) is resumed
by the update that takes the job over: that row's create is finished (polled, or
resumed through ``handle_create_resume``) under the replacement's physical name, and
no second replacement is made; the copy is deleted once the update succeeded.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.events import STATE_CHANGED
from calor.engine.lookup import StoredResourceLookup
from calor.engine.nested_members import copy_context
from calor.engine.operations.rows import ReplacedCopy, ResourceRows
from calor.engine.planner import Action, Decision, check_restricted, decide
from calor.engine.resource_context import EngineResourceContext, stable_short_id
from calor.engine.resource_runner import RETAIN, PluginTypes, ResourceRunner, is_not_found, stored_token
from calor.engine.run import StackRun
from calor.engine.store import COMPLETE, DELETE, FAILED, IN_PROGRESS, INIT, UPDATE, ResourceState
from calor.errors import OperationTimeout
from calor.graph import Slot
from calor.plugins.base import ResourcePlugin
from calor.plugins.context import physical_resource_name

CHECK = "CHECK"
SUSPEND = "SUSPEND"
RESUME = "RESUME"

HookSettings = Callable[[str], frozenset[str]]
"""resource name → its hooks (or restricted actions) from the environment."""


def _none(name: str) -> frozenset[str]:
    return frozenset()


def replacement_salt(replaced: ResourceState) -> str:
    """What makes a replacement's physical name differ from the resource it replaces."""
    return replaced.physical_id or f"{replaced.action}-{replaced.status}"


class ReplacementContext(EngineResourceContext):
    """The context of a replacement: its physical name differs from the resource it replaces.

    (Heat gives the replacement a new short id, so a name-keyed cloud object, such as a
    container, is not the old one, which is deleted afterwards.)
    """

    def __init__(self, run: StackRun, resource_name: str, salt: str, **options: Any) -> None:
        super().__init__(run, resource_name, **options)
        self._salt = salt

    def physical_resource_name(self) -> str:
        short_id = stable_short_id(self.stack_id, f"{self.resource_name}/{self._salt}")
        return physical_resource_name(self.stack_name, self.resource_name, short_id)


class UpdateRunner(ResourceRunner):
    """The resource runner of updates, rollbacks and stack actions."""

    def __init__(
        self,
        run: StackRun,
        plugin_types: PluginTypes,
        *,
        project_id: str,
        rows: ResourceRows,
        needed_attributes: Mapping[str, set[str | None]] | None = None,
        cloud_factory: Callable[[], Any] | None = None,
        hooks: HookSettings = _none,
        restricted: HookSettings = _none,
    ) -> None:
        super().__init__(
            run,
            plugin_types,
            project_id=project_id,
            needed_attributes=needed_attributes,
            cloud_factory=cloud_factory,
            hooks=hooks,
        )
        self.rows = rows
        self.restricted = restricted
        self.lookup: StoredResourceLookup | None = None
        self.replaced: set[str] = set()
        self._salts: dict[str, str] = {}
        self.updated: set[str] = set()
        #: Name → the copy an unfinished replacement replaces (an engine stopped making it).
        self.pending: dict[str, ReplacedCopy] = {}

    def context_for(self, name: str) -> EngineResourceContext:
        salt = self._salts.get(name)
        if salt is None:
            return super().context_for(name)
        return ReplacementContext(
            self.run, name, salt, project_id=self.project_id, cloud_factory=self.cloud_factory
        )

    def _forget(self, name: str) -> None:
        """Drop cached plugin instances and attribute values of a changed resource."""
        self.plugins.pop(name, None)
        if self.lookup is not None:
            self.lookup.computed.pop(name, None)

    # --- update ---------------------------------------------------------------------------

    async def update(self, definition: ResourceDefinition, slot: Slot, action: Action) -> Action:
        """Bring one resource to ``definition``; returns what was done."""
        name = definition.name
        pending = self.pending.pop(name, None)
        current = self.run.states.get(name)
        if pending is not None and current is not None and current.type_name == definition.type_name:
            await self._resume_replacement(definition, pending, slot)
            return Action.REPLACE
        if action == Action.ADD:
            await self.create(definition, slot)
            return Action.ADD
        existing = self.run.states[name]
        try:
            decision: Decision | None = None
            if action == Action.EXAMINE:
                async with slot:
                    decision = await self.run.in_thread(self._decide, definition, existing)
                action = decision.action
            check_restricted(name, action, self.restricted(name))
        except Exception as error:
            await self._fail(name, existing.type_name, UPDATE, error)
            raise
        if action == Action.UNCHANGED:
            assert decision is not None
            await self._keep(definition, existing, decision)
        elif action == Action.UPDATE:
            assert decision is not None
            await self.hook(name, "pre-update")
            await self._update_in_place(definition, existing, decision, slot)
            await self.hook(name, "post-update")
        else:
            await self.hook(name, "pre-update")
            await self._replace(definition, existing, slot)
            await self.hook(name, "post-update")
        return action

    def _decide(self, definition: ResourceDefinition, existing: ResourceState) -> Decision:
        properties, metadata = self.prepare(definition)
        return decide(self.plugin_for(existing), existing, properties, metadata)

    async def _keep(
        self, definition: ResourceDefinition, existing: ResourceState, decision: Decision
    ) -> None:
        """Unchanged: no event; the stored dependencies follow the new template if they moved."""
        requires = tuple(sorted(definition.dependencies() & set(self.lookup_names())))
        if tuple(existing.requires) != requires:
            await self.run.save(dataclasses.replace(existing, requires=requires))

    def lookup_names(self) -> list[str]:
        return list(self.lookup.definitions) if self.lookup is not None else list(self.run.states)

    async def _update_in_place(
        self, definition: ResourceDefinition, existing: ResourceState, decision: Decision, slot: Slot
    ) -> None:
        name = definition.name
        try:
            async with asyncio.timeout(self._timeout()):
                async with slot:
                    plugin, token, done = await self.run.in_thread(self._start_update, existing, decision)
                if not done:
                    await self._poll(slot, plugin.check_update_complete, token, plugin=plugin, checked=True)
                requires = tuple(sorted(definition.dependencies() & set(self.lookup_names())))
                self.run.states[name] = dataclasses.replace(
                    self.run.states[name],
                    properties=dict(decision.properties),
                    metadata=decision.metadata,
                    requires=requires,
                )
                self._forget(name)
                updated = self.plugin_for(self.run.states[name])
                await self._complete(name, UPDATE, updated)
                self.updated.add(name)
        except TimeoutError as error:
            failure = OperationTimeout(f"{UPDATE} timed out", resource_name=name, action=UPDATE)
            await self._fail(name, existing.type_name, UPDATE, failure)
            raise failure from error
        except Exception as error:
            await self._fail(name, existing.type_name, UPDATE, error)
            raise

    def _start_update(self, existing: ResourceState, decision: Decision) -> tuple[ResourcePlugin, Any, bool]:
        name = existing.name
        self.run.events.resource(name, existing.type_name, existing.physical_id, UPDATE, IN_PROGRESS)
        self.run.save_in_thread(name, action=UPDATE, status=IN_PROGRESS, status_reason=STATE_CHANGED)
        plugin = self.plugin_for(existing)
        token = plugin.handle_update(decision.properties, decision.property_diff)
        done = plugin.check_update_complete(token)
        if not done:
            self.run.save_in_thread(name, token=stored_token(token))
        return plugin, token, done

    async def _replace(self, definition: ResourceDefinition, existing: ResourceState, slot: Slot) -> None:
        """Heat's UpdateReplace: a new resource now, the old one deleted after the whole update."""
        name = definition.name
        requires = tuple(sorted(definition.dependencies() & set(self.lookup_names())))
        await self.run.in_database(
            self.rows.keep_replaced, self.run.stack_id, name, definition.type_name, requires
        )
        self.replaced.add(name)
        self._salts[name] = replacement_salt(existing)
        self.run.states[name] = ResourceState(
            name=name, type_name=definition.type_name, action=INIT, status=COMPLETE, requires=requires
        )
        self._forget(name)
        await self.create(definition, slot)

    async def _resume_replacement(
        self, definition: ResourceDefinition, replaced: ReplacedCopy, slot: Slot
    ) -> None:
        """Finish the replacement a stopped engine was making (its ``pre-update`` hook was passed)."""
        name = definition.name
        self.replaced.add(name)
        self._salts[name] = replacement_salt(replaced.state)
        self._forget(name)
        await self.create(definition, slot)
        await self.hook(name, "post-update")

    # --- replaced copies ------------------------------------------------------------------

    async def delete_copy(self, copy: ReplacedCopy, slot: Slot, *, deletion_policy: str = "Delete") -> None:
        """Delete the cloud object of a replaced copy, then its row."""
        old = copy.state
        self.run.events.resource(old.name, old.type_name, old.physical_id, DELETE, IN_PROGRESS)
        try:
            if deletion_policy != RETAIN and old.physical_id is not None:
                plugin = await self.run.in_thread(self._copy_plugin, old)
                async with slot:
                    token = await self.run.in_thread(self._handle_copy_delete, plugin)
                if token is not _GONE:
                    await self._poll(slot, self._copy_check(plugin), token, plugin=plugin, checked=True)
        except Exception as error:
            self.run.events.resource(
                old.name, old.type_name, old.physical_id, DELETE, FAILED, f"{type(error).__name__}: {error}"
            )
            await self.run.flush_events()
            raise
        self.run.events.resource(old.name, old.type_name, old.physical_id, DELETE, COMPLETE)
        await self.run.in_database(self.rows.drop, copy.row_id)
        await self.run.flush_events()

    def _copy_plugin(self, old: ResourceState) -> ResourcePlugin:
        plugin_class = self.plugin_types(old.type_name)
        # A nested stack's copy reaches its own child stack (to delete or restore it).
        context = copy_context(
            self.run,
            old.name,
            stack_name=self.run.stack_name,
            stack_id=self.run.stack_id,
            project_id=self.project_id,
            resource_id=old.physical_id,
            data=old.data,
            metadata=old.metadata,
            cloud=self.cloud_factory() if self.cloud_factory is not None else None,
            stored_attributes=old.attributes,
        )
        return plugin_class(old.name, old.properties, context, old.metadata)

    @staticmethod
    def _handle_copy_delete(plugin: ResourcePlugin) -> Any:
        try:
            token = plugin.handle_delete()
            if plugin.check_delete_complete(token):
                return _GONE
        except Exception as error:
            if is_not_found(error):
                return _GONE
            raise
        return token

    @staticmethod
    def _copy_check(plugin: ResourcePlugin) -> Callable[[Any], bool]:
        def check(token: Any) -> bool:
            try:
                return plugin.check_delete_complete(token)
            except Exception as error:
                if is_not_found(error):
                    return True
                raise

        return check

    async def restore_copy(self, name: str, copy: ReplacedCopy, slot: Slot) -> None:
        """Rollback of a replacement: delete the new resource, make the old copy current again."""
        current = self.run.states.get(name)
        if current is not None and current.physical_id != copy.state.physical_id:
            await self.delete(name, slot)
        await self.run.in_database(self.rows.restore, self.run.stack_id, name, copy)
        self.run.states[name] = copy.state
        self._forget(name)

    # --- check, suspend, resume ------------------------------------------------------------

    async def simple_action(self, name: str, action: str, slot: Slot) -> None:
        """Run ``handle_<action>`` (polled to completion) with the usual events."""
        existing = self.run.states[name]
        try:
            async with asyncio.timeout(self._timeout()):
                async with slot:
                    plugin, token, done = await self.run.in_thread(self._start_simple, existing, action)
                if not done:
                    check = {
                        SUSPEND: plugin.check_suspend_complete,
                        RESUME: plugin.check_resume_complete,
                    }[action]
                    await self._poll(slot, check, token, plugin=plugin, checked=True)
                await self._complete(name, action, None)
        except TimeoutError as error:
            failure = OperationTimeout(f"{action} timed out", resource_name=name, action=action)
            await self._fail(name, existing.type_name, action, failure)
            raise failure from error
        except Exception as error:
            await self._fail(name, existing.type_name, action, error)
            raise

    def _start_simple(self, existing: ResourceState, action: str) -> tuple[ResourcePlugin, Any, bool]:
        name = existing.name
        self.run.events.resource(name, existing.type_name, existing.physical_id, action, IN_PROGRESS)
        self.run.save_in_thread(name, action=action, status=IN_PROGRESS, status_reason=STATE_CHANGED)
        plugin = self.plugin_for(existing)
        if action == CHECK:
            plugin.handle_check()
            return plugin, None, True
        if action == SUSPEND:
            token = plugin.handle_suspend()
            return plugin, token, plugin.check_suspend_complete(token)
        token = plugin.handle_resume()
        return plugin, token, plugin.check_resume_complete(token)


_GONE = object()
