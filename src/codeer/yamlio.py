"""YAML in and out, with line numbers for error messages.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of duplicate
keys. We compose the node tree first (with libyaml), so every error can name its line and
duplicates are caught.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from codeer.errors import CodeerError

_FastLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FastDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _duplicate_key(node: yaml.Node | None) -> tuple[str, int, int] | None:
    """The first duplicate mapping key in a composed tree: (key, its line, first line), 0-based."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value
                    if key in seen:
                        return key, key_node.start_mark.line, seen[key]
                    seen[key] = key_node.start_mark.line
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


class LineMap:
    """Finds the line of a value by its path (keys and list indices) in the composed tree."""

    def __init__(self, root: yaml.Node | None, first_line: int = 1) -> None:
        self.root = root
        self.first_line = first_line

    def line(self, loc: Sequence[str | int]) -> int | None:
        node = self.root
        line = node.start_mark.line if node is not None else None
        for part in loc:
            if node is None:
                break
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == str(part):
                        nxt = value_node
                        line = key_node.start_mark.line
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
                line = nxt.start_mark.line
            if nxt is None:
                break
            node = nxt
        return None if line is None else line + self.first_line


def load_yaml(
    text: str, path: str | Path, *, error: type[CodeerError] = CodeerError, first_line: int = 1
) -> tuple[Any, LineMap]:
    """Parse YAML safely; syntax errors and duplicate keys become ``error`` with a line."""
    try:
        # libyaml composes the node tree (with line marks) ten times faster than pure Python
        node = yaml.compose(text, Loader=_FastLoader)
        duplicate = _duplicate_key(node)
        if duplicate is not None:
            key, at, first = duplicate
            raise error(
                f"YAML syntax error: duplicate key '{key}' (first on line {first + first_line})",
                path=path,
                line=at + first_line,
                hint="a key may appear only once in a mapping; remove or rename one",
            )
        data = yaml.load(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(
            f"YAML syntax error: {problem}",
            path=path,
            line=line,
            hint="check indentation, colons and quotes around text containing ':' or '#'",
        ) from None
    except yaml.YAMLError as exc:
        raise error(f"YAML error: {exc}", path=path, hint="check the file's syntax") from None
    return data, LineMap(node, first_line)


def load_yaml_fast(text: str) -> Any:
    """libyaml's safe loader, for hot paths; callers fall back to ``load_yaml`` for messages."""
    return yaml.load(text, Loader=_FastLoader)


def dump_yaml(data: Any) -> str:
    """Block-style, unsorted, unicode YAML: small diffs, readable Dutch."""
    return yaml.dump(
        data,
        Dumper=_FastDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def pydantic_problems(exc: Any, lines: LineMap) -> list[tuple[int | None, str]]:
    """Turn a pydantic ValidationError into (line, message) pairs naming the offending key.

    Unknown keys come first: a misspelt key ('lable') also makes the real one look missing, and
    the misspelling is what the user has to fix.
    """
    out: list[tuple[int | None, str]] = []
    errors = sorted(exc.errors(), key=lambda e: e.get("type", "") != "extra_forbidden")
    for err in errors:
        loc = tuple(err.get("loc", ()))
        where = ".".join(str(p) for p in loc) or "(top level)"
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'" if loc else "unknown key"
        elif kind == "missing":
            msg = f"missing required key '{where}'"
        else:
            msg = f"{where}: {err.get('msg', 'invalid value')}"
        out.append((lines.line(loc), msg))
    return out


M = TypeVar("M", bound=BaseModel)


def load_model(
    text: str,
    path: str | Path,
    model: type[M],
    *,
    error: type[CodeerError],
    shape: str,
    shape_hint: str,
    hint: str | Callable[[str], str],
) -> tuple[M, Any, LineMap]:
    """Parse a YAML mapping into a pydantic ``model``: (instance, raw data, line map).

    Every problem becomes ``error`` naming the file and line: YAML syntax, a top level that is
    not a mapping (``shape`` says what it should be), or the first validation problem.
    """
    raw, lines = load_yaml(text, path, error=error)
    if not isinstance(raw, dict):
        raise error(shape, path=path, line=1, hint=shape_hint)
    try:
        instance = model.model_validate(raw)
    except ValidationError as exc:
        line, msg = pydantic_problems(exc, lines)[0]
        raise error(msg, path=path, line=line, hint=hint(msg) if callable(hint) else hint) from None
    return instance, raw, lines
