"""The fast paths of segmentation (a regex that starts at a few characters, the abbreviation
check without a regex, the quick Sentence constructor) give what the plain rules give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from codeer import segmentation as seg
from codeer.segmentation import Sentence, segment_body, split_spans

# the plain rules, as first written
_PLAIN_BOUNDARY = re.compile(
    r"(?P<p>[.!?…]+[" + re.escape(seg._CLOSERS) + r"]*)\s+(?=(?P<n>\S))|[ \t]*\n[ \t]*\n\s*"
)
_PLAIN_LEADING = re.compile(r"^[" + re.escape(seg._OPENERS) + r"]+")
_PLAIN_LAST_WORD = re.compile(r"\S+\Z")


def _plain_is_abbreviation(text: str, lo: int, dot: int) -> bool:
    m = _PLAIN_LAST_WORD.search(text, max(lo, dot - seg._LONGEST_ABBREVIATION), dot + 1)
    if m is None:
        return False
    if m.start() > lo and not text[m.start() - 1].isspace():
        return False
    word = _PLAIN_LEADING.sub("", m.group())
    low = word.lower()
    if low in seg.ABBREVIATIONS:
        return True
    if len(word) == 2 and word[0].isalpha() and word[0].isupper():
        return True
    return bool(seg._DOTTED.fullmatch(low)) and low not in seg.FINAL_ABBREVIATIONS


def _plain_split_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    seg_start = 0
    for m in _PLAIN_BOUNDARY.finditer(text):
        punct = m.group("p")
        if punct is None:
            seg._add(text, seg_start, m.start(), spans)
            seg_start = m.end()
            continue
        if not seg._starts_sentence(m.group("n")):
            continue
        if punct == "." and _plain_is_abbreviation(text, seg_start, m.start()):
            continue
        seg._add(text, seg_start, m.end("p"), spans)
        seg_start = m.end()
    seg._add(text, seg_start, len(text), spans)
    return spans


_PIECES = [*"aAbZé. .!?…\n\t\"'”’»)]“‘„«([¿¡,;:09xM-", "\n\n", "  ", "\u00a0", "\u2003",
           "nl.", "bijv.", "M.", "z.g.a.", "enz.", "d.w.z.", "ca.", "...", "I: ", "R: ",
           "\n\nR: ", "\n\nI: ", "Ä", "huiskamer."]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_spans_equal_the_plain_rules(text: str) -> None:
    assert split_spans(text) == _plain_split_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_spans_equal_the_plain_rules_any_text(text: str) -> None:
    assert split_spans(text) == _plain_split_spans(text)


def test_an_abbreviation_right_after_a_marker_is_found() -> None:
    # the dotted word reaches back to the start of the window, where a space stands before it
    text = "I: z.g.a.z.g.a.\n\nR: "
    assert split_spans(text) == _plain_split_spans(text) == [(0, 19)]


def test_quick_sentences_equal_the_dataclass() -> None:
    body = "I: Hoe gaat het? Goed.\n\nR: Het gaat goed! Wij hebben o.a. een huiskamer.\n"
    got = segment_body(body)
    assert [type(s) for s in got] == [Sentence] * 4
    assert got == [Sentence(s.index, s.turn_index, s.speaker, s.start, s.end, s.text) for s in got]
    assert hash(got[0]) == hash(Sentence(0, 0, "I", 3, 16, "Hoe gaat het?"))
