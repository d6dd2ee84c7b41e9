"""Verify AWS signatures (v2 and v4) of a request described by ``POST /v3/ec2tokens``.

The expected signature is computed with botocore's own signer classes: the request a
client signed is rebuilt as a botocore ``AWSRequest`` and signed again with the secret.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV2Auth, SigV4Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest, HTTPHeaders  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

from calor.sandbox.identity.errors import Unauthorized, ValidationError

V4_ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class Ec2Request:
    """What a service that received an AWS-signed request passes on (Keystone's ``credentials``)."""

    access: str
    signature: str
    host: str
    verb: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body_hash: str | None

    @classmethod
    def from_body(cls, body: Any) -> Ec2Request:
        """Parse ``{"credentials": {...}}`` (or Keystone's older ``ec2Credentials`` key)."""
        if not isinstance(body, Mapping):
            raise ValidationError("Expecting a JSON object.")
        raw = body.get("credentials", body.get("ec2Credentials"))
        if not isinstance(raw, Mapping):
            raise ValidationError("Expecting to find credentials in the request body.")
        access = raw.get("access")
        if not isinstance(access, str) or not access:
            raise ValidationError("Expecting to find access in credentials.")
        params = raw.get("params") or {}
        headers = raw.get("headers") or {}
        if not isinstance(params, Mapping) or not isinstance(headers, Mapping):
            raise ValidationError("params and headers must be objects.")
        body_hash = raw.get("body_hash")
        return cls(
            access=access,
            signature=str(raw.get("signature") or ""),
            host=str(raw.get("host") or ""),
            verb=str(raw.get("verb") or "GET").upper(),
            path=str(raw.get("path") or "/"),
            params={str(key): str(value) for key, value in params.items()},
            headers={str(key): str(value) for key, value in headers.items()},
            body_hash=str(body_hash) if body_hash else None,
        )

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class _ReceivedRequestSigV4(SigV4Auth):  # type: ignore[misc]
    """SigV4 over exactly the headers the client signed, with the body hash it was given."""

    def __init__(
        self,
        credentials: Credentials,
        service_name: str,
        region_name: str,
        signed_headers: list[str],
        host: str,
        body_hash: str | None,
    ) -> None:
        super().__init__(credentials, service_name, region_name)
        self._signed_headers = signed_headers
        self._host = host
        self._body_hash = body_hash

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        header_map = HTTPHeaders()
        for name in self._signed_headers:
            value = request.headers.get(name)
            if value is None and name == "host":
                value = self._host
            if value is None:
                raise Unauthorized(f"The signed header {name} is missing from the request.")
            header_map[name] = value
        return header_map

    def payload(self, request: AWSRequest) -> str:
        if self._body_hash:
            return self._body_hash
        return str(super().payload(request))


def _parse_authorization(value: str) -> dict[str, str]:
    """``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`` → its fields."""
    fields: dict[str, str] = {}
    for part in value[len(V4_ALGORITHM) :].split(","):
        key, _, field_value = part.strip().partition("=")
        if key:
            fields[key] = field_value
    return fields


def _expected_v4(request: Ec2Request, secret: str) -> str:
    query_signed = request.params.get("X-Amz-Algorithm") == V4_ALGORITHM
    if query_signed:
        credential_scope = request.params.get("X-Amz-Credential", "")
        signed_headers = request.params.get("X-Amz-SignedHeaders", "")
        timestamp = request.params.get("X-Amz-Date", "")
        params = {key: value for key, value in request.params.items() if key != "X-Amz-Signature"}
    else:
        fields = _parse_authorization(request.header("Authorization") or "")
        credential_scope = fields.get("Credential", "")
        signed_headers = fields.get("SignedHeaders", "")
        timestamp = request.header("X-Amz-Date") or ""
        # Like Keystone: the parameters of a POST travel in its body, covered by the body hash.
        params = {} if request.verb == "POST" else dict(request.params)
    scope = credential_scope.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not timestamp:
        raise Unauthorized("The AWS signature v4 credential scope is malformed.")
    signer = _ReceivedRequestSigV4(
        Credentials(request.access, secret),
        service_name=scope[3],
        region_name=scope[2],
        signed_headers=[name.strip().lower() for name in signed_headers.split(";") if name.strip()],
        host=request.host,
        body_hash=request.body_hash,
    )
    aws_request = AWSRequest(
        method=request.verb, url=f"http://{request.host}{request.path}", headers=dict(request.headers)
    )
    aws_request.params = params
    aws_request.context["timestamp"] = timestamp
    canonical_request = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical_request)
    return str(signer.signature(string_to_sign, aws_request))


def _expected_v2(request: Ec2Request, secret: str) -> str:
    if request.params.get("SignatureMethod", "HmacSHA256") != "HmacSHA256":
        raise Unauthorized("Only HmacSHA256 is supported for AWS signature v2.")
    signer = SigV2Auth(Credentials(request.access, secret))
    aws_request = AWSRequest(method=request.verb, url=f"http://{request.host}{request.path}")
    _query, signature = signer.calc_signature(aws_request, dict(request.params))
    return str(signature)


def signature_version(request: Ec2Request) -> int:
    if request.params.get("X-Amz-Algorithm") == V4_ALGORITHM:
        return 4
    if (request.header("Authorization") or "").startswith(V4_ALGORITHM):
        return 4
    if request.params.get("SignatureVersion") == "2":
        return 2
    raise Unauthorized("Only AWS signatures of version 2 and 4 are supported.")


def given_signature(request: Ec2Request) -> str:
    """The signature the client sent: as passed on, else from the parameters or header."""
    if request.signature:
        return request.signature
    if request.params.get("X-Amz-Signature"):
        return request.params["X-Amz-Signature"]
    authorization = request.header("Authorization") or ""
    if authorization.startswith(V4_ALGORITHM):
        return _parse_authorization(authorization).get("Signature", "")
    return request.params.get("Signature", "")


def verify_signature(request: Ec2Request, secret: str) -> None:
    """Raise :class:`Unauthorized` unless the request was signed with ``secret``."""
    version = signature_version(request)
    expected = _expected_v4(request, secret) if version == 4 else _expected_v2(request, secret)
    if not hmac.compare_digest(expected.encode("utf-8"), given_signature(request).encode("utf-8")):
        raise Unauthorized("The request signature does not match the EC2 credential.")
