"""heat.conf options of the stack domain, with Heat's names (all in ``[DEFAULT]``).

``stack_user_domain_id`` or ``stack_user_domain_name`` name the Keystone domain that holds
the users Calor creates for stacks; ``stack_domain_admin`` and
``stack_domain_admin_password`` are a user of that domain with the ``admin`` role on it,
who creates and deletes them; ``heat_stack_user_role`` is the role they get. Keystone is
reached at ``[clients_keystone] auth_uri`` (heat-all: its embedded identity service).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oslo_config import cfg

STACK_DOMAIN_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt(
        "stack_user_domain_id",
        help="Keystone domain ID which contains heat template-defined users. If set, "
        "stack_user_domain_name is ignored.",
    ),
    cfg.StrOpt(
        "stack_user_domain_name",
        help="Keystone domain name which contains heat template-defined users "
        "(heat-all: 'heat', in its embedded identity service).",
    ),
    cfg.StrOpt(
        "stack_domain_admin",
        help="Keystone username, a user with roles sufficient to manage users and projects in "
        "the stack_user_domain.",
    ),
    cfg.StrOpt(
        "stack_domain_admin_password", secret=True, help="Keystone password for stack_domain_admin user."
    ),
    cfg.StrOpt(
        "heat_stack_user_role",
        default="heat_stack_user",
        help="Keystone role for heat template-defined users.",
    ),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Add the stack domain options to ``[DEFAULT]`` (idempotent)."""
    conf.register_opts(STACK_DOMAIN_OPTIONS)


@dataclass(frozen=True)
class StackDomainSettings:
    """Where and as whom stack users are managed. ``auth_url`` is Keystone's, with or without ``/v3``."""

    auth_url: str
    admin_user: str
    admin_password: str = field(repr=False)
    domain_id: str | None = None
    domain_name: str | None = None
    stack_user_role: str = "heat_stack_user"
    verify: bool | str = True
    """TLS verification of Keystone (``[clients_keystone] ca_file`` / ``insecure``)."""

    @property
    def v3_url(self) -> str:
        url = self.auth_url.rstrip("/")
        return url if url.endswith("/v3") else url + "/v3"

    @property
    def domain(self) -> str:
        """The domain as configured: its id, else its name (for messages)."""
        return self.domain_id or self.domain_name or ""


def settings_from_config(conf: cfg.ConfigOpts, auth_url: str | None = None) -> StackDomainSettings | None:
    """The configured stack domain (``auth_url``, else ``[clients_keystone] auth_uri``); ``None``
    when the domain, its admin or Keystone's URL is not configured."""
    register(conf)
    url = auth_url or _clients_keystone_url(conf)
    domain_id = conf.stack_user_domain_id or None
    domain_name = None if domain_id else (conf.stack_user_domain_name or None)
    if not url or not (domain_id or domain_name) or not conf.stack_domain_admin:
        return None
    return StackDomainSettings(
        auth_url=url,
        admin_user=str(conf.stack_domain_admin),
        admin_password=str(conf.stack_domain_admin_password or ""),
        domain_id=domain_id,
        domain_name=domain_name,
        stack_user_role=str(conf.heat_stack_user_role),
        verify=_verify(conf),
    )


def _verify(conf: cfg.ConfigOpts) -> bool | str:
    from calor.config import keystone_verify

    try:
        return keystone_verify(conf)
    except cfg.NoSuchOptError:
        return True


def _clients_keystone_url(conf: cfg.ConfigOpts) -> str | None:
    try:
        return str(conf.clients_keystone.auth_uri or "") or None
    except cfg.NoSuchOptError:
        return None
