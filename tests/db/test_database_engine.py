"""make_engine: SQLite tuning, URL defaults, concurrent writers."""

from __future__ import annotations

import pathlib
import threading

import pytest
from sqlalchemy import Engine, select, text, update

from calor.db.engine import default_url, make_engine, read_session, state_directory, write_session
from calor.db.repository import Repository
from calor.db.tables import Stack


def test_sqlite_is_tuned(tmp_path: pathlib.Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'directory' / 'calor.sqlite'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    assert (tmp_path / "nested" / "directory" / "calor.sqlite").exists()
    engine.dispose()


def test_in_memory_sqlite_works_across_threads() -> None:
    engine = make_engine("sqlite://")
    from calor.db.engine import upgrade

    upgrade(engine)
    repository = Repository(engine)
    results: list[str] = []
    thread = threading.Thread(
        target=lambda: results.append(repository.create_stack(name="a", project_id="p", template={}).id)
    )
    thread.start()
    thread.join()
    assert repository.get_stack(results[0]) is not None


def test_default_url_uses_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.delenv("CALOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("CALOR_STATE_DIR", str(tmp_path))
    assert state_directory() == tmp_path
    assert default_url() == f"sqlite:///{tmp_path / 'calor.sqlite'}"
    monkeypatch.setenv("CALOR_DATABASE_URL", "postgresql+psycopg://x@y/z")
    assert default_url() == "postgresql+psycopg://x@y/z"
    monkeypatch.delenv("CALOR_STATE_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert state_directory() == tmp_path / "share" / "calor"  # where heat-all keeps it by default


def test_drivers_are_chosen_for_plain_urls() -> None:
    postgresql = make_engine("postgresql://user:secret@127.0.0.1/heat")
    assert postgresql.dialect.driver == "psycopg"
    mysql = make_engine("mysql://user:secret@127.0.0.1/heat")
    assert mysql.dialect.driver == "pymysql"
    assert mysql.url.query["charset"] == "utf8mb4"
    postgresql.dispose()
    mysql.dispose()


def test_concurrent_read_modify_write_never_reports_a_locked_database(sqlite_engine: Engine) -> None:
    """Each thread reads then writes in one transaction: deferred SQLite transactions would fail."""
    repository = Repository(sqlite_engine)
    stack_id = repository.create_stack(name="counter", project_id="p", template={}).id
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            for _ in range(25):
                with write_session(sqlite_engine) as session:
                    version = session.scalar(select(Stack.version).where(Stack.id == stack_id))
                    assert version is not None
                    session.execute(update(Stack).where(Stack.id == stack_id).values(version=version + 1))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with read_session(sqlite_engine) as session:
        assert session.scalar(select(Stack.version).where(Stack.id == stack_id)) == 200
        assert session.execute(text("SELECT 1")).scalar() == 1
