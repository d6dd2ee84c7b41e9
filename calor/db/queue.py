"""The durable work queue: stack operations waiting for an engine.

The API writes a job in the same transaction as the stack change (``enqueue`` takes the
caller's session), so an accepted operation is never lost. Engines ``claim`` jobs under a
lease they ``renew`` while working; a job whose lease expired (its engine died) is
claimable again, and ``attempts`` counts the claims. A stack runs one job at a time: its
next job waits until every earlier one is finished. PostgreSQL and MySQL/MariaDB claim
with ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite's ``BEGIN IMMEDIATE`` serialises
claims. ``wait_for_work`` listens for ``NOTIFY`` on PostgreSQL and polls elsewhere.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, and_, event, exists, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from calor.db.engine import read_session, write_session
from calor.db.records import JobRecord, JobStatus
from calor.db.tables import Job
from calor.db.types import utc_now

NOTIFY_CHANNEL = "calor_jobs"
ACTIVE_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def job_record(row: Job) -> JobRecord:
    return JobRecord(
        id=row.id,
        stack_id=row.stack_id,
        operation=row.operation,
        payload=row.payload or {},
        status=row.status,
        engine_id=row.engine_id,
        lease_expires_at=row.lease_expires_at,
        attempts=row.attempts,
        cancel_requested=row.cancel_requested,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class JobQueue:
    """Jobs in the database of ``engine``. Thread safe; one instance per process is enough.

    ``channel`` names the PostgreSQL ``NOTIFY`` channel; every queue on one database
    should use the same (the default), except to isolate tests sharing a server.
    """

    def __init__(self, engine: Engine, *, poll_interval: float = 0.5, channel: str = NOTIFY_CHANNEL) -> None:
        if not channel.isidentifier():
            raise ValueError(f"a notification channel is a plain identifier, not {channel!r}")
        self._engine = engine
        self._channel = channel
        self._poll_interval = poll_interval
        self._local_work = threading.Condition()
        self._local_generation = 0
        self._seen_generation = 0
        self._listener: Any = None
        self._listener_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    # -- producing ---------------------------------------------------------------------

    def enqueue(
        self, session: Session, stack_id: str, operation: str, payload: Mapping[str, Any] | None = None
    ) -> JobRecord:
        """Add a queued job inside ``session``'s transaction; it becomes visible at commit.

        On PostgreSQL a ``NOTIFY`` is sent in the same transaction, so listeners wake on commit.
        """
        now = utc_now()
        row = Job(
            stack_id=stack_id,
            operation=operation,
            payload=dict(payload or {}),
            status=JobStatus.QUEUED.value,
            attempts=0,
            cancel_requested=False,
            created_at=now,
        )
        session.add(row)
        session.flush()
        _notify(session, self._channel, row.id)
        event.listen(session, "after_commit", self._wake_local, once=True)
        return job_record(row)

    def submit(self, stack_id: str, operation: str, payload: Mapping[str, Any] | None = None) -> JobRecord:
        """``enqueue`` in a transaction of its own."""
        with write_session(self._engine) as session:
            return self.enqueue(session, stack_id, operation, payload)

    def _wake_local(self, _session: object = None) -> None:
        with self._local_work:
            self._local_generation += 1
            self._local_work.notify_all()

    # -- consuming ---------------------------------------------------------------------

    def _claimable(self, now: datetime.datetime) -> ColumnElement[bool]:
        earlier = aliased(Job)
        blocked = exists().where(
            earlier.stack_id == Job.stack_id,
            earlier.id < Job.id,
            earlier.status.in_(ACTIVE_STATUSES),
        )
        ready = or_(
            Job.status == JobStatus.QUEUED.value,
            and_(Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now),
        )
        return and_(ready, ~blocked)

    def claim(self, engine_id: str, lease_seconds: float) -> JobRecord | None:
        """Take the oldest claimable job for ``engine_id`` under a lease, or ``None``.

        Claimable: queued, or running with an expired lease (a dead engine's), and no earlier
        unfinished job for the same stack. ``attempts`` grows by one on every claim.
        """
        now = utc_now()
        with write_session(self._engine) as session:
            query = select(Job).where(self._claimable(now)).order_by(Job.id).limit(1)
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                query = query.with_for_update(skip_locked=True, of=Job)
            elif dialect == "mysql":
                query = query.with_for_update(skip_locked=True)
            row = session.scalars(query).first()
            if row is None:
                return None
            row.status = JobStatus.RUNNING.value
            row.engine_id = engine_id
            row.lease_expires_at = now + datetime.timedelta(seconds=lease_seconds)
            row.attempts = row.attempts + 1
            row.updated_at = now
            session.flush()
            return job_record(row)

    def renew(self, job_id: int, engine_id: str, lease_seconds: float) -> bool:
        """Extend the lease; ``False`` when ``engine_id`` no longer holds the job (stop working)."""
        now = utc_now()
        with write_session(self._engine) as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.engine_id == engine_id, Job.status == JobStatus.RUNNING.value)
                .values(lease_expires_at=now + datetime.timedelta(seconds=lease_seconds), updated_at=now)
            )
            return _rowcount(result) == 1

    def finish(
        self, job_id: int, engine_id: str, status: str = JobStatus.DONE, error: str | None = None
    ) -> bool:
        """Mark the job ``done`` or ``failed``; ``False`` when ``engine_id`` had lost it."""
        if status not in (JobStatus.DONE, JobStatus.FAILED):
            raise ValueError(f"a job finishes as done or failed, not {status!r}")
        now = utc_now()
        with write_session(self._engine) as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.engine_id == engine_id, Job.status == JobStatus.RUNNING.value)
                .values(status=str(status), error=error, lease_expires_at=None, updated_at=now)
            )
            finished = _rowcount(result) == 1
            if finished:
                _notify(session, self._channel, job_id)
        if finished:
            # The stack's next job may be claimable now.
            self._wake_local()
        return finished

    def release(self, job_id: int, engine_id: str) -> bool:
        """Give a running job back to the queue (an engine shutting down cleanly)."""
        now = utc_now()
        with write_session(self._engine) as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.engine_id == engine_id, Job.status == JobStatus.RUNNING.value)
                .values(status=JobStatus.QUEUED.value, engine_id=None, lease_expires_at=None, updated_at=now)
            )
            released = _rowcount(result) == 1
            if released:
                _notify(session, self._channel, job_id)
        if released:
            self._wake_local()
        return released

    # -- cancelling --------------------------------------------------------------------

    def request_cancel(self, stack_id: str, session: Session | None = None) -> int:
        """Flag the stack's queued and running jobs as cancelled; returns how many were flagged.

        Pass ``session`` to flag inside the caller's transaction (before enqueueing a new job).
        """
        statement = (
            update(Job)
            .where(Job.stack_id == stack_id, Job.status.in_(ACTIVE_STATUSES))
            .values(cancel_requested=True, updated_at=utc_now())
        )
        if session is not None:
            return _rowcount(session.execute(statement))
        with write_session(self._engine) as own_session:
            return _rowcount(own_session.execute(statement))

    def is_cancel_requested(self, job_id: int) -> bool:
        """Whether someone asked to cancel the job (the engine checks between steps)."""
        with read_session(self._engine) as session:
            flag = session.scalar(select(Job.cancel_requested).where(Job.id == job_id))
            return bool(flag)

    # -- reading -----------------------------------------------------------------------

    def get(self, job_id: int) -> JobRecord | None:
        with read_session(self._engine) as session:
            row = session.get(Job, job_id)
            return job_record(row) if row is not None else None

    def list_jobs(self, *, stack_id: str | None = None, status: str | None = None) -> list[JobRecord]:
        """Jobs oldest first, optionally of one stack and/or in one status."""
        query = select(Job).order_by(Job.id)
        if stack_id is not None:
            query = query.where(Job.stack_id == stack_id)
        if status is not None:
            query = query.where(Job.status == str(status))
        with read_session(self._engine) as session:
            return [job_record(row) for row in session.scalars(query)]

    def has_claimable_work(self) -> bool:
        with read_session(self._engine) as session:
            count = session.scalar(select(func.count()).select_from(Job).where(self._claimable(utc_now())))
            return bool(count)

    # -- waiting -----------------------------------------------------------------------

    def wait_for_work(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until a job may be claimable; ``True`` if one is.

        Wakes at once on a job enqueued by this process, on PostgreSQL on any ``NOTIFY``,
        else by polling every ``poll_interval`` seconds. Spurious ``True`` is possible:
        ``claim`` may still return ``None``.
        """
        deadline = time.monotonic() + timeout
        listener = self._postgresql_listener()
        with self._local_work:
            if self._local_generation != self._seen_generation:
                self._seen_generation = self._local_generation
                return True
        if self.has_claimable_work():
            return True
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            step = min(remaining, self._poll_interval)
            if listener is not None:
                if self._wait_for_notification(listener, step):
                    return True
            else:
                with self._local_work:
                    if self._local_generation == self._seen_generation:
                        self._local_work.wait(step)
                    if self._local_generation != self._seen_generation:
                        self._seen_generation = self._local_generation
                        return True
            if self.has_claimable_work():
                return True

    def _postgresql_listener(self) -> Any:
        if self._engine.dialect.name != "postgresql":
            return None
        with self._listener_lock:
            if self._listener is None or self._listener.closed:
                import psycopg

                url = self._engine.url
                arguments: dict[str, Any] = dict(url.query)
                arguments.update(url.translate_connect_args(username="user", database="dbname"))
                self._listener = psycopg.connect(autocommit=True, **arguments)
                self._listener.execute(f"LISTEN {self._channel}")
            return self._listener

    def _wait_for_notification(self, listener: Any, timeout: float) -> bool:
        try:
            with self._listener_lock:
                # Each notifies() generator holds the connection's lock until it is exhausted:
                # run it to its end (stop_after ends it) before starting another, never nest.
                received = list(listener.notifies(timeout=timeout, stop_after=1))
                if received:
                    # Drain (a bounded number of) what else arrived: one wake-up covers them all.
                    list(listener.notifies(timeout=0, stop_after=100))
                return bool(received)
        except Exception:
            # A broken listening connection: reconnect on the next wait, poll meanwhile.
            self.close()
            time.sleep(min(timeout, self._poll_interval))
        return False

    def close(self) -> None:
        """Close the PostgreSQL listening connection, if any."""
        with self._listener_lock:
            if self._listener is not None:
                try:
                    self._listener.close()
                finally:
                    self._listener = None


def _notify(session: Session, channel: str, job_id: int) -> None:
    """On PostgreSQL, wake listening engines when the transaction commits (a job may be claimable)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :job)"), {"channel": channel, "job": str(job_id)})


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
