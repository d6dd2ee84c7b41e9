"""Template text to data: YAML or JSON, with size limits and the line of every key.

:func:`load` turns template (or environment) text into a :class:`Document`: the data as
plain dicts, lists and scalars, and the 1-based line of every mapping key and list
item by path (``resources.web.properties``), so errors found later can point at the
line. YAML is read from libyaml's event stream and built here, which keeps the cost
bounded: nesting deeper than :data:`MAX_DEPTH` and alias expansion past
:data:`MAX_NODES` are refused at once. Dates and times stay strings, as in Heat
(HOT versions are dates). CloudFormation's short tags (``!Ref``, ``!GetAtt a.b``,
``!Sub``, ...) become the long forms (``{"Ref": ...}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from calor.errors import TemplateError, TemplateSyntaxError, TemplateTooLarge
from calor.template import paths

MAX_DEPTH = 100
"""The deepest nesting of maps and lists accepted."""

MAX_NODES = 1_000_000
"""The most values (counting every alias expansion) one text may build."""

NOT_A_MAPPING = "The template is not a JSON object or YAML mapping."

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER: Any = yaml.resolver.Resolver()
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_BUILDERS = {
    "bool": _SCALAR_CONSTRUCTOR.construct_yaml_bool,
    "int": _SCALAR_CONSTRUCTOR.construct_yaml_int,
    "float": _SCALAR_CONSTRUCTOR.construct_yaml_float,
}
_TAG = "tag:yaml.org,2002:"

_SHORT_FUNCTIONS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Base64",
            "Cidr",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "ImportValue",
            "Join",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "And",
            "Equals",
            "If",
            "Not",
            "Or",
        )
    },
}


@dataclass(frozen=True)
class Document:
    """Loaded text: ``data``, the ``lines`` of its paths and the ``source`` it came from."""

    data: dict[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)
    source: str = "<template>"

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, else of its nearest ancestor that has one."""
        current = path
        while True:
            line = self.lines.get(current)
            if line is not None:
                return line
            if not current:
                return None
            current = _parent(current)


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def load(
    text: str | bytes,
    *,
    source: str = "<template>",
    max_size: int = 524288,
) -> Document:
    """Parse template text (YAML, or JSON when it starts with ``{``) into a :class:`Document`."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_size:
        raise TemplateTooLarge(
            f"Template size ({size} bytes) exceeds maximum allowed size ({max_size} bytes).", source=source
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise TemplateSyntaxError(f"The text is not UTF-8: {error}", source=source) from None
    if text.lstrip().startswith("{"):
        return _load_json(text, source)
    data, lines = _build(text, source)
    if not isinstance(data, dict):
        raise TemplateError(NOT_A_MAPPING, source=source, line=1)
    return Document(data=data, lines=lines, source=source)


def _load_json(text: str, source: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        # A YAML flow mapping (``{a: 1}``) also starts with "{": read it as YAML when its
        # first key is not a JSON string.
        yaml_data = None
        if not text.lstrip()[1:].lstrip().startswith(('"', "}")):
            try:
                yaml_data, lines = _build(text, source)
            except (TemplateError, TemplateSyntaxError):
                yaml_data = None
        if isinstance(yaml_data, dict):
            return Document(data=yaml_data, lines=lines, source=source)
        raise TemplateSyntaxError(
            f"{error.msg}: line {error.lineno} column {error.colno} (char {error.pos})",
            line=error.lineno,
            source=source,
        ) from None
    except RecursionError:
        raise TemplateError(f"The text is nested deeper than {MAX_DEPTH} levels", source=source) from None
    if not isinstance(data, dict):
        raise TemplateError(NOT_A_MAPPING, source=source, line=1)
    if _depth_exceeds(data, MAX_DEPTH):
        raise TemplateError(f"The text is nested deeper than {MAX_DEPTH} levels", source=source)
    try:
        _, lines = _build(text, source)
    except (TemplateError, TemplateSyntaxError):
        lines = {"": 1}
    return Document(data=data, lines=lines, source=source)


def _depth_exceeds(data: Any, limit: int) -> bool:
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values() if isinstance(item, dict | list))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


# --- YAML: build data straight from the event stream -------------------------------------------

_NO_KEY = object()
_MERGE_KEY = object()


class _Frame:
    """An open map or list while its events arrive."""

    __slots__ = ("anchor", "container", "explicit_keys", "function", "key", "merges", "path", "size")

    def __init__(self, container: dict[Any, Any] | list[Any], path: str, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.size = 1
        self.function: str | None = None
        self.merges: list[Any] = []
        self.explicit_keys: set[Any] = set()


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.lines: dict[str, int] = {}
        self.nodes = 0
        self.root: Any = None
        self.documents = 0

    def fail(self, message: str, mark: Any) -> TemplateError:
        line = mark.line + 1 if mark is not None else None
        where = f" (line {line}, column {mark.column + 1})" if mark is not None else ""
        return TemplateError(message + where, line=line, source=self.source)

    def count(self, size: int, mark: Any) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise self.fail(f"The text expands to more than {MAX_NODES} values (too many aliases)", mark)

    def child_path(self, mark: Any) -> str:
        """The path of the value about to be delivered, recording its line for list items."""
        if not self.stack:
            self.lines.setdefault("", mark.line + 1)
            return ""
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            path = paths.join(frame.path, len(frame.container))
            self.lines[path] = mark.line + 1
            return path
        if frame.key is _NO_KEY:
            raise self.fail("A mapping key must be a plain value, not a map or list", mark)
        if frame.key is _MERGE_KEY:
            return frame.path
        return paths.join(frame.path, str(frame.key))

    def record_item(self, mark: Any) -> None:
        """Record the line of a plain value about to go into a list (or be the root)."""
        if not self.stack or isinstance(self.stack[-1].container, list):
            self.child_path(mark)

    def deliver(self, value: Any, size: int, mark: Any, *, scalar: bool) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.container
        if isinstance(container, list):
            container.append(value)
            return
        if frame.key is _NO_KEY:
            if not scalar:
                raise self.fail("A mapping key must be a plain value, not a map or list", mark)
            frame.key = value
            if value is not _MERGE_KEY:
                self.lines[paths.join(frame.path, str(value))] = mark.line + 1
            return
        if frame.key is _MERGE_KEY:
            frame.merges.append((value, mark))
        else:
            container[frame.key] = value
            frame.explicit_keys.add(frame.key)
        frame.key = _NO_KEY

    def open(self, event: Any, container: dict[Any, Any] | list[Any]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"The text is nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self.count(1, event.start_mark)
        path = self.child_path(event.start_mark)
        function = _short_function(event.tag, event.start_mark, self)
        if function is not None:
            path = paths.join(path, function)
        frame = _Frame(container, path, event.anchor)
        frame.function = function
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def close(self, event: Any) -> None:
        frame = self.stack.pop()
        value: Any = frame.container
        if frame.merges:
            value = self.merged(frame, event.start_mark)
        if frame.function is not None:
            value = {frame.function: value}
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size)
        self.deliver(value, frame.size, event.start_mark, scalar=False)

    def merged(self, frame: _Frame, mark: Any) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for value, merge_mark in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail("A merge key (<<) needs a map or a list of maps", merge_mark)
                for key, item in source.items():
                    result.setdefault(key, item)
        assert isinstance(frame.container, dict)
        result.update(frame.container)
        return result

    def scalar(self, event: Any) -> None:
        self.count(1, event.start_mark)
        value = _scalar_value(event, self)
        self.record_item(event.start_mark)
        function = _short_function(event.tag, event.start_mark, self)
        if function is not None:
            value = _short_scalar_argument(function, value)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self.deliver(value, 1, event.start_mark, scalar=True)

    def alias(self, event: Any) -> None:
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise self.fail(f'The alias "*{anchor}" refers to a value that contains it', event.start_mark)
        if anchor not in self.anchors:
            raise self.fail(f'Found undefined alias "*{anchor}"', event.start_mark)
        value, size = self.anchors[anchor]
        self.count(size, event.start_mark)
        self.record_item(event.start_mark)
        self.deliver(_copy(value), size, event.start_mark, scalar=not isinstance(value, dict | list))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _short_function(tag: str | None, mark: Any, builder: _Builder) -> str | None:
    if tag is None or tag == "!" or tag.startswith(_TAG):
        return None
    function = _SHORT_FUNCTIONS.get(tag)
    if function is None:
        raise builder.fail(f'Unknown YAML tag "{tag}"', mark)
    return function


def _short_scalar_argument(function: str, value: Any) -> Any:
    if function == "Fn::GetAtt" and isinstance(value, str) and "." in value:
        name, attribute = value.split(".", 1)
        return {function: [name, attribute]}
    return {function: value}


def _scalar_value(event: Any, builder: _Builder) -> Any:
    tag = event.tag
    value: str = event.value
    if tag is None or tag == "!" or not tag.startswith(_TAG):
        if event.implicit[0] and (tag is None or tag == "!" or tag in _SHORT_FUNCTIONS):
            tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        else:
            return value
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    if kind in ("str", "timestamp"):
        return value
    if kind == "null":
        return None
    if kind == "merge":
        return _MERGE_KEY
    if kind in ("bool", "int", "float"):
        try:
            # The construct_yaml_* methods keep no state, so one constructor serves every thread.
            return _SCALAR_BUILDERS[kind](yaml.ScalarNode(tag, value, event.start_mark))
        except Exception as error:  # PyYAML raises IndexError, ValueError, KeyError on odd input
            raise builder.fail(f'Invalid {kind} "{value}": {error}', event.start_mark) from None
    raise builder.fail(f'Unsupported YAML tag "{tag}"', event.start_mark)


def _events(text: str) -> Iterator[Any]:
    return iter(yaml.parse(text, Loader=_Parser))


def _build(text: str, source: str) -> tuple[Any, dict[str, int]]:
    builder = _Builder(source)
    try:
        for event in _events(text):
            if isinstance(event, yaml.ScalarEvent):
                builder.scalar(event)
            elif isinstance(event, yaml.MappingStartEvent):
                _check_collection_tag(event, builder, "map")
                builder.open(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                _check_collection_tag(event, builder, "seq")
                builder.open(event, [])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                builder.close(event)
            elif isinstance(event, yaml.AliasEvent):
                builder.alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                builder.documents += 1
                if builder.documents > 1:
                    raise builder.fail("Expected a single document, found another one", event.start_mark)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, source) from None
    except yaml.YAMLError as error:
        raise TemplateSyntaxError(f"Invalid YAML: {error}", source=source) from None
    except TypeError as error:
        # An unhashable mapping key, or a key that cannot be one.
        raise TemplateError(f"Invalid mapping key: {error}", source=source) from None
    return builder.root, builder.lines


def _check_collection_tag(event: Any, builder: _Builder, kind: str) -> None:
    tag = event.tag
    if tag is None or tag == "!" or tag in _SHORT_FUNCTIONS:
        return
    accepted = (_TAG + "map", _TAG + "omap") if kind == "map" else (_TAG + "seq",)
    if tag not in accepted:
        raise builder.fail(f'Unsupported YAML tag "{tag}"', event.start_mark)


def _syntax_error(error: yaml.MarkedYAMLError, source: str) -> TemplateSyntaxError:
    mark = error.problem_mark or error.context_mark
    problem = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
    if mark is None:
        return TemplateSyntaxError(f"Invalid YAML: {problem}", source=source)
    line = mark.line + 1
    return TemplateSyntaxError(
        f"Invalid YAML: {problem} at line {line}, column {mark.column + 1}", line=line, source=source
    )
