"""Resource and resource-data queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from calor.db.engine import read_session, write_connection, write_session
from calor.db.records import NewEvent, NewResource, ResourceChange, ResourceDataChange, ResourceRecord
from calor.db.repository.base import check_fields, resource_record, rowcount
from calor.db.repository.events import EventQueries, event_row
from calor.db.tables import Event, Resource, ResourceData, Stack, table_of
from calor.db.types import utc_now

# Fields update_resource and friends may change (``metadata`` is the column of that name).
RESOURCE_FIELDS = frozenset(
    {
        "type_name",
        "physical_resource_id",
        "action",
        "status",
        "status_reason",
        "properties_data",
        "attribute_data",
        "metadata",
        "requires",
        "needed_by",
        "replaces",
        "replaced_by",
        "handle_token",
        "updated_at",
    }
)
_SEQUENCE_FIELDS = ("requires", "needed_by")
_MAPPING_FIELDS = ("properties_data", "attribute_data", "metadata")


def _column_values(fields: Mapping[str, Any], *, orm: bool = True) -> dict[str, Any]:
    """Field names → ORM attribute (or Core column) names, with JSON-friendly values."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _SEQUENCE_FIELDS:
            value = list(value or ())
        elif name in _MAPPING_FIELDS:
            value = dict(value or {})
        values["metadata_" if name == "metadata" and orm else name] = value
    return values


def _new_row(
    stack_id: str, name: str, type_name: str, fields: Mapping[str, Any], *, orm: bool = True
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "stack_id": stack_id,
        "name": name,
        "type_name": type_name,
        "physical_resource_id": None,
        "action": "INIT",
        "status": "COMPLETE",
        "status_reason": "",
        "properties_data": {},
        "attribute_data": {},
        "metadata_" if orm else "metadata": {},
        "requires": [],
        "needed_by": [],
        "replaces": None,
        "replaced_by": None,
        "handle_token": None,
        "created_at": utc_now(),
    }
    row.update(_column_values(fields, orm=orm))
    return row


def _current(stack_id: str, name: str) -> Any:
    return (
        select(Resource)
        .where(Resource.stack_id == stack_id, Resource.name == name, Resource.replaced_by.is_(None))
        .order_by(Resource.id.desc())
    )


