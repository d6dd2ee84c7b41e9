"""Resource property schemas and the validation that turns template values into plugin input.

A plugin declares ``properties_schema: Mapping[str, PropertySchema]``. The engine resolves
the template's property snippet and hands it to :func:`validate_properties`, which applies
Heat's rules: values are coerced to the declared type (``"3"`` → ``3``, ``"true"`` → ``True``,
``3`` → ``"3"``), ``None`` counts as not given, defaults are filled in, required properties
and unknown keys are reported, constraints are checked, and nested map / list schemas are
validated recursively. Every error is a :class:`calor.errors.PropertyError` whose ``path``
names the offending value (``resources.server.properties.networks[0].port``).

:func:`schema_to_api` renders schemas the way Heat's resource-types API shows them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from calor.errors import PropertyError, UserError
from calor.template import paths

STRING: Final = "string"
INTEGER: Final = "integer"
NUMBER: Final = "number"
BOOLEAN: Final = "boolean"
LIST: Final = "list"
MAP: Final = "map"
JSON: Final = "json"
ANY: Final = "any"

TYPES: Final = (STRING, INTEGER, NUMBER, BOOLEAN, LIST, MAP, JSON, ANY)

# Support statuses, as Heat names them.
UNKNOWN: Final = "UNKNOWN"
SUPPORTED: Final = "SUPPORTED"
DEPRECATED: Final = "DEPRECATED"
UNSUPPORTED: Final = "UNSUPPORTED"
HIDDEN: Final = "HIDDEN"

SUPPORT_STATUSES: Final = (UNKNOWN, SUPPORTED, DEPRECATED, UNSUPPORTED, HIDDEN)


class Constraint(Protocol):
    """What a property schema needs of a constraint (see :mod:`calor.schema.constraints`)."""

    def validate(self, value: Any, context: object | None = None) -> None: ...

    def to_schema_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SupportStatus:
    """How supported a resource type, property or attribute is (Heat's ``support.SupportStatus``).

    ``HIDDEN`` items still work in templates but are left out of the resource-types API.
    """

    status: str = SUPPORTED
    version: str | None = None
    message: str | None = None
    previous_status: SupportStatus | None = None

    def __post_init__(self) -> None:
        if self.status not in SUPPORT_STATUSES:
            raise ValueError(f"Unknown support status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        """The rendering of Heat's API: ``{"status", "version", "message", "previous_status"}``."""
        return {
            "status": self.status,
            "version": self.version,
            "message": self.message,
            "previous_status": self.previous_status.to_dict() if self.previous_status else None,
        }


SUPPORTED_STATUS: Final = SupportStatus()


@dataclass(frozen=True)
class PropertySchema:
    """The schema of one resource property.

    ``schema`` describes what is inside a ``map`` (a mapping of key → schema) or a ``list``
    (the schema of every item, or a mapping of key → schema as a shorthand for a list of
    maps with that schema). ``allow_conversion`` lets a string stand for a list
    (comma-delimited) and a list or map for a string (joined / JSON), as Heat does for the
    properties of provider templates.
    """

    type: str
    description: str | None = None
    default: Any = None
    required: bool = False
    constraints: tuple[Constraint, ...] = ()
    update_allowed: bool = False
    immutable: bool = False
    schema: Mapping[str, PropertySchema] | PropertySchema | None = None
    support_status: SupportStatus = field(default=SUPPORTED_STATUS)
    label: str | None = None
    allow_conversion: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"Unknown property type {self.type!r}")
        if self.schema is not None:
            if self.type not in (LIST, MAP):
                raise ValueError(f"A nested schema is only allowed for list and map, not {self.type}")
            if self.type == MAP and not isinstance(self.schema, Mapping):
                raise ValueError("The nested schema of a map must be a mapping of key to schema")
        if not isinstance(self.constraints, tuple):
            object.__setattr__(self, "constraints", tuple(self.constraints))

    def item_schema(self) -> PropertySchema | None:
        """The schema of each item of a list (the list-of-maps shorthand expanded)."""
        if self.type != LIST or self.schema is None:
            return None
        if isinstance(self.schema, PropertySchema):
            return self.schema
        return PropertySchema(MAP, schema=self.schema)

    def member_schemas(self) -> Mapping[str, PropertySchema] | None:
        """The schemas of the keys of a map (``None``: any keys)."""
        if self.type == MAP and isinstance(self.schema, Mapping):
            return self.schema
        return None


