"""Neutron's per-project quotas on the sandbox's shared :class:`Quotas` (names ``network.<resource>``);
exceeding one is 409 OverQuota, as Neutron answers."""

from __future__ import annotations

from collections.abc import Mapping

from calor.sandbox.framework.errors import BadRequest, Conflict
from calor.sandbox.framework.quotas import Quotas

PREFIX = "network."

DEFAULT_LIMITS: Mapping[str, int] = {
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
    "subnetpool": -1,
    "rbac_policy": 10,
}

QUOTA_DEFAULTS: Mapping[str, int] = {PREFIX + name: limit for name, limit in DEFAULT_LIMITS.items()}
"""The defaults in the shared quota table's names, for ``ServiceSpec.quota_defaults``."""


class NetworkQuotas:
    """Limits per project; -1 is unlimited."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        self.quotas.register_defaults(QUOTA_DEFAULTS)

    def defaults(self) -> dict[str, int]:
        return {
            name: self.quotas.defaults.get(PREFIX + name, limit) for name, limit in DEFAULT_LIMITS.items()
        }

    def limits(self, project_id: str) -> dict[str, int]:
        return {name: self.quotas.limit(project_id, PREFIX + name) for name in DEFAULT_LIMITS}

    def update(self, project_id: str, changes: Mapping[str, object]) -> dict[str, int]:
        checked: dict[str, int] = {}
        for name, value in changes.items():
            if name not in DEFAULT_LIMITS:
                raise BadRequest(f"Unrecognized attribute(s) '{name}'", error_type="HTTPBadRequest")
            try:
                number = int(str(value))
            except ValueError as error:
                raise BadRequest(f"Invalid input for {name}. Reason: '{value}' is not an integer.") from error
            if number < -1:
                raise BadRequest(f"Invalid input for {name}. Reason: '{value}' should be >= -1.")
            checked[name] = number
        for name, number in checked.items():
            self.quotas.set_limit(project_id, PREFIX + name, number)
        return self.limits(project_id)

    def reset(self, project_id: str) -> None:
        for name, limit in self.defaults().items():
            self.quotas.set_limit(project_id, PREFIX + name, limit)

    def check(self, project_id: str, resource: str, used: int, wanted: int = 1) -> None:
        if not self.quotas.allows(project_id, PREFIX + resource, used, wanted):
            raise Conflict(f"Quota exceeded for resources: ['{resource}'].", error_type="OverQuota")
