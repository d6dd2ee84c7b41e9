"""Images through openstacksdk's image proxy, as against a real Glance v2."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests
from openstack import exceptions

from calor.sandbox.image import CIRROS_ID, CIRROS_NAME


def test_default_cirros_image(demo: Any) -> None:
    image = demo.image.find_image(CIRROS_NAME, ignore_missing=False)
    assert image.id == CIRROS_ID
    assert (image.status, image.visibility, image.disk_format) == ("active", "public", "qcow2")
    assert image.size > 0 and image.checksum


def test_upload_and_download(demo: Any) -> None:
    data = b"sandbox image bytes " * 5000
    image = demo.image.create_image(
        name="uploaded", data=data, disk_format="raw", container_format="bare", allow_duplicates=True
    )
    image = demo.image.get_image(image)
    assert image.status == "active"
    assert image.size == len(data)
    assert image.checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert image.hash_algo == "sha512"
    assert demo.image.download_image(image).content == data


def test_created_image_is_queued_until_data_arrives(demo: Any) -> None:
    image = demo.image.create_image(
        name="empty", disk_format="qcow2", container_format="bare", allow_duplicates=True
    )
    assert demo.image.get_image(image).status == "queued"
    headers = {"Content-Type": "application/octet-stream"}
    assert demo.image.put(f"/images/{image.id}/file", data=b"payload", headers=headers).status_code == 204
    assert demo.image.get_image(image).status == "active"
    again = demo.image.put(f"/images/{image.id}/file", data=b"again", headers=headers)
    assert again.status_code == 409


def test_update_with_json_patch(demo: Any) -> None:
    image = demo.image.create_image(
        name="patched", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    updated = demo.image.update_image(image, name="renamed", min_ram=512, os_distro="cirros", build_id="42")
    assert (updated.name, updated.min_ram, updated.os_distro) == ("renamed", 512, "cirros")
    assert demo.image.get_image(image).properties["build_id"] == "42"
    demo.image.add_tag(image, "golden")
    assert demo.image.get_image(image).tags == ["golden"]
    demo.image.remove_tag(image, "golden")
    assert demo.image.get_image(image).tags == []


def test_read_only_properties_cannot_change(demo: Any) -> None:
    image = demo.image.create_image(
        name="ro", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    response = demo.image.patch(
        f"/images/{image.id}",
        json=[{"op": "replace", "path": "/status", "value": "active"}],
        headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
    )
    assert response.status_code == 403


def test_visibility(admin: Any, demo: Any) -> None:
    private = demo.image.create_image(
        name="mine", disk_format="raw", container_format="bare", visibility="private", allow_duplicates=True
    )
    with pytest.raises(exceptions.ForbiddenException):
        demo.image.create_image(
            name="pub", disk_format="raw", container_format="bare", visibility="public", allow_duplicates=True
        )
    public = admin.image.create_image(
        name="shared-by-admin",
        disk_format="raw",
        container_format="bare",
        visibility="public",
        allow_duplicates=True,
    )
    hidden = admin.image.create_image(
        name="admins-only",
        disk_format="raw",
        container_format="bare",
        visibility="private",
        allow_duplicates=True,
    )
    names = {image.name for image in demo.image.images()}
    assert {"mine", "shared-by-admin", CIRROS_NAME} <= names
    assert "admins-only" not in names
    with pytest.raises(exceptions.NotFoundException):
        demo.image.get_image(hidden.id)
    assert private.id in {image.id for image in admin.image.images()}
    assert public.visibility == "public"


def test_delete_and_protected(demo: Any) -> None:
    image = demo.image.create_image(
        name="gone", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    demo.image.delete_image(image)
    with pytest.raises(exceptions.NotFoundException):
        demo.image.get_image(image.id)
    protected = demo.image.create_image(
        name="kept", disk_format="raw", container_format="bare", protected=True, allow_duplicates=True
    )
    with pytest.raises(exceptions.ForbiddenException):
        demo.image.delete_image(protected)


def test_version_discovery(sandbox: Any) -> None:
    response = requests.get(sandbox.url + "/image", timeout=10)
    assert response.status_code == 300
    assert response.json()["versions"][0]["status"] == "CURRENT"


def test_images_survive_a_restart(sandbox_factory: Any, connect_to: Any, tmp_path: Any) -> None:
    first = sandbox_factory(tmp_path / "kept")
    image = connect_to(first).image.create_image(
        name="persisted", data=b"abc", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    first.stop()
    second = sandbox_factory(tmp_path / "kept")
    demo = connect_to(second)
    assert demo.image.get_image(image.id).status == "active"
    assert demo.image.download_image(image.id).content == b"abc"


def test_in_filters_as_the_openstack_client_uses(sandbox: Any, demo: Any) -> None:
    headers = {"X-Auth-Token": demo.session.get_token()}
    url = f"{sandbox.url}/image/v2/images?id=in:{CIRROS_ID},other"
    assert [image["id"] for image in requests.get(url, headers=headers, timeout=10).json()["images"]] == [
        CIRROS_ID
    ]


def test_interoperable_import(demo: Any) -> None:
    image = demo.image.create_image(
        name="staged", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    demo.image.stage_image(image, data=b"staged bytes")
    assert demo.image.get_image(image).status == "uploading"
    demo.image.import_image(image, method="glance-direct")
    assert demo.image.get_image(image).status == "active"
    assert demo.image.download_image(image).content == b"staged bytes"

    web = demo.image.create_image(
        name="web", disk_format="raw", container_format="bare", allow_duplicates=True
    )
    demo.image.import_image(web, method="web-download", uri="http://example.com/cirros.img")
    assert demo.image.get_image(web).status == "active"
    again = demo.image.import_image(web, method="web-download", uri="http://example.com/cirros.img")
    assert again.status_code == 409
