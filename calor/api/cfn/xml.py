"""Query API replies: AWS's XML in the CloudFormation namespace, or JSON when asked.

A reply body is plain data: mappings become elements, lists become ``<member>``
items, ``None`` leaves the element out, booleans are ``true`` / ``false``. The same
data gives the JSON form (``ContentType=JSON``), nested as AWS nests its XML:
``{"CreateStackResponse": {"CreateStackResult": {...}, "ResponseMetadata": {...}}}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
XML_TYPE = "text/xml"
JSON_TYPE = "application/json"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    if value is None:
        return
    element = ElementTree.SubElement(parent, name)
    _fill(element, value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, str(key), item)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        for item in value:
            _append(element, "member", item)
    else:
        element.text = _text(value)


def _document(root: ElementTree.Element) -> bytes:
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def action_body(action: str, result: Mapping[str, Any] | None, request_id: str) -> dict[str, Any]:
    """The reply of ``action`` as data: ``{<Action>Response: {<Action>Result, ResponseMetadata}}``."""
    response: dict[str, Any] = {}
    if result is not None:
        response[f"{action}Result"] = dict(result)
    response["ResponseMetadata"] = {"RequestId": request_id}
    return {f"{action}Response": response}


def _json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _json_value(item) for key, item in value.items() if item is not None}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_json_value(item) for item in value]
    return value


def render(body: Mapping[str, Any], *, as_json: bool) -> tuple[bytes, str]:
    """``(bytes, content type)`` of a reply body made by :func:`action_body` or :func:`error_body`."""
    if as_json:
        return json.dumps(_json_value(body)).encode("utf-8"), JSON_TYPE
    ((name, content),) = body.items()
    root = ElementTree.Element(name, xmlns=NAMESPACE)
    _fill(root, content)
    return _document(root), XML_TYPE


def error_body(code: str, message: str, *, sender: bool, request_id: str) -> dict[str, Any]:
    """AWS's ``ErrorResponse``: the error's type, code and message, and the request id."""
    return {
        "ErrorResponse": {
            "Error": {"Type": "Sender" if sender else "Receiver", "Code": code, "Message": message},
            "RequestId": request_id,
        }
    }
