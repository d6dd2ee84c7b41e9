"""An engine that stops in the middle of replacing resources: the engine taking over resumes.

A replacement already made is kept, one still being made is finished (polled, under
its own physical name), and each old resource is deleted once the update succeeded:
no second replacement is made. The ledger plugin records every create and delete
outside the database, whichever engine process made it.
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
from calor.engine.operations.rows import ResourceRows


@pytest.fixture
def ledger(deployment: Deployment, tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    deployment.plugins.register(Ledger)
    yield tmp_path / "ledger"


def _body(
    ledger: pathlib.Path,
    swap: str,
    later: str = "one",
    gate: pathlib.Path | None = None,
    hold: pathlib.Path | None = None,
) -> dict[str, Any]:
    """``swap`` (held in ``handle_create`` by ``hold``) and ``later``, made after it; ``gate``
    holds the one that changes last while it is polled."""

    def entry(value: str, gated: bool = False) -> dict[str, Any]:
        properties = {"ledger": str(ledger), "value": value}
        if gated and gate is not None:
            properties["gate"] = str(gate)
        return {"type": "Test::Ledger", "properties": properties}

    swapped = entry(swap, gated=later == "one")
    if hold is not None:
        swapped["properties"]["hold"] = str(hold)
    return template(
        {
            "keep": entry("kept"),
            "swap": swapped,
            "user": {"type": "OS::Heat::Value", "properties": {"value": {"get_resource": "swap"}}},
            "later": {**entry(later, gated=later != "one"), "depends_on": ["user"]},
        },
        {"swap": {"value": {"get_attr": ["user", "value"]}}},
    )


def _created(deployment: Deployment, ledger: pathlib.Path) -> tuple[str, dict[str, str]]:
    """A stack made by an in-process engine that then stops; its id and physical ids."""
    worker = deployment.worker("engine-1")
    stack_id = deployment.create("swapping", _body(ledger, "one"))
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    deployment.last_job(stack_id)  # stopped before, the worker would give the create back
    worker.stop()
    return stack_id, {
        name: body["physical_resource_id"] for name, body in deployment.resources(stack_id).items()
    }


def _since_update(deployment: Deployment, stack_id: str) -> list[tuple[str, str]]:
    events = [(name, status) for name, status, _reason in deployment.events(stack_id)]
    return events[events.index(("swapping", "UPDATE_IN_PROGRESS")) + 1 :]


def _check_one_replacement_each(
    deployment: Deployment, stack_id: str, ledger: pathlib.Path, old: dict[str, str], replaced: list[str]
) -> dict[str, str]:
    """The update ended well; each of ``replaced`` has ONE replacement and its old one deleted once."""
    shown = deployment.wait(stack_id, timeout=30)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    resources = deployment.resources(stack_id)
    made: dict[str, str] = {}
    for name in replaced:
        creates = [entry for entry in entries(ledger) if entry[0] == "create" and entry[1] == name]
        assert [entry[4] for entry in creates] == ["one", "two"], name  # the original, then one replacement
        original, replacement = creates
        assert original[2] == old[name]
        assert replacement[3] != original[3]  # the replacement's own physical name
        assert resources[name]["physical_resource_id"] == replacement[2]
        assert resources[name]["resource_status"] == "CREATE_COMPLETE"
        made[name] = replacement[2]
    deletes = sorted(tuple(entry) for entry in entries(ledger) if entry[0] == "delete")
    assert deletes == sorted(("delete", name, old[name]) for name in replaced)
    assert shown["outputs"][0]["output_value"] == resources["swap"]["physical_resource_id"]
    assert len(deployment.repository.get_resources(stack_id)) == 4  # no replaced copy left
    events = _since_update(deployment, stack_id)
    for name in replaced:
        assert events.count((name, "CREATE_COMPLETE")) == 1, name
        assert events.count((name, "DELETE_COMPLETE")) == 1, name
    assert "keep" not in {name for name, _status in events}
    return made


def _rows(deployment: Deployment, stack_id: str, name: str) -> list[ResourceRecord]:
    return [row for row in deployment.repository.get_resources(stack_id) if row.name == name]


def _polled(row: ResourceRecord) -> bool:
    """A replacement being polled: made, its poll token stored."""
    return (
        row.replaces is not None
        and row.state == ("CREATE", "IN_PROGRESS")
        and isinstance(row.handle_token, dict)
        and "token" in row.handle_token
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


def test_killed_engine_mid_update_is_resumed_without_second_replacements(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """Killed with ``swap`` replaced (the old one not deleted yet) and ``later``'s replacement polled."""
    stack_id, old = _created(deployment, ledger)
    gate = tmp_path / "gate"
    url = deployment.engine.url.render_as_string(hide_password=False)
    doomed = engine_process(url, "engine-doomed", plugins=("ledger_plugin:Ledger",))
    deployment.service.update_stack(PROJECT, stack_id, _body(ledger, "two", later="two", gate=gate))
    _kill_when(doomed, lambda: any(_polled(row) for row in _rows(deployment, stack_id, "later")))
    [in_progress] = [row for row in _rows(deployment, stack_id, "later") if _polled(row)]
    swaps = {row.physical_resource_id: row for row in _rows(deployment, stack_id, "swap")}
    assert swaps[old["swap"]].replaced_by is not None  # replaced, not deleted yet
    [swap] = [row for row in swaps.values() if row.replaced_by is None]
    assert swap.state == ("CREATE", "COMPLETE")
    assert deployment.service.show_stack(PROJECT, stack_id)["stack_status"] == "UPDATE_IN_PROGRESS"

    deployment.worker("engine-2")
    gate.touch()
    made = _check_one_replacement_each(deployment, stack_id, ledger, old, ["swap", "later"])
    assert made == {"swap": swap.physical_resource_id, "later": in_progress.physical_resource_id}
    events = _since_update(deployment, stack_id)
    assert events.count(("later", "CREATE_IN_PROGRESS")) == 1  # polled on, not started again
    jobs = deployment.repository.queue.list_jobs(stack_id=stack_id)
    assert (jobs[-1].operation, jobs[-1].status, jobs[-1].engine_id, jobs[-1].attempts) == (
        "update",
        "done",
        "engine-2",
        2,
    )


