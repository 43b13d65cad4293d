"""The batch matcher (``MatcherSet.match_docs`` + ``Suggester.suggest_many``) against the
per-sentence matcher it replaced (``scan_at`` + ``sentence_codes``), which stays the plain
statement of the rules: the same suggestions, ids, evidence, values and order, on the bundled
project and on generated transcripts matched several at a time."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeer.nlp.matching import (
    NEGATION_WINDOW,
    Hit,
    Ragged,
    Scan,
    negated_by_class,
    negated_singles,
)
from codeer.nlp.suggestions import (
    INTERVIEWER,
    Evidence,
    Suggester,
    Suggestion,
    propose_value,
    suggestion_id,
)
from codeer.project import Project
from codeer.segmentation import Sentence, segment
from codeer.transcript import Transcript, parse_transcript
from tests.test_nlp_suggestions import CODEBOOK, make_project

REPO = Path(__file__).resolve().parents[1]


def context_of(sentences: Sequence[Sentence], j: int) -> list[int]:
    """The sentence before in the same turn and, for the first two sentences of an answer,
    the interviewer's question just before it."""
    turn = sentences[j].turn_index
    out: list[int] = []
    k = j - 1
    if k >= 0 and sentences[k].turn_index == turn:
        out.append(k)
        if k >= 1 and sentences[k - 1].turn_index == turn:
            return out
        k -= 1
    if k >= 0 and sentences[k].turn_index == turn - 1 and sentences[k].speaker in INTERVIEWER:
        out.append(k)
    return out


def reference_suggest(
    s: Suggester, transcript: Transcript, sentences: Sequence[Sentence]
) -> list[Suggestion]:
    """Suggestions the way codeer made them one sentence at a time (before the batch matcher)."""
    wanted = {
        x.index
        for x in sentences
        if s.include_interviewer or not transcript.turns[x.turn_index].is_interviewer
    }
    if not wanted:
        return []
    m = s.matchers
    context = s.context and bool(m.conjunctions)
    doc = s.nlp.make_doc(transcript.body if context else s._text_to_tokenise(transcript))
    if m.has_patterns:
        doc = s._lemmatizer(doc)
    info = m.token_info(doc)
    positions = m.positions(info)
    ranges = m.sentence_ranges(info, [(x.start, x.end) for x in sentences])
    patterns: dict[int, list[Hit]] = {}
    starts = [x.start for x in sentences]
    for h in m.pattern_hits(doc):
        j = bisect.bisect_right(starts, info.start[h[1][0]]) - 1
        if j >= 0 and info.end[h[1][-1]] <= sentences[j].end:
            patterns.setdefault(j, []).append(h)
    scans: dict[int, Scan] = {}

    def scan(j: int) -> Scan:
        if j not in scans:
            lo, hi, a, b, c, d = ranges[j]
            scans[j] = m.scan_at(info, lo, hi, positions, (a, b, c, d))
        return scans[j]

    out: list[Suggestion] = []
    for j in sorted(wanted):
        sc = scan(j)
        ctx = [scan(k) for k in context_of(sentences, j)] if context else []
        found = m.sentence_codes(info, sc, ctx, patterns.get(j, ()))
        sent = sentences[j]
        for code_id, hits in found.items():
            named: dict[int, str] = {}
            for kw, toks, _ in hits:
                for t in toks:
                    named.setdefault(t, kw.text)
            evidence = tuple(
                Evidence(
                    info.start[t],
                    info.end[t],
                    transcript.body[info.start[t] : info.end[t]],
                    named[t],
                )
                for t in sorted(named)
            )
            code = s.codebook.codes[code_id]
            value = None
            if code.value is not None:
                lo, hi = sc.lo, sc.hi
                value = propose_value(code, info.lower[lo:hi], info.lemma[lo:hi])
            out.append(
                Suggestion(
                    suggestion_id(transcript.id, code_id, sent.start, sent.end),
                    code_id,
                    sent.start,
                    sent.end,
                    sent.text,
                    sent.index,
                    evidence,
                    value,
                )
            )
    if not s.extend:
        return out
    taken = {x.sentence for x in out}
    extra = []
    for x in out:
        k = x.sentence + 1
        if k in taken or k not in wanted or k >= len(sentences):
            continue
        nxt = sentences[k]
        if nxt.turn_index != sentences[x.sentence].turn_index:
            continue
        sid = suggestion_id(transcript.id, x.code, nxt.start, nxt.end)
        extra.append(Suggestion(sid, x.code, nxt.start, nxt.end, nxt.text, k, x.evidence))
    return sorted(out + extra, key=lambda x: (x.start, x.code)) if extra else out


@pytest.fixture(scope="module")
def bundled() -> tuple[Project, list[Transcript]]:
    p = Project(REPO)
    return p, list(p.transcripts.values())


@pytest.mark.parametrize("options", [{}, {"context": False, "extend": False}])
def test_batch_equals_the_per_sentence_matcher_on_the_bundled_project(
    bundled: tuple[Project, list[Transcript]], options: dict[str, bool]
) -> None:
    project, transcripts = bundled
    s = Suggester(project.codebook, **options)
    sentences = [segment(t) for t in transcripts]
    batch = s.suggest_many(transcripts, sentences)
    assert sum(map(len, batch)) > 1000
    for t, ss, got in zip(transcripts, sentences, batch, strict=True):
        assert got == reference_suggest(s, t, ss), t.id
        assert s.suggest(t, ss) == got  # a batch of one gives the same


