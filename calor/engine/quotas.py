"""Heat's quotas, read from heat.conf and checked where Heat checks them.

- ``max_stacks_per_tenant`` (100): live stacks of one project; administrators are exempt.
- ``max_resources_per_stack`` (1000): resources of a stack counted across the nested
  templates it carries in ``files`` (provider templates, ``OS::Heat::Stack`` templates,
  group members); the engine counts the real tree again when it creates nested stacks.
- ``max_template_size`` (524288 bytes): the template text (or its JSON).
- ``max_events_per_stack`` (1000, 0: unlimited) with ``event_purge_batch_size`` (200):
  once a stack holds that many events, its oldest batch is purged (the repository does it
  as it writes events; :func:`calor.config.configure_repository` sets the limits).
- ``max_software_configs_per_tenant`` (4096): software configs of one project; administrators
  are exempt.

Every refusal is a :class:`calor.errors.LimitExceeded` (400 ``RequestLimitExceeded``)
or :class:`calor.errors.TemplateTooLarge`, worded as Heat words it. A limit of -1 (0 for
events) turns the check off. :mod:`calor.engine.admission` applies them for both APIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calor.errors import LimitExceeded, TemplateTooLarge

if TYPE_CHECKING:
    from calor.engine.service import RequestContext

MAX_NESTING = 5
GROUP_TYPES = ("OS::Heat::ResourceGroup",)
NESTED_STACK_TYPES = ("OS::Heat::Stack", "AWS::CloudFormation::Stack")


@dataclass(frozen=True)
class Quotas:
    """The limits in force (Heat's defaults)."""

    max_stacks_per_tenant: int = 100
    max_resources_per_stack: int = 1000
    max_template_size: int = 524288
    max_events_per_stack: int = 1000
    event_purge_batch_size: int = 200
    max_software_configs_per_tenant: int = 4096

    @classmethod
    def from_config(cls, conf: Any) -> Quotas:
        """The quotas of a parsed heat.conf (options missing from it keep Heat's defaults)."""
        values = {}
        for name in cls.__dataclass_fields__:
            value = getattr(conf, name, None)
            if isinstance(value, int):
                values[name] = value
        return cls(**values)


# --- templates ------------------------------------------------------------------------------


def template_size(template: Mapping[str, Any] | str) -> int:
    if isinstance(template, str):
        return len(template.encode("utf-8"))
    return len(json.dumps(template))


def check_template_size(template: Mapping[str, Any] | str, quotas: Quotas) -> None:
    size = template_size(template)
    if quotas.max_template_size >= 0 and size > quotas.max_template_size:
        raise TemplateTooLarge(
            f"Template size ({size} bytes) exceeds maximum allowed size ({quotas.max_template_size} bytes)."
        )


def _data(template: Any, parsed: dict[str, Mapping[str, Any] | None]) -> Mapping[str, Any] | None:
    """The template as a mapping; a text is parsed once per walk (``parsed`` keeps it)."""
    if isinstance(template, Mapping):
        return template
    if isinstance(template, str):
        if template not in parsed:
            parsed[template] = _parse(template)
        return parsed[template]
    return None


def _parse(text: str) -> Mapping[str, Any] | None:
    from calor.template import loader

    try:
        data = loader.load(text).data
    except Exception:  # the service reports template errors with their location
        return None
    return data if isinstance(data, Mapping) else None


def _resources(data: Mapping[str, Any]) -> Mapping[str, Any]:
    section = data.get("resources", data.get("Resources"))
    return section if isinstance(section, Mapping) else {}


def _field(resource: Mapping[str, Any], name: str) -> Any:
    return resource.get(name, resource.get(name.capitalize()))


def _nested_template(type_name: str, properties: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    """The nested template a resource carries, when ``files`` (or the resource) holds it."""
    if type_name in files:
        return files[type_name]
    if type_name in NESTED_STACK_TYPES:
        template = properties.get("template", properties.get("TemplateURL"))
        if isinstance(template, Mapping) and set(template) == {"get_file"}:
            return files.get(str(template["get_file"]))
        if isinstance(template, str) and template in files:
            return files[template]
        return template
    return None


def _literal_count(properties: Mapping[str, Any]) -> int:
    count = properties.get("count", 1)
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 1


def _walk(
    template: Any, files: Mapping[str, Any], depth: int, parsed: dict[str, Mapping[str, Any] | None]
) -> Iterator[tuple[str, int]]:
    """``(resource type, how many)`` for every resource of ``template`` and its nested templates."""
    if depth > MAX_NESTING:
        return
    data = _data(template, parsed)
    if data is None:
        return
    for resource in _resources(data).values():
        if not isinstance(resource, Mapping):
            continue
        type_name = _field(resource, "type")
        if not isinstance(type_name, str):
            continue
        properties = _field(resource, "properties")
        properties = properties if isinstance(properties, Mapping) else {}
        yield type_name, 1
        if type_name in GROUP_TYPES:
            member = properties.get("resource_def")
            if isinstance(member, Mapping):
                copies = _literal_count(properties)
                members = {"resources": {"member": member}}
                for nested_type, how_many in _walk(members, files, depth + 1, parsed):
                    yield nested_type, how_many * copies
            continue
        nested = _nested_template(type_name, properties, files)
        if nested is not None:
            yield from _walk(nested, files, depth + 1, parsed)


def resource_counts(
    template: Mapping[str, Any] | str, files: Mapping[str, Any] | None = None
) -> dict[str, int]:
    """How many resources of each type ``template`` and its nested templates in ``files`` hold
    (one walk, each template text parsed once)."""
    counts: dict[str, int] = {}
    for type_name, how_many in _walk(template, files or {}, 0, {}):
        counts[type_name] = counts.get(type_name, 0) + how_many
    return counts


def count_resources(template: Mapping[str, Any] | str, files: Mapping[str, Any] | None = None) -> int:
    """Resources of ``template`` and of the nested templates found in ``files``."""
    return sum(resource_counts(template, files).values())


def resource_types(template: Mapping[str, Any] | str, files: Mapping[str, Any] | None = None) -> set[str]:
    """Every resource type ``template`` and its nested templates in ``files`` use."""
    return set(resource_counts(template, files))


def check_resource_count(
    template: Mapping[str, Any] | str, files: Mapping[str, Any] | None, quotas: Quotas
) -> None:
    check_resource_total(count_resources(template, files), quotas)


def check_resource_total(count: int, quotas: Quotas) -> None:
    """``count`` resources (:func:`count_resources`) against ``max_resources_per_stack``."""
    limit = quotas.max_resources_per_stack
    if limit >= 0 and count > limit:
        raise LimitExceeded(
            f"You have reached the maximum resources per stack, {limit}. Please delete some resources."
        )


# --- per project ----------------------------------------------------------------------------


def check_stack_count(existing: int, context: RequestContext, quotas: Quotas) -> None:
    """Before a create: ``existing`` live stacks of the caller's project (admins are exempt)."""
    limit = quotas.max_stacks_per_tenant
    if not context.is_admin and limit >= 0 and existing >= limit:
        raise LimitExceeded(
            f"You have reached the maximum stacks per tenant, {limit}. Please delete some stacks."
        )


def check_software_config_count(existing: int, context: RequestContext, quotas: Quotas) -> None:
    """Before a software config is created (admins are exempt, as in Heat)."""
    limit = quotas.max_software_configs_per_tenant
    if not context.is_admin and limit >= 0 and existing >= limit:
        raise LimitExceeded(
            f"You have reached the maximum software configs per tenant, {limit}. Please delete some configs."
        )
