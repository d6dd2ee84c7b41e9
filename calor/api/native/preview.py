"""Stack preview: what a create would make, answered in the API process without a job.

Heat's body: the stack as ``show`` gives it (id ``None``) with a ``resources`` list, each
resource ``INIT_COMPLETE`` with its resolved properties and ``required_by``.
"""

from __future__ import annotations

from typing import Any

from calor.api.native.stack_input import StackInput
from calor.engine.loading import build_definition, environment_types
from calor.engine.resource_runner import PluginTypes
from calor.engine.service import STACK_NAME, RequestContext
from calor.errors import ResourceTypeNotFound, UserError
from calor.plugins.context import MemoryPluginContext
from calor.template import function, paths
from calor.template.context import StackContext

PREVIEW_ID = "None"


def _as_text(value: Any) -> Any:
    """Heat shows parameter values as the strings they were given in."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def preview_stack(
    context: RequestContext, name: str, given: StackInput, plugin_types: PluginTypes, stack_url: str
) -> dict[str, Any]:
    """The preview body of stack ``name``; raises the errors a create would raise."""
    if not STACK_NAME.match(name):
        raise UserError(
            f'Invalid stack name {name} must contain only alphanumeric or "_-." characters, '
            "must start with alpha and must be 255 characters or less."
        )
    definition = build_definition(
        template=given.template,
        files=given.files,
        environment=given.environment,
        parameters=given.parameters,
        context=StackContext(stack_name=name, stack_id=PREVIEW_ID, project_id=context.project_id),
        plugin_types=plugin_types,
    )
    types = environment_types(plugin_types, definition.template.environment)
    required_by: dict[str, list[str]] = {resource: [] for resource in definition.resources}
    for resource_name, resource in definition.resources.items():
        for requirement in sorted(resource.dependencies()):
            if requirement in required_by:
                required_by[requirement].append(resource_name)
    resources = []
    for resource_name, resource in definition.resources.items():
        path = resource.path or paths.join("resources", resource_name)
        try:
            plugin_class = types(resource.type_name)
        except ResourceTypeNotFound as error:
            error.path = paths.join(path, "type")
            raise
        properties = resource.resolved_properties()
        if not any(True for _ in function.dependencies(resource.properties)):
            checked = plugin_class.validate_properties(properties, paths.join(path, "properties"))
            plugin_class(resource_name, checked, MemoryPluginContext(resource_name)).validate()
        resources.append(
            {
                "resource_name": resource_name,
                "logical_resource_id": resource_name,
                "physical_resource_id": "",
                "resource_type": resource.type_name,
                "resource_action": "INIT",
                "resource_status": "COMPLETE",
                "resource_status_reason": "",
                "properties": properties,
                "metadata": resource.resolved_metadata(),
                "attributes": {},
                "description": "",
                "required_by": required_by[resource_name],
                "stack_name": name,
                "updated_time": None,
                "creation_time": None,
            }
        )
    description = definition.template.description or ""
    return {
        "id": PREVIEW_ID,
        "stack_name": name,
        "description": description,
        "template_description": description,
        "parameters": {key: _as_text(value) for key, value in definition.parameters.masked().items()},
        "resources": resources,
        "disable_rollback": given.disable_rollback,
        "timeout_mins": given.timeout_minutes,
        "capabilities": [],
        "notification_topics": [],
        "creation_time": None,
        "updated_time": None,
        "deletion_time": None,
        "stack_owner": context.username,
        "links": [{"href": stack_url, "rel": "self"}],
    }
