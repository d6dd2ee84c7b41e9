"""The service side of updates and stack actions: validate, merge, then queue (one transaction).

:func:`start_update` implements Heat's full (PUT) and patch (PATCH, ``existing``)
updates; :func:`start_action` queues check, suspend, resume and the two cancels;
:func:`preview_update` answers what an update would do without touching anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.db.records import RawTemplateRecord, StackRecord
from calor.definition.stack import StackDefinition
from calor.engine.loading import build_definition
from calor.engine.operations import jobs
from calor.engine.operations.preview import Level, preview_changes
from calor.engine.repository_store import RepositoryStore
from calor.errors import Conflict, UserError
from calor.template.context import StackContext
from calor.template.environment import Environment, merge_environments
from calor.template.parameters import check_immutable

if TYPE_CHECKING:
    from calor.engine.service import OrchestrationService, RequestContext


class NotSupported(UserError):
    """An operation Heat refuses in the stack's present state."""

    heat_type = "NotSupported"


ACTION_OPERATIONS = {
    "check": (jobs.CHECK_OPERATION, "CHECK"),
    "suspend": (jobs.SUSPEND_OPERATION, "SUSPEND"),
    "resume": (jobs.RESUME_OPERATION, "RESUME"),
    "cancel_update": (jobs.CANCEL_OPERATION, "UPDATE"),
    "cancel_without_rollback": (jobs.CANCEL_WITHOUT_ROLLBACK_OPERATION, "UPDATE"),
}


def _raw(service: OrchestrationService, stack: StackRecord) -> RawTemplateRecord:
    raw = service.repository.get_raw_template(stack.raw_template_id) if stack.raw_template_id else None
    if raw is None:
        raise UserError(f"The template of stack {stack.name} could not be read.")
    return raw


def _merged_environment(old: Mapping[str, Any], new: Mapping[str, Any] | None) -> dict[str, Any]:
    if not new:
        return dict(old)
    if not old:
        return dict(new)
    merged = merge_environments([Environment.from_mapping(old), Environment.from_mapping(new, "environment")])
    return merged.to_mapping()


def _without(values: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in names}


def _stored_definition(
    service: OrchestrationService, stack: StackRecord, raw: RawTemplateRecord
) -> StackDefinition | None:
    try:
        return build_definition(
            template=raw.template,
            files=raw.files,
            environment=raw.environment,
            parameters=stack.parameters,
            context=StackContext(stack_name=stack.name, stack_id=stack.id, project_id=stack.project_id),
            plugin_types=service.plugin_types,
        )
    except UserError:
        return None


