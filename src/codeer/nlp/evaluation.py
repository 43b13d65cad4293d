"""How well the keyword suggestions reproduce a coder's codings, at sentence level.

The unit is a (transcript, sentence, code) pair.

- Gold pairs: the coder applied code C to a span overlapping sentence S. A coding of a code also
  counts for each of its ancestors (a coding of ``voorzieningen.huiskamer.geen`` is evidence for
  ``voorzieningen.huiskamer``), the rule ``Codebook.descendants`` states.
- Suggested pairs: the suggester proposed C for S.
- A suggested pair that is a gold pair is a true positive, so a suggestion of a group code is
  right when the coder applied the group code or any of its descendants there; a suggested pair
  that is not gold is a false positive; a gold pair that was not suggested is a false negative.
- Only codes that can be suggested (they have keywords or patterns) are evaluated, and only the
  transcripts the coder has a codings file for. Interviewer sentences are not suggested, so a
  coding on an interviewer's question can only be missed: that is counted, not hidden.
- Precision, recall and F1 per code; micro averages sum TP, FP and FN over codes; macro averages
  are the unweighted mean of the per-code figures over codes with at least one gold or suggested
  pair. A figure whose denominator is zero counts as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from codeer.codebook import Codebook
from codeer.codings import CodingsFile
from codeer.segmentation import Sentence, segment, sentences_overlapping

if TYPE_CHECKING:
    from codeer.nlp.suggestions import Progress, Suggester, Suggestion
    from codeer.project import Project

Pair = tuple[str, int, str]  # transcript id, sentence index, code


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> Score:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(tp, fp, fn, p, r, f)


@dataclass(frozen=True)
class Evaluation:
    coder: str
    transcripts: int
    sentences: int
    per_code: dict[str, Score]
    micro: Score
    macro: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "transcripts": self.transcripts,
            "sentences": self.sentences,
            "codes": len(self.per_code),
            "micro": asdict(self.micro),
            "macro": self.macro,
            "per_code": {c: asdict(s) for c, s in self.per_code.items()},
        }


def gold_pairs(
    codebook: Codebook,
    transcript_id: str,
    sentences: Sequence[Sentence],
    codings: CodingsFile | None,
    codes: Iterable[str],
) -> set[Pair]:
    """The (transcript, sentence, code) pairs the coder coded, counted up to evaluated ancestors."""
    wanted = set(codes)
    out: set[Pair] = set()
    if codings is None:
        return out
    for c in codings.codings:
        targets = [a for a in _self_and_ancestors(c.code) if a in wanted]
        if not targets:
            continue
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
    suggested: set[Pair], gold: set[Pair], codes: Iterable[str]
) -> tuple[dict[str, Score], Score, dict[str, float]]:
    """Per-code, micro and macro scores of suggested against gold pairs."""
    per: dict[str, Score] = {}
    for code in codes:
        s = {p for p in suggested if p[2] == code}
        g = {p for p in gold if p[2] == code}
        if not s and not g:
            continue
        tp = len(s & g)
        per[code] = Score.of(tp, len(s) - tp, len(g) - tp)
    micro = Score.of(
        sum(x.tp for x in per.values()),
        sum(x.fp for x in per.values()),
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
    codebook: Codebook,
    coder: str,
    sentences: Mapping[str, Sequence[Sentence]],
    suggestions: Mapping[str, Sequence[Suggestion]],
    codings: Mapping[str, CodingsFile | None],
    codes: Sequence[str],
) -> Evaluation:
    """Score given suggestions against given codings (the pure part, for hand examples)."""
    gold: set[Pair] = set()
    sugg: set[Pair] = set()
    for tid, sents in sentences.items():
        gold |= gold_pairs(codebook, tid, sents, codings.get(tid), codes)
        sugg |= suggested_pairs(tid, suggestions.get(tid, ()), codes)
    per, micro, macro = score(sugg, gold, codes)
    return Evaluation(
        coder=coder,
        transcripts=len(sentences),
        sentences=sum(len(s) for s in sentences.values()),
        per_code=per,
        micro=micro,
        macro=macro,
    )


def evaluate(
    project: Project,
    coder: str,
    *,
    suggester: Suggester | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Suggest afresh (ignoring saved decisions) and score against the coder's codings."""
    from codeer.nlp.suggestions import Suggester

    suggester = suggester or Suggester(project.codebook)
    all_codings = project.all_codings(coder)
    sentences: dict[str, list[Sentence]] = {}
    suggestions: dict[str, list[Suggestion]] = {}
    for tid in all_codings:
        t = project.transcript(tid)
        sentences[tid] = segment(t)
        suggestions[tid] = suggester.suggest(t, sentences[tid])
        if progress is not None:
            progress(1)
    return evaluate_suggestions(
        project.codebook, coder, sentences, suggestions, dict(all_codings), suggester.codes
    )
