"""Reading local templates and environments, and pointing errors at their lines.

heatclient's ``template_utils`` gathers the files a template needs (``get_file``, provider templates,
environment files) exactly as ``openstack stack create`` does. Before that, local files are checked
here so a YAML mistake reads ``web.yaml:12:3: mapping values are not allowed here``; and an error the
API reports at a template path (``resources.web.properties.flavor``) gets the line of that path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from calor.cli.errors import CommandError
from calor.errors import UserError
from calor.template import loader

_SECTIONS = (
    "resources",
    "outputs",
    "parameters",
    "parameter_groups",
    "conditions",
    "Resources",
    "Outputs",
    "Parameters",
    "Conditions",
    "Mappings",
)
_PATH = re.compile(r"\b(?:" + "|".join(_SECTIONS) + r")(?:\.[^\s:.\[\]'\"]+|\[\d+\])+")


@dataclass(frozen=True)
class LocalTemplate:
    """A template read from the local disk, with the line of each of its paths."""

    path: str
    document: loader.Document | None

    def locate(self, message: str) -> str:
        """``message`` prefixed with ``file:line:`` when it names a path of this template."""
        if self.document is None:
            return message
        for match in _PATH.finditer(message):
            line = self.document.line_of(match.group(0))
            if line is not None:
                return f"{self.path}:{line}: {message}"
        return message


@dataclass(frozen=True)
class TemplateFields:
    """What the API's create, update, preview and validate calls take from local files."""

    template: dict[str, Any] | None
    files: dict[str, str]
    environment: dict[str, Any]
    environment_files: list[str]
    local: LocalTemplate | None

    def request_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "template": self.template,
            "files": dict(self.files),
            "environment": self.environment,
        }
        if self.environment_files:
            fields["environment_files"] = list(self.environment_files)
        return fields


def is_local(path: str) -> bool:
    scheme = urlparse(path).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a Windows drive letter is no scheme


def check_syntax(path: str) -> str:
    """The text of a local YAML or JSON file; a syntax error names ``file:line:column``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: the file is not UTF-8 text: {error.reason}") from None
    if text.lstrip().startswith("{"):
        try:
            json.loads(text)
            return text
        except json.JSONDecodeError as error:
            if text.lstrip()[1:].lstrip().startswith(('"', "}")):
                raise CommandError(f"{path}:{error.lineno}:{error.colno}: {error.msg}") from None
    try:
        for _ in yaml.compose_all(text, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = ": ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        if mark is None:
            raise CommandError(f"{path}: {problem}") from None
        raise CommandError(f"{path}:{mark.line + 1}:{mark.column + 1}: {problem}") from None
    except yaml.YAMLError as error:
        raise CommandError(f"{path}: {error}") from None
    return text


def read_local_template(path: str) -> LocalTemplate:
    """Check a local template's syntax and index the lines of its paths."""
    text = check_syntax(path)
    try:
        document: loader.Document | None = loader.load(text, source=path)
    except UserError:
        document = None
    return LocalTemplate(path, document)


def read_template_fields(
    client: Any,
    template_path: str | None,
    environment_paths: Sequence[str] | None,
    *,
    existing: bool = False,
    fetch_child: bool = True,
) -> TemplateFields:
    """The template, its files and the merged environments, as ``openstack stack create`` sends them."""
    from heatclient.common import http, template_utils  # type: ignore[import-untyped]

    local = None
    if template_path and is_local(template_path) and not urlparse(template_path).scheme:
        local = read_local_template(template_path)
    for environment_path in environment_paths or ():
        if is_local(environment_path) and not urlparse(environment_path).scheme:
            check_syntax(environment_path)
    try:
        template_files, template = template_utils.process_template_path(
            template_path,
            object_request=http.authenticated_fetcher(client) if client is not None else None,
            existing=existing,
            fetch_child=fetch_child,
        )
        environment_files: list[str] = []
        environment_file_contents, environment = template_utils.process_multiple_environments_and_files(
            env_paths=list(environment_paths) if environment_paths else None,
            env_list_tracker=environment_files,
            fetch_env_files=fetch_child,
        )
    except (ValueError, OSError) as error:
        where = template_path or "template"
        raise CommandError(f"{where}: {one_line(str(error))}") from None
    except Exception as error:
        if type(error).__module__.startswith("heatclient") and not hasattr(error, "error"):
            raise CommandError(one_line(str(error))) from None
        raise
    files = dict(template_files)
    files.update(environment_file_contents)
    return TemplateFields(template, files, environment, environment_files, local)


def one_line(text: str) -> str:
    return " ".join(text.split())
