"""HTTP handlers of the emulated Neutron: parse the request, call the backend, serialise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.network import serializers
from calor.sandbox.network.listing import filter_views, paginate
from calor.sandbox.network.models import NetworkBackend, Scope
from calor.sandbox.network.quotas import DEFAULT_LIMITS

API_VERSION = "v2.0"
EXTENSIONS = (
    ("router", "Neutron L3 Router"),
    ("external-net", "Neutron external network"),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode"),
    ("extraroute", "Neutron Extra Route"),
    ("security-group", "security-group"),
    ("quotas", "Quota management support"),
    ("quota_details", "Quota details management support"),
    ("allowed-address-pairs", "Allowed Address Pairs"),
    ("binding", "Port Binding"),
    ("port-security", "Port Security"),
    ("net-mtu", "Network MTU"),
    ("project-id", "project_id field enabled"),
    ("standard-attr-description", "standard-attr-description"),
    ("standard-attr-tag", "Tag support for resources with standard attribute"),
    ("standard-attr-timestamp", "Resource timestamps"),
    ("standard-attr-revisions", "Resource revision numbers"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options"),
)


def scope_of(request: ServiceRequest) -> Scope:
    caller = request.authenticated
    return Scope(caller.project_id, caller.is_admin)


def attributes(body: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """Backend keywords from a request member; Neutron's 400 on an unknown attribute."""
    unknown = [name for name in body if name not in fields and name not in serializers.IGNORED_FIELDS]
    if unknown:
        raise BadRequest(f"Unrecognized attribute(s) '{', '.join(unknown)}'", error_type="HTTPBadRequest")
    return {fields[name]: value for name, value in body.items() if name in fields}


def owner_project(request: ServiceRequest, body: Mapping[str, Any]) -> str:
    """The project a new record belongs to: the caller's, or another one an admin names."""
    named = body.get("project_id") or body.get("tenant_id")
    caller = request.authenticated
    if named and named != caller.project_id:
        if not caller.is_admin:
            raise Forbidden(
                "Specifying 'project_id' or 'tenant_id' other than the authenticated project "
                "in request requires admin privileges",
                error_type="HTTPForbidden",
            )
        return str(named)
    return caller.project_id


def required(body: Mapping[str, Any], name: str) -> Any:
    value = body.get(name)
    if value in (None, ""):
        raise BadRequest(
            f"Failed to parse request. Required attribute '{name}' not specified", error_type="HTTPBadRequest"
        )
    return value


