"""The sandbox cloud's app factory: registration, mounting, authentication, faults, error styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Response
from flask.testing import FlaskClient

from calor.sandbox import cloud
from calor.sandbox.framework import (
    Caller,
    NotFound,
    Route,
    SandboxConfig,
    SandboxContext,
    ServiceParts,
    ServiceRequest,
    ServiceSpec,
    StaticAuthenticator,
    json_response,
    neutron_style,
)

CALLER = Caller("token-1", "user-1", "project-1", frozenset({"member"}))


def _build(context: SandboxContext) -> ServiceParts:
    def hello(request: ServiceRequest) -> Response:
        return json_response({"project": request.project_id, "error_state": request.error_state})

    def missing(request: ServiceRequest, thing_id: str) -> Response:
        raise NotFound(f"Thing {thing_id} could not be found.", error_type="ThingNotFound")

    def root(request: ServiceRequest) -> Response:
        return json_response({"base": request.base_url})

    routes = [
        Route("/", ("GET",), root, public=True),
        Route("/v1/hello", ("GET",), hello, "toy.hello.show"),
        Route("/v1/things/<thing_id>", ("GET",), missing, "toy.thing.show"),
    ]
    return ServiceParts(backend=object(), routes=routes)


TOY = ServiceSpec("toy", "toy", "toy", "/toy", "/toy/v1", neutron_style, _build, {"toy.things": 3})


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    config = SandboxConfig(state_dir=tmp_path, faults=["toy.hello.show=error;nth=2"])
    app = cloud.create_app(config, authenticator=StaticAuthenticator({"token-1": CALLER}), services=[TOY])
    return app.test_client()


def test_registration_table_names_every_service_module() -> None:
    specs = cloud.load_services()
    assert [spec.prefix for spec in specs][:2] == ["/compute", "/image"]
    assert all(isinstance(spec, ServiceSpec) for spec in specs)


def test_catalog_endpoints_use_the_devstack_paths() -> None:
    endpoints = cloud.catalog_endpoints(
        "http://127.0.0.1:8080/", cloud.load_services(["calor.sandbox.compute"])
    )
    assert [(item.service_type, item.url) for item in endpoints] == [
        ("compute", "http://127.0.0.1:8080/compute/v2.1")
    ]


def test_public_routes_need_no_token(client: FlaskClient) -> None:
    response = client.get("/toy/")
    assert response.status_code == 200
    assert response.json == {"base": "http://localhost/toy"}
    assert response.headers["x-openstack-request-id"].startswith("req-")


def test_other_routes_need_a_valid_token(client: FlaskClient) -> None:
    assert client.get("/toy/v1/hello").status_code == 401
    assert client.get("/toy/v1/hello", headers={"X-Auth-Token": "wrong"}).status_code == 401
    response = client.get("/toy/v1/hello", headers={"X-Auth-Token": "token-1"})
    assert response.json == {"project": "project-1", "error_state": False}


def test_errors_use_the_service_style(client: FlaskClient) -> None:
    response = client.get("/toy/v1/things/7", headers={"X-Auth-Token": "token-1"})
    assert response.status_code == 404
    assert response.json == {
        "NeutronError": {"type": "ThingNotFound", "message": "Thing 7 could not be found.", "detail": ""}
    }
    unrouted = client.get("/toy/v1/unknown", headers={"X-Auth-Token": "token-1"})
    assert unrouted.status_code == 404 and "NeutronError" in unrouted.json


def test_configured_fault_applies_to_the_nth_call(client: FlaskClient) -> None:
    headers = {"X-Auth-Token": "token-1"}
    results = [client.get("/toy/v1/hello", headers=headers).json["error_state"] for _ in range(3)]
    assert results == [False, True, False]


def test_header_fault_fails_the_call(client: FlaskClient) -> None:
    headers = {"X-Auth-Token": "token-1", "X-Calor-Sandbox-Fault": "toy.*=fail:409"}
    response = client.get("/toy/v1/hello", headers=headers)
    assert response.status_code == 409
    assert response.json["NeutronError"]["type"] == "InjectedFault"
    bad = client.get(
        "/toy/v1/hello", headers={"X-Auth-Token": "token-1", "X-Calor-Sandbox-Fault": "nonsense"}
    )
    assert bad.status_code == 400


def test_header_faults_can_be_disabled(tmp_path: Path) -> None:
    config = SandboxConfig(state_dir=tmp_path, fault_header=False)
    app = cloud.create_app(config, authenticator=StaticAuthenticator({"token-1": CALLER}), services=[TOY])
    headers = {"X-Auth-Token": "token-1", "X-Calor-Sandbox-Fault": "toy.*=fail"}
    assert app.test_client().get("/toy/v1/hello", headers=headers).status_code == 200


def test_service_quota_defaults_are_registered(tmp_path: Path) -> None:
    config = SandboxConfig(state_dir=tmp_path, quotas={"toy.things": 9})
    app = cloud.create_app(config, authenticator=StaticAuthenticator({}), services=[TOY])
    context = cloud.context_of(app)
    assert context.quotas.limit("any", "toy.things") == 9
    assert context.backend("toy") is not None


def test_control_api_replaces_faults_at_run_time(tmp_path: Path) -> None:
    admin = Caller("admin-token", "admin", "admin-project", frozenset({"admin"}))
    authenticator = StaticAuthenticator({"token-1": CALLER, "admin-token": admin})
    app = cloud.create_app(SandboxConfig(state_dir=tmp_path), authenticator=authenticator, services=[TOY])
    client = app.test_client()
    body = {"rules": ["toy.hello.show=fail:418"], "latency": {"toy.*": 0}}
    assert (
        client.put("/calor-sandbox/faults", json=body, headers={"X-Auth-Token": "token-1"}).status_code == 403
    )
    response = client.put("/calor-sandbox/faults", json=body, headers={"X-Auth-Token": "admin-token"})
    assert response.json == {"rules": ["toy.hello.show=fail:418"], "latency": {"toy.*": 0.0}}
    assert client.get("/toy/v1/hello", headers={"X-Auth-Token": "token-1"}).status_code == 418
    assert client.delete("/calor-sandbox/faults", headers={"X-Auth-Token": "admin-token"}).status_code == 204
    assert client.get("/toy/v1/hello", headers={"X-Auth-Token": "token-1"}).status_code == 200
    bad = client.put("/calor-sandbox/faults", json={"rules": ["x"]}, headers={"X-Auth-Token": "admin-token"})
    assert bad.status_code == 400


def test_single_port_serves_identity_under_its_prefix(tmp_path: Path) -> None:
    import openstack

    from calor.sandbox.framework.serving import serve_sandbox

    config = SandboxConfig(state_dir=tmp_path, status_delay_seconds=0.0)
    running = serve_sandbox(config, single_port=True, password_rounds=4, services=["calor.sandbox.compute"])
    try:
        assert running.identity_url == running.url + "/identity"
        connection = openstack.connection.Connection(
            auth_url=running.identity_url + "/v3",
            username="demo",
            password="demo-secret",
            project_name="demo",
            user_domain_id="default",
            project_domain_id="default",
        )
        assert "m1.tiny" in {flavor.name for flavor in connection.compute.flavors()}
    finally:
        running.stop()
