"""Handlers of version discovery, ``/v3/auth/*``, ``/v3/ec2tokens`` and the catalog listings."""

from __future__ import annotations

from flask import Response, request

from calor.sandbox.identity import serializers
from calor.sandbox.identity.authentication import authenticate
from calor.sandbox.identity.catalog import INTERFACES, catalog_endpoints, service_id
from calor.sandbox.identity.ec2 import Ec2Request, verify_signature
from calor.sandbox.identity.errors import Forbidden, NotFound, Unauthorized
from calor.sandbox.identity.models import Token
from calor.sandbox.identity.request_helpers import (
    SERVICE_ROLE,
    RequestHelpers,
    empty_response,
    json_response,
    query_flag,
)


class IdentityResponses(RequestHelpers):
    """Version discovery, token issue / validation / revocation, catalog and EC2 tokens."""

    # -- version discovery ---------------------------------------------------------------------

    def versions(self) -> Response:
        version = serializers.version_view(self.base_url())
        return json_response({"versions": {"values": [version]}}, status=300)

    def version(self) -> Response:
        return json_response({"version": serializers.version_view(self.base_url())})

    # -- tokens --------------------------------------------------------------------------------

    def _token_response(self, token: Token, status: int) -> Response:
        catalog = None if query_flag("nocatalog") else self.catalog(token.project_id)
        body = serializers.token_view(self.backend, token, catalog)
        return json_response(body, status=status, headers={"X-Subject-Token": token.id})

    def issue_token(self) -> Response:
        token = authenticate(self.backend, self.json_body())
        return self._token_response(token, 201)

    def _subject_token(self) -> Token:
        caller = self.caller()
        subject_id = request.headers.get("X-Subject-Token")
        if not subject_id:
            raise NotFound("Could not find token: X-Subject-Token is missing.")
        subject = self.backend.validate_token(subject_id, allow_expired=query_flag("allow_expired"))
        roles = self.role_names(caller)
        if caller.user_id != subject.user_id and not roles & {"admin", SERVICE_ROLE}:
            raise Forbidden()
        return subject

    def validate_token(self) -> Response:
        return self._token_response(self._subject_token(), 200)

    def check_token(self) -> Response:
        subject = self._subject_token()
        return empty_response(200, headers={"X-Subject-Token": subject.id})

    def revoke_token(self) -> Response:
        subject = self._subject_token()
        self.backend.revoke_token(subject.id)
        return empty_response(204)

    def auth_catalog(self) -> Response:
        token = self.caller()
        if token.project_id is None and token.domain_id is None:
            raise Forbidden("An unscoped token has no catalog.")
        links = serializers.collection_links(request.base_url)
        return json_response({"catalog": self.catalog(token.project_id), "links": links})

    def auth_projects(self) -> Response:
        token = self.caller()
        projects = [
            serializers.project_view(project, self.base_url())
            for project in self.backend.projects_of_user(token.user_id)
            if project.enabled
        ]
        return json_response({"projects": projects, "links": serializers.collection_links(request.base_url)})

    def auth_domains(self) -> Response:
        token = self.caller()
        domain_ids = {
            project.domain_id
            for project in self.backend.projects_of_user(token.user_id)
            if any(role.name == "admin" for role in self.backend.assigned_roles(token.user_id, project.id))
        }
        domains = [
            serializers.domain_view(self.backend.get_domain(domain_id), self.base_url())
            for domain_id in sorted(domain_ids)
        ]
        return json_response({"domains": domains, "links": serializers.collection_links(request.base_url)})

    # -- EC2 tokens ----------------------------------------------------------------------------

    def ec2_tokens(self) -> Response:
        ec2_request = Ec2Request.from_body(self.json_body())
        try:
            credential = self.backend.get_ec2_credential(ec2_request.access)
        except NotFound as error:
            raise Unauthorized("The EC2 access key is not known.") from error
        verify_signature(ec2_request, credential.secret)
        user = self.backend.get_user(credential.user_id)
        project = self.backend.get_project(credential.project_id)
        if not user.enabled or not project.enabled:
            raise Unauthorized("The user or project of this EC2 credential is disabled.")
        if not self.backend.assigned_roles(user.id, project.id):
            raise Unauthorized(f"User {user.id} has no access to project {project.id}.")
        token = self.backend.issue_token(user.id, methods=["ec2credential"], project_id=project.id)
        return self._token_response(token, 200)

    # -- services and endpoints (read only, from the configured catalog) ----------------------

    def list_services(self) -> Response:
        self.require_admin()
        endpoints = catalog_endpoints(self.config.endpoints, self.base_url() + "/v3")
        services = [
            {
                "id": service_id(endpoint),
                "type": endpoint.service_type,
                "name": endpoint.name,
                "enabled": True,
                "description": "",
                "links": {"self": f"{self.base_url()}/v3/services/{service_id(endpoint)}"},
            }
            for endpoint in endpoints
        ]
        return json_response({"services": services, "links": serializers.collection_links(request.base_url)})

    def list_endpoints(self) -> Response:
        self.require_admin()
        listed = []
        for service in self.catalog():
            for endpoint in service["endpoints"]:
                listed.append(
                    {
                        "id": endpoint["id"],
                        "interface": endpoint["interface"],
                        "region": endpoint["region"],
                        "region_id": endpoint["region_id"],
                        "url": endpoint["url"],
                        "service_id": service["id"],
                        "enabled": True,
                        "links": {"self": f"{self.base_url()}/v3/endpoints/{endpoint['id']}"},
                    }
                )
        interface = request.args.get("interface")
        if interface in INTERFACES:
            listed = [endpoint for endpoint in listed if endpoint["interface"] == interface]
        return json_response({"endpoints": listed, "links": serializers.collection_links(request.base_url)})
