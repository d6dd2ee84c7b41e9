"""String functions: joining, splitting, replacing, digests, URLs, selecting.

HOT: ``list_join``, ``str_replace`` (and ``_strict`` / ``_vstrict``), ``str_split``,
``digest``, ``make_url``. CFN: ``Fn::Join``, ``Fn::Split``, ``Fn::Replace``,
``Fn::Base64``, ``Fn::Select``, ``Fn::ToJsonString``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib import parse as urlparse

from calor.template.function import Function
from calor.template.functions.common import (
    CalorFunction,
    check_items,
    check_length,
    is_list,
    resolve,
)

if TYPE_CHECKING:
    from calor.template.context import StackContext


def to_json(value: Any) -> str:
    """Heat's serialisation of lists and maps put into strings: sorted keys."""
    return json.dumps(value, sort_keys=True, default=str)


def _join(function: CalorFunction, delimiter: str, strings: list[str]) -> str:
    check_length(function, sum(len(item) for item in strings) + len(delimiter) * max(len(strings) - 1, 0))
    return delimiter.join(strings)


class Join(CalorFunction):
    """A function for joining strings."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(
                f'Incorrect arguments to "{name}" should be: "{name}" : [ " ", [ "str1", "str2"]]'
            )
        self._delimiter, self._strings = args

    def _delimiter_value(self) -> str:
        delimiter = resolve(self._delimiter)
        if not isinstance(delimiter, str):
            raise self.fail(f'"{self.name}" delimiter must be a string')
        return delimiter

    def result(self) -> Any:
        strings = resolve(self._strings)
        if strings is None:
            strings = []
        if not is_list(strings):
            raise self.fail(f'"{self.name}" must operate on a list')
        delimiter = self._delimiter_value()
        items: list[str] = []
        for item in strings:
            if item is None:
                items.append("")
            elif isinstance(item, str):
                items.append(item)
            else:
                raise self.fail(f"Items to join must be strings not {repr(item)[:200]}")
        return _join(self, delimiter, items)


class JoinMultiple(Join):
    """A function for joining one or more lists of strings (lists and maps are JSON-encoded)."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        CalorFunction.__init__(self, context, name, args, path)
        if not isinstance(args, list) or len(args) < 2:
            raise self.fail(
                f'Incorrect arguments to "{name}" should be: "{name}" : [ " ", [ "str1", "str2"] ...]'
            )
        self._delimiter = args[0]
        self._lists = args[1:]

    def result(self) -> Any:
        strings: list[Any] = []
        for joined in resolve(self._lists):
            if joined:
                if not is_list(joined):
                    raise self.fail(f'"{self.name}" must operate on a list')
                strings.extend(joined)
        check_items(self, len(strings))
        delimiter = self._delimiter_value()
        items: list[str] = []
        for item in strings:
            if item is None:
                items.append("")
            elif isinstance(item, str):
                items.append(item)
            elif isinstance(item, Mapping | list | tuple):
                items.append(to_json(item))
            else:
                raise self.fail(f"Items to join must be string, map or list not {repr(item)[:200]}")
        return _join(self, delimiter, items)


class Replace(CalorFunction):
    """A function for performing string substitutions (longer keys first)."""

    strict = False
    allow_empty_value = True
    json_values = False

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, Mapping):
            raise self.fail(f'Arguments to "{name}" must be a map')
        if "params" not in args or "template" not in args:
            raise self.fail(
                f'"{name}" syntax should be {name}:\n  template: This is var1 template var2\n'
                "  params:\n    var1: a\n    var2: string"
            )
        self._params = args["params"]
        self._template = args["template"]
        if not isinstance(self._params, Mapping | Function):
            raise self.fail(f'"{name}" parameters must be a mapping')

    def _empty_value_error(self, key: str) -> Exception:
        return self.fail(
            f"{self.name} has an undefined or empty value for param {key}, must be a defined non-empty value"
        )

    def _replacement(self, value: Any, key: str) -> str:
        if value is None:
            if self.allow_empty_value:
                return ""
            raise self._empty_value_error(key)
        if isinstance(value, str | int | float | bool):
            text = str(value)
        elif self.json_values and isinstance(value, Mapping | list | tuple):
            if not self.allow_empty_value and len(value) == 0:
                raise self._empty_value_error(key)
            text = to_json(value)
        elif self.json_values:
            raise self.fail(f'"{self.name}" params must be strings, numbers, list or map.')
        else:
            raise self.fail(f'"{self.name}" params must be strings or numbers, param {key} is not valid')
        if not self.allow_empty_value and not text:
            raise self._empty_value_error(key)
        return text

    def result(self) -> Any:
        template = resolve(self._template)
        params = resolve(self._params)
        if not isinstance(template, str):
            raise self.fail(f'"{self.name}" template must be a string')
        if not isinstance(params, Mapping):
            raise self.fail(f'"{self.name}" params must be a map')
        for key in params:
            if not isinstance(key, str):
                raise self.fail(f'"{self.name}" param placeholders must be strings')
        # Longest keys first, then alphabetical; replaced text is never searched again.
        keys = sorted(sorted(params), key=len, reverse=True)
        segments: list[tuple[str, bool]] = [(template, False)]
        length = len(template)
        unreplaced = set(params)
        for key in keys:
            if not key:
                continue
            value = self._replacement(params[key], key)
            next_segments: list[tuple[str, bool]] = []
            for text, done in segments:
                if done or key not in text:
                    next_segments.append((text, done))
                    continue
                pieces = text.split(key)
                unreplaced.discard(key)
                length += (len(pieces) - 1) * (len(value) - len(key))
                check_length(self, length)
                for index, piece in enumerate(pieces):
                    if index:
                        next_segments.append((value, True))
                    if piece:
                        next_segments.append((piece, False))
            segments = next_segments
        if self.strict and unreplaced:
            missing = ",".join(sorted(sorted(unreplaced), key=len, reverse=True))
            raise self.fail(f"The following params were not found in the template: {missing}")
        return "".join(text for text, _ in segments)


