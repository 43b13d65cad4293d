"""Transcripts: YAML front matter plus speaker turns.

The body is normalised to NFC and LF on load; every offset in codeer counts Unicode code points
in that body, start inclusive, end exclusive (the REFI-QDA convention), so codings stay valid
whichever editor last touched the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from codeer.errors import TranscriptError
from codeer.yamlio import load_yaml, pydantic_problems

Role = Literal["steunpunt", "gemeente", "other"]
_NAME = r"[A-ZÀ-Þ][\w.'\-]*"
_PARTICLE = r"(?:van|de|der|den|ten|ter|te|het|'t|la|le|el|al|bin)"
SPEAKER = re.compile(
    rf"^(?P<label>{_NAME}(?: (?:{_PARTICLE} )*{_NAME}){{0,3}}):[ \t]", re.MULTILINE
)
"""A turn marker: ``I:``, ``R2:``, ``Coördinator:``, ``Jan van der Berg:`` at the start of a line.

Every word is capitalised except Dutch name particles, so ``Eerlijk gezegd: ...`` inside an answer
does not start a turn. A transcript can list its ``speakers`` in the front matter to be exact.
"""
TRANSCRIPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class TranscriptMeta(BaseModel):
    """The front matter of a transcript."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    case: str
    role: Role
    date: dt.date | None = None
    interviewer: str = ""
    respondent: str = ""
    title: str = ""
    notes: str = ""
    speakers: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_format(cls, v: str) -> str:
        if not TRANSCRIPT_ID.match(v):
            raise ValueError(f"id {v!r} may hold only letters, digits, '_', '.', '-'")
        return v


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: ``start``/``end`` span the whole turn, ``text_start`` skips the marker."""

    index: int
    speaker: str
    start: int
    text_start: int
    end: int

    @property
    def is_interviewer(self) -> bool:
        return self.speaker in {"I", "Interviewer"}


@dataclass(frozen=True)
class Transcript:
    """A loaded transcript: metadata, normalised body and turns."""

    meta: TranscriptMeta
    body: str
    turns: tuple[Turn, ...]
    path: Path | None = None
    body_line: int = 1  # file line on which the body starts

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def case(self) -> str:
        return self.meta.case

    @property
    def role(self) -> str:
        return self.meta.role

    @property
    def content_hash(self) -> str:
        return content_hash(self.body)

    def line_of(self, offset: int) -> int:
        """The file line holding body offset ``offset`` (for messages)."""
        return self.body_line + self.body.count("\n", 0, max(0, min(offset, len(self.body))))

    def turn_at(self, offset: int) -> Turn | None:
        for turn in self.turns:
            if turn.start <= offset < turn.end:
                return turn
        return None


def content_hash(body: str) -> str:
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """NFC and LF: the canonical form that offsets count in."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))


def speaker_pattern(speakers: tuple[str, ...] = ()) -> re.Pattern[str]:
    """The default marker pattern, or exactly the declared speakers' labels."""
    if not speakers:
        return SPEAKER
    labels = "|".join(re.escape(s) for s in sorted(speakers, key=len, reverse=True))
    return re.compile(rf"^(?P<label>{labels}):[ \t]", re.MULTILINE)


def split_turns(body: str, speakers: tuple[str, ...] = ()) -> tuple[Turn, ...]:
    """Turns start at a line beginning ``Label:``; text before the first marker is turn 0 of ''."""
    marks = list(speaker_pattern(speakers).finditer(body))
    turns: list[Turn] = []
    if not marks:
        if body.strip():
            turns.append(Turn(0, "", 0, 0, len(body)))
        return tuple(turns)
    if body[: marks[0].start()].strip():
        turns.append(Turn(0, "", 0, 0, marks[0].start()))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        # a turn ends before the trailing newlines that separate it from the next
        while end > m.end() and body[end - 1] == "\n":
            end -= 1
        turns.append(Turn(len(turns), m.group("label").strip(), m.start(), m.end(), end))
    return tuple(turns)


def parse_transcript(raw: str, path: Path) -> Transcript:
    text = normalise(raw)
    if not text.startswith("---\n"):
        raise TranscriptError(
            "missing YAML front matter",
            path=path,
            line=1,
            hint="start the file with '---', then id, case, role, date, interviewer, respondent, then '---'",
        )
    close = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if close is None:
        raise TranscriptError(
            "front matter is not closed",
            path=path,
            line=1,
            hint="add a line '---' after the front matter",
        )
    header = text[4 : 4 + close.start()]
    after = 4 + close.end()
    if text[after : after + 1] == "\n":
        after += 1
    body = text[after:]
    body_line = text.count("\n", 0, after) + 1
    data, lines = load_yaml(header, path, error=TranscriptError, first_line=2)
    if not isinstance(data, dict):
        raise TranscriptError(
            "front matter must be a mapping", path=path, line=2, hint="write 'key: value' lines"
        )
    try:
        meta = TranscriptMeta.model_validate(data)
    except ValidationError as exc:
        line, msg = pydantic_problems(exc, lines)[0]
        raise TranscriptError(
            f"front matter: {msg}",
            path=path,
            line=line,
            hint="keys: id, case, role (steunpunt | gemeente | other), date (YYYY-MM-DD), interviewer, respondent, speakers",
        ) from None
    return Transcript(meta, body, split_turns(body, meta.speakers), path, body_line)


def load_transcript(path: Path) -> Transcript:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            f"not valid UTF-8 (byte {exc.start})", path=path, hint="save the transcript as UTF-8"
        ) from None
    except OSError as exc:
        raise TranscriptError(f"cannot read: {exc.strerror}", path=path) from None
    return parse_transcript(raw, path)


def render_transcript(meta: TranscriptMeta, body: str) -> str:
    """The file text for a transcript (used by scripts that author the example)."""
    from codeer.yamlio import dump_yaml

    header = dump_yaml(meta.model_dump(mode="python", exclude_defaults=True))
    return f"---\n{header}---\n{body}"
