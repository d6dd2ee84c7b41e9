"""Temp URL signature checks, without HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from calor.sandbox.framework.errors import Unauthorized
from calor.sandbox.object_store import temp_urls

PATH = "/v1/AUTH_p/c/o"


def check(signature: str, expires: int = 2000, method: str = "GET", name: str = "o", **options: str) -> None:
    query = {"temp_url_sig": signature, "temp_url_expires": str(expires), **options}
    parsed = temp_urls.from_query(query)
    assert parsed is not None
    temp_urls.verify(
        parsed,
        method=method,
        account="AUTH_p",
        container="c",
        object_name=name,
        keys=["other", "key"],
        now=1000,
    )


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_hex_signatures_of_every_digest(digest: str) -> None:
    check(temp_urls.sign("key", "GET", 2000, PATH, digest))


def test_base64_signature() -> None:
    raw = hmac.new(b"key", f"GET\n2000\n{PATH}".encode(), hashlib.sha512).digest()
    check("sha512:" + base64.urlsafe_b64encode(raw).decode().rstrip("="))


def test_head_is_allowed_by_a_get_signature() -> None:
    check(temp_urls.sign("key", "GET", 2000, PATH), method="HEAD")


def test_wrong_method_key_path_or_time_is_refused() -> None:
    with pytest.raises(Unauthorized):
        check(temp_urls.sign("key", "GET", 2000, PATH), method="PUT")
    with pytest.raises(Unauthorized):
        check(temp_urls.sign("nope", "GET", 2000, PATH))
    with pytest.raises(Unauthorized):
        check(temp_urls.sign("key", "GET", 2000, PATH), name="elsewhere")
    with pytest.raises(Unauthorized):
        check(temp_urls.sign("key", "GET", 900, PATH), expires=900)
    with pytest.raises(Unauthorized):
        check("not-hex")


def test_prefix_signature_covers_objects_under_the_prefix() -> None:
    signature = temp_urls.sign("key", "GET", 2000, "prefix:/v1/AUTH_p/c/logs/")
    check(signature, name="logs/today.txt", temp_url_prefix="logs/")
    with pytest.raises(Unauthorized):
        check(signature, name="private/today.txt", temp_url_prefix="logs/")


def test_iso_8601_expiry_and_missing_parameters() -> None:
    assert temp_urls.parse_expires("1970-01-01T00:33:20Z") == 2000
    assert temp_urls.from_query({}) is None
    with pytest.raises(Unauthorized):
        temp_urls.from_query({"temp_url_sig": "abc"})


def test_a_signature_over_the_mounted_path_is_accepted() -> None:
    signature = temp_urls.sign("key", "PUT", 2000, "/object-store" + PATH)
    parsed = temp_urls.from_query({"temp_url_sig": signature, "temp_url_expires": "2000"})
    assert parsed is not None
    temp_urls.verify(
        parsed,
        method="PUT",
        account="AUTH_p",
        container="c",
        object_name="o",
        keys=["key"],
        now=1000,
        mount_prefix="/object-store",
    )
    with pytest.raises(Unauthorized):
        temp_urls.verify(
            parsed, method="PUT", account="AUTH_p", container="c", object_name="o", keys=["key"], now=1000
        )
