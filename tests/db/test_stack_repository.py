"""Stacks and raw templates in the repository, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from calor.db.errors import StackExists
from calor.db.records import JobStatus
from calor.db.repository import Repository
from calor.errors import Conflict, NotFound, StackNotFound

TEMPLATE = {"heat_template_version": "2018-08-31", "resources": {}}


def make_stack(repository: Repository, name: str, project_id: str = "project", **options: object) -> str:
    stack = repository.create_stack(name=name, project_id=project_id, template=TEMPLATE, **options)  # type: ignore[arg-type]
    return stack.id


def test_create_stack_with_job_writes_stack_template_and_job(repository: Repository) -> None:
    stack, job = repository.create_stack_with_job(
        name="web",
        project_id="project",
        template=TEMPLATE,
        files={"a.yaml": "x"},
        environment={"parameters": {"size": 1}},
        parameters={"size": 1},
        payload={"user": "demo"},
        tags=["b", "a", "b"],
        timeout_minutes=10,
        disable_rollback=False,
    )
    assert stack.stack_status == "CREATE_IN_PROGRESS"
    assert stack.tags == ("b", "a", "b")
    assert stack.version == 0
    assert stack.updated_at is None
    assert stack.created_at.tzinfo is not None
    assert job.stack_id == stack.id and job.operation == "create" and job.status == JobStatus.QUEUED
    assert job.payload == {"user": "demo"}
    raw = repository.get_raw_template(stack.raw_template_id or 0)
    assert raw is not None
    assert raw.template == TEMPLATE and raw.files == {"a.yaml": "x"}
    assert raw.environment == {"parameters": {"size": 1}}
    assert repository.get_stack(stack.id) == stack
    assert [queued.id for queued in repository.queue.list_jobs(stack_id=stack.id)] == [job.id]


def test_duplicate_name_is_refused_and_nothing_is_written(repository: Repository) -> None:
    repository.create_stack_with_job(name="web", project_id="project", template=TEMPLATE)
    with pytest.raises(StackExists) as raised:
        repository.create_stack_with_job(name="web", project_id="project", template=TEMPLATE)
    assert raised.value.http_status == 409
    assert len(repository.queue.list_jobs()) == 1
    # Another project may use the name.
    repository.create_stack(name="web", project_id="other", template=TEMPLATE)


def test_soft_delete_frees_the_name(repository: Repository) -> None:
    first = make_stack(repository, "web")
    assert repository.soft_delete_stack(first)
    assert not repository.soft_delete_stack(first)
    assert repository.get_stack(first) is None
    deleted = repository.get_stack(first, show_deleted=True)
    assert deleted is not None and deleted.deleted_at is not None
    second = make_stack(repository, "web")
    found = repository.find_stack("web", "project")
    assert found is not None and found.id == second


def test_get_and_find_respect_the_project(repository: Repository) -> None:
    stack_id = make_stack(repository, "web")
    assert repository.get_stack(stack_id, "project") is not None
    assert repository.get_stack(stack_id, "other") is None
    by_name = repository.find_stack("web", "project")
    by_id = repository.find_stack(stack_id, "project")
    assert by_name is not None and by_id is not None and by_name.id == by_id.id == stack_id
    assert repository.find_stack("web", "other") is None
    assert repository.find_stack("missing", "project") is None
    assert repository.find_stack("web", None) is not None


def test_update_stack_status_is_guarded(repository: Repository) -> None:
    stack_id = make_stack(repository, "web")
    assert not repository.update_stack_status(
        stack_id, "CREATE", "COMPLETE", "done", expected_action="DELETE", expected_status="IN_PROGRESS"
    )
    assert repository.update_stack_status(
        stack_id,
        "CREATE",
        "COMPLETE",
        "Stack CREATE completed successfully",
        expected_action="CREATE",
        expected_status="IN_PROGRESS",
    )
    # A second engine trying the same move loses.
    assert not repository.update_stack_status(
        stack_id, "CREATE", "FAILED", "late", expected_action="CREATE", expected_status="IN_PROGRESS"
    )
    stack = repository.get_stack(stack_id)
    assert stack is not None
    assert stack.stack_status == "CREATE_COMPLETE"
    assert stack.status_reason == "Stack CREATE completed successfully"
    assert stack.version == 1
    assert not repository.update_stack_status(stack_id, "UPDATE", "IN_PROGRESS", expected_version=0)
    assert repository.update_stack_status(stack_id, "UPDATE", "IN_PROGRESS", expected_version=1)


def test_update_stack_fields_and_outputs(repository: Repository) -> None:
    stack_id = make_stack(repository, "web", tags=["a"])
    outputs = [{"output_key": "ip", "output_value": "10.0.0.1", "description": "No description given"}]
    assert repository.update_stack(stack_id, outputs=outputs, tags=["c", "d"], timeout_minutes=5)
    stack = repository.get_stack(stack_id)
    assert stack is not None
    assert stack.outputs == outputs and stack.tags == ("c", "d") and stack.timeout_minutes == 5
    assert [found.id for found in repository.list_stacks("project", tags=["d"])] == [stack_id]
    assert repository.list_stacks("project", tags=["a"]) == []
    with pytest.raises(ValueError, match="name"):
        repository.update_stack(stack_id, name="renamed")


def test_start_stack_operation_swaps_templates_and_queues_a_job(repository: Repository) -> None:
    stack_id = make_stack(repository, "web", status="COMPLETE")
    before = repository.get_stack(stack_id)
    assert before is not None
    new_template = {"heat_template_version": "2018-08-31", "resources": {"a": {"type": "OS::Heat::None"}}}
    stack, job = repository.start_stack_operation(
        stack_id,
        action="UPDATE",
        operation="update",
        payload={"existing": False},
        template=new_template,
        parameters={"size": 2},
    )
    assert stack.stack_status == "UPDATE_IN_PROGRESS"
    assert stack.status_reason == "Stack UPDATE started"
    assert stack.previous_raw_template_id == before.raw_template_id
    assert stack.raw_template_id != before.raw_template_id
    assert stack.parameters == {"size": 2}
    assert stack.updated_at is not None
    assert stack.version == before.version + 1
    raw = repository.get_raw_template(stack.raw_template_id or 0)
    assert raw is not None and raw.template == new_template
    assert job.operation == "update" and job.payload == {"existing": False}

    with pytest.raises(Conflict):
        repository.start_stack_operation(stack_id, action="UPDATE", operation="update")
    _, delete_job = repository.start_stack_operation(
        stack_id, action="DELETE", operation="delete", allow_in_progress=True, cancel_running=True
    )
    jobs = {queued.id: queued for queued in repository.queue.list_jobs(stack_id=stack_id)}
    assert jobs[job.id].cancel_requested
    assert not jobs[delete_job.id].cancel_requested


def test_start_stack_operation_checks_existence_project_and_version(repository: Repository) -> None:
    stack_id = make_stack(repository, "web", status="COMPLETE")
    with pytest.raises(StackNotFound):
        repository.start_stack_operation("missing", action="DELETE", operation="delete")
    with pytest.raises(StackNotFound):
        repository.start_stack_operation(stack_id, action="DELETE", operation="delete", project_id="other")
    with pytest.raises(Conflict):
        repository.start_stack_operation(stack_id, action="DELETE", operation="delete", expected_version=7)
    assert repository.queue.list_jobs() == []


def test_list_stacks_filters_nested_and_deleted(repository: Repository) -> None:
    parent = make_stack(repository, "parent", status="COMPLETE")
    child = make_stack(repository, "parent-child", parent_id=parent, nested_depth=1)
    gone = make_stack(repository, "gone")
    repository.soft_delete_stack(gone)
    make_stack(repository, "elsewhere", project_id="other")

    assert [stack.id for stack in repository.list_stacks("project")] == [parent]
    assert {stack.id for stack in repository.list_stacks("project", show_nested=True)} == {parent, child}
    assert {stack.id for stack in repository.list_stacks("project", show_deleted=True)} == {parent, gone}
    assert len(repository.list_stacks(None)) == 2
    assert [stack.id for stack in repository.list_stacks("project", filters={"status": "COMPLETE"})] == [
        parent
    ]
    assert repository.list_stacks("project", filters={"stack_name": ["parent", "x"]})[0].id == parent
    assert repository.list_stacks("project", filters={"status": "FAILED"}) == []
    assert repository.count_stacks("project", show_nested=True) == 2
    assert [stack.id for stack in repository.get_child_stacks(parent)] == [child]
    with pytest.raises(ValueError):
        repository.list_stacks("project", filters={"password": "x"})


def test_list_stacks_sorts_and_pages_with_a_marker(repository: Repository) -> None:
    ids = {name: make_stack(repository, name) for name in ["c", "a", "d", "b", "e"]}
    by_name = [stack.name for stack in repository.list_stacks("project", sort_keys=["name"], sort_dir="asc")]
    assert by_name == ["a", "b", "c", "d", "e"]
    newest_first = [stack.name for stack in repository.list_stacks("project")]
    assert newest_first == ["e", "b", "d", "a", "c"]

    pages: list[str] = []
    marker = None
    while True:
        page = repository.list_stacks(
            "project", sort_keys=["stack_name"], sort_dir="desc", limit=2, marker=marker
        )
        if not page:
            break
        pages.extend(stack.name for stack in page)
        marker = page[-1].id
    assert pages == ["e", "d", "c", "b", "a"]

    repository.update_stack(ids["a"], updated_at=datetime.datetime.now(datetime.UTC))
    by_update = [stack.name for stack in repository.list_stacks("project", sort_keys=["updated_time"])]
    assert by_update[0] == "a"
    with pytest.raises(NotFound):
        repository.list_stacks("project", marker="no-such-stack")
    with pytest.raises(ValueError):
        repository.list_stacks("project", sort_keys=["password"])


def test_tag_filters(repository: Repository) -> None:
    both = make_stack(repository, "both", tags=["x", "y"])
    only_x = make_stack(repository, "only-x", tags=["x"])
    none = make_stack(repository, "none")

    def names(**tags: list[str]) -> set[str]:
        return {stack.id for stack in repository.list_stacks("project", **tags)}  # type: ignore[arg-type]

    assert names(tags=["x", "y"]) == {both}
    assert names(tags_any=["y", "z"]) == {both}
    assert names(tags_any=["x"]) == {both, only_x}
    assert names(not_tags=["x", "y"]) == {only_x, none}
    assert names(not_tags_any=["y"]) == {only_x, none}


def test_raw_template_delete(repository: Repository) -> None:
    template_id = repository.store_raw_template(TEMPLATE, {"f": "g"}, {})
    record = repository.get_raw_template(template_id)
    assert record is not None and record.files == {"f": "g"}
    assert repository.delete_raw_template(template_id)
    assert repository.get_raw_template(template_id) is None
