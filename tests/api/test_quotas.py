"""Heat's quotas (calor.engine.quotas) and the resource type policy, on their own and through heat-api."""

from __future__ import annotations

from typing import Any

import pytest
from api_harness import TEMPLATE, Api, ApiFactory

from calor.api import policy
from calor.config import load_config
from calor.engine import quotas
from calor.engine.service import RequestContext
from calor.errors import LimitExceeded, TemplateTooLarge

MEMBER = RequestContext(project_id="p", roles=("member",))
ADMIN = RequestContext(project_id="p", roles=("admin",), is_admin=True)

NESTED = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "one": {"type": "OS::Heat::RandomString"},
        "two": {"type": "OS::Heat::None"},
    },
}
PARENT: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "provider": {"type": "nested.yaml"},
        "stack": {"type": "OS::Heat::Stack", "properties": {"template": {"get_file": "nested.yaml"}}},
        "group": {
            "type": "OS::Heat::ResourceGroup",
            "properties": {"count": 3, "resource_def": {"type": "nested.yaml"}},
        },
    },
}
FILES = {"nested.yaml": NESTED}
FLAVOR = {
    "heat_template_version": "2018-08-31",
    "resources": {"flavor": {"type": "OS::Nova::Flavor", "properties": {"ram": 512, "vcpus": 1}}},
}


def test_heat_defaults_and_config() -> None:
    assert quotas.Quotas() == quotas.Quotas.from_config(load_config())
    assert quotas.Quotas().max_stacks_per_tenant == 100
    assert quotas.Quotas().max_resources_per_stack == 1000
    assert quotas.Quotas().max_events_per_stack == 1000


def test_resources_are_counted_across_nested_templates() -> None:
    # provider 1+2, stack 1+2, group 1 + 3 members of (1+2)
    assert quotas.count_resources(PARENT, FILES) == 3 + 3 + 1 + 9
    assert quotas.count_resources(PARENT) == 1 + 1 + 1 + 3
    assert quotas.resource_types(PARENT, FILES) == {
        "nested.yaml",
        "OS::Heat::Stack",
        "OS::Heat::ResourceGroup",
        "OS::Heat::RandomString",
        "OS::Heat::None",
    }


def test_text_templates_and_unreadable_ones() -> None:
    text = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::None}\n"
    assert quotas.count_resources(text) == 1
    assert quotas.count_resources("{not: [yaml") == 0


def test_a_self_including_template_stops() -> None:
    files = {"loop.yaml": {"resources": {"again": {"type": "loop.yaml"}}}}
    # the top level and five nested levels, as Heat's max_nested_stack_depth
    assert quotas.count_resources({"resources": {"start": {"type": "loop.yaml"}}}, files) == 6


