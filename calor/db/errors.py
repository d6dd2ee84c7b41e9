"""Errors the database layer raises besides those of :mod:`calor.errors`."""

from __future__ import annotations

from calor.errors import Conflict


class StackExists(Conflict):
    """A live stack with this name already exists in the project."""

    heat_type = "StackExists"
    cfn_code = "AlreadyExistsException"


class StaleState(Conflict):
    """The row changed since it was read (another engine moved it first)."""

    heat_type = "ActionInProgress"
