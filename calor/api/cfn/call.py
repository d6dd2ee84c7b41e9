"""One Query API call as the action handlers see it, and the readers of AWS's parameter shapes.

AWS flattens lists and maps into numbered parameters: ``Parameters.member.1.ParameterKey``,
``Capabilities.member.1``. :meth:`Call.members` and :meth:`Call.member_list` read them back.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calor.api.cfn.errors import InvalidParameterValue, MissingParameter, ValidationError
from calor.api.cfn.signatures import Principal
from calor.engine.service import RequestContext

if TYPE_CHECKING:
    from calor.api.cfn.state import CfnState

_MEMBER = re.compile(r"^(?P<name>[A-Za-z]+)\.member\.(?P<index>\d+)(?:\.(?P<field>[A-Za-z]+))?$")


@dataclass(frozen=True)
class Call:
    """The action's parameters, the caller and the app's collaborators."""

    action: str
    params: Mapping[str, str]
    context: RequestContext
    principal: Principal | None
    state: CfnState

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise MissingParameter(f"The request must contain the parameter {name}")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.get(name)
        if value is None:
            return None
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise InvalidParameterValue(f"Invalid value for {name}: {value} (expecting true or false)")

    def integer(self, name: str, *, minimum: int = 0) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError as error:
            raise InvalidParameterValue(
                f"Invalid value for {name}: {value} (expecting an integer)"
            ) from error
        if number < minimum:
            raise InvalidParameterValue(f"Invalid value for {name}: {value} (minimum {minimum})")
        return number

    def members(self, name: str) -> list[dict[str, str]]:
        """``Name.member.N.Field`` parameters → ``[{Field: value}, ...]`` in the order of N."""
        found: dict[int, dict[str, str]] = {}
        for key, value in self.params.items():
            match = _MEMBER.match(key)
            if match is None or match["name"] != name or match["field"] is None:
                continue
            found.setdefault(int(match["index"]), {})[match["field"]] = value
        return [found[index] for index in sorted(found)]

    def member_list(self, name: str) -> list[str]:
        """``Name.member.N`` parameters → their values in the order of N."""
        found: dict[int, str] = {}
        for key, value in self.params.items():
            match = _MEMBER.match(key)
            if match is not None and match["name"] == name and match["field"] is None:
                found[int(match["index"])] = value
        return [found[index] for index in sorted(found)]


def encode_token(marker: str) -> str:
    """A NextToken for paging: the marker of the next page, opaque to the client."""
    return base64.urlsafe_b64encode(marker.encode("utf-8")).decode("ascii")


def decode_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValidationError("Invalid NextToken.") from error


def page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    """One page of an already listed sequence, by offset (for lists the database does not page)."""
    start = 0
    marker = decode_token(token)
    if marker is not None:
        if not marker.isdigit():
            raise ValidationError("Invalid NextToken.")
        start = int(marker)
    chunk = items[start : start + size]
    following = start + size
    return chunk, encode_token(str(following)) if following < len(items) else None