def test_admission_parses_each_template_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting and the type policy share one walk; a provider used thrice is parsed once."""
    from calor.engine.admission import Admission
    from calor.template import loader

    parsed: list[str] = []
    original = loader.load

    def counting(text: str, *args: Any, **options: Any) -> Any:
        parsed.append(text)
        return original(text, *args, **options)

    monkeypatch.setattr(loader, "load", counting)
    provider = "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::None}\n"
    parent = "heat_template_version: 2018-08-31\nresources:\n" + "".join(
        f"  p{index}: {{type: provider.yaml}}\n" for index in range(3)
    )
    admission = Admission(quotas.Quotas(max_resources_per_stack=6))
    admission.check_template(MEMBER, parent, {"provider.yaml": provider})
    assert sorted(parsed) == sorted([parent, provider])
    with pytest.raises(LimitExceeded):
        Admission(quotas.Quotas(max_resources_per_stack=5)).check_template(
            MEMBER, parent, {"provider.yaml": provider}
        )


def test_resource_limit_message() -> None:
    quotas.check_resource_count(PARENT, FILES, quotas.Quotas(max_resources_per_stack=16))
    with pytest.raises(LimitExceeded, match="maximum resources per stack, 15"):
        quotas.check_resource_count(PARENT, FILES, quotas.Quotas(max_resources_per_stack=15))
    quotas.check_resource_count(PARENT, FILES, quotas.Quotas(max_resources_per_stack=-1))


def test_template_size() -> None:
    quotas.check_template_size("x" * 10, quotas.Quotas(max_template_size=10))
    with pytest.raises(TemplateTooLarge, match=r"Template size \(11 bytes\) exceeds maximum allowed size"):
        quotas.check_template_size("x" * 11, quotas.Quotas(max_template_size=10))


def test_project_counts_exempt_admins() -> None:
    limits = quotas.Quotas(max_stacks_per_tenant=2, max_software_configs_per_tenant=1)
    quotas.check_stack_count(1, MEMBER, limits)
    with pytest.raises(LimitExceeded, match=r"maximum stacks per tenant, 2\. Please delete some stacks\."):
        quotas.check_stack_count(2, MEMBER, limits)
    quotas.check_stack_count(5, ADMIN, limits)
    with pytest.raises(LimitExceeded, match="maximum software configs per tenant, 1"):
        quotas.check_software_config_count(1, MEMBER, limits)
    quotas.check_software_config_count(1, ADMIN, limits)


def test_resource_type_policy_follows_heat_defaults() -> None:
    enforcer = policy.make_enforcer()
    assert not policy.resource_type_allowed(enforcer, MEMBER, "OS::Nova::Flavor")
    assert policy.resource_type_allowed(enforcer, ADMIN, "OS::Nova::Flavor")
    assert not policy.resource_type_allowed(enforcer, MEMBER, "OS::Keystone::Project")  # OS::Keystone::*
    assert policy.resource_type_allowed(enforcer, MEMBER, "OS::Nova::Server")
    with pytest.raises(Exception, match="resource_types:OS::Nova::Flavor"):
        policy.authorize_resource_types(enforcer, MEMBER, ["OS::Heat::None", "OS::Nova::Flavor"])


def test_a_policy_file_can_open_a_type_to_members(tmp_path: Any) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"resource_types:OS::Nova::Flavor": ""\n', encoding="utf-8")
    enforcer = policy.make_enforcer(str(policy_file))
    assert policy.resource_type_allowed(enforcer, MEMBER, "OS::Nova::Flavor")


def test_members_are_refused_admin_only_types_through_the_api(api: Api) -> None:
    response = api.call("POST", "stacks", json={"stack_name": "flavor", "template": FLAVOR})
    assert response.status_code == 403, response.json
    assert "OS::Nova::Flavor" in response.json["error"]["message"]
    nested = {"resources": {"inner": {"type": "flavor.yaml"}}, "heat_template_version": "2018-08-31"}
    body = {"stack_name": "nested", "template": nested, "files": {"flavor.yaml": FLAVOR}}
    assert api.call("POST", "stacks", json=body).status_code == 403
    assert api.call("POST", "validate", json={"template": FLAVOR}).status_code == 403
    assert api.call("POST", "validate", json={"template": FLAVOR}, roles="admin").status_code == 200
    listed = api.call("GET", "resource_types").json["resource_types"]
    assert "OS::Nova::Flavor" not in listed
    assert "OS::Nova::Flavor" in api.call("GET", "resource_types", roles="admin").json["resource_types"]


def test_nested_resources_count_through_the_api(api_factory: ApiFactory) -> None:
    limited = api_factory(max_resources_per_stack=10)
    body = {"stack_name": "big", "template": PARENT, "files": FILES}
    response = limited.call("POST", "stacks", json=body)
    assert response.status_code == 400
    assert response.json["error"]["type"] == "RequestLimitExceeded"


def test_admins_are_not_held_to_the_stack_count(api_factory: ApiFactory) -> None:
    limited = api_factory(max_stacks_per_tenant=1)
    limited.create("one")
    assert limited.call("POST", "stacks", json={"stack_name": "two", "template": TEMPLATE}).status_code == 400
    body = {"stack_name": "three", "template": TEMPLATE}
    assert limited.call("POST", "stacks", json=body, roles="admin").status_code == 201


def test_software_configs_per_tenant(api_factory: ApiFactory) -> None:
    limited = api_factory(max_software_configs_per_tenant=1)
    assert limited.call("POST", "software_configs", json={"name": "a"}).status_code == 200
    refused = limited.call("POST", "software_configs", json={"name": "b"})
    assert refused.status_code == 400
    assert "maximum software configs per tenant, 1" in refused.json["error"]["message"]
    assert limited.call("POST", "software_configs", json={"name": "c"}, roles="admin").status_code == 200
