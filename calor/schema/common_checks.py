"""Checks behind the generic custom constraints (``ip_addr``, ``dns_name``, ``timezone``, ...).

Each check takes a value and returns what is wrong with it, or ``None`` when it is
fine. :mod:`calor.schema.constraints` registers them under Heat's names.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any

_DNS_LABEL = re.compile(r"[A-Za-z0-9-]{1,63}")
_MAC_FORMATS = (
    re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}"),
    re.compile(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"),
    re.compile(r"[0-9A-Fa-f]{12}"),
)
_CRON_FIELD = re.compile(r"[0-9A-Za-z*?,/#\-]+")


def ip_address(value: Any) -> str | None:
    """An IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return "Invalid IP address"
    return None


def network_cidr(value: Any) -> str | None:
    """A network in CIDR notation (``10.0.0.0/24``, ``fd00::/64``); host bits may be set."""
    text = str(value)
    if len(text.split()) > 1 or text != text.strip():
        return f"Invalid net cidr '{text}' contains whitespace"
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError as error:
        return f"Invalid net cidr {error}"
    return None


def mac_address(value: Any) -> str | None:
    """A MAC address: ``aa:bb:cc:dd:ee:ff``, ``aa-bb-...``, ``aabb.ccdd.eeff`` or 12 hex digits."""
    text = str(value)
    if any(pattern.fullmatch(text) for pattern in _MAC_FORMATS):
        return None
    return "Invalid MAC address."


def _dns_problem(name: str) -> str | None:
    trimmed = name[:-1] if name.endswith(".") else name
    if len(trimmed) > 255:
        return f"'{trimmed}' exceeds the 255 character FQDN limit"
    labels = trimmed.split(".")
    for label in labels:
        if not label:
            return "Encountered an empty component."
        if label.startswith("-") or label.endswith("-"):
            return f"Name '{label}' must not start or end with a hyphen."
        if not _DNS_LABEL.fullmatch(label):
            return (
                f"Name '{label}' must be 1-63 characters long, each of which can only be "
                "alphanumeric or a hyphen."
            )
    if len(labels) > 1 and labels[-1].isdigit():
        return f"TLD '{labels[-1]}' must not be all numeric"
    return None


def dns_name(value: Any) -> str | None:
    """A host name or fully qualified domain name (a trailing dot is allowed)."""
    if not value:
        return None
    text = str(value)
    problem = _dns_problem(text)
    if problem is not None:
        return f"'{text}' not in valid format. Reason: {problem}"
    return None


def dns_domain(value: Any) -> str | None:
    """A fully qualified domain name, ending with a dot (``example.com.``)."""
    if not value:
        return None
    problem = dns_name(value)
    if problem is not None:
        return problem
    if not str(value).endswith("."):
        return f"'{value}' must end with '.'."
    return None


def relative_dns_name(value: Any) -> str | None:
    """A domain name relative to a zone (no trailing dot)."""
    if not value:
        return None
    text = str(value)
    if text.endswith("."):
        return f"'{text}' is a FQDN. It should be a relative domain name."
    return dns_name(text)


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def iso_8601(value: Any) -> str | None:
    """A date and time in ISO 8601 form (``2026-11-24T22:05:00Z``)."""
    if _parse_time(value) is None:
        return "Invalid ISO 8601 date and time"
    return None


def expiration(value: Any) -> str | None:
    """An ISO 8601 time in the future."""
    moment = _parse_time(value)
    if moment is None:
        return f"Expiration {value} is invalid: not an ISO 8601 time"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment <= datetime.now(UTC):
        return "Expiration time is out of date."
    return None


def timezone(value: Any) -> str | None:
    """A time zone name of the IANA database (``Europe/Paris``)."""
    if not value:
        return None
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        return f"Invalid timezone: {error}"
    return None


def cron_expression(value: Any) -> str | None:
    """A cron schedule: five fields (minute hour day month weekday), or six with seconds."""
    if not value:
        return None
    fields = str(value).split()
    if len(fields) not in (5, 6):
        return "Invalid CRON expression: Exactly 5 or 6 columns has to be specified for iterator expression."
    for column in fields:
        if not _CRON_FIELD.fullmatch(column):
            return f"Invalid CRON expression: [{value}] is not acceptable"
    return None
