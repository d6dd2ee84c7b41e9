"""Stack domain users: the Keystone users Calor creates for a stack's in-instance agents.

- ``options``: heat.conf's ``stack_user_domain_id`` / ``stack_user_domain_name``,
  ``stack_domain_admin``, ``stack_domain_admin_password`` and ``heat_stack_user_role``;
- ``identity``: :class:`~calor.stack_domain.identity.StackDomainIdentity`, the domain
  admin's Keystone v3 calls (projects, users, grants, EC2 key pairs, user tokens);
- ``credentials``: :class:`~calor.stack_domain.credentials.StackDomainCredentials`, the
  :class:`~calor.plugins.signals.wiring.StackCredentials` the wait condition handles and
  servers use: one project per stack, one user per resource.

Standalone (heat-all) and Keystone mode differ only in configuration: heat-all points
these options at its embedded identity service, whose bootstrap creates the ``heat``
domain and its admin ``heat_domain_admin``.
"""

from __future__ import annotations

from oslo_config import cfg

from calor.plugins.signals.wiring import StackCredentials
from calor.stack_domain.credentials import MissingStackDomain, StackDomainCredentials, StackUserProjects
from calor.stack_domain.identity import StackDomainIdentity
from calor.stack_domain.options import StackDomainSettings, settings_from_config


def stack_credentials(
    conf: cfg.ConfigOpts, projects: StackUserProjects, *, identity_url: str | None = None
) -> StackCredentials:
    """The stack users heat.conf configures (``identity_url`` overrides ``[clients_keystone] auth_uri``);
    without a stack domain, credentials whose every use fails saying what to configure."""
    settings = settings_from_config(conf, identity_url)
    if settings is None:
        return MissingStackDomain()
    return StackDomainCredentials(StackDomainIdentity(settings), projects)


__all__ = [
    "MissingStackDomain",
    "StackDomainCredentials",
    "StackDomainIdentity",
    "StackDomainSettings",
    "StackUserProjects",
    "settings_from_config",
    "stack_credentials",
]
