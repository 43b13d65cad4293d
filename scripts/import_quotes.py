"""Import a coder's quote lists into codings files, with exact code-point offsets.

A second coder of the bundled example writes, per transcript, a plain list of quotes copied from
the clean transcript (``interviews/codings-<coder>-bron/<id>.yaml``)::

    transcript: sp-eindhoven
    coder: b
    codings:
      - code: voorzieningen.huiskamer.vrijwillig
        quote: "exact text copied from the transcript body"
        value: 3          # only for valued codes
        memo: ...         # optional
        occurrence: 2     # optional: which one, when the quote text occurs more than once

This script finds each quote in the transcript body (NFC, LF; offsets count code points after the
front matter, start inclusive, end exclusive) and writes ``interviews/codings/<coder>/<id>.yaml``
through the store. Ids and timestamps are fixed (id = sha256 of transcript:start:end:code:coder),
so a rerun produces identical files. Quoting by text instead of by offset keeps the list readable
and lets a reviewer check every coding against the transcript with a text search.

Usage:
    .venv/bin/python scripts/import_quotes.py [--project .] [--coder b] [--check] [IDS...]

Problems (quote not found, with the closest passage; ambiguous quote; unknown code; bad value)
are reported as ``file:line: message``; when there is any problem nothing is written and the exit
code is non-zero. ``--check`` writes nothing and fails when an output is missing or out of date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from codeer.codebook import Codebook, load_codebook
from codeer.codings import Coding, CodingsFile
from codeer.errors import CodeerError, CodingsError, ExitCode
from codeer.paths import ProjectPaths, is_valid_coder_name
from codeer.store import Store
from codeer.transcript import Transcript, load_transcript, normalise
from codeer.yamlio import LineMap, load_model

STAMP = dt.datetime(2011, 1, 20, 10, 0, tzinfo=dt.UTC)  # when coder b did the coding
DEFAULT_CODER = "b"


def quote_lists_dir(paths: ProjectPaths, coder: str) -> Path:
    """Where a coder's hand-written quote lists live (next to the generated codings)."""
    return paths.quote_lists(coder)


class QuoteItem(BaseModel):
    """One coding as a coder writes it: a code and the exact text it applies to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    quote: str = Field(min_length=1)
    value: int | str | None = None
    memo: str | None = None
    occurrence: int | None = Field(default=None, ge=1)


class QuoteList(BaseModel):
    """The quote list of one coder on one transcript."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transcript: str
    coder: str
    codings: list[QuoteItem] = Field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def coding_id(transcript: str, start: int, end: int, code: str, coder: str) -> str:
    return hashlib.sha256(f"{transcript}:{start}:{end}:{code}:{coder}".encode()).hexdigest()[:8]


def find_all(body: str, quote: str) -> list[int]:
    """Every start offset of ``quote`` in ``body`` (overlapping matches included)."""
    starts: list[int] = []
    i = body.find(quote)
    while i != -1:
        starts.append(i)
        i = body.find(quote, i + 1)
    return starts


def closest(body: str, quote: str) -> tuple[int, str, float]:
    """The passage of ``body`` most like ``quote``: (start, text, score 0-100)."""
    al = fuzz.partial_ratio_alignment(quote, body)
    if al is None:
        return 0, "", 0.0
    return al.dest_start, body[al.dest_start : al.dest_end], al.score


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_quote_list(path: Path, shown: str) -> tuple[QuoteList, LineMap]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodingsError(f"not valid UTF-8 (byte {exc.start})", path=shown) from None
    except OSError as exc:
        raise CodingsError(f"cannot read: {exc.strerror}", path=shown) from None
    ql, _, lines = load_model(
        text,
        shown,
        QuoteList,
        error=CodingsError,
        shape="a quote list must be a mapping with transcript, coder and codings",
        shape_hint="see the format in scripts/import_quotes.py",
        hint="keys: code, quote, value, memo, occurrence",
    )
    return ql, lines


def locate(item: QuoteItem, transcript: Transcript) -> tuple[int, int] | str:
    """The (start, end) of the quote in the body, or a message saying why it cannot be placed."""
    quote = normalise(item.quote).strip()
    if not quote:
        return "quote is empty"
    body = transcript.body
    starts = find_all(body, quote)
    if not starts:
        at, text, score = closest(body, quote)
        return (
            f"quote not found: {_short(quote)!r}; closest ({score:.0f}%) on transcript line "
            f"{transcript.line_of(at)}: {_short(text)!r}"
        )
    if item.occurrence is None:
        if len(starts) > 1:
            where = ", ".join(str(transcript.line_of(s)) for s in starts)
            return (
                f"quote occurs {len(starts)} times (transcript lines {where}); "
                "add 'occurrence: N' or quote more text"
            )
        start = starts[0]
    elif item.occurrence > len(starts):
        return f"occurrence {item.occurrence} asked, but the quote occurs {len(starts)} time(s)"
    else:
        start = starts[item.occurrence - 1]
    return start, start + len(quote)


