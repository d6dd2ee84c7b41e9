"""openstacksdk connections per project: :class:`ConnectionFactory`.

The engine acts in a stack's project for the stack's owner: with a
:class:`~calor.clouds.delegation.Delegation` (a Keystone trust, used by the ``trustee``
user, or the owner's stored password; :meth:`ConnectionFactory.for_delegation`). A stack
without one (made before deferred auth, or with ``auth_strategy = noauth``) is served by the
service user's credentials scoped to its project; when the service user has no role there
and the settings allow it (``project_role``), the factory grants itself that role through
its own service connection first. Connections are cached per (project, delegation), the
delegations' up to ``max_delegations`` most recently used, and shared by the engine's threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from keystoneauth1 import exceptions as auth_exceptions

from calor.clouds.delegation import Delegation
from calor.clouds.errors import (
    DEFAULT_CLIENT_RETRY_LIMIT,
    CloudAuthenticationFailed,
    translate,
    translate_errors,
)
from calor.clouds.settings import CloudSettings

RETRY_LIMIT_ATTRIBUTE = "calor_client_retry_limit"
"""Set on every connection the factory makes: the settings' ``client_retry_limit``."""

MAXIMUM_DELEGATIONS = 256
"""Delegation connections kept (one per stack's trust): the least recently used beyond go."""

Connector = Callable[..., Any]
"""Builds a connection from keyword options (``openstack.connection.Connection`` by default)."""


def _default_connector(**options: Any) -> Any:
    from openstack import connection

    return connection.Connection(**options)


