"""A generic directed acyclic graph of hashable nodes.

An edge ``add_edge(node, requires)`` says that ``node`` needs ``requires`` done first.
The graph knows nothing of stacks or resources.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class CycleError(ValueError):
    """The graph has a cycle; ``cycle`` lists it with the first node repeated at the end."""

    def __init__(self, cycle: list[object]) -> None:
        self.cycle = cycle
        super().__init__("Circular Dependency Found: " + " -> ".join(str(node) for node in cycle))


class Graph(Generic[T]):
    """Nodes and "requires" edges, kept in insertion order so walks are reproducible."""

    def __init__(self, nodes: Iterable[T] = ()) -> None:
        self._requires: dict[T, dict[T, None]] = {}
        self._required_by: dict[T, dict[T, None]] = {}
        for node in nodes:
            self.add_node(node)

    def add_node(self, node: T) -> None:
        if node not in self._requires:
            self._requires[node] = {}
            self._required_by[node] = {}

    def add_edge(self, node: T, requires: T) -> None:
        """Record that ``node`` requires ``requires`` (both are added if new)."""
        self.add_node(node)
        self.add_node(requires)
        self._requires[node][requires] = None
        self._required_by[requires][node] = None

    def __contains__(self, node: object) -> bool:
        return node in self._requires

    def __iter__(self) -> Iterator[T]:
        return iter(self._requires)

    def __len__(self) -> int:
        return len(self._requires)

    @property
    def nodes(self) -> list[T]:
        return list(self._requires)

    def edges(self) -> Iterator[tuple[T, T]]:
        """Every ``(node, requires)`` pair."""
        for node, requirements in self._requires.items():
            for requirement in requirements:
                yield node, requirement

    def requires(self, node: T) -> list[T]:
        """The nodes ``node`` needs done first."""
        return list(self._requires[node])

    def required_by(self, node: T) -> list[T]:
        """The nodes that need ``node`` done first."""
        return list(self._required_by[node])

    def reversed(self) -> Graph[T]:
        """The same nodes with every edge turned round (the order to delete in)."""
        result: Graph[T] = Graph(self._requires)
        for node, requirement in self.edges():
            result.add_edge(requirement, node)
        return result

    def subgraph(self, nodes: Iterable[T]) -> Graph[T]:
        """Only ``nodes`` and the edges between them."""
        kept = [node for node in nodes if node in self._requires]
        kept_set = set(kept)
        result: Graph[T] = Graph(kept)
        for node in kept:
            for requirement in self._requires[node]:
                if requirement in kept_set:
                    result.add_edge(node, requirement)
        return result

    def dependants(self, node: T) -> set[T]:
        """Every node that requires ``node``, directly or through others."""
        seen: set[T] = set()
        stack = list(self._required_by[node])
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self._required_by[current])
        return seen

    def find_cycle(self) -> list[T] | None:
        """One cycle as ``[a, b, ..., a]`` (``a`` requires ``b``), or ``None``."""
        white, grey, black = 0, 1, 2
        colour: dict[T, int] = dict.fromkeys(self._requires, white)
        for start in self._requires:
            if colour[start] != white:
                continue
            colour[start] = grey
            path: list[T] = [start]
            iterators: list[Iterator[T]] = [iter(self._requires[start])]
            while iterators:
                advanced = False
                for requirement in iterators[-1]:
                    if colour[requirement] == grey:
                        index = path.index(requirement)
                        return [*path[index:], requirement]
                    if colour[requirement] == white:
                        colour[requirement] = grey
                        path.append(requirement)
                        iterators.append(iter(self._requires[requirement]))
                        advanced = True
                        break
                if not advanced:
                    colour[path.pop()] = black
                    iterators.pop()
        return None

    def check_acyclic(self) -> None:
        """Raise :class:`CycleError` naming one cycle if the graph has any."""
        cycle = self.find_cycle()
        if cycle is not None:
            raise CycleError(list(cycle))

    def topological_order(self) -> list[T]:
        """Every node after all it requires (Kahn's algorithm, stable in insertion order)."""
        remaining = {node: len(requirements) for node, requirements in self._requires.items()}
        ready = [node for node, count in remaining.items() if count == 0]
        order: list[T] = []
        index = 0
        while index < len(ready):
            node = ready[index]
            index += 1
            order.append(node)
            for dependant in self._required_by[node]:
                remaining[dependant] -= 1
                if remaining[dependant] == 0:
                    ready.append(dependant)
        if len(order) != len(self._requires):
            self.check_acyclic()
        return order
