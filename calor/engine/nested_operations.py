"""Running one child stack's operation (create, adopt, update, delete) on the parent's event loop.

Create and delete go through :class:`~calor.engine.stack_operations.StackOperation`
(the child never rolls back by itself: its parent decides), adopt through
:class:`~calor.engine.abandon.AdoptOperation` with the child's part of the abandon
data; update goes through the update engine's job runner with ``disable_rollback``. A
deleted child is soft-deleted once its resources are gone.

:func:`stop_child` stops a child whose parent resource was aborted (its operation is
cancelled, its resources in progress fail, then the child); :func:`abandon_child`
abandons one with its parent. :func:`stop_children` and :func:`abandon_children` do so
for the children of some resources of a running operation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.db.records import JobRecord, StackRecord
from calor.engine.nested import NestedEngine, engine_of
from calor.engine.store import ADOPT, CREATE, DELETE, FAILED, IN_PROGRESS, UPDATE, utc_now
from calor.errors import UserError

if TYPE_CHECKING:
    from calor.engine.run import StackRun
    from calor.engine.stack_operations import StackDefinitionParts

#: The reason a stopped child (and each of its resources) fails with, as Heat's ``ForcedCancel``.
OPERATION_CANCELLED = "Operation cancelled"


async def children_by_owner(run: StackRun) -> dict[str, list[StackRecord]]:
    """The live child stacks of ``run``'s stack, by the name of the resource that owns them."""
    engine = engine_of(run)
    if engine is None:
        return {}
    found: dict[str, list[StackRecord]] = {}
    for child in await run.in_database(engine.repository.get_child_stacks, run.stack_id):
        if child.owner_resource_name is not None:
            found.setdefault(child.owner_resource_name, []).append(child)
    return found


async def stop_children(run: StackRun, resource_names: Sequence[str]) -> None:
    """Stop the child stacks of the named resources that are still in progress.

    Their resources' operations were aborted (a sibling failed, the stack timed out, the
    update was cancelled): as Heat's ``handle_<action>_cancel`` of a nested stack, the
    child's running operation is cancelled, its resources in progress fail and the child
    ends ``<ACTION>_FAILED`` ("Operation cancelled"), each with its event.
    """
    engine = engine_of(run)
    if engine is None or not resource_names:
        return
    owned = await children_by_owner(run)
    for name in resource_names:
        for child in owned.get(name, []):
            if child.status == IN_PROGRESS:
                await stop_child(engine, child.id)


async def abandon_children(
    run: StackRun, resource_name: str, owned: Mapping[str, Sequence[StackRecord]]
) -> None:
    """Abandon the child stacks of ``resource_name``: out of the database, cloud objects kept.

    Each child is deleted as its parent is abandoned (every resource retained, its own
    children abandoned first), which soft-deletes it; ``owned`` is :func:`children_by_owner`.
    """
    engine = engine_of(run)
    if engine is None:
        return
    for child in owned.get(resource_name, ()):
        await abandon_child(engine, child.id)


async def run_child_operation(
    engine: NestedEngine,
    stack_id: str,
    action: str,
    resuming: bool,
    previous_parameters: Mapping[str, Any] | None,
    *,
    adopt_resources: Mapping[str, Any] | None = None,
) -> None:
    """Run ``action`` (CREATE, ADOPT, UPDATE, DELETE) on the child ``stack_id`` to its end."""
    from calor.engine.abandon import AdoptOperation
    from calor.engine.stack_operations import StackOperation

    loop = asyncio.get_running_loop()
    database = engine.database_executor
    stack = await loop.run_in_executor(database, engine.repository.get_stack, stack_id)
    if stack is None:
        return
    if action == UPDATE:
        await _update(engine, stack, previous_parameters)
        return
    parts = await _parts(engine, stack, required=action != DELETE)
    timeout_minutes = stack.timeout_minutes or engine.config.default_stack_timeout_minutes
    run = _child_run(
        engine, stack, timeout_seconds=timeout_minutes * 60 if action in (CREATE, ADOPT) else None
    )
    engine.runs.stack_runs[stack.id] = run
    try:
        if action == ADOPT:
            assert parts is not None
            adopting = AdoptOperation(
                run, engine.plugin_types, project_id=stack.project_id, cloud_factory=engine.cloud_factory
            )
            await adopting.adopt(parts, adopt_resources or {}, disable_rollback=True, resuming=resuming)
            return
        operation = StackOperation(
            run, engine.plugin_types, project_id=stack.project_id, cloud_factory=engine.cloud_factory
        )
        if action == DELETE:
            outcome = await operation.delete(parts, resuming=resuming)
            if outcome.status != FAILED:
                await loop.run_in_executor(database, engine.repository.soft_delete_stack, stack.id)
            return
        assert parts is not None
        await operation.create(parts, disable_rollback=True, resuming=resuming)
    finally:
        if engine.runs.stack_runs.get(stack.id) is run:
            del engine.runs.stack_runs[stack.id]


