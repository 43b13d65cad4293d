"""Coding suggestions: proposed from the codebook's keywords, kept apart from codings.

A suggestion proposes one code for one sentence, with the matched tokens as evidence. It lives in
``interviews/suggestions/<coder>/<transcript>.yaml`` and becomes a coding only when the coder
accepts it (``accept``), which saves a Coding through the Store. Rejections are remembered, so
running ``codeer suggest`` again does not bring them back; the id of a suggestion is a hash of
transcript, code and sentence span, stable across runs.

Suggestions are made for respondent turns only (an interviewer's question is coded only when the
answer needs it), and a pending suggestion is not written when the coder already applied that
code to a span overlapping the sentence. A coded passage is usually one or two sentences, so a
suggestion also continues into the next sentence of the same turn when no code was proposed
there (``extend``); its evidence is then the matched words of the sentence before.

Importing this module does not import spaCy; making suggestions builds the pipeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import chain, pairwise
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codeer.codebook import Code, Codebook
from codeer.codings import Coding, CodingsFile, now
from codeer.errors import CodingsError, UsageError
from codeer.paths import ProjectPaths, is_valid_coder_name
from codeer.segmentation import Sentence, segment
from codeer.store import atomic_write_text
from codeer.transcript import Transcript
from codeer.yamlio import dump_yaml, load_yaml, pydantic_problems

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from codeer.nlp.matching import MatcherSet, Matches
    from codeer.project import Project

Status = Literal["pending", "accepted", "rejected"]
Source = Literal["keywords", "learned"]
Progress = Callable[[int], None]
INTERVIEWER = frozenset({"I", "Interviewer"})
BATCH = 16  # transcripts per suggest_many call of run_suggest (the progress bar moves)
BATCH_CHARS = 2_000_000  # characters of transcript matched at once by Suggester.suggest_many

_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_TEENS = ["tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
          "achttien", "negentien"]  # fmt: skip
_TENS = {2: "twintig", 3: "dertig", 4: "veertig", 5: "vijftig"}


def _number_words() -> dict[str, int]:
    words: dict[str, int] = {w: i for i, w in enumerate(_UNITS)}
    words.update({"één": 1, "eén": 1})
    words.update({w: 10 + i for i, w in enumerate(_TEENS)})
    for t, tw in _TENS.items():
        words[tw] = 10 * t
        for u in range(1, 10):
            unit = _UNITS[u]
            joint = "ën" if unit.endswith("e") else "en"
            words[f"{unit}{joint}{tw}"] = 10 * t + u
    words.update({"tweeën": 2, "drieën": 3, "vieren": 4, "vijven": 5, "zessen": 6})
    return words


NUMBER_WORDS = _number_words()


@dataclass(frozen=True, slots=True)
class Evidence:
    """A matched token: its body offsets, its text and the keyword (or pattern) that matched."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    text: str
    keyword: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One code proposed for one sentence.

    A plain dataclass (cheap to make by the thousand); pydantic validates it when a
    SuggestionsFile is read.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")

    id: str
    code: str
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    quote: str
    sentence: Annotated[int, Field(ge=0)]
    evidence: tuple[Evidence, ...] = ()
    value: int | str | None = None
    status: Status = "pending"
    coding_id: str | None = None
    decided: dt.datetime | None = None
    source: Source = "keywords"  # "learned": proposed by the passage model (codeer.nlp.learning)
    score: float | None = None  # the passage model's probability, for learned suggestions


