"""Volume types: Cinder's ``__DEFAULT__`` type and ``lvmdriver-1`` exist from the start; admins
create, update and delete more; a type in use cannot be deleted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.errors import BadRequest, Conflict, Forbidden, NotFound
from calor.sandbox.framework.ids import new_uuid
from calor.sandbox.framework.store import Document
from calor.sandbox.volume.common import TYPES, VOLUMES, Scope

if TYPE_CHECKING:
    from calor.sandbox.volume.models import VolumeBackend

DEFAULT_TYPE_NAME = "__DEFAULT__"
BUILT_IN: tuple[tuple[str, str, str], ...] = (
    ("7b1f6b9e-3f0c-4a45-9f57-3c1a1a0d0001", DEFAULT_TYPE_NAME, "Default Volume Type"),
    ("7b1f6b9e-3f0c-4a45-9f57-3c1a1a0d0002", "lvmdriver-1", "The sandbox's LVM backend"),
)


def _type_document(
    type_id: str,
    name: str,
    description: str | None,
    *,
    is_public: bool = True,
    extra_specs: Mapping[str, Any] | None = None,
) -> Document:
    return {
        "id": type_id,
        "name": name,
        "description": description,
        "is_public": is_public,
        "os-volume-type-access:is_public": is_public,
        "extra_specs": {str(k): str(v) for k, v in (extra_specs or {}).items()},
        "qos_specs_id": None,
    }


class VolumeTypes:
    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend
        self.collection = backend.store.collection(TYPES)
        with backend.lock:
            for type_id, name, description in BUILT_IN:
                if self.collection.get(type_id) is None:
                    extra = {"volume_backend_name": "lvmdriver-1"} if name != DEFAULT_TYPE_NAME else {}
                    self.collection.put(_type_document(type_id, name, description, extra_specs=extra))

    @staticmethod
    def _visible(document: Document, scope: Scope | None) -> bool:
        """Public types for everyone; private ones for admins and the projects given access."""
        if scope is None or scope.is_admin or document.get("is_public", True):
            return True
        return scope.project_id in document.get("_access", [])

    def list(self, scope: Scope | None = None) -> list[Document]:
        return [document for document in self.collection.list() if self._visible(document, scope)]

    def get(self, name_or_id: str, scope: Scope | None = None) -> Document:
        document = self.collection.get(name_or_id)
        if document is None:
            document = next((c for c in self.collection.list() if c["name"] == name_or_id), None)
        if document is None or not self._visible(document, scope):
            raise NotFound(f"Volume type {name_or_id} could not be found.")
        return document

    def default(self) -> Document:
        return self.get(DEFAULT_TYPE_NAME)

    def resolve(self, name_or_id: Any, scope: Scope | None = None) -> Document:
        """The type a new volume gets: the named one, or the default type."""
        if name_or_id in (None, ""):
            return self.default()
        try:
            return self.get(str(name_or_id), scope)
        except NotFound as error:
            raise NotFound(f"Volume type with name {name_or_id} could not be found.") from error

    @staticmethod
    def _require_admin(scope: Scope | None) -> None:
        if scope is not None and not scope.is_admin:
            raise Forbidden("Policy doesn't allow volume_extension:types_manage to be performed.")

    def create(self, scope: Scope | None, values: Mapping[str, Any]) -> Document:
        self._require_admin(scope)
        name = str(values.get("name") or "").strip()
        if not name:
            raise BadRequest("Invalid input received: 'name' is a required property")
        with self.backend.lock:
            if any(existing["name"] == name for existing in self.collection.list()):
                raise Conflict(f"Volume Type {name} already exists.")
            is_public = values.get("os-volume-type-access:is_public", values.get("is_public", True))
            document = _type_document(
                new_uuid(),
                name,
                values.get("description"),
                is_public=bool(is_public),
                extra_specs=values.get("extra_specs"),
            )
            return self.collection.put(document)

    def update(self, type_id: str, scope: Scope | None, values: Mapping[str, Any]) -> Document:
        self._require_admin(scope)
        with self.backend.lock:
            document = self.get(type_id)
            if values.get("name"):
                document["name"] = str(values["name"])
            if "description" in values:
                document["description"] = values["description"]
            if "is_public" in values:
                document["is_public"] = document["os-volume-type-access:is_public"] = bool(
                    values["is_public"]
                )
            return self.collection.put(document)

    def set_extra_specs(self, type_id: str, scope: Scope | None, specs: Mapping[str, Any]) -> Document:
        self._require_admin(scope)
        with self.backend.lock:
            document = self.get(type_id)
            document["extra_specs"].update({str(k): str(v) for k, v in specs.items()})
            return self.collection.put(document)

    def delete_extra_spec(self, type_id: str, scope: Scope | None, key: str) -> None:
        self._require_admin(scope)
        with self.backend.lock:
            document = self.get(type_id)
            if key not in document["extra_specs"]:
                raise NotFound(f"Volume Type {type_id} has no extra specs with key {key}.")
            del document["extra_specs"][key]
            self.collection.put(document)

    def access(self, type_id: str, scope: Scope | None) -> Sequence[str]:
        self._require_admin(scope)
        document = self.get(type_id)
        if document.get("is_public", True):
            raise NotFound(f"Access list not available for public volume type {type_id}.")
        return [str(project) for project in document.get("_access", [])]

    def set_access(self, type_id: str, scope: Scope | None, project_id: str, *, granted: bool) -> None:
        """``addProjectAccess`` / ``removeProjectAccess`` of a private type."""
        self._require_admin(scope)
        with self.backend.lock:
            document = self.get(type_id)
            if document.get("is_public", True):
                raise BadRequest(
                    "Invalid volume type: Type access modification is not applicable to public volume type."
                )
            access = [str(project) for project in document.get("_access", [])]
            if granted:
                if project_id in access:
                    raise Conflict(
                        f"Volume type access for {type_id} / {project_id} combination already exists."
                    )
                access.append(project_id)
            else:
                if project_id not in access:
                    raise NotFound(f"Volume type access not found for {type_id} / {project_id} combination.")
                access.remove(project_id)
            document["_access"] = access
            self.collection.put(document)

    def delete(self, type_id: str, scope: Scope | None) -> None:
        self._require_admin(scope)
        with self.backend.lock:
            document = self.get(type_id)
            if document["name"] == DEFAULT_TYPE_NAME:
                raise BadRequest("Invalid volume type: Default volume type can not be deleted.")
            volumes = self.backend.store.collection(VOLUMES).list()
            if any(volume.get("volume_type_id") == document["id"] for volume in volumes):
                raise BadRequest("Target volume type is still in use.")
            self.collection.delete(document["id"])
