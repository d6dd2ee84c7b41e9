"""Database fixtures: SQLite, PostgreSQL and MariaDB/MySQL engines, migrated and empty.

Each SQLite test gets a copy of a file migrated once. PostgreSQL tests share one migrated
schema, emptied before each test; MariaDB/MySQL tests one database of the session. The
servers and their skip-or-fail rules are in ``tests/database_servers.py``.
"""

from __future__ import annotations

import pathlib
import shutil
from collections.abc import Iterator

import pytest
from database_servers import mysql_database, postgresql_schema, require_mysql, require_postgresql
from sqlalchemy import Engine, text

from calor.db.engine import current_revision, make_engine, upgrade
from calor.db.repository import Repository
from calor.db.tables import Base


@pytest.fixture
def sqlite_url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'calor.sqlite'}"


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(tmp_path: pathlib.Path, migrated_sqlite_file: pathlib.Path) -> Iterator[Engine]:
    path = tmp_path / "migrated.sqlite"
    shutil.copyfile(migrated_sqlite_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgresql_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema (dropped afterwards)."""
    require_postgresql()
    with postgresql_schema() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgresql_engine() -> Iterator[Engine]:
    """One migrated schema for the session's PostgreSQL tests, emptied before each test."""
    require_postgresql()
    with postgresql_schema() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def postgresql_engine(migrated_postgresql_engine: Engine) -> Engine:
    with migrated_postgresql_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return migrated_postgresql_engine


def _drop_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for (table,) in connection.execute(text("SHOW TABLES")).all():
            connection.execute(text(f"DROP TABLE `{table}`"))
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh, empty MariaDB/MySQL database for one test."""
    require_mysql()
    with mysql_database() as url:
        yield url


@pytest.fixture(scope="session")
def shared_mysql_engine() -> Iterator[Engine]:
    """An engine on a MariaDB/MySQL database of this session's own (dropped at the end)."""
    require_mysql()
    with mysql_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def mysql_engine(shared_mysql_engine: Engine) -> Engine:
    """The migrated MariaDB/MySQL test database, emptied (migrated again if a test dropped it)."""
    if current_revision(shared_mysql_engine) is None:
        _drop_all_tables(shared_mysql_engine)
        upgrade(shared_mysql_engine)
    with shared_mysql_engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return shared_mysql_engine


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def database(request: pytest.FixtureRequest) -> Engine:
    """A migrated database engine: SQLite, PostgreSQL, then MariaDB/MySQL."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture
def repository(database: Engine) -> Iterator[Repository]:
    repository = Repository(database)
    yield repository
    repository.queue.close()
