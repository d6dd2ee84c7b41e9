"""The snippet parser: which mappings become calls, with which paths and arguments."""

from __future__ import annotations

import pytest
from function_stubs import sample_context

from calor.errors import TemplateError
from calor.template.function import Function
from calor.template.functions import (
    AWS_TEMPLATE_VERSION,
    HOT_VERSIONS,
    FunctionNotSupported,
    parse_snippet,
    resolve,
)
from calor.template.functions.references import GetParam

LATEST = HOT_VERSIONS["2021-04-16"]


def test_a_single_key_mapping_naming_a_function_becomes_a_call() -> None:
    parsed = LATEST.parse(sample_context(), {"get_param": "name"}, "resources.r.properties.p")
    assert isinstance(parsed, GetParam)
    assert parsed.path == "resources.r.properties.p"
    assert parsed.name == "get_param"


def test_mappings_with_several_keys_or_unknown_keys_stay_data() -> None:
    snippet = {"get_param": "name", "other": 1}
    parsed = LATEST.parse(sample_context(), snippet, "p")
    assert parsed == snippet
    assert not isinstance(parsed, Function)
    assert LATEST.parse(sample_context(), {"get_params": "x"}, "p") == {"get_params": "x"}


def test_arguments_are_parsed_first_with_their_own_paths() -> None:
    snippet = {"list_join": [",", [{"get_param": "name"}, {"get_param": "missing"}]]}
    parsed = LATEST.parse(sample_context(), snippet, "outputs.o.value")
    inner = parsed.args[1][1]
    assert isinstance(inner, GetParam)
    assert inner.path == "outputs.o.value.list_join[1][1]"


def test_nested_data_is_parsed_everywhere() -> None:
    snippet = {"a": [{"b": {"get_param": "name"}}], "c": "plain"}
    assert resolve(LATEST.parse(sample_context(), snippet, "p")) == {"a": [{"b": "web"}], "c": "plain"}


def test_removed_function_names_the_path_and_version() -> None:
    with pytest.raises(FunctionNotSupported) as caught:
        HOT_VERSIONS["2015-10-15"].parse(sample_context(), {"x": {"Fn::Select": [0, ["a"]]}}, "resources.r")
    assert caught.value.path == "resources.r.x"
    assert "The function Fn::Select is not supported in this version of HOT" in caught.value.message
    assert caught.value.heat_type == "InvalidTemplateVersion"
    assert isinstance(caught.value, TemplateError)


def test_functions_of_other_versions_are_plain_data() -> None:
    # str_split appeared in 2015-10-15: in 2015-04-30 it is an ordinary key.
    assert HOT_VERSIONS["2015-04-30"].parse(sample_context(), {"str_split": [",", "a,b"]}, "p") == {
        "str_split": [",", "a,b"]
    }
    assert AWS_TEMPLATE_VERSION.parse(sample_context(), {"get_param": "x"}, "p") == {"get_param": "x"}


def test_conditions_section_refuses_ordinary_functions() -> None:
    with pytest.raises(TemplateError) as caught:
        LATEST.parse_condition(sample_context(), {"get_attr": ["server", "x"]}, "conditions.c")
    assert 'The function "get_attr" is invalid in this context' in caught.value.message
    assert caught.value.path == "conditions.c"


def test_conditions_section_keeps_removed_markers() -> None:
    with pytest.raises(FunctionNotSupported):
        LATEST.parse_condition(sample_context(), {"Ref": "x"}, "conditions.c")


def test_condition_functions_parse_in_the_conditions_section_only() -> None:
    context = sample_context()
    parsed = LATEST.parse_condition(context, {"equals": [{"get_param": "name"}, "web"]}, "conditions.c")
    assert resolve(parsed) is True
    assert LATEST.parse(context, {"equals": [1, 1]}, "p") == {"equals": [1, 1]}


def test_parse_snippet_with_a_bare_table() -> None:
    parsed = parse_snippet(LATEST.functions, sample_context(), {"get_param": "count"}, "p")
    assert resolve(parsed) == 3


def test_parsing_a_large_template_stays_linear() -> None:
    resources = {
        f"server{index}": {
            "type": "OS::Nova::Server",
            "properties": {
                "name": {"str_replace": {"template": "$n-x", "params": {"$n": {"get_param": "name"}}}},
                "networks": [{"port": {"get_resource": "server"}}],
                "metadata": {"a": [1, 2, {"b": "c"}]},
            },
        }
        for index in range(1000)
    }
    parsed = LATEST.parse(sample_context(), resources, "resources")
    assert isinstance(parsed["server999"]["properties"]["name"], Function)
    assert parsed["server999"]["properties"]["networks"][0]["port"].path == (
        "resources.server999.properties.networks[0].port"
    )
