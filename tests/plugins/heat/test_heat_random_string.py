"""OS::Heat::RandomString: generation rules, validation, persistence, references."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calor.errors import PropertyError
from calor.plugins.base import diff_properties
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.random_string import CHARACTER_CLASSES, RandomString, generate

PATH = "resources.password.properties"


def make(properties: dict[str, Any], context: MemoryPluginContext | None = None) -> RandomString:
    validated = RandomString.validate_properties(properties, PATH)
    plugin = RandomString("password", validated, context or MemoryPluginContext("password"))
    plugin.validate()
    return plugin


def created(properties: dict[str, Any]) -> tuple[RandomString, str]:
    plugin = make(properties)
    assert plugin.check_create_complete(plugin.handle_create())
    value = plugin.get_attribute("value")
    assert isinstance(value, str)
    return plugin, value


def test_default_is_32_letters_and_digits() -> None:
    _, value = created({})
    assert len(value) == 32
    assert set(value) <= set(string.ascii_letters + string.digits)


def test_length_and_classes_with_minimums() -> None:
    for _ in range(20):
        _, value = created(
            {
                "length": 12,
                "character_classes": [{"class": "digits", "min": 3}, {"class": "lowercase", "min": 2}],
            }
        )
        assert len(value) == 12
        assert sum(character.isdigit() for character in value) >= 3
        assert sum(character.islower() for character in value) >= 2
        assert set(value) <= set(string.digits + string.ascii_lowercase)


def test_sequences_and_classes_together() -> None:
    for _ in range(20):
        _, value = created(
            {
                "length": 10,
                "character_sequences": [{"sequence": "!@", "min": 2}],
                "character_classes": [{"class": "uppercase"}],
            }
        )
        assert len(value) == 10
        assert sum(character in "!@" for character in value) >= 2
        assert set(value) <= set("!@" + string.ascii_uppercase)


def test_deprecated_sequence_property() -> None:
    _, value = created({"sequence": "octdigits", "length": 40})
    assert set(value) <= set(string.octdigits)


def test_generate_helper() -> None:
    value = generate(5, [{"class": "hexdigits", "min": 5}], [])
    assert len(value) == 5
    assert set(value) <= set(string.digits + "ABCDEF")


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        (
            {"length": 2, "character_classes": [{"class": "digits", "min": 3}]},
            "Length property cannot be smaller",
        ),
        (
            {"sequence": "digits", "character_classes": [{"class": "digits"}]},
            "Cannot use deprecated 'sequence'",
        ),
        ({"character_sequences": [{"sequence": ""}]}, "must not be empty"),
    ],
)
def test_cross_property_validation(properties: dict[str, Any], message: str) -> None:
    with pytest.raises(PropertyError, match=message):
        make(properties)


@pytest.mark.parametrize(
    ("properties", "path"),
    [
        ({"length": 0}, f"{PATH}.length"),
        ({"length": 513}, f"{PATH}.length"),
        ({"character_classes": [{"class": "emoji"}]}, f"{PATH}.character_classes[0].class"),
        ({"character_classes": [{"min": 0}]}, f"{PATH}.character_classes[0].min"),
        ({"character_sequences": [{"min": 1}]}, f"{PATH}.character_sequences[0].sequence"),
        ({"sequence": "emoji"}, f"{PATH}.sequence"),
    ],
)
def test_schema_errors_have_paths(properties: dict[str, Any], path: str) -> None:
    with pytest.raises(PropertyError) as caught:
        make(properties)
    assert caught.value.path == path


def test_value_is_stored_redacted_and_survives_a_new_instance() -> None:
    context = MemoryPluginContext("password", stack_name="stack")
    plugin = make({"length": 16}, context)
    plugin.handle_create()
    value = plugin.get_attribute("value")
    assert context.data() == {"value": value}
    assert context.redacted_keys == {"value"}
    assert context.resource_id is not None and context.resource_id.startswith("stack-password-")
    again = make({"length": 16}, context)
    assert again.get_attribute("value") == value
    assert again.reference_id() == value


def test_reference_is_the_name_before_create() -> None:
    assert make({}).reference_id() == "password"


def test_any_change_replaces() -> None:
    plugin = make({"salt": "a"})
    new = RandomString.validate_properties({"salt": "b"}, PATH)
    assert plugin.needs_replace(new, diff_properties(plugin.properties, new))


def test_hidden_property_is_not_in_the_api() -> None:
    schema = RandomString.resource_schema()
    assert "sequence" not in schema["properties"]
    assert schema["properties"]["length"]["default"] == 32
    assert schema["attributes"]["value"]["type"] == "string"


MINIMUMS = st.integers(min_value=1, max_value=5)
CLASS_ITEMS = st.tuples(st.sampled_from(sorted(CHARACTER_CLASSES)), MINIMUMS)
SEQUENCE_ITEMS = st.tuples(st.text(alphabet="!@#$%^&*", min_size=1, max_size=4), MINIMUMS)


@settings(max_examples=60, deadline=None)
@given(
    extra=st.integers(min_value=0, max_value=30),
    class_minimums=st.lists(CLASS_ITEMS, max_size=3),
    sequence_minimums=st.lists(SEQUENCE_ITEMS, max_size=3),
)
def test_generated_strings_honour_length_and_minimums(
    extra: int, class_minimums: list[tuple[str, int]], sequence_minimums: list[tuple[str, int]]
) -> None:
    if not class_minimums and not sequence_minimums:
        class_minimums = [("lettersdigits", 1)]
    classes: list[dict[str, Any]] = [{"class": name, "min": minimum} for name, minimum in class_minimums]
    sequences: list[dict[str, Any]] = [
        {"sequence": chars, "min": minimum} for chars, minimum in sequence_minimums
    ]
    length = sum(minimum for _, minimum in class_minimums + sequence_minimums) + extra
    value = generate(length, classes, sequences)
    assert len(value) == length
    allowed = "".join(CHARACTER_CLASSES[name] for name, _ in class_minimums)
    allowed += "".join(chars for chars, _ in sequence_minimums)
    assert set(value) <= set(allowed)
    for chars, minimum in sequence_minimums:
        assert sum(character in chars for character in value) >= minimum
