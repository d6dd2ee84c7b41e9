"""Constraints: validation messages, parsing from HOT and CFN, the custom constraint registry."""

from __future__ import annotations

from typing import Any

import pytest

from calor.errors import TemplateError, UserError
from calor.schema.constraints import (
    CUSTOM_CONSTRAINTS,
    AllowedPattern,
    AllowedValues,
    ConstraintViolation,
    CustomConstraint,
    CustomConstraintRegistry,
    Length,
    Modulo,
    Range,
    constraints_from_cfn,
    constraints_from_hot,
)


def message(constraint: Any, value: Any) -> str:
    with pytest.raises(ConstraintViolation) as caught:
        constraint.validate(value)
    return caught.value.message


def test_violation_is_a_user_error() -> None:
    assert issubclass(ConstraintViolation, UserError)


@pytest.mark.parametrize(
    ("constraint", "value", "expected"),
    [
        (Length(min=2, max=8), "a", "length (1) is out of range (min: 2, max: 8)"),
        (Length(max=1), ["a", "b"], "length (2) is out of range (min: None, max: 1)"),
        (Length(min=1), {}, "length (0) is out of range (min: 1, max: None)"),
        (Range(min=1, max=5), 9, "9 is out of range (min: 1, max: 5)"),
        (Range(min=1, max=5), "0", "0 is out of range (min: 1, max: 5)"),
        (Range(min=1), "abc", '"abc" is not a number'),
        (Modulo(step=2, offset=1), 4, "4 is not a multiple of 2 with an offset of 1"),
        (AllowedValues(values=("a", "b")), "x", '"x" is not an allowed value [a, b]'),
        (AllowedValues(values=("a", "b")), ["a", "x"], "\"['a', 'x']\" is not an allowed value [a, b]"),
        (AllowedPattern(pattern="[a-z]+"), "abc1", '"abc1" does not match pattern "[a-z]+"'),
    ],
)
def test_generated_messages(constraint: Any, value: Any, expected: str) -> None:
    assert message(constraint, value) == expected


@pytest.mark.parametrize(
    ("constraint", "value"),
    [
        (Length(min=2, max=8), "abcd"),
        (Length(min=1), [1]),
        (Range(min=1, max=5), 5),
        (Range(min=1.5), "2.5"),
        (Modulo(step=2, offset=1), 7),
        (Modulo(step=2, offset=0), "4"),
        (AllowedValues(values=("a", "b")), "b"),
        (AllowedValues(values=(1, 2)), "2"),
        (AllowedValues(values=("a", "b")), ["a", "b", "a"]),
        (AllowedPattern(pattern="[a-z]+"), "abc"),
    ],
)
def test_valid_values_pass(constraint: Any, value: Any) -> None:
    constraint.validate(value)


def test_pattern_must_match_in_full() -> None:
    with pytest.raises(ConstraintViolation):
        AllowedPattern(pattern="a|ab").validate("abc")
    AllowedPattern(pattern="a|ab").validate("ab")


def test_description_replaces_the_generated_message() -> None:
    assert message(Length(min=3, description="Too short!"), "ab") == "Too short!"


def test_summaries_follow_heat() -> None:
    assert Range(min=1, max=5).summary() == "The value must be in the range 1 to 5."
    assert Range(min=1).summary() == "The value must be at least 1."
    assert Length(max=4).summary() == "The length must be no greater than 4."
    assert AllowedValues(values=("a", "b")).summary() == "Allowed values: a, b"
    assert AllowedPattern(pattern="x").summary() == "Value must match pattern: x"
    assert CustomConstraint(name="nova.flavor").summary() == "Value must be of type nova.flavor"
    assert Length(min=1, description="d").summary() == "d"


def test_schema_dicts() -> None:
    assert Length(min=1, description="d").to_schema_dict() == {"length": {"min": 1}, "description": "d"}
    assert Range(max=3).to_schema_dict() == {"range": {"max": 3}}
    assert Modulo(step=2, offset=1).to_schema_dict() == {"modulo": {"step": 2, "offset": 1}}
    assert AllowedValues(values=(1, 2)).to_schema_dict() == {"allowed_values": [1, 2]}
    assert AllowedPattern(pattern="x+").to_schema_dict() == {"allowed_pattern": "x+"}
    assert CustomConstraint(name="ip_addr").to_schema_dict() == {"custom_constraint": "ip_addr"}


def test_constraints_are_frozen_and_comparable() -> None:
    assert Length(min=1) == Length(min=1)
    with pytest.raises(AttributeError):
        Length(min=1).min = 2  # type: ignore[misc]


# --- custom constraints --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("ip_addr", ["10.0.0.1", "::1", "fe80::1"], ["10.0.0", "abc", "1.2.3.256"]),
        ("net_cidr", ["10.0.0.0/24", "fd00::/64", "10.0.0.1/24"], ["10.0.0.0/33", "x", "10.0.0.0 /24"]),
        ("mac_addr", ["fa:16:3e:00:11:22", "FA-16-3E-00-11-22", "fa16.3e00.1122"], ["fa:16:3e:00:11", "zz"]),
        (
            "dns_name",
            ["example.com", "example.com.", "host-1"],
            ["-bad.com", "a..b", "example.123", "a_b.com"],
        ),
        ("dns_domain", ["example.com."], ["example.com"]),
        ("rel_dns_name", ["www", "www.sub"], ["www.example.com."]),
        ("iso_8601", ["2026-11-24T22:05:00Z", "2026-11-24"], ["yesterday", "2026-13-01"]),
        ("expiration", ["2999-01-01T00:00:00Z"], ["2001-01-01T00:00:00Z", "soon"]),
        ("timezone", ["Europe/Paris", "UTC", ""], ["Mars/Olympus"]),
        ("cron_expression", ["*/5 * * * *", "0 0 1 1 *", ""], ["* * *", "a b c d e f g"]),
    ],
)
def test_generic_custom_constraints(name: str, good: list[str], bad: list[str]) -> None:
    constraint = CustomConstraint(name=name)
    for value in good:
        constraint.validate(value)
    for value in bad:
        text = message(constraint, value)
        assert text.startswith(f'"{value}" does not validate {name}')


