"""OS::Heat::Delay: waits a configurable time during chosen actions, by polling, never sleeping.

The handle hooks return ``[action, deadline]`` (wall-clock seconds) as the token and the
checks compare the clock with the deadline, so no thread is held while waiting and another
engine can take over the wait.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues, Range
from calor.schema.properties import LIST, NUMBER, PropertySchema, SupportStatus

ALLOWED_ACTIONS = ("CREATE", "DELETE", "SUSPEND", "RESUME")

_random = secrets.SystemRandom()


class Delay(ResourcePlugin):
    """A resource that pauses for a configurable delay.

    The delay occurs after any resource it depends on during CREATE or SUSPEND, and before
    any resource it depends on during DELETE or RESUME. A non-zero maximum jitter adds a
    random delay, uniform between 0 and max_jitter * jitter_multiplier seconds, to the
    minimum wait: useful in the scaled unit of a large group to avoid a thundering herd.
    """

    type_name: ClassVar[str] = "OS::Heat::Delay"
    self_contained: ClassVar[bool] = True
    support_status: ClassVar[SupportStatus] = SupportStatus(version="11.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "min_wait": PropertySchema(
            NUMBER,
            "Minimum time in seconds to wait during the specified actions.",
            default=0,
            update_allowed=True,
            constraints=(Range(min=0),),
        ),
        "max_jitter": PropertySchema(
            NUMBER,
            "Maximum jitter to add to the minimum wait time.",
            default=0,
            update_allowed=True,
            constraints=(Range(min=0),),
        ),
        "jitter_multiplier": PropertySchema(
            NUMBER,
            "Number of seconds to multiply the maximum jitter value by.",
            default=1.0,
            update_allowed=True,
            constraints=(Range(min=0),),
        ),
        "actions": PropertySchema(
            LIST,
            "Actions during which the delay will occur.",
            default=["CREATE"],
            update_allowed=True,
            constraints=(AllowedValues(values=ALLOWED_ACTIONS),),
        ),
    }

    def maximum_wait(self) -> float:
        """The longest wait of one action, in seconds (Heat checks it against the stack timeout)."""
        jitter = self.properties["max_jitter"] * self.properties["jitter_multiplier"]
        return float(self.properties["min_wait"] + jitter)

    def wait_seconds(self, action: str) -> float:
        """A (randomised) wait for ``action``; 0 for actions not in ``actions``."""
        if action not in (self.properties["actions"] or []):
            return 0.0
        jitter = self.properties["max_jitter"] * self.properties["jitter_multiplier"]
        return float(self.properties["min_wait"] + jitter * _random.random())

    def _start(self, action: str) -> list[Any]:
        return [action, self.now() + self.wait_seconds(action)]

    def _complete(self, token: Any) -> bool:
        if not token:
            return True
        return self.now() >= float(token[1])

    def checks_block(self) -> bool:
        return False

    def check_due(self, token: Any) -> float | None:
        return float(token[1]) if token else None

    def handle_create(self) -> Any:
        return self._start("CREATE")

    def check_create_complete(self, token: Any) -> bool:
        return self._complete(token)

    def handle_delete(self) -> Any:
        return self._start("DELETE")

    def check_delete_complete(self, token: Any) -> bool:
        return self._complete(token)

    def handle_suspend(self) -> Any:
        return self._start("SUSPEND")

    def check_suspend_complete(self, token: Any) -> bool:
        return self._complete(token)

    def handle_resume(self) -> Any:
        return self._start("RESUME")

    def check_resume_complete(self, token: Any) -> bool:
        return self._complete(token)
