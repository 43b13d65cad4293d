"""The near-word prefilter of multi-word anchors (numpy) keeps every multi-word match."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeer.nlp.matching import Positions
from codeer.nlp.suggestions import Suggester
from codeer.project import Project

CODEBOOK = """\
name: anchors
codes:
  - id: a
    label: A
    keywords: ["een op een", "er zijn voor", "wie hij is", "afspraak maken", "in dienst",
               "huiskamer ... verplicht", "niet van ons", "nieuw opgezet|opgericht|steunpunt",
               "elke jongere", "over en weer", "wel of niet", "*opvang van de", "op een & doel"]
  - id: b
    label: B
    keywords: ["van ons", "een huis*", "de gemeente", "samen met", "is er"]
    exclude_keywords: ["niet op een"]
"""
_WORDS = ["een", "op", "er", "is", "zijn", "voor", "wie", "hij", "ze", "afspraken", "maken",
          "gemaakt", "in", "dienst", "huiskamer", "verplicht", "niet", "van", "ons", "nieuw",
          "steunpunt", "opgericht", "elke", "jongeren", "over", "en", "weer", "wel", "of",
          "nachtopvang", "de", "gemeente", "samen", "met", "huiskamers", ",", ".", "doel"]  # fmt: skip


@pytest.fixture(scope="module")
def matchers(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("anchors")
    (root / "codebooks").mkdir()
    (root / "interviews").mkdir()
    (root / "codebooks" / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "interviews" / "t1.txt").write_text(
        "---\nid: t1\ncase: X\nrole: steunpunt\n---\nR: x\n", encoding="utf-8"
    )
    return Suggester(Project(root).codebook).matchers


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=60), cut=st.integers(0, 60))
def test_prefiltered_anchors_find_every_multi_word_match(
    matchers: object, words: list[str], cut: int
) -> None:
    m = matchers
    doc = m.nlp.make_doc(" ".join(words))  # type: ignore[attr-defined]
    info = m.token_info(doc)  # type: ignore[attr-defined]
    every = [k for k, key in enumerate(info.keys) if key in m._lex and m._lex[key][1]]  # type: ignore[attr-defined]
    kept = info.positions.anchored
    assert set(kept) <= set(every)
    full = Positions(info.positions.tokens, info.positions.masks, every)
    lo = min(cut, len(doc) - 1)
    for a, b in ((0, len(doc)), (lo, len(doc)), (0, max(lo, 1))):
        slow = m.scan(info, a, b, full)  # type: ignore[attr-defined]
        fast = m.scan(info, a, b, info.positions)  # type: ignore[attr-defined]
        assert (slow.present, slow.multi) == (fast.present, fast.multi)


def test_the_prefilter_drops_anchors_without_the_needed_neighbour(matchers: object) -> None:
    m = matchers
    books = " , ".join(["een boek"] * 12)  # enough anchors for numpy to filter them
    for text, kept in ((books, False), (books + " , een op een", True)):
        doc = m.nlp.make_doc(text)  # type: ignore[attr-defined]
        info = m.token_info(doc)  # type: ignore[attr-defined]
        every = [k for k, key in enumerate(info.keys) if key in m._lex and m._lex[key][1]]  # type: ignore[attr-defined]
        assert every  # 'een' anchors 'een op een'
        assert len(every) > 8
        assert bool(info.positions.anchored) == kept
