"""openstacksdk and keystoneauth exceptions → Calor errors a resource action reports.

Plugins wrap every cloud call in :func:`translate_errors`: a 404 becomes
:class:`CloudNotFound` (the engine treats the object as gone when deleting), a 409
:class:`CloudConflict` (retryable, see :func:`retry_on_conflict` and
:class:`ConflictRetry`), a quota refusal :class:`QuotaExceeded` naming the quota, any
other refusal :class:`CloudRequestFailed` carrying the cloud's own message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from keystoneauth1 import exceptions as auth_exceptions
from openstack import exceptions as sdk_exceptions

from calor.errors import CalorError, ResourceFailure

DEFAULT_CLIENT_RETRY_LIMIT = 2
"""Heat's ``client_retry_limit``: how many times a conflicting (409) call is tried again."""

_QUOTA_PATTERN = re.compile(
    r"(quota exceeded(?: for (?P<for>[\w\-]+))?|(?P<name>[\w\-]+) ?quota exceeded|"
    r"maximum number of (?P<max>[\w\- ]+?) allowed|over ?limit|limit exceeded)",
    re.IGNORECASE,
)

Result = TypeVar("Result")


class CloudError(ResourceFailure):
    """A call to the cloud failed; ``status`` is the HTTP status when the cloud answered."""

    heat_type = "ResourceFailure"

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id


class CloudNotFound(CloudError):
    """The cloud does not know the object (HTTP 404): on delete, the object is already gone."""


class CloudConflict(CloudError):
    """The object is busy or in the wrong state (HTTP 409): worth trying again a little later."""


class QuotaExceeded(CloudError):
    """The project's quota does not allow the request; ``quota`` names it where the cloud said."""

    def __init__(
        self,
        message: str,
        *,
        quota: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.quota = quota


class CloudRequestFailed(CloudError):
    """Any other refusal (4xx) or failure (5xx) of a cloud call, with the cloud's message."""


class CloudUnavailable(CloudError):
    """The cloud could not be reached, or the service is missing from its catalog."""


class CloudAuthenticationFailed(CloudError):
    """The cloud refused the configured credentials or the requested scope."""


def _cloud_message(error: BaseException) -> str:
    """The most useful text of an SDK or keystoneauth error: the cloud's details when given."""
    details = getattr(error, "details", None)
    message = getattr(error, "message", None) or str(error)
    if isinstance(details, str) and details.strip() and details.strip() not in message:
        return details.strip()
    return str(message).strip() or type(error).__name__


def quota_name(message: str) -> str | None:
    """The quota a refusal names (``instances`` in "Quota exceeded for instances: ..."), if any."""
    match = _QUOTA_PATTERN.search(message)
    if match is None:
        return None
    for group in ("for", "name", "max"):
        if match.group(group):
            return match.group(group).strip()
    return ""


def _status_of(error: BaseException) -> int | None:
    for attribute in ("status_code", "http_status"):
        status = getattr(error, attribute, None)
        if isinstance(status, int):
            return status
    return None


def translate(error: BaseException, what: str | None = None) -> CalorError:
    """The Calor error for an exception raised by openstacksdk or keystoneauth.

    ``what`` (``"creating server web"``) prefixes the message. Calor errors come back unchanged;
    unknown exceptions become :class:`CloudRequestFailed`.
    """
    if isinstance(error, CalorError):
        return error
    message = _cloud_message(error)
    text = f"{what}: {message}" if what else message
    request_id = getattr(error, "request_id", None)
    request_id = request_id if isinstance(request_id, str) else None
    status = _status_of(error)
    unreachable = (
        auth_exceptions.ConnectFailure,
        auth_exceptions.EndpointNotFound,
        sdk_exceptions.EndpointNotFound,
    )
    if isinstance(error, unreachable):
        return CloudUnavailable(text, status=status, request_id=request_id)
    if isinstance(error, auth_exceptions.Unauthorized) or status == 401:
        return CloudAuthenticationFailed(text, status=401, request_id=request_id)
    if isinstance(error, sdk_exceptions.NotFoundException | auth_exceptions.NotFound) or status == 404:
        return CloudNotFound(text, status=404, request_id=request_id)
    if isinstance(error, sdk_exceptions.ResourceNotFound):
        return CloudNotFound(text, status=status, request_id=request_id)
    if status in (403, 413) and quota_name(message) is not None:
        return QuotaExceeded(text, quota=quota_name(message) or None, status=status, request_id=request_id)
    if isinstance(error, sdk_exceptions.ConflictException | auth_exceptions.Conflict) or status == 409:
        return CloudConflict(text, status=409, request_id=request_id)
    return CloudRequestFailed(text, status=status, request_id=request_id)


@contextmanager
def translate_errors(what: str | None = None) -> Iterator[None]:
    """Re-raise SDK and keystoneauth exceptions of the block as Calor errors (see :func:`translate`)."""
    try:
        yield
    except CalorError:
        raise
    except (sdk_exceptions.SDKException, auth_exceptions.ClientException) as error:
        raise translate(error, what) from error


def is_not_found(error: BaseException) -> bool:
    """Whether ``error`` (SDK or Calor) says the cloud object does not exist."""
    return isinstance(translate(error), CloudNotFound)


def is_conflict(error: BaseException) -> bool:
    return isinstance(translate(error), CloudConflict)


def ignore_not_found(call: Callable[[], Result], what: str | None = None) -> Result | None:
    """``call()`` with errors translated, ``None`` when the object is gone (deletes, lookups)."""
    try:
        with translate_errors(what):
            return call()
    except CloudNotFound:
        return None


def retry_on_conflict(
    call: Callable[[], Result],
    *,
    retry_limit: int = DEFAULT_CLIENT_RETRY_LIMIT,
    what: str | None = None,
    delay_seconds: float = 0.5,
    sleep: Callable[[float], Any] = time.sleep,
) -> Result:
    """``call()`` tried again after a 409 up to ``retry_limit`` times, waiting 1x, 2x, 4x ``delay_seconds``.

    For callers outside the engine's hooks (hooks must not sleep: use :class:`ConflictRetry`).
    """
    attempt = 0
    while True:
        try:
            with translate_errors(what):
                return call()
        except CloudConflict:
            if attempt >= retry_limit:
                raise
            sleep(delay_seconds * (2**attempt))
            attempt += 1


class ConflictRetry:
    """Counts 409s across polls so a hook retries on its next poll instead of sleeping.

    A hook keeps ``conflicts`` (the count so far) in its token and calls :meth:`attempt`;
    it gets ``True`` when the call went through, ``False`` when the cloud answered 409 and
    the call should be tried again on the next poll (the engine's polling is the backoff),
    and the :class:`CloudConflict` once more than ``retry_limit`` conflicts happened.
    """

    def __init__(self, conflicts: int = 0, retry_limit: int = DEFAULT_CLIENT_RETRY_LIMIT) -> None:
        self.conflicts = conflicts
        self.retry_limit = retry_limit

    def attempt(self, call: Callable[[], Any], what: str | None = None) -> bool:
        try:
            with translate_errors(what):
                call()
        except CloudConflict:
            self.conflicts += 1
            if self.conflicts > self.retry_limit:
                raise
            return False
        return True
