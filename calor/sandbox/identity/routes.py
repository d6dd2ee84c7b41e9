"""The URL table of the identity service: rule, methods and the handler for each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response

from calor.sandbox.identity.admin_responses import AdminResponses
from calor.sandbox.identity.credential_responses import CredentialResponses
from calor.sandbox.identity.responses import IdentityResponses
from calor.sandbox.identity.trust_responses import TrustResponses

GRANT = "/v3/projects/<project_id>/users/<user_id>/roles/<role_id>"
DOMAIN_GRANT = "/v3/domains/<domain_id>/users/<user_id>/roles/<role_id>"
EC2_CREDENTIALS = "/v3/users/<user_id>/credentials/OS-EC2"
TRUSTS = "/v3/OS-TRUST/trusts"


@dataclass(frozen=True)
class Route:
    rule: str
    methods: tuple[str, ...]
    handler: Callable[..., Response]


def url_table(
    identity: IdentityResponses,
    admin: AdminResponses,
    trusts: TrustResponses,
    credentials: CredentialResponses,
) -> list[Route]:
    return [
        Route("/", ("GET",), identity.versions),
        Route("/v3", ("GET",), identity.version),
        Route("/v3/", ("GET",), identity.version),
        Route("/v3/auth/tokens", ("POST",), identity.issue_token),
        Route("/v3/auth/tokens", ("HEAD",), identity.check_token),
        Route("/v3/auth/tokens", ("GET",), identity.validate_token),
        Route("/v3/auth/tokens", ("DELETE",), identity.revoke_token),
        Route("/v3/auth/catalog", ("GET",), identity.auth_catalog),
        Route("/v3/auth/projects", ("GET",), identity.auth_projects),
        Route("/v3/auth/domains", ("GET",), identity.auth_domains),
        Route("/v3/ec2tokens", ("POST",), identity.ec2_tokens),
        Route("/v3/services", ("GET",), identity.list_services),
        Route("/v3/endpoints", ("GET",), identity.list_endpoints),
        Route("/v3/domains", ("GET",), admin.list_domains),
        Route("/v3/domains", ("POST",), admin.create_domain),
        Route("/v3/domains/<domain_id>", ("GET",), admin.get_domain),
        Route("/v3/domains/<domain_id>", ("PATCH",), admin.update_domain),
        Route("/v3/domains/<domain_id>", ("DELETE",), admin.delete_domain),
        Route("/v3/domains/<domain_id>/users/<user_id>/roles", ("GET",), admin.list_domain_grants),
        Route(DOMAIN_GRANT, ("PUT",), admin.grant_domain_role),
        Route(DOMAIN_GRANT, ("GET", "HEAD"), admin.check_domain_grant),
        Route(DOMAIN_GRANT, ("DELETE",), admin.revoke_domain_grant),
        Route("/v3/projects", ("GET",), admin.list_projects),
        Route("/v3/projects", ("POST",), admin.create_project),
        Route("/v3/projects/<project_id>", ("GET",), admin.get_project),
        Route("/v3/projects/<project_id>", ("PATCH",), admin.update_project),
        Route("/v3/projects/<project_id>", ("DELETE",), admin.delete_project),
        Route("/v3/projects/<project_id>/users/<user_id>/roles", ("GET",), admin.list_grants),
        Route(GRANT, ("PUT",), admin.grant_role),
        Route(GRANT, ("GET", "HEAD"), admin.check_grant),
        Route(GRANT, ("DELETE",), admin.revoke_grant),
        Route("/v3/users", ("GET",), admin.list_users),
        Route("/v3/users", ("POST",), admin.create_user),
        Route("/v3/users/<user_id>", ("GET",), admin.get_user),
        Route("/v3/users/<user_id>", ("PATCH",), admin.update_user),
        Route("/v3/users/<user_id>", ("DELETE",), admin.delete_user),
        Route("/v3/users/<user_id>/projects", ("GET",), admin.list_user_projects),
        Route(EC2_CREDENTIALS, ("GET",), admin.list_ec2_credentials),
        Route(EC2_CREDENTIALS, ("POST",), admin.create_ec2_credential),
        Route(EC2_CREDENTIALS + "/<access>", ("GET",), admin.get_ec2_credential),
        Route(EC2_CREDENTIALS + "/<access>", ("DELETE",), admin.delete_ec2_credential),
        Route("/v3/credentials", ("GET",), credentials.list_credentials),
        Route("/v3/credentials", ("POST",), credentials.create_credential),
        Route("/v3/credentials/<credential_id>", ("GET",), credentials.get_credential),
        Route("/v3/credentials/<credential_id>", ("DELETE",), credentials.delete_credential),
        Route("/v3/roles", ("GET",), admin.list_roles),
        Route("/v3/roles", ("POST",), admin.create_role),
        Route("/v3/roles/<role_id>", ("GET",), admin.get_role),
        Route("/v3/roles/<role_id>", ("DELETE",), admin.delete_role),
        Route("/v3/role_assignments", ("GET",), admin.list_role_assignments),
        Route(TRUSTS, ("POST",), trusts.create_trust),
        Route(TRUSTS, ("GET",), trusts.list_trusts),
        Route(TRUSTS + "/<trust_id>", ("GET",), trusts.get_trust),
        Route(TRUSTS + "/<trust_id>", ("DELETE",), trusts.delete_trust),
        Route(TRUSTS + "/<trust_id>/roles", ("GET",), trusts.list_trust_roles),
    ]
