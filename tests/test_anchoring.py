"""Re-anchoring: every coding is kept, moved exactly, fuzzy-moved above the threshold, or orphaned."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from codeer.anchoring import FUZZY_THRESHOLD, reanchor, reanchor_one
from codeer.codings import Coding

WORDS = ["de", "huiskamer", "is", "open", "op", "dinsdag", "leefgeld", "wordt", "uitbetaald",
         "we", "hebben", "vrijwilligers", "jongeren", "gemeente", "afspraken", "maken", "één",
         "café", "IND", "🙂", "זה", "trajectplan"]  # fmt: skip


def coding(text: str, start: int, end: int) -> Coding:
    return Coding(code="x", start=start, end=end, quote=text[start:end], coder="a")


def test_kept_when_unchanged() -> None:
    text = "R: we hebben een huiskamer."
    r = reanchor_one(coding(text, 17, 26), text)
    assert r.status == "kept" and r.coding.start == 17


def test_moved_to_nearest_exact_match() -> None:
    old = "R: huiskamer en nog eens huiskamer."
    c = coding(old, 25, 34)
    new = "I: ja?\n" + old
    r = reanchor_one(c, new)
    assert r.status == "moved" and (r.coding.start, r.coding.end) == (32, 41)
    assert new[r.coding.start : r.coding.end] == "huiskamer"


def test_fuzzy_move_and_orphan() -> None:
    old = "R: Het leefgeld betalen we zelf uit aan de jongeren."
    c = coding(old, 3, len(old))
    new = "R: Het leefgeld betalen wij zelf uit aan de jongeren."
    r = reanchor_one(c, new)
    assert r.status == "fuzzy" and r.similarity >= FUZZY_THRESHOLD
    assert r.coding.quote == c.quote  # the quote the coder saw is kept for review
    gone = reanchor_one(c, "R: Iets heel anders.")
    assert gone.status == "orphaned" and gone.coding.anchor == "orphaned"
    assert (gone.coding.start, gone.coding.end) == (c.start, c.end)


edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=5, max_size=60),
    spans=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=6),
    edits=st.lists(edit, min_size=0, max_size=5),
)
def test_random_edits_never_drop_or_misattach(
    words: list[str],
    spans: list[tuple[float, float]],
    edits: list[tuple[str, float, float, list[str]]],
) -> None:
    text = " ".join(words) + "."
    codings = []
    for a, b in spans:
        s, e = sorted((int(a * len(text)), int(b * len(text))))
        if e > s:
            codings.append(coding(text, s, e))
    new = text
    for kind, a, b, ins in edits:
        s, e = sorted((int(a * len(new)), int(b * len(new))))
        piece = " ".join(ins)
        if kind == "insert":
            new = new[:s] + piece + new[s:]
        elif kind == "delete":
            new = new[:s] + new[e:]
        else:
            new = new[:s] + piece + new[e:]
    results = reanchor(codings, new)
    assert len(results) == len(codings)  # never dropped
    for c, r in zip(codings, results, strict=True):
        assert r.coding.id == c.id and r.coding.code == c.code and r.coding.quote == c.quote
        if r.status == "kept":
            assert (r.coding.start, r.coding.end) == (c.start, c.end)
            assert new[c.start : c.end] == c.quote
        elif r.status == "moved":
            assert new[r.coding.start : r.coding.end] == c.quote
        elif r.status == "fuzzy":
            assert c.quote not in new
            assert fuzz.ratio(c.quote, new[r.coding.start : r.coding.end]) / 100 >= FUZZY_THRESHOLD
        else:
            assert r.status == "orphaned" and r.coding.anchor == "orphaned"
            assert c.quote not in new  # an exact match would have been used
            assert (r.coding.start, r.coding.end) == (c.start, c.end)  # not attached elsewhere
