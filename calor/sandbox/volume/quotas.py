"""Cinder's per-project quotas on the sandbox's shared :class:`Quotas` (names ``volume.<resource>``);
exceeding one is 413 as Cinder answers (``VolumeLimitExceeded``, ``VolumeSizeExceedsAvailableQuota``)."""

from __future__ import annotations

from collections.abc import Mapping

from calor.sandbox.framework.errors import BadRequest, OverLimit
from calor.sandbox.framework.quotas import Quotas

PREFIX = "volume."

DEFAULT_LIMITS: Mapping[str, int] = {
    "volumes": 10,
    "gigabytes": 1000,
    "snapshots": 10,
    "backups": 10,
    "backup_gigabytes": 1000,
    "per_volume_gigabytes": -1,
    "groups": 10,
}

QUOTA_DEFAULTS: Mapping[str, int] = {PREFIX + name: limit for name, limit in DEFAULT_LIMITS.items()}

COUNT_NAMES: Mapping[str, str] = {"volumes": "volumes", "snapshots": "snapshots", "backups": "backups"}


class VolumeQuotas:
    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        self.quotas.register_defaults(QUOTA_DEFAULTS)

    def limit(self, project_id: str, name: str) -> int:
        return self.quotas.limit(project_id, PREFIX + name)

    def limits(self, project_id: str) -> dict[str, int]:
        return {name: self.limit(project_id, name) for name in DEFAULT_LIMITS}

    def defaults(self) -> dict[str, int]:
        return {
            name: self.quotas.defaults.get(PREFIX + name, limit) for name, limit in DEFAULT_LIMITS.items()
        }

    def update(self, project_id: str, changes: Mapping[str, object]) -> dict[str, int]:
        checked: dict[str, int] = {}
        for name, value in changes.items():
            if name not in DEFAULT_LIMITS:
                raise BadRequest(f"Bad key(s) in quota set: {name}")
            try:
                checked[name] = int(str(value))
            except ValueError as error:
                raise BadRequest(f"Invalid input received: Quota '{name}' must be an integer.") from error
            if checked[name] < -1:
                raise BadRequest(
                    f"Invalid input received: Quota limit {value} for {name} must be -1 or greater."
                )
        for name, number in checked.items():
            self.quotas.set_limit(project_id, PREFIX + name, number)
        return self.limits(project_id)

    def reset(self, project_id: str) -> None:
        for name, limit in self.defaults().items():
            self.quotas.set_limit(project_id, PREFIX + name, limit)

    def check_count(self, project_id: str, name: str, in_use: int) -> None:
        """One more volume, snapshot or backup (Cinder's ``<Kind>LimitExceeded``)."""
        if not self.quotas.allows(project_id, PREFIX + name, in_use, 1):
            kind = {"volumes": "Volume", "snapshots": "Snapshot", "backups": "Backup"}[name]
            limit = self.limit(project_id, name)
            raise OverLimit(
                f"{kind}LimitExceeded: Maximum number of {name} allowed ({limit}) exceeded for "
                f"quota '{name}'."
            )

    def check_gigabytes(self, project_id: str, name: str, in_use: int, requested: int) -> None:
        """``gigabytes`` or ``backup_gigabytes``; also ``per_volume_gigabytes`` for volumes."""
        if name == "gigabytes":
            per_volume = self.limit(project_id, "per_volume_gigabytes")
            if 0 <= per_volume < requested:
                raise OverLimit(
                    f"VolumeSizeExceedsLimit: Requested volume size {requested}G is larger than "
                    f"maximum allowed limit {per_volume}G."
                )
        if not self.quotas.allows(project_id, PREFIX + name, in_use, requested):
            limit = self.limit(project_id, name)
            what = "volume or snapshot" if name == "gigabytes" else "backup"
            raise OverLimit(
                f"VolumeSizeExceedsAvailableQuota: Requested {what} exceeds allowed {name} quota. "
                f"Requested {requested}G, quota is {limit}G and {in_use}G has been consumed."
            )
