"""HOT templates: versions, sections, resource and output keys, errors with paths and lines."""

from __future__ import annotations

import textwrap

import pytest

from calor.errors import InvalidTemplateVersion, TemplateError, UserError
from calor.template import parse_template
from calor.template.context import StackContext
from calor.template.hot import HOTemplate

DATES = [
    "2013-05-23",
    "2014-10-16",
    "2015-04-30",
    "2015-10-15",
    "2016-04-08",
    "2016-10-14",
    "2017-02-24",
    "2017-09-01",
    "2018-03-02",
    "2018-08-31",
    "2021-04-16",
]
ALIASES = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}
BEFORE_CONDITIONS = DATES[:5]
WITH_CONDITIONS = DATES[5:]


def hot(body: str, version: str = "2018-08-31") -> str:
    return f"heat_template_version: {version}\n" + textwrap.dedent(body)


def definitions(text: str) -> dict[str, object]:
    template = parse_template(text)
    return dict(template.resource_definitions(StackContext()))


@pytest.mark.parametrize("version", DATES)
def test_every_version_parses_its_sections(version: str) -> None:
    text = hot(
        """
        description: A test
        parameter_groups:
          - label: first
            parameters: [size]
        parameters:
          size: {type: number, default: 1}
        resources:
          box: {type: OS::Heat::None, properties: {a: 1}}
        outputs:
          out: {value: 1, description: the output}
        """,
        version,
    )
    template = parse_template(text, source_name="box.yaml")
    assert isinstance(template, HOTemplate)
    assert template.version == version
    assert template.version_value == version
    assert template.description == "A test"
    assert set(template.parameter_schemas()) == {"size"}
    assert template.parameter_groups() == [{"label": "first", "parameters": ["size"]}]
    resources = template.resource_definitions(StackContext())
    assert resources["box"].type_name == "OS::Heat::None"
    assert resources["box"].resolved_properties() == {"a": 1}
    outputs = template.outputs(StackContext())
    assert outputs["out"].resolve() == 1
    assert outputs["out"].description == "the output"


@pytest.mark.parametrize(("alias", "date"), sorted(ALIASES.items()))
def test_aliases_name_their_version(alias: str, date: str) -> None:
    template = parse_template(hot("resources: {}\n", alias))
    assert template.version == date
    assert template.version_value == alias


@pytest.mark.parametrize("version", BEFORE_CONDITIONS)
def test_conditions_section_refused_before_2016_10_14(version: str) -> None:
    text = hot(
        """
        conditions:
          always: true
        resources: {}
        """,
        version,
    )
    with pytest.raises(TemplateError) as caught:
        parse_template(text, source_name="t.yaml")
    assert caught.value.message == "The template section is invalid: conditions"
    assert caught.value.path == "conditions"
    assert caught.value.line == 3
    assert caught.value.source == "t.yaml"


@pytest.mark.parametrize("version", WITH_CONDITIONS)
def test_conditions_section_accepted_from_2016_10_14(version: str) -> None:
    text = hot(
        """
        conditions:
          always: true
          never: false
        resources: {}
        """,
        version,
    )
    assert parse_template(text).conditions(StackContext()) == {"always": True, "never": False}


def test_cfn_sections_refused_in_hot() -> None:
    with pytest.raises(TemplateError, match="The template section is invalid: Resources"):
        parse_template(hot("Resources: {}\n"))
    with pytest.raises(TemplateError, match="The template section is invalid: mappings"):
        parse_template(hot("mappings: {}\n"))


def test_unknown_version_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidTemplateVersion) as caught:
        parse_template("heat_template_version: 2012-01-01\nresources: {}\n")
    message = caught.value.message
    assert message.startswith(
        'The template version is invalid: "heat_template_version: 2012-01-01". '
        '"heat_template_version" should be one of: 2013-05-23, 2014-10-16'
    )
    assert "2021-04-16, newton, ocata, pike, queens, rocky, wallaby" in message
    assert caught.value.path == "heat_template_version"
    assert caught.value.line == 1


