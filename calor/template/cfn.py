"""AWS CloudFormation templates: ``AWSTemplateFormatVersion: 2010-09-09`` and Heat's older
``HeatTemplateFormatVersion: 2012-12-12``.

As in Heat, only the AWS version has ``Conditions`` (and the ``Condition`` key of
resources and outputs); both have ``Mappings``, read by ``Fn::FindInMap``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from calor.template.base import (
    DELETE,
    RETAIN,
    SNAPSHOT,
    Document,
    Layout,
    OutputKeys,
    ResourceKeys,
    Template,
)
from calor.template.functions import cfn_tables
from calor.template.functions.version import TemplateVersion

if TYPE_CHECKING:
    from calor.template.environment import Environment
    from calor.template.parameters import ParameterSchema

AWS_VERSION_KEY = "AWSTemplateFormatVersion"
HEAT_VERSION_KEY = "HeatTemplateFormatVersion"

#: Version key → the versions it accepts.
VERSIONS: dict[str, tuple[str, ...]] = {
    AWS_VERSION_KEY: ("2010-09-09",),
    HEAT_VERSION_KEY: ("2012-12-12",),
}

_POLICIES = {DELETE: DELETE, RETAIN: RETAIN, SNAPSHOT: SNAPSHOT}


def _tables(version_key: str) -> TemplateVersion:
    return cfn_tables.CFN_VERSIONS[f"{version_key}.{VERSIONS[version_key][0]}"]


@cache
def _layout(version_key: str) -> Layout:
    tables = _tables(version_key)
    with_conditions = version_key == AWS_VERSION_KEY
    return Layout(
        version_key=version_key,
        description="Description",
        parameters="Parameters",
        resources="Resources",
        outputs="Outputs",
        parameter_groups=None,
        mappings="Mappings",
        conditions="Conditions" if with_conditions else None,
        resource_keys=ResourceKeys(
            type="Type",
            properties="Properties",
            metadata="Metadata",
            depends_on="DependsOn",
            deletion_policy="DeletionPolicy",
            update_policy="UpdatePolicy",
            description="Description",
            external_id=None,
            condition="Condition" if with_conditions else None,
        ),
        output_keys=OutputKeys(
            value="Value",
            description="Description",
            condition="Condition" if with_conditions else None,
            strict=False,
        ),
        deletion_policies=_POLICIES,
        functions=tables.functions,
        condition_functions=tables.condition_table,
        template_version=tables,
    )


class CfnTemplate(Template):
    """A CloudFormation-format template; ``version`` is ``<version key>: <date>``'s date."""

    format_name: ClassVar[str] = "CFN"

    def __init__(
        self,
        data: Document | Mapping[str, Any],
        *,
        version: str,
        version_key: str = AWS_VERSION_KEY,
        files: Mapping[str, str] | None = None,
        environment: Environment | None = None,
        source: str | None = None,
    ) -> None:
        self._version_key = version_key
        super().__init__(data, version=version, files=files, environment=environment, source=source)

    def select_layout(self) -> Layout:
        return _layout(self._version_key)

    def _parameter_schema(self, name: str, raw: Any, path: str) -> ParameterSchema:
        from calor.template.parameters import ParameterSchema

        return ParameterSchema.from_cfn(name, raw, path)
