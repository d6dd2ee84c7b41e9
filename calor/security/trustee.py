"""The trustee: the user Calor's trusts delegate to, and the sessions it opens with them.

Read from heat.conf's ``[trustee]`` section (keystoneauth options, ``auth_type = password``;
``auth_section`` may point elsewhere) or, as Heat falls back, ``[keystone_authtoken]``.
Only the user's own credentials are taken: a trust names its project itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oslo_config import cfg

from calor.errors import CalorError
from calor.security.options import TRUSTEE_GROUP

if TYPE_CHECKING:
    from calor.clouds.settings import CloudSettings

FALLBACK_GROUP = "keystone_authtoken"
PASSWORD_TYPES = ("password", "v3password")


class TrusteeNotConfigured(CalorError):
    """Neither ``[trustee]`` nor ``[keystone_authtoken]`` names a password user."""


@dataclass(frozen=True)
class TrusteeSettings:
    """A password user (no project scope) at ``auth_url``."""

    auth_url: str
    password: str = field(repr=False)
    username: str | None = None
    user_id: str | None = None
    user_domain_id: str | None = None
    user_domain_name: str | None = None
    verify: bool | str = True

    def __post_init__(self) -> None:
        if self.username is None and self.user_id is None:
            raise TrusteeNotConfigured("the trustee needs a username or a user_id")
        if self.user_id is None and self.user_domain_id is None and self.user_domain_name is None:
            object.__setattr__(self, "user_domain_id", "default")

    def auth_plugin(self, *, trust_id: str | None = None) -> Any:
        """A keystoneauth password plugin, unscoped or scoped to ``trust_id``."""
        from keystoneauth1.identity import generic

        return generic.Password(
            auth_url=self.auth_url,
            username=self.username,
            user_id=self.user_id,
            password=self.password,
            user_domain_id=self.user_domain_id,
            user_domain_name=self.user_domain_name,
            trust_id=trust_id,
        )

    def session(self, *, trust_id: str | None = None) -> Any:
        """A keystoneauth session that authenticates (and re-authenticates) as the trustee."""
        from keystoneauth1 import session

        return session.Session(auth=self.auth_plugin(trust_id=trust_id), verify=self.verify)

    def resolved_user_id(self) -> str:
        """The trustee's user id (asks Keystone when only the name is configured)."""
        if self.user_id is not None:
            return self.user_id
        return str(self.session().get_user_id())

    def cloud_settings(self, base: CloudSettings) -> CloudSettings:
        """``base`` (region, interface, TLS of the cloud) with the trustee's credentials, unscoped."""
        return base.with_options(
            auth_url=self.auth_url,
            username=self.username,
            user_id=self.user_id,
            password=self.password,
            user_domain_id=self.user_domain_id,
            user_domain_name=self.user_domain_name,
            project_id=None,
            project_name=None,
            project_domain_id=None,
            project_domain_name=None,
            auth_type="password",
            extra_auth={},
        )


def trustee_from_config(conf: cfg.ConfigOpts) -> TrusteeSettings | None:
    """The ``[trustee]`` user, else ``[keystone_authtoken]``'s; ``None`` when neither names one."""
    for group in (TRUSTEE_GROUP, FALLBACK_GROUP):
        settings = _from_group(conf, group)
        if settings is not None:
            return settings
    return None


def _from_group(conf: cfg.ConfigOpts, group: str) -> TrusteeSettings | None:
    from keystoneauth1 import loading

    loading.register_auth_conf_options(conf, group)
    section = conf[group].auth_section or group
    auth_type = conf[section].auth_type
    if not auth_type:
        return None
    if auth_type not in PASSWORD_TYPES:
        raise TrusteeNotConfigured(f"[{section}] auth_type must be password for the trustee, not {auth_type}")
    conf.register_opts(
        [option._to_oslo_opt() for option in loading.get_plugin_loader(auth_type).get_options()],
        group=section,
    )
    options = conf[section]
    if not options.auth_url or not options.password:
        raise TrusteeNotConfigured(f"[{section}] needs auth_url and password for the trustee")
    return TrusteeSettings(
        auth_url=str(options.auth_url),
        password=str(options.password),
        username=options.username or None,
        user_id=options.user_id or None,
        user_domain_id=options.user_domain_id or None,
        user_domain_name=options.user_domain_name or None,
    )
