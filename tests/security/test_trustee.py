"""The trustee from heat.conf: ``[trustee]`` (or its ``auth_section``), else ``[keystone_authtoken]``."""

from __future__ import annotations

from pathlib import Path

import pytest
from oslo_config import cfg

from calor.clouds import CloudSettings
from calor.config import load_config
from calor.security.trustee import TrusteeNotConfigured, TrusteeSettings, trustee_from_config


def conf_with(tmp_path: Path, text: str) -> cfg.ConfigOpts:
    path = tmp_path / "heat.conf"
    path.write_text(text)
    return load_config(config_files=[str(path)])


def test_the_trustee_section(tmp_path: Path) -> None:
    conf = conf_with(
        tmp_path,
        "[trustee]\nauth_type = password\nauth_url = http://keystone:5000\nusername = heat\n"
        "password = secret\nuser_domain_name = Default\n"
        "[keystone_authtoken]\nauth_type = password\nauth_url = http://other\nusername = no\npassword = no\n",
    )
    trustee = trustee_from_config(conf)
    assert trustee == TrusteeSettings(
        auth_url="http://keystone:5000", password="secret", username="heat", user_domain_name="Default"
    )
    assert "secret" not in repr(trustee)


def test_an_auth_section_is_followed(tmp_path: Path) -> None:
    conf = conf_with(
        tmp_path,
        "[trustee]\nauth_section = trustee_keystone\n"
        "[trustee_keystone]\nauth_type = password\nauth_url = http://keystone:5000\nuser_id = u1\n"
        "password = secret\n",
    )
    trustee = trustee_from_config(conf)
    assert trustee is not None and trustee.user_id == "u1" and trustee.resolved_user_id() == "u1"


def test_keystone_authtoken_is_the_fallback_without_its_project(tmp_path: Path) -> None:
    conf = conf_with(
        tmp_path,
        "[keystone_authtoken]\nauth_type = password\nauth_url = http://keystone:5000\nusername = heat\n"
        "password = secret\nproject_name = service\nproject_domain_name = Default\n",
    )
    trustee = trustee_from_config(conf)
    assert trustee is not None and trustee.username == "heat" and trustee.user_domain_id == "default"
    cloud = trustee.cloud_settings(
        CloudSettings(auth_url="http://cloud/v3", username="svc", project_name="p")
    )
    assert cloud.username == "heat" and cloud.project_name is None
    auth = cloud.auth_options(trust_id="t1")
    assert auth["trust_id"] == "t1" and "project_name" not in auth


def test_nothing_configured_and_wrong_types(tmp_path: Path) -> None:
    assert trustee_from_config(conf_with(tmp_path, "")) is None
    wrong = conf_with(tmp_path, "[trustee]\nauth_type = token\n")
    with pytest.raises(TrusteeNotConfigured, match="auth_type must be password"):
        trustee_from_config(wrong)
    incomplete = conf_with(tmp_path, "[trustee]\nauth_type = password\nusername = heat\n")
    with pytest.raises(TrusteeNotConfigured, match="auth_url and password"):
        trustee_from_config(incomplete)
