"""Signatures: expired and replayed requests, the v2 query form, the Keystone ec2tokens path."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from botocore.auth import SigV2Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cfn_fixtures import CfnService

from calor.api.cfn.errors import RequestExpired
from calor.api.cfn.signatures import FreshnessGuard
from calor.sandbox.identity.ec2 import Ec2Request


def send(request: AWSRequest) -> tuple[int, str]:
    prepared = request.prepare()
    call = urllib.request.Request(
        prepared.url, data=prepared.body, headers=dict(prepared.headers), method=prepared.method
    )
    try:
        with urllib.request.urlopen(call) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def signed_v4(cfn: CfnService, body: dict[str, str], moment: datetime.datetime | None = None) -> AWSRequest:
    credential = cfn.principals.demo_credential
    request = AWSRequest(
        method="POST",
        url=cfn.endpoint,
        data=urllib.parse.urlencode(body).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    if moment is not None:
        request.context["timestamp"] = moment.strftime("%Y%m%dT%H%M%SZ")
        signer: Any = SigV4Auth(
            Credentials(credential.access, credential.secret), "cloudformation", "RegionOne"
        )
        signer._modify_request_before_signing(request)
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        signature = signer.signature(string_to_sign, request)
        signer._inject_signature_to_request(request, signature)
        return request
    SigV4Auth(Credentials(credential.access, credential.secret), "cloudformation", "RegionOne").add_auth(
        request
    )
    return request


def test_replayed_mutation_is_refused(cfn: CfnService) -> None:
    body = {
        "Action": "DeleteStack",
        "Version": "2010-05-15",
        "StackName": "absent",
    }
    request = signed_v4(cfn, body)
    status, _ = send(request)
    assert status == 200
    status, text = send(request)
    assert status == 403
    assert "<Code>AccessDenied</Code>" in text and "replayed" in text


def test_a_refused_mutation_may_come_again(cfn: CfnService) -> None:
    # boto3 retries RequestLimitExceeded with the same signature: it gets the same answer.
    flavor = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"F": {"Type": "OS::Nova::Flavor"}}}'
    body = {"Action": "CreateStack", "Version": "2010-05-15", "StackName": "f", "TemplateBody": flavor}
    request = signed_v4(cfn, body)
    for _ in range(2):
        status, text = send(request)
        assert status == 403
        assert "resource_types:OS::Nova::Flavor" in text and "replayed" not in text


def test_expired_request_is_refused(cfn: CfnService) -> None:
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    request = signed_v4(cfn, {"Action": "ListStacks", "Version": "2010-05-15"}, old)
    status, text = send(request)
    assert status == 400
    assert "<Code>RequestExpired</Code>" in text


def test_reads_may_repeat(cfn: CfnService) -> None:
    request = signed_v4(cfn, {"Action": "ListStacks", "Version": "2010-05-15"})
    assert send(request)[0] == 200
    assert send(request)[0] == 200


def test_signature_v2_query_and_json_replies(cfn: CfnService) -> None:
    credential = cfn.principals.demo_credential
    params = {
        "Action": "ListStacks",
        "Version": "2010-05-15",
        "ContentType": "JSON",
        "AWSAccessKeyId": credential.access,
        "SignatureVersion": "2",
        "SignatureMethod": "HmacSHA256",
        "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    request = AWSRequest(method="GET", url=cfn.endpoint)
    query, signature = SigV2Auth(Credentials(credential.access, credential.secret)).calc_signature(
        request, params
    )
    url = f"{cfn.endpoint}?{query}&Signature={urllib.parse.quote(signature, safe='')}"
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        import json

        body = json.loads(response.read())
    assert body["ListStacksResponse"]["ListStacksResult"]["StackSummaries"] == []
    tampered = url.replace("ListStacks", "DescribeStacks", 1)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(tampered)
    assert error.value.code == 403


def test_guard_accepts_fresh_and_refuses_far_future() -> None:
    guard = FreshnessGuard()
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    def request(date: str) -> Ec2Request:
        return Ec2Request("key", "", "host", "GET", "/", {}, {"X-Amz-Date": date}, None)

    guard.check_time(request("20260101T000500Z"), now.timestamp())
    with pytest.raises(RequestExpired):
        guard.check_time(request("20260101T010000Z"), now.timestamp())
