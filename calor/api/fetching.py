"""Fetching ``template_url`` and environment files: http(s) only, bounded in size and time.

A host is refused when any address it resolves to is private, loopback, link-local,
multicast or reserved, so the API cannot be used to reach internal services, unless it is
named in the allow-list (``template_fetch_allowed_hosts``).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO

from calor.api.errors import BadRequest
from calor.errors import RequestTooLarge


@dataclass(frozen=True)
class Fetcher:
    """Fetches template text for the API."""

    max_size: int = 524288
    timeout: float = 10.0
    allowed_hosts: Collection[str] = ()

    def fetch(self, url: str, what: str = "template") -> str:
        self.check_url(url, what)
        try:
            opener = urllib.request.build_opener(_CheckedRedirects(self, what))
            with opener.open(url, timeout=self.timeout) as response:
                data: bytes = response.read(self.max_size + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise BadRequest(f"Could not retrieve {what}: {error} ({url})") from error
        if len(data) > self.max_size:
            raise RequestTooLarge(f"The {what} at {url} is larger than {self.max_size} bytes.")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(f"Could not retrieve {what}: it is not UTF-8 text ({url}).") from error

    def check_url(self, url: str, what: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise BadRequest(f"Could not retrieve {what}: only http and https URLs are allowed ({url}).")
        self._check_host(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), what)

    def _check_host(self, host: str, port: int, what: str) -> None:
        if host.lower() in {allowed.lower() for allowed in self.allowed_hosts}:
            return
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
        except OSError as error:
            raise BadRequest(f"Could not retrieve {what}: cannot resolve {host}: {error}") from error
        for address in addresses:
            ip = ipaddress.ip_address(str(address).split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise BadRequest(
                    f"Could not retrieve {what}: {host} resolves to a non-public address ({ip}); "
                    "add it to template_fetch_allowed_hosts to allow it."
                )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the fetcher would fetch directly."""

    def __init__(self, fetcher: Fetcher, what: str) -> None:
        self.fetcher = fetcher
        self.what = what

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        self.fetcher.check_url(newurl, self.what)
        return super().redirect_request(req, fp, code, msg, headers, newurl)
