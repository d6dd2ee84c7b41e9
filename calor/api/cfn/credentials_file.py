"""The AWS shared-credentials file heat-all writes, so awscli and boto3 work at once.

``write_aws_credentials(path, access, secret)`` writes profile ``calor`` (mode 0600);
``aws --profile calor --endpoint-url http://127.0.0.1:8000/v1 cloudformation list-stacks``
then works with ``AWS_SHARED_CREDENTIALS_FILE`` pointing at the file.
"""

from __future__ import annotations

import configparser
import io
import os
from pathlib import Path

PROFILE = "calor"


def credentials_text(access: str, secret: str, *, region: str = "RegionOne", profile: str = PROFILE) -> str:
    document = configparser.ConfigParser()
    document[profile] = {
        "aws_access_key_id": access,
        "aws_secret_access_key": secret,
        "region": region,
    }
    buffer = io.StringIO()
    document.write(buffer)
    return buffer.getvalue()


def write_aws_credentials(
    path: Path, access: str, secret: str, *, region: str = "RegionOne", profile: str = PROFILE
) -> None:
    """Write (replace) the file at ``path`` with one profile, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(credentials_text(access, secret, region=region, profile=profile))
