"""Codings: one file per coder per transcript, small and diff-friendly.

Each coding keeps its exact quote beside its offsets, so a changed transcript can be re-anchored
and a wrong offset is caught instead of silently pointing at other text.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from codeer.errors import CodingsError
from codeer.yamlio import LineMap, dump_yaml, load_model, load_yaml_fast

Anchor = Literal["kept", "moved", "fuzzy", "orphaned"]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def new_coding_id() -> str:
    return secrets.token_hex(4)


class Coding(BaseModel):
    """One code applied to one span of one transcript by one coder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=new_coding_id)
    code: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str
    value: int | str | None = None
    memo: str | None = None
    coder: str
    created: dt.datetime = Field(default_factory=now)
    modified: dt.datetime = Field(default_factory=now)
    anchor: Anchor | None = None  # set when re-anchoring moved or orphaned this coding

    @model_validator(mode="after")
    def _span(self) -> Coding:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class CodingsFile(BaseModel):
    """The codings of one coder on one transcript."""

    model_config = ConfigDict(extra="forbid")

    transcript: str
    coder: str
    transcript_hash: str
    codings: list[Coding] = Field(default_factory=list)

    def sorted(self) -> CodingsFile:
        return self.model_copy(
            update={"codings": sorted(self.codings, key=lambda c: (c.start, c.end, c.code, c.id))}
        )

    def to_yaml(self) -> str:
        data = self.sorted().model_dump(mode="json", exclude_none=True)
        for item in data["codings"]:
            if item.get("anchor") == "kept":
                item.pop("anchor")
        return dump_yaml(data)


_KEY_LINE = re.compile(r"(- |  )([a-z_]+): (.*)\Z")
_HEAD_LINE = re.compile(r"[a-z_]+: \S.*\Z")
_INT = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # as codeer.yamlio loads
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"


def _plain_tag(value: str) -> str:
    """The tag the loader's implicit resolvers give a plain scalar (``Resolver.resolve``)."""
    resolvers = _LOADER.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[:1], []) + resolvers.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR_TAG


def _scalar(parts: list[str]) -> int | str | None:
    """A value as the safe loader reads it, or None when it is not a form known here."""
    if len(parts) == 1 and (v := parts[0]).startswith("'"):
        inner = v[1:-1]
        if len(v) < 2 or not v.endswith("'") or "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'") if inner.isprintable() else None
    for part in parts:  # a plain scalar, possibly folded over several lines
        if (
            not part
            or part[0] in _NOT_PLAIN_START
            or part != part.strip()
            or ": " in part
            or " #" in part
            or part.endswith(":")
            or not part.isprintable()
        ):
            return None
    value = " ".join(parts)
    tag = _plain_tag(value)
    if tag == _STR_TAG:
        return value
    if tag == _INT_TAG and _INT.match(value):
        return int(value)
    return None


def _canonical_item(lines: list[str]) -> dict[str, Any] | None:
    item: dict[str, Any] = {}
    key: str | None = None
    parts: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("    ") and key is not None:
            parts.append(line.lstrip(" "))
            continue
        m = _KEY_LINE.match(line)
        if m is None or (m.group(1) == "- ") != (i == 0) or m.group(2) in item:
            return None
        if key is not None:
            value = _scalar(parts)
            if value is None:
                return None
            item[key] = value
        key, parts = m.group(2), [m.group(3)]
    if key is None or (value := _scalar(parts)) is None:
        return None
    item[key] = value
    return item


def load_canonical(text: str) -> dict[str, Any] | None:
    """Read a codings file in the exact shape codeer writes, ten times faster than libyaml.

    The safe loader spends most of a long transcript's load building and resolving nodes in
    Python. Each coding codeer writes is a block of ``key: value`` lines with plain (possibly
    folded), single-quoted or integer scalars; such an item is read here with the loader's own
    implicit resolvers, and any other item is handed to libyaml. A file of any other shape
    returns None (the caller uses libyaml for all of it), so the result is what
    ``load_yaml_fast`` returns.
    """
    head, sep, rest = text.partition("\ncodings:\n")
    if not sep or not rest.startswith("- ") or not rest.endswith("\n"):
        return None
    head_lines = head.split("\n")
    if not all(_HEAD_LINE.match(x) for x in head_lines):
        return None
    data = load_yaml_fast(head + "\n")
    if not isinstance(data, dict) or "codings" in data or len(data) != len(head_lines):
        return None
    items: list[Any] = []
    lines = rest[:-1].split("\n")
    start = 0
    for i in range(1, len(lines) + 1):
        if i < len(lines) and not lines[i].startswith("- "):
            if not lines[i].startswith("  "):
                return None  # another top-level key, a blank line or a comment
            continue
        chunk = lines[start:i]
        item = _canonical_item(chunk)
        if item is None:
            parsed = load_yaml_fast("\n".join(chunk) + "\n")
            if not isinstance(parsed, list) or len(parsed) != 1:
                return None
            item = parsed[0]
        items.append(item)
        start = i
    data["codings"] = items
    return data


def parse_codings(text: str, path: Path) -> CodingsFile:
    """Parse a codings file; every problem names the file and line.

    The fast path uses libyaml; only a file that fails it is parsed again, slowly, to find the
    line of the problem (and duplicate keys, which libyaml would silently merge, are caught
    by ``codeer validate``'s careful parse).
    """
    try:
        raw = load_canonical(text)
        if raw is None:
            raw = load_yaml_fast(text)
        if isinstance(raw, dict):
            cf = CodingsFile.model_validate(raw)
            if len({c.id for c in cf.codings}) == len(cf.codings):
                return cf
    except (yaml.YAMLError, ValidationError):
        pass
    return parse_codings_with_lines(text, path)[0]


def parse_codings_with_lines(text: str, path: Path) -> tuple[CodingsFile, LineMap]:
    """Like ``parse_codings``, also returning where each value is, for later messages."""
    cf, _, lines = load_model(
        text,
        path,
        CodingsFile,
        error=CodingsError,
        shape="a codings file must be a mapping with transcript, coder, transcript_hash and codings",
        shape_hint="restore it from version control or a backup",
        hint="each coding needs code, start, end, quote, coder",
    )
    seen: dict[str, int] = {}
    for i, c in enumerate(cf.codings):
        if c.id in seen:
            raise CodingsError(
                f"duplicate coding id '{c.id}' (also coding #{seen[c.id] + 1})",
                path=path,
                line=lines.line(("codings", i)),
                hint="give one of them a new id",
            )
        seen[c.id] = i
    return cf, lines
