"""The durable work queue: claims, leases, one job per stack, cancel, waking up."""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import Engine, update

from calor.db.engine import make_engine, write_session
from calor.db.queue import JobQueue
from calor.db.records import JobStatus
from calor.db.tables import Job
from calor.db.types import utc_now


def private_channel() -> str:
    """A NOTIFY channel of this test alone: other processes on the server notify on the default."""
    return f"calor_test_{uuid.uuid4().hex}"


@pytest.fixture
def queue(database: Engine) -> JobQueue:
    job_queue = JobQueue(database, poll_interval=0.05, channel=private_channel())
    yield job_queue  # type: ignore[misc]
    job_queue.close()


def expire_lease(engine: Engine, job_id: int) -> None:
    with write_session(engine) as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_expires_at=utc_now().replace(year=2000))
        )


def test_claim_takes_the_oldest_job_and_counts_attempts(queue: JobQueue) -> None:
    assert queue.claim("engine-a", 30) is None
    first = queue.submit("stack-1", "create", {"n": 1})
    second = queue.submit("stack-2", "create")
    claimed = queue.claim("engine-a", 30)
    assert claimed is not None and claimed.id == first.id
    assert claimed.status == JobStatus.RUNNING and claimed.engine_id == "engine-a" and claimed.attempts == 1
    assert claimed.payload == {"n": 1}
    assert claimed.lease_expires_at is not None and claimed.lease_expires_at > utc_now()
    other = queue.claim("engine-b", 30)
    assert other is not None and other.id == second.id
    assert queue.claim("engine-b", 30) is None


def test_one_job_per_stack_at_a_time(queue: JobQueue) -> None:
    create = queue.submit("stack-1", "create")
    delete = queue.submit("stack-1", "delete")
    other = queue.submit("stack-2", "create")
    assert (claimed := queue.claim("engine-a", 30)) is not None and claimed.id == create.id
    # The delete waits for the create; another stack's job goes ahead.
    assert (claimed := queue.claim("engine-b", 30)) is not None and claimed.id == other.id
    assert queue.claim("engine-b", 30) is None
    assert queue.finish(create.id, "engine-a", JobStatus.FAILED, error="boom")
    assert (claimed := queue.claim("engine-b", 30)) is not None and claimed.id == delete.id
    finished = queue.get(create.id)
    assert finished is not None and finished.status == "failed" and finished.error == "boom"


def test_renew_finish_and_lost_leases(queue: JobQueue, database: Engine) -> None:
    job = queue.submit("stack-1", "create")
    claimed = queue.claim("engine-a", 30)
    assert claimed is not None
    assert queue.renew(job.id, "engine-a", 60)
    assert not queue.renew(job.id, "engine-b", 60)

    expire_lease(database, job.id)
    reclaimed = queue.claim("engine-b", 30)
    assert reclaimed is not None and reclaimed.id == job.id
    assert reclaimed.engine_id == "engine-b" and reclaimed.attempts == 2
    # The first engine lost the job: it can neither renew nor finish it.
    assert not queue.renew(job.id, "engine-a", 30)
    assert not queue.finish(job.id, "engine-a", JobStatus.DONE)
    assert queue.finish(job.id, "engine-b", JobStatus.DONE)
    assert not queue.finish(job.id, "engine-b", JobStatus.DONE)
    done = queue.get(job.id)
    assert done is not None and done.status == "done" and done.lease_expires_at is None
    with pytest.raises(ValueError):
        queue.finish(job.id, "engine-b", "running")


def test_release_gives_the_job_back(queue: JobQueue) -> None:
    job = queue.submit("stack-1", "create")
    assert queue.claim("engine-a", 30) is not None
    assert queue.release(job.id, "engine-a")
    again = queue.claim("engine-b", 30)
    assert again is not None and again.id == job.id and again.attempts == 2


def test_cancel_flags_active_jobs_only(queue: JobQueue) -> None:
    running = queue.submit("stack-1", "create")
    queue.claim("engine-a", 30)
    done = queue.submit("stack-2", "create")
    claimed = queue.claim("engine-a", 30)
    assert claimed is not None and claimed.id == done.id
    queue.finish(done.id, "engine-a")
    assert queue.request_cancel("stack-1") == 1
    assert queue.request_cancel("stack-2") == 0
    assert queue.is_cancel_requested(running.id)
    assert not queue.is_cancel_requested(done.id)
    assert not queue.is_cancel_requested(12345)


def test_wait_for_work_wakes_on_enqueue(queue: JobQueue) -> None:
    assert not queue.wait_for_work(0.1)
    woken = threading.Event()

    def waiter() -> None:
        if queue.wait_for_work(10):
            woken.set()

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    time.sleep(0.1)
    queue.submit("stack-1", "create")
    thread.join(10)
    assert woken.is_set()
    assert queue.wait_for_work(0.1)  # the job is still there to claim


def test_wait_for_work_sees_jobs_of_other_processes(database: Engine) -> None:
    channel = private_channel()
    consumer = JobQueue(database, poll_interval=0.05, channel=channel)
    producer = JobQueue(database, channel=channel)
    try:
        consumer.wait_for_work(0)  # opens the listener on PostgreSQL
        result: list[bool] = []
        thread = threading.Thread(target=lambda: result.append(consumer.wait_for_work(10)), daemon=True)
        thread.start()
        time.sleep(0.1)
        producer.submit("stack-1", "create")
        thread.join(10)
        assert result == [True]
    finally:
        consumer.close()
        producer.close()


