"""Authorization with oslo.policy, under Heat's rule names and defaults.

Every API operation is checked against a rule (``stacks:create``, ``events:index``,
``cloudformation:ListStacks``, ...) registered here with Heat's default; a ``policy.yaml``
overrides any of them. A refusal is :class:`calor.errors.Forbidden` (403).

The users Calor creates for a stack's in-instance agents (role ``heat_stack_user``) are
refused everything by ``deny_stack_user`` except what those agents need: reading resource
metadata (``resource:metadata``, ``cloudformation:DescribeStackResource``) and signalling
(``resource:signal``; heat-api-cfn's signal URLs have no rule, as in Heat). Which stack
they reach is decided by the service: only the one whose stack user project is theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from oslo_config import cfg
from oslo_policy import policy

from calor.errors import Forbidden

if TYPE_CHECKING:
    from calor.engine.service import RequestContext

DENY_STACK_USER = "rule:deny_stack_user"
ALLOW_EVERYBODY = "rule:allow_everybody"
ADMIN_ONLY = "rule:context_is_admin"

BASE_RULES: tuple[tuple[str, str, str], ...] = (
    ("context_is_admin", "role:admin", "Decides what is an administrator."),
    ("project_admin", "role:admin", "An administrator of the project."),
    ("deny_stack_user", "not role:heat_stack_user", "Everyone but the users Heat creates for stacks."),
    ("deny_everybody", "!", "Nobody."),
    ("allow_everybody", "", "Everybody."),
)

STACK_RULES = (
    "abandon",
    "create",
    "delete",
    "detail",
    "export",
    "generate_template",
    "index",
    "list_resource_types",
    "list_template_versions",
    "list_template_functions",
    "preview",
    "preview_update",
    "preview_update_patch",
    "resource_schema",
    "show",
    "template",
    "environment",
    "list_outputs",
    "show_output",
    "files",
    "update",
    "update_patch",
    "validate_template",
    "snapshot",
    "show_snapshot",
    "delete_snapshot",
    "list_snapshots",
    "restore_snapshot",
)

ACTIONS = ("suspend", "resume", "check", "cancel_update", "cancel_without_rollback")

CLOUDFORMATION_PREFIX = "cloudformation:"
CLOUDFORMATION_ACTIONS = (
    "ListStacks",
    "CreateStack",
    "DescribeStacks",
    "DeleteStack",
    "UpdateStack",
    "CancelUpdateStack",
    "DescribeStackEvents",
    "ValidateTemplate",
    "GetTemplate",
    "EstimateTemplateCost",
    "DescribeStackResources",
    "ListStackResources",
    "GetTemplateSummary",
)
"""heat-api-cfn's actions under Heat's ``cloudformation:<Action>`` rules (``deny_stack_user``;
``GetTemplateSummary``, which Heat does not serve, the same way);
``cloudformation:DescribeStackResource`` (what cfn-init and cfn-hup call) is open to everybody."""

RESOURCE_TYPE_PREFIX = "resource_types:"
ADMIN_ONLY_RESOURCE_TYPES = (
    "OS::Nova::Flavor",
    "OS::Cinder::EncryptedVolumeType",
    "OS::Cinder::VolumeType",
    "OS::Cinder::Quota",
    "OS::Neutron::Quota",
    "OS::Nova::Quota",
    "OS::Manila::ShareType",
    "OS::Neutron::ProviderNet",
    "OS::Neutron::QoSPolicy",
    "OS::Neutron::QoSBandwidthLimitRule",
    "OS::Neutron::Segment",
    "OS::Nova::HostAggregate",
    "OS::Cinder::QoSSpecs",
    "OS::Cinder::QoSAssociation",
    "OS::Keystone::*",
    "OS::Blazar::Host",
)
"""Heat's ``resource_types:<type>`` rules: these types are for project administrators only."""


