"""The [clouds] options give a factory for the configured clouds.yaml entry."""

from __future__ import annotations

from pathlib import Path

import yaml
from oslo_config import cfg

from calor.clouds.options import factory_from_config, register, settings_from_config


def test_no_cloud_configured() -> None:
    conf = cfg.ConfigOpts()
    conf([])
    assert settings_from_config(conf) is None
    assert factory_from_config(conf) is None


def test_settings_from_the_named_cloud(tmp_path: Path) -> None:
    clouds_file = tmp_path / "clouds.yaml"
    entry = {
        "auth": {
            "auth_url": "http://127.0.0.1:5000/v3",
            "username": "admin",
            "password": "p",
            "project_name": "admin",
        },
        "region_name": "RegionOne",
    }
    clouds_file.write_text(yaml.safe_dump({"clouds": {"calor-admin": entry}}), encoding="utf-8")
    conf = cfg.ConfigOpts()
    register(conf)
    conf([])
    conf.set_override("cloud", "calor-admin", group="clouds")
    conf.set_override("clouds_file", str(clouds_file), group="clouds")
    conf.set_override("client_retry_limit", 5, group="clouds")
    conf.set_override("project_role", "", group="clouds")
    settings = settings_from_config(conf)
    assert settings is not None
    assert settings.username == "admin"
    assert settings.client_retry_limit == 5
    assert settings.project_role is None