def claim_everything(engine: Engine, engine_id: str, claimed: list[int], errors: list[BaseException]) -> None:
    queue = JobQueue(engine)
    try:
        while (job := queue.claim(engine_id, 60)) is not None:
            claimed.append(job.id)
            queue.finish(job.id, engine_id)
    except BaseException as error:
        errors.append(error)


def test_concurrent_threads_never_claim_a_job_twice(database: Engine) -> None:
    queue = JobQueue(database)
    jobs = [queue.submit(f"stack-{index % 40}", "create").id for index in range(200)]
    claimed: list[int] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=claim_everything, args=(database, f"engine-{index}", claimed, errors))
        for index in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(claimed) == sorted(jobs)
    assert Counter(claimed).most_common(1)[0][1] == 1


def _process_claimer(url: str, engine_id: str, results: multiprocessing.Queue[list[int]]) -> None:
    engine = make_engine(url)
    claimed: list[int] = []
    errors: list[BaseException] = []
    claim_everything(engine, engine_id, claimed, errors)
    engine.dispose()
    results.put(claimed if not errors else [-1])


@pytest.mark.postgresql
def test_concurrent_processes_never_claim_a_job_twice(postgresql_schema_url: str) -> None:
    engine = make_engine(postgresql_schema_url)
    from calor.db.engine import upgrade

    upgrade(engine)
    queue = JobQueue(engine)
    jobs = [queue.submit(f"stack-{index}", "create").id for index in range(150)]
    queue.close()
    engine.dispose()  # the children open their own connections
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[list[int]] = context.Queue()
    processes = [
        context.Process(target=_process_claimer, args=(postgresql_schema_url, f"engine-{index}", results))
        for index in range(4)
    ]
    for process in processes:
        process.start()
    claimed = [job_id for _ in processes for job_id in results.get(timeout=60)]
    for process in processes:
        process.join(30)
    assert -1 not in claimed
    assert sorted(claimed) == sorted(jobs)


@pytest.mark.mysql
def test_concurrent_claims_on_mariadb(mysql_url: str) -> None:
    from calor.db.engine import upgrade

    engine = make_engine(mysql_url)
    upgrade(engine)
    queue = JobQueue(engine)
    jobs = [queue.submit(f"stack-{index % 10}", "create").id for index in range(60)]
    claimed: list[int] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=claim_everything, args=(engine, f"engine-{index}", claimed, errors))
        for index in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()
    assert errors == []
    assert sorted(claimed) == sorted(jobs)


@pytest.mark.postgresql
def test_postgresql_notify_wakes_other_queues_without_polling(postgresql_engine: Engine) -> None:
    channel = private_channel()
    producer = JobQueue(postgresql_engine, channel=channel)
    consumer = JobQueue(
        postgresql_engine, poll_interval=60, channel=channel
    )  # polling alone would not wake it in time
    try:
        running = producer.submit("stack-1", "create")
        producer.submit("stack-1", "delete")
        assert producer.claim("engine-a", 30) is not None
        consumer.wait_for_work(0)  # opens the LISTEN connection

        def wait() -> None:
            results.append(consumer.wait_for_work(5))

        for wake_up in (
            lambda: producer.submit("stack-2", "create"),
            lambda: producer.finish(running.id, "engine-a"),
        ):
            claimed = consumer.claim("engine-b", 30)  # empties the queue of claimable work
            assert claimed is None or claimed.stack_id == "stack-2"
            results: list[bool] = []
            thread = threading.Thread(target=wait, daemon=True)
            thread.start()
            time.sleep(0.1)
            wake_up()
            thread.join(10)
            assert results == [True]
    finally:
        producer.close()
        consumer.close()


@pytest.mark.postgresql
def test_postgresql_waits_keep_waking_after_bursts_of_notifications(postgresql_engine: Engine) -> None:
    """Each wait runs psycopg's notifies() generator to its end: no lock is left held between waits."""
    channel = private_channel()
    producer = JobQueue(postgresql_engine, channel=channel)
    consumer = JobQueue(postgresql_engine, poll_interval=60, channel=channel)
    try:
        consumer.wait_for_work(0)  # opens the LISTEN connection
        for round_number in range(5):
            jobs = [producer.submit(f"stack-{round_number}-{index}", "create") for index in range(3)]
            started = time.monotonic()
            assert consumer._wait_for_notification(consumer._postgresql_listener(), 5)
            assert time.monotonic() - started < 2
            for _job in jobs:
                claimed = producer.claim("engine-a", 30)
                assert claimed is not None
                producer.finish(claimed.id, "engine-a")
            # What arrived meanwhile was drained or is still pending: either way a wait returns.
            consumer._wait_for_notification(consumer._postgresql_listener(), 0.05)
        closer = threading.Thread(target=consumer.close, daemon=True)
        closer.start()
        closer.join(5)
        assert not closer.is_alive()
    finally:
        producer.close()
        consumer.close()
