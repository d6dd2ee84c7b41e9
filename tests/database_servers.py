"""The real database servers the tests use: their URLs and throwaway schemas and databases.

PostgreSQL: ``$CALOR_TEST_POSTGRESQL_URL`` (default: the local server set up by
``scripts/postgresql-setup``); each caller gets a fresh schema, dropped afterwards.
MariaDB/MySQL: ``$CALOR_TEST_MYSQL_URL``; each caller gets a fresh database. An unreachable
server skips the test, unless ``CALOR_REQUIRE_POSTGRESQL=1`` / ``CALOR_REQUIRE_MYSQL=1``
(CI), then it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url, text

from calor.db.engine import make_engine

POSTGRESQL_URL = os.environ.get(
    "CALOR_TEST_POSTGRESQL_URL", "postgresql+psycopg://calor:calor@127.0.0.1:5432/calor_test"
)
MYSQL_URL = os.environ.get("CALOR_TEST_MYSQL_URL", "mysql+pymysql://calor:calor@127.0.0.1:3306/calor_test")


def require_reachable(url: str, required_variable: str, what: str) -> None:
    """Skip the test (or fail it, when ``required_variable`` is ``1``) if ``url`` does not answer."""
    engine = make_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        message = f"{what} is not reachable at {url}"
        if os.environ.get(required_variable) == "1":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()


def require_postgresql() -> None:
    require_reachable(POSTGRESQL_URL, "CALOR_REQUIRE_POSTGRESQL", "PostgreSQL")


def require_mysql() -> None:
    require_reachable(MYSQL_URL, "CALOR_REQUIRE_MYSQL", "MariaDB/MySQL")


@contextmanager
def postgresql_schema(prefix: str = "test") -> Iterator[str]:
    """A URL whose connections use a fresh, empty PostgreSQL schema (dropped afterwards)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
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


@contextmanager
def mysql_database() -> Iterator[str]:
    """A URL of a fresh, empty database (dropped afterwards), so concurrent runs never share tables."""
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
