"""One resource action: hooks in a thread, polling, a timeout, every change persisted.

``create`` and ``delete`` follow Heat: the resource goes ``<ACTION>_IN_PROGRESS`` (an
event), ``handle_<action>()`` runs in the hook thread pool, its token is stored so
another engine can resume, ``check_<action>_complete(token)`` is polled until true (with
backoff, or at the time the plugin's ``check_due`` gives; on the event loop when its
checks do not block), then ``<ACTION>_COMPLETE`` (an event), or ``<ACTION>_FAILED`` with
Heat's reason. A create stores its start marker first (:mod:`calor.engine.create_start`)
so an engine taking over an interrupted ``handle_create`` resumes it instead of making a
second cloud object; self-contained types run their start on the loop, written behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.create_start import CreateStart
from calor.engine.events import STATE_CHANGED, failure_reason
from calor.engine.resource_context import EngineResourceContext
from calor.engine.run import StackRun
from calor.engine.store import COMPLETE, CREATE, DELETE, FAILED, IN_PROGRESS, ResourceState
from calor.errors import CalorError, NotFound, OperationTimeout, ResourceFailure
from calor.graph import Slot
from calor.plugins.base import ResourcePlugin
from calor.template import paths

PluginTypes = Callable[[str], type[ResourcePlugin]]
"""type name → plugin class; raises :class:`calor.errors.ResourceTypeNotFound`."""

RETAIN = "Retain"
_TOKEN = "token"

DUE_MARGIN = 0.002
"""Seconds added to a plugin's :meth:`~calor.plugins.base.ResourcePlugin.check_due` time."""


