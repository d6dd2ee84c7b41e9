"""Admission: Heat's quotas and resource type policy, checked before a stack change is accepted.

:class:`OrchestrationService` calls these checks itself, so heat-api and heat-api-cfn
refuse the same requests the same way: ``max_stacks_per_tenant`` on create and adopt;
``max_template_size`` and ``max_resources_per_stack`` (counted across the nested templates
carried in ``files``) on every new template; Heat's ``resource_types:<type>`` rules for
every type the template, its nested templates and its environment mapping use. Each API
maps the errors to its own form (heat-api: 400/413 ``RequestLimitExceeded``, 403
``Forbidden``; heat-api-cfn: ``RequestLimitExceeded`` and ``AccessDenied``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oslo_policy import policy as oslo_policy

from calor.api import policy
from calor.engine import quotas

if TYPE_CHECKING:
    from calor.config import ApiConfig
    from calor.engine.service import RequestContext


@dataclass
class Admission:
    """The limits in force and the policy enforcer the resource type rules are read from."""

    limits: quotas.Quotas = field(default_factory=quotas.Quotas)
    enforcer: oslo_policy.Enforcer = field(default_factory=policy.make_enforcer)

    @classmethod
    def from_config(cls, config: ApiConfig) -> Admission:
        """The limits and ``policy.yaml`` of heat.conf (as :func:`calor.config.api_config` read them)."""
        limits = quotas.Quotas(
            max_stacks_per_tenant=config.max_stacks_per_tenant,
            max_resources_per_stack=config.max_resources_per_stack,
            max_template_size=config.max_template_size,
            max_software_configs_per_tenant=config.max_software_configs_per_tenant,
        )
        return cls(limits, policy.make_enforcer(config.policy_file))

    def check_stack_count(self, context: RequestContext, existing: int) -> None:
        """Before a stack is created: ``existing`` live stacks in the caller's project."""
        quotas.check_stack_count(existing, context, self.limits)

    def check_template(
        self,
        context: RequestContext,
        template: Mapping[str, Any] | str,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
    ) -> None:
        """Size, resource count and resource types of a template given for a create, update or preview
        (the template and its nested templates are walked once for both)."""
        quotas.check_template_size(template, self.limits)
        counts = quotas.resource_counts(template, files)
        quotas.check_resource_total(sum(counts.values()), self.limits)
        self._authorize_types(context, set(counts), environment)

    def _authorize_types(
        self, context: RequestContext, type_names: set[str], environment: Mapping[str, Any] | None
    ) -> None:
        """403 unless policy lets the caller use every type of the template, of its nested templates
        in ``files`` and the types its environment maps them to."""
        registry = (environment or {}).get("resource_registry")
        if isinstance(registry, Mapping):
            type_names |= {str(registry[name]) for name in type_names if isinstance(registry.get(name), str)}
        policy.authorize_resource_types(self.enforcer, context, type_names)
