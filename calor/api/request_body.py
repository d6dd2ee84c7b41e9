"""Reading request bodies and query strings safely: size limits, JSON, typed fields.

A body larger than the limit is refused with 413 before it is parsed; malformed JSON,
a body that is not an object, a missing field and a field of the wrong type are 400s
naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Request

from calor.api.errors import BadRequest, UnsupportedMediaType
from calor.errors import RequestTooLarge

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "on", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "off", "f"})


def read_body(request: Request, max_size: int) -> bytes:
    """The raw body, at most ``max_size`` bytes (413 beyond)."""
    declared = request.content_length
    if declared is not None and declared > max_size:
        raise RequestTooLarge(f"Request body is {declared} bytes, larger than the limit of {max_size} bytes.")
    data = request.stream.read(max_size + 1)
    if len(data) > max_size:
        raise RequestTooLarge(f"Request body is larger than the limit of {max_size} bytes.")
    return data


def read_json_object(request: Request, max_size: int, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; ``{}`` for an empty body unless ``required``."""
    content_type = (request.mimetype or "").lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType(f"Unsupported Content-Type {content_type}; use application/json.")
    data = read_body(request, max_size)
    if not data.strip():
        if required:
            raise BadRequest("The request body must be a JSON object; it was empty.")
        return {}
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"The request body is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise BadRequest(f"The request body must be a JSON object, not {_kind(value)}.")
    return value


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def required_string(body: Mapping[str, Any], name: str) -> str:
    if name not in body or body[name] is None:
        raise BadRequest(f"The request body has no {name!r} field.")
    return string_field(body, name) or ""


def string_field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"The field {name!r} must be a string, not {_kind(value)}.")
    return value


def mapping_field(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"The field {name!r} must be an object, not {_kind(value)}.")
    return value


def list_of_strings(body: Mapping[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"The field {name!r} must be a list of strings.")
    return list(value)


def boolean_value(value: Any, name: str) -> bool:
    """A boolean given as JSON or as Heat's words (``true``, ``False``, ``1``...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadRequest(f'Unrecognized value "{value}" for "{name}", acceptable values are: true, false.')


def boolean_field(body: Mapping[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    return default if value is None else boolean_value(value, name)


def integer_value(value: Any, name: str, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool):
        raise BadRequest(f"The field {name!r} must be an integer.")
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"Only integer is acceptable by '{name}'.") from error
    if minimum is not None and number < minimum:
        raise BadRequest(f"Value must be >= {minimum} for '{name}'.")
    return number


def integer_field(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    return None if value is None else integer_value(value, name)
