"""``heat-api``'s WSGI application, built from a heat.conf."""

from __future__ import annotations

from pathlib import Path

from calor.cmd.api import build_app
from calor.config import load_config
from calor.db.engine import make_engine, upgrade


def _conf(tmp_path: Path, auth_strategy: str) -> Path:
    database = f"sqlite:///{tmp_path / 'calor.sqlite'}"
    upgrade(make_engine(database))
    config_file = tmp_path / "heat.conf"
    config_file.write_text(
        f"[DEFAULT]\nauth_strategy = {auth_strategy}\nstate_dir = {tmp_path}\n"
        f"[database]\nconnection = {database}\n"
        "[keystone_authtoken]\nwww_authenticate_uri = http://keystone.invalid/v3\n"
        "auth_url = http://keystone.invalid/v3\nauth_type = password\nusername = heat\n"
        "password = secret\nproject_name = service\nuser_domain_id = default\nproject_domain_id = default\n"
    )
    return config_file


def test_noauth_application_serves_the_database(tmp_path: Path) -> None:
    app = build_app(load_config(config_files=[str(_conf(tmp_path, "noauth"))]))
    response = app.test_client().get("/v1/p/stacks", headers={"X-Project-Id": "p", "X-Roles": "member"})
    assert response.status_code == 200
    assert response.json == {"stacks": []}


def test_keystone_application_refuses_requests_without_a_token(tmp_path: Path) -> None:
    app = build_app(load_config(config_files=[str(_conf(tmp_path, "keystone"))]))
    response = app.test_client().get("/v1/p/stacks")
    assert response.status_code == 401
    assert response.json["error"]["type"] == "HTTPUnauthorized"
    assert "keystone.invalid" in response.headers.get("WWW-Authenticate", "")
