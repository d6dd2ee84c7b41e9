"""The function tables of the CloudFormation-style formats.

``AWSTemplateFormatVersion: 2010-09-09`` (Heat's functions, conditions, and beyond Heat
``Fn::Sub``, ``Fn::Length``, ``Fn::ToJsonString`` and ``Condition``) and
``HeatTemplateFormatVersion: 2012-12-12`` (Heat's, without conditions).
"""

from __future__ import annotations

from collections.abc import Mapping

from calor.template.functions import conditions, lists, references, strings
from calor.template.functions.common import FunctionTable
from calor.template.functions.sub import Sub
from calor.template.functions.version import TemplateVersion

HEAT_20121212: FunctionTable = {
    "Fn::FindInMap": references.FindInMap,
    "Fn::GetAZs": references.GetAZs,
    "Ref": references.Ref,
    "Fn::GetAtt": references.CfnGetAtt,
    "Fn::Select": strings.Select,
    "Fn::Join": strings.Join,
    "Fn::Split": strings.CfnSplit,
    "Fn::Replace": strings.CfnReplace,
    "Fn::Base64": strings.Base64,
    "Fn::MemberListToMap": lists.MemberListToMap,
    "Fn::ResourceFacade": references.CfnResourceFacade,
}

AWS_20100909: FunctionTable = {
    **HEAT_20121212,
    "Fn::If": conditions.If,
    "Fn::Sub": Sub,
    "Fn::Length": lists.Length,
    "Fn::ToJsonString": strings.ToJsonString,
}

AWS_CONDITIONS_20100909: FunctionTable = {
    "Fn::Equals": conditions.Equals,
    "Ref": references.ParameterRef,
    "Fn::FindInMap": references.FindInMap,
    "Fn::Not": conditions.CfnNot,
    "Fn::And": conditions.And,
    "Fn::Or": conditions.Or,
    "Condition": conditions.Condition,
}

_SECTIONS = frozenset({"Description", "Mappings", "Parameters", "Resources", "Outputs"})
_RESOURCE_KEYS = frozenset(
    {"Type", "Properties", "Metadata", "DependsOn", "DeletionPolicy", "UpdatePolicy", "Description"}
)
_OUTPUT_KEYS = frozenset({"Description", "Value"})
_DELETION_POLICIES = frozenset({"Delete", "Retain", "Snapshot"})

AWS_TEMPLATE_VERSION = TemplateVersion(
    key="AWSTemplateFormatVersion",
    date="2010-09-09",
    functions=AWS_20100909,
    condition_functions=AWS_CONDITIONS_20100909,
    sections=_SECTIONS | {"AWSTemplateFormatVersion", "Conditions"},
    resource_keys=_RESOURCE_KEYS | {"Condition"},
    output_keys=_OUTPUT_KEYS | {"Condition"},
    deletion_policies=_DELETION_POLICIES,
)

HEAT_TEMPLATE_VERSION = TemplateVersion(
    key="HeatTemplateFormatVersion",
    date="2012-12-12",
    functions=HEAT_20121212,
    condition_functions={},
    sections=_SECTIONS | {"HeatTemplateFormatVersion"},
    resource_keys=_RESOURCE_KEYS,
    output_keys=_OUTPUT_KEYS,
    deletion_policies=_DELETION_POLICIES,
)

CFN_VERSIONS: Mapping[str, TemplateVersion] = {
    AWS_TEMPLATE_VERSION.name: AWS_TEMPLATE_VERSION,
    HEAT_TEMPLATE_VERSION.name: HEAT_TEMPLATE_VERSION,
}
