"""Running one child stack's operation (create, update, delete) on the parent's event loop.

Create and delete go through :class:`~calor.engine.stack_operations.StackOperation`
(the child never rolls back by itself: its parent decides); update goes through the
update engine's job runner with ``disable_rollback``. A deleted child is soft-deleted
once its resources are gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from calor.db.records import JobRecord, StackRecord
from calor.engine.nested import NestedEngine
from calor.engine.store import CREATE, DELETE, FAILED, UPDATE, utc_now
from calor.errors import UserError


async def run_child_operation(
    engine: NestedEngine,
    stack_id: str,
    action: str,
    resuming: bool,
    previous_parameters: Mapping[str, Any] | None,
) -> None:
    """Run ``action`` (CREATE, UPDATE, DELETE) on the child ``stack_id`` to its end."""
    from calor.engine.loading import load_parts
    from calor.engine.run import StackRun
    from calor.engine.stack_operations import StackOperation

    loop = asyncio.get_running_loop()
    database = engine.database_executor
    stack = await loop.run_in_executor(database, engine.repository.get_stack, stack_id)
    if stack is None:
        return
    if action == UPDATE:
        await _update(engine, stack, previous_parameters)
        return
    raw = None
    if stack.raw_template_id is not None:
        raw = await loop.run_in_executor(database, engine.repository.get_raw_template, stack.raw_template_id)
    parts = None
    if raw is not None:
        try:
            parts = await loop.run_in_executor(
                engine.hook_executor, load_parts, stack, raw, engine.plugin_types
            )
        except UserError:
            if action != DELETE:
                raise
    timeout_minutes = stack.timeout_minutes or engine.config.default_stack_timeout_minutes
    run = StackRun(
        stack_id=stack.id,
        stack_name=stack.name,
        store=engine.run.store,
        config=engine.config,
        hook_executor=engine.hook_executor,
        database_executor=database,
        timeout_seconds=timeout_minutes * 60 if action == CREATE else None,
    )
    operation = StackOperation(
        run, engine.plugin_types, project_id=stack.project_id, cloud_factory=engine.cloud_factory
    )
    if action == DELETE:
        outcome = await operation.delete(parts, resuming=resuming)
        if outcome.status != FAILED:
            await loop.run_in_executor(database, engine.repository.soft_delete_stack, stack.id)
        return
    if parts is None:
        raise UserError("The stack's template could not be read.")
    await operation.create(parts, disable_rollback=True, resuming=resuming)


async def _update(
    engine: NestedEngine, stack: StackRecord, previous_parameters: Mapping[str, Any] | None
) -> None:
    """Run the update engine on the child (no rollback of its own: the parent's decides)."""
    from calor.engine.operations.jobs import UPDATE_OPERATION, run_update_job
    from calor.engine.run import StackRun

    payload: dict[str, Any] = {"disable_rollback": True}
    if stack.previous_raw_template_id is not None:
        payload["previous_raw_template_id"] = stack.previous_raw_template_id
        payload["previous_parameters"] = dict(previous_parameters or {})
    now = utc_now()
    job = JobRecord(
        id=0,
        stack_id=stack.id,
        operation=UPDATE_OPERATION,
        payload=payload,
        status="running",
        engine_id=None,
        lease_expires_at=None,
        attempts=1,
        cancel_requested=False,
        error=None,
        created_at=now,
        updated_at=now,
    )
    run = StackRun(
        stack_id=stack.id,
        stack_name=stack.name,
        store=engine.run.store,
        config=engine.config,
        hook_executor=engine.hook_executor,
        database_executor=engine.database_executor,
    )
    await run_update_job(
        job,
        stack,
        run,
        repository=engine.repository,
        plugin_types=engine.plugin_types,
        cloud_factory=engine.cloud_factory,
        database=engine.database_executor,
        default_timeout_minutes=engine.config.default_stack_timeout_minutes,
    )
