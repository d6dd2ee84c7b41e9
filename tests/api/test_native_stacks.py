"""Stack routes of the v1 API through the Flask app (no authentication middleware)."""

from __future__ import annotations

import json
from typing import Any

from api_harness import OTHER_PROJECT, PROJECT, TEMPLATE, Api, ApiFactory


def test_create_answers_201_with_id_links_and_location(api: Api) -> None:
    response = api.call("POST", "stacks", json={"stack_name": "first", "template": TEMPLATE})
    assert response.status_code == 201
    stack = response.json["stack"]
    expected = f"http://localhost/v1/{PROJECT}/stacks/first/{stack['id']}"
    assert stack["links"] == [{"href": expected, "rel": "self"}]
    assert response.headers["Location"] == expected


def test_show_has_status_parameters_with_pseudo_parameters_and_outputs(api: Api) -> None:
    stack_id = api.create("shown", parameters={"length": 9}, tags="a,b", timeout_mins=5)
    stack = api.wait("shown", stack_id)
    assert stack["stack_status"] == "CREATE_COMPLETE"
    assert stack["stack_status_reason"]
    assert stack["creation_time"].endswith("Z")
    assert stack["description"] == "A random string"
    assert stack["parameters"]["length"] == "9"
    assert stack["parameters"]["OS::stack_id"] == stack_id
    assert stack["parameters"]["OS::stack_name"] == "shown"
    assert stack["parameters"]["OS::project_id"] == PROJECT
    assert stack["tags"] == ["a", "b"]
    assert stack["timeout_mins"] == 5
    (output,) = stack["outputs"]
    assert output["output_key"] == "value" and len(output["output_value"]) == 9
    assert stack["links"][0]["rel"] == "self"
    hidden = api.call("GET", f"stacks/shown/{stack_id}?resolve_outputs=false").json["stack"]
    assert "outputs" not in hidden


