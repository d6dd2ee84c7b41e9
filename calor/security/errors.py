"""Errors of deferred authentication, with Heat's error types."""

from __future__ import annotations

from calor.errors import UserError


class MissingCredentialError(UserError):
    """``deferred_auth_method = password`` and the request lacks X-Auth-User or X-Auth-Key."""

    heat_type = "MissingCredentialError"

    def __init__(self, required: str) -> None:
        super().__init__(f"Missing required credential: {required}")


class DeferredAuthFailure(UserError):
    """Keystone refused to delegate (403) or could not be reached (503): nothing was stored."""

    heat_type = "AuthorizationFailure"
    cfn_code = "AccessDenied"

    def __init__(self, message: str, *, http_status: int = 403) -> None:
        super().__init__(message)
        self.http_status = http_status
        if http_status >= 500:
            self.cfn_code = "ServiceUnavailable"
