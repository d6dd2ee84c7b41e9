"""Intrinsic functions: the objects a parsed template is made of.

Parsing a template turns every ``{get_param: ...}`` / ``{"Fn::Join": ...}`` into a
:class:`Function`. A function both *resolves* (computes its value against a
:class:`~calor.template.context.StackContext`) and *reports the resources it depends
on*, so the engine builds the dependency graph from parsing alone.

The helpers :func:`resolve`, :func:`dependencies` and :func:`validate` walk any
snippet: plain data (dicts, lists, scalars) with Function objects anywhere inside.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import EllipsisType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calor.template.context import StackContext

#: What a function returns for "leave the enclosing map entry or list item out" (the
#: two-argument ``if`` of HOT 2021-04-16 when false, ``Ref: AWS::NoValue``).
REMOVED: EllipsisType = Ellipsis


class Function:
    """Base of every intrinsic function.

    ``name`` is the function as written (``get_attr``, ``Fn::GetAtt``), ``args`` its
    already-parsed arguments (which may themselves contain functions), ``path`` the
    place of the call in the template. Subclasses validate the *shape* of ``args`` in
    ``__init__`` (raising :class:`calor.errors.TemplateError` with ``path``), override
    :meth:`result` and, if they refer to resources, :meth:`dependencies`.
    """

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        self.context = context
        self.name = name
        self.args = args
        self.path = path

    def result(self) -> Any:
        """The value of this call now (resources not yet created give ``None`` attributes)."""
        return resolve(self.args)

    def validate(self) -> None:
        """Check what can only be checked once the whole template is parsed (references)."""
        validate(self.args)

    def dependencies(self) -> Iterator[str]:
        """Names of the resources this call needs created first (its arguments' too)."""
        yield from dependencies(self.args)

    def attribute_dependencies(self) -> Iterator[tuple[str, str | None]]:
        """``(resource name, attribute name)`` pairs read by this call; ``None`` for all attributes."""
        yield from attribute_dependencies(self.args)

    def __repr__(self) -> str:
        return f"{{{self.name}: {self.args!r}}}"

    def __eq__(self, other: object) -> bool:
        # Two calls are equal when written the same way; used when diffing definitions.
        if isinstance(other, Function):
            return type(self) is type(other) and self.name == other.name and self.args == other.args
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self.name, repr(self.args)))


def resolve(snippet: Any) -> Any:
    """The value of a snippet with every function resolved and :data:`REMOVED` items dropped.

    A snippet that is itself removed resolves to ``None``.
    """
    value = resolve_keeping_removed(snippet)
    return None if value is REMOVED else value


def resolve_keeping_removed(snippet: Any) -> Any:
    """Like :func:`resolve`, but a top-level :data:`REMOVED` is returned as it is."""
    if isinstance(snippet, Function):
        return resolve_keeping_removed(snippet.result())
    if isinstance(snippet, Mapping):
        resolved: dict[Any, Any] = {}
        for key, item in snippet.items():
            value = resolve_keeping_removed(item)
            if value is not REMOVED:
                resolved[key] = value
        return resolved
    if isinstance(snippet, list | tuple):
        values = [resolve_keeping_removed(item) for item in snippet]
        return [value for value in values if value is not REMOVED]
    return snippet


def validate(snippet: Any) -> None:
    """Validate every function in a snippet."""
    if isinstance(snippet, Function):
        snippet.validate()
    elif isinstance(snippet, Mapping):
        for value in snippet.values():
            validate(value)
    elif isinstance(snippet, list | tuple):
        for item in snippet:
            validate(item)


def dependencies(snippet: Any) -> Iterator[str]:
    """Names of the resources every function in a snippet depends on (may repeat)."""
    if isinstance(snippet, Function):
        yield from snippet.dependencies()
    elif isinstance(snippet, Mapping):
        for value in snippet.values():
            yield from dependencies(value)
    elif isinstance(snippet, list | tuple):
        for item in snippet:
            yield from dependencies(item)


def attribute_dependencies(snippet: Any) -> Iterator[tuple[str, str | None]]:
    """``(resource, attribute)`` pairs read by the functions in a snippet."""
    if isinstance(snippet, Function):
        yield from snippet.attribute_dependencies()
    elif isinstance(snippet, Mapping):
        for value in snippet.values():
            yield from attribute_dependencies(value)
    elif isinstance(snippet, list | tuple):
        for item in snippet:
            yield from attribute_dependencies(item)
