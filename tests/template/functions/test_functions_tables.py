"""Which functions each template version has, as Heat defines them."""

from __future__ import annotations

import pytest

from calor.template.functions import (
    AWS_TEMPLATE_VERSION,
    CFN_VERSIONS,
    HEAT_TEMPLATE_VERSION,
    HOT_VERSION_ALIASES,
    HOT_VERSIONS,
    RemovedFunction,
    conditions,
    hot_version,
    lists,
    references,
    strings,
)
from calor.template.functions.common import is_marker

DATES = [
    "2013-05-23",
    "2014-10-16",
    "2015-04-30",
    "2015-10-15",
    "2016-04-08",
    "2016-10-14",
    "2017-02-24",
    "2017-09-01",
    "2018-03-02",
    "2018-08-31",
    "2021-04-16",
]

#: Function → the first version that has it (every later version keeps it).
ADDED = {
    "get_param": "2013-05-23",
    "get_resource": "2013-05-23",
    "get_attr": "2013-05-23",
    "get_file": "2013-05-23",
    "list_join": "2013-05-23",
    "str_replace": "2013-05-23",
    "resource_facade": "2013-05-23",
    "digest": "2015-04-30",
    "repeat": "2015-04-30",
    "str_split": "2015-10-15",
    "map_merge": "2016-04-08",
    "yaql": "2016-10-14",
    "map_replace": "2016-10-14",
    "if": "2016-10-14",
    "filter": "2017-02-24",
    "str_replace_strict": "2017-02-24",
    "make_url": "2017-09-01",
    "list_concat": "2017-09-01",
    "list_concat_unique": "2017-09-01",
    "str_replace_vstrict": "2017-09-01",
    "contains": "2017-09-01",
}


def usable(date: str) -> set[str]:
    return {name for name, function in HOT_VERSIONS[date].functions.items() if not is_marker(function)}


def test_every_hot_version_is_known() -> None:
    assert list(HOT_VERSIONS) == DATES


@pytest.mark.parametrize("date", DATES)
def test_hot_native_functions_by_version(date: str) -> None:
    expected = {name for name, since in ADDED.items() if since <= date}
    native = {name for name in usable(date) if not name.startswith("Fn::") and name != "Ref"}
    assert native == expected


def test_cfn_functions_in_early_hot_versions() -> None:
    assert {name for name in usable("2013-05-23") if name.startswith("Fn::") or name == "Ref"} == {
        "Fn::GetAZs",
        "Ref",
        "Fn::Select",
        "Fn::Join",
        "Fn::Split",
        "Fn::Replace",
        "Fn::Base64",
        "Fn::MemberListToMap",
        "Fn::ResourceFacade",
    }
    for date in ("2014-10-16", "2015-04-30"):
        assert {name for name in usable(date) if name.startswith("Fn::")} == {"Fn::Select"}
        assert HOT_VERSIONS[date].functions["Ref"] is RemovedFunction
    for date in DATES[3:]:
        assert not {name for name in usable(date) if name.startswith("Fn::")}
        assert HOT_VERSIONS[date].functions["Fn::Select"] is RemovedFunction


def test_function_generations() -> None:
    get_attr = [HOT_VERSIONS[date].functions["get_attr"] for date in DATES]
    assert get_attr[0] is references.GetAttThenSelect
    assert get_attr[1] is get_attr[2] is references.GetAtt
    assert all(function is references.GetAttAllAttributes for function in get_attr[3:])
    assert HOT_VERSIONS["2015-04-30"].functions["list_join"] is strings.Join
    assert HOT_VERSIONS["2015-10-15"].functions["list_join"] is strings.JoinMultiple
    assert HOT_VERSIONS["2015-04-30"].functions["str_replace"] is strings.Replace
    assert HOT_VERSIONS["2015-10-15"].functions["str_replace"] is strings.ReplaceJson
    assert HOT_VERSIONS["2016-04-08"].functions["repeat"] is lists.Repeat
    assert HOT_VERSIONS["2016-10-14"].functions["repeat"] is lists.RepeatWithMap
    assert HOT_VERSIONS["2017-09-01"].functions["repeat"] is lists.RepeatWithNestedLoop
    assert HOT_VERSIONS["2018-08-31"].functions["if"] is conditions.If
    assert HOT_VERSIONS["2021-04-16"].functions["if"] is conditions.IfNullable


