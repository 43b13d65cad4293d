"""The codebook: hierarchical codes with stable dotted ids, loaded from YAML and validated.

Codes nest under ``children``; every id is written out in full (``organisatie.huiskamer``) so a
coding keeps pointing at the same code when the tree is reorganised, and a child's id must
extend its parent's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from codeer.errors import CodebookError
from codeer.yamlio import LineMap, load_model

CODE_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ValueSpec(BaseModel):
    """What a valued code carries: an integer (with bounds) or one of a list of categories."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["integer", "category"]
    categories: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    label: str | None = None

    def check(self, value: object) -> str | None:
        """Return a problem description, or None when ``value`` fits."""
        if self.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"expected an integer, got {value!r}"
            if self.min is not None and value < self.min:
                return f"{value} is below the minimum {self.min}"
            if self.max is not None and value > self.max:
                return f"{value} is above the maximum {self.max}"
            return None
        if not isinstance(value, str) or value not in self.categories:
            return f"expected one of {', '.join(self.categories)}, got {value!r}"
        return None

    def parse(self, text: str) -> int | str:
        """Parse a typed-in value; raises ValueError with a readable message."""
        text = text.strip()
        if self.type == "integer":
            try:
                value: int | str = int(text)
            except ValueError:
                raise ValueError(f"expected an integer, got {text!r}") from None
        else:
            value = text
        problem = self.check(value)
        if problem:
            raise ValueError(problem)
        return value


class Code(BaseModel):
    """One code of the codebook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    colour: str | None = None
    value: ValueSpec | None = None
    see_also: tuple[str, ...] = ()
    children: tuple[Code, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_format(cls, v: str) -> str:
        if not CODE_ID.match(v):
            raise ValueError(
                f"code id {v!r} must be dotted lower-case words (a-z, 0-9, _), e.g. organisatie.huiskamer"
            )
        return v

    @field_validator("colour")
    @classmethod
    def _colour_format(cls, v: str | None) -> str | None:
        if v is not None and not COLOUR.match(v):
            raise ValueError(f"colour {v!r} must be #rrggbb")
        return v

    @property
    def parent_id(self) -> str | None:
        return self.id.rsplit(".", 1)[0] if "." in self.id else None

    @property
    def depth(self) -> int:
        return self.id.count(".")


class CodebookFile(BaseModel):
    """The file format: a header and the top-level codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int | str = 1
    language: str = "nl"
    description: str = ""
    codes: tuple[Code, ...] = Field(min_length=1)


PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
    "#808000", "#ffd8b1", "#000075", "#808080",
)  # fmt: skip


class Codebook:
    """All codes of a project, flattened by id, in file order."""

    def __init__(self, files: list[tuple[Path, CodebookFile]]) -> None:
        self.files = files
        self.codes: dict[str, Code] = {}
        self.source: dict[str, Path] = {}
        for path, cb in files:
            for code in _walk(cb.codes):
                self.codes[code.id] = code
                self.source[code.id] = path

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.codes

    def __getitem__(self, code_id: str) -> Code:
        return self.codes[code_id]

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def name(self) -> str:
        return self.files[0][1].name if self.files else ""

    def children(self, code_id: str | None) -> list[Code]:
        if code_id is None:
            return [c for _, cb in self.files for c in cb.codes]
        return list(self.codes[code_id].children)

    def descendants(self, code_id: str) -> list[str]:
        """The code and every code below it: a coding of a child counts for the parent."""
        return [c for c in self.codes if c == code_id or c.startswith(code_id + ".")]

    def colour(self, code_id: str) -> str:
        """The code's own colour, else its nearest ancestor's, else one from a fixed palette."""
        cid: str | None = code_id
        while cid is not None:
            code = self.codes.get(cid)
            if code is not None and code.colour:
                return code.colour
            cid = cid.rsplit(".", 1)[0] if "." in cid else None
        return (
            PALETTE[list(self.codes).index(code_id) % len(PALETTE)]
            if code_id in self
            else "#808080"
        )


