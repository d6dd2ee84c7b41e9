"""Tests of the parallel graph walk."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calor.graph import Graph, Slot, walk


def chain(*nodes: str) -> Graph[str]:
    graph: Graph[str] = Graph(nodes)
    for before, after in itertools.pairwise(nodes):
        graph.add_edge(after, before)
    return graph


def test_visits_in_dependency_order() -> None:
    graph = chain("a", "b", "c")
    order: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        async with slot:
            order.append(node)

    result = asyncio.run(walk(graph, visit, max_parallel=4))
    assert order == ["a", "b", "c"]
    assert result.succeeded == ["a", "b", "c"]
    assert result.ok


def test_failure_skips_dependants_but_not_others() -> None:
    graph = chain("a", "b", "c")
    graph.add_node("other")
    started: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        started.append(node)
        if node == "a":
            raise RuntimeError("boom")

    result = asyncio.run(walk(graph, visit, max_parallel=4))
    assert set(started) == {"a", "other"}
    assert isinstance(result.failed["a"], RuntimeError)
    assert result.skipped == {"b", "c"}
    assert result.succeeded == ["other"]
    assert not result.ok


def test_stop_on_failure_starts_nothing_new() -> None:
    graph: Graph[str] = Graph(["fails", "slow"])
    graph.add_edge("after_slow", "slow")
    started: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        started.append(node)
        if node == "fails":
            raise RuntimeError("boom")
        await asyncio.sleep(0.02)

    result = asyncio.run(walk(graph, visit, max_parallel=4, stop_on_failure=True))
    assert "after_slow" not in started
    assert result.succeeded == ["slow"]
    assert result.skipped == {"after_slow"}


def test_slot_bounds_parallel_work_but_waiting_holds_none() -> None:
    graph: Graph[int] = Graph(range(20))
    working = 0
    peak = 0
    waiting_together = 0
    peak_waiting = 0

    async def visit(node: int, slot: Slot) -> None:
        nonlocal working, peak, waiting_together, peak_waiting
        async with slot:
            working += 1
            peak = max(peak, working)
            await asyncio.sleep(0.001)
            working -= 1
        waiting_together += 1
        peak_waiting = max(peak_waiting, waiting_together)
        await asyncio.sleep(0.02)
        waiting_together -= 1

    result = asyncio.run(walk(graph, visit, max_parallel=3))
    assert peak <= 3
    assert len(result.succeeded) == 20
    # Nodes sleeping outside the slot overlap beyond the bound.
    assert peak_waiting > 3


def test_cancelling_the_walk_cancels_visits() -> None:
    graph: Graph[str] = Graph(["a", "b"])
    graph.add_edge("c", "a")
    cancelled: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(node)
            raise

    async def main() -> None:
        task = asyncio.ensure_future(walk(graph, visit, max_parallel=2))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert sorted(cancelled) == ["a", "b"]


def test_cyclic_graph_is_refused() -> None:
    graph = chain("a", "b")
    graph.add_edge("a", "b")

    async def visit(node: str, slot: Slot) -> None:
        return None

    with pytest.raises(ValueError, match="a -> b -> a"):
        asyncio.run(walk(graph, visit, max_parallel=1))


@st.composite
def acyclic_graphs(draw: st.DrawFn) -> Graph[int]:
    size = draw(st.integers(min_value=1, max_value=25))
    graph: Graph[int] = Graph(range(size))
    for node in range(1, size):
        for requirement in draw(st.sets(st.integers(min_value=0, max_value=node - 1), max_size=3)):
            graph.add_edge(node, requirement)
    return graph


@settings(max_examples=60, deadline=None)
@given(acyclic_graphs(), st.integers(min_value=1, max_value=5), st.randoms(use_true_random=False))
def test_walk_order_respects_every_edge(graph: Graph[int], max_parallel: int, random: object) -> None:
    started: dict[int, int] = {}
    finished: dict[int, int] = {}
    clock = 0

    async def visit(node: int, slot: Slot) -> None:
        nonlocal clock
        async with slot:
            clock += 1
            started[node] = clock
            for _ in range(node % 3):
                await asyncio.sleep(0)
            clock += 1
            finished[node] = clock

    result = asyncio.run(walk(graph, visit, max_parallel=max_parallel))
    assert sorted(result.succeeded) == sorted(graph.nodes)
    for node, requirement in graph.edges():
        assert finished[requirement] < started[node]


def test_failure_grace_cancels_nodes_still_running() -> None:
    graph: Graph[str] = Graph(["fails", "slow", "quick"])
    cancelled: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        if node == "fails":
            raise RuntimeError("boom")
        try:
            await asyncio.sleep(10 if node == "slow" else 0.01)
        except asyncio.CancelledError:
            cancelled.append(node)
            raise

    result = asyncio.run(walk(graph, visit, max_parallel=4, stop_on_failure=True, failure_grace=0.05))
    assert cancelled == ["slow"]
    assert isinstance(result.failed["slow"], asyncio.CancelledError)
    assert result.succeeded == ["quick"]


def test_grace_of_gives_each_running_node_its_own_grace() -> None:
    graph: Graph[str] = Graph(["fails", "at_once", "patient", "finishes"])
    cancelled: list[str] = []

    async def visit(node: str, slot: Slot) -> None:
        if node == "fails":
            await asyncio.sleep(0.01)
            raise RuntimeError("boom")
        try:
            await asyncio.sleep({"at_once": 10, "patient": 10, "finishes": 0.1}[node])
        except asyncio.CancelledError:
            cancelled.append(node)
            raise

    graces = {"at_once": 0.0, "patient": 0.3, "finishes": 0.3}
    result = asyncio.run(
        walk(graph, visit, max_parallel=4, stop_on_failure=True, failure_grace=60, grace_of=graces.get)
    )
    assert cancelled == ["at_once", "patient"]
    assert result.succeeded == ["finishes"]
    assert set(result.failed) == {"fails", "at_once", "patient"}
