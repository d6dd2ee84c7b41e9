"""A generic dependency graph and its parallel walk; imports nothing from Calor's domain."""

from calor.graph.dag import CycleError, Graph
from calor.graph.walk import Slot, Visitor, WalkResult, walk

__all__ = ["CycleError", "Graph", "Slot", "Visitor", "WalkResult", "walk"]
