"""Random snippets parsed, validated and resolved end in a value or a UserError, never another exception."""

from __future__ import annotations

from typing import Any

from function_stubs import sample_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calor.errors import UserError
from calor.template import function
from calor.template.functions import AWS_TEMPLATE_VERSION, HOT_VERSIONS, resolve
from calor.template.functions.version import TemplateVersion

VERSIONS: list[TemplateVersion] = [*HOT_VERSIONS.values(), AWS_TEMPLATE_VERSION]
NAMES = sorted({name for version in VERSIONS for name in version.functions} | {"equals", "not", "and", "or"})
KEYS = [
    "template",
    "params",
    "for_each",
    "expression",
    "data",
    "permutations",
    "keys",
    "values",
    "host",
    "port",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from(["", "a", "$x", "%v%", ",", "name", "flavors", "server", "yes", "md5", "x.y", "${name}"]),
    st.text(max_size=8),
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=3),
        st.builds(lambda name, args: {name: args}, st.sampled_from(NAMES), children),
    )


snippets = st.recursive(scalars, containers, max_leaves=20)


def run(version: TemplateVersion, snippet: Any) -> None:
    context = sample_context()
    try:
        parsed = version.parse(context, snippet, "resources.r.properties")
        function.validate(parsed)
        list(function.dependencies(parsed))
        list(function.attribute_dependencies(parsed))
        resolve(parsed)
    except UserError:
        pass


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VERSIONS), snippets)
def test_random_snippets_resolve_or_fail_cleanly(version: TemplateVersion, snippet: Any) -> None:
    run(version, snippet)


@settings(max_examples=200, deadline=None)
@given(snippets)
def test_random_condition_snippets(snippet: Any) -> None:
    context = sample_context()
    try:
        parsed = HOT_VERSIONS["2021-04-16"].parse_condition(context, snippet, "conditions.c")
        function.validate(parsed)
        resolve(parsed)
    except UserError:
        pass
