"""HTTP handlers of the emulated Nova's other resources: versions, flavors, key pairs,
server groups, availability zones, limits and quota sets."""

from __future__ import annotations

from typing import Any

from flask import Response

from calor.sandbox.compute.models import AVAILABILITY_ZONE, HOST
from calor.sandbox.compute.responses import NovaHandlers
from calor.sandbox.compute.serializers import flavor_summary, flavor_view, keypair_view, server_group_view
from calor.sandbox.compute.versions import version_detail, version_document
from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound
from calor.sandbox.framework.http import json_response
from calor.sandbox.framework.service import ServiceRequest

QUOTA_NAMES = (
    "instances",
    "cores",
    "ram",
    "key_pairs",
    "metadata_items",
    "server_groups",
    "server_group_members",
)
OLD_QUOTA_NAMES = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")


def _require_admin(request: ServiceRequest, rule: str) -> None:
    if not request.authenticated.is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


class ResourceResponses(NovaHandlers):
    # -- versions (public) ---------------------------------------------------------------------

    def show_versions(self, request: ServiceRequest) -> Response:
        return json_response({"versions": [version_document(request.base_url)]})

    def show_version(self, request: ServiceRequest) -> Response:
        return json_response(version_detail(request.base_url))

    # -- flavors -------------------------------------------------------------------------------

    def _flavors(self, request: ServiceRequest) -> list[dict[str, Any]]:
        public = request.argument("is_public")
        is_public: bool | None = True
        if public is not None:
            is_public = None if public.lower() == "none" else public.lower() in ("true", "1", "yes")
        project_id = None if request.authenticated.is_admin else request.project_id
        try:
            minimum_ram = int(request.argument("minRam") or 0)
            minimum_disk = int(request.argument("minDisk") or 0)
        except ValueError as error:
            raise BadRequest("Invalid minRam or minDisk filter") from error
        return self.backend.flavors.list_flavors(
            is_public=is_public, project_id=project_id, minimum_ram=minimum_ram, minimum_disk=minimum_disk
        )

    def _flavor(self, request: ServiceRequest, flavor_id: str) -> dict[str, Any]:
        project_id = None if request.authenticated.is_admin else request.project_id
        return self.backend.flavors.get_visible(flavor_id, project_id)

    def list_flavors(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        flavors = [flavor_summary(flavor, request.base_url, version) for flavor in self._flavors(request)]
        return self.respond(request, {"flavors": flavors})

    def list_flavors_detail(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        flavors = [flavor_view(flavor, request.base_url, version) for flavor in self._flavors(request)]
        return self.respond(request, {"flavors": flavors})

    def show_flavor(self, request: ServiceRequest, flavor_id: str) -> Response:
        flavor = self._flavor(request, flavor_id)
        return self.respond(request, {"flavor": flavor_view(flavor, request.base_url, self.version(request))})

    def create_flavor(self, request: ServiceRequest) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-manage:create")
        flavor = self.backend.flavors.create(request.member("flavor"))
        return self.respond(request, {"flavor": flavor_view(flavor, request.base_url, self.version(request))})

    def update_flavor(self, request: ServiceRequest, flavor_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-manage:update")
        flavor = self.backend.flavors.update_description(
            flavor_id, request.member("flavor").get("description")
        )
        return self.respond(request, {"flavor": flavor_view(flavor, request.base_url, self.version(request))})

    def delete_flavor(self, request: ServiceRequest, flavor_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-manage:delete")
        self.backend.flavors.delete(flavor_id)
        return self.respond(request, None, 202)

    def list_extra_specs(self, request: ServiceRequest, flavor_id: str) -> Response:
        return self.respond(request, {"extra_specs": dict(self._flavor(request, flavor_id)["extra_specs"])})

    def _access_view(self, flavor_id: str, projects: list[str]) -> dict[str, Any]:
        return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": project} for project in projects]}

    def list_flavor_access(self, request: ServiceRequest, flavor_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-access")
        return self.respond(request, self._access_view(flavor_id, self.backend.flavors.access(flavor_id)))

    def flavor_action(self, request: ServiceRequest, flavor_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-access:add_tenant_access")
        body = request.json()
        for action, granted in (("addTenantAccess", True), ("removeTenantAccess", False)):
            if action in body:
                project = (body[action] or {}).get("tenant") if isinstance(body[action], dict) else None
                if not isinstance(project, str) or not project:
                    raise BadRequest(f"Invalid input for field/attribute {action}.")
                projects = self.backend.flavors.set_access(flavor_id, project, granted=granted)
                return self.respond(request, self._access_view(flavor_id, projects))
        raise BadRequest("There is no such action: " + ", ".join(body))

    def create_extra_specs(self, request: ServiceRequest, flavor_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-extra-specs:create")
        specs = request.member("extra_specs")
        self.backend.flavors.set_extra_specs(flavor_id, specs)
        return self.respond(request, {"extra_specs": specs})

    def show_extra_spec(self, request: ServiceRequest, flavor_id: str, key: str) -> Response:
        specs = self._flavor(request, flavor_id)["extra_specs"]
        if key not in specs:
            raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
        return self.respond(request, {key: specs[key]})

    def update_extra_spec(self, request: ServiceRequest, flavor_id: str, key: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-extra-specs:update")
        body = request.json()
        if list(body) != [key]:
            raise BadRequest("Request body and URI mismatch")
        self.backend.flavors.set_extra_specs(flavor_id, body)
        return self.respond(request, {key: str(body[key])})

    def delete_extra_spec(self, request: ServiceRequest, flavor_id: str, key: str) -> Response:
        _require_admin(request, "os_compute_api:os-flavor-extra-specs:delete")
        self.backend.flavors.delete_extra_spec(flavor_id, key)
        return self.respond(request, None, 202)

    # -- key pairs -----------------------------------------------------------------------------

    def _keypair_user(self, request: ServiceRequest) -> str:
        user_id = request.argument("user_id")
        if user_id and user_id != request.authenticated.user_id:
            _require_admin(request, "os_compute_api:os-keypairs:index")
            return user_id
        return request.authenticated.user_id

    def list_keypairs(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        keypairs = self.backend.keypairs.list(self._keypair_user(request))
        return self.respond(
            request,
            {"keypairs": [{"keypair": keypair_view(keypair, version, full=False)} for keypair in keypairs]},
        )

    def create_keypair(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        body = request.member("keypair")
        user_id = request.authenticated.user_id
        if body.get("user_id") and body["user_id"] != user_id:
            _require_admin(request, "os_compute_api:os-keypairs:create")
            user_id = body["user_id"]
        limit = self.backend.limit(request.project_id, "key_pairs")
        allowed = limit < 0 or len(self.backend.keypairs.list(user_id)) < limit
        keypair, private_key = self.backend.keypairs.create(
            user_id,
            body.get("name"),  # type: ignore[arg-type]
            public_key=body.get("public_key"),
            key_type=body.get("type", "ssh") if version.at_least("2.2") else "ssh",
            allowed=allowed,
        )
        view = keypair_view(keypair, version, full=False)
        view["user_id"] = keypair["user_id"]
        if private_key is not None:
            view["private_key"] = private_key
        return self.respond(request, {"keypair": view}, 201 if version.at_least("2.2") else 200)

    def show_keypair(self, request: ServiceRequest, name: str) -> Response:
        keypair = self.backend.keypairs.get(self._keypair_user(request), name)
        return self.respond(request, {"keypair": keypair_view(keypair, self.version(request), full=True)})

    def delete_keypair(self, request: ServiceRequest, name: str) -> Response:
        self.backend.keypairs.delete(self._keypair_user(request), name)
        return self.respond(request, None, 204 if self.version(request).at_least("2.2") else 202)

    # -- server groups -------------------------------------------------------------------------

    def list_server_groups(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        everyone = request.argument("all_projects") not in (None, "0", "false", "False")
        project = None if everyone and request.authenticated.is_admin else request.project_id
        groups = [server_group_view(group, version) for group in self.backend.server_groups.list(project)]
        return self.respond(request, {"server_groups": groups})

    def create_server_group(self, request: ServiceRequest) -> Response:
        version = self.version(request)
        body = request.member("server_group")
        if version.at_least("2.64"):
            policy, rules = body.get("policy"), body.get("rules")
        else:
            policies = body.get("policies")
            if not isinstance(policies, list) or len(policies) != 1:
                raise BadRequest("Invalid input for field/attribute policies.")
            policy, rules = policies[0], None
        project_id = request.project_id
        limit = self.backend.limit(project_id, "server_groups")
        allowed = limit < 0 or len(self.backend.server_groups.list(project_id)) < limit
        group = self.backend.server_groups.create(
            project_id,
            request.authenticated.user_id,
            body.get("name"),
            policy,
            rules,
            allowed=allowed,
        )
        return self.respond(request, {"server_group": server_group_view(group, version)})

    def show_server_group(self, request: ServiceRequest, group_id: str) -> Response:
        project = None if request.authenticated.is_admin else request.project_id
        group = self.backend.server_groups.get(group_id, project)
        return self.respond(request, {"server_group": server_group_view(group, self.version(request))})

    def delete_server_group(self, request: ServiceRequest, group_id: str) -> Response:
        project = None if request.authenticated.is_admin else request.project_id
        self.backend.server_groups.delete(group_id, project)
        return self.respond(request, None, 204)

    # -- availability zones, limits, quotas ----------------------------------------------------

    def availability_zones(self, request: ServiceRequest) -> Response:
        zone = {"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}, "hosts": None}
        return self.respond(request, {"availabilityZoneInfo": [zone]})

    def availability_zones_detail(self, request: ServiceRequest) -> Response:
        _require_admin(request, "os_compute_api:os-availability-zone:detail")
        service = {"nova-compute": {"available": True, "active": True, "updated_at": None}}
        zone = {"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}, "hosts": {HOST: service}}
        return self.respond(request, {"availabilityZoneInfo": [zone]})

    def limits(self, request: ServiceRequest) -> Response:
        project_id = request.argument("tenant_id") if request.authenticated.is_admin else None
        project_id = project_id or request.project_id
        usage = self.backend.usage(project_id)
        limit = self.backend.limit
        absolute: dict[str, int] = {
            "maxTotalInstances": limit(project_id, "instances"),
            "maxTotalCores": limit(project_id, "cores"),
            "maxTotalRAMSize": limit(project_id, "ram"),
            "maxServerMeta": limit(project_id, "metadata_items"),
            "maxTotalKeypairs": limit(project_id, "key_pairs"),
            "maxServerGroups": limit(project_id, "server_groups"),
            "maxServerGroupMembers": limit(project_id, "server_group_members"),
            "totalInstancesUsed": usage.instances,
            "totalCoresUsed": usage.cores,
            "totalRAMUsed": usage.ram,
            "totalServerGroupsUsed": len(self.backend.server_groups.list(project_id)),
        }
        if not self.version(request).at_least("2.57"):
            absolute["maxPersonality"] = limit(project_id, "injected_files")
            absolute["maxPersonalitySize"] = limit(project_id, "injected_file_content_bytes")
        return self.respond(request, {"limits": {"rate": [], "absolute": absolute}})

    def _quota_names(self, request: ServiceRequest) -> tuple[str, ...]:
        if self.version(request).at_least("2.57"):
            return QUOTA_NAMES
        return QUOTA_NAMES + OLD_QUOTA_NAMES

    def _quota_project(self, request: ServiceRequest, project_id: str) -> None:
        if project_id != request.project_id:
            _require_admin(request, "os_compute_api:os-quota-sets:show")

    def show_quota_set(self, request: ServiceRequest, project_id: str) -> Response:
        self._quota_project(request, project_id)
        quota_set: dict[str, Any] = {"id": project_id}
        quota_set.update({name: self.backend.limit(project_id, name) for name in self._quota_names(request)})
        return self.respond(request, {"quota_set": quota_set})

    def show_quota_set_detail(self, request: ServiceRequest, project_id: str) -> Response:
        self._quota_project(request, project_id)
        usage = self.backend.usage(project_id)
        in_use = {
            "instances": usage.instances,
            "cores": usage.cores,
            "ram": usage.ram,
            "server_groups": len(self.backend.server_groups.list(project_id)),
        }
        quota_set: dict[str, Any] = {"id": project_id}
        for name in self._quota_names(request):
            quota_set[name] = {
                "limit": self.backend.limit(project_id, name),
                "in_use": in_use.get(name, 0),
                "reserved": 0,
            }
        return self.respond(request, {"quota_set": quota_set})

    def show_default_quota_set(self, request: ServiceRequest, project_id: str) -> Response:
        defaults = self.backend.context.quotas.defaults
        quota_set: dict[str, Any] = {"id": project_id}
        quota_set.update({name: defaults.get(f"compute.{name}", -1) for name in self._quota_names(request)})
        return self.respond(request, {"quota_set": quota_set})

    def update_quota_set(self, request: ServiceRequest, project_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-quota-sets:update")
        body = request.member("quota_set")
        names = self._quota_names(request)
        for name, value in body.items():
            if name == "force":
                continue
            if name not in names:
                raise BadRequest(f"Additional properties are not allowed ('{name}' was unexpected)")
            try:
                number = int(value)
            except (TypeError, ValueError) as error:
                raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.") from error
            if number < -1:
                raise BadRequest(f"Quota limit {number} for {name} must be -1 or greater.")
            self.backend.context.quotas.set_limit(project_id, f"compute.{name}", number)
        quota_set = {name: self.backend.limit(project_id, name) for name in names}
        return self.respond(request, {"quota_set": quota_set})

    def delete_quota_set(self, request: ServiceRequest, project_id: str) -> Response:
        _require_admin(request, "os_compute_api:os-quota-sets:delete")
        self.backend.context.quotas.clear(project_id, "compute.")
        return self.respond(request, None, 202)
