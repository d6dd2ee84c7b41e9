"""Run the real Keystone for the integration tier (executed by .venv-keystone's python).

``bootstrap DIR`` prepares a bootstrapped Keystone in DIR once: ``keystone.conf`` (SQLite,
fernet tokens, an in-memory cache, 4 bcrypt rounds), ``keystone-manage db_sync``,
``fernet_setup``, ``credential_setup`` and ``bootstrap``, then the users and projects the
tests use (``users.json``). ``serve DIR [SECONDS]`` serves a copy of it on a free loopback
port (tokens living SECONDS, 7200 by default) and prints ``listening <port>``. This file
imports nothing from Calor: Keystone lives in its own virtualenv.
"""

from __future__ import annotations

import getpass
import grp
import json
import os
import socketserver
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any
from wsgiref import simple_server

ADMIN_PASSWORD = "calor-admin-secret"
REGION = "RegionOne"
PLACEHOLDER_URL = "http://127.0.0.1:5000/v3"
USERS = {
    # name: (project, role, password)
    "heat": ("service", "admin", "calor-heat-secret"),
    "demo": ("demo", "member", "calor-demo-secret"),
    "other": ("other", "member", "calor-other-secret"),
}
STACK_DOMAIN = "heat"
STACK_DOMAIN_ADMIN = ("heat_domain_admin", "calor-heat-domain-secret")


def write_config(directory: Path, *, token_expiration: int = 7200) -> Path:
    """``keystone.conf`` for Keystone kept in ``directory`` (rewritten when the copy moves);
    tokens live ``token_expiration`` seconds."""
    path = directory / "keystone.conf"
    path.write_text(
        "\n".join(
            [
                "[DEFAULT]",
                f"log_file = {directory / 'keystone.log'}",
                "use_stderr = false",
                "[database]",
                f"connection = sqlite:///{directory / 'keystone.sqlite'}",
                "[token]",
                "provider = fernet",
                f"expiration = {token_expiration}",
                "[fernet_tokens]",
                f"key_repository = {directory / 'fernet-keys'}",
                "[fernet_receipts]",
                f"key_repository = {directory / 'fernet-keys'}",
                "[credential]",
                f"key_repository = {directory / 'credential-keys'}",
                "[identity]",
                "password_hash_rounds = 4",
                "[cache]",
                "enabled = true",
                "backend = dogpile.cache.memory",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return path


def _manage(config: Path, *arguments: str) -> None:
    manage = Path(sys.executable).parent / "keystone-manage"
    subprocess.run([str(manage), "--config-file", str(config), *arguments], check=True)


def application(config: Path) -> Any:
    os.environ["OS_KEYSTONE_CONFIG_FILES"] = str(config)
    sys.argv = sys.argv[:1]  # Keystone parses the command line for its own options
    from keystone.server import wsgi

    return wsgi.initialize_public_application()


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True


def make_server(config: Path, port: int = 0) -> simple_server.WSGIServer:
    server = simple_server.make_server(
        "127.0.0.1", port, application(config), server_class=_Server, handler_class=_QuietHandler
    )
    return server


def call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> tuple[Any, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode() or "null"
        return json.loads(text), response.headers


def system_token(base: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}
                },
            },
            "scope": {"system": {"all": True}},
        }
    }
    _body, headers = call(base + "/auth/tokens", "POST", body)
    return str(headers["X-Subject-Token"])


