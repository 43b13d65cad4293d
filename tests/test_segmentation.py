"""Sentence segmentation: exact offsets, Dutch abbreviations, odd input."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.segmentation import (
    Sentence,
    segment,
    segment_body,
    sentence_at,
    sentences_overlapping,
    split_spans,
)
from codeer.transcript import normalise, split_turns


def texts(body: str) -> list[str]:
    return [s.text for s in segment_body(body)]


def check_invariants(body: str, sentences: list[Sentence]) -> None:
    turns = split_turns(body)
    prev_end = -1
    for i, s in enumerate(sentences):
        assert s.index == i
        assert body[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= prev_end
        prev_end = s.end
        turn = turns[s.turn_index]
        assert turn.text_start <= s.start < s.end <= turn.end
        assert s.speaker == turn.speaker
        assert sentence_at(sentences, s.start) is s
        assert sentence_at(sentences, s.end - 1) is s
    # every non-space character of every turn's text lies in some sentence
    covered = {k for s in sentences for k in range(s.start, s.end)}
    for turn in turns:
        for k in range(turn.text_start, turn.end):
            if not body[k].isspace():
                assert k in covered


def test_basic_split_and_offsets() -> None:
    body = "I: Hoe gaat het? Goed.\n\nR: Het gaat goed! Wij hebben een huiskamer.\n"
    sents = segment_body(body)
    assert [s.text for s in sents] == [
        "Hoe gaat het?",
        "Goed.",
        "Het gaat goed!",
        "Wij hebben een huiskamer.",
    ]
    assert [s.speaker for s in sents] == ["I", "I", "R", "R"]
    assert [s.turn_index for s in sents] == [0, 0, 1, 1]
    check_invariants(body, sents)


def test_dutch_abbreviations_stay_together() -> None:
    body = (
        "R: We doen bijv. taallessen, o.a. Nederlands. Dat is d.w.z. verplicht. "
        "Mevr. Bakker en dhr. De Boer zijn er. Nr. 3 t/m 5 blijven ca. 2 jaar. "
        "Wij werken i.s.m. Vluchtelingenwerk. M. de Vries belde."
    )
    assert texts(body) == [
        "We doen bijv. taallessen, o.a. Nederlands.",
        "Dat is d.w.z. verplicht.",
        "Mevr. Bakker en dhr. De Boer zijn er.",
        "Nr. 3 t/m 5 blijven ca. 2 jaar.",
        "Wij werken i.s.m. Vluchtelingenwerk.",
        "M. de Vries belde.",
    ]


def test_boundaries_need_a_sentence_start() -> None:
    assert texts("R: Hoe? via de gemeente. Ja... Nee…  Oké. 1500 euro.") == [
        "Hoe? via de gemeente.",
        "Ja...",
        "Nee…",
        "Oké.",
        "1500 euro.",
    ]
    assert texts('R: Hij zei: "Nee." "Waarom niet?" (Lacht.) Goed.') == [
        'Hij zei: "Nee."',
        '"Waarom niet?"',
        "(Lacht.)",
        "Goed.",
    ]
    # sentence-final abbreviations end a sentence when a new one starts
    assert texts("R: Taal, computer enz. Daarna werk.") == ["Taal, computer enz.", "Daarna werk."]


def test_blank_line_inside_a_turn_ends_a_sentence() -> None:
    body = "R: eerste alinea zonder punt\n\ntweede alinea\nloopt door"
    assert texts(body) == ["eerste alinea zonder punt", "tweede alinea\nloopt door"]


def test_empty_and_markerless_and_unicode() -> None:
    assert segment_body("") == []
    assert segment_body("   \n\n  ") == []
    body = "Gewoon tekst zonder sprekers. Nog een zin."
    sents = segment_body(body)
    assert [s.text for s in sents] == ["Gewoon tekst zonder sprekers.", "Nog een zin."]
    assert {s.speaker for s in sents} == {""}
    odd = normalise(
        "R: Cafe\u0301 e\u0301n 👩‍👩‍👧 emoji. مرحبا بك في البيت. שלום. Z\u0327ijn 🇳🇱 vlag!"
    )
    sents = segment_body(odd)
    check_invariants(odd, sents)
    assert len(sents) == 4
    raw = "R: Cafe\u0301 zin. Twee\u0301 zin."  # not normalised: offsets still exact
    check_invariants(raw, segment_body(raw))


def test_segment_uses_transcript_turns() -> None:
    from codeer.transcript import parse_transcript

    t = parse_transcript(
        "---\nid: t1\ncase: X\nrole: steunpunt\n---\nI: Vraag een. Vraag twee?\n\nR: Antwoord.\n",
        path=__import__("pathlib").Path("t1.txt"),
    )
    sents = segment(t)
    assert [s.text for s in sents] == ["Vraag een.", "Vraag twee?", "Antwoord."]
    check_invariants(t.body, sents)


def test_sentence_lookup_helpers() -> None:
    body = "R: Een. Twee. Drie."
    sents = segment_body(body)
    assert sentence_at(sents, 0) is None  # inside the speaker marker
    assert sentence_at(sents, sents[1].start).text == "Twee."  # type: ignore[union-attr]
    assert sentence_at(sents, sents[0].end) is None  # the space between
    assert sentence_at(sents, len(body)) is None
    assert [s.text for s in sentences_overlapping(sents, sents[0].end - 1, sents[2].start + 1)] == [
        "Een.",
        "Twee.",
        "Drie.",
    ]
    assert sentences_overlapping(sents, 0, 2) == []
    assert split_spans("  a. B  ") == [(2, 4), (5, 6)]


# --- property test -----------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "wij", "Hebben", "een", "huiskamer", "bijv.", "o.a.", "d.w.z.", "Dhr.", "ca.", "t/m",
        "jongeren", "M.", "1500", "enz.", "café", "Cafe\u0301", "😀", "👩‍👩‍👧", "مرحبا", "שלום",
        "ÉÉN", "ǅ", "\u200f", "'", '"', "(", ")", "…", "...", "?", "!", ".", ",", "-",
    ]
)  # fmt: skip
SEPS = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", ". ", "? ", "! ", "\u00a0"])
SPEAKERS = st.sampled_from(["I", "R", "R2", "Coördinator", ""])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        speaker = draw(SPEAKERS)
        words = draw(st.lists(st.tuples(WORDS, SEPS), max_size=25))
        text = "".join(w + s for w, s in words)
        if draw(st.booleans()):
            text += draw(st.text(max_size=20))
        parts.append(f"{speaker}: {text}" if speaker else text)
    return "\n\n".join(parts)


@settings(max_examples=300, deadline=None)
@given(bodies())
def test_offsets_property(body: str) -> None:
    check_invariants(body, segment_body(body))
    nfc = unicodedata.normalize("NFC", body)
    check_invariants(nfc, segment_body(nfc))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_offsets_property_any_text(body: str) -> None:
    check_invariants(body, segment_body(body))


def test_import_does_not_load_spacy() -> None:
    code = (
        "import sys, codeer.segmentation, codeer.cli\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
