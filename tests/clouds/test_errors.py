"""SDK and keystoneauth exceptions become Calor errors; 409s are retried a bounded number of times."""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as auth_exceptions
from openstack import exceptions as sdk_exceptions

from calor.clouds import errors
from calor.errors import ResourceFailure


def http_error(
    status: int, message: str = "boom", details: str | None = None
) -> sdk_exceptions.HttpException:
    return sdk_exceptions.HttpException(message=message, http_status=status, details=details)


def test_not_found_becomes_cloud_not_found() -> None:
    error = errors.translate(sdk_exceptions.NotFoundException(message="No Server found for abc"))
    assert isinstance(error, errors.CloudNotFound)
    assert isinstance(error, ResourceFailure)
    assert "No Server found" in error.message
    assert isinstance(errors.translate(http_error(404)), errors.CloudNotFound)
    assert isinstance(errors.translate(sdk_exceptions.ResourceNotFound("gone")), errors.CloudNotFound)


def test_conflict_and_quota_and_other_failures() -> None:
    assert isinstance(errors.translate(http_error(409, "Instance is locked")), errors.CloudConflict)
    quota = errors.translate(
        http_error(403, "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances")
    )
    assert isinstance(quota, errors.QuotaExceeded)
    assert quota.quota == "instances"
    assert "Quota exceeded for instances" in quota.message
    failed = errors.translate(http_error(400, "Bad Request", details="Invalid flavorRef provided."))
    assert isinstance(failed, errors.CloudRequestFailed)
    assert failed.status == 400
    assert failed.message == "Invalid flavorRef provided."


def test_keystoneauth_errors() -> None:
    assert isinstance(errors.translate(auth_exceptions.ConnectFailure("refused")), errors.CloudUnavailable)
    assert isinstance(errors.translate(auth_exceptions.Unauthorized()), errors.CloudAuthenticationFailed)


def test_translate_errors_prefixes_and_chains() -> None:
    with (
        pytest.raises(errors.CloudRequestFailed, match="creating server web: nope") as raised,
        errors.translate_errors("creating server web"),
    ):
        raise http_error(400, "nope")
    assert isinstance(raised.value.__cause__, sdk_exceptions.HttpException)


def test_ignore_not_found() -> None:
    def missing() -> None:
        raise http_error(404)

    assert errors.ignore_not_found(missing) is None
    assert errors.ignore_not_found(lambda: 3) == 3


def test_retry_on_conflict_is_bounded() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def always_conflict() -> None:
        calls.append(1)
        raise http_error(409, "busy")

    with pytest.raises(errors.CloudConflict):
        errors.retry_on_conflict(always_conflict, retry_limit=2, delay_seconds=0.1, sleep=sleeps.append)
    assert len(calls) == 3
    assert sleeps == [0.1, 0.2]

    outcomes = iter([http_error(409), None])

    def conflict_once() -> str:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        return "done"

    assert errors.retry_on_conflict(conflict_once, sleep=sleeps.append) == "done"


def test_conflict_retry_counts_across_polls() -> None:
    retry = errors.ConflictRetry(retry_limit=1)

    def busy() -> None:
        raise http_error(409, "busy")

    assert retry.attempt(busy) is False
    with pytest.raises(errors.CloudConflict):
        retry.attempt(busy)
    assert errors.ConflictRetry().attempt(lambda: None) is True
