"""Abandon, export and adopt: a stack's data without its cloud objects, and a stack made from it.

:func:`stack_data` is Heat's abandon data (``prepare_abandon``): the stack's name, id,
action, status, template, environment, files, tags and, per resource, its physical id,
type, state, metadata and resource data. A resource that is a nested stack (OS::Heat::Stack,
a provider template, ResourceGroup, ...) has its child stack's own abandon data as its
entry instead, as Heat's ``StackResource.prepare_abandon`` gives. Export returns it;
abandon returns it and then deletes the stack and its children keeping every cloud
object; adopt creates a stack from it, each resource taking over its cloud object
through ``handle_adopt`` instead of creating one (a nested stack adopts its child's part).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from calor.db.records import StackRecord
from calor.db.repository import Repository
from calor.engine import events
from calor.engine.dependencies import checked_graph
from calor.engine.lookup import StoredResourceLookup
from calor.engine.plugin_actions import run_action
from calor.engine.stack_operations import Outcome, StackDefinitionParts, StackOperation
from calor.engine.store import ADOPT as ADOPT  # re-exported: the service and jobs name it here
from calor.engine.store import COMPLETE, FAILED, IN_PROGRESS, ROLLBACK
from calor.errors import UserError
from calor.graph import CycleError, Slot

ABANDON_OPERATION = "abandon"
ADOPT_OPERATION = "adopt"
ENVIRONMENT_SECTIONS: dict[str, Any] = {
    "parameters": {},
    "resource_registry": {"resources": {}},
    "parameter_defaults": {},
    "encrypted_param_names": [],
    "event_sinks": [],
}


class NotSupported(UserError):
    """A feature switched off in the configuration (Heat's ``NotSupported``, a 400)."""

    heat_type = "NotSupported"


def user_environment(environment: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The stack's environment as Heat shows it: every section, the user's parameter values in."""
    shown = copy.deepcopy(ENVIRONMENT_SECTIONS)
    shown.update(environment)
    shown["parameters"] = {**dict(environment.get("parameters") or {}), **dict(parameters)}
    return shown


def stack_data(repository: Repository, stack: StackRecord) -> dict[str, Any]:
    """Heat's abandon (and export) body for ``stack``, its nested stacks' bodies inside."""
    raw = repository.get_raw_template(stack.raw_template_id) if stack.raw_template_id else None
    children = {child.id: child for child in repository.get_child_stacks(stack.id)}
    resources: dict[str, Any] = {}
    for record in repository.get_resources(stack.id, include_replaced=False):
        child = children.get(record.physical_resource_id or "")
        if child is not None and child.owner_resource_name == record.name:
            resources[record.name] = stack_data(repository, child)
            continue
        resources[record.name] = {
            "name": record.name,
            "resource_id": record.physical_resource_id,
            "type": record.type_name,
            "action": record.action,
            "status": record.status,
            "metadata": dict(record.metadata),
            "resource_data": repository.get_resource_data(record.id),
        }
    return {
        "name": stack.name,
        "id": stack.id,
        "action": stack.action,
        "status": stack.status,
        "template": dict(raw.template) if raw else {},
        "environment": user_environment(raw.environment if raw else {}, stack.parameters),
        "files": dict(raw.files) if raw else {},
        "resources": resources,
        "project_id": stack.project_id,
        "stack_user_project_id": stack.stack_user_project_id or stack.project_id,
        "tags": list(stack.tags) or None,
    }


def parse_adopt_data(value: Any) -> dict[str, Any]:
    """``adopt_stack_data`` as given (a mapping, or its JSON or YAML text) → a mapping with a template."""
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise UserError(f"Invalid adopt data: {error}") from error
    if not isinstance(value, Mapping):
        raise UserError("Invalid adopt data: it must be a JSON object.")
    if not isinstance(value.get("template"), Mapping):
        raise UserError("Invalid adopt data: it has no template.")
    return dict(value)


def adopt_parameters(adopt_data: Mapping[str, Any], parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The abandoned stack's parameter values, overridden by those given now (as Heat merges them)."""
    environment = adopt_data.get("environment") or {}
    merged = dict(environment.get("parameters") or {}) if isinstance(environment, Mapping) else {}
    merged.update(parameters or {})
    return merged


class AdoptOperation(StackOperation):
    """Create a stack from abandon data: ``handle_adopt`` per resource instead of ``handle_create``."""

    async def adopt(
        self,
        parts: StackDefinitionParts,
        resources_data: Mapping[str, Any],
        *,
        disable_rollback: bool,
        resuming: bool = False,
    ) -> Outcome:
        await self.run.load()
        if not resuming or not self.run.states:
            await self._set_stack(ADOPT, IN_PROGRESS, events.stack_started(ADOPT))
        try:
            graph = checked_graph(parts.resources)
        except CycleError as error:
            return await self._set_stack(ADOPT, FAILED, str(error))
        await self._store_initial(parts)
        runner = self._runner(parts)
        parts.context.resources = StoredResourceLookup(runner, parts.resources)

        async def visit(name: str, slot: Slot) -> None:
            if self.run.states[name].state == (ADOPT, COMPLETE):
                return
            data = resources_data.get(name)
            await run_action(
                runner,
                name,
                ADOPT,
                slot,
                start=lambda plugin: plugin.handle_adopt(dict(data or {})),
                check=lambda plugin, token: plugin.check_adopt_complete(token),
                definition=parts.resources[name],
            )

        result, timed_out = await self._walk(graph, visit, runner)
        if result is not None and result.ok:
            await self._store_outputs(runner, parts)
            return await self._set_stack(ADOPT, COMPLETE, events.stack_completed(ADOPT))
        if timed_out:
            await self._abort_in_progress(ADOPT, "Timed out")
            reason = "Timed out"
        else:
            assert result is not None
            reason = self._failure_reason(ADOPT, result)
            await self._abort_in_progress(ADOPT)
        if disable_rollback:
            return await self._set_stack(ADOPT, FAILED, reason)
        # Heat rolls a failed adopt back as an abandon: the adopted cloud objects stay.
        self.run.events.stack(ADOPT, FAILED, reason)
        self.run.deadline = None
        await self._set_stack(ROLLBACK, IN_PROGRESS, events.stack_started(ROLLBACK))
        rolled_back = await self._delete_resources(parts, abandon=True)
        if rolled_back.ok:
            return await self._set_stack(ROLLBACK, COMPLETE, events.stack_completed(ROLLBACK))
        return await self._set_stack(ROLLBACK, FAILED, self._failure_reason("DELETE", rolled_back))
