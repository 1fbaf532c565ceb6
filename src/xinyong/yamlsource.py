"""YAML loading that remembers where each value came from.

Catalog and scheme files are checked with Pydantic models; a validation error carries a path of
keys and indexes (``items -> 3 -> legal_basis``), which :func:`line_of` turns back into the line
of the file, so that an error can say ``national.yaml:42: ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from xinyong.errors import InvalidCatalog


class FileModel(BaseModel):
    """A part of a catalog, scheme, policy or profile file: an unknown key is an error (a typo
    never passes silently as a default), and the loaded value cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LineDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay text: the models parse them, so "2025-13-01" is an error with a line, not a crash.
    return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


def load_yaml(path: Path, error: type[InvalidCatalog] = InvalidCatalog) -> Any:
    """Parse ``path``; a syntax error is raised as ``error`` with the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error("file is not UTF-8 text", path=str(path)) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise error(
            f"YAML syntax: {exc.problem or exc.context}", path=str(path), line=line
        ) from exc


def line_of(document: Any, loc: Sequence[int | str]) -> int | None:
    """The line of the deepest part of ``loc`` found in ``document``."""
    line: int | None = getattr(document, "line", None)
    node = document
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def describe(error: dict[str, Any]) -> str:
    """One readable sentence for one Pydantic error."""
    where = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {where!r}; check its spelling against the documentation"
    if kind == "missing":
        return f"{where!r} is required"
    return f"{where}: {error['msg']}"


M = TypeVar("M", bound=BaseModel)


def validate(
    model: type[M],
    document: Any,
    path: Path,
    error: type[InvalidCatalog] = InvalidCatalog,
    prefix: Sequence[int | str] = (),
) -> M:
    """Validate ``document`` against ``model``; the first error names the file and the line."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [*prefix, *first["loc"]]
        line = line_of(document, first["loc"])
        message = describe({**first, "loc": loc})
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''} in this entry)"
        raise error(message, path=str(path), line=line) from exc
