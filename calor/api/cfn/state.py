"""What every Query API action reaches: the service, the settings and the signature checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from oslo_policy import policy

from calor.api.cfn.signatures import FreshnessGuard, Verifier
from calor.api.fetching import Fetcher
from calor.config import ApiConfig
from calor.engine.service import OrchestrationService
from calor.plugins.registry import PluginRegistry

DEFAULT_PAGE_SIZE = 100


@dataclass
class CfnState:
    """The app's collaborators; ``verifier`` is ``None`` only with ``auth_strategy = noauth``;
    ``enforcer`` decides the ``cloudformation:<Action>`` rules."""

    config: ApiConfig
    service: OrchestrationService
    registry: PluginRegistry
    verifier: Verifier | None
    fetcher: Fetcher
    enforcer: policy.Enforcer
    guard: FreshnessGuard = field(default_factory=FreshnessGuard)
    page_size: int = DEFAULT_PAGE_SIZE
    region: str = "RegionOne"
