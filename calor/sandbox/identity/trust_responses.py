"""Handlers of ``/v3/OS-TRUST/trusts``: create, list, show, delete a trust and list its roles.

Keystone's rules: only the trustor creates a trust (with a token of their own, not one made
from a delegation such as EC2 credentials or another trust), naming roles they hold on the
project; the trustor, the trustee and administrators read it; the trustor (also through a
token the trust itself scoped, when it impersonates) and administrators delete it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, request

from calor.sandbox.identity import serializers
from calor.sandbox.identity.errors import Forbidden, NotFound, ValidationError
from calor.sandbox.identity.records import Role, Token, Trust
from calor.sandbox.identity.request_helpers import RequestHelpers, empty_response, json_response

DELEGATED_METHODS = frozenset({"ec2credential", "oauth1", "application_credential"})


def trust_view(trust: Trust, roles: list[Role], base_url: str) -> dict[str, Any]:
    """Keystone's trust body."""
    self_url = f"{base_url}/v3/OS-TRUST/trusts/{trust.id}"
    return {
        "id": trust.id,
        "trustor_user_id": trust.trustor_user_id,
        "trustee_user_id": trust.trustee_user_id,
        "project_id": trust.project_id,
        "impersonation": trust.impersonation,
        "expires_at": None if trust.expires_at is None else serializers.timestamp(trust.expires_at),
        "remaining_uses": trust.remaining_uses,
        "redelegation_count": 0,
        "roles": [serializers.role_view(role, base_url) for role in roles],
        "roles_links": {"self": f"{self_url}/roles", "previous": None, "next": None},
        "links": {"self": self_url},
    }


def _expiry(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("Invalid input for field 'expires_at': expected a date-time string.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValidationError(f"Invalid input for field 'expires_at': {value}.") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class TrustResponses(RequestHelpers):
    """OS-TRUST: ``/v3/OS-TRUST/trusts`` and ``/v3/OS-TRUST/trusts/<trust_id>[/roles]``."""

    def _manager(self) -> Token:
        """The caller, when their token may manage trusts."""
        token = self.caller()
        if set(token.methods) & DELEGATED_METHODS:
            raise Forbidden(
                "You are not authorized to perform the requested action: "
                "Delegated tokens cannot manage trusts."
            )
        return token

    def _view(self, trust: Trust) -> dict[str, Any]:
        roles = [self.backend.get_role(role_id) for role_id in trust.role_ids]
        return trust_view(trust, roles, self.base_url())

    def _readable(self, trust_id: str) -> Trust:
        token = self._manager()
        trust = self.backend.get_trust(trust_id)
        if token.user_id not in (trust.trustor_user_id, trust.trustee_user_id) and not self.is_admin(token):
            raise Forbidden()
        return trust

    def _role_ids(self, references: Any) -> list[str]:
        if references is None:
            return []
        if not isinstance(references, list):
            raise ValidationError("Invalid input for field 'roles': expected a list.")
        role_ids = []
        for reference in references:
            if not isinstance(reference, dict) or not ("id" in reference or "name" in reference):
                raise ValidationError("Each role of a trust needs an id or a name.")
            try:
                role = (
                    self.backend.get_role(str(reference["id"]))
                    if "id" in reference
                    else self.backend.find_role(str(reference["name"]))
                )
            except NotFound as error:
                raise NotFound(
                    f"Role {reference.get('id') or reference.get('name')} is not defined"
                ) from error
            role_ids.append(role.id)
        return role_ids

    def create_trust(self) -> Response:
        token = self._manager()
        if token.trust_id is not None:
            raise Forbidden("You are not authorized to perform the requested action: redelegate a trust.")
        member = self.json_member("trust")
        trustor = member.get("trustor_user_id")
        trustee = member.get("trustee_user_id")
        impersonation = member.get("impersonation")
        if not isinstance(trustor, str) or not isinstance(trustee, str):
            raise ValidationError("Expecting to find trustor_user_id and trustee_user_id in trust.")
        if not isinstance(impersonation, bool):
            raise ValidationError("Invalid input for field 'impersonation': expected a boolean.")
        if token.user_id != trustor:
            raise Forbidden(
                "You are not authorized to perform the requested action: "
                "The authenticated user should match the trustor."
            )
        remaining_uses = member.get("remaining_uses")
        if remaining_uses is not None and (
            isinstance(remaining_uses, bool) or not isinstance(remaining_uses, int)
        ):
            raise ValidationError("Invalid input for field 'remaining_uses': expected an integer or null.")
        project_id = member.get("project_id")
        trust = self.backend.create_trust(
            trustor,
            trustee,
            project_id=None if project_id is None else str(project_id),
            role_ids=self._role_ids(member.get("roles")),
            impersonation=impersonation,
            expires_at=_expiry(member.get("expires_at")),
            remaining_uses=remaining_uses,
        )
        return json_response({"trust": self._view(trust)}, status=201)

    def list_trusts(self) -> Response:
        token = self._manager()
        trustor = request.args.get("trustor_user_id")
        trustee = request.args.get("trustee_user_id")
        if not self.is_admin(token) and token.user_id not in (trustor, trustee):
            raise Forbidden()
        trusts = self.backend.list_trusts(trustor_user_id=trustor, trustee_user_id=trustee)
        return json_response(
            {
                "trusts": [self._view(trust) for trust in trusts],
                "links": serializers.collection_links(request.base_url),
            }
        )

    def get_trust(self, trust_id: str) -> Response:
        return json_response({"trust": self._view(self._readable(trust_id))})

    def list_trust_roles(self, trust_id: str) -> Response:
        trust = self._readable(trust_id)
        roles = [
            serializers.role_view(self.backend.get_role(role_id), self.base_url())
            for role_id in trust.role_ids
        ]
        return json_response({"roles": roles, "links": serializers.collection_links(request.base_url)})

    def delete_trust(self, trust_id: str) -> Response:
        token = self._manager()
        trust = self.backend.get_trust(trust_id, counting_uses=False)
        if token.user_id != trust.trustor_user_id and not self.is_admin(token):
            raise Forbidden()
        self.backend.delete_trust(trust.id)
        return empty_response(204)
