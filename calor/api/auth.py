"""Authentication: keystonemiddleware in front of the WSGI app, its headers → RequestContext.

With ``auth_strategy = keystone`` every request passes keystonemiddleware's
``AuthProtocol``, which validates ``X-Auth-Token`` against Keystone (or Calor's embedded
identity) and sets ``X-Identity-Status``, ``X-Project-Id``, ``X-User-Id``, ``X-Roles``.
With ``noauth`` (tests, trusted deployments) those headers are taken as the client sent them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from calor.api.errors import Unauthorized
from calor.engine.service import RequestContext

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

ADMIN_ROLE = "admin"


def _header(environ: Mapping[str, Any], name: str) -> str | None:
    value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return str(value) if value else None


def context_from_environ(environ: Mapping[str, Any], *, trust_headers: bool = False) -> RequestContext:
    """The caller, from the headers keystonemiddleware set (401 when it did not confirm them)."""
    if not trust_headers and _header(environ, "X-Identity-Status") != "Confirmed":
        raise Unauthorized("Authentication required: the request has no valid X-Auth-Token.")
    project_id = _header(environ, "X-Project-Id") or _header(environ, "X-Tenant-Id")
    if not project_id:
        raise Unauthorized("The token is not scoped to a project.")
    roles = tuple(role.strip() for role in (_header(environ, "X-Roles") or "").split(",") if role.strip())
    return RequestContext(
        project_id=project_id,
        user_id=_header(environ, "X-User-Id"),
        roles=roles,
        is_admin=ADMIN_ROLE in roles,
        username=_header(environ, "X-User-Name"),
        extra={
            "project_name": _header(environ, "X-Project-Name"),
            "auth_token": _header(environ, "X-Auth-Token"),
            "user_domain_id": _header(environ, "X-User-Domain-Id"),
            # deferred_auth_method = password: what the engine will act with (Heat's headers).
            "auth_user": _header(environ, "X-Auth-User"),
            "auth_key": _header(environ, "X-Auth-Key"),
        },
    )


def keystone_settings(
    auth_url: str,
    *,
    username: str,
    password: str,
    project_name: str,
    user_domain_id: str = "default",
    project_domain_id: str = "default",
) -> dict[str, str]:
    """keystonemiddleware settings for a service user authenticating at ``auth_url``."""
    return {
        "auth_type": "password",
        "auth_url": auth_url,
        "username": username,
        "password": password,
        "project_name": project_name,
        "user_domain_id": user_domain_id,
        "project_domain_id": project_domain_id,
        "www_authenticate_uri": auth_url,
        "delay_auth_decision": "true",
        "include_service_catalog": "true",
    }


def service_token_source(conf: Any, group: str = "keystone_authtoken") -> Callable[[], str | None] | None:
    """Tokens of the service user that ``[keystone_authtoken]`` of a heat.conf names.

    ``None`` when the section names no auth plugin. The keystoneauth session caches the
    token and authenticates again shortly before it expires.
    """
    from keystoneauth1 import loading, session

    loading.register_auth_conf_options(conf, group)
    plugin = loading.load_auth_from_conf_options(conf, group)
    if plugin is None:
        return None
    service_session = session.Session(auth=plugin)

    def token() -> str | None:
        value = service_session.get_token()
        return str(value) if value else None

    return token


def with_keystone(app: WSGIApp, settings: Mapping[str, Any]) -> WSGIApp:
    """``app`` behind keystonemiddleware's AuthProtocol.

    ``settings`` is either keystonemiddleware's options as a mapping, or
    ``{"oslo_config_config": conf}`` so it reads ``[keystone_authtoken]`` of a heat.conf.
    Decisions are delayed: the app answers 401 itself, in Heat's error body.
    """
    from keystonemiddleware import auth_token

    options = dict(settings)
    options.setdefault("delay_auth_decision", "true")
    middleware: WSGIApp = auth_token.AuthProtocol(app, options)
    return middleware
