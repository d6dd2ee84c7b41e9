"""``OrchestrationService``: the Python interface the REST APIs call.

Reads (list, show, events, outputs, validate) are answered from the database in the
caller's process. Mutations are validated synchronously (a bad template, parameter,
resource type or property raises a :class:`~calor.errors.UserError` at once) and then
written as a stack change plus a job in one transaction; an engine runs the job.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from calor.clouds import ConnectionFactory
from calor.db.records import NewUserCredentials, ResourceRecord, StackRecord
from calor.db.repository import Repository
from calor.definition.stack import StackDefinition
from calor.engine import nested, signals, views
from calor.engine.admission import Admission
from calor.engine.cloud_validation import CloudValidation, register_cloud_constraints
from calor.engine.loading import attribute_names, build_definition, environment_from, environment_types
from calor.engine.operations import requests as update_requests
from calor.engine.portability_service import PortabilityMethods
from calor.engine.resource_runner import PluginTypes
from calor.engine.worker import CREATE_OPERATION, DELETE_OPERATION
from calor.errors import NotFound, ResourceTypeNotFound, StackNotFound, UserError
from calor.plugins.context import MemoryPluginContext
from calor.security.deferred_auth import DeferredAuth
from calor.template import function, parse_template, paths
from calor.template.context import StackContext

STACK_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$")


@dataclass(frozen=True)
class RequestContext:
    """Who is asking: the project (tenant), the user, their roles."""

    project_id: str
    user_id: str | None = None
    roles: tuple[str, ...] = ()
    is_admin: bool = False
    username: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class NotSupportedYet(UserError):
    """An operation Calor does not offer yet."""

    http_status = 501
    heat_type = "NotSupported"


class OrchestrationService(PortabilityMethods):
    """Stack operations and queries on one database (abandon, adopt, snapshots: PortabilityMethods)."""

    def __init__(
        self,
        repository: Repository,
        plugin_types: PluginTypes,
        *,
        connections: ConnectionFactory | None = None,
        admission: Admission | None = None,
        deferred_auth: DeferredAuth | None = None,
    ) -> None:
        self.repository = repository
        self.plugin_types = plugin_types
        # Trusts (or stored passwords) made for new stacks; None: stacks store no credentials.
        self.deferred_auth = deferred_auth
        # Quotas and resource type policy, the same for heat-api and heat-api-cfn.
        self.admission = admission if admission is not None else Admission()
        # The cloud for checks before queueing (catalog, custom constraints); None: offline.
        self.clouds = CloudValidation(connections)
        register_cloud_constraints()

    # --- validation -----------------------------------------------------------------------

    def _definition(
        self,
        context: RequestContext,
        *,
        name: str,
        stack_id: str,
        template: Mapping[str, Any] | str,
        parameters: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        environment: Mapping[str, Any] | None,
    ) -> StackDefinition:
        stack_context = StackContext(
            stack_name=name, stack_id=stack_id, project_id=context.project_id, files=dict(files or {})
        )
        definition = build_definition(
            template=template,
            files=files,
            environment=environment,
            parameters=parameters,
            context=stack_context,
            plugin_types=self.plugin_types,
        )
        nested.check_stack_size(len(definition.resources))
        self._validate_resources(definition, cloud=self.clouds.connection(context.project_id))
        return definition

    def _validate_resources(self, definition: StackDefinition, cloud: Any = None) -> None:
        """Every resource type known; properties valid where they do not depend on other resources."""
        plugin_types = environment_types(
            self.plugin_types, definition.template.environment, definition.template.files
        )
        for name, resource in definition.resources.items():
            try:
                plugin_class = plugin_types(resource.type_name)
            except ResourceTypeNotFound as error:
                error.path = paths.join(resource.path or paths.join("resources", name), "type")
                raise
            resource_path = resource.path or paths.join("resources", name)
            self.clouds.check_type(plugin_class, paths.join(resource_path, "type"))
            if any(True for _ in function.dependencies(resource.properties)):
                continue
            properties_path = paths.join(resource.path or paths.join("resources", name), "properties")
            plugin_context = MemoryPluginContext(name, cloud=cloud)
            properties = plugin_class.validate_properties(
                resource.resolved_properties(), properties_path, plugin_context
            )
            plugin_class(name, properties, plugin_context).validate()

    def validate_template(
        self,
        context: RequestContext,
        template: Mapping[str, Any] | str,
        *,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        show_nested: bool = False,
        ignore_errors: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Heat's ``POST /validate`` body; raises a UserError for an invalid template."""
        from calor.template.validation import validate_template

        self.admission.check_template(context, template, files, environment)
        parsed = parse_template(
            template,
            files={str(key): str(value) for key, value in (files or {}).items()},
            environment=environment_from(environment),
        )
        return validate_template(
            parsed,
            parameters=parameters,
            show_nested=show_nested,
            ignore_errors=ignore_errors,
            attribute_names=attribute_names(self.plugin_types),
        )

    # --- mutations ------------------------------------------------------------------------

    def create_stack(
        self,
        context: RequestContext,
        name: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        timeout: int | None = None,
        disable_rollback: bool = True,
        tags: Sequence[str] = (),
    ) -> str:
        """Validate, then store the stack and its create job together; returns the stack id."""
        if not STACK_NAME.match(name or ""):
            raise UserError(
                f'Invalid stack name {name} must contain only alphanumeric or "_-." characters, '
                "must start with alpha and must be 255 characters or less."
            )
        self.admission.check_stack_count(context, self.repository.count_stacks(context.project_id))
        self.admission.check_template(context, template, files, environment)
        stack_id = str(uuid.uuid4())
        definition = self._definition(
            context,
            name=name,
            stack_id=stack_id,
            template=template,
            parameters=parameters,
            files=files,
            environment=environment,
        )
        with self.delegate(context) as credentials:
            stack, _job = self.repository.create_stack_with_job(
                name=name,
                project_id=context.project_id,
                user_id=context.user_id,
                stack_id=stack_id,
                template=dict(definition.template.data),
                operation=CREATE_OPERATION,
                files=dict(files or {}),
                environment=dict(environment or {}),
                parameters=dict(parameters or {}),
                timeout_minutes=timeout,
                disable_rollback=disable_rollback,
                tags=list(tags),
                user_credentials=credentials,
            )
        return stack.id

    def delegate(self, context: RequestContext) -> AbstractContextManager[NewUserCredentials | None]:
        """The credentials a new stack stores for the engine (a trust or a password; ``None``
        without deferred auth); a trust whose stack is then not stored is deleted again."""
        if self.deferred_auth is None:
            return nullcontext(None)
        return self.deferred_auth.delegate(context)

    def delete_stack(self, context: RequestContext, stack_identity: str) -> None:
        """Queue the stack's deletion (cancelling an operation in progress, as Heat does)."""
        stack = self.find_stack(context, stack_identity)
        self.repository.start_stack_operation(
            stack.id,
            action="DELETE",
            operation=DELETE_OPERATION,
            project_id=stack.project_id,
            allow_in_progress=True,
            cancel_running=True,
        )

    def update_stack(
        self,
        context: RequestContext,
        stack_identity: str,
        template: Mapping[str, Any] | str | None,
        *,
        parameters: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        timeout: int | None = None,
        disable_rollback: bool | None = None,
        tags: Sequence[str] | None = None,
        existing: bool = False,
        clear_parameters: Sequence[str] = (),
    ) -> None:
        """Heat's stack update (PUT) or patch update (``existing``); queued like any operation."""
        if template is not None:
            self.admission.check_template(context, template, files, environment)
        update_requests.start_update(
            self,
            context,
            stack_identity,
            template,
            parameters=parameters,
            files=files,
            environment=environment,
            timeout=timeout,
            disable_rollback=disable_rollback,
            tags=tags,
            existing=existing,
            clear_parameters=clear_parameters,
        )

    def preview_update(
        self,
        context: RequestContext,
        stack_identity: str,
        template: Mapping[str, Any] | str | None,
        **options: Any,
    ) -> dict[str, list[dict[str, Any]]]:
        """What :meth:`update_stack` with the same arguments would do, touching nothing."""
        if template is not None:
            self.admission.check_template(context, template, options.get("files"), options.get("environment"))
        return update_requests.preview_update(self, context, stack_identity, template, **options)

    def stack_action(self, context: RequestContext, stack_identity: str, action: str) -> None:
        """Queue check, suspend, resume, cancel_update or cancel_without_rollback."""
        update_requests.start_action(self, context, stack_identity, action)

    # --- reads ----------------------------------------------------------------------------

    def find_stack(
        self, context: RequestContext, stack_identity: str, *, show_deleted: bool = False
    ) -> StackRecord:
        """The caller's stack: one of its project (any project for admins), or, for a stack user
        (a token or key pair of a stack domain project), the stack tree that project belongs to."""
        project = None if context.is_admin else context.project_id
        stack = self.repository.find_stack(stack_identity, project, show_deleted=show_deleted)
        if stack is None and not context.is_admin:
            stack = self.repository.find_stack_of_stack_user(
                stack_identity, context.project_id, show_deleted=show_deleted
            )
        if stack is None:
            raise StackNotFound(f"The Stack ({stack_identity}) could not be found.")
        return stack

    def list_stacks(self, context: RequestContext, **options: Any) -> list[dict[str, Any]]:
        """Heat's stack list (``options`` as :meth:`Repository.list_stacks` takes them)."""
        stacks = self.repository.list_stacks(context.project_id, **options)
        return [views.stack_summary(stack, self._description(stack)) for stack in stacks]

    def _description(self, stack: StackRecord) -> str:
        if stack.raw_template_id is None:
            return ""
        raw = self.repository.get_raw_template(stack.raw_template_id)
        if raw is None:
            return ""
        value = raw.template.get("description", raw.template.get("Description", ""))
        return str(value or "")

    def show_stack(self, context: RequestContext, stack_identity: str) -> dict[str, Any]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        return views.stack_detail(
            stack,
            description=self._description(stack),
            parameters=self._shown_parameters(stack),
            outputs=list(stack.outputs or []),
        )

    def _shown_parameters(self, stack: StackRecord) -> Mapping[str, Any]:
        """User and pseudo parameters, hidden ones masked (the stored values if the template fails)."""
        raw = self.repository.get_raw_template(stack.raw_template_id) if stack.raw_template_id else None
        if raw is None:
            return dict(stack.parameters)
        try:
            definition = build_definition(
                template=raw.template,
                files=raw.files,
                environment=raw.environment,
                parameters=stack.parameters,
                context=StackContext(stack_name=stack.name, stack_id=stack.id, project_id=stack.project_id),
                plugin_types=self.plugin_types,
            )
        except UserError:
            return dict(stack.parameters)
        return definition.parameters.masked()

    def list_resources(self, context: RequestContext, stack_identity: str) -> list[dict[str, Any]]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        resources = self.repository.get_resources(stack.id, include_replaced=False)
        required_by = _required_by(resources)
        return [
            views.resource_body(resource, stack, required_by=required_by[resource.name])
            for resource in resources
        ]

    def show_resource(
        self, context: RequestContext, stack_identity: str, resource_name: str
    ) -> dict[str, Any]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        resources = self.repository.get_resources(stack.id, include_replaced=False)
        for resource in resources:
            if resource.name == resource_name:
                body = views.resource_body(
                    resource, stack, required_by=_required_by(resources)[resource_name]
                )
                body["attributes"] = self._attributes(resource)
                body["metadata"] = dict(resource.metadata)
                body["description"] = ""
                return body
        raise NotFound(f"The Resource ({resource_name}) could not be found in Stack {stack.name}.")

    def _attributes(self, resource: ResourceRecord) -> dict[str, Any]:
        """Stored attribute values, completed by the plugin where it can answer from stored data."""
        values = dict(resource.attribute_data)
        try:
            plugin_class = self.plugin_types(resource.type_name)
            plugin_context = MemoryPluginContext(
                resource.name,
                stack_id=resource.stack_id,
                resource_id=resource.physical_resource_id,
                data=self.repository.get_resource_data(resource.id),
                stored_attributes=resource.attribute_data,
            )
            plugin = plugin_class(resource.name, resource.properties_data, plugin_context, resource.metadata)
            for name in plugin_class.attribute_schemas():
                if name not in values and name != "show":
                    values[name] = plugin.get_attribute(name)
        except Exception:  # a plugin that cannot answer offline shows what was stored
            return values
        return values

    def list_events(
        self,
        context: RequestContext,
        stack_identity: str,
        *,
        resource_name: str | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        events = self.repository.list_events(stack.id, resource_name=resource_name, **options)
        return [views.event_body(event, stack) for event in events]

    def list_outputs(self, context: RequestContext, stack_identity: str) -> list[dict[str, Any]]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        listed = []
        for output in stack.outputs or []:
            entry = {"output_key": output["output_key"], "description": output.get("description")}
            if "output_error" in output:
                entry["output_error"] = output["output_error"]
            listed.append(entry)
        return listed

    def show_output(self, context: RequestContext, stack_identity: str, output_key: str) -> dict[str, Any]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        for output in stack.outputs or []:
            if output["output_key"] == output_key:
                return dict(output)
        raise NotFound(f"Specified output key {output_key} not found.")

    # --- signals and mark unhealthy (calor.engine.signals) --------------------------------

    def signal_resource(
        self, context: RequestContext, stack_identity: str, resource_name: str, details: Any = None
    ) -> None:
        """Deliver a signal (or ``{"unset_hook": hook}``) to a resource, at once."""
        stack = self.find_stack(context, stack_identity)
        signals.signal_resource(self.repository, self.plugin_types, stack, resource_name, details)

    def mark_resource_unhealthy(
        self,
        context: RequestContext,
        stack_identity: str,
        resource_name: str,
        mark_unhealthy: bool,
        reason: str | None = None,
    ) -> None:
        """``CHECK_FAILED`` (or back to ``CHECK_COMPLETE`` when ``mark_unhealthy`` is false)."""
        stack = self.find_stack(context, stack_identity)
        signals.mark_unhealthy(self.repository, stack, resource_name, mark_unhealthy, reason)


def _required_by(resources: Sequence[ResourceRecord]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {resource.name: [] for resource in resources}
    for resource in resources:
        for requirement in resource.requires:
            if requirement in found:
                found[requirement].append(resource.name)
    return found