def test_missing_version() -> None:
    with pytest.raises(InvalidTemplateVersion, match=r"^Template format version not found\.$"):
        parse_template("resources: {}\n")


def test_ambiguous_version() -> None:
    with pytest.raises(InvalidTemplateVersion, match="Ambiguous versions"):
        parse_template({"heat_template_version": "2018-08-31", "AWSTemplateFormatVersion": "2010-09-09"})


def test_mapping_and_bytes_sources() -> None:
    import datetime

    mapping = parse_template({"heat_template_version": datetime.date(2016, 10, 14), "resources": {}})
    assert mapping.version == "2016-10-14"
    assert mapping.document is None
    text = parse_template(hot("resources: {}\n").encode())
    assert text.version == "2018-08-31"


def test_description_defaults_like_heat() -> None:
    assert parse_template(hot("resources: {}\n")).description == "No description"


def test_unknown_resource_key_names_the_key_and_line() -> None:
    text = hot(
        """
        resources:
          web:
            type: OS::Heat::None
            propertes: {}
        """
    )
    with pytest.raises(TemplateError) as caught:
        definitions(text)
    assert caught.value.message == '"propertes" is not a valid keyword inside a resource definition'
    assert caught.value.path == "resources.web.propertes"
    assert caught.value.line == 6


@pytest.mark.parametrize("key", ["condition", "external_id"])
def test_condition_and_external_id_keys_need_2016_10_14(key: str) -> None:
    text = hot(
        f"""
        resources:
          web:
            type: OS::Heat::None
            {key}: x
        """,
        "2016-04-08",
    )
    with pytest.raises(TemplateError, match=f'"{key}" is not a valid keyword'):
        definitions(text)


def test_external_id_accepted_from_2016_10_14() -> None:
    text = hot(
        """
        resources:
          web:
            type: OS::Heat::None
            external_id: abc-123
        """,
        "2016-10-14",
    )
    web = parse_template(text).resource_definitions(StackContext())["web"]
    assert web.resolved_external_id() == "abc-123"
    assert web.render()["external_id"] == "abc-123"


def test_missing_type() -> None:
    with pytest.raises(TemplateError) as caught:
        definitions(hot("resources:\n  web:\n    properties: {}\n"))
    assert caught.value.message == 'Resource web is missing "type"'
    assert caught.value.path == "resources.web"


def test_type_must_be_a_string() -> None:
    with pytest.raises(TemplateError, match="Resource web type type must be string"):
        definitions(hot("resources:\n  web:\n    type: [a]\n"))


def test_properties_must_be_a_map() -> None:
    with pytest.raises(TemplateError) as caught:
        definitions(hot("resources:\n  web:\n    type: A\n    properties: [1]\n"))
    assert caught.value.message == "Resource web properties type must be object"
    assert caught.value.path == "resources.web.properties"
    assert caught.value.line == 5


def test_resource_must_be_a_map() -> None:
    with pytest.raises(TemplateError, match='"resources" must contain a map of resource maps'):
        definitions(hot("resources:\n  web: 3\n"))


def test_depends_on_string_or_list() -> None:
    text = hot(
        """
        resources:
          a: {type: A}
          b: {type: B, depends_on: a}
          c: {type: C, depends_on: [a, b]}
        """
    )
    found = definitions(text)
    assert found["b"].depends_on == ("a",)  # type: ignore[attr-defined]
    assert found["c"].depends_on == ("a", "b")  # type: ignore[attr-defined]


def test_depends_on_must_hold_strings() -> None:
    with pytest.raises(TemplateError, match="Resource b depends_on must be a list of strings"):
        definitions(hot("resources:\n  b: {type: B, depends_on: [{x: 1}]}\n"))
    with pytest.raises(TemplateError, match="Resource b depends_on type must be list or string"):
        definitions(hot("resources:\n  b: {type: B, depends_on: 3}\n"))