@dataclass(frozen=True)
class AttributeSchema:
    """The schema of one resource attribute: a description and, optionally, a type."""

    description: str | None = None
    type: str | None = None
    support_status: SupportStatus = field(default=SUPPORTED_STATUS)

    def to_api(self) -> dict[str, Any]:
        """Heat's resource-types rendering: ``{"description", "type"}`` (type only when known)."""
        rendered: dict[str, Any] = {"description": self.description}
        if self.type is not None:
            rendered["type"] = self.type
        return rendered


class _CoercionError(Exception):
    """A value of the wrong type; the message is Heat's wording."""


def _to_string(value: Any, schema: PropertySchema) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    if schema.allow_conversion:
        if isinstance(value, list):
            return ",".join(str(item) for item in value)
        if isinstance(value, Mapping):
            return json.dumps(value)
    raise _CoercionError(f"Value must be a string; got {value!r}")


def _to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _CoercionError(f"Value '{value}' is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise _CoercionError(f"Value '{value}' is not an integer")
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
        try:
            number = float(value)
        except ValueError:
            raise _CoercionError(f"Value '{value}' is not an integer") from None
        if math.isfinite(number) and number.is_integer():
            return int(number)
    raise _CoercionError(f"Value '{value}' is not an integer")


def _to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise _CoercionError(f"Value '{value}' is not a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
        try:
            number = float(value)
        except ValueError:
            raise _CoercionError(f"Value '{value}' is not a number") from None
        if math.isfinite(number):
            return number
    raise _CoercionError(f"Value '{value}' is not a number")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        normalised = value.strip().lower()
        if normalised in ("true", "false"):
            return normalised == "true"
        raise _CoercionError(f'"{value}" is not a valid boolean')
    raise _CoercionError(f'"{value}" is not a valid boolean')


def _to_list(value: Any, schema: PropertySchema) -> list[Any]:
    if isinstance(value, str) and schema.allow_conversion:
        return [item.strip() for item in value.split(",")] if value else []
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    raise _CoercionError(f'"{value!r}" is not a list')


def _to_map(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise _CoercionError(f'"{value}" is not a map')


def _to_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise _CoercionError(f"Value must be valid JSON: {error}") from None
    if isinstance(value, Mapping | list | tuple):
        return dict(value) if isinstance(value, Mapping) else list(value)
    raise _CoercionError(f'"{value}" is not a map or a list')


def _empty_value(property_type: str) -> Any:
    """What Heat gives a property set to ``None`` that has no default."""
    return {STRING: "", INTEGER: 0, NUMBER: 0, BOOLEAN: False, LIST: [], MAP: {}, JSON: {}}.get(property_type)


def coerce_value(schema: PropertySchema, value: Any, *, path: str, context: object | None = None) -> Any:
    """``value`` converted to the schema's type, nested schemas applied, constraints checked."""
    try:
        if schema.type == STRING:
            result: Any = _to_string(value, schema)
        elif schema.type == INTEGER:
            result = _to_integer(value)
        elif schema.type == NUMBER:
            result = _to_number(value)
        elif schema.type == BOOLEAN:
            result = _to_boolean(value)
        elif schema.type == LIST:
            result = _to_list(value, schema)
        elif schema.type == MAP:
            result = _to_map(value)
        elif schema.type == JSON:
            result = _to_json(value)
        else:
            result = value
    except _CoercionError as error:
        raise PropertyError(str(error), path=path) from None
    if schema.type == LIST:
        item_schema = schema.item_schema()
        if item_schema is not None:
            result = [
                _validate_item(item_schema, item, path=paths.join(path, index), context=context)
                for index, item in enumerate(result)
            ]
    members = schema.member_schemas()
    if members is not None:
        result = validate_properties(members, result, path=path, context=context)
    for constraint in schema.constraints:
        try:
            constraint.validate(result, context)
        except UserError as error:
            raise PropertyError(error.message, path=path) from None
        except ValueError as error:
            raise PropertyError(str(error), path=path) from None
    return result


def _validate_item(schema: PropertySchema, value: Any, *, path: str, context: object | None) -> Any:
    if value is None:
        if schema.default is not None:
            return schema.default
        return _empty_value(schema.type)
    return coerce_value(schema, value, path=path, context=context)


def validate_properties(
    schema: Mapping[str, PropertySchema],
    values: Mapping[str, Any] | None,
    *,
    path: str,
    context: object | None = None,
) -> dict[str, Any]:
    """Validate resolved property ``values`` against ``schema``; give the plugin's properties.

    The result has every key of ``schema``: the coerced value, else the default, else ``None``.
    ``path`` is where the values sit in the template (``resources.web.properties``).
    """
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise PropertyError(f'"{values}" is not a map', path=path)
    for key in values:
        if key not in schema:
            raise PropertyError(f"Unknown Property {key}", path=path)
    result: dict[str, Any] = {}
    for key, property_schema in schema.items():
        where = paths.join(path, key)
        value = values.get(key)
        if value is not None:
            result[key] = coerce_value(property_schema, value, path=where, context=context)
        elif property_schema.default is not None:
            result[key] = coerce_value(property_schema, property_schema.default, path=where, context=context)
        elif property_schema.required:
            raise PropertyError(f"Property {key} not assigned", path=where)
        else:
            result[key] = None
    return result


def property_to_api(schema: PropertySchema) -> dict[str, Any]:
    """One property as Heat's resource-types API shows it."""
    rendered: dict[str, Any] = {
        "type": schema.type,
        "required": schema.required,
        "update_allowed": schema.update_allowed,
        "immutable": schema.immutable,
    }
    if schema.description is not None:
        rendered["description"] = schema.description
    if schema.default is not None:
        rendered["default"] = schema.default
    if schema.label is not None:
        rendered["label"] = schema.label
    if schema.constraints:
        rendered["constraints"] = [constraint.to_schema_dict() for constraint in schema.constraints]
    item_schema = schema.item_schema()
    members = schema.member_schemas()
    if item_schema is not None:
        rendered["schema"] = {"*": property_to_api(item_schema)}
    elif members is not None:
        rendered["schema"] = schema_to_api(members)
    return rendered


def schema_to_api(schema: Mapping[str, PropertySchema]) -> dict[str, Any]:
    """A properties schema as Heat's resource-types API shows it (hidden properties left out)."""
    return {
        name: property_to_api(property_schema)
        for name, property_schema in schema.items()
        if property_schema.support_status.status != HIDDEN
    }


def attributes_to_api(schema: Mapping[str, AttributeSchema]) -> dict[str, Any]:
    """An attributes schema as Heat's resource-types API shows it (hidden attributes left out)."""
    return {
        name: attribute.to_api()
        for name, attribute in schema.items()
        if attribute.support_status.status != HIDDEN
    }


class Properties:
    """The name the internals page gives the validation entry point: ``Properties.validate(...)``."""

    @staticmethod
    def validate(
        schema: Mapping[str, PropertySchema],
        values: Mapping[str, Any] | None,
        path: str,
        context: object | None = None,
    ) -> dict[str, Any]:
        """Same as :func:`validate_properties`."""
        return validate_properties(schema, values, path=path, context=context)
