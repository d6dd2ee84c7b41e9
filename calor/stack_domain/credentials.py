"""Stack domain users: the :class:`~calor.plugins.signals.wiring.StackCredentials` of Calor.

As Heat does it: when a stack's first in-instance agent needs credentials (a wait
condition handle, a server's software deployment agent), a project is created for the
stack in the stack domain, named ``<project id>-<stack id>``, and recorded as the stack's
``stack_user_project_id``; each such resource then gets a user of its own in that project
with the ``heat_stack_user`` role, a password and an EC2 key pair. Deleting the resource
deletes its user; deleting the stack deletes the project. A stack user's token or key pair
is scoped to that project, which is how the service knows the one stack it may reach, and
the role is what policy confines to reading metadata and signalling.
"""

from __future__ import annotations

import logging
import secrets
from typing import Protocol

from calor.errors import ResourceFailure
from calor.plugins.signals.wiring import StackCredential
from calor.stack_domain.identity import StackDomainIdentity

LOG = logging.getLogger(__name__)
MAXIMUM_NAME_LENGTH = 64
MAXIMUM_USER_NAME_LENGTH = 255


class StackUserProjects(Protocol):
    """Where a stack's project is recorded (:class:`calor.db.repository.Repository` is one)."""

    def stack_user_project_id(self, stack_id: str) -> str | None: ...

    def claim_stack_user_project(self, stack_id: str, project_id: str) -> str | None: ...


def project_name(project_id: str, stack_id: str) -> str:
    """Heat's name of a stack's project: the owner's project id and the stack id (64 characters)."""
    return f"{project_id}-{stack_id}"[:MAXIMUM_NAME_LENGTH]


def user_name(stack_id: str, resource_name: str) -> str:
    """The user of a stack's resource (the stack id kept when the name must be shortened)."""
    return f"{resource_name}-{stack_id}"[-MAXIMUM_USER_NAME_LENGTH:]


class StackDomainCredentials:
    """Stack users in the stack domain, created and deleted by its admin."""

    def __init__(self, identity: StackDomainIdentity, projects: StackUserProjects) -> None:
        self.identity = identity
        self.projects = projects

    def stack_project(self, project_id: str, stack_id: str) -> str:
        """The stack's project in the stack domain, created on first use."""
        existing = self.projects.stack_user_project_id(stack_id)
        if existing:
            return existing
        created = self.identity.create_project(project_name(project_id, stack_id))
        recorded = self.projects.claim_stack_user_project(stack_id, created)
        if recorded is None:
            self.identity.delete_project(created)
            raise ResourceFailure(f"The stack {stack_id} is gone: no stack user was created.")
        if recorded != created:  # another engine recorded a project of its own first
            self.identity.delete_project(created)
        return recorded

    def create(self, project_id: str, stack_id: str, resource_name: str) -> StackCredential:
        stack_project = self.stack_project(project_id, stack_id)
        name = user_name(stack_id, resource_name)
        password = secrets.token_urlsafe(18)
        user_id = self.identity.create_user(name, password, stack_project)
        access, secret = self.identity.create_ec2_keypair(user_id, stack_project)
        return StackCredential(user_id, name, stack_project, access, secret, password)

    def delete(self, user_id: str) -> None:
        self.identity.delete_user(user_id)

    def token(self, credential: StackCredential) -> str:
        return self.identity.user_token(credential.user_id, credential.password, credential.project_id)

    def delete_project(self, project_id: str) -> None:
        self.identity.delete_project(project_id)


class MissingStackDomain:
    """No stack domain configured: resources that need stack users fail, saying what to configure."""

    def _refuse(self) -> ResourceFailure:
        return ResourceFailure(
            "This resource needs a stack domain user, and no stack domain is configured: set "
            "stack_user_domain_name (or stack_user_domain_id), stack_domain_admin and "
            "stack_domain_admin_password in heat.conf, and [clients_keystone] auth_uri."
        )

    def create(self, project_id: str, stack_id: str, resource_name: str) -> StackCredential:
        raise self._refuse()

    def delete(self, user_id: str) -> None:
        return None

    def token(self, credential: StackCredential) -> str:
        raise self._refuse()

    def delete_project(self, project_id: str) -> None:
        LOG.warning("stack domain project %s left in place: no stack domain is configured", project_id)
