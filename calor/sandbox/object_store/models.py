"""The emulated Swift's backend: accounts, containers and objects with their metadata. No HTTP here.

Metadata are documents of the sandbox's state store (collections ``object_store.*``); object
bytes are files under the state directory's ``object-store`` folder. User metadata keys are kept
lower case (``color`` for ``X-Object-Meta-Color``); ``temp-url-key`` and ``temp-url-key-2`` of
an account or container are the temp URL keys.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound, SandboxError
from calor.sandbox.framework.store import Document, StateStore

ACCOUNTS = "object_store.accounts"
CONTAINERS = "object_store.containers"
OBJECTS = "object_store.objects"
DATA_DIRECTORY = "object-store"
MAX_CONTAINER_NAME = 256
MAX_OBJECT_NAME = 1024
MAX_LISTING = 10000

__all__ = ["ContainerChanges", "ObjectStoreBackend"]


def _now() -> float:
    return time.time()


def _last_modified(seconds: float) -> str:
    """Swift's listing form: ``2026-11-24T22:02:13.123450``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1e6):06d}"


@dataclass(frozen=True)
class ContainerChanges:
    """Metadata to set (lower-case keys; empty value removes) and ACLs (None: unchanged)."""

    metadata: Mapping[str, str]
    read_acl: str | None = None
    write_acl: str | None = None
    versions_location: str | None = None
    storage_policy: str | None = None


class ObjectStoreBackend:
    """Accounts are named ``AUTH_<project_id>`` and exist implicitly (Swift's account autocreate)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.lock = store.lock
        self.accounts = store.collection(ACCOUNTS)
        self.containers = store.collection(CONTAINERS)
        self.objects = store.collection(OBJECTS)
        self.data_directory = store.data_directory(DATA_DIRECTORY)

    # -- accounts ------------------------------------------------------------------------------

    def account(self, account: str) -> Document:
        return self.accounts.get(account) or {"id": account, "metadata": {}, "created": _now()}

    def update_account(self, account: str, metadata: Mapping[str, str]) -> Document:
        with self.lock:
            document = self.account(account)
            _apply(document["metadata"], metadata)
            return self.accounts.put(document)

    def account_usage(self, account: str) -> tuple[int, int, int]:
        """Container count, object count and bytes used."""
        containers = self._containers_of(account)
        objects = self._objects_of(account)
        return len(containers), len(objects), sum(int(o["bytes"]) for o in objects)

    def _containers_of(self, account: str) -> list[Document]:
        return sorted(self.containers.list(account), key=lambda document: str(document["name"]))

    def _objects_of(self, account: str, container: str | None = None) -> list[Document]:
        objects = [
            document
            for document in self.objects.list(account)
            if (container is None or document["container"] == container) and not self._expired(document)
        ]
        return sorted(objects, key=lambda document: str(document["name"]))

    def list_containers(self, account: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        entries = []
        for container in self._containers_of(account):
            objects = self._objects_of(account, container["name"])
            entries.append(
                {
                    "name": container["name"],
                    "count": len(objects),
                    "bytes": sum(int(o["bytes"]) for o in objects),
                    "last_modified": _last_modified(float(container["modified"])),
                }
            )
        return listing(entries, query)

    # -- containers ----------------------------------------------------------------------------

    @staticmethod
    def _container_id(account: str, container: str) -> str:
        return f"{account}/{container}"

    def container(self, account: str, container: str) -> Document:
        document = self.containers.get(self._container_id(account, container))
        if document is None:
            raise NotFound("The resource could not be found.")
        return document

    def put_container(self, account: str, container: str, changes: ContainerChanges) -> bool:
        """Create (True) or update (False) a container."""
        if not container or "/" in container:
            raise BadRequest("Invalid container name")
        if len(container) > MAX_CONTAINER_NAME:
            raise BadRequest(f"Container name length of {len(container)} longer than {MAX_CONTAINER_NAME}")
        with self.lock:
            document = self.containers.get(self._container_id(account, container))
            created = document is None
            if document is None:
                now = _now()
                document = {
                    "id": self._container_id(account, container),
                    "project_id": account,
                    "name": container,
                    "metadata": {},
                    "read_acl": "",
                    "write_acl": "",
                    "versions_location": "",
                    "storage_policy": changes.storage_policy or "Policy-0",
                    "created": now,
                    "modified": now,
                }
            self._apply_container(document, changes)
            self.containers.put(document)
            return created

    def update_container(self, account: str, container: str, changes: ContainerChanges) -> None:
        with self.lock:
            document = self.container(account, container)
            self._apply_container(document, changes)
            self.containers.put(document)

    @staticmethod
    def _apply_container(document: Document, changes: ContainerChanges) -> None:
        _apply(document["metadata"], changes.metadata)
        if changes.read_acl is not None:
            document["read_acl"] = changes.read_acl
        if changes.write_acl is not None:
            document["write_acl"] = changes.write_acl
        if changes.versions_location is not None:
            document["versions_location"] = changes.versions_location
        document["modified"] = _now()

    def container_usage(self, account: str, container: str) -> tuple[int, int]:
        objects = self._objects_of(account, container)
        return len(objects), sum(int(o["bytes"]) for o in objects)

    def delete_container(self, account: str, container: str) -> None:
        """Refused with 409 while the container holds objects."""
        with self.lock:
            self.container(account, container)
            if self._objects_of(account, container):
                raise Conflict("There was a conflict when trying to complete your request.")
            self.containers.delete(self._container_id(account, container))

    def list_objects(self, account: str, container: str, query: Mapping[str, str]) -> list[dict[str, Any]]:
        self.container(account, container)
        entries = [
            {
                "name": document["name"],
                "hash": document["etag"],
                "bytes": document["bytes"],
                "content_type": document["content_type"],
                "last_modified": _last_modified(float(document["modified"])),
            }
            for document in self._objects_of(account, container)
        ]
        return listing(entries, query)

    # -- objects -------------------------------------------------------------------------------

    @staticmethod
    def _object_id(account: str, container: str, name: str) -> str:
        return f"{account}/{container}/{name}"

    def _data_path(self, object_id: str) -> Path:
        return self.data_directory / hashlib.sha256(object_id.encode()).hexdigest()

    @staticmethod
    def _expired(document: Document) -> bool:
        delete_at = document.get("delete_at")
        return delete_at is not None and float(delete_at) <= _now()

    def object(self, account: str, container: str, name: str) -> Document:
        self.container(account, container)
        object_id = self._object_id(account, container, name)
        document = self.objects.get(object_id)
        if document is None or self._expired(document):
            raise NotFound("The resource could not be found.")
        return document

    def read(self, document: Document) -> bytes:
        return self._data_path(str(document["id"])).read_bytes()

    def put_object(
        self,
        account: str,
        container: str,
        name: str,
        data: bytes,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        expected_etag: str | None = None,
        delete_at: float | None = None,
    ) -> Document:
        """Store an object; 422 when ``expected_etag`` is not the data's MD5, as Swift answers."""
        if len(name) > MAX_OBJECT_NAME:
            raise BadRequest(f"Object name length of {len(name)} longer than {MAX_OBJECT_NAME}")
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if expected_etag is not None and expected_etag.strip('"').lower() != etag:
            raise SandboxError("Unprocessable Entity", status=422)
        with self.lock:
            self.container(account, container)
            object_id = self._object_id(account, container, name)
            self._data_path(object_id).write_bytes(data)
            document: Document = {
                "id": object_id,
                "project_id": account,
                "container": container,
                "name": name,
                "bytes": len(data),
                "etag": etag,
                "content_type": content_type or "application/octet-stream",
                "metadata": {key: value for key, value in (metadata or {}).items() if value != ""},
                "headers": dict(headers or {}),
                "delete_at": delete_at,
                "modified": _now(),
            }
            return self.objects.put(document)

    def copy_object(
        self, account: str, source: tuple[str, str], target: tuple[str, str], metadata: Mapping[str, str]
    ) -> Document:
        """``X-Copy-From``: the source's data and metadata, updated with ``metadata``."""
        original = self.object(account, *source)
        merged = dict(original["metadata"])
        _apply(merged, metadata)
        return self.put_object(
            account,
            target[0],
            target[1],
            self.read(original),
            content_type=original["content_type"],
            metadata=merged,
            headers=original.get("headers"),
        )

    def update_object(
        self,
        account: str,
        container: str,
        name: str,
        metadata: Mapping[str, str],
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        delete_at: float | None = None,
    ) -> None:
        """Swift's object POST: the user metadata are replaced as a whole."""
        with self.lock:
            document = self.object(account, container, name)
            document["metadata"] = {key: value for key, value in metadata.items() if value != ""}
            if content_type:
                document["content_type"] = content_type
            if headers is not None:
                document["headers"] = dict(headers)
            document["delete_at"] = delete_at
            self.objects.put(document)

    def delete_object(self, account: str, container: str, name: str) -> None:
        with self.lock:
            document = self.object(account, container, name)
            self.objects.delete(str(document["id"]))
            path = self._data_path(str(document["id"]))
            path.unlink(missing_ok=True)


