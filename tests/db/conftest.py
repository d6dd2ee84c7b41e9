"""Database fixtures: SQLite, PostgreSQL and MariaDB/MySQL engines, migrated and empty.

Each SQLite test gets a copy of a file migrated once. PostgreSQL tests share one
migrated schema of ``$CALOR_TEST_POSTGRESQL_URL`` (default: the local server set up by
``scripts/postgresql-setup``), emptied before each test; they are skipped when the
server is unreachable, unless ``CALOR_REQUIRE_POSTGRESQL=1``, then they fail.
MariaDB/MySQL tests likewise use ``$CALOR_TEST_MYSQL_URL`` and ``CALOR_REQUIRE_MYSQL``.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, make_url, text

from calor.db.engine import current_revision, make_engine, upgrade
from calor.db.repository import Repository
from calor.db.tables import Base

POSTGRESQL_URL = os.environ.get(
    "CALOR_TEST_POSTGRESQL_URL", "postgresql+psycopg://calor:calor@127.0.0.1:5432/calor_test"
)
MYSQL_URL = os.environ.get("CALOR_TEST_MYSQL_URL", "mysql+pymysql://calor:calor@127.0.0.1:3306/calor_test")


def _unreachable(url: str, required_variable: str, what: str) -> None:
    message = f"{what} is not reachable at {url}"
    if os.environ.get(required_variable) == "1":
        pytest.fail(message)
    pytest.skip(message)


def _check_reachable(url: str, required_variable: str, what: str) -> None:
    engine = make_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        _unreachable(url, required_variable, what)
    finally:
        engine.dispose()


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
    _check_reachable(POSTGRESQL_URL, "CALOR_REQUIRE_POSTGRESQL", "PostgreSQL")
    with _postgresql_schema() as url:
        yield url


@contextmanager
def _postgresql_schema() -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRESQL_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRESQL_URL else "?"
    try:
        yield f"{POSTGRESQL_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_postgresql_engine() -> Iterator[Engine]:
    """One migrated schema for the session's PostgreSQL tests, emptied before each test."""
    _check_reachable(POSTGRESQL_URL, "CALOR_REQUIRE_POSTGRESQL", "PostgreSQL")
    with _postgresql_schema() as url:
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


@contextmanager
def _mysql_database() -> Iterator[str]:
    """A fresh, empty database (dropped afterwards), so concurrent test runs never share tables."""
    database = f"calor_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(MYSQL_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE DATABASE `{database}`"))
    url = make_url(MYSQL_URL).set(database=database).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP DATABASE `{database}`"))
        admin.dispose()


def _drop_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for (table,) in connection.execute(text("SHOW TABLES")).all():
            connection.execute(text(f"DROP TABLE `{table}`"))
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh, empty MariaDB/MySQL database for one test."""
    _check_reachable(MYSQL_URL, "CALOR_REQUIRE_MYSQL", "MariaDB/MySQL")
    with _mysql_database() as url:
        yield url


@pytest.fixture(scope="session")
def shared_mysql_engine() -> Iterator[Engine]:
    """An engine on a MariaDB/MySQL database of this session's own (dropped at the end)."""
    _check_reachable(MYSQL_URL, "CALOR_REQUIRE_MYSQL", "MariaDB/MySQL")
    with _mysql_database() as url:
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
