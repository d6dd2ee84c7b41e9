"""get_param, get_resource, get_attr, get_file, resource_facade, Ref, Fn::GetAtt, Fn::FindInMap, ..."""

from __future__ import annotations

from typing import Any

import pytest
from function_stubs import FakeResource, evaluate, make_context, sample_context

from calor.errors import InvalidTemplateReference, TemplateError, UserError
from calor.template import function
from calor.template.context import ParentResource
from calor.template.functions import (
    AWS_TEMPLATE_VERSION,
    HEAT_TEMPLATE_VERSION,
    HOT_VERSIONS,
    resolve,
)

LATEST = HOT_VERSIONS["2021-04-16"]
OLDEST = HOT_VERSIONS["2013-05-23"]


def hot(snippet: Any, version: str = "2021-04-16") -> Any:
    return evaluate(HOT_VERSIONS[version], sample_context(), snippet)


class TestGetParam:
    def test_plain_and_nested_paths(self) -> None:
        assert hot({"get_param": "name"}) == "web"
        assert hot({"get_param": ["flavors", 1]}) == "large"
        assert hot({"get_param": ["flavors", "0"]}) == "small"
        assert hot({"get_param": ["config", "a", "b", 1]}) == 2

    def test_a_path_that_leads_nowhere_gives_an_empty_string(self) -> None:
        assert hot({"get_param": ["config", "missing"]}) == ""
        assert hot({"get_param": ["flavors", 7]}) == ""
        assert hot({"get_param": ["name", "x"]}) == ""

    def test_unknown_parameter_is_refused_at_validate_naming_it(self) -> None:
        parsed = LATEST.parse(sample_context(), {"get_param": "nope"}, "resources.r.properties.p")
        with pytest.raises(InvalidTemplateReference) as caught:
            function.validate(parsed)
        assert '"nope"' in caught.value.message
        assert caught.value.path == "resources.r.properties.p"

    def test_argument_checks(self) -> None:
        for bad in ([], {"a": 1}, [1]):
            with pytest.raises(TemplateError):
                evaluate(LATEST, sample_context(), {"get_param": bad}, validate=False)
        with pytest.raises(TemplateError, match="must be a string that can be parsed into an integer"):
            hot({"get_param": ["flavors", "first"]})

    def test_pseudo_parameters(self) -> None:
        assert hot({"get_param": "OS::stack_name"}) == "teststack"
        assert hot({"get_param": "OS::stack_id"}) == "5b9b3f2a"


class TestGetResource:
    def test_reference_and_dependency(self) -> None:
        parsed = LATEST.parse(sample_context(), {"get_resource": "server"}, "p")
        assert resolve(parsed) == "uuid-1"
        assert list(function.dependencies(parsed)) == ["server"]
        assert hot({"get_resource": "volume"}) == "volume"

    def test_unknown_resource(self) -> None:
        with pytest.raises(InvalidTemplateReference, match='"nope"'):
            hot({"get_resource": "nope"})

    def test_argument_must_be_a_string(self) -> None:
        with pytest.raises(TemplateError):
            hot({"get_resource": ["server"]})


class TestGetAttr:
    def test_attribute_and_path(self) -> None:
        assert hot({"get_attr": ["server", "first_address"]}) == "10.0.0.1"
        assert hot({"get_attr": ["server", "networks", "private", 0]}) == "10.0.0.1"
        assert hot({"get_attr": ["server", "networks", "private", 0]}, "2013-05-23") == "10.0.0.1"

    def test_dependencies(self) -> None:
        parsed = LATEST.parse(sample_context(), {"get_attr": ["server", "networks", "private"]}, "p")
        assert list(function.dependencies(parsed)) == ["server"]
        assert list(function.attribute_dependencies(parsed)) == [("server", "networks")]

    def test_all_attributes_form_from_2015_10_15(self) -> None:
        parsed = LATEST.parse(sample_context(), {"get_attr": ["server"]}, "p")
        assert resolve(parsed)["first_address"] == "10.0.0.1"
        assert list(function.attribute_dependencies(parsed)) == [("server", None)]
        with pytest.raises(TemplateError, match="must be of the form"):
            hot({"get_attr": ["server"]}, "2015-04-30")
        with pytest.raises(TemplateError, match="can be of the next forms"):
            hot({"get_attr": []})

    def test_undeclared_attribute_is_refused_at_validate(self) -> None:
        with pytest.raises(TemplateError, match=r"The Referenced Attribute \(volume nope\) is incorrect"):
            hot({"get_attr": ["volume", "nope"]})
        assert hot({"get_attr": ["volume", "size"]}) is None  # declared, not yet known

    def test_unknown_resource(self) -> None:
        with pytest.raises(InvalidTemplateReference):
            hot({"get_attr": ["nope", "x"]})

    def test_argument_must_be_a_list(self) -> None:
        with pytest.raises(TemplateError, match="must be a list"):
            LATEST.parse(sample_context(), {"get_attr": "server.first_address"}, "p")


