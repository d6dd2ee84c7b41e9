"""Calor's configuration options (``heat.conf``), read with oslo.config.

``[DEFAULT]`` holds the listening host and ports, the state directory, the request and
stack limits, ``debug`` and deferred auth's options (``deferred_auth_method``, ...; with the
``[trustee]`` section, in :mod:`calor.security.options`); ``[database]`` the SQLAlchemy URL;
``[keystone_authtoken]`` is read by keystonemiddleware itself; ``[oslo_policy]`` by
oslo.policy. ``load_config`` builds a private :class:`ConfigOpts` (never the global one), so
tests can hold several.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oslo_config import cfg
from oslo_policy import opts as policy_options

if TYPE_CHECKING:
    from calor.db.repository import Repository
    from calor.engine.service import OrchestrationService

DEFAULT_STATE_DIR = Path("~/.local/share/calor")

DEFAULT_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt("host", default="127.0.0.1", help="The address the services listen on."),
    cfg.PortOpt("api_port", default=8004, help="Port of heat-api (the Heat v1 REST API)."),
    cfg.PortOpt("cfn_port", default=8000, help="Port of heat-api-cfn (the CloudFormation Query API)."),
    cfg.PortOpt("identity_port", default=5000, help="Port of the embedded identity service."),
    cfg.PortOpt("cloud_port", default=8774, help="Port of the sandbox cloud."),
    cfg.StrOpt("state_dir", default=str(DEFAULT_STATE_DIR), help="Where heat-all keeps its state."),
    cfg.IntOpt("max_template_size", default=524288, min=1, help="Largest template text, in bytes."),
    cfg.IntOpt("max_json_body_size", default=1048576, min=1, help="Largest JSON request body, in bytes."),
    cfg.IntOpt("max_resources_per_stack", default=1000, help="Resources one stack may hold (-1: no limit)."),
    cfg.IntOpt("max_nested_stack_depth", default=5, help="How deep stacks may nest (-1: no limit)."),
    cfg.IntOpt("max_stacks_per_tenant", default=100, help="Live stacks one project may hold (-1: no limit)."),
    cfg.IntOpt(
        "max_events_per_stack",
        default=1000,
        help="Events kept per stack; past it the oldest are purged in batches (0: no limit).",
    ),
    cfg.IntOpt("event_purge_batch_size", default=200, min=1, help="Events purged at once from one stack."),
    cfg.IntOpt(
        "max_software_configs_per_tenant",
        default=4096,
        help="Software configs one project may hold (-1: no limit).",
    ),
    cfg.BoolOpt("debug", default=False, help="Log debug messages; show tracebacks in error bodies."),
    cfg.BoolOpt(
        "enable_stack_abandon",
        default=None,
        help="Allow abandoning stacks (unset: on in heat-all's standalone mode, off in heat-api).",
    ),
    cfg.BoolOpt(
        "enable_stack_adopt",
        default=None,
        help="Allow adopting stacks from abandon data (unset: on in heat-all, off in heat-api).",
    ),
    cfg.StrOpt(
        "auth_strategy",
        default="keystone",
        choices=["keystone", "noauth"],
        help="keystone: validate tokens with keystonemiddleware; noauth: trust X-Project-Id (tests only).",
    ),
    cfg.ListOpt(
        "template_fetch_allowed_hosts",
        default=[],
        help="Hosts template_url and environment files may be fetched from even when they resolve "
        "to private, loopback or link-local addresses (which are refused otherwise).",
    ),
    cfg.FloatOpt("template_fetch_timeout", default=10.0, help="Seconds a template fetch may take."),
    cfg.IntOpt("workers", default=8, min=1, help="Threads serving each API."),
]

DATABASE_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt(
        "connection",
        secret=True,
        help="SQLAlchemy database URL (default: SQLite in the state directory).",
    ),
]


def _tls_options(what: str) -> list[cfg.Opt]:
    return [
        cfg.StrOpt("ca_file", help=f"CA bundle verifying {what}'s TLS certificate (default: the system's)."),
        cfg.BoolOpt("insecure", default=False, help=f"Do not verify {what}'s TLS certificate (tests only)."),
    ]


EC2_AUTH_TOKEN_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt(
        "auth_uri",
        help="Keystone's URL for /v3/ec2tokens (heat-api-cfn; default: [clients_keystone] auth_uri).",
    ),
    *_tls_options("Keystone (ec2tokens)"),
]

SANDBOX_OPTIONS: list[cfg.Opt] = [
    cfg.FloatOpt(
        "status_delay_seconds",
        default=1.0,
        min=0.0,
        help="How long a sandbox resource stays in its transient status (BUILD, creating, ...).",
    ),
    cfg.DictOpt(
        "status_delays",
        default={},
        help="Per-operation transient-status delays, e.g. compute.server.create:5,volume.volume.create:2.",
    ),
    cfg.DictOpt(
        "latency",
        default={},
        help="Seconds every matching sandbox call waits, by operation pattern, e.g. compute.*:0.2.",
    ),
    cfg.ListOpt(
        "faults",
        default=[],
        help="Fault rules (docs/sandbox.md), e.g. compute.server.create=error;fraction=0.1.",
    ),
    cfg.BoolOpt(
        "fault_header", default=True, help="Accept fault rules per request in X-Calor-Sandbox-Fault."
    ),
]

CLIENTS_KEYSTONE_OPTIONS: list[cfg.Opt] = [
    cfg.StrOpt("auth_uri", default="", help="Keystone's unversioned URL, as Calor's clients reach it."),
    *_tls_options("Keystone"),
]


def register_options(conf: cfg.ConfigOpts) -> None:
    """Register Calor's own options on ``conf`` (deferred auth's: :mod:`calor.security.options`;
    the stack domain's: :mod:`calor.stack_domain.options`)."""
    from calor.security import options as security_options
    from calor.stack_domain import options as stack_domain_options

    conf.register_opts(DEFAULT_OPTIONS)
    security_options.register(conf)
    stack_domain_options.register(conf)
    conf.register_opts(DATABASE_OPTIONS, group="database")
    conf.register_opts(EC2_AUTH_TOKEN_OPTIONS, group="ec2authtoken")
    conf.register_opts(CLIENTS_KEYSTONE_OPTIONS, group="clients_keystone")
    conf.register_opts(SANDBOX_OPTIONS, group="sandbox")


