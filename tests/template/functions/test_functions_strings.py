"""list_join, str_replace (and strict forms), str_split, digest, make_url, CFN string functions."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from function_stubs import evaluate, sample_context

from calor.errors import TemplateError
from calor.template.functions import AWS_TEMPLATE_VERSION, HOT_VERSIONS, MAX_STRING_LENGTH


def hot(snippet: Any, version: str = "2021-04-16") -> Any:
    return evaluate(HOT_VERSIONS[version], sample_context(), snippet)


def cfn(snippet: Any) -> Any:
    return evaluate(AWS_TEMPLATE_VERSION, sample_context(), snippet)


class TestListJoin:
    def test_one_list(self) -> None:
        assert hot({"list_join": [", ", ["a", "b", None]]}, "2013-05-23") == "a, b, "

    def test_several_lists_from_2015_10_15(self) -> None:
        assert hot({"list_join": ["-", ["a"], [], ["b", "c"], None]}) == "a-b-c"
        with pytest.raises(TemplateError, match="Incorrect arguments"):
            hot({"list_join": ["-", ["a"], ["b"]]}, "2015-04-30")

    def test_non_strings_are_json(self) -> None:
        assert hot({"list_join": [",", [{"b": 1, "a": [2]}, [1, "x"]]]}) == '{"a": [2], "b": 1},[1, "x"]'
        with pytest.raises(TemplateError, match="Items to join must be string, map or list"):
            hot({"list_join": [",", [1]]})
        with pytest.raises(TemplateError, match="Items to join must be strings"):
            hot({"list_join": [",", [{"a": 1}]]}, "2015-04-30")

    def test_argument_checks(self) -> None:
        for bad in ("a", [","], {"a": 1}):
            with pytest.raises(TemplateError, match="Incorrect arguments"):
                hot({"list_join": bad})
        with pytest.raises(TemplateError, match="delimiter must be a string"):
            hot({"list_join": [1, ["a"]]})
        with pytest.raises(TemplateError, match="must operate on a list"):
            hot({"list_join": [",", "abc"]})

    def test_huge_results_are_refused(self) -> None:
        big = "x" * (MAX_STRING_LENGTH // 4)
        with pytest.raises(TemplateError, match="longer than"):
            hot({"list_join": [big, ["a"] * 8]})


class TestStrReplace:
    def test_replaces_params(self) -> None:
        snippet = {"str_replace": {"template": "http://$host:$port/", "params": {"$host": "h", "$port": 80}}}
        assert hot(snippet) == "http://h:80/"

    def test_longest_keys_first_and_no_rescan(self) -> None:
        snippet = {"str_replace": {"template": "abcd", "params": {"bcd": "1", "ab": "2"}}}
        assert hot(snippet) == "a1"
        snippet = {"str_replace": {"template": "ab", "params": {"a": "b", "b": "c"}}}
        assert hot(snippet) == "bc"

    def test_value_conversion(self) -> None:
        params = {"%n%": None, "%b%": True, "%f%": 1.5, "%l%": [1, "a"], "%m%": {"z": 1, "a": 2}}
        snippet = {"str_replace": {"template": "%n%|%b%|%f%|%l%|%m%", "params": params}}
        assert hot(snippet) == '|True|1.5|[1, "a"]|{"a": 2, "z": 1}'
        with pytest.raises(TemplateError, match="params must be strings or numbers"):
            hot({"str_replace": {"template": "%l%", "params": {"%l%": [1]}}}, "2015-04-30")

    def test_syntax(self) -> None:
        with pytest.raises(TemplateError, match='"str_replace" syntax should be'):
            hot({"str_replace": {"template": "x"}})
        with pytest.raises(TemplateError, match="must be a map"):
            hot({"str_replace": ["x"]})
        with pytest.raises(TemplateError, match="template must be a string"):
            hot({"str_replace": {"template": 1, "params": {}}})

    def test_strict_needs_every_param(self) -> None:
        snippet = {"str_replace_strict": {"template": "a $x", "params": {"$x": "1", "$y": "2", "$zz": "3"}}}
        with pytest.raises(
            TemplateError, match=r"The following params were not found in the template: \$zz,\$y"
        ):
            hot(snippet)
        assert hot({"str_replace_strict": {"template": "a $x", "params": {"$x": ""}}}) == "a "

    def test_very_strict_refuses_empty_values(self) -> None:
        for empty in ("", None, [], {}):
            snippet = {"str_replace_vstrict": {"template": "a $x", "params": {"$x": empty}}}
            with pytest.raises(TemplateError, match="has an undefined or empty value for param"):
                hot(snippet)

    def test_exponential_growth_is_refused(self) -> None:
        snippet: Any = "xxxxxxxxxxxxxxxx"
        for _ in range(8):
            snippet = {"str_replace": {"template": "$a$a$a$a$a$a$a$a$a$a", "params": {"$a": snippet}}}
        with pytest.raises(TemplateError, match="longer than"):
            hot(snippet)


class TestStrSplit:
    def test_split_and_index(self) -> None:
        assert hot({"str_split": [",", "a,b,c"]}) == ["a", "b", "c"]
        assert hot({"str_split": [",", "a,b,c", 1]}) == "b"
        assert hot({"str_split": [",", "a,b,c", "2"]}) == "c"
        assert hot({"str_split": [",", None]}) is None

    def test_errors(self) -> None:
        with pytest.raises(TemplateError, match="should be between 0 and 2"):
            hot({"str_split": [",", "a,b,c", 5]})
        with pytest.raises(TemplateError, match="Incorrect index"):
            hot({"str_split": [",", "a,b,c", "x"]})
        with pytest.raises(TemplateError, match="Incorrect arguments"):
            hot({"str_split": "a,b"})


class TestDigest:
    @pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "SHA256"])
    def test_algorithms(self, algorithm: str) -> None:
        expected = hashlib.new(algorithm.lower(), b"value").hexdigest()
        assert hot({"digest": [algorithm, "value"]}) == expected

    def test_errors(self) -> None:
        with pytest.raises(TemplateError, match="Algorithm must be one of"):
            hot({"digest": ["rot13", "value"]})
        with pytest.raises(TemplateError, match="must be a list of strings"):
            hot({"digest": ["md5", 1]})
        with pytest.raises(TemplateError, match="usage"):
            hot({"digest": ["md5"]})


class TestMakeUrl:
    def test_full_url(self) -> None:
        snippet = {
            "make_url": {
                "scheme": "https",
                "username": "u s",
                "password": "p@",
                "host": "example.com",
                "port": 8080,
                "path": "/a b",
                "query": {"q": "x/y", "n": "1"},
                "fragment": "top",
            }
        }
        assert hot(snippet) == "https://u%20s:p%40@example.com:8080/a%20b?q=x/y&n=1#top"

    def test_ipv6_host(self) -> None:
        assert hot({"make_url": {"scheme": "http", "host": "::1", "port": "80"}}) == "http://[::1]:80"

    def test_errors(self) -> None:
        with pytest.raises(TemplateError, match="Invalid URL port"):
            hot({"make_url": {"host": "h", "port": 70000}})
        with pytest.raises(TemplateError, match="Invalid arguments"):
            hot({"make_url": {"host": "h", "colour": "red"}})
        with pytest.raises(TemplateError, match='"query" argument'):
            hot({"make_url": {"host": "h", "query": "a=b"}})


class TestCfnStrings:
    def test_join(self) -> None:
        assert cfn({"Fn::Join": [",", ["a", {"Ref": "name"}]]}) == "a,web"
        with pytest.raises(TemplateError, match="Items to join must be strings"):
            cfn({"Fn::Join": [",", [1]]})

    def test_split(self) -> None:
        assert cfn({"Fn::Split": [",", "a,b"]}) == ["a", "b"]
        with pytest.raises(TemplateError, match="Incorrect arguments"):
            cfn({"Fn::Split": ","})

    def test_replace(self) -> None:
        assert cfn({"Fn::Replace": [{"$a": "1", "%b%": 2}, "$a and %b%"]}) == "1 and 2"

    def test_base64_is_a_no_op_as_in_heat(self) -> None:
        assert cfn({"Fn::Base64": "text"}) == "text"

    def test_select(self) -> None:
        assert cfn({"Fn::Select": ["1", ["a", "b"]]}) == "b"
        assert cfn({"Fn::Select": [5, ["a", "b"]]}) == ""
        assert cfn({"Fn::Select": ["k", {"k": "v"}]}) == "v"
        assert cfn({"Fn::Select": [0, '["json"]']}) == "json"
        assert cfn({"Fn::Select": [0, ""]}) == ""
        with pytest.raises(TemplateError, match="must be an integer"):
            cfn({"Fn::Select": ["x", ["a"]]})

    def test_to_json_string(self) -> None:
        assert cfn({"Fn::ToJsonString": {"a": [1, True]}}) == '{"a":[1,true]}'
