"""The wait condition plugins on in-memory contexts and a fake wiring."""

from __future__ import annotations

import datetime
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from calor.errors import PropertyError, ResourceFailure
from calor.plugins.context import MemoryPluginContext
from calor.plugins.signals import wiring
from calor.plugins.signals.arn import StackArn
from calor.plugins.signals.conditions import (
    CfnWaitCondition,
    HeatWaitCondition,
    WaitConditionFailure,
    WaitConditionTimeout,
    handle_name_of,
)
from calor.plugins.signals.handles import CfnWaitConditionHandle, HeatWaitConditionHandle
from calor.plugins.signals.presign import presigned_url
from calor.plugins.signals.signals import InvalidSignal, parse_cfn_signal, parse_heat_signal
from calor.sandbox.identity.ec2 import Ec2Request, verify_signature


class FakeCredentials:
    def __init__(self) -> None:
        self.deleted: list[str] = []
        self.count = 0

    def create(self, project_id: str, stack_id: str, resource_name: str) -> wiring.StackCredential:
        self.count += 1
        return wiring.StackCredential(
            f"user{self.count}",
            f"{resource_name}-{stack_id}",
            "stack-project",
            f"access{self.count}",
            "secret",
            "pw",
        )

    def delete(self, user_id: str) -> None:
        self.deleted.append(user_id)

    def token(self, credential: wiring.StackCredential) -> str:
        return "token-value"

    def delete_project(self, project_id: str) -> None:
        self.deleted.append(project_id)


class Contexts:
    """Resource contexts of one stack; the reader sees every resource's data."""

    def __init__(self) -> None:
        self.by_name: dict[str, MemoryPluginContext] = {}

    def get(self, name: str) -> MemoryPluginContext:
        if name not in self.by_name:
            self.by_name[name] = MemoryPluginContext(
                name, stack_name="stack", stack_id="stack-id", project_id="project"
            )
        return self.by_name[name]

    def read(self, stack_id: str, resource_name: str) -> Mapping[str, str]:
        return self.get(resource_name).data()


@pytest.fixture
def contexts() -> Iterator[Contexts]:
    found = Contexts()
    credentials = FakeCredentials()
    wiring.configure(
        wiring.SignalWiring("http://cfn.example:8000", credentials, found.read, "http://heat:8004")
    )
    yield found
    wiring.configure(None)


def make_cfn_handle(contexts: Contexts) -> CfnWaitConditionHandle:
    handle = CfnWaitConditionHandle("handle", {}, contexts.get("handle"))
    handle.handle_create()
    return handle


def test_cfn_handle_reference_is_a_presigned_url(contexts: Contexts) -> None:
    handle = make_cfn_handle(contexts)
    url = handle.reference_id()
    split = urllib.parse.urlsplit(url)
    assert split.netloc == "cfn.example:8000"
    path = urllib.parse.unquote(split.path)
    assert path == "/v1/waitcondition/arn:openstack:heat::project:stacks/stack/stack-id/resources/handle"
    params = dict(urllib.parse.parse_qsl(split.query))
    request = Ec2Request("access1", "", split.netloc, "PUT", path, params, {}, None)
    verify_signature(request, "secret")
    assert handle.resource_id == str(StackArn("project", "stack", "stack-id", "handle"))
    assert handle_name_of(url) == "handle"
    assert contexts.get("handle").redacted_keys == {"secret_key", "password"}


def test_presigned_url_signs_the_method() -> None:
    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    put = presigned_url("http://h:1", "/v1/x", access="a", secret="s", method="PUT", now=moment)
    post = presigned_url("http://h:1", "/v1/x", access="a", secret="s", method="POST", now=moment)
    assert put.split("&Signature=")[0] == post.split("&Signature=")[0]
    assert "Timestamp=2026-01-01T00%3A00%3A00Z" in put
    assert put.split("&Signature=")[1] != post.split("&Signature=")[1]


def wait_condition(contexts: Contexts, handle: CfnWaitConditionHandle, **properties: Any) -> CfnWaitCondition:
    values = {"Handle": handle.reference_id(), "Timeout": 100, "Count": 1, **properties}
    return CfnWaitCondition("wait", values, contexts.get("wait"))


