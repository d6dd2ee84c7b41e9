"""CloudSettings from clouds.yaml and explicit values, and the scoped auth options."""

from __future__ import annotations

from pathlib import Path

import yaml

from calor.clouds.settings import CloudSettings


def test_from_clouds_yaml(tmp_path: Path) -> None:
    clouds = {
        "clouds": {
            "calor-admin": {
                "auth": {
                    "auth_url": "http://127.0.0.1:5000/v3",
                    "username": "admin",
                    "password": "secret",
                    "project_name": "admin",
                    "user_domain_name": "Default",
                    "project_domain_name": "Default",
                },
                "region_name": "RegionOne",
                "interface": "public",
                "identity_api_version": 3,
            }
        }
    }
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(clouds), encoding="utf-8")
    settings = CloudSettings.from_clouds_yaml("calor-admin", config_files=[path])
    assert settings.auth_url == "http://127.0.0.1:5000/v3"
    assert settings.username == "admin"
    assert settings.password == "secret"
    assert settings.project_name == "admin"
    assert settings.user_domain_name == "Default"
    assert settings.region_name == "RegionOne"
    assert settings.cloud_name == "calor-admin"


def test_auth_options_scope() -> None:
    settings = CloudSettings(
        auth_url="http://keystone/v3", username="heat", password="p", project_name="service"
    )
    own = settings.auth_options()
    assert own["project_name"] == "service"
    assert own["project_domain_id"] == "default"
    assert own["user_domain_id"] == "default"
    scoped = settings.auth_options(project_id="abc")
    assert scoped["project_id"] == "abc"
    assert "project_name" not in scoped
    trust = settings.auth_options(trust_id="t1")
    assert trust["trust_id"] == "t1"
    assert "project_id" not in trust and "project_name" not in trust
    options = settings.with_options(region_name="RegionTwo").connection_options(project_id="abc")
    assert options["region_name"] == "RegionTwo"
    assert options["auth_type"] == "password"
