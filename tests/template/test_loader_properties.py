"""Property tests: whatever text the loader is given, it returns a Document or raises a UserError."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calor.errors import UserError
from calor.template.loader import Document, load

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
keys = st.text(min_size=1, max_size=10)
nested_data = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=30,
)


def load_or_user_error(text: str | bytes) -> Document | None:
    try:
        return load(text)
    except UserError:
        return None


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text_gives_a_document_or_a_user_error(text: str) -> None:
    document = load_or_user_error(text)
    if document is not None:
        assert isinstance(document.data, dict)


@settings(max_examples=200)
@given(st.binary(max_size=100))
def test_any_bytes_give_a_document_or_a_user_error(data: bytes) -> None:
    load_or_user_error(data)


yaml_alphabet = st.sampled_from(list("ab: -[]{},&*!?|>'\"#\n\t01.~<@%`"))


@settings(max_examples=200)
@given(st.lists(yaml_alphabet, max_size=80).map("".join))
def test_yaml_punctuation_soup(text: str) -> None:
    load_or_user_error(text)


@settings(max_examples=200)
@given(st.dictionaries(keys, nested_data, min_size=1, max_size=5))
def test_dumped_yaml_round_trips(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, default_flow_style=False)
    document = load(text)
    assert document.data == yaml.load(text, Loader=yaml.SafeLoader)
    for key in data:
        assert document.line_of(key) is not None


@settings(max_examples=200)
@given(st.dictionaries(keys, nested_data, min_size=1, max_size=5))
def test_dumped_json_round_trips(data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=1)
    document = load(text)
    assert document.data == json.loads(text)
