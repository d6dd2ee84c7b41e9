"""``heat-engine`` as a process: it runs queued stacks and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from calor.cmd.engine import load_plugin, parse_arguments
from calor.config import load_config
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext
from calor.errors import ResourceFailure
from calor.plugins.heat.none import NoneResource
from calor.plugins.registry import default_registry

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_arguments_and_plugin_loading() -> None:
    options = parse_arguments(["--database-url", "sqlite://", "--max-parallel", "8", "--plugin", "x:y"])
    assert options.database_url == "sqlite://"
    assert options.max_parallel == 8
    assert options.plugin == ["x:y"]
    assert load_plugin("calor.plugins.heat.none:NoneResource") is NoneResource
    with pytest.raises(SystemExit):
        load_plugin("calor.engine.config:EngineConfig")


def test_engine_process_creates_a_stack_and_stops_on_sigterm(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'calor.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    repository = Repository(engine)
    service = OrchestrationService(repository, default_registry().get)
    context = RequestContext(project_id="project-1")
    template = {"heat_template_version": "2018-08-31", "resources": {"nothing": {"type": "OS::Heat::None"}}}
    stack_id = service.create_stack(context, "from-process", template)

    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "calor.cmd.engine", "--database-url", url, "--engine-id", "process-1"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while service.show_stack(context, stack_id)["stack_status"] != "CREATE_COMPLETE":
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    services = repository.list_services()
    assert [(item.engine_id, item.stopped_at is not None) for item in services] == [("process-1", True)]
    engine.dispose()


def test_the_cloud_comes_from_the_cloud_option_or_heat_conf(tmp_path: pathlib.Path) -> None:
    from calor.cmd.engine import connection_factory
    from calor.config import load_config

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  service:\n"
        "    auth: {auth_url: 'http://127.0.0.1:5000/v3', username: heat, password: secret,"
        " project_name: service}\n"
        "    region_name: RegionOne\n",
        encoding="utf-8",
    )
    options = parse_arguments(["--cloud", "service", "--clouds-file", str(clouds)])
    factory = connection_factory(options, load_config())
    assert factory is not None
    assert factory.settings.username == "heat"
    assert factory.settings.region_name == "RegionOne"
    assert connection_factory(parse_arguments([]), load_config()) is None


def test_signal_wiring_is_configured_from_the_urls(tmp_path: pathlib.Path) -> None:
    from calor.cmd.engine import configure_signals
    from calor.plugins.signals import wiring
    from calor.stack_domain import MissingStackDomain, StackDomainCredentials

    repository = Repository(make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}"))
    options = parse_arguments(
        [
            "--cfn-url",
            "http://127.0.0.1:8000/",
            "--heat-url",
            "http://127.0.0.1:8004",
            "--identity-url",
            "http://k:5000",
        ]
    )
    try:
        previous: wiring.SignalWiring | None = wiring.current()
    except ResourceFailure:
        previous = None
    try:
        configure_signals(options, repository, load_config())
        current = wiring.current()
        assert current.cfn_url == "http://127.0.0.1:8000"
        assert current.heat_url == "http://127.0.0.1:8004"
        assert current.identity_url == "http://k:5000/v3"
        assert isinstance(current.credentials, MissingStackDomain)  # heat.conf names no stack domain
        conf = load_config()
        for name, value in (
            ("stack_user_domain_name", "heat"),
            ("stack_domain_admin", "heat_domain_admin"),
            ("stack_domain_admin_password", "secret"),
        ):
            conf.set_override(name, value)
        configure_signals(options, repository, conf)
        credentials = wiring.current().credentials
        assert isinstance(credentials, StackDomainCredentials)
        assert credentials.identity.settings.v3_url == "http://k:5000/v3"
        # Without --identity-url: heat.conf's Keystone, for the stack users and their agents alike.
        conf.set_override("auth_uri", "http://keystone:5000/v3", group="clients_keystone")
        configure_signals(parse_arguments(["--cfn-url", "http://127.0.0.1:8000"]), repository, conf)
        current = wiring.current()
        assert current.identity_url == "http://keystone:5000/v3"
        assert isinstance(current.credentials, StackDomainCredentials)
        assert current.credentials.identity.settings.v3_url == "http://keystone:5000/v3"
    finally:
        wiring.configure(previous)
