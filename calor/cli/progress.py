"""``--wait``: follow a stack operation to its end, showing each resource's state as events arrive.

On a terminal a Rich live table shows every resource, its state and the elapsed time; elsewhere one
line per event is printed (the ``openstack stack event list`` log form). Progress goes to standard
error so that the command's own output (``-f json``) stays clean. A failed operation ends with the
failing resources, their reasons and their nested paths, and a non-zero exit status.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from calor.cli.errors import CommandError
from calor.cli.failures import Failure, find_failures
from calor.cli.results import as_mapping

IN_PROGRESS = "IN_PROGRESS"


def split_status(stack_status: str) -> tuple[str, str]:
    """``CREATE_IN_PROGRESS`` → ``("CREATE", "IN_PROGRESS")``."""
    action, _, status = (stack_status or "").partition("_")
    return action, status


@dataclass(frozen=True)
class StackState:
    """What a stack looked like: to tell a finished operation from the state before it started."""

    stack_status: str
    reason: str
    updated_time: str | None

    @classmethod
    def of(cls, stack: Any) -> StackState:
        data = as_mapping(stack)
        return cls(
            str(data.get("stack_status") or ""),
            str(data.get("stack_status_reason") or ""),
            data.get("updated_time"),
        )


@dataclass
class Outcome:
    """How the operation ended."""

    stack_name: str
    stack_status: str
    reason: str
    elapsed: float
    requested_action: str = ""
    failures: list[Failure] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """Complete, and not rolled back (unless a rollback is what was asked for)."""
        action, status = split_status(self.stack_status)
        return status == "COMPLETE" and (action != "ROLLBACK" or self.requested_action == "ROLLBACK")


def last_event_id(client: Any, stack: str) -> str | None:
    """The newest event's id, the marker from which ``--wait`` shows events of a new operation."""
    from heatclient import exc  # type: ignore[import-untyped]

    try:
        events = client.events.list(stack_id=stack, sort_dir="desc", limit=1)
    except exc.HTTPException:
        return None
    return getattr(events[0], "id", None) if events else None


@dataclass
class _Watch:
    action: str
    fresh: bool
    previous: StackState | None
    saw_in_progress: bool = False
    saw_stack_event: bool = False

    def finished(self, state: StackState) -> bool:
        action, status = split_status(state.stack_status)
        if status == IN_PROGRESS:
            self.saw_in_progress = True
            return False
        if action not in (self.action, "ROLLBACK"):
            return False
        return self.fresh or self.saw_in_progress or self.saw_stack_event or state != self.previous


