"""Heat environments: parameter values, parameter defaults and the resource registry.

An :class:`Environment` is read from a YAML/JSON mapping (:meth:`Environment.parse`,
:meth:`Environment.from_mapping`) with the sections Heat knows. Several environment
files are combined with :func:`merge_environments`, the later winning, following each
file's ``parameter_merge_strategies``. The operator's global environment
(:func:`default_environment`, Heat's built-in aliases) is merged first.

The :class:`ResourceRegistry` maps resource types to other types (``AWS::EC2::Instance``
→ ``OS::Nova::Server``), to provider templates (``My::Server`` → ``server.yaml``), and
by glob (``OS::Quantum*`` → ``OS::Neutron*``); its ``resources:`` part holds per-resource
overrides, hooks and restricted actions, nested by resource name into nested stacks.
A ``null`` value unsets an entry of an earlier environment.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calor.errors import InvalidEnvironment, TemplateError, TemplateSyntaxError
from calor.template import loader, paths
from calor.template.resource_registry import (
    HOOK_TYPES,
    RESTRICTED_ACTIONS,
    RegistryMatch,
    ResourceRegistry,
    is_template_name,
)

if TYPE_CHECKING:
    from calor.template.parameters import ParameterSchema

SECTIONS = (
    "parameters",
    "parameter_defaults",
    "resource_registry",
    "event_sinks",
    "parameter_merge_strategies",
    "encrypted_param_names",
)
MERGE_STRATEGIES = ("overwrite", "merge", "deep_merge")

DEFAULT_REGISTRY: Mapping[str, str] = {
    "OS::Quantum*": "OS::Neutron*",
    "OS::Metering::Alarm": "OS::Aodh::Alarm",
}
"""The aliases Heat ships in its default global environment (``environment.d/default.yaml``)."""

__all__ = [
    "HOOK_TYPES",
    "RESTRICTED_ACTIONS",
    "Environment",
    "RegistryMatch",
    "ResourceRegistry",
    "default_environment",
    "is_template_name",
    "merge_environments",
    "merge_parameters",
]

NOT_A_MAPPING = "The environment is not a valid YAML mapping data type."


@dataclass
class Environment:
    """One environment (or several merged): parameters, defaults, registry, event sinks."""

    parameters: dict[str, Any] = field(default_factory=dict)
    parameter_defaults: dict[str, Any] = field(default_factory=dict)
    registry: ResourceRegistry = field(default_factory=ResourceRegistry)
    event_sinks: list[Any] = field(default_factory=list)
    parameter_merge_strategies: dict[str, str] = field(default_factory=dict)
    encrypted_param_names: list[str] = field(default_factory=list)

    @property
    def user_parameters(self) -> dict[str, Any]:
        """The parameter values the user passed (not the defaults), as stored."""
        return dict(self.parameters)

    @classmethod
    def from_mapping(cls, raw: Any, path: str = "") -> Environment:
        """Read an environment mapping; an unknown section is an InvalidEnvironment naming it."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise InvalidEnvironment(NOT_A_MAPPING, path=path or None)
        for key in raw:
            if key not in SECTIONS:
                raise InvalidEnvironment(
                    f'environment has wrong section "{key}"', path=paths.join(path, str(key))
                )
        return cls(
            parameters=_section_map(raw, "parameters", path),
            parameter_defaults=_section_map(raw, "parameter_defaults", path),
            registry=ResourceRegistry.from_mapping(
                raw.get("resource_registry"), paths.join(path, "resource_registry")
            ),
            event_sinks=_section_list(raw, "event_sinks", path),
            parameter_merge_strategies=_strategies(raw.get("parameter_merge_strategies"), path),
            encrypted_param_names=[str(name) for name in _section_list(raw, "encrypted_param_names", path)],
        )

    @classmethod
    def parse(cls, text: str | bytes, source: str = "<environment>") -> Environment:
        """Read environment text (YAML or JSON); empty text is an empty environment."""
        raw_text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if all(
            not line.strip() or line.lstrip().startswith("#") or line.strip() == "---"
            for line in raw_text.splitlines()
        ):
            return cls()
        try:
            document = loader.load(text, source=source)
        except TemplateSyntaxError as error:
            raise InvalidEnvironment(error.message, line=error.line, source=source) from None
        except TemplateError as error:
            message = NOT_A_MAPPING if error.message == loader.NOT_A_MAPPING else error.message
            raise InvalidEnvironment(message, line=error.line, source=source) from None
        try:
            return cls.from_mapping(document.data)
        except InvalidEnvironment as error:
            error.source = source
            error.line = document.line_of(error.path or "")
            raise

    def to_mapping(self) -> dict[str, Any]:
        """The environment as stored and shown by the API."""
        rendered: dict[str, Any] = {
            "parameters": copy.deepcopy(self.parameters),
            "parameter_defaults": copy.deepcopy(self.parameter_defaults),
            "resource_registry": self.registry.to_mapping(),
            "event_sinks": copy.deepcopy(self.event_sinks),
            "encrypted_param_names": list(self.encrypted_param_names),
        }
        if self.parameter_merge_strategies:
            rendered["parameter_merge_strategies"] = dict(self.parameter_merge_strategies)
        return rendered

    def copy(self) -> Environment:
        return Environment.from_mapping(self.to_mapping())


