"""Build the bundled example project from its inline-coded sources.

The 39 example interviews are authored as ``interviews/bron/<id>.txt``: front matter plus a body
in which coder ``a``'s codings are written inline as ``[[passage]]{code.id; other.code=value}``
(nesting allowed). This script strips the markup and writes what codeer reads:

    interviews/<id>.txt               the clean transcript
    interviews/codings/a/<id>.yaml    coder a's codings, with exact code-point offsets

Offsets follow REFI-QDA: they count code points in the body after the front matter (NFC, LF),
start inclusive, end exclusive; each span is trimmed of surrounding whitespace. Coding ids and
timestamps are derived from the content (id = sha256 of transcript:start:end:code, time = the
interview date at 12:00 UTC), so a rerun produces identical files.

Usage:
    .venv/bin/python scripts/build_example.py [--project .] [--check] [IDS...]

``--check`` writes nothing and exits non-zero when any output is missing or would change (a test
runs it so the committed outputs stay in sync with the sources). Problems are reported as
``file:line: message``; a source with problems is not written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from codeer.codebook import CODE_ID, Codebook, load_codebook
from codeer.codings import Coding, CodingsFile
from codeer.errors import CodeerError, ExitCode, TranscriptError
from codeer.paths import ProjectPaths
from codeer.store import Store, atomic_write_text
from codeer.transcript import (
    SPEAKER,
    TranscriptMeta,
    content_hash,
    normalise,
    parse_transcript,
    render_transcript,
)

CODER = "a"
# `[[` opens a passage; `]]{codes}` closes it. A `]]` without `{...}` on the same line is an error.
TOKEN = re.compile(r"\[\[|\]\](?:\{(?P<codes>[^{}\n]*)\})?")
INTEGER = re.compile(r"[+-]?\d+")
FIELDWORK = (dt.date(2010, 9, 1), dt.date(2011, 2, 28))  # when the interviews were held


@dataclass(frozen=True)
class Span:
    """One code on one passage of the clean body; ``line`` is the source line of its ``{codes}``."""

    start: int
    end: int
    code: str
    value: int | str | None
    line: int


@dataclass(frozen=True)
class Markup:
    """The result of stripping markup: clean body, spans, and (line, message) problems."""

    body: str
    spans: tuple[Span, ...]
    problems: tuple[tuple[int, str], ...]


def parse_code_item(item: str) -> tuple[str, int | str | None]:
    """``code.id`` or ``code.id=value``; integer values become int. Raises ValueError."""
    code, sep, raw = item.partition("=")
    code, raw = code.strip(), raw.strip()
    if not CODE_ID.match(code):
        raise ValueError(f"'{code}' is not a code id (dotted lower-case words)")
    if not sep:
        return code, None
    if not raw:
        raise ValueError(f"'{code}=' has no value")
    return code, int(raw) if INTEGER.fullmatch(raw) else raw


def strip_markup(source: str, first_line: int = 1) -> Markup:
    """Remove ``[[...]]{...}`` markup from a body, recording each coded span in clean offsets."""
    out: list[str] = []
    length = 0  # length of the clean text so far
    stack: list[tuple[int, int]] = []  # (clean offset, source line) of each open `[[`
    spans: list[Span] = []
    problems: list[tuple[int, str]] = []
    line_no = first_line
    pos = 0
    for m in TOKEN.finditer(source):
        chunk = source[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        line_no += chunk.count("\n")
        pos = m.end()
        if m.group() == "[[":
            stack.append((length, line_no))
            continue
        if m.group("codes") is None:
            problems.append((line_no, "']]' must be followed by '{code.id}' on the same line"))
            if stack:
                stack.pop()
            continue
        if not stack:
            problems.append((line_no, f"']]{{{m.group('codes')}}}' has no opening '[['"))
            continue
        start, _ = stack.pop()
        items = [s.strip() for s in m.group("codes").split(";") if s.strip()]
        if not items:
            problems.append((line_no, "empty code list '{}'"))
        for item in items:
            try:
                code, value = parse_code_item(item)
            except ValueError as exc:
                problems.append((line_no, str(exc)))
                continue
            spans.append(Span(start, length, code, value, line_no))
    out.append(source[pos:])
    for _, line in stack:
        problems.append((line, "'[[' is never closed with ']]{code.id}'"))
    body = "".join(out)
    stray = re.search(r"[{}]", body)
    if stray:
        line = first_line + body.count("\n", 0, stray.start())
        problems.append((line, f"stray {stray.group()!r} in the text (markup is [[text]]{{code}})"))
    if normalise(body) != body:
        problems.append((first_line, "removing the markup split a combined character (not NFC)"))
    body, spans = _drop_trailing_blanks(body, spans)
    trimmed: list[Span] = []
    for sp in spans:
        start, end = sp.start, sp.end
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start == end:
            problems.append((sp.line, "coded passage is empty"))
        else:
            trimmed.append(Span(start, end, sp.code, sp.value, sp.line))
    return Markup(body, tuple(trimmed), tuple(sorted(set(problems))))


def _drop_trailing_blanks(body: str, spans: list[Span]) -> tuple[str, list[Span]]:
    """Remove spaces left at line ends (often where markup was), shifting the offsets to match."""
    cuts = [(m.start(), m.end()) for m in re.finditer(r"[ \t]+(?=\n)|[ \t]+\Z", body)]
    if not cuts:
        return body, spans
    ends = [e for _, e in cuts]
    removed = list(accumulate(e - s for s, e in cuts))

    def shift(offset: int) -> int:
        i = bisect_right(ends, offset)  # cuts wholly before offset
        before = removed[i - 1] if i else 0
        if i < len(cuts) and cuts[i][0] < offset:  # offset inside a cut: clamp to its start
            before += offset - cuts[i][0]
        return offset - before

    new_body = re.sub(r"[ \t]+(?=\n)|[ \t]+\Z", "", body)
    return new_body, [Span(shift(s.start), shift(s.end), s.code, s.value, s.line) for s in spans]


def check_codes(spans: tuple[Span, ...], codebook: Codebook | None) -> list[tuple[int, str]]:
    """Unknown codes, bad values and duplicates, each with its source line."""
    problems: list[tuple[int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    for s in spans:
        key = (s.start, s.end, s.code)
        if key in seen:
            problems.append((s.line, f"code '{s.code}' is applied twice to the same passage"))
        seen.add(key)
        if codebook is None:
            continue
        if s.code not in codebook:
            problems.append((s.line, f"unknown code '{s.code}'"))
            continue
        spec = codebook[s.code].value
        if spec is None and s.value is not None:
            problems.append((s.line, f"code '{s.code}' takes no value (got {s.value!r})"))
        elif spec is not None and s.value is None:
            kind = (
                f"an integer {spec.min}..{spec.max}"
                if spec.type == "integer"
                else " | ".join(spec.categories)
            )
            problems.append((s.line, f"code '{s.code}' needs a value ({kind}): {{{s.code}=...}}"))
        elif spec is not None:
            problem = spec.check(s.value)
            if problem:
                problems.append((s.line, f"code '{s.code}': {problem}"))
    return problems


def check_turns(body: str, first_line: int) -> list[tuple[int, str]]:
    """Every paragraph must open with a speaker label, or it silently joins the previous turn."""
    problems: list[tuple[int, str]] = []
    for m in re.finditer(r"(?:\A|\n[ \t]*\n)(?=[ \t]*\S)", body):
        if not SPEAKER.match(body, m.end()):
            line = first_line + body.count("\n", 0, m.end())
            problems.append((line, "paragraph does not start with a speaker label ('I: ', 'R: ')"))
    return problems


def coding_id(transcript: str, start: int, end: int, code: str) -> str:
    return hashlib.sha256(f"{transcript}:{start}:{end}:{code}".encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Built:
    """The two output files of one source."""

    meta: TranscriptMeta
    transcript_text: str
    codings: CodingsFile
    words: int


def build_source(path: Path, codebook: Codebook | None) -> Built:
    """Parse one source; raises TranscriptError listing every problem (first one's line)."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"not valid UTF-8 (byte {exc.start})", path=_show(path)) from None
    except OSError as exc:
        raise TranscriptError(f"cannot read: {exc.strerror}", path=_show(path)) from None
    source = parse_transcript(raw, Path(_show(path)))
    meta = source.meta
    problems: list[tuple[int, str]] = []
    if meta.id != path.stem:
        problems.append((_key_line(raw, "id"), f"id '{meta.id}' differs from the file name"))
    if meta.date is None:
        problems.append((2, "front matter needs a date (YYYY-MM-DD)"))
    elif not FIELDWORK[0] <= meta.date <= FIELDWORK[1]:
        start, end = FIELDWORK
        problems.append((_key_line(raw, "date"), f"date {meta.date} is outside {start}..{end}"))
    prefix = {"steunpunt": "sp-", "gemeente": "gem-"}.get(meta.role)
    if prefix is None:
        problems.append((_key_line(raw, "role"), "role must be steunpunt or gemeente here"))
    elif not meta.id.startswith(prefix):
        problems.append(
            (_key_line(raw, "id"), f"a {meta.role} interview's id starts with {prefix}")
        )
    markup = strip_markup(source.body, source.body_line)
    problems += markup.problems
    problems += check_codes(markup.spans, codebook)
    problems += check_turns(markup.body, source.body_line)
    if problems:
        problems.sort()
        detail = "\n".join(f"{_show(path)}:{line}: {msg}" for line, msg in problems[1:])
        line, msg = problems[0]
        raise TranscriptError(msg + ("\n" + detail if detail else ""), path=_show(path), line=line)
    body = markup.body.rstrip("\n") + "\n"
    assert meta.date is not None
    stamp = dt.datetime.combine(meta.date, dt.time(12), tzinfo=dt.UTC)
    codings = [
        Coding(
            id=coding_id(meta.id, s.start, s.end, s.code),
            code=s.code,
            start=s.start,
            end=s.end,
            quote=body[s.start : s.end],
            value=s.value,
            coder=CODER,
            created=stamp,
            modified=stamp,
        )
        for s in markup.spans
    ]
    text = render_transcript(meta, body)
    # the clean file must load back to exactly this body, or every offset would be off
    if parse_transcript(text, path).body != body:
        raise TranscriptError("clean transcript does not round-trip", path=_show(path), line=1)
    cf = CodingsFile(
        transcript=meta.id, coder=CODER, transcript_hash=content_hash(body), codings=codings
    )
    return Built(meta, text, cf, len(body.split()))


def _key_line(raw: str, key: str) -> int:
    """The line of ``key:`` in the front matter (for messages)."""
    for number, line in enumerate(raw.splitlines()[1:], start=2):
        if line.startswith(f"{key}:") or line.strip() == "---":
            return number
    return 2


def _show(path: Path) -> str:
    """A path as short as possible for messages (relative to the working folder)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=".", help="project folder (default: .)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if out of date")
    parser.add_argument("ids", nargs="*", help="only these transcript ids (default: all)")
    args = parser.parse_args(argv)
    paths = ProjectPaths.of(args.project)
    store = Store(paths)
    try:
        books = paths.codebook_files()
        codebook = load_codebook(books) if books else None
    except CodeerError as exc:
        print(str(exc), file=sys.stderr)
        return int(exc.exit_code)
    sources = sorted(paths.interview_sources.glob("*.txt"))
    if args.ids:
        wanted = set(args.ids)
        missing = wanted - {p.stem for p in sources}
        for tid in sorted(missing):
            print(f"{_show(paths.interview_sources)}: no source '{tid}.txt'", file=sys.stderr)
        if missing:
            return int(ExitCode.UNREADABLE)
        sources = [p for p in sources if p.stem in wanted]
    if codebook is None:
        print("note: no codebook found, code ids are not checked", file=sys.stderr)
    failed = stale = 0
    total_words = total_codings = 0
    for path in sources:
        try:
            built = build_source(path, codebook)
        except CodeerError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        tid = built.meta.id
        outputs = {
            paths.transcript_file(tid): built.transcript_text,
            paths.codings_file(CODER, tid): built.codings.to_yaml(),
        }
        changed = [p for p, text in outputs.items() if _read(p) != text]
        if args.check:
            for p in changed:
                print(f"{_show(p)}: out of date (run scripts/build_example.py)", file=sys.stderr)
            stale += bool(changed)
        elif changed:
            try:
                atomic_write_text(paths.transcript_file(tid), built.transcript_text)
                store.save(built.codings)
            except CodeerError as exc:
                print(str(exc), file=sys.stderr)
                failed += 1
                continue
        n = len(built.codings.codings)
        total_words += built.words
        total_codings += n
        state = ("stale" if changed else "ok") if args.check else ("written" if changed else "same")
        print(f"{tid:<22} {built.words:>6} words {n:>5} codings  {state}")
    if args.check and not args.ids:
        known = {p.stem for p in sources}
        outputs_found = [*paths.transcript_files(), *paths.coder_dir(CODER).glob("*.yaml")]
        for p in sorted(outputs_found):
            if p.stem not in known:
                print(f"{_show(p)}: no source in {_show(paths.interview_sources)}", file=sys.stderr)
                stale += 1
    print(
        f"{'total':<22} {total_words:>6} words {total_codings:>5} codings  ({len(sources)} files)"
    )
    if failed or stale:
        return int(ExitCode.PROBLEMS)
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
