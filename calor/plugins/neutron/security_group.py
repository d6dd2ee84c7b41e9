"""OS::Neutron::SecurityGroup and OS::Neutron::SecurityGroupRule.

Neutron gives every new group two rules allowing all egress traffic (IPv4 and IPv6). As in
Heat, a group whose rules include an egress rule loses those defaults; an update of the
rules deletes every rule, restores the defaults and then creates the new rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_conflict, is_not_found
from calor.errors import PropertyError
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook
from calor.plugins.neutron.lookup import resolve_many
from calor.schema.constraints import AllowedValues, CustomConstraint, Range
from calor.schema.properties import (
    INTEGER,
    LIST,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)
from calor.template import paths

DEFAULT_EGRESS_RULES: tuple[Mapping[str, Any], ...] = (
    {"direction": "egress", "ethertype": "IPv4"},
    {"direction": "egress", "ethertype": "IPv6"},
)

_PORT = (Range(min=0, max=65535),)

RULE_SCHEMA: Mapping[str, PropertySchema] = {
    "direction": PropertySchema(
        STRING,
        "The direction in which the security group rule is applied. For a compute instance, an ingress "
        "security group rule matches traffic that is incoming (ingress) for that instance. An egress "
        "rule is applied to traffic leaving the instance.",
        default="ingress",
        constraints=(AllowedValues(values=("ingress", "egress")),),
    ),
    "ethertype": PropertySchema(
        STRING,
        "Ethertype of the traffic.",
        default="IPv4",
        constraints=(AllowedValues(values=("IPv4", "IPv6")),),
    ),
    "port_range_min": PropertySchema(
        INTEGER,
        "The minimum port number in the range that is matched by the security group rule. If the "
        "protocol is TCP or UDP, this value must be less than or equal to the value of the "
        "port_range_max attribute. If the protocol is ICMP, this value must be an ICMP type.",
        constraints=_PORT,
    ),
    "port_range_max": PropertySchema(
        INTEGER,
        "The maximum port number in the range that is matched by the security group rule. The "
        "port_range_min attribute constrains the port_range_max attribute. If the protocol is ICMP, "
        "this value must be an ICMP type.",
        constraints=_PORT,
    ),
    "protocol": PropertySchema(
        STRING,
        "The protocol that is matched by the security group rule. Valid values include tcp, udp, and icmp.",
    ),
    "remote_mode": PropertySchema(
        STRING,
        "Whether to specify a remote group or a remote IP prefix.",
        default="remote_ip_prefix",
        constraints=(AllowedValues(values=("remote_ip_prefix", "remote_group_id")),),
    ),
    "remote_group_id": PropertySchema(
        STRING,
        "The remote group ID to be associated with this security group rule. If no value is specified "
        "then this rule will use this security group for the remote_group_id. The remote mode parameter "
        'must be set to "remote_group_id".',
        constraints=(CustomConstraint(name="neutron.security_group"),),
    ),
    "remote_ip_prefix": PropertySchema(
        STRING,
        "The remote IP prefix (CIDR) to be associated with this security group rule.",
        constraints=(CustomConstraint(name="net_cidr"),),
    ),
}


def _is_egress(rule: Mapping[str, Any]) -> bool:
    return rule.get("direction") == "egress"


class SecurityGroup(NeutronPlugin):
    """A resource for managing Neutron security groups.

    Security groups are sets of IP filter rules that are applied to an instance's
    networking. They are project specific, and project members can edit the default rules
    for their group and add new rules sets. All projects have a "default" security group,
    which is applied to instances that have no other security group defined.
    """

    type_name: ClassVar[str] = "OS::Neutron::SecurityGroup"
    resource_kind: ClassVar[str] = "security_group"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(
            STRING,
            "A string specifying a symbolic name for the security group, which is not required to be unique.",
            update_allowed=True,
        ),
        "description": PropertySchema(STRING, "Description of the security group.", update_allowed=True),
        "rules": PropertySchema(
            LIST, "List of security group rules.", default=[], schema=RULE_SCHEMA, update_allowed=True
        ),
    }

    def validate(self) -> None:
        if self.properties.get("name") == "default":
            raise PropertyError(
                'Security groups cannot be assigned the name "default".',
                path=paths.join(self.properties_path, "name"),
            )

    def _format_rule(self, rule: Mapping[str, Any]) -> dict[str, Any]:
        body = {key: value for key, value in rule.items() if key != "remote_mode"}
        body["security_group_id"] = self.resource_id
        if "remote_mode" in rule:
            if rule.get("remote_mode") == "remote_group_id":
                body["remote_ip_prefix"] = None
                group = rule.get("remote_group_id")
                if group:
                    body["remote_group_id"] = resolve_many(self.context, "security_group", [group])[0]
                else:
                    # No remote group: the rule refers to this very group.
                    body["remote_group_id"] = self.resource_id
            else:
                body["remote_group_id"] = None
        for key in ("port_range_min", "port_range_max"):
            if body.get(key) is not None:
                body[key] = int(body[key])
        return {key: value for key, value in body.items() if value is not None}

    def _create_rules(self, rules: Sequence[Mapping[str, Any]]) -> None:
        egress_deleted = False
        proxy = self.network_proxy()
        for rule in rules:
            if _is_egress(rule) and not egress_deleted:
                # An explicit egress rule replaces the defaults that allow all egress traffic.
                egress_deleted = True
                self._delete_rules(_is_egress)
            try:
                proxy.create_security_group_rule(**self._format_rule(rule))
            except sdk_exceptions.SDKException as error:
                if not is_conflict(error):
                    raise

    def _delete_rules(self, selected: Any = None) -> None:
        proxy = self.network_proxy()
        try:
            group = proxy.get_security_group(str(self.resource_id))
        except sdk_exceptions.SDKException as error:
            if is_not_found(error):
                return
            raise
        for rule in group.security_group_rules or []:
            if selected is None or selected(rule):
                try:
                    proxy.delete_security_group_rule(rule["id"], ignore_missing=True)
                except sdk_exceptions.SDKException as error:
                    if not is_not_found(error):
                        raise

    @cloud_hook
    def handle_create(self) -> Any:
        body = {key: value for key, value in self.create_body().items() if key != "rules"}
        group = self.network_proxy().create_security_group(**body)
        self.context.set_resource_id(str(group.id))
        self.finish_create(group)
        return None

    def finish_create(self, created: Any) -> None:
        """The group's rules (a rule that exists already is a conflict, passed over)."""
        self._create_rules(self.properties.get("rules") or [])

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "rules" in property_diff:
            self._delete_rules()
            self._create_rules(DEFAULT_EGRESS_RULES)
        changes = {key: value for key, value in property_diff.items() if key != "rules"}
        body = self.update_body(new_properties, changes)
        if body:
            self.network_proxy().update_security_group(str(self.resource_id), **body)
        if "rules" in property_diff:
            self._create_rules(new_properties.get("rules") or [])
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        self._delete_rules()
        return super().handle_delete()