def wait_for_stack(
    client: Any,
    stack: str,
    action: str,
    *,
    stream: TextIO,
    marker: str | None = None,
    previous: StackState | None = None,
    poll_seconds: float = 2.0,
    nested_depth: int = 0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Poll events and the stack until ``action`` ends; raise :class:`CommandError` if it failed."""
    from heatclient import exc

    stack_name = stack.split("/")[0]
    watch = _Watch(action, fresh=action in ("CREATE", "ADOPT"), previous=previous)
    view: _View = _LiveView(stream, stack_name, action, clock) if _is_terminal(stream) else _LogView(stream)
    start = clock()
    seen: set[str] = set()
    outcome: Outcome | None = None
    with view:
        while outcome is None:
            try:
                for event in _new_events(client, stack, marker, nested_depth):
                    data = as_mapping(event)
                    event_id = str(data.get("id", ""))
                    if event_id in seen:
                        continue
                    seen.add(event_id)
                    marker = event_id or marker
                    if _is_stack_event(data, stack_name) and split_status(
                        str(data.get("resource_status", ""))
                    )[1] in ("COMPLETE", "FAILED"):
                        watch.saw_stack_event = True
                    view.event(data, stack_name)
                current = StackState.of(client.stacks.get(stack, resolve_outputs=False))
            except exc.HTTPNotFound:
                if action != "DELETE":
                    raise CommandError(f"Stack not found: {stack_name}") from None
                current = StackState("DELETE_COMPLETE", "Stack deleted", None)
            view.stack(current)
            if (action == "DELETE" and current.stack_status == "DELETE_COMPLETE") or watch.finished(current):
                outcome = Outcome(stack_name, current.stack_status, current.reason, clock() - start, action)
            else:
                sleep(poll_seconds)
    if not outcome.succeeded:
        outcome.failures = find_failures(client, stack) or view.failed_events()
    view.finish(outcome)
    if not outcome.succeeded:
        raise CommandError(f"Stack {stack_name} {outcome.stack_status}: {outcome.reason}".rstrip(": "))
    return outcome


def _new_events(client: Any, stack: str, marker: str | None, nested_depth: int) -> list[Any]:
    from heatclient import exc  # type: ignore[import-untyped]
    from heatclient.common import event_utils  # type: ignore[import-untyped]

    if not nested_depth:
        arguments = {"marker": marker} if marker else {}
        return list(client.events.list(stack_id=stack, sort_dir="asc", **arguments))
    try:
        events: list[Any] = event_utils.get_events(
            client, stack_id=stack, event_args={"sort_dir": "asc"}, nested_depth=nested_depth, marker=marker
        )
    except exc.CommandError as error:
        # heatclient turns a missing stack into a CommandError while it walks nested stacks
        raise exc.HTTPNotFound(str(error)) from None
    return events


def log_line(event: dict[str, Any], label: str) -> str:
    """``2024-05-01 10:00:03Z [web]: CREATE_COMPLETE  state changed``, as ``openstack`` prints events."""
    time_text = str(event.get("event_time") or "").replace("T", " ")
    status = event.get("resource_status", "")
    return f"{time_text} [{label}]: {status}  {event.get('resource_status_reason') or ''}"


def _is_stack_event(event: dict[str, Any], stack_name: str) -> bool:
    return (
        event.get("resource_name") == stack_name
        and event.get("logical_resource_id", stack_name) == stack_name
    )


def _resource_label(event: dict[str, Any], stack_name: str) -> str:
    name = str(event.get("resource_name") or event.get("logical_resource_id") or "")
    owner = event.get("stack_name")
    if owner and owner != stack_name and name != owner:
        return f"{owner}.{name}"
    return name


class _View:
    """How progress is shown; the base shows nothing but keeps the failed events."""

    def __init__(self) -> None:
        self._failed: dict[str, Failure] = {}

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *exception: object) -> None:
        return None

    def event(self, event: dict[str, Any], stack_name: str) -> None:
        status = str(event.get("resource_status", ""))
        label = _resource_label(event, stack_name)
        if status.endswith("FAILED") and not _is_stack_event(event, stack_name):
            self._failed[label] = Failure(
                f"{stack_name}.{label}", "", status, str(event.get("resource_status_reason") or "")
            )

    def stack(self, state: StackState) -> None:
        return None

    def failed_events(self) -> list[Failure]:
        return list(self._failed.values())

    def finish(self, outcome: Outcome) -> None:
        return None


class _LogView(_View):
    """One line per event: ``2024-05-01 10:00:03 [web]: CREATE_COMPLETE  state changed``."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def event(self, event: dict[str, Any], stack_name: str) -> None:
        super().event(event, stack_name)
        self.stream.write(log_line(event, _resource_label(event, stack_name)) + "\n")
        self.stream.flush()

    def finish(self, outcome: Outcome) -> None:
        self.stream.write(_summary(outcome) + "\n")
        for failure in outcome.failures:
            self.stream.write(f"  {failure.describe()}\n")
        self.stream.flush()


class _LiveView(_View):
    """A Rich live table of every resource, refreshed as events arrive."""

    def __init__(self, stream: TextIO, stack_name: str, action: str, clock: Callable[[], float]) -> None:
        super().__init__()
        self.console = Console(file=stream)
        self.stack_name = stack_name
        self.stack_status = f"{action}_{IN_PROGRESS}"
        self.clock = clock
        self.start = clock()
        self.resources: dict[str, tuple[str, str]] = {}
        self.live = Live(self, console=self.console, refresh_per_second=4, transient=True)

    def __enter__(self) -> _View:
        self.live.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.live.stop()

    def event(self, event: dict[str, Any], stack_name: str) -> None:
        super().event(event, stack_name)
        if _is_stack_event(event, stack_name):
            return
        status = str(event.get("resource_status", ""))
        self.resources[_resource_label(event, stack_name)] = (
            status,
            str(event.get("resource_status_reason") or ""),
        )

    def stack(self, state: StackState) -> None:
        self.stack_status = state.stack_status

    def __rich__(self) -> RenderableType:
        elapsed = self.clock() - self.start
        header = Text.assemble(
            ("Stack ", "bold"),
            (self.stack_name, "bold cyan"),
            "  ",
            _styled(self.stack_status),
            f"  {_duration(elapsed)}",
        )
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("Resource")
        table.add_column("Status")
        table.add_column("Reason", overflow="ellipsis", no_wrap=True, max_width=60)
        for name, (status, reason) in self.resources.items():
            table.add_row(Text(name), _styled(status), Text(reason))
        return Group(header, table)

    def finish(self, outcome: Outcome) -> None:
        self.console.print(self.__rich__())
        self.console.print(Text(_summary(outcome), style="green" if outcome.succeeded else "bold red"))
        for failure in outcome.failures:
            self.console.print(Text("  " + failure.describe(), style="red"))


def _styled(status: str) -> Text:
    style = "yellow"
    if status.endswith("COMPLETE"):
        style = "green"
    elif status.endswith("FAILED"):
        style = "red"
    return Text(status, style=style)


def _summary(outcome: Outcome) -> str:
    reason = f": {outcome.reason}" if outcome.reason and not outcome.succeeded else ""
    return f"Stack {outcome.stack_name} {outcome.stack_status} after {_duration(outcome.elapsed)}{reason}"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f}s"


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
