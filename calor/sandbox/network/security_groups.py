"""Security groups and their rules; each project gets a ``default`` group on first use, as Neutron."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.network.records import SecurityGroup, SecurityGroupRule, new_id

if TYPE_CHECKING:
    from calor.sandbox.network.models import NetworkBackend, Scope

DEFAULT_GROUP_NAME = "default"
PORT_PROTOCOLS = frozenset({"tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136"})
ICMP_PROTOCOLS = frozenset({"icmp", "icmpv6", "ipv6-icmp", "1", "58"})
PROTOCOL_NAMES = frozenset(
    {
        "ah",
        "dccp",
        "egp",
        "esp",
        "gre",
        "icmp",
        "icmpv6",
        "igmp",
        "ipip",
        "ipv6-encap",
        "ipv6-frag",
        "ipv6-icmp",
        "ipv6-nonxt",
        "ipv6-opts",
        "ipv6-route",
        "ospf",
        "pgm",
        "rsvp",
        "sctp",
        "tcp",
        "udp",
        "udplite",
        "vrrp",
        "any",
    }
)


def _owned(project_id: str, scope: Scope | None) -> bool:
    return scope is None or scope.is_admin or project_id == scope.project_id


def _optional_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"Invalid input for {name}. Reason: '{value}' is not an integer.") from error


class SecurityGroupOperations:
    """Security groups and rules, on the backend's store and under its lock."""

    def __init__(self, backend: NetworkBackend) -> None:
        self.backend = backend
        self.store = backend.store

    def _find_default(self, project_id: str) -> SecurityGroup | None:
        for group in self.store.security_groups.values():
            if group.project_id == project_id and group.name == DEFAULT_GROUP_NAME:
                return group
        return None

    def default_group(self, project_id: str) -> SecurityGroup:
        """The project's ``default`` group, created with Neutron's four default rules if absent."""
        with self.backend.lock:
            existing = self._find_default(project_id)
            if existing is not None:
                return existing
        with self.backend.changing():
            existing = self._find_default(project_id)
            if existing is not None:
                return existing
            group = self._new_group(project_id, DEFAULT_GROUP_NAME, "Default security group")
            for ethertype in ("IPv4", "IPv6"):
                self._add_rule(group, direction="ingress", ethertype=ethertype, remote_group_id=group.id)
            return group

    def _new_group(
        self, project_id: str, name: str, description: str, stateful: bool = True
    ) -> SecurityGroup:
        group = SecurityGroup(
            id=new_id(), project_id=project_id, name=name, description=description, stateful=stateful
        )
        self.store.security_groups[group.id] = group
        for ethertype in ("IPv4", "IPv6"):
            self._add_rule(group, direction="egress", ethertype=ethertype)
        return group

    def _add_rule(self, group: SecurityGroup, **values: Any) -> SecurityGroupRule:
        rule = SecurityGroupRule(
            id=new_id(), project_id=group.project_id, security_group_id=group.id, **values
        )
        self.store.security_group_rules[rule.id] = rule
        group.rule_ids.append(rule.id)
        return rule

    def create_group(
        self,
        project_id: str,
        *,
        name: str = "",
        description: str = "",
        stateful: bool = True,
        tags: Sequence[str] = (),
    ) -> SecurityGroup:
        with self.backend.changing():
            self.default_group(project_id)
            if name == DEFAULT_GROUP_NAME:
                raise Conflict(
                    "Default security group already exists.", error_type="SecurityGroupDefaultAlreadyExists"
                )
            self.backend.check_quota(project_id, "security_group")
            group = self._new_group(project_id, name, description, stateful)
            group.tags = list(tags)
            return group

    def get_group(self, group_id: str, scope: Scope | None = None) -> SecurityGroup:
        with self.backend.lock:
            group = self.store.security_groups.get(group_id)
            if group is None or not (_owned(group.project_id, scope) or group.shared):
                raise NotFound(
                    f"Security group {group_id} does not exist", error_type="SecurityGroupNotFound"
                )
            return group

    def list_groups(self, scope: Scope | None = None) -> list[SecurityGroup]:
        with self.backend.lock:
            if scope is not None:
                self.default_group(scope.project_id)
            return [group for group in self.store.security_groups.values() if _owned(group.project_id, scope)]

    def update_group(self, group_id: str, scope: Scope | None = None, **changes: Any) -> SecurityGroup:
        with self.backend.changing():
            group = self.get_group(group_id, scope)
            if (
                group.name == DEFAULT_GROUP_NAME
                and changes.get("name", DEFAULT_GROUP_NAME) != DEFAULT_GROUP_NAME
            ):
                raise Conflict(
                    "Updating default security group not allowed.",
                    error_type="SecurityGroupCannotUpdateDefault",
                )
            for key, value in changes.items():
                if key not in {"name", "description", "stateful", "tags"}:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(group, key, value)
            group.touch()
            return group

    def delete_group(self, group_id: str, scope: Scope | None = None) -> None:
        with self.backend.changing():
            group = self.get_group(group_id, scope)
            if group.name == DEFAULT_GROUP_NAME and not (scope is None or scope.is_admin):
                raise Conflict(
                    "Insufficient rights for removing default security group.",
                    error_type="SecurityGroupCannotRemoveDefault",
                )
            if any(group_id in port.security_groups for port in self.store.ports.values()):
                raise Conflict(f"Security Group {group_id} in use.", error_type="SecurityGroupInUse")
            for rule in list(self.store.security_group_rules.values()):
                if rule.security_group_id == group_id or rule.remote_group_id == group_id:
                    self._remove_rule(rule)
            del self.store.security_groups[group_id]

    # -- rules ---------------------------------------------------------------------------------

    def create_rule(
        self,
        project_id: str,
        security_group_id: str,
        *,
        scope: Scope | None = None,
        direction: str = "ingress",
        ethertype: str = "IPv4",
        protocol: str | int | None = None,
        port_range_min: int | None = None,
        port_range_max: int | None = None,
        remote_ip_prefix: str | None = None,
        remote_group_id: str | None = None,
        description: str = "",
    ) -> SecurityGroupRule:
        with self.backend.changing():
            group = self.get_group(security_group_id, scope)
            if direction not in ("ingress", "egress"):
                raise BadRequest(
                    f"Invalid input for direction. Reason: {direction} is not in ['ingress', 'egress']."
                )
            if ethertype not in ("IPv4", "IPv6"):
                raise BadRequest(
                    f"Invalid input for ethertype. Reason: {ethertype} is not in ['IPv4', 'IPv6']."
                )
            protocol_text = self._checked_protocol(protocol)
            minimum = _optional_int(port_range_min, "port_range_min")
            maximum = _optional_int(port_range_max, "port_range_max")
            self._check_ports(protocol_text, minimum, maximum)
            if remote_ip_prefix is not None and remote_group_id is not None:
                raise BadRequest(
                    "Only remote_ip_prefix or remote_group_id may be provided.",
                    error_type="SecurityGroupRemoteGroupAndRemoteIpPrefix",
                )
            if remote_ip_prefix is not None:
                remote_ip_prefix = self._checked_prefix(remote_ip_prefix, ethertype)
            if remote_group_id is not None:
                self.get_group(remote_group_id, scope)
            values: dict[str, Any] = {
                "direction": direction,
                "ethertype": ethertype,
                "protocol": protocol_text,
                "port_range_min": minimum,
                "port_range_max": maximum,
                "remote_ip_prefix": remote_ip_prefix,
                "remote_group_id": remote_group_id,
            }
            for rule_id in group.rule_ids:
                rule = self.store.security_group_rules[rule_id]
                if all(getattr(rule, key) == value for key, value in values.items()):
                    raise Conflict(
                        f"Security group rule already exists. Rule id is {rule.id}.",
                        error_type="SecurityGroupRuleExists",
                    )
            self.backend.check_quota(project_id, "security_group_rule")
            rule = self._add_rule(group, description=description, **values)
            rule.project_id = project_id
            group.touch()
            return rule

    @staticmethod
    def _checked_protocol(protocol: str | int | None) -> str | None:
        if protocol is None:
            return None
        text = str(protocol).lower()
        if text.isdigit():
            if not 0 <= int(text) <= 255:
                raise BadRequest(
                    f"Security group rule protocol {protocol} not supported.",
                    error_type="SecurityGroupRuleInvalidProtocol",
                )
            return text
        if text not in PROTOCOL_NAMES:
            raise BadRequest(
                f"Security group rule protocol {protocol} not supported.",
                error_type="SecurityGroupRuleInvalidProtocol",
            )
        return None if text == "any" else text

    @staticmethod
    def _check_ports(protocol: str | None, minimum: int | None, maximum: int | None) -> None:
        if minimum is None and maximum is None:
            return
        if protocol is None:
            raise BadRequest(
                "Must also specify protocol if port range is given.",
                error_type="SecurityGroupProtocolRequiredWithPorts",
            )
        if protocol in PORT_PROTOCOLS:
            if minimum is None or maximum is None:
                raise BadRequest(
                    "For TCP/UDP protocols, port_range_min must be <= port_range_max",
                    error_type="SecurityGroupInvalidPortRange",
                )
            for value in (minimum, maximum):
                if value is not None and not 1 <= value <= 65535:
                    raise BadRequest(
                        f"Invalid value for port {value}.", error_type="SecurityGroupInvalidPortValue"
                    )
            if minimum is not None and maximum is not None and minimum > maximum:
                raise BadRequest(
                    "For TCP/UDP protocols, port_range_min must be <= port_range_max",
                    error_type="SecurityGroupInvalidPortRange",
                )
        elif protocol in ICMP_PROTOCOLS:
            if minimum is None:
                raise BadRequest(
                    f"ICMP code (port-range-max) {maximum} is provided but ICMP type "
                    "(port-range-min) is missing.",
                    error_type="SecurityGroupMissingIcmpType",
                )
            for name, number in (("type", minimum), ("code", maximum)):
                if number is not None and not 0 <= number <= 255:
                    raise BadRequest(
                        f"Invalid value for ICMP {name} {number}.", error_type="SecurityGroupInvalidIcmpValue"
                    )

    @staticmethod
    def _checked_prefix(prefix: str, ethertype: str) -> str:
        try:
            network = ipaddress.ip_network(prefix, strict=False)
        except ValueError as error:
            raise BadRequest(
                f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not a valid IP prefix."
            ) from error
        if f"IPv{network.version}" != ethertype:
            raise BadRequest(
                f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
                error_type="SecurityGroupRuleParameterConflict",
            )
        return str(network)

    def get_rule(self, rule_id: str, scope: Scope | None = None) -> SecurityGroupRule:
        with self.backend.lock:
            rule = self.store.security_group_rules.get(rule_id)
            if rule is None or not _owned(rule.project_id, scope):
                raise NotFound(
                    f"Security group rule {rule_id} does not exist", error_type="SecurityGroupRuleNotFound"
                )
            return rule

    def list_rules(self, scope: Scope | None = None) -> list[SecurityGroupRule]:
        with self.backend.lock:
            if scope is not None:
                self.default_group(scope.project_id)
            return [
                rule for rule in self.store.security_group_rules.values() if _owned(rule.project_id, scope)
            ]

    def delete_rule(self, rule_id: str, scope: Scope | None = None) -> None:
        with self.backend.changing():
            self._remove_rule(self.get_rule(rule_id, scope))

    def _remove_rule(self, rule: SecurityGroupRule) -> None:
        group = self.store.security_groups.get(rule.security_group_id)
        if group is not None and rule.id in group.rule_ids:
            group.rule_ids.remove(rule.id)
            group.touch()
        self.store.security_group_rules.pop(rule.id, None)
