"""One resource action: hooks in a thread, polling with backoff, a timeout, every change persisted.

``create`` and ``delete`` follow Heat: the resource goes ``<ACTION>_IN_PROGRESS`` (an
event), ``handle_<action>()`` runs in the hook thread pool, its token is stored so
another engine can resume, ``check_<action>_complete(token)`` is polled until true,
then ``<ACTION>_COMPLETE`` (an event), or ``<ACTION>_FAILED`` with Heat's reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.events import STATE_CHANGED, failure_reason
from calor.engine.resource_context import EngineResourceContext
from calor.engine.run import StackRun
from calor.engine.store import COMPLETE, CREATE, DELETE, FAILED, IN_PROGRESS, ResourceState
from calor.errors import NotFound, OperationTimeout, ResourceFailure
from calor.graph import Slot
from calor.plugins.base import ResourcePlugin
from calor.template import paths

PluginTypes = Callable[[str], type[ResourcePlugin]]
"""type name → plugin class; raises :class:`calor.errors.ResourceTypeNotFound`."""

RETAIN = "Retain"
_TOKEN = "token"


def stored_token(token: Any) -> Any:
    """The token as stored: wrapped, so a ``None`` token still says "handle returned"."""
    try:
        json.dumps(token)
    except (TypeError, ValueError):
        return {"unstorable": True}
    return {_TOKEN: token}


def has_token(state: ResourceState) -> bool:
    return isinstance(state.token, Mapping) and _TOKEN in state.token


def is_not_found(error: BaseException) -> bool:
    """Whether a delete error means the cloud object is gone already."""
    if isinstance(error, NotFound):
        return True
    return any("NotFound" in kind.__name__ for kind in type(error).__mro__)


class ResourceRunner:
    """Runs actions on the resources of one stack operation."""

    def __init__(
        self,
        run: StackRun,
        plugin_types: PluginTypes,
        *,
        project_id: str,
        needed_attributes: Mapping[str, set[str | None]] | None = None,
        cloud_factory: Callable[[], Any] | None = None,
        hooks: Callable[[str], frozenset[str]] | None = None,
    ) -> None:
        self.run = run
        self.plugin_types = plugin_types
        self.project_id = project_id
        self.needed_attributes = needed_attributes or {}
        self.cloud_factory = cloud_factory
        self.plugins: dict[str, ResourcePlugin] = {}
        #: Resource name → its hooks (breakpoints) from the environment.
        self.hooks = hooks

    # --- hooks ----------------------------------------------------------------------------

    async def hook(self, name: str, hook: str) -> None:
        """Pause while ``hook`` is set on ``name``, until a signal clears it (Heat's breakpoints).

        Pending means the resource data key ``hook`` is ``"True"`` (as in Heat); the
        ``unset_hook`` signal (:mod:`calor.engine.signals`) deletes it.
        """
        if self.hooks is None or hook not in self.hooks(name) or name not in self.run.states:
            return
        state = self.run.states[name]
        verb = hook.split("-", 1)[1].upper()
        reason = f"{verb} paused until Hook {hook} is cleared"
        self.run.events.resource(name, state.type_name, state.physical_id, state.action, state.status, reason)
        await self.run.save(dataclasses.replace(state, data={**state.data, hook: "True"}))
        delay = self.run.config.poll_initial
        while True:
            stored = await self.run.in_database(self.run.store.load_resources, self.run.stack_id)
            if name not in stored or stored[name].data.get(hook) != "True":
                break
            await asyncio.sleep(delay)
            delay = min(delay * self.run.config.poll_growth, self.run.config.poll_max)
        state = self.run.states[name]
        data = {key: value for key, value in state.data.items() if key != hook}
        self.run.states[name] = dataclasses.replace(state, data=data)

    # --- plugin instances -----------------------------------------------------------------

    def context_for(self, name: str) -> EngineResourceContext:
        return EngineResourceContext(
            self.run, name, project_id=self.project_id, cloud_factory=self.cloud_factory
        )

    def plugin_for(self, state: ResourceState) -> ResourcePlugin:
        """The plugin instance of a stored resource (built from its stored properties)."""
        plugin = self.plugins.get(state.name)
        if plugin is None:
            plugin_class = self.plugin_types(state.type_name)
            plugin = plugin_class(state.name, state.properties, self.context_for(state.name), state.metadata)
            self.plugins[state.name] = plugin
        return plugin

    def prepare(self, definition: ResourceDefinition) -> tuple[dict[str, Any], dict[str, Any]]:
        """Resolve and validate a definition's properties and metadata (runs in a hook thread)."""
        plugin_class = self.plugin_types(definition.type_name)
        path = paths.join(definition.path or paths.join("resources", definition.name), "properties")
        properties = plugin_class.validate_properties(
            definition.resolved_properties(), path, self.context_for(definition.name)
        )
        metadata = definition.resolved_metadata()
        return properties, metadata

    # --- timing ---------------------------------------------------------------------------

    def _timeout(self) -> float | None:
        """One action's limit; the stack's own deadline is enforced around the whole walk."""
        return self.run.config.resource_timeout

    async def _poll(self, slot: Slot, check: Callable[[Any], bool], token: Any) -> None:
        delay = self.run.config.poll_initial
        while True:
            async with slot:
                if await self.run.in_thread(check, token):
                    return
            await asyncio.sleep(delay)
            delay = min(delay * self.run.config.poll_growth, self.run.config.poll_max)

    # --- create ---------------------------------------------------------------------------

    async def create(self, definition: ResourceDefinition, slot: Slot) -> None:
        """Create one resource, or finish creating it (resume), or nothing if it is created.

        The ``pre-create`` and ``post-create`` hooks pause it when the environment sets them.
        """
        existing = self.run.states.get(definition.name)
        if existing is not None and existing.state == (CREATE, COMPLETE):
            return
        if existing is None or existing.action == "INIT":
            await self.hook(definition.name, "pre-create")
        await self._create(definition, slot)
        await self.hook(definition.name, "post-create")

    async def _create(self, definition: ResourceDefinition, slot: Slot) -> None:
        name = definition.name
        existing = self.run.states.get(name)
        if existing is not None and existing.state == (CREATE, COMPLETE):
            return
        try:
            async with asyncio.timeout(self._timeout()):
                if existing is not None and existing.state == (CREATE, IN_PROGRESS) and has_token(existing):
                    plugin = self.plugin_for(existing)
                    token = existing.token[_TOKEN]
                else:
                    plugin, token, done = await self._start_create(definition, existing, slot)
                    if done:
                        await self._complete(name, CREATE, plugin)
                        return
                await self._poll(slot, plugin.check_create_complete, token)
                await self._complete(name, CREATE, plugin)
        except TimeoutError as error:
            failure = OperationTimeout(f"{CREATE} timed out", resource_name=name, action=CREATE)
            await self._fail(name, definition.type_name, CREATE, failure)
            raise failure from error
        except Exception as error:
            await self._fail(name, definition.type_name, CREATE, error)
            raise

    async def _start_create(
        self, definition: ResourceDefinition, existing: ResourceState | None, slot: Slot
    ) -> tuple[ResourcePlugin, Any, bool]:
        name = definition.name
        async with slot:
            self.run.states[name] = ResourceState(
                name=name,
                type_name=definition.type_name,
                action=CREATE,
                status=IN_PROGRESS,
                status_reason=STATE_CHANGED,
                physical_id=existing.physical_id if existing else None,
                data=existing.data if existing else {},
                redacted=existing.redacted if existing else frozenset(),
                requires=tuple(sorted(definition.dependencies())),
            )
            started = await self.run.in_thread(self._start_create_in_thread, definition)
        # The physical id, data and token queued by the hop: durable before any polling.
        await self.run.flush()
        return started

    def _start_create_in_thread(self, definition: ResourceDefinition) -> tuple[ResourcePlugin, Any, bool]:
        """Everything that starts a create, in one thread hop.

        Properties are resolved and validated and ``CREATE_IN_PROGRESS`` is stored with its
        event (another engine then knows the create may have begun). ``validate``,
        ``handle_create`` and a first check run; their writes (data, physical id) are
        queued, and a token still to be polled joins them
        (:meth:`StackRun.queued_writes`). :meth:`_start_create` awaits their commit
        before polling: from then on another engine resumes polling instead of calling
        handle_create again, and the physical id is durable before the engine waits on
        anything. (One that
        completes at the first check is stored as ``CREATE_COMPLETE`` right after.)
        """
        name = definition.name
        properties, metadata = self.prepare(definition)
        state = self.run.states[name]
        self.run.events.resource(name, definition.type_name, state.physical_id, CREATE, IN_PROGRESS)
        # Stored at once with its event: another engine sees a start it must repeat.
        state = self.run.save_in_thread(name, properties=properties, metadata=metadata)
        with self.run.queued_writes():
            self.plugins.pop(name, None)
            plugin = self.plugin_for(state)
            plugin.validate()
            token = plugin.handle_create()
            done = plugin.check_create_complete(token)
            if not done:
                self.run.save_in_thread(name, token=stored_token(token))
        return plugin, token, done

    # --- delete ---------------------------------------------------------------------------

    async def delete(self, name: str, slot: Slot, *, deletion_policy: str = "Delete") -> None:
        """Delete one stored resource (Retain keeps the cloud object; "not found" counts as deleted).

        The ``pre-delete`` and ``post-delete`` hooks pause it when the environment sets them.
        """
        existing = self.run.states.get(name)
        if existing is None or existing.state == (DELETE, COMPLETE):
            return
        if existing.state != (DELETE, IN_PROGRESS):
            await self.hook(name, "pre-delete")
        await self._delete(name, slot, deletion_policy=deletion_policy)
        await self.hook(name, "post-delete")

    async def _delete(self, name: str, slot: Slot, *, deletion_policy: str = "Delete") -> None:
        existing = self.run.states.get(name)
        if existing is None or existing.state == (DELETE, COMPLETE):
            return
        try:
            async with asyncio.timeout(self._timeout()):
                if existing.state == (DELETE, IN_PROGRESS) and has_token(existing):
                    plugin = self.plugin_for(existing)
                    await self._poll_delete(slot, plugin, existing.token[_TOKEN])
                else:
                    await self._start_delete(existing, slot, deletion_policy)
                    return
                await self._complete(name, DELETE, None)
        except TimeoutError as error:
            failure = OperationTimeout(f"{DELETE} timed out", resource_name=name, action=DELETE)
            await self._fail(name, existing.type_name, DELETE, failure)
            raise failure from error
        except Exception as error:
            await self._fail(name, existing.type_name, DELETE, error)
            raise

    async def _start_delete(self, existing: ResourceState, slot: Slot, deletion_policy: str) -> None:
        name = existing.name
        never_created = existing.action == "INIT" or (
            existing.state == (CREATE, FAILED)
            and existing.physical_id is None
            and not has_token(existing)
            and not existing.data
        )
        skip = deletion_policy == RETAIN or never_created
        async with slot:
            plugin, token, done = await self.run.in_thread(self._start_delete_in_thread, existing, skip)
        if not done:
            # The token queued by the hop: durable before any polling.
            await self.run.flush()
            assert plugin is not None
            await self._poll_delete(slot, plugin, token)
        await self._complete(name, DELETE, None)

    def _start_delete_in_thread(
        self, existing: ResourceState, skip: bool
    ) -> tuple[ResourcePlugin | None, Any, bool]:
        """Store ``DELETE_IN_PROGRESS``, then ``handle_delete`` and a first check (unless skipped).

        The token is queued; :meth:`_start_delete` awaits its commit before polling.
        """
        name = existing.name
        self.run.events.resource(name, existing.type_name, existing.physical_id, DELETE, IN_PROGRESS)
        self.run.save_in_thread(
            name, action=DELETE, status=IN_PROGRESS, status_reason=STATE_CHANGED, token=None
        )
        with self.run.queued_writes():
            if skip:
                return None, None, True
            plugin = self.plugin_for(existing)
            try:
                token = plugin.handle_delete()
                done = plugin.check_delete_complete(token)
            except Exception as error:
                if not is_not_found(error):
                    raise
                return plugin, None, True
            if not done:
                self.run.save_in_thread(name, token=stored_token(token))
        return plugin, token, done

    async def _poll_delete(self, slot: Slot, plugin: ResourcePlugin, token: Any) -> None:
        def check(value: Any) -> bool:
            try:
                return plugin.check_delete_complete(value)
            except Exception as error:
                if is_not_found(error):
                    return True
                raise

        await self._poll(slot, check, token)

    # --- outcome --------------------------------------------------------------------------

    async def _complete(self, name: str, action: str, plugin: ResourcePlugin | None) -> None:
        attributes: dict[str, Any] = {}
        if plugin is not None and self.needed_attributes.get(name):
            attributes = await self.run.in_thread(self._attributes, plugin, self.needed_attributes[name])
        state = dataclasses.replace(
            self.run.states[name],
            action=action,
            status=COMPLETE,
            status_reason=STATE_CHANGED,
            token=None,
            attributes=attributes or self.run.states[name].attributes,
        )
        self.run.events.resource(name, state.type_name, state.physical_id, action, COMPLETE)
        await self.run.save(state)

    @staticmethod
    def _attributes(plugin: ResourcePlugin, names: Iterable[str | None]) -> dict[str, Any]:
        wanted = set(names)
        if None in wanted:
            wanted.discard(None)
            wanted.update(name for name in plugin.attribute_schemas() if name != "show")
        values: dict[str, Any] = {}
        for attribute in sorted(name for name in wanted if name is not None):
            if plugin.has_attribute(attribute):
                values[attribute] = plugin.get_attribute(attribute)
        return values

    async def _fail(self, name: str, type_name: str, action: str, error: BaseException) -> None:
        reason = failure_reason(error, name)
        previous = self.run.states.get(name) or ResourceState(name=name, type_name=type_name)
        state = dataclasses.replace(previous, action=action, status=FAILED, status_reason=reason)
        self.run.events.resource(name, type_name, state.physical_id, action, FAILED, reason)
        await self.run.save(state)
        if not isinstance(error, ResourceFailure):
            error.add_note(reason)


def failed_reason(states: Mapping[str, ResourceState], names: Sequence[str]) -> str:
    """The first failed resource's reason among ``names``."""
    for name in names:
        state = states.get(name)
        if state is not None and state.status == FAILED:
            return state.status_reason
    return ""
