"""Raw resource and output snippets to definitions, with Heat's checks and messages.

Used by :class:`calor.template.base.Template`; the key names come from the
template's :class:`~calor.template.base.Layout`, so one reader serves HOT and CFN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.definition.output import OutputDefinition
from calor.definition.resource import ResourceDefinition
from calor.errors import TemplateError
from calor.template import conditions as condition_section
from calor.template import function, paths
from calor.template.functions.common import resolve
from calor.template.functions.parser import Parser

if TYPE_CHECKING:
    from calor.template.base import Template


def _field(
    parse: Any,
    data: Mapping[str, Any],
    key: str | None,
    valid: type | tuple[type, ...],
    type_word: str,
    name: str,
    path: str,
) -> Any:
    """Parse one key of a resource and check the parsed value's type (Heat's wording)."""
    if key is None or key not in data:
        return None
    key_path = paths.join(path, key)
    value = parse(data[key], key_path) if parse is not None else data[key]
    if not isinstance(value, valid):
        raise TemplateError(f"Resource {name} {key} type must be {type_word}", path=key_path)
    return value


def resource_definition(
    template: Template, parser: Parser, name: str, snippet: Any, path: str
) -> ResourceDefinition:
    """The definition of resource ``name`` from its raw ``snippet`` at ``path``."""
    layout = template.layout
    keys = layout.resource_keys
    if "/" in name:
        raise TemplateError('Resource name may not contain "/"', path=path)
    if not isinstance(snippet, Mapping):
        if not snippet:
            raise TemplateError(f"Each resource must contain a {keys.type} key.", path=path)
        raise TemplateError(
            f'"{layout.resources}" must contain a map of resource maps. '
            f"Found a [{type(snippet).__name__}] instead",
            path=path,
        )
    allowed = keys.allowed()
    for key in snippet:
        if key not in allowed:
            raise TemplateError(
                f'"{key}" is not a valid keyword inside a resource definition',
                path=paths.join(path, str(key)),
            )
    if keys.type not in snippet:
        raise TemplateError(f'Resource {name} is missing "{keys.type}"', path=path)

    parse = parser.parse
    object_types = (Mapping, function.Function)
    type_name = _field(None, snippet, keys.type, str, "string", name, path)
    properties = _field(parse, snippet, keys.properties, (*object_types, type(None)), "object", name, path)
    metadata = _field(parse, snippet, keys.metadata, (*object_types, type(None)), "object", name, path)
    update_policy = _field(
        parse, snippet, keys.update_policy, (*object_types, type(None)), "object", name, path
    )
    description = _field(None, snippet, keys.description, (str, type(None)), "string", name, path)
    external_id = _field(parse, snippet, keys.external_id, (str, function.Function), "string", name, path)
    condition = _field(
        parser.parse_condition,
        snippet,
        keys.condition,
        (str, bool, function.Function),
        "string_or_boolean",
        name,
        path,
    )
    return ResourceDefinition(
        name=name,
        type_name=type_name,
        properties=properties if properties is not None else {},
        metadata=metadata if metadata is not None else {},
        depends_on=_depends_on(snippet, keys.depends_on, name, path),
        deletion_policy=_deletion_policy(template, parse, snippet, keys.deletion_policy, name, path),
        update_policy=update_policy if update_policy is not None else {},
        external_id=external_id,
        condition=condition,
        description=description,
        path=path,
    )


def _depends_on(snippet: Mapping[str, Any], key: str, name: str, path: str) -> tuple[str, ...]:
    depends = _field(None, snippet, key, (str, Sequence, type(None)), "list or string", name, path)
    if depends is None:
        return ()
    if isinstance(depends, str):
        return (depends,)
    for item in depends:
        if not isinstance(item, str):
            raise TemplateError(
                f"Resource {name} {key} must be a list of strings", path=paths.join(path, key)
            )
    return tuple(dict.fromkeys(depends))


def _deletion_policy(
    template: Template, parse: Any, snippet: Mapping[str, Any], key: str, name: str, path: str
) -> str:
    policy = _field(parse, snippet, key, (str, function.Function), "string", name, path)
    if policy is None:
        return "Delete"
    value = resolve(policy)
    policies = template.layout.deletion_policies
    if not isinstance(value, str) or value not in policies:
        raise TemplateError(f'Invalid deletion policy "{value}"', path=paths.join(path, key))
    return policies[value]


def output_definition(
    template: Template,
    parser: Parser,
    name: str,
    snippet: Any,
    path: str,
    conditions: Mapping[str, bool],
) -> OutputDefinition:
    """The definition of output ``name``; a false condition gives a disabled output."""
    keys = template.layout.output_keys
    if not isinstance(snippet, Mapping):
        raise TemplateError(
            f"Output definitions must be a map. Found a {type(snippet).__name__} instead", path=path
        )
    if keys.strict:
        allowed = {keys.value, keys.description, keys.condition} - {None}
        for key in snippet:
            if key not in allowed:
                raise TemplateError(
                    f'"{key}" is not a valid keyword inside an output definition',
                    path=paths.join(path, str(key)),
                )
    if keys.value not in snippet:
        raise TemplateError(f"Each output definition must contain a {keys.value} key.", path=path)
    description = snippet.get(keys.description)
    description = None if description is None else str(description)
    condition = None
    enabled = True
    if keys.condition is not None and keys.condition in snippet:
        condition_path = paths.join(path, keys.condition)
        condition = parser.parse_condition(snippet[keys.condition], condition_path)
        enabled = condition_section.is_enabled(condition, conditions, condition_path)
    value = parser.parse(snippet[keys.value], paths.join(path, keys.value)) if enabled else None
    return OutputDefinition(
        name=name, value=value, description=description, condition=condition, enabled=enabled, path=path
    )