_WORDS = [
    "huiskamer", "huiskamers", "inloop", "inloopspreekuur", "verplicht", "geen", "niet",
    "nooit", "zonder", "alleen", "we", "hebben", "een", "de", "is", "er", "vrijwilligers",
    "stagiair", "betaalde", "medewerker", "in", "dienst", "taalles", "computercursus",
    "uitje", "sportdag", "organiseren", "georganiseerd", "dt&v", "regievoerder", "traag",
    "moeizaam", "afspraken", "maken", "gemaakt", "doel", "doelen", "stellen", "gesteld",
    "voorziening", "tot", "23", "jaar", "drie", "maar", ",", ";", "(", ")", "en",
]  # fmt: skip
_SENTENCE = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14).map(
    lambda ws: (" ".join(ws)).capitalize() + "."
)
_TURN = st.tuples(st.sampled_from(["I", "R", "R"]), st.lists(_SENTENCE, min_size=1, max_size=4))
_TRANSCRIPT = st.lists(_TURN, min_size=0, max_size=6)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    root = tmp_path_factory.mktemp("batch")
    return Suggester(make_project(root, "R: x\n", CODEBOOK).codebook)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bodies=st.lists(_TRANSCRIPT, min_size=1, max_size=4),
    options=st.sampled_from([{}, {"context": False}, {"extend": False}, {"interviewer": True}]),
)
def test_batch_equals_the_per_sentence_matcher_on_generated_transcripts(
    generated: Suggester, bodies: list[list[tuple[str, list[str]]]], options: dict[str, bool]
) -> None:
    s = generated
    s.context = options.get("context", True)
    s.extend = options.get("extend", True)
    s.include_interviewer = options.get("interviewer", False)
    transcripts = []
    for n, turns in enumerate(bodies):
        body = "\n\n".join(f"{who}: {' '.join(sents)}" for who, sents in turns) + "\n"
        meta = f"---\nid: g{n}\ncase: X\nrole: steunpunt\n---\n"
        transcripts.append(parse_transcript(meta + body, Path(f"g{n}.txt")))
    sentences = [segment(t) for t in transcripts]
    batch = s.suggest_many(transcripts, sentences)
    for t, ss, got in zip(transcripts, sentences, batch, strict=True):
        assert got == reference_suggest(s, t, ss)
    # the bodies tokenised by the caller (whole, interviewer's turns too) change nothing
    docs = [s.nlp.make_doc(t.body) for t in transcripts]
    assert s.suggest_many(transcripts, sentences, docs) == batch


def test_an_empty_batch_and_transcripts_without_sentences(generated: Suggester) -> None:
    s = generated
    s.context, s.extend, s.include_interviewer = True, True, False
    assert s.suggest_many([]) == []
    empty = parse_transcript("---\nid: e\ncase: X\nrole: steunpunt\n---\n", Path("e.txt"))
    only_i = parse_transcript(
        "---\nid: i\ncase: X\nrole: steunpunt\n---\nI: Heeft u een huiskamer?\n", Path("i.txt")
    )
    real = parse_transcript(
        "---\nid: r\ncase: X\nrole: steunpunt\n---\nR: We hebben een huiskamer.\n", Path("r.txt")
    )
    got = s.suggest_many([empty, only_i, real, empty])
    assert got[0] == got[1] == got[3] == []
    assert [x.code for x in got[2]] == ["voorzieningen.huiskamer.vrijwillig"]


@settings(max_examples=300, deadline=None)
@given(
    classes=st.lists(st.sampled_from([0, 0, 0, 1, 2, 4, 8, 9, 17, 33, 6]), min_size=1, max_size=30),
    cut=st.tuples(st.integers(0, 29), st.integers(1, 30)),
)
def test_negation_of_one_word_matches_in_numpy_follows_the_rule(
    classes: list[int], cut: tuple[int, int]
) -> None:
    n = len(classes)
    lo = min(cut[0], n - 1)
    hi = max(lo + 1, min(cut[1], n))
    tokens = np.arange(lo, hi)
    got = negated_singles(
        np.array(classes), tokens, np.full(len(tokens), lo), np.full(len(tokens), hi)
    )
    for t, g in zip(tokens.tolist(), got.tolist(), strict=True):
        base = max(lo, t - NEGATION_WINDOW - 1)
        end = min(hi, t + NEGATION_WINDOW + 2)
        assert g == negated_by_class(classes[base:end], [t - base], lo - base, hi - base)


def test_ragged_lists_gather_in_order_and_grow() -> None:
    r = Ragged()
    lists = [[i, i + 1][: i % 3] for i in range(3000)]  # empty, one and two values
    for values in lists:
        r.append(values)
    index = np.array([5, 0, 2999, 5, 4])
    rep, values = r.gather(index)
    assert rep.tolist() == [k for k, i in enumerate(index) for _ in lists[i]]
    assert values.tolist() == [v for i in index for v in lists[i]]


def test_batches_are_cut_by_size_with_the_same_result(
    bundled: tuple[Project, list[Transcript]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from codeer.nlp import suggestions

    project, transcripts = bundled
    transcripts = transcripts[:8]
    s = Suggester(project.codebook)
    whole = s.suggest_many(transcripts)
    cuts: list[int] = []
    batch = s._suggest_batch
    monkeypatch.setattr(
        s, "_suggest_batch", lambda ts, ss, docs: (cuts.append(len(ts)), batch(ts, ss, docs))[1]
    )
    monkeypatch.setattr(suggestions, "BATCH_CHARS", 2 * max(len(t.body) for t in transcripts))
    assert s.suggest_many(transcripts) == whole
    assert len(cuts) > 2 and sum(cuts) == len(transcripts)
    cuts.clear()
    monkeypatch.setattr(suggestions, "BATCH_CHARS", 10)  # each transcript alone
    assert s.suggest_many(transcripts) == whole and cuts == [1] * len(transcripts)
