"""Checking a whole project: codebook, transcripts and every coder's codings.

Findings are collected, not raised, so a user sees every problem at once, each with the file
and line to open and a hint on how to fix it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from codeer.anchoring import AnchorResult, reanchor
from codeer.codebook import Codebook, load_codebook
from codeer.codings import CodingsFile, parse_codings_with_lines
from codeer.errors import CodeerError, ProjectError
from codeer.paths import ProjectPaths, is_valid_coder_name
from codeer.store import STALE_TEMP_AGE, Store, temp_files, temp_target
from codeer.transcript import Transcript, load_transcript
from codeer.yamlio import LineMap

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem, located."""

    severity: Severity
    kind: str
    path: str
    line: int | None
    message: str
    hint: str = ""

    def format(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None:
            with contextlib.suppress(ValueError):
                path = str(Path(self.path).resolve().relative_to(root))
        where = f"{path}:{self.line}" if self.line is not None else path
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass
class Report:
    """All findings plus the counts the summary table shows."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    codes: int = 0
    transcripts: Counter[str] = field(default_factory=Counter)
    codings: Counter[str] = field(default_factory=Counter)  # per coder
    coded_files: Counter[str] = field(default_factory=Counter)  # per coder
    anchors: Counter[str] = field(default_factory=Counter)  # kept/moved/fuzzy/orphaned
    reanchored: dict[tuple[str, str], CodingsFile] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, exc: CodeerError, kind: str) -> None:
        self.findings.append(
            Finding(
                "error", kind, exc.path or str(self.root), exc.line, exc.message, exc.hint or ""
            )
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "project": str(self.root),
            "ok": self.ok,
            "codes": self.codes,
            "transcripts": dict(self.transcripts),
            "codings": dict(self.codings),
            "coded_files": dict(self.coded_files),
            "anchors": dict(self.anchors),
            "findings": [asdict(f) for f in self.findings],
        }


def validate_project(root: str | Path) -> Report:
    """Check everything; raises ProjectError only when the folder is not a project at all."""
    paths = ProjectPaths.of(root)
    if not paths.root.is_dir():
        raise ProjectError("project folder does not exist", path=paths.root, hint="check --project")
    if not paths.codebooks.is_dir() and not paths.interviews.is_dir():
        raise ProjectError(
            "not a codeer project (no codebooks/ or interviews/ folder)",
            path=paths.root,
            hint="run codeer in the project folder or pass --project PATH",
        )
    report = Report(paths.root)
    codebook = _check_codebook(paths, report)
    transcripts = _check_transcripts(paths, report)
    _check_codings(paths, report, codebook, transcripts)
    _check_temp_files(paths, report)
    return report


def _check_temp_files(paths: ProjectPaths, report: Report) -> None:
    """Warn about temp files of interrupted saves in the folders codeer writes to.

    Only names of codeer's own pattern (``.<target>.<8 random>.tmp``) are listed; hidden folders
    are not entered, so a project that is also a source tree (.git, .venv) stays quick to check.
    """
    now = time.time()
    for top in (paths.codebooks, paths.interviews, paths.variables):
        if not top.is_dir():
            continue
        for folder, dirs, _files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for tmp in sorted(temp_files(Path(folder))):
                try:
                    age = now - tmp.lstat().st_mtime
                except OSError:
                    continue
                target = tmp.with_name(temp_target(tmp.name) or "")
                report.findings.append(
                    Finding(
                        "warning",
                        "temp file",
                        str(tmp),
                        None,
                        f"temp file of an interrupted save of {target.name} ({_age_text(age)} old)",
                        "left by a codeer killed while saving; delete it if no codeer is running "
                        f"(the next save of {target.name} removes it once older than "
                        f"{STALE_TEMP_AGE / 3600:g} h)",
                    )
                )


def _age_text(seconds: float) -> str:
    if seconds < 120:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def _check_codebook(paths: ProjectPaths, report: Report) -> Codebook | None:
    try:
        codebook = load_codebook(paths.codebook_files())
    except CodeerError as exc:
        report.add_error(exc, "codebook")
        return None
    report.codes = len(codebook)
    return codebook


def _check_transcripts(paths: ProjectPaths, report: Report) -> dict[str, Transcript]:
    out: dict[str, Transcript] = {}
    files = paths.transcript_files()
    if not files:
        report.findings.append(
            Finding(
                "warning",
                "transcript",
                str(paths.interviews),
                None,
                "no transcripts (*.txt)",
                "add interviews/<id>.txt files",
            )
        )
    for path in files:
        try:
            t = load_transcript(path)
        except CodeerError as exc:
            report.add_error(exc, "transcript")
            continue
        if t.id in out:
            report.findings.append(
                Finding(
                    "error",
                    "transcript",
                    str(path),
                    2,
                    f"transcript id '{t.id}' is also used by {out[t.id].path}",
                    "give each transcript a unique id",
                )
            )
            continue
        if path.stem != t.id:
            report.findings.append(
                Finding(
                    "warning",
                    "transcript",
                    str(path),
                    2,
                    f"file name '{path.stem}' differs from id '{t.id}'",
                    f"rename the file to {t.id}.txt",
                )
            )
        if not t.body.strip():
            report.findings.append(
                Finding("warning", "transcript", str(path), t.body_line, "transcript body is empty")
            )
        elif not any(turn.speaker for turn in t.turns):
            report.findings.append(
                Finding(
                    "warning",
                    "transcript",
                    str(path),
                    t.body_line,
                    "no speaker turns found",
                    "start each turn on a new line with 'I:' or 'R:'",
                )
            )
        out[t.id] = t
        report.transcripts[t.role] += 1
    return out


def _check_codings(
    paths: ProjectPaths,
    report: Report,
    codebook: Codebook | None,
    transcripts: dict[str, Transcript],
) -> None:
    store = Store(paths)
    for coder in store.coders():
        if not is_valid_coder_name(coder):
            report.findings.append(
                Finding(
                    "error",
                    "codings",
                    str(paths.coder_dir(coder)),
                    None,
                    f"coder folder name {coder!r} is not a valid coder name",
                    "use letters, digits, '_', '.', '-'",
                )
            )
            continue
        for path in sorted(paths.coder_dir(coder).glob("*.yaml")):
            _check_codings_file(path, coder, report, codebook, transcripts)


def _check_codings_file(
    path: Path,
    coder: str,
    report: Report,
    codebook: Codebook | None,
    transcripts: dict[str, Transcript],
) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        cf, lines = parse_codings_with_lines(text, path)
    except UnicodeDecodeError as exc:
        report.findings.append(
            Finding(
                "error",
                "codings",
                str(path),
                None,
                f"not valid UTF-8 (byte {exc.start})",
                "restore the file from a backup",
            )
        )
        return
    except CodeerError as exc:
        report.add_error(exc, "codings")
        return
    report.coded_files[coder] += 1
    report.codings[coder] += len(cf.codings)

    def err(line: int | None, msg: str, hint: str = "", severity: Severity = "error") -> None:
        report.findings.append(Finding(severity, "codings", str(path), line, msg, hint))

    if cf.coder != coder:
        err(
            lines.line(("coder",)),
            f"file says coder '{cf.coder}' but lies in the folder of '{coder}'",
            f"move it to codings/{cf.coder}/ or fix 'coder'",
        )
    if path.stem != cf.transcript:
        err(
            lines.line(("transcript",)),
            f"file is named '{path.stem}' but is for transcript '{cf.transcript}'",
            "rename the file after its transcript",
        )
    transcript = transcripts.get(cf.transcript)
    if transcript is None:
        if path.parent.parent.parent.joinpath(f"{cf.transcript}.txt").exists():
            err(
                lines.line(("transcript",)),
                f"not checked: transcript '{cf.transcript}' could not be read (see its error)",
                "fix the transcript first",
                "warning",
            )
        else:
            err(
                lines.line(("transcript",)),
                f"no transcript '{cf.transcript}' in interviews/",
                "restore the transcript or fix the 'transcript' key",
            )
        return
    for i, c in enumerate(cf.codings):
        line = lines.line(("codings", i))
        if c.coder != cf.coder:
            err(
                line,
                f"coding {c.id} says coder '{c.coder}' in a file of coder '{cf.coder}'",
                "each coder's codings live in their own folder",
            )
        if codebook is not None:
            if c.code not in codebook:
                err(
                    line,
                    f"unknown code id '{c.code}'",
                    "add it to the codebook or recode this passage",
                )
            else:
                spec = codebook[c.code].value
                if spec is not None and c.value is None:
                    err(
                        line,
                        f"code '{c.code}' carries a value but coding {c.id} has none",
                        f"add 'value:' ({spec.type})",
                    )
                elif spec is not None:
                    problem = spec.check(c.value)
                    if problem:
                        err(line, f"value of coding {c.id}: {problem}", "fix the value")
                elif c.value is not None:
                    err(
                        line,
                        f"code '{c.code}' takes no value but coding {c.id} has {c.value!r}",
                        "remove 'value:'",
                        "warning",
                    )
    if cf.transcript_hash == transcript.content_hash:
        _check_offsets(path, lines, cf, transcript, err)
        report.anchors["kept"] += len(cf.codings)
    else:
        _report_reanchoring(path, lines, cf, transcript, report)


def _check_offsets(path: Path, lines: LineMap, cf: CodingsFile, t: Transcript, err: object) -> None:
    assert callable(err)
    n = len(t.body)
    for i, c in enumerate(cf.codings):
        line = lines.line(("codings", i))
        if c.anchor == "orphaned":
            err(
                line,
                f"coding {c.id} ({c.code}) is orphaned: its quote is no longer in the transcript",
                "review it in 'codeer code' (orphans view) and re-anchor or delete it",
            )
            continue
        if c.end > n:
            err(
                line,
                f"coding {c.id}: offsets {c.start}-{c.end} out of range (transcript body has {n} characters)",
                "offsets count code points in the body after the front matter",
            )
        elif t.body[c.start : c.end] != c.quote:
            found = t.body.find(c.quote)
            hint = (
                f"the quote is found at {found}-{found + len(c.quote)}; fix start/end"
                if found >= 0
                else "fix start/end or the quote; the quote is not in the transcript"
            )
            err(
                line,
                f"coding {c.id}: quote does not match the text at {c.start}-{c.end} (text there: {t.body[c.start : c.end][:40]!r})",
                hint,
            )


def _report_reanchoring(
    path: Path, lines: LineMap, cf: CodingsFile, t: Transcript, report: Report
) -> None:
    results: list[AnchorResult] = reanchor(cf.codings, t.body)
    hints: dict[str, tuple[Severity, str]] = {
        "moved": ("warning", "run 'codeer validate --reanchor' to save the new offsets"),
        "fuzzy": (
            "warning",
            "check the new span in 'codeer code', then 'codeer validate --reanchor'",
        ),
        "orphaned": (
            "error",
            "review it in 'codeer code' (orphans view); it is kept, never dropped",
        ),
    }
    for i, r in enumerate(results):
        report.anchors[r.status] += 1
        c = r.coding
        what = f"transcript changed: coding {c.id} ({c.code})"
        if r.status == "moved":
            msg = f"{what} moved {r.old_start}-{r.old_end} -> {c.start}-{c.end}"
        elif r.status == "fuzzy":
            msg = f"{what} fuzzy-moved to {c.start}-{c.end} (similarity {r.similarity:.2f})"
        elif r.status == "orphaned":
            msg = f"{what} is orphaned, its quote {c.quote[:40]!r} is no longer in the text"
        else:
            continue
        severity, hint = hints[r.status]
        line = lines.line(("codings", i))
        report.findings.append(Finding(severity, "anchor", str(path), line, msg, hint))
    report.reanchored[(cf.coder, cf.transcript)] = cf.model_copy(
        update={"codings": [r.coding for r in results], "transcript_hash": t.content_hash}
    )


def save_reanchored(root: str | Path, report: Report) -> list[Path]:
    """Write the re-anchored codings of every changed transcript (atomic, orphans kept)."""
    store = Store(ProjectPaths.of(root))
    return [store.save(cf) for cf in report.reanchored.values()]