def test_update_taken_over_after_the_replacement_row_was_stored(
    deployment: Deployment, ledger: pathlib.Path
) -> None:
    """The engine stopped right after storing the new row (``INIT``), before creating anything."""
    stack_id, old = _created(deployment, ledger)
    deployment.service.update_stack(PROJECT, stack_id, _body(ledger, "two"))
    job = deployment.repository.queue.claim("engine-dead", lease_seconds=0.3)
    assert job is not None and job.operation == "update"
    # What the stopped engine did: the replacement's row, the old one kept as its copy.
    ResourceRows(deployment.repository).keep_replaced(stack_id, "swap", "Test::Ledger", ())
    deployment.worker("engine-2")
    _check_one_replacement_each(deployment, stack_id, ledger, old, ["swap"])


def test_engine_stopped_while_the_replacement_is_polled(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """An engine stopped (its job given back) mid-replacement: the next one finishes it."""
    stack_id, old = _created(deployment, ledger)
    gate = tmp_path / "gate"
    first = deployment.worker("engine-3")
    deployment.service.update_stack(PROJECT, stack_id, _body(ledger, "two", gate=gate))
    deadline = time.monotonic() + 20
    while not any(_polled(row) for row in _rows(deployment, stack_id, "swap")):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.stop(timeout=10)
    assert deployment.service.show_stack(PROJECT, stack_id)["stack_status"] == "UPDATE_IN_PROGRESS"
    gate.touch()
    deployment.worker("engine-4")
    _check_one_replacement_each(deployment, stack_id, ledger, old, ["swap"])


def test_engine_killed_inside_the_replacement_s_handle_create(
    deployment: Deployment, ledger: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """Killed while ``handle_create`` of the replacement runs (no token stored): the next engine
    resumes that create under the replacement's physical name and adopts what it made."""
    stack_id, old = _created(deployment, ledger)
    hold = tmp_path / "hold"
    url = deployment.engine.url.render_as_string(hide_password=False)
    doomed = engine_process(url, "engine-doomed", plugins=("ledger_plugin:Ledger",))
    deployment.service.update_stack(PROJECT, stack_id, _body(ledger, "two", hold=hold))
    _kill_when(
        doomed,
        lambda: any(entry[:2] == ["create", "swap"] and entry[4] == "two" for entry in entries(ledger)),
    )
    [replacement] = [row for row in _rows(deployment, stack_id, "swap") if row.replaced_by is None]
    assert replacement.state == ("CREATE", "IN_PROGRESS") and not _polled(replacement)
    hold.touch()  # a second handle_create would not hang, it would show in the ledger
    deployment.worker("engine-2")
    _check_one_replacement_each(deployment, stack_id, ledger, old, ["swap"])