class ReplaceJson(Replace):
    """A function for performing string substitutions; lists and maps are JSON-encoded."""

    json_values = True


class ReplaceJsonStrict(ReplaceJson):
    """Like str_replace, but every param must be found in the template."""

    strict = True


class ReplaceJsonVeryStrict(ReplaceJsonStrict):
    """Like str_replace_strict, but no param value may be empty or null."""

    allow_empty_value = False


class CfnReplace(CalorFunction):
    """A function for performing string substitutions: [{placeholder: value}, template]."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(
                f'Incorrect arguments to "{name}" should be: '
                f'{{"{name}": [ {{"$var1": "foo", "%var2%": "bar"}}, "$var1 is %var2%"]}}'
            )
        self._params, self._template = args
        if not isinstance(self._params, Mapping | Function):
            raise self.fail(f'"{name}" parameters must be a mapping')

    def result(self) -> Any:
        template = resolve(self._template)
        params = resolve(self._params)
        if not isinstance(template, str):
            raise self.fail(f'"{self.name}" template must be a string')
        if not isinstance(params, Mapping):
            raise self.fail(f'"{self.name}" params must be a map')
        for key, value in sorted(params.items(), key=lambda item: len(str(item[0])), reverse=True):
            if not isinstance(key, str):
                raise self.fail(f'"{self.name}" param placeholders must be strings')
            if value is None:
                value = ""
            if not isinstance(value, str | int | float | bool):
                raise self.fail(f'"{self.name}" params must be strings or numbers')
            if key:
                text = str(value)
                check_length(self, len(template) + template.count(key) * (len(text) - len(key)))
                template = template.replace(key, text)
        return template


class StrSplit(CalorFunction):
    """A function for splitting delimited strings into a list, optionally picking one item."""

    def _example(self) -> str:
        return (
            f'Incorrect arguments to "{self.name}" should be: "{self.name}" : [ ",", "apples,pears", <index>]'
        )

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if isinstance(args, str | Mapping):
            raise self.fail(self._example())

    def result(self) -> Any:
        args = resolve(self.args)
        if not is_list(args) or len(args) < 2 or len(args) > 3:
            raise self.fail(self._example())
        delimiter, text = args[0], args[1]
        if text is None:
            return None
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            raise self.fail(self._example())
        check_items(self, text.count(delimiter) + 1)
        items = text.split(delimiter)
        if len(args) == 2:
            return items
        try:
            index = int(args[2])
        except (TypeError, ValueError):
            raise self.fail(
                f'Incorrect index to "{self.name}" should be: "{self.name}" : [ ",", "apples,pears", <index>]'
            ) from None
        if not -len(items) <= index < len(items):
            raise self.fail(f'Incorrect index to "{self.name}" should be between 0 and {len(items) - 1}')
        return items[index]


class CfnSplit(CalorFunction):
    """A function for splitting strings: [delimiter, string]."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(f'Incorrect arguments to "{name}" should be: "{name}" : [ ",", "str1,str2"]]')
        self._delimiter, self._string = args

    def result(self) -> Any:
        delimiter = resolve(self._delimiter)
        text = resolve(self._string)
        if not isinstance(delimiter, str) or not delimiter:
            raise self.fail(f"Delimiter for {self.name} must be string")
        if not isinstance(text, str):
            raise self.fail(f"String to split must be string; got {type(text).__name__}")
        check_items(self, text.count(delimiter) + 1)
        return text.split(delimiter)


class Base64(CalorFunction):
    """A placeholder function for base64 encoding: the string is returned unchanged, as Heat does."""

    def result(self) -> Any:
        value = resolve(self.args)
        if not isinstance(value, str):
            raise self.fail(f'"{self.name}" argument must be a string')
        return value


