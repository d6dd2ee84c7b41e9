"""Keystone's ``/v3/credentials`` for credentials of type ``ec2`` (what Heat's stack domain admin uses).

The credential's ``blob`` is the JSON text ``{"access": ..., "secret": ...}`` and its id, as
Keystone computes it for EC2 credentials, the SHA-256 of the access key; it is the same EC2
key pair ``/v3/users/{user}/credentials/OS-EC2`` and ``/v3/ec2tokens`` know. A credential may
be managed by its user, a cloud administrator, or the administrator of its user's domain.
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from calor.sandbox.identity import serializers
from calor.sandbox.identity.errors import Forbidden, NotFound, ValidationError
from calor.sandbox.identity.models import Ec2Credential, Token
from calor.sandbox.identity.request_helpers import RequestHelpers, empty_response, json_response

EC2 = "ec2"


def credential_id(access: str) -> str:
    return hashlib.sha256(access.encode("utf-8")).hexdigest()


class CredentialResponses(RequestHelpers):
    """Create, show, list and delete EC2 credentials through ``/v3/credentials``."""

    def _view(self, credential: Ec2Credential) -> dict[str, object]:
        identifier = credential_id(credential.access)
        return {
            "id": identifier,
            "type": EC2,
            "user_id": credential.user_id,
            "project_id": credential.project_id,
            "blob": json.dumps({"access": credential.access, "secret": credential.secret, "trust_id": None}),
            "links": {"self": f"{self.base_url()}/v3/credentials/{identifier}"},
        }

    def _may_manage(self, token: Token, user_id: str) -> bool:
        if token.user_id == user_id or self.is_admin(token):
            return True
        domain = self.administered_domain(token)
        return domain is not None and self.backend.get_user(user_id).domain_id == domain

    def _find(self, identifier: str) -> Ec2Credential:
        for credential in self.backend.list_ec2_credentials():
            if credential_id(credential.access) == identifier:
                return credential
        raise NotFound(f"Could not find credential: {identifier}.")

    def create_credential(self) -> Response:
        token = self.caller()
        member = self.json_member("credential")
        if member.get("type") != EC2:
            raise ValidationError("Only credentials of type ec2 are kept by this identity service.")
        user_id, project_id, blob = member.get("user_id"), member.get("project_id"), member.get("blob")
        if not isinstance(user_id, str) or not isinstance(project_id, str) or not isinstance(blob, str):
            raise ValidationError("An ec2 credential needs user_id, project_id and blob (JSON text).")
        try:
            keys = json.loads(blob)
        except ValueError as error:
            raise ValidationError("The blob of an ec2 credential must be JSON text.") from error
        if not isinstance(keys, dict) or not keys.get("access") or not keys.get("secret"):
            raise ValidationError("The blob of an ec2 credential must hold access and secret.")
        if not self._may_manage(token, user_id):
            raise Forbidden()
        if not self.is_admin(token) and not self.backend.assigned_roles(user_id, project_id):
            raise Forbidden(f"User {user_id} has no role on project {project_id}.")
        credential = self.backend.create_ec2_credential(
            user_id, project_id, access=str(keys["access"]), secret=str(keys["secret"])
        )
        return json_response({"credential": self._view(credential)}, status=201)

    def list_credentials(self) -> Response:
        token = self.caller()
        user_id = request.args.get("user_id")
        if request.args.get("type") not in (None, EC2):
            return json_response({"credentials": [], "links": serializers.collection_links(request.base_url)})
        listed = [
            credential
            for credential in self.backend.list_ec2_credentials(user_id)
            if self._may_manage(token, credential.user_id)
        ]
        views = [self._view(credential) for credential in listed]
        return json_response({"credentials": views, "links": serializers.collection_links(request.base_url)})

    def get_credential(self, credential_id: str) -> Response:
        credential = self._find(credential_id)
        if not self._may_manage(self.caller(), credential.user_id):
            raise Forbidden()
        return json_response({"credential": self._view(credential)})

    def delete_credential(self, credential_id: str) -> Response:
        credential = self._find(credential_id)
        if not self._may_manage(self.caller(), credential.user_id):
            raise Forbidden()
        self.backend.delete_ec2_credential(credential.access)
        return empty_response()
