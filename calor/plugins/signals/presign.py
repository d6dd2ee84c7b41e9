"""Pre-signed URLs (AWS signature version 2, query form) for heat-api-cfn's signal paths.

As Heat does: ``Timestamp``, ``SignatureMethod=HmacSHA256``, ``SignatureVersion=2``,
``AWSAccessKeyId`` and ``Signature`` in the query; the signature covers the method,
the host, the path and these parameters. The URL does not expire (an instance may
signal hours later); deleting the handle deletes its key pair, which revokes it.
"""

from __future__ import annotations

import datetime
import urllib.parse

from botocore.auth import SigV2Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

WAIT_CONDITION_PATH = "/v1/waitcondition/"
SIGNAL_PATH = "/v1/signal/"


def presigned_url(
    base_url: str, path: str, *, access: str, secret: str, method: str, now: datetime.datetime | None = None
) -> str:
    """``base_url`` + ``path`` (unquoted; quoted in the URL) signed for ``method`` with the key pair."""
    moment = now or datetime.datetime.now(datetime.UTC)
    split = urllib.parse.urlsplit(base_url)
    params = {
        "Timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "AWSAccessKeyId": access,
    }
    request = AWSRequest(method=method.upper(), url=f"http://{split.netloc}{path}")
    query, signature = SigV2Auth(Credentials(access, secret)).calc_signature(request, params)
    query += "&Signature=" + urllib.parse.quote(signature, safe="-_~")
    return f"{base_url.rstrip('/')}{urllib.parse.quote(path, safe='/')}?{query}"


def resource_path(prefix: str, stack_arn: str) -> str:
    """The signal path of a resource ARN: ``/v1/waitcondition/arn:openstack:heat::...``."""
    return prefix + stack_arn


def resource_arn_of_url(url: str) -> str | None:
    """The resource ARN inside a wait condition or signal URL (``None`` when it has none)."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    for prefix in (WAIT_CONDITION_PATH, SIGNAL_PATH):
        index = path.find(prefix)
        if index >= 0:
            return path[index + len(prefix) :]
    return None
