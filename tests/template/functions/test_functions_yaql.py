"""The yaql function: results, errors and the limits that keep hostile expressions short."""

from __future__ import annotations

from typing import Any

import pytest
from function_stubs import evaluate, sample_context

from calor.errors import TemplateError
from calor.template import function
from calor.template.functions import HOT_VERSIONS

LATEST = HOT_VERSIONS["2021-04-16"]


def yaql(expression: Any, data: Any = None) -> Any:
    arguments: dict[str, Any] = {"expression": expression}
    if data is not None:
        arguments["data"] = data
    return evaluate(LATEST, sample_context(), {"yaql": arguments})


def test_expressions_over_data() -> None:
    assert yaql("$.data.values.sum()", {"values": [3, 2, 1]}) == 6
    assert yaql("$.data.names.select($ + '-x')", {"names": ["a", "b"]}) == ["a-x", "b-x"]
    assert yaql("dict(a => 1)") == {"a": 1}
    assert yaql("set(1, 2).len()") == 2


def test_data_may_come_from_functions() -> None:
    assert yaql("$.data.f.len()", {"f": {"get_param": "flavors"}}) == 2


def test_syntax() -> None:
    with pytest.raises(TemplateError, match="must be a map"):
        LATEST.parse(sample_context(), {"yaql": "1 + 1"}, "p")
    with pytest.raises(TemplateError, match="syntax should be"):
        LATEST.parse(sample_context(), {"yaql": {"expression": "1", "extra": 1}}, "p")
    with pytest.raises(TemplateError, match="must contain a string"):
        yaql(42)


def test_bad_expression_is_refused_at_validate() -> None:
    parsed = LATEST.parse(sample_context(), {"yaql": {"expression": "$.data.("}}, "resources.r.properties.p")
    with pytest.raises(TemplateError, match="Bad expression") as caught:
        function.validate(parsed)
    assert caught.value.path == "resources.r.properties.p"


@pytest.mark.parametrize(
    "expression",
    [
        "range(100000000).sum()",
        "'a' * 100000000",
        "[1, 2] * 100000",
        "range(1000).select('x' * 1000)",
        "1 / 0",
        "$.data.missing.nothing()",
        "'x' * 100000000000",
    ],
)
def test_limits_and_runtime_errors_end_in_template_errors(expression: str) -> None:
    with pytest.raises(TemplateError):
        yaql(expression)


def test_long_expressions_are_refused() -> None:
    with pytest.raises(TemplateError, match="longer than"):
        yaql("1" + " + 1" * 5000)


def test_regular_expressions_are_left_out() -> None:
    with pytest.raises(TemplateError):
        yaql("regex('(a+)+b').matches($.data.s)", {"s": "a" * 40})
