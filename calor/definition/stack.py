"""A whole stack's definition: a template bound to parameter values and its conditions.

:meth:`StackDefinition.build` fills ``context.parameters`` (user values, the
environment's ``parameters`` and ``parameter_defaults``, and the pseudo parameters),
evaluates the conditions, and gives the resources and outputs that exist, with
their dependencies. References are checked so that a wrong name is reported with its
resource and path before anything is created.

Pseudo parameters: HOT gets ``OS::stack_id``, ``OS::stack_name``, ``OS::project_id``
and ``AWS::Region`` (as Heat); CFN gets ``AWS::StackId`` (Heat's ARN,
``arn:openstack:heat::<project>:stacks/<name>/<id>``), ``AWS::StackName``,
``AWS::Region`` and, beyond Heat, ``AWS::AccountId`` (the project id unless the
context names an account), ``AWS::Partition`` (``openstack``, matching the ARN) and
``AWS::URLSuffix`` (:data:`URL_SUFFIX`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calor.definition.lookup import AttributeNames, DefinitionLookup
from calor.definition.output import OutputDefinition
from calor.definition.resource import ResourceDefinition
from calor.errors import InvalidTemplateReference, UserError
from calor.template import function, paths
from calor.template.context import EmptyLookup
from calor.template.parameters import Parameters

if TYPE_CHECKING:
    from calor.template.base import Template
    from calor.template.context import StackContext

PARTITION = "openstack"
URL_SUFFIX = "openstack.org"


def stack_arn(context: StackContext) -> str:
    """The stack's ARN as Heat writes it (``AWS::StackId``)."""
    return f"arn:openstack:heat::{context.project_id}:stacks/{context.stack_name}/{context.stack_id}"


def pseudo_parameters(template: Template, context: StackContext) -> dict[str, Any]:
    """The pseudo parameters of ``template``'s format for the stack of ``context``."""
    if template.format_name == "HOT":
        return {
            "OS::stack_id": context.stack_id,
            "OS::stack_name": context.stack_name,
            "OS::project_id": context.project_id,
            "AWS::Region": context.region,
        }
    account = context.account_id if context.account_id not in ("", "None") else context.project_id
    return {
        "AWS::StackId": stack_arn(context),
        "AWS::StackName": context.stack_name,
        "AWS::Region": context.region,
        "AWS::AccountId": account,
        "AWS::Partition": PARTITION,
        "AWS::URLSuffix": URL_SUFFIX,
    }


def bind_parameters(
    template: Template,
    context: StackContext,
    values: Mapping[str, Any] | None = None,
    *,
    parameter_defaults: Mapping[str, Any] | None = None,
    validate: bool = True,
) -> Parameters:
    """Typed parameter values for ``template``, also stored in ``context.parameters``.

    User values are the environment's ``parameters`` overridden by ``values``;
    defaults are the template's, overridden by the environment's
    ``parameter_defaults`` and then by ``parameter_defaults``.
    """
    environment = template.environment
    user_values = {**dict(environment.parameters), **dict(values or {})}
    defaults = {**dict(environment.parameter_defaults), **dict(parameter_defaults or {})}
    schemas = template.parameter_schemas()
    with template.located(template.layout.parameters):
        parameters = Parameters(
            schemas,
            user_values,
            defaults=defaults,
            pseudo=pseudo_parameters(template, context),
            validate=validate,
        )
    context.parameters = parameters
    return parameters


@dataclass
class StackDefinition:
    """The resources and outputs a template defines for one stack and its parameters."""

    template: Template
    context: StackContext
    parameters: Parameters
    conditions: dict[str, bool]
    resources: dict[str, ResourceDefinition]
    outputs: dict[str, OutputDefinition]
    #: Every resource of the template, including those whose condition is false.
    template_resource_names: frozenset[str]

    @classmethod
    def build(
        cls,
        template: Template,
        context: StackContext,
        parameters: Mapping[str, Any] | None = None,
        *,
        parameter_defaults: Mapping[str, Any] | None = None,
        validate_parameters: bool = True,
        attribute_names: AttributeNames | None = None,
        validate: bool = True,
    ) -> StackDefinition:
        """Bind ``parameters``, evaluate conditions, build definitions and check references.

        ``context.resources`` is set to a :class:`DefinitionLookup` unless the caller
        already supplied a lookup (the engine's, backed by stored state); an empty
        ``context.files`` gets the template's ``files`` (read by ``get_file``).
        ``validate_parameters=False`` accepts missing values (template validation).
        """
        if not context.files and template.files:
            context.files = template.files
        bound = bind_parameters(
            template, context, parameters, parameter_defaults=parameter_defaults, validate=validate_parameters
        )
        template.parameter_groups()
        conditions = template.conditions(context)
        resources = template.resource_definitions(context, conditions)
        if isinstance(context.resources, EmptyLookup):
            context.resources = DefinitionLookup(resources, attribute_names)
        outputs = template.outputs(context, conditions)
        definition = cls(
            template=template,
            context=context,
            parameters=bound,
            conditions=conditions,
            resources=resources,
            outputs=outputs,
            template_resource_names=frozenset(template.resource_names()),
        )
        if validate:
            definition.validate()
        return definition

    def validate(self) -> None:
        """Check every reference: ``depends_on`` names and the functions of every snippet."""
        for definition in self.resources.values():
            with self.template.located(definition.path):
                self._check_depends_on(definition)
                for snippet in (definition.properties, definition.metadata, definition.update_policy):
                    function.validate(snippet)
        for output in self.outputs.values():
            if output.enabled:
                with self.template.located(output.path):
                    function.validate(output.value)

    def _check_depends_on(self, definition: ResourceDefinition) -> None:
        key = self.template.layout.resource_keys.depends_on
        for index, name in enumerate(definition.depends_on):
            if name not in self.template_resource_names:
                path = paths.join(definition.path, key)
                if len(definition.depends_on) > 1 or isinstance(self._raw_depends_on(definition), list):
                    path = paths.join(path, index)
                raise InvalidTemplateReference(
                    f'The specified reference "{name}" (in {definition.name}) is incorrect.', path=path
                )

    def _raw_depends_on(self, definition: ResourceDefinition) -> Any:
        raw = self.template.section(self.template.layout.resources, {}).get(definition.name, {})
        return raw.get(self.template.layout.resource_keys.depends_on) if isinstance(raw, Mapping) else None

    def dependencies(self) -> dict[str, frozenset[str]]:
        """For each resource that exists, the existing resources it needs first.

        ``depends_on`` naming a resource whose condition is false is dropped (as in Heat).
        """
        graph: dict[str, frozenset[str]] = {}
        for name, definition in self.resources.items():
            try:
                needed = definition.dependencies()
            except UserError as error:
                self.template.locate(error, definition.path)
                raise
            graph[name] = frozenset(other for other in needed if other in self.resources)
        return graph

    def resolved_outputs(self) -> dict[str, Any]:
        """Every enabled output's value now."""
        return {name: output.resolve() for name, output in self.outputs.items() if output.enabled}
