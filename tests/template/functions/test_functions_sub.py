"""Fn::Sub: both forms, literals, dependencies and references."""

from __future__ import annotations

from typing import Any

import pytest
from function_stubs import FakeResource, make_context

from calor.errors import InvalidTemplateReference, TemplateError
from calor.template import function
from calor.template.functions import AWS_TEMPLATE_VERSION, resolve

CONTEXT = make_context(
    parameters={"Env": "prod", "Zones": ["a", "b"], "Port": 80},
    resources=[
        FakeResource("Server", physical_id="i-123", attributes={"PublicIp": "1.2.3.4"}),
        FakeResource("Bucket", declared=frozenset({"Arn"})),
    ],
)


def parse(snippet: Any) -> Any:
    return AWS_TEMPLATE_VERSION.parse(CONTEXT, snippet, "Outputs.o.Value")


def test_string_form() -> None:
    parsed = parse({"Fn::Sub": "${Env}-${Server}-${Server.PublicIp}:${Port} ${AWS::StackName} ${!Literal}"})
    function.validate(parsed)
    assert resolve(parsed) == "prod-i-123-1.2.3.4:80 teststack ${Literal}"
    assert list(function.dependencies(parsed)) == ["Server", "Server"]
    assert list(function.attribute_dependencies(parsed)) == [("Server", "PublicIp")]


def test_list_form_with_variables() -> None:
    parsed = parse({"Fn::Sub": ["${Name} in ${Env} (${Zones})", {"Name": {"Ref": "Server"}, "Env": "test"}]})
    function.validate(parsed)
    assert resolve(parsed) == "i-123 in test (a,b)"
    assert list(function.dependencies(parsed)) == ["Server"]


def test_unknown_names() -> None:
    with pytest.raises(InvalidTemplateReference, match='"Nope"'):
        function.validate(parse({"Fn::Sub": "${Nope}"}))
    with pytest.raises(TemplateError, match=r"\(Bucket Missing\)"):
        function.validate(parse({"Fn::Sub": "${Bucket.Missing}"}))


def test_shape() -> None:
    for bad in ([1, {}], ["a"], {"a": 1}, ["a", "b"]):
        with pytest.raises(TemplateError):
            parse({"Fn::Sub": bad})
