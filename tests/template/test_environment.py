"""Environments: sections, the resource registry, nesting, hooks and merging."""

from __future__ import annotations

import pytest

from calor.errors import InvalidEnvironment
from calor.template.environment import (
    Environment,
    RegistryMatch,
    ResourceRegistry,
    default_environment,
    merge_environments,
)
from calor.template.parameters import ParameterSchema

ENVIRONMENT = """\
parameters:
  flavor: m1.large
parameter_defaults:
  image: cirros
event_sinks:
  - type: zaqar-queue
    target: events
encrypted_param_names: [password]
resource_registry:
  "AWS::EC2::Instance": "OS::Nova::Server"
  "My::Server": "AWS::EC2::Instance"
  "My::Nested": nested.yaml
  "My::Remote": "https://example.com/remote.template"
  "OS::Networking::*": "OS::Neutron::*"
  "Old::*": "OS::Heat::None"
  resources:
    web:
      "OS::Nova::Server": "OS::Heat::None"
      hooks: pre-create
    "db*":
      restricted_actions: [update, replace]
    group:
      "0":
        hooks: [pre-update, post-create]
      "*":
        hooks: pre-delete
"""


@pytest.fixture
def environment() -> Environment:
    return Environment.parse(ENVIRONMENT, "env.yaml")


def test_sections(environment: Environment) -> None:
    assert environment.parameters == {"flavor": "m1.large"}
    assert environment.user_parameters == {"flavor": "m1.large"}
    assert environment.parameter_defaults == {"image": "cirros"}
    assert environment.event_sinks == [{"type": "zaqar-queue", "target": "events"}]
    assert environment.encrypted_param_names == ["password"]


def test_empty_text_is_an_empty_environment() -> None:
    for text in ["", "\n", "# nothing\n---\n"]:
        assert Environment.parse(text) == Environment()


def test_unknown_section_is_named() -> None:
    with pytest.raises(InvalidEnvironment) as caught:
        Environment.parse("parameters: {}\nresource_registery: {}\n", "env.yaml")
    assert caught.value.message == 'environment has wrong section "resource_registery"'
    assert caught.value.path == "resource_registery"
    assert caught.value.line == 2
    assert caught.value.source == "env.yaml"


@pytest.mark.parametrize("text", ["- a\n", "just text", "[1]"])
def test_not_a_mapping(text: str) -> None:
    with pytest.raises(InvalidEnvironment, match="not a valid YAML mapping"):
        Environment.parse(text)


def test_syntax_error_is_an_invalid_environment() -> None:
    with pytest.raises(InvalidEnvironment) as caught:
        Environment.parse("parameters: [\n", "env.yaml")
    assert caught.value.line is not None


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"parameters": [1]}, "parameters"),
        ({"event_sinks": {"a": 1}}, "event_sinks"),
        ({"resource_registry": {"A": 5}}, "resource_registry.A"),
        ({"resource_registry": {"hooks": "pre-create"}}, "resource_registry.hooks"),
        (
            {"resource_registry": {"resources": {"web": {"hooks": "pre-lunch"}}}},
            "resource_registry.resources.web.hooks",
        ),
        (
            {"resource_registry": {"resources": {"web": {"restricted_actions": ["delete"]}}}},
            "resource_registry.resources.web.restricted_actions",
        ),
        ({"resource_registry": {"resources": {"web": "x"}}}, "resource_registry.resources.web"),
        ({"parameter_merge_strategies": {"a": "append"}}, "parameter_merge_strategies.a"),
    ],
)
def test_bad_sections_name_their_path(raw: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidEnvironment) as caught:
        Environment.from_mapping(raw)
    assert caught.value.path == path


def test_resolve_aliases_templates_and_globs(environment: Environment) -> None:
    registry = environment.registry
    assert registry.resolve("My::Server") == RegistryMatch("OS::Nova::Server")
    assert registry.resolve("OS::Nova::Server") == RegistryMatch("OS::Nova::Server")
    assert registry.resolve("My::Nested") == RegistryMatch("My::Nested", "nested.yaml")
    assert registry.resolve("My::Remote").template == "https://example.com/remote.template"
    assert registry.resolve("OS::Networking::Net") == RegistryMatch("OS::Neutron::Net")
    assert registry.resolve("Old::Anything") == RegistryMatch("OS::Heat::None")


def test_per_resource_entries_win(environment: Environment) -> None:
    registry = environment.registry
    assert registry.resolve("My::Server", "web") == RegistryMatch("OS::Heat::None")
    assert registry.resolve("My::Server", ["web"]) == RegistryMatch("OS::Heat::None")
    assert registry.resolve("My::Server", "app") == RegistryMatch("OS::Nova::Server")


def test_alias_cycles_are_refused() -> None:
    registry = ResourceRegistry.from_mapping({"A::X": "B::X", "B::X": "C::X", "C::X": "A::X"})
    with pytest.raises(InvalidEnvironment, match="A::X -> B::X -> C::X -> A::X"):
        registry.resolve("A::X")


def test_longest_glob_wins() -> None:
    registry = ResourceRegistry.from_mapping({"OS::*": "Generic::*", "OS::Nova::*": "Compute::*"})
    assert registry.resolve("OS::Nova::Server").type_name == "Compute::Server"
    assert registry.resolve("OS::Cinder::Volume").type_name == "Generic::Cinder::Volume"


