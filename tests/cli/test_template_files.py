"""Local template checks: syntax errors at file:line:column, API errors pointed at lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from calor.cli.errors import CommandError
from calor.cli.template_files import check_syntax, read_local_template, read_template_fields

TEMPLATE = """heat_template_version: 2021-04-16
parameters:
  flavor:
    type: string
resources:
  web:
    type: OS::Nova::Server
    properties:
      flavor: {get_param: flavor}
      image: cirros
outputs:
  address:
    value: {get_attr: [web, first_address]}
"""


def test_yaml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("heat_template_version: 2021-04-16\nresources:\n  web:\n    type: x\n   bad: [1\n")
    with pytest.raises(CommandError) as error:
        check_syntax(str(path))
    message = str(error.value)
    assert message.startswith(f"{path}:5:")
    assert message.count(":") >= 3


def test_json_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"heat_template_version": "2021-04-16",\n "resources": {,}}\n')
    with pytest.raises(CommandError, match=rf"^{path}:2:\d+: "):
        check_syntax(str(path))


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        check_syntax(str(tmp_path / "missing.yaml"))


def test_api_error_path_gets_the_line(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(TEMPLATE)
    local = read_local_template(str(path))
    message = "Property error: resources.web.properties.flavor: The Flavor ID (m1.huge) could not be found."
    assert local.locate(message) == f"{path}:9: {message}"
    assert (
        local.locate("outputs.address: no such attribute") == f"{path}:12: outputs.address: no such attribute"
    )
    assert local.locate("Something else went wrong") == "Something else went wrong"


def test_template_fields_carry_files_and_environment(tmp_path: Path) -> None:
    (tmp_path / "script.sh").write_text("echo hi\n")
    template = tmp_path / "main.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\nresources:\n  config:\n    type: OS::Heat::Value\n"
        "    properties:\n      value: {get_file: script.sh}\n"
    )
    environment = tmp_path / "env.yaml"
    environment.write_text("parameters:\n  name: x\n")
    fields = read_template_fields(None, str(template), [str(environment)])
    assert fields.template is not None and "resources" in fields.template
    contents = {key.rsplit("/", 1)[-1]: value for key, value in fields.files.items()}
    assert contents["script.sh"] in ("echo hi\n", b"echo hi\n")
    assert "env.yaml" in contents
    assert fields.environment["parameters"] == {"name": "x"}
    assert fields.request_fields()["environment_files"] == [environment.as_uri()]


def test_environment_syntax_error_names_its_file(tmp_path: Path) -> None:
    template = tmp_path / "main.yaml"
    template.write_text("heat_template_version: 2021-04-16\n")
    environment = tmp_path / "env.yaml"
    environment.write_text("parameters: {a: 1\n")
    with pytest.raises(CommandError, match=rf"^{environment}:2:1: "):
        read_template_fields(None, str(template), [str(environment)])
