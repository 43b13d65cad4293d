"""How well the keyword suggestions reproduce a coder's codings, at sentence level.

The unit is a (transcript, sentence, code) pair; a coding or suggestion covers every sentence its
span overlaps.

- Gold pairs: the coder applied code C to a span overlapping sentence S.
- Precision side: a suggested pair (C, S) is a true positive when the coder applied C to a span
  overlapping S, or, when C is a group code, any descendant of C (a coding of
  ``voorzieningen.huiskamer.geen`` confirms a suggestion of ``voorzieningen.huiskamer``: the topic
  was right and the coder picked the precise code). Otherwise it is a false positive.
- Recall side: a gold pair (C, S) is found when exactly C was suggested for S; a gold pair that was
  not suggested is a false negative. A group-code suggestion does not find a leaf coding (it is
  less precise), and a leaf suggestion does not find a group coding.
- So for a leaf code TP = found; for a group code TP may exceed found. Precision = TP/(TP+FP),
  recall = found/(found+FN), F1 their harmonic mean.
- Only codes that can be suggested (they have keywords or patterns) are evaluated, and only the
  transcripts the coder has a codings file for. Interviewer sentences are not suggested, so a
  coding on an interviewer's question can only be missed: that is counted, not hidden.
- Micro averages sum TP, FP, found and FN over codes; macro averages are the unweighted mean of
  the per-code figures over codes with at least one gold or suggested pair. A figure whose
  denominator is zero counts as 0.

What is scored is what ``codeer suggest`` would propose. With ``learn`` (the default) that is the
passage model of ``codeer.nlp.learning`` for the codes it learns and the keywords for the rest,
and the evaluation is cross-validated: the transcripts are split into folds by case, and each
fold's suggestions come from a model (and decoding thresholds) fitted on the other folds' codings
only, so no interview is scored by a model that saw its codings. The keyword-only figures are
reported beside it (``baseline``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from codeer.codings import CodingsFile
from codeer.segmentation import Sentence, segment, sentences_overlapping

if TYPE_CHECKING:
    from codeer.nlp.suggestions import Progress, Suggester, Suggestion
    from codeer.project import Project

Pair = tuple[str, int, str]  # transcript id, sentence index, code


@dataclass(frozen=True)
class Score:
    tp: int  # suggestions the coder's codings confirm
    fp: int  # suggestions they do not
    found: int  # gold pairs suggested with exactly their code
    fn: int  # gold pairs not suggested
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, tp: int, fp: int, found: int, fn: int) -> Score:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = found / (found + fn) if found + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(tp, fp, found, fn, p, r, f)


@dataclass(frozen=True)
class Evaluation:
    coder: str
    transcripts: int
    sentences: int
    per_code: dict[str, Score]
    micro: Score
    macro: dict[str, float]
    method: str = "keywords"
    baseline: Evaluation | None = None  # keywords only, when ``method`` is "learned"
    cross_validation: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "coder": self.coder,
            "method": self.method,
            "transcripts": self.transcripts,
            "sentences": self.sentences,
            "codes": len(self.per_code),
            "micro": asdict(self.micro),
            "macro": self.macro,
        }
        if self.baseline is not None:
            out["keywords_only"] = {
                "micro": asdict(self.baseline.micro),
                "macro": self.baseline.macro,
            }
        if self.cross_validation is not None:
            out["cross_validation"] = self.cross_validation
        out["per_code"] = {c: asdict(s) for c, s in self.per_code.items()}
        return out


def gold_pairs(
    transcript_id: str,
    sentences: Sequence[Sentence],
    codings: CodingsFile | None,
    *,
    ancestors: bool = False,
) -> set[Pair]:
    """The (transcript, sentence, code) pairs the coder coded; with ``ancestors``, also every
    ancestor code of each coding (what confirms a group-code suggestion)."""
    out: set[Pair] = set()
    if codings is None:
        return out
    for c in codings.codings:
        targets = _self_and_ancestors(c.code) if ancestors else [c.code]
        for s in sentences_overlapping(sentences, c.start, c.end):
            out.update((transcript_id, s.index, a) for a in targets)
    return out


def _self_and_ancestors(code_id: str) -> list[str]:
    parts = code_id.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def suggested_pairs(
    transcript_id: str, suggestions: Iterable[Suggestion], codes: Iterable[str]
) -> set[Pair]:
    wanted = set(codes)
    return {(transcript_id, s.sentence, s.code) for s in suggestions if s.code in wanted}


def score(
    suggested: set[Pair], gold: set[Pair], confirmed: set[Pair], codes: Iterable[str]
) -> tuple[dict[str, Score], Score, dict[str, float]]:
    """Per-code, micro and macro scores. ``gold``: the coder's pairs; ``confirmed``: the pairs a
    suggestion may hit (gold closed under ancestors)."""
    per: dict[str, Score] = {}
    by_code: dict[str, tuple[set[Pair], set[Pair]]] = {c: (set(), set()) for c in codes}
    for p in suggested:
        if p[2] in by_code:
            by_code[p[2]][0].add(p)
    for p in gold:
        if p[2] in by_code:
            by_code[p[2]][1].add(p)
    for code, (s, g) in by_code.items():
        if not s and not g:
            continue
        tp = len(s & confirmed)
        found = len(s & g)
        per[code] = Score.of(tp, len(s) - tp, found, len(g) - found)
    micro = Score.of(
        sum(x.tp for x in per.values()),
        sum(x.fp for x in per.values()),
        sum(x.found for x in per.values()),
        sum(x.fn for x in per.values()),
    )
    n = len(per)
    macro = {
        "precision": sum(x.precision for x in per.values()) / n if n else 0.0,
        "recall": sum(x.recall for x in per.values()) / n if n else 0.0,
        "f1": sum(x.f1 for x in per.values()) / n if n else 0.0,
    }
    return per, micro, macro


def evaluate_suggestions(
    coder: str,
    sentences: Mapping[str, Sequence[Sentence]],
    suggestions: Mapping[str, Sequence[Suggestion]],
    codings: Mapping[str, CodingsFile | None],
    codes: Sequence[str],
) -> Evaluation:
    """Score given suggestions against given codings (the pure part, for hand examples)."""
    gold: set[Pair] = set()
    confirmed: set[Pair] = set()
    sugg: set[Pair] = set()
    for tid, sents in sentences.items():
        gold |= gold_pairs(tid, sents, codings.get(tid))
        confirmed |= gold_pairs(tid, sents, codings.get(tid), ancestors=True)
        sugg |= suggested_pairs(tid, suggestions.get(tid, ()), codes)
    per, micro, macro = score(sugg, gold, confirmed, codes)
    return Evaluation(
        coder=coder,
        transcripts=len(sentences),
        sentences=sum(len(s) for s in sentences.values()),
        per_code=per,
        micro=micro,
        macro=macro,
    )


def _suggest_coded(
    project: Project, coder: str, suggester: Suggester, progress: Progress | None = None
) -> tuple[dict[str, CodingsFile], dict[str, list[Sentence]], dict[str, list[Suggestion]]]:
    """The coder's codings, and sentences and fresh keyword suggestions of what they coded."""
    codings = dict(project.all_codings(coder))
    sentences: dict[str, list[Sentence]] = {}
    suggestions: dict[str, list[Suggestion]] = {}
    from codeer.nlp.suggestions import BATCH

    ids = list(codings)
    for at in range(0, len(ids), BATCH):
        batch = [project.transcript(tid) for tid in ids[at : at + BATCH]]
        sents = [segment(t) for t in batch]
        for t, ss, fresh in zip(batch, sents, suggester.suggest_many(batch, sents), strict=True):
            sentences[t.id] = ss
            suggestions[t.id] = fresh
            if progress is not None:
                progress(1)
    return codings, sentences, suggestions


