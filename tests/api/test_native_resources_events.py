"""Resource and event routes of the v1 API."""

from __future__ import annotations

from api_harness import TEMPLATE, Api


def _ready(api: Api, name: str = "stack") -> str:
    template = dict(
        TEMPLATE,
        resources={
            "word": TEMPLATE["resources"]["word"],
            "other": {"type": "OS::Heat::RandomString", "depends_on": ["word"]},
        },
    )
    stack_id = api.create(name, template)
    assert api.wait(name, stack_id)["stack_status"] == "CREATE_COMPLETE"
    return stack_id


def test_resources_list_with_links_and_required_by(api: Api) -> None:
    stack_id = _ready(api)
    resources = api.call("GET", f"stacks/stack/{stack_id}/resources").json["resources"]
    by_name = {resource["resource_name"]: resource for resource in resources}
    assert set(by_name) == {"word", "other"}
    word = by_name["word"]
    assert word["resource_status"] == "CREATE_COMPLETE"
    assert word["resource_type"] == "OS::Heat::RandomString"
    assert word["required_by"] == ["other"]
    assert word["physical_resource_id"]
    relations = {link["rel"]: link["href"] for link in word["links"]}
    assert relations["self"].endswith(f"/stacks/stack/{stack_id}/resources/word")
    assert relations["stack"].endswith(f"/stacks/stack/{stack_id}")


def test_resources_filters_and_detail(api: Api) -> None:
    stack_id = _ready(api)
    path = f"stacks/stack/{stack_id}/resources"
    named = api.call("GET", f"{path}?name=other").json["resources"]
    assert [resource["resource_name"] for resource in named] == ["other"]
    assert api.call("GET", f"{path}?status=FAILED").json["resources"] == []
    assert len(api.call("GET", f"{path}?status=COMPLETE&type=OS::Heat::RandomString").json["resources"]) == 2
    detailed = api.call("GET", f"{path}?with_detail=true&nested_depth=2").json["resources"]
    assert all("attributes" in resource for resource in detailed)
    assert api.call("GET", f"{path}?nested_depth=deep").status_code == 400


def test_resource_show_has_attributes_and_metadata(api: Api) -> None:
    stack_id = _ready(api)
    resource = api.call("GET", f"stacks/stack/{stack_id}/resources/word").json["resource"]
    assert resource["resource_name"] == "word"
    assert len(resource["attributes"]["value"]) == 6
    assert resource["metadata"] == {}
    assert resource["links"][0]["rel"] == "self"
    metadata = api.call("GET", f"stacks/stack/{stack_id}/resources/word/metadata")
    assert metadata.json == {"metadata": {}}
    missing = api.call("GET", f"stacks/stack/{stack_id}/resources/nothing")
    assert missing.status_code == 404


def test_stack_events_with_links_filters_sort_and_paging(api: Api) -> None:
    stack_id = _ready(api)
    path = f"stacks/stack/{stack_id}/events"
    events = api.call("GET", path).json["events"]
    statuses = [(event["resource_name"], event["resource_status"]) for event in events]
    assert ("word", "CREATE_IN_PROGRESS") in statuses and ("word", "CREATE_COMPLETE") in statuses
    assert statuses.index(("word", "CREATE_COMPLETE")) < statuses.index(("other", "CREATE_IN_PROGRESS"))
    word_event = next(event for event in events if event["resource_name"] == "word")
    relations = {link["rel"]: link["href"] for link in word_event["links"]}
    assert relations["self"].endswith(f"/resources/word/events/{word_event['id']}")
    assert relations["resource"].endswith(f"/stacks/stack/{stack_id}/resources/word")
    assert relations["stack"].endswith(f"/stacks/stack/{stack_id}")
    newest_first = api.call("GET", f"{path}?sort_dir=desc").json["events"]
    assert [event["id"] for event in newest_first] == [event["id"] for event in reversed(events)]
    page = api.call("GET", f"{path}?limit=2&marker={events[0]['id']}").json["events"]
    assert [event["id"] for event in page] == [event["id"] for event in events[1:3]]
    completed = api.call("GET", f"{path}?resource_status=COMPLETE&resource_name=word").json["events"]
    assert [event["resource_status"] for event in completed] == ["CREATE_COMPLETE"]
    assert api.call("GET", f"{path}?sort_dir=up").status_code == 400


def test_resource_events_and_one_event(api: Api) -> None:
    stack_id = _ready(api)
    path = f"stacks/stack/{stack_id}/resources/word/events"
    events = api.call("GET", path).json["events"]
    assert {event["resource_name"] for event in events} == {"word"}
    shown = api.call("GET", f"{path}/{events[-1]['id']}").json["event"]
    assert shown["id"] == events[-1]["id"]
    assert "resource_properties" in shown
    assert api.call("GET", f"{path}/not-an-event").status_code == 404
    assert api.call("GET", f"stacks/stack/{stack_id}/resources/nothing/events").status_code == 404


def test_mark_unhealthy_body_is_checked(api: Api) -> None:
    stack_id = _ready(api)
    response = api.call("PATCH", f"stacks/stack/{stack_id}/resources/word", json={"mark_unhealthy": "yes"})
    assert response.status_code == 400
    assert "mark_unhealthy" in response.json["error"]["message"]
