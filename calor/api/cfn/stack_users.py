"""Per-stack credentials in the embedded identity backend (standalone mode).

Each wait condition handle gets a user of its own, ``calor-stack-<stack id>-<resource>``
in the default domain, with the ``heat_stack_user`` role on the stack's project, and an
EC2 key pair of that user; deleting the handle deletes both. heat-api-cfn recognises
these users by name and lets them only read their stack's resources and signal them.
(Heat keeps such users in a separate stack domain; Calor will when it gains one.)
"""

from __future__ import annotations

import secrets
from typing import Any

from calor.api.cfn.signatures import STACK_USER_PREFIX, STACK_USER_ROLE
from calor.plugins.signals.wiring import StackCredential

DOMAIN_ID = "default"


class LocalStackCredentials:
    """:class:`~calor.plugins.signals.wiring.StackCredentials` on an ``IdentityBackend``."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def _role_id(self) -> str:
        from calor.sandbox.identity.errors import NotFound

        try:
            return str(self.backend.find_role(STACK_USER_ROLE).id)
        except NotFound:
            return str(self.backend.create_role(STACK_USER_ROLE).id)

    def create(self, project_id: str, stack_id: str, resource_name: str) -> StackCredential:
        from calor.sandbox.identity.errors import NotFound

        name = f"{STACK_USER_PREFIX}{stack_id}-{resource_name}"
        password = secrets.token_urlsafe(18)
        try:
            user = self.backend.find_user(name, DOMAIN_ID)
            self.backend.update_user(user.id, password=password)
        except NotFound:
            user = self.backend.create_user(name, DOMAIN_ID, password, default_project_id=project_id)
        self.backend.grant_role(user.id, project_id, self._role_id())
        pair = self.backend.create_ec2_credential(user.id, project_id)
        return StackCredential(user.id, name, project_id, pair.access, pair.secret, password)

    def delete(self, access: str) -> None:
        from calor.sandbox.identity.errors import NotFound

        try:
            credential = self.backend.get_ec2_credential(access)
            self.backend.delete_ec2_credential(access)
            user = self.backend.get_user(credential.user_id)
            if user.name.startswith(STACK_USER_PREFIX) and not self.backend.list_ec2_credentials(user.id):
                self.backend.delete_user(user.id)
        except NotFound:
            return

    def token(self, credential: StackCredential) -> str:
        issued = self.backend.issue_token(
            credential.user_id, methods=["password"], project_id=credential.project_id
        )
        return str(issued.id)