def test_hooks_and_restricted_actions(environment: Environment) -> None:
    registry = environment.registry
    assert registry.hooks_for("web") == frozenset({"pre-create"})
    assert registry.hooks_for(["web"]) == frozenset({"pre-create"})
    assert registry.hooks_for("app") == frozenset()
    assert registry.restricted_actions_for("db1") == frozenset({"update", "replace"})
    assert registry.restricted_actions_for("web") == frozenset()
    assert registry.hooks_for(["group", "0"]) == frozenset({"pre-update", "post-create", "pre-delete"})
    assert registry.hooks_for(["group", "3"]) == frozenset({"pre-delete"})


def test_nested_registry(environment: Environment) -> None:
    nested = environment.registry.nested("group")
    assert nested.hooks_for("0") == frozenset({"pre-update", "post-create", "pre-delete"})
    assert nested.hooks_for("anything") == frozenset({"pre-delete"})
    assert environment.registry.nested("web").hooks_for("web") == frozenset()
    assert nested.resolve("My::Server") == RegistryMatch("OS::Nova::Server")
    without = environment.registry.nested("server", removing_type="My::Nested")
    assert without.resolve("My::Nested") == RegistryMatch("My::Nested")


def test_to_mapping_round_trips(environment: Environment) -> None:
    rendered = environment.to_mapping()
    assert rendered["resource_registry"]["resources"]["web"]["hooks"] == ["pre-create"]
    assert Environment.from_mapping(rendered) == environment
    assert Environment().to_mapping() == {
        "parameters": {},
        "parameter_defaults": {},
        "resource_registry": {"resources": {}},
        "event_sinks": [],
        "encrypted_param_names": [],
    }


def test_merge_later_wins_and_null_unsets(environment: Environment) -> None:
    later = Environment.from_mapping(
        {
            "parameters": {"flavor": "m1.small", "key": "k"},
            "resource_registry": {
                "AWS::EC2::Instance": None,
                "Old::*": None,
                "resources": {"web": {"hooks": "pre-delete"}, "db*": None},
            },
        }
    )
    merged = merge_environments([environment, later])
    assert merged.parameters == {"flavor": "m1.small", "key": "k"}
    assert merged.parameter_defaults == {"image": "cirros"}
    assert merged.registry.resolve("My::Server") == RegistryMatch("AWS::EC2::Instance")
    assert merged.registry.resolve("Old::Thing") == RegistryMatch("Old::Thing")
    assert merged.registry.hooks_for("web") == frozenset({"pre-delete"})
    assert merged.registry.resolve("OS::Nova::Server", "web") == RegistryMatch("OS::Heat::None")
    assert merged.registry.restricted_actions_for("db1") == frozenset()


def test_default_environment_is_merged_first() -> None:
    merged = merge_environments([default_environment(), Environment()])
    assert merged.registry.resolve("OS::Quantum::Net") == RegistryMatch("OS::Neutron::Net")
    extra = default_environment({"Custom::Thing": "OS::Heat::None"})
    assert extra.registry.resolve("Custom::Thing") == RegistryMatch("OS::Heat::None")


def environment_with(parameters: dict[str, object], strategies: dict[str, str] | None = None) -> Environment:
    return Environment.from_mapping(
        {"parameter_defaults": parameters, "parameter_merge_strategies": strategies or {}}
    )


def test_merge_strategies_without_schemas() -> None:
    first = environment_with({"s": "a", "l": ["x"], "m": {"a": {"b": 1}}, "n": 1, "o": "keep"})
    second = environment_with(
        {"s": "b", "l": ["y"], "m": {"a": {"c": 2}}, "n": 2, "o": "new"},
        {"default": "merge", "o": "overwrite"},
    )
    merged = merge_environments([first, second]).parameter_defaults
    assert merged == {"s": "ab", "l": ["x", "y"], "m": {"a": {"c": 2}}, "n": 3, "o": "new"}


def test_deep_merge() -> None:
    first = environment_with({"m": {"a": {"b": 1, "l": [1]}, "k": "x"}})
    second = environment_with({"m": {"a": {"c": 2, "l": [2]}}}, {"m": "deep_merge"})
    merged = merge_environments([first, second]).parameter_defaults
    assert merged == {"m": {"a": {"b": 1, "c": 2, "l": [1, 2]}, "k": "x"}}


def test_merge_by_schema_type() -> None:
    schemas = {
        "names": ParameterSchema(name="names", type="comma_delimited_list"),
        "text": ParameterSchema(name="text", type="string"),
        "flag": ParameterSchema(name="flag", type="boolean"),
    }
    first = environment_with({"names": "a,b", "text": "x", "flag": True})
    second = environment_with({"names": "c", "text": "y"}, {"default": "merge"})
    merged = merge_environments([first, second], schemas).parameter_defaults
    assert merged["names"] == "a,b,c"
    assert merged["text"] == "xy"
    third = environment_with({"flag": False}, {"flag": "merge"})
    with pytest.raises(InvalidEnvironment, match="flag"):
        merge_environments([first, third], schemas)


def test_event_sinks_and_encrypted_names_accumulate() -> None:
    first = Environment.from_mapping({"event_sinks": [{"type": "a"}], "encrypted_param_names": ["x"]})
    second = Environment.from_mapping({"event_sinks": [{"type": "b"}], "encrypted_param_names": ["y"]})
    merged = merge_environments([first, second])
    assert merged.event_sinks == [{"type": "a"}, {"type": "b"}]
    assert merged.encrypted_param_names == ["x", "y"]
