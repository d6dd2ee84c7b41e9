"""OS::Heat::TestResource: stores a string, with knobs to make actions slow, fail or replace.

Used to test the engine and templates without a cloud. Waiting is done by polling: each
handle hook returns a token holding the start time (wall-clock seconds) and the wait, and
the check compares the clock, so no engine thread is held and another engine can resume.

``attr_wait_secs`` and ``constraint_prop_secs`` are accepted for template compatibility but
have no effect: Heat sleeps for them, which Calor never does in a hook.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.errors import ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.schema.properties import (
    BOOLEAN,
    MAP,
    NUMBER,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)

LOGGER = logging.getLogger(__name__)


def _action_wait(action: str) -> PropertySchema:
    return PropertySchema(
        NUMBER,
        f"Seconds to wait after a {action}. Defaults to the global wait_secs.",
        update_allowed=True,
    )


class TestResource(ResourcePlugin):
    """A resource which stores the string value that was provided.

    This resource is to be used only for testing. It has control knobs such as
    'update_replace', 'fail', 'wait_secs'.
    """

    __test__ = False  # not a pytest test class, despite the name

    type_name: ClassVar[str] = "OS::Heat::TestResource"
    self_contained: ClassVar[bool] = True
    support_status: ClassVar[SupportStatus] = SupportStatus(version="5.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "value": PropertySchema(
            STRING, "The input string to be stored.", default="test_string", update_allowed=True
        ),
        "update_replace_value": PropertySchema(
            STRING,
            "Some value that can be stored but can not be updated.",
            support_status=SupportStatus(version="7.0.0"),
        ),
        "fail": PropertySchema(
            BOOLEAN,
            "Value which can be set to fail the resource operation to test failure scenarios.",
            default=False,
            update_allowed=True,
        ),
        "update_replace": PropertySchema(
            BOOLEAN,
            "Value which can be set to trigger update replace for the particular resource.",
            default=False,
            update_allowed=True,
        ),
        "wait_secs": PropertySchema(
            NUMBER, "Seconds to wait after an action (-1 is infinite).", default=0, update_allowed=True
        ),
        "action_wait_secs": PropertySchema(
            MAP,
            "Options for simulating waiting.",
            update_allowed=True,
            schema={
                "create": _action_wait("create"),
                "update": _action_wait("update"),
                "delete": _action_wait("delete"),
            },
        ),
        "attr_wait_secs": PropertySchema(
            NUMBER,
            "Number value for timeout during resolving output value.",
            default=0,
            update_allowed=True,
            support_status=SupportStatus(version="6.0.0"),
        ),
        "constraint_prop_secs": PropertySchema(
            NUMBER,
            "Number value for delay during resolve constraint.",
            default=0,
            update_allowed=True,
            support_status=SupportStatus(version="6.0.0"),
        ),
        "client_name": PropertySchema(STRING, "Client to poll.", default="", update_allowed=True),
        "entity_name": PropertySchema(STRING, "Client entity to poll.", default="", update_allowed=True),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "output": AttributeSchema(
            "The string that was stored. This value is also available by referencing the resource."
        ),
    }

    def wait_seconds(self, action: str, properties: Mapping[str, Any] | None = None) -> float:
        """The wait after ``action``: ``action_wait_secs`` for it, else ``wait_secs``."""
        properties = self.properties if properties is None else properties
        seconds = None
        per_action = properties.get("action_wait_secs")
        if per_action:
            seconds = per_action.get(action.lower())
        if seconds is None:
            seconds = properties.get("wait_secs") or 0
        return float(seconds)

    def _token(self, action: str, wait_seconds: float, fail: bool) -> dict[str, Any]:
        return {"action": action, "started_at": self.now(), "wait_secs": wait_seconds, "fail": fail}

    def handle_create(self) -> Any:
        if not self.properties["fail"]:
            self.context.data_set("value", self.properties["value"])
            self.context.set_resource_id(self.context.physical_resource_name())
        return self._token("CREATE", self.wait_seconds("create"), bool(self.properties["fail"]))

    def needs_replace(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        if super().needs_replace(new_properties, property_diff):
            return True
        return "value" in property_diff and bool(new_properties.get("update_replace"))

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        self.properties = dict(new_properties)
        fail = bool(self.properties["fail"])
        value = property_diff.get("value")
        if value:
            if not fail:
                self.context.data_set("value", value)
            return self._token("UPDATE", self.wait_seconds("update"), fail)
        return self._token("UPDATE", 0.0, fail)

    def handle_delete(self) -> Any:
        return self._token("DELETE", self.wait_seconds("delete"), False)

    def _complete(self, token: Any) -> bool:
        if not token:
            return True
        wait_seconds = float(token["wait_secs"])
        waited = self.now() - float(token["started_at"])
        # A negative wait never ends.
        if wait_seconds >= 0 and waited >= wait_seconds:
            if token.get("fail") and token.get("action") != "DELETE":
                raise ResourceFailure(
                    f"Test Resource failed {self.name}", resource_name=self.name, action=token.get("action")
                )
            return True
        self._simulated_effort()
        return False

    def _simulated_effort(self) -> None:
        """While waiting, read an entity from the cloud if ``client_name`` and ``entity_name`` say so."""
        client_name = self.properties.get("client_name")
        entity_name = self.properties.get("entity_name")
        if not (client_name and entity_name):
            return
        entity_id = self.context.data().get("value") or self.resource_id
        try:
            proxy = getattr(self.context.cloud(), client_name)
            getattr(proxy, f"get_{entity_name}")(entity_id)
        except Exception as error:  # the poll is only to exercise the client
            LOGGER.debug("%s.%s(%s): %s", client_name, entity_name, entity_id, error)

    def _polls_cloud(self) -> bool:
        return bool(self.properties.get("client_name") and self.properties.get("entity_name"))

    def checks_block(self) -> bool:
        return self._polls_cloud()

    def check_due(self, token: Any) -> float | None:
        """The end of the wait (none for an endless one, or when each poll reads the cloud)."""
        if not token or self._polls_cloud() or float(token["wait_secs"]) < 0:
            return None
        return float(token["started_at"]) + float(token["wait_secs"])

    def check_create_complete(self, token: Any) -> bool:
        return self._complete(token)

    def check_update_complete(self, token: Any) -> bool:
        return self._complete(token)

    def check_delete_complete(self, token: Any) -> bool:
        return self._complete(token)

    def resolve_attribute(self, name: str) -> Any:
        if name == "output":
            return self.context.data().get("value")
        return None
