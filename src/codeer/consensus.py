"""Disagreements between two coders, and resolving them into a consensus coder.

Per transcript both coders coded, codings that agree exactly (same code, start, end and value)
are paired off first. What is left is grouped per code into chains of overlapping spans; each
group is one disagreement:

- ``only``: only one coder applied the code there;
- ``boundaries``: both applied it, with different spans;
- ``value``: both applied it to the same span(s), with different values.

A coding of code X by one coder and of code Y by the other on the same sentence are two
``only`` items (one per code). Codings saved against an older text of the transcript are
re-anchored in memory first (by their quotes); orphaned ones (text not found) are left out.

Resolving an item with a choice copies into the consensus coder (default ``consensus``): the
chosen coder's codings of the item, ``both`` coders' codings (as they are: for a boundaries item
that gives two overlapping codings), or ``neither`` (nothing). Copies keep their code, span,
quote, value and memo (and their id, unless the consensus file already uses it). Decisions are
logged per transcript in ``variables/agreement/review-<consensus>/<transcript>.yaml``
(``decisions_file``), so a decided
item shows its choice, and deciding it again replaces what the earlier decision added. An item
whose codings change after the decision gets a new id and shows up again.

``seed`` copies every exact agreement into the consensus coder (idempotent: a coding with the
same code, span and value already there is not copied twice), so after seeding and resolving
every item the consensus coder holds one agreed set that ``codeer variables --coder consensus``
derives from. Every write goes through ``Store.save`` / ``atomic_write_text``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeer.codings import Coding, CodingsFile, new_coding_id, now
from codeer.errors import CodingsError, UsageError
from codeer.paths import ProjectPaths, is_valid_coder_name
from codeer.store import atomic_write_text
from codeer.yamlio import dump_yaml, load_model, load_yaml_fast

if TYPE_CHECKING:
    from codeer.project import Project

Kind = Literal["only", "boundaries", "value"]
SPECIAL_CHOICES = ("both", "neither")
DEFAULT_INTO = "consensus"

Key = tuple[str, int, int, object]


def key(c: Coding) -> Key:
    """What makes two codings 'the same' across coders: code, span and value."""
    return (c.code, c.start, c.end, _value_key(c.value))


def _value_key(v: object) -> object:
    return (type(v).__name__, v)


@dataclass(frozen=True)
class Disagreement:
    """One place where the two coders differ, with both sides' codings and the text."""

    id: str
    transcript: str
    code: str
    kind: Kind
    coders: tuple[str, str]
    codings: tuple[tuple[Coding, ...], tuple[Coding, ...]]  # in the order of ``coders``
    start: int
    end: int
    text: str
    decision: str | None = None  # the choice recorded earlier, if any

    def by(self, coder: str) -> tuple[Coding, ...]:
        return self.codings[self.coders.index(coder)]

    @property
    def only(self) -> str | None:
        """The coder who alone applied the code (kind ``only``)."""
        if self.kind != "only":
            return None
        return self.coders[0] if self.codings[0] else self.coders[1]

    @property
    def label(self) -> str:
        if self.kind == "only":
            return f"only {self.only}"
        if self.kind == "boundaries":
            return "same code, different boundaries"
        return "different value"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "transcript": self.transcript,
            "code": self.code,
            "kind": self.kind,
            "label": self.label,
            "only": self.only,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "codings": {
                coder: [c.model_dump(mode="json", exclude_none=True) for c in side]
                for coder, side in zip(self.coders, self.codings, strict=True)
            },
            "decision": self.decision,
        }


# --- the decision log -------------------------------------------------------------------------


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str
    transcript: str
    code: str
    choice: str
    sources: dict[str, list[str]]  # coder -> coding ids of the item
    added: list[str] = Field(default_factory=list)  # consensus coding ids this decision added
    decided: dt.datetime = Field(default_factory=now)


class DecisionLog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: str
    transcript: str
    decisions: list[Decision] = Field(default_factory=list)

    def get(self, item: str) -> Decision | None:
        return next((d for d in self.decisions if d.item == item), None)


def decisions_file(paths: ProjectPaths, into: str, transcript_id: str) -> Path:
    """Where the review decisions on one transcript for consensus coder ``into`` are logged."""
    return paths.review_log(into, transcript_id)


