"""--wait: when an operation counts as finished, and how progress is drawn."""

from __future__ import annotations

import io

from rich.console import Console

from calor.cli.failures import Failure
from calor.cli.progress import Outcome, StackState, _LiveView, _LogView, _Watch, split_status


def state(status: str, updated: str | None = None, reason: str = "") -> StackState:
    return StackState(status, reason, updated)


def test_split_status() -> None:
    assert split_status("CREATE_IN_PROGRESS") == ("CREATE", "IN_PROGRESS")
    assert split_status("ROLLBACK_COMPLETE") == ("ROLLBACK", "COMPLETE")


def test_a_new_stack_finishes_at_its_first_complete_state() -> None:
    watch = _Watch("CREATE", fresh=True, previous=None)
    assert not watch.finished(state("CREATE_IN_PROGRESS"))
    assert watch.finished(state("CREATE_COMPLETE"))


def test_an_update_ignores_the_state_from_before_it_started() -> None:
    before = state("UPDATE_COMPLETE", "2024-01-01T00:00:00Z", "done")
    watch = _Watch("UPDATE", fresh=False, previous=before)
    assert not watch.finished(before)
    assert not watch.finished(state("CREATE_COMPLETE"))
    assert watch.finished(state("UPDATE_COMPLETE", "2024-01-01T00:05:00Z", "done"))


def test_an_update_finishes_after_it_was_seen_in_progress() -> None:
    before = state("UPDATE_COMPLETE", "t", "done")
    watch = _Watch("UPDATE", fresh=False, previous=before)
    assert not watch.finished(state("UPDATE_IN_PROGRESS", "t", "done"))
    assert watch.finished(before)


def test_a_rollback_ends_the_wait_but_is_a_failure() -> None:
    watch = _Watch("UPDATE", fresh=False, previous=state("CREATE_COMPLETE"))
    assert watch.finished(state("ROLLBACK_COMPLETE"))
    assert not Outcome("web", "ROLLBACK_COMPLETE", "", 1.0, "UPDATE").succeeded
    assert Outcome("web", "ROLLBACK_COMPLETE", "", 1.0, "ROLLBACK").succeeded
    assert Outcome("web", "UPDATE_COMPLETE", "", 1.0, "UPDATE").succeeded
    assert not Outcome("web", "UPDATE_FAILED", "", 1.0, "UPDATE").succeeded


def test_log_view_prints_events_and_the_failures() -> None:
    stream = io.StringIO()
    view = _LogView(stream)
    view.event(
        {
            "id": "1",
            "event_time": "2024-05-01T10:00:03Z",
            "resource_name": "web",
            "resource_status": "CREATE_FAILED",
            "resource_status_reason": "no flavor",
        },
        "app",
    )
    assert view.failed_events() == [Failure("app.web", "", "CREATE_FAILED", "no flavor")]
    outcome = Outcome("app", "CREATE_FAILED", "Resource CREATE failed", 3.25, "CREATE", view.failed_events())
    view.finish(outcome)
    assert stream.getvalue().splitlines() == [
        "2024-05-01 10:00:03Z [web]: CREATE_FAILED  no flavor",
        "Stack app CREATE_FAILED after 3.2s: Resource CREATE failed",
        "  app.web CREATE_FAILED: no flavor",
    ]


def test_live_view_draws_every_resource_with_the_elapsed_time() -> None:
    ticks = iter([100.0, 165.0])
    view = _LiveView(io.StringIO(), "app", "CREATE", lambda: next(ticks))
    for name, status in (("db", "CREATE_COMPLETE"), ("web", "CREATE_IN_PROGRESS")):
        view.event({"id": name, "resource_name": name, "resource_status": status}, "app")
    view.event({"id": "s", "resource_name": "app", "resource_status": "CREATE_IN_PROGRESS"}, "app")
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None).print(view.__rich__())
    lines = buffer.getvalue().splitlines()
    assert lines[0].strip() == "Stack app  CREATE_IN_PROGRESS  1m05s"
    assert [line.split()[:2] for line in lines[2:]] == [
        ["db", "CREATE_COMPLETE"],
        ["web", "CREATE_IN_PROGRESS"],
    ]
