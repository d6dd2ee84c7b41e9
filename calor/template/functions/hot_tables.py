"""The function tables of every HOT version, as Heat defines them.

``HOT_VERSIONS`` maps the date (``2018-08-31``) to its :class:`TemplateVersion`;
``HOT_VERSION_ALIASES`` maps the release names (``rocky``) to dates.
"""

from __future__ import annotations

from collections.abc import Mapping

from calor.template.function import Function
from calor.template.functions import conditions, lists, references, strings
from calor.template.functions.common import FunctionTable, RemovedFunction
from calor.template.functions.version import TemplateVersion
from calor.template.functions.yaql_function import Yaql

_CFN_FUNCTIONS_REMOVED_IN_20141016 = (
    "Fn::GetAZs",
    "Fn::Join",
    "Fn::Split",
    "Fn::Replace",
    "Fn::Base64",
    "Fn::MemberListToMap",
    "Fn::ResourceFacade",
    "Ref",
)


def _removed(*names: str) -> dict[str, type[Function]]:
    return dict.fromkeys(names, RemovedFunction)


HOT_20130523: FunctionTable = {
    "Fn::GetAZs": references.GetAZs,
    "get_param": references.GetParam,
    "get_resource": references.GetResource,
    "Ref": references.Ref,
    "get_attr": references.GetAttThenSelect,
    "Fn::Select": strings.Select,
    "Fn::Join": strings.Join,
    "list_join": strings.Join,
    "Fn::Split": strings.CfnSplit,
    "str_replace": strings.Replace,
    "Fn::Replace": strings.CfnReplace,
    "Fn::Base64": strings.Base64,
    "Fn::MemberListToMap": lists.MemberListToMap,
    "resource_facade": references.ResourceFacade,
    "Fn::ResourceFacade": references.CfnResourceFacade,
    "get_file": references.GetFile,
}

HOT_20141016: FunctionTable = {
    "get_attr": references.GetAtt,
    "get_file": references.GetFile,
    "get_param": references.GetParam,
    "get_resource": references.GetResource,
    "list_join": strings.Join,
    "resource_facade": references.ResourceFacade,
    "str_replace": strings.Replace,
    "Fn::Select": strings.Select,
    **_removed(*_CFN_FUNCTIONS_REMOVED_IN_20141016),
}

HOT_20150430: FunctionTable = {
    **HOT_20141016,
    "repeat": lists.Repeat,
    "digest": strings.Digest,
}

HOT_20151015: FunctionTable = {
    **HOT_20150430,
    "get_attr": references.GetAttAllAttributes,
    "list_join": strings.JoinMultiple,
    "str_replace": strings.ReplaceJson,
    "str_split": strings.StrSplit,
    **_removed("Fn::Select"),
}

HOT_20160408: FunctionTable = {
    **HOT_20151015,
    "map_merge": lists.MapMerge,
}

HOT_20161014: FunctionTable = {
    **HOT_20160408,
    "repeat": lists.RepeatWithMap,
    "yaql": Yaql,
    "map_replace": lists.MapReplace,
    "if": conditions.If,
}

HOT_20170224: FunctionTable = {
    **HOT_20161014,
    "filter": lists.Filter,
    "str_replace_strict": strings.ReplaceJsonStrict,
}

HOT_20170901: FunctionTable = {
    **HOT_20170224,
    "repeat": lists.RepeatWithNestedLoop,
    "make_url": strings.MakeURL,
    "list_concat": lists.ListConcat,
    "str_replace_vstrict": strings.ReplaceJsonVeryStrict,
    "list_concat_unique": lists.ListConcatUnique,
    "contains": lists.Contains,
}

HOT_20180302: FunctionTable = dict(HOT_20170901)
HOT_20180831: FunctionTable = dict(HOT_20180302)

HOT_20210416: FunctionTable = {
    **HOT_20180831,
    "if": conditions.IfNullable,
}

CONDITIONS_20161014: FunctionTable = {
    "get_param": references.GetParam,
    "equals": conditions.Equals,
    "not": conditions.Not,
    "and": conditions.And,
    "or": conditions.Or,
}

CONDITIONS_20170901: FunctionTable = {
    **CONDITIONS_20161014,
    "yaql": Yaql,
    "contains": lists.Contains,
}

_SECTIONS = frozenset(
    {"heat_template_version", "description", "parameter_groups", "parameters", "resources", "outputs"}
)
_RESOURCE_KEYS = frozenset(
    {"type", "properties", "metadata", "depends_on", "deletion_policy", "update_policy", "description"}
)
_OUTPUT_KEYS = frozenset({"description", "value"})
_DELETION_POLICIES = frozenset({"Delete", "Retain", "Snapshot"})


def _version(
    date: str,
    functions: FunctionTable,
    condition_functions: FunctionTable | None = None,
    alias: str | None = None,
) -> TemplateVersion:
    with_conditions = condition_functions is not None
    return TemplateVersion(
        key="heat_template_version",
        date=date,
        functions=functions,
        condition_functions=condition_functions or {},
        sections=_SECTIONS | {"conditions"} if with_conditions else _SECTIONS,
        resource_keys=_RESOURCE_KEYS | {"external_id", "condition"} if with_conditions else _RESOURCE_KEYS,
        output_keys=_OUTPUT_KEYS | {"condition"} if with_conditions else _OUTPUT_KEYS,
        deletion_policies=(
            _DELETION_POLICIES | {"delete", "retain", "snapshot"} if with_conditions else _DELETION_POLICIES
        ),
        aliases=(alias,) if alias else (),
    )


HOT_VERSION_ALIASES: Mapping[str, str] = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}

_ALIAS_OF_DATE = {date: alias for alias, date in HOT_VERSION_ALIASES.items()}

HOT_VERSIONS: Mapping[str, TemplateVersion] = {
    date: _version(date, functions, condition_functions, _ALIAS_OF_DATE.get(date))
    for date, functions, condition_functions in (
        ("2013-05-23", HOT_20130523, None),
        ("2014-10-16", HOT_20141016, None),
        ("2015-04-30", HOT_20150430, None),
        ("2015-10-15", HOT_20151015, None),
        ("2016-04-08", HOT_20160408, None),
        ("2016-10-14", HOT_20161014, CONDITIONS_20161014),
        ("2017-02-24", HOT_20170224, CONDITIONS_20161014),
        ("2017-09-01", HOT_20170901, CONDITIONS_20170901),
        ("2018-03-02", HOT_20180302, CONDITIONS_20170901),
        ("2018-08-31", HOT_20180831, CONDITIONS_20170901),
        ("2021-04-16", HOT_20210416, CONDITIONS_20170901),
    )
}


def hot_version(version: object) -> TemplateVersion | None:
    """The HOT version named by a date (``2018-08-31``, or a date YAML parsed) or an alias."""
    text = str(version)
    text = HOT_VERSION_ALIASES.get(text, text)
    return HOT_VERSIONS.get(text)