def load_log(paths: ProjectPaths, into: str, transcript_id: str) -> DecisionLog:
    path = decisions_file(paths, into, transcript_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DecisionLog(into=into, transcript=transcript_id)
    except (OSError, UnicodeDecodeError) as exc:
        raise CodingsError(f"cannot read the review log: {exc}", path=path) from None
    try:  # the fast path; the careful parse below only to name the line of a problem
        return DecisionLog.model_validate(load_yaml_fast(text))
    except (yaml.YAMLError, ValidationError):
        pass
    log, _, _ = load_model(
        text,
        path,
        DecisionLog,
        error=CodingsError,
        shape="a review log must be a mapping",
        shape_hint="restore the file from version control",
        hint="restore the file from version control",
    )
    return log


def save_log(paths: ProjectPaths, log: DecisionLog) -> None:
    atomic_write_text(
        decisions_file(paths, log.into, log.transcript),
        dump_yaml(log.model_dump(mode="json", exclude_none=True)),
    )


# --- finding disagreements --------------------------------------------------------------------


def check_review_coders(project: Project, coders: Sequence[str], into: str | None) -> None:
    from codeer.agreement import check_coders

    if len(coders) != 2:
        raise UsageError("review compares exactly two coders", hint="pass --coders a,b")
    check_coders(project, coders)
    for c in coders:
        if c in SPECIAL_CHOICES:
            raise UsageError(
                f"a coder named '{c}' cannot be reviewed",
                hint="'both' and 'neither' are review choices; rename the coder's folder",
            )
    if into is not None:
        if into in coders:
            raise UsageError(
                f"the consensus coder '{into}' is one of the compared coders",
                hint="pass --into NAME with a new name, e.g. --into consensus",
            )
        if not is_valid_coder_name(into):
            raise UsageError(
                f"coder name {into!r} is not allowed", hint="use letters, digits, '_', '.', '-'"
            )


def _split(
    a: Sequence[Coding], b: Sequence[Coding]
) -> tuple[list[Coding], list[Coding], list[Coding]]:
    """Exact agreements (a's copy) and what is left of a and of b."""
    pool: dict[Key, list[Coding]] = defaultdict(list)
    for c in b:
        pool[key(c)].append(c)
    agreed: list[Coding] = []
    rest_a: list[Coding] = []
    for c in a:
        match = pool.get(key(c))
        if match:
            match.pop(0)
            agreed.append(c)
        else:
            rest_a.append(c)
    rest_b = [c for side in pool.values() for c in side]
    return agreed, rest_a, rest_b


def _usable(project: Project, coder: str, transcript_id: str) -> list[Coding]:
    """The coder's codings on the transcript as it is now (re-anchored in memory if needed)."""
    from codeer.agreement import current_codings

    placed, _ = current_codings(
        project.codings(coder, transcript_id), project.transcript(transcript_id)
    )
    return [c for c in placed if c.anchor != "orphaned"]


def agreed_codings(project: Project, coders: Sequence[str], transcript_id: str) -> list[Coding]:
    """The first coder's codings that the second coder made exactly the same way."""
    a = _usable(project, coders[0], transcript_id)
    b = _usable(project, coders[1], transcript_id)
    return _split(a, b)[0]


def item_id(transcript_id: str, code: str, sides: Sequence[Sequence[Coding]]) -> str:
    parts = [transcript_id, code]
    for n, side in enumerate(sides):
        for c in sorted(side, key=lambda c: (c.start, c.end, c.id)):
            parts.append(f"{n}:{c.id}:{c.start}:{c.end}:{c.value!r}")
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8]


def disagreements(
    project: Project,
    coders: Sequence[str],
    transcript_id: str,
    *,
    into: str | None = DEFAULT_INTO,
) -> list[Disagreement]:
    """The places in one transcript where the two coders differ, in text order.

    ``into`` names the consensus coder whose decision log marks decided items (None: ignore).
    """
    ca, cb = coders[0], coders[1]
    transcript = project.transcript(transcript_id)
    _, rest_a, rest_b = _split(
        _usable(project, ca, transcript_id), _usable(project, cb, transcript_id)
    )
    log = load_log(project.paths, into, transcript_id) if into is not None else None
    tagged = [(0, c) for c in rest_a] + [(1, c) for c in rest_b]
    by_code: dict[str, list[tuple[int, Coding]]] = defaultdict(list)
    for side, c in tagged:
        by_code[c.code].append((side, c))
    out: list[Disagreement] = []
    for code, items in by_code.items():
        items.sort(key=lambda x: (x[1].start, x[1].end, x[0], x[1].id))
        group: list[tuple[int, Coding]] = []
        end = -1
        for side, c in items:
            if group and c.start >= end:
                out.append(_item(transcript_id, transcript.body, code, (ca, cb), group, log))
                group = []
            group.append((side, c))
            end = max(end, c.end) if len(group) > 1 else c.end
        if group:
            out.append(_item(transcript_id, transcript.body, code, (ca, cb), group, log))
    out.sort(key=lambda d: (d.start, d.end, d.code))
    return out


def _item(
    tid: str,
    body: str,
    code: str,
    coders: tuple[str, str],
    group: list[tuple[int, Coding]],
    log: DecisionLog | None,
) -> Disagreement:
    a = tuple(c for s, c in group if s == 0)
    b = tuple(c for s, c in group if s == 1)
    kind: Kind
    if not a or not b:
        kind = "only"
    elif sorted((c.start, c.end) for c in a) == sorted((c.start, c.end) for c in b):
        kind = "value"
    else:
        kind = "boundaries"
    start = min(c.start for _, c in group)
    end = max(c.end for _, c in group)
    iid = item_id(tid, code, (a, b))
    decided = log.get(iid) if log is not None else None
    return Disagreement(
        iid,
        tid,
        code,
        kind,
        coders,
        (a, b),
        start,
        end,
        body[start:end],
        decided.choice if decided is not None else None,
    )


