"""HOT (Heat Orchestration Template), every version from 2013-05-23 to 2021-04-16 (wallaby).

What changes between versions, as in Heat: the function tables (from
:mod:`calor.template.functions.hot_tables`); from 2016-10-14 the ``conditions``
section, the resource keys ``condition`` and ``external_id``, the output key
``condition`` and the lower-case deletion policies (``delete``, ``retain``,
``snapshot``); the parameter schema rules (in :mod:`calor.template.parameters`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from calor.template.base import DELETE, RETAIN, SNAPSHOT, Layout, OutputKeys, ResourceKeys, Template
from calor.template.functions import hot_tables

if TYPE_CHECKING:
    from calor.template.parameters import ParameterSchema

VERSION_KEY = "heat_template_version"

#: The release names Heat accepts for the versions they introduced.
ALIASES: dict[str, str] = dict(hot_tables.HOT_VERSION_ALIASES)

#: Every version date, oldest first.
VERSIONS: tuple[str, ...] = tuple(sorted(hot_tables.HOT_VERSIONS))

CONDITIONS_SINCE = "2016-10-14"

_POLICIES = {DELETE: DELETE, RETAIN: RETAIN, SNAPSHOT: SNAPSHOT}
_LOWER_CASE_POLICIES = {**_POLICIES, "delete": DELETE, "retain": RETAIN, "snapshot": SNAPSHOT}


def canonical_version(value: Any) -> str | None:
    """The version date for ``value`` (a date or a release name), ``None`` if unknown."""
    text = str(value)
    if text in hot_tables.HOT_VERSIONS:
        return text
    return ALIASES.get(text)


def accepted_versions() -> list[str]:
    """What ``heat_template_version`` may say, sorted as Heat lists them."""
    return sorted([*VERSIONS, *ALIASES])


@cache
def _layout(version: str) -> Layout:
    tables = hot_tables.HOT_VERSIONS[version]
    with_conditions = version >= CONDITIONS_SINCE
    return Layout(
        version_key=VERSION_KEY,
        description="description",
        parameters="parameters",
        resources="resources",
        outputs="outputs",
        parameter_groups="parameter_groups",
        mappings=None,
        conditions="conditions" if with_conditions else None,
        resource_keys=ResourceKeys(
            type="type",
            properties="properties",
            metadata="metadata",
            depends_on="depends_on",
            deletion_policy="deletion_policy",
            update_policy="update_policy",
            description="description",
            external_id="external_id" if with_conditions else None,
            condition="condition" if with_conditions else None,
        ),
        output_keys=OutputKeys(
            value="value",
            description="description",
            condition="condition" if with_conditions else None,
            strict=True,
        ),
        deletion_policies=_LOWER_CASE_POLICIES if with_conditions else _POLICIES,
        functions=tables.functions,
        condition_functions=tables.condition_table,
        template_version=tables,
    )


class HOTemplate(Template):
    """A HOT template of any version; ``version`` is the date (aliases resolved)."""

    format_name: ClassVar[str] = "HOT"

    def select_layout(self) -> Layout:
        return _layout(self.version)

    def _parameter_schema(self, name: str, raw: Any, path: str) -> ParameterSchema:
        from calor.template.parameters import ParameterSchema

        return ParameterSchema.from_hot(name, raw, path, self.version)
