"""Stack and raw-template queries, and starting stack operations together with their job."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calor.db.engine import read_session, write_session
from calor.db.errors import StackExists
from calor.db.records import JobRecord, NewUserCredentials, RawTemplateRecord, StackRecord
from calor.db.repository.base import RepositoryBase, check_fields, raw_template_record, rowcount, stack_record
from calor.db.repository.credentials import insert_user_credentials
from calor.db.tables import LIVE, RawTemplate, Stack, StackTag
from calor.db.types import utc_now
from calor.errors import Conflict, NotFound, StackNotFound

IN_PROGRESS = "IN_PROGRESS"

# Columns update_stack may change.
STACK_FIELDS = frozenset(
    {
        "action",
        "status",
        "status_reason",
        "user_id",
        "owner_resource_name",
        "raw_template_id",
        "previous_raw_template_id",
        "timeout_minutes",
        "disable_rollback",
        "tags",
        "parameters",
        "outputs",
        "current_traversal",
        "updated_at",
    }
)

# Filter and sort names: our columns, and the names Heat's API uses for them.
_FILTER_ALIASES = {
    "stack_name": "name",
    "stack_action": "action",
    "stack_status": "status",
    "tenant": "project_id",
    "username": "user_id",
    "owner_id": "parent_id",
}
_FILTER_COLUMNS = (
    "id",
    "name",
    "action",
    "status",
    "project_id",
    "user_id",
    "parent_id",
    "owner_resource_name",
)
_SORT_ALIASES = {
    "stack_name": "name",
    "stack_action": "action",
    "stack_status": "status",
    "creation_time": "created_at",
    "updated_time": "updated_at",
}


def _sort_expression(key: str) -> ColumnElement[Any]:
    name = _SORT_ALIASES.get(key, key)
    if name == "updated_at":
        return func.coalesce(Stack.updated_at, Stack.created_at)
    if name in ("name", "action", "status", "created_at", "id"):
        column: ColumnElement[Any] = getattr(Stack, name)
        return column
    raise ValueError(f"cannot sort stacks by {key!r}")


def _tag_exists(tag: str) -> ColumnElement[bool]:
    return exists().where(StackTag.stack_id == Stack.id, StackTag.tag == tag)


def _write_tags(session: Session, stack_id: str, tags: Sequence[str]) -> None:
    session.execute(delete(StackTag).where(StackTag.stack_id == stack_id))
    unique = list(dict.fromkeys(tags))
    if unique:
        session.add_all([StackTag(stack_id=stack_id, tag=tag) for tag in unique])


class StackQueries(RepositoryBase):
    """Stacks, their raw templates, and the job that starts each operation."""

    # -- raw templates -----------------------------------------------------------------

    def store_raw_template(
        self,
        template: Mapping[str, Any],
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a template with its files and environment; returns its id."""
        with write_session(self.engine) as session:
            return self._insert_raw_template(session, template, files, environment)

    @staticmethod
    def _insert_raw_template(
        session: Session,
        template: Mapping[str, Any],
        files: Mapping[str, Any] | None,
        environment: Mapping[str, Any] | None,
    ) -> int:
        row = RawTemplate(
            template=dict(template), files=dict(files or {}), environment=dict(environment or {})
        )
        session.add(row)
        session.flush()
        return row.id

    def get_raw_template(self, raw_template_id: int) -> RawTemplateRecord | None:
        with read_session(self.engine) as session:
            row = session.get(RawTemplate, raw_template_id)
            return raw_template_record(row) if row is not None else None

    def delete_raw_template(self, raw_template_id: int) -> bool:
        """Delete a raw template no stack points to any more; ``False`` if it was not there."""
        with write_session(self.engine) as session:
            result = session.execute(delete(RawTemplate).where(RawTemplate.id == raw_template_id))
            return bool(rowcount(result))

    # -- creating ----------------------------------------------------------------------

    def create_stack(
        self,
        *,
        name: str,
        project_id: str,
        template: Mapping[str, Any],
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        stack_id: str | None = None,
        user_id: str | None = None,
        parent_id: str | None = None,
        nested_depth: int = 0,
        owner_resource_name: str | None = None,
        timeout_minutes: int | None = None,
        disable_rollback: bool = True,
        tags: Sequence[str] = (),
        action: str = "CREATE",
        status: str = IN_PROGRESS,
        status_reason: str = "Stack CREATE started",
    ) -> StackRecord:
        """Insert a stack with its raw template (one transaction), without a job.

        Raises :class:`StackExists` when the project has a live stack of that name.
        """
        stack, _job = self._create(locals(), operation=None, payload=None)
        return stack

    def create_stack_with_job(
        self,
        *,
        name: str,
        project_id: str,
        template: Mapping[str, Any],
        operation: str = "create",
        payload: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        stack_id: str | None = None,
        user_id: str | None = None,
        parent_id: str | None = None,
        nested_depth: int = 0,
        owner_resource_name: str | None = None,
        timeout_minutes: int | None = None,
        disable_rollback: bool = True,
        tags: Sequence[str] = (),
        action: str = "CREATE",
        status: str = IN_PROGRESS,
        status_reason: str = "Stack CREATE started",
        user_credentials: NewUserCredentials | None = None,
    ) -> tuple[StackRecord, JobRecord]:
        """Insert the stack, its raw template and a queued job in ONE transaction.

        ``payload`` is stored on the job as given. ``user_credentials`` (a trust or a
        password for the engine to act with) are stored, encrypted, in the same transaction
        and named by the stack's ``user_credentials_id``. Raises :class:`StackExists` when
        the project has a live stack of that name.
        """
        arguments = dict(locals())
        arguments.pop("operation")
        arguments.pop("payload")
        stack, job = self._create(arguments, operation=operation, payload=payload)
        assert job is not None
        return stack, job

    def _create(
        self, arguments: Mapping[str, Any], *, operation: str | None, payload: Mapping[str, Any] | None
    ) -> tuple[StackRecord, JobRecord | None]:
        name: str = arguments["name"]
        project_id: str = arguments["project_id"]
        try:
            with write_session(self.engine) as session:
                taken = session.scalar(
                    select(Stack.id).where(
                        Stack.project_id == project_id, Stack.name == name, Stack.deleted_marker == LIVE
                    )
                )
                if taken is not None:
                    raise StackExists(f"The Stack ({name}) already exists.")
                raw_template_id = self._insert_raw_template(
                    session, arguments["template"], arguments["files"], arguments["environment"]
                )
                tags = list(arguments["tags"])
                credentials: NewUserCredentials | None = arguments.get("user_credentials")
                credentials_id = (
                    insert_user_credentials(session, credentials, self.encryption)
                    if credentials is not None
                    else None
                )
                row = Stack(
                    id=arguments["stack_id"] or str(uuid.uuid4()),
                    name=name,
                    project_id=project_id,
                    user_id=arguments["user_id"],
                    action=arguments["action"],
                    status=arguments["status"],
                    status_reason=arguments["status_reason"],
                    parent_id=arguments["parent_id"],
                    nested_depth=arguments["nested_depth"],
                    owner_resource_name=arguments["owner_resource_name"],
                    raw_template_id=raw_template_id,
                    timeout_minutes=arguments["timeout_minutes"],
                    disable_rollback=arguments["disable_rollback"],
                    tags=tags,
                    parameters=dict(arguments["parameters"] or {}),
                    version=0,
                    created_at=utc_now(),
                    deleted_marker=LIVE,
                    user_credentials_id=credentials_id,
                )
                session.add(row)
                session.flush()
                _write_tags(session, row.id, tags)
                job = (
                    self.queue.enqueue(session, row.id, operation, payload) if operation is not None else None
                )
                session.flush()
                return stack_record(row), job
        except IntegrityError as error:
            raise StackExists(f"The Stack ({name}) already exists.") from error

    # -- starting operations -----------------------------------------------------------

    def start_stack_operation(
        self,
        stack_id: str,
        *,
        action: str,
        operation: str,
        payload: Mapping[str, Any] | None = None,
        project_id: str | None = None,
        status_reason: str | None = None,
        template: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        allow_in_progress: bool = False,
        cancel_running: bool = False,
        expected_version: int | None = None,
        **changes: Any,
    ) -> tuple[StackRecord, JobRecord]:
        """Move a stack to ``<action>_IN_PROGRESS`` and queue its job, in ONE transaction.

        With ``template`` a new raw template is stored and becomes ``raw_template_id``; the
        old one becomes ``previous_raw_template_id`` (what a rollback returns to), and
        ``updated_at`` is set. ``changes`` are further stack fields (``parameters``,
        ``timeout_minutes``, ``tags``, ...). Raises :class:`StackNotFound`, and
        :class:`Conflict` when the stack is already ``IN_PROGRESS`` (unless
        ``allow_in_progress``) or its version is not ``expected_version``.
        ``cancel_running`` flags the stack's earlier jobs as cancelled first (delete
        during create).
        """
        check_fields(changes, STACK_FIELDS, "stack")
        now = utc_now()
        with write_session(self.engine) as session:
            query = select(Stack).where(Stack.id == stack_id, Stack.deleted_at.is_(None))
            if project_id is not None:
                query = query.where(Stack.project_id == project_id)
            if self.dialect != "sqlite":
                query = query.with_for_update()
            row = session.scalars(query).first()
            if row is None:
                raise StackNotFound(f"The Stack ({stack_id}) could not be found.")
            if expected_version is not None and row.version != expected_version:
                raise Conflict(f"Stack {row.name} was changed by another operation.")
            if row.status == IN_PROGRESS and not allow_in_progress:
                raise Conflict(f"Stack {row.name} already has an action ({row.action}) in progress.")
            if cancel_running:
                self.queue.request_cancel(stack_id, session=session)
            if template is not None:
                new_template_id = self._insert_raw_template(session, template, files, environment)
                row.previous_raw_template_id = row.raw_template_id
                row.raw_template_id = new_template_id
                row.updated_at = now
            for field, value in changes.items():
                setattr(row, field, list(value) if field == "tags" else value)
            if "tags" in changes:
                _write_tags(session, row.id, list(changes["tags"]))
            row.action = action
            row.status = IN_PROGRESS
            row.status_reason = status_reason if status_reason is not None else f"Stack {action} started"
            row.version = row.version + 1
            session.flush()
            job = self.queue.enqueue(session, stack_id, operation, payload)
            return stack_record(row), job

    # -- changing ----------------------------------------------------------------------

    def update_stack_status(
        self,
        stack_id: str,
        action: str,
        status: str,
        reason: str = "",
        *,
        expected_action: str | None = None,
        expected_status: str | None = None,
        expected_version: int | None = None,
        traversal: str | None = None,
    ) -> bool:
        """Set the stack's action, status and reason; ``False`` if a guard did not hold.

        Guards (``expected_*``) make the move conditional on the current state, so two
        engines cannot both move a stack. Soft-deleted stacks are not changed.
        ``traversal`` (the job whose operation this state ends) is stored with the state
        as ``current_traversal``, so the job is never run again once its operation ended.
        """
        fields: dict[str, Any] = {"action": action, "status": status, "status_reason": reason}
        if traversal is not None:
            fields["current_traversal"] = traversal
        return self.update_stack(
            stack_id,
            expected_action=expected_action,
            expected_status=expected_status,
            expected_version=expected_version,
            **fields,
        )

    def update_stack(
        self,
        stack_id: str,
        *,
        expected_action: str | None = None,
        expected_status: str | None = None,
        expected_version: int | None = None,
        **changes: Any,
    ) -> bool:
        """Change stack fields (names in ``STACK_FIELDS``); ``False`` if a guard did not hold.

        ``version`` grows by one. ``tags`` also rewrites the tag index.
        """
        check_fields(changes, STACK_FIELDS, "stack")
        conditions = [Stack.id == stack_id, Stack.deleted_at.is_(None)]
        if expected_action is not None:
            conditions.append(Stack.action == expected_action)
        if expected_status is not None:
            conditions.append(Stack.status == expected_status)
        if expected_version is not None:
            conditions.append(Stack.version == expected_version)
        values = dict(changes)
        if "tags" in values:
            values["tags"] = list(values["tags"])
        values["version"] = Stack.version + 1
        with write_session(self.engine) as session:
            result = session.execute(update(Stack).where(*conditions).values(**values))
            changed = bool(rowcount(result))
            if changed and "tags" in changes:
                _write_tags(session, stack_id, list(changes["tags"]))
            return changed

    def soft_delete_stack(self, stack_id: str) -> bool:
        """Mark the stack deleted (it stays readable with ``show_deleted``); frees its name."""
        now = utc_now()
        with write_session(self.engine) as session:
            result = session.execute(
                update(Stack)
                .where(Stack.id == stack_id, Stack.deleted_at.is_(None))
                .values(deleted_at=now, deleted_marker=Stack.id, version=Stack.version + 1)
            )
            return bool(rowcount(result))

    def complete_stack_delete(self, stack_id: str, reason: str = "", *, traversal: str | None = None) -> bool:
        """``DELETE_COMPLETE`` with ``reason`` and the soft delete in one transaction."""
        now = utc_now()
        with write_session(self.engine) as session:
            result = session.execute(
                update(Stack)
                .where(Stack.id == stack_id, Stack.deleted_at.is_(None))
                .values(
                    action="DELETE",
                    status="COMPLETE",
                    status_reason=reason,
                    deleted_at=now,
                    deleted_marker=Stack.id,
                    version=Stack.version + 1,
                    **({} if traversal is None else {"current_traversal": traversal}),
                )
            )
            return bool(rowcount(result))

    # -- reading -----------------------------------------------------------------------

    def get_stack(
        self, stack_id: str, project_id: str | None = None, *, show_deleted: bool = False
    ) -> StackRecord | None:
        """The stack with this id (in ``project_id`` when given), or ``None``."""
        query = select(Stack).where(Stack.id == stack_id)
        if project_id is not None:
            query = query.where(Stack.project_id == project_id)
        if not show_deleted:
            query = query.where(Stack.deleted_at.is_(None))
        with read_session(self.engine) as session:
            row = session.scalars(query).first()
            return stack_record(row) if row is not None else None

    def find_stack(
        self, name_or_id: str, project_id: str | None, *, show_deleted: bool = False
    ) -> StackRecord | None:
        """The stack with this id, else the live stack with this name, in the project.

        With ``show_deleted`` a name can also match the newest deleted stack.
        """
        found = self.get_stack(name_or_id, project_id, show_deleted=show_deleted)
        if found is not None:
            return found
        query = select(Stack).where(Stack.name == name_or_id)
        if project_id is not None:
            query = query.where(Stack.project_id == project_id)
        if not show_deleted:
            query = query.where(Stack.deleted_at.is_(None))
        # A live stack first, then the most recently created deleted one.
        query = query.order_by(Stack.deleted_at.is_(None).desc(), Stack.created_at.desc()).limit(1)
        with read_session(self.engine) as session:
            row = session.scalars(query).first()
            return stack_record(row) if row is not None else None

    def get_child_stacks(self, parent_id: str, *, show_deleted: bool = False) -> list[StackRecord]:
        """The nested stacks whose parent is ``parent_id``, oldest first."""
        query = select(Stack).where(Stack.parent_id == parent_id).order_by(Stack.created_at, Stack.id)
        if not show_deleted:
            query = query.where(Stack.deleted_at.is_(None))
        with read_session(self.engine) as session:
            return [stack_record(row) for row in session.scalars(query)]

    def list_stacks(
        self,
        project_id: str | None,
        *,
        filters: Mapping[str, Any] | None = None,
        sort_keys: Sequence[str] = ("created_at",),
        sort_dir: str = "desc",
        limit: int | None = None,
        marker: str | None = None,
        show_deleted: bool = False,
        show_nested: bool = False,
        tags: Sequence[str] = (),
        tags_any: Sequence[str] = (),
        not_tags: Sequence[str] = (),
        not_tags_any: Sequence[str] = (),
    ) -> list[StackRecord]:
        """Stacks of a project (every project when ``project_id`` is ``None``), one page.

        ``filters`` maps a column (``id``, ``name``, ``action``, ``status``, ``user_id``,
        ``parent_id``, ... or Heat's ``stack_name``, ``tenant``, ``username``,
        ``owner_id``) to a value or a list of accepted values. ``sort_keys``: ``name``,
        ``action``, ``status``, ``created_at``, ``updated_at`` (or Heat's
        ``stack_name``, ``stack_status``, ``creation_time``, ``updated_time``); the id
        breaks ties. ``marker`` is the id of the last stack of the previous page (raises
        :class:`NotFound` when unknown). ``tags`` all must match, ``tags_any`` at least
        one; ``not_tags`` excludes stacks having all, ``not_tags_any`` any of those.
        """
        if sort_dir not in ("asc", "desc"):
            raise ValueError(f"sort direction must be asc or desc, not {sort_dir!r}")
        query = self._stack_query(
            project_id,
            filters=filters,
            show_deleted=show_deleted,
            show_nested=show_nested,
            tags=tags,
            tags_any=tags_any,
            not_tags=not_tags,
            not_tags_any=not_tags_any,
        )
        expressions: list[ColumnElement[Any]] = [_sort_expression(key) for key in sort_keys]
        expressions.append(_sort_expression("id"))
        descending = sort_dir == "desc"
        with read_session(self.engine) as session:
            if marker is not None:
                values = session.execute(select(*expressions).where(Stack.id == marker)).first()
                if values is None:
                    raise NotFound(f"The marker stack ({marker}) could not be found.")
                query = query.where(_after(expressions, tuple(values), descending))
            query = query.order_by(
                *[expression.desc() if descending else expression.asc() for expression in expressions]
            )
            if limit is not None:
                query = query.limit(limit)
            return [stack_record(row) for row in session.scalars(query)]

    def count_stacks(
        self,
        project_id: str | None,
        *,
        filters: Mapping[str, Any] | None = None,
        show_deleted: bool = False,
        show_nested: bool = False,
        tags: Sequence[str] = (),
        tags_any: Sequence[str] = (),
        not_tags: Sequence[str] = (),
        not_tags_any: Sequence[str] = (),
    ) -> int:
        """How many stacks ``list_stacks`` would give without paging."""
        query = self._stack_query(
            project_id,
            filters=filters,
            show_deleted=show_deleted,
            show_nested=show_nested,
            tags=tags,
            tags_any=tags_any,
            not_tags=not_tags,
            not_tags_any=not_tags_any,
        )
        with read_session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    @staticmethod
    def _stack_query(
        project_id: str | None,
        *,
        filters: Mapping[str, Any] | None,
        show_deleted: bool,
        show_nested: bool,
        tags: Sequence[str],
        tags_any: Sequence[str],
        not_tags: Sequence[str],
        not_tags_any: Sequence[str],
    ) -> Select[Stack]:
        query = select(Stack)
        if project_id is not None:
            query = query.where(Stack.project_id == project_id)
        if not show_deleted:
            query = query.where(Stack.deleted_at.is_(None))
        if not show_nested:
            query = query.where(Stack.parent_id.is_(None))
        for key, value in (filters or {}).items():
            column_name = _FILTER_ALIASES.get(key, key)
            if column_name not in _FILTER_COLUMNS:
                raise ValueError(f"cannot filter stacks by {key!r}")
            column = getattr(Stack, column_name)
            if isinstance(value, list | tuple | set | frozenset):
                query = query.where(column.in_(list(value)))
            elif value is None:
                query = query.where(column.is_(None))
            else:
                query = query.where(column == value)
        if tags:
            query = query.where(*[_tag_exists(tag) for tag in tags])
        if tags_any:
            query = query.where(or_(*[_tag_exists(tag) for tag in tags_any]))
        if not_tags:
            query = query.where(~and_(*[_tag_exists(tag) for tag in not_tags]))
        if not_tags_any:
            query = query.where(~or_(*[_tag_exists(tag) for tag in not_tags_any]))
        return query


def _after(
    expressions: Sequence[ColumnElement[Any]], values: tuple[Any, ...], descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``expressions`` (keyset paging)."""
    alternatives = []
    for index, expression in enumerate(expressions):
        equal = [expressions[earlier] == values[earlier] for earlier in range(index)]
        beyond = expression < values[index] if descending else expression > values[index]
        alternatives.append(and_(*equal, beyond))
    return or_(*alternatives)