def _section_map(raw: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidEnvironment(f"The {key} section must be a map", path=paths.join(path, key))
    return {str(name): item for name, item in value.items()}


def _section_list(raw: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidEnvironment(f"The {key} section must be a list", path=paths.join(path, key))
    return list(value)


def _strategies(raw: Any, path: str) -> dict[str, str]:
    where = paths.join(path, "parameter_merge_strategies")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidEnvironment("parameter_merge_strategies must be a map", path=where)
    for name, strategy in raw.items():
        if strategy not in MERGE_STRATEGIES:
            raise InvalidEnvironment(
                f'Invalid merge strategy "{strategy}" for parameter {name}; use one of '
                + ", ".join(MERGE_STRATEGIES),
                path=paths.join(where, str(name)),
            )
    return {str(name): str(strategy) for name, strategy in raw.items()}


# --- merging ---------------------------------------------------------------------------------


def _deep_merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, Mapping):
        merged = dict(old)
        for key, value in new.items():
            if value is None:
                continue
            merged[key] = _deep_merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(old, list) and isinstance(new, list):
        return old + new
    if isinstance(old, str) and isinstance(new, str):
        return old + new
    return new


def _merge_value(name: str, old: Any, new: Any, schema: ParameterSchema | None, *, deep: bool) -> Any:
    """Heat's ``merge`` strategy for one parameter, by its type (or the values' type)."""
    type_name = schema.type if schema is not None else None
    if type_name == "boolean" or isinstance(new, bool):
        raise InvalidEnvironment(f"Merge strategy merge cannot be used for parameter {name}", path=name)
    if type_name == "json" or (isinstance(old, dict) and isinstance(new, Mapping)):
        if isinstance(old, dict) and isinstance(new, Mapping):
            return _deep_merge(old, new) if deep else {**old, **new}
        return new
    if type_name == "comma_delimited_list" or isinstance(old, list) or isinstance(new, list):
        if isinstance(old, list) and isinstance(new, list):
            return old + new
        if isinstance(old, list):
            return old + str(new).split(",")
        if isinstance(new, list):
            return (str(old).split(",") if old != "" else []) + new
        return ",".join([str(old), str(new)])
    if type_name == "number" or (isinstance(old, int | float) and isinstance(new, int | float)):
        try:
            return _number(old) + _number(new)
        except ValueError:
            raise InvalidEnvironment(
                f"Cannot merge non-numeric values of parameter {name}", path=name
            ) from None
    return f"{old}{new}"


def _number(value: Any) -> int | float:
    if isinstance(value, int | float):
        return value
    text = str(value)
    try:
        return int(text)
    except ValueError:
        return float(text)


def merge_parameters(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    strategies: Mapping[str, str],
    schemas: Mapping[str, ParameterSchema] | None = None,
) -> dict[str, Any]:
    """``new`` parameter values over ``old``, each by its strategy (``default`` names the fallback)."""
    merged = dict(old)
    fallback = strategies.get("default", "overwrite")
    for name, value in new.items():
        strategy = strategies.get(name, fallback)
        if name not in merged or strategy == "overwrite" or merged[name] is None:
            merged[name] = value
            continue
        schema = (schemas or {}).get(name)
        merged[name] = _merge_value(name, merged[name], value, schema, deep=strategy == "deep_merge")
    return merged


def merge_environments(
    environments: Sequence[Environment],
    schemas: Mapping[str, ParameterSchema] | None = None,
) -> Environment:
    """Several environments combined in order, the later winning (by merge strategy for parameters)."""
    result = Environment()
    for environment in environments:
        strategies = environment.parameter_merge_strategies
        result = Environment(
            parameters=merge_parameters(result.parameters, environment.parameters, strategies, schemas),
            parameter_defaults=merge_parameters(
                result.parameter_defaults, environment.parameter_defaults, strategies, schemas
            ),
            registry=result.registry.merged_with(environment.registry),
            event_sinks=result.event_sinks
            + [sink for sink in environment.event_sinks if sink not in result.event_sinks],
            parameter_merge_strategies={**result.parameter_merge_strategies, **strategies},
            encrypted_param_names=sorted(
                set(result.encrypted_param_names) | set(environment.encrypted_param_names)
            ),
        )
    return result


def default_environment(extra_registry: Mapping[str, str | None] | None = None) -> Environment:
    """The global environment merged under every stack's: Heat's built-in aliases, plus ``extra_registry``."""
    registry = ResourceRegistry(dict(DEFAULT_REGISTRY))
    if extra_registry:
        registry = registry.merged_with(ResourceRegistry.from_mapping(dict(extra_registry)))
    return Environment(registry=registry)
