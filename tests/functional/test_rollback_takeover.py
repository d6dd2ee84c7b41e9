"""An engine that stops while rolling back a failed update (or create): the next one goes on rolling back.

The stack is ``ROLLBACK_IN_PROGRESS`` from the start of the rollback, so the next engine
continues it from the stored resources (replaced copies restored, removals deleted) and
never applies the failed update again: the ledger (every create and delete, whichever
process made it) shows each resource made and deleted once.
"""

from __future__ import annotations

import pathlib
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from engine_deployment import PROJECT, Deployment, engine_process, template
from ledger_plugin import Ledger, entries

from calor.db.records import ResourceRecord


@pytest.fixture
def ledger(deployment: Deployment, tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    deployment.plugins.register(Ledger)
    yield tmp_path / "ledger"


def _entry(ledger: pathlib.Path, value: str, delete_gate: pathlib.Path | None = None) -> dict[str, Any]:
    properties = {"ledger": str(ledger), "value": value}
    if delete_gate is not None:
        properties["delete_gate"] = str(delete_gate)
    return {"type": "Test::Ledger", "properties": properties}


def _first(ledger: pathlib.Path) -> dict[str, Any]:
    return template({"keep": _entry(ledger, "kept"), "swap": _entry(ledger, "one")})


def _failing(
    ledger: pathlib.Path, *, swap_gate: pathlib.Path | None, added_gate: pathlib.Path | None
) -> dict[str, Any]:
    """``swap`` replaced, ``added`` new, then ``bad`` fails: the rollback deletes the replacement
    and ``added`` (each waiting for its gate while its delete is polled)."""
    return template(
        {
            "keep": _entry(ledger, "kept"),
            "swap": _entry(ledger, "two", swap_gate),
            "added": _entry(ledger, "new", added_gate),
            "bad": {
                "type": "OS::Heat::TestResource",
                "properties": {"fail": True},
                "depends_on": ["swap", "added"],
            },
        }
    )


def _created(deployment: Deployment, ledger: pathlib.Path) -> tuple[str, dict[str, str]]:
    worker = deployment.worker("engine-1")
    stack_id = deployment.create("rolling", _first(ledger), disable_rollback=False)
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    deployment.last_job(stack_id)  # stopped before, the worker would give the create back
    worker.stop()
    return stack_id, {
        name: body["physical_resource_id"] for name, body in deployment.resources(stack_id).items()
    }


def _rows(deployment: Deployment, stack_id: str, name: str) -> list[ResourceRecord]:
    return [row for row in deployment.repository.get_resources(stack_id) if row.name == name]


def _delete_polled(deployment: Deployment, stack_id: str, name: str) -> bool:
    """A delete of ``name`` started (its token stored) and being polled, the stack rolling back."""
    stack = deployment.repository.get_stack(stack_id)
    if stack is None or stack.state != ("ROLLBACK", "IN_PROGRESS"):
        return False
    return any(
        row.state == ("DELETE", "IN_PROGRESS")
        and isinstance(row.handle_token, dict)
        and "token" in row.handle_token
        for row in _rows(deployment, stack_id, name)
    )


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    """SIGKILL ``process`` once ``ready()`` (within 30 s)."""
    try:
        deadline = time.monotonic() + 30
        while not ready():
            assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
            assert time.monotonic() < deadline, "the engine never got there"
            time.sleep(0.02)
    finally:
        process.kill()
        process.wait(10)


def _check_rolled_back_once(
    deployment: Deployment, stack_id: str, ledger: pathlib.Path, old: dict[str, str], taken_over_by: str
) -> None:
    """ROLLBACK_COMPLETE; the update's resources were made once and deleted once; the rest kept."""
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "ROLLBACK_COMPLETE", shown["stack_status_reason"]
    creates = [(entry[1], entry[4]) for entry in entries(ledger) if entry[0] == "create"]
    assert sorted(creates) == [("added", "new"), ("keep", "kept"), ("swap", "one"), ("swap", "two")]
    made = {(entry[1], entry[4]): entry[2] for entry in entries(ledger) if entry[0] == "create"}
    deletes = sorted((entry[1], entry[2]) for entry in entries(ledger) if entry[0] == "delete")
    assert deletes == sorted([("added", made[("added", "new")]), ("swap", made[("swap", "two")])])
    resources = deployment.resources(stack_id)
    assert {name: body["physical_resource_id"] for name, body in resources.items()} == old
    assert len(deployment.repository.get_resources(stack_id)) == 2  # no copy, no removed row left
    events = [(name, status) for name, status, _reason in deployment.events(stack_id)]
    assert events.count(("rolling", "UPDATE_IN_PROGRESS")) == 1  # the update never ran again
    assert events.count(("rolling", "ROLLBACK_IN_PROGRESS")) == 1
    stack = deployment.repository.get_stack(stack_id)
    assert stack is not None
    raw = deployment.repository.get_raw_template(stack.raw_template_id or 0)
    assert raw is not None and sorted(raw.template["resources"]) == ["keep", "swap"]
    job = deployment.last_job(stack_id)
    assert (job.operation, job.status, job.engine_id, job.attempts) == ("update", "done", taken_over_by, 2)


def test_engine_killed_while_the_rollback_deletes_what_the_update_added(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """Killed after the replacement was deleted and its original restored, with ``added``'s
    delete being polled: the next engine polls that delete on and ends the rollback."""
    stack_id, old = _created(deployment, ledger)
    gate = tmp_path / "gate"
    url = deployment.engine.url.render_as_string(hide_password=False)
    doomed = engine_process(url, "engine-doomed", plugins=("ledger_plugin:Ledger",))
    deployment.service.update_stack(
        PROJECT, stack_id, _failing(ledger, swap_gate=None, added_gate=gate), disable_rollback=False
    )
    _kill_when(doomed, lambda: _delete_polled(deployment, stack_id, "added"))
    [swap] = _rows(deployment, stack_id, "swap")
    assert swap.physical_resource_id == old["swap"]  # the original is current again
    gate.touch()
    deployment.worker("engine-2")
    _check_rolled_back_once(deployment, stack_id, ledger, old, "engine-2")


def test_engine_stopped_while_the_rollback_deletes_a_replacement(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """Stopped (its job given back) while the replacement's delete is polled, before the
    original was made current again: the next engine finishes restoring it."""
    stack_id, old = _created(deployment, ledger)
    gate = tmp_path / "gate"
    first = deployment.worker("engine-3")
    deployment.service.update_stack(
        PROJECT, stack_id, _failing(ledger, swap_gate=gate, added_gate=None), disable_rollback=False
    )
    deadline = time.monotonic() + 20
    while not _delete_polled(deployment, stack_id, "swap"):
        assert time.monotonic() < deadline, "the rollback never got there"
        time.sleep(0.02)
    first.stop(timeout=10)
    assert deployment.service.show_stack(PROJECT, stack_id)["stack_status"] == "ROLLBACK_IN_PROGRESS"
    assert len(_rows(deployment, stack_id, "swap")) == 2  # the replacement and its original
    gate.touch()
    deployment.worker("engine-4")
    _check_rolled_back_once(deployment, stack_id, ledger, old, "engine-4")


def test_cancelled_update_whose_rollback_was_interrupted_goes_on_rolling_back(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """``cancel_update`` rolls back; stopped during that rollback, its job goes on with it."""
    stack_id, old = _created(deployment, ledger)
    create_gate, delete_gate = tmp_path / "create-gate", tmp_path / "delete-gate"
    added = _entry(ledger, "new", delete_gate)
    added["properties"]["gate"] = str(create_gate)
    body = template({"keep": _entry(ledger, "kept"), "swap": _entry(ledger, "one"), "added": added})
    first = deployment.worker("engine-5")
    deployment.service.update_stack(PROJECT, stack_id, body, disable_rollback=False)
    deadline = time.monotonic() + 20
    while not any(row.state == ("CREATE", "IN_PROGRESS") for row in _rows(deployment, stack_id, "added")):
        assert time.monotonic() < deadline, "the update never got there"
        time.sleep(0.02)
    deployment.service.stack_action(PROJECT, stack_id, "cancel_update")
    while not _delete_polled(deployment, stack_id, "added"):
        assert time.monotonic() < deadline, "the rollback never got there"
        time.sleep(0.02)
    first.stop(timeout=10)
    delete_gate.touch()
    deployment.worker("engine-6")
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "ROLLBACK_COMPLETE", shown["stack_status_reason"]
    made = {entry[1]: entry[2] for entry in entries(ledger) if entry[0] == "create"}
    assert sorted(entry[1] for entry in entries(ledger) if entry[0] == "create") == ["added", "keep", "swap"]
    assert [entry[1:3] for entry in entries(ledger) if entry[0] == "delete"] == [["added", made["added"]]]
    assert {
        name: body["physical_resource_id"] for name, body in deployment.resources(stack_id).items()
    } == old
    job = deployment.last_job(stack_id)
    assert (job.operation, job.status, job.engine_id, job.attempts) == (
        "cancel_update",
        "done",
        "engine-6",
        2,
    )


def test_engine_killed_while_a_failed_create_rolls_back(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """The create's job taken over with the stack ``ROLLBACK_IN_PROGRESS``: nothing is created again."""
    gate = tmp_path / "gate"
    body = template(
        {
            "made": _entry(ledger, "made", gate),
            "bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}, "depends_on": ["made"]},
        }
    )
    url = deployment.engine.url.render_as_string(hide_password=False)
    doomed = engine_process(url, "engine-doomed", plugins=("ledger_plugin:Ledger",))
    stack_id = deployment.create("rolling", body, disable_rollback=False)
    _kill_when(doomed, lambda: _delete_polled(deployment, stack_id, "made"))
    gate.touch()
    deployment.worker("engine-7")
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "ROLLBACK_COMPLETE", shown["stack_status_reason"]
    [created] = [entry for entry in entries(ledger) if entry[0] == "create"]
    assert [entry[1:3] for entry in entries(ledger) if entry[0] == "delete"] == [["made", created[2]]]
    events = [(name, status) for name, status, _reason in deployment.events(stack_id)]
    assert events.count(("rolling", "CREATE_IN_PROGRESS")) == 1
    assert events.count(("rolling", "ROLLBACK_IN_PROGRESS")) == 1
    job = deployment.last_job(stack_id)
    assert (job.operation, job.status, job.engine_id, job.attempts) == ("create", "done", "engine-7", 2)