def build(
    ql: QuoteList, lines: LineMap, shown: str, transcript: Transcript, codebook: Codebook
) -> tuple[CodingsFile, list[Problem]]:
    problems: list[Problem] = []
    codings: list[Coding] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(ql.codings):

        def add(key: str, message: str, i: int = i) -> None:
            problems.append(Problem(shown, lines.line(("codings", i, key)), message))

        code = codebook.codes.get(item.code)
        if code is None:
            add("code", f"unknown code '{item.code}'")
            continue
        if code.value is not None:
            if item.value is None:
                add("code", f"code '{item.code}' needs a value ({code.value.label or 'value'})")
                continue
            issue = code.value.check(item.value)
            if issue:
                add("value", f"bad value for '{item.code}': {issue}")
                continue
        elif item.value is not None:
            add("value", f"code '{item.code}' takes no value")
            continue
        span = locate(item, transcript)
        if isinstance(span, str):
            add("quote", span)
            continue
        start, end = span
        cid = coding_id(ql.transcript, start, end, item.code, ql.coder)
        if cid in seen:
            add("quote", f"same code on the same passage as coding #{seen[cid] + 1}")
            continue
        seen[cid] = i
        codings.append(
            Coding(
                id=cid,
                code=item.code,
                start=start,
                end=end,
                quote=transcript.body[start:end],
                value=item.value,
                memo=item.memo,
                coder=ql.coder,
                created=STAMP,
                modified=STAMP,
            )
        )
    cf = CodingsFile(
        transcript=ql.transcript,
        coder=ql.coder,
        transcript_hash=transcript.content_hash,
        codings=codings,
    )
    return cf, problems


def _show(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def import_file(
    path: Path, paths: ProjectPaths, codebook: Codebook, coder: str
) -> tuple[CodingsFile | None, list[Problem]]:
    shown = _show(path)
    try:
        ql, lines = load_quote_list(path, shown)
    except CodeerError as exc:
        hint = f" (hint: {exc.hint})" if exc.hint else ""
        return None, [Problem(shown, exc.line, exc.message + hint)]
    if ql.transcript != path.stem:
        return None, [
            Problem(
                shown,
                lines.line(("transcript",)),
                f"transcript '{ql.transcript}' differs from the file name",
            )
        ]
    if ql.coder != coder or not is_valid_coder_name(ql.coder):
        return None, [
            Problem(shown, lines.line(("coder",)), f"coder '{ql.coder}' is not '{coder}'")
        ]
    tpath = paths.transcript_file(ql.transcript)
    if not tpath.is_file():
        return None, [Problem(shown, lines.line(("transcript",)), f"no transcript {_show(tpath)}")]
    try:
        transcript = load_transcript(tpath)
    except CodeerError as exc:
        return None, [Problem(shown, lines.line(("transcript",)), str(exc))]
    cf, problems = build(ql, lines, shown, transcript, codebook)
    return (None if problems else cf), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=".", help="project folder (default: .)")
    parser.add_argument("--coder", default=DEFAULT_CODER, help="coder name (default: b)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if out of date")
    parser.add_argument("ids", nargs="*", help="only these transcript ids (default: all)")
    args = parser.parse_args(argv)
    paths = ProjectPaths.of(args.project)
    store = Store(paths)
    try:
        codebook = load_codebook(paths.codebook_files())
    except CodeerError as exc:
        print(str(exc), file=sys.stderr)
        return int(exc.exit_code)
    folder = quote_lists_dir(paths, args.coder)
    sources = sorted(folder.glob("*.yaml"))
    if args.ids:
        missing = set(args.ids) - {p.stem for p in sources}
        for tid in sorted(missing):
            print(f"{_show(folder)}: no quote list '{tid}.yaml'", file=sys.stderr)
        if missing:
            return int(ExitCode.UNREADABLE)
        sources = [p for p in sources if p.stem in set(args.ids)]
    built: list[CodingsFile] = []
    problems: list[Problem] = []
    for path in sources:
        cf, found = import_file(path, paths, codebook, args.coder)
        problems += found
        if cf is not None:
            built.append(cf)
    for p in problems:
        print(str(p), file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s); nothing written", file=sys.stderr)
        return int(ExitCode.PROBLEMS)
    stale = 0
    for cf in built:
        target = paths.codings_file(args.coder, cf.transcript)
        changed = _read(target) != cf.to_yaml()
        if args.check:
            if changed:
                print(
                    f"{_show(target)}: out of date (run scripts/import_quotes.py)", file=sys.stderr
                )
            stale += changed
        elif changed:
            try:
                store.save(cf)
            except CodeerError as exc:
                print(str(exc), file=sys.stderr)
                return int(exc.exit_code)
        state = ("stale" if changed else "ok") if args.check else ("written" if changed else "same")
        print(f"{cf.transcript:<22} {len(cf.codings):>5} codings  {state}")
    if args.check and not args.ids:
        known = {p.stem for p in sources}
        for p in sorted(paths.coder_dir(args.coder).glob("*.yaml")):
            if p.stem not in known:
                print(f"{_show(p)}: no quote list in {_show(folder)}", file=sys.stderr)
                stale += 1
    total = sum(len(cf.codings) for cf in built)
    print(f"{'total':<22} {total:>5} codings  ({len(built)} files)")
    return int(ExitCode.PROBLEMS if stale else ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
