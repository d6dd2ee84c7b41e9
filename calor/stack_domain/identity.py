"""Keystone v3 calls of the stack domain admin, over keystoneauth1.

The admin authenticates with a token scoped to the stack domain (only such a token may
create projects in it, as Heat's ``heat_keystoneclient`` notes) and manages projects,
users, role grants and EC2 key pairs there. Every user or project it is asked to delete is
checked to belong to the stack domain first, so a wrong id never removes anything else.
The same calls work against a real Keystone and against Calor's embedded identity service.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import Any

from keystoneauth1 import exceptions as keystone_errors
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.errors import ResourceFailure
from calor.stack_domain.options import StackDomainSettings

LOG = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30.0
IDEMPOTENT = ("GET", "PUT", "DELETE", "HEAD")
RETRIES = 3
RETRIED_STATUSES = [500, 502, 503, 504]
RETRY_DELAY_SECONDS = 0.2
PROJECT_DESCRIPTION = "Heat stack user project"


class StackDomainError(ResourceFailure):
    """Keystone refused or failed a stack domain operation (the message says which and why)."""


class StackDomainIdentity:
    """The stack domain admin's session with Keystone."""

    def __init__(self, settings: StackDomainSettings) -> None:
        self.settings = settings
        self._session = keystone_session.Session(
            auth=v3.Password(
                auth_url=settings.v3_url,
                username=settings.admin_user,
                password=settings.admin_password,
                user_domain_id=settings.domain_id,
                user_domain_name=None if settings.domain_id else settings.domain_name,
                domain_id=settings.domain_id,
                domain_name=None if settings.domain_id else settings.domain_name,
            ),
            timeout=TIMEOUT_SECONDS,
            verify=settings.verify,
        )
        self._anonymous = keystone_session.Session(timeout=TIMEOUT_SECONDS, verify=settings.verify)
        self._lock = threading.Lock()
        self._domain_id = settings.domain_id
        self._role_id: str | None = None

    # --- plumbing -------------------------------------------------------------------------

    def _call(self, what: str, method: str, path: str, body: Any = None, **query: str) -> Any:
        """One request as the domain admin; its JSON body (``None`` when empty)."""
        # Reads, grants and deletes are idempotent: retried when Keystone fails for a moment
        # (a busy database answers 500 or 503); creations are not, their conflicts are handled.
        retries = RETRIES if method in IDEMPOTENT else 0
        try:
            response = self._session.request(
                self.settings.v3_url + path,
                method,
                json=body,
                params=query or None,
                headers={"Accept": "application/json"},
                connect_retries=retries,
                status_code_retries=retries,
                retriable_status_codes=RETRIED_STATUSES,
                status_code_retry_delay=RETRY_DELAY_SECONDS,
            )
        except keystone_errors.Unauthorized as error:
            raise StackDomainError(
                f"The stack domain admin {self.settings.admin_user} cannot authenticate to the domain "
                f"{self.settings.domain} at {self.settings.v3_url} (check stack_domain_admin and "
                f"stack_domain_admin_password): {error}"
            ) from error
        except keystone_errors.HttpError as error:
            raise error
        except keystone_errors.ClientException as error:
            raise StackDomainError(f"Keystone cannot be reached to {what}: {error}") from error
        return response.json() if response.content else None

    def _failure(self, what: str, error: keystone_errors.HttpError) -> StackDomainError:
        return StackDomainError(f"Keystone refused to {what}: {error}")

    def domain_id(self) -> str:
        """The stack domain's id (from the admin's token when only its name is configured)."""
        with self._lock:
            if self._domain_id is None:
                try:
                    access = self._session.auth.get_access(self._session)  # type: ignore[union-attr]
                except keystone_errors.ClientException as error:
                    raise StackDomainError(
                        f"The stack domain admin {self.settings.admin_user} cannot authenticate to the "
                        f"domain {self.settings.domain} at {self.settings.v3_url} (check stack_domain_admin "
                        f"and stack_domain_admin_password): {error}"
                    ) from error
                self._domain_id = str(access.domain_id)
            return self._domain_id

    def role_id(self) -> str:
        """The id of ``heat_stack_user_role``."""
        with self._lock:
            if self._role_id is not None:
                return self._role_id
        name = self.settings.stack_user_role
        try:
            roles = self._call("find the stack user role", "GET", "/roles", name=name)["roles"]
        except keystone_errors.HttpError as error:
            raise self._failure(f"find the role {name}", error) from error
        found = [role for role in roles if role.get("name") == name]
        if len(found) != 1:
            raise StackDomainError(f"Can't find role {name}: create it in Keystone (heat_stack_user_role).")
        with self._lock:
            self._role_id = str(found[0]["id"])
            return self._role_id

    # --- projects -------------------------------------------------------------------------

    def create_project(self, name: str) -> str:
        """A project of the stack domain named ``name`` (the existing one if it is there already)."""
        domain_id = self.domain_id()
        body = {"project": {"name": name, "domain_id": domain_id, "description": PROJECT_DESCRIPTION}}
        try:
            return str(self._call("create a stack project", "POST", "/projects", body)["project"]["id"])
        except keystone_errors.Conflict:
            listed = self._call("find a stack project", "GET", "/projects", name=name, domain_id=domain_id)
            for project in listed["projects"]:
                if project.get("name") == name:
                    return str(project["id"])
            raise StackDomainError(f"Keystone reports a project {name} it does not list.") from None
        except keystone_errors.HttpError as error:
            raise self._failure(f"create the project {name} in the stack domain", error) from error

    def delete_project(self, project_id: str) -> None:
        """Delete a project of the stack domain; a project elsewhere or gone is left alone."""
        try:
            project = self._call("read a stack project", "GET", f"/projects/{project_id}")["project"]
            if project.get("domain_id") != self.domain_id():
                LOG.warning("not deleting project %s: it is not in the stack domain", project_id)
                return
            self._call("delete a stack project", "DELETE", f"/projects/{project_id}")
        except keystone_errors.NotFound:
            return
        except keystone_errors.Forbidden:
            LOG.warning("not allowed to read or delete project %s: left in place", project_id)
        except keystone_errors.HttpError as error:
            raise self._failure(f"delete the stack project {project_id}", error) from error

    # --- users ----------------------------------------------------------------------------

    def create_user(self, name: str, password: str, project_id: str) -> str:
        """A user of the stack domain in ``project_id`` with the stack user role; its id.

        A user of that name already there (a create retried after a crash) gets the new
        password and keeps its id.
        """
        domain_id = self.domain_id()
        body = {
            "user": {
                "name": name,
                "password": password,
                "domain_id": domain_id,
                "default_project_id": project_id,
            }
        }
        try:
            user_id = str(self._call("create a stack user", "POST", "/users", body)["user"]["id"])
        except keystone_errors.Conflict:
            user_id = self._existing_user(name, domain_id)
            try:
                self._call(
                    "reset a stack user's password",
                    "PATCH",
                    f"/users/{user_id}",
                    {"user": {"password": password}},
                )
            except keystone_errors.HttpError as error:
                raise self._failure(f"reset the password of the stack user {name}", error) from error
        except keystone_errors.HttpError as error:
            raise self._failure(f"create the stack user {name}", error) from error
        role_id = self.role_id()
        try:
            self._call(
                "grant the stack user role", "PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id}"
            )
        except keystone_errors.HttpError as error:
            raise self._failure(
                f"grant {self.settings.stack_user_role} to the stack user {name}", error
            ) from error
        return user_id

    def _existing_user(self, name: str, domain_id: str) -> str:
        listed = self._call("find a stack user", "GET", "/users", name=name, domain_id=domain_id)
        for user in listed["users"]:
            if user.get("name") == name:
                return str(user["id"])
        raise StackDomainError(f"Keystone reports a user {name} it does not list.")

    def delete_user(self, user_id: str) -> None:
        """Delete a user of the stack domain (its key pairs go with it); others and the gone are left."""
        try:
            user = self._call("read a stack user", "GET", f"/users/{user_id}")["user"]
            if user.get("domain_id") != self.domain_id():
                LOG.warning("not deleting user %s: it is not in the stack domain", user_id)
                return
            self._call("delete a stack user", "DELETE", f"/users/{user_id}")
        except keystone_errors.NotFound:
            return
        except keystone_errors.Forbidden:
            LOG.warning("not allowed to read or delete user %s: left in place", user_id)
        except keystone_errors.HttpError as error:
            raise self._failure(f"delete the stack user {user_id}", error) from error

    def create_ec2_keypair(self, user_id: str, project_id: str) -> tuple[str, str]:
        """``(access, secret)`` of a new EC2 key pair of the user in ``project_id``.

        Made through ``/v3/credentials`` (type ``ec2``), as Heat does: Keystone lets a
        domain-scoped admin use it, where ``OS-EC2`` wants a project or system scope.
        """
        access, secret = uuid.uuid4().hex, uuid.uuid4().hex
        body = {
            "credential": {
                "type": "ec2",
                "user_id": user_id,
                "project_id": project_id,
                "blob": json.dumps({"access": access, "secret": secret}),
            }
        }
        try:
            self._call("create a stack user's key pair", "POST", "/credentials", body)
        except keystone_errors.HttpError as error:
            raise self._failure(f"create an EC2 key pair of the stack user {user_id}", error) from error
        return access, secret

    def user_token(self, user_id: str, password: str, project_id: str) -> str:
        """A token of the stack user scoped to its project (what TOKEN_SIGNAL hands out)."""
        auth = v3.Password(
            auth_url=self.settings.v3_url, user_id=user_id, password=password, project_id=project_id
        )
        try:
            token = auth.get_token(self._anonymous)
        except keystone_errors.ClientException as error:
            raise StackDomainError(f"The stack user {user_id} cannot get a token: {error}") from error
        if not token:
            raise StackDomainError(f"Keystone gave the stack user {user_id} no token.")
        return str(token)
