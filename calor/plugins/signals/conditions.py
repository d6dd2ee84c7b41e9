"""AWS::CloudFormation::WaitCondition and OS::Heat::WaitCondition: wait for a handle's signals.

``handle_create`` returns ``{"handle": <handle resource name>, "deadline": <wall clock>}``;
``check_create_complete`` reads the handle's stored signals (through the configured
:class:`~calor.plugins.signals.wiring.SignalReader`, so signals received by any API
process count) and completes once ``count`` SUCCESS signals arrived. A FAILURE signal
fails the resource with its reason; passing the deadline fails it with how many arrived.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.errors import PropertyError
from calor.plugins.base import ResourcePlugin
from calor.plugins.signals import presign, signals, wiring
from calor.plugins.signals.arn import StackArn
from calor.schema.constraints import Range
from calor.schema.properties import INTEGER, NUMBER, STRING, AttributeSchema, PropertySchema, SupportStatus

DATA = "data"


class WaitConditionFailure(Exception):
    """A FAILURE signal arrived (the name is the error type Heat shows in the reason)."""


class WaitConditionTimeout(Exception):
    """Too few signals arrived in time (the name is the error type Heat shows in the reason)."""


def handle_name_of(reference: str) -> str | None:
    """The handle's resource name in a signal URL, a resource ARN, or ``None``."""
    arn_text = presign.resource_arn_of_url(reference) if "://" in reference else reference
    arn = StackArn.parse(arn_text or "")
    return arn.resource_name if arn is not None else None


class WaitConditionBase(ResourcePlugin):
    """The wait shared by both wait condition types; subclasses name their properties."""

    handle_property: ClassVar[str] = "handle"
    count_property: ClassVar[str] = "count"
    timeout_property: ClassVar[str] = "timeout"

    def handle_name(self) -> str:
        reference = str(self.properties.get(self.handle_property) or "")
        name = handle_name_of(reference)
        if name is None:
            raise PropertyError(
                f"{reference} is not a wait condition handle of this stack.",
                path=f"{self.properties_path}.{self.handle_property}",
            )
        return name

    def validate(self) -> None:
        reference = str(self.properties.get(self.handle_property) or "")
        arn = StackArn.parse(presign.resource_arn_of_url(reference) or reference)
        # Before the handle exists the reference is its bare name: nothing to check yet.
        if arn is not None and arn.stack_id != self.context.stack_id:
            raise PropertyError(
                "The wait condition handle belongs to another stack.",
                path=f"{self.properties_path}.{self.handle_property}",
            )

    def handle_create(self) -> Any:
        timeout = float(self.properties[self.timeout_property])
        return {"handle": self.handle_name(), "deadline": self.now() + timeout}

    def _signals(self, handle: str) -> list[signals.Signal]:
        data = wiring.current().reader(self.context.stack_id, handle)
        return signals.stored_signals(data)

    def check_create_complete(self, token: Any) -> bool:
        received = self._signals(str(token["handle"]))
        failures = [signal.reason for signal in received if signal.status == signals.FAILURE]
        if failures:
            raise WaitConditionFailure(f"resources.{self.name}: " + ";".join(failures))
        successes = [signal for signal in received if signal.status == signals.SUCCESS]
        count = int(self.properties[self.count_property])
        if len(successes) >= count:
            self.context.data_set(DATA, json.dumps(signals.data_by_id(received)))
            return True
        if self.now() > float(token["deadline"]):
            raise WaitConditionTimeout(f"resources.{self.name}: {len(successes)} of {count} received")
        return False

    def _data(self) -> str | None:
        stored = self.context.data().get(DATA)
        if stored is not None:
            return stored
        try:
            return json.dumps(signals.data_by_id(self._signals(self.handle_name())))
        except Exception:  # no wiring or no handle yet: nothing received
            return None


class CfnWaitCondition(WaitConditionBase):
    """AWS CloudFormation's wait condition: waits for ``Count`` signals on ``Handle``."""

    type_name: ClassVar[str] = "AWS::CloudFormation::WaitCondition"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    handle_property: ClassVar[str] = "Handle"
    count_property: ClassVar[str] = "Count"
    timeout_property: ClassVar[str] = "Timeout"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "Handle": PropertySchema(
            STRING,
            "A reference to the wait condition handle used to signal this wait condition.",
            required=True,
        ),
        "Timeout": PropertySchema(
            NUMBER,
            "The number of seconds to wait for the correct number of signals to arrive.",
            required=True,
            constraints=(Range(min=1, max=43200),),
        ),
        "Count": PropertySchema(
            INTEGER,
            "The number of success signals that must be received before the stack creation "
            "process continues.",
            default=1,
            update_allowed=True,
            constraints=(Range(min=1),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "Data": AttributeSchema(
            "JSON string containing data associated with wait condition signals sent to the handle.",
            STRING,
        ),
    }

    def resolve_attribute(self, name: str) -> Any:
        return self._data() if name == "Data" else None


class HeatWaitCondition(WaitConditionBase):
    """Heat's wait condition: waits for ``count`` signals on ``handle`` within ``timeout`` seconds."""

    type_name: ClassVar[str] = "OS::Heat::WaitCondition"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.2")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "handle": PropertySchema(
            STRING,
            "A reference to the wait condition handle used to signal this wait condition.",
            required=True,
        ),
        "timeout": PropertySchema(
            NUMBER,
            "The number of seconds to wait for the correct number of signals to arrive.",
            default=3600,
            constraints=(Range(min=1, max=43200),),
        ),
        "count": PropertySchema(
            INTEGER,
            "The number of success signals that must be received before the stack creation "
            "process continues.",
            default=1,
            update_allowed=True,
            constraints=(Range(min=1),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "data": AttributeSchema(
            "JSON string containing data associated with wait condition signals sent to the handle.",
            STRING,
        ),
    }

    def resolve_attribute(self, name: str) -> Any:
        return self._data() if name == "data" else None
