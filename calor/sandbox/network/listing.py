"""Neutron's list query parameters applied to serialised records: attribute filters (repeatable),
``fixed_ips=ip_address=...``, ``tags`` / ``tags-any`` / ``not-tags``, ``limit`` and ``marker``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from calor.sandbox.framework.errors import BadRequest

CONTROL_PARAMETERS = frozenset({"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"})
TAG_PARAMETERS = frozenset({"tags", "tags-any", "not-tags", "not-tags-any"})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _matches_fixed_ips(view: dict[str, Any], wanted: list[str]) -> bool:
    for condition in wanted:
        key, _, value = condition.partition("=")
        if not any(str(entry.get(key)) == value for entry in view.get("fixed_ips", [])):
            return False
    return True


def _matches_tags(view: dict[str, Any], name: str, values: list[str]) -> bool:
    tags = set(view.get("tags", []))
    wanted = {tag for value in values for tag in value.split(",") if tag}
    if name == "tags":
        return wanted <= tags
    if name == "tags-any":
        return bool(wanted & tags)
    if name == "not-tags":
        return not wanted <= tags
    return not wanted & tags


def filter_views(views: Sequence[dict[str, Any]], arguments: MultiDict[str, str]) -> list[dict[str, Any]]:
    selected = list(views)
    for name in set(arguments.keys()):
        values = arguments.getlist(name)
        if name in CONTROL_PARAMETERS:
            continue
        if name == "fixed_ips":
            selected = [view for view in selected if _matches_fixed_ips(view, values)]
        elif name in TAG_PARAMETERS:
            selected = [view for view in selected if _matches_tags(view, name, values)]
        else:
            lowered = {value.lower() if value.lower() in ("true", "false") else value for value in values}
            selected = [view for view in selected if name in view and _text(view[name]) in lowered]
    return selected


def paginate(
    views: list[dict[str, Any]], arguments: MultiDict[str, str], collection_url: str
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The page after ``marker`` of at most ``limit`` views and its ``next`` link (when full)."""
    marker = arguments.get("marker")
    if marker:
        ids = [view["id"] for view in views]
        if marker not in ids:
            raise BadRequest(f"Marker {marker} could not be found.", error_type="BadRequest")
        views = views[ids.index(marker) + 1 :]
    limit_text = arguments.get("limit")
    if not limit_text:
        return views, []
    try:
        limit = int(limit_text)
    except ValueError as error:
        raise BadRequest(f"Invalid input for limit: '{limit_text}'.") from error
    if limit <= 0 or len(views) <= limit:
        return views, []
    page = views[:limit]
    return page, [{"rel": "next", "href": f"{collection_url}?limit={limit}&marker={page[-1]['id']}"}]
