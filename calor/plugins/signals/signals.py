"""Signals as handles receive and store them.

A signal is ``SUCCESS`` or ``FAILURE`` with an id, data and a reason. CloudFormation's
handle takes ``{"Status", "UniqueId", "Data", "Reason"}`` (cfn-signal sends all four);
Heat's takes ``{"status", "id", "data", "reason"}``, each optional. Each signal is
stored as resource data ``signal.<id>`` (JSON), so a second signal with the same id
replaces the first, as in Heat, and any process reads them from the database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from calor.errors import UserError

SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
STATUSES = (SUCCESS, FAILURE)
KEY_PREFIX = "signal."


class InvalidSignal(UserError):
    heat_type = "ValueError"


@dataclass(frozen=True)
class Signal:
    status: str
    reason: str
    data: Any
    unique_id: str
    received: float = 0.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "reason": self.reason,
                "data": self.data,
                "id": self.unique_id,
                "received": self.received,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Signal:
        raw = json.loads(text)
        return cls(
            str(raw["status"]),
            str(raw.get("reason") or ""),
            raw.get("data"),
            str(raw["id"]),
            float(raw.get("received") or 0.0),
        )


def _details(details: Any) -> Mapping[str, Any]:
    if isinstance(details, str | bytes):
        try:
            details = json.loads(details)
        except ValueError as error:
            raise InvalidSignal("The signal is not valid JSON.") from error
    if details is None:
        return {}
    if not isinstance(details, Mapping):
        raise InvalidSignal("The signal must be a JSON object.")
    return details


def parse_cfn_signal(details: Any) -> Signal:
    """CloudFormation's form: every key required, Status SUCCESS or FAILURE."""
    body = _details(details)
    missing = [key for key in ("Status", "UniqueId", "Data", "Reason") if key not in body]
    if missing:
        raise InvalidSignal(f"Metadata format invalid: missing {', '.join(missing)}")
    status = str(body["Status"])
    if status not in STATUSES:
        raise InvalidSignal(f"Metadata format invalid: Status must be SUCCESS or FAILURE, not {status}")
    return Signal(status, str(body["Reason"]), body["Data"], str(body["UniqueId"]), time.time())


def parse_heat_signal(details: Any, existing: int) -> Signal:
    """Heat's form: status defaults to SUCCESS, id to the count of signals so far plus one."""
    body = _details(details)
    status = str(body.get("status", SUCCESS))
    if status not in STATUSES:
        raise InvalidSignal(f"Unknown status {status}: expecting SUCCESS or FAILURE")
    unique_id = str(body["id"]) if body.get("id") is not None else str(existing + 1)
    reason = str(body.get("reason") or f"Signal {unique_id} received")
    return Signal(status, reason, body.get("data"), unique_id, time.time())


def stored_signals(data: Mapping[str, str]) -> list[Signal]:
    """The signals in a handle's resource data, oldest first."""
    found = [Signal.from_json(value) for key, value in data.items() if key.startswith(KEY_PREFIX)]
    return sorted(found, key=lambda signal: (signal.received, signal.unique_id))


def data_by_id(signals: list[Signal]) -> dict[str, Any]:
    """``{id: data}`` of the successful signals (the wait condition's data attribute)."""
    return {signal.unique_id: signal.data for signal in signals if signal.status == SUCCESS}
