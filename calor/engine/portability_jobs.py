"""The worker's side of abandon, adopt, snapshot and snapshot deletion: one job each.

:func:`run_job` runs a claimed job whose operation is in :data:`OPERATIONS` on the
worker's :class:`~calor.engine.run.StackRun`, with the job's payload (adopt: the
abandoned stack's resources; snapshot, delete_snapshot: the snapshot id). A restore is
an update job (:mod:`calor.engine.operations.jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from calor.db.records import JobRecord, StackRecord
from calor.db.repository import Repository
from calor.engine.abandon import ABANDON_OPERATION, ADOPT_OPERATION, AdoptOperation
from calor.engine.resource_runner import PluginTypes
from calor.engine.run import StackRun
from calor.engine.snapshots import DELETE_SNAPSHOT_OPERATION, SNAPSHOT, SNAPSHOT_OPERATION, SnapshotOperation
from calor.engine.stack_operations import Outcome, StackDefinitionParts
from calor.engine.store import FAILED
from calor.errors import CalorError, UserError

LOG = logging.getLogger(__name__)

OPERATIONS = frozenset({ABANDON_OPERATION, ADOPT_OPERATION, SNAPSHOT_OPERATION, DELETE_SNAPSHOT_OPERATION})


FAILED_ACTIONS = {
    ABANDON_OPERATION: "DELETE",
    ADOPT_OPERATION: "ADOPT",
    SNAPSHOT_OPERATION: SNAPSHOT,
}


def job_failed(repository: Repository, job: JobRecord, error: BaseException) -> None:
    """A job that raised: its stack action (and a snapshot being taken) ``FAILED`` with the error.

    A failed snapshot deletion leaves the stack as it is (the snapshot stays, to be deleted again).
    """
    try:
        action = FAILED_ACTIONS.get(job.operation)
        if action is not None:
            repository.update_stack_status(job.stack_id, action, FAILED, str(error))
        if job.operation == SNAPSHOT_OPERATION:
            snapshot_id = str(job.payload.get("snapshot_id"))
            repository.update_snapshot(snapshot_id, status=FAILED, status_reason=str(error))
    except CalorError:
        LOG.exception("could not mark stack %s failed", job.stack_id)


async def run_job(
    job: JobRecord,
    stack: StackRecord,
    run: StackRun,
    parts: StackDefinitionParts | None,
    *,
    repository: Repository,
    plugin_types: PluginTypes,
    cloud_factory: Callable[[], Any] | None,
    resuming: bool,
    before_abandoned: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """Run one job of :data:`OPERATIONS` to its end (``before_abandoned``: the abandon's last
    step before the stack is stored as gone, such as releasing its trust)."""
    if job.operation == ADOPT_OPERATION:
        if parts is None:
            raise UserError("The stack's template could not be read.")
        adopting = AdoptOperation(run, plugin_types, project_id=stack.project_id, cloud_factory=cloud_factory)
        return await adopting.adopt(
            parts,
            dict(job.payload.get("resources") or {}),
            disable_rollback=stack.disable_rollback,
            resuming=resuming,
        )
    operation = SnapshotOperation(run, plugin_types, project_id=stack.project_id, cloud_factory=cloud_factory)
    if job.operation == ABANDON_OPERATION:
        outcome = await operation.delete(
            parts, resuming=resuming, abandon=True, before_complete=before_abandoned
        )
        if outcome.status != FAILED:
            await run.in_database(repository.soft_delete_stack, stack.id)
        return outcome
    snapshot_id = str(job.payload.get("snapshot_id"))
    snapshot = await run.in_database(repository.get_snapshot, snapshot_id)
    if job.operation == SNAPSHOT_OPERATION:
        return await operation.snapshot(repository, snapshot_id)
    if snapshot is None:
        raise UserError(f"The Snapshot ({snapshot_id}) could not be found.")
    return await operation.delete_snapshot(repository, snapshot)