class ResourceQueries(EventQueries):
    """Resources of stacks and their data (and the events that go with their changes)."""

    # -- creating ----------------------------------------------------------------------

    def create_or_get_resource(
        self, stack_id: str, name: str, type_name: str, **fields: Any
    ) -> ResourceRecord:
        """The stack's current resource ``name`` (not replaced), inserted with ``fields`` if missing.

        ``fields`` are names of ``RESOURCE_FIELDS``; an existing row is returned unchanged.
        """
        check_fields(fields, RESOURCE_FIELDS, "resource")
        with write_session(self.engine) as session:
            row = session.scalars(_current(stack_id, name).limit(1)).first()
            if row is None:
                row = Resource(**_new_row(stack_id, name, type_name, fields))
                session.add(row)
                session.flush()
            return resource_record(row)

    def create_resources(self, stack_id: str, resources: Sequence[NewResource]) -> list[ResourceRecord]:
        """Insert many resources in one transaction (one bulk insert); records in input order."""
        rows = [
            _new_row(
                stack_id,
                resource.name,
                resource.type_name,
                {
                    "action": resource.action,
                    "status": resource.status,
                    "status_reason": resource.status_reason,
                    "physical_resource_id": resource.physical_resource_id,
                    "properties_data": resource.properties_data,
                    "attribute_data": resource.attribute_data,
                    "metadata": resource.metadata,
                    "requires": resource.requires,
                    "needed_by": resource.needed_by,
                    "handle_token": resource.handle_token,
                },
            )
            for resource in resources
        ]
        if not rows:
            return []
        with write_session(self.engine) as session:
            created = session.scalars(
                insert(Resource).returning(Resource, sort_by_parameter_order=True), rows
            )
            return [resource_record(row) for row in created]

    def save_resource(self, stack_id: str, name: str, type_name: str, **fields: Any) -> int:
        """Insert or update the stack's current resource ``name``; returns its id.

        The engine's "store this resource's state now" in one short transaction.
        """
        return self.save_resources(stack_id, [ResourceChange(name, type_name, fields)])[0]

    def save_resources(
        self,
        stack_id: str,
        changes: Sequence[ResourceChange],
        *,
        data: Sequence[ResourceDataChange] = (),
        events: Sequence[NewEvent] = (),
    ) -> list[int]:
        """``save_resource`` for many resources in ONE transaction; ids in input order.

        Existing rows are changed by one bulk ``UPDATE ... WHERE id = ?`` per set of
        changed fields; missing ones are inserted. ``data`` (resource data of resources
        named in ``changes`` or already stored) and ``events`` are written in the same
        transaction, so a state is never stored without the event that announced it.
        """
        for change in changes:
            check_fields(change.fields, RESOURCE_FIELDS, "resource")
            check_fields(change.full_fields or {}, RESOURCE_FIELDS, "resource")
        if not changes and not data:
            self.add_events(events)
            return []
        table = table_of(Resource)
        names = list(dict.fromkeys([change.name for change in changes] + [item.name for item in data]))
        now = utc_now()
        with write_connection(self.engine) as connection:
            current: dict[str, int] = {}
            rows = connection.execute(
                select(table.c.id, table.c.name)
                .where(table.c.stack_id == stack_id, table.c.name.in_(names), table.c.replaced_by.is_(None))
                .order_by(table.c.id)
            )
            for resource_id, name in rows:
                current[name] = resource_id
            ids: list[int] = []
            merged: dict[int, dict[str, Any]] = {}
            for change in changes:
                resource_id = current.get(change.name)
                if resource_id is None:
                    values = _new_row(
                        stack_id, change.name, change.type_name, change.fields_for(None), orm=False
                    )
                    inserted = connection.execute(insert(table).values(**values))
                    primary_key = inserted.inserted_primary_key
                    assert primary_key is not None
                    resource_id = int(primary_key[0])
                    current[change.name] = resource_id
                else:
                    values = _column_values(change.fields_for(resource_id), orm=False)
                    values["type_name"] = change.type_name
                    values.setdefault("updated_at", now)
                    merged.setdefault(resource_id, {"resource_id": resource_id}).update(
                        {f"new_{column}": value for column, value in values.items()}
                    )
                ids.append(resource_id)
            # Later changes of a resource win; rows changing the same columns go in one statement.
            updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for values in merged.values():
                updates.setdefault(tuple(sorted(values)), []).append(values)
            for shape, rows_of_shape in updates.items():
                columns = [key.removeprefix("new_") for key in shape if key != "resource_id"]
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("resource_id"))
                    .values(
                        {column: bindparam(f"new_{column}", type_=table.c[column].type) for column in columns}
                    )
                )
                connection.execute(statement, rows_of_shape)
            self._write_data(connection, current, data)
            if events:
                connection.execute(insert(table_of(Event)), [event_row(event) for event in events])
        if events:
            self._purge_old_events({event.stack_id for event in events})
        return ids

    @staticmethod
    def _write_data(
        connection: Connection, current: Mapping[str, int], data: Sequence[ResourceDataChange]
    ) -> None:
        table = table_of(ResourceData)
        removed: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        for item in data:
            resource_id = current.get(item.name)
            if resource_id is None:
                continue
            for key in (*item.deleted, *item.values):
                removed.append({"target_id": resource_id, "target_key": key})
            for key, value in item.values.items():
                added.append(
                    {"resource_id": resource_id, "key": key, "value": value, "redact": key in item.redacted}
                )
        if removed:
            connection.execute(
                delete(table).where(
                    table.c.resource_id == bindparam("target_id"), table.c.key == bindparam("target_key")
                ),
                removed,
            )
        if added:
            connection.execute(insert(table), added)

    def create_replacement(
        self, resource_id: int, type_name: str | None = None, **fields: Any
    ) -> ResourceRecord:
        """A new row replacing ``resource_id`` (same stack and name), linked both ways.

        The new row starts ``INIT_COMPLETE`` unless ``fields`` say otherwise.
        """
        check_fields(fields, RESOURCE_FIELDS, "resource")
        with write_session(self.engine) as session:
            old = session.get(Resource, resource_id)
            if old is None:
                raise LookupError(f"no resource with id {resource_id}")
            fields = {"replaces": resource_id, **fields}
            row = Resource(**_new_row(old.stack_id, old.name, type_name or old.type_name, fields))
            session.add(row)
            session.flush()
            old.replaced_by = row.id
            old.updated_at = utc_now()
            session.flush()
            return resource_record(row)

    # -- changing ----------------------------------------------------------------------

    def update_resource(
        self,
        resource_id: int,
        *,
        expected_action: str | None = None,
        expected_status: str | None = None,
        **fields: Any,
    ) -> bool:
        """Change resource fields (``RESOURCE_FIELDS``); ``False`` if missing or a guard failed.

        ``updated_at`` is set to now unless given.
        """
        check_fields(fields, RESOURCE_FIELDS, "resource")
        with write_connection(self.engine) as connection:
            return self._update_resource(connection, resource_id, expected_action, expected_status, fields)

    @staticmethod
    def _update_resource(
        connection: Connection,
        resource_id: int,
        expected_action: str | None,
        expected_status: str | None,
        fields: Mapping[str, Any],
    ) -> bool:
        conditions = [Resource.id == resource_id]
        if expected_action is not None:
            conditions.append(Resource.action == expected_action)
        if expected_status is not None:
            conditions.append(Resource.status == expected_status)
        values = _column_values(fields, orm=False)
        values.setdefault("updated_at", utc_now())
        result = connection.execute(update(table_of(Resource)).where(*conditions).values(**values))
        return bool(rowcount(result))

    def update_resource_with_event(self, resource_id: int, event: NewEvent | None, **fields: Any) -> bool:
        """``update_resource`` and ``add_event`` in one transaction (fewer commits per resource)."""
        check_fields(fields, RESOURCE_FIELDS, "resource")
        with write_connection(self.engine) as connection:
            changed = self._update_resource(connection, resource_id, None, None, fields)
            if event is not None:
                connection.execute(insert(table_of(Event)), [event_row(event)])
            return changed

    def set_physical_id(self, resource_id: int, physical_resource_id: str | None) -> bool:
        """Store the physical id at once, in a transaction of its own (never lose a cloud object)."""
        return self.update_resource(resource_id, physical_resource_id=physical_resource_id)

    def delete_resource(self, resource_id: int) -> bool:
        """Remove the row and its data; a row it replaced or that replaced it is unlinked."""
        with write_session(self.engine) as session:
            session.execute(
                update(Resource).where(Resource.replaced_by == resource_id).values(replaced_by=None)
            )
            session.execute(update(Resource).where(Resource.replaces == resource_id).values(replaces=None))
            session.execute(delete(ResourceData).where(ResourceData.resource_id == resource_id))
            result = session.execute(delete(Resource).where(Resource.id == resource_id))
            return bool(rowcount(result))

    # -- reading -----------------------------------------------------------------------

    def get_resource(self, resource_id: int) -> ResourceRecord | None:
        with read_session(self.engine) as session:
            row = session.get(Resource, resource_id)
            return resource_record(row) if row is not None else None

    def find_resource(self, stack_id: str, name: str) -> ResourceRecord | None:
        """The stack's current resource of that name (the newest row not replaced)."""
        with read_session(self.engine) as session:
            row = session.scalars(_current(stack_id, name).limit(1)).first()
            return resource_record(row) if row is not None else None

    def get_resources(self, stack_id: str, *, include_replaced: bool = True) -> list[ResourceRecord]:
        """Every resource row of the stack in insertion order (one query)."""
        query = select(Resource).where(Resource.stack_id == stack_id).order_by(Resource.id)
        if not include_replaced:
            query = query.where(Resource.replaced_by.is_(None))
        with read_session(self.engine) as session:
            return [resource_record(row) for row in session.scalars(query)]

    def get_resources_of_stacks(self, stack_ids: Sequence[str]) -> dict[str, list[ResourceRecord]]:
        """Resources of several stacks (nested stacks) in one query, by stack id."""
        found: dict[str, list[ResourceRecord]] = {stack_id: [] for stack_id in stack_ids}
        if not stack_ids:
            return found
        query = select(Resource).where(Resource.stack_id.in_(list(stack_ids))).order_by(Resource.id)
        with read_session(self.engine) as session:
            for row in session.scalars(query):
                found[row.stack_id].append(resource_record(row))
        return found

    def find_resources_by_physical_id(
        self, physical_resource_id: str, project_id: str | None = None
    ) -> list[ResourceRecord]:
        """Resources of live stacks with this physical id (in the project when given)."""
        query = (
            select(Resource)
            .join(Stack, Stack.id == Resource.stack_id)
            .where(Resource.physical_resource_id == physical_resource_id, Stack.deleted_at.is_(None))
            .order_by(Resource.id)
        )
        if project_id is not None:
            query = query.where(Stack.project_id == project_id)
        with read_session(self.engine) as session:
            return [resource_record(row) for row in session.scalars(query)]

    # -- resource data -----------------------------------------------------------------

    def get_resource_data(self, resource_id: int) -> dict[str, str]:
        with read_session(self.engine) as session:
            rows = session.execute(
                select(ResourceData.key, ResourceData.value).where(ResourceData.resource_id == resource_id)
            )
            return {key: value for key, value in rows}

    def get_redacted_keys(self, resource_id: int) -> set[str]:
        """The keys stored with ``redact=True`` (shown masked to users)."""
        with read_session(self.engine) as session:
            rows = session.scalars(
                select(ResourceData.key).where(ResourceData.resource_id == resource_id, ResourceData.redact)
            )
            return set(rows)

    def get_stack_redacted_keys(self, stack_id: str) -> dict[int, frozenset[str]]:
        """The redacted data keys of every resource of the stack in one query, by resource id."""
        query = (
            select(ResourceData.resource_id, ResourceData.key)
            .join(Resource, Resource.id == ResourceData.resource_id)
            .where(Resource.stack_id == stack_id, ResourceData.redact)
        )
        found: dict[int, set[str]] = {}
        with read_session(self.engine) as session:
            for resource_id, key in session.execute(query):
                found.setdefault(resource_id, set()).add(key)
        return {resource_id: frozenset(keys) for resource_id, keys in found.items()}

    def get_stack_resource_data(self, stack_id: str) -> dict[int, dict[str, str]]:
        """Data of every resource of the stack in one query, by resource id."""
        query = (
            select(ResourceData.resource_id, ResourceData.key, ResourceData.value)
            .join(Resource, Resource.id == ResourceData.resource_id)
            .where(Resource.stack_id == stack_id)
        )
        found: dict[int, dict[str, str]] = {}
        with read_session(self.engine) as session:
            for resource_id, key, value in session.execute(query):
                found.setdefault(resource_id, {})[key] = value
        return found

    def set_resource_data(self, resource_id: int, key: str, value: str, *, redact: bool = False) -> None:
        self.set_resource_data_many(resource_id, {key: value}, redact=redact)

    def set_resource_data_many(
        self, resource_id: int, values: Mapping[str, str], *, redact: bool = False
    ) -> None:
        """Insert or replace several keys in one transaction."""
        if not values:
            return
        with write_session(self.engine) as session:
            existing = set(
                session.scalars(
                    select(ResourceData.key).where(
                        ResourceData.resource_id == resource_id, ResourceData.key.in_(list(values))
                    )
                )
            )
            for key, value in values.items():
                if key in existing:
                    session.execute(
                        update(ResourceData)
                        .where(ResourceData.resource_id == resource_id, ResourceData.key == key)
                        .values(value=value, redact=redact)
                    )
            fresh = [
                {"resource_id": resource_id, "key": key, "value": value, "redact": redact}
                for key, value in values.items()
                if key not in existing
            ]
            if fresh:
                session.execute(insert(ResourceData), fresh)

    def delete_resource_data(self, resource_id: int, key: str) -> bool:
        with write_session(self.engine) as session:
            result = session.execute(
                delete(ResourceData).where(ResourceData.resource_id == resource_id, ResourceData.key == key)
            )
            return bool(rowcount(result))