class SecurityGroupRule(NeutronPlugin):
    """A resource for managing Neutron security group rules.

    Rules to use in security group resource.
    """

    type_name: ClassVar[str] = "OS::Neutron::SecurityGroupRule"
    resource_kind: ClassVar[str] = "security_group_rule"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="7.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "security_group": PropertySchema(
            STRING,
            "Security group name or ID to add rule.",
            required=True,
            constraints=(CustomConstraint(name="neutron.security_group"),),
        ),
        "description": PropertySchema(STRING, "Description of the security group rule."),
        "direction": RULE_SCHEMA["direction"],
        "ethertype": RULE_SCHEMA["ethertype"],
        "port_range_min": RULE_SCHEMA["port_range_min"],
        "port_range_max": RULE_SCHEMA["port_range_max"],
        "protocol": PropertySchema(
            STRING,
            "The protocol that is matched by the security group rule. Allowed values are ah, dccp, "
            "egp, esp, gre, icmp, icmpv6, igmp, ipv6-encap, ipv6-frag, ipv6-icmp, ipv6-nonxt, ipv6-opts, "
            "ipv6-route, ospf, pgm, rsvp, sctp, tcp, udp, udplite, vrrp and integer representations [0-255].",
            default="tcp",
        ),
        "remote_group": PropertySchema(
            STRING,
            "The remote group name or ID to be associated with this security group rule.",
            constraints=(CustomConstraint(name="neutron.security_group"),),
        ),
        "remote_ip_prefix": PropertySchema(
            STRING,
            "The remote IP prefix (CIDR) to be associated with this security group rule.",
            constraints=(CustomConstraint(name="net_cidr"),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {}

    def validate(self) -> None:
        if (
            self.properties.get("remote_group") is not None
            and self.properties.get("remote_ip_prefix") is not None
        ):
            raise PropertyError(
                "Only one of the properties remote_group and remote_ip_prefix may be given.",
                path=self.properties_path,
            )
        low, high = self.properties.get("port_range_min"), self.properties.get("port_range_max")
        tcp_or_udp = self.properties.get("protocol") in ("tcp", "udp", "6", "17")
        if tcp_or_udp and low is not None and high is not None and int(low) > int(high):
            raise PropertyError(
                "The minimum port number must be less than the maximum port number.",
                path=self.properties_path,
            )

    @cloud_hook
    def handle_create(self) -> Any:
        proxy = self.network_proxy()
        body = {key: value for key, value in self.properties.items() if value is not None}
        body["security_group_id"] = resolve_many(
            self.context,
            "security_group",
            [body.pop("security_group")],
            path=paths.join(self.properties_path, "security_group"),
        )[0]
        if "remote_group" in body:
            body["remote_group_id"] = resolve_many(
                self.context, "security_group", [body.pop("remote_group")]
            )[0]
        rule = proxy.create_security_group_rule(**body)
        self.context.set_resource_id(str(rule.id))
        return None
