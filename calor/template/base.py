"""The parsed template: sections, resources, outputs and conditions of one template version.

:class:`Template` holds what both formats share; :class:`~calor.template.hot.HOTemplate`
and :class:`~calor.template.cfn.CfnTemplate` describe their format with a
:class:`Layout` per version (section names, resource and output keys, deletion
policies, function tables). Every :class:`~calor.errors.UserError` raised while a
section is read gets the template path and, when the template came from text, its
line.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from calor.errors import TemplateError, UserError
from calor.template import conditions as condition_section
from calor.template import function, paths
from calor.template.functions.parser import Parser

if TYPE_CHECKING:
    from calor.definition.output import OutputDefinition
    from calor.definition.resource import ResourceDefinition
    from calor.template.context import StackContext
    from calor.template.environment import Environment
    from calor.template.functions.version import TemplateVersion
    from calor.template.parameters import ParameterSchema

FunctionTable = Mapping[str, type[function.Function]]

DELETE, RETAIN, SNAPSHOT = "Delete", "Retain", "Snapshot"


class InvalidTemplateSection(TemplateError):
    """A top-level section the template's format and version do not have."""

    heat_type = "InvalidTemplateSection"


class Document(Protocol):
    """What :func:`calor.template.loader.load` returns (only what a template needs)."""

    @property
    def data(self) -> Any: ...

    def line_of(self, path: str) -> int | None: ...


@dataclass(frozen=True)
class ResourceKeys:
    """How one format spells the keys of a resource; ``None``: not in this version."""

    type: str
    properties: str
    metadata: str
    depends_on: str
    deletion_policy: str
    update_policy: str
    description: str
    external_id: str | None
    condition: str | None

    def allowed(self) -> frozenset[str]:
        keys = (
            self.type,
            self.properties,
            self.metadata,
            self.depends_on,
            self.deletion_policy,
            self.update_policy,
            self.description,
            self.external_id,
            self.condition,
        )
        return frozenset(key for key in keys if key is not None)


@dataclass(frozen=True)
class OutputKeys:
    value: str
    description: str
    condition: str | None
    #: Whether keys other than these are refused (HOT) or ignored (CFN, which has ``Export``).
    strict: bool


@dataclass(frozen=True)
class Layout:
    """Everything that differs between template formats and versions."""

    version_key: str
    description: str
    parameters: str
    resources: str
    outputs: str
    parameter_groups: str | None
    mappings: str | None
    conditions: str | None
    resource_keys: ResourceKeys
    output_keys: OutputKeys
    deletion_policies: Mapping[str, str]
    functions: FunctionTable
    condition_functions: FunctionTable
    #: The functions package's description of the version (for the template-versions API).
    template_version: TemplateVersion

    def sections(self) -> frozenset[str]:
        names = (
            self.version_key,
            self.description,
            self.parameters,
            self.resources,
            self.outputs,
            self.parameter_groups,
            self.mappings,
            self.conditions,
        )
        return frozenset(name for name in names if name is not None)


