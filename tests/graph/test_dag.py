"""Tests of the generic graph."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calor.graph import CycleError, Graph


def test_edges_and_neighbours() -> None:
    graph: Graph[str] = Graph()
    graph.add_edge("web", "port")
    graph.add_edge("web", "volume")
    graph.add_node("alone")
    assert graph.requires("web") == ["port", "volume"]
    assert graph.required_by("port") == ["web"]
    assert graph.requires("alone") == []
    assert len(graph) == 4
    assert "alone" in graph


def test_reversed_turns_every_edge() -> None:
    graph: Graph[str] = Graph()
    graph.add_edge("b", "a")
    graph.add_edge("c", "b")
    back = graph.reversed()
    assert back.requires("a") == ["b"]
    assert back.requires("b") == ["c"]
    assert back.topological_order() == ["c", "b", "a"]


def test_cycle_message_spells_the_cycle() -> None:
    graph: Graph[str] = Graph()
    graph.add_edge("a", "b")
    graph.add_edge("b", "a")
    with pytest.raises(CycleError) as caught:
        graph.check_acyclic()
    assert "a -> b -> a" in str(caught.value)
    assert caught.value.cycle == ["a", "b", "a"]


def test_self_loop_is_a_cycle() -> None:
    graph: Graph[str] = Graph()
    graph.add_edge("a", "a")
    with pytest.raises(CycleError, match="a -> a"):
        graph.topological_order()


def test_longer_cycle_behind_acyclic_part() -> None:
    graph: Graph[str] = Graph()
    graph.add_edge("start", "x")
    graph.add_edge("x", "y")
    graph.add_edge("y", "z")
    graph.add_edge("z", "x")
    with pytest.raises(CycleError) as caught:
        graph.check_acyclic()
    assert caught.value.cycle == ["x", "y", "z", "x"]


def test_dependants_are_transitive() -> None:
    graph: Graph[int] = Graph()
    graph.add_edge(2, 1)
    graph.add_edge(3, 2)
    graph.add_edge(4, 1)
    graph.add_node(5)
    assert graph.dependants(1) == {2, 3, 4}
    assert graph.dependants(5) == set()


def test_subgraph_keeps_inner_edges() -> None:
    graph: Graph[int] = Graph()
    graph.add_edge(2, 1)
    graph.add_edge(3, 2)
    sub = graph.subgraph([2, 3])
    assert sub.nodes == [2, 3]
    assert list(sub.edges()) == [(3, 2)]


@st.composite
def acyclic_graphs(draw: st.DrawFn) -> Graph[int]:
    size = draw(st.integers(min_value=0, max_value=30))
    graph: Graph[int] = Graph(range(size))
    for node in range(1, size):
        for requirement in draw(st.sets(st.integers(min_value=0, max_value=node - 1), max_size=4)):
            graph.add_edge(node, requirement)
    return graph


@given(acyclic_graphs())
def test_topological_order_respects_every_edge(graph: Graph[int]) -> None:
    order = graph.topological_order()
    assert sorted(order) == sorted(graph.nodes)
    position = {node: index for index, node in enumerate(order)}
    for node, requirement in graph.edges():
        assert position[requirement] < position[node]
