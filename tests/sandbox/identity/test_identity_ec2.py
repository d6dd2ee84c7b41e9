"""EC2 credentials (OS-EC2) and ``POST /v3/ec2tokens`` with requests signed by botocore."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests
from botocore.auth import SigV2Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"
CFN_HOST = "127.0.0.1:8000"
FORM = "Action=ListStacks&Version=2010-05-15"


def token(url: str, user: str, password: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "domain": {"id": "default"}, "password": password}},
            },
            "scope": {"project": {"name": user, "domain": {"id": "default"}}},
        }
    }
    return str(requests.post(f"{url}/v3/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"])


def sigv4_credentials_body(access: str, secret: str) -> dict[str, Any]:
    """What heat-api-cfn's ec2token middleware sends for a boto3-style SigV4 POST."""
    request = AWSRequest(
        method="POST",
        url=f"http://{CFN_HOST}/v1/",
        data=FORM,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(access, secret), "cloudformation", "RegionOne").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = CFN_HOST
    return {
        "credentials": {
            "access": access,
            "signature": headers["Authorization"].rsplit("Signature=", 1)[1],
            "host": CFN_HOST,
            "verb": "POST",
            "path": "/v1/",
            "params": {"Action": "ListStacks", "Version": "2010-05-15"},
            "headers": headers,
            "body_hash": hashlib.sha256(FORM.encode()).hexdigest(),
        }
    }


def sigv2_credentials_body(access: str, secret: str) -> dict[str, Any]:
    request = AWSRequest(
        method="GET", url=f"http://{CFN_HOST}/v1/", params={"Action": "ListStacks", "Version": "2010-05-15"}
    )
    SigV2Auth(Credentials(access, secret)).add_auth(request)
    params = {key: str(value) for key, value in request.params.items()}
    signature = params.pop("Signature")  # heat-api-cfn's middleware passes it apart
    return {
        "ec2Credentials": {
            "access": access,
            "signature": signature,
            "host": CFN_HOST,
            "verb": "GET",
            "path": "/v1/",
            "params": params,
            "headers": {"Host": CFN_HOST},
        }
    }


def test_ec2_credentials_crud(identity: Any) -> None:
    demo_token = token(identity.url, "demo", DEMO_PASSWORD)
    demo = identity.backend.find_user("demo", "default")
    demo_project = identity.backend.find_project("demo", "default")
    base = f"{identity.url}/v3/users/{demo.id}/credentials/OS-EC2"
    headers = {"X-Auth-Token": demo_token}

    listed = requests.get(base, headers=headers, timeout=10)
    assert listed.status_code == 200
    (bootstrapped,) = listed.json()["credentials"]
    assert bootstrapped["tenant_id"] == demo_project.id

    created = requests.post(base, json={"tenant_id": demo_project.id}, headers=headers, timeout=10)
    assert created.status_code == 201
    credential = created.json()["credential"]
    assert credential["user_id"] == demo.id and credential["secret"]
    shown = requests.get(f"{base}/{credential['access']}", headers=headers, timeout=10)
    assert shown.json()["credential"] == credential

    admin_project = identity.backend.find_project("admin", "default")
    refused = requests.post(base, json={"tenant_id": admin_project.id}, headers=headers, timeout=10)
    assert refused.status_code == 403
    admin = identity.backend.find_user("admin", "default")
    others = f"{identity.url}/v3/users/{admin.id}/credentials/OS-EC2"
    assert requests.get(others, headers=headers, timeout=10).status_code == 403

    deleted = requests.delete(f"{base}/{credential['access']}", headers=headers, timeout=10)
    assert deleted.status_code == 204
    assert requests.get(f"{base}/{credential['access']}", headers=headers, timeout=10).status_code == 404


def test_ec2tokens_verifies_sigv4_and_refuses_wrong_secret(identity: Any) -> None:
    demo = identity.backend.find_user("demo", "default")
    (credential,) = identity.backend.list_ec2_credentials(demo.id)
    good = requests.post(
        f"{identity.url}/v3/ec2tokens",
        json=sigv4_credentials_body(credential.access, credential.secret),
        timeout=10,
    )
    assert good.status_code == 200, good.text
    body = good.json()["token"]
    assert body["methods"] == ["ec2credential"]
    assert body["project"]["id"] == credential.project_id
    assert body["user"]["id"] == demo.id
    assert {role["name"] for role in body["roles"]} == {"member", "reader"}
    assert body["catalog"]
    issued = good.headers["X-Subject-Token"]
    assert identity.backend.validate_token(issued).project_id == credential.project_id

    wrong = requests.post(
        f"{identity.url}/v3/ec2tokens",
        json=sigv4_credentials_body(credential.access, "wrong-secret"),
        timeout=10,
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == 401

    unknown = requests.post(
        f"{identity.url}/v3/ec2tokens", json=sigv4_credentials_body("no-such-key", "x"), timeout=10
    )
    assert unknown.status_code == 401


def test_ec2tokens_detects_a_tampered_request(identity: Any) -> None:
    demo = identity.backend.find_user("demo", "default")
    (credential,) = identity.backend.list_ec2_credentials(demo.id)
    body = sigv4_credentials_body(credential.access, credential.secret)
    body["credentials"]["body_hash"] = hashlib.sha256(b"Action=DeleteStack").hexdigest()
    assert requests.post(f"{identity.url}/v3/ec2tokens", json=body, timeout=10).status_code == 401


def test_ec2tokens_verifies_sigv2(identity: Any) -> None:
    admin = identity.backend.find_user("admin", "default")
    (credential,) = identity.backend.list_ec2_credentials(admin.id)
    good = requests.post(
        f"{identity.url}/v3/ec2tokens",
        json=sigv2_credentials_body(credential.access, credential.secret),
        timeout=10,
    )
    assert good.status_code == 200, good.text
    assert "admin" in {role["name"] for role in good.json()["token"]["roles"]}
    wrong = requests.post(
        f"{identity.url}/v3/ec2tokens", json=sigv2_credentials_body(credential.access, "nope"), timeout=10
    )
    assert wrong.status_code == 401


def test_expected_signatures_agree_with_keystones_signer() -> None:
    """The reference: python-keystoneclient's Ec2Signer, which Keystone itself uses."""
    ec2_utils = pytest.importorskip("keystoneclient.contrib.ec2.utils")
    from calor.sandbox.identity.ec2 import Ec2Request, given_signature, verify_signature

    for body in (sigv4_credentials_body("AKID", "SECRET"), sigv2_credentials_body("AKID", "SECRET")):
        raw = dict(body.get("credentials") or body["ec2Credentials"])
        raw["params"] = dict(raw["params"])
        request = Ec2Request.from_body(body)
        assert ec2_utils.Ec2Signer("SECRET").generate(raw) == given_signature(request)
        verify_signature(request, "SECRET")