def evaluation_steps(transcripts: int, *, learn: bool, folds: int | None = None) -> int:
    """How many times ``evaluate`` calls ``progress`` (for a progress bar)."""
    from codeer.nlp import learning

    if not learn:
        return transcripts
    k = min(folds or learning.FOLDS, transcripts)
    return transcripts + 1 + (k * learning.fits_per_model() if k > 1 else 0)


def evaluate(
    project: Project,
    coder: str,
    *,
    suggester: Suggester | None = None,
    progress: Progress | None = None,
    learn: bool = False,
    folds: int | None = None,
    target_precision: float | None = None,
) -> Evaluation:
    """Suggest afresh (ignoring saved decisions) and score against the coder's codings; with
    ``learn``, the cross-validated learned suggestions, with the keyword figures as baseline."""
    from codeer.nlp import learning
    from codeer.nlp.suggestions import Suggester

    suggester = suggester or Suggester(project.codebook)
    codings, sentences, suggestions = _suggest_coded(project, coder, suggester, progress)
    keywords = evaluate_suggestions(coder, sentences, suggestions, codings, suggester.codes)
    if not learn:
        return keywords
    k = folds or learning.FOLDS
    precision = target_precision if target_precision is not None else learning.TARGET_PRECISION
    transcripts = [project.transcript(t) for t in codings]
    rows = learning.featurise_all(transcripts, sentences, suggester, suggestions)
    if progress is not None:
        progress(1)
    learned, report = learning.cross_validate(
        rows,
        codings,
        suggestions,
        codes=list(project.codebook.codes),
        folds=k,
        target_precision=precision,
        progress=progress,
    )
    result = evaluate_suggestions(coder, sentences, learned, codings, suggester.codes)
    return replace(
        result,
        method="learned",
        baseline=keywords,
        cross_validation={
            "folds": len(report),
            "grouped_by": "case",
            "target_precision": precision,
            "per_fold": report,
        },
    )