async def _parts(engine: NestedEngine, stack: StackRecord, *, required: bool) -> StackDefinitionParts | None:
    """The child's definitions (``None`` when unreadable and not ``required``: a delete needs none)."""
    from calor.engine.loading import load_parts

    loop = asyncio.get_running_loop()
    raw = None
    if stack.raw_template_id is not None:
        raw = await loop.run_in_executor(
            engine.database_executor, engine.repository.get_raw_template, stack.raw_template_id
        )
    if raw is None:
        if required:
            raise UserError("The stack's template could not be read.")
        return None
    try:
        return await loop.run_in_executor(engine.hook_executor, load_parts, stack, raw, engine.plugin_types)
    except UserError:
        if required:
            raise
        return None


def _child_run(engine: NestedEngine, stack: StackRecord, *, timeout_seconds: float | None = None) -> StackRun:
    from calor.engine.run import StackRun

    return StackRun(
        stack_id=stack.id,
        stack_name=stack.name,
        store=engine.run.store,
        config=engine.config,
        hook_executor=engine.hook_executor,
        database_executor=engine.database_executor,
        timeout_seconds=timeout_seconds,
    )


async def stop_child(engine: NestedEngine, stack_id: str) -> None:
    """Cancel the child's operation here (if it runs here), then fail what it left in progress.

    The child's resources in progress end ``<ACTION>_FAILED`` ("<ACTION> aborted (Operation
    cancelled)"), their own children stopped first, and the child ``<ACTION>_FAILED``
    ("Operation cancelled"), each with its event. A child no longer in progress is left alone.
    """
    from calor.engine.stack_operations import StackOperation

    runs = engine.runs
    running = runs.stack_runs.get(stack_id)
    task = runs.tasks.get(stack_id)
    with runs.lock:
        future = runs.futures.get(stack_id)
        runs.stopped.add(stack_id)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    elif future is not None and not future.done():
        future.cancel()  # started but not begun: it never runs
    loop = asyncio.get_running_loop()
    stack = await loop.run_in_executor(engine.database_executor, engine.repository.get_stack, stack_id)
    if stack is None or stack.status != IN_PROGRESS:
        return
    # The cancelled operation's own run (its writes queued in order), else a new one.
    run = running if running is not None else _child_run(engine, stack)
    operation = StackOperation(
        run, engine.plugin_types, project_id=stack.project_id, cloud_factory=engine.cloud_factory
    )
    await operation.stop(stack.action, OPERATION_CANCELLED)


async def abandon_child(engine: NestedEngine, stack_id: str) -> None:
    """Abandon the child (and its children): every resource retained, the stack soft-deleted."""
    from calor.engine.stack_operations import StackOperation

    loop = asyncio.get_running_loop()
    stack = await loop.run_in_executor(engine.database_executor, engine.repository.get_stack, stack_id)
    if stack is None:
        return
    if stack.status == IN_PROGRESS:
        await stop_child(engine, stack_id)
    parts = await _parts(engine, stack, required=False)
    operation = StackOperation(
        _child_run(engine, stack),
        engine.plugin_types,
        project_id=stack.project_id,
        cloud_factory=engine.cloud_factory,
    )
    outcome = await operation.delete(parts, resuming=True, abandon=True)
    if outcome.status == FAILED:
        raise UserError(f"The nested stack {stack.name} could not be abandoned: {outcome.reason}")


async def _update(
    engine: NestedEngine, stack: StackRecord, previous_parameters: Mapping[str, Any] | None
) -> None:
    """Run the update engine on the child (no rollback of its own: the parent's decides)."""
    from calor.engine.operations.jobs import UPDATE_OPERATION, run_update_job

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
    run = _child_run(engine, stack)
    engine.runs.stack_runs[stack.id] = run
    try:
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
    finally:
        if engine.runs.stack_runs.get(stack.id) is run:
            del engine.runs.stack_runs[stack.id]