class ConnectionFactory:
    """Authenticated openstacksdk ``Connection`` objects for the service user, one per project."""

    def __init__(
        self,
        settings: CloudSettings,
        *,
        trustee: CloudSettings | None = None,
        connector: Connector | None = None,
        app_name: str = "calor",
        app_version: str | None = None,
        max_delegations: int = MAXIMUM_DELEGATIONS,
    ) -> None:
        self.settings = settings
        # The user trusts are delegated to (heat.conf [trustee]); the service user by default.
        self.trustee = trustee
        self._connector = connector or _default_connector
        self._app = {"app_name": app_name, "app_version": app_version or "0.1.0"}
        self._lock = threading.RLock()
        self._service: Any = None
        self._connections: dict[tuple[str, Any], Any] = {}
        # Each stack has a trust of its own: without a bound an engine would keep a connection
        # for every stack it ever served, deleted ones included.
        self._delegated: OrderedDict[tuple[str, Any], Any] = OrderedDict()
        self.max_delegations = max_delegations

    @property
    def client_retry_limit(self) -> int:
        return self.settings.client_retry_limit

    def _connect(
        self,
        *,
        project_id: str | None = None,
        trust_id: str | None = None,
        settings: CloudSettings | None = None,
    ) -> Any:
        options = (settings or self.settings).connection_options(project_id=project_id, trust_id=trust_id)
        connection = self._connector(**options, **self._app)
        setattr(connection, RETRY_LIMIT_ATTRIBUTE, self.settings.client_retry_limit)
        return connection

    def service_connection(self) -> Any:
        """The connection scoped as the settings say (the service user's own project)."""
        with self._lock:
            if self._service is None:
                connection = self._connect()
                self._authorize(connection, "authenticating the service user")
                self._service = connection
            return self._service

    def service_project_id(self) -> str | None:
        """The id of the project the service connection is scoped to."""
        return self.service_connection().current_project_id  # type: ignore[no-any-return]

    def for_project(self, project_id: str, *, user_id: str | None = None, trust_id: str | None = None) -> Any:
        """A connection acting in ``project_id`` (cached).

        ``trust_id`` (a Keystone trust delegating ``user_id``'s roles to the trustee)
        scopes the connection to the trust instead (:meth:`for_delegation`). Without a trust
        the service user acts in the project, granting itself ``settings.project_role``
        there when it has no role yet.
        """
        if trust_id is not None:
            return self.for_delegation(Delegation(project_id, trust_id=trust_id, user_id=user_id))
        key = (project_id, None)
        with self._lock:
            cached = self._connections.get(key)
            if cached is not None:
                return cached
            if project_id == self.settings.project_id:
                connection = self.service_connection()
            elif self._service is not None and project_id == (self._service.current_project_id):
                connection = self._service
            else:
                connection = self._project_connection(project_id)
            self._connections[key] = connection
            return connection

    def for_delegation(self, delegation: Delegation) -> Any:
        """A connection acting for a stack's owner in its project (cached).

        A trust is used by the ``trustee`` (the service user when none is set); a password
        by the owner. Keystone refusing either raises :class:`CloudAuthenticationFailed`:
        no role is ever granted on the owner's behalf.
        """
        key = (delegation.project_id, delegation.key)
        with self._lock:
            cached = self._delegated.get(key)
            if cached is not None:
                self._delegated.move_to_end(key)
                return cached
            if delegation.trust_id is not None:
                what = f"authenticating with the trust of project {delegation.project_id}"
                connection = self._connect(
                    trust_id=delegation.trust_id, settings=self.trustee or self.settings
                )
            else:
                what = f"authenticating as the owner of project {delegation.project_id}"
                connection = self._connect(project_id=delegation.project_id, settings=self._owner(delegation))
            try:
                self._authorize(connection, what)
            except Exception:
                _close(connection)
                raise
            self._delegated[key] = connection
            while len(self._delegated) > self.max_delegations:
                # Not closed: a job still running may hold it; it goes with its last reference.
                self._delegated.popitem(last=False)
            return connection

    def bound(self, project_id: str, *, trust_id: str | None = None) -> Callable[[], Any]:
        """A no-argument factory for ``project_id``: what the engine's resource context takes."""
        return lambda: self.for_project(project_id, trust_id=trust_id)

    def _owner(self, delegation: Delegation) -> CloudSettings:
        """The cloud's settings with the owner's password credentials instead of the service user's."""
        return self.settings.with_options(
            auth_url=delegation.auth_url or self.settings.auth_url,
            username=None if delegation.user_id else delegation.username,
            user_id=delegation.user_id,
            password=delegation.password,
            user_domain_id=delegation.user_domain_id,
            user_domain_name=None,
            project_id=None,
            project_name=None,
            project_domain_id=None,
            project_domain_name=None,
            auth_type="password",
            extra_auth={},
        )

    def forget(self, project_id: str | None = None) -> None:
        """Drop cached connections (all, or those of one project), closing them."""
        with self._lock:
            for cache in (self._connections, self._delegated):
                for key in [key for key in cache if project_id is None or key[0] == project_id]:
                    connection = cache.pop(key)
                    if connection is not self._service:
                        _close(connection)

    def close(self) -> None:
        with self._lock:
            self.forget()
            if self._service is not None:
                _close(self._service)
                self._service = None

    # --- internals ----------------------------------------------------------------------

    def _project_connection(self, project_id: str) -> Any:
        what = f"authenticating in project {project_id}"
        connection = self._connect(project_id=project_id)
        try:
            self._authorize(connection, what)
            return connection
        except CloudAuthenticationFailed:
            _close(connection)
            if self.settings.project_role is None:
                raise
        self._grant_project_role(project_id)
        connection = self._connect(project_id=project_id)
        self._authorize(connection, what)
        return connection

    def _grant_project_role(self, project_id: str) -> None:
        role_name = self.settings.project_role
        service = self.service_connection()
        with translate_errors(f"granting role {role_name} on project {project_id} to the service user"):
            role = service.identity.find_role(role_name, ignore_missing=False)
            service.identity.assign_project_role_to_user(project_id, service.current_user_id, role)

    @staticmethod
    def _authorize(connection: Any, what: str) -> None:
        try:
            connection.session.get_token()
        except Exception as error:
            translated = translate(error, what)
            if isinstance(error, auth_exceptions.Forbidden):
                raise CloudAuthenticationFailed(translated.message, status=403) from error
            raise translated from error


def client_retry_limit(connection: Any) -> int:
    """How often a call that conflicts (409) may be retried on ``connection`` (its factory's setting)."""
    return int(getattr(connection, RETRY_LIMIT_ATTRIBUTE, DEFAULT_CLIENT_RETRY_LIMIT))


def _close(connection: Any) -> None:
    close = getattr(connection, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # closing is best effort
            close()
