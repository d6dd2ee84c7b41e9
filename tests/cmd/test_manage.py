"""heat-manage, driven through main(argv)."""

from __future__ import annotations

import datetime
import io
import pathlib

import pytest

from calor.cmd.manage import main
from calor.db.engine import head_revision, make_engine
from calor.db.repository import Repository


def run(*argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    err = io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def url(tmp_path: pathlib.Path) -> str:
    database_url = f"sqlite:///{tmp_path / 'heat.sqlite'}"
    assert run("--database-url", database_url, "db", "sync")[0] == 0
    return database_url


@pytest.fixture
def repository(url: str) -> Repository:
    return Repository(make_engine(url))


def test_db_version_before_and_after_sync(tmp_path: pathlib.Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert run("--database-url", database_url, "db", "version") == (0, "None\n", "")
    status, output, _ = run("--database-url", database_url, "db", "sync")
    assert status == 0 and head_revision() in output
    assert run("--database-url", database_url, "db", "version") == (0, f"{head_revision()}\n", "")


def test_database_from_a_heat_conf(tmp_path: pathlib.Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'conf.sqlite'}"
    config = tmp_path / "heat.conf"
    config.write_text(f"[DEFAULT]\ndebug = true\n\n[database]\nconnection = {database_url}\n")
    assert run("--config-file", str(config), "db", "sync")[0] == 0
    assert run("--database-url", database_url, "db", "version")[1].strip() == head_revision()
    status, _, error = run("--config-file", str(tmp_path / "missing.conf"), "db", "version")
    assert status == 1 and "missing.conf" in error


def test_database_from_the_environment(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALOR_DATABASE_URL", f"sqlite:///{tmp_path / 'environment.sqlite'}")
    assert run("db", "sync")[0] == 0
    assert (tmp_path / "environment.sqlite").exists()


def test_purge_deleted(url: str, repository: Repository) -> None:
    stack = repository.create_stack(name="old", project_id="p", template={})
    repository.soft_delete_stack(stack.id)
    status, output, _ = run("--database-url", url, "purge_deleted", "1")
    assert status == 0 and output.startswith("Purged 0 stacks")
    status, output, _ = run("--database-url", url, "purge_deleted", "--granularity", "seconds", "0")
    assert status == 0 and output.startswith("Purged 1 stacks, 0 resources, 0 events, 1 raw templates")
    assert repository.get_stack(stack.id, show_deleted=True) is None


def test_purge_deleted_refuses_a_negative_age(url: str) -> None:
    status, _, error = run("--database-url", url, "purge_deleted", "-g", "hours", "--", "-3")
    assert status == 1 and "positive" in error


def test_reset_stack_status(url: str, repository: Repository) -> None:
    stack = repository.create_stack(name="stuck", project_id="p", template={})
    status, output, _ = run("--database-url", url, "reset_stack_status", stack.id)
    assert status == 0 and "CREATE_FAILED" in output
    reset = repository.get_stack(stack.id)
    assert reset is not None and reset.status_reason == "Stack status manually reset"
    status, _, error = run("--database-url", url, "reset_stack_status", "missing")
    assert status == 1 and "could not be found" in error


def test_service_list_and_clean(url: str, repository: Repository) -> None:
    repository.register_service("engine-up", "host-a")
    repository.register_service("engine-gone", "host-b")
    repository.stop_service("engine-gone")
    status, output, _ = run("--database-url", url, "service", "list")
    lines = output.splitlines()
    assert status == 0
    assert lines[0].split() == ["Hostname", "Binary", "Engine_Id", "Host", "Topic", "Updated_At", "Status"]
    rows = {line.split()[2]: line.split() for line in lines[1:]}
    assert rows["engine-up"][-1] == "up" and rows["engine-gone"][-1] == "down"
    assert rows["engine-up"][1] == "heat-engine"
    datetime.datetime.fromisoformat(rows["engine-up"][5])
    status, output, _ = run("--database-url", url, "service", "clean")
    assert status == 0 and "engine-gone" in output
    assert [service.engine_id for service in repository.list_services()] == ["engine-up"]


def test_unknown_commands_exit_with_usage() -> None:
    with pytest.raises(SystemExit) as exited:
        run("db", "explode")
    assert exited.value.code == 2
