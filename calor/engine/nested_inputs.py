"""Whether a child stack would be built differently from what it was last built from.

Heat updates every nested stack on a parent update and lets the child's resources
decide; Calor does the same, but skips a child when nothing it is built from changed:
its template, its parameters, its environment (the parent's registry as seen inside
and ``parameter_defaults``) and the files it reads. A file counts when it is named by
the child's template or parameters, by a file that counts, or as the target of a
registry entry whose type is named there (a name mentioned anywhere counts: when in
doubt, the child is updated and its resources decide).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calor.errors import UserError
from calor.template.environment import Environment
from calor.template.loader import load

if TYPE_CHECKING:
    from calor.db.repository import Repository

REGISTRY = "resource_registry"
PER_RESOURCE = "resources"


@dataclass(frozen=True)
class ChildInputs:
    """What a child stack is built from."""

    template: Mapping[str, Any] | str
    parameters: Mapping[str, Any]
    files: Mapping[str, Any]
    environment: Mapping[str, Any]


def child_environment(
    environment: Environment | Mapping[str, Any] | None, resource_name: str, removing_type: str | None
) -> dict[str, Any]:
    """The environment a child stack gets: the parent's registry as seen inside, no parameters."""
    if not isinstance(environment, Environment):
        environment = Environment.from_mapping(dict(environment or {}), "environment")
    child = dataclasses.replace(
        environment,
        parameters={},
        registry=environment.registry.nested(resource_name, removing_type=removing_type),
    )
    return child.to_mapping()


def canonical(value: Any) -> str:
    """``value`` as comparable text (stored values went through JSON)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def template_data(template: Mapping[str, Any] | str) -> Any:
    """A template's data as it is stored (text loaded as the parser loads it)."""
    if isinstance(template, Mapping):
        return template
    return load(template, source="<nested template>").data


def referenced_files(texts: Iterable[str], files: Mapping[str, Any], registry: Mapping[str, Any]) -> set[str]:
    """The names in ``files`` that ``texts`` name, directly, through other files or the registry.

    ``registry`` maps type names (or globs ``Prefix*``) to a type, a file, or a file
    prefix (``dir/*``); an entry counts once its type is named (a glob always counts).
    """
    entries = {str(key): str(value) for key, value in registry.items() if isinstance(value, str)}
    pending = list(texts)
    found: set[str] = set()
    used: set[str] = set()
    prefixes: list[str] = []
    while pending:
        text = pending.pop()
        for key, target in entries.items():
            if key not in used and (key.endswith("*") or key in text):
                used.add(key)
                if target.endswith("*"):
                    prefixes.append(target[:-1])
                pending.append(target)
        for name, content in files.items():
            if name not in found and (name in text or any(name.startswith(prefix) for prefix in prefixes)):
                found.add(name)
                pending.append(str(content))
    return found


def _template_text(template: Mapping[str, Any] | str) -> str:
    return template if isinstance(template, str) else canonical(template)


def inputs_changed(stored: ChildInputs, new: ChildInputs) -> bool:
    """Whether a child built from ``new`` would differ from one built from ``stored``."""
    try:
        if canonical(template_data(stored.template)) != canonical(template_data(new.template)):
            return True
    except UserError:
        return True  # the update reports what is wrong with the template
    if canonical(stored.parameters) != canonical(new.parameters):
        return True
    if canonical(stored.environment) != canonical(new.environment):
        return True
    registry = new.environment.get(REGISTRY) or {}
    texts = [
        _template_text(new.template),
        canonical(new.parameters),
        canonical(registry.get(PER_RESOURCE) or {}),
    ]
    types = {key: value for key, value in registry.items() if key != PER_RESOURCE}
    names = referenced_files(texts, new.files, types)
    return any(stored.files.get(name) != new.files.get(name) for name in names)


def stored_inputs(repository: Repository, stack_id: str) -> ChildInputs | None:
    """What the child ``stack_id`` was last built from (``None`` when it cannot be read)."""
    stack = repository.get_stack(stack_id)
    if stack is None or stack.raw_template_id is None:
        return None
    raw = repository.get_raw_template(stack.raw_template_id)
    if raw is None:
        return None
    return ChildInputs(raw.template, stack.parameters, raw.files, raw.environment)


def child_changed(repository: Repository, stack_id: str, new: ChildInputs) -> bool:
    """Whether the stored child ``stack_id`` needs an update to be built from ``new``."""
    stored = stored_inputs(repository, stack_id)
    return stored is None or inputs_changed(stored, new)
