"""The service checks a stack against the cloud before queueing it: the catalog's services
and the cloud-backed custom constraints (nova.flavor, neutron.network, ...)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest

from calor.clouds.testing import SandboxCloud, sandbox_cloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext
from calor.errors import UserError
from calor.plugins.registry import default_registry


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    # A cloud without Cinder: volume types must be refused.
    with sandbox_cloud(
        tmp_path_factory.mktemp("catalog"),
        services=["calor.sandbox.compute", "calor.sandbox.network", "calor.sandbox.image"],
    ) as running:
        yield running


@pytest.fixture
def service(tmp_path: pathlib.Path, cloud: SandboxCloud) -> Iterator[OrchestrationService]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    yield OrchestrationService(Repository(engine), default_registry().get, connections=cloud.factory)
    engine.dispose()


def template(resources: dict[str, object]) -> dict[str, object]:
    return {"heat_template_version": "2018-08-31", "resources": resources}


def test_a_type_whose_service_is_not_in_the_catalog_is_refused(
    service: OrchestrationService, cloud: SandboxCloud
) -> None:
    context = RequestContext(project_id=cloud.demo_project_id)
    with pytest.raises(UserError) as caught:
        service.create_stack(
            context, "volumes", template({"data": {"type": "OS::Cinder::Volume", "properties": {"size": 1}}})
        )
    assert "HEAT-E99001" in str(caught.value)
    assert "is not available for resource type OS::Cinder::Volume" in str(caught.value)
    assert "resources.data.type" in str(caught.value)
    assert service.clouds.available(default_registry().get("OS::Nova::Server"))
    assert not service.clouds.available(default_registry().get("OS::Cinder::Volume"))


def test_cloud_constraints_are_checked_against_the_cloud(
    service: OrchestrationService, cloud: SandboxCloud
) -> None:
    context = RequestContext(project_id=cloud.demo_project_id)
    bad = template(
        {
            "server": {
                "type": "OS::Nova::Server",
                "properties": {"image": "cirros-0.6.2-x86_64-disk", "flavor": "m1.enormous"},
            }
        }
    )
    with pytest.raises(UserError) as caught:
        service.create_stack(context, "bad-flavor", bad)
    assert "m1.enormous" in str(caught.value)
    assert "resources.server.properties.flavor" in str(caught.value)
    good = template(
        {
            "server": {
                "type": "OS::Nova::Server",
                "properties": {"image": "cirros-0.6.2-x86_64-disk", "flavor": "m1.tiny"},
            }
        }
    )
    assert service.create_stack(context, "good-flavor", good)


def test_without_a_cloud_nothing_is_checked(tmp_path: pathlib.Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'offline.sqlite'}")
    upgrade(engine)
    offline = OrchestrationService(Repository(engine), default_registry().get)
    stack = template(
        {"server": {"type": "OS::Nova::Server", "properties": {"image": "any", "flavor": "m1.enormous"}}}
    )
    assert offline.create_stack(RequestContext(project_id="project"), "offline", stack)
    engine.dispose()


def test_types_whose_service_is_missing_are_not_listed(
    service: OrchestrationService, cloud: SandboxCloud
) -> None:
    from calor.api.native import create_app
    from calor.config import ApiConfig

    app = create_app(ApiConfig(auth_strategy="noauth"), service, registry=default_registry())
    headers = {"X-Project-Id": cloud.demo_project_id, "X-User-Id": "demo", "X-Roles": "member"}
    response = app.test_client().get(f"/v1/{cloud.demo_project_id}/resource_types", headers=headers)
    assert response.status_code == 200
    assert response.json is not None
    names = response.json["resource_types"]
    assert "OS::Nova::Server" in names and "OS::Heat::RandomString" in names
    assert "OS::Cinder::Volume" not in names
