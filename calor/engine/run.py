"""What one running stack operation shares: state, executors, batched writes, deadline."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any, TypeVar

from calor.engine.config import EngineConfig
from calor.engine.events import EventLog
from calor.engine.store import ResourceState, StateStore

Result = TypeVar("Result")
Waiter = asyncio.Future[None] | concurrent.futures.Future[None]


class StackRun:
    """The shared state of one stack operation on one event loop.

    ``states`` mirrors the stored resources; :meth:`save` updates both. Plugin hooks
    run on ``hook_executor``; store calls on ``database_executor`` (one thread).
    Saves made while a write is under way are gathered into the next transaction, so
    a thousand resources finishing together cost a few commits, not a thousand; the
    events logged so far go in the same transaction. Hooks that never block run on the
    loop itself (:meth:`on_loop`), their writes queued the same way.

    A hook thread inside :meth:`queued_writes` queues its saves without waiting for
    them (write-behind: the database thread commits them with its next batch); the
    coroutine that ran the hop then awaits :meth:`flush` once, on the loop, before it
    waits on anything. So starting a resource holds its hook thread for no commit and
    costs one batched commit instead of one per write.
    """

    def __init__(
        self,
        *,
        stack_id: str,
        stack_name: str,
        store: StateStore,
        config: EngineConfig,
        hook_executor: Executor,
        database_executor: Executor,
        timeout_seconds: float | None = None,
        traversal: str | None = None,
    ) -> None:
        self.stack_id = stack_id
        # The job this run serves (stored with the stack's final state); None for child stacks.
        self.traversal = traversal
        self.stack_name = stack_name
        self.store = store
        self.config = config
        self.hook_executor = hook_executor
        self.database_executor = database_executor
        self.events = EventLog(store, stack_id, stack_name)
        self.states: dict[str, ResourceState] = {}
        self.deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        self._pending: dict[str, ResourceState] = {}
        self._waiters: list[Waiter] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._writer: asyncio.Task[None] | None = None
        self._failed: BaseException | None = None
        self._local = threading.local()
        # Resource name → its create hop's thread, which runs on when the operation is cancelled.
        self._create_hops: dict[str, asyncio.Future[Any]] = {}

    def remaining(self) -> float | None:
        """Seconds left before the stack's timeout (``None``: no timeout)."""
        if self.deadline is None:
            return None
        return self.deadline - time.monotonic()

    async def in_thread(self, function: Callable[..., Result], *arguments: Any) -> Result:
        """Run a synchronous plugin hook in the hook thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.hook_executor, function, *arguments)

    async def create_hop(self, name: str, function: Callable[..., Result], *arguments: Any) -> Result:
        """Run a create's start (``handle_create``) in the hook thread pool, remembered by name.

        Cancelling the caller does not stop the thread: the cloud request goes on and the
        object may appear after the create was aborted. :meth:`create_hop_finished` waits
        for it, so a delete of the resource sees what that create stored.
        """
        hop: asyncio.Future[Result] = asyncio.wrap_future(self.hook_executor.submit(function, *arguments))
        self._create_hops[name] = hop
        result = await asyncio.shield(hop)
        if self._create_hops.get(name) is hop:
            del self._create_hops[name]
        return result

    async def create_hop_finished(self, name: str) -> None:
        """Return once a create hop of ``name`` left running by a cancelled create has ended."""
        hop = self._create_hops.pop(name, None)
        if hop is not None:
            await asyncio.gather(hop, return_exceptions=True)

    async def in_database(self, function: Callable[..., Result], *arguments: Any) -> Result:
        """Run a synchronous store call in the database thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.database_executor, function, *arguments)

    async def load(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self.states = await self.in_database(self.store.load_resources, self.stack_id)

    async def save(self, state: ResourceState) -> None:
        """Persist ``state`` and the events logged so far; return once they are committed."""
        self.states[state.name] = state
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(state, waiter)
        await asyncio.shield(waiter)

    def insert_behind(self, states: list[ResourceState]) -> None:
        """On the loop: insert new rows on the database thread without waiting for them.

        The database thread runs one call at a time, in order, so every later write of
        these resources follows the insert; a failure reaches the next :meth:`save` or
        :meth:`flush`.
        """
        for state in states:
            self.states[state.name] = state
        inserted = asyncio.get_running_loop().run_in_executor(
            self.database_executor, self.store.insert_resources, self.stack_id, states
        )
        inserted.add_done_callback(self._insert_done)

    def _insert_done(self, inserted: asyncio.Future[None]) -> None:
        if not inserted.cancelled() and inserted.exception() is not None:
            self._failed = inserted.exception()

    def enqueue(self, state: ResourceState) -> None:
        """On the loop: queue ``state`` for the next batch without waiting (see :meth:`flush`)."""
        self.states[state.name] = state
        self._enqueue(state, None)

    def _enqueue(self, state: ResourceState | None, waiter: Waiter | None) -> None:
        """Add a write (or, with ``state`` ``None``, a wait) to the next batch (runs on the loop)."""
        if state is not None:
            self._pending[state.name] = state
        if waiter is not None:
            self._waiters.append(waiter)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_pending())

    async def _write_pending(self) -> None:
        while self._waiters or self._pending:
            states = list(self._pending.values())
            waiters = self._waiters
            self._pending, self._waiters = {}, []
            try:
                await self.in_database(self._write_now, states)
            except BaseException as error:
                if not waiters:
                    # Queued writes nobody waits for: the next waiter learns of the failure.
                    self._failed = error
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    raise
                continue
            failed, self._failed = self._failed, None
            for waiter in waiters:
                if not waiter.done():
                    if failed is None:
                        waiter.set_result(None)
                    else:
                        waiter.set_exception(failed)

    def _write_now(self, states: list[ResourceState]) -> None:
        """One transaction: the batch's states and every event logged so far.

        An event is logged before its state is queued, so a state is never stored
        without its event (an event may precede its state by one batch).
        """
        if states:
            self.store.save_resources(self.stack_id, states, self.events.take())
        else:
            self.events.flush()

    def save_in_thread(self, name: str, **changes: Any) -> ResourceState:
        """Change and persist one resource from a hook thread; return once stored.

        The write joins the database thread's next batch (one writer: no lock contention
        between hook threads), and the hook waits for its commit before going on;
        inside :meth:`queued_writes` it is only queued (see :meth:`flush`).
        """
        state = dataclasses.replace(self.states[name], **changes)
        self.states[name] = state
        loop = self._loop
        queued = getattr(self._local, "depth", 0) > 0
        if loop is None or loop.is_closed():
            self.store.save_resources(self.stack_id, [state])
            return state
        if threading.get_ident() == self._loop_thread:
            if queued:
                self._local.queued = True
                self._enqueue(state, None)
            else:
                self.store.save_resources(self.stack_id, [state])
            return state
        if queued:
            loop.call_soon_threadsafe(self._enqueue, state, None)
            return state
        waiter: concurrent.futures.Future[None] = concurrent.futures.Future()
        loop.call_soon_threadsafe(self._enqueue, state, waiter)
        waiter.result()
        return state

    @contextlib.contextmanager
    def queued_writes(self) -> Iterator[None]:
        """In a hook thread: the saves made inside are queued, not waited for (write-behind).

        The caller must ``await`` :meth:`flush` once the hop returns, before waiting on
        anything (polling): the hook thread is free for other work meanwhile, and a
        resource start costs one wait for a batch commit instead of one per write.
        """
        depth: int = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    async def on_loop(self, function: Callable[..., Result], *arguments: Any) -> Result:
        """Run a hook that never blocks (a declared non-blocking check) right here, on the loop.

        No thread hop and no slot: the call is a few microseconds of work. Writes it makes
        are queued (as inside :meth:`queued_writes`) and committed before this returns.
        """
        self._local.queued = False
        with self.queued_writes():
            result = function(*arguments)
        if self._local.queued:
            self._local.queued = False
            await self.flush()
        return result

    async def flush(self) -> None:
        """Return once every write and event queued so far is committed (in the next batch)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._enqueue(None, waiter)
        await asyncio.shield(waiter)

    async def flush_events(self) -> None:
        await self.in_database(self.events.flush)
