"""The cloud connection layer: settings, per-project openstacksdk connections, error mapping.

- :class:`CloudSettings` (``settings``): from a ``clouds.yaml`` cloud or explicit auth;
- :class:`ConnectionFactory` (``factory``): ``for_project(project_id)`` → a cached Connection,
  ``for_delegation(delegation)`` → one acting for a stack's owner (:class:`Delegation`);
- ``errors``: :func:`translate_errors` and the :class:`CloudError` family;
- ``catalog``: :func:`service_available` / :func:`catalog_service_types`.
"""

from __future__ import annotations

from calor.clouds.catalog import catalog_service_types, service_available, service_type_aliases
from calor.clouds.delegation import Delegation
from calor.clouds.errors import (
    DEFAULT_CLIENT_RETRY_LIMIT,
    CloudAuthenticationFailed,
    CloudConflict,
    CloudError,
    CloudNotFound,
    CloudRequestFailed,
    CloudUnavailable,
    ConflictRetry,
    QuotaExceeded,
    ignore_not_found,
    is_conflict,
    is_not_found,
    retry_on_conflict,
    translate,
    translate_errors,
)
from calor.clouds.factory import ConnectionFactory, client_retry_limit
from calor.clouds.settings import CloudSettings

__all__ = [
    "DEFAULT_CLIENT_RETRY_LIMIT",
    "CloudAuthenticationFailed",
    "CloudConflict",
    "CloudError",
    "CloudNotFound",
    "CloudRequestFailed",
    "CloudSettings",
    "CloudUnavailable",
    "ConflictRetry",
    "ConnectionFactory",
    "Delegation",
    "QuotaExceeded",
    "catalog_service_types",
    "client_retry_limit",
    "ignore_not_found",
    "is_conflict",
    "is_not_found",
    "retry_on_conflict",
    "service_available",
    "service_type_aliases",
    "translate",
    "translate_errors",
]
