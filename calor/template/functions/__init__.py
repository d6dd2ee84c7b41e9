"""Intrinsic functions of every template version, their tables and the snippet parser.

Entry points: :data:`HOT_VERSIONS` / :data:`HOT_VERSION_ALIASES` / :func:`hot_version`
and :data:`CFN_VERSIONS` give a :class:`TemplateVersion` whose ``parse`` and
``parse_condition`` turn raw template data into functions; :func:`parse_snippet` does
the same from a bare table. Resolve properties, metadata and outputs with
:func:`resolve` (it drops items whose value is :data:`REMOVED`); evaluate the
conditions section with :func:`evaluate_conditions`.
"""

from calor.template.functions.catalog import describe_functions, list_template_versions, template_version
from calor.template.functions.cfn_tables import AWS_TEMPLATE_VERSION, CFN_VERSIONS, HEAT_TEMPLATE_VERSION
from calor.template.functions.common import (
    MAX_ITEMS,
    MAX_STRING_LENGTH,
    REMOVED,
    FunctionNotSupported,
    FunctionTable,
    InvalidInConditions,
    RemovedFunction,
    resolve,
)
from calor.template.functions.hot_tables import HOT_VERSION_ALIASES, HOT_VERSIONS, hot_version
from calor.template.functions.parser import Parser, parse_snippet
from calor.template.functions.version import TemplateVersion

__all__ = [
    "AWS_TEMPLATE_VERSION",
    "CFN_VERSIONS",
    "HEAT_TEMPLATE_VERSION",
    "HOT_VERSIONS",
    "HOT_VERSION_ALIASES",
    "MAX_ITEMS",
    "MAX_STRING_LENGTH",
    "REMOVED",
    "FunctionNotSupported",
    "FunctionTable",
    "InvalidInConditions",
    "Parser",
    "RemovedFunction",
    "TemplateVersion",
    "describe_functions",
    "hot_version",
    "list_template_versions",
    "parse_snippet",
    "resolve",
    "template_version",
]
