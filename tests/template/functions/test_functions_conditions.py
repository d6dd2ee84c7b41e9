"""if (and its nullable form), equals, not, and, or, and the CFN condition functions."""

from __future__ import annotations

from typing import Any

import pytest
from function_stubs import FakeResource, evaluate, make_context, sample_context

from calor.errors import TemplateError
from calor.template import function
from calor.template.functions import AWS_TEMPLATE_VERSION, HOT_VERSIONS, REMOVED, resolve
from calor.template.functions.common import resolve_keeping_removed

LATEST = HOT_VERSIONS["2021-04-16"]
NEWTON = HOT_VERSIONS["2016-10-14"]


def condition(snippet: Any, version: Any = LATEST) -> Any:
    return resolve(version.parse_condition(sample_context(), snippet, "conditions.c"))


class TestIf:
    def test_by_condition_name(self) -> None:
        assert evaluate(NEWTON, sample_context(), {"if": ["yes", "a", "b"]}) == "a"
        assert evaluate(NEWTON, sample_context(), {"if": ["no", "a", {"get_param": "name"}]}) == "web"

    def test_by_condition_expression_and_boolean(self) -> None:
        snippet = {"if": [{"equals": [{"get_param": "name"}, "web"]}, "match", "other"]}
        assert evaluate(NEWTON, sample_context(), snippet) == "match"
        assert evaluate(NEWTON, sample_context(), {"if": [False, 1, 2]}) == 2

    def test_three_arguments_before_2021_04_16(self) -> None:
        with pytest.raises(TemplateError, match=r"\[condition_name, value_if_true, value_if_false\]"):
            NEWTON.parse(sample_context(), {"if": ["yes", "a"]}, "p")

    def test_unknown_condition(self) -> None:
        with pytest.raises(TemplateError, match='Invalid condition "maybe"'):
            evaluate(NEWTON, sample_context(), {"if": ["maybe", 1, 2]})

    def test_two_arguments_remove_the_item_when_false(self) -> None:
        snippet = {
            "keep": {"if": ["yes", "kept"]},
            "drop": {"if": ["no", "dropped"]},
            "list": [1, {"if": ["no", 2]}, 3],
            "null": {"if": ["no", "x", None]},
        }
        assert evaluate(LATEST, sample_context(), snippet) == {"keep": "kept", "list": [1, 3], "null": None}
        parsed = LATEST.parse(sample_context(), {"if": ["no", "x"]}, "p")
        assert resolve_keeping_removed(parsed) is REMOVED
        assert resolve(parsed) is None

    def test_only_the_chosen_branch_counts(self) -> None:
        context = make_context(resources=[FakeResource("a")], conditions={"on": True})
        parsed = LATEST.parse(context, {"if": ["on", {"get_resource": "a"}, {"get_resource": "gone"}]}, "p")
        function.validate(parsed)
        assert list(function.dependencies(parsed)) == ["a"]


class TestConditionFunctions:
    def test_equals(self) -> None:
        assert condition({"equals": [{"get_param": "count"}, 3]}) is True
        assert condition({"equals": [[1], [1, 2]]}) is False
        with pytest.raises(TemplateError, match=r"\[value_1, value_2\]"):
            condition({"equals": [1]})

    def test_not_and_or(self) -> None:
        assert condition({"not": "no"}) is True
        assert condition({"not": {"equals": [1, 1]}}) is False
        assert condition({"and": ["yes", {"equals": [1, 1]}, True]}) is True
        assert condition({"and": ["yes", "no"]}) is False
        assert condition({"or": ["no", "yes"]}) is True
        assert condition({"or": ["no", False]}) is False

    def test_argument_counts(self) -> None:
        with pytest.raises(TemplateError, match='minimum number of condition arguments to "and" is 2'):
            condition({"and": ["yes"]})
        with pytest.raises(TemplateError, match="must be a list of conditions"):
            condition({"or": "yes"})
        with pytest.raises(TemplateError, match="must be a condition"):
            condition({"not": None})

    def test_contains_and_yaql_in_conditions_from_2017_09_01(self) -> None:
        assert condition({"contains": ["small", {"get_param": "flavors"}]}) is True
        assert condition({"yaql": {"expression": "$.data.x > 1", "data": {"x": 2}}}) is True
        # 2017-02-24 has no contains at all: it stays data (the template refuses the definition).
        assert condition({"contains": ["a", ["a"]]}, HOT_VERSIONS["2017-02-24"]) == {"contains": ["a", ["a"]]}
        with pytest.raises(TemplateError, match="invalid in this context"):
            condition({"str_split": [",", "a"]}, HOT_VERSIONS["2017-02-24"])


class TestCfnConditions:
    def test_cfn_condition_functions(self) -> None:
        assert condition({"Fn::Equals": [{"Ref": "name"}, "web"]}, AWS_TEMPLATE_VERSION) is True
        assert condition({"Fn::Not": [{"Condition": "yes"}]}, AWS_TEMPLATE_VERSION) is False
        assert condition({"Fn::And": [{"Condition": "yes"}, "yes"]}, AWS_TEMPLATE_VERSION) is True
        assert condition({"Fn::Or": ["no", {"Fn::Equals": [1, 2]}]}, AWS_TEMPLATE_VERSION) is False

    def test_cfn_not_takes_a_list(self) -> None:
        with pytest.raises(TemplateError, match=r"\[condition\]"):
            condition({"Fn::Not": "yes"}, AWS_TEMPLATE_VERSION)

    def test_ref_in_conditions_reads_parameters_only(self) -> None:
        parsed = AWS_TEMPLATE_VERSION.parse_condition(sample_context(), {"Ref": "server"}, "Conditions.c")
        with pytest.raises(TemplateError, match='"server"'):
            function.validate(parsed)

    def test_fn_if(self) -> None:
        snippet = {"Fn::If": ["yes", {"Ref": "name"}, {"Ref": "AWS::NoValue"}]}
        assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), snippet) == "web"
        snippet = {"a": {"Fn::If": ["no", {"Ref": "name"}, {"Ref": "AWS::NoValue"}]}}
        assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), snippet) == {}


def test_conditions_may_be_evaluated_lazily() -> None:
    class Lazy(dict[str, bool]):
        def __missing__(self, name: str) -> bool:
            if name == "derived":
                return True
            raise KeyError(name)

    context = make_context()
    context.conditions = Lazy()
    assert evaluate(LATEST, context, {"if": ["derived", 1, 2]}) == 1
