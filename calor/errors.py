"""Errors Calor raises.

Every error a user can cause is a :class:`UserError`. Each class names the Heat
error type (``heat_type``) and the HTTP status Heat's API answers with, and the
AWS CloudFormation error code (``cfn_code``), so the API layers map errors from
these attributes alone. A ``path`` (``resources.web.properties.flavor``) and,
where the template text is known, a ``line`` tell the user where the problem is.
"""

from __future__ import annotations


class CalorError(Exception):
    """Base class of every error Calor raises on purpose."""

    http_status: int = 500
    heat_type: str = "InternalError"
    cfn_code: str = "InternalFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserError(CalorError):
    """An error caused by the user's input; shown to them as it is."""

    http_status = 400
    heat_type = "StackValidationFailed"
    cfn_code = "ValidationError"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.source = source

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message

    def located(self) -> str:
        """The one-line form for a CLI: ``template.yaml:12: resources.web: message``."""
        prefix = ""
        if self.source:
            prefix = self.source + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            prefix = f"line {self.line}: "
        return prefix + str(self)


class TemplateSyntaxError(UserError):
    """The template text is not valid YAML or JSON (the message has line and column)."""

    heat_type = "InvalidTemplateSyntax"


class TemplateTooLarge(UserError):
    http_status = 413
    heat_type = "RequestLimitExceeded"
    cfn_code = "RequestLimitExceeded"


class InvalidTemplateVersion(UserError):
    heat_type = "InvalidTemplateVersion"


class TemplateError(UserError):
    """The template is well formed but wrong: an unknown section, a bad function call, ..."""

    heat_type = "StackValidationFailed"


class InvalidTemplateReference(TemplateError):
    """A reference to a resource or parameter that does not exist."""

    heat_type = "InvalidTemplateReference"


class ParameterError(UserError):
    """A parameter value is missing or breaks its schema."""

    heat_type = "StackValidationFailed"


class PropertyError(UserError):
    """A resource property is missing or breaks its schema."""

    heat_type = "StackValidationFailed"


class InvalidEnvironment(UserError):
    heat_type = "InvalidEnvironment"


class ResourceTypeNotFound(UserError):
    heat_type = "ResourceTypeNotFound"
    http_status = 404


class NotFound(UserError):
    http_status = 404
    heat_type = "EntityNotFound"
    cfn_code = "ValidationError"


class StackNotFound(NotFound):
    heat_type = "StackNotFound"


class Conflict(UserError):
    """The operation cannot run in the current state (another action is in progress, ...)."""

    http_status = 409
    heat_type = "ActionInProgress"


class Forbidden(UserError):
    http_status = 403
    heat_type = "Forbidden"
    cfn_code = "AccessDenied"


class RequestTooLarge(UserError):
    http_status = 413
    heat_type = "RequestLimitExceeded"
    cfn_code = "RequestLimitExceeded"


class LimitExceeded(UserError):
    """A quota of Heat's (stacks per project, resources per stack, ...) would be exceeded."""

    heat_type = "RequestLimitExceeded"
    cfn_code = "RequestLimitExceeded"


class ResourceFailure(CalorError):
    """A resource action failed; the engine records it as the resource's status reason."""

    heat_type = "ResourceFailure"

    def __init__(self, message: str, *, resource_name: str | None = None, action: str | None = None) -> None:
        super().__init__(message)
        self.resource_name = resource_name
        self.action = action


class OperationTimeout(ResourceFailure):
    heat_type = "Timeout"


class OperationCancelled(ResourceFailure):
    heat_type = "OperationCancelled"
