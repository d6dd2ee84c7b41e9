"""A server's user data in Heat's three formats: RAW, SOFTWARE_CONFIG and HEAT_CFNTOOLS.

RAW passes the text unchanged. The other two build a MIME multipart for cloud-init, as
Heat's ``build_userdata`` does: the fixed parts of :mod:`calor.plugins.nova.cloud_init`,
then the user's data (HEAT_CFNTOOLS: as ``cfn-userdata`` run by ``loguserdata.py``;
SOFTWARE_CONFIG: as it is, or each of its parts when it is a multipart itself), the
resource metadata as ``cfn-init-data`` and, for HEAT_CFNTOOLS, where the CloudFormation
metadata server is (``cfn-metadata-server``) and a boto configuration (``cfn-boto-cfg``).
"""

from __future__ import annotations

import base64
import email
import json
import string
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import urlparse

from calor.plugins.nova import cloud_init
from calor.plugins.nova.server_schema import HEAT_CFNTOOLS, RAW, SOFTWARE_CONFIG

CFN_SERVICE_TYPE = "cloudformation"


def _subpart(content: str, filename: str, subtype: str | None = None) -> MIMEText:
    if subtype is None:
        subtype = _guess_subtype(content)
    part = MIMEText(content, subtype, "utf-8" if not content.isascii() else "us-ascii")
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _guess_subtype(content: str) -> str:
    """cloud-init's rules for an unnamed part: ``#!`` is a script, ``#cloud-config`` a config."""
    starts = {
        "#!": "x-shellscript",
        "#cloud-config": "cloud-config",
        "#cloud-boothook": "cloud-boothook",
        "#part-handler": "part-handler",
        "#include": "x-include-url",
    }
    for prefix, subtype in starts.items():
        if content.startswith(prefix):
            return subtype
    return "plain"


def _multipart_parts(user_data: str) -> list[tuple[str, str, str | None]] | None:
    """The parts of ``user_data`` when it is itself a MIME multipart, else ``None``."""
    if "multipart" not in user_data[:2048].lower():
        return None
    message = email.message_from_string(user_data)
    if not message.is_multipart():
        return None
    parts: list[tuple[str, str, str | None]] = []
    for part in message.get_payload():
        if not isinstance(part, email.message.Message):
            continue
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8") if isinstance(payload, bytes) else str(part.get_payload())
        parts.append((content, part.get_filename() or "", part.get_content_subtype()))
    return parts


def cfn_metadata_server_url(connection: Any) -> str | None:
    """The CloudFormation API's URL in the catalog, ending in ``/v1/`` (Heat's metadata server)."""
    try:
        url = connection.endpoint_for(CFN_SERVICE_TYPE)
    except Exception:  # a catalog without the service, or no catalog at all
        return None
    if not url:
        return None
    url = str(url).rstrip("/")
    if not url.endswith("/v1"):
        url += "/v1"
    return url + "/"


def boto_configuration(metadata_url: str, *, secure: bool = False, validate_certificates: bool = True) -> str:
    """The boto configuration telling heat-cfntools where the CloudFormation API is."""
    host = urlparse(metadata_url).hostname or ""
    return "\n".join(
        [
            "[Boto]",
            "debug = 0",
            f"is_secure = {int(secure)}",
            f"https_validate_certificates = {int(validate_certificates)}",
            "cfn_region_name = heat",
            f"cfn_region_endpoint = {host}",
        ]
    )


def build_user_data(
    user_data: str,
    user_data_format: str,
    *,
    metadata: Any = None,
    metadata_url: str | None = None,
    instance_user: str | None = None,
) -> str:
    """The user data text to give Nova (not yet base64-encoded)."""
    if user_data_format == RAW:
        return user_data
    custom_user = f"user: {instance_user}" if instance_user else ""
    config = string.Template(cloud_init.CLOUD_CONFIG).safe_substitute(add_custom_user=custom_user)
    parts = [
        _subpart(config, "cloud-config", "cloud-config"),
        _subpart(cloud_init.BOOTHOOK, "boothook.sh", "cloud-boothook"),
        _subpart(cloud_init.PART_HANDLER, "part-handler.py", "part-handler"),
    ]
    if user_data_format == HEAT_CFNTOOLS:
        parts.append(_subpart(user_data, "cfn-userdata", "x-cfninitdata"))
        parts.append(_subpart(cloud_init.LOG_USER_DATA, "loguserdata.py", "x-shellscript"))
    elif user_data_format == SOFTWARE_CONFIG and user_data:
        nested = _multipart_parts(user_data)
        if nested is None:
            parts.append(_subpart(user_data, ""))
        else:
            parts.extend(_subpart(content, filename, subtype) for content, filename, subtype in nested)
    if metadata:
        parts.append(_subpart(json.dumps(metadata), "cfn-init-data", "x-cfninitdata"))
    if user_data_format == HEAT_CFNTOOLS and metadata_url:
        parts.append(_subpart(metadata_url, "cfn-metadata-server", "x-cfninitdata"))
        parts.append(_subpart(boto_configuration(metadata_url), "cfn-boto-cfg", "x-cfninitdata"))
    return MIMEMultipart(_subparts=parts).as_string()


def encode(user_data: str) -> str:
    """Base64 text of the user data, as Nova's API takes it."""
    return base64.b64encode(user_data.encode("utf-8")).decode("ascii")
