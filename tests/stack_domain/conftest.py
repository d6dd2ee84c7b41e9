"""The stack domain tests' fixtures (defined in stack_domain_fixtures, which the tests import types from)."""

from stack_domain_fixtures import world

__all__ = ["world"]
