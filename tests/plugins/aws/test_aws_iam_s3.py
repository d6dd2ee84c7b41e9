"""AWS::IAM::User, AWS::IAM::AccessKey (Keystone) and AWS::S3::Bucket (Swift) on the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from aws_harness import run_create, run_delete

from calor.errors import ResourceFailure
from calor.plugins.aws.iam import AccessKey, User
from calor.plugins.aws.s3 import Bucket, access_headers


def test_user_and_access_key(make: Any, sandbox: Any) -> None:
    identity = sandbox.factory.service_connection().identity
    user = make(User, {"LoginProfile": {"Password": "s3cret-pass"}}, name="agent")
    run_create(user)
    found = identity.get_user(user.resource_id)
    assert found.name == user.reference_id()
    assert found.name.startswith("stack-agent-")
    assert found.default_project_id == sandbox.demo_project_id
    roles = list(
        identity.role_assignments(user_id=user.resource_id, scope_project_id=sandbox.demo_project_id)
    )
    assert roles

    key = make(AccessKey, {"UserName": user.reference_id()}, name="key")
    run_create(key)
    assert key.reference_id() == key.resource_id
    secret = key.get_attribute("SecretAccessKey")
    assert secret
    assert "secret_key" in key.context.redacted_keys
    assert key.get_attribute("UserName") == user.reference_id()
    listed = identity.get(f"/users/{user.resource_id}/credentials/OS-EC2").json()["credentials"]
    assert [(item["access"], item["secret"], item["tenant_id"]) for item in listed] == [
        (key.resource_id, secret, sandbox.demo_project_id)
    ]

    user.handle_suspend()
    assert identity.get_user(user.resource_id).is_enabled is False
    user.handle_resume()
    assert identity.get_user(user.resource_id).is_enabled is True

    run_delete(key)
    assert identity.get(f"/users/{user.resource_id}/credentials/OS-EC2").json()["credentials"] == []
    run_delete(user)
    assert identity.find_user(user.resource_id, ignore_missing=True) is None
    run_delete(user)


def test_access_key_for_an_unknown_user_fails_clearly(make: Any) -> None:
    key = make(AccessKey, {"UserName": "nobody-here"})
    with pytest.raises(ResourceFailure, match=r"The User \(nobody-here\) could not be found"):
        run_create(key)


def test_access_headers_follow_heats_mapping() -> None:
    assert access_headers("PublicRead", "p", "u") == {"X-Container-Read": ".r:*", "X-Container-Write": "p:u"}
    assert access_headers("PublicReadWrite", "p", "u") == {
        "X-Container-Read": ".r:*",
        "X-Container-Write": ".r:*",
    }
    assert access_headers("AuthenticatedRead", "p", "u") == {
        "X-Container-Read": "p",
        "X-Container-Write": "p:u",
    }
    assert access_headers(None, "p", "u") == {"X-Container-Read": "p:u", "X-Container-Write": "p:u"}


def test_bucket_is_a_container(make: Any, cloud: Any) -> None:
    bucket = make(
        Bucket,
        {
            "AccessControl": "PublicRead",
            "WebsiteConfiguration": {"IndexDocument": "index.html", "ErrorDocument": "error.html"},
            "Tags": [{"Key": "team", "Value": "web"}],
        },
        name="site",
    )
    run_create(bucket)
    assert bucket.reference_id().startswith("stack-site-")
    headers = cloud.object_store.head(f"/{bucket.resource_id}").headers
    assert headers["X-Container-Read"] == ".r:*"
    assert headers["X-Container-Meta-Web-Index"] == "index.html"
    assert headers["X-Container-Meta-Web-Error"] == "error.html"
    assert headers["X-Container-Meta-S3-Tag-team"] == "web"
    assert bucket.get_attribute("DomainName") == "127.0.0.1"
    url = bucket.get_attribute("WebsiteURL")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/" + bucket.resource_id)

    cloud.object_store.upload_object(container=bucket.resource_id, name="index.html", data=b"hi")
    with pytest.raises(ResourceFailure, match="not empty"):
        run_delete(bucket)
    cloud.object_store.delete_object("index.html", container=bucket.resource_id)
    run_delete(bucket)
    assert cloud.object_store.head(f"/{bucket.resource_id}").status_code == 404
    run_delete(bucket)