def test_wait_condition_completes_after_count_successes(contexts: Contexts) -> None:
    handle = make_cfn_handle(contexts)
    wait = wait_condition(contexts, handle, Count=2)
    wait.validate()
    token = wait.handle_create()
    assert token["handle"] == "handle"
    assert wait.check_create_complete(token) is False
    handle.handle_signal({"Status": "SUCCESS", "Reason": "r", "UniqueId": "a", "Data": "one"})
    handle.handle_signal({"Status": "SUCCESS", "Reason": "r", "UniqueId": "a", "Data": "again"})
    assert wait.check_create_complete(token) is False  # the same id replaces the first signal
    handle.handle_signal(json.dumps({"Status": "SUCCESS", "Reason": "r", "UniqueId": "b", "Data": "two"}))
    assert wait.check_create_complete(token) is True
    assert json.loads(wait.get_attribute("Data")) == {"a": "again", "b": "two"}


def test_failure_signal_fails_with_its_reason(contexts: Contexts) -> None:
    handle = make_cfn_handle(contexts)
    wait = wait_condition(contexts, handle)
    token = wait.handle_create()
    handle.handle_signal({"Status": "FAILURE", "Reason": "disk full", "UniqueId": "1", "Data": ""})
    with pytest.raises(WaitConditionFailure, match=r"resources\.wait: disk full"):
        wait.check_create_complete(token)


def test_timeout_names_how_many_arrived(contexts: Contexts) -> None:
    handle = make_cfn_handle(contexts)
    wait = wait_condition(contexts, handle, Count=3)
    token = wait.handle_create()
    handle.handle_signal({"Status": "SUCCESS", "Reason": "r", "UniqueId": "1", "Data": ""})
    token["deadline"] = wait.now() - 1
    with pytest.raises(WaitConditionTimeout, match=r"resources\.wait: 1 of 3 received"):
        wait.check_create_complete(token)


def test_handle_delete_removes_its_user(contexts: Contexts) -> None:
    handle = make_cfn_handle(contexts)
    assert contexts.get("handle").data()["project_id"] == "stack-project"
    handle.handle_delete()
    credentials = wiring.current().credentials
    assert isinstance(credentials, FakeCredentials)
    assert credentials.deleted == ["user1"]


def test_wait_condition_refuses_a_handle_of_another_stack(contexts: Contexts) -> None:
    other = str(StackArn("project", "other", "other-id", "handle"))
    wait = HeatWaitCondition("wait", {"handle": other, "timeout": 10, "count": 1}, contexts.get("wait"))
    with pytest.raises(PropertyError, match="another stack"):
        wait.validate()
    with pytest.raises(PropertyError):
        HeatWaitCondition(
            "wait", {"handle": "nonsense", "timeout": 10, "count": 1}, contexts.get("w")
        ).handle_create()


def test_heat_handle_token_signal(contexts: Contexts) -> None:
    handle = HeatWaitConditionHandle("handle", {"signal_transport": "TOKEN_SIGNAL"}, contexts.get("handle"))
    handle.validate()
    handle.handle_create()
    assert handle.get_attribute("token") == "token-value"
    endpoint = handle.get_attribute("endpoint")
    # In the stack user's project, as Heat writes it: the token is scoped to that project.
    assert endpoint == "http://heat:8004/v1/stack-project/stacks/stack/stack-id/resources/handle/signal"
    assert "X-Auth-Token: token-value" in handle.get_attribute("curl_cli")
    handle.handle_signal(None)
    handle.handle_signal({"status": "SUCCESS", "data": {"x": 1}})
    wait = HeatWaitCondition(
        "wait", {"handle": handle.reference_id(), "timeout": 10, "count": 2}, contexts.get("wait")
    )
    token = wait.handle_create()
    assert wait.check_create_complete(token) is True
    assert json.loads(wait.get_attribute("data")) == {"1": None, "2": {"x": 1}}


def test_heat_handle_refuses_unsupported_transports(contexts: Contexts) -> None:
    handle = HeatWaitConditionHandle("handle", {"signal_transport": "ZAQAR_SIGNAL"}, contexts.get("handle"))
    with pytest.raises(PropertyError, match="not supported yet"):
        handle.validate()


def test_signal_parsing() -> None:
    with pytest.raises(InvalidSignal, match="missing"):
        parse_cfn_signal({"Status": "SUCCESS"})
    with pytest.raises(InvalidSignal, match="SUCCESS or FAILURE"):
        parse_cfn_signal({"Status": "DONE", "Reason": "", "UniqueId": "1", "Data": ""})
    with pytest.raises(InvalidSignal):
        parse_heat_signal("not json", 0)
    signal = parse_heat_signal({"status": "FAILURE"}, 4)
    assert (signal.unique_id, signal.reason) == ("5", "Signal 5 received")


def test_without_wiring_a_handle_fails_clearly() -> None:
    wiring.configure(None)
    handle = CfnWaitConditionHandle("handle", {}, MemoryPluginContext("handle"))
    with pytest.raises(ResourceFailure, match="heat-api-cfn"):
        handle.handle_create()
