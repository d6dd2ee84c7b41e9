"""AWS::EC2::SecurityGroup on Neutron, as Heat maps it.

Ingress and egress rules become Neutron rules (IPv4); a port of ``-1`` means "any"; a rule
without ports has no CIDR (Heat's rule). Egress rules in the template replace Neutron's
default egress rules. An update compares the rules and deletes / creates only the changed
ones; when the template gives no egress rules, Neutron's defaults are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_conflict, is_not_found
from calor.plugins.aws.common import tags_property
from calor.plugins.neutron.common import NeutronPlugin, cloud_hook
from calor.plugins.neutron.lookup import resolve
from calor.schema.properties import LIST, STRING, PropertySchema, SupportStatus

_RULE_KEYS = (
    "CidrIp",
    "FromPort",
    "ToPort",
    "IpProtocol",
    "SourceSecurityGroupId",
    "SourceSecurityGroupName",
)

INGRESS_SCHEMA: Mapping[str, PropertySchema] = {
    "CidrIp": PropertySchema(STRING),
    "FromPort": PropertySchema(STRING),
    "ToPort": PropertySchema(STRING),
    "IpProtocol": PropertySchema(STRING),
    "SourceSecurityGroupId": PropertySchema(STRING),
    "SourceSecurityGroupName": PropertySchema(STRING),
    "SourceSecurityGroupOwnerId": PropertySchema(STRING),
}
EGRESS_SCHEMA: Mapping[str, PropertySchema] = {
    "CidrIp": PropertySchema(STRING),
    "FromPort": PropertySchema(STRING),
    "ToPort": PropertySchema(STRING),
    "IpProtocol": PropertySchema(STRING),
    "DestinationSecurityGroupId": PropertySchema(STRING),
}

RuleKey = tuple[str, str, str | None, int | None, int | None, str | None, str | None]
"""(direction, ethertype, protocol, port min, port max, remote IP prefix, remote group id)."""


def _port(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = int(value)
    return None if number < 0 else number


class SecurityGroup(NeutronPlugin):
    """An AWS security group: a Neutron security group with its rules."""

    type_name: ClassVar[str] = "AWS::EC2::SecurityGroup"
    resource_kind: ClassVar[str] = "security_group"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "GroupDescription": PropertySchema(STRING, "Description of the security group.", required=True),
        "VpcId": PropertySchema(STRING, "Physical ID of the VPC. Not implemented."),
        "SecurityGroupIngress": PropertySchema(
            LIST, "List of security group ingress rules.", schema=INGRESS_SCHEMA, update_allowed=True
        ),
        "SecurityGroupEgress": PropertySchema(
            LIST, "List of security group egress rules.", schema=EGRESS_SCHEMA, update_allowed=True
        ),
        "Tags": tags_property(),
    }

    def _rule_keys(self, properties: Mapping[str, Any]) -> list[RuleKey]:
        keys: list[RuleKey] = []
        for direction, key, group_key in (
            ("ingress", "SecurityGroupIngress", "SourceSecurityGroupId"),
            ("egress", "SecurityGroupEgress", "DestinationSecurityGroupId"),
        ):
            for rule in properties.get(key) or []:
                low, high = _port(rule.get("FromPort")), _port(rule.get("ToPort"))
                no_ports = rule.get("FromPort") is None and rule.get("ToPort") is None
                group = rule.get(group_key) or rule.get("SourceSecurityGroupName")
                group_id = resolve(self.context, "security_group", group) if group else None
                protocol = rule.get("IpProtocol")
                protocol = None if protocol in (None, "-1") else str(protocol)
                prefix = None if no_ports else rule.get("CidrIp")
                keys.append((direction, "IPv4", protocol, low, high, prefix, group_id))
        return keys

    def _existing(self) -> dict[str, RuleKey]:
        group = self.network_proxy().get_security_group(str(self.resource_id))
        return {
            rule["id"]: (
                rule["direction"],
                rule.get("ethertype") or "IPv4",
                rule.get("protocol"),
                rule.get("port_range_min"),
                rule.get("port_range_max"),
                rule.get("remote_ip_prefix"),
                rule.get("remote_group_id"),
            )
            for rule in group.security_group_rules or []
        }

    def _create_rule(self, key: RuleKey) -> None:
        direction, ethertype, protocol, low, high, prefix, group_id = key
        body = {
            "security_group_id": str(self.resource_id),
            "direction": direction,
            "ethertype": ethertype,
            "protocol": protocol,
            "port_range_min": low,
            "port_range_max": high,
            "remote_ip_prefix": prefix,
            "remote_group_id": group_id,
        }
        try:
            self.network_proxy().create_security_group_rule(
                **{name: value for name, value in body.items() if value is not None}
            )
        except sdk_exceptions.SDKException as error:
            if not is_conflict(error):
                raise

    def _delete_rule(self, rule_id: str) -> None:
        try:
            self.network_proxy().delete_security_group_rule(rule_id, ignore_missing=True)
        except sdk_exceptions.SDKException as error:
            if not is_not_found(error):
                raise

    def _apply(self, wanted: Sequence[RuleKey], *, keep_default_egress: bool) -> None:
        existing = self._existing()
        for rule_id, key in existing.items():
            if key in wanted:
                continue
            if keep_default_egress and key[0] == "egress" and key[2:] == (None, None, None, None, None):
                continue
            self._delete_rule(rule_id)
        present = set(existing.values())
        for key in wanted:
            if key not in present:
                self._create_rule(key)

    @cloud_hook
    def handle_create(self) -> Any:
        group = self.network_proxy().create_security_group(
            name=self.context.physical_resource_name(), description=self.properties["GroupDescription"]
        )
        self.context.set_resource_id(str(group.id))
        has_egress = bool(self.properties.get("SecurityGroupEgress"))
        if has_egress:
            # Egress rules in the template replace the defaults that allow all egress traffic.
            for rule_id, key in self._existing().items():
                if key[0] == "egress":
                    self._delete_rule(rule_id)
        self._apply(self._rule_keys(self.properties), keep_default_egress=not has_egress)
        return None

    @cloud_hook
    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "SecurityGroupIngress" in property_diff or "SecurityGroupEgress" in property_diff:
            keep = not new_properties.get("SecurityGroupEgress")
            self._apply(self._rule_keys(new_properties), keep_default_egress=keep)
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        try:
            for rule_id in self._existing():
                self._delete_rule(rule_id)
        except sdk_exceptions.SDKException as error:
            if not is_not_found(error):
                raise
        return super().handle_delete()