def test_condition_tables() -> None:
    for date in DATES[:5]:
        assert not HOT_VERSIONS[date].condition_functions
        assert "conditions" not in HOT_VERSIONS[date].sections
    base = {"get_param", "equals", "not", "and", "or"}
    assert set(HOT_VERSIONS["2016-10-14"].condition_functions) == base
    assert set(HOT_VERSIONS["2017-02-24"].condition_functions) == base
    for date in DATES[7:]:
        assert set(HOT_VERSIONS[date].condition_functions) == base | {"yaql", "contains"}
        assert "conditions" in HOT_VERSIONS[date].sections
        assert {"external_id", "condition"} <= HOT_VERSIONS[date].resource_keys


def test_aliases() -> None:
    assert HOT_VERSION_ALIASES == {
        "newton": "2016-10-14",
        "ocata": "2017-02-24",
        "pike": "2017-09-01",
        "queens": "2018-03-02",
        "rocky": "2018-08-31",
        "wallaby": "2021-04-16",
    }
    assert hot_version("rocky") is HOT_VERSIONS["2018-08-31"]
    assert hot_version("2013-05-23") is HOT_VERSIONS["2013-05-23"]
    assert hot_version("2099-01-01") is None
    assert HOT_VERSIONS["2017-09-01"].aliases == ("pike",)
    assert HOT_VERSIONS["2017-09-01"].name == "heat_template_version.2017-09-01"


def test_cfn_tables() -> None:
    heat = set(HEAT_TEMPLATE_VERSION.functions)
    assert heat == {
        "Fn::FindInMap",
        "Fn::GetAZs",
        "Ref",
        "Fn::GetAtt",
        "Fn::Select",
        "Fn::Join",
        "Fn::Split",
        "Fn::Replace",
        "Fn::Base64",
        "Fn::MemberListToMap",
        "Fn::ResourceFacade",
    }
    assert set(AWS_TEMPLATE_VERSION.functions) == heat | {
        "Fn::If",
        "Fn::Sub",
        "Fn::Length",
        "Fn::ToJsonString",
    }
    assert set(AWS_TEMPLATE_VERSION.condition_functions) == {
        "Fn::Equals",
        "Ref",
        "Fn::FindInMap",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Condition",
    }
    assert not HEAT_TEMPLATE_VERSION.condition_functions
    assert set(CFN_VERSIONS) == {
        "AWSTemplateFormatVersion.2010-09-09",
        "HeatTemplateFormatVersion.2012-12-12",
    }


def test_describe_functions() -> None:
    described = HOT_VERSIONS["2016-10-14"].describe_functions()
    names = [item["functions"] for item in described]
    assert names == sorted(names)
    assert "Ref" not in names and "Fn::Select" not in names
    assert {
        "functions": "get_param",
        "description": "A function for resolving parameter references.",
    } in described
    assert all(item["description"] for item in described)
    with_conditions = HOT_VERSIONS["2016-10-14"].describe_functions(with_condition_functions=True)
    assert "equals" in [item["functions"] for item in with_conditions]


def test_catalog_by_full_name() -> None:
    from calor.template.functions import describe_functions, list_template_versions, template_version

    assert template_version("heat_template_version.newton") is HOT_VERSIONS["2016-10-14"]
    assert template_version("heat_template_version.2013-05-23") is HOT_VERSIONS["2013-05-23"]
    assert template_version("AWSTemplateFormatVersion.2010-09-09") is AWS_TEMPLATE_VERSION
    assert template_version("heat_template_version.1999-01-01") is None
    listed = list_template_versions()
    assert {
        "version": "heat_template_version.2021-04-16",
        "type": "hot",
        "aliases": ["heat_template_version.wallaby"],
    } in listed
    assert {"version": "HeatTemplateFormatVersion.2012-12-12", "type": "cfn", "aliases": []} in listed
    assert len(listed) == 13
    described = describe_functions("AWSTemplateFormatVersion.2010-09-09")
    assert described is not None
    assert "Fn::Sub" in [item["functions"] for item in described]
    assert describe_functions("nope.1") is None
