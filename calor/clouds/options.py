"""The ``[clouds]`` options of ``heat.conf`` and the factory they describe.

``cloud`` names an entry of ``clouds.yaml`` (``clouds_file`` or openstacksdk's search path)
holding the service user's credentials; ``client_retry_limit`` and ``project_role`` tune
the :class:`~calor.clouds.factory.ConnectionFactory`. Register :data:`CLOUD_OPTIONS` in
group :data:`GROUP` of a ``ConfigOpts``, then call :func:`factory_from_config`.
"""

from __future__ import annotations

from typing import Any

from oslo_config import cfg

from calor.clouds.errors import DEFAULT_CLIENT_RETRY_LIMIT
from calor.clouds.factory import ConnectionFactory
from calor.clouds.settings import CloudSettings

GROUP = "clouds"

CLOUD_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt("cloud", help="The clouds.yaml entry with the service user's credentials (none: no cloud)."),
    cfg.StrOpt("clouds_file", help="The clouds.yaml to read (default: openstacksdk's search path)."),
    cfg.IntOpt(
        "client_retry_limit",
        default=DEFAULT_CLIENT_RETRY_LIMIT,
        min=0,
        help="How many times a cloud call answered with 409 Conflict is retried.",
    ),
    cfg.StrOpt(
        "project_role",
        default="",
        help="Role the service user grants itself on a stack's project it has no role on "
        "(heat-all: member; empty: never grant, use trusts or existing roles).",
    ),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Add the ``[clouds]`` options to ``conf`` (idempotent)."""
    conf.register_opts(CLOUD_OPTIONS, group=GROUP)


def settings_from_config(conf: cfg.ConfigOpts) -> CloudSettings | None:
    """The settings ``[clouds]`` describes; ``None`` when no cloud is configured."""
    register(conf)
    group: Any = conf[GROUP]
    if not group.cloud:
        return None
    files = [group.clouds_file] if group.clouds_file else None
    settings = CloudSettings.from_clouds_yaml(group.cloud, config_files=files)
    return settings.with_options(
        client_retry_limit=int(group.client_retry_limit), project_role=group.project_role or None
    )


def factory_from_config(conf: cfg.ConfigOpts) -> ConnectionFactory | None:
    """The factory of ``[clouds]``; trusts are used by heat.conf's trustee (``[trustee]``, else
    ``[keystone_authtoken]``), or by the service user when neither names one."""
    from calor.security.trustee import trustee_from_config

    settings = settings_from_config(conf)
    if settings is None:
        return None
    trustee = trustee_from_config(conf)
    return ConnectionFactory(settings, trustee=trustee.cloud_settings(settings) if trustee else None)
