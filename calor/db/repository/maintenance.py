"""Operator maintenance: purging soft-deleted stacks and resetting stuck ones."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from calor.db.engine import write_session
from calor.db.records import JobStatus, PurgeResult, StackRecord
from calor.db.repository.base import RepositoryBase, rowcount_of, stack_record
from calor.db.tables import (
    Event,
    Job,
    RawTemplate,
    Resource,
    ResourceData,
    Stack,
    StackTag,
    UserCredentials,
)
from calor.db.types import utc_now
from calor.errors import StackNotFound

RESET_REASON = "Stack status manually reset"
_BATCH = 200


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[start : start + size]) for start in range(0, len(values), size)]


class MaintenanceQueries(RepositoryBase):
    """What ``heat-manage`` does to the database."""

    def purge_deleted(self, older_than: datetime.timedelta, *, project_id: str | None = None) -> PurgeResult:
        """Remove stacks soft-deleted more than ``older_than`` ago, with everything they own.

        Their resources, resource data, events, tags, finished jobs and stored credentials
        go, and raw templates no remaining stack uses.
        """
        cutoff = utc_now() - older_than
        totals = {"stacks": 0, "resources": 0, "events": 0, "raw_templates": 0, "jobs": 0}
        query = select(Stack.id).where(Stack.deleted_at.is_not(None), Stack.deleted_at < cutoff)
        if project_id is not None:
            query = query.where(Stack.project_id == project_id)
        with write_session(self.engine) as session:
            stack_ids = list(session.scalars(query))
        for batch in _chunks(stack_ids, _BATCH):
            with write_session(self.engine) as session:
                self._purge_batch(session, batch, totals)
        return PurgeResult(**totals)

    @staticmethod
    def _purge_batch(session: Session, stack_ids: list[str], totals: dict[str, int]) -> None:
        templates: set[int] = set()
        for live, previous in session.execute(
            select(Stack.raw_template_id, Stack.previous_raw_template_id).where(Stack.id.in_(stack_ids))
        ):
            templates.update(value for value in (live, previous) if value is not None)
        resource_ids = select(Resource.id).where(Resource.stack_id.in_(stack_ids))
        rowcount_of(session, delete(ResourceData).where(ResourceData.resource_id.in_(resource_ids)))
        totals["resources"] += rowcount_of(session, delete(Resource).where(Resource.stack_id.in_(stack_ids)))
        totals["events"] += rowcount_of(session, delete(Event).where(Event.stack_id.in_(stack_ids)))
        rowcount_of(session, delete(StackTag).where(StackTag.stack_id.in_(stack_ids)))
        credentials = set(
            session.scalars(
                select(Stack.user_credentials_id).where(
                    Stack.id.in_(stack_ids), Stack.user_credentials_id.is_not(None)
                )
            )
        )
        totals["jobs"] += rowcount_of(
            session,
            delete(Job).where(
                Job.stack_id.in_(stack_ids), Job.status.in_([JobStatus.DONE, JobStatus.FAILED])
            ),
        )
        totals["stacks"] += rowcount_of(session, delete(Stack).where(Stack.id.in_(stack_ids)))
        if credentials:
            # Normally gone with DELETE_COMPLETE; left only when an engine stopped in between.
            still_named = set(
                session.scalars(
                    select(Stack.user_credentials_id).where(Stack.user_credentials_id.in_(credentials))
                )
            )
            if credentials - still_named:
                rowcount_of(
                    session,
                    delete(UserCredentials).where(UserCredentials.id.in_(sorted(credentials - still_named))),
                )
        if templates:
            still_used = set(
                session.scalars(select(Stack.raw_template_id).where(Stack.raw_template_id.in_(templates)))
            ) | set(
                session.scalars(
                    select(Stack.previous_raw_template_id).where(
                        Stack.previous_raw_template_id.in_(templates)
                    )
                )
            )
            unused = sorted(templates - still_used)
            if unused:
                totals["raw_templates"] += rowcount_of(
                    session, delete(RawTemplate).where(RawTemplate.id.in_(unused))
                )

    def reset_stack_status(self, stack_id: str, *, reason: str = RESET_REASON) -> StackRecord:
        """Move a stuck ``IN_PROGRESS`` stack, its nested stacks and their resources to ``FAILED``.

        Their queued and running jobs are failed too, so no engine resumes them.
        Raises :class:`StackNotFound`.
        """
        now = utc_now()
        with write_session(self.engine) as session:
            row = session.get(Stack, stack_id)
            if row is None or row.deleted_at is not None:
                raise StackNotFound(f"The Stack ({stack_id}) could not be found.")
            family = [stack_id]
            frontier = [stack_id]
            while frontier:
                children = list(
                    session.scalars(
                        select(Stack.id).where(Stack.parent_id.in_(frontier), Stack.deleted_at.is_(None))
                    )
                )
                family.extend(children)
                frontier = children
            for batch in _chunks(family, _BATCH):
                rowcount_of(
                    session,
                    update(Stack)
                    .where(Stack.id.in_(batch), Stack.status == "IN_PROGRESS")
                    .values(status="FAILED", status_reason=reason, version=Stack.version + 1),
                )
                rowcount_of(
                    session,
                    update(Resource)
                    .where(Resource.stack_id.in_(batch), Resource.status == "IN_PROGRESS")
                    .values(status="FAILED", status_reason=reason, updated_at=now),
                )
                rowcount_of(
                    session,
                    update(Job)
                    .where(
                        Job.stack_id.in_(batch),
                        or_(Job.status == JobStatus.QUEUED, Job.status == JobStatus.RUNNING),
                    )
                    .values(
                        status=JobStatus.FAILED.value, error=reason, lease_expires_at=None, updated_at=now
                    ),
                )
            session.flush()
            session.refresh(row)
            return stack_record(row)
