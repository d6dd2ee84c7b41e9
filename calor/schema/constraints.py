"""Constraints on values, shared by template parameters and resource properties.

A constraint is a frozen value (:class:`Length`, :class:`Range`, :class:`Modulo`,
:class:`AllowedValues`, :class:`AllowedPattern`, :class:`CustomConstraint`) whose
``validate(value, context)`` raises :class:`ConstraintViolation` with Heat's wording:
the constraint's description when the template gave one, else a generated message.

Custom constraints are looked up by name in :data:`CUSTOM_CONSTRAINTS`; the generic
ones that need no cloud (``ip_addr``, ``net_cidr``, ``dns_name``, ...) are registered
from a table here, cloud-backed ones (``nova.flavor``, ...) by the plugins.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from calor.errors import TemplateError, UserError
from calor.schema import common_checks
from calor.template import paths


class ConstraintViolation(UserError):
    """A value breaks a constraint; the message is the constraint's description or Heat's text."""


Checker = Callable[[Any, "object | None"], None]
"""A custom constraint: raises :class:`ConstraintViolation` (or ``ValueError``) for a bad value."""


@dataclass(frozen=True)
class Constraint(abc.ABC):
    """Base of every constraint: an optional description shown instead of the generated message."""

    description: str | None = field(default=None, kw_only=True)

    kind: ClassVar[str] = ""

    def validate(self, value: Any, context: object | None = None) -> None:
        """Raise :class:`ConstraintViolation` when ``value`` breaks this constraint."""
        problem = self._problem(value, context)
        if problem is not None:
            raise ConstraintViolation(self.description or problem)

    def summary(self) -> str:
        """What the constraint demands, in words (Heat's text for docs and the resource-types API)."""
        return self.description or self._summary()

    def to_schema_dict(self) -> dict[str, Any]:
        """The HOT form of the constraint: ``{"length": {"min": 1}, "description": "..."}``."""
        rendered: dict[str, Any] = {self.kind: self._schema_value()}
        if self.description is not None:
            rendered["description"] = self.description
        return rendered

    @abc.abstractmethod
    def _problem(self, value: Any, context: object | None) -> str | None:
        """What is wrong with ``value``, or ``None`` when it satisfies the constraint."""

    @abc.abstractmethod
    def _summary(self) -> str:
        """What the constraint demands, in Heat's words."""

    @abc.abstractmethod
    def _schema_value(self) -> Any:
        """The value under the constraint's key in its HOT form."""


def _as_number(value: Any) -> int | float | None:
    """The number ``value`` stands for (numeric strings included), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _bounds(minimum: Any, maximum: Any) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if minimum is not None:
        bounds["min"] = minimum
    if maximum is not None:
        bounds["max"] = maximum
    return bounds


@dataclass(frozen=True)
class Range(Constraint):
    """A number between ``min`` and ``max`` (either may be omitted)."""

    min: int | float | None = None
    max: int | float | None = None

    kind: ClassVar[str] = "range"

    def _problem(self, value: Any, context: object | None) -> str | None:
        number = _as_number(value)
        if number is None:
            return f'"{value}" is not a number'
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            return f"{value} is out of range (min: {self.min}, max: {self.max})"
        return None

    def _summary(self) -> str:
        if self.max is None:
            return f"The value must be at least {self.min}."
        if self.min is None:
            return f"The value must be no greater than {self.max}."
        return f"The value must be in the range {self.min} to {self.max}."

    def _schema_value(self) -> Any:
        return _bounds(self.min, self.max)


@dataclass(frozen=True)
class Length(Constraint):
    """The length of a string, list or map between ``min`` and ``max``."""

    min: int | None = None
    max: int | None = None

    kind: ClassVar[str] = "length"

    def _problem(self, value: Any, context: object | None) -> str | None:
        if not isinstance(value, str | list | tuple | Mapping):
            return f'"{value}" has no length'
        length = len(value)
        if (self.min is not None and length < self.min) or (self.max is not None and length > self.max):
            return f"length ({length}) is out of range (min: {self.min}, max: {self.max})"
        return None

    def _summary(self) -> str:
        if self.max is None:
            return f"The length must be at least {self.min}."
        if self.min is None:
            return f"The length must be no greater than {self.max}."
        return f"The length must be in the range {self.min} to {self.max}."

    def _schema_value(self) -> Any:
        return _bounds(self.min, self.max)


@dataclass(frozen=True)
class Modulo(Constraint):
    """A number that is ``offset`` more than a multiple of ``step`` (HOT 2017-02-24 and later)."""

    step: int = 1
    offset: int = 0

    kind: ClassVar[str] = "modulo"

    def _problem(self, value: Any, context: object | None) -> str | None:
        number = _as_number(value)
        if number is None:
            return f'"{value}" is not a number'
        if number % self.step != self.offset:
            return f"{value} is not a multiple of {self.step} with an offset of {self.offset}"
        return None

    def _summary(self) -> str:
        if self.offset:
            return f"The values must be a multiple of {self.step} with an offset of {self.offset}."
        return f"The values must be a multiple of {self.step}."

    def _schema_value(self) -> Any:
        return {"step": self.step, "offset": self.offset}


def _same_value(value: Any, allowed: Any) -> bool:
    if value == allowed and isinstance(value, bool) == isinstance(allowed, bool):
        return True
    # Parameter values arrive as strings while allowed values may be written as numbers.
    if isinstance(value, str) and isinstance(allowed, int | float) and not isinstance(allowed, bool):
        return _as_number(value) == allowed
    if isinstance(allowed, str) and isinstance(value, int | float) and not isinstance(value, bool):
        return _as_number(allowed) == value
    return False


@dataclass(frozen=True)
class AllowedValues(Constraint):
    """One of ``values`` (for a list: every item one of them)."""

    values: tuple[Any, ...] = ()

    kind: ClassVar[str] = "allowed_values"

    def _allows(self, value: Any) -> bool:
        return any(_same_value(value, allowed) for allowed in self.values)

    def _problem(self, value: Any, context: object | None) -> str | None:
        if isinstance(value, list | tuple):
            if all(self._allows(item) for item in value):
                return None
        elif self._allows(value):
            return None
        allowed = ", ".join(str(item) for item in self.values)
        return f'"{value}" is not an allowed value [{allowed}]'

    def _summary(self) -> str:
        return "Allowed values: " + ", ".join(str(item) for item in self.values)

    def _schema_value(self) -> Any:
        return list(self.values)


@dataclass(frozen=True)
class AllowedPattern(Constraint):
    """A string matching the regular expression ``pattern`` in full."""

    pattern: str = ""

    kind: ClassVar[str] = "allowed_pattern"

    def _problem(self, value: Any, context: object | None) -> str | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return f'"{value}" is not a string'
        if re.fullmatch(self.pattern, value) is None:
            return f'"{value}" does not match pattern "{self.pattern}"'
        return None

    def _summary(self) -> str:
        return f"Value must match pattern: {self.pattern}"

    def _schema_value(self) -> Any:
        return self.pattern


@dataclass(frozen=True)
class CustomConstraint(Constraint):
    """A check registered by name in :data:`CUSTOM_CONSTRAINTS` (``nova.flavor``, ``ip_addr``)."""

    name: str = ""
    registry: CustomConstraintRegistry | None = field(default=None, compare=False, repr=False)

    kind: ClassVar[str] = "custom_constraint"

    def _problem(self, value: Any, context: object | None) -> str | None:
        registry = self.registry if self.registry is not None else CUSTOM_CONSTRAINTS
        checker = registry.get(self.name)
        if checker is None:
            raise TemplateError(f'"{value}" does not validate {self.name} (constraint not found)')
        try:
            checker(value, context)
        except (ConstraintViolation, ValueError) as error:
            detail = str(error.message if isinstance(error, ConstraintViolation) else error)
            if detail:
                return f'"{value}" does not validate {self.name}: {detail}'
            return f'"{value}" does not validate {self.name}'
        return None

    def _summary(self) -> str:
        return f"Value must be of type {self.name}"

    def _schema_value(self) -> Any:
        return self.name


class CustomConstraintRegistry:
    """Custom constraint checkers by name; plugins add their own with :meth:`register`."""

    def __init__(self, checkers: Mapping[str, Checker] | None = None) -> None:
        self._checkers: dict[str, Checker] = dict(checkers or {})

    def register(self, name: str, checker: Checker) -> None:
        """Add (or replace) the checker called ``name``."""
        self._checkers[name] = checker

    def get(self, name: str) -> Checker | None:
        return self._checkers.get(name)

    def names(self) -> list[str]:
        return sorted(self._checkers)

    def __contains__(self, name: object) -> bool:
        return name in self._checkers

    def copy(self) -> CustomConstraintRegistry:
        """An independent registry with the same checkers (for tests and per-service setups)."""
        return CustomConstraintRegistry(self._checkers)


def _violation_raising(check: Callable[[Any], str | None]) -> Checker:
    def checker(value: Any, context: object | None) -> None:
        problem = check(value)
        if problem is not None:
            raise ConstraintViolation(problem)

    return checker


GENERIC_CHECKS: Mapping[str, Callable[[Any], str | None]] = {
    "ip_addr": common_checks.ip_address,
    "net_cidr": common_checks.network_cidr,
    "mac_addr": common_checks.mac_address,
    "dns_name": common_checks.dns_name,
    "dns_domain": common_checks.dns_domain,
    "rel_dns_name": common_checks.relative_dns_name,
    "iso_8601": common_checks.iso_8601,
    "expiration": common_checks.expiration,
    "timezone": common_checks.timezone,
    "cron_expression": common_checks.cron_expression,
}
"""The custom constraints Heat ships that need no cloud: name → check giving a problem or ``None``."""

CUSTOM_CONSTRAINTS = CustomConstraintRegistry(
    {name: _violation_raising(check) for name, check in GENERIC_CHECKS.items()}
)


# --- parsing constraints out of templates -------------------------------------------------------

HOT_CONSTRAINT_KEYS = ("length", "range", "modulo", "allowed_values", "allowed_pattern", "custom_constraint")


def _hot_bounds(raw: Any, kind: str, path: str, *, integral: bool) -> tuple[Any, Any]:
    if not isinstance(raw, Mapping):
        raise TemplateError(f'"{kind}" must be a map with "min" and/or "max"', path=path)
    for key in raw:
        if key not in ("min", "max"):
            raise TemplateError(
                f'Invalid key "{key}" in {kind} constraint (expected "min", "max")', path=path
            )
    minimum, maximum = raw.get("min"), raw.get("max")
    if minimum is None and maximum is None:
        raise TemplateError(f"{kind} constraint must have min and/or max", path=path)
    wanted: tuple[type, ...] = (int,) if integral else (int, float)
    for bound in (minimum, maximum):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, wanted)):
            kind_words = "integral" if integral else "numeric"
            raise TemplateError(f"{kind} constraint min/max must be {kind_words}, not {bound!r}", path=path)
    return minimum, maximum


def _compile_pattern(pattern: Any, path: str) -> str:
    if not isinstance(pattern, str):
        raise TemplateError(f"allowed_pattern must be a string, not {pattern!r}", path=path)
    try:
        re.compile(pattern)
    except re.error as error:
        raise TemplateError(f'Invalid allowed_pattern "{pattern}": {error}', path=path) from None
    return pattern


def _modulo(raw: Any, path: str, description: str | None) -> Modulo:
    if not isinstance(raw, Mapping) or set(raw) != {"step", "offset"}:
        raise TemplateError('modulo constraint must have exactly "step" and "offset"', path=path)
    step, offset = raw["step"], raw["offset"]
    for number in (step, offset):
        if isinstance(number, bool) or not isinstance(number, int):
            raise TemplateError(f"modulo step/offset must be integers, not {number!r}", path=path)
    if step == 0:
        raise TemplateError("modulo step cannot be 0", path=path)
    if abs(offset) >= abs(step):
        raise TemplateError("modulo offset must be smaller (by absolute value) than step", path=path)
    if step * offset < 0:
        raise TemplateError("modulo step and offset must be both positive or both negative", path=path)
    return Modulo(step=step, offset=offset, description=description)


def constraint_from_hot(raw: Any, path: str, *, allow_modulo: bool = True) -> Constraint:
    """One HOT ``constraints:`` item (``{length: {min: 2}, description: ...}``)."""
    if not isinstance(raw, Mapping):
        raise TemplateError(f"A constraint must be a map, not {raw!r}", path=path)
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        raise TemplateError("A constraint description must be a string", path=paths.join(path, "description"))
    kinds = [key for key in raw if key != "description"]
    unknown = [
        key for key in kinds if key not in HOT_CONSTRAINT_KEYS or (key == "modulo" and not allow_modulo)
    ]
    if unknown:
        raise TemplateError(f'Invalid key "{unknown[0]}" for parameter constraints', path=path)
    if len(kinds) != 1:
        raise TemplateError(
            "A constraint must have exactly one of: " + ", ".join(HOT_CONSTRAINT_KEYS), path=path
        )
    kind = kinds[0]
    value = raw[kind]
    where = paths.join(path, kind)
    if kind == "length":
        minimum, maximum = _hot_bounds(value, kind, where, integral=True)
        return Length(min=minimum, max=maximum, description=description)
    if kind == "range":
        minimum, maximum = _hot_bounds(value, kind, where, integral=False)
        return Range(min=minimum, max=maximum, description=description)
    if kind == "modulo":
        return _modulo(value, where, description)
    if kind == "allowed_values":
        if not isinstance(value, list):
            raise TemplateError("allowed_values must be a list", path=where)
        return AllowedValues(values=tuple(value), description=description)
    if kind == "allowed_pattern":
        return AllowedPattern(pattern=_compile_pattern(value, where), description=description)
    if not isinstance(value, str) or not value:
        raise TemplateError("custom_constraint must be a constraint name", path=where)
    return CustomConstraint(name=value, description=description)


def constraints_from_hot(raw_list: Any, path: str, *, allow_modulo: bool = True) -> tuple[Constraint, ...]:
    """The constraints of a HOT ``constraints:`` list; a bad item is a TemplateError at its path."""
    if raw_list is None:
        return ()
    if not isinstance(raw_list, list):
        raise TemplateError("constraints must be a list", path=path)
    return tuple(
        constraint_from_hot(item, paths.join(path, index), allow_modulo=allow_modulo)
        for index, item in enumerate(raw_list)
    )


CFN_CONSTRAINT_KEYS = (
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
)


def _cfn_number(raw: Mapping[str, Any], key: str, path: str, *, integral: bool) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    number = _as_number(value)
    if number is None or (integral and not isinstance(number, int)):
        kind_words = "an integer" if integral else "a number"
        raise TemplateError(f"{key} must be {kind_words}, not {value!r}", path=paths.join(path, key))
    return number


def constraints_from_cfn(raw_parameter: Mapping[str, Any], path: str) -> tuple[Constraint, ...]:
    """The constraints of a CFN parameter (MinLength, MaxValue, AllowedValues, ...).

    ``ConstraintDescription`` becomes the description of every constraint, as in Heat.
    """
    description = raw_parameter.get("ConstraintDescription")
    if description is not None and not isinstance(description, str):
        raise TemplateError(
            "ConstraintDescription must be a string", path=paths.join(path, "ConstraintDescription")
        )
    found: list[Constraint] = []
    min_length = _cfn_number(raw_parameter, "MinLength", path, integral=True)
    max_length = _cfn_number(raw_parameter, "MaxLength", path, integral=True)
    if min_length is not None or max_length is not None:
        found.append(Length(min=min_length, max=max_length, description=description))
    min_value = _cfn_number(raw_parameter, "MinValue", path, integral=False)
    max_value = _cfn_number(raw_parameter, "MaxValue", path, integral=False)
    if min_value is not None or max_value is not None:
        found.append(Range(min=min_value, max=max_value, description=description))
    if "AllowedValues" in raw_parameter:
        values = raw_parameter["AllowedValues"]
        if not isinstance(values, list):
            raise TemplateError("AllowedValues must be a list", path=paths.join(path, "AllowedValues"))
        found.append(AllowedValues(values=tuple(values), description=description))
    if "AllowedPattern" in raw_parameter:
        pattern = _compile_pattern(raw_parameter["AllowedPattern"], paths.join(path, "AllowedPattern"))
        found.append(AllowedPattern(pattern=pattern, description=description))
    return tuple(found)


def validate_all(constraints: Sequence[Constraint], value: Any, context: object | None = None) -> None:
    """Validate ``value`` against every constraint in turn (the first violation is raised)."""
    for constraint in constraints:
        constraint.validate(value, context)


def iterate_custom(constraints: Sequence[Constraint]) -> Iterator[CustomConstraint]:
    """The custom constraints among ``constraints``."""
    for constraint in constraints:
        if isinstance(constraint, CustomConstraint):
            yield constraint
