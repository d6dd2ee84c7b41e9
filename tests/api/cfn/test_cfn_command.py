"""``heat-api-cfn``'s application: built from heat.conf and the embedded identity's state."""

from __future__ import annotations

from pathlib import Path

from calor.cmd.api_cfn import build_app
from calor.config import database_url, load_config
from calor.db.engine import make_engine, upgrade
from calor.plugins.signals import wiring
from calor.sandbox.identity import IdentityBackend


def test_build_app_uses_the_identity_state_beside_the_database(tmp_path: Path) -> None:
    conf = load_config()
    conf.set_override("state_dir", str(tmp_path))
    upgrade(make_engine(database_url(conf, tmp_path)))
    IdentityBackend.open(tmp_path / "identity").close()
    app = build_app(conf, public_url="http://127.0.0.1:8000")
    wiring.configure(None)
    response = app.test_client().get("/v1?Action=ListStacks&Version=2010-05-15")
    assert response.status_code == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in response.data
    response = app.test_client().get("/v1?Version=2010-05-15")
    assert response.status_code == 400
    assert b"<Code>MissingAction</Code>" in response.data
    response = app.test_client().get("/v1?Action=Nothing")
    assert b"<Code>InvalidAction</Code>" in response.data
