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
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import chain, repeat
from operator import attrgetter, sub

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
_LONGEST_ABBREVIATION = 12
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}")


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


def _escape(point: int) -> str:
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class of ``chars``, as escaped ranges."""
    points = sorted(set(map(ord, chars)))
    out: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        out.append(_escape(points[i]) if i == j else f"{_escape(points[i])}-{_escape(points[j])}")
        i = j + 1
    return "[" + "".join(out) + "]"


# The characters the regex can judge as (no) sentence start by itself; the rest of Unicode goes
# through _starts_sentence. Latin, Latin-1 and general punctuation cover nearly every boundary.
_KNOWN = [chr(c) for c in (*range(0x250), *range(0x2000, 0x2070))]
_SURE_START = _char_class(c for c in _KNOWN if _starts_sentence(c))
_NEVER_START = _char_class(c for c in _KNOWN if not c.isspace() and not _starts_sentence(c))
# A period after this many characters that are neither whitespace, periods nor openers cannot
# close an abbreviation (the longest undotted one, "mevr.", has four), an initial or a dotted form.
_WORD_RUN = 1 + max(len(a) - 2 - a.rfind(".", 0, len(a) - 1) for a in ABBREVIATIONS)
_WORD_CHAR = "[^\\s." + re.escape(_OPENERS) + "]"


def _short_word_guards() -> str:
    """Negative look-behinds that rule out a period after whitespace and a short ASCII word
    (lower case, or capitalised from two letters on) whose lower case is no abbreviation: such
    a period cannot close an abbreviation, an initial or a dotted form either."""
    plain = {a[:-1] for a in ABBREVIATIONS if a[:-1].isascii() and a[:-1].isalpha()}
    out: list[str] = []
    for n in range(1, _WORD_RUN):
        rest = f"[a-z]{{{n - 1}}}" if n > 1 else ""
        for first, known in (("[a-z]", plain), ("[A-Z]", {w.capitalize() for w in plain})):
            if first == "[A-Z]" and n == 1:
                continue  # an initial
            words = sorted(w for w in known if len(w) == n)
            guard = f"(?!(?:{'|'.join(words)})\\.)" if words else ""
            out.append(f"(?<!\\s{guard}{first}{rest}\\.)")
    return "".join(out)


# After the punctuation: whitespace, then the next character. A single space or newline before
# a sure non-start gives no match at all: the plain rules consume it without a boundary, and no
# other candidate starts inside it. Group 3 holds the next character when the regex cannot
# judge it.
_TAIL = rf"(?: (?={_SURE_START})|(?![ \n]{_NEVER_START})\s+(?:(?={_SURE_START})|(?=(\S))))"
# A boundary candidate; every match starts with one of ".!?…\n", so the regex engine skips to
# candidates fast. The kinds, told apart by ``lastindex``:
# - None: a blank line (the spaces before its first newline are left to the stripping);
# - 1: a single period right before whitespace, not ruled out as an abbreviation;
# - 2: any other run of sentence punctuation plus closing quotes or brackets (group 2 marks its
#   end), before a sure sentence start: the common case;
# - 3: either of those, before a character for _starts_sentence to judge.
_BOUNDARY = re.compile(
    r"[.!?…\n](?:(?<=\n)[ \t]*\n\s*|(?:"
    rf"(?<=\.)(?=\s)(?<!{_WORD_CHAR}{{{_WORD_RUN}}}\.){_short_word_guards()}()"
    rf"|(?<!\n)[.!?…]*[{re.escape(_CLOSERS)}]*()"
    rf"){_TAIL})"
)


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


def _scan(
    text: str,
    regions: Iterable[tuple[int, int]],
    starts: list[int],
    ends: list[int],
    counts: list[int],
) -> None:
    """Append the stripped sentence spans of each region ``text[a:b]`` to ``starts`` and
    ``ends``, and after each region the number of spans so far to ``counts``."""
    finditer = _BOUNDARY.finditer
    add_start, add_end, add_count = starts.append, ends.append, counts.append
    for a, b in regions:
        if a and not text[a - 1].isspace():
            # the abbreviation look-behinds must not see a word that goes on before the start
            part = text[a:b]
            n = len(starts)
            _scan(part, ((0, len(part)),), starts, ends, [])
            starts[n:] = [x + a for x in starts[n:]]
            ends[n:] = [x + a for x in ends[n:]]
            add_count(len(starts))
            continue
        seg = a
        while seg < b and text[seg].isspace():
            seg += 1
        # seg is at a non-space (or b) from here on: only the ends of sentences need stripping
        for m in finditer(text, a, b):
            k = m.lastindex
            if k == 2:  # a boundary before a sure sentence start: the common case
                add_start(seg)
                add_end(m.end(2))
                seg = m.end()
                continue
            if k is None:  # a blank line
                e = m.start()
                while e > seg and text[e - 1].isspace():
                    e -= 1
                if e > seg:
                    add_start(seg)
                    add_end(e)
                seg = m.end()
                continue
            if k == 3:
                if not _starts_sentence(m.group(3)):
                    continue
                if m.start(1) < 0:  # no single period
                    add_start(seg)
                    add_end(m.end(2))
                    seg = m.end()
                    continue
            dot = m.start()
            if _is_abbreviation(text, seg, dot):
                continue
            add_start(seg)
            add_end(dot + 1)
            seg = m.end()
        e = b
        while e > seg and text[e - 1].isspace():
            e -= 1
        if e > seg:
            add_start(seg)
            add_end(e)
        add_count(len(starts))


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``text[start:end]``, stripped, as offsets into ``text``."""
    end = len(text) if end is None else end
    starts: list[int] = []
    ends: list[int] = []
    _scan(text, ((start, end),), starts, ends, [])
    return list(zip(starts, ends, strict=True))


