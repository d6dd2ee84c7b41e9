"""The Flask application factory of the CloudFormation Query API (``heat-api-cfn``).

Routes: the Query API (``Action=...`` by GET or form POST) on ``/`` and ``/v1``;
signals to wait condition handles on ``/v1/waitcondition/{resource arn}`` (``PUT``,
what cfn-signal sends to a handle's pre-signed URL) and ``/v1/signal/{resource arn}``
(``POST``). Every request is signed with an EC2 key pair (AWS signature v4 or v2);
the key pair's project scopes it, and each action is authorized by its
``cloudformation:<Action>`` policy rule (Heat's names and defaults).
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from calor.api import policy
from calor.api.cfn import xml
from calor.api.cfn.actions import ACTIONS
from calor.api.cfn.call import Call
from calor.api.cfn.errors import (
    AccessDenied,
    CfnError,
    InvalidAction,
    MissingAction,
    ValidationError,
    aws_error_for,
)
from calor.api.cfn.signalling import deliver_signal, read_resource_data
from calor.api.cfn.signatures import (
    KeystoneVerifier,
    LocalVerifier,
    Principal,
    ReceivedRequest,
    Verifier,
    ec2_request_from,
)
from calor.api.cfn.state import DEFAULT_PAGE_SIZE, CfnState
from calor.api.fetching import Fetcher
from calor.config import ApiConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.errors import UserError
from calor.plugins.registry import PluginRegistry, default_registry
from calor.plugins.signals import wiring
from calor.plugins.signals.arn import StackArn
from calor.stack_domain import MissingStackDomain

LOG = logging.getLogger(__name__)
STATE_EXTENSION = "calor.api.cfn"
API_VERSION = "2010-05-15"
ADMIN_ROLE = "admin"


def create_app(
    config: ApiConfig,
    service: OrchestrationService,
    *,
    registry: PluginRegistry | None = None,
    identity_url: str | None = None,
    identity_state_dir: Path | None = None,
    identity_backend: Any = None,
    public_url: str | None = None,
    heat_url: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    configure_signals: bool = True,
    stack_credentials: wiring.StackCredentials | None = None,
) -> Flask:
    """heat-api-cfn on ``service``.

    Signatures are checked in-process against the embedded identity backend when one is
    given (``identity_backend``, or opened on ``identity_state_dir``: standalone mode),
    else through ``POST {identity_url}/v3/ec2tokens`` (Keystone mode); with
    ``config.auth_strategy == "noauth"`` and neither, X-Project-Id is trusted (tests).
    ``public_url`` is this API's own base URL (``http://127.0.0.1:8000``), put in wait
    condition handles' signal URLs (the first request's host URL when not given).
    ``configure_signals`` sets the process's
    :func:`calor.plugins.signals.wiring.configure` for the engines running in it, with
    ``stack_credentials`` (:func:`calor.stack_domain.stack_credentials`) making the stack
    domain users of handles; without them, resources that need one fail saying so.
    """
    backend = identity_backend
    if backend is None and identity_state_dir is not None:
        from calor.sandbox.identity import IdentityBackend

        backend = IdentityBackend.open(identity_state_dir)
    verifier: Verifier | None
    if backend is not None:
        verifier = LocalVerifier(backend)
    elif identity_url is not None:
        verifier = KeystoneVerifier(identity_url)
    elif config.auth_strategy == "noauth":
        verifier = None
    else:
        raise ValueError("heat-api-cfn needs an identity backend, an identity URL or auth_strategy=noauth")
    state = CfnState(
        config=config,
        service=service,
        registry=registry or default_registry(),
        verifier=verifier,
        fetcher=Fetcher(
            max_size=config.max_template_size,
            timeout=config.template_fetch_timeout,
            allowed_hosts=config.template_fetch_allowed_hosts,
        ),
        page_size=page_size,
        enforcer=policy.make_enforcer(config.policy_file),
    )
    app = Flask("calor.api.cfn")
    app.url_map.strict_slashes = False
    # A form-encoded template grows up to three times; parameters and the rest come on top.
    app.config["MAX_CONTENT_LENGTH"] = 3 * config.max_template_size + config.max_json_body_size
    app.extensions[STATE_EXTENSION] = state
    credentials = stack_credentials if stack_credentials is not None else MissingStackDomain()
    identity_v3 = None if identity_url is None else identity_url.rstrip("/") + "/v3"

    def wire(url: str) -> None:
        wiring.configure(
            wiring.SignalWiring(
                cfn_url=url.rstrip("/"),
                credentials=credentials,
                reader=read_resource_data(service.repository),
                heat_url=heat_url,
                identity_url=identity_v3,
            )
        )

    if configure_signals and public_url is not None:
        wire(public_url)
    wired = {"done": public_url is not None or not configure_signals}

    @app.before_request
    def wire_on_first_request() -> None:
        if not wired["done"]:
            wired["done"] = True
            wire(request.host_url)

    app.add_url_rule("/", "query", query, methods=["GET", "POST"])
    app.add_url_rule("/v1", "query_v1", query, methods=["GET", "POST"])
    app.add_url_rule("/v1/waitcondition/<path:arn>", "waitcondition", signal, methods=["PUT", "POST"])
    app.add_url_rule("/v1/signal/<path:arn>", "signal", signal, methods=["POST"])

    @app.errorhandler(Exception)
    def failed(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            status = error.code or 500
            found: CfnError = CfnError(error.description or error.name)
            found.code = error.name.replace(" ", "")
            found.http_status = status
            found.sender = status < 500
        else:
            found = aws_error_for(error, debug=config.debug)
            if found.http_status >= 500:
                LOG.exception("heat-api-cfn failed on %s %s", request.method, request.path)
        return error_response(found)

    return app


def cfn_state() -> CfnState:
    state = current_app.extensions[STATE_EXTENSION]
    assert isinstance(state, CfnState)
    return state


def _request_id() -> str:
    return str(uuid.uuid4())


def _wants_json() -> bool:
    return (request.values.get("ContentType") or "").upper() == "JSON"


def reply(body: dict[str, Any], status: int = 200) -> Response:
    data, content_type = xml.render(body, as_json=_wants_json())
    response = Response(data, status=status, content_type=content_type)
    return response


def error_response(error: CfnError) -> Response:
    request_id = _request_id()
    body = xml.error_body(error.code, error.message, sender=error.sender, request_id=request_id)
    response = reply(body, error.http_status)
    response.headers["x-amzn-RequestId"] = request_id
    return response


def _params() -> dict[str, str]:
    params = {key: value for key, value in request.args.items()}
    params.update({key: value for key, value in request.form.items()})
    return params


def authenticate(
    params: dict[str, str], *, check_time: bool, mutating: bool
) -> tuple[RequestContext, Principal | None]:
    """The caller of this request, from its signature (or trusted headers without a verifier)."""
    state = cfn_state()
    if state.verifier is None:
        project = request.headers.get("X-Project-Id")
        if not project:
            raise AccessDenied("Without authentication, X-Project-Id must name the project.")
        roles = tuple(role.strip() for role in request.headers.get("X-Roles", "").split(",") if role.strip())
        return RequestContext(project, request.headers.get("X-User-Id"), roles, ADMIN_ROLE in roles), None
    body = request.get_data(cache=True)
    received = ReceivedRequest(
        method=request.method,
        host=request.host,
        path=request.path,
        params=params,
        headers={key: value for key, value in request.headers.items()},
        body=body,
    )
    ec2 = ec2_request_from(received)
    if check_time:
        state.guard.check_time(ec2)
    principal = state.verifier.verify(ec2)
    if mutating:
        from calor.sandbox.identity.ec2 import given_signature

        state.guard.check_replay(ec2, given_signature(ec2))
        g.calor_signed = (ec2, given_signature(ec2))
    context = RequestContext(
        project_id=principal.project_id,
        user_id=principal.user_id,
        roles=principal.roles,
        is_admin=ADMIN_ROLE in principal.roles,
        username=principal.user_name,
        extra={
            "access": principal.access,
            "auth_token": principal.token,
            "auth_methods": principal.token_methods,
        },
    )
    return context, principal


def query() -> Response:
    request.get_data(cache=True)
    params = _params()
    name = params.get("Action")
    if not name:
        raise MissingAction("Missing Action")
    action = ACTIONS.get(name)
    if action is None:
        raise InvalidAction(f"Could not find operation {name} for version {API_VERSION}")
    version = params.get("Version")
    if version is not None and version != API_VERSION:
        raise ValidationError(f"Unsupported API version {version}: expecting {API_VERSION}")
    context, principal = authenticate(params, check_time=True, mutating=action.mutating)
    try:
        policy.authorize(cfn_state().enforcer, action.rule(name), context)
        result = action.handler(Call(name, params, context, principal, cfn_state()))
    except (CfnError, UserError):
        # Refused, nothing changed: the same signed request may come again (boto3 retries
        # RequestLimitExceeded) and gets the same answer, not a replay refusal.
        signed = g.get("calor_signed")
        if signed is not None:
            cfn_state().guard.forget(*signed)
        raise
    request_id = _request_id()
    response = reply(xml.action_body(name, result, request_id))
    response.headers["x-amzn-RequestId"] = request_id
    return response


def signal(arn: str) -> Response:
    """A signal to a handle: the JSON body goes to the resource's ``handle_signal``."""
    request.get_data(cache=True)
    parsed = StackArn.parse(arn)
    if parsed is None or parsed.resource_name is None:
        raise ValidationError(f"{arn} is not the ARN of a stack's resource.")
    context, _principal = authenticate(dict(request.args.items()), check_time=False, mutating=False)
    text = request.get_data(as_text=True)
    try:
        details = json.loads(text) if text.strip() else None
    except ValueError as error:
        raise ValidationError("The signal is not valid JSON.") from error
    # No policy rule, as in Heat: the stack lookup confines a stack user to its own stack.
    deliver_signal(cfn_state().service, context, parsed.stack_id, parsed.resource_name, details)
    return Response(json.dumps({}), status=200, content_type="application/json")