def keystone_verify(conf: cfg.ConfigOpts, group: str = "clients_keystone") -> bool | str:
    """How Calor's own Keystone calls (trusts, stack domain, ec2tokens) verify TLS, as keystoneauth's
    ``verify`` takes it: ``False`` when ``insecure``, else the ``ca_file`` path, else ``True``.
    ``[ec2authtoken]`` falls back to ``[clients_keystone]`` for what it does not set."""
    register_options(conf)
    sections = [conf[group]] + ([conf.clients_keystone] if group != "clients_keystone" else [])
    if any(section.insecure for section in sections):
        return False
    for section in sections:
        if section.ca_file:
            return str(section.ca_file)
    return True


def ec2_auth_url(conf: cfg.ConfigOpts) -> str | None:
    """Where heat-api-cfn checks EC2 signatures: ``[ec2authtoken]``, else ``[clients_keystone]``."""
    url = str(conf.ec2authtoken.auth_uri or conf.clients_keystone.auth_uri or "").rstrip("/")
    return url.removesuffix("/v3") or None


def load_config(arguments: Sequence[str] = (), config_files: Sequence[str] | None = None) -> cfg.ConfigOpts:
    """A new ConfigOpts with Calor's options, parsed from ``config_files`` (none by default).

    ``arguments`` are oslo.config command-line arguments (normally empty: the commands
    parse their own flags and override options with :meth:`ConfigOpts.set_override`).
    """
    conf = cfg.ConfigOpts()
    register_options(conf)
    conf(list(arguments), project="calor", default_config_files=list(config_files or []))
    return conf


