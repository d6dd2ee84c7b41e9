"""awscli against heat-api-cfn with the credentials file heat-all writes (profile ``calor``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from cfn_fixtures import CfnService

from calor.api.cfn.credentials_file import write_aws_credentials

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="awscli is not installed")

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"length": {"type": "number", "default": 4}},
    "resources": {
        "word": {"type": "OS::Heat::RandomString", "properties": {"length": {"get_param": "length"}}}
    },
    "outputs": {"word": {"value": {"get_attr": ["word", "value"]}}},
}


def aws(cfn: CfnService, credentials: Path, *arguments: str, check: bool = True) -> Any:
    assert AWS is not None
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(credentials.parent),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(credentials.parent / "no-config"),
    }
    completed = subprocess.run(
        [
            AWS,
            "--profile",
            "calor",
            "--endpoint-url",
            cfn.endpoint,
            "--output",
            "json",
            "cloudformation",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    if not check:
        return completed
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout) if completed.stdout.strip() else None


def test_awscli_lifecycle(cfn: CfnService, tmp_path: Path) -> None:
    credentials = tmp_path / "aws-credentials"
    key = cfn.principals.demo_credential
    write_aws_credentials(credentials, key.access, key.secret)
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    template = tmp_path / "template.json"
    template.write_text(json.dumps(TEMPLATE))
    created = aws(
        cfn,
        credentials,
        "create-stack",
        "--stack-name",
        "cli",
        "--template-body",
        f"file://{template}",
        "--parameters",
        "ParameterKey=length,ParameterValue=7",
    )
    assert ":stacks/cli/" in created["StackId"]
    deadline = time.monotonic() + 30
    while True:
        stack = aws(cfn, credentials, "describe-stacks", "--stack-name", "cli")["Stacks"][0]
        if stack["StackStatus"] != "CREATE_IN_PROGRESS" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert len(stack["Outputs"][0]["OutputValue"]) == 7
    listed = aws(cfn, credentials, "list-stacks")["StackSummaries"]
    assert [item["StackName"] for item in listed] == ["cli"]
    resources = aws(cfn, credentials, "list-stack-resources", "--stack-name", "cli")
    assert resources["StackResourceSummaries"][0]["LogicalResourceId"] == "word"
    validated = aws(cfn, credentials, "validate-template", "--template-body", f"file://{template}")
    assert validated["Parameters"][0]["ParameterKey"] == "length"
    aws(cfn, credentials, "delete-stack", "--stack-name", "cli")
    failed = aws(cfn, credentials, "describe-stacks", "--stack-name", "missing", check=False)
    assert failed.returncode != 0
    assert "ValidationError" in failed.stderr and "does not exist" in failed.stderr
