"""``heat-all``: identity, heat-api, heat-api-cfn, an engine and the sandbox cloud in one process.

Everything runs on the embedded defaults: SQLite files under the state directory
(``~/.local/share/calor``), Calor's own Keystone v3 identity with ``admin`` and ``demo``
users and the stack domain ``heat`` with its admin ``heat_domain_admin`` (passwords
generated once and kept in the state directory), and one engine worker thread. Stacks act
for their owner through trusts in the embedded identity, as in Keystone mode (stored
credentials are encrypted with ``auth_encryption_key``, generated once into the state
directory when heat.conf sets none). When ready it writes ``clouds.yaml`` with clouds
``calor-admin`` and ``calor-demo`` and prints the endpoints. SIGINT / SIGTERM stop it
cleanly; the state stays for the next start.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import yaml
from oslo_config import cfg

from calor.api.auth import keystone_settings
from calor.api.cfn import create_cfn_app
from calor.api.cfn.credentials_file import write_aws_credentials
from calor.api.native import create_app as create_native_app
from calor.api.serving import ServedApp
from calor.clouds import CloudSettings, ConnectionFactory
from calor.config import api_config, configure_repository, database_url, enable_portability, load_config
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.admission import Admission
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService
from calor.engine.worker import Worker
from calor.errors import CalorError
from calor.plugins.registry import PluginRegistry, default_registry
from calor.sandbox import cloud
from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.identity import Endpoint, IdentityBackend, IdentityConfig, backend_of
from calor.sandbox.identity import create_app as create_identity_app
from calor.sandbox.identity.bootstrap import STACK_DOMAIN_ADMIN, STACK_DOMAIN_NAME
from calor.security.deferred_auth import DeferredAuth, DeferredAuthSettings
from calor.security.options import generate_key_if_unset
from calor.security.options import register as register_security_options
from calor.security.trustee import TrusteeSettings
from calor.stack_domain import options as stack_domain_options
from calor.stack_domain import stack_credentials

LOG = logging.getLogger("calor.all")
CREDENTIALS_FILE = "credentials.json"
CLOUDS_FILE = "clouds.yaml"
SECRETS = ("admin", "demo", STACK_DOMAIN_ADMIN)


@dataclass(frozen=True)
class AllOptions:
    """Where heat-all keeps its state and listens (port 0: any free port)."""

    state_dir: Path
    host: str = "127.0.0.1"
    api_port: int = 8004
    cfn_port: int = 8000
    identity_port: int = 5000
    cloud_port: int = 8774
    config_files: tuple[str, ...] = ()
    with_cloud: bool = True
    with_cfn: bool = True


def load_credentials(state_dir: Path) -> dict[str, str]:
    """The passwords of admin, demo and the stack domain admin, generated on first use and kept in
    the state dir (a state dir of an older Calor gets the ones it lacks)."""
    path = state_dir / CREDENTIALS_FILE
    stored: Any = {}
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
    stored = {str(key): str(value) for key, value in stored.items()} if isinstance(stored, dict) else {}
    if set(SECRETS) <= set(stored):
        return {name: stored[name] for name in SECRETS}
    credentials = {name: stored.get(name) or secrets.token_urlsafe(18) for name in SECRETS}
    state_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(credentials, handle)
    return credentials


def clouds_document(
    identity_url: str, api_url: str, credentials: dict[str, str], projects: dict[str, str], region: str
) -> dict[str, Any]:
    """The clouds.yaml content: ``calor-admin`` and ``calor-demo``."""
    clouds: dict[str, Any] = {}
    for user in ("admin", "demo"):
        clouds[f"calor-{user}"] = {
            "auth": {
                "auth_url": identity_url + "/v3",
                "username": user,
                "password": credentials[user],
                "project_name": user,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": region,
            "identity_api_version": 3,
            "interface": "public",
            "orchestration_endpoint_override": f"{api_url}/v1/{projects[user]}",
        }
    return {"clouds": clouds}


ENGINE_OPTIONS: list[cfg.Opt] = [
    cfg.IntOpt(
        "max_concurrent_jobs",
        default=EngineConfig.max_concurrent_jobs,
        min=1,
        help="Stack operations the engine runs at once.",
    ),
]


def engine_config(conf: cfg.ConfigOpts) -> EngineConfig:
    """The engine's settings from heat.conf's ``[DEFAULT]``."""
    conf.register_opts(ENGINE_OPTIONS)
    return EngineConfig(max_concurrent_jobs=int(conf.max_concurrent_jobs))


@dataclass
class AllInOne:
    """The running services of heat-all; :meth:`start` then :meth:`stop`."""

    options: AllOptions
    conf: cfg.ConfigOpts = field(default_factory=load_config)
    registry: PluginRegistry = field(default_factory=default_registry)
    servers: dict[str, ServedApp] = field(default_factory=dict)
    worker: Worker | None = None
    credentials: dict[str, str] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)
    identity_backend: IdentityBackend | None = None
    connections: ConnectionFactory | None = None
    deferred_auth: DeferredAuth | None = None

    @property
    def state_dir(self) -> Path:
        return self.options.state_dir

    @property
    def clouds_file(self) -> Path:
        return self.state_dir / CLOUDS_FILE

    @property
    def aws_credentials_file(self) -> Path:
        return self.state_dir / "aws-credentials"

    def url(self, name: str) -> str:
        return self.servers[name].url

    def start(self) -> None:
        options = self.options
        self.state_dir.mkdir(parents=True, exist_ok=True)
        threads = int(self.conf.workers)
        ports = {"identity": options.identity_port, "api": options.api_port}
        if options.with_cfn:
            ports["cfn"] = options.cfn_port
        if options.with_cloud:
            ports["cloud"] = options.cloud_port
        for name, port in ports.items():
            self.servers[name] = ServedApp(name, options.host, port, threads=threads)
        self.credentials = load_credentials(self.state_dir)
        generate_key_if_unset(self.conf, self.state_dir)

        repository = configure_repository(Repository(self._database()), self.conf)
        cloud_endpoints = self._mount_cloud()
        self._mount_identity(cloud_endpoints)
        self.connections = self._connections()
        self.deferred_auth = self._deferred_auth()
        service = OrchestrationService(
            repository,
            self.registry.get,
            connections=self.connections,
            deferred_auth=self.deferred_auth,
            admission=Admission.from_config(api_config(self.conf)),
        )
        enable_portability(service, self.conf, standalone=True)
        self._mount_api(service)
        if options.with_cfn:
            self._mount_cfn(service, repository)
        self.clouds_file.write_text(
            yaml.safe_dump(
                clouds_document(
                    self.url("identity"), self.url("api"), self.credentials, self.projects, "RegionOne"
                ),
                sort_keys=False,
            ),
            encoding="utf-8",
        )
        os.chmod(self.clouds_file, 0o600)
        for server in self.servers.values():
            server.start()
        self.worker = Worker(
            repository,
            repository.queue,
            plugin_types=self.registry.get,
            config=engine_config(self.conf),
            connections=self.connections,
            deferred_auth=self.deferred_auth,
        )
        self.worker.start()

    def _deferred_auth(self) -> DeferredAuth:
        """Trusts (or stored passwords) in the embedded identity, as in Keystone mode: stacks
        created through heat-api act for their owner; the admin user is the trustee."""
        register_security_options(self.conf)
        identity_url = self.url("identity") + "/v3"
        trustee = TrusteeSettings(
            auth_url=identity_url,
            username="admin",
            password=self.credentials["admin"],
            user_domain_id="default",
        )
        settings = DeferredAuthSettings(
            identity_url=identity_url,
            method=str(self.conf.deferred_auth_method),
            trustee=trustee,
            delegated_roles=tuple(self.conf.trusts_delegated_roles),
            region_name="RegionOne",
        )
        return DeferredAuth(settings)

    def _connections(self) -> ConnectionFactory | None:
        """The sandbox cloud as its admin (through the embedded identity); ``None`` without the cloud.

        The admin is also the trustee stacks' trusts name. Stacks without credentials (made
        before deferred auth, or through heat-api-cfn) are served by the admin, granting itself
        ``member`` on their project.
        """
        if "cloud" not in self.servers:
            return None
        settings = CloudSettings(
            auth_url=self.url("identity") + "/v3",
            username="admin",
            password=self.credentials["admin"],
            project_name="admin",
            region_name="RegionOne",
            project_role="member",
        )
        return ConnectionFactory(settings)

    def _database(self) -> Any:
        database = make_engine(database_url(self.conf, self.state_dir))
        upgrade(database)
        return database

    def _mount_identity(self, cloud_endpoints: Sequence[Endpoint]) -> None:
        endpoints = [Endpoint("orchestration", "heat", self.url("api") + "/v1/%(tenant_id)s")]
        if "cfn" in self.servers:
            endpoints.append(Endpoint("cloudformation", "heat-cfn", self.url("cfn") + "/v1"))
        endpoints.extend(cloud_endpoints)
        (self.state_dir / "identity").mkdir(parents=True, exist_ok=True)
        config = IdentityConfig(
            state_dir=self.state_dir / "identity",
            endpoints=tuple(endpoints),
            public_url=self.url("identity"),
            admin_password=self.credentials["admin"],
            demo_password=self.credentials["demo"],
            stack_domain_admin_password=self.credentials[STACK_DOMAIN_ADMIN],
        )
        app = create_identity_app(config)
        backend = backend_of(app)
        self.identity_backend = backend
        self.projects = {name: backend.find_project(name, "default").id for name in ("admin", "demo")}
        self.servers["identity"].application = app

    def _mount_api(self, service: OrchestrationService) -> None:
        identity_url = self.url("identity")
        keystone = keystone_settings(
            identity_url, username="admin", password=self.credentials["admin"], project_name="admin"
        )
        app = create_native_app(
            api_config(self.conf),
            service,
            registry=self.registry,
            keystone=keystone,
            software_store_path=self.state_dir / "software.json",
        )
        self.servers["api"].application = app

    def _stack_credentials(self, repository: Repository) -> Any:
        """Stack domain users in the embedded identity's ``heat`` domain, made by ``heat_domain_admin``
        (heat.conf's ``stack_user_domain_*`` and ``stack_domain_admin*`` may name others)."""
        stack_domain_options.register(self.conf)
        if not (self.conf.stack_user_domain_id or self.conf.stack_user_domain_name):
            self.conf.set_default("stack_user_domain_name", STACK_DOMAIN_NAME)
            self.conf.set_default("stack_domain_admin", STACK_DOMAIN_ADMIN)
            self.conf.set_default("stack_domain_admin_password", self.credentials[STACK_DOMAIN_ADMIN])
        return stack_credentials(self.conf, repository, identity_url=self.url("identity"))

    def _mount_cfn(self, service: OrchestrationService, repository: Repository) -> None:
        """The CloudFormation Query API, and DIR/aws-credentials for boto3 and awscli (profile ``calor``)."""
        identity_state_dir = self.state_dir / "identity"
        app = create_cfn_app(
            api_config(self.conf),
            service,
            registry=self.registry,
            identity_url=self.url("identity"),
            identity_state_dir=identity_state_dir,
            identity_backend=self.identity_backend,
            public_url=self.url("cfn"),
            heat_url=self.url("api"),
            stack_credentials=self._stack_credentials(repository),
        )
        self.servers["cfn"].application = app
        if self.identity_backend is not None:
            demo = self.identity_backend.find_user("demo", "default")
            key = self.identity_backend.list_ec2_credentials(demo.id)[0]
            write_aws_credentials(self.aws_credentials_file, key.access, key.secret)

    def _mount_cloud(self) -> list[Endpoint]:
        """The sandbox cloud (Nova, Neutron, Cinder, Glance, Swift) and its catalog entries."""
        if "cloud" not in self.servers:
            return []
        base = self.url("cloud")
        (self.state_dir / "cloud").mkdir(parents=True, exist_ok=True)
        (self.state_dir / "identity").mkdir(parents=True, exist_ok=True)
        sandbox = self.conf.sandbox
        config = SandboxConfig(
            state_dir=self.state_dir / "cloud",
            identity_state_dir=self.state_dir / "identity",
            public_url=base,
            status_delay_seconds=float(sandbox.status_delay_seconds),
            status_delays={name: float(value) for name, value in sandbox.status_delays.items()},
            latency={name: float(value) for name, value in sandbox.latency.items()},
            faults=tuple(sandbox.faults),
            fault_header=bool(sandbox.fault_header),
        )
        self.servers["cloud"].application = cloud.create_app(config)
        return list(cloud.catalog_endpoints(base))

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=10.0)
        if self.connections is not None:
            self.connections.close()
        for server in self.servers.values():
            server.stop()

    def summary(self) -> str:
        names = {
            "identity": "identity (Keystone v3)",
            "api": "heat-api (orchestration)",
            "cfn": "heat-api-cfn (CloudFormation)",
            "cloud": "sandbox cloud",
        }
        lines = ["Calor is running:"]
        lines += [f"  {names[name]:32} {server.url}" for name, server in self.servers.items()]
        lines += [
            f"  state directory                  {self.state_dir}",
            "",
            "Use it with:",
            f"  export OS_CLIENT_CONFIG_FILE={self.clouds_file}",
            "  export OS_CLOUD=calor-demo",
        ]
        if "cfn" in self.servers:
            lines += [
                f"  export AWS_SHARED_CREDENTIALS_FILE={self.aws_credentials_file}",
                f"  aws --profile calor --endpoint-url {self.url('cfn')}/v1 cloudformation list-stacks",
            ]
        return "\n".join(lines)