def _add(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    """Append ``text[a:b]`` stripped, unless nothing is left (the plain rule of a sentence)."""
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


def _sentence_maker() -> Callable[
    [list[int], list[str], list[int], list[int], str], list[Sentence]
]:
    """A bulk constructor that sets Sentence's slots directly, one field at a time over all
    sentences: the same objects as ``Sentence(...)`` (frozen, so its ``__init__`` goes through
    ``object.__setattr__`` per field), at a fraction of the cost; thousands are made per
    transcript."""
    new = object.__new__
    names = [f.name for f in fields(Sentence)]
    assert names == ["index", "turn_index", "speaker", "start", "end", "text"], names
    s0, s1, s2, s3, s4, s5 = (Sentence.__dict__[n].__set__ for n in names)
    consume: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend

    def make(
        turn_indices: list[int], speakers: list[str], starts: list[int], ends: list[int], body: str
    ) -> list[Sentence]:
        out = list(map(new, repeat(Sentence, len(starts))))
        consume(map(s0, out, range(len(out))))
        consume(map(s1, out, turn_indices))
        consume(map(s2, out, speakers))
        consume(map(s3, out, starts))
        consume(map(s4, out, ends))
        consume(map(s5, out, [body[a:b] for a, b in zip(starts, ends, strict=True)]))
        return out

    return make


_sentences = _sentence_maker()
_region = attrgetter("text_start", "end")
_turn_index = attrgetter("index")
_speaker = attrgetter("speaker")


def _segment(body: str, turns: Iterable[Turn]) -> list[Sentence]:
    """All turns in one pass of ``_scan``; the turn of each sentence follows from the counts."""
    turns = tuple(turns)
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    _scan(body, map(_region, turns), starts, ends, counts)
    per_turn = list(map(sub, counts, [0, *counts[:-1]]))
    turn_indices = list(chain.from_iterable(map(repeat, map(_turn_index, turns), per_turn)))
    speakers = list(chain.from_iterable(map(repeat, map(_speaker, turns), per_turn)))
    return _sentences(turn_indices, speakers, starts, ends, body)


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
