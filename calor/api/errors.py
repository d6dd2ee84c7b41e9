"""Errors → Heat's error body.

Heat answers every failure with ``{"explanation", "code", "error": {"message", "type",
"traceback"}, "title"}``; ``traceback`` is ``null`` unless the service runs with
``debug``. :func:`error_body` builds it from a :class:`calor.errors.CalorError`'s
``http_status`` and ``heat_type``; anything else is a 500 ``InternalError``.
"""

from __future__ import annotations

import traceback as traceback_module
from typing import Any

from calor.errors import CalorError, UserError

# Titles and explanations as webob (which Heat's API uses) words them.
TITLES: dict[int, tuple[str, str]] = {
    400: (
        "Bad Request",
        "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    ),
    401: (
        "Unauthorized",
        "This server could not verify that you are authorized to access the document you "
        "requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does "
        "not understand how to supply the credentials required.",
    ),
    403: ("Forbidden", "Access was denied to this resource."),
    404: ("Not Found", "The resource could not be found."),
    405: ("Method Not Allowed", "The method is not allowed for this resource."),
    409: ("Conflict", "There was a conflict when trying to complete your request."),
    413: ("Request Entity Too Large", "The body of your request was too large for this server."),
    415: ("Unsupported Media Type", "The request media type is not supported by this server."),
    500: (
        "Internal Server Error",
        "The server has either erred or is incapable of performing the requested operation.",
    ),
    501: ("Not Implemented", "The server has not implemented the requested function."),
    503: ("Service Unavailable", "The server is currently unavailable. Please try again at a later time."),
}


class BadRequest(UserError):
    """A malformed request: bad JSON, a missing or mistyped field, an unknown query value."""

    heat_type = "HTTPBadRequest"


class Unauthorized(UserError):
    http_status = 401
    heat_type = "HTTPUnauthorized"


class MethodNotAllowed(UserError):
    http_status = 405
    heat_type = "HTTPMethodNotAllowed"


class UnsupportedMediaType(UserError):
    http_status = 415
    heat_type = "HTTPUnsupportedMediaType"


def error_body(status: int, message: str, error_type: str, *, traceback: str | None = None) -> dict[str, Any]:
    """Heat's error body for ``status``."""
    title, explanation = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    return {
        "explanation": explanation,
        "code": status,
        "error": {"message": message, "type": error_type, "traceback": traceback},
        "title": title,
    }


def body_for_exception(error: BaseException, *, debug: bool) -> tuple[int, dict[str, Any]]:
    """The status and body answering ``error``; unexpected errors are a 500."""
    trace = "".join(traceback_module.format_exception(error)) if debug else None
    if isinstance(error, CalorError):
        return error.http_status, error_body(error.http_status, str(error), error.heat_type, traceback=trace)
    message = str(error) if debug else "An unexpected error occurred."
    return 500, error_body(500, message, type(error).__name__, traceback=trace)
