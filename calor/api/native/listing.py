"""Query strings of the list routes → repository options (filters, sort, paging, tags)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from calor.api.errors import BadRequest
from calor.api.request_body import boolean_value, integer_value

STACK_FILTERS = {
    "id": "id",
    "name": "name",
    "stack_name": "name",
    "status": "status",
    "stack_status": "status",
    "action": "action",
    "stack_action": "action",
    "tenant": "project_id",
    "username": "user_id",
    "owner_id": "parent_id",
}
STACK_SORT_KEYS = ("stack_name", "stack_status", "creation_time", "updated_time", "name", "status")
SORT_DIRECTIONS = ("asc", "desc")
TAG_OPTIONS = ("tags", "tags_any", "not_tags", "not_tags_any")


def _flag(args: MultiDict[str, str], name: str) -> bool:
    value = args.get(name)
    return False if value is None else boolean_value(value, name)


def sort_direction(args: MultiDict[str, str], default: str) -> str:
    direction = args.get("sort_dir", default).lower()
    if direction not in SORT_DIRECTIONS:
        raise BadRequest(f"Unknown sort direction, must be one of: {', '.join(SORT_DIRECTIONS)}")
    return direction


def limit_of(args: MultiDict[str, str]) -> int | None:
    value = args.get("limit")
    return None if value is None else integer_value(value, "limit")


def stack_list_options(args: MultiDict[str, str]) -> tuple[dict[str, Any], bool, bool]:
    """``(options for Repository.list_stacks, with_count, global_tenant)``."""
    filters: dict[str, Any] = {}
    for key, column in STACK_FILTERS.items():
        values = args.getlist(key)
        if values:
            filters[column] = values[0] if len(values) == 1 else values
    sort_keys = [key for value in args.getlist("sort_keys") for key in value.split(",") if key]
    for key in sort_keys:
        if key not in STACK_SORT_KEYS:
            raise BadRequest(f"Sort key {key!r} is not one of: {', '.join(STACK_SORT_KEYS)}.")
    options: dict[str, Any] = {
        "filters": filters,
        "sort_keys": tuple(sort_keys) or ("created_at",),
        "sort_dir": sort_direction(args, "desc"),
        "limit": limit_of(args),
        "marker": args.get("marker"),
        "show_deleted": _flag(args, "show_deleted"),
        "show_nested": _flag(args, "show_nested"),
    }
    for name in TAG_OPTIONS:
        value = args.get(name)
        if value:
            options[name] = tuple(tag.strip() for tag in value.split(",") if tag.strip())
    return options, _flag(args, "with_count"), _flag(args, "global_tenant")


EVENT_FILTERS = (
    "resource_action",
    "resource_status",
    "resource_name",
    "resource_type",
    "physical_resource_id",
)


def event_list_options(args: MultiDict[str, str]) -> dict[str, Any]:
    """Options for Repository.list_events (Heat sorts events by time only)."""
    filters: dict[str, Any] = {}
    for key in EVENT_FILTERS:
        values = args.getlist(key)
        if values:
            filters[key] = values[0] if len(values) == 1 else values
    for key in [key for value in args.getlist("sort_keys") for key in value.split(",") if key]:
        if key not in ("event_time", "created_at"):
            raise BadRequest(f"Sort key {key!r} is not one of: event_time.")
    return {
        "filters": filters,
        "sort_dir": sort_direction(args, "asc"),
        "limit": limit_of(args),
        "marker": args.get("marker"),
    }


def nested_depth(args: MultiDict[str, str]) -> int:
    value = args.get("nested_depth")
    return 0 if value is None else integer_value(value, "nested_depth")


flag = _flag
