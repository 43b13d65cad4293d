"""Codings: one file per coder per transcript, small and diff-friendly.

Each coding keeps its exact quote beside its offsets, so a changed transcript can be re-anchored
and a wrong offset is caught instead of silently pointing at other text.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from codeer.errors import CodingsError
from codeer.yamlio import LineMap, dump_yaml, load_yaml, load_yaml_fast, pydantic_problems

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


def parse_codings(text: str, path: Path) -> CodingsFile:
    """Parse a codings file; every problem names the file and line.

    The fast path uses libyaml; only a file that fails it is parsed again, slowly, to find the
    line of the problem (and duplicate keys, which libyaml would silently merge, are caught
    by ``codeer validate``'s careful parse).
    """
    try:
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
    raw, lines = load_yaml(text, path, error=CodingsError)
    if not isinstance(raw, dict):
        raise CodingsError(
            "a codings file must be a mapping with transcript, coder, transcript_hash and codings",
            path=path,
            line=1,
            hint="restore it from version control or a backup",
        )
    try:
        cf = CodingsFile.model_validate(raw)
    except ValidationError as exc:
        line, msg = pydantic_problems(exc, lines)[0]
        raise CodingsError(
            msg, path=path, line=line, hint="each coding needs code, start, end, quote, coder"
        ) from None
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
