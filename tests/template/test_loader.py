"""The template loader: YAML and JSON, line numbers, limits and errors."""

from __future__ import annotations

import json

import pytest

from calor.errors import TemplateError, TemplateSyntaxError, TemplateTooLarge, UserError
from calor.template.loader import MAX_DEPTH, Document, load

HOT = """\
heat_template_version: 2013-05-23
description: a test
parameters:
  flavor:
    type: string
resources:
  web:
    type: OS::Nova::Server
    properties:
      flavor: {get_param: flavor}
      networks:
        - network: private
        - network: public
"""


def test_yaml_data_and_lines() -> None:
    document = load(HOT, source="web.yaml")
    assert isinstance(document, Document)
    assert document.source == "web.yaml"
    assert document.data["heat_template_version"] == "2013-05-23"
    assert document.data["resources"]["web"]["properties"]["networks"][1] == {"network": "public"}
    assert document.lines["heat_template_version"] == 1
    assert document.lines["parameters.flavor.type"] == 5
    assert document.lines["resources.web"] == 7
    assert document.lines["resources.web.properties.flavor"] == 10
    assert document.lines["resources.web.properties.flavor.get_param"] == 10
    assert document.lines["resources.web.properties.networks[0]"] == 12
    assert document.lines["resources.web.properties.networks[1].network"] == 13


def test_line_of_falls_back_to_the_nearest_ancestor() -> None:
    document = load(HOT)
    assert document.line_of("resources.web.properties.networks[1]") == 13
    assert document.line_of("resources.web.properties.image") == 9
    assert document.line_of("resources.web.properties.networks[7].port") == 11
    assert document.line_of("nothing.at.all") == 1


def test_dates_and_times_stay_strings() -> None:
    document = load("heat_template_version: 2016-10-14\nwhen: 2001-12-14t21:59:43.10-05:00\n")
    assert document.data == {"heat_template_version": "2016-10-14", "when": "2001-12-14t21:59:43.10-05:00"}


def test_scalars_are_typed_as_yaml_says() -> None:
    document = load("a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 0x10\ng: ~\n")
    assert document.data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "1", "f": 16, "g": None}


def test_json_templates_with_lines() -> None:
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"A": {"Type": "T"}}}, indent=2)
    document = load(text)
    assert document.data["Resources"]["A"]["Type"] == "T"
    assert document.lines["Resources.A.Type"] == 5


def test_json_syntax_error_has_line_and_column() -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        load('{\n  "a": 1,\n  "b": \n}')
    assert caught.value.line == 4
    assert "line 4 column 1" in caught.value.message


def test_yaml_flow_mapping_is_accepted_when_not_json() -> None:
    assert load("{a: 1, b: [x]}").data == {"a": 1, "b": ["x"]}


def test_yaml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        load("a: 1\nb: [1, 2\nc: 3\n", source="bad.yaml")
    assert caught.value.line is not None and caught.value.line >= 2
    assert "line" in caught.value.message and "column" in caught.value.message
    assert caught.value.located().startswith("bad.yaml:")


@pytest.mark.parametrize("text", ["", "   \n", "- a\n- b\n", "just a string", "42", "null", "[1, 2]"])
def test_not_a_mapping(text: str) -> None:
    with pytest.raises(TemplateError, match=r"The template is not a JSON object or YAML mapping\."):
        load(text)


def test_bytes_are_decoded() -> None:
    assert load("a: é\n".encode()).data == {"a": "é"}
    with pytest.raises(TemplateSyntaxError):
        load(b"a: \xff\xfe\n")


def test_too_large() -> None:
    with pytest.raises(TemplateTooLarge) as caught:
        load("a: " + "x" * 100, max_size=50)
    assert "103" in caught.value.message and "50" in caught.value.message


def test_several_documents_are_refused() -> None:
    with pytest.raises(TemplateError, match="single document"):
        load("a: 1\n---\nb: 2\n")


def test_deep_nesting_is_refused_quickly() -> None:
    for text in [
        "a: " + "[" * 200_000,
        "a:\n" + "- " * 5000 + "x\n",
        '{"a": ' + "[" * 20000 + "]" * 20000 + "}",
        '{"a": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}",
    ]:
        with pytest.raises(UserError):
            load(text)
    nested = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    load(nested)


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    with pytest.raises(TemplateError, match="aliases"):
        load("\n".join(lines) + "\n")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(TemplateError, match="contains it"):
        load("a: &a [1, *a]\n")


def test_aliases_and_merge_keys_expand() -> None:
    document = load("base: &base {x: 1, y: 2}\ncopy: *base\nmerged:\n  <<: *base\n  y: 3\n")
    assert document.data["copy"] == {"x": 1, "y": 2}
    assert document.data["copy"] is not document.data["base"]
    assert document.data["merged"] == {"x": 1, "y": 3}


def test_cloudformation_short_tags() -> None:
    document = load(
        "Resources:\n"
        "  A:\n"
        "    Properties:\n"
        "      Name: !Ref Param\n"
        "      Ip: !GetAtt Server.Networks.private\n"
        "      Joined: !Join [',', [a, !Ref B]]\n"
        "      Maybe: !If [Cond, 1, 2]\n"
    )
    properties = document.data["Resources"]["A"]["Properties"]
    assert properties["Name"] == {"Ref": "Param"}
    assert properties["Ip"] == {"Fn::GetAtt": ["Server", "Networks.private"]}
    assert properties["Joined"] == {"Fn::Join": [",", ["a", {"Ref": "B"}]]}
    assert properties["Maybe"] == {"Fn::If": ["Cond", 1, 2]}
    assert document.lines["Resources.A.Properties.Joined.Fn::Join[1]"] == 6


def test_unknown_tags_are_refused() -> None:
    with pytest.raises(TemplateError, match="!Nope"):
        load("a: !Nope x\n")
    with pytest.raises(TemplateError, match="binary"):
        load("a: !!binary aGVsbG8=\n")
    with pytest.raises(TemplateError):
        load("a: !!python/object:os.system x\n")


def test_complex_keys_are_refused() -> None:
    with pytest.raises(UserError):
        load("? [a, b]\n: 1\n")


def test_large_template_has_every_line() -> None:
    parts = ["heat_template_version: 2018-08-31\nresources:\n"]
    for index in range(1000):
        parts.append(
            f"  server_{index}:\n    type: OS::Nova::Server\n    properties:\n"
            f"      flavor: {{get_param: flavor}}\n      networks:\n        - network: net_{index}\n"
        )
    text = "".join(parts)
    document = load(text)
    assert len(document.data["resources"]) == 1000
    assert document.lines["resources.server_999.properties.networks[0].network"] == text.count("\n")
