"""Removing a deleted stack's stack user project (Heat deletes it with the stack).

The project holds the stack domain users of the stack's resources; each resource deleted
its own user already. A failure to remove the project is logged, never fails the delete:
the stack is gone either way, and the project holds nothing that could act.
"""

from __future__ import annotations

import logging

from calor.db.repository import Repository
from calor.errors import ResourceFailure
from calor.plugins.signals import wiring

LOG = logging.getLogger(__name__)


def delete_stack_user_project(repository: Repository, stack_id: str) -> None:
    """Delete the stack domain project of a deleted root stack, if it has one."""
    stack = repository.get_stack(stack_id, show_deleted=True)
    if stack is None or stack.parent_id is not None or not stack.stack_user_project_id:
        return
    try:
        credentials = wiring.current().credentials
    except ResourceFailure:
        LOG.warning(
            "stack %s: its stack user project %s is left in place (no signal wiring in this engine)",
            stack_id,
            stack.stack_user_project_id,
        )
        return
    try:
        credentials.delete_project(stack.stack_user_project_id)
    except Exception:  # any identity failure: keep the delete, log what is left
        LOG.exception(
            "stack %s: its stack user project %s could not be deleted", stack_id, stack.stack_user_project_id
        )
