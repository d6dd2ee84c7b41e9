"""The repository: every query Calor issues, behind typed methods returning frozen records.

``Repository(engine)`` combines the query families (stacks, resources, events,
services, maintenance, snapshots, stored credentials, stack user projects) and owns a
:class:`calor.db.queue.JobQueue` as ``queue``.
Each method runs in a short transaction of its own; methods that must be atomic
together (a stack and its job, a resource change and its event) are single methods.
"""

from __future__ import annotations

from calor.db.repository.credentials import CredentialsQueries
from calor.db.repository.events import EventQueries
from calor.db.repository.maintenance import MaintenanceQueries
from calor.db.repository.resources import RESOURCE_FIELDS, ResourceQueries
from calor.db.repository.services import ServiceQueries
from calor.db.repository.snapshots import SnapshotQueries, SnapshotRecord
from calor.db.repository.stack_users import StackUserQueries
from calor.db.repository.stacks import STACK_FIELDS, StackQueries


class Repository(
    StackQueries,
    ResourceQueries,
    EventQueries,
    ServiceQueries,
    MaintenanceQueries,
    SnapshotQueries,
    CredentialsQueries,
    StackUserQueries,
):
    """All queries on one database; thread safe (every method opens its own session)."""


__all__ = ["RESOURCE_FIELDS", "STACK_FIELDS", "Repository", "SnapshotRecord"]
