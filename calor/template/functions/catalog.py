"""Every template version by name, as the template-versions API lists them.

Names are ``<version key>.<date or alias>``: ``heat_template_version.2016-10-14``,
``heat_template_version.newton``, ``AWSTemplateFormatVersion.2010-09-09``.
"""

from __future__ import annotations

from typing import Any

from calor.template.functions.cfn_tables import CFN_VERSIONS
from calor.template.functions.hot_tables import HOT_VERSION_ALIASES, HOT_VERSIONS
from calor.template.functions.version import TemplateVersion

_HOT_KEY = "heat_template_version"


def template_version(name: str) -> TemplateVersion | None:
    """The version a full name gives (dates and release-name aliases), ``None`` if unknown."""
    key, _, date = name.partition(".")
    if key == _HOT_KEY:
        return HOT_VERSIONS.get(HOT_VERSION_ALIASES.get(date, date))
    return CFN_VERSIONS.get(name)


def list_template_versions() -> list[dict[str, Any]]:
    """``[{"version": ..., "type": "hot" | "cfn", "aliases": [...]}]``, sorted by name."""
    versions: list[dict[str, Any]] = [
        {
            "version": version.name,
            "type": "hot",
            "aliases": [f"{_HOT_KEY}.{alias}" for alias in version.aliases],
        }
        for version in HOT_VERSIONS.values()
    ]
    versions.extend(
        {"version": version.name, "type": "cfn", "aliases": []} for version in CFN_VERSIONS.values()
    )
    return sorted(versions, key=lambda item: item["version"])


def describe_functions(name: str, *, with_condition_functions: bool = False) -> list[dict[str, str]] | None:
    """The functions of version ``name`` with one-line descriptions (``None`` if unknown)."""
    version = template_version(name)
    if version is None:
        return None
    return version.describe_functions(with_condition_functions=with_condition_functions)