def _new_inputs(
    service: OrchestrationService,
    stack: StackRecord,
    raw: RawTemplateRecord,
    template: Mapping[str, Any] | str | None,
    options: Mapping[str, Any],
) -> tuple[Mapping[str, Any] | str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The template, files, environment and parameters an update (or its preview) uses."""
    files = options.get("files")
    environment = options.get("environment")
    parameters = options.get("parameters")
    clear = list(options.get("clear_parameters") or [])
    if options.get("existing"):
        new_files = {**raw.files, **(files or {})}
        new_environment = _merged_environment(raw.environment, environment)
        new_parameters = {**stack.parameters, **(parameters or {})}
    else:
        new_files = dict(files or (raw.files if template is None else {}))
        new_environment = dict(environment or {})
        new_parameters = dict(parameters or {})
    if clear:
        new_parameters = _without(new_parameters, clear)
        for section in ("parameters", "parameter_defaults"):
            if isinstance(new_environment.get(section), Mapping):
                new_environment[section] = _without(new_environment[section], clear)
    return (template if template is not None else raw.template), new_files, new_environment, new_parameters


def _validated(
    service: OrchestrationService,
    context: RequestContext,
    stack: StackRecord,
    template: Mapping[str, Any] | str | None,
    options: Mapping[str, Any],
) -> tuple[StackDefinition, RawTemplateRecord, dict[str, Any], dict[str, Any], dict[str, Any]]:
    raw = _raw(service, stack)
    new_template, files, environment, parameters = _new_inputs(service, stack, raw, template, options)
    definition = service._definition(
        context,
        name=stack.name,
        stack_id=stack.id,
        template=new_template,
        parameters=parameters,
        files=files,
        environment=environment,
    )
    old = _stored_definition(service, stack, raw)
    if old is not None:
        check_immutable(definition.template.parameter_schemas(), old.parameters, definition.parameters)
    return definition, raw, files, environment, parameters


def start_update(
    service: OrchestrationService,
    context: RequestContext,
    stack_identity: str,
    template: Mapping[str, Any] | str | None,
    **options: Any,
) -> None:
    """Validate the update, then store the new template and queue the job in one transaction."""
    stack = service.find_stack(context, stack_identity)
    if stack.status == "IN_PROGRESS":
        raise Conflict(f"Stack {stack.name} already has an action ({stack.action}) in progress.")
    if (stack.action, stack.status) == ("SUSPEND", "COMPLETE"):
        raise NotSupported("Updating a stack when it is suspended is not supported.")
    definition, _raw_record, files, environment, parameters = _validated(
        service, context, stack, template, options
    )
    disable_rollback = options.get("disable_rollback")
    if disable_rollback is None:
        disable_rollback = stack.disable_rollback
    timeout = options.get("timeout")
    changes: dict[str, Any] = {
        "parameters": parameters,
        "disable_rollback": bool(disable_rollback),
        "timeout_minutes": timeout if timeout is not None else stack.timeout_minutes,
    }
    tags = options.get("tags")
    if tags or not options.get("existing"):
        changes["tags"] = list(tags or ())
    payload = {
        "previous_raw_template_id": stack.raw_template_id,
        "previous_parameters": dict(stack.parameters),
        "disable_rollback": bool(disable_rollback),
    }
    service.repository.start_stack_operation(
        stack.id,
        action="UPDATE",
        operation=jobs.UPDATE_OPERATION,
        payload=payload,
        project_id=stack.project_id,
        template=dict(definition.template.data),
        files=files,
        environment=environment,
        expected_version=stack.version,
        **changes,
    )


def start_action(
    service: OrchestrationService, context: RequestContext, stack_identity: str, action: str
) -> None:
    """Queue ``check``, ``suspend``, ``resume``, ``cancel_update`` or ``cancel_without_rollback``."""
    if action not in ACTION_OPERATIONS:
        raise UserError(f"Invalid action {action} specified")
    operation, stack_action = ACTION_OPERATIONS[action]
    stack = service.find_stack(context, stack_identity)
    if operation in (jobs.CANCEL_OPERATION, jobs.CANCEL_WITHOUT_ROLLBACK_OPERATION):
        if stack.action != "UPDATE" or stack.status != "IN_PROGRESS":
            raise Conflict(f"Cancelling update when stack is {stack.action}_{stack.status}")
        updates = [
            job
            for job in service.repository.queue.list_jobs(stack_id=stack.id)
            if job.operation == jobs.UPDATE_OPERATION
        ]
        payload = dict(updates[-1].payload) if updates else {}
        service.repository.start_stack_operation(
            stack.id,
            action=stack_action,
            operation=operation,
            payload=payload,
            project_id=stack.project_id,
            status_reason="Stack UPDATE cancel requested",
            allow_in_progress=True,
            cancel_running=True,
        )
        return
    if action == "resume" and (stack.action, stack.status) != ("SUSPEND", "COMPLETE"):
        raise NotSupported(f"Resume of stack {stack.name} that is not suspended is not supported.")
    service.repository.start_stack_operation(
        stack.id, action=stack_action, operation=operation, project_id=stack.project_id
    )


def preview_update(
    service: OrchestrationService,
    context: RequestContext,
    stack_identity: str,
    template: Mapping[str, Any] | str | None,
    *,
    show_nested: bool = False,
    **options: Any,
) -> dict[str, list[dict[str, Any]]]:
    """Heat's update preview: ``added``, ``deleted``, ``replaced``, ``updated``, ``unchanged``.

    With ``show_nested`` the changes inside nested stacks join the lists
    (:mod:`calor.engine.operations.preview`).
    """
    stack = service.find_stack(context, stack_identity)
    definition, _raw_record, _files, environment, _parameters = _validated(
        service, context, stack, template, options
    )
    states = RepositoryStore(service.repository).load_resources(stack.id)
    top = Level(stack.name, stack.id, stack.project_id, states, definition, environment=environment)
    return preview_changes(service.repository, service.plugin_types, top, show_nested=show_nested)