def _apply(metadata: dict[str, str], changes: Mapping[str, str]) -> None:
    for key, value in changes.items():
        if value == "":
            metadata.pop(key, None)
        else:
            metadata[key] = value


def listing(entries: Iterable[dict[str, Any]], query: Mapping[str, str]) -> list[dict[str, Any]]:
    """Swift's listing parameters: ``prefix``, ``delimiter`` (``subdir`` entries), ``marker``,
    ``end_marker``, ``reverse`` and ``limit`` (at most 10000)."""
    prefix = query.get("prefix", "")
    delimiter = query.get("delimiter", "")
    marker = query.get("marker", "")
    end_marker = query.get("end_marker", "")
    selected: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in entries:
        name = str(entry["name"])
        if not name.startswith(prefix):
            continue
        if delimiter:
            cut = name.find(delimiter, len(prefix))
            if cut >= 0:
                subdir = name[: cut + len(delimiter)]
                if subdir not in seen:
                    seen.add(subdir)
                    selected.append({"subdir": subdir})
                continue
        selected.append(entry)
    if query.get("reverse", "").lower() in ("1", "true", "yes", "on"):
        selected.reverse()
        selected = [e for e in selected if not marker or _key(e) < marker]
        selected = [e for e in selected if not end_marker or _key(e) > end_marker]
    else:
        selected = [e for e in selected if not marker or _key(e) > marker]
        selected = [e for e in selected if not end_marker or _key(e) < end_marker]
    try:
        limit = min(int(query.get("limit", MAX_LISTING)), MAX_LISTING)
    except ValueError as error:
        raise BadRequest("Invalid limit parameter") from error
    return selected[: max(limit, 0)]


def _key(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name", entry.get("subdir", "")))
