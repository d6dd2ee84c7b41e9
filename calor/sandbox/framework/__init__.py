"""The sandbox cloud's shared pieces, used by every emulated service.

- :mod:`.config`: :class:`SandboxConfig` (state dir, status delays, latency, faults, quotas).
- :mod:`.store`: :class:`StateStore` / :class:`Collection`, JSON documents in SQLite.
- :mod:`.status`: lazy time-based status transitions (``schedule``, ``settle``).
- :mod:`.auth`: :class:`Caller` from X-Auth-Token, validated by the identity backend.
- :mod:`.errors`: :class:`SandboxError` and subclasses, per-service error styles.
- :mod:`.faults`: fault injection and latency rules (``X-Calor-Sandbox-Fault``).
- :mod:`.quotas`: :class:`Quotas`, default and per-project limits.
- :mod:`.service`: :class:`ServiceSpec`, :class:`Route`, :class:`ServiceRequest`,
  :class:`SandboxContext`, :class:`ServiceParts` - how a service plugs in.
- :mod:`.http`: ``json_response``, ``empty_response``, and the view wrapper.
- :mod:`.interop`: the protocols compute calls on the network and volume backends.
- :mod:`.ids`: ``new_uuid``, ``timestamp``, ``mac_address``.
"""

from calor.sandbox.framework.auth import Authenticator, Caller, IdentityAuthenticator, StaticAuthenticator
from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.framework.errors import (
    BadRequest,
    Conflict,
    ErrorStyle,
    Forbidden,
    InjectedFault,
    MethodNotAllowed,
    NotFound,
    OverLimit,
    SandboxError,
    Unauthorized,
    keystone_style,
    neutron_style,
    nova_style,
    plain_style,
)
from calor.sandbox.framework.faults import FAULT_HEADER, FaultInjector, FaultRule, Outcome, parse_rules
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.ids import mac_address, new_uuid, timestamp
from calor.sandbox.framework.interop import NetworkPorts, VolumeInfo, VolumeProvider
from calor.sandbox.framework.quotas import Quotas
from calor.sandbox.framework.service import (
    Route,
    SandboxContext,
    ServiceParts,
    ServiceRequest,
    ServiceSpec,
)
from calor.sandbox.framework.status import schedule, settle
from calor.sandbox.framework.store import Collection, Document, StateStore

__all__ = [
    "FAULT_HEADER",
    "Authenticator",
    "BadRequest",
    "Caller",
    "Collection",
    "Conflict",
    "Document",
    "ErrorStyle",
    "FaultInjector",
    "FaultRule",
    "Forbidden",
    "IdentityAuthenticator",
    "InjectedFault",
    "MethodNotAllowed",
    "NetworkPorts",
    "NotFound",
    "Outcome",
    "OverLimit",
    "Quotas",
    "Route",
    "SandboxConfig",
    "SandboxContext",
    "SandboxError",
    "ServiceParts",
    "ServiceRequest",
    "ServiceSpec",
    "StateStore",
    "StaticAuthenticator",
    "Unauthorized",
    "VolumeInfo",
    "VolumeProvider",
    "empty_response",
    "json_response",
    "keystone_style",
    "mac_address",
    "neutron_style",
    "new_uuid",
    "nova_style",
    "parse_rules",
    "plain_style",
    "schedule",
    "settle",
    "timestamp",
]
