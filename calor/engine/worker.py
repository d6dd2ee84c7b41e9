"""The worker: claims stack operations from the work queue and runs them, renewing the lease.

An engine process runs one :class:`Worker` (``heat-all`` runs one in a thread). The
worker registers itself as a service and heartbeats; it runs up to
``max_concurrent_jobs`` claimed jobs at once, each on a thread and event loop of its
own while a task renews that job's lease and watches for a cancel request. If the lease is lost
(another engine took the job over), the operation is cancelled. When an engine dies,
its lease expires and another worker claims the job and continues from the stored
state: resources already complete are skipped, resources in progress resume polling.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from calor.clouds import ConnectionFactory
from calor.db.queue import JobQueue
from calor.db.records import JobRecord, JobStatus, StackRecord
from calor.db.repository import Repository
from calor.engine import collector, portability_jobs, stack_users
from calor.engine.cloud_validation import register_cloud_constraints
from calor.engine.config import EngineConfig
from calor.engine.loading import environment_from, load_parts
from calor.engine.operations import jobs as update_jobs
from calor.engine.owner_credentials import OwnerCredentials
from calor.engine.repository_store import RepositoryStore
from calor.engine.resource_context import CloudAccess
from calor.engine.resource_runner import PluginTypes
from calor.engine.run import StackRun
from calor.engine.stack_operations import Outcome, StackDefinitionParts, StackOperation
from calor.engine.store import CREATE, DELETE, FAILED, IN_PROGRESS, ROLLBACK
from calor.errors import CalorError, UserError
from calor.security.deferred_auth import DeferredAuth

LOG = logging.getLogger(__name__)

CREATE_OPERATION = "create"
DELETE_OPERATION = "delete"


LEASE_LOST = "lease lost"
CANCEL_REQUESTED = "cancel requested"


@dataclass
class RunningJob:
    """A job this worker is running: its loop and task (to cancel it) and why it was interrupted."""

    job: JobRecord
    loop: asyncio.AbstractEventLoop | None = None
    task: asyncio.Task[Outcome] | None = None
    interruption: str | None = None
    thread: threading.Thread | None = None

    def cancel(self) -> None:
        loop, task = self.loop, self.task
        if loop is not None and task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)


class Worker:
    """Claims jobs for ``engine_id`` and runs up to ``config.max_concurrent_jobs`` at once until :meth:`stop`.

    Each job runs on its own thread and event loop with its own lease renewal, so a stack
    waiting on a wait condition does not hold up the others (the queue already runs one
    job per stack at a time). ``connections`` (a :class:`~calor.clouds.ConnectionFactory`)
    gives each stack's resources connections in its project, acting for the stack's owner
    when it stored credentials (``deferred_auth`` deletes their trust with the stack);
    ``cloud_factory`` is a fixed alternative (tests).
    """

    def __init__(
        self,
        repository: Repository,
        queue: JobQueue,
        engine_id: str | None = None,
        *,
        plugin_types: PluginTypes,
        config: EngineConfig | None = None,
        cloud_factory: Callable[[], Any] | None = None,
        connections: ConnectionFactory | None = None,
        deferred_auth: DeferredAuth | None = None,
    ) -> None:
        self.repository = repository
        self.queue = queue
        self.engine_id = engine_id or str(uuid.uuid4())
        self.plugin_types = plugin_types
        self.config = config or EngineConfig()
        self.cloud_factory = cloud_factory
        self.connections = connections
        # Stored credentials of stacks: whose rights a job acts with; trusts deleted with stacks.
        self.owner_credentials = OwnerCredentials(repository, deferred_auth)
        register_cloud_constraints()
        self.store = RepositoryStore(repository)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: dict[int, RunningJob] = {}
        self._slots = threading.Condition()
        self.jobs_run = 0

    # --- life -----------------------------------------------------------------------------

    def start(self) -> threading.Thread:
        """Run :meth:`run_forever` in a daemon thread (``heat-all``)."""
        self._thread = threading.Thread(target=self.run_forever, name=f"worker-{self.engine_id}", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop claiming; running operations are cancelled and their jobs given back to the queue."""
        self._stopping.set()
        with self._slots:
            running = list(self._running.values())
            self._slots.notify_all()
        for entry in running:
            entry.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def running_jobs(self) -> list[JobRecord]:
        """The jobs this worker runs right now."""
        with self._slots:
            return [entry.job for entry in self._running.values()]

    def run_forever(self) -> None:
        """Register, then claim jobs while a slot is free and run each on its own thread, until stopped."""
        self.repository.register_service(self.engine_id, socket.gethostname())
        heartbeat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heartbeat.start()
        limit = max(1, self.config.max_concurrent_jobs)
        try:
            while not self.stopping:
                with self._slots:
                    while len(self._running) >= limit and not self.stopping:
                        self._slots.wait(self.config.idle_poll_seconds)
                if self.stopping:
                    break
                job = self.queue.claim(self.engine_id, self.config.lease_seconds)
                if job is None:
                    self._wait_for_work()
                    continue
                entry = RunningJob(job)
                entry.thread = threading.Thread(
                    target=self._run_entry, args=(entry,), name=f"job-{job.id}", daemon=True
                )
                with self._slots:
                    self._running[job.id] = entry
                entry.thread.start()
        finally:
            self._finish_running()
            self.repository.stop_service(self.engine_id)

    def _finish_running(self) -> None:
        with self._slots:
            running = list(self._running.values())
        for entry in running:
            entry.cancel()
        for entry in running:
            if entry.thread is not None:
                entry.thread.join()

    def _run_entry(self, entry: RunningJob) -> None:
        try:
            self._run_claimed(entry)
        except Exception:
            LOG.exception("job %s ended with an error", entry.job.id)
        finally:
            with self._slots:
                self._running.pop(entry.job.id, None)
                self._slots.notify_all()

    def _wait_for_work(self) -> None:
        self.queue.wait_for_work(self.config.idle_poll_seconds)

    def _heartbeat(self) -> None:
        while not self._stopping.wait(self.config.heartbeat_seconds):
            try:
                self.repository.heartbeat(self.engine_id)
            except Exception:  # the database may be briefly away; try again next beat
                LOG.exception("heartbeat failed")

    # --- one job --------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim one job and run it to its end in this thread; ``False`` when there was none."""
        job = self.queue.claim(self.engine_id, self.config.lease_seconds)
        if job is None:
            return False
        entry = RunningJob(job)
        with self._slots:
            self._running[job.id] = entry
        try:
            self._run_claimed(entry)
        finally:
            with self._slots:
                self._running.pop(job.id, None)
                self._slots.notify_all()
        return True

    def _run_claimed(self, entry: RunningJob) -> None:
        job = entry.job
        LOG.info(
            "engine %s runs job %s (%s of stack %s)", self.engine_id, job.id, job.operation, job.stack_id
        )
        try:
            with collector.long_lived_frozen():
                outcome = asyncio.run(self._run_job(entry))
        except asyncio.CancelledError:
            if entry.interruption == CANCEL_REQUESTED:
                self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error="Operation cancelled")
            elif entry.interruption == LEASE_LOST:
                LOG.warning("job %s was taken over by another engine", job.id)
            else:
                self.queue.release(job.id, self.engine_id)
            return
        except Exception as error:
            LOG.exception("job %s failed", job.id)
            self._fail_stack(job, error)
            self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error=str(error))
            return
        with self._slots:
            self.jobs_run += 1
        if outcome.status == FAILED:
            self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error=outcome.reason)
        else:
            self.queue.finish(job.id, self.engine_id, JobStatus.DONE)

    def _fail_stack(self, job: JobRecord, error: BaseException) -> None:
        action = DELETE if job.operation == DELETE_OPERATION else CREATE
        if job.operation in update_jobs.OPERATIONS:
            action = update_jobs.failed_action(job.operation)
        if job.operation in portability_jobs.OPERATIONS:
            portability_jobs.job_failed(self.repository, job, error)
            return
        try:
            self.repository.update_stack_status(job.stack_id, action, FAILED, str(error))
        except CalorError:
            LOG.exception("could not mark stack %s failed", job.stack_id)

    async def _run_job(self, entry: RunningJob) -> Outcome:
        job = entry.job
        hooks = ThreadPoolExecutor(self.config.thread_pool_size, thread_name_prefix="hook")
        database = ThreadPoolExecutor(1, thread_name_prefix="database")
        try:
            operation_task = asyncio.ensure_future(self._operate(job, hooks, database))
            entry.task = operation_task
            entry.loop = asyncio.get_running_loop()
            if self.stopping:
                operation_task.cancel()
            renewal = asyncio.ensure_future(self._renew(entry, operation_task))
            try:
                return await operation_task
            finally:
                renewal.cancel()
                await asyncio.gather(renewal, return_exceptions=True)
                if entry.interruption == CANCEL_REQUESTED:
                    await self._drain(entry, hooks)
        finally:
            entry.task = None
            entry.loop = None
            hooks.shutdown(wait=False, cancel_futures=True)
            database.shutdown(wait=True)
            # The next operation loads the stack afresh; keep no per-row memory between jobs.
            self.store.forget(job.stack_id)

    async def _drain(self, entry: RunningJob, hooks: ThreadPoolExecutor) -> None:
        """Wait for the hooks still running when a delete cancelled the operation, keeping the lease.

        A plugin hook cannot be interrupted: a ``handle_create`` whose cloud request is on its
        way makes its object after the cancel. The delete that follows must find that object
        (by the create's start marker), so the cancelled job ends only once its hooks did.
        """
        job = entry.job
        loop = asyncio.get_running_loop()
        drained = loop.run_in_executor(None, lambda: hooks.shutdown(wait=True, cancel_futures=True))
        renew_every = max(self.config.lease_seconds / 3, 0.05)
        while not drained.done():
            await asyncio.wait({drained}, timeout=renew_every)
            if drained.done():
                break
            held = await loop.run_in_executor(
                None, self.queue.renew, job.id, self.engine_id, self.config.lease_seconds
            )
            if not held:
                LOG.warning("job %s: lease lost while its cancelled hooks finish", job.id)
                return

    async def _renew(self, entry: RunningJob, operation: asyncio.Task[Outcome]) -> None:
        """Renew the lease every third of it; cancel the operation if it is lost or cancelled."""
        job = entry.job
        loop = asyncio.get_running_loop()
        renew_every = max(self.config.lease_seconds / 3, 0.05)
        check_every = min(self.config.cancel_check_seconds, renew_every)
        since_renewal = 0.0
        while True:
            await asyncio.sleep(check_every)
            since_renewal += check_every
            if since_renewal >= renew_every:
                since_renewal = 0.0
                held = await loop.run_in_executor(
                    None, self.queue.renew, job.id, self.engine_id, self.config.lease_seconds
                )
                if not held:
                    entry.interruption = LEASE_LOST
                    operation.cancel()
                    return
            if await loop.run_in_executor(None, self.queue.is_cancel_requested, job.id):
                entry.interruption = CANCEL_REQUESTED
                operation.cancel()
                return

    async def _operate(
        self, job: JobRecord, hooks: ThreadPoolExecutor, database: ThreadPoolExecutor
    ) -> Outcome:
        loop = asyncio.get_running_loop()
        stack = await loop.run_in_executor(
            database, lambda: self.repository.get_stack(job.stack_id, show_deleted=True)
        )
        if stack is not None and stack.current_traversal == str(job.id) and stack.status != IN_PROGRESS:
            # The operation ended (its final state names this job) but the job was given back
            # or its engine died before marking it done: finish it, never run it twice.
            LOG.info("job %s already ended the stack %s as %s", job.id, stack.id, stack.stack_status)
            outcome = Outcome(stack.action, stack.status, stack.status_reason)
            if job.operation == DELETE_OPERATION and outcome.status != FAILED:
                await self._after_delete(stack, hooks)
            return outcome
        if stack is None or stack.deleted_at is not None:
            raise UserError(f"The Stack ({job.stack_id}) could not be found.")
        timeout_minutes = stack.timeout_minutes or self.config.default_stack_timeout_minutes
        run = StackRun(
            stack_id=stack.id,
            stack_name=stack.name,
            store=self.store,
            config=self.config,
            hook_executor=hooks,
            database_executor=database,
            timeout_seconds=timeout_minutes * 60 if job.operation == CREATE_OPERATION else None,
            traversal=str(job.id),
        )
        clouds = await self._stack_clouds(stack, database)
        operation = StackOperation(run, self.plugin_types, project_id=stack.project_id, cloud_factory=clouds)
        resuming = job.attempts > 1
        parts = await self._parts(job, stack.raw_template_id, database)
        if job.operation == CREATE_OPERATION:
            if stack.state == (ROLLBACK, IN_PROGRESS):  # stopped while rolling back: never create again
                return await operation.resume_create_rollback(parts)
            if parts is None:
                raise UserError("The stack's template could not be read.")
            return await operation.create(parts, disable_rollback=stack.disable_rollback, resuming=resuming)
        if job.operation == DELETE_OPERATION:
            # DELETE_COMPLETE soft-deletes the stack in the same transaction (RepositoryStore).
            return await operation.delete(
                parts, resuming=resuming, before_complete=lambda: self._after_delete(stack, hooks)
            )
        if job.operation in update_jobs.OPERATIONS:
            return await update_jobs.run_update_job(
                job,
                stack,
                run,
                repository=self.repository,
                plugin_types=self.plugin_types,
                cloud_factory=clouds,
                database=database,
                default_timeout_minutes=self.config.default_stack_timeout_minutes,
            )
        if job.operation in portability_jobs.OPERATIONS:
            return await portability_jobs.run_job(
                job,
                stack,
                run,
                parts,
                repository=self.repository,
                plugin_types=self.plugin_types,
                cloud_factory=clouds,
                resuming=resuming,
                before_abandoned=lambda: self._release_credentials(stack),
            )
        raise UserError(f"The operation {job.operation} is not supported yet.")

    async def _stack_clouds(
        self, stack: StackRecord, database: ThreadPoolExecutor
    ) -> Callable[[], Any] | None:
        """The stack's clouds: ``connections`` acting for its owner (the root stack's trust or
        stored password) or, without stored credentials, as the service user in its project;
        else the fixed ``cloud_factory``."""
        if self.connections is None:
            return self.cloud_factory
        loop = asyncio.get_running_loop()
        delegation = await loop.run_in_executor(database, self.owner_credentials.delegation, stack)
        return CloudAccess.of_project(self.connections, stack.project_id, delegation=delegation)

    async def _after_delete(self, stack: StackRecord, hooks: ThreadPoolExecutor) -> None:
        """A deleted stack's stack domain project and stored credentials go too (both idempotent)."""
        await asyncio.get_running_loop().run_in_executor(
            hooks, stack_users.delete_stack_user_project, self.repository, stack.id
        )
        await self._release_credentials(stack)

    async def _release_credentials(self, stack: StackRecord) -> None:
        """The stack is gone: its trust (best effort) and its stored credentials go too."""
        if stack.user_credentials_id is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.owner_credentials.release, stack)

    async def _parts(
        self, job: JobRecord, raw_template_id: int | None, database: ThreadPoolExecutor
    ) -> StackDefinitionParts | None:
        if raw_template_id is None:
            return None
        loop = asyncio.get_running_loop()
        raw = await loop.run_in_executor(database, self.repository.get_raw_template, raw_template_id)
        stack = await loop.run_in_executor(database, lambda: self.repository.get_stack(job.stack_id))
        if raw is None or stack is None:
            return None
        try:
            parts = load_parts(stack, raw, self.plugin_types)
        except UserError:
            if job.operation == DELETE_OPERATION:
                return None  # delete works from the stored resources alone
            raise
        environment = environment_from(raw.environment)
        if environment is not None:
            parts.hooks = environment.registry.hooks_for
        return parts
