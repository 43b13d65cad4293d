"""The fast segmentation (one boundary regex that rules out most non-boundaries itself, turns
scanned in one pass, Sentences built in bulk) gives exactly what the plain rules give: the same
spans for any region of any text, the same Sentence objects for any turns."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from codeer import segmentation as seg
from codeer.segmentation import Sentence, segment_body, split_spans
from codeer.transcript import Turn, split_turns
from tests.test_matching_speed_segmentation import _plain_is_abbreviation

# --- the plain rules, one regex match and one Python decision at a time -----------------------

_PLAIN_BOUNDARY = re.compile(
    r"(?P<p>[.!?…]+[" + re.escape(seg._CLOSERS) + r"]*)\s+(?=(?P<n>\S))|\n[ \t]*\n\s*"
)


def _plain_starts_sentence(ch: str) -> bool:
    return (
        ch.isupper()
        or ch.isdigit()
        or ch in seg._OPENERS
        or ch.istitle()
        or (ch.isalpha() and not ch.islower())
    )


def _plain_add(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    piece = text[a:b]
    stripped = piece.lstrip()
    a += len(piece) - len(stripped)
    b = a + len(stripped.rstrip())
    if b > a:
        spans.append((a, b))


def _plain_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    lo = start
    for m in _PLAIN_BOUNDARY.finditer(text, start, end):
        punct = m.group("p")
        if punct is None:
            _plain_add(text, lo, m.start(), spans)
            lo = m.end()
        elif _plain_starts_sentence(m.group("n")) and not (
            punct == "." and _plain_is_abbreviation(text, lo, m.start())
        ):
            _plain_add(text, lo, m.end("p"), spans)
            lo = m.end()
    _plain_add(text, lo, end, spans)
    return spans


def _plain_segment(body: str, turns: tuple[Turn, ...]) -> list[Sentence]:
    out: list[Sentence] = []
    for turn in turns:
        for a, b in _plain_spans(body, turn.text_start, turn.end):
            out.append(Sentence(len(out), turn.index, turn.speaker, a, b, body[a:b]))
    return out


def _fields(sentences: list[Sentence]) -> list[tuple[object, ...]]:
    return [(type(s), s.index, s.turn_index, s.speaker, s.start, s.end, s.text) for s in sentences]


# --- generated texts ---------------------------------------------------------------------------

_PIECES = [*"aAbZé. .!?…\n\t\r\"'”’»)]“‘„«([¿¡,;:09xMİK-_/", "\n\n", "\r\n", "  ", "\u00a0",
           "\u2003", "\u2028", "nl.", "bijv.", "Bijv.", "BIJV.", "M.", "z.g.a.", "Z.G.A.", "enz.",
           "e.e.a.", "d.w.z.", "ca.", "Ca.", "Dhr.", "dhr.", "dHr.", "p.", "P.", "st.", "St.",
           "mevr.", "Mevr.", "resp.", "afd.", "t/m.", "ja.", "Ja.", "niet.", "het.", "Hm.", "Oké.",
           "huiskamer.", "2019.", "ab.cd.", "a.b.c.d.e.f.", "(bijv.", "'M.", "\u212aa.", "ſt.",
           "...", "?!", ".)", "I: ", "R: ", "Dr. Jansen: ", "\n\nR: ", "\nR: ", "\n\nI: ", "ǅ",
           "Cafe\u0301", "😀", "مرحبا", "שלום", "\u200f", "日本", "ß", "½", "Ⅻ", "𝐀"]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES) | st.characters(), max_size=80).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_TEXTS, st.data())
def test_spans_of_any_region_equal_the_plain_rules(text: str, data: st.DataObject) -> None:
    assert split_spans(text) == _plain_spans(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert split_spans(text, start, end) == _plain_spans(text, start, end)


@settings(max_examples=600, deadline=None)
@given(_TEXTS, st.sampled_from([(), ("R",), ("Dr. Jansen", "r"), ("x.",)]))
def test_sentences_equal_the_plain_rules(body: str, speakers: tuple[str, ...]) -> None:
    turns = split_turns(body, speakers)
    got = seg._segment(body, turns)
    assert _fields(got) == _fields(_plain_segment(body, turns))
    assert [hash(s) for s in got] == [hash(s) for s in _plain_segment(body, turns)]


def test_cases_the_regex_decides_alone() -> None:
    text = (
        "Wij doen dat niet. Hij ook niet. Zij zegt ja. dat klopt. Dhr. Jansen kwam. De mevr. "
        "Smit ook. Ja. Nee. Zie p. 4 en St. Jan. Het is huiskamer. Daarna (bijv. Pietje) kwam "
        "M. de Vries.\nhij niet. Zo.  zo. Klaar?! “Ja.” Goed… Dan 2019. En z.g.a.z. Eind."
    )
    assert split_spans(text) == _plain_spans(text)
    assert "De mevr. Smit ook." in [text[a:b] for a, b in split_spans(text)]


def test_a_region_that_starts_inside_a_word() -> None:
    # the word before the period is "bijv." from the region's start, "xxbijv." in the text: the
    # regex's look-behinds see the whole text, so the region is scanned on its own
    text = "xxbijv. Dan. Mee"
    assert split_spans(text, 2) == _plain_spans(text, 2) == [(2, 12), (13, 16)]
    assert split_spans(text) == _plain_spans(text) == [(0, 7), (8, 12), (13, 16)]


def test_turns_are_cut_and_numbered() -> None:
    body = "Voor. Alles\n\nI: Hoe gaat het? Goed.\n\nDr. Jansen: Prima. dhr. X.  \n\nR: "
    turns = split_turns(body, ("I", "Dr. Jansen", "R"))
    got = segment_body(body)
    assert _fields(seg._segment(body, turns)) == _fields(_plain_segment(body, turns))
    assert [(s.turn_index, s.speaker, s.text) for s in seg._segment(body, turns)] == [
        (0, "", "Voor."),
        (0, "", "Alles"),
        (1, "I", "Hoe gaat het?"),
        (1, "I", "Goed."),
        (2, "Dr. Jansen", "Prima. dhr. X."),
    ]
    assert [s.index for s in got] == list(range(len(got)))
