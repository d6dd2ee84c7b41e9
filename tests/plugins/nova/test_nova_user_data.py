"""User data in Heat's formats: RAW unchanged, HEAT_CFNTOOLS and SOFTWARE_CONFIG as multiparts."""

from __future__ import annotations

import base64
import email
import json

from calor.plugins.nova.user_data import build_user_data, encode


def parts(text: str) -> dict[str, tuple[str, str]]:
    message = email.message_from_string(text)
    assert message.is_multipart()
    found = {}
    for part in message.get_payload():
        payload = part.get_payload(decode=True).decode()
        found[part.get_filename() or ""] = (part.get_content_type(), payload)
    return found


def test_raw_is_unchanged() -> None:
    assert build_user_data("#!/bin/sh\necho hi\n", "RAW") == "#!/bin/sh\necho hi\n"
    assert base64.b64decode(encode("héllo")).decode() == "héllo"


def test_heat_cfntools_multipart() -> None:
    metadata = {"AWS::CloudFormation::Init": {"config": {}}}
    text = build_user_data(
        "#!/bin/sh\necho hi\n", "HEAT_CFNTOOLS", metadata=metadata, metadata_url="http://10.0.0.1:8000/v1/"
    )
    found = parts(text)
    assert found["cfn-userdata"] == ("text/x-cfninitdata", "#!/bin/sh\necho hi\n")
    assert found["cloud-config"][0] == "text/cloud-config"
    assert found["boothook.sh"][0] == "text/cloud-boothook"
    assert found["part-handler.py"][0] == "text/part-handler"
    assert found["loguserdata.py"][0] == "text/x-shellscript"
    assert json.loads(found["cfn-init-data"][1]) == metadata
    assert found["cfn-metadata-server"][1] == "http://10.0.0.1:8000/v1/"
    assert "cfn_region_endpoint = 10.0.0.1" in found["cfn-boto-cfg"][1]


def test_software_config_keeps_the_parts_of_a_multipart() -> None:
    inner = build_user_data("#!/bin/sh\necho inner\n", "SOFTWARE_CONFIG")
    found = parts(build_user_data(inner, "SOFTWARE_CONFIG"))
    assert "cfn-userdata" not in found
    assert found[""] == ("text/x-shellscript", "#!/bin/sh\necho inner\n")
    plain = parts(build_user_data("#cloud-config\npackages: [git]\n", "SOFTWARE_CONFIG"))
    assert plain[""][0] == "text/cloud-config"