class NetworkResponses:
    """One handler per operation; each takes the :class:`ServiceRequest` and URL values."""

    def __init__(self, backend: NetworkBackend) -> None:
        self.backend = backend

    def _list(self, request: ServiceRequest, key: str, views: list[dict[str, Any]]) -> Response:
        selected = filter_views(views, request.http.args)
        url = f"{request.base_url}/{API_VERSION}/{key}"
        page, links = paginate(selected, request.http.args, url)
        body: dict[str, Any] = {key: page}
        if links:
            body[f"{key}_links"] = links
        return json_response(body)

    # -- discovery -----------------------------------------------------------------------------

    def versions(self, request: ServiceRequest) -> Response:
        link = {"href": f"{request.base_url}/{API_VERSION}/", "rel": "self"}
        return json_response({"versions": [{"id": API_VERSION, "status": "CURRENT", "links": [link]}]})

    def version(self, request: ServiceRequest) -> Response:
        names = ("network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule")
        resources = [
            {
                "name": name,
                "collection": name + "s",
                "links": [{"href": f"{request.base_url}/{API_VERSION}/{name}s", "rel": "self"}],
            }
            for name in names
        ]
        return json_response({"resources": resources})

    def extensions(self, request: ServiceRequest) -> Response:
        listed = [self._extension(alias, name) for alias, name in EXTENSIONS]
        return json_response({"extensions": listed})

    def extension(self, request: ServiceRequest, alias: str) -> Response:
        for known, name in EXTENSIONS:
            if known == alias:
                return json_response({"extension": self._extension(known, name)})
        raise NotFound(f"Extension with alias {alias} does not exist", error_type="ExtensionNotFound")

    @staticmethod
    def _extension(alias: str, name: str) -> dict[str, Any]:
        return {
            "alias": alias,
            "name": name,
            "description": name,
            "updated": "2013-01-01T00:00:00-00:00",
            "links": [],
        }

    # -- networks ------------------------------------------------------------------------------

    def list_networks(self, request: ServiceRequest) -> Response:
        networks = self.backend.list_networks(scope_of(request))
        return self._list(request, "networks", [serializers.network_view(net) for net in networks])

    def create_network(self, request: ServiceRequest) -> Response:
        body = request.member("network")
        values = attributes(body, serializers.NETWORK_FIELDS)
        if (values.get("external") or values.get("shared")) and not request.authenticated.is_admin:
            raise Forbidden(
                "(rule:create_network and rule:create_network:shared) is disallowed by policy",
                error_type="PolicyNotAuthorized",
            )
        network = self.backend.create_network(owner_project(request, body), **values)
        return json_response({"network": serializers.network_view(network)}, status=201)

    def get_network(self, request: ServiceRequest, network_id: str) -> Response:
        network = self.backend.get_network(network_id, scope_of(request))
        return json_response({"network": serializers.network_view(network)})

    def update_network(self, request: ServiceRequest, network_id: str) -> Response:
        values = attributes(request.member("network"), serializers.NETWORK_FIELDS)
        if ("external" in values or "shared" in values) and not request.authenticated.is_admin:
            raise Forbidden(
                "(rule:update_network and rule:update_network:shared) is disallowed by policy",
                error_type="PolicyNotAuthorized",
            )
        network = self.backend.update_network(network_id, scope_of(request), **values)
        return json_response({"network": serializers.network_view(network)})

    def delete_network(self, request: ServiceRequest, network_id: str) -> Response:
        self.backend.delete_network(network_id, scope_of(request))
        return empty_response(204)

    # -- subnets -------------------------------------------------------------------------------

    def list_subnets(self, request: ServiceRequest) -> Response:
        subnets = self.backend.subnets.list_subnets(scope_of(request))
        return self._list(request, "subnets", [serializers.subnet_view(subnet) for subnet in subnets])

    def create_subnet(self, request: ServiceRequest) -> Response:
        body = request.member("subnet")
        values = attributes(body, serializers.SUBNET_FIELDS)
        network_id = required(values, "network_id")
        cidr = required(values, "cidr")
        del values["network_id"], values["cidr"]
        if "ip_version" in values:
            values["ip_version"] = int(values["ip_version"])
        subnet = self.backend.subnets.create_subnet(
            owner_project(request, body), network_id, cidr, scope=scope_of(request), **values
        )
        return json_response({"subnet": serializers.subnet_view(subnet)}, status=201)

    def get_subnet(self, request: ServiceRequest, subnet_id: str) -> Response:
        subnet = self.backend.subnets.get_subnet(subnet_id, scope_of(request))
        return json_response({"subnet": serializers.subnet_view(subnet)})

    def update_subnet(self, request: ServiceRequest, subnet_id: str) -> Response:
        values = attributes(request.member("subnet"), serializers.SUBNET_FIELDS)
        for read_only in ("network_id", "cidr", "ip_version"):
            if read_only in values:
                raise BadRequest(
                    f"Cannot update read-only attribute {read_only}", error_type="HTTPBadRequest"
                )
        subnet = self.backend.subnets.update_subnet(subnet_id, scope_of(request), **values)
        return json_response({"subnet": serializers.subnet_view(subnet)})

    def delete_subnet(self, request: ServiceRequest, subnet_id: str) -> Response:
        self.backend.subnets.delete_subnet(subnet_id, scope_of(request))
        return empty_response(204)

    # -- ports ---------------------------------------------------------------------------------

    def list_ports(self, request: ServiceRequest) -> Response:
        ports = self.backend.list_ports(scope_of(request))
        return self._list(request, "ports", [serializers.port_view(port) for port in ports])

    def create_port(self, request: ServiceRequest) -> Response:
        body = request.member("port")
        values = attributes(body, serializers.PORT_FIELDS)
        network_id = required(values, "network_id")
        del values["network_id"]
        values.pop("extra_dhcp_opts", None)
        values.pop("qos_policy_id", None)
        port = self.backend.create_port(
            owner_project(request, body), network_id, scope=scope_of(request), **values
        )
        return json_response({"port": serializers.port_view(port)}, status=201)

    def get_port(self, request: ServiceRequest, port_id: str) -> Response:
        port = self.backend.get_port(port_id, scope_of(request))
        return json_response({"port": serializers.port_view(port)})

    def update_port(self, request: ServiceRequest, port_id: str) -> Response:
        values = attributes(request.member("port"), serializers.PORT_FIELDS)
        for read_only in ("network_id", "mac_address"):
            if read_only in values:
                raise BadRequest(
                    f"Cannot update read-only attribute {read_only}", error_type="HTTPBadRequest"
                )
        port = self.backend.update_port(port_id, scope_of(request), **values)
        return json_response({"port": serializers.port_view(port)})

    def delete_port(self, request: ServiceRequest, port_id: str) -> Response:
        self.backend.delete_port(port_id, scope_of(request))
        return empty_response(204)

    # -- routers -------------------------------------------------------------------------------

    def _router_view(self, router_id: str) -> dict[str, Any]:
        router = self.backend.routers.get_router(router_id)
        gateway = router.external_gateway
        port = self.backend.store.ports.get(gateway.port_id) if gateway is not None else None
        return serializers.router_view(router, port)

    def list_routers(self, request: ServiceRequest) -> Response:
        routers = self.backend.routers.list_routers(scope_of(request))
        return self._list(request, "routers", [self._router_view(router.id) for router in routers])

    def create_router(self, request: ServiceRequest) -> Response:
        body = request.member("router")
        values = attributes(body, serializers.ROUTER_FIELDS)
        values.pop("routes", None)
        router = self.backend.routers.create_router(
            owner_project(request, body), scope=scope_of(request), **values
        )
        return json_response({"router": self._router_view(router.id)}, status=201)

    def get_router(self, request: ServiceRequest, router_id: str) -> Response:
        router = self.backend.routers.get_router(router_id, scope_of(request))
        return json_response({"router": self._router_view(router.id)})

    def update_router(self, request: ServiceRequest, router_id: str) -> Response:
        values = attributes(request.member("router"), serializers.ROUTER_FIELDS)
        router = self.backend.routers.update_router(router_id, scope_of(request), **values)
        return json_response({"router": self._router_view(router.id)})

    def delete_router(self, request: ServiceRequest, router_id: str) -> Response:
        self.backend.routers.delete_router(router_id, scope_of(request))
        return empty_response(204)

    def add_router_interface(self, request: ServiceRequest, router_id: str) -> Response:
        body = request.json()
        info = self.backend.routers.add_interface(
            router_id, scope_of(request), subnet_id=body.get("subnet_id"), port_id=body.get("port_id")
        )
        return json_response(info)

    def remove_router_interface(self, request: ServiceRequest, router_id: str) -> Response:
        body = request.json()
        info = self.backend.routers.remove_interface(
            router_id, scope_of(request), subnet_id=body.get("subnet_id"), port_id=body.get("port_id")
        )
        return json_response(info)

    def _extra_routes(self, request: ServiceRequest) -> list[Any]:
        routes = request.member("router").get("routes")
        if not isinstance(routes, list):
            raise BadRequest("Invalid input for routes: a list of routes is required.")
        return routes

    def add_extraroutes(self, request: ServiceRequest, router_id: str) -> Response:
        self.backend.routers.add_routes(router_id, scope_of(request), self._extra_routes(request))
        return json_response({"router": self._router_view(router_id)})

    def remove_extraroutes(self, request: ServiceRequest, router_id: str) -> Response:
        self.backend.routers.remove_routes(router_id, scope_of(request), self._extra_routes(request))
        return json_response({"router": self._router_view(router_id)})

    # -- floating IPs --------------------------------------------------------------------------

    def _floating_ip_view(self, floating_ip_id: str) -> dict[str, Any]:
        fip = self.backend.routers.get_floating_ip(floating_ip_id)
        port = self.backend.store.ports.get(fip.port_id) if fip.port_id else None
        return serializers.floating_ip_view(fip, port)

    def list_floating_ips(self, request: ServiceRequest) -> Response:
        fips = self.backend.routers.list_floating_ips(scope_of(request))
        return self._list(request, "floatingips", [self._floating_ip_view(fip.id) for fip in fips])

    def create_floating_ip(self, request: ServiceRequest) -> Response:
        body = request.member("floatingip")
        values = attributes(body, serializers.FLOATING_IP_FIELDS)
        network_id = required(values, "floating_network_id")
        del values["floating_network_id"]
        values.pop("qos_policy_id", None)
        fip = self.backend.routers.create_floating_ip(
            owner_project(request, body), network_id, scope=scope_of(request), **values
        )
        return json_response({"floatingip": self._floating_ip_view(fip.id)}, status=201)

    def get_floating_ip(self, request: ServiceRequest, floating_ip_id: str) -> Response:
        fip = self.backend.routers.get_floating_ip(floating_ip_id, scope_of(request))
        return json_response({"floatingip": self._floating_ip_view(fip.id)})

    def update_floating_ip(self, request: ServiceRequest, floating_ip_id: str) -> Response:
        body = request.member("floatingip")
        values = attributes(body, serializers.FLOATING_IP_FIELDS)
        for read_only in ("floating_network_id", "floating_ip_address", "subnet_id"):
            if read_only in values:
                raise BadRequest(
                    f"Cannot update read-only attribute {read_only}", error_type="HTTPBadRequest"
                )
        fip = self.backend.routers.update_floating_ip(floating_ip_id, scope_of(request), **values)
        return json_response({"floatingip": self._floating_ip_view(fip.id)})

    def delete_floating_ip(self, request: ServiceRequest, floating_ip_id: str) -> Response:
        self.backend.routers.delete_floating_ip(floating_ip_id, scope_of(request))
        return empty_response(204)

    # -- security groups -----------------------------------------------------------------------

    def _group_view(self, group_id: str) -> dict[str, Any]:
        group = self.backend.security_groups.get_group(group_id)
        rules = [self.backend.store.security_group_rules[rule_id] for rule_id in group.rule_ids]
        return serializers.security_group_view(group, rules)

    def list_security_groups(self, request: ServiceRequest) -> Response:
        groups = self.backend.security_groups.list_groups(scope_of(request))
        return self._list(request, "security_groups", [self._group_view(group.id) for group in groups])

    def create_security_group(self, request: ServiceRequest) -> Response:
        body = request.member("security_group")
        values = attributes(body, serializers.SECURITY_GROUP_FIELDS)
        group = self.backend.security_groups.create_group(owner_project(request, body), **values)
        return json_response({"security_group": self._group_view(group.id)}, status=201)

    def get_security_group(self, request: ServiceRequest, security_group_id: str) -> Response:
        group = self.backend.security_groups.get_group(security_group_id, scope_of(request))
        return json_response({"security_group": self._group_view(group.id)})

    def update_security_group(self, request: ServiceRequest, security_group_id: str) -> Response:
        values = attributes(request.member("security_group"), serializers.SECURITY_GROUP_FIELDS)
        group = self.backend.security_groups.update_group(security_group_id, scope_of(request), **values)
        return json_response({"security_group": self._group_view(group.id)})

    def delete_security_group(self, request: ServiceRequest, security_group_id: str) -> Response:
        self.backend.security_groups.delete_group(security_group_id, scope_of(request))
        return empty_response(204)

    def _rule_view(self, rule_id: str) -> dict[str, Any]:
        rule = self.backend.security_groups.get_rule(rule_id)
        group = self.backend.store.security_groups.get(rule.security_group_id)
        return serializers.rule_view(rule, group is not None and group.name == "default")

    def list_security_group_rules(self, request: ServiceRequest) -> Response:
        rules = self.backend.security_groups.list_rules(scope_of(request))
        return self._list(request, "security_group_rules", [self._rule_view(rule.id) for rule in rules])

    def create_security_group_rule(self, request: ServiceRequest) -> Response:
        body = request.member("security_group_rule")
        values = attributes(body, serializers.RULE_FIELDS)
        group_id = required(values, "security_group_id")
        del values["security_group_id"]
        rule = self.backend.security_groups.create_rule(
            owner_project(request, body), group_id, scope=scope_of(request), **values
        )
        return json_response({"security_group_rule": self._rule_view(rule.id)}, status=201)

    def get_security_group_rule(self, request: ServiceRequest, rule_id: str) -> Response:
        rule = self.backend.security_groups.get_rule(rule_id, scope_of(request))
        return json_response({"security_group_rule": self._rule_view(rule.id)})

    def delete_security_group_rule(self, request: ServiceRequest, rule_id: str) -> Response:
        self.backend.security_groups.delete_rule(rule_id, scope_of(request))
        return empty_response(204)

    # -- quotas --------------------------------------------------------------------------------

    def _quota_project(self, request: ServiceRequest, project_id: str) -> str:
        caller = request.authenticated
        if project_id != caller.project_id and not caller.is_admin:
            raise Forbidden("Only admin can view or configure quota", error_type="AdminRequired")
        return project_id

    def list_quotas(self, request: ServiceRequest) -> Response:
        caller = request.authenticated
        projects = {caller.project_id} | {
            record.project_id for record in self.backend.store.networks.values() if caller.is_admin
        }
        quotas = [
            self.backend.quotas.limits(project) | {"project_id": project, "tenant_id": project}
            for project in sorted(project for project in projects if project)
        ]
        return json_response({"quotas": quotas})

    def get_quota(self, request: ServiceRequest, project_id: str) -> Response:
        project = self._quota_project(request, project_id)
        return json_response({"quota": self.backend.quotas.limits(project)})

    def get_quota_details(self, request: ServiceRequest, project_id: str) -> Response:
        project = self._quota_project(request, project_id)
        limits = self.backend.quotas.limits(project)
        details = {
            name: {"limit": limit, "used": self.backend.usage(project, name), "reserved": 0}
            for name, limit in limits.items()
        }
        return json_response({"quota": details})

    def get_quota_default(self, request: ServiceRequest, project_id: str) -> Response:
        self._quota_project(request, project_id)
        return json_response({"quota": self.backend.quotas.defaults()})

    def update_quota(self, request: ServiceRequest, project_id: str) -> Response:
        if not request.authenticated.is_admin:
            raise Forbidden("Only admin can view or configure quota", error_type="AdminRequired")
        changes = request.member("quota")
        unknown = [name for name in changes if name not in DEFAULT_LIMITS]
        if unknown:
            raise BadRequest(f"Unrecognized attribute(s) '{', '.join(unknown)}'", error_type="HTTPBadRequest")
        return json_response({"quota": self.backend.quotas.update(project_id, changes)})

    def delete_quota(self, request: ServiceRequest, project_id: str) -> Response:
        if not request.authenticated.is_admin:
            raise Forbidden("Only admin can view or configure quota", error_type="AdminRequired")
        self.backend.quotas.reset(project_id)
        return empty_response(204)
