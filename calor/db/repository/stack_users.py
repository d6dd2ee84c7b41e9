"""The stack domain project of a stack (``stack_user_project_id``) and the stack its users reach.

The project is created when the stack's first stack user is (a wait condition handle, a
server's agent) and is kept on the *root* stack: nested stacks share their root's project,
as Heat's nested stacks inherit it, so an agent may read and signal any stack of the tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from calor.db.engine import read_session, write_session
from calor.db.records import StackRecord
from calor.db.repository.base import RepositoryBase, stack_record
from calor.db.tables import Stack

MAXIMUM_NESTING = 100


class StackUserQueries(RepositoryBase):
    """Reading and claiming a stack's stack user project."""

    if TYPE_CHECKING:  # given by StackQueries

        def find_stack(
            self, name_or_id: str, project_id: str | None, *, show_deleted: bool = False
        ) -> StackRecord | None: ...

    def root_stack_id(self, stack_id: str) -> str:
        """The id of the stack at the top of ``stack_id``'s tree (deleted stacks included)."""
        current = stack_id
        with read_session(self.engine) as session:
            for _ in range(MAXIMUM_NESTING):
                parent = session.scalar(select(Stack.parent_id).where(Stack.id == current))
                if parent is None:
                    return current
                current = parent
        return current

    def stack_user_project_id(self, stack_id: str) -> str | None:
        """The stack domain project of ``stack_id``'s tree (``None`` before its first stack user)."""
        root = self.root_stack_id(stack_id)
        with read_session(self.engine) as session:
            return session.scalar(select(Stack.stack_user_project_id).where(Stack.id == root))

    def claim_stack_user_project(self, stack_id: str, project_id: str) -> str | None:
        """Record ``project_id`` as the project of ``stack_id``'s tree unless one is recorded already.

        Gives the project recorded afterwards: ``project_id``, or the one another engine
        recorded first (the caller then removes its own); ``None`` if the stack is gone.
        The stack's ``version`` is left alone: this is no change the engine guards against.
        """
        root = self.root_stack_id(stack_id)
        with write_session(self.engine) as session:
            session.execute(
                update(Stack)
                .where(Stack.id == root, Stack.stack_user_project_id.is_(None))
                .values(stack_user_project_id=project_id)
            )
            return session.scalar(select(Stack.stack_user_project_id).where(Stack.id == root))

    def find_stack_of_stack_user(
        self, name_or_id: str, stack_user_project_id: str, *, show_deleted: bool = False
    ) -> StackRecord | None:
        """The stack a stack user of ``stack_user_project_id`` names: its root stack or one nested in it."""
        query = (
            select(Stack)
            .where(Stack.stack_user_project_id == stack_user_project_id, Stack.parent_id.is_(None))
            .order_by(Stack.created_at.desc())
            .limit(1)
        )
        with read_session(self.engine) as session:
            row = session.scalars(query).first()
            root = stack_record(row) if row is not None else None
        if root is None or (root.deleted_at is not None and not show_deleted):
            return None
        if name_or_id in (root.id, root.name):
            return root
        found = self.find_stack(name_or_id, root.project_id, show_deleted=show_deleted)
        if found is None or self.root_stack_id(found.id) != root.id:
            return None
        return found
