"""Find a cloud object by name or id with Heat's messages for "missing" and "ambiguous"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keystoneauth1 import exceptions as auth_exceptions
from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import CloudNotFound, CloudRequestFailed, translate


class AmbiguousName(CloudRequestFailed):
    """Several cloud objects carry the name; an id is needed."""


def find_resource(find: Callable[..., Any], name_or_id: str, kind: str, **options: Any) -> Any:
    """``find(name_or_id, ignore_missing=False, **options)`` (an openstacksdk ``find_*`` method).

    Raises :class:`CloudNotFound` "The Flavor (m1.huge) could not be found." or
    :class:`AmbiguousName` when the name matches several objects.
    """
    try:
        return find(name_or_id, ignore_missing=False, **options)
    except sdk_exceptions.DuplicateResource as error:
        raise AmbiguousName(
            f"Multiple {kind} matches found for name '{name_or_id}', use an ID to be more specific."
        ) from error
    except (sdk_exceptions.SDKException, auth_exceptions.ClientException) as error:
        translated = translate(error, f"looking up {kind} {name_or_id}")
        if isinstance(translated, CloudNotFound):
            raise CloudNotFound(f"The {kind} ({name_or_id}) could not be found.", status=404) from error
        raise translated from error


def find_id(find: Callable[..., Any], name_or_id: str, kind: str, **options: Any) -> str:
    """The id of the object :func:`find_resource` finds."""
    return str(find_resource(find, name_or_id, kind, **options).id)