@pytest.mark.parametrize(
    ("written", "stored"), [("Delete", "Delete"), ("Retain", "Retain"), ("Snapshot", "Snapshot")]
)
def test_deletion_policies(written: str, stored: str) -> None:
    text = hot(f"resources:\n  web: {{type: A, deletion_policy: {written}}}\n", "2013-05-23")
    assert definitions(text)["web"].deletion_policy == stored  # type: ignore[attr-defined]


def test_lower_case_deletion_policies_from_2016_10_14() -> None:
    new = hot("resources:\n  web: {type: A, deletion_policy: retain}\n", "2016-10-14")
    assert definitions(new)["web"].deletion_policy == "Retain"  # type: ignore[attr-defined]
    old = hot("resources:\n  web: {type: A, deletion_policy: retain}\n", "2016-04-08")
    with pytest.raises(TemplateError) as caught:
        definitions(old)
    assert caught.value.message == 'Invalid deletion policy "retain"'
    assert caught.value.path == "resources.web.deletion_policy"


def test_deletion_policy_default_is_delete() -> None:
    assert definitions(hot("resources:\n  web: {type: A}\n"))["web"].deletion_policy == "Delete"  # type: ignore[attr-defined]


def test_unknown_output_key() -> None:
    template = parse_template(hot("resources: {}\noutputs:\n  out:\n    value: 1\n    vaule: 2\n"))
    with pytest.raises(TemplateError) as caught:
        template.outputs(StackContext())
    assert caught.value.path == "outputs.out.vaule"
    assert caught.value.line == 6


def test_output_needs_a_value() -> None:
    template = parse_template(hot("resources: {}\noutputs:\n  out:\n    description: x\n"))
    with pytest.raises(TemplateError, match=r"Each output definition must contain a value key\."):
        template.outputs(StackContext())


def test_output_condition_key_needs_2016_10_14() -> None:
    template = parse_template(
        hot("resources: {}\noutputs:\n  out: {value: 1, condition: true}\n", "2016-04-08")
    )
    with pytest.raises(TemplateError, match='"condition" is not a valid keyword'):
        template.outputs(StackContext())


def test_resources_keep_template_order() -> None:
    text = hot("resources:\n  z: {type: A}\n  a: {type: A}\n  m: {type: A}\n")
    assert list(definitions(text)) == ["z", "a", "m"]
    assert parse_template(text).resource_names() == ("z", "a", "m")


def test_function_table_follows_the_version() -> None:
    text = hot("resources:\n  web:\n    type: A\n    properties:\n      x: {Ref: y}\n", "2015-04-30")
    with pytest.raises(TemplateError) as caught:
        definitions(text)
    assert caught.value.path is not None
    assert caught.value.path.startswith("resources.web.properties.x")
    assert caught.value.line == 6


def test_resource_names_may_not_contain_a_slash() -> None:
    with pytest.raises(TemplateError, match='Resource name may not contain "/"'):
        definitions(hot("resources:\n  a/b: {type: A}\n"))


def test_errors_in_a_mapping_template_have_a_path_but_no_line() -> None:
    template = parse_template({"heat_template_version": "2018-08-31", "resources": {"a": {"typo": 1}}})
    with pytest.raises(TemplateError) as caught:
        template.resource_definitions(StackContext())
    assert caught.value.path == "resources.a.typo"
    assert caught.value.line is None
    assert caught.value.source is None


def test_parameter_schema_errors_are_located() -> None:
    text = hot("parameters:\n  size:\n    type: integerish\nresources: {}\n")
    template = parse_template(text, source_name="p.yaml")
    with pytest.raises(UserError) as caught:
        template.parameter_schemas()
    assert caught.value.path is not None
    assert caught.value.path.startswith("parameters.size")
    assert caught.value.line in (3, 4)
    assert caught.value.source == "p.yaml"
