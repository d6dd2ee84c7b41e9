"""The Alembic migrations build exactly the tables of calor.db.tables, on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from calor.db.engine import current_revision, downgrade, head_revision, make_engine, upgrade
from calor.db.repository import Repository
from calor.db.tables import Base

TABLES = {
    "alembic_version",
    "event",
    "job",
    "raw_template",
    "resource",
    "resource_data",
    "service",
    "snapshot",
    "stack",
    "stack_tag",
    "user_credentials",
}


def check_migrations(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() is not None
    assert set(inspect(engine).get_table_names()) == TABLES
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    # The schema works: a stack with a job, a resource and an event.
    repository = Repository(engine)
    stack, job = repository.create_stack_with_job(name="s", project_id="p", template={"a": [1, "b"]})
    repository.create_or_get_resource(stack.id, "r", "T", properties_data={"x": {"y": None}})
    claimed = repository.queue.claim("engine", 30)
    assert claimed is not None and claimed.id == job.id
    repository.queue.close()
    upgrade(engine)  # idempotent
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}


def test_migrations_on_sqlite(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    check_migrations(engine)
    engine.dispose()


@pytest.mark.postgresql
def test_migrations_on_postgresql(postgresql_schema_url: str) -> None:
    engine = make_engine(postgresql_schema_url)
    check_migrations(engine)
    engine.dispose()


@pytest.mark.mysql
def test_migrations_on_mariadb(mysql_url: str) -> None:
    engine = make_engine(mysql_url)
    check_migrations(engine)
    engine.dispose()


def test_upgrade_accepts_a_url(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    assert current_revision(sqlite_url) == head_revision()
