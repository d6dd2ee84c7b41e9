"""Where Calor's cloud is and who Calor is there: :class:`CloudSettings`.

Built from a ``clouds.yaml`` entry (:meth:`CloudSettings.from_clouds_yaml`, read with
openstacksdk's own loader so environment variables and ``secure.yaml`` work as for the
``openstack`` CLI) or given explicitly. The credentials are the *service* user's; the
:class:`~calor.clouds.factory.ConnectionFactory` scopes them to each stack's project.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from calor.clouds.errors import DEFAULT_CLIENT_RETRY_LIMIT

_SCOPE_KEYS = frozenset(
    {
        "project_id",
        "project_name",
        "project_domain_id",
        "project_domain_name",
        "tenant_id",
        "tenant_name",
        "domain_id",
        "domain_name",
        "system_scope",
    }
)
_KNOWN_AUTH_KEYS = frozenset(
    {"auth_url", "username", "user_id", "password", "user_domain_id", "user_domain_name"} | _SCOPE_KEYS
)


@dataclass(frozen=True)
class CloudSettings:
    """The service user's password credentials and the connection options Calor uses.

    ``project_role`` is the role the factory grants the service user on a stack's project it
    cannot scope to: ``"member"`` suits the standalone setup, where the service user is the
    embedded cloud's admin; ``None`` (the default) never grants - production uses trusts.
    ``client_retry_limit`` is Heat's option of the same name.
    """

    auth_url: str
    username: str | None = None
    password: str | None = None
    user_id: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    region_name: str | None = None
    interface: str = "public"
    verify: bool | str = True
    auth_type: str = "password"
    extra_auth: Mapping[str, Any] = field(default_factory=dict)
    extra_options: Mapping[str, Any] = field(default_factory=dict)
    client_retry_limit: int = DEFAULT_CLIENT_RETRY_LIMIT
    project_role: str | None = None
    cloud_name: str | None = None

    def __post_init__(self) -> None:
        if self.user_domain_id is None and self.user_domain_name is None:
            object.__setattr__(self, "user_domain_id", "default")
        if (
            (self.project_name is not None)
            and self.project_domain_id is None
            and (self.project_domain_name is None)
        ):
            object.__setattr__(self, "project_domain_id", "default")

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any], *, cloud_name: str | None = None) -> CloudSettings:
        """One cloud's entry of a ``clouds.yaml`` (``{"auth": {...}, "region_name": ...}``)."""
        auth = dict(entry.get("auth") or {})
        if "auth_url" not in auth:
            raise ValueError(f"cloud {cloud_name or ''!s} has no auth.auth_url".replace("  ", " "))
        options = {
            key: value
            for key, value in entry.items()
            if key not in ("auth", "region_name", "interface", "verify", "cacert", "auth_type", "profile")
            and not key.startswith("_")
        }
        verify: bool | str = entry.get("verify", True)
        if entry.get("cacert") and verify is not False:
            verify = str(entry["cacert"])
        return cls(
            auth_url=str(auth["auth_url"]),
            username=auth.get("username"),
            password=auth.get("password"),
            user_id=auth.get("user_id"),
            user_domain_id=auth.get("user_domain_id"),
            user_domain_name=auth.get("user_domain_name"),
            project_id=auth.get("project_id") or auth.get("tenant_id"),
            project_name=auth.get("project_name") or auth.get("tenant_name"),
            project_domain_id=auth.get("project_domain_id"),
            project_domain_name=auth.get("project_domain_name"),
            region_name=entry.get("region_name") or None,
            interface=str(entry.get("interface") or "public"),
            verify=verify,
            auth_type=str(entry.get("auth_type") or "password"),
            extra_auth={key: value for key, value in auth.items() if key not in _KNOWN_AUTH_KEYS},
            extra_options=options,
            cloud_name=cloud_name,
        )

    @classmethod
    def from_clouds_yaml(
        cls, cloud_name: str, *, config_files: Sequence[str | Path] | None = None
    ) -> CloudSettings:
        """The settings of cloud ``cloud_name`` found by openstacksdk's loader.

        ``config_files`` replaces the standard search path (``./clouds.yaml``,
        ``~/.config/openstack/clouds.yaml``, ``/etc/openstack/clouds.yaml``).
        """
        from openstack.config import loader

        options: dict[str, Any] = {"load_envvars": False}
        if config_files is not None:
            options["config_files"] = [str(path) for path in config_files]
            options["vendor_files"] = []
        config = loader.OpenStackConfig(**options)
        region = config.get_one(cloud=cloud_name)
        return cls.from_mapping(dict(region.config), cloud_name=cloud_name)

    def with_options(self, **changes: Any) -> CloudSettings:
        """A copy with some fields changed (``client_retry_limit=5``)."""
        return replace(self, **changes)

    def auth_options(self, *, project_id: str | None = None, trust_id: str | None = None) -> dict[str, Any]:
        """The ``auth`` mapping for keystoneauth, scoped to ``project_id`` (or the configured project).

        With a ``trust_id`` the scope is the trust's (Keystone refuses any other scope with it).
        """
        auth: dict[str, Any] = {"auth_url": self.auth_url}
        for key in ("username", "password", "user_id", "user_domain_id", "user_domain_name"):
            value = getattr(self, key)
            if value is not None:
                auth[key] = value
        auth.update({key: value for key, value in self.extra_auth.items() if key not in _SCOPE_KEYS})
        if trust_id is not None:
            auth["trust_id"] = trust_id
        elif project_id is not None:
            auth["project_id"] = project_id
        else:
            for key in ("project_id", "project_name", "project_domain_id", "project_domain_name"):
                value = getattr(self, key)
                if value is not None:
                    auth[key] = value
            for key in _SCOPE_KEYS & set(self.extra_auth):
                auth[key] = self.extra_auth[key]
        return auth

    def connection_options(
        self, *, project_id: str | None = None, trust_id: str | None = None
    ) -> dict[str, Any]:
        """Keyword arguments for ``openstack.connection.Connection``."""
        options: dict[str, Any] = dict(self.extra_options)
        options.update(
            auth_type=self.auth_type,
            auth=self.auth_options(project_id=project_id, trust_id=trust_id),
            interface=self.interface,
            verify=self.verify,
            identity_api_version="3",
        )
        if self.region_name is not None:
            options["region_name"] = self.region_name
        return options