def parse_arguments(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="heat-all", description="Run all of Calor in one process.")
    parser.add_argument("--config-file", action="append", default=[], help="heat.conf (repeatable)")
    parser.add_argument(
        "--state-dir", default=None, help="where state is kept (default ~/.local/share/calor)"
    )
    parser.add_argument("--host", default=None, help="listening address (default 127.0.0.1)")
    parser.add_argument("--api-port", type=int, default=None)
    parser.add_argument("--cfn-port", type=int, default=None)
    parser.add_argument("--identity-port", type=int, default=None)
    parser.add_argument("--cloud-port", type=int, default=None)
    parser.add_argument("--no-cloud", action="store_true", help="do not serve the sandbox cloud")
    parser.add_argument("--debug", action="store_true", default=None)
    return parser.parse_args(arguments)


def options_from(arguments: argparse.Namespace, conf: cfg.ConfigOpts) -> AllOptions:
    def pick(value: Any, default: Any) -> Any:
        return default if value is None else value

    return AllOptions(
        state_dir=Path(pick(arguments.state_dir, conf.state_dir)).expanduser(),
        host=pick(arguments.host, conf.host),
        api_port=pick(arguments.api_port, conf.api_port),
        cfn_port=pick(arguments.cfn_port, conf.cfn_port),
        identity_port=pick(arguments.identity_port, conf.identity_port),
        cloud_port=pick(arguments.cloud_port, conf.cloud_port),
        config_files=tuple(arguments.config_file),
        with_cloud=not arguments.no_cloud,
    )


def main(arguments: Sequence[str] | None = None) -> int:
    parsed = parse_arguments(arguments)
    try:
        conf = load_config(config_files=parsed.config_file)
    except cfg.Error as error:
        print(f"heat-all: configuration: {error}", file=sys.stderr)
        return 2
    if parsed.debug:
        conf.set_override("debug", True)
    logging.basicConfig(
        level=logging.DEBUG if conf.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("keystonemiddleware._common.config").setLevel(logging.ERROR)
    everything = AllInOne(options_from(parsed, conf), conf)
    stopping = threading.Event()

    def stop(signal_number: int, _frame: FrameType | None) -> None:
        LOG.info("signal %s: stopping", signal_number)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        everything.start()
    except OSError as error:
        print(f"heat-all: cannot start: {error}", file=sys.stderr)
        everything.stop()
        return 1
    except (CalorError, cfg.Error) as error:
        # A wrong heat.conf value ([sandbox] faults = nonsense, ...): one line, no traceback.
        print(f"heat-all: configuration: {error}", file=sys.stderr)
        everything.stop()
        return 2
    print(everything.summary(), flush=True)
    while not stopping.wait(1.0):
        pass
    everything.stop()
    print("Calor stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
