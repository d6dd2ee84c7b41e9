"""The URL table of the emulated Neutron, relative to its ``/network`` prefix."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from functools import wraps
from typing import Any

from flask import Response

from calor.sandbox.framework.service import Route
from calor.sandbox.network.responses import NetworkResponses
from calor.sandbox.network.tags import COLLECTIONS, TagResponses

V2 = "/v2.0"


def _crud(handlers: NetworkResponses, plural: str, singular: str, key: str, operation: str) -> list[Route]:
    """List, create, show, update and delete routes of one collection."""
    collection = f"{V2}/{plural}"
    member = f"{collection}/<{key}>"
    return [
        Route(collection, ("GET",), getattr(handlers, f"list_{singular}s"), f"network.{operation}.list"),
        Route(collection, ("POST",), getattr(handlers, f"create_{singular}"), f"network.{operation}.create"),
        Route(member, ("GET",), getattr(handlers, f"get_{singular}"), f"network.{operation}.get"),
        Route(member, ("PUT",), getattr(handlers, f"update_{singular}"), f"network.{operation}.update"),
        Route(member, ("DELETE",), getattr(handlers, f"delete_{singular}"), f"network.{operation}.delete"),
    ]


def tag_routes(tags: TagResponses) -> list[Route]:
    collections = ", ".join(f'"{name}"' for name in COLLECTIONS)
    base = f"{V2}/<any({collections}):collection>/<resource_id>/tags"
    return [
        Route(base, ("GET",), tags.list_tags),
        Route(base, ("PUT",), tags.replace_tags, "network.tag.update"),
        Route(base, ("DELETE",), tags.clear_tags, "network.tag.update"),
        Route(base + "/<tag>", ("GET",), tags.check_tag),
        Route(base + "/<tag>", ("PUT",), tags.add_tag, "network.tag.update"),
        Route(base + "/<tag>", ("DELETE",), tags.remove_tag, "network.tag.update"),
    ]


def _locked(route: Route, lock: AbstractContextManager[Any]) -> Route:
    """The route with its handler run under the backend's lock, so that a response is serialised
    from one consistent state."""
    handler = route.handler

    @wraps(handler)
    def locked(*arguments: Any, **values: Any) -> Response:
        with lock:
            return handler(*arguments, **values)

    return replace(route, handler=locked)


def url_table(handlers: NetworkResponses) -> list[Route]:
    return [_locked(route, handlers.backend.lock) for route in _routes(handlers)]


def _routes(handlers: NetworkResponses) -> list[Route]:
    routers = f"{V2}/routers/<router_id>"
    quota = f"{V2}/quotas/<project_id>"
    rules = f"{V2}/security-group-rules"
    return [
        Route("/", ("GET",), handlers.versions, public=True),
        Route(V2, ("GET",), handlers.version),
        Route(f"{V2}/extensions", ("GET",), handlers.extensions),
        Route(f"{V2}/extensions/<alias>", ("GET",), handlers.extension),
        *_crud(handlers, "networks", "network", "network_id", "network"),
        *_crud(handlers, "subnets", "subnet", "subnet_id", "subnet"),
        *_crud(handlers, "ports", "port", "port_id", "port"),
        *_crud(handlers, "routers", "router", "router_id", "router"),
        Route(
            f"{routers}/add_router_interface",
            ("PUT",),
            handlers.add_router_interface,
            "network.router.add_interface",
        ),
        Route(
            f"{routers}/remove_router_interface",
            ("PUT",),
            handlers.remove_router_interface,
            "network.router.remove_interface",
        ),
        Route(f"{routers}/add_extraroutes", ("PUT",), handlers.add_extraroutes, "network.router.update"),
        Route(
            f"{routers}/remove_extraroutes", ("PUT",), handlers.remove_extraroutes, "network.router.update"
        ),
        *_crud(handlers, "floatingips", "floating_ip", "floating_ip_id", "floatingip"),
        *_crud(handlers, "security-groups", "security_group", "security_group_id", "security_group"),
        Route(rules, ("GET",), handlers.list_security_group_rules, "network.security_group_rule.list"),
        Route(rules, ("POST",), handlers.create_security_group_rule, "network.security_group_rule.create"),
        Route(
            f"{rules}/<rule_id>",
            ("GET",),
            handlers.get_security_group_rule,
            "network.security_group_rule.get",
        ),
        Route(
            f"{rules}/<rule_id>",
            ("DELETE",),
            handlers.delete_security_group_rule,
            "network.security_group_rule.delete",
        ),
        Route(f"{V2}/quotas", ("GET",), handlers.list_quotas),
        Route(quota, ("GET",), handlers.get_quota),
        Route(f"{quota}/details", ("GET",), handlers.get_quota_details),
        Route(f"{quota}/default", ("GET",), handlers.get_quota_default),
        Route(quota, ("PUT",), handlers.update_quota, "network.quota.update"),
        Route(quota, ("DELETE",), handlers.delete_quota, "network.quota.delete"),
        *tag_routes(TagResponses(handlers.backend)),
    ]
