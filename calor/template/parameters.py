"""Template parameters: their schemas (HOT and CFN) and the typed values of a stack.

:class:`ParameterSchema` is one declared parameter, read from a HOT ``parameters:``
entry (:meth:`ParameterSchema.from_hot`) or a CFN ``Parameters`` entry
(:meth:`ParameterSchema.from_cfn`); every key is checked. :class:`Parameters` binds
the schemas to the user's values (then ``parameter_defaults`` from the environment,
then template defaults), converts them the way Heat does (``"5"`` → ``5``, ``"a,b"`` →
``["a", "b"]``, ``"yes"`` → ``True``) and checks their constraints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from calor.errors import ParameterError, TemplateError
from calor.schema.constraints import (
    AllowedPattern,
    AllowedValues,
    Constraint,
    ConstraintViolation,
    CustomConstraint,
    Length,
    Modulo,
    Range,
    constraints_from_cfn,
    constraints_from_hot,
)
from calor.template import paths

TYPES = ("string", "number", "comma_delimited_list", "json", "boolean")

CFN_TYPES = {
    "String": "string",
    "Number": "number",
    "CommaDelimitedList": "comma_delimited_list",
    "List<Number>": "comma_delimited_list",
    "Json": "json",
    "Boolean": "boolean",
}

VALIDATE_API_TYPES = {
    "string": "String",
    "number": "Number",
    "comma_delimited_list": "CommaDelimitedList",
    "json": "Json",
    "boolean": "Boolean",
}

HOT_KEYS = ("type", "label", "description", "default", "hidden", "constraints", "immutable")
HOT_MODULO_VERSION = "2017-02-24"
HOT_TAGS_VERSION = "2018-03-02"

CFN_KEYS = (
    "Type",
    "Default",
    "NoEcho",
    "AllowedValues",
    "AllowedPattern",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "Description",
    "ConstraintDescription",
    "Label",
)

HOT_VERSION_NAMES = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}

PSEUDO_PARAMETERS = (
    "OS::stack_id",
    "OS::stack_name",
    "OS::project_id",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::Region",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::URLSuffix",
)

MASK = "******"

_TRUE_WORDS = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE_WORDS = frozenset({"0", "f", "false", "off", "n", "no"})


def hot_version_date(version: str | None) -> str:
    """A HOT version as a date string (release names such as ``queens`` become their date)."""
    if version is None:
        return "9999-12-31"
    text = str(version)
    return HOT_VERSION_NAMES.get(text, text)


def parse_boolean(value: Any) -> bool:
    """Heat's strict reading of a boolean: ``true``/``false``, ``yes``/``no``, ``on``/``off``, ``1``/``0``."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    acceptable = ", ".join(sorted(_TRUE_WORDS | _FALSE_WORDS))
    raise ValueError(f"Unrecognized value '{value}', acceptable values are: {acceptable}")


def _to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f'Value "{value}" is invalid for data type "number"')
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            pass
    raise ValueError(f'Value "{value}" is invalid for data type "number"')


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [item if isinstance(item, str) else _scalar_text(item) for item in value]
    if isinstance(value, str):
        return [] if value == "" else value.split(",")
    if isinstance(value, int | float):
        return [_scalar_text(value)]
    raise ValueError(f'Value "{value}" is invalid for data type "comma_delimited_list"')


def _to_json(value: Any) -> Any:
    if isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            parsed = json.loads(value)
        except ValueError as error:
            raise ValueError(f"Value must be valid JSON: {error}") from None
        if isinstance(parsed, dict | list):
            return parsed
    raise ValueError(f'Value "{value}" is invalid for data type "json"')


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return _scalar_text(value)
    raise ValueError("Value must be a string")


_COERCIONS = {
    "string": _to_string,
    "number": _to_number,
    "comma_delimited_list": _to_list,
    "json": _to_json,
    "boolean": parse_boolean,
}


_CONSTRAINT_TYPES: Mapping[type[Constraint], tuple[str, ...]] = {
    Length: ("string", "comma_delimited_list", "json"),
    Range: ("number",),
    Modulo: ("number",),
    AllowedValues: ("string", "number", "comma_delimited_list", "boolean"),
    AllowedPattern: ("string",),
    CustomConstraint: TYPES,
}


