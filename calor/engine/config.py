"""Engine settings: parallelism, polling, timeouts and leases."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """How an engine runs stack operations.

    ``max_parallel`` bounds the resources doing work at once (a resource that waits
    between polls holds no slot); ``thread_pool_size`` bounds the threads running
    plugin hooks. Polling ``check_*_complete`` starts at ``poll_initial`` seconds and
    grows by ``poll_growth`` up to ``poll_max``. ``resource_timeout`` (seconds, ``None``
    for none) bounds one resource action; a stack's ``timeout_minutes`` bounds the whole operation and
    ``default_stack_timeout_minutes`` applies when the stack gives none.
    """

    max_parallel: int = 64
    # Stack operations one worker runs at once (each on its own event loop and thread).
    max_concurrent_jobs: int = 8
    thread_pool_size: int = 16
    poll_initial: float = 0.05
    poll_growth: float = 1.5
    poll_max: float = 2.0
    resource_timeout: float | None = None
    default_stack_timeout_minutes: int = 60
    lease_seconds: float = 30.0
    heartbeat_seconds: float = 10.0
    cancel_check_seconds: float = 1.0
    idle_poll_seconds: float = 1.0
    event_flush_seconds: float = 0.1
    # Heat lets resources already started finish for this long after a failure.
    error_wait_seconds: float = 240.0
