"""Templates: text or data to a parsed :class:`~calor.template.base.Template`.

:func:`parse_template` loads YAML or JSON text (or takes an already loaded mapping),
finds the version key (``heat_template_version``, ``AWSTemplateFormatVersion``,
``HeatTemplateFormatVersion``) and returns the template class for that version.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from calor.errors import InvalidTemplateVersion

if TYPE_CHECKING:
    from calor.template.base import Document, Template
    from calor.template.environment import Environment

__all__ = ["DEFAULT_MAX_SIZE", "parse_template", "template_version"]

DEFAULT_MAX_SIZE = 524288

_HOT_KEY = "heat_template_version"
_AWS_KEY = "AWSTemplateFormatVersion"
_HEAT_CFN_KEY = "HeatTemplateFormatVersion"
_VERSION_KEYS = (_HOT_KEY, _AWS_KEY, _HEAT_CFN_KEY)


def _version_text(value: Any) -> Any:
    # A mapping loaded by a plain YAML loader has dates where Calor's loader keeps strings.
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def template_version(data: Mapping[str, Any]) -> tuple[str, str]:
    """``(version key, version)`` of a loaded template, or InvalidTemplateVersion as Heat words it."""
    present = [key for key in _VERSION_KEYS if key in data]
    if not present:
        raise InvalidTemplateVersion("Template format version not found.")
    if len(present) > 1:
        raise InvalidTemplateVersion(
            "The template version is invalid: Ambiguous versions (" + ", ".join(present) + ")",
            path=present[1],
        )
    key = present[0]
    return key, _version_text(data[key])


def _accepted(key: str) -> list[str]:
    if key == _HOT_KEY:
        from calor.template import hot

        return hot.accepted_versions()
    from calor.template import cfn

    return list(cfn.VERSIONS[key])


def _unknown_version(key: str, value: Any) -> InvalidTemplateVersion:
    accepted = _accepted(key)
    where = "should be one of" if len(accepted) > 1 else "should be"
    return InvalidTemplateVersion(
        f'The template version is invalid: "{key}: {value}". "{key}" {where}: ' + ", ".join(accepted),
        path=key,
    )


def parse_template(
    source: str | bytes | Mapping[str, Any],
    *,
    files: Mapping[str, str] | None = None,
    environment: Environment | None = None,
    source_name: str = "<template>",
    max_size: int = DEFAULT_MAX_SIZE,
) -> Template:
    """Load ``source`` (YAML/JSON text or a mapping) and build the Template of its version."""
    from calor.template.loader import load

    document: Document | Mapping[str, Any]
    located_source: str | None = None
    if isinstance(source, Mapping):
        document = source
        data: Mapping[str, Any] = source
    else:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        loaded = load(text, source=source_name, max_size=max_size)
        document, data, located_source = loaded, loaded.data, source_name
    try:
        key, version = template_version(data)
    except InvalidTemplateVersion as error:
        if located_source is not None and not isinstance(document, Mapping):
            error.source = located_source
            error.line = document.line_of(error.path or "")
        raise
    return _build(document, key, version, files, environment, located_source)


def _build(
    document: Document | Mapping[str, Any],
    key: str,
    version: Any,
    files: Mapping[str, str] | None,
    environment: Environment | None,
    source: str | None,
) -> Template:
    error: InvalidTemplateVersion | None = None
    if key == _HOT_KEY:
        from calor.template import hot

        canonical = hot.canonical_version(version) if isinstance(version, str) else None
        if canonical is not None:
            return hot.HOTemplate(
                document, version=canonical, files=files, environment=environment, source=source
            )
        error = _unknown_version(key, version)
    else:
        from calor.template import cfn

        if isinstance(version, str) and version in cfn.VERSIONS[key]:
            return cfn.CfnTemplate(
                document,
                version=version,
                version_key=key,
                files=files,
                environment=environment,
                source=source,
            )
        error = _unknown_version(key, version)
    if source is not None and not isinstance(document, Mapping):
        error.source = source
        error.line = document.line_of(key)
    raise error
