"""Parsed template + parameters → definitions: frozen values the engine plans and compares.

:class:`StackDefinition` binds a :class:`~calor.template.base.Template` to parameter
values and conditions; :class:`ResourceDefinition` and :class:`OutputDefinition` are
its resources and outputs; :class:`DefinitionLookup` lets functions see resources
before they exist.
"""

from calor.definition.lookup import DefinitionLookup, DefinitionView
from calor.definition.output import OutputDefinition
from calor.definition.resource import DefinitionDiff, ResourceDefinition, diff_rendered
from calor.definition.stack import StackDefinition, bind_parameters, pseudo_parameters, stack_arn

__all__ = [
    "DefinitionDiff",
    "DefinitionLookup",
    "DefinitionView",
    "OutputDefinition",
    "ResourceDefinition",
    "StackDefinition",
    "bind_parameters",
    "diff_rendered",
    "pseudo_parameters",
    "stack_arn",
]