class Select(CalorFunction):
    """A function for selecting an item from a list or map: [index, collection]."""

    def __init__(self, context: StackContext, name: str, args: Any, path: str) -> None:
        super().__init__(context, name, args, path)
        if not isinstance(args, list) or len(args) != 2:
            raise self.fail(f'Arguments to "{name}" must be of the form [index, collection]')
        self._index, self._collection = args

    def result(self) -> Any:
        index = resolve(self._index)
        collection = resolve(self._collection)
        if collection == "":
            return ""
        if isinstance(collection, str):
            try:
                collection = json.loads(collection)
            except ValueError as error:
                raise self.fail(f'"{self.name}": {error}') from None
        if isinstance(collection, Mapping):
            if not isinstance(index, str):
                raise self.fail(f'Index to "{self.name}" must be a string')
            return collection.get(index, "")
        if is_list(collection):
            if isinstance(index, str) and index.lstrip("-").isdigit():
                index = int(index)
            if not isinstance(index, int) or isinstance(index, bool):
                raise self.fail(f'Index to "{self.name}" must be an integer')
            if not -len(collection) <= index < len(collection):
                return ""
            return collection[index]
        if collection is None:
            return ""
        raise self.fail(f"Arguments to {self.name} not fully resolved")


_ALGORITHMS = frozenset(
    algorithm.lower() for algorithm in hashlib.algorithms_available if not algorithm.startswith("shake")
)


class Digest(CalorFunction):
    """A function for performing digest operations: [algorithm, value]."""

    def result(self) -> Any:
        args = resolve(self.args)
        if not (isinstance(args, list) and all(isinstance(item, str) for item in args)):
            raise self.fail(f'Argument to function "{self.name}" must be a list of strings')
        if len(args) != 2:
            raise self.fail(f'Function "{self.name}" usage: ["<algorithm>", "<value>"]')
        algorithm, value = args
        if algorithm.lower() not in _ALGORITHMS:
            raise self.fail(f"Algorithm must be one of {sorted(_ALGORITHMS)}")
        try:
            data = value.encode("latin-1")
        except UnicodeEncodeError:
            data = value.encode("utf-8")
        digest = hashlib.new(algorithm.lower())
        digest.update(data)
        return digest.hexdigest()


class MakeURL(CalorFunction):
    """A function for building a correctly-escaped URL from its parts."""

    keys = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")

    def _check(self, args: Mapping[str, Any]) -> None:
        for key in self.keys:
            if key not in args:
                continue
            value = args[key]
            if isinstance(value, Function):
                continue
            if key == "query":
                if not isinstance(value, Mapping):
                    raise self.fail(f'The "{key}" argument to "{self.name}" must be a map')
            elif key == "port":
                try:
                    port = value if isinstance(value, int) and not isinstance(value, bool) else int(value)
                except (TypeError, ValueError):
                    raise self.fail(f'Invalid URL port "{value}" for {self.name}') from None
                if not 0 < port <= 65535:
                    raise self.fail(f"Invalid URL port {port}, must be in range 1-65535")
            elif not isinstance(value, str):
                raise self.fail(f'The "{key}" argument to "{self.name}" must be a string')

    def validate(self) -> None:
        super().validate()
        if not isinstance(self.args, Mapping):
            raise self.fail(f'The arguments to "{self.name}" must be a map')
        invalid = sorted(set(self.args) - set(self.keys), key=str)
        if invalid:
            raise self.fail(f'Invalid arguments to "{self.name}": {", ".join(map(str, invalid))}')
        self._check(self.args)

    def result(self) -> Any:
        args = resolve(self.args)
        if not isinstance(args, Mapping):
            raise self.fail(f'The arguments to "{self.name}" must be a map')
        self._check(args)
        scheme = args.get("scheme", "")
        if ":" in scheme:
            raise self.fail("URL \"scheme\" should not contain ':'")
        netloc = ""
        username = urlparse.quote(args.get("username", ""), safe="")
        password = urlparse.quote(args.get("password", ""), safe="")
        if username or password:
            netloc = username + (":" + password if password else "") + "@"
        host = args.get("host", "")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        host = urlparse.quote(host, safe=":")
        netloc += f"[{host}]" if ":" in host else host
        port = args.get("port", "")
        if port:
            netloc += f":{port}"
        path = urlparse.quote(args.get("path", ""))
        query = urlparse.urlencode(args.get("query", {})).replace("%2F", "/")
        fragment = urlparse.quote(args.get("fragment", ""))
        return urlparse.urlunsplit((scheme, netloc, path, query, fragment))


class ToJsonString(CalorFunction):
    """A function for turning a list or map into its JSON text."""

    def result(self) -> Any:
        value = resolve(self.args)
        if isinstance(value, str):
            return value
        text = json.dumps(value, separators=(",", ":"), default=str)
        check_length(self, len(text))
        return text