def option_list() -> list[tuple[str | None, list[cfg.Opt]]]:
    """For oslo-config-generator."""
    from calor.security import options as security_options
    from calor.stack_domain import options as stack_domain_options

    return [
        (
            None,
            DEFAULT_OPTIONS
            + security_options.DEFERRED_AUTH_OPTIONS
            + stack_domain_options.STACK_DOMAIN_OPTIONS,
        ),
        (security_options.TRUSTEE_GROUP, security_options.trustee_option_list()),
        ("database", DATABASE_OPTIONS),
        ("ec2authtoken", EC2_AUTH_TOKEN_OPTIONS),
        ("clients_keystone", CLIENTS_KEYSTONE_OPTIONS),
        ("sandbox", SANDBOX_OPTIONS),
    ]


@dataclass(frozen=True)
class ApiConfig:
    """What the REST API needs from the configuration (built by :func:`api_config`)."""

    max_json_body_size: int = 1048576
    max_template_size: int = 524288
    max_resources_per_stack: int = 1000
    max_stacks_per_tenant: int = 100
    max_software_configs_per_tenant: int = 4096
    debug: bool = False
    auth_strategy: str = "keystone"
    policy_file: str | None = None
    template_fetch_allowed_hosts: tuple[str, ...] = ()
    template_fetch_timeout: float = 10.0


def api_config(conf: cfg.ConfigOpts) -> ApiConfig:
    """The API settings of a parsed configuration."""
    policy_file = _policy_file(conf)
    return ApiConfig(
        max_json_body_size=conf.max_json_body_size,
        max_template_size=conf.max_template_size,
        max_resources_per_stack=conf.max_resources_per_stack,
        max_stacks_per_tenant=conf.max_stacks_per_tenant,
        max_software_configs_per_tenant=conf.max_software_configs_per_tenant,
        debug=conf.debug,
        auth_strategy=conf.auth_strategy,
        policy_file=policy_file,
        template_fetch_allowed_hosts=tuple(conf.template_fetch_allowed_hosts),
        template_fetch_timeout=conf.template_fetch_timeout,
    )


def _policy_file(conf: cfg.ConfigOpts) -> str | None:
    """``[oslo_policy] policy_file`` when it names an existing file (next to a config file if relative)."""
    policy_options.set_defaults(conf)
    configured = str(conf.oslo_policy.policy_file)
    candidates = [Path(configured)]
    if not os.path.isabs(configured):
        candidates += [Path(name).parent / configured for name in conf.config_file]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return None


def database_url(conf: cfg.ConfigOpts, state_dir: Path | None = None) -> str:
    """``[database] connection``, else SQLite in ``state_dir`` (or ``[DEFAULT] state_dir``)."""
    if conf.database.connection:
        return str(conf.database.connection)
    directory = state_dir or Path(conf.state_dir).expanduser()
    return f"sqlite:///{directory / 'calor.sqlite'}"


def enable_portability(service: OrchestrationService, conf: cfg.ConfigOpts, *, standalone: bool) -> None:
    """Switch stack abandon and adopt on or off as configured (unset: on only when ``standalone``)."""
    abandon = conf.enable_stack_abandon
    adopt = conf.enable_stack_adopt
    service.enable_stack_abandon = standalone if abandon is None else bool(abandon)
    service.enable_stack_adopt = standalone if adopt is None else bool(adopt)


def configure_repository(repository: Repository, conf: cfg.ConfigOpts) -> Repository:
    """Apply heat.conf's limits: ``max_events_per_stack`` and ``event_purge_batch_size`` to
    ``repository``, and ``auth_encryption_key`` (the encryption of stored credentials);
    ``max_resources_per_stack`` and ``max_nested_stack_depth`` to the engine's nested stacks
    (a process serves one configuration)."""
    from calor.engine import nested
    from calor.security.options import encryption_from_config

    repository.max_events_per_stack = max(0, int(conf.max_events_per_stack))
    repository.event_purge_batch_size = int(conf.event_purge_batch_size)
    repository.encryption = encryption_from_config(conf)
    nested.LIMITS = nested.NestedLimits(
        max_nested_stack_depth=int(conf.max_nested_stack_depth),
        max_resources_per_stack=int(conf.max_resources_per_stack),
    )
    return repository
