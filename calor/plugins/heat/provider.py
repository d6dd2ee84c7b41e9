"""Provider templates: a resource type that is a template (Heat's ``TemplateResource``).

A type mapped in ``resource_registry`` to a template file, or a type named like a
template file (``server.yaml``), is a nested stack whose template is that file from
the stack's ``files`` map. The template's parameters are the type's properties (and
its property schema: unknown properties are refused, parameters without a default
are required), its outputs are the type's attributes, and an ``OS::stack_id`` output
becomes the resource's reference id.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.errors import ResourceTypeNotFound, UserError
from calor.plugins.base import ResourcePlugin, select_from_attribute
from calor.plugins.heat.nested_resource import NestedStackResource
from calor.schema.properties import AttributeSchema, PropertySchema

STACK_ID_OUTPUT = "OS::stack_id"
_PROPERTY_TYPES = {
    "string": "string",
    "number": "number",
    "comma_delimited_list": "list",
    "json": "map",
    "boolean": "boolean",
}


class TemplateResource(NestedStackResource):
    """A resource whose implementation is a provider template."""

    template_name: ClassVar[str] = ""
    template_text: ClassVar[str] = ""
    output_names: ClassVar[tuple[str, ...]] = ()
    registered_type: ClassVar[str | None] = None

    def child_template(self) -> Mapping[str, Any] | str:
        return self.template_text

    def child_parameters(self) -> Mapping[str, Any]:
        return {key: value for key, value in self.properties.items() if value is not None}

    def removing_type(self) -> str | None:
        return self.registered_type

    @classmethod
    def has_attribute(cls, name: str) -> bool:
        return super().has_attribute(name) or name.startswith("resource.")

    def get_attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        if name.startswith("resource."):
            child = self.child()
            if child is None:
                return None
            member, _, attribute = name[len("resource.") :].partition(".")
            if not attribute:
                return select_from_attribute(
                    self.nested_stacks().references(child.id, [member])[member], path
                )
            return self.nested_stacks().attributes(child.id, [member], attribute, path)[member]
        return super().get_attribute(name, path)

    def resolve_attribute(self, name: str) -> Any:
        return self.child_outputs().get(name)

    def reference_id(self) -> str:
        if self.resource_id is None:
            return self.name
        if STACK_ID_OUTPUT in self.output_names:
            value = self.child_outputs().get(STACK_ID_OUTPUT)
            if value is not None:
                return str(value)
        return str(self.resource_id)


def _property_schema(parameter: Any, parameter_defaults: Mapping[str, Any]) -> PropertySchema:
    type_name = _PROPERTY_TYPES.get(str(parameter.type), "any")
    required = parameter.default is None and parameter.name not in parameter_defaults
    return PropertySchema(
        type_name,
        parameter.description,
        default=None,
        required=required,
        update_allowed=True,
        allow_conversion=True,
    )


def provider_plugin(
    type_name: str,
    template_name: str,
    files: Mapping[str, Any],
    *,
    registered: bool,
    parameter_defaults: Mapping[str, Any] | None = None,
) -> type[ResourcePlugin]:
    """The plugin class of provider template ``template_name`` used as type ``type_name``."""
    text = files.get(template_name)
    if text is None:
        raise ResourceTypeNotFound(
            f'Could not fetch remote template "{template_name}": it is not in the files map.'
        )
    defaults = tuple(sorted((parameter_defaults or {}).keys()))
    return _provider_class(type_name, template_name, str(text), registered, defaults)


@functools.lru_cache(maxsize=256)
def _provider_class(
    type_name: str, template_name: str, text: str, registered: bool, parameter_defaults: tuple[str, ...]
) -> type[ResourcePlugin]:
    from calor.template import parse_template

    try:
        parsed = parse_template(text, source_name=template_name)
        parameters = parsed.parameter_schemas()
    except UserError as error:
        raise ResourceTypeNotFound(f"The provider template {template_name} is invalid: {error}") from error
    defaults = dict.fromkeys(parameter_defaults)
    properties = {name: _property_schema(schema, defaults) for name, schema in parameters.items()}
    data = parsed.data
    outputs = data.get("outputs") or data.get("Outputs") or {}
    output_names = tuple(str(name) for name in outputs) if isinstance(outputs, Mapping) else ()
    attributes = {name: AttributeSchema(f"Output {name} of {template_name}.") for name in output_names}
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return type(
        f"TemplateResource_{digest}",
        (TemplateResource,),
        {
            "type_name": type_name,
            "template_name": template_name,
            "template_text": text,
            "output_names": output_names,
            "registered_type": type_name if registered else None,
            "properties_schema": properties,
            "attributes_schema": attributes,
            "description": f"Provider template {template_name}.",
        },
    )