def populate(base: str) -> dict[str, Any]:
    """Projects, users and roles the tests use; gives their ids."""
    token = system_token(base)
    roles = {role["name"]: role["id"] for role in call(base + "/roles", token=token)[0]["roles"]}
    for name in ("service", "heat_stack_user"):
        if name not in roles:
            roles[name] = call(base + "/roles", "POST", {"role": {"name": name}}, token)[0]["role"]["id"]
    projects = {
        project["name"]: project["id"] for project in call(base + "/projects", token=token)[0]["projects"]
    }
    found: dict[str, Any] = {"projects": projects, "users": {}}
    for user_name, (project_name, role, password) in USERS.items():
        if project_name not in projects:
            created = call(
                base + "/projects", "POST", {"project": {"name": project_name, "domain_id": "default"}}, token
            )
            projects[project_name] = created[0]["project"]["id"]
        user = {
            "name": user_name,
            "password": password,
            "domain_id": "default",
            "default_project_id": projects[project_name],
        }
        user_id = call(base + "/users", "POST", {"user": user}, token)[0]["user"]["id"]
        project_id = projects[project_name]
        call(f"{base}/projects/{project_id}/users/{user_id}/roles/{roles[role]}", "PUT", None, token)
        if user_name == "heat":
            call(f"{base}/projects/{project_id}/users/{user_id}/roles/{roles['service']}", "PUT", None, token)
        found["users"][user_name] = {"id": user_id, "project": project_name, "password": password}
    found["users"]["admin"] = {"project": "admin", "password": ADMIN_PASSWORD}
    found["users"][STACK_DOMAIN_ADMIN[0]] = stack_domain(base, token, roles["admin"])
    return found


def stack_domain(base: str, token: str, admin_role_id: str) -> dict[str, Any]:
    """The stack domain ``heat`` and its admin ``heat_domain_admin`` (admin on the domain), as
    Heat's ``heat-keystone-setup-domain`` creates them."""
    description = "Owns users and projects created by heat"
    domain = call(
        base + "/domains", "POST", {"domain": {"name": STACK_DOMAIN, "description": description}}, token
    )
    domain_id = domain[0]["domain"]["id"]
    name, password = STACK_DOMAIN_ADMIN
    user = {"name": name, "password": password, "domain_id": domain_id, "description": "Manages heat users"}
    user_id = call(base + "/users", "POST", {"user": user}, token)[0]["user"]["id"]
    call(f"{base}/domains/{domain_id}/users/{user_id}/roles/{admin_role_id}", "PUT", None, token)
    return {"id": user_id, "domain": STACK_DOMAIN, "domain_id": domain_id, "password": password}


def bootstrap(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("fernet-keys", "credential-keys"):
        (directory / name).mkdir(mode=0o700, exist_ok=True)
    config = write_config(directory)
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    _manage(config, "db_sync")
    _manage(config, "fernet_setup", "--keystone-user", user, "--keystone-group", group)
    _manage(config, "credential_setup", "--keystone-user", user, "--keystone-group", group)
    _manage(
        config,
        "bootstrap",
        "--bootstrap-password",
        ADMIN_PASSWORD,
        "--bootstrap-region-id",
        REGION,
        "--bootstrap-public-url",
        PLACEHOLDER_URL,
        "--bootstrap-internal-url",
        PLACEHOLDER_URL,
        "--bootstrap-admin-url",
        PLACEHOLDER_URL,
    )
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        users = populate(f"http://127.0.0.1:{server.server_port}/v3")
    finally:
        server.shutdown()
    (directory / "users.json").write_text(json.dumps(users, indent=2), encoding="utf-8")
    (directory / "bootstrapped").write_text("ok\n", encoding="utf-8")


def serve(directory: Path, *, token_expiration: int = 7200) -> None:
    config = write_config(directory, token_expiration=token_expiration)
    server = make_server(config)
    print(f"listening {server.server_port}", flush=True)
    server.serve_forever()


def main(arguments: list[str]) -> int:
    usage = "usage: keystone_server.py bootstrap DIRECTORY | serve DIRECTORY [TOKEN_EXPIRATION_SECONDS]"
    valid = (len(arguments) == 2 and arguments[0] in ("bootstrap", "serve")) or (
        len(arguments) == 3 and arguments[0] == "serve" and arguments[2].isdigit()
    )
    if not valid:
        print(usage, file=sys.stderr)
        return 2
    directory = Path(arguments[1]).resolve()
    if arguments[0] == "bootstrap":
        bootstrap(directory)
    elif len(arguments) == 3:
        serve(directory, token_expiration=int(arguments[2]))
    else:
        serve(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
