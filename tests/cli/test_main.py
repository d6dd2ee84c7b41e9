"""Argument parsing: command words and aliases, global options anywhere, usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from calor.cli import main as cli_main
from calor.cli.main import all_commands, build_parser, hoist_global_options, main, parse_arguments


def test_every_command_and_alias_is_reachable() -> None:
    parser = build_parser([])
    for command in all_commands():
        for words in (command.words, *command.aliases):
            with pytest.raises(SystemExit) as exit_request:
                parser.parse_args([*words, "--help"])
            assert exit_request.value.code == 0


def test_create_flags_follow_openstack_stack_create() -> None:
    options = parse_arguments(
        [
            "stack",
            "create",
            "web",
            "-t",
            "web.yaml",
            "-e",
            "a.yaml",
            "-e",
            "b.yaml",
            "--parameter",
            "name=x",
            "--parameter-file",
            "key=key.pem",
            "--timeout",
            "10",
            "--enable-rollback",
            "--dry-run",
            "--tags",
            "a,b",
            "--wait",
        ]
    )
    assert options.command.words == ("stack", "create")
    assert options.name == "web"
    assert options.environment == ["a.yaml", "b.yaml"]
    assert options.parameter == ["name=x"]
    assert options.parameter_file == ["key=key.pem"]
    assert options.timeout == 10
    assert options.enable_rollback and options.dry_run and options.wait
    assert options.tags == "a,b"
    assert options.format == "table"


def test_aliases_reach_the_same_command() -> None:
    long_form = parse_arguments(["stack", "resource", "list", "web", "-n", "2", "--with-detail"])
    short_form = parse_arguments(["resource", "list", "web", "--nested-depth", "2", "--long"])
    assert long_form.command is short_form.command
    assert (long_form.nested_depth, long_form.long) == (2, True)
    assert (short_form.nested_depth, short_form.long) == (2, True)
    validate = parse_arguments(["template", "validate", "-t", "x.yaml"])
    assert validate.command.words == ("orchestration", "template", "validate")
    assert validate.format == "yaml"


def test_event_list_defaults_to_the_log_format() -> None:
    options = parse_arguments(["stack", "event", "list", "web", "--follow", "--sort", ":desc"])
    assert options.format == "log" and options.follow and options.sort == [":desc"]


def test_global_options_may_follow_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  calor-demo:\n    auth:\n      auth_url: http://127.0.0.1:1/v3\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    argv = ["stack", "list", "--os-cloud=calor-demo", "--debug", "--os-region-name", "RegionOne", "--long"]
    options = parse_arguments(argv)
    assert options.os_cloud == "calor-demo"
    assert options.os_region_name == "RegionOne"
    assert options.debug and options.long


def test_command_timeout_is_not_taken_for_the_connection_timeout() -> None:
    argv = ["stack", "update", "web", "--existing", "--timeout", "30"]
    parser = cli_main.global_parser(argv)
    assert hoist_global_options(argv, parser) == argv
    assert parse_arguments(argv).timeout == 30


def test_usage_errors_exit_with_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stack", "lis"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["stack", "create", "web"]) == 2
    assert "-t/--template" in capsys.readouterr().err
    assert main(["stack", "list", "-f", "shell"]) == 2


def test_output_show_needs_a_name_or_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--os-auth-type", "none", "stack", "output", "show", "web"]) == 2
    assert capsys.readouterr().err.strip() == "Either <OUTPUT NAME> or --all must be specified."


def test_missing_credentials_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OS_CLOUD", "OS_AUTH_URL", "OS_CLIENT_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")
    monkeypatch.setenv("HOME", "/nonexistent")
    assert main(["stack", "list"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "auth_url" in error and "Traceback" not in error


def test_unknown_cloud_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--os-cloud", "no-such-cloud", "stack", "list"]) == 1
    assert capsys.readouterr().err == "Cloud no-such-cloud was not found.\n"
