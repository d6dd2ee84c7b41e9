"""Fault injection and latency per operation, from configuration or the request header.

Operations are dotted names, ``<service>.<resource>.<action>`` (``compute.server.create``).
A rule is ``<pattern>=<effect>[:<value>][;nth=<N>][;fraction=<F>]`` where the pattern is
fnmatch-style (``compute.*``) and the effect is one of:

- ``fail[:<status>]``: the call is answered with an error (500 unless a status is given);
- ``error``: the call succeeds but the resource it creates or changes ends in ``ERROR``;
- ``latency:<seconds>``: the call sleeps first.

``nth=3`` applies the rule to the third matching call only (counted per rule and operation
since the process started); ``fraction=0.25`` to a random quarter of the calls. Several rules
are separated by commas, in configuration (``SandboxConfig.faults``) and in the request
header ``X-Calor-Sandbox-Fault: compute.server.create=error, image.*=latency:0.2``.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from calor.sandbox.framework.errors import BadRequest, InjectedFault

FAULT_HEADER = "X-Calor-Sandbox-Fault"
EFFECTS = ("fail", "error", "latency")


@dataclass(frozen=True)
class FaultRule:
    text: str
    pattern: str
    effect: str
    status: int = 500
    seconds: float = 0.0
    nth: int | None = None
    fraction: float | None = None

    def matches(self, operation: str) -> bool:
        return fnmatch.fnmatchcase(operation, self.pattern)


def parse_rule(text: str) -> FaultRule:
    """One rule; :class:`BadRequest` names what is wrong."""
    stripped = text.strip()
    pattern, separator, rest = stripped.partition("=")
    if not separator or not pattern.strip() or not rest.strip():
        raise BadRequest(f"Fault rule {stripped!r} is not '<operation>=<effect>'.")
    effect_text, *options = (part.strip() for part in rest.split(";"))
    effect, _, value = effect_text.partition(":")
    effect = effect.strip()
    if effect not in EFFECTS:
        raise BadRequest(f"Fault rule {stripped!r}: the effect must be one of {', '.join(EFFECTS)}.")
    status, seconds = 500, 0.0
    try:
        if effect == "fail" and value:
            status = int(value)
        if effect == "latency":
            seconds = float(value)
        nth: int | None = None
        fraction: float | None = None
        for option in options:
            name, _, option_value = option.partition("=")
            if name == "nth":
                nth = int(option_value)
            elif name == "fraction":
                fraction = float(option_value)
            elif name:
                raise BadRequest(f"Fault rule {stripped!r}: unknown option {name!r}.")
    except ValueError as error:
        raise BadRequest(f"Fault rule {stripped!r}: {error}") from error
    return FaultRule(stripped, pattern.strip(), effect, status, seconds, nth, fraction)


def parse_rules(text: str | Iterable[str]) -> list[FaultRule]:
    """Rules from a comma-separated string or from a sequence of such strings."""
    parts = text.split(",") if isinstance(text, str) else [p for item in text for p in item.split(",")]
    return [parse_rule(part) for part in parts if part.strip()]


@dataclass(frozen=True)
class Outcome:
    """What the handler must do besides its normal work: ``error_state`` asks it to put the
    resource it creates or changes in ``ERROR``."""

    error_state: bool = False


class FaultInjector:
    """Applies latency and fault rules to one call of an operation."""

    def __init__(
        self,
        rules: Iterable[FaultRule] = (),
        latency: Mapping[str, float] | None = None,
        *,
        randomness: random.Random | None = None,
    ) -> None:
        self.rules = list(rules)
        self.latency = dict(latency or {})
        self.randomness = randomness or random.Random()
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def replace(self, rules: Iterable[FaultRule], latency: Mapping[str, float]) -> None:
        """Change the standing rules and latency at run time (the control API, tests)."""
        with self._lock:
            self.rules = list(rules)
            self.latency = dict(latency)

    def _selected(self, rule: FaultRule, operation: str) -> bool:
        if not rule.matches(operation):
            return False
        with self._lock:
            key = (rule.text, operation)
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
        if rule.nth is not None and count != rule.nth:
            return False
        return rule.fraction is None or self.randomness.random() < rule.fraction

    def apply(self, operation: str, extra_rules: Iterable[FaultRule] = ()) -> Outcome:
        """Sleep the configured latency, then raise :class:`InjectedFault` or return the outcome."""
        delay = max(
            (seconds for pattern, seconds in self.latency.items() if fnmatch.fnmatchcase(operation, pattern)),
            default=0.0,
        )
        error_state = False
        failure: FaultRule | None = None
        for rule in [*self.rules, *extra_rules]:
            if not self._selected(rule, operation):
                continue
            if rule.effect == "latency":
                delay = max(delay, rule.seconds)
            elif rule.effect == "error":
                error_state = True
            elif failure is None:
                failure = rule
        if delay > 0:
            time.sleep(delay)
        if failure is not None:
            raise InjectedFault(f"Injected fault on {operation} ({failure.text}).", status=failure.status)
        return Outcome(error_state=error_state)