def _walk(codes: tuple[Code, ...]) -> Iterator[Code]:
    for code in codes:
        yield code
        yield from _walk(code.children)


def _code_paths(
    raw: Any, prefix: tuple[str | int, ...] = ("codes",)
) -> dict[str, tuple[str | int, ...]]:
    """Map each code id to its YAML location, for line numbers in semantic errors."""
    out: dict[str, tuple[str | int, ...]] = {}
    if not isinstance(raw, list):
        return out
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            loc = (*prefix, i)
            if isinstance(item.get("id"), str):
                out.setdefault(item["id"], loc)
            out.update(_code_paths(item.get("children"), (*loc, "children")))
    return out


def parse_codebook(
    text: str, path: Path
) -> tuple[CodebookFile, LineMap, dict[str, tuple[str | int, ...]]]:
    """Parse and check one codebook file; raise CodebookError naming file and line."""
    cb, raw, lines = load_model(
        text,
        path,
        CodebookFile,
        error=CodebookError,
        shape="a codebook must be a mapping with 'name' and 'codes'",
        shape_hint="start the file with 'name: ...' and 'codes:'",
        hint=_hint_for,
    )
    locs = _code_paths(raw.get("codes"))
    for code in _walk(cb.codes):
        for child in code.children:
            if not child.id.startswith(code.id + "."):
                raise CodebookError(
                    f"code '{child.id}' is a child of '{code.id}' but its id does not start with '{code.id}.'",
                    path=path,
                    line=lines.line(locs.get(child.id, ())),
                    hint=f"rename it to '{code.id}.{child.id.rsplit('.', 1)[-1]}' or move it",
                )
        if code.value is not None and code.value.type == "category" and not code.value.categories:
            raise CodebookError(
                f"code '{code.id}' has a category value but lists no categories",
                path=path,
                line=lines.line((*locs.get(code.id, ()), "value")),
                hint="add 'categories: [..]' under 'value'",
            )
    return cb, lines, locs


def _hint_for(msg: str) -> str:
    if msg.startswith("unknown key"):
        return "allowed keys: id, label, definition, include, exclude, example, keywords, exclude_keywords, patterns, colour, value, see_also, children"
    if msg.startswith("missing"):
        return "every code needs at least 'id' and 'label'"
    return "see the codebook format in the README"


def load_codebook(paths: list[Path]) -> Codebook:
    """Load every codebook file of a project; duplicate ids and dangling references are errors."""
    if not paths:
        raise CodebookError(
            "no codebook found", path="codebooks/", hint="add a codebooks/<name>.yaml file"
        )
    parsed: list[tuple[Path, CodebookFile]] = []
    seen: dict[str, tuple[Path, int | None]] = {}
    where: dict[str, tuple[Path, int | None]] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CodebookError(
                f"not valid UTF-8 (byte {exc.start})", path=path, hint="save the file as UTF-8"
            ) from None
        except OSError as exc:
            raise CodebookError(f"cannot read: {exc.strerror}", path=path) from None
        cb, lines, locs = parse_codebook(text, path)
        for code in _walk(cb.codes):
            line = lines.line(locs.get(code.id, ()))
            if code.id in seen:
                first_path, first_line = seen[code.id]
                raise CodebookError(
                    f"duplicate code id '{code.id}' (first defined at {first_path}:{first_line})",
                    path=path,
                    line=line,
                    hint="code ids must be unique across all codebooks",
                )
            seen[code.id] = (path, line)
            where[code.id] = (path, lines.line((*locs.get(code.id, ()), "see_also")))
        parsed.append((path, cb))
    book = Codebook(parsed)
    for code in book:
        for ref in code.see_also:
            if ref not in book:
                path, line = where[code.id]
                raise CodebookError(
                    f"code '{code.id}' refers to unknown code '{ref}' in see_also",
                    path=path,
                    line=line,
                    hint="fix the id or remove the reference",
                )
    return book