def _default_rules() -> dict[str, str]:
    rules = {name: check for name, check, _description in BASE_RULES}
    rules.update({f"stacks:{name}": DENY_STACK_USER for name in STACK_RULES})
    rules["stacks:lookup"] = ALLOW_EVERYBODY
    rules["stacks:global_index"] = ADMIN_ONLY
    rules["actions:action"] = DENY_STACK_USER
    rules.update({f"actions:{name}": "rule:actions:action" for name in ACTIONS})
    rules["build_info:build_info"] = DENY_STACK_USER
    rules["events:index"] = DENY_STACK_USER
    rules["events:show"] = DENY_STACK_USER
    rules["resource:index"] = DENY_STACK_USER
    rules["resource:show"] = DENY_STACK_USER
    rules["resource:metadata"] = ALLOW_EVERYBODY
    rules["resource:signal"] = ALLOW_EVERYBODY
    rules["resource:mark_unhealthy"] = DENY_STACK_USER
    rules["service:index"] = ADMIN_ONLY
    for name in ("index", "create", "show", "delete"):
        rules[f"software_configs:{name}"] = DENY_STACK_USER
    rules["software_configs:global_index"] = ADMIN_ONLY
    for name in ("index", "create", "show", "update", "delete"):
        rules[f"software_deployments:{name}"] = DENY_STACK_USER
    rules["software_deployments:metadata"] = ALLOW_EVERYBODY
    rules.update({CLOUDFORMATION_PREFIX + name: DENY_STACK_USER for name in CLOUDFORMATION_ACTIONS})
    rules[CLOUDFORMATION_PREFIX + "DescribeStackResource"] = ALLOW_EVERYBODY
    rules.update({RESOURCE_TYPE_PREFIX + name: "rule:project_admin" for name in ADMIN_ONLY_RESOURCE_TYPES})
    return rules


DEFAULT_RULES: Mapping[str, str] = _default_rules()


def make_enforcer(policy_file: str | None = None) -> policy.Enforcer:
    """An enforcer with Heat's defaults registered, overridden by ``policy_file`` when given."""
    conf = cfg.ConfigOpts()
    conf([], project="calor", default_config_files=[])
    enforcer = policy.Enforcer(conf, policy_file=policy_file)
    enforcer.register_defaults([policy.RuleDefault(name, check) for name, check in DEFAULT_RULES.items()])
    enforcer.load_rules()
    return enforcer


def credentials(context: RequestContext) -> dict[str, Any]:
    return {
        "roles": list(context.roles),
        "project_id": context.project_id,
        "tenant": context.project_id,
        "user_id": context.user_id,
        "is_admin": context.is_admin,
    }


def authorize(
    enforcer: policy.Enforcer, rule: str, context: RequestContext, target: Mapping[str, Any] | None = None
) -> None:
    """Raise :class:`Forbidden` unless ``rule`` allows ``context`` on ``target``."""
    target_values = dict(target or {"project_id": context.project_id, "tenant": context.project_id})
    allowed = enforcer.enforce(rule, target_values, credentials(context), do_raise=False)
    if not allowed:
        raise Forbidden(f"You are not authorized to use {rule}.")


def resource_type_allowed(enforcer: policy.Enforcer, context: RequestContext, type_name: str) -> bool:
    """Heat's resource type policy: ``resource_types:<type>``, then ``resource_types:<prefix>::*``.

    A type no rule names is allowed (as Heat's resource enforcer does).
    """
    wildcard = "::".join([*type_name.split("::")[:-1], "*"])
    target = {"project_id": context.project_id, "tenant": context.project_id}
    for rule in (RESOURCE_TYPE_PREFIX + type_name, RESOURCE_TYPE_PREFIX + wildcard):
        allowed = rule not in enforcer.rules or enforcer.enforce(
            rule, target, credentials(context), do_raise=False
        )
        if not allowed:
            return False
    return True


def authorize_resource_types(
    enforcer: policy.Enforcer, context: RequestContext, type_names: Iterable[str]
) -> None:
    """Raise :class:`Forbidden` naming the first type of ``type_names`` the caller may not use."""
    for type_name in sorted(set(type_names)):
        if not resource_type_allowed(enforcer, context, type_name):
            raise Forbidden(f"You are not authorized to use {RESOURCE_TYPE_PREFIX}{type_name}.")
