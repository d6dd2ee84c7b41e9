"""Swift through openstacksdk's object store proxy and plain HTTP, as against a real cloud."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import openstack
import pytest
import requests
from openstack import exceptions

from calor.sandbox.object_store import temp_urls


def account_url(sandbox: Any, project: str) -> str:
    return f"{sandbox.url}/object-store/v1/AUTH_{sandbox.project_id(project)}"


def test_info_is_public(sandbox: Any) -> None:
    body = requests.get(sandbox.url + "/object-store/info", timeout=5).json()
    assert "sha256" in body["tempurl"]["allowed_digests"]


def test_containers_and_objects_round_trip(demo: openstack.connection.Connection) -> None:
    store = demo.object_store
    store.create_container("photos")
    data = b"not really a jpeg"
    created = store.create_object("photos", "2026/cat.jpg", data=data, metadata={"color": "grey"})
    assert created.etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert store.download_object("2026/cat.jpg", container="photos") == data
    metadata = store.get_object_metadata("2026/cat.jpg", container="photos")
    assert metadata.metadata == {"color": "grey"}
    assert int(metadata.content_length) == len(data)
    assert [item.name for item in store.objects("photos")] == ["2026/cat.jpg"]
    assert "photos" in [container.name for container in store.containers()]
    container = store.get_container_metadata("photos")
    assert (int(container.object_count), int(container.bytes_used)) == (1, len(data))

    with pytest.raises(exceptions.ConflictException):
        store.delete_container("photos")
    store.delete_object("2026/cat.jpg", container="photos")
    with pytest.raises(exceptions.NotFoundException):
        store.download_object("2026/cat.jpg", container="photos")
    store.delete_container("photos")
    with pytest.raises(exceptions.NotFoundException):
        store.get_container_metadata("photos")


def test_listing_with_prefix_delimiter_and_plain_text(
    sandbox: Any, demo: openstack.connection.Connection
) -> None:
    store = demo.object_store
    store.create_container("tree")
    for name in ("a/1", "a/2", "b/1", "c"):
        store.create_object("tree", name, data=name.encode())
    url = account_url(sandbox, "demo") + "/tree"
    headers = {"X-Auth-Token": demo.auth_token}
    listing = requests.get(
        url, params={"format": "json", "delimiter": "/"}, headers=headers, timeout=5
    ).json()
    assert [entry.get("subdir", entry.get("name")) for entry in listing] == ["a/", "b/", "c"]
    plain = requests.get(url, params={"prefix": "a/"}, headers=headers, timeout=5)
    assert plain.text == "a/1\na/2\n"
    limited = requests.get(
        url, params={"format": "json", "marker": "a/1", "limit": "2"}, headers=headers, timeout=5
    )
    assert [entry["name"] for entry in limited.json()] == ["a/2", "b/1"]
    for name in ("a/1", "a/2", "b/1", "c"):
        store.delete_object(name, container="tree")
    store.delete_container("tree")


def test_etag_mismatch_and_range(sandbox: Any, demo: openstack.connection.Connection) -> None:
    demo.object_store.create_container("bytes")
    url = account_url(sandbox, "demo") + "/bytes/digits"
    headers = {"X-Auth-Token": demo.auth_token}
    wrong = requests.put(url, data=b"0123456789", headers=headers | {"ETag": "0" * 32}, timeout=5)
    assert wrong.status_code == 422
    assert requests.put(url, data=b"0123456789", headers=headers, timeout=5).status_code == 201
    partial = requests.get(url, headers=headers | {"Range": "bytes=2-4"}, timeout=5)
    assert (partial.status_code, partial.content) == (206, b"234")
    demo.object_store.delete_object("digits", container="bytes")
    demo.object_store.delete_container("bytes")


def test_tokens_and_acls(
    sandbox: Any, admin: openstack.connection.Connection, demo: openstack.connection.Connection
) -> None:
    demo.object_store.create_container("private")
    demo.object_store.create_object("private", "secret.txt", data=b"secret")
    url = account_url(sandbox, "demo") + "/private/secret.txt"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"X-Auth-Token": "bogus"}, timeout=5).status_code == 401
    assert requests.get(url, headers={"X-Auth-Token": admin.auth_token}, timeout=5).status_code == 200
    demo.object_store.set_container_metadata("private", read_ACL=".r:*")
    assert requests.get(url, timeout=5).content == b"secret"
    demo.object_store.delete_object("secret.txt", container="private")
    demo.object_store.delete_container("private")


def test_temp_url(sandbox: Any, demo: openstack.connection.Connection) -> None:
    store = demo.object_store
    store.create_container("shared")
    store.create_object("shared", "report.pdf", data=b"%PDF")
    store.set_account_temp_url_key("sandbox-key")
    path = f"/v1/AUTH_{sandbox.project_id('demo')}/shared/report.pdf"
    signed = store.generate_temp_url(path, 60, "GET")
    url = sandbox.url + "/object-store" + signed
    assert requests.get(url, timeout=5).content == b"%PDF"
    assert requests.head(url, timeout=5).status_code == 200
    assert requests.put(url, data=b"x", timeout=5).status_code == 401
    tampered = url.replace("report.pdf", "other.pdf")
    assert requests.get(tampered, timeout=5).status_code == 401

    expired_at = int(time.time()) - 10
    signature = temp_urls.sign("sandbox-key", "GET", expired_at, path)
    expired = f"{sandbox.url}/object-store{path}?temp_url_sig={signature}&temp_url_expires={expired_at}"
    assert requests.get(expired, timeout=5).status_code == 401

    upload_expires = int(time.time()) + 60
    upload_path = f"/v1/AUTH_{sandbox.project_id('demo')}/shared/upload.bin"
    upload_signature = temp_urls.sign("sandbox-key", "PUT", upload_expires, upload_path, digest="sha512")
    query = f"temp_url_sig={upload_signature}&temp_url_expires={upload_expires}"
    upload = f"{sandbox.url}/object-store{upload_path}?{query}"
    assert requests.put(upload, data=b"uploaded", timeout=5).status_code == 201
    assert store.download_object("upload.bin", container="shared") == b"uploaded"
    for name in ("report.pdf", "upload.bin"):
        store.delete_object(name, container="shared")
    store.delete_container("shared")


def test_unsubstituted_catalog_template_means_the_callers_account(
    sandbox: Any, demo: openstack.connection.Connection
) -> None:
    template_url = sandbox.url + "/object-store/v1/AUTH_%25(project_id)s/templated"
    headers = {"X-Auth-Token": demo.auth_token}
    assert requests.put(template_url, headers=headers, timeout=5).status_code == 201
    assert requests.put(template_url, timeout=5).status_code == 401
    assert demo.object_store.get_container_metadata("templated").name == "templated"
    demo.object_store.delete_container("templated")
