"""The worker: claims stack operations from the work queue and runs them, renewing the lease.

An engine process runs one :class:`Worker` (``heat-all`` runs one in a thread). The
worker registers itself as a service and heartbeats; for each claimed job it runs the
operation on a fresh event loop while a task renews the lease. If the lease is lost
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
from typing import Any

from calor.db.queue import JobQueue
from calor.db.records import JobRecord, JobStatus
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.loading import load_parts
from calor.engine.repository_store import RepositoryStore
from calor.engine.resource_runner import PluginTypes
from calor.engine.run import StackRun
from calor.engine.stack_operations import Outcome, StackDefinitionParts, StackOperation
from calor.engine.store import CREATE, DELETE, FAILED
from calor.errors import CalorError, UserError

LOG = logging.getLogger(__name__)

CREATE_OPERATION = "create"
DELETE_OPERATION = "delete"


LEASE_LOST = "lease lost"
CANCEL_REQUESTED = "cancel requested"


class Worker:
    """Claims jobs for ``engine_id`` and runs them until :meth:`stop`."""

    def __init__(
        self,
        repository: Repository,
        queue: JobQueue,
        engine_id: str | None = None,
        *,
        plugin_types: PluginTypes,
        config: EngineConfig | None = None,
        cloud_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.repository = repository
        self.queue = queue
        self.engine_id = engine_id or str(uuid.uuid4())
        self.plugin_types = plugin_types
        self.config = config or EngineConfig()
        self.cloud_factory = cloud_factory
        self.store = RepositoryStore(repository)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._current: asyncio.Task[Outcome] | None = None
        self._interruption: str | None = None
        self.jobs_run = 0

    # --- life -----------------------------------------------------------------------------

    def start(self) -> threading.Thread:
        """Run :meth:`run_forever` in a daemon thread (``heat-all``)."""
        self._thread = threading.Thread(target=self.run_forever, name=f"worker-{self.engine_id}", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop claiming; a running operation is cancelled and its job given back to the queue."""
        self._stopping.set()
        loop, task = self._loop, self._current
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
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

    def run_forever(self) -> None:
        """Register, then claim and run jobs until stopped."""
        self.repository.register_service(self.engine_id, socket.gethostname())
        heartbeat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heartbeat.start()
        try:
            while not self.stopping:
                if not self.run_once():
                    self._wait_for_work()
        finally:
            self.repository.stop_service(self.engine_id)

    def _wait_for_work(self) -> None:
        if self.queue.engine.dialect.name == "postgresql":
            # Workaround: JobQueue.wait_for_work nests psycopg's notifies() generators, which
            # deadlock on the connection lock once a NOTIFY arrives. Poll instead until fixed.
            self._stopping.wait(self.config.idle_poll_seconds)
            return
        self.queue.wait_for_work(self.config.idle_poll_seconds)

    def _heartbeat(self) -> None:
        while not self._stopping.wait(self.config.heartbeat_seconds):
            try:
                self.repository.heartbeat(self.engine_id)
            except Exception:  # the database may be briefly away; try again next beat
                LOG.exception("heartbeat failed")

    # --- one job --------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim one job and run it to its end; ``False`` when there was none."""
        job = self.queue.claim(self.engine_id, self.config.lease_seconds)
        if job is None:
            return False
        LOG.info(
            "engine %s runs job %s (%s of stack %s)", self.engine_id, job.id, job.operation, job.stack_id
        )
        self._interruption = None
        try:
            outcome = asyncio.run(self._run_job(job))
        except asyncio.CancelledError:
            if self._interruption == CANCEL_REQUESTED:
                self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error="Operation cancelled")
            elif self._interruption == LEASE_LOST:
                LOG.warning("job %s was taken over by another engine", job.id)
            else:
                self.queue.release(job.id, self.engine_id)
            return True
        except Exception as error:
            LOG.exception("job %s failed", job.id)
            self._fail_stack(job, error)
            self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error=str(error))
            return True
        self.jobs_run += 1
        if outcome.status == FAILED:
            self.queue.finish(job.id, self.engine_id, JobStatus.FAILED, error=outcome.reason)
        else:
            self.queue.finish(job.id, self.engine_id, JobStatus.DONE)
        return True

    def _fail_stack(self, job: JobRecord, error: BaseException) -> None:
        action = DELETE if job.operation == DELETE_OPERATION else CREATE
        try:
            self.repository.update_stack_status(job.stack_id, action, FAILED, str(error))
        except CalorError:
            LOG.exception("could not mark stack %s failed", job.stack_id)

    async def _run_job(self, job: JobRecord) -> Outcome:
        self._loop = asyncio.get_running_loop()
        hooks = ThreadPoolExecutor(self.config.thread_pool_size, thread_name_prefix="hook")
        database = ThreadPoolExecutor(1, thread_name_prefix="database")
        try:
            operation_task = asyncio.ensure_future(self._operate(job, hooks, database))
            self._current = operation_task
            if self.stopping:
                operation_task.cancel()
            renewal = asyncio.ensure_future(self._renew(job, operation_task))
            try:
                return await operation_task
            finally:
                renewal.cancel()
                await asyncio.gather(renewal, return_exceptions=True)
        finally:
            self._current = None
            self._loop = None
            hooks.shutdown(wait=False, cancel_futures=True)
            database.shutdown(wait=True)

    async def _renew(self, job: JobRecord, operation: asyncio.Task[Outcome]) -> None:
        """Renew the lease every third of it; cancel the operation if it is lost or cancelled."""
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
                    self._interruption = LEASE_LOST
                    operation.cancel()
                    return
            if await loop.run_in_executor(None, self.queue.is_cancel_requested, job.id):
                self._interruption = CANCEL_REQUESTED
                operation.cancel()
                return

    async def _operate(
        self, job: JobRecord, hooks: ThreadPoolExecutor, database: ThreadPoolExecutor
    ) -> Outcome:
        loop = asyncio.get_running_loop()
        stack = await loop.run_in_executor(database, lambda: self.repository.get_stack(job.stack_id))
        if stack is None:
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
        )
        operation = StackOperation(
            run, self.plugin_types, project_id=stack.project_id, cloud_factory=self.cloud_factory
        )
        resuming = job.attempts > 1
        parts = await self._parts(job, stack.raw_template_id, database)
        if job.operation == CREATE_OPERATION:
            if parts is None:
                raise UserError("The stack's template could not be read.")
            return await operation.create(parts, disable_rollback=stack.disable_rollback, resuming=resuming)
        if job.operation == DELETE_OPERATION:
            outcome = await operation.delete(parts, resuming=resuming)
            if outcome.status != FAILED:
                await loop.run_in_executor(database, self.repository.soft_delete_stack, stack.id)
            return outcome
        raise UserError(f"The operation {job.operation} is not supported yet.")

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
            return load_parts(stack, raw, self.plugin_types)
        except UserError:
            if job.operation == DELETE_OPERATION:
                return None  # delete works from the stored resources alone
            raise
