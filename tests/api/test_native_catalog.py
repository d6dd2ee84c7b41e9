"""validate, resource types, template versions, build_info, services, software configs
and deployments, and policy overrides."""

from __future__ import annotations

from pathlib import Path

from api_harness import TEMPLATE, Api, ApiFactory


def test_validate_returns_heats_body(api: Api) -> None:
    body = api.call("POST", "validate", json={"template": TEMPLATE}).json
    assert body["Description"] == "A random string"
    assert body["Parameters"]["length"]["Type"] == "Number"
    assert body["Parameters"]["length"]["Default"] == 6


def test_validate_reports_the_template_path(api: Api) -> None:
    template = dict(TEMPLATE, outputs={"value": {"value": {"get_attr": ["ghost", "value"]}}})
    response = api.call("POST", "validate", json={"template": template})
    assert response.status_code == 400
    assert "outputs.value" in response.json["error"]["message"]
    assert api.call("POST", "validate", json={}).status_code == 400


def test_resource_types_list_filters_and_descriptions(api: Api) -> None:
    names = api.call("GET", "resource_types").json["resource_types"]
    assert "OS::Heat::RandomString" in names and names == sorted(names)
    filtered = api.call("GET", "resource_types?name=OS::Heat::Rand").json["resource_types"]
    assert filtered == ["OS::Heat::RandomString"]
    described = api.call("GET", "resource_types?name=OS::Heat::Rand&with_description=true").json
    (entry,) = described["resource_types"]
    assert entry["resource_type"] == "OS::Heat::RandomString" and entry["description"]


def test_resource_type_schema_and_template(api: Api) -> None:
    schema = api.call("GET", "resource_types/OS::Heat::RandomString").json
    assert schema["resource_type"] == "OS::Heat::RandomString"
    assert "length" in schema["properties"] and "value" in schema["attributes"]
    assert schema["support_status"]["status"] == "SUPPORTED"
    hot = api.call("GET", "resource_types/OS::Heat::RandomString/template?template_type=hot").json
    assert hot["resources"]["RandomString"]["properties"]["length"] == {"get_param": "length"}
    assert hot["parameters"]["length"]["type"] == "number"
    assert hot["outputs"]["value"]["value"] == {"get_attr": ["RandomString", "value"]}
    cfn = api.call("GET", "resource_types/OS::Heat::RandomString/template").json
    assert cfn["Resources"]["RandomString"]["Type"] == "OS::Heat::RandomString"
    missing = api.call("GET", "resource_types/No::Such")
    assert missing.status_code == 404 and missing.json["error"]["type"] == "ResourceTypeNotFound"


def test_template_versions_and_functions(api: Api) -> None:
    versions = api.call("GET", "template_versions").json["template_versions"]
    by_name = {version["version"]: version for version in versions}
    assert by_name["heat_template_version.2018-08-31"]["type"] == "hot"
    assert by_name["heat_template_version.2018-08-31"]["aliases"] == ["heat_template_version.rocky"]
    assert by_name["AWSTemplateFormatVersion.2010-09-09"]["type"] == "cfn"
    path = "template_versions/heat_template_version.2018-08-31/functions"
    functions = {entry["functions"] for entry in api.call("GET", path).json["template_functions"]}
    assert {"get_param", "get_attr", "str_replace"} <= functions
    with_conditions = api.call("GET", path + "?with_condition_func=true").json["template_functions"]
    assert "equals" in {entry["functions"] for entry in with_conditions}
    old = api.call("GET", "template_versions/heat_template_version.2014-10-16/functions").json
    assert "Fn::Join" not in {entry["functions"] for entry in old["template_functions"]}
    assert api.call("GET", "template_versions/heat_template_version.1999-01-01/functions").status_code == 404


def test_build_info_and_services(api: Api) -> None:
    info = api.call("GET", "build_info").json
    assert set(info) == {"api", "engine"} and info["api"]["revision"]
    assert api.call("GET", "services").status_code == 403
    services = api.call("GET", "services", roles="admin").json["services"]
    assert services and services[0]["status"] == "up" and services[0]["binary"]


def test_software_configs_are_stored_and_shown(api: Api) -> None:
    created = api.call(
        "POST",
        "software_configs",
        json={"name": "setup", "group": "script", "config": "#!/bin/sh\necho hi", "inputs": [{"name": "x"}]},
    ).json["software_config"]
    assert created["name"] == "setup" and created["group"] == "script" and created["id"]
    shown = api.call("GET", f"software_configs/{created['id']}").json["software_config"]
    assert shown == created
    listed = api.call("GET", "software_configs").json["software_configs"]
    assert [config["id"] for config in listed] == [created["id"]]
    assert api.call("GET", f"software_configs/{created['id']}", project="project-two").status_code == 404
    assert api.call("POST", "software_configs", json={"group": "script"}).status_code == 400
    assert api.call("DELETE", f"software_configs/{created['id']}").status_code == 204
    assert api.call("GET", f"software_configs/{created['id']}").status_code == 404


def test_software_deployments_are_stored_updated_and_listed(api: Api) -> None:
    config = api.call("POST", "software_configs", json={"name": "c", "inputs": [{"name": "who"}]}).json[
        "software_config"
    ]
    body = {"config_id": config["id"], "server_id": "server-1", "input_values": {"who": "world"}}
    deployment = api.call("POST", "software_deployments", json=body).json["software_deployment"]
    assert deployment["status"] == "COMPLETE" and deployment["action"] == "INIT"
    updated = api.call(
        "PUT", f"software_deployments/{deployment['id']}", json={"status": "FAILED", "status_reason": "no"}
    ).json["software_deployment"]
    assert updated["status"] == "FAILED" and updated["updated_time"]
    listed = api.call("GET", "software_deployments?server_id=server-1").json["software_deployments"]
    assert [item["id"] for item in listed] == [deployment["id"]]
    metadata = api.call("GET", "software_deployments/metadata/server-1").json["metadata"]
    assert metadata[0]["inputs"][0]["value"] == "world"
    unknown_config = {"config_id": "nothing", "server_id": "server-1"}
    assert api.call("POST", "software_deployments", json=unknown_config).status_code == 404
    assert api.call("DELETE", f"software_deployments/{deployment['id']}").status_code == 204


def test_policy_file_overrides_defaults(api_factory: ApiFactory, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"stacks:create": "role:admin"\n"stacks:index": "!"\n')
    guarded = api_factory(policy_file=str(policy_file))
    refused = guarded.call("POST", "stacks", json={"stack_name": "x", "template": TEMPLATE})
    assert refused.status_code == 403
    assert refused.json["error"]["type"] == "Forbidden"
    assert "stacks:create" in refused.json["error"]["message"]
    assert (
        guarded.call(
            "POST", "stacks", roles="admin", json={"stack_name": "x", "template": TEMPLATE}
        ).status_code
        == 201
    )
    assert guarded.call("GET", "stacks", roles="admin").status_code == 403


def test_stack_users_are_denied_by_default(api: Api) -> None:
    response = api.call("GET", "stacks", roles="heat_stack_user")
    assert response.status_code == 403
