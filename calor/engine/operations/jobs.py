"""The queue's update-family jobs → :class:`UpdateOperation` calls (the worker dispatches here).

Payloads: an update job carries what a rollback returns to (``previous_raw_template_id``,
``previous_parameters``) and ``disable_rollback``; cancel jobs copy the update's payload.
A restore job is an update to the snapshot's template (already the stack's), with the
stack action RESTORE; its payload names the snapshot and the template it replaced
(whose deletion policies apply to the resources the restore removes). An update or
cancel job taken over while its stack is ``ROLLBACK_IN_PROGRESS`` resumes the rollback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

from calor.db.records import JobRecord, StackRecord
from calor.db.repository import Repository
from calor.engine.loading import build_definition, environment_types, stack_context
from calor.engine.operations.rows import ResourceRows
from calor.engine.operations.update import STACK_ACTIONS, UpdateOperation, UpdateParts
from calor.engine.resource_runner import PluginTypes
from calor.engine.run import StackRun
from calor.engine.stack_operations import Outcome, StackDefinitionParts
from calor.engine.store import IN_PROGRESS, RESTORE, ROLLBACK
from calor.errors import UserError

UPDATE_OPERATION = "update"
CANCEL_OPERATION = "cancel_update"
CANCEL_WITHOUT_ROLLBACK_OPERATION = "cancel_without_rollback"
CHECK_OPERATION = "check"
SUSPEND_OPERATION = "suspend"
RESUME_OPERATION = "resume"
RESTORE_OPERATION = "restore"
OPERATIONS = frozenset(
    {
        UPDATE_OPERATION,
        RESTORE_OPERATION,
        CANCEL_OPERATION,
        CANCEL_WITHOUT_ROLLBACK_OPERATION,
        CHECK_OPERATION,
        SUSPEND_OPERATION,
        RESUME_OPERATION,
    }
)


ROLLING_BACK = frozenset({UPDATE_OPERATION, CANCEL_OPERATION})
"""The jobs that roll back: taken over with the stack ``ROLLBACK_IN_PROGRESS``, they go on rolling back."""


def load_update_parts(
    stack: StackRecord,
    raw_template_id: int | None,
    parameters: Mapping[str, Any],
    repository: Repository,
    plugin_types: PluginTypes,
) -> UpdateParts | None:
    """The stored template ``raw_template_id`` bound to ``parameters`` (``None`` without one)."""
    if raw_template_id is None:
        return None
    raw = repository.get_raw_template(raw_template_id)
    if raw is None:
        return None
    context = stack_context(stack)
    definition = build_definition(
        template=raw.template,
        files=raw.files,
        environment=raw.environment,
        parameters=parameters,
        context=context,
        plugin_types=plugin_types,
    )
    environment = definition.template.environment
    types = environment_types(plugin_types, environment, definition.template.files)
    registry = environment.registry
    parts = StackDefinitionParts(context, definition.resources, definition.outputs, types)
    return UpdateParts(parts, registry.hooks_for, registry.restricted_actions_for)


async def run_update_job(
    job: JobRecord,
    stack: StackRecord,
    run: StackRun,
    *,
    repository: Repository,
    plugin_types: PluginTypes,
    cloud_factory: Callable[[], Any] | None,
    database: Executor,
    default_timeout_minutes: int,
) -> Outcome:
    """Run one job of :data:`OPERATIONS` on ``stack``."""
    loop = asyncio.get_running_loop()
    operation = UpdateOperation(
        run,
        plugin_types,
        project_id=stack.project_id,
        rows=ResourceRows(repository),
        cloud_factory=cloud_factory,
    )
    payload = dict(job.payload or {})
    previous_fields: dict[str, Any] = {}
    if "previous_raw_template_id" in payload:
        previous_fields = {
            "raw_template_id": payload["previous_raw_template_id"],
            "parameters": payload.get("previous_parameters") or {},
        }

    def load(template_id: int | None, parameters: Mapping[str, Any]) -> UpdateParts | None:
        return load_update_parts(stack, template_id, parameters, repository, plugin_types)

    def load_previous() -> UpdateParts | None:
        if not previous_fields:
            return None
        try:
            return load(previous_fields["raw_template_id"], previous_fields["parameters"])
        except UserError:
            return None

    if job.operation in STACK_ACTIONS:
        action = STACK_ACTIONS[job.operation]
        current = await loop.run_in_executor(database, load, stack.raw_template_id, stack.parameters)
        return await operation.stack_action(action, current.parts if current else None)
    if job.operation in ROLLING_BACK and stack.state == (ROLLBACK, IN_PROGRESS):
        # The engine that ran this job stopped while rolling back: never apply the update again.
        def load_failed() -> UpdateParts | None:
            try:
                return load(stack.raw_template_id, stack.parameters)
            except UserError:
                return None

        failed = await loop.run_in_executor(database, load_failed)
        previous = await loop.run_in_executor(database, load_previous)
        return await operation.resume_rollback(failed, previous, previous_fields)
    if job.operation in (CANCEL_OPERATION, CANCEL_WITHOUT_ROLLBACK_OPERATION):
        previous = await loop.run_in_executor(database, load_previous)
        return await operation.cancel(previous, previous_fields, rollback=job.operation == CANCEL_OPERATION)
    timeout_minutes = stack.timeout_minutes or default_timeout_minutes
    run.deadline = time.monotonic() + timeout_minutes * 60
    new = await loop.run_in_executor(database, load, stack.raw_template_id, stack.parameters)
    if new is None:
        raise UserError("The stack's template could not be read.")
    previous = await loop.run_in_executor(database, load_previous)
    if job.operation == RESTORE_OPERATION:
        return await operation.restore(new, previous)
    return await operation.update(
        new,
        previous,
        disable_rollback=bool(payload.get("disable_rollback", stack.disable_rollback)),
        previous_fields=previous_fields,
    )


def failed_action(operation: str) -> str:
    """The stack action to mark failed when a job of ``operation`` crashed."""
    if operation in STACK_ACTIONS:
        return STACK_ACTIONS[operation]
    if operation == RESTORE_OPERATION:
        return RESTORE
    return "UPDATE"
