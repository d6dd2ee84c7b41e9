"""Small parts of the API layer: the error body, policy defaults, catalog substitution, config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calor.api.errors import body_for_exception, error_body
from calor.api.policy import DEFAULT_RULES, authorize, make_enforcer
from calor.config import api_config, database_url, load_config
from calor.engine.service import RequestContext
from calor.errors import Forbidden, ParameterError


def test_error_body_has_heats_shape() -> None:
    status, body = body_for_exception(ParameterError("bad value", path="parameters.size"), debug=False)
    assert status == 400
    assert body == {
        "explanation": "The server could not comply with the request since it is either malformed "
        "or otherwise incorrect.",
        "code": 400,
        "error": {
            "message": "parameters.size: bad value",
            "type": "StackValidationFailed",
            "traceback": None,
        },
        "title": "Bad Request",
    }
    assert error_body(404, "gone", "StackNotFound")["title"] == "Not Found"


def test_unexpected_errors_are_500_without_details_unless_debug() -> None:
    status, body = body_for_exception(KeyError("secret"), debug=False)
    assert status == 500 and "secret" not in json.dumps(body)
    _status, debugging = body_for_exception(KeyError("secret"), debug=True)
    assert "secret" in debugging["error"]["message"] and debugging["error"]["traceback"]


@pytest.mark.parametrize("rule", sorted(DEFAULT_RULES))
def test_every_default_rule_loads(rule: str) -> None:
    enforcer = make_enforcer()
    admin = RequestContext("p", roles=("admin",), is_admin=True)
    if DEFAULT_RULES[rule] != "!":
        authorize(enforcer, rule, admin)


def test_stack_users_and_members() -> None:
    enforcer = make_enforcer()
    member = RequestContext("p", roles=("member",))
    stack_user = RequestContext("p", roles=("heat_stack_user",))
    authorize(enforcer, "stacks:create", member)
    authorize(enforcer, "resource:signal", stack_user)
    authorize(enforcer, "stacks:lookup", stack_user)
    with pytest.raises(Forbidden):
        authorize(enforcer, "stacks:create", stack_user)
    with pytest.raises(Forbidden):
        authorize(enforcer, "service:index", member)


def test_config_defaults_and_files(tmp_path: Path) -> None:
    conf = load_config()
    settings = api_config(conf)
    assert settings.max_json_body_size == 1048576 and settings.max_template_size == 524288
    assert database_url(conf, tmp_path) == f"sqlite:///{tmp_path / 'calor.sqlite'}"
    (tmp_path / "policy.yaml").write_text('"stacks:create": "!"\n')
    config_file = tmp_path / "heat.conf"
    config_file.write_text(
        "[DEFAULT]\nmax_json_body_size = 10\ntemplate_fetch_allowed_hosts = a.example, b.example\n"
        "[database]\nconnection = sqlite:////srv/calor.sqlite\n"
    )
    conf = load_config(config_files=[str(config_file)])
    settings = api_config(conf)
    assert settings.max_json_body_size == 10
    assert settings.template_fetch_allowed_hosts == ("a.example", "b.example")
    assert settings.policy_file == str(tmp_path / "policy.yaml")
    assert database_url(conf) == "sqlite:////srv/calor.sqlite"
