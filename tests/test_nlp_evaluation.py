"""Evaluation of suggestions against a coder, on a hand-computed example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeer.codings import Coding, CodingsFile
from codeer.nlp.evaluation import Score, evaluate, evaluate_suggestions, gold_pairs, score
from codeer.nlp.suggestions import Suggestion
from codeer.segmentation import segment_body

BODY = "R: Een huiskamer. Geen taal. Wel taalles. Vrijwilligers ook. Niks meer."
SENTS = segment_body(BODY)  # 0 huiskamer, 1 taal, 2 taalles, 3 vrijwilligers, 4 niks


def sugg(code: str, i: int) -> Suggestion:
    s = SENTS[i]
    return Suggestion(
        id=f"{code}{i}", code=code, start=s.start, end=s.end, quote=s.text, sentence=i
    )


def coding(code: str, start_sentence: int, end_sentence: int) -> Coding:
    a, b = SENTS[start_sentence].start, SENTS[end_sentence].end
    return Coding(code=code, start=a, end=b, quote=BODY[a:b], coder="a")


def test_hand_example() -> None:
    assert [s.text for s in SENTS][:3] == ["Een huiskamer.", "Geen taal.", "Wel taalles."]
    codes = ["v", "v.huiskamer", "v.activiteiten", "o.vrijwilligers"]
    codings = CodingsFile(
        transcript="t",
        coder="a",
        transcript_hash="x",
        codings=[
            coding("v.huiskamer", 0, 0),  # gold (t,0,v.huiskamer)
            coding("v.activiteiten", 1, 2),  # spans 2 sentences: gold (t,1,..) and (t,2,..)
            coding("o.vrijwilligers", 3, 3),
            coding("x.not_evaluated", 4, 4),  # a code without keywords: ignored
        ],
    )
    suggestions = [
        sugg("v.huiskamer", 0),  # TP
        sugg("v.activiteiten", 2),  # TP; sentence 1 is a FN
        sugg("v.huiskamer", 2),  # FP
        sugg("v", 0),  # group code: confirmed by v.huiskamer -> TP, finds nothing
        sugg("v", 3),  # group code on a sentence coded o.vrijwilligers -> FP
        # o.vrijwilligers on 3 not suggested: FN
    ]
    ev = evaluate_suggestions("a", {"t": SENTS}, {"t": suggestions}, {"t": codings}, codes)
    assert ev.per_code["v.huiskamer"] == Score.of(1, 1, 1, 0)
    assert ev.per_code["v.activiteiten"] == Score.of(1, 0, 1, 1)
    assert ev.per_code["o.vrijwilligers"] == Score.of(0, 0, 0, 1)
    assert ev.per_code["v"] == Score.of(1, 1, 0, 0)
    # by hand: TP 1+1+0+1 = 3, FP 1+0+0+1 = 2, found 1+1+0+0 = 2, FN 0+1+1+0 = 2
    assert (ev.micro.tp, ev.micro.fp, ev.micro.found, ev.micro.fn) == (3, 2, 2, 2)
    assert ev.micro.precision == pytest.approx(3 / 5)
    assert ev.micro.recall == pytest.approx(2 / 4)
    assert ev.micro.f1 == pytest.approx(2 * 0.6 * 0.5 / 1.1)
    # macro over the 4 codes: P (0.5 + 1 + 0 + 0.5)/4, R (1 + 0.5 + 0 + 0)/4
    assert ev.macro["precision"] == pytest.approx(2.0 / 4)
    assert ev.macro["recall"] == pytest.approx(1.5 / 4)
    f1s = [2 * 0.5 * 1 / 1.5, 2 * 1 * 0.5 / 1.5, 0.0, 0.0]
    assert ev.macro["f1"] == pytest.approx(sum(f1s) / 4)
    assert ev.sentences == 5 and ev.transcripts == 1
    json.dumps(ev.to_dict())


def test_pairs_and_independent_count() -> None:
    """The same figures by brute force over every (sentence, code) cell."""
    cf = CodingsFile(
        transcript="t",
        coder="a",
        transcript_hash="x",
        codings=[coding("a.b", 0, 1), coding("a.c", 1, 1), coding("d", 3, 4)],
    )
    gold = gold_pairs("t", SENTS, cf)
    assert gold == {("t", 0, "a.b"), ("t", 1, "a.b"), ("t", 1, "a.c"), ("t", 3, "d"), ("t", 4, "d")}
    conf = gold_pairs("t", SENTS, cf, ancestors=True)
    assert ("t", 0, "a") in conf and ("t", 1, "a") in conf and ("t", 0, "a.c") not in conf
    suggested = {("t", 0, "a.b"), ("t", 2, "a.b"), ("t", 1, "a"), ("t", 3, "d")}
    codes = ["a", "a.b", "a.c", "d"]
    per, micro, _ = score(suggested, gold, conf, codes)
    tp = fp = found = fn = 0
    for i in range(len(SENTS)):
        for c in codes:
            cell = ("t", i, c)
            if cell in suggested:
                tp += cell in conf
                fp += cell not in conf
                found += cell in gold
            elif cell in gold:
                fn += 1
    assert (micro.tp, micro.fp, micro.found, micro.fn) == (tp, fp, found, fn) == (3, 1, 2, 3)
    assert set(per) == set(codes)


PROJECT_CODEBOOK = """\
name: test
codes:
  - id: voorzieningen
    label: Voorzieningen
    children:
      - id: voorzieningen.huiskamer
        label: Huiskamer
        children:
          - {id: voorzieningen.huiskamer.vrijwillig, label: v, keywords: [huiskamer]}
          - {id: voorzieningen.huiskamer.verplicht, label: v, keywords: [huiskamer ... verplicht]}
      - {id: voorzieningen.activiteiten, label: a, keywords: [taalles]}
  - id: organisatie
    label: Organisatie
    children:
      - {id: organisatie.personeel.vrijwilligers, label: v, keywords: [vrijwilliger]}