def stored_token(token: Any, start: CreateStart | None = None) -> Any:
    """The token as stored: wrapped, so a ``None`` token still says "handle returned".

    A create keeps its start marker beside it (:mod:`calor.engine.create_start`).
    """
    try:
        json.dumps(token)
    except (TypeError, ValueError):
        return {"unstorable": True}
    if start is not None:
        return {_TOKEN: token, **start.stored()}
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

    def self_contained(self, type_name: str) -> bool:
        """Whether the type's hooks touch nothing outside the engine (unknown types: no)."""
        try:
            return self.plugin_types(type_name).self_contained
        except CalorError:
            return False

    def _type_of(self, name: str) -> str:
        state = self.run.states.get(name)
        return state.type_name if state is not None else ""

    # --- timing ---------------------------------------------------------------------------

    def _timeout(self) -> float | None:
        """One action's limit; the stack's own deadline is enforced around the whole walk."""
        return self.run.config.resource_timeout

    def _wait(self, plugin: ResourcePlugin | None, token: Any) -> float | None:
        """Seconds until the plugin says a check can succeed (``None``: unknown or past)."""
        if plugin is None:
            return None
        due = plugin.check_due(token)
        if due is None:
            return None
        remaining = due - plugin.now()
        return remaining + DUE_MARGIN if remaining > 0 else None

    async def _poll(
        self,
        slot: Slot,
        check: Callable[[Any], bool],
        token: Any,
        *,
        plugin: ResourcePlugin | None = None,
        checked: bool = False,
    ) -> None:
        """Call ``check(token)`` until it returns true.

        With ``checked`` the start hop has just checked once, so the first call waits.
        Between calls the engine waits until the plugin's ``check_due`` time when it gives
        one in the future, else with backoff. A blocking check runs in a hook thread under
        a slot; a plugin whose checks do not block (``checks_block()`` false) is checked on
        the event loop.
        """
        config = self.run.config
        delay = config.poll_initial
        blocking = plugin is None or plugin.checks_block()
        while True:
            if checked:
                wait = self._wait(plugin, token)
                if wait is None:
                    wait = delay
                    delay = min(delay * config.poll_growth, config.poll_max)
                await asyncio.sleep(wait)
            checked = True
            if blocking:
                async with slot:
                    done = await self.run.in_thread(check, token)
            else:
                done = await self.run.on_loop(check, token)
            if done:
                return

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
                    checked = False
                else:
                    plugin, token, done = await self._start_create(definition, existing, slot)
                    if done:
                        await self._complete(name, CREATE, plugin)
                        return
                    checked = True
                await self._poll(slot, plugin.check_create_complete, token, plugin=plugin, checked=checked)
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
        """Start (or, after a takeover, resume) a create; its writes are durable on return.

        ``CREATE_IN_PROGRESS`` is stored with its event and the start marker
        (:class:`~calor.engine.create_start.CreateStart`: the physical name and start
        time). For most types it is committed before ``handle_create`` runs, so another
        engine knows the create may have begun: properties are resolved in a hook thread,
        the state is saved on the loop (no hook thread waits for the commit, so many
        starts share it), and a second hop calls ``handle_create`` (or
        ``handle_create_resume`` when a stopped engine had begun this create and left no
        token) and a first check, queuing their writes. A ``self_contained`` type has
        nothing outside the engine to lose, so its whole start is one step with every
        write queued (:meth:`_start_written_behind`). Either way the queued writes are
        committed before this returns: the physical id and the token are durable before
        the engine waits on anything.
        """
        name = definition.name
        interrupted = CreateStart.of(existing)
        requires = definition.dependencies()
        self.run.states[name] = ResourceState(
            name=name,
            type_name=definition.type_name,
            action=CREATE,
            status=IN_PROGRESS,
            status_reason=STATE_CHANGED,
            physical_id=existing.physical_id if existing else None,
            token=existing.token if existing is not None and interrupted else None,
            data=existing.data if existing else {},
            redacted=existing.redacted if existing else frozenset(),
            requires=tuple(sorted(requires)),
        )
        if self.self_contained(definition.type_name):
            if all(self.self_contained(self._type_of(other)) for other in requires):
                # Its properties read only stored state: no thread needed at all.
                started = await self.run.on_loop(self._start_written_behind, definition, interrupted, True)
            else:
                async with slot:
                    started = await self.run.in_thread(
                        self._start_written_behind, definition, interrupted, False
                    )
            await self.run.flush()
            return started
        async with slot:
            properties, metadata = await self.run.in_thread(self.prepare, definition)
        start = interrupted or CreateStart(self.context_for(name).physical_resource_name(), time.time())
        state = dataclasses.replace(
            self.run.states[name], properties=properties, metadata=metadata, token=start.stored()
        )
        self.run.events.resource(name, definition.type_name, state.physical_id, CREATE, IN_PROGRESS)
        await self.run.save(state)
        async with slot:
            started = await self.run.create_hop(name, self._handle_create_in_thread, name, start, interrupted)
        # The physical id, data and token queued by the hop: durable before any polling.
        await self.run.flush()
        return started

    def _start_written_behind(
        self, definition: ResourceDefinition, interrupted: CreateStart | None, on_loop: bool
    ) -> tuple[ResourcePlugin, Any, bool]:
        """The start of a self-contained type in one step: every write (the state too) queued.

        ``on_loop``: it runs on the event loop, where a check that may block is not made.
        """
        name = definition.name
        with self.run.queued_writes():
            properties, metadata = self.prepare(definition)
            start = interrupted or CreateStart(self.context_for(name).physical_resource_name(), time.time())
            state = self.run.states[name]
            self.run.events.resource(name, definition.type_name, state.physical_id, CREATE, IN_PROGRESS)
            self.run.save_in_thread(name, properties=properties, metadata=metadata, token=start.stored())
            return self._handle_create_in_thread(name, start, interrupted, on_loop=on_loop)

    def _handle_create_in_thread(
        self, name: str, start: CreateStart, interrupted: CreateStart | None, *, on_loop: bool = False
    ) -> tuple[ResourcePlugin, Any, bool]:
        """``validate``, ``handle_create`` (or its resume) and a first check; writes queued.

        On the event loop (``on_loop``) a check that may block is left to polling (a thread).
        """
        with self.run.queued_writes():
            self.plugins.pop(name, None)
            plugin = self.plugin_for(self.run.states[name])
            plugin.validate()
            if interrupted is not None:
                token = plugin.handle_create_resume(interrupted.started_at)
            else:
                token = plugin.handle_create()
            done = not (on_loop and plugin.checks_block()) and plugin.check_create_complete(token)
            if not done:
                self.run.save_in_thread(name, token=stored_token(token, start))
        return plugin, token, done

    # --- delete ---------------------------------------------------------------------------

    async def delete(self, name: str, slot: Slot, *, deletion_policy: str = "Delete") -> None:
        """Delete one stored resource (Retain keeps the cloud object; "not found" counts as deleted).

        The ``pre-delete`` and ``post-delete`` hooks pause it when the environment sets them.
        A ``handle_create`` of this resource still running after its create was aborted is
        waited for first: the object its request makes is then known and deleted too.
        """
        await self.run.create_hop_finished(name)
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
        """Store ``DELETE_IN_PROGRESS`` (with its event), then ``handle_delete`` and a first check.

        The state is stored on the loop, so no hook thread waits for its commit; the hop's
        token is queued and committed before polling. A self-contained type's hooks run on
        the loop and its state is committed with them. A create that began and stored no
        physical id (its start marker, :meth:`CreateStart.left_by`) may still have made a
        cloud object: the plugin's ``find_created`` looks for it first, and the marker is
        kept in ``DELETE_IN_PROGRESS`` until then, so an engine taking over looks again.
        """
        name = existing.name
        start = CreateStart.left_by(existing)
        never_created = existing.action == "INIT" or (
            existing.state == (CREATE, FAILED)
            and existing.physical_id is None
            and start is None
            and not has_token(existing)
            and not existing.data
        )
        skip = deletion_policy == RETAIN or never_created
        self.run.events.resource(name, existing.type_name, existing.physical_id, DELETE, IN_PROGRESS)
        state = dataclasses.replace(
            self.run.states[name],
            action=DELETE,
            status=IN_PROGRESS,
            status_reason=STATE_CHANGED,
            token=start.stored() if start is not None and not skip else None,
        )
        self_contained = self.self_contained(existing.type_name)
        if self_contained:
            # Nothing outside the engine: the state is committed with the hook's writes.
            self.run.enqueue(state)
        else:
            await self.run.save(state)
        if not skip:
            if self_contained:
                plugin, token, done = await self.run.on_loop(
                    self._handle_delete_in_thread, existing, start, True
                )
            else:
                async with slot:
                    plugin, token, done = await self.run.in_thread(
                        self._handle_delete_in_thread, existing, start
                    )
            if not done:
                # The token queued by the hop: durable before any polling.
                await self.run.flush()
                await self._poll_delete(slot, plugin, token, checked=True)
        await self._complete(name, DELETE, None)

    def _handle_delete_in_thread(
        self, existing: ResourceState, start: CreateStart | None = None, on_loop: bool = False
    ) -> tuple[ResourcePlugin, Any, bool]:
        """``handle_delete`` and a first check ("not found" is done); the token is queued.

        With ``start`` (a create that stored no physical id) the plugin's ``find_created``
        first gives the physical id of what that create made, stored before the delete.
        On the event loop (``on_loop``) a check that may block is left to polling (a thread).
        """
        name = existing.name
        with self.run.queued_writes():
            plugin = self.plugin_for(existing)
            if start is not None and plugin.resource_id is None:
                found = plugin.find_created(start.started_at)
                if found is not None:
                    plugin.context.set_resource_id(found)
            try:
                token = plugin.handle_delete()
                done = not (on_loop and plugin.checks_block()) and plugin.check_delete_complete(token)
            except Exception as error:
                if not is_not_found(error):
                    raise
                return plugin, None, True
            if not done:
                self.run.save_in_thread(name, token=stored_token(token))
        return plugin, token, done

    async def _poll_delete(
        self, slot: Slot, plugin: ResourcePlugin, token: Any, *, checked: bool = False
    ) -> None:
        def check(value: Any) -> bool:
            try:
                return plugin.check_delete_complete(value)
            except Exception as error:
                if is_not_found(error):
                    return True
                raise

        await self._poll(slot, check, token, plugin=plugin, checked=checked)

    # --- outcome --------------------------------------------------------------------------

    async def _complete(self, name: str, action: str, plugin: ResourcePlugin | None) -> None:
        attributes: dict[str, Any] = {}
        if plugin is not None and self.needed_attributes.get(name):
            if plugin.self_contained:
                attributes = self._attributes(plugin, self.needed_attributes[name])
            else:
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