def review_transcripts(
    project: Project, coders: Sequence[str], only: Iterable[str] | None = None
) -> tuple[list[str], dict[str, list[str]]]:
    """Transcripts both coders coded, and the skipped ones with who coded them."""
    from codeer.agreement import common_transcripts

    return common_transcripts(project, coders, only)


def find(
    project: Project,
    coders: Sequence[str],
    item: str,
    *,
    transcripts: Iterable[str] | None = None,
    into: str | None = DEFAULT_INTO,
) -> Disagreement:
    """The disagreement with id ``item``; a clear error when there is none."""
    tids, _ = review_transcripts(project, coders, transcripts)
    for tid in tids:
        for d in disagreements(project, coders, tid, into=into):
            if d.id == item:
                return d
    raise UsageError(
        f"no disagreement with id '{item}'",
        hint="list them with 'codeer review --coders "
        + ",".join(coders)
        + "'; an item whose codings changed has a new id",
    )


# --- resolving --------------------------------------------------------------------------------


def _consensus_file(project: Project, transcript_id: str, into: str) -> CodingsFile:
    cf = project.codings(into, transcript_id)
    if cf is None:
        cf = CodingsFile(
            transcript=transcript_id,
            coder=into,
            transcript_hash=project.transcript(transcript_id).content_hash,
        )
    return cf


def _copy(c: Coding, into: str, taken: set[str]) -> Coding:
    cid = c.id if c.id not in taken else new_coding_id()
    while cid in taken:
        cid = new_coding_id()
    taken.add(cid)
    return c.model_copy(update={"id": cid, "coder": into, "modified": now()})


def resolve(
    project: Project, disagreement: Disagreement, choice: str, into: str = DEFAULT_INTO
) -> None:
    """Decide an item: copy the chosen codings into the consensus coder and log the decision."""
    resolve_many(project, [(disagreement, choice)], into)


def resolve_many(
    project: Project, decisions: Sequence[tuple[Disagreement, str]], into: str = DEFAULT_INTO
) -> None:
    """Decide several items; each transcript's consensus file and log are written once."""
    for d, choice in decisions:
        if choice not in (*d.coders, *SPECIAL_CHOICES):
            raise UsageError(
                f"unknown choice '{choice}'",
                hint=f"choose {', '.join((*d.coders, *SPECIAL_CHOICES))}",
            )
        if into in d.coders:
            raise UsageError(
                f"the consensus coder '{into}' is one of the compared coders",
                hint="pass --into NAME with a new name",
            )
    by_tid: dict[str, list[tuple[Disagreement, str]]] = defaultdict(list)
    for d, choice in decisions:
        by_tid[d.transcript].append((d, choice))
    for tid, items in by_tid.items():
        log = load_log(project.paths, into, tid)
        cf = _consensus_file(project, tid, into)
        codings = list(cf.codings)
        for d, choice in items:
            codings = _decide(codings, log, d, choice, into)
        project.store.save(cf.model_copy(update={"codings": codings}))
        save_log(project.paths, log)


def _decide(
    codings: list[Coding], log: DecisionLog, d: Disagreement, choice: str, into: str
) -> list[Coding]:
    earlier = log.get(d.id)
    if earlier is not None:
        drop = set(earlier.added)
        codings = [c for c in codings if c.id not in drop]
        log.decisions.remove(earlier)
    if choice == "both":
        chosen = [c for side in d.codings for c in side]
    elif choice == "neither":
        chosen = []
    else:
        chosen = list(d.by(choice))
    present = {key(c) for c in codings}
    taken = {c.id for c in codings}
    added: list[str] = []
    for c in chosen:
        if key(c) in present:
            continue  # already there (seeded, or from another item): never twice
        copy = _copy(c, into, taken)
        codings.append(copy)
        present.add(key(copy))
        added.append(copy.id)
    log.decisions.append(
        Decision(
            item=d.id,
            transcript=d.transcript,
            code=d.code,
            choice=choice,
            sources={
                coder: [c.id for c in side] for coder, side in zip(d.coders, d.codings, strict=True)
            },
            added=added,
        )
    )
    return codings


def seed(
    project: Project,
    coders: Sequence[str],
    into: str = DEFAULT_INTO,
    transcripts: Iterable[str] | None = None,
) -> dict[str, int]:
    """Copy every exact agreement into the consensus coder; the number added per transcript."""
    check_review_coders(project, coders, into)
    tids, _ = review_transcripts(project, coders, transcripts)
    added: dict[str, int] = {}
    for tid in tids:
        agreed = agreed_codings(project, coders, tid)
        cf = _consensus_file(project, tid, into)
        codings = list(cf.codings)
        present = {key(c) for c in codings}
        taken = {c.id for c in codings}
        n = 0
        for c in agreed:
            if key(c) in present:
                continue
            codings.append(_copy(c, into, taken))
            present.add(key(c))
            n += 1
        if n or project.codings(into, tid) is None:
            project.store.save(cf.model_copy(update={"codings": codings}))
        added[tid] = n
    return added