"""


def test_evaluate_on_a_project(tmp_path: Path) -> None:
    from codeer.nlp.suggestions import Suggester
    from codeer.project import Project

    (tmp_path / "codebooks").mkdir()
    (tmp_path / "interviews").mkdir()
    (tmp_path / "codebooks" / "cb.yaml").write_text(PROJECT_CODEBOOK, encoding="utf-8")
    (tmp_path / "interviews" / "t1.txt").write_text(
        "---\nid: t1\ncase: X\nrole: steunpunt\n---\n"
        "R: We hebben een huiskamer. Er zijn vrijwilligers. Er is taalles.\n",
        encoding="utf-8",
    )
    p = Project(tmp_path)
    t = p.transcript("t1")
    s = segment_body(t.body)
    cf = CodingsFile(
        transcript="t1",
        coder="a",
        transcript_hash=t.content_hash,
        codings=[
            Coding(code="voorzieningen.huiskamer.verplicht", start=s[0].start, end=s[0].end,
                   quote=s[0].text, coder="a"),
            Coding(code="organisatie.personeel.vrijwilligers", start=s[1].start, end=s[1].end,
                   quote=s[1].text, coder="a"),
        ],
    )  # fmt: skip
    p.store.save(cf)
    ev = evaluate(p, "a", suggester=Suggester(p.codebook))
    assert ev.per_code["organisatie.personeel.vrijwilligers"] == Score.of(1, 0, 1, 0)
    assert ev.per_code["voorzieningen.huiskamer.vrijwillig"] == Score.of(0, 1, 0, 0)
    assert ev.per_code["voorzieningen.huiskamer.verplicht"] == Score.of(0, 0, 0, 1)
    assert ev.per_code["voorzieningen.activiteiten"] == Score.of(0, 1, 0, 0)
