"""Errors of the sandbox cloud's services and the error body each OpenStack service answers with.

A handler raises a :class:`SandboxError` subclass; the service's :class:`ErrorStyle` turns it
into the body its real counterpart sends (Nova and Cinder ``{"itemNotFound": {...}}``, Neutron
``{"NeutronError": {...}}``, Glance and Swift plain text).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Response

from calor.errors import CalorError


class SandboxError(CalorError):
    """An error answered with ``http_status``; ``error_type`` is the name Neutron puts in
    ``NeutronError.type`` (``NetworkNotFound``), unused by the other styles."""

    http_status = 500
    default_type = "InternalError"

    def __init__(self, message: str, *, status: int | None = None, error_type: str | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.http_status = status
        self.error_type = error_type or self.default_type


class BadRequest(SandboxError):
    http_status = 400
    default_type = "BadRequest"


class Unauthorized(SandboxError):
    http_status = 401
    default_type = "Unauthorized"

    def __init__(self, message: str = "The request you have made requires authentication.") -> None:
        super().__init__(message)


class Forbidden(SandboxError):
    http_status = 403
    default_type = "Forbidden"


class NotFound(SandboxError):
    http_status = 404
    default_type = "NotFound"


class MethodNotAllowed(SandboxError):
    http_status = 405
    default_type = "MethodNotAllowed"


class Conflict(SandboxError):
    http_status = 409
    default_type = "Conflict"


class OverLimit(SandboxError):
    http_status = 413
    default_type = "OverQuota"


class InjectedFault(SandboxError):
    """A failure requested through fault injection (configuration or the request header)."""

    http_status = 500
    default_type = "InjectedFault"


ErrorStyle = Callable[[SandboxError], Response]
"""Renders an error as one service's response."""


def _json(body: object, status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


NOVA_FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def nova_style(error: SandboxError) -> Response:
    """Nova's (and Cinder's) fault body: ``{"itemNotFound": {"code": 404, "message": ...}}``."""
    name = NOVA_FAULT_NAMES.get(error.http_status, "computeFault")
    return _json({name: {"code": error.http_status, "message": error.message}}, error.http_status)


def neutron_style(error: SandboxError) -> Response:
    """Neutron's body: ``{"NeutronError": {"type": ..., "message": ..., "detail": ""}}``."""
    body = {"NeutronError": {"type": error.error_type, "message": error.message, "detail": ""}}
    return _json(body, error.http_status)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


def plain_style(error: SandboxError) -> Response:
    """Glance's and Swift's plain body: ``404 Not Found\\n\\n<message>``."""
    reason = _REASONS.get(error.http_status, "Error")
    text = f"{error.http_status} {reason}\n\n{error.message}\n\n"
    return Response(text, status=error.http_status, mimetype="text/plain")


def keystone_style(error: SandboxError) -> Response:
    """Keystone's body, used for a 401 anywhere an unauthenticated client may read it."""
    reason = _REASONS.get(error.http_status, "Error")
    body = {"error": {"code": error.http_status, "title": reason, "message": error.message}}
    return _json(body, error.http_status)
