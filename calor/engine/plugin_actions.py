"""One resource action beyond create and delete (ADOPT, SNAPSHOT): the same persisted steps.

The resource goes ``<ACTION>_IN_PROGRESS`` (an event), ``start(plugin)`` runs in the
hook thread pool, its token is stored so another engine resumes polling
``check(plugin, token)``, then ``<ACTION>_COMPLETE`` or ``<ACTION>_FAILED`` with
Heat's reason, exactly as :class:`~calor.engine.resource_runner.ResourceRunner` does
for create.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from calor.definition.resource import ResourceDefinition
from calor.engine.events import STATE_CHANGED
from calor.engine.resource_runner import ResourceRunner, has_token, stored_token
from calor.engine.store import IN_PROGRESS, ResourceState
from calor.errors import OperationTimeout
from calor.graph import Slot
from calor.plugins.base import ResourcePlugin

Start = Callable[[ResourcePlugin], Any]
Check = Callable[[ResourcePlugin, Any], bool]


async def run_action(
    runner: ResourceRunner,
    name: str,
    action: str,
    slot: Slot,
    *,
    start: Start,
    check: Check,
    definition: ResourceDefinition | None = None,
) -> ResourcePlugin:
    """Run ``action`` on resource ``name`` (stored, or built from ``definition``) to its end."""
    run = runner.run
    existing = run.states.get(name)
    type_name = definition.type_name if definition is not None else existing.type_name if existing else ""
    try:
        async with asyncio.timeout(run.config.resource_timeout):
            checked = False
            if existing is not None and existing.state == (action, IN_PROGRESS) and has_token(existing):
                plugin = runner.plugin_for(existing)
                token = existing.token["token"]
            else:
                checked = True
                async with slot:
                    plugin, token, done = await run.in_thread(
                        _start_in_thread, runner, name, action, start, check, definition
                    )
                if done:
                    await runner._complete(name, action, plugin)
                    return plugin
            await runner._poll(
                slot, lambda value: check(plugin, value), token, plugin=plugin, checked=checked
            )
            await runner._complete(name, action, plugin)
            return plugin
    except TimeoutError as error:
        failure = OperationTimeout(f"{action} timed out", resource_name=name, action=action)
        await runner._fail(name, type_name, action, failure)
        raise failure from error
    except Exception as error:
        await runner._fail(name, type_name, action, error)
        raise


def _start_in_thread(
    runner: ResourceRunner,
    name: str,
    action: str,
    start: Start,
    check: Check,
    definition: ResourceDefinition | None,
) -> tuple[ResourcePlugin, Any, bool]:
    """Store ``<ACTION>_IN_PROGRESS`` (with the definition's properties), start, check once."""
    run = runner.run
    changes: dict[str, Any] = {
        "action": action,
        "status": IN_PROGRESS,
        "status_reason": STATE_CHANGED,
        "token": None,
    }
    if definition is not None:
        properties, metadata = runner.prepare(definition)
        changes.update(
            type_name=definition.type_name,
            properties=properties,
            metadata=metadata,
            requires=tuple(sorted(definition.dependencies())),
        )
    if name not in run.states:
        run.states[name] = ResourceState(name=name, type_name=changes.get("type_name", ""))
    state = run.states[name]
    type_name = changes.get("type_name", state.type_name)
    run.events.resource(name, type_name, state.physical_id, action, IN_PROGRESS)
    state = run.save_in_thread(name, **changes)
    runner.plugins.pop(name, None)
    plugin = runner.plugin_for(state)
    token = start(plugin)
    done = check(plugin, token)
    if not done:
        run.save_in_thread(name, token=stored_token(token))
    return plugin, token, done
