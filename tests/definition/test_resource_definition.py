"""ResourceDefinition and OutputDefinition: resolution, rendering and diffs."""

from __future__ import annotations

from typing import Any

import pytest

from calor.definition.output import OutputDefinition
from calor.definition.resource import DefinitionDiff, ResourceDefinition, diff_rendered
from calor.definition.stack import StackDefinition
from calor.errors import TemplateError
from calor.template import parse_template
from calor.template.context import StackContext


def server(properties: str = "{flavor: small, image: cirros}", extra: str = "") -> ResourceDefinition:
    text = (
        "heat_template_version: 2018-08-31\n"
        "parameters:\n"
        "  retain: {type: string, default: Retain}\n"
        "resources:\n"
        "  port: {type: OS::Neutron::Port}\n"
        "  server:\n"
        "    type: OS::Nova::Server\n"
        f"    properties: {properties}\n"
        f"    {extra}\n"
    )
    return StackDefinition.build(parse_template(text), StackContext()).resources["server"]


def test_render_is_resolved_and_template_independent() -> None:
    definition = server(
        "{flavor: small, port: {get_resource: port}}",
        "metadata: {role: web}\n    deletion_policy: {get_param: retain}\n    update_policy: {batch: 1}",
    )
    assert definition.render() == {
        "type": "OS::Nova::Server",
        "properties": {"flavor": "small", "port": "port"},
        "metadata": {"role": "web"},
        "depends_on": [],
        "deletion_policy": "Retain",
        "update_policy": {"batch": 1},
    }
    assert definition.path == "resources.server"


def test_dependencies_count_properties_and_metadata() -> None:
    in_properties = server("{port: {get_resource: port}}")
    assert in_properties.dependencies() == frozenset({"port"})
    in_metadata = server("{}", "metadata: {address: {get_attr: [port, fixed_ips]}}")
    assert in_metadata.implicit_dependencies() == frozenset({"port"})
    assert in_metadata.explicit_dependencies() == frozenset()


def test_same_definition_has_no_diff() -> None:
    assert not server().diff(server())
    assert server().diff(server()) == DefinitionDiff()


def test_diff_names_changed_properties() -> None:
    changed = server().diff(server("{flavor: large, image: cirros, key: mine}"))
    assert changed.properties_changed == frozenset({"flavor", "key"})
    assert not changed.type_changed
    assert not changed.metadata_changed
    assert bool(changed)


def test_diff_removed_property() -> None:
    assert server().diff(server("{flavor: small}")).properties_changed == frozenset({"image"})


def test_diff_metadata_and_policies() -> None:
    changed = server().diff(server(extra="metadata: {a: 1}\n    update_policy: {b: 2}"))
    assert changed.metadata_changed
    assert changed.update_policy_changed
    assert not changed.properties_changed
    assert server().diff(server(extra="deletion_policy: Retain")).deletion_policy_changed


def test_diff_against_a_stored_rendering() -> None:
    stored: dict[str, Any] = {**server().render(), "type": "OS::Nova::ServerV2"}
    assert server().diff(stored).type_changed
    assert diff_rendered(stored, stored) == DefinitionDiff()


def test_properties_that_resolve_to_a_non_map_are_refused() -> None:
    definition = ResourceDefinition(name="x", type_name="A", properties=[1], path="resources.x")
    with pytest.raises(TemplateError) as caught:
        definition.resolved_properties()
    assert caught.value.path == "resources.x.properties"


def test_definitions_are_frozen() -> None:
    definition = server()
    with pytest.raises(AttributeError):
        definition.name = "other"  # type: ignore[misc]


def test_output_definition_resolution() -> None:
    assert OutputDefinition(name="o", value={"a": [1, 2]}).resolve() == {"a": [1, 2]}
    assert OutputDefinition(name="o", value=1, enabled=False).resolve() is None
    assert OutputDefinition(name="o", value=1, enabled=False).dependencies() == frozenset()
