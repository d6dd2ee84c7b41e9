"""OS::Neutron::SecurityGroup (Heat's default egress rule handling) and OS::Neutron::SecurityGroupRule."""

from __future__ import annotations

from typing import Any

import pytest
from neutron_harness import run_create, run_delete, run_update

from calor.errors import PropertyError
from calor.plugins.neutron.security_group import SecurityGroup, SecurityGroupRule


def _rules(cloud: Any, group_id: str) -> list[tuple[Any, ...]]:
    group = cloud.network.get_security_group(group_id)
    return sorted(
        (
            rule["direction"],
            rule["ethertype"],
            rule.get("protocol"),
            rule.get("port_range_min"),
            rule.get("port_range_max"),
            rule.get("remote_ip_prefix"),
            rule.get("remote_group_id"),
        )
        for rule in group.security_group_rules
    )


DEFAULT_EGRESS = [
    ("egress", "IPv4", None, None, None, None, None),
    ("egress", "IPv6", None, None, None, None, None),
]


def test_ingress_rules_keep_the_default_egress_rules(make: Any, cloud: Any) -> None:
    group = make(
        SecurityGroup,
        {
            "description": "web",
            "rules": [
                {
                    "protocol": "tcp",
                    "port_range_min": 80,
                    "port_range_max": 80,
                    "remote_ip_prefix": "0.0.0.0/0",
                },
                {"protocol": "icmp", "remote_mode": "remote_group_id"},
            ],
        },
        name="web",
    )
    run_create(group)
    found = cloud.network.get_security_group(group.resource_id)
    assert found.name.startswith("stack-web-")
    assert found.description == "web"
    assert _rules(cloud, group.resource_id) == sorted(
        [
            *DEFAULT_EGRESS,
            ("ingress", "IPv4", "tcp", 80, 80, "0.0.0.0/0", None),
            ("ingress", "IPv4", "icmp", None, None, None, group.resource_id),
        ]
    )
    run_delete(group)
    assert cloud.network.find_security_group(group.resource_id, ignore_missing=True) is None


def test_an_egress_rule_replaces_the_defaults_and_updates_restore_them(make: Any, cloud: Any) -> None:
    group = make(
        SecurityGroup,
        {"rules": [{"direction": "egress", "protocol": "tcp", "port_range_min": 443, "port_range_max": 443}]},
    )
    run_create(group)
    assert _rules(cloud, group.resource_id) == [("egress", "IPv4", "tcp", 443, 443, None, None)]
    run_update(
        group, {"rules": [{"protocol": "udp", "port_range_min": 53, "port_range_max": 53}], "name": "dns"}
    )
    assert cloud.network.get_security_group(group.resource_id).name == "dns"
    assert _rules(cloud, group.resource_id) == sorted(
        [*DEFAULT_EGRESS, ("ingress", "IPv4", "udp", 53, 53, None, None)]
    )
    run_delete(group)


def test_the_name_default_is_refused(make: Any) -> None:
    with pytest.raises(PropertyError, match='cannot be assigned the name "default"'):
        make(SecurityGroup, {"name": "default"})


def test_security_group_rule_resource(make: Any, cloud: Any) -> None:
    group = cloud.network.create_security_group(name="rule-target")
    rule = make(
        SecurityGroupRule,
        {
            "security_group": "rule-target",
            "port_range_min": 22,
            "port_range_max": 22,
            "remote_ip_prefix": "10.0.0.0/8",
        },
    )
    run_create(rule)
    found = cloud.network.get_security_group_rule(rule.resource_id)
    assert (found.security_group_id, found.protocol, found.port_range_min) == (group.id, "tcp", 22)
    run_delete(rule)
    assert cloud.network.find_security_group_rule(rule.resource_id, ignore_missing=True) is None
    cloud.network.delete_security_group(group)


def test_security_group_rule_validation(make: Any) -> None:
    with pytest.raises(PropertyError, match="minimum port"):
        make(SecurityGroupRule, {"security_group": "g", "port_range_min": 90, "port_range_max": 80})
    with pytest.raises(PropertyError, match="remote_group and remote_ip_prefix"):
        make(
            SecurityGroupRule, {"security_group": "g", "remote_group": "a", "remote_ip_prefix": "10.0.0.0/8"}
        )
