"""Stack ids of the Query API: ARNs (:class:`~calor.plugins.signals.arn.StackArn`), names or ids."""

from __future__ import annotations

from calor.plugins.signals.arn import StackArn

__all__ = ["StackArn", "stack_arn", "stack_identity"]


def stack_arn(project_id: str, stack_name: str, stack_id: str) -> str:
    return str(StackArn(project_id, stack_name, stack_id))


def stack_identity(name_or_arn: str) -> str:
    """What the service finds a stack by: the id inside an ARN, else the name or id as given."""
    parsed = StackArn.parse(name_or_arn)
    return parsed.stack_id if parsed is not None else name_or_arn
