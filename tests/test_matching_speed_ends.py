"""Token ends are read per lexeme (start + length of the lower-cased form): they equal spaCy's;
the evidence and ids that _make builds from them are the plain ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeer.nlp.suggestions import Suggester, suggestion_id
from codeer.project import Project

CODEBOOK = """\
name: ends
codes:
  - id: a
    label: A
    keywords: ["*stanbul", "huiskamer*", "afspraak & maken"]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root: Path = tmp_path_factory.mktemp("ends")
    (root / "codebooks").mkdir()
    (root / "interviews").mkdir()
    (root / "codebooks" / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    body = (
        "R: Ze gaan naar İstanbul, İSTANBUL en istanbul.\n\n"
        "R: De huiskamerbezoeken  zijn  fijn. Wij maken afspraken.\n"
    )
    (root / "interviews" / "t1.txt").write_text(
        "---\nid: t1\ncase: X\nrole: steunpunt\n---\n" + body, encoding="utf-8"
    )
    return Project(root)


def test_token_ends_equal_spacys(project: Project) -> None:
    m = Suggester(project.codebook).matchers
    for text in ("İstanbul İİ i̇ x  y\n\nÉcole straße ǅ ﬁ", "een  twee\tdrie\n"):
        doc = m.nlp.make_doc(text)
        info = m.token_info(doc)
        assert [info.end[k] for k in range(len(doc))] == [t.idx + len(t) for t in doc]
        assert info.end[0 : len(doc)] == [t.idx + len(t) for t in doc]


def test_evidence_spans_cover_the_matched_words(project: Project) -> None:
    t = next(iter(project.transcripts.values()))
    got = Suggester(project.codebook, extend=False).suggest(t)
    texts = [e.text for s in got for e in s.evidence]
    assert texts == ["İstanbul", "İSTANBUL", "istanbul", "huiskamerbezoeken", "maken", "afspraken"]
    for s in got:
        assert s.id == suggestion_id(t.id, s.code, s.start, s.end)  # hashed inline in _make
        for e in s.evidence:
            assert t.body[e.start : e.end] == e.text


def test_evidence_spans_hold_in_the_middle_of_a_batch(project: Project) -> None:
    from codeer.transcript import parse_transcript

    t = next(iter(project.transcripts.values()))
    other = parse_transcript(
        "---\nid: o\ncase: Y\nrole: gemeente\n---\nR: Een huiskamer in İzmir. Wij 🙂 maken afspraken.\n",
        Path("o.txt"),
    )
    s = Suggester(project.codebook, extend=False)
    alone = s.suggest(t)
    batch = s.suggest_many([other, t, other])
    assert batch[1] == alone  # offsets of the İ words (measured on the doc) still exact
    assert batch[0] == batch[2] == s.suggest(other)
    for tr, got in zip((other, t, other), batch, strict=True):
        for sg in got:
            for e in sg.evidence:
                assert tr.body[e.start : e.end] == e.text
