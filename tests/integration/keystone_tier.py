"""The Keystone tier: the real Keystone (from ``.venv-keystone``) and Calor in Keystone mode.

:func:`start_keystone` serves a copy of the Keystone that ``scripts/keystone-bootstrap``
prepared once; :func:`start_calor` writes a ``heat.conf`` as Heat's operators write it
(``[keystone_authtoken]``, ``[clients_keystone]``, ``[ec2authtoken]``, ``[trustee]``,
``[clouds]``) and serves heat-api and heat-api-cfn from it, with an engine worker and the
sandbox cloud's services (checking tokens with this Keystone), registering all of them in
Keystone's catalog. The engine reaches users' projects only through trusts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from calor.api.serving import ServedApp
from calor.clouds import options as cloud_options
from calor.cmd import api as api_command
from calor.cmd import api_cfn as cfn_command
from calor.config import configure_repository, database_url, load_config
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry
from calor.sandbox import cloud
from calor.sandbox.framework.auth import KeystoneAuthenticator
from calor.sandbox.framework.config import SandboxConfig
from calor.security.deferred_auth import deferred_auth_from_config

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-keystone"
BOOTSTRAPPED = VENV / "bootstrapped"
SERVER_SCRIPT = Path(__file__).resolve().parent / "keystone_server.py"
REGION = "RegionOne"
START_TIMEOUT = 60.0


class KeystoneMissing(RuntimeError):
    """``scripts/keystone-bootstrap`` has not prepared Keystone on this machine."""


@dataclass
class Keystone:
    """A running Keystone: its ``/v3`` URL, the users and projects of its bootstrap."""

    url: str
    users: dict[str, dict[str, Any]]
    projects: dict[str, str]
    process: subprocess.Popen[bytes]
    directory: Path

    @property
    def root_url(self) -> str:
        return self.url.rsplit("/v3", 1)[0]

    def token(self, user: str, *, project: str | None = None, system: bool = False) -> tuple[str, Any]:
        """``(token, body)`` for a bootstrap user, scoped to its project (or the system)."""
        entry = self.users[user]
        scope: dict[str, Any] = (
            {"system": {"all": True}}
            if system
            else {"project": {"name": project or entry["project"], "domain": {"id": "default"}}}
        )
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"name": user, "domain": {"id": "default"}, "password": entry["password"]}
                    },
                },
                "scope": scope,
            }
        }
        response = requests.post(self.url + "/auth/tokens", json=body, timeout=30)
        response.raise_for_status()
        return response.headers["X-Subject-Token"], response.json()["token"]

    def admin_call(self, method: str, path: str, body: Any = None) -> Any:
        token, _body = self.token("admin", system=True)
        response = requests.request(
            method, self.url + path, json=body, headers={"X-Auth-Token": token}, timeout=30
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def register(self, service_type: str, name: str, url: str) -> None:
        """A service and its public, internal and admin endpoints in the catalog."""
        service = self.admin_call("POST", "/services", {"service": {"type": service_type, "name": name}})
        for interface in ("public", "internal", "admin"):
            endpoint = {
                "service_id": service["service"]["id"],
                "interface": interface,
                "url": url,
                "region_id": REGION,
            }
            self.admin_call("POST", "/endpoints", {"endpoint": endpoint})

    def ec2_credentials(self, user: str) -> tuple[str, str]:
        """An EC2 key pair the user creates for itself in its project (``OS-EC2``)."""
        token, body = self.token(user)
        response = requests.post(
            f"{self.url}/users/{body['user']['id']}/credentials/OS-EC2",
            json={"tenant_id": body["project"]["id"]},
            headers={"X-Auth-Token": token},
            timeout=30,
        )
        response.raise_for_status()
        credential = response.json()["credential"]
        return str(credential["access"]), str(credential["secret"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_keystone(directory: Path, *, token_expiration: int | None = None) -> Keystone:
    """Serve a copy of the bootstrapped Keystone from ``directory`` (about two seconds);
    its tokens live ``token_expiration`` seconds (keystone_server.py's default when ``None``)."""
    if not (BOOTSTRAPPED / "bootstrapped").is_file():
        raise KeystoneMissing("run scripts/keystone-bootstrap first")
    shutil.copytree(BOOTSTRAPPED, directory)
    users = json.loads((directory / "users.json").read_text(encoding="utf-8"))
    output = directory / "server.out"
    command = [str(VENV / "bin" / "python"), "-W", "ignore", str(SERVER_SCRIPT), "serve", str(directory)]
    if token_expiration is not None:
        command.append(str(token_expiration))
    with output.open("wb") as handle:
        process = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    deadline = time.monotonic() + START_TIMEOUT
    port = None
    while port is None:
        for line in output.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("listening "):
                port = int(line.split()[1])
        if port is None:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("Keystone did not start:\n" + output.read_text(errors="replace"))
            time.sleep(0.05)
    keystone = Keystone(f"http://127.0.0.1:{port}/v3", users["users"], users["projects"], process, directory)
    for endpoint in keystone.admin_call("GET", "/endpoints")["endpoints"]:
        keystone.admin_call("PATCH", f"/endpoints/{endpoint['id']}", {"endpoint": {"url": keystone.url}})
    return keystone


HEAT_CONF = """\
[DEFAULT]
auth_strategy = keystone
host = 127.0.0.1
state_dir = {state_dir}
max_stacks_per_tenant = {max_stacks}
workers = 4
stack_user_domain_name = heat
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = {stack_domain_admin_password}
auth_encryption_key = {encryption_key}

[database]
connection = {database}

[keystone_authtoken]
www_authenticate_uri = {identity_root}
auth_url = {identity_root}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = heat
password = {heat_password}

[clients_keystone]
auth_uri = {identity_root}

[ec2authtoken]
auth_uri = {identity_url}

[trustee]
auth_type = password
auth_url = {identity_root}
username = heat
password = {heat_password}
user_domain_name = Default

[clouds]
cloud = calor-service
clouds_file = {clouds_file}
"""

ENCRYPTION_KEY = "calor-keystone-tier-key-32chars!"


@dataclass
class Calor:
    """heat-api, heat-api-cfn and an engine serving one project set in Keystone mode."""

    keystone: Keystone
    heat_conf: Path
    api: ServedApp
    cfn: ServedApp
    worker: Worker
    repository: Repository
    extra: dict[str, Any] = field(default_factory=dict)
    cloud: ServedApp | None = None

    @property
    def api_url(self) -> str:
        return self.api.url

    def orchestration_url(self, project_id: str) -> str:
        return f"{self.api.url}/v1/{project_id}"

    def stop(self) -> None:
        self.api.stop()
        self.cfn.stop()
        self.worker.stop()
        if self.worker.connections is not None:
            self.worker.connections.close()
        if self.cloud is not None:
            self.cloud.stop()


def write_heat_conf(directory: Path, keystone: Keystone, *, max_stacks: int = 100) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "heat.conf"
    path.write_text(
        HEAT_CONF.format(
            state_dir=directory,
            max_stacks=max_stacks,
            database=f"sqlite:///{directory / 'calor.sqlite'}",
            identity_root=keystone.root_url,
            identity_url=keystone.url,
            heat_password=keystone.users["heat"]["password"],
            stack_domain_admin_password=keystone.users["heat_domain_admin"]["password"],
            encryption_key=ENCRYPTION_KEY,
            clouds_file=directory / "clouds.yaml",
        ),
        encoding="utf-8",
    )
    write_clouds_yaml(directory / "clouds.yaml", keystone)
    return path


def write_clouds_yaml(path: Path, keystone: Keystone) -> None:
    """Cloud ``calor-service``: the ``heat`` service user in project ``service`` (Calor's
    ``[clouds]``); with no ``project_role`` it can act in users' projects only through trusts."""
    entry = {
        "auth": {
            "auth_url": keystone.url,
            "username": "heat",
            "password": keystone.users["heat"]["password"],
            "project_name": "service",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": REGION,
        "interface": "public",
        "identity_api_version": 3,
    }
    path.write_text(json.dumps({"clouds": {"calor-service": entry}}), encoding="utf-8")


def serve_cloud(directory: Path, keystone: Keystone) -> ServedApp:
    """The sandbox cloud's services (Nova, Neutron, ...) checking tokens with the real Keystone,
    registered in its catalog."""
    served = ServedApp("cloud", "127.0.0.1", 0, threads=4)
    heat = keystone.users["heat"]
    authenticator = KeystoneAuthenticator.with_password(
        keystone.url, username="heat", password=heat["password"], project_name="service"
    )
    config = SandboxConfig(state_dir=directory / "cloud", public_url=served.url, status_delay_seconds=0.05)
    served.application = cloud.create_app(config, authenticator=authenticator)
    for endpoint in cloud.catalog_endpoints(served.url):
        keystone.register(endpoint.service_type, endpoint.name, endpoint.url)
    return served


def start_calor(directory: Path, keystone: Keystone) -> Calor:
    heat_conf = write_heat_conf(directory, keystone)
    conf = load_config(config_files=[str(heat_conf)])
    upgrade(database_url(conf))
    api = ServedApp("api", "127.0.0.1", 0, threads=4)
    cfn = ServedApp("cfn", "127.0.0.1", 0, threads=4)
    api.application = api_command.build_app(conf)
    cfn_conf = load_config(config_files=[str(heat_conf)])
    cfn.application = cfn_command.build_app(cfn_conf, public_url=cfn.url)
    cloud_app = serve_cloud(directory, keystone)
    repository = configure_repository(Repository(make_engine(database_url(conf))), conf)
    worker = Worker(
        repository,
        repository.queue,
        plugin_types=default_registry().get,
        config=EngineConfig(idle_poll_seconds=0.05, poll_initial=0.01, poll_max=0.1),
        connections=cloud_options.factory_from_config(conf),
        deferred_auth=deferred_auth_from_config(conf),
    )
    cloud_app.start()
    api.start()
    cfn.start()
    worker.start()
    keystone.register("orchestration", "heat", f"{api.url}/v1/%(tenant_id)s")
    keystone.register("cloudformation", "heat-cfn", f"{cfn.url}/v1")
    return Calor(keystone, heat_conf, api, cfn, worker, repository, cloud=cloud_app)


def python_for_keystone() -> str:
    return str(VENV / "bin" / "python") if (VENV / "bin" / "python").exists() else sys.executable
