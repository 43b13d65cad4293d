"""Suggestions learned from a coder's own codings: a passage model over sentences.

Keywords find the sentence that names a topic, but a coder codes the passage: the sentence and
the one or two after it, or an answer whose words never name the topic because the question did.
Once a coder has coded some interviews, codeer learns from those codings where the codes go and
proposes them in the interviews still to code (the "learn from what I coded" of MAXQDA and NVivo's
autocoding by pattern).

The model, per code, is an L2-regularised logistic regression over the respondent sentences.
A sentence's features are the lemmas of the sentence itself (``w:``), of the sentences before
and after it in the same turn (``p:``, ``n:``) and of the interviewer's question before the turn
(``q:``); which codes the codebook's keywords propose (as ``codeer suggest`` makes them) for the
sentence, its neighbours and its turn (``k:``, ``kp:``, ``kn:``, ``kt:``); whether it opens or
closes the turn; and the interview's role (steunpunt or gemeente).
Positives are weighted by the square root of the code's negative-to-positive ratio, so rare codes
still get a voice. All codes are fitted at once by Newton-CG (scipy), from the coder's codings only.

Suggestions are decoded with two thresholds, as coded passages run on: a sentence is proposed for
a code when its probability reaches ``high``, and a neighbour in the same turn when it reaches
``low``. The thresholds are not constants: they are chosen by cross-validation over the training
interviews (grouped by case, so a steunpunt's and its municipality's interviews fall together),
as the pair with the highest recall whose precision reaches ``target_precision`` (the share of
suggestions the coder is willing to see rejected is ``1 - target_precision``). A code with fewer
than ``MIN_POSITIVES`` coded sentences in the training data is left to the keywords.

``cross_validate`` is how the evaluation stays honest: every interview's learned suggestions come
from a model (and thresholds) fitted without that interview's case.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from codeer.codings import CodingsFile
from codeer.segmentation import Sentence, sentences_overlapping

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from scipy import sparse
    from spacy.tokens import Doc

    from codeer.nlp.suggestions import Evidence, Suggester, Suggestion
    from codeer.project import Project
    from codeer.transcript import Transcript

MIN_TRANSCRIPTS = 4  # coded transcripts (of two cases or more) before codeer learns from them
MIN_POSITIVES = 5  # coded sentences a code needs in the training data to be learned
MIN_DF = 2  # a feature must occur in this many training sentences
REGULARISATION = 1.0
MAX_ITERATIONS = 100  # Newton steps; about 15 are needed
TOLERANCE = 1e-4  # mean relative change of the weights; the ranking of sentences settles before
TARGET_PRECISION = 0.55
FOLDS = 5
INNER_FOLDS = 3
HIGH_GRID = (0.03, 0.04, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)
LOW_RATIOS = (0.2, 0.4, 0.6, 1.0)  # low = high * ratio (1.0: no growing into neighbours)
EVIDENCE_WORDS = 3

Progress = Callable[[int], None]


# --- features ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    lemma: str


@dataclass
class Rows:
    """The respondent sentences of one transcript, featurised."""

    transcript: Transcript
    sentences: list[Sentence]  # all sentences of the transcript
    rows: list[int]  # sentence index of each row
    features: list[list[str]]
    tokens: dict[int, list[Token]]  # content tokens per sentence index
    prev: list[int]  # row index of the previous sentence in the same turn, or -1
    next: list[int]
    keyword: dict[int, list[Suggestion]] = field(default_factory=dict)  # per sentence index

    def labels(
        self, codings: CodingsFile | None, codes: Container[str] | None = None
    ) -> list[set[str]]:
        """The codes (of ``codes``, default all) the coder applied to a span overlapping each
        row's sentence. A coding whose quote is no longer the text at its offsets (orphaned by
        an edit, see ``codeer validate``) teaches nothing."""
        out: list[set[str]] = [set() for _ in self.rows]
        if codings is None:
            return out
        where = {j: r for r, j in enumerate(self.rows)}
        body = self.transcript.body
        for c in codings.codings:
            if (codes is not None and c.code not in codes) or body[c.start : c.end] != c.quote:
                continue
            for s in sentences_overlapping(self.sentences, c.start, c.end):
                r = where.get(s.index)
                if r is not None:
                    out[r].add(c.code)
        return out


def featurise(
    transcript: Transcript,
    sentences: Sequence[Sentence],
    keyword_suggestions: Sequence[Suggestion],
    lemmas: Sequence[tuple[int, int, str]],
) -> Rows:
    """Rows for the respondent sentences. ``lemmas``: (start, end, lemma) of the body's word
    tokens in order; ``keyword_suggestions``: the keywords' suggestions for the transcript (as
    ``codeer suggest`` makes them), which become features."""
    sentences = list(sentences)
    starts = [a for a, _, _ in lemmas]
    tokens: dict[int, list[Token]] = {}
    for s in sentences:
        lo = bisect.bisect_left(starts, s.start)
        hi = bisect.bisect_left(starts, s.end)
        tokens[s.index] = [Token(a, b, lem) for a, b, lem in lemmas[lo:hi]]
    keyword: dict[int, list[Suggestion]] = {}
    for sug in keyword_suggestions:
        keyword.setdefault(sug.sentence, []).append(sug)
    turns = transcript.turns
    words = {j: {t.lemma for t in toks} for j, toks in tokens.items()}
    kw = {j: {s.code for s in ss} for j, ss in keyword.items()}
    by_turn: dict[int, list[int]] = {}
    for s in sentences:
        by_turn.setdefault(s.turn_index, []).append(s.index)
    turn_of = [s.turn_index for s in sentences]
    rows: list[int] = []
    feats: list[list[str]] = []
    for s in sentences:
        if turns[s.turn_index].is_interviewer:
            continue
        j = s.index
        same = by_turn[s.turn_index]
        f = {"w:" + x for x in words[j]}
        f |= {"k:" + c for c in kw.get(j, ())}
        if j > 0 and turn_of[j - 1] == s.turn_index:
            f |= {"p:" + x for x in words[j - 1]}
            f |= {"kp:" + c for c in kw.get(j - 1, ())}
        else:
            f.add("first")
        if j + 1 < len(sentences) and turn_of[j + 1] == s.turn_index:
            f |= {"n:" + x for x in words[j + 1]}
            f |= {"kn:" + c for c in kw.get(j + 1, ())}
        else:
            f.add("last")
        f.add("role:" + transcript.role)
        for k in same:
            f |= {"kt:" + c for c in kw.get(k, ())}
        question = by_turn.get(s.turn_index - 1, [])
        if question and turns[s.turn_index - 1].is_interviewer:
            for k in question:
                f |= {"q:" + x for x in words[k]}
        rows.append(j)
        feats.append(sorted(f))
    where = {j: r for r, j in enumerate(rows)}
    prev = [where.get(j - 1, -1) if j > 0 and turn_of[j - 1] == turn_of[j] else -1 for j in rows]
    nxt = [
        where.get(j + 1, -1) if j + 1 < len(sentences) and turn_of[j + 1] == turn_of[j] else -1
        for j in rows
    ]
    return Rows(transcript, sentences, rows, feats, tokens, prev, nxt, keyword)


def word_lemmas(
    suggester: Suggester, transcripts: Sequence[Transcript], docs: Sequence[Doc] | None = None
) -> list[list[tuple[int, int, str]]]:
    """(start, end, lower-cased lemma) of every alphabetic token, per transcript body (``docs``:
    the bodies already tokenised, else they are).

    The pipeline's lemmas without running the pipeline: its lemmatizer is a lookup on the
    lower-cased form, so tokenising and looking each distinct form up once (cached on the
    suggester's lemmatizer table) gives the same lemmas (a test compares them).
    """
    from spacy.attrs import IDX, IS_ALPHA, LENGTH, LOWER

    from codeer.nlp.lemmas import APOSTROPHES
    from codeer.nlp.pipeline import LEMMATIZER, LookupLemmatizer

    nlp = suggester.nlp
    table = cast("LookupLemmatizer", nlp.get_pipe(LEMMATIZER)).table
    cache = _LEMMA_CACHE.setdefault(id(table), {})
    strings = nlp.vocab.strings
    out: list[list[tuple[int, int, str]]] = []
    for k, t in enumerate(transcripts):
        doc = docs[k] if docs is not None else nlp.make_doc(t.body)
        rows = doc.to_array([IDX, LENGTH, IS_ALPHA, LOWER])
        words: list[tuple[int, int, str]] = []
        for idx, length, alpha, low in rows.tolist():
            if not alpha:
                continue
            lemma = cache.get(low)
            if lemma is None:
                key = strings[low].translate(APOSTROPHES)
                lemma = cache[low] = table.get(key, key).lower()
            words.append((idx, idx + length, lemma))
        out.append(words)
    return out


_LEMMA_CACHE: dict[int, dict[int, str]] = {}  # per lemma table: lower-form hash -> lemma


def featurise_all(
    transcripts: Sequence[Transcript],
    sentences: Mapping[str, Sequence[Sentence]],
    suggester: Suggester,
    keyword_suggestions: Mapping[str, Sequence[Suggestion]] | None = None,
) -> dict[str, Rows]:
    """Rows for every transcript; the keyword suggestions are made when not given."""
    docs = [suggester.nlp.make_doc(t.body) for t in transcripts]  # one tokenising for both
    lemmas = word_lemmas(suggester, transcripts, docs)
    if keyword_suggestions is None:
        made = suggester.suggest_many(transcripts, [sentences[t.id] for t in transcripts], docs)
        keyword_suggestions = {t.id: kw for t, kw in zip(transcripts, made, strict=True)}
    return {
        t.id: featurise(t, sentences[t.id], keyword_suggestions[t.id], lem)
        for t, lem in zip(transcripts, lemmas, strict=True)
    }


# --- the model -----------------------------------------------------------------------------------
@dataclass
class Stacked:
    """Rows of several transcripts as one design: features, labels, neighbours."""

    features: list[list[str]]
    labels: list[set[str]]
    prev: NDArray[np.int64]
    next: NDArray[np.int64]

    @classmethod
    def of(cls, parts: Sequence[tuple[Rows, list[set[str]]]]) -> Stacked:
        feats: list[list[str]] = []
        labels: list[set[str]] = []
        prev: list[int] = []
        nxt: list[int] = []
        for rows, lab in parts:
            base = len(feats)
            feats += rows.features
            labels += lab
            prev += [p + base if p >= 0 else -1 for p in rows.prev]
            nxt += [n + base if n >= 0 else -1 for n in rows.next]
        return cls(feats, labels, np.array(prev, dtype=np.int64), np.array(nxt, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.features)


@dataclass
class PassageModel:
    """Per-code logistic regressions over one vocabulary, plus the decoding thresholds."""

    codes: list[str]
    vocabulary: dict[str, int]
    weights: NDArray[np.float64]  # vocabulary x codes
    bias: NDArray[np.float64]
    high: float = 0.5
    low: float = 0.5

    @classmethod
    def fit(
        cls,
        data: Stacked,
        *,
        codes: Iterable[str] | None = None,
        regularisation: float = REGULARISATION,
        warm: PassageModel | None = None,
    ) -> PassageModel | None:
        """Fit every code with at least MIN_POSITIVES coded sentences (None if there is none)."""
        from scipy.optimize import minimize

        counts = Counter(c for lab in data.labels for c in lab)
        wanted = set(codes) if codes is not None else None
        learnt = sorted(
            c for c, n in counts.items() if n >= MIN_POSITIVES and (wanted is None or c in wanted)
        )
        if not learnt:
            return None
        df = Counter(f for fs in data.features for f in fs)
        vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
        x = _design(data.features, vocabulary)
        y = _label_matrix(data.labels, learnt).astype(np.float64)
        n, v = x.shape
        k = len(learnt)
        pos = y.sum(axis=0)
        boost = np.sqrt(np.maximum((n - pos) / np.maximum(pos, 1.0), 1.0))
        sample_weight = 1.0 + (boost - 1.0) * y  # positives count sqrt(neg/pos) times
        xt = x.T.tocsr()
        curvature: dict[str, Any] = {}  # the Hessian's row weights at the last point evaluated

        def loss_and_grad(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            weights = w[: v * k].reshape(v, k)
            z = x @ weights + w[v * k :]
            loss = float((sample_weight * (np.logaddexp(0.0, z) - y * z)).sum())
            loss += 0.5 * regularisation * float((weights * weights).sum())
            p = _sigmoid(z)
            g = sample_weight * (p - y)
            grad_w = xt @ g + regularisation * weights
            curvature["w"], curvature["d"] = w.copy(), sample_weight * p * (1.0 - p)
            return loss, np.concatenate([np.asarray(grad_w).ravel(), g.sum(axis=0)])

        def hessian_times(w: NDArray[np.float64], vec: NDArray[np.float64]) -> NDArray[np.float64]:
            if "w" not in curvature or not np.array_equal(curvature["w"], w):
                loss_and_grad(w)
            step = vec[: v * k].reshape(v, k)
            h = curvature["d"] * (x @ step + vec[v * k :])
            return np.concatenate(
                [np.asarray(xt @ h + regularisation * step).ravel(), h.sum(axis=0)]
            )

        w0 = np.zeros(v * k + k)
        if warm is not None:
            w0 = warm._start(vocabulary, learnt, w0, v, k)
        # Newton-CG: the loss is smooth and convex, and Hessian-vector products cost two sparse
        # products; L-BFGS-B spends most of its time in its own bookkeeping at this size
        result = minimize(
            loss_and_grad,
            w0,
            jac=True,
            hessp=hessian_times,
            method="Newton-CG",
            options={"maxiter": MAX_ITERATIONS, "xtol": TOLERANCE},
        )
        return cls(learnt, vocabulary, result.x[: v * k].reshape(v, k), result.x[v * k :])

    def _start(
        self, vocabulary: dict[str, int], codes: list[str], w0: NDArray[np.float64], v: int, k: int
    ) -> NDArray[np.float64]:
        """This model's weights laid out for another vocabulary and code list (a warm start)."""
        weights = np.zeros((v, k))
        bias = np.zeros(k)
        mine = {c: i for i, c in enumerate(self.codes)}
        cols = [(j, mine[c]) for j, c in enumerate(codes) if c in mine]
        if not cols:
            return w0
        rows = [(i, self.vocabulary[f]) for f, i in vocabulary.items() if f in self.vocabulary]
        if rows:
            ri, rs = (np.array(a) for a in zip(*rows, strict=True))
            for j, m in cols:
                weights[ri, j] = self.weights[rs, m]
        for j, m in cols:
            bias[j] = self.bias[m]
        return np.concatenate([weights.ravel(), bias])

    def probabilities(self, features: Sequence[Sequence[str]]) -> NDArray[np.float64]:
        if not features:
            return np.zeros((0, len(self.codes)))
        z = _design(features, self.vocabulary) @ self.weights + self.bias
        return np.asarray(_sigmoid(z))

    def weight(self, feature: str, code: str) -> float:
        i = self.vocabulary.get(feature)
        return 0.0 if i is None else float(self.weights[i, self.columns[code]])

    @cached_property
    def columns(self) -> dict[str, int]:
        """The weights' column of each code."""
        return {c: i for i, c in enumerate(self.codes)}


def _sigmoid(z: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


def _design(features: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> sparse.csr_matrix:
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    for fs in features:
        indices.extend(i for f in fs if (i := vocabulary.get(f)) is not None)
        indptr.append(len(indices))
    data = np.ones(len(indices))
    return sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
        shape=(len(features), len(vocabulary)),
    )


# --- decoding and the operating point ------------------------------------------------------------
def decode(
    probabilities: NDArray[np.float64],
    prev: NDArray[np.int64],
    nxt: NDArray[np.int64],
    high: float,
    low: float,
) -> NDArray[np.bool_]:
    """Rows proposed per code: probability >= high, or >= low next to such a row (same turn)."""
    seed = probabilities >= high
    grow = np.zeros_like(seed)
    ok = prev >= 0
    grow[ok] |= seed[prev[ok]]
    ok = nxt >= 0
    grow[ok] |= seed[nxt[ok]]
    return seed | (grow & (probabilities >= low))


def _label_matrix(labels: Sequence[set[str]], codes: Sequence[str]) -> NDArray[np.bool_]:
    col = {c: i for i, c in enumerate(codes)}
    y = np.zeros((len(labels), len(codes)), dtype=bool)
    for r, lab in enumerate(labels):
        for c in lab:
            if c in col:
                y[r, col[c]] = True
    return y


def choose_thresholds(
    probabilities: NDArray[np.float64],
    labels: Sequence[set[str]],
    codes: Sequence[str],
    prev: NDArray[np.int64],
    nxt: NDArray[np.int64],
    target_precision: float = TARGET_PRECISION,
) -> tuple[float, float]:
    """The (high, low) pair with the highest recall at precision >= target (ties: the better
    precision, then the stricter pair); failing that, the pair with the best F1."""
    y = _label_matrix(labels, codes)
    positives = int(y.sum())
    best: tuple[float, float, float, float] | None = None  # recall, precision, high, low
    best_f1: tuple[float, float, float] = (-1.0, 0.5, 0.5)
    for high in HIGH_GRID:
        for ratio in LOW_RATIOS:
            low = high * ratio
            pred = decode(probabilities, prev, nxt, high, low)
            proposed = int(pred.sum())
            tp = int((pred & y).sum())
            precision = tp / proposed if proposed else 0.0
            recall = tp / positives if positives else 0.0
            f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
            if f1 > best_f1[0]:
                best_f1 = (f1, high, low)
            # most recall; then the better precision; then the stricter thresholds
            key = (recall, precision, high, low)
            if precision >= target_precision and (best is None or key > best):
                best = key
    if best is not None:
        return best[2], best[3]
    return best_f1[1], best_f1[2]


def case_folds(case_of: Mapping[str, str], folds: int) -> list[list[str]]:
    """Transcript ids in ``folds`` groups; a case's transcripts stay together (deterministic)."""
    cases = sorted(set(case_of.values()))
    k = max(1, min(folds, len(cases)))
    groups: list[list[str]] = [[] for _ in range(k)]
    for i, case in enumerate(cases):
        groups[i % k] += sorted(t for t, c in case_of.items() if c == case)
    return [g for g in groups if g]


def train(
    rows: Mapping[str, Rows],
    codings: Mapping[str, CodingsFile | None],
    *,
    codes: Iterable[str] | None = None,
    target_precision: float = TARGET_PRECISION,
    inner_folds: int = INNER_FOLDS,
    progress: Progress | None = None,
) -> PassageModel | None:
    """Fit on the given transcripts and choose the thresholds by cross-validation over them."""
    codes = list(codes) if codes is not None else None
    ids = sorted(rows)
    known = set(codes) if codes is not None else None
    labelled = {t: rows[t].labels(codings.get(t), known) for t in ids}
    full = Stacked.of([(rows[t], labelled[t]) for t in ids])
    model = PassageModel.fit(full, codes=codes)
    if progress is not None:
        progress(1)
    if model is None:
        return None
    groups = case_folds({t: rows[t].transcript.case for t in ids}, inner_folds)
    if len(groups) < 2:
        return model
    probabilities = np.zeros((len(full), len(model.codes)))
    offset = dict(zip(ids, accumulate((len(rows[t].rows) for t in ids), initial=0), strict=False))
    for group in groups:
        held = set(group)
        part = Stacked.of([(rows[t], labelled[t]) for t in ids if t not in held])
        inner = PassageModel.fit(part, codes=model.codes, warm=model)
        if progress is not None:
            progress(1)
        for t in group:
            a = offset[t]
            b = a + len(rows[t].rows)
            if inner is not None:
                p = inner.probabilities(rows[t].features)
                for j, c in enumerate(model.codes):
                    if c in inner.columns:
                        probabilities[a:b, j] = p[:, inner.columns[c]]
    model.high, model.low = choose_thresholds(
        probabilities, full.labels, model.codes, full.prev, full.next, target_precision
    )
    return model


# --- suggestions -----------------------------------------------------------------------------------
def learned_suggestions(model: PassageModel, rows: Rows) -> list[Suggestion]:
    """The model's suggestions for one transcript, with the words that weigh most as evidence."""
    from codeer.nlp.suggestions import make_suggestion, suggestion_id

    if not rows.rows:
        return []
    p = model.probabilities(rows.features)
    pred = decode(p, np.array(rows.prev), np.array(rows.next), model.high, model.low)
    out: list[Suggestion] = []
    body = rows.transcript.body
    for r, c in zip(*np.nonzero(pred), strict=True):
        j = rows.rows[int(r)]
        code = model.codes[int(c)]
        s = rows.sentences[j]
        keyword = next((k for k in rows.keyword.get(j, ()) if k.code == code), None)
        if keyword is not None:
            evidence = keyword.evidence
            value = keyword.value
        else:
            evidence = _evidence(model, code, rows, j, body)
            value = None
        out.append(
            make_suggestion(
                id=suggestion_id(rows.transcript.id, code, s.start, s.end),
                code=code,
                start=s.start,
                end=s.end,
                quote=s.text,
                sentence=j,
                evidence=evidence,
                value=value,
                source="learned",
                score=round(float(p[r, c]), 3),
            )
        )
    return sorted(out, key=lambda x: (x.start, x.code))


def _evidence(
    model: PassageModel, code: str, rows: Rows, j: int, body: str
) -> tuple[Evidence, ...]:
    """The sentence's (or its neighbours') words whose features weigh most for the code."""
    s = rows.sentences[j]
    vocabulary = model.vocabulary
    candidates: list[Token] = []
    columns: list[int] = []
    for k, prefix in ((j, "w:"), (j - 1, "p:"), (j + 1, "n:")):
        if k < 0 or k >= len(rows.sentences) or rows.sentences[k].turn_index != s.turn_index:
            continue
        seen: set[str] = set()
        for tok in rows.tokens.get(k, ()):
            i = vocabulary.get(prefix + tok.lemma)
            if i is not None and tok.lemma not in seen:
                seen.add(tok.lemma)
                candidates.append(tok)
                columns.append(i)
    if not candidates:
        return ()
    weights = model.weights[columns, model.columns[code]].tolist()
    scored = sorted(
        ((w, tok) for w, tok in zip(weights, candidates, strict=True) if w > 0),
        key=lambda x: (-x[0], x[1].start),
    )
    picked = sorted((tok for _, tok in scored[:EVIDENCE_WORDS]), key=lambda tok: tok.start)
    from codeer.nlp.suggestions import make_evidence

    return tuple(
        make_evidence(tok.start, tok.end, body[tok.start : tok.end], f"learned: {tok.lemma}")
        for tok in picked
    )


def propose(
    model: PassageModel | None, rows: Rows, keyword: Sequence[Suggestion]
) -> list[Suggestion]:
    """What ``codeer suggest`` proposes: the model's suggestions for the codes it learnt and the
    keywords' for the rest; the keywords' alone without a model."""
    if model is None:
        return list(keyword)
    out = learned_suggestions(model, rows) + [s for s in keyword if s.code not in model.columns]
    return sorted(out, key=lambda x: (x.start, x.code))


def cross_validate(
    rows: Mapping[str, Rows],
    codings: Mapping[str, CodingsFile | None],
    keyword: Mapping[str, Sequence[Suggestion]],
    *,
    codes: Iterable[str] | None = None,
    folds: int = FOLDS,
    target_precision: float = TARGET_PRECISION,
    progress: Progress | None = None,
) -> tuple[dict[str, list[Suggestion]], list[dict[str, Any]]]:
    """Suggestions for every transcript from a model trained without its case's transcripts.

    Returns the suggestions (learned where the fold's model covers the code, keywords elsewhere)
    and per fold: held-out transcripts, the codes learnt, the thresholds chosen.
    """
    codes = list(codes) if codes is not None else None
    groups = case_folds({t: r.transcript.case for t, r in rows.items()}, folds)
    out: dict[str, list[Suggestion]] = {}
    report: list[dict[str, Any]] = []
    for group in groups:
        held = set(group)
        train_rows = {t: r for t, r in rows.items() if t not in held}
        model = (
            train(
                train_rows,
                codings,
                codes=codes,
                target_precision=target_precision,
                progress=progress,
            )
            if len(groups) > 1
            else None
        )
        learnt = model.codes if model is not None else []
        for t in group:
            out[t] = propose(model, rows[t], keyword.get(t, ()))
        report.append(
            {
                "held_out": sorted(group),
                "codes_learnt": len(learnt),
                "high": round(model.high, 4) if model else None,
                "low": round(model.low, 4) if model else None,
            }
        )
    return out, report


def fits_per_model(inner_folds: int = INNER_FOLDS) -> int:
    """How many fits ``train`` makes (for progress bars)."""
    return 1 + max(inner_folds, 0) if inner_folds >= 2 else 1


MODEL_FORMAT = 1  # bump when features, fitting or decoding change: old cache files retrain


def training_fingerprint(
    project: Project,
    codings: Mapping[str, CodingsFile],
    transcripts: Sequence[Transcript],
    suggester: Suggester,
    target_precision: float,
) -> str:
    """What a learnt model depends on: codebook, transcripts, codings, keyword settings."""
    h = hashlib.sha256()
    settings = (MODEL_FORMAT, target_precision, suggester.context, suggester.extend)
    h.update(repr(settings).encode())
    for path in project.paths.codebook_files():
        h.update(path.read_bytes())
    for t in sorted(transcripts, key=lambda x: x.id):
        h.update(f"\x1e{t.id}\x1f{t.case}\x1f{t.role}\x1f{t.content_hash}".encode())
    for tid in sorted(codings):
        h.update(f"\x1e{tid}\x1f".encode() + codings[tid].model_dump_json().encode())
    return h.hexdigest()


def save_model(path: Path, model: PassageModel, fingerprint: str) -> None:
    """Atomically, as plain arrays (no pickle): read back only with the same fingerprint."""
    from codeer.store import atomic_write_bytes

    buffer = io.BytesIO()
    features = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    np.savez_compressed(
        buffer,
        fingerprint=np.array(fingerprint),
        codes=np.array(model.codes, dtype=str),
        features=np.array(features, dtype=str),
        weights=model.weights,
        bias=model.bias,
        thresholds=np.array([model.high, model.low]),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():  # a cache: keep it out of the project's version control
        atomic_write_bytes(ignore, b"# codeer's cache of learnt models\n*\n")
    atomic_write_bytes(path, buffer.getvalue())


def load_model(path: Path, fingerprint: str) -> PassageModel | None:
    """The cached model when it was learnt from exactly this; None otherwise (or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["fingerprint"]) != fingerprint:
                return None
            codes = [str(c) for c in data["codes"]]
            features = [str(f) for f in data["features"]]
            weights = np.array(data["weights"], dtype=np.float64)
            bias = np.array(data["bias"], dtype=np.float64)
            high, low = (float(x) for x in data["thresholds"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if weights.shape != (len(features), len(codes)) or bias.shape != (len(codes),):
        return None
    vocabulary = {f: i for i, f in enumerate(features)}
    return PassageModel(codes, vocabulary, weights, bias, high, low)


def too_few_to_learn(transcripts: Sequence[Transcript]) -> str | None:
    """Why these coded transcripts are too few to learn from (None: enough)."""
    cases = {t.case for t in transcripts}
    if len(transcripts) < MIN_TRANSCRIPTS or len(cases) < 2:
        return (
            f"{len(transcripts)} transcript(s) of {len(cases)} case(s); codeer learns from "
            f"{MIN_TRANSCRIPTS} or more of two cases or more"
        )
    return None


class LearnedSuggester:
    """Keyword suggestions, with the codes a coder's codings teach proposed by the passage model.

    Trained once, on every transcript ``learn_from`` coded; when there are too few (fewer than
    MIN_TRANSCRIPTS, or one case only) it proposes the keywords' suggestions alone and says why
    in ``reason``. The model is kept in ``interviews/suggestions/.models/<coder>.npz`` with a
    fingerprint of everything it was learnt from (codebook, transcripts, codings, settings), so
    the next run reuses it until one of those changes.
    """

    def __init__(
        self,
        project: Project,
        suggester: Suggester,
        learn_from: str,
        *,
        target_precision: float = TARGET_PRECISION,
        progress: Progress | None = None,
        cache: bool = True,
    ) -> None:
        from codeer.segmentation import segment

        self.suggester = suggester
        self.learn_from = learn_from
        self.model: PassageModel | None = None
        self.reason = ""
        self.cached = False  # the model came from the cache file, not a fresh fit
        codings = project.all_codings(learn_from)
        transcripts = [project.transcript(t) for t in codings]
        too_few = too_few_to_learn(transcripts)
        if too_few:
            self.reason = f"coder '{learn_from}' has coded {too_few}"
            return
        path = project.paths.model_file(learn_from)
        fingerprint = training_fingerprint(
            project, codings, transcripts, suggester, target_precision
        )
        self.model = load_model(path, fingerprint) if cache else None
        if self.model is not None:
            self.cached = True
            if progress is not None:
                progress(fits_per_model())
            return
        sentences = {t.id: segment(t) for t in transcripts}
        rows = featurise_all(transcripts, sentences, suggester)
        self.model = train(
            rows,
            dict(codings),
            codes=list(project.codebook.codes),  # a code since removed is not proposed
            target_precision=target_precision,
            progress=progress,
        )
        if self.model is not None and cache:
            with contextlib.suppress(OSError):  # a read-only project just retrains next time
                save_model(path, self.model, fingerprint)
        if self.model is None:
            self.reason = (
                f"no code has {MIN_POSITIVES} coded sentences in coder '{learn_from}'s codings"
            )

    @property
    def codes(self) -> list[str]:
        return self.suggester.codes

    def suggest(
        self, transcript: Transcript, sentences: Sequence[Sentence] | None = None
    ) -> list[Suggestion]:
        from codeer.segmentation import segment

        sentences = segment(transcript) if sentences is None else sentences
        keyword = self.suggester.suggest(transcript, sentences)
        if self.model is None:
            return keyword
        lemmas = word_lemmas(self.suggester, [transcript])[0]
        rows = featurise(transcript, sentences, keyword, lemmas)
        return propose(self.model, rows, keyword)

    def suggest_many(
        self,
        transcripts: Sequence[Transcript],
        sentences: Sequence[Sequence[Sentence]] | None = None,
    ) -> list[list[Suggestion]]:
        from codeer.segmentation import segment

        sents = [segment(t) for t in transcripts] if sentences is None else list(sentences)
        if self.model is None:
            return self.suggester.suggest_many(transcripts, sents)
        docs = [self.suggester.nlp.make_doc(t.body) for t in transcripts]  # shared by both
        keyword = self.suggester.suggest_many(transcripts, sents, docs)
        model = self.model
        lemmas = word_lemmas(self.suggester, transcripts, docs)
        return [
            propose(model, featurise(t, ss, kw, lem), kw)
            for t, ss, kw, lem in zip(transcripts, sents, keyword, lemmas, strict=True)
        ]
