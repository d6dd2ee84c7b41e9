"""HTTP handlers of the emulated Swift: authorisation (token, ACLs, temp URLs), headers to
metadata and back, listings in JSON or plain text, ranges."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from email.utils import formatdate
from typing import Any

from flask import Response

from calor.sandbox.framework.auth import Authenticator, Caller
from calor.sandbox.framework.errors import BadRequest, Forbidden, SandboxError, Unauthorized
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.object_store import temp_urls
from calor.sandbox.object_store.models import ContainerChanges, ObjectStoreBackend

ACCOUNT_PREFIX = "AUTH_"
TEMPLATE_MARKERS = ("%(", "$(")
KEPT_OBJECT_HEADERS = ("Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control")
SWIFT_VERSION = "2.31.0"


def user_metadata(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """``X-<Kind>-Meta-Color: red`` → ``{"color": "red"}``; ``X-Remove-<Kind>-Meta-Color`` → ``""``."""
    prefix = f"x-{kind}-meta-"
    remove = f"x-remove-{kind}-meta-"
    metadata: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered.startswith(prefix):
            metadata[lowered[len(prefix) :]] = value
        elif lowered.startswith(remove):
            metadata[lowered[len(remove) :]] = ""
    return metadata


def metadata_headers(metadata: Mapping[str, str], kind: str) -> dict[str, str]:
    return {f"X-{kind.title()}-Meta-{key.title()}": value for key, value in metadata.items()}


def _timestamp(seconds: float) -> str:
    return f"{seconds:.5f}"


def _http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


def _response(
    body: bytes | str = b"",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    content_type: str | None = None,
) -> Response:
    response = Response(body, status=status)
    if content_type is not None:
        response.headers["Content-Type"] = content_type
    elif not body:
        response.headers.pop("Content-Type", None)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["X-Trans-Id"] = response.headers.get("X-Trans-Id", f"tx{int(time.time() * 1e6):x}")
    return response


def _acl_allows(acl: str, caller: Caller | None, listing: bool) -> bool:
    """Swift's keystone ACL forms: ``.r:*`` (anyone reads objects), ``.rlistings``,
    ``<project_id>:*``, ``*:*``, ``<project_id>:<user_id>``."""
    entries = {entry.strip() for entry in acl.split(",") if entry.strip()}
    if caller is None:
        return ".r:*" in entries and (not listing or ".rlistings" in entries)
    return bool(
        entries
        & {"*:*", f"{caller.project_id}:*", f"{caller.project_id}:{caller.user_id}", f"*:{caller.user_id}"}
    ) or (".r:*" in entries and (not listing or ".rlistings" in entries))


def _delete_at(given: Mapping[str, str]) -> float | None:
    headers = {name.title(): value for name, value in given.items()}
    try:
        if headers.get("X-Delete-At"):
            return float(headers["X-Delete-At"])
        if headers.get("X-Delete-After"):
            return time.time() + float(headers["X-Delete-After"])
    except ValueError as error:
        raise BadRequest("Non-integer X-Delete-At or X-Delete-After") from error
    return None


class ObjectStoreResponses:
    def __init__(
        self, backend: ObjectStoreBackend, authenticator: Authenticator, mount_prefix: str = ""
    ) -> None:
        self.backend = backend
        self.authenticator = authenticator
        self.mount_prefix = mount_prefix

    # -- authorisation -------------------------------------------------------------------------

    def _caller(self, request: ServiceRequest) -> Caller | None:
        token = request.http.headers.get("X-Auth-Token")
        return self.authenticator.authenticate(token) if token else None

    def authorize(
        self,
        request: ServiceRequest,
        account: str,
        container: str | None = None,
        object_name: str | None = None,
        *,
        write: bool = False,
    ) -> str:
        """Token of the account's project (or an admin), container ACLs, or a valid temp URL.
        Returns the account; an unsubstituted catalog template (``AUTH_%(project_id)s``, from an
        identity service that does not fill in catalog URLs) means the caller's own account."""
        if TEMPLATE_MARKERS[0] in account or TEMPLATE_MARKERS[1] in account:
            caller = self._caller(request)
            if caller is None:
                raise Unauthorized()
            account = ACCOUNT_PREFIX + caller.project_id
        if object_name is not None and container is not None:
            temp_url = temp_urls.from_query(request.http.args)
            if temp_url is not None:
                keys = self._temp_url_keys(account, container)
                temp_urls.verify(
                    temp_url,
                    method=request.http.method,
                    account=account,
                    container=container,
                    object_name=object_name,
                    keys=keys,
                    mount_prefix=self.mount_prefix,
                )
                return account
        caller = self._caller(request)
        if caller is not None and (account == ACCOUNT_PREFIX + caller.project_id or caller.is_admin):
            return account
        if container is not None:
            document = self.backend.containers.get(f"{account}/{container}")
            if document is not None:
                acl = document["write_acl"] if write else document["read_acl"]
                if _acl_allows(str(acl), caller, listing=object_name is None):
                    return account
        if caller is None:
            raise Unauthorized()
        raise Forbidden("Access was denied to this resource.")

    def _temp_url_keys(self, account: str, container: str) -> list[str]:
        metadata = dict(self.backend.account(account)["metadata"])
        document = self.backend.containers.get(f"{account}/{container}")
        if document is not None:
            metadata |= {f"container-{k}": v for k, v in document["metadata"].items()}
        names = [*temp_urls.KEY_NAMES, *(f"container-{name}" for name in temp_urls.KEY_NAMES)]
        return [metadata[name] for name in names if metadata.get(name)]

    # -- discovery -----------------------------------------------------------------------------

    def info(self, request: ServiceRequest) -> Response:
        body = {
            "swift": {
                "version": SWIFT_VERSION,
                "max_file_size": 5368709122,
                "max_meta_name_length": 128,
                "max_meta_value_length": 256,
                "max_meta_count": 90,
                "max_object_name_length": 1024,
                "max_container_name_length": 256,
                "container_listing_limit": 10000,
                "account_listing_limit": 10000,
                "strict_cors_mode": True,
                "policies": [{"name": "Policy-0", "default": True}],
            },
            "tempurl": {
                "methods": list(temp_urls.METHODS),
                "allowed_digests": sorted(temp_urls.DIGESTS),
                "outgoing_remove_headers": ["x-object-meta-*"],
            },
        }
        return _response(json.dumps(body), content_type="application/json; charset=utf-8")

    # -- listings ------------------------------------------------------------------------------

    @staticmethod
    def _listing(request: ServiceRequest, entries: list[dict[str, Any]], headers: dict[str, str]) -> Response:
        wanted = request.http.args.get("format", "").lower()
        accept = request.http.headers.get("Accept", "")
        if wanted == "json" or (not wanted and "application/json" in accept):
            return _response(json.dumps(entries), 200, headers, "application/json; charset=utf-8")
        if not entries:
            return _response(b"", 204, headers, "text/plain; charset=utf-8")
        names = "".join(str(entry.get("name", entry.get("subdir"))) + "\n" for entry in entries)
        return _response(names, 200, headers, "text/plain; charset=utf-8")

    # -- account -------------------------------------------------------------------------------

    def _account_headers(self, account: str) -> dict[str, str]:
        document = self.backend.account(account)
        containers, objects, used = self.backend.account_usage(account)
        return {
            "X-Account-Container-Count": str(containers),
            "X-Account-Object-Count": str(objects),
            "X-Account-Bytes-Used": str(used),
            "X-Timestamp": _timestamp(float(document["created"])),
            "X-Account-Storage-Policy-Policy-0-Container-Count": str(containers),
        } | metadata_headers(document["metadata"], "account")

    def get_account(self, request: ServiceRequest, account: str) -> Response:
        account = self.authorize(request, account)
        headers = self._account_headers(account)
        if request.http.method == "HEAD":
            return _response(b"", 204, headers)
        entries = self.backend.list_containers(account, request.http.args)
        return self._listing(request, entries, headers)

    def post_account(self, request: ServiceRequest, account: str) -> Response:
        account = self.authorize(request, account, write=True)
        self.backend.update_account(account, user_metadata(dict(request.http.headers.items()), "account"))
        return _response(b"", 204)

    # -- containers ----------------------------------------------------------------------------

    @staticmethod
    def _container_changes(request: ServiceRequest) -> ContainerChanges:
        headers = request.http.headers
        removing = {name.lower() for name, _ in headers.items()}
        read_acl = headers.get("X-Container-Read")
        write_acl = headers.get("X-Container-Write")
        if "x-remove-container-read" in removing:
            read_acl = ""
        if "x-remove-container-write" in removing:
            write_acl = ""
        versions = headers.get("X-Versions-Location", headers.get("X-History-Location"))
        return ContainerChanges(
            user_metadata(dict(headers.items()), "container"),
            read_acl,
            write_acl,
            versions,
            headers.get("X-Storage-Policy"),
        )

    def put_container(self, request: ServiceRequest, account: str, container: str) -> Response:
        account = self.authorize(request, account, write=True)
        created = self.backend.put_container(account, container, self._container_changes(request))
        return _response(b"", 201 if created else 202, content_type="text/html; charset=UTF-8")

    def post_container(self, request: ServiceRequest, account: str, container: str) -> Response:
        account = self.authorize(request, account, write=True)
        self.backend.update_container(account, container, self._container_changes(request))
        return _response(b"", 204)

    def get_container(self, request: ServiceRequest, account: str, container: str) -> Response:
        account = self.authorize(request, account, container)
        document = self.backend.container(account, container)
        count, used = self.backend.container_usage(account, container)
        headers = {
            "X-Container-Object-Count": str(count),
            "X-Container-Bytes-Used": str(used),
            "X-Timestamp": _timestamp(float(document["created"])),
            "Last-Modified": _http_date(float(document["modified"])),
            "X-Storage-Policy": str(document["storage_policy"]),
        } | metadata_headers(document["metadata"], "container")
        for name, key in (
            ("X-Container-Read", "read_acl"),
            ("X-Container-Write", "write_acl"),
            ("X-Versions-Location", "versions_location"),
        ):
            if document.get(key):
                headers[name] = str(document[key])
        if request.http.method == "HEAD":
            return _response(b"", 204, headers)
        entries = self.backend.list_objects(account, container, request.http.args)
        return self._listing(request, entries, headers)

    def delete_container(self, request: ServiceRequest, account: str, container: str) -> Response:
        account = self.authorize(request, account, write=True)
        self.backend.delete_container(account, container)
        return _response(b"", 204)

    # -- objects -------------------------------------------------------------------------------

    def put_object(self, request: ServiceRequest, account: str, container: str, object_name: str) -> Response:
        account = self.authorize(request, account, container, object_name, write=True)
        headers = request.http.headers
        metadata = user_metadata(dict(headers.items()), "object")
        copy_from = headers.get("X-Copy-From")
        if copy_from:
            source_container, _, source_object = copy_from.lstrip("/").partition("/")
            if not source_object:
                raise BadRequest("X-Copy-From header must be of the form <container name>/<object name>")
            account = self.authorize(request, account, source_container, source_object)
            document = self.backend.copy_object(
                account, (source_container, source_object), (container, object_name), metadata
            )
        else:
            kept = {name: headers[name] for name in KEPT_OBJECT_HEADERS if name in headers}
            document = self.backend.put_object(
                account,
                container,
                object_name,
                request.http.get_data(),
                content_type=headers.get("Content-Type") or None,
                metadata=metadata,
                headers=kept,
                expected_etag=headers.get("ETag"),
                delete_at=_delete_at(dict(headers.items())),
            )
        response_headers = {
            "ETag": str(document["etag"]),
            "Last-Modified": _http_date(float(document["modified"])),
        }
        return _response(b"", 201, response_headers, "text/html; charset=UTF-8")

    def post_object(
        self, request: ServiceRequest, account: str, container: str, object_name: str
    ) -> Response:
        account = self.authorize(request, account, container, object_name, write=True)
        headers = request.http.headers
        kept = {name: headers[name] for name in KEPT_OBJECT_HEADERS if name in headers}
        self.backend.update_object(
            account,
            container,
            object_name,
            user_metadata(dict(headers.items()), "object"),
            content_type=headers.get("Content-Type") or None,
            headers=kept,
            delete_at=_delete_at(dict(headers.items())),
        )
        return _response(b"", 202, content_type="text/html; charset=UTF-8")

    def get_object(self, request: ServiceRequest, account: str, container: str, object_name: str) -> Response:
        account = self.authorize(request, account, container, object_name)
        document = self.backend.object(account, container, object_name)
        etag = str(document["etag"])
        headers = (
            {
                "ETag": etag,
                "Last-Modified": _http_date(float(document["modified"])),
                "X-Timestamp": _timestamp(float(document["modified"])),
                "Accept-Ranges": "bytes",
            }
            | dict(document.get("headers") or {})
            | metadata_headers(document["metadata"], "object")
        )
        if document.get("delete_at") is not None:
            headers["X-Delete-At"] = str(int(float(document["delete_at"])))
        temp_url = temp_urls.from_query(request.http.args)
        if temp_url is not None and (temp_url.filename or temp_url.inline):
            disposition = "inline" if temp_url.inline else "attachment"
            if temp_url.filename:
                disposition += f'; filename="{temp_url.filename}"'
            headers["Content-Disposition"] = disposition
        content_type = str(document["content_type"])
        if request.http.headers.get("If-None-Match", "").strip('"') in (etag, "*"):
            return _response(b"", 304, headers)
        if_match = request.http.headers.get("If-Match")
        if if_match and if_match.strip('"') not in (etag, "*"):
            raise SandboxError("Precondition Failed", status=412)
        data = self.backend.read(document)
        byte_range = request.http.headers.get("Range")
        if byte_range:
            start, end = _parse_range(byte_range, len(data))
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return _response(data[start : end + 1], 206, headers, content_type)
        return _response(data, 200, headers, content_type)

    def delete_object(
        self, request: ServiceRequest, account: str, container: str, object_name: str
    ) -> Response:
        account = self.authorize(request, account, container, object_name, write=True)
        self.backend.delete_object(account, container, object_name)
        return _response(b"", 204)


def _parse_range(header: str, size: int) -> tuple[int, int]:
    """One ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range; 416 when it cannot be satisfied."""
    unit, _, spec = header.partition("=")
    first, _, last = spec.split(",")[0].strip().partition("-")
    try:
        if unit.strip() != "bytes":
            raise ValueError(unit)
        if first == "":
            length = int(last)
            start, end = max(size - length, 0), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
    except ValueError as error:
        raise SandboxError("Requested Range Not Satisfiable", status=416) from error
    if start >= size or start > end:
        raise SandboxError("Requested Range Not Satisfiable", status=416)
    return start, end
