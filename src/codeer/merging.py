"""Importing another copy of a coder's codings (a colleague's laptop, a backup) without loss.

Rules, per imported coding, against the coder's codings in this project:

- same id, same content (code, span, quote, value, memo): skipped (``same``);
- same id, different content: a ``conflict``. The newer version (by ``modified``; a tie keeps
  the local one) keeps the id; the other is kept too, under a new id, with the memo
  ``merge conflict with <id>`` in front of its own memo. Nothing is lost; a person decides later.
  Merging the same source again finds that copy and adds nothing (``already_merged``);
- a new id whose code, span and value equal a coding already there: a ``duplicate``, not
  imported twice;
- otherwise ``added``.

Both sides are compared in the same version of the transcript. When the source file and the
local file were coded against the same text (equal ``transcript_hash``), they are compared as
they are. Otherwise the imported codings are re-anchored to this project's transcript
(``codeer.anchoring.reanchor``: by their quotes; moved, fuzzy and orphaned codings are reported,
orphaned ones are kept with their old offsets and flagged), and so are the local ones when
their file is anchored to an older text (reported too; the file then gets the current hash).
Every source file is read and checked before anything is written; each changed codings file is
then saved atomically through ``Store.save``. A dry run plans and reports without writing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeer.codings import Coding, CodingsFile, new_coding_id, parse_codings
from codeer.errors import CodingsError, UsageError

if TYPE_CHECKING:
    from codeer.project import Project

ActionKind = Literal["added", "same", "duplicate", "conflict", "already_merged"]
CONFLICT_MEMO = "merge conflict with {id}"
_CONFLICT_PREFIX = "merge conflict with "


@dataclass(frozen=True)
class MergeAction:
    kind: ActionKind
    imported: Coding
    local_id: str | None = None  # the local coding it matched
    kept: Literal["local", "imported"] | None = None  # conflict: whose version keeps the id
    new_id: str | None = None  # conflict: the id given to the other version

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.imported.id,
            "code": self.imported.code,
            "start": self.imported.start,
            "end": self.imported.end,
            "local_id": self.local_id,
            "kept": self.kept,
            "new_id": self.new_id,
        }


@dataclass
class TranscriptMerge:
    transcript: str
    source: Path
    actions: list[MergeAction] = field(default_factory=list)
    anchoring: dict[str, int] = field(default_factory=dict)  # imported: re-anchoring status -> n
    local_anchoring: dict[str, int] = field(default_factory=dict)  # local codings re-anchored
    new_file: bool = False
    result: CodingsFile | None = None  # what to save; None when nothing changes

    @property
    def changed(self) -> bool:
        return self.result is not None

    def counts(self) -> Counter[str]:
        return Counter(a.kind for a in self.actions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "transcript": self.transcript,
            "source": str(self.source),
            "counts": dict(self.counts()),
            "reanchored": self.anchoring,
            "local_reanchored": self.local_anchoring,
            "new_file": self.new_file,
            "changed": self.changed,
            "actions": [a.as_dict() for a in self.actions if a.kind != "same"],
        }


@dataclass
class MergeReport:
    coder: str
    source: Path
    source_kind: str
    transcripts: list[TranscriptMerge]
    unknown: list[tuple[str, Path]]  # source files for transcripts this project lacks
    dry_run: bool = False
    written: list[Path] = field(default_factory=list)

    def totals(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for t in self.transcripts:
            out.update(t.counts())
        return out

    @property
    def conflicts(self) -> list[tuple[str, MergeAction]]:
        return [
            (t.transcript, a) for t in self.transcripts for a in t.actions if a.kind == "conflict"
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "source": str(self.source),
            "source_kind": self.source_kind,
            "dry_run": self.dry_run,
            "totals": dict(self.totals()),
            "transcripts": [t.as_dict() for t in self.transcripts],
            "unknown_transcripts": [{"transcript": t, "file": str(p)} for t, p in self.unknown],
            "written": [str(p) for p in self.written],
        }


def locate_source(source: Path, coder: str) -> tuple[Path, str]:
    """The folder holding the coder's codings files: a project, a codings folder, or the coder's own."""
    source = Path(source)
    if not source.is_dir():
        raise UsageError(
            "source folder does not exist",
            path=source,
            hint="pass --from another project folder, its interviews/codings, or a coder's folder",
        )
    for folder, kind in (
        (source / "interviews" / "codings" / coder, "project"),
        (source / coder, "codings folder"),
    ):
        if folder.is_dir():
            return folder, kind
    if any(source.glob("*.yaml")):
        return source, "coder folder"
    raise UsageError(
        f"no codings of coder '{coder}' in the source",
        path=source,
        hint=f"expected {source}/interviews/codings/{coder}/, {source}/{coder}/ or *.yaml files",
    )


def _content(c: Coding) -> tuple[object, ...]:
    return (c.code, c.start, c.end, c.quote, type(c.value).__name__, c.value, _plain_memo(c.memo))


def _plain_memo(memo: str | None) -> str | None:
    """The memo without a merge-conflict note in front."""
    if memo and memo.startswith(_CONFLICT_PREFIX):
        rest = memo.split("; ", 1)
        return rest[1] if len(rest) == 2 else None
    return memo


def _key(c: Coding) -> tuple[object, ...]:
    return (c.code, c.start, c.end, type(c.value).__name__, c.value)


def _with_conflict_memo(c: Coding, other_id: str, taken: set[str]) -> Coding:
    cid = new_coding_id()
    while cid in taken:
        cid = new_coding_id()
    taken.add(cid)
    note = CONFLICT_MEMO.format(id=other_id)
    memo = f"{note}; {c.memo}" if c.memo else note
    return c.model_copy(update={"id": cid, "memo": memo})


def _read_source(path: Path, coder: str) -> CodingsFile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CodingsError(f"not valid UTF-8 (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise CodingsError(f"cannot read: {exc.strerror}", path=path) from None
    cf = parse_codings(text, path)
    if cf.transcript != path.stem:
        raise CodingsError(
            f"file is for transcript '{cf.transcript}', not '{path.stem}'",
            path=path,
            line=1,
            hint="rename the file after its transcript",
        )
    if cf.coder != coder:
        raise UsageError(
            f"file holds coder '{cf.coder}''s codings, not '{coder}''s",
            path=path,
            line=2,
            hint=f"pass --coder {cf.coder}, or point --from at coder {coder}'s folder",
        )
    return cf


def plan_transcript(
    project: Project, coder: str, imported: CodingsFile, source: Path
) -> TranscriptMerge:
    """What merging one source file would do (nothing is written)."""
    from codeer.anchoring import reanchor

    transcript = project.transcript(imported.transcript)
    current = transcript.content_hash
    tm = TranscriptMerge(imported.transcript, source)
    incoming = [c.model_copy(update={"coder": coder}) for c in imported.codings]
    local_cf = project.codings(coder, imported.transcript)
    tm.new_file = local_cf is None
    codings = list(local_cf.codings) if local_cf is not None else []
    frame = local_cf.transcript_hash if local_cf is not None else current
    changed = False
    if imported.transcript_hash != frame:
        if imported.transcript_hash != current:
            results = reanchor(incoming, transcript.body)
            tm.anchoring = dict(Counter(r.status for r in results))
            incoming = [r.coding for r in results]
        if frame != current:
            local_results = reanchor(codings, transcript.body)
            tm.local_anchoring = dict(Counter(r.status for r in local_results))
            codings = [r.coding for r in local_results]
            frame = current
            changed = True
    by_id = {c.id: i for i, c in enumerate(codings)}
    taken = set(by_id)
    for c in incoming:
        i = by_id.get(c.id)
        if i is not None:
            local = codings[i]
            if _content(local) == _content(c):
                tm.actions.append(MergeAction("same", c, local.id))
                continue
            if c.modified > local.modified:
                loser = _with_conflict_memo(local, c.id, taken)
                codings[i] = c
                codings.append(loser)
                by_id[loser.id] = len(codings) - 1
                tm.actions.append(MergeAction("conflict", c, local.id, "imported", loser.id))
                changed = True
                continue
            copy = next((x for x in codings if x.id != c.id and _content(x) == _content(c)), None)
            if copy is not None:
                tm.actions.append(MergeAction("already_merged", c, copy.id))
                continue
            loser = _with_conflict_memo(c, c.id, taken)
            codings.append(loser)
            by_id[loser.id] = len(codings) - 1
            tm.actions.append(MergeAction("conflict", c, local.id, "local", loser.id))
            changed = True
            continue
        dup = next((x for x in codings if _key(x) == _key(c)), None)
        if dup is not None:
            tm.actions.append(MergeAction("duplicate", c, dup.id))
            continue
        codings.append(c)
        by_id[c.id] = len(codings) - 1
        taken.add(c.id)
        tm.actions.append(MergeAction("added", c))
        changed = True
    if changed or (tm.new_file and incoming):
        base = local_cf or CodingsFile(
            transcript=imported.transcript, coder=coder, transcript_hash=current
        )
        tm.result = base.model_copy(update={"codings": codings, "transcript_hash": frame})
    return tm


def plan_merge(project: Project, coder: str, source: Path) -> MergeReport:
    """Read and check every source file and plan the merge; nothing is written."""
    folder, kind = locate_source(source, coder)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise UsageError(f"no codings files in {folder}", path=folder)
    known = project.transcripts
    parsed: list[tuple[Path, CodingsFile]] = []
    unknown: list[tuple[str, Path]] = []
    for path in files:
        if path.stem not in known:
            unknown.append((path.stem, path))
            continue
        parsed.append((path, _read_source(path, coder)))
    plans = [plan_transcript(project, coder, cf, path) for path, cf in parsed]
    return MergeReport(coder, Path(source), kind, plans, unknown)


def merge(project: Project, coder: str, source: Path, *, dry_run: bool = False) -> MergeReport:
    """Import ``source``'s codings of ``coder`` into the project (unless ``dry_run``)."""
    if project.paths.coder_dir(coder).resolve() == locate_source(source, coder)[0].resolve():
        raise UsageError(
            "the source is this project's own codings folder",
            path=source,
            hint="point --from at another copy of the project",
        )
    report = plan_merge(project, coder, source)
    report.dry_run = dry_run
    if not dry_run:
        for tm in report.transcripts:
            if tm.result is not None:
                report.written.append(project.store.save(tm.result))
    return report
