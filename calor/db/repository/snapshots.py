"""Stack snapshots: create, update, read, list and delete snapshot rows."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from calor.db.engine import read_session, write_session
from calor.db.repository.base import RepositoryBase, rowcount
from calor.db.tables import Snapshot
from calor.db.types import utc_now


@dataclass(frozen=True)
class SnapshotRecord:
    """One stack snapshot; ``data`` is ``None`` until it completed."""

    id: str
    stack_id: str
    project_id: str
    name: str | None
    status: str
    status_reason: str
    data: Mapping[str, Any] | None
    created_at: datetime.datetime
    updated_at: datetime.datetime | None


def _snapshot_record(row: Snapshot) -> SnapshotRecord:
    return SnapshotRecord(
        id=row.id,
        stack_id=row.stack_id,
        project_id=row.project_id,
        name=row.name,
        status=row.status,
        status_reason=row.status_reason,
        data=row.data,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SnapshotQueries(RepositoryBase):
    """The ``snapshot`` table."""

    def create_snapshot(
        self, snapshot_id: str, stack_id: str, project_id: str, name: str | None, *, status: str
    ) -> SnapshotRecord:
        with write_session(self.engine) as session:
            row = Snapshot(
                id=snapshot_id,
                stack_id=stack_id,
                project_id=project_id,
                name=name,
                status=status,
                status_reason="",
                data=None,
                created_at=utc_now(),
            )
            session.add(row)
            session.flush()
            return _snapshot_record(row)

    def update_snapshot(self, snapshot_id: str, **fields: Any) -> bool:
        """Change ``status``, ``status_reason`` or ``data``; ``False`` when the snapshot is gone."""
        unknown = set(fields) - {"status", "status_reason", "data"}
        if unknown:
            raise ValueError(f"unknown snapshot fields: {sorted(unknown)}")
        with write_session(self.engine) as session:
            result = session.execute(
                update(Snapshot).where(Snapshot.id == snapshot_id).values(updated_at=utc_now(), **fields)
            )
            return bool(rowcount(result))

    def get_snapshot(self, snapshot_id: str) -> SnapshotRecord | None:
        with read_session(self.engine) as session:
            row = session.get(Snapshot, snapshot_id)
            return _snapshot_record(row) if row is not None else None

    def list_snapshots(self, stack_id: str) -> list[SnapshotRecord]:
        """The stack's snapshots, oldest first."""
        query = select(Snapshot).where(Snapshot.stack_id == stack_id)
        query = query.order_by(Snapshot.created_at, Snapshot.id)
        with read_session(self.engine) as session:
            return [_snapshot_record(row) for row in session.scalars(query)]

    def count_snapshots(self, stack_id: str) -> int:
        return len(self.list_snapshots(stack_id))

    def delete_snapshot(self, snapshot_id: str) -> bool:
        with write_session(self.engine) as session:
            return bool(rowcount(session.execute(delete(Snapshot).where(Snapshot.id == snapshot_id))))
