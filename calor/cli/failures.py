"""Finding the resources behind a failed stack, down through nested stacks (``stack failures list``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calor.cli.results import as_mapping

MAXIMUM_DEPTH = 10


@dataclass(frozen=True)
class Failure:
    """A failed resource: its nested ``path`` (``stack.group.0.server``), type, status and reason."""

    path: str
    resource_type: str
    status: str
    reason: str
    physical_resource_id: str = ""

    def describe(self) -> str:
        kind = f" ({self.resource_type})" if self.resource_type else ""
        return f"{self.path}{kind} {self.status}: {self.reason}"


def find_failures(client: Any, stack: str) -> list[Failure]:
    """The failed resources of ``stack``; a failed nested stack is replaced by its own failures."""
    from heatclient import exc  # type: ignore[import-untyped]

    try:
        resources = client.resources.list(stack)
    except exc.HTTPException:
        return []
    failures: list[Failure] = []
    _collect(client, resources, [stack.split("/")[0]], failures, MAXIMUM_DEPTH)
    return failures


def _collect(client: Any, resources: list[Any], path: list[str], failures: list[Failure], depth: int) -> bool:
    from heatclient import exc

    found = False
    for resource in resources:
        data = as_mapping(resource)
        status = str(data.get("resource_status") or "")
        if not status.endswith("FAILED"):
            continue
        found = True
        name = str(data.get("resource_name") or data.get("logical_resource_id") or "")
        nested_path = [*path, name]
        physical_id = str(data.get("physical_resource_id") or "")
        relations = {link.get("rel") for link in data.get("links") or () if isinstance(link, dict)}
        nested_found = False
        if "nested" in relations and physical_id and depth > 0:
            try:
                nested = client.resources.list(physical_id)
            except exc.HTTPException:
                nested = []
            nested_found = _collect(client, nested, nested_path, failures, depth - 1)
        if not nested_found:
            failures.append(
                Failure(
                    ".".join(nested_path),
                    str(data.get("resource_type") or ""),
                    status,
                    str(data.get("resource_status_reason") or ""),
                    physical_id,
                )
            )
    return found
