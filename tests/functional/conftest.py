"""Fixtures of the engine functional tests: a migrated database with a service and a worker."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest
from database_servers import postgresql_schema, require_postgresql
from engine_deployment import Deployment


@pytest.fixture
def deployment(tmp_path: pathlib.Path) -> Iterator[Deployment]:
    built = Deployment(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    yield built
    built.close()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A URL on a fresh PostgreSQL schema (skipped when the server is unreachable)."""
    require_postgresql()
    with postgresql_schema("engine") as url:
        yield url
