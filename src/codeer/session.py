"""A coding session: one coder on one transcript, every change saved at once and undoable.

The workbench (``codeer code``) is a thin layer over this class, so everything that touches the
codings (apply, delete, memo, value, re-anchoring fixes, accepting suggestions, undo and redo) is
plain Python that tests can drive without a terminal. Undo keeps *operations*, not snapshots: when
another process changed the codings file, the session reloads it and undo reverses only this
session's own change, never the other process's.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import yaml

from codeer.anchoring import AnchorResult, reanchor
from codeer.codings import Coding, CodingsFile, now
from codeer.errors import UsageError
from codeer.paths import is_valid_coder_name
from codeer.segmentation import Sentence, segment
from codeer.store import Store, atomic_write_bytes
from codeer.yamlio import dump_yaml, load_yaml_fast

if TYPE_CHECKING:
    from codeer.nlp.suggestions import Suggestion, SuggestionsFile
    from codeer.project import Project
    from codeer.transcript import Transcript

OpKind = Literal["add", "remove", "replace"]
REVIEW = ("moved", "fuzzy", "orphaned")


@dataclass(frozen=True)
class Op:
    """One reversible change: ``before`` is None for an add, ``after`` None for a remove."""

    kind: OpKind
    before: Coding | None
    after: Coding | None
    label: str
    suggestion: str | None = None  # the suggestion accepted by this change, if any

    def inverse(self) -> Op:
        kind: OpKind = {"add": "remove", "remove": "add", "replace": "replace"}[self.kind]  # type: ignore[assignment]
        return Op(kind, self.after, self.before, self.label, self.suggestion)

    @property
    def span(self) -> tuple[int, int]:
        """The body range this change touches (both sides), for repainting."""
        cs = [c for c in (self.before, self.after) if c is not None]
        return min(c.start for c in cs), max(c.end for c in cs)


def check_coder(coder: str) -> None:
    if not is_valid_coder_name(coder):
        raise UsageError(
            f"coder name {coder!r} is not allowed",
            hint="use letters, digits, '_', '.', '-' (it becomes a folder name)",
        )


def coding_progress(sentences: Sequence[Sentence], codings: Iterable[Coding]) -> float:
    """Share of sentences that overlap at least one (not orphaned) coding."""
    if not sentences:
        return 0.0
    spans = sorted((c.start, c.end) for c in codings if c.anchor != "orphaned")
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    covered, k = 0, 0
    for s in sentences:
        while k < len(merged) and merged[k][1] <= s.start:
            k += 1
        if k < len(merged) and merged[k][0] < s.end:
            covered += 1
    return covered / len(sentences)


def _order(c: Coding) -> tuple[int, int, str, str]:
    """The order of codings in a saved file (``CodingsFile.sorted``)."""
    return (c.start, c.end, c.code, c.id)


class YamlCache:
    """The YAML text of each coding, dumped once, kept in file order.

    ``CodingsFile.to_yaml`` dumps every coding on every save, which takes seconds for the thousands
    of codings of a very long transcript. Block-style list items do not depend on each other, so
    the file is the header plus each coding's own dump, in the same order; ``text`` returns
    exactly what ``to_yaml`` returns (a test checks it on every bundled codings file). A session
    also keeps the items sorted (``track``), so a change only splices one item in or out
    (``prepare``) instead of sorting thousands of codings again.
    """

    def __init__(self) -> None:
        self._items: dict[str, tuple[Coding, str]] = {}
        self._head: tuple[tuple[str, str, str], str] | None = None
        self._keys: list[tuple[int, int, str, str]] | None = None
        self._blobs: list[bytes | None] = []  # each tracked item, UTF-8: no encoding per save
        self._pending: tuple[list[tuple[int, int, str, str]], list[bytes | None]] | None = None

    def item(self, c: Coding) -> str:
        hit = self._items.get(c.id)
        if hit is not None and hit[0] is c:
            return hit[1]
        data = c.model_dump(mode="json", exclude_none=True)
        if data.get("anchor") == "kept":
            data.pop("anchor")
        text = dump_yaml([data])
        self._items[c.id] = (c, text)
        return text

    def seed(self, text: str, codings: Sequence[Coding]) -> None:
        """Take each coding's text from the file just loaded, so the first save is fast too.

        Items of the ``codings`` list start at column 0 with ``- ``; anything else (continuation
        lines, block scalars) is indented. When the split does not give one item per coding,
        nothing is seeded and items are dumped when first needed.
        """
        _head, sep, rest = text.partition("\ncodings:\n")
        if not sep or not rest.startswith("- "):
            return
        chunks = rest.split("\n- ")
        if len(chunks) != len(codings):
            return
        items = [chunks[0] + "\n", *("- " + c + "\n" for c in chunks[1:])]
        items[-1] = items[-1][:-1] if items[-1].endswith("\n\n") else items[-1]
        self._items = {c.id: (c, item) for c, item in zip(codings, items, strict=True)}

    def _header(self, cf: CodingsFile) -> str:
        key = (cf.transcript, cf.coder, cf.transcript_hash)
        if self._head is None or self._head[0] != key:
            head = dump_yaml(
                {"transcript": cf.transcript, "coder": cf.coder, "transcript_hash": key[2]}
            )
            self._head = (key, head)
        return self._head[1]

    def text(self, cf: CodingsFile) -> str:
        if not cf.codings:
            return cf.to_yaml()
        ordered = sorted(cf.codings, key=_order)
        live = {c.id for c in ordered}
        if len(self._items) > 2 * len(live) + 64:
            self._items = {k: v for k, v in self._items.items() if k in live}
        return self._header(cf) + "codings:\n" + "".join(self.item(c) for c in ordered)

    def track(self, codings: Sequence[Coding]) -> None:
        """Keep ``codings`` (the file as loaded or saved) in file order for ``prepare``."""
        ordered = sorted(codings, key=_order)
        self._keys = [_order(c) for c in ordered]
        blobs: list[bytes | None] = []
        for c in ordered:
            hit = self._items.get(c.id)
            blobs.append(hit[1].encode("utf-8") if hit is not None and hit[0] is c else None)
        self._blobs = blobs
        self._pending = None
        live = {c.id for c in ordered}
        if len(self._items) > 2 * len(live) + 64:
            self._items = {k: v for k, v in self._items.items() if k in live}

    def prepare(self, cf: CodingsFile, before: Coding | None, after: Coding | None) -> bytes:
        """The file ``cf`` (UTF-8): the tracked file with ``before`` out and ``after`` in.

        Only those two items move; ``commit`` makes the result the tracked file once it is
        saved. Anything that does not add up (the tracked file is not ``cf`` minus the change)
        falls back to ``text`` and tracks ``cf`` afresh.
        """
        self._pending = None
        keys, blobs = self._keys, self._blobs
        if keys is None or not cf.codings:
            self.track(cf.codings)
            return self.text(cf).encode("utf-8")
        keys, blobs = list(keys), list(blobs)
        ok = True
        if before is not None:
            k = _order(before)
            i = bisect.bisect_left(keys, k)
            if i < len(keys) and keys[i] == k:
                del keys[i], blobs[i]
            else:
                ok = False
        if after is not None:
            k = _order(after)
            i = bisect.bisect_left(keys, k)
            keys.insert(i, k)
            blobs.insert(i, self.item(after).encode("utf-8"))
        if not ok or len(keys) != len(cf.codings):
            self.track(cf.codings)
            return self.text(cf).encode("utf-8")
        if None in blobs:  # not seeded from the file: dump the missing items once
            by_id = {c.id: c for c in cf.codings}
            blobs = [
                b if b is not None else self.item(by_id[k[3]]).encode("utf-8")
                for k, b in zip(keys, blobs, strict=True)
            ]
        self._pending = (keys, blobs)
        head = (self._header(cf) + "codings:\n").encode("utf-8")
        return b"".join((head, *blobs))  # type: ignore[arg-type]

    def commit(self) -> None:
        """The prepared text was saved: it is the tracked file now."""
        if self._pending is not None:
            self._keys, self._blobs = self._pending
            self._pending = None


@dataclass
class _Index:
    """Codings sorted by start, to find those overlapping a range without a full scan."""

    codings: list[Coding] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    longest: int = 0

    @classmethod
    def build(cls, codings: Iterable[Coding]) -> _Index:
        live = sorted(
            (c for c in codings if c.anchor != "orphaned"), key=lambda c: (c.start, c.end)
        )
        return cls(live, [c.start for c in live], max((c.end - c.start for c in live), default=0))

    def add(self, c: Coding) -> None:
        if c.anchor == "orphaned":
            return
        i = bisect.bisect_right(self.starts, c.start)
        self.codings.insert(i, c)
        self.starts.insert(i, c.start)
        self.longest = max(self.longest, c.end - c.start)

    def remove(self, c: Coding) -> None:
        i = bisect.bisect_left(self.starts, c.start)
        while i < len(self.codings) and self.starts[i] == c.start:
            if self.codings[i].id == c.id:
                del self.codings[i], self.starts[i]
                return
            i += 1

    def overlapping(self, start: int, end: int) -> list[Coding]:
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_left(self.starts, end)
        return [c for c in self.codings[lo:hi] if c.start < end and start < c.end]


class CodingSession:
    """The codings of one coder on one transcript, kept in sync with the file on disk."""

    def __init__(self, project: Project, coder: str, transcript_id: str) -> None:
        check_coder(coder)
        self.project = project
        self.coder = coder
        self.transcript: Transcript = project.transcript(transcript_id)
        self.sentences: list[Sentence] = segment(self.transcript)
        self._sentence_starts = [s.start for s in self.sentences]
        self.path = project.paths.codings_file(coder, transcript_id)
        self.undo_stack: list[Op] = []
        self.redo_stack: list[Op] = []
        self.version = 0
        self.reloads = 0  # how often a change by another process was loaded
        self.saved_at: str | None = None
        self.anchor_results: list[AnchorResult] = []
        self.suggestions: SuggestionsFile | None = None
        self._yaml = YamlCache()
        self._load()
        self.reload_suggestions()

    # --- loading and syncing ---------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.transcript.id

    @property
    def body(self) -> str:
        return self.transcript.body

    @property
    def codings(self) -> list[Coding]:
        return self.file.codings

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load(self) -> None:
        t = self.transcript
        stamp = self._stamp()
        cf = self.project.store.load(self.coder, t.id)
        if cf is None:
            cf = CodingsFile(transcript=t.id, coder=self.coder, transcript_hash=t.content_hash)
        elif cf.transcript_hash == t.content_hash and self._stamp() == stamp:
            with contextlib.suppress(OSError):
                self._yaml.seed(self.path.read_text(encoding="utf-8"), cf.codings)
        self.anchor_results = []
        if cf.transcript_hash != t.content_hash:
            results = reanchor(cf.codings, t.body)
            self.anchor_results = [r for r in results if r.status != "kept"]
            cf = cf.model_copy(
                update={"codings": [r.coding for r in results], "transcript_hash": t.content_hash}
            )
        self.file = cf
        self._disk = stamp
        self._yaml.track(cf.codings)
        self._reindex()

    def reload_suggestions(self) -> None:
        """Read the saved suggestions (no spaCy needed).

        libyaml first, as ``parse_codings`` does: the careful loader, which knows lines for
        messages, takes a quarter of a second on a few hundred suggestions. Anything odd goes
        through ``load_suggestions`` and its messages.
        """
        path = self.project.paths.suggestions_file(self.coder, self.id)
        if not path.exists():
            self.suggestions = None
            return
        from codeer.nlp.suggestions import SuggestionsFile, load_suggestions

        try:
            sf = SuggestionsFile.model_validate(load_yaml_fast(path.read_text(encoding="utf-8")))
            if sf.transcript == self.id and sf.coder == self.coder:
                self.suggestions = sf
                return
        except (OSError, ValueError, yaml.YAMLError):
            pass
        self.suggestions = load_suggestions(self.project.paths, self.coder, self.id)

    def sync(self) -> bool:
        """Reload when another process changed the codings file; True when it did."""
        if self._stamp() == self._disk:
            return False
        self._load()
        self.reloads += 1
        return True

    def _reindex(self) -> None:
        """Index, sentence coverage, code counts and the review list, kept up to date by
        ``_commit`` from then on (each would otherwise be a scan of thousands of codings)."""
        self.version += 1
        self._index = _Index.build(self.file.codings)
        self._cover = [0] * len(self.sentences)
        self._covered = 0
        for c in self._index.codings:
            self._count(c, 1)
        self._counts: Counter[str] = Counter(c.code for c in self._index.codings)
        self._review: dict[str, Coding] = {c.id: c for c in self.file.codings if c.anchor in REVIEW}

    def _count(self, c: Coding, delta: int) -> None:
        cover = self._cover
        for i in self._sentence_range(c.start, c.end):
            n = cover[i]
            cover[i] = n + delta
            if n == 0:
                self._covered += 1
            elif n + delta == 0:
                self._covered -= 1

    def _sentence_range(self, start: int, end: int) -> range:
        lo = max(0, bisect.bisect_right(self._sentence_starts, start) - 1)
        if lo < len(self.sentences) and self.sentences[lo].end <= start:
            lo += 1
        hi = bisect.bisect_left(self._sentence_starts, end)
        return range(lo, hi)

    # --- queries -------------------------------------------------------------------------------
    def overlapping(self, start: int, end: int) -> list[Coding]:
        return self._index.overlapping(start, end)

    def get(self, coding_id: str) -> Coding:
        for c in self.file.codings:
            if c.id == coding_id:
                return c
        raise UsageError(f"no coding '{coding_id}' in {self.id}", hint="it may have been deleted")

    def is_covered(self, sentence: int) -> bool:
        return self._cover[sentence] > 0

    @property
    def progress(self) -> float:
        if not self.sentences:
            return 0.0
        return self._covered / len(self.sentences)

    def next_uncoded(self, after: int) -> int | None:
        """The first sentence after ``after`` (wrapping around) that has no coding."""
        n = len(self.sentences)
        for k in range(1, n + 1):
            i = (after + k) % n
            if not self._cover[i]:
                return i
        return None

    def sentences_in(self, start: int, end: int) -> range:
        return self._sentence_range(start, end)

    def code_counts(self) -> Counter[str]:
        """Codings per code (orphans left out); a copy the caller may keep."""
        return +self._counts

    def needs_review(self) -> list[Coding]:
        """Codings that re-anchoring moved or could not place, in file order."""
        return list(self._review.values())

    def pending_suggestions(self) -> list[Suggestion]:
        if (
            self.suggestions is None
            or self.suggestions.transcript_hash != self.transcript.content_hash
        ):
            return []
        return self.suggestions.pending()

    # --- changes -------------------------------------------------------------------------------
    def _commit(self, op: Op, *, record: bool = True) -> Op:
        codings = list(self.file.codings)
        if op.before is not None:
            codings = [c for c in codings if c.id != op.before.id]
        if op.after is not None:
            codings.append(op.after)
        new = self.file.model_copy(update={"codings": codings})
        self._save(new, op)  # raises before anything changes in memory
        self.file = new
        self.saved_at = now().astimezone().strftime("%H:%M:%S")
        # the index and sentence coverage change only where the coding was
        if op.before is not None:
            self._review.pop(op.before.id, None)
            if op.before.anchor != "orphaned":
                self._count(op.before, -1)
                self._index.remove(op.before)
                self._counts[op.before.code] -= 1
        if op.after is not None:
            if op.after.anchor in REVIEW:
                self._review[op.after.id] = op.after
            if op.after.anchor != "orphaned":
                self._count(op.after, 1)
                self._index.add(op.after)
                self._counts[op.after.code] += 1
        self.version += 1
        if record:
            self.undo_stack.append(op)
            self.redo_stack.clear()
        return op

    def _save(self, cf: CodingsFile, op: Op) -> None:
        """Save atomically; the Store checks the file on disk unless it is known to be ours.

        When the file's stamp (mtime, size, inode) is the one this session loaded or wrote, it is
        the file this session parsed, so the Store's check that it still parses is skipped and
        only the changed coding is dumped and spliced into the saved text: a save stays fast on a
        transcript with thousands of codings. Any other case (first save, a file changed
        elsewhere) goes through ``Store.save`` and its checks.
        """
        store = self.project.store
        if self._disk is None or type(store) is not Store or self._stamp() != self._disk:
            store.save(cf)
            self._yaml.track(cf.codings)
        else:
            check_coder(cf.coder)
            atomic_write_bytes(self.path, self._yaml.prepare(cf, op.before, op.after))
            self._yaml.commit()
        self._disk = self._stamp()

    def _check_value(self, code_id: str, value: int | str | None) -> None:
        spec = self.project.codebook[code_id].value
        if spec is None:
            if value is not None:
                raise UsageError(f"code '{code_id}' carries no value")
            return
        if value is None:
            raise UsageError(
                f"code '{code_id}' needs a value ({spec.type})", hint="enter it when applying"
            )
        problem = spec.check(value)
        if problem:
            raise UsageError(f"value for '{code_id}': {problem}")

    def apply(
        self,
        code_id: str,
        start: int,
        end: int,
        *,
        value: int | str | None = None,
        memo: str | None = None,
    ) -> Op:
        """Code ``body[start:end]``; applying the same code to the same span again is a no-op."""
        self.sync()
        if code_id not in self.project.codebook:
            raise UsageError(f"unknown code '{code_id}'", hint="pick a code from the codebook")
        start, end = max(0, start), min(len(self.body), end)
        if end <= start:
            raise UsageError("nothing selected to code")
        self._check_value(code_id, value)
        for c in self.overlapping(start, end):
            if c.code == code_id and c.start == start and c.end == end:
                raise UsageError(f"this passage is already coded '{code_id}'")
        coding = Coding(
            code=code_id,
            start=start,
            end=end,
            quote=self.body[start:end],
            value=value,
            memo=memo or None,
            coder=self.coder,
        )
        return self._commit(Op("add", None, coding, f"apply {code_id}"))

    def delete(self, coding_id: str) -> Op:
        self.sync()
        c = self.get(coding_id)
        return self._commit(Op("remove", c, None, f"delete {c.code}"))

    def _replace(self, coding_id: str, label: str, **update: object) -> Op:
        self.sync()
        c = self.get(coding_id)
        new = c.model_copy(update={**update, "modified": now()})
        return self._commit(Op("replace", c, new, label))

    def set_memo(self, coding_id: str, memo: str | None) -> Op:
        return self._replace(coding_id, "memo", memo=(memo or "").strip() or None)

    def set_value(self, coding_id: str, value: int | str) -> Op:
        self._check_value(self.get(coding_id).code, value)
        return self._replace(coding_id, "value", value=value)

    def reanchor_to(self, coding_id: str, start: int, end: int) -> Op:
        """Attach a moved or orphaned coding to a span the coder chose."""
        if end <= start or end > len(self.body):
            raise UsageError("select the passage the coding belongs to first")
        return self._replace(
            coding_id, "re-anchor", start=start, end=end, quote=self.body[start:end], anchor=None
        )

    def keep(self, coding_id: str) -> Op | None:
        """Confirm a moved coding's new place; an orphan stays orphaned (and out of analyses)."""
        if self.get(coding_id).anchor == "orphaned":
            return None
        return self._replace(coding_id, "confirm", anchor=None)

    def undo(self) -> Op | None:
        self.sync()
        if not self.undo_stack:
            return None
        op = self.undo_stack[-1]
        self._commit(self._rebase(op.inverse()), record=False)
        self.undo_stack.pop()
        if op.suggestion is not None:
            self._set_suggestion(op.suggestion, "pending", None)
        self.redo_stack.append(op)
        return op

    def redo(self) -> Op | None:
        self.sync()
        if not self.redo_stack:
            return None
        op = self.redo_stack[-1]
        self._commit(self._rebase(op), record=False)
        self.redo_stack.pop()
        if op.suggestion is not None and op.after is not None:
            self._set_suggestion(op.suggestion, "accepted", op.after.id)
        self.undo_stack.append(op)
        return op

    def _rebase(self, op: Op) -> Op:
        """An undo of a coding someone else deleted meanwhile is a plain error, not a crash."""
        ids = {c.id for c in self.file.codings}
        if op.before is not None and op.before.id not in ids:
            raise UsageError(
                f"coding {op.before.id} is no longer in the file (changed elsewhere)",
                hint="nothing was undone",
            )
        if op.kind == "add" and op.after is not None and op.after.id in ids:
            raise UsageError(f"coding {op.after.id} is already back", hint="nothing was changed")
        return op

    # --- suggestions -------------------------------------------------------------------------------
    def accept_suggestion(self, suggestion_id: str, value: int | str | None = None) -> Op:
        """Accept through the suggestions core (which saves the coding), undoable here."""
        from codeer.nlp.suggestions import accept

        self.sync()
        coding = accept(self.project, self.coder, self.id, suggestion_id, value=value)
        self._load()
        self.reload_suggestions()
        op = Op("add", None, coding, f"accept {coding.code}", suggestion=suggestion_id)
        self.undo_stack.append(op)
        self.redo_stack.clear()
        self.saved_at = now().astimezone().strftime("%H:%M:%S")
        return op

    def reject_suggestion(self, suggestion_id: str) -> None:
        from codeer.nlp.suggestions import reject

        reject(self.project, self.coder, self.id, suggestion_id)
        self.reload_suggestions()
        self.version += 1

    def _set_suggestion(self, suggestion_id: str, status: str, coding_id: str | None) -> None:
        from codeer.nlp.suggestions import load_suggestions, save_suggestions

        sf = load_suggestions(self.project.paths, self.coder, self.id)
        if sf is None:
            return
        decided = now() if status != "pending" else None
        items = [
            dataclasses.replace(
                x,
                status=status,  # type: ignore[arg-type]
                coding_id=coding_id,
                decided=decided,
            )
            if x.id == suggestion_id
            else x
            for x in sf.suggestions
        ]
        save_suggestions(self.project.paths, sf.model_copy(update={"suggestions": items}))
        self.reload_suggestions()
