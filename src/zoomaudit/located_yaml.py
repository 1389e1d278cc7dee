"""YAML read with the line of every key and list item, so a problem can be named as file:line.

The policy loader and the accounts file read their YAML through here: one safe loader whose
mappings and lists remember where each key and item stands, one way of mapping a pydantic error
location back to a line, and one set of messages for a file that cannot be read or parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Problem = tuple[int | None, str]
"""A line (None: the whole file) and what is wrong there."""


class LocatedMap(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LocatedSeq(list[Any]):
    """A YAML list that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the line of each key and item."""

    duplicates: list[Problem]


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data = LocatedMap()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data.key_lines:
            loader.duplicates.append((key_node.start_mark.line + 1, f"duplicate key {key!r}"))
        data.key_lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Any:
    data = LocatedSeq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` (a pydantic error location) found in ``node``."""
    line: int | None = getattr(node, "line", None)
    for part in loc:
        if isinstance(node, LocatedMap) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LocatedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def read_located(file: Path) -> tuple[Any, list[Problem]]:
    """The document of ``file`` (None when empty or unreadable) and the problems found reading it:
    unreadable, not UTF-8, a YAML syntax error, a duplicate key."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, [(None, f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        return None, [(at, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")]
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        doc = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        text = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return None, [(line, f"YAML syntax error: {text}")]
    except yaml.YAMLError as exc:
        return None, [(None, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    return doc, list(loader.duplicates)