def _quick_constructor(cls: type) -> Callable[..., Any]:
    """A constructor for a frozen slots dataclass that sets the slots directly, with the same
    positional parameters and defaults as its ``__init__`` (which goes through
    ``object.__setattr__`` per field: most of the cost when thousands are made per transcript).
    Generated from the fields, as dataclasses generates ``__init__``, so it stays in step."""
    ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
    params: list[str] = []
    body = ["    o = new(cls)"]
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.default_factory is not dataclasses.MISSING or hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__}: only plain defaults are supported")
        ns[f"set{i}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            ns[f"default{i}"] = f.default
            params.append(f"{f.name}=default{i}")
        body.append(f"    set{i}(o, {f.name})")
    exec(f"def make({', '.join(params)}):\n" + "\n".join(body) + "\n    return o\n", ns)
    return ns["make"]


make_evidence: Callable[..., Evidence] = _quick_constructor(Evidence)
make_suggestion: Callable[..., Suggestion] = _quick_constructor(Suggestion)


class SuggestionsFile(BaseModel):
    """The suggestions for one coder on one transcript, decided ones included."""

    model_config = ConfigDict(extra="forbid")

    transcript: str
    coder: str
    transcript_hash: str
    suggestions: list[Suggestion] = Field(default_factory=list)

    def get(self, suggestion_id: str) -> Suggestion | None:
        return next((s for s in self.suggestions if s.id == suggestion_id), None)

    def pending(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.status == "pending"]

    def to_yaml(self) -> str:
        data = self.model_copy(
            update={"suggestions": sorted(self.suggestions, key=lambda s: (s.start, s.code, s.id))}
        ).model_dump(mode="json", exclude_none=True)
        for item in data["suggestions"]:
            for key in ("value", "coding_id", "decided"):
                if item.get(key) is None:
                    item.pop(key, None)
        for item in data["suggestions"]:
            if item.get("status") == "pending":
                item.pop("status")
            if item.get("source") == "keywords":
                item.pop("source")
        return dump_yaml(data)


def suggestion_id(transcript_id: str, code: str, start: int, end: int) -> str:
    """Stable over runs: the same code on the same sentence of the same transcript."""
    raw = f"{transcript_id}\x1f{code}\x1f{start}\x1f{end}".encode()
    return hashlib.sha1(raw).digest()[:6].hex()  # = hexdigest()[:12], with less copying


# --- making suggestions ------------------------------------------------------------------------
class SuggestionSource(Protocol):
    """What ``run_suggest`` needs: the keyword Suggester, or the LearnedSuggester over it."""

    def suggest(
        self, transcript: Transcript, sentences: Sequence[Sentence] | None = None
    ) -> list[Suggestion]: ...

    def suggest_many(
        self,
        transcripts: Sequence[Transcript],
        sentences: Sequence[Sequence[Sentence]] | None = None,
    ) -> list[list[Suggestion]]: ...


class Suggester:
    """Compiles the codebook's keywords once and proposes codings for transcripts."""

    def __init__(
        self,
        codebook: Codebook,
        *,
        nlp: Language | None = None,
        codes: Iterable[str] | None = None,
        include_interviewer: bool = False,
        context: bool = True,
        extend: bool = True,
    ) -> None:
        from codeer.nlp.matching import MatcherSet
        from codeer.nlp.pipeline import LEMMATIZER, get_pipeline

        self.codebook = codebook
        self.nlp = nlp if nlp is not None else get_pipeline()
        self.matchers: MatcherSet = MatcherSet(codebook, self.nlp, codes)
        self.include_interviewer = include_interviewer
        self.context = context
        self.extend = extend
        self._lemmatizer = self.nlp.get_pipe(LEMMATIZER)

    @property
    def codes(self) -> list[str]:
        """The codes that can be suggested (they have keywords or patterns)."""
        return list(self.matchers.codes)

    def suggest(
        self, transcript: Transcript, sentences: Sequence[Sentence] | None = None
    ) -> list[Suggestion]:
        """Fresh (pending) suggestions for one transcript, in body order."""
        return self.suggest_many([transcript], None if sentences is None else [sentences])[0]

    def suggest_many(
        self,
        transcripts: Sequence[Transcript],
        sentences: Sequence[Sequence[Sentence]] | None = None,
        docs: Sequence[Doc] | None = None,
    ) -> list[list[Suggestion]]:
        """Fresh (pending) suggestions for several transcripts (each in body order), matched in
        batches: like ``nlp.pipe``, a batch spreads the fixed cost of the numpy work. A batch
        holds at most ``BATCH_CHARS`` characters of transcript (one longer transcript goes
        alone), so the look-up tables per sentence stay a few megabytes. ``docs``: the bodies
        already tokenised by the pipeline (else they are; the interviewer's turns are then left
        out when nothing needs them).

        Each body is tokenised once; lemmas are looked up per distinct word (the lookup
        lemmatizer is a function of the lower-cased form, so this gives the pipeline's lemmas);
        the lemmatizer runs on the whole doc only when a code has Matcher patterns.
        """
        sents = [segment(t) for t in transcripts] if sentences is None else list(sentences)
        out: list[list[Suggestion]] = []
        at = 0
        while at < len(transcripts):
            end, size = at + 1, len(transcripts[at].body)
            while end < len(transcripts) and size + len(transcripts[end].body) <= BATCH_CHARS:
                size += len(transcripts[end].body)
                end += 1
            out += self._suggest_batch(
                transcripts[at:end], sents[at:end], None if docs is None else docs[at:end]
            )
            at = end
        return out

    def _suggest_batch(
        self,
        transcripts: Sequence[Transcript],
        sents: Sequence[Sequence[Sentence]],
        docs: Sequence[Doc] | None = None,
    ) -> list[list[Suggestion]]:
        """One batch: its docs and its sentences as one run, matched, then made suggestions."""
        import numpy as np

        m = self.matchers
        context = self.context and bool(m.conjunctions)
        if docs is None:
            docs = [
                self.nlp.make_doc(t.body if context else self._text_to_tokenise(t))
                for t in transcripts
            ]
        if m.has_patterns:
            docs = [self._lemmatizer(doc) for doc in docs]
        # the sentences of all transcripts as one run; turns numbered over the batch, with a gap
        # between transcripts (so no context reaches into the transcript before)
        every = list(chain.from_iterable(sents))
        n = len(every)
        sizes = [len(ss) for ss in sents]
        first_turn = np.cumsum([0] + [len(t.turns) + 1 for t in transcripts])[:-1]
        turn = np.fromiter(map(_turn_index, every), np.int64, n) + np.repeat(first_turn, sizes)
        asks = np.fromiter(
            chain.from_iterable([*(x.is_interviewer for x in t.turns), False] for t in transcripts),
            bool,
        )[turn]
        wanted = np.ones(n, bool) if self.include_interviewer else ~asks
        bounds = np.fromiter(chain.from_iterable(map(_span, every)), np.int64, 2 * n).reshape(n, 2)
        edges = _context_edges(turn, asks) if context else None
        found = m.match_docs(docs, sizes, bounds, wanted, edges)
        return self._build(transcripts, sents, found, turn, wanted)

    def _build(
        self,
        transcripts: Sequence[Transcript],
        sents: Sequence[Sequence[Sentence]],
        found: Matches,
        turn: Any,
        wanted: Any,
    ) -> list[list[Suggestion]]:
        """The suggestions of ``match_docs``'s groups, one per proposed (sentence, code), and
        their extensions: a coded passage is usually one or two sentences, so a suggestion
        continues into the next sentence of the same turn when nothing was proposed there (its
        evidence stays the words that matched in the sentence before). A transcript with
        extensions has its suggestions by position and code."""
        import numpy as np

        out: list[list[Suggestion]] = [[] for _ in transcripts]
        gs, gc, ge = found.group_sentence, found.group_code, found.group_evidence
        if not gs:
            return out
        n_groups, n_sent = len(gs), len(wanted)
        gj = np.array(gs, np.int64)
        sent_base: list[int] = found.sent_base.tolist()
        doc_of = np.repeat(np.arange(len(transcripts)), np.diff(found.sent_base))
        if self.extend:
            taken = np.zeros(n_sent, bool)
            taken[gj] = True
            k = (gj + 1).clip(max=n_sent - 1)
            ext = np.flatnonzero(
                (gj + 1 < n_sent)
                & ~taken[k]
                & wanted[k]
                & (turn[k] == turn[gj])
                & (doc_of[k] == doc_of[gj])
            )
        else:
            ext = np.zeros(0, np.int64)
        src = np.concatenate([np.arange(n_groups), ext])  # the group each suggestion is of
        sent = np.concatenate([gj, gj[ext] + 1])
        by_code = np.zeros(len(transcripts), bool)  # transcripts with extensions
        by_code[doc_of[gj[ext]]] = True
        second = np.where(by_code[doc_of[sent]], found.group_rank[src], src)
        order = np.lexsort((second, sent))
        # the evidence, made per transcript (offsets into its body), one tuple per group
        etok, ekw = found.evidence_token, found.evidence_keyword
        keys, lengths, token_end = found.info.keys, found.lengths, found.token_end
        starts: list[int] = found.local[etok].tolist() if etok else []
        ends = [
            a + n if n >= 0 else token_end(t)
            for a, t in zip(starts, etok, strict=True)
            for n in (lengths.get(keys[t], -1),)
        ]
        cut = found.tok_base.searchsorted(np.array(etok, np.int64), "right") - 1
        doc_cuts: list[int] = np.searchsorted(cut, np.arange(len(transcripts) + 1)).tolist()
        evidence: list[Evidence] = []
        for d, t in enumerate(transcripts):
            x, y = doc_cuts[d], doc_cuts[d + 1]
            if x < y:
                body = t.body
                evidence += [
                    make_evidence(a, b, body[a:b], k)
                    for a, b, k in zip(starts[x:y], ends[x:y], ekw[x:y], strict=True)
                ]
        evidence_of = [tuple(evidence[a:b]) for a, b in pairwise(ge)]
        # values, for valued codes where the sentence states one
        codes = self.codebook.codes
        values: dict[int, int | str | None] = {}
        valued = {c for c in set(gc) if codes[c].value is not None}
        if valued:
            lower, lemmas = found.info.lower, found.info.lemma
            for g, (j, code_id) in enumerate(zip(gs, gc, strict=True)):
                if code_id in valued:  # an integer is read from the forms alone: no lemmas
                    code = codes[code_id]
                    assert code.value is not None
                    lo, hi = found.lo[j], found.hi[j]
                    lemma = lemmas[lo:hi] if code.value.type != "integer" else ()
                    values[g] = propose_value(code, lower[lo:hi], lemma)
        # the suggestions, per transcript: entries in order, ids hashed as suggestion_id does
        sha1 = hashlib.sha1
        o_src: list[int] = src[order].tolist()
        o_sent = sent[order]
        cuts: list[int] = o_sent.searchsorted(found.sent_base).tolist()
        o_sent_l: list[int] = o_sent.tolist()
        code_of = [gc[g] for g in o_src]
        evidence_at = [evidence_of[g] for g in o_src]
        value_at = (
            [values.get(g) if j == gs[g] else None for g, j in zip(o_src, o_sent_l, strict=True)]
            if values
            else [None] * len(o_src)
        )
        for d, t in enumerate(transcripts):
            x, y = cuts[d], cuts[d + 1]
            if x == y:
                continue
            base, ss = sent_base[d], sents[d]
            chosen = [ss[j - base] for j in o_sent_l[x:y]]
            s0 = [c.start for c in chosen]
            s1 = [c.end for c in chosen]
            codes_here = code_of[x:y]
            head = f"{t.id}\x1f"
            ids = [
                sha1(f"{head}{c}\x1f{a}\x1f{b}".encode()).digest()[:6].hex()
                for c, a, b in zip(codes_here, s0, s1, strict=True)
            ]
            out[d] = list(
                map(
                    make_suggestion,
                    ids,
                    codes_here,
                    s0,
                    s1,
                    [c.text for c in chosen],
                    [c.index for c in chosen],
                    evidence_at[x:y],
                    value_at[x:y],
                )
            )
        return out

    def _text_to_tokenise(self, transcript: Transcript) -> str:
        """The body with the turns not suggested for blanked out (same length, so offsets hold)."""
        body = transcript.body
        if self.include_interviewer:
            return body
        skip = [t for t in transcript.turns if t.is_interviewer]
        if not skip:
            return body
        parts: list[str] = []
        pos = 0
        for t in skip:
            parts.append(body[pos : t.start])
            parts.append(" " * (t.end - t.start))
            pos = t.end
        parts.append(body[pos:])
        return "".join(parts)


def _context_edges(turn: Any, asks: Any) -> tuple[Any, Any]:
    """The context of each sentence (numpy: its turn index and whether the interviewer speaks
    there) for '&' keywords: the sentence before in the same turn and, for the first two
    sentences of an answer, the interviewer's question just before it (its last sentence).
    Pairs (sentence, context sentence), by sentence, each sentence's in that order."""
    import numpy as np

    n = len(turn)
    j = np.arange(n)
    prev = np.zeros(n, bool)  # the sentence before is in the same turn
    prev[1:] = turn[1:] == turn[:-1]
    third = np.zeros(n, bool)  # ... and the one before that too
    third[2:] = prev[2:] & (turn[2:] == turn[:-2])
    q = np.where(prev, j - 2, j - 1)  # where the question would be
    qc = q.clip(min=0)
    ok = ~third & (q >= 0) & (turn[qc] == turn - 1) & asks[qc]
    ej = np.concatenate([j[prev], j[ok]])
    ek = np.concatenate([j[prev] - 1, q[ok]])
    o = np.argsort(ej, kind="stable")  # the sentence before comes first
    return ej[o], ek[o]


def _span(s: Sentence) -> tuple[int, int]:
    return s.start, s.end


_turn_index = attrgetter("turn_index")


def propose_value(code: Code, lower: Sequence[str], lemma: Sequence[str]) -> int | str | None:
    """A value for a valued code when the sentence states one unambiguously, else None."""
    spec = code.value
    if spec is None:
        return None
    if spec.type == "integer":
        found: list[int] = []
        for word in lower:
            n = int(word) if word.isdigit() and len(word) < 6 else NUMBER_WORDS.get(word)
            if n is not None and spec.check(n) is None and n not in found:
                found.append(n)
        return found[0] if len(found) == 1 else None
    cats = [c for c in spec.categories if c in lower or c in lemma]
    return cats[0] if len(cats) == 1 else None


# --- the suggestions files -------------------------------------------------------------------
def load_suggestions(paths: ProjectPaths, coder: str, transcript_id: str) -> SuggestionsFile | None:
    path = paths.suggestions_file(coder, transcript_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise CodingsError(
            f"not valid UTF-8 (byte {exc.start})",
            path=path,
            hint="delete it and run codeer suggest",
        ) from None
    raw, lines = load_yaml(text, path, error=CodingsError)
    try:
        sf = SuggestionsFile.model_validate(raw)
    except ValidationError as exc:
        line, msg = pydantic_problems(exc, lines)[0]
        raise CodingsError(
            msg, path=path, line=line, hint="delete the file and run codeer suggest again"
        ) from None
    if sf.transcript != transcript_id or sf.coder != coder:
        raise CodingsError(
            f"file is for {sf.coder}/{sf.transcript}, not {coder}/{transcript_id}",
            path=path,
            line=1,
            hint="delete it and run codeer suggest again",
        )
    return sf


def save_suggestions(paths: ProjectPaths, sf: SuggestionsFile) -> Path:
    _check_coder(sf.coder)
    path = paths.suggestions_file(sf.coder, sf.transcript)
    atomic_write_text(path, sf.to_yaml())
    return path


def _check_coder(coder: str) -> None:
    if not is_valid_coder_name(coder):
        raise UsageError(
            f"coder name {coder!r} is not allowed",
            hint="use letters, digits, '_', '.', '-' (it becomes a folder name)",
        )


def merge_suggestions(
    transcript: Transcript,
    coder: str,
    fresh: Sequence[Suggestion],
    previous: SuggestionsFile | None,
    codings: CodingsFile | None,
) -> SuggestionsFile:
    """Decided suggestions stay; fresh ones that repeat a decision or an existing coding go."""
    decided = [s for s in (previous.suggestions if previous else []) if s.status != "pending"]
    decided_ids = {s.id for s in decided}
    decided_quotes = {(s.code, s.quote) for s in decided}
    coded = codings.codings if codings else []
    keep: list[Suggestion] = list(decided)
    for s in fresh:
        if s.id in decided_ids or (s.code, s.quote) in decided_quotes:
            continue
        if any(c.code == s.code and c.overlaps(s.start, s.end) for c in coded):
            continue
        keep.append(s)
    return SuggestionsFile(
        transcript=transcript.id,
        coder=coder,
        transcript_hash=transcript.content_hash,
        suggestions=keep,
    )


def run_suggest(
    project: Project,
    coder: str,
    transcript_ids: Sequence[str] | None = None,
    *,
    suggester: SuggestionSource | None = None,
    progress: Progress | None = None,
    write: bool = True,
) -> dict[str, SuggestionsFile]:
    """Suggest for the given transcripts (default: all) and write the merged files."""
    _check_coder(coder)
    ids = list(transcript_ids) if transcript_ids else list(project.transcripts)
    transcripts = [project.transcript(t) for t in ids]
    suggester = suggester or Suggester(project.codebook)
    out: dict[str, SuggestionsFile] = {}
    for at in range(0, len(transcripts), BATCH):  # batches: fast, and the progress bar moves
        batch = transcripts[at : at + BATCH]
        for t, fresh in zip(batch, suggester.suggest_many(batch), strict=True):
            previous = load_suggestions(project.paths, coder, t.id)
            sf = merge_suggestions(t, coder, fresh, previous, project.codings(coder, t.id))
            if write:
                save_suggestions(project.paths, sf)
            out[t.id] = sf
            if progress is not None:
                progress(1)
    return out


# --- deciding ------------------------------------------------------------------------------------
def _find(
    project: Project, coder: str, transcript_id: str, suggestion_id: str
) -> tuple[SuggestionsFile, Suggestion]:
    _check_coder(coder)
    sf = load_suggestions(project.paths, coder, transcript_id)
    s = sf.get(suggestion_id) if sf is not None else None
    if sf is None or s is None:
        raise UsageError(
            f"no suggestion '{suggestion_id}' for coder '{coder}' on transcript '{transcript_id}'",
            hint="run 'codeer suggest' first and use an id it printed",
        )
    return sf, s


def _replace(sf: SuggestionsFile, s: Suggestion) -> SuggestionsFile:
    return sf.model_copy(update={"suggestions": [s if x.id == s.id else x for x in sf.suggestions]})


def accept(
    project: Project,
    coder: str,
    transcript_id: str,
    suggestion_id: str,
    *,
    value: int | str | None = None,
) -> Coding:
    """Turn a suggestion into a coding (saved through the Store) and mark it accepted.

    Accepting twice returns the same coding; an identical coding that already exists is reused.
    """
    sf, s = _find(project, coder, transcript_id, suggestion_id)
    if s.status == "rejected":
        raise UsageError(
            f"suggestion '{suggestion_id}' was rejected",
            hint="code the passage by hand if you changed your mind",
        )
    transcript = project.transcript(transcript_id)
    if sf.transcript_hash != transcript.content_hash or transcript.body[s.start : s.end] != s.quote:
        raise UsageError(
            f"transcript '{transcript_id}' changed since the suggestions were made",
            hint="run 'codeer suggest' again",
        )
    code = project.codebook.codes.get(s.code)
    if code is None:
        raise UsageError(
            f"code '{s.code}' is no longer in the codebook", hint="run 'codeer suggest' again"
        )
    chosen = value if value is not None else s.value
    if chosen is not None and code.value is not None and code.value.check(chosen) is not None:
        raise UsageError(f"value for '{s.code}': {code.value.check(chosen)}")
    if chosen is not None and code.value is None:
        raise UsageError(f"code '{s.code}' carries no value")
    cf = project.store.load(coder, transcript_id) or CodingsFile(
        transcript=transcript_id, coder=coder, transcript_hash=transcript.content_hash
    )
    coding = next(
        (
            c
            for c in cf.codings
            if (s.coding_id is not None and c.id == s.coding_id)
            or (c.code == s.code and c.start == s.start and c.end == s.end)
        ),
        None,
    )
    if coding is None:
        coding = Coding(
            code=s.code, start=s.start, end=s.end, quote=s.quote, value=chosen, coder=coder
        )
        cf.codings.append(coding)
        project.store.save(cf)
    if s.status != "accepted" or s.coding_id != coding.id:
        done = replace(s, status="accepted", coding_id=coding.id, decided=now())
        save_suggestions(project.paths, _replace(sf, done))
    return coding


def reject(project: Project, coder: str, transcript_id: str, suggestion_id: str) -> Suggestion:
    """Mark a suggestion rejected; it will not be proposed again."""
    sf, s = _find(project, coder, transcript_id, suggestion_id)
    if s.status == "accepted":
        raise UsageError(
            f"suggestion '{suggestion_id}' was already accepted as coding '{s.coding_id}'",
            hint="remove that coding in the workbench instead",
        )
    if s.status == "rejected":
        return s
    done = replace(s, status="rejected", decided=now())
    save_suggestions(project.paths, _replace(sf, done))
    return done