class Template(abc.ABC):
    """A template of one format and version, ready to be turned into definitions.

    ``data`` is the loaded mapping (or a :class:`Document` from the loader, which
    also gives lines for errors). Subclasses set :attr:`format_name` and implement
    :meth:`select_layout`.
    """

    format_name: ClassVar[str] = ""

    def __init__(
        self,
        data: Document | Mapping[str, Any],
        *,
        version: str,
        files: Mapping[str, str] | None = None,
        environment: Environment | None = None,
        source: str | None = None,
    ) -> None:
        if isinstance(data, Mapping):
            self.document: Document | None = None
            self.data: Mapping[str, Any] = data
        else:
            self.document = data
            self.data = data.data
        self.source = source
        self.version = version
        self.files: Mapping[str, str] = dict(files or {})
        self._environment = environment
        self.layout = self.select_layout()
        with self.located(""):
            self._check_sections()

    @abc.abstractmethod
    def select_layout(self) -> Layout:
        """This template's format and version description (set before sections are checked)."""

    @property
    def environment(self) -> Environment:
        """The environment the template is used with (Heat's default one unless given)."""
        if self._environment is None:
            self._environment = _default_environment()
        return self._environment

    @environment.setter
    def environment(self, environment: Environment) -> None:
        self._environment = environment

    # -- errors ------------------------------------------------------------------------

    def locate(self, error: UserError, path: str) -> UserError:
        """Fill in ``error``'s path (if unset), line and source from this template's text."""
        if error.path is None and path:
            error.path = path
        if error.line is None and self.document is not None:
            error.line = self.document.line_of(error.path or "")
        if error.source is None:
            error.source = self.source
        return error

    @contextmanager
    def located(self, path: str) -> Iterator[None]:
        """Run a block, giving any UserError it raises this template's path, line and source."""
        try:
            yield
        except UserError as error:
            self.locate(error, path)
            raise

    # -- sections ----------------------------------------------------------------------

    @property
    def version_key(self) -> str:
        return self.layout.version_key

    @property
    def version_value(self) -> str:
        """The version as written in the template (an alias such as ``wallaby`` stays one)."""
        return str(self.data.get(self.layout.version_key))

    def _check_sections(self) -> None:
        allowed = self.layout.sections()
        for key in self.data:
            if key not in allowed:
                raise InvalidTemplateSection(f"The template section is invalid: {key}", path=str(key))

    def section(self, name: str | None, default: Any = None) -> Any:
        """A top-level section's raw data (``default`` when missing or empty)."""
        if name is None:
            return default
        value = self.data.get(name)
        return default if value is None else value

    def mapping_section(self, name: str | None) -> Mapping[str, Any]:
        value = self.section(name, {})
        if not isinstance(value, Mapping):
            raise TemplateError(
                f'The "{name}" section must be a map. Found a {type(value).__name__} instead', path=name
            )
        return value

    @property
    def description(self) -> str:
        value = self.data.get(self.layout.description)
        return "No description" if not value else str(value)

    @property
    def mappings(self) -> Mapping[str, Any]:
        """CFN ``Mappings`` (empty for HOT)."""
        with self.located(self.layout.mappings or ""):
            return self.mapping_section(self.layout.mappings)

    def resource_names(self) -> tuple[str, ...]:
        """Every resource in the template, whatever its condition."""
        with self.located(self.layout.resources):
            return tuple(str(name) for name in self.mapping_section(self.layout.resources))

    # -- parsing -----------------------------------------------------------------------

    def parser(self, context: StackContext) -> Parser:
        """A parser with this version's function tables and this template's mappings."""
        return Parser(
            self.layout.functions,
            context,
            condition_functions=self.layout.condition_functions,
            mappings=self.mappings,
        )

    def parse(self, context: StackContext, snippet: Any, path: str) -> Any:
        """Turn raw template data into data with Function objects (this version's table)."""
        with self.located(path):
            return self.parser(context).parse(snippet, path)

    def parse_condition(self, context: StackContext, snippet: Any, path: str) -> Any:
        """Parse a condition expression with this version's condition-function table."""
        with self.located(path):
            return self.parser(context).parse_condition(snippet, path)

    # -- parameters --------------------------------------------------------------------

    def parameter_schemas(self) -> dict[str, ParameterSchema]:
        section = self.layout.parameters
        with self.located(section):
            raw = self.mapping_section(section)
            schemas: dict[str, ParameterSchema] = {}
            for name, definition in raw.items():
                path = paths.join(section, str(name))
                with self.located(path):
                    schemas[str(name)] = self._parameter_schema(str(name), definition, path)
            return schemas

    @abc.abstractmethod
    def _parameter_schema(self, name: str, raw: Any, path: str) -> ParameterSchema:
        """The schema of parameter ``name`` from its raw definition in this format."""

    def parameter_groups(self) -> list[dict[str, Any]]:
        """The validated ``parameter_groups`` section (HOT); empty when absent."""
        section = self.layout.parameter_groups
        if section is None:
            return []
        with self.located(section):
            raw = self.section(section, [])
            if not isinstance(raw, list):
                raise TemplateError(f"The {section} should be a list.", path=section)
            known = set(self.mapping_section(self.layout.parameters))
            grouped: set[str] = set()
            for index, group in enumerate(raw):
                path = paths.join(section, index)
                if not isinstance(group, Mapping):
                    raise TemplateError("Each parameter group must be a map.", path=path)
                names = group.get("parameters")
                if names is None:
                    raise TemplateError(
                        "The parameters must be provided for each parameter group.", path=path
                    )
                if not isinstance(names, list):
                    raise TemplateError(
                        "The parameters of parameter group should be a list.",
                        path=paths.join(path, "parameters"),
                    )
                for position, name in enumerate(names):
                    item_path = paths.join(paths.join(path, "parameters"), position)
                    if not isinstance(name, str):
                        raise TemplateError(
                            f"The grouped parameter {name} does not reference a valid parameter.",
                            path=item_path,
                        )
                    if name in grouped:
                        raise TemplateError(
                            f"The {name} parameter must be assigned to one parameter group only.",
                            path=item_path,
                        )
                    grouped.add(name)
                    if name not in known:
                        raise TemplateError(
                            f"The grouped parameter {name} does not reference a valid parameter.",
                            path=item_path,
                        )
            return [dict(group) for group in raw]

    # -- conditions, resources, outputs --------------------------------------------------

    def conditions(self, context: StackContext) -> dict[str, bool]:
        """Evaluate the conditions section; the values are also left in ``context.conditions``."""
        section = self.layout.conditions
        if section is None:
            context.conditions = {}
            return {}
        with self.located(section):
            definitions = condition_section.parse_definitions(
                self.data.get(section),
                section,
                lambda snippet, path: self.parse_condition(context, snippet, path),
            )
            table = condition_section.ConditionTable(definitions, section)
            context.conditions = table
            try:
                values = table.evaluate_all()
            except UserError as error:
                self.locate(error, section)
                raise
            context.conditions = values
            return values

    def resource_definitions(
        self, context: StackContext, conditions: Mapping[str, bool] | None = None
    ) -> dict[str, ResourceDefinition]:
        """Definitions of the resources whose condition holds, by name (template order)."""
        from calor.definition.reading import resource_definition

        if conditions is None:
            conditions = self.conditions(context)
        section = self.layout.resources
        with self.located(section):
            raw = self.mapping_section(section)
        parser = self.parser(context)
        definitions: dict[str, ResourceDefinition] = {}
        for name, snippet in raw.items():
            path = paths.join(section, str(name))
            with self.located(path):
                definition = resource_definition(self, parser, str(name), snippet, path)
                condition_path = paths.join(path, self.layout.resource_keys.condition or "condition")
                if not condition_section.is_enabled(definition.condition, conditions, condition_path):
                    continue
            definitions[str(name)] = definition
        return definitions

    def outputs(
        self, context: StackContext, conditions: Mapping[str, bool] | None = None
    ) -> dict[str, OutputDefinition]:
        """Every output; one whose condition is false has no value and ``enabled`` false."""
        from calor.definition.reading import output_definition

        if conditions is None:
            conditions = self.conditions(context)
        section = self.layout.outputs
        with self.located(section):
            raw = self.mapping_section(section)
        parser = self.parser(context)
        outputs: dict[str, OutputDefinition] = {}
        for name, snippet in raw.items():
            path = paths.join(section, str(name))
            with self.located(path):
                outputs[str(name)] = output_definition(self, parser, str(name), snippet, path, conditions)
        return outputs


def _default_environment() -> Environment:
    from calor.template.environment import default_environment

    return default_environment()
