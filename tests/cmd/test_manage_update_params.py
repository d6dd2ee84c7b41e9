"""heat-manage update_params --previous-encryption-key: stored credentials move to the current key."""

from __future__ import annotations

import io
import pathlib

import pytest
from oslo_config.cfg import ConfigOpts

from calor.cmd.manage import main
from calor.db.engine import make_engine
from calor.db.records import NewUserCredentials
from calor.db.repository import Repository
from calor.security.encryption import HEAT_DEFAULT_KEY, SecretEncryption
from calor.security.options import generate_key_if_unset, register

OLD_KEY = "the key stacks were stored with."
NEW_KEY = "the key heat.conf names from now"
TEMPLATE = {"heat_template_version": "2018-08-31"}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def prepared(tmp_path: pathlib.Path, key: str | None) -> tuple[pathlib.Path, Repository, str]:
    """A migrated database with one trust stored under OLD_KEY, and a heat.conf naming ``key``."""
    url = f"sqlite:///{tmp_path / 'heat.sqlite'}"
    conf = tmp_path / "heat.conf"
    lines = ["[database]", f"connection = {url}"]
    if key is not None:
        lines += ["[DEFAULT]", f"auth_encryption_key = {key}"]
    conf.write_text("\n".join(lines) + "\n")
    assert run("--config-file", str(conf), "db", "sync")[0] == 0
    repository = Repository(make_engine(url))
    repository.encryption = SecretEncryption(OLD_KEY)
    stack, _job = repository.create_stack_with_job(
        name="trusting",
        project_id="project",
        template=TEMPLATE,
        user_credentials=NewUserCredentials(project_id="project", trust_id="trust-0001"),
    )
    assert stack.user_credentials_id is not None
    return conf, repository, stack.user_credentials_id


def test_update_params_reencrypts_with_heat_confs_key(tmp_path: pathlib.Path) -> None:
    conf, repository, row = prepared(tmp_path, NEW_KEY)
    status, output, error = run(
        "--config-file", str(conf), "update_params", "--previous-encryption-key", OLD_KEY
    )
    assert (status, error) == (0, "")
    assert output == "Re-encrypted 1 stored credentials with the current auth_encryption_key\n"
    repository.encryption = SecretEncryption(NEW_KEY)
    found = repository.get_user_credentials(row)
    assert found is not None and found.trust_id == "trust-0001"
    # Again: nothing left to move.
    assert run("--config-file", str(conf), "update_params", "--previous-encryption-key", OLD_KEY)[
        1
    ].startswith("Re-encrypted 0 ")


def test_without_a_configured_key_heats_default_is_current(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALOR_STATE_DIR", str(tmp_path / "no-heat-all-here"))
    conf, repository, row = prepared(tmp_path, None)
    assert run("--config-file", str(conf), "update_params", "--previous-encryption-key", OLD_KEY)[0] == 0
    repository.encryption = SecretEncryption(HEAT_DEFAULT_KEY)
    found = repository.get_user_credentials(row)
    assert found is not None and found.trust_id == "trust-0001"


def test_without_a_configured_key_heat_alls_generated_key_is_current(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_dir = tmp_path / "heat-all-state"
    conf_key = tmp_path / "heat-all.conf"
    configure = ConfigOpts()
    register(configure)
    generate_key_if_unset(configure, state_dir)  # what heat-all does on its first start
    generated = str(configure.auth_encryption_key)
    conf, repository, row = prepared(tmp_path, None)
    conf_key.write_text(conf.read_text() + f"[DEFAULT]\nstate_dir = {state_dir}\n")
    monkeypatch.setenv("CALOR_STATE_DIR", str(tmp_path / "elsewhere"))
    assert run("--config-file", str(conf_key), "update_params", "--previous-encryption-key", OLD_KEY)[0] == 0
    repository.encryption = SecretEncryption(generated)
    found = repository.get_user_credentials(row)
    assert found is not None and found.trust_id == "trust-0001"


def test_a_wrong_previous_key_is_one_line_and_changes_nothing(tmp_path: pathlib.Path) -> None:
    conf, repository, row = prepared(tmp_path, NEW_KEY)
    status, output, error = run(
        "--config-file", str(conf), "update_params", "--previous-encryption-key", "not the key they used!!"
    )
    assert status == 1 and output == ""
    assert error.startswith("heat-manage: The credentials ") and error.count("\n") == 1
    assert "Traceback" not in error
    found = repository.get_user_credentials(row)  # still under OLD_KEY
    assert found is not None and found.trust_id == "trust-0001"
    status, _output, error = run(
        "--config-file", str(conf), "update_params", "--previous-encryption-key", "short"
    )
    assert status == 1 and "at least 16 characters" in error
