"""Nova's API versions: the discovery documents and microversion negotiation (2.1 to 2.79)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Request

from calor.sandbox.framework.errors import SandboxError

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 79)
UPDATED = "2013-07-23T11:33:21Z"


@dataclass(frozen=True, order=True)
class Microversion:
    major: int
    minor: int

    def at_least(self, text: str) -> bool:
        major, minor = (int(part) for part in text.split("."))
        return (self.major, self.minor) >= (major, minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


def _text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def requested_microversion(http: Request) -> Microversion:
    """The request's microversion from ``OpenStack-API-Version: compute X.Y`` or
    ``X-OpenStack-Nova-API-Version``; 2.1 when absent, the maximum for ``latest``; 406 outside."""
    text: str | None = None
    for value in http.headers.getlist("OpenStack-API-Version"):
        for item in value.split(","):
            service, _, version = item.strip().partition(" ")
            if service.lower() == "compute" and version.strip():
                text = version.strip()
    if text is None:
        text = http.headers.get("X-OpenStack-Nova-API-Version")
    if text is None:
        return Microversion(*MIN_VERSION)
    if text.strip().lower() == "latest":
        return Microversion(*MAX_VERSION)
    try:
        major, minor = (int(part) for part in text.strip().split("."))
    except ValueError as error:
        raise SandboxError(f"Invalid API version request string {text}", status=400) from error
    if not MIN_VERSION <= (major, minor) <= MAX_VERSION:
        raise SandboxError(
            f"Version {major}.{minor} is not supported by the API. Minimum is {_text(MIN_VERSION)} "
            f"and maximum is {_text(MAX_VERSION)}.",
            status=406,
        )
    return Microversion(major, minor)


def microversion_headers(version: Microversion) -> dict[str, str]:
    return {
        "OpenStack-API-Version": f"compute {version}",
        "X-OpenStack-Nova-API-Version": str(version),
        "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
    }


def version_document(base_url: str) -> dict[str, Any]:
    """One entry of the version list; ``base_url`` is the service root (``.../compute``)."""
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": _text(MAX_VERSION),
        "min_version": _text(MIN_VERSION),
        "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url}/v2.1/"}],
    }


def version_detail(base_url: str) -> dict[str, Any]:
    document = version_document(base_url)
    document["links"].append(
        {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"}
    )
    document["media-types"] = [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
    ]
    return {"version": document}