LEARNING_CURVE_SIZES = (2, 4, 8, 12, 16)
LEARNING_CURVE_REPEATS = 3
LEARNING_CURVE_SEED = 20090101


def learning_curve_steps(
    cases: int, sizes: Sequence[int] = LEARNING_CURVE_SIZES, repeats: int = LEARNING_CURVE_REPEATS
) -> int:
    """How many points ``learning_curve`` makes for a coder with ``cases`` coded cases (the
    sizes that leave a case to test on)."""
    return repeats * sum(1 for n in sizes if n < cases)


@dataclass(frozen=True)
class CurvePoint:
    """Learned suggestions after coding ``cases`` cases, scored on the transcripts not coded."""

    cases: int
    repeat: int
    trained_on: tuple[str, ...]
    tested_on: int  # transcripts
    learned: Score
    keywords: Score  # the keywords alone on the same test transcripts


def learning_curve(
    project: Project,
    coder: str,
    *,
    sizes: Sequence[int] = LEARNING_CURVE_SIZES,
    repeats: int = LEARNING_CURVE_REPEATS,
    seed: int = LEARNING_CURVE_SEED,
    suggester: Suggester | None = None,
    target_precision: float | None = None,
    progress: Progress | None = None,
) -> list[CurvePoint]:
    """How the learned suggestions improve as a coder codes more interviews.

    For each size n and repeat, n cases are drawn at random (seeded) from the cases the coder
    coded; the model is trained on their transcripts only (thresholds by the usual inner
    cross-validation) and scored on every other coded transcript, beside the keywords alone on
    the same transcripts. As in ``codeer suggest``, too few coded transcripts to learn from
    (``learning.too_few_to_learn``) means keywords only. Sizes that leave no case to test on are
    skipped.
    """
    import random

    from codeer.nlp import learning
    from codeer.nlp.suggestions import Suggester

    suggester = suggester or Suggester(project.codebook)
    codings, sentences, keyword = _suggest_coded(project, coder, suggester)
    transcripts = {t: project.transcript(t) for t in codings}
    rows = learning.featurise_all(list(transcripts.values()), sentences, suggester, keyword)
    cases = sorted({x.case for x in transcripts.values()})
    precision = target_precision if target_precision is not None else learning.TARGET_PRECISION
    rng = random.Random(seed)
    out: list[CurvePoint] = []
    for n in sizes:
        if n >= len(cases):
            continue
        for r in range(repeats):
            drawn = set(rng.sample(cases, n))
            train_ids = sorted(t for t, x in transcripts.items() if x.case in drawn)
            test_ids = [t for t in transcripts if t not in set(train_ids)]
            enough = not learning.too_few_to_learn([transcripts[t] for t in train_ids])
            model = (
                learning.train(
                    {t: rows[t] for t in train_ids},
                    codings,
                    codes=list(project.codebook.codes),
                    target_precision=precision,
                )
                if enough
                else None  # as codeer suggest: too few coded transcripts, keywords only
            )
            learned = {t: learning.propose(model, rows[t], keyword[t]) for t in test_ids}
            test_sentences = {t: sentences[t] for t in test_ids}
            with_model = evaluate_suggestions(
                coder, test_sentences, learned, codings, suggester.codes
            )
            alone = evaluate_suggestions(coder, test_sentences, keyword, codings, suggester.codes)
            out.append(
                CurvePoint(n, r, tuple(train_ids), len(test_ids), with_model.micro, alone.micro)
            )
            if progress is not None:
                progress(1)
    return out