def test_registry_register_get_names() -> None:
    registry = CustomConstraintRegistry()

    def even(value: Any, context: object | None) -> None:
        if int(value) % 2:
            raise ConstraintViolation("must be even")

    registry.register("test.even", even)
    assert registry.get("test.even") is even
    assert registry.names() == ["test.even"]
    constraint = CustomConstraint(name="test.even", registry=registry)
    constraint.validate(4)
    assert message(constraint, 3) == '"3" does not validate test.even: must be even'


def test_checker_receives_context() -> None:
    registry = CUSTOM_CONSTRAINTS.copy()
    seen: list[object | None] = []
    registry.register("test.context", lambda value, context: seen.append(context))
    marker = object()
    CustomConstraint(name="test.context", registry=registry).validate("x", marker)
    assert seen == [marker]
    assert "test.context" not in CUSTOM_CONSTRAINTS


def test_unknown_custom_constraint_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="constraint not found"):
        CustomConstraint(name="nova.nothing").validate("x")


def test_default_registry_holds_generic_names() -> None:
    for name in ("ip_addr", "net_cidr", "mac_addr", "dns_name", "dns_domain", "rel_dns_name", "iso_8601"):
        assert name in CUSTOM_CONSTRAINTS


# --- parsing ---------------------------------------------------------------------------------------


def test_constraints_from_hot() -> None:
    parsed = constraints_from_hot(
        [
            {"length": {"min": 2, "max": 8}, "description": "between 2 and 8"},
            {"range": {"min": 0.5}},
            {"modulo": {"step": 3, "offset": 1}},
            {"allowed_values": ["a", "b"]},
            {"allowed_pattern": "[a-z]*"},
            {"custom_constraint": "nova.flavor"},
        ],
        "parameters.x.constraints",
    )
    assert parsed == (
        Length(min=2, max=8, description="between 2 and 8"),
        Range(min=0.5),
        Modulo(step=3, offset=1),
        AllowedValues(values=("a", "b")),
        AllowedPattern(pattern="[a-z]*"),
        CustomConstraint(name="nova.flavor"),
    )
    assert constraints_from_hot(None, "p") == ()


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([{"length": {"min": 1}}, {"bogus": 1}], "parameters.x.constraints[1]"),
        ([{"length": {"min": "a"}}], "parameters.x.constraints[0].length"),
        ([{"length": {"low": 1}}], "parameters.x.constraints[0].length"),
        ([{"length": {}}], "parameters.x.constraints[0].length"),
        ([{"range": [1, 2]}], "parameters.x.constraints[0].range"),
        ([{"modulo": {"step": 0, "offset": 0}}], "parameters.x.constraints[0].modulo"),
        ([{"modulo": {"step": 2, "offset": 2}}], "parameters.x.constraints[0].modulo"),
        ([{"modulo": {"step": 2}}], "parameters.x.constraints[0].modulo"),
        ([{"allowed_values": "a"}], "parameters.x.constraints[0].allowed_values"),
        ([{"allowed_pattern": "("}], "parameters.x.constraints[0].allowed_pattern"),
        ([{"custom_constraint": 5}], "parameters.x.constraints[0].custom_constraint"),
        ([{"length": {"min": 1}, "range": {"min": 1}}], "parameters.x.constraints[0]"),
        ([{"description": "only"}], "parameters.x.constraints[0]"),
        (["length"], "parameters.x.constraints[0]"),
        ({"length": {"min": 1}}, "parameters.x.constraints"),
    ],
)
def test_bad_hot_constraints_name_their_path(raw: Any, path: str) -> None:
    with pytest.raises(TemplateError) as caught:
        constraints_from_hot(raw, "parameters.x.constraints")
    assert caught.value.path == path


def test_modulo_can_be_refused_for_old_versions() -> None:
    with pytest.raises(TemplateError, match="modulo"):
        constraints_from_hot([{"modulo": {"step": 2, "offset": 0}}], "p", allow_modulo=False)


def test_constraints_from_cfn() -> None:
    raw = {
        "Type": "String",
        "MinLength": "2",
        "MaxLength": 8,
        "MinValue": "1",
        "AllowedValues": ["ab", "cd"],
        "AllowedPattern": "[a-z]+",
        "ConstraintDescription": "lower case",
    }
    assert constraints_from_cfn(raw, "Parameters.x") == (
        Length(min=2, max=8, description="lower case"),
        Range(min=1, description="lower case"),
        AllowedValues(values=("ab", "cd"), description="lower case"),
        AllowedPattern(pattern="[a-z]+", description="lower case"),
    )
    assert constraints_from_cfn({"Type": "String"}, "Parameters.x") == ()


def test_bad_cfn_constraints_name_their_path() -> None:
    with pytest.raises(TemplateError) as caught:
        constraints_from_cfn({"MinLength": "two"}, "Parameters.x")
    assert caught.value.path == "Parameters.x.MinLength"
    with pytest.raises(TemplateError) as caught:
        constraints_from_cfn({"AllowedValues": "a"}, "Parameters.x")
    assert caught.value.path == "Parameters.x.AllowedValues"
