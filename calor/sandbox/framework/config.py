"""Settings of the sandbox cloud, given to :func:`calor.sandbox.cloud.create_app`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SandboxConfig:
    """``state_dir`` holds ``sandbox.sqlite`` (and image data); ``identity_state_dir`` the
    identity service's ``identity.sqlite`` (default: the same directory).

    ``status_delay_seconds`` is how long a resource stays in its transient status (``BUILD``,
    ``RESIZE``, ...) before the next read sees it settled; ``status_delays`` overrides it per
    operation (``compute.server.create``: 0.5). ``latency`` maps operation patterns (fnmatch,
    ``compute.server.*``) to seconds every matching call sleeps. ``faults`` are fault rules in
    the syntax of :mod:`calor.sandbox.framework.faults` (``compute.server.create=error``);
    ``fault_header`` allows the same rules per request in ``X-Calor-Sandbox-Fault``.
    ``quotas`` overrides default quota limits by name (``compute.instances``: 20).
    """

    state_dir: Path
    identity_state_dir: Path | None = None
    public_url: str | None = None
    region: str = "RegionOne"
    status_delay_seconds: float = 1.0
    status_delays: Mapping[str, float] = field(default_factory=dict)
    latency: Mapping[str, float] = field(default_factory=dict)
    faults: Sequence[str] = ()
    fault_header: bool = True
    quotas: Mapping[str, int] = field(default_factory=dict)

    def status_delay(self, operation: str) -> float:
        """The transient-status delay of one operation."""
        return self.status_delays.get(operation, self.status_delay_seconds)