def _check_constraint_types(type_name: str, constraints: tuple[Constraint, ...], path: str) -> None:
    for index, constraint in enumerate(constraints):
        if type_name not in _CONSTRAINT_TYPES[type(constraint)]:
            raise TemplateError(
                f"{type(constraint).__name__} constraint invalid for {VALIDATE_API_TYPES[type_name]}",
                path=paths.join(path, index),
            )


def _check_text(value: Any, key: str, path: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise TemplateError(f"{key} must be a string", path=paths.join(path, key))


def _check_flag(value: Any, key: str, path: str) -> bool:
    if value is None:
        return False
    try:
        return parse_boolean(value)
    except ValueError:
        raise TemplateError(f'"{key}" must be a boolean, not {value!r}', path=paths.join(path, key)) from None


@dataclass(frozen=True)
class ParameterSchema:
    """One declared parameter. ``type`` is one of :data:`TYPES`; ``hidden`` is HOT's NoEcho."""

    name: str
    type: str = "string"
    default: Any = None
    description: str | None = None
    label: str | None = None
    hidden: bool = False
    immutable: bool = False
    constraints: tuple[Constraint, ...] = ()
    tags: tuple[str, ...] = ()
    path: str = ""

    @property
    def required(self) -> bool:
        """Whether a value must be given (there is no default)."""
        return self.default is None

    @classmethod
    def from_hot(cls, name: str, raw: Any, path: str = "", version: str | None = None) -> ParameterSchema:
        """Read a HOT ``parameters:`` entry; unknown keys, types and constraints are TemplateErrors."""
        path = path or paths.join("parameters", name)
        if not isinstance(raw, Mapping):
            raise TemplateError(f"Parameter {name} must be a map, not {raw!r}", path=path)
        date = hot_version_date(version)
        allowed = HOT_KEYS + (("tags",) if date >= HOT_TAGS_VERSION else ())
        for key in raw:
            if key not in allowed:
                raise TemplateError(f"Invalid key '{key}' for parameter ({name})", path=paths.join(path, key))
        if "type" not in raw:
            raise TemplateError(f"Missing parameter type for parameter: {name}", path=path)
        type_name = raw["type"]
        if type_name not in TYPES:
            raise TemplateError(f"Invalid type ({type_name})", path=paths.join(path, "type"))
        tags = raw.get("tags") or ()
        if not isinstance(tags, list | tuple) or not all(isinstance(tag, str) for tag in tags):
            raise TemplateError("tags must be a list of strings", path=paths.join(path, "tags"))
        schema = cls(
            name=name,
            type=type_name,
            default=raw.get("default"),
            description=_check_text(raw.get("description"), "description", path),
            label=_check_text(raw.get("label"), "label", path),
            hidden=_check_flag(raw.get("hidden"), "hidden", path),
            immutable=_check_flag(raw.get("immutable"), "immutable", path),
            constraints=constraints_from_hot(
                raw.get("constraints"),
                paths.join(path, "constraints"),
                allow_modulo=date >= HOT_MODULO_VERSION,
            ),
            tags=tuple(tags),
            path=path,
        )
        schema._check_default()
        return schema

    @classmethod
    def from_cfn(cls, name: str, raw: Any, path: str = "") -> ParameterSchema:
        """Read a CFN ``Parameters`` entry (Type String, Number, CommaDelimitedList, Json, Boolean, ...)."""
        path = path or paths.join("Parameters", name)
        if not isinstance(raw, Mapping):
            raise TemplateError(f"Parameter {name} must be a map, not {raw!r}", path=path)
        for key in raw:
            if key not in CFN_KEYS:
                raise TemplateError(f"Invalid key '{key}' for parameter ({name})", path=paths.join(path, key))
        if "Type" not in raw:
            raise TemplateError(f"Missing parameter type for parameter: {name}", path=path)
        type_name = _cfn_type(raw["Type"])
        if type_name is None:
            raise TemplateError(f"Invalid type ({raw['Type']})", path=paths.join(path, "Type"))
        schema = cls(
            name=name,
            type=type_name,
            default=raw.get("Default"),
            description=_check_text(raw.get("Description"), "Description", path),
            label=_check_text(raw.get("Label"), "Label", path),
            hidden=_check_flag(raw.get("NoEcho"), "NoEcho", path),
            constraints=constraints_from_cfn(raw, path),
            path=path,
        )
        schema._check_default()
        return schema

    def _check_default(self) -> None:
        constraints_path = paths.join(self.path, "constraints")
        _check_constraint_types(self.type, self.constraints, constraints_path)
        if self.default is None:
            return
        try:
            self.coerce(self.default)
        except ParameterError as error:
            raise TemplateError(
                f"Invalid default {self.default} ({error.message})", path=paths.join(self.path, "default")
            ) from None

    def coerce(self, value: Any) -> Any:
        """The value converted to this parameter's type, as Heat does; ParameterError when it cannot be."""
        try:
            return _COERCIONS[self.type](value)
        except ValueError as error:
            raise ParameterError(f"Parameter '{self.name}' is invalid: {error}", path=self.path) from None

    def validate_value(self, value: Any, context: object | None = None) -> None:
        """Check an already coerced value against every constraint (ParameterError with Heat's wording)."""
        for constraint in self.constraints:
            try:
                constraint.validate(value, context)
            except ConstraintViolation as violation:
                raise ParameterError(
                    f"Parameter '{self.name}' is invalid: {violation.message}", path=self.path
                ) from None


def _cfn_type(raw_type: Any) -> str | None:
    if not isinstance(raw_type, str):
        return None
    if raw_type in CFN_TYPES:
        return CFN_TYPES[raw_type]
    if raw_type.startswith("List<") and raw_type.endswith(">"):
        return "comma_delimited_list"
    if raw_type.startswith("AWS::"):
        return "string"
    return None


_MISSING = object()


@dataclass
class _Bound:
    schema: ParameterSchema
    value: Any
    given: bool
    from_defaults: bool = False
    error: ParameterError | None = field(default=None)


class Parameters(Mapping[str, Any]):
    """The typed parameter values of a stack, looked up by name (pseudo parameters included).

    A value comes from ``values`` (what the user passed), else ``defaults`` (the
    environment's ``parameter_defaults``; names the template does not declare are
    ignored), else the schema's default. With ``validate`` every value must be given
    or defaulted, user values must name declared parameters, and constraints hold;
    without it (validating a template with no values) a missing value reads as ``None``
    and a value that breaks its schema reads as given.
    """

    def __init__(
        self,
        schemas: Mapping[str, ParameterSchema],
        values: Mapping[str, Any],
        *,
        defaults: Mapping[str, Any] | None = None,
        pseudo: Mapping[str, Any] | None = None,
        validate: bool = True,
        context: object | None = None,
    ) -> None:
        self.schemas = dict(schemas)
        self.user_values = {name: value for name, value in values.items() if value is not None}
        self.defaults = dict(defaults or {})
        self.pseudo = dict(pseudo or {})
        self._bound: dict[str, _Bound] = {}
        self.validated = validate
        if validate:
            for name in self.user_values:
                if name not in self.schemas:
                    message = f"The Parameter ({name}) was not defined in template."
                    raise ParameterError(message, path=paths.join("parameters", name))
        for name, schema in self.schemas.items():
            self._bound[name] = self._bind(schema, validate, context)

    def _bind(self, schema: ParameterSchema, validate: bool, context: object | None) -> _Bound:
        raw: Any = _MISSING
        from_defaults = False
        given = False
        if schema.name in self.user_values:
            raw, given = self.user_values[schema.name], True
        elif self.defaults.get(schema.name) is not None:
            raw, from_defaults = self.defaults[schema.name], True
        elif schema.default is not None:
            raw = schema.default
        if raw is _MISSING:
            error = ParameterError(f"The Parameter ({schema.name}) was not provided.", path=schema.path)
            if validate:
                raise error
            return _Bound(schema, None, False, error=error)
        try:
            value = schema.coerce(raw)
            if validate:
                schema.validate_value(value, context)
        except ParameterError as error:
            if validate:
                raise
            return _Bound(schema, raw, given, from_defaults, error=error)
        return _Bound(schema, value, given, from_defaults)

    def __getitem__(self, name: str) -> Any:
        bound = self._bound.get(name)
        if bound is None:
            if name in self.pseudo:
                return self.pseudo[name]
            raise KeyError(name)
        if bound.error is not None and self.validated:
            raise bound.error
        return bound.value

    def __contains__(self, name: object) -> bool:
        # Name only: reading the value of a parameter without one must not raise here.
        return name in self._bound or name in self.pseudo

    def __iter__(self) -> Iterator[str]:
        yield from self._bound
        yield from (name for name in self.pseudo if name not in self._bound)

    def __len__(self) -> int:
        return len(self._bound) + sum(1 for name in self.pseudo if name not in self._bound)

    def is_hidden(self, name: str) -> bool:
        bound = self._bound.get(name)
        return bound is not None and bound.schema.hidden

    def masked(self) -> dict[str, Any]:
        """Every value, hidden ones shown as ``******`` (what the API shows)."""
        shown: dict[str, Any] = {}
        for name in self:
            bound = self._bound.get(name)
            if bound is not None and bound.schema.hidden:
                shown[name] = MASK
            elif bound is not None and bound.error is not None:
                shown[name] = bound.value
            else:
                shown[name] = self[name]
        return shown

    def schema_for_validate(self) -> dict[str, dict[str, Any]]:
        """Heat's validate-API ``Parameters`` body: per parameter Type, Description, NoEcho, Label, ..."""
        return {name: self._validate_entry(bound) for name, bound in self._bound.items()}

    def _validate_entry(self, bound: _Bound) -> dict[str, Any]:
        schema = bound.schema
        entry: dict[str, Any] = {
            "Type": VALIDATE_API_TYPES[schema.type],
            "Description": schema.description or "",
            "NoEcho": "true" if schema.hidden else "false",
            "Label": schema.label or schema.name,
        }
        if bound.given or bound.from_defaults:
            entry["Value"] = MASK if schema.hidden else bound.value
        if schema.default is not None:
            entry["Default"] = schema.default
        entry.update(validate_api_constraints(schema.constraints))
        if schema.immutable:
            entry["Immutable"] = True
        if schema.tags:
            entry["Tags"] = list(schema.tags)
        return entry


def validate_api_constraints(constraints: tuple[Constraint, ...]) -> dict[str, Any]:
    """Constraints as the validate API renders them (MinLength, AllowedValues, ConstraintDescription...)."""
    rendered: dict[str, Any] = {}
    descriptions: list[str] = []
    for constraint in constraints:
        if isinstance(constraint, Length):
            _put_bounds(rendered, "MinLength", "MaxLength", constraint.min, constraint.max)
        elif isinstance(constraint, Range):
            _put_bounds(rendered, "MinValue", "MaxValue", constraint.min, constraint.max)
        elif isinstance(constraint, Modulo):
            rendered["Step"] = constraint.step
            rendered["Offset"] = constraint.offset
        elif isinstance(constraint, AllowedValues):
            rendered["AllowedValues"] = list(constraint.values)
        elif isinstance(constraint, AllowedPattern):
            rendered["AllowedPattern"] = constraint.pattern
        elif isinstance(constraint, CustomConstraint):
            rendered["CustomConstraint"] = constraint.name
        if constraint.description:
            descriptions.append(constraint.description)
    if descriptions:
        rendered["ConstraintDescription"] = " ".join(descriptions)
    return rendered


def _put_bounds(rendered: dict[str, Any], low_key: str, high_key: str, low: Any, high: Any) -> None:
    if low is not None:
        rendered[low_key] = low
    if high is not None:
        rendered[high_key] = high


def check_immutable(
    schemas: Mapping[str, ParameterSchema], old_values: Mapping[str, Any], new_values: Mapping[str, Any]
) -> None:
    """Refuse an update that changes an immutable parameter (Heat's message names them all)."""
    changed = sorted(
        name
        for name, schema in schemas.items()
        if schema.immutable and name in old_values and old_values.get(name) != new_values.get(name)
    )
    if changed:
        raise ParameterError(
            "The following parameters are immutable and may not be updated: " + ", ".join(changed),
            path="parameters",
        )