class TestGetFile:
    def test_content_from_files(self) -> None:
        assert hot({"get_file": "script.sh"}) == "#!/bin/sh\necho hi\n"

    def test_missing_file_is_named(self) -> None:
        with pytest.raises(TemplateError, match=r"files.*get_file path: other\.sh"):
            hot({"get_file": "other.sh"})


class TestResourceFacade:
    def test_reads_the_parent_resource(self) -> None:
        parent = ParentResource(metadata={"k": "v"}, deletion_policy="Retain", update_policy={"u": 1})
        context = make_context(parent=parent)
        assert evaluate(LATEST, context, {"resource_facade": "metadata"}) == {"k": "v"}
        assert evaluate(LATEST, context, {"resource_facade": "deletion_policy"}) == "Retain"
        assert evaluate(OLDEST, context, {"Fn::ResourceFacade": "UpdatePolicy"}) == {"u": 1}

    def test_bad_argument(self) -> None:
        with pytest.raises(TemplateError, match="should be one of: metadata, deletion_policy, update_policy"):
            hot({"resource_facade": "Metadata"})

    def test_top_level_stack_has_no_parent(self) -> None:
        with pytest.raises(UserError):
            hot({"resource_facade": "metadata"})


class TestRef:
    def test_parameter_then_resource(self) -> None:
        context = sample_context()
        assert evaluate(AWS_TEMPLATE_VERSION, context, {"Ref": "name"}) == "web"
        assert evaluate(AWS_TEMPLATE_VERSION, context, {"Ref": "server"}) == "uuid-1"
        assert evaluate(AWS_TEMPLATE_VERSION, context, {"Ref": "AWS::StackName"}) == "teststack"
        assert evaluate(OLDEST, context, {"Ref": "server"}) == "uuid-1"

    def test_dependencies_only_on_resources(self) -> None:
        parsed = AWS_TEMPLATE_VERSION.parse(sample_context(), [{"Ref": "name"}, {"Ref": "server"}], "p")
        assert list(function.dependencies(parsed)) == ["server"]

    def test_no_value_removes_the_item(self) -> None:
        snippet = {"a": {"Ref": "AWS::NoValue"}, "b": [1, {"Ref": "AWS::NoValue"}, 2]}
        assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), snippet) == {"b": [1, 2]}

    def test_unknown_name(self) -> None:
        with pytest.raises(InvalidTemplateReference, match='"nope"'):
            evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Ref": "nope"})


class TestCfnGetAtt:
    def test_list_and_dotted_forms(self) -> None:
        context = sample_context()
        assert (
            evaluate(AWS_TEMPLATE_VERSION, context, {"Fn::GetAtt": ["server", "first_address"]}) == "10.0.0.1"
        )
        assert evaluate(HEAT_TEMPLATE_VERSION, context, {"Fn::GetAtt": "server.first_address"}) == "10.0.0.1"

    def test_bad_arguments(self) -> None:
        with pytest.raises(TemplateError, match=r"\[resource_name, attribute\]"):
            evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Fn::GetAtt": ["server", "a", "b"]})


class TestFindInMap:
    MAPPINGS = {"Regions": {"RegionOne": {"image": "cirros"}}}

    def test_lookup(self) -> None:
        parsed = AWS_TEMPLATE_VERSION.parser(sample_context(), mappings=self.MAPPINGS).parse(
            {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "image"]}, "p"
        )
        assert resolve(parsed) == "cirros"

    def test_missing_key(self) -> None:
        parsed = AWS_TEMPLATE_VERSION.parser(sample_context(), mappings=self.MAPPINGS).parse(
            {"Fn::FindInMap": ["Regions", "RegionTwo", "image"]}, "p"
        )
        with pytest.raises(TemplateError, match="RegionTwo"):
            resolve(parsed)

    def test_shape(self) -> None:
        with pytest.raises(TemplateError, match="map_name, top_level_key, second_level_key"):
            AWS_TEMPLATE_VERSION.parse(sample_context(), {"Fn::FindInMap": ["a", "b"]}, "p")


def test_get_azs() -> None:
    assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Fn::GetAZs": ""}) == ["az1", "az2"]
    assert evaluate(AWS_TEMPLATE_VERSION, sample_context(), {"Fn::GetAZs": {"Ref": "AWS::Region"}}) == [
        "az1",
        "az2",
    ]


def test_resources_without_physical_ids_refer_by_name() -> None:
    context = make_context(resources=[FakeResource("late")])
    assert evaluate(LATEST, context, {"get_resource": "late"}) == "late"
