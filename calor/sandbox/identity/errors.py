"""Errors of the embedded identity service, each carrying Keystone's HTTP status and title."""

from __future__ import annotations

from calor.errors import CalorError


class IdentityError(CalorError):
    """An error answered with Keystone's body ``{"error": {"code", "title", "message"}}``."""

    http_status = 500
    title = "Internal Server Error"


class ValidationError(IdentityError):
    http_status = 400
    title = "Bad Request"


class Unauthorized(IdentityError):
    http_status = 401
    title = "Unauthorized"

    def __init__(self, message: str = "The request you have made requires authentication.") -> None:
        super().__init__(message)


class Forbidden(IdentityError):
    http_status = 403
    title = "Forbidden"

    def __init__(self, message: str = "You are not authorized to perform the requested action.") -> None:
        super().__init__(message)


class NotFound(IdentityError):
    http_status = 404
    title = "Not Found"


class Conflict(IdentityError):
    http_status = 409
    title = "Conflict"
