"""Walk a graph in parallel: each node starts once everything it requires has succeeded.

``visit(node, slot)`` does a node's work. ``slot`` is an async context manager
bounding how many nodes work at once; a visitor takes it only around real work, so a
node that sleeps between polls holds none. When a node fails, the nodes that require
it (directly or not) are skipped, never started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from calor.graph.dag import Graph

T = TypeVar("T", bound=Hashable)

Slot = AbstractAsyncContextManager[Any]
Visitor = Callable[[T, Slot], Awaitable[None]]


@dataclass
class WalkResult(Generic[T]):
    """What became of every node: succeeded (in completion order), failed with its error, or skipped."""

    succeeded: list[T] = field(default_factory=list)
    failed: dict[T, BaseException] = field(default_factory=dict)
    skipped: set[T] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped


async def walk(
    graph: Graph[T],
    visit: Visitor[T],
    *,
    max_parallel: int,
    stop_on_failure: bool = False,
    failure_grace: float | None = None,
    grace_of: Callable[[T], float | None] | None = None,
) -> WalkResult[T]:
    """Visit every node of ``graph`` after the nodes it requires, at most ``max_parallel`` working at once.

    With ``stop_on_failure`` no node starts after a first failure: nodes already
    started run to their end, or for at most ``failure_grace`` seconds after it (then
    they are cancelled and count as failed with :class:`asyncio.CancelledError`); the
    rest are skipped. ``grace_of(node)``, when given, is each running node's own grace
    instead (``None``: no limit). The graph must be acyclic
    (:meth:`Graph.check_acyclic` is called first). Cancelling the walk cancels every
    running visit and re-raises :class:`asyncio.CancelledError`.
    """
    if max_parallel < 1:
        raise ValueError("max_parallel must be at least 1")
    graph.check_acyclic()
    slot = asyncio.Semaphore(max_parallel)
    result: WalkResult[T] = WalkResult()
    waiting = {node: len(graph.requires(node)) for node in graph}
    running: dict[asyncio.Task[None], T] = {}
    stopped = False
    loop = asyncio.get_running_loop()
    # Once stopped: each running node's deadline (absent: it may run to its end).
    deadlines: dict[asyncio.Task[None], float] = {}

    def grace(node: T) -> float | None:
        return grace_of(node) if grace_of is not None else failure_grace

    def stop() -> None:
        now = loop.time()
        for task, node in running.items():
            allowed = grace(node)
            if allowed is not None:
                deadlines[task] = now + max(allowed, 0.0)

    finished: asyncio.Queue[asyncio.Task[None]] = asyncio.Queue()

    def start(node: T) -> None:
        task = asyncio.ensure_future(visit(node, slot))
        running[task] = node
        task.add_done_callback(finished.put_nowait)

    def skip_dependants(node: T) -> None:
        for dependant in graph.dependants(node):
            if dependant not in result.failed:
                result.skipped.add(dependant)
                waiting.pop(dependant, None)

    for node, count in list(waiting.items()):
        if count == 0:
            del waiting[node]
            start(node)
    try:
        while running:
            if deadlines:
                remaining = min(deadlines.values()) - loop.time()
                try:
                    done = [await asyncio.wait_for(finished.get(), max(remaining, 0.0))]
                except TimeoutError:
                    now = loop.time()
                    expired = [task for task, deadline in deadlines.items() if deadline <= now]
                    for task in expired:
                        task.cancel()
                        del deadlines[task]
                    await asyncio.gather(*expired, return_exceptions=True)
                    done = expired
            else:
                done = [await finished.get()]
            while not finished.empty():
                done.append(finished.get_nowait())
            for task in done:
                if task not in running:
                    continue  # already counted when the grace ran out
                node = running.pop(task)
                deadlines.pop(task, None)
                error = task.exception() if not task.cancelled() else asyncio.CancelledError()
                if error is not None:
                    result.failed[node] = error
                    skip_dependants(node)
                    if stop_on_failure and not stopped:
                        stopped = True
                        stop()
                    continue
                result.succeeded.append(node)
                for dependant in graph.required_by(node):
                    if dependant not in waiting:
                        continue
                    waiting[dependant] -= 1
                    if waiting[dependant] == 0 and not stopped:
                        del waiting[dependant]
                        start(dependant)
            if stopped:
                result.skipped.update(waiting)
                waiting.clear()
    except BaseException:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        raise
    result.skipped.update(waiting)
    return result
