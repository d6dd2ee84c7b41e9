"""The base of every resource that is a nested stack (Heat's ``StackResource``).

``handle_create`` stores the child stack (its id becomes the physical id) and the
check polls its status; ``handle_delete`` deletes it; the child's outputs are the
resource's attributes. A child that fails fails the resource with the nested path
(``resources.group.resources.0: ...``) in its reason. An update updates the child in
place, also when the properties are the same but what the child is built from changed
(:meth:`NestedStackResource.needs_update`). ``handle_adopt`` takes the child's
abandon data (the resource's entry in its parent's) and adopts a new child stack from
it. When another resource fails, the resource is stopped at once and the engine stops
its child (``cancel_on_failure``).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.errors import CalorError, ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.nested import ChildStack, NestedStacks, nested_stacks_of

COMPLETE = "COMPLETE"
FAILED = "FAILED"
_STACK_ID = "stack_id"
_ADOPT_RESOURCES = "adopt_resources"


class NestedStackResource(ResourcePlugin, abc.ABC):
    """A resource backed by a child stack; subclasses give its template and parameters."""

    cancel_on_failure: ClassVar[bool] = True

    @abc.abstractmethod
    def child_template(self) -> Mapping[str, Any] | str:
        """The child stack's template (a mapping, or a name in the files map)."""

    def child_parameters(self) -> Mapping[str, Any]:
        return {}

    def child_files(self) -> Mapping[str, str] | None:
        return None

    def child_timeout_minutes(self) -> int | None:
        return None

    def removing_type(self) -> str | None:
        """The registry mapping that led here, left out inside the child (no recursion)."""
        return None

    # --- helpers --------------------------------------------------------------------------

    def nested_stacks(self) -> NestedStacks:
        return nested_stacks_of(self.context, self.name)

    def child(self) -> ChildStack | None:
        """The child stack's stored state (``None`` without one)."""
        if self.resource_id is None:
            return None
        return self.nested_stacks().get(str(self.resource_id))

    def child_outputs(self) -> Mapping[str, Any]:
        child = self.child()
        return dict(child.outputs) if child is not None else {}

    def _failure(self, child: ChildStack, action: str) -> ResourceFailure:
        from calor.engine.nested import nested_path_reason

        return ResourceFailure(
            nested_path_reason(self.name, child.reason), resource_name=self.name, action=action
        )

    # --- create ---------------------------------------------------------------------------

    def handle_create(self) -> Any:
        stack_id = self.nested_stacks().create(
            self.child_template(),
            parameters=self.child_parameters(),
            files=self.child_files(),
            timeout_minutes=self.child_timeout_minutes(),
            removing_type=self.removing_type(),
        )
        self.context.set_resource_id(stack_id)
        return {_STACK_ID: stack_id}

    def check_create_complete(self, token: Any) -> bool:
        stack_id = token[_STACK_ID] if isinstance(token, Mapping) else self.resource_id
        child = self.nested_stacks().get(str(stack_id))
        if child is None:
            raise ResourceFailure("The nested stack was deleted.", resource_name=self.name, action="CREATE")
        if child.status == FAILED:
            raise self._failure(child, "CREATE")
        return child.state == ("CREATE", COMPLETE)

    # --- adopt ----------------------------------------------------------------------------

    def handle_adopt(self, resource_data: Mapping[str, Any]) -> Any:
        """Adopt a new child stack from the child's abandon data (``resources`` per child resource)."""
        resources = resource_data.get("resources")
        if not isinstance(resources, Mapping):
            raise ResourceFailure(
                f"The abandon data of {self.name} is not a nested stack's (it has no resources).",
                resource_name=self.name,
                action="ADOPT",
            )
        stack_id = self.nested_stacks().adopt(
            self.child_template(),
            parameters=self.child_parameters(),
            resources=resources,
            files=self.child_files(),
            timeout_minutes=self.child_timeout_minutes(),
            removing_type=self.removing_type(),
        )
        self.context.set_resource_id(stack_id)
        return {_STACK_ID: stack_id, _ADOPT_RESOURCES: dict(resources)}

    def check_adopt_complete(self, token: Any) -> bool:
        stack_id = token[_STACK_ID] if isinstance(token, Mapping) else self.resource_id
        resources = token.get(_ADOPT_RESOURCES) if isinstance(token, Mapping) else None
        child = self.nested_stacks().get(str(stack_id), adopt_resources=resources)
        if child is None:
            raise ResourceFailure("The nested stack was deleted.", resource_name=self.name, action="ADOPT")
        if child.status == FAILED:
            raise self._failure(child, "ADOPT")
        return child.state == ("ADOPT", COMPLETE)

    # --- update ---------------------------------------------------------------------------

    def needs_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        """Heat updates every nested stack: also when the properties did not change but what
        the child is built from did (its provider template or a file it reads, the
        registry or ``parameter_defaults`` flowing into it). A child where nothing changed
        is left alone."""
        if property_diff or self.resource_id is None:
            return super().needs_update(new_properties, property_diff)
        try:
            return self.nested_stacks().changed(
                str(self.resource_id),
                self.child_template(),
                parameters=self.child_parameters(),
                files=self.child_files(),
                removing_type=self.removing_type(),
            )
        except CalorError:
            return True  # the update reports what is wrong

    def prepare_update(self) -> None:
        """Work the new definition needs before its child template is built (ResourceGroup)."""

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        """Update the child stack in place with the template and parameters of the new properties."""
        if self.resource_id is None:
            return None
        updated = type(self)(self.name, new_properties, self.context, self.metadata)
        updated.prepare_update()
        stack_id = str(self.resource_id)
        self.nested_stacks().update(
            stack_id,
            updated.child_template(),
            parameters=updated.child_parameters(),
            files=updated.child_files(),
            timeout_minutes=updated.child_timeout_minutes(),
            removing_type=updated.removing_type(),
        )
        return {_STACK_ID: stack_id}

    def check_update_complete(self, token: Any) -> bool:
        if not isinstance(token, Mapping):
            return True
        child = self.nested_stacks().get(str(token[_STACK_ID]))
        if child is None:
            raise ResourceFailure("The nested stack was deleted.", resource_name=self.name, action="UPDATE")
        if child.status == FAILED:
            raise self._failure(child, "UPDATE")
        return child.state == ("UPDATE", COMPLETE)

    # --- delete ---------------------------------------------------------------------------

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        stack_id = str(self.resource_id)
        self.nested_stacks().delete(stack_id)
        return {_STACK_ID: stack_id}

    def check_delete_complete(self, token: Any) -> bool:
        if not isinstance(token, Mapping):
            return True
        child = self.nested_stacks().get(str(token[_STACK_ID]))
        if child is None or child.deleted:
            return True
        if child.action == "DELETE" and child.status == FAILED:
            raise self._failure(child, "DELETE")
        return False
