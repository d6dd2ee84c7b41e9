"""Connecting to the database: engines, transactions and schema migrations.

``make_engine(url)`` accepts SQLite (``sqlite:///path``; WAL, ``synchronous=NORMAL``,
foreign keys, a busy timeout), PostgreSQL through psycopg 3 (``postgresql+psycopg://``)
and MySQL/MariaDB through PyMySQL (``mysql+pymysql://``). On SQLite a write transaction
starts with ``BEGIN IMMEDIATE`` so threads queue for the lock instead of failing with
"database is locked" when a read turns into a write.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

STATE_DIRECTORY_VARIABLE = "CALOR_STATE_DIR"
DATABASE_URL_VARIABLE = "CALOR_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_SECONDS = 60.0
_WRITE_OPTION = "calor_write"


def state_directory() -> pathlib.Path:
    """Where the embedded defaults keep their files: ``$CALOR_STATE_DIR`` or ``~/.local/share/calor``
    (heat-all's default state directory, so heat-manage and heat-engine find its database)."""
    configured = os.environ.get(STATE_DIRECTORY_VARIABLE)
    if configured:
        return pathlib.Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(pathlib.Path.home() / ".local" / "share")
    return pathlib.Path(base) / "calor"


def default_url() -> str:
    """``$CALOR_DATABASE_URL``, else a SQLite file in the state directory."""
    configured = os.environ.get(DATABASE_URL_VARIABLE)
    if configured:
        return configured
    return f"sqlite:///{state_directory() / 'calor.sqlite'}"


def make_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for ``url`` (``default_url()`` when ``None``), tuned for the backend.

    A SQLite file's directory is created when missing. ``sqlite://`` (in memory) shares
    one connection between threads: fine for small tests, not for concurrent writers.
    """
    parsed = make_url(url or default_url())
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _make_sqlite_engine(parsed.render_as_string(hide_password=False), options)
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "mysql":
        if parsed.drivername == "mysql":
            parsed = parsed.set(drivername="mysql+pymysql")
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        options.setdefault("isolation_level", "READ COMMITTED")
    options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **options)


def _make_sqlite_engine(url: str, options: dict[str, Any]) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
    connect_args: dict[str, Any] = dict(options.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_SECONDS)
    connect_args.setdefault("check_same_thread", False)
    if in_memory:
        options.setdefault("poolclass", pool.StaticPool)
    else:
        pathlib.Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, its transactions marked as writes (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(**{_WRITE_OPTION: True})


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on error."""
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one write transaction (cheaper than a session for plain DML)."""
    with writer(engine).begin() as connection:
        yield connection


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads (one transaction, rolled back at the end)."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "calor.db:migrations")
    config.attributes["connection"] = connection
    return config


def _as_engine(engine_or_url: Engine | str | None) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url), True


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` (``heat-manage db sync``)."""
    from alembic import command

    engine, owned = _as_engine(engine_or_url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)
    finally:
        if owned:
            engine.dispose()


def downgrade(engine_or_url: Engine | str | None, revision: str) -> None:
    """Run the Alembic migrations down to ``revision`` (``base`` drops every table)."""
    from alembic import command

    engine, owned = _as_engine(engine_or_url)
    try:
        with engine.begin() as connection:
            command.downgrade(_alembic_config(connection), revision)
    finally:
        if owned:
            engine.dispose()


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The schema revision the database is at (``None`` before the first ``upgrade``)."""
    from alembic.runtime.migration import MigrationContext

    engine, owned = _as_engine(engine_or_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def head_revision() -> str | None:
    """The newest revision the installed migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "calor.db:migrations")
    return ScriptDirectory.from_config(config).get_current_head()