def test_lookup_by_name_or_id_redirects_with_302(api: Api) -> None:
    stack_id = api.create("named")
    for identity in ("named", stack_id):
        response = api.call("GET", f"stacks/{identity}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"http://localhost/v1/{PROJECT}/stacks/named/{stack_id}"
    response = api.call("GET", "stacks/named/resources?nested_depth=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stacks/named/{stack_id}/resources?nested_depth=1")
    deep = api.call("GET", "stacks/named/resources/word/events")
    assert deep.headers["Location"].endswith(f"/stacks/named/{stack_id}/resources/word/events")


def test_list_filters_sorts_pages_and_counts(api: Api) -> None:
    ids = {name: api.create(name, tags=[name[0]]) for name in ("alpha", "beta", "gamma")}
    for name, stack_id in ids.items():
        api.wait(name, stack_id)
    listed = api.call("GET", "stacks").json["stacks"]
    assert [stack["stack_name"] for stack in listed] == ["gamma", "beta", "alpha"]
    assert listed[0]["links"][0]["href"].endswith(f"/stacks/gamma/{ids['gamma']}")
    by_name = api.call("GET", "stacks?sort_keys=stack_name&sort_dir=asc").json["stacks"]
    assert [stack["stack_name"] for stack in by_name] == ["alpha", "beta", "gamma"]
    page = api.call("GET", f"stacks?sort_keys=stack_name&sort_dir=asc&limit=1&marker={ids['alpha']}").json
    assert [stack["stack_name"] for stack in page["stacks"]] == ["beta"]
    filtered = api.call("GET", "stacks?name=beta&name=gamma&with_count=true").json
    assert {stack["stack_name"] for stack in filtered["stacks"]} == {"beta", "gamma"}
    assert filtered["count"] == 2
    tagged = api.call("GET", "stacks?tags=a").json["stacks"]
    assert [stack["stack_name"] for stack in tagged] == ["alpha"]
    assert api.call("GET", "stacks?status=COMPLETE").json["stacks"]
    assert api.call("GET", "stacks", project=OTHER_PROJECT).json["stacks"] == []


def test_list_rejects_bad_sort_and_paging_values(api: Api) -> None:
    for query in ("sort_keys=colour", "sort_dir=sideways", "limit=many", "limit=-1", "show_deleted=maybe"):
        response = api.call("GET", f"stacks?{query}")
        assert response.status_code == 400, query
        assert response.json["error"]["message"]


def test_global_tenant_is_for_admins(api: Api) -> None:
    api.create("mine")
    api.create("theirs", project=OTHER_PROJECT)
    assert api.call("GET", "stacks?global_tenant=true").status_code == 403
    listed = api.call("GET", "stacks?global_tenant=true", roles="admin").json["stacks"]
    assert {(stack["stack_name"], stack["project"]) for stack in listed} == {
        ("mine", PROJECT),
        ("theirs", OTHER_PROJECT),
    }
    own = api.call("GET", "stacks", roles="admin").json["stacks"]
    assert [stack["stack_name"] for stack in own] == ["mine"]


def test_template_environment_files_and_environment_files_merge(api: Api) -> None:
    word = {"type": "My::Word", "properties": {"length": {"get_param": "length"}}}
    template = dict(TEMPLATE, resources={"word": word})
    body = {
        "files": {
            "base.yaml": "resource_registry:\n  My::Word: OS::Heat::RandomString\nparameters:\n  length: 4\n",
            "notes.txt": "hello",
        },
        "environment_files": ["base.yaml"],
        "environment": {"parameters": {"length": 7}},
    }
    stack_id = api.create("files", template, **body)
    stack = api.wait("files", stack_id)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert api.call("GET", f"stacks/files/{stack_id}/template").json == template
    environment = api.call("GET", f"stacks/files/{stack_id}/environment").json
    assert environment["parameters"] == {"length": 7}
    assert environment["resource_registry"]["My::Word"] == "OS::Heat::RandomString"
    assert api.call("GET", f"stacks/files/{stack_id}/files").json == body["files"]
    assert len(stack["outputs"][0]["output_value"]) == 7


def test_outputs_list_and_show(api: Api) -> None:
    stack_id = api.create("outputs")
    api.wait("outputs", stack_id)
    listed = api.call("GET", f"stacks/outputs/{stack_id}/outputs").json["outputs"]
    assert listed == [{"output_key": "value", "description": "the string"}]
    shown = api.call("GET", f"stacks/outputs/{stack_id}/outputs/value").json["output"]
    assert shown["output_key"] == "value" and len(shown["output_value"]) == 6
    missing = api.call("GET", f"stacks/outputs/{stack_id}/outputs/nothing")
    assert missing.status_code == 404


def test_delete_answers_204_and_the_stack_goes(api: Api) -> None:
    stack_id = api.create("doomed")
    api.wait("doomed", stack_id)
    assert api.call("DELETE", f"stacks/doomed/{stack_id}").status_code == 204
    stack = api.wait("doomed", stack_id)
    assert stack["stack_status"] == "DELETE_COMPLETE"
    assert api.call("GET", "stacks").json["stacks"] == []
    assert api.call("GET", "stacks/doomed").status_code == 404
    assert api.call("GET", "stacks?show_deleted=true").json["stacks"][0]["id"] == stack_id


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json
    assert set(body) == {"explanation", "code", "error", "title"}
    assert body["code"] == status
    assert body["error"]["traceback"] is None
    return body


def test_malformed_bodies_are_400_with_a_message(api: Api) -> None:
    bad_json = api.call("POST", "stacks", data="{not json", content_type="application/json")
    assert "not valid JSON" in _error(bad_json, 400)["error"]["message"]
    not_object = api.call("POST", "stacks", json=["a"])
    assert "JSON object" in _error(not_object, 400)["error"]["message"]
    no_name = api.call("POST", "stacks", json={"template": TEMPLATE})
    assert "stack_name" in _error(no_name, 400)["error"]["message"]
    no_template = api.call("POST", "stacks", json={"stack_name": "x"})
    assert "No template" in _error(no_template, 400)["error"]["message"]
    wrong_type = api.call("POST", "stacks", json={"stack_name": "x", "template": TEMPLATE, "parameters": []})
    assert "parameters" in _error(wrong_type, 400)["error"]["message"]
    bad_timeout = api.call(
        "POST", "stacks", json={"stack_name": "x", "template": TEMPLATE, "timeout_mins": "soon"}
    )
    assert "timeout_mins" in _error(bad_timeout, 400)["error"]["message"]
    bad_name = api.call("POST", "stacks", json={"stack_name": "1bad name", "template": TEMPLATE})
    assert "Invalid stack name" in _error(bad_name, 400)["error"]["message"]


def test_template_errors_are_400_with_the_template_path(api: Api) -> None:
    template = dict(
        TEMPLATE, resources={"word": {"type": "OS::Heat::RandomString", "properties": {"length": "x"}}}
    )
    body = _error(api.call("POST", "stacks", json={"stack_name": "bad", "template": template}), 400)
    assert "resources.word.properties.length" in body["error"]["message"]
    assert body["title"] == "Bad Request"
    unknown = dict(TEMPLATE, resources={"word": {"type": "No::Such::Type"}})
    body = _error(api.call("POST", "stacks", json={"stack_name": "bad", "template": unknown}), 404)
    assert "resources.word.type" in body["error"]["message"]
    syntax = api.call("POST", "stacks", json={"stack_name": "bad", "template": "heat_template_version: [\n"})
    assert _error(syntax, 400)["error"]["type"] == "InvalidTemplateSyntax"


def test_oversized_body_is_413(api_factory: ApiFactory) -> None:
    small = api_factory(max_json_body_size=2048)
    padding = "x" * 4096
    response = small.call("POST", "stacks", json={"stack_name": "big", "template": TEMPLATE, "pad": padding})
    assert _error(response, 413)["title"] == "Request Entity Too Large"


def test_default_body_limit_is_one_mebibyte(api: Api) -> None:
    data = json.dumps({"stack_name": "big", "template": TEMPLATE, "pad": "x" * (1024 * 1024)})
    _error(api.call("POST", "stacks", data=data, content_type="application/json"), 413)


def test_template_over_max_template_size_is_refused(api_factory: ApiFactory) -> None:
    small = api_factory(max_template_size=100)
    response = small.call("POST", "stacks", json={"stack_name": "big", "template": TEMPLATE})
    assert "exceeds maximum allowed size" in _error(response, 413)["error"]["message"]


def test_stack_and_resource_limits(api_factory: ApiFactory) -> None:
    limited = api_factory(max_stacks_per_tenant=1, max_resources_per_stack=0)
    response = limited.call("POST", "stacks", json={"stack_name": "one", "template": TEMPLATE})
    assert "maximum resources per stack" in _error(response, 400)["error"]["message"]
    limited = api_factory(max_stacks_per_tenant=1)
    limited.create("one")
    response = limited.call("POST", "stacks", json={"stack_name": "two", "template": TEMPLATE})
    assert "maximum stacks per tenant" in _error(response, 400)["error"]["message"]


def test_duplicate_name_is_409(api: Api) -> None:
    api.create("twice")
    response = api.call("POST", "stacks", json={"stack_name": "twice", "template": TEMPLATE})
    assert _error(response, 409)["error"]["type"] == "StackExists"


def test_unknown_stack_is_404(api: Api) -> None:
    body = _error(api.call("GET", "stacks/nothing/00000000-0000-0000-0000-000000000000"), 404)
    assert body["error"]["type"] == "StackNotFound"
    _error(api.call("GET", "stacks/nothing"), 404)
    _error(api.call("DELETE", "stacks/nothing/00000000-0000-0000-0000-000000000000"), 404)


def test_another_projects_stack_is_404_and_another_projects_url_403(api: Api) -> None:
    stack_id = api.create("private")
    other = api.call("GET", f"/v1/{OTHER_PROJECT}/stacks/private/{stack_id}", project=OTHER_PROJECT)
    _error(other, 404)
    _error(api.call("GET", "stacks/private", project=OTHER_PROJECT), 404)
    _error(api.call("DELETE", f"/v1/{OTHER_PROJECT}/stacks/private/{stack_id}", project=OTHER_PROJECT), 404)
    crossed = api.client.get(
        f"/v1/{PROJECT}/stacks", headers={"X-Project-Id": OTHER_PROJECT, "X-Roles": "member"}
    )
    _error(crossed, 403)


def test_update_preview_and_actions(api: Api) -> None:
    stack_id = api.create("later")
    api.wait("later", stack_id)
    base = f"stacks/later/{stack_id}"
    preview = api.call("PATCH", base + "/preview", json={"parameters": {"length": 3}})
    assert preview.status_code == 200, preview.json
    changes = preview.json["resource_changes"]
    assert [item["resource_name"] for item in changes["replaced"]] == ["word"]
    assert changes["added"] == changes["deleted"] == changes["updated"] == changes["unchanged"] == []
    assert api.call("PATCH", base, json={"parameters": {"length": 3}}).status_code == 202
    body = api.wait("later", stack_id)
    assert body["stack_status"] == "UPDATE_COMPLETE", body["stack_status_reason"]
    assert len(body["outputs"][0]["output_value"]) == 3
    assert api.call("PUT", base, json={"template": TEMPLATE}).status_code == 202
    assert api.wait("later", stack_id)["stack_status"] == "UPDATE_COMPLETE"
    assert api.call("POST", base + "/actions", json={"suspend": None}).status_code == 202
    assert api.wait("later", stack_id)["stack_status"] == "SUSPEND_COMPLETE"
    cancel = api.call("POST", base + "/actions", json={"cancel_update": None})
    assert cancel.status_code == 409, cancel.json


def test_actions_body_is_checked(api: Api) -> None:
    stack_id = api.create("acting")
    path = f"stacks/acting/{stack_id}/actions"
    assert "Invalid action" in _error(api.call("POST", path, json={"dance": None}), 400)["error"]["message"]
    assert (
        "Multiple"
        in _error(api.call("POST", path, json={"suspend": None, "resume": None}), 400)["error"]["message"]
    )


def test_snapshots_list_is_empty_and_unknown_snapshot_is_404(api: Api) -> None:
    stack_id = api.create("snappy")
    assert api.call("GET", f"stacks/snappy/{stack_id}/snapshots").json == {"snapshots": []}
    _error(api.call("GET", f"stacks/snappy/{stack_id}/snapshots/none"), 404)


def test_debug_shows_the_traceback(api_factory: ApiFactory) -> None:
    debugging = api_factory(debug=True)
    response = debugging.call("GET", "stacks/nothing/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "Traceback" in response.json["error"]["traceback"]


def test_version_document(api: Api) -> None:
    response = api.client.get("/")
    assert response.status_code == 300
    (version,) = response.json["versions"]
    assert version["id"] == "v1.0" and version["status"] == "CURRENT"
    assert version["links"][0]["href"] == "http://localhost/v1/"


def test_unknown_route_and_method_use_the_error_body(api: Api) -> None:
    _error(api.call("GET", "nothing-here"), 404)
    assert _error(api.call("DELETE", "stacks"), 405)["title"] == "Method Not Allowed"


def test_preview_shows_the_resources_without_creating(api: Api) -> None:
    template = dict(
        TEMPLATE,
        resources={
            "word": TEMPLATE["resources"]["word"],
            "other": {"type": "OS::Heat::RandomString", "depends_on": ["word"]},
        },
    )
    body = {"stack_name": "seen", "template": template, "parameters": {"length": 3}}
    response = api.call("POST", "stacks/preview", json=body)
    assert response.status_code == 200, response.json
    stack = response.json["stack"]
    assert stack["stack_name"] == "seen" and stack["id"] == "None"
    assert stack["parameters"]["length"] == "3"
    by_name = {resource["resource_name"]: resource for resource in stack["resources"]}
    assert by_name["word"]["properties"] == {"length": 3}
    assert by_name["word"]["required_by"] == ["other"]
    assert by_name["word"]["resource_action"] == "INIT"
    assert api.call("GET", "stacks").json["stacks"] == []
    word = {"type": "OS::Heat::RandomString", "properties": {"length": "x"}}
    bad = dict(TEMPLATE, resources={"word": word})
    response = api.call("POST", "stacks/preview", json={"stack_name": "seen", "template": bad})
    assert "resources.word.properties.length" in _error(response, 400)["error"]["message"]
