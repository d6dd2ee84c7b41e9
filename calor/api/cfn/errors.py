"""AWS error codes of the CloudFormation Query API, with the HTTP statuses AWS answers them with.

:func:`aws_error_for` maps any exception to one of them: a :class:`CfnError` as it is,
a :class:`calor.errors.CalorError` through its ``cfn_code`` and ``http_status`` (as Heat's
``heat.api.aws.exception`` does: a quota is ``RequestLimitExceeded`` 400, a policy refusal
``AccessDenied`` 403), the service's ``NotSupportedYet`` to ``UnsupportedOperation``,
anything else to ``InternalFailure`` (whose message hides the details unless debugging).
"""

from __future__ import annotations

from calor.engine.service import NotSupportedYet
from calor.errors import CalorError, StackNotFound, UserError


class CfnError(Exception):
    """An error answered in AWS's ``ErrorResponse`` shape."""

    code: str = "InternalFailure"
    http_status: int = 500
    sender: bool = False
    """Whether AWS blames the caller (``<Type>Sender</Type>``) or itself (``Receiver``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SenderError(CfnError):
    sender = True
    http_status = 400


class ValidationError(SenderError):
    code = "ValidationError"


class MissingAction(SenderError):
    code = "MissingAction"


class InvalidAction(SenderError):
    code = "InvalidAction"


class MissingParameter(SenderError):
    code = "MissingParameter"


class InvalidParameterValue(SenderError):
    code = "InvalidParameterValue"


class InvalidParameterCombination(SenderError):
    code = "InvalidParameterCombination"


class AlreadyExists(SenderError):
    code = "AlreadyExistsException"


class UnsupportedOperation(SenderError):
    code = "UnsupportedOperation"


class IncompleteSignature(SenderError):
    code = "IncompleteSignature"


class RequestExpired(SenderError):
    code = "RequestExpired"


class AccessDenied(SenderError):
    code = "AccessDenied"
    http_status = 403


class SignatureDoesNotMatch(SenderError):
    code = "SignatureDoesNotMatch"
    http_status = 403


class InvalidClientTokenId(SenderError):
    code = "InvalidClientTokenId"
    http_status = 403


class MissingAuthenticationToken(SenderError):
    code = "MissingAuthenticationToken"
    http_status = 403


class TemplateTooLarge(SenderError):
    code = "ValidationError"
    http_status = 400


class RequestLimitExceeded(SenderError):
    """A quota (stacks per project, resources per stack, template size), as Heat answers it."""

    code = "RequestLimitExceeded"


class InternalFailure(CfnError):
    code = "InternalFailure"
    http_status = 500


class ServiceUnavailable(CfnError):
    code = "ServiceUnavailable"
    http_status = 503


_BY_CODE: dict[str, type[CfnError]] = {
    kind.code: kind
    for kind in (
        ValidationError,
        AccessDenied,
        AlreadyExists,
        InvalidParameterValue,
        MissingParameter,
        UnsupportedOperation,
        RequestLimitExceeded,
    )
}


def aws_error_for(error: BaseException, *, debug: bool = False) -> CfnError:
    """The AWS error a failed request answers with."""
    if isinstance(error, CfnError):
        return error
    if isinstance(error, NotSupportedYet):
        return UnsupportedOperation(str(error))
    if isinstance(error, StackNotFound):
        return ValidationError(str(error))
    if isinstance(error, UserError):
        kind = _BY_CODE.get(error.cfn_code, ValidationError)
        found = kind(str(error))
        if error.http_status == 403:
            return AccessDenied(str(error))
        return found
    if isinstance(error, CalorError):
        return InternalFailure(str(error))
    if debug:
        return InternalFailure(f"{type(error).__name__}: {error}")
    return InternalFailure("The request processing has failed because of an unknown error.")
