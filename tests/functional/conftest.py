"""Fixtures of the engine functional tests: a migrated database with a service and a worker."""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Iterator

import pytest
from engine_deployment import Deployment
from sqlalchemy import text

from calor.db.engine import make_engine

POSTGRESQL_URL = os.environ.get(
    "CALOR_TEST_POSTGRESQL_URL", "postgresql+psycopg://calor:calor@127.0.0.1:5432/calor_test"
)


@pytest.fixture
def deployment(tmp_path: pathlib.Path) -> Iterator[Deployment]:
    built = Deployment(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    yield built
    built.close()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A URL on a fresh PostgreSQL schema (skipped when the server is unreachable)."""
    admin = make_engine(POSTGRESQL_URL, pool_pre_ping=False)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRESQL_URL}"
        if os.environ.get("CALOR_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"engine_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRESQL_URL else "?"
    yield f"{POSTGRESQL_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
