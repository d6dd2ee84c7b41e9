"""heat.conf options of deferred authentication, with Heat's names.

``[DEFAULT] deferred_auth_method`` (``trusts`` or ``password``), ``trusts_delegated_roles``
(empty: every role the creating user has on the project) and ``auth_encryption_key``; the
``[trustee]`` section holds keystoneauth options (``auth_type = password``, ``auth_url``,
``username``, ``password``, ``user_domain_name``) of the user trusts are delegated to.
:func:`encryption_from_config` gives the encryption of stored credentials.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from oslo_config import cfg

if TYPE_CHECKING:
    from calor.security.encryption import SecretEncryption

LOG = logging.getLogger(__name__)

TRUSTS = "trusts"
PASSWORD = "password"
TRUSTEE_GROUP = "trustee"

DEFERRED_AUTH_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt(
        "deferred_auth_method",
        default=TRUSTS,
        choices=[TRUSTS, PASSWORD],
        help="How the engine acts for a stack's owner after their token expired: a Keystone trust "
        "to the [trustee] user, or the user name and password sent as X-Auth-User / X-Auth-Key "
        "(stored encrypted).",
    ),
    cfg.ListOpt(
        "trusts_delegated_roles",
        default=[],
        help="Roles the trust delegates (empty: every role the creating user has on the project).",
    ),
    cfg.StrOpt(
        "auth_encryption_key",
        secret=True,
        help="Key that encrypts stored credentials (at least 16 characters; Heat's are 32). "
        "Unset: heat-all generates one in its state directory; the other services use Heat's "
        "published default and warn.",
    ),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Add the ``[DEFAULT]`` deferred-auth options and the ``[trustee]`` section (idempotent)."""
    from keystoneauth1 import loading

    conf.register_opts(DEFERRED_AUTH_OPTIONS)
    loading.register_auth_conf_options(conf, TRUSTEE_GROUP)


def trustee_option_list() -> list[cfg.Opt]:
    """The ``[trustee]`` options a sample heat.conf shows (keystoneauth's password plugin)."""
    from keystoneauth1 import loading

    options: list[cfg.Opt] = list(loading.get_auth_common_conf_options())
    options.extend(loading.get_auth_plugin_conf_options("password"))
    return options


KEY_FILE = "auth_encryption_key"
_warned: set[str] = set()


def encryption_key(conf: cfg.ConfigOpts) -> str:
    """``auth_encryption_key``, else Heat's published default (with a warning, once)."""
    from calor.security.encryption import HEAT_DEFAULT_KEY

    register(conf)
    if conf.auth_encryption_key:
        return str(conf.auth_encryption_key)
    if "default" not in _warned:
        _warned.add("default")
        LOG.warning("auth_encryption_key is not set: stored credentials use Heat's published default key")
    return HEAT_DEFAULT_KEY


def encryption_from_config(conf: cfg.ConfigOpts) -> SecretEncryption:
    """The encryption of stored credentials (:class:`InvalidKeyConfiguration` for a short key)."""
    from calor.security.encryption import SecretEncryption

    return SecretEncryption(encryption_key(conf))


def generate_key_if_unset(conf: cfg.ConfigOpts, state_dir: Path) -> None:
    """heat-all: without ``auth_encryption_key``, use a random key kept in ``state_dir`` (mode 0600)."""
    register(conf)
    if conf.auth_encryption_key:
        return
    path = state_dir / KEY_FILE
    if path.is_file():
        key = path.read_text(encoding="utf-8").strip()
    else:
        key = secrets.token_urlsafe(32)
        state_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
    conf.set_override("auth_encryption_key", key)
