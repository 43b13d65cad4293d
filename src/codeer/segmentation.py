"""Sentences of a transcript, with exact code-point offsets into its body.

Pure Python and regex only (no spaCy), so the TUI can import it and still start in well under a
second. The rules follow spaCy's Sentencizer in spirit: a sentence ends at ``.``, ``!``, ``?`` or
``…`` (possibly repeated and followed by closing quotes or brackets) when whitespace and then a
sentence start follow (an upper-case letter, a letter of a script without case, a digit, a quote
or an opening bracket). A blank line inside a turn also ends a sentence. A period after a Dutch
abbreviation (``bijv.``, ``o.a.``, ``d.w.z.``, ``dhr.``, ``ca.`` ...) or an initial (``M. de
Vries``) does not. Sentences never cross a speaker turn, and the speaker marker (``I:``) is not
part of any sentence.

Offsets count code points in ``transcript.body`` (the convention of ``codeer.transcript``);
``body[s.start:s.end] == s.text`` always holds, and the text has no surrounding whitespace.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields

from codeer.transcript import Transcript, Turn, split_turns

# Abbreviations that never end a sentence in running Dutch text (lower case, with the final
# period). Multi-letter dotted forms like "z.g.a." are also caught by a general rule below.
_ABBREVIATIONS = """
    a.s. afd. art. bijv. bv. bijz. blz. ca. c.q. d.d. dhr. dr. drs. d.m.v. d.w.z. e.v. evt.
    excl. fa. gem. hr. i.c.m. i.h.a. i.o.m. i.p.v. i.s.m. i.v.m. ing. incl. ir. jr. m.b.t. m.b.v.
    m.i. m.n. max. mevr. min. mr. mw. n.a.v. n.v.t. nl. nr. o.a. o.b.v. o.i.d. ong. p. pag.
    p.m. prof. red. resp. sr. st. t.a.v. t.b.v. t.g.v. t.o.v. t.m. t/m. t.z.t. tel. vgl. vnl.
    vs. v.w.b. z.g.a. zgn. z.s.m. zg. ivm. ipv. mbt. tav.
"""
ABBREVIATIONS: frozenset[str] = frozenset(_ABBREVIATIONS.split())
# Abbreviations that often close a sentence: they end one when a sentence start follows.
FINAL_ABBREVIATIONS: frozenset[str] = frozenset({"enz.", "etc.", "e.d.", "e.a.", "jl.", "e.e.a."})

_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘„«([¿¡"
# a run of sentence punctuation (plus closing quotes/brackets), the whitespace after it, and a
# look at the next character; or a blank line (paragraph break; spaces before its first newline
# are left out of the match, where the sentence before is stripped anyway: every match then
# starts with one of a few characters, which the regex engine finds fast)
_BOUNDARY = re.compile(
    r"(?P<p>[.!?…]+[" + re.escape(_CLOSERS) + r"]*)\s+(?=(?P<n>\S))|\n[ \t]*\n\s*"
)
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}")
_LONGEST_ABBREVIATION = 12


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``index`` over the whole transcript, offsets into the body, end exclusive."""

    index: int
    turn_index: int
    speaker: str
    start: int
    end: int
    text: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def __len__(self) -> int:
        return self.end - self.start


def _starts_sentence(ch: str) -> bool:
    if ch.isupper() or ch.isdigit() or ch in _OPENERS:
        return True
    # title case, or a letter of a script without case (Arabic, Hebrew, CJK ...)
    return ch.istitle() or (ch.isalpha() and not ch.islower())


def _is_abbreviation(text: str, lo: int, dot: int) -> bool:
    """Whether the period at ``dot`` closes an abbreviation or initial rather than a sentence."""
    w0 = max(lo, dot - _LONGEST_ABBREVIATION)
    chunk = text[w0 : dot + 1]
    last = chunk.rsplit(None, 1)  # the word ending at the period (it is no whitespace)
    if len(last) == 1 and w0 > lo and not chunk[0].isspace() and not text[w0 - 1].isspace():
        return False  # a longer word: no abbreviation is that long
    word = last[-1].lstrip(_OPENERS)
    low = word.lower()
    if low in ABBREVIATIONS:
        return True
    if len(word) == 2 and word[0].isalpha() and word[0].isupper():
        return True  # an initial: "M. de Vries"
    # dotted forms ("z.g.a.") have two periods at least
    return low.count(".") > 1 and bool(_DOTTED.fullmatch(low)) and low not in FINAL_ABBREVIATIONS


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text[start:end]``, stripped, as offsets into ``text``."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    seg = start
    for m in _BOUNDARY.finditer(text, start, end):
        punct = m.group("p")
        if punct is None:  # a blank line
            _add(text, seg, m.start(), spans)
            seg = m.end()
            continue
        if not _starts_sentence(m.group("n")):
            continue
        if punct == "." and _is_abbreviation(text, seg, m.start()):
            continue
        _add(text, seg, m.end("p"), spans)
        seg = m.end()
    _add(text, seg, end, spans)
    return spans


def _add(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


def segment_body(body: str) -> list[Sentence]:
    """Sentences of a raw body (turns found the way ``codeer.transcript`` finds them)."""
    return _segment(body, split_turns(body))


def segment(transcript: Transcript) -> list[Sentence]:
    """Every sentence of the transcript's turns, in body order."""
    return _segment(transcript.body, transcript.turns)


def _quick_sentence() -> Callable[[int, int, str, int, int, str], Sentence]:
    """A constructor that sets Sentence's slots directly: the same object as ``Sentence(...)``
    (frozen, so its ``__init__`` goes through ``object.__setattr__`` per field), made at a
    fraction of the cost; thousands are made per transcript."""
    new = object.__new__
    names = [f.name for f in fields(Sentence)]
    assert names == ["index", "turn_index", "speaker", "start", "end", "text"], names
    s0, s1, s2, s3, s4, s5 = (Sentence.__dict__[n].__set__ for n in names)

    def make(
        index: int, turn_index: int, speaker: str, start: int, end: int, text: str
    ) -> Sentence:
        o = new(Sentence)
        s0(o, index)
        s1(o, turn_index)
        s2(o, speaker)
        s3(o, start)
        s4(o, end)
        s5(o, text)
        return o

    return make


_sentence = _quick_sentence()


def _segment(body: str, turns: Iterable[Turn]) -> list[Sentence]:
    out: list[Sentence] = []
    make, append = _sentence, out.append
    for turn in turns:
        index, speaker = turn.index, turn.speaker
        for a, b in split_spans(body, turn.text_start, turn.end):
            append(make(len(out), index, speaker, a, b, body[a:b]))
    return out


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence | None:
    """The sentence holding body offset ``offset`` (None between sentences or outside turns)."""
    i = bisect.bisect_right(sentences, offset, key=_start) - 1
    if i >= 0 and sentences[i].start <= offset < sentences[i].end:
        return sentences[i]
    return None


def sentences_overlapping(sentences: Sequence[Sentence], start: int, end: int) -> list[Sentence]:
    """The sentences that share at least one code point with ``[start, end)``."""
    i = max(0, bisect.bisect_right(sentences, start, key=_start) - 1)
    out: list[Sentence] = []
    for s in sentences[i:]:
        if s.start >= end:
            break
        if s.overlaps(start, end):
            out.append(s)
    return out


def _start(s: Sentence) -> int:
    return s.start
