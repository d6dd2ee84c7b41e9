"""Helpers of the API tests: the Flask app on a SQLite database with an engine worker
(no authentication: the caller is given in X-Project-Id / X-Roles)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from calor.api.native import create_app
from calor.config import ApiConfig
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.admission import Admission
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry

PROJECT = "project-one"
OTHER_PROJECT = "project-two"

TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "description": "A random string",
    "parameters": {"length": {"type": "number", "default": 6}},
    "resources": {
        "word": {"type": "OS::Heat::RandomString", "properties": {"length": {"get_param": "length"}}}
    },
    "outputs": {"value": {"description": "the string", "value": {"get_attr": ["word", "value"]}}},
}


def headers(project: str = PROJECT, roles: str = "member", user: str = "user-one") -> dict[str, str]:
    return {"X-Project-Id": project, "X-User-Id": user, "X-Roles": roles}


@dataclass
class Api:
    client: FlaskClient
    service: OrchestrationService
    repository: Repository

    def call(
        self, method: str, path: str, *, project: str = PROJECT, roles: str = "member", **options: Any
    ) -> Any:
        url = path if path.startswith("/") else f"/v1/{project}/{path}"
        return self.client.open(url, method=method, headers=headers(project, roles), **options)

    def create(self, name: str, template: Any = None, *, project: str = PROJECT, **body: Any) -> str:
        body = {"stack_name": name, "template": template or TEMPLATE, **body}
        response = self.call("POST", "stacks", project=project, json=body)
        assert response.status_code == 201, response.json
        stack_id: str = response.json["stack"]["id"]
        return stack_id

    def wait(self, name: str, stack_id: str, *, project: str = PROJECT) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while True:
            body: dict[str, Any] = self.call("GET", f"stacks/{name}/{stack_id}", project=project).json[
                "stack"
            ]
            if not body["stack_status"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
                return body
            time.sleep(0.05)


def build_api(tmp_path: Path, **config: Any) -> tuple[Api, Worker]:
    database = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(database)
    repository = Repository(database)
    registry = default_registry()
    settings = ApiConfig(auth_strategy="noauth", **config)
    service = OrchestrationService(repository, registry.get, admission=Admission.from_config(settings))
    worker = Worker(
        repository,
        repository.queue,
        plugin_types=registry.get,
        config=EngineConfig(idle_poll_seconds=0.05, poll_initial=0.01, poll_max=0.05),
    )
    worker.start()
    app = create_app(settings, service, registry=registry)
    return Api(app.test_client(), service, repository), worker


ApiFactory = Callable[..., Api]
