"""repeat, map_merge, map_replace, filter, list_concat(_unique), contains, Fn::MemberListToMap, Fn::Length."""

from __future__ import annotations

from typing import Any

import pytest
from function_stubs import evaluate, sample_context

from calor.errors import TemplateError
from calor.template.functions import AWS_TEMPLATE_VERSION, HOT_VERSIONS


def hot(snippet: Any, version: str = "2021-04-16") -> Any:
    return evaluate(HOT_VERSIONS[version], sample_context(), snippet)


class TestRepeat:
    def test_one_list(self) -> None:
        snippet = {"repeat": {"for_each": {"%p%": [80, 443]}, "template": {"port": "%p%", "name": "p-%p%"}}}
        assert hot(snippet) == [{"port": 80, "name": "p-80"}, {"port": 443, "name": "p-443"}]

    def test_several_lists_give_every_combination(self) -> None:
        snippet = {"repeat": {"for_each": {"<a>": ["x", "y"], "<b>": ["1", "2"]}, "template": "<a><b>"}}
        assert hot(snippet) == ["x1", "x2", "y1", "y2"]

    def test_permutations_false_pairs_items(self) -> None:
        snippet = {
            "repeat": {
                "for_each": {"<a>": ["x", "y"], "<b>": ["1", "2"]},
                "template": "<a><b>",
                "permutations": False,
            }
        }
        assert hot(snippet) == ["x1", "y2"]
        snippet["repeat"]["for_each"]["<b>"] = ["1"]
        with pytest.raises(TemplateError, match="length of for_each values should be equal"):
            hot(snippet)

    def test_permutations_only_from_2017_09_01(self) -> None:
        snippet = {"repeat": {"for_each": {"<a>": ["x", "y"]}, "template": "<a>", "permutations": "no"}}
        with pytest.raises(TemplateError, match="should be boolean"):
            hot(snippet)
        assert hot(snippet, "2017-02-24") == ["x", "y"]

    def test_maps_from_2016_10_14(self) -> None:
        snippet = {"repeat": {"for_each": {"<k>": {"a": 1, "b": 2}}, "template": "<k>"}}
        assert hot(snippet) == ["a", "b"]
        with pytest.raises(TemplateError, match="must be lists"):
            hot(snippet, "2016-04-08")

    def test_values_from_functions_and_none(self) -> None:
        snippet = {"repeat": {"for_each": {"<f>": {"get_param": "flavors"}}, "template": "f-<f>"}}
        assert hot(snippet) == ["f-small", "f-large"]
        assert hot({"repeat": {"for_each": {"<f>": None}, "template": "<f>"}}) == []

    def test_syntax(self) -> None:
        with pytest.raises(TemplateError, match='"repeat" syntax should be'):
            hot({"repeat": {"template": "x"}})
        with pytest.raises(TemplateError, match="must contain a map"):
            hot({"repeat": {"template": "x", "for_each": ["a"]}})
        with pytest.raises(TemplateError, match="must be lists"):
            hot({"repeat": {"template": "x", "for_each": {"a": "abc"}}})

    def test_huge_expansion_is_refused_quickly(self) -> None:
        lists = {f"<{index}>": list(range(10)) for index in range(6)}
        with pytest.raises(TemplateError, match="more than 10000 items"):
            hot({"repeat": {"for_each": lists, "template": "x"}})


class TestMaps:
    def test_map_merge(self) -> None:
        assert hot({"map_merge": [{"a": 1, "b": 2}, None, {"a": 3}]}) == {"a": 3, "b": 2}
        with pytest.raises(TemplateError, match="Items to merge must be maps"):
            hot({"map_merge": [{"a": 1}, ["b"]]})
        with pytest.raises(TemplateError, match="Incorrect arguments"):
            hot({"map_merge": {"a": 1}})

    def test_map_replace(self) -> None:
        snippet = {"map_replace": [{"k1": "v1", "k2": "v2"}, {"keys": {"k1": "K1"}, "values": {"v2": "V2"}}]}
        assert hot(snippet) == {"K1": "v1", "k2": "V2"}

    def test_map_replace_collisions(self) -> None:
        with pytest.raises(TemplateError, match="collides with a key in the input map"):
            hot({"map_replace": [{"a": 1, "b": 2}, {"keys": {"a": "b"}}]})
        with pytest.raises(TemplateError, match="collides with a key in the output map"):
            hot({"map_replace": [{"a": 1, "b": 2}, {"keys": {"a": "c", "b": "c"}}]})
        with pytest.raises(TemplateError, match="Incorrect arguments"):
            hot({"map_replace": [{"a": 1}, {"other": {}}]})

    def test_map_replace_unhashable_values_stay(self) -> None:
        assert hot({"map_replace": [{"a": [1]}, {"values": {"x": "y"}}]}) == {"a": [1]}


class TestLists:
    def test_filter(self) -> None:
        assert hot({"filter": [[None, "b"], ["a", None, "b", "c"]]}) == ["a", "c"]
        assert hot({"filter": [None, ["a"]]}) == ["a"]
        with pytest.raises(TemplateError, match="expected 2 arguments"):
            hot({"filter": [["a"]]})

    def test_list_concat(self) -> None:
        assert hot({"list_concat": [["a", "b"], None, ["b", {"c": 1}]]}) == ["a", "b", "b", {"c": 1}]
        with pytest.raises(TemplateError, match="Items to concat must be lists"):
            hot({"list_concat": [["a"], "b"]})

    def test_list_concat_unique(self) -> None:
        assert hot({"list_concat_unique": [["a", "b"], ["a", "c"]]}) == ["b", "a", "c"]
        assert hot({"list_concat_unique": [[{"k": 1}], [{"k": 1}, 2]]}) == [{"k": 1}, 2]

    def test_contains(self) -> None:
        assert hot({"contains": ["small", {"get_param": "flavors"}]}) is True
        assert hot({"contains": ["tiny", ["small"]]}) is False
        with pytest.raises(TemplateError, match="should be a sequence"):
            hot({"contains": ["a", {"a": 1}]})
        with pytest.raises(TemplateError, match="must be of the form"):
            hot({"contains": ["a"]})


def test_member_list_to_map() -> None:
    snippet = {
        "Fn::MemberListToMap": [
            "Name",
            "Value",
            [".member.0.Name=key", ".member.0.Value=door", ".member.1.Name=colour", ".member.1.Value=green"],
        ]
    }
    assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), snippet) == {"key": "door", "colour": "green"}


def test_length() -> None:
    assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Fn::Length": [1, 2, 3]}) == 3
    with pytest.raises(TemplateError):
        evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Fn::Length": "abc"})
