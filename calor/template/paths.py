"""Places in a template, written as users read them: ``resources.web.properties.networks[0].port``."""

from __future__ import annotations


def join(path: str, key: str | int) -> str:
    """The path of ``key`` inside ``path``: a list index in brackets, a map key after a dot."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not path:
        return key
    return f"{path}.{key}"
