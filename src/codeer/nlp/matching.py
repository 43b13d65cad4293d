"""Keyword and pattern matching on lemmas, with negation and exclusion.

Keyword syntax (``keywords`` and ``exclude_keywords`` of a code in the codebook):

- A keyword is one or more words. Each word matches a token whose lemma or lower-cased form
  equals the word's lemma or the word itself, so ``afspraak`` also finds ``afspraken``. Words
  match in the order written, as consecutive tokens (``vaste afspraak`` finds ``vaste
  afspraken``, ``afspraak maken`` finds ``afspraken gemaakt``).
- ``*`` at the end or start of a word matches a prefix or suffix of the lemma or form
  (``huiskamer*`` finds ``huiskamerbezoek``; ``*opvang`` finds ``nachtopvang``), the usual way
  to reach Dutch compounds.
- ``...`` between words allows up to four other tokens in between (``huiskamer ... verplicht``).
- ``|`` between single words makes one slot of alternatives (``traag|eindeloos|moeizaam``).
- ``&`` joins phrases that must all occur in the same sentence, in any order (Dutch word order
  moves verbs: ``afspraak & maken`` finds both "we maken afspraken" and "afspraken gemaakt").
  One or more of the parts may also stand in the sentence before (same turn) or in the
  interviewer's question just before the answer, as long as one part is in the sentence itself:
  "Hoe gaat het met DT&V? Het duurt eindeloos." finds ``dt&v & duren`` on the answer.
- Matching never crosses a sentence.

Negation: a keyword match is dropped when a negator (geen, niet, nooit, zonder, niets, niks,
nergens) stands within five tokens before it in the same clause (a clause ends at , ; : ( ) or
at maar/want/omdat/terwijl/dus), or inside the matched span, or when ``niet``/``nooit`` closes
the clause right after it ("een huiskamer hebben we niet."). "niet alleen" and "niet zonder"
do not negate. A keyword that itself contains a negator ("geen huiskamer") is never dropped.
A code's ``exclude_keywords`` matching anywhere in a sentence (and not negated themselves)
suppress the code there. A group code is not proposed for a sentence where one of its
descendants is.

``patterns`` are spaCy Matcher token patterns; they are matched on the same tokens, with the same
negation rule (unless the pattern mentions a negator). The blank pipeline sets no POS, TAG, DEP,
MORPH or entities, so patterns using those are refused.

How it runs (the rules above do not depend on it): each distinct lexeme is looked up once per
matcher set (which one-word keywords and '&' parts it matches, which multi-word keywords it
anchors, which words may stand next to those anchors, its class for the negation rule) and kept
in numpy hash tables. ``match_docs`` then matches a batch of transcripts as one run of tokens:
the units each sentence holds, the '&' keywords complete in a sentence and its context (a 64-bit
signature sieve first, then part by part), the negation rule on one-word matches, exclusion,
group codes and the evidence are numpy over the whole batch. Python works only on multi-word
anchors that pass the numpy prefilters (their other words present in the sentence, the word next
to the anchor possibly the one needed), on the negation of multi-word matches, and on the
suggestions themselves. The per-sentence matcher (``scan_at`` and ``sentence_codes``) states the
same rules plainly, one sentence at a time; the tests hold the batch matcher to it.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache, reduce
from operator import itemgetter, or_
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from codeer.codebook import Code, Codebook
from codeer.errors import CodebookError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

NEGATORS = frozenset({"geen", "niet", "nooit", "zonder", "niets", "niks", "nergens"})
VOID_AFTER_NEGATOR = frozenset({"alleen", "enkel", "zonder", "slechts", "uitsluitend"})
CLAUSE_FINAL_NEGATORS = frozenset({"niet", "nooit"})
CLAUSE_BREAKS = frozenset(
    {",", ";", ":", "(", ")", "–", "—", "maar", "want", "omdat", "terwijl", "dus", "doordat"}
)
NEGATION_WINDOW = 5
# a lexeme's flags (see MatcherSet._lexeme_flags), one uint64
FREE_ANCHOR, SINGLES = 4, 8
CLASS_AT, CLASS_MASK = 4, 63
TABLE2_SHIFT = 32  # the second lexeme table's slot: these bits of the hash up
NEAR_BUCKETS = 17
NEAR_MASK = (1 << NEAR_BUCKETS) - 1
NEAR_AT = 10
NEED_RIGHT_AT = NEAR_AT + NEAR_BUCKETS
NEED_LEFT_AT = NEED_RIGHT_AT + NEAR_BUCKETS
MAX_GAP = 4
GAP = "..."
UNSET_ATTRS = frozenset(
    {
        "POS",
        "TAG",
        "DEP",
        "MORPH",
        "ENT_TYPE",
        "ENT_IOB",
        "ENT_ID",
        "ENT_KB_ID",
        "HEAD",
        "SENT_START",
    }
)
_AND = re.compile(r"\s&\s")  # '&' between spaces joins phrases; 'dt&v' is a word
_WORD = re.compile(r"^\*?[^\W_](?:[\w'’&./-]*[^\W_])?\*?$|^\*?[^\W_]\*?$")

TermKind = Literal["eq", "prefix", "suffix", "infix"]


@dataclass(slots=True)  # not frozen: made per sentence, and frozen init is slow
class Scan:
    """What one sentence (tokens ``lo..hi``) holds: a bit per unit present, multi-word matches."""

    lo: int
    hi: int
    present: int
    multi: dict[int, list[tuple[int, ...]]]
    candidates: list[int]
    masks: list[int]  # the unit masks of the candidates
    singles: list[int]  # the candidates that are one-word keywords (or exclude keywords)
    negators: bool  # a negator stands in the sentence
    first: dict[int, tuple[int, ...] | None] | None = None  # '&' parts: first live occurrence


def _bits(x: int) -> Iterator[int]:
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


@dataclass(frozen=True, slots=True)
class Term:
    """One word slot of a keyword: exact lemmas/forms and wildcard affixes, any of which match."""

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    gap: int = 0  # how many other tokens may come before this term

    @property
    def kind(self) -> TermKind:
        if self.prefixes or self.suffixes or self.infixes:
            return "prefix" if self.prefixes else "suffix" if self.suffixes else "infix"
        return "eq"

    @property
    def values(self) -> frozenset[str]:
        return self.exact | frozenset(self.prefixes + self.suffixes + self.infixes)

    def matches(self, lemma: str, lower: str) -> bool:
        if lemma in self.exact or lower in self.exact:
            return True
        for v in self.prefixes:
            if lemma.startswith(v) or lower.startswith(v):
                return True
        for v in self.suffixes:
            if lemma.endswith(v) or lower.endswith(v):
                return True
        return any(v in lemma or v in lower for v in self.infixes)


@dataclass(frozen=True, slots=True)
class Keyword:
    """A compiled keyword (or exclude keyword, or pattern) of one code."""

    code: str
    text: str
    terms: tuple[Term, ...]
    negative: bool = False
    exclude: bool = False
    pattern: int | None = None  # index into the code's patterns when this is a pattern
    part: int | None = None  # the shared part id when this is a part of '&' keywords
    anchor: int = 0  # the term looked up first: the least common-looking word
    uid: int = -1  # index among the matcher's units (bit in the per-sentence masks)

    @property
    def single(self) -> bool:
        return len(self.terms) == 1


# One keyword or pattern match: the keyword, token positions in the turn doc, and whether the
# negation rule was already applied (per part, for '&' keywords). A plain tuple: made per hit.
Hit = tuple["Keyword", tuple[int, ...], bool]


class LazyStrings(Sequence[str]):
    """The strings of a doc's tokens, looked up only when read (most tokens never are)."""

    def __init__(self, keys: list[int], cache: dict[int, str], fill: Callable[[int], str]) -> None:
        self._keys = keys
        self._cache = cache
        self._fill = fill

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            keys, cache = self._keys[i], self._cache
            try:
                return list(map(cache.__getitem__, keys))  # usually every word is known
            except KeyError:
                fill = self._fill
                return [cache[k] if k in cache else fill(k) for k in keys]
        key = self._keys[i]
        try:
            return self._cache[key]
        except KeyError:
            return self._fill(key)


@dataclass(slots=True)  # not frozen: made per sentence, and frozen init is slow
class Positions:
    """A doc's tokens that some unit may match, their unit masks, and those anchoring a
    multi-word unit."""

    tokens: list[int]
    masks: list[int]
    anchored: list[int]
    singles: list[int] = field(default_factory=list)  # tokens with one-word (exclude) keywords


class Column(Sequence[int]):
    """A numpy column read as Python ints, one at a time (no list of every token is made)."""

    def __init__(self, values: Any) -> None:
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        try:
            return int(self._values.item(i))  # fast path: one token
        except TypeError:  # a slice
            return list(self._values[i].tolist())


class Ends(Sequence[int]):
    """Token end offsets: the start plus the length of the token's lexeme, known per lower-case
    form (``str.lower`` keeps a word's length except for 'İ', whose lower case has U+0307: such
    tokens are measured on the doc). Read only for the few tokens that end up as evidence."""

    def __init__(self, starts: Any, keys: list[int], lengths: dict[int, int], doc: Doc) -> None:
        self._starts = starts
        self.keys = keys
        self.lengths = lengths
        self._doc = doc
        self._strings = doc.vocab.strings

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> list[int]: ...
    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return int(self._starts.item(i)) + self.length(i)

    def length(self, i: int) -> int:
        """The length of token ``i``."""
        key = self.keys[i]
        n = self.lengths.get(key)
        if n is None:
            n = self.lengths[key] = lexeme_length(self._strings[key])
        return n if n >= 0 else len(self._doc[i])


def lexeme_length(lower: str) -> int:
    """The length of the words whose lower case is ``lower``, or -1 when that may differ."""
    return -1 if "\u0307" in lower else len(lower)


@dataclass
class TokenInfo:
    """Lower-cased forms, lemmas and body offsets of a doc's tokens."""

    keys: list[int]  # the LOWER hash per token
    start: Sequence[int]
    end: Sequence[int]
    lower: Sequence[str]
    lemma: Sequence[str]
    negators: Any = None  # numpy: how many negators stand before each token (prefix sum)
    classes: Any = None  # numpy: each token's word_class
    positions: Positions | None = None
    starts: Any = None  # numpy arrays: token start offsets, candidate and anchor tokens
    cand: Any = None
    anchors: Any = None

    def __len__(self) -> int:
        return len(self.keys)


class Ragged:
    """Lists of ints, one per index, kept in growing numpy arrays so that the lists of many
    indexes can be gathered at once (``gather``)."""

    def __init__(self) -> None:
        import numpy as np

        self.start: Any = np.zeros(1024, np.int64)
        self.count: Any = np.zeros(1024, np.int64)
        self.flat: Any = np.zeros(4096, np.int64)
        self.n = 0
        self.used = 0

    def append(self, values: Sequence[int]) -> None:
        import numpy as np

        if self.n == len(self.start):
            self.start = np.concatenate([self.start, np.zeros_like(self.start)])
            self.count = np.concatenate([self.count, np.zeros_like(self.count)])
        end = self.used + len(values)
        while end > len(self.flat):
            self.flat = np.concatenate([self.flat, np.zeros_like(self.flat)])
        self.flat[self.used : end] = values
        self.start[self.n] = self.used
        self.count[self.n] = len(values)
        self.n += 1
        self.used = end

    def gather(self, index: Any) -> tuple[Any, Any]:
        """The lists of ``index`` (numpy) one after the other: for each value, the position in
        ``index`` it comes from, and the value."""
        rows, at = spread(self.start[index], self.count[index])
        return rows, self.flat[at]


def spread(start: Any, count: Any) -> tuple[Any, Any]:
    """The ranges ``start[i] .. start[i] + count[i]`` one after the other (numpy): for each
    position, the range ``i`` it belongs to, and the position."""
    import numpy as np

    rows = np.repeat(np.arange(len(start)), count)
    return rows, start[rows] + np.arange(len(rows)) - (np.cumsum(count) - count)[rows]


def ragged(lists: Sequence[Sequence[int]]) -> Ragged:
    out = Ragged()
    for values in lists:
        out.append(values)
    return out


@dataclass
class Matches:
    """What ``match_docs`` found in a batch of docs: per proposed (sentence, code), in output
    order, its sentence (numbered over the batch), code and slice of the evidence, whose tokens
    (numbered over the batch, in body order per group) carry the text of the keyword that named
    them."""

    info: TokenInfo  # the tokens of all docs, one run
    local: Any  # numpy: each token's offset in its own doc's text
    tok_base: Any  # numpy: where each doc's tokens start in the run (and the end)
    sent_base: Any  # numpy: where each doc's sentences start (and the end)
    docs: Sequence[Doc]
    lengths: dict[int, int]  # lexeme -> its length (-1: measure the token)
    lo: list[int]  # each sentence's token range
    hi: list[int]
    group_sentence: list[int] = field(default_factory=list)
    group_code: list[str] = field(default_factory=list)
    group_rank: Any = None  # numpy: the rank of each group's code among the codes by name
    group_evidence: list[int] = field(default_factory=lambda: [0])
    evidence_token: list[int] = field(default_factory=list)
    evidence_keyword: list[str] = field(default_factory=list)

    def token_end(self, t: int) -> int:
        """The offset where token ``t`` ends in its doc's text."""
        n = self.lengths.get(self.info.keys[t], -1)
        start = int(self.local.item(t))
        if n >= 0:
            return start + n
        d = int(self.tok_base.searchsorted(t, "right")) - 1
        return start + len(self.docs[d][t - int(self.tok_base[d])])


class MatcherSet:
    """Every code's keywords, exclude keywords and patterns, compiled against one pipeline."""

    def __init__(self, codebook: Codebook, nlp: Language, codes: Iterable[str] | None = None):
        self.nlp = nlp
        self.keywords: list[Keyword] = []
        self.excludes: dict[str, list[Keyword]] = {}
        self.conjunctions: list[tuple[Keyword, int]] = []  # the whole keyword, number of parts
        self._part_ids: dict[tuple[tuple[Term, ...], bool], int] = {}
        self._parts: list[Keyword] = []  # one per distinct part, shared by '&' keywords
        self._part_users: list[list[int]] = []  # part id -> the conjunctions using it
        self._conj_parts: list[tuple[int, ...]] = []  # conjunction -> its part ids
        self.codes: list[str] = []
        wanted = set(codes) if codes is not None else None
        self._patterns: dict[str, Keyword] = {}
        self._matcher: Any = None
        for code in codebook:
            if wanted is not None and code.id not in wanted:
                continue
            path = codebook.source.get(code.id)
            kws = [k for t in code.keywords for k in self._entry(code, t, path, exclude=False)]
            exc = [
                k for t in code.exclude_keywords for k in self._entry(code, t, path, exclude=True)
            ]
            if code.patterns:
                self._add_patterns(code, path)
            if kws or code.patterns or any(w.code == code.id for w, _ in self.conjunctions):
                self.codes.append(code.id)
            self.keywords.extend(kws)
            if exc:
                self.excludes[code.id] = exc
        # the parts of '&' keywords first: their words are common, so the masks of most
        # candidate tokens stay narrow ints
        self._all = self._parts + self.keywords + [k for ks in self.excludes.values() for k in ks]
        self._first_eq: dict[str, list[Keyword]] = {}
        self._first_affix: dict[str, dict[str, list[Keyword]]] = {"prefix": {}, "suffix": {}}
        self._first_other: list[Keyword] = []  # infix terms: checked one by one
        self._all = [replace(_anchored(kw), uid=u) for u, kw in enumerate(self._all)]
        n_parts = len(self._parts)
        self.unit_mask = (1 << len(self._all)) - 1  # keywords and parts; not the probes
        self._part_mask = (1 << n_parts) - 1
        self._plain_mask = self.unit_mask ^ self._part_mask
        self._part_uid = list(range(n_parts))  # part id = unit id
        self._conj_units = [tuple(self._part_uid[p] for p in pids) for pids in self._conj_parts]
        self._conj_mask = [sum(1 << u for u in units) for units in self._conj_units]
        # each '&' keyword is looked at only where its rarest-looking part (its trigger) is in
        # the sentence or its context: all its parts must be there
        self._trigger_users: dict[int, list[int]] = {}
        for n, units in enumerate(self._conj_units):
            trigger = max(units, key=lambda u: _rarity(self._all[u]))
            self._trigger_users.setdefault(trigger, []).append(n)
        self._trigger_mask = sum(1 << p for p in self._trigger_users)
        # per trigger: the masks of its '&' keywords with their numbers (read in _complete)
        self._trigger_checks: dict[int, tuple[tuple[int, int], ...]] = {
            u: tuple((self._conj_mask[n], n) for n in users)
            for u, users in self._trigger_users.items()
        }
        self._unit_bit = [1 << u for u in range(len(self._all))]
        self._wholes = [whole for whole, _ in self.conjunctions]
        self._single_mask = sum(  # one-word keywords and exclude keywords
            1 << kw.uid for kw in self._all[n_parts:] if len(kw.terms) == 1
        )
        # the other words of multi-word units get bits too, so a multi-word unit is only tried
        # where all its words occur in the sentence
        self._required: dict[int, int] = {}
        from spacy.lang.nl.stop_words import STOP_WORDS

        common = STOP_WORDS | NEGATORS
        slots: dict[tuple[object, ...], int] = {}
        probes: list[Keyword] = []
        for kw in self._all:
            if len(kw.terms) == 1:
                continue
            need = 0
            for i, t in enumerate(kw.terms):
                if i == kw.anchor or (t.exact <= common and not t.values - t.exact):
                    continue  # stop words are nearly everywhere: not worth a probe
                key = (t.exact, t.prefixes, t.suffixes, t.infixes)
                if key not in slots:
                    slots[key] = len(self._all) + len(probes)
                    probes.append(Keyword("", "", (replace(t, gap=0),), uid=slots[key]))
                need |= 1 << slots[key]
            self._required[kw.uid] = need
        # per unit and term: lexeme -> whether the term matches it (filled as words come up)
        shared: dict[tuple[object, ...], dict[int, bool]] = {}
        self._term_cache: list[tuple[dict[int, bool], ...]] = [
            tuple(
                shared.setdefault((t.exact, t.prefixes, t.suffixes, t.infixes), {})
                for t in kw.terms
            )
            for kw in self._all
        ]
        # per multi-word unit: the offset, cache and term of a word that must stand right next
        # to the anchor (checked before the full match is tried)
        self._near: list[tuple[int, dict[int, bool], Term] | None] = []
        for kw, caches in zip(self._all, self._term_cache, strict=True):
            ts, a = kw.terms, kw.anchor
            if len(ts) > 1 and a + 1 < len(ts) and ts[a + 1].gap == 0:
                self._near.append((1, caches[a + 1], ts[a + 1]))
            elif len(ts) > 1 and a > 0 and ts[a].gap == 0:
                self._near.append((-1, caches[a - 1], ts[a - 1]))
            else:
                self._near.append(None)
        # the words next to an anchor, hashed into NEAR_BUCKETS bits: a lexeme's flags say which
        # buckets it may fill and which its anchored units need, so numpy drops the anchors whose
        # neighbours cannot be the word their units need (most anchors are common words)
        buckets: dict[Term, int] = {}
        self._near_bit: list[int] = []  # per unit: the bucket bit of its near word (0: none)
        self._near_exact: dict[str, int] = {}  # word -> bucket bits of the near words it is
        self._near_affix: list[tuple[Term, int]] = []
        for nb in self._near:
            if nb is None:
                self._near_bit.append(0)
                continue
            term = replace(nb[2], gap=0)
            if term not in buckets:
                buckets[term] = 1 << (len(buckets) % NEAR_BUCKETS)
                if term.kind == "eq":
                    for v in term.exact:
                        self._near_exact[v] = self._near_exact.get(v, 0) | buckets[term]
                else:
                    self._near_affix.append((term, buckets[term]))
            self._near_bit.append(buckets[term])
        self._lex: dict[int, tuple[int, tuple[Keyword, ...]]] = {}  # lexeme -> (mask, multi)
        self._mask: dict[int, int] = {}  # lexeme -> mask (read many at once with itemgetter)
        import numpy as np

        # lexeme -> flags (see _lexeme_flags): two hash tables, one slot per key in each (the
        # low bits of the lexeme's hash in the first, bits from TABLE2_SHIFT up in the second),
        # and a dict for lexemes whose slots were both taken (key 0 marks a free slot)
        self._table_keys: Any = np.zeros(1 << 14, np.uint64)
        self._table_flags: Any = np.zeros(1 << 14, np.uint64)
        self._table2_keys: Any = np.zeros(1 << 14, np.uint64)
        self._table2_flags: Any = np.zeros(1 << 14, np.uint64)
        # the same slots: each candidate lexeme's index in the _lx_* arrays (-1: none)
        self._table_lx: Any = np.full(1 << 14, -1, np.int64)
        self._table2_lx: Any = np.full(1 << 14, -1, np.int64)
        self._overflow: dict[int, int] = {}
        # the same, sorted for numpy (searchsorted)
        self._overflow_keys: Any = np.zeros(0, np.uint64)
        self._overflow_flags: Any = np.zeros(0, np.uint64)
        self._used = 0
        self._singles: dict[int, tuple[Keyword, ...]] = {}  # lexeme -> its one-word keywords
        # lexeme -> the multi-word units it anchors: (unit, uid, required mask, next word)
        self._anchors: dict[int, tuple[tuple[Keyword, int, int, Any], ...]] = {}
        for kw in self._all + probes:
            first = kw.terms[kw.anchor]
            for v in first.exact:
                self._first_eq.setdefault(v, []).append(kw)
            for v in first.prefixes:
                self._first_affix["prefix"].setdefault(v, []).append(kw)
            for v in first.suffixes:
                self._first_affix["suffix"].setdefault(v, []).append(kw)
            if first.infixes:
                self._first_other.append(kw)
        self._affix_lengths = {
            kind: sorted({len(v) for v in table}) for kind, table in self._first_affix.items()
        }
        self._cand: dict[int, tuple[Keyword, ...]] = {}
        self._cand_keys: set[int] = set()
        self._lower: dict[int, str] = {}
        self._lemma: dict[int, str] = {}
        self._table: dict[str, str] | None = None
        self._classes: dict[int, int] = {}
        self._negation_memo: dict[tuple[int, ...], bool] = {}  # negated_by_class per window
        from spacy.attrs import IDX, LOWER

        self._columns = [LOWER, IDX]  # what token_info reads from a doc
        self._lengths: dict[int, int] = {}  # lexeme -> its length (-1: measure the token)
        # for match_docs: each candidate lexeme's index, and per index its one-word units (uids
        # ascending), the probes it is and the multi-word units it anchors (as in _lex)
        self._near_off: Any = np.array([0 if nb is None else nb[0] for nb in self._near], np.int64)
        self._near_bits: Any = np.array(self._near_bit, np.uint64)
        self._pair_only = [  # two words, the one next to the anchor being the near word
            len(kw.terms) == 2 and nb is not None
            for kw, nb in zip(self._all, self._near, strict=True)
        ]
        self._lx: dict[int, int] = {}
        self._lx_units = Ragged()
        self._lx_probes = Ragged()
        self._lx_anchors = Ragged()
        n_units = len(self._all)
        self._n_probes = len(probes)
        self._unit_probes = ragged(
            [[u - n_units for u in _bits(self._required.get(uid, 0))] for uid in range(n_units)]
        )
        # '&' keywords: per trigger part the keywords it triggers, per keyword its parts
        self._is_trigger: Any = np.zeros(n_parts, bool)
        self._is_trigger[list(self._trigger_users)] = True
        self._triggered = ragged([self._trigger_users.get(u, []) for u in range(n_parts)])
        self._conj_units_r = ragged(self._conj_units)
        self._part_negative: Any = np.array([p.negative for p in self._parts], bool)
        self._part_multi: Any = np.array([len(p.terms) > 1 for p in self._parts], bool)
        self._conj_sig: Any = np.array(  # the parts of each '&' keyword as 64 bits (a sieve)
            [sum({1 << (p % 64) for p in units}) for units in self._conj_units], np.uint64
        )

    @property
    def part_mask(self) -> int:
        """The bits of the parts of '&' keywords (only they look at the context)."""
        return self._part_mask

    @property
    def has_patterns(self) -> bool:
        return self._matcher is not None

    # --- compiling -----------------------------------------------------------------------------
    def _entry(self, code: Code, text: str, path: Path | None, *, exclude: bool) -> list[Keyword]:
        """A plain keyword, or (for 'a & b') nothing here: its parts are indexed on their own."""
        if not isinstance(text, str) or not _AND.search(f" {text} "):
            return [self._compile(code, text, path, exclude=exclude)]
        pieces = [p.strip() for p in _AND.split(f" {text} ")]
        if any(not p for p in pieces):
            raise self._bad(code, text, path, exclude, "'&' must stand between two phrases")
        parts = [self._compile(code, p, path, exclude=exclude) for p in pieces]
        n = len(self.conjunctions)
        whole = Keyword(
            code.id,
            text,
            tuple(t for p in parts for t in p.terms),
            negative=any(p.negative for p in parts),
            exclude=exclude,
        )
        self.conjunctions.append((whole, len(parts)))
        pids: list[int] = []
        for p in parts:
            key = (p.terms, p.negative)
            pid = self._part_ids.get(key)
            if pid is None:
                pid = self._part_ids[key] = len(self._parts)
                self._parts.append(Keyword(code.id, p.text, p.terms, p.negative, part=pid))
                self._part_users.append([])
            self._part_users[pid].append(n)
            pids.append(pid)
        self._conj_parts.append(tuple(pids))
        return []

    @staticmethod
    def _bad(code: Code, text: str, path: Path | None, exclude: bool, why: str) -> CodebookError:
        field_name = "exclude_keywords" if exclude else "keywords"
        return CodebookError(
            f"code '{code.id}': {field_name} entry {text!r} cannot be used: {why}",
            path=path,
            hint="write words (lemmas), '*' at a word's start or end, '...' for a gap, "
            "'|' between alternative words, '&' between phrases that may come in any order",
        )

    def _compile(self, code: Code, text: str, path: Path | None, *, exclude: bool) -> Keyword:
        from codeer.nlp.lemmas import lemmatize

        def bad(why: str) -> CodebookError:
            return self._bad(code, text, path, exclude, why)

        if not isinstance(text, str) or not text.strip():
            raise bad("it is empty")
        words = text.strip().lower().split()
        terms: list[Term] = []
        gap = 0
        for i, word in enumerate(words):
            if word == GAP:
                if i == 0 or i == len(words) - 1 or gap:
                    raise bad("'...' must stand between two words")
                gap = MAX_GAP
                continue
            alts = word.split("|")
            exact: set[str] = set()
            affixes: dict[str, list[str]] = {"prefix": [], "suffix": [], "infix": []}
            for alt in alts:
                if not _WORD.match(alt) or "**" in alt:
                    raise bad(f"{alt!r} is not a word")
                star_start, star_end = alt.startswith("*"), alt.endswith("*")
                core = alt.strip("*")
                if star_start or star_end:
                    if len(core) < 3:
                        raise bad(f"{alt!r}: a wildcard needs at least three letters")
                    kind = (
                        "infix" if star_start and star_end else "suffix" if star_start else "prefix"
                    )
                    affixes[kind].append(core)
                    continue
                toks = [t.text.lower() for t in self.nlp.make_doc(core) if not t.is_space]
                if len(alts) > 1 and len(toks) != 1:
                    raise bad(f"{alt!r}: alternatives joined by '|' must be single words")
                if len(alts) == 1 and len(toks) > 1:  # 'noord-holland': consecutive tokens
                    for k, tok in enumerate(toks):
                        terms.append(
                            Term(frozenset({tok, lemmatize(tok)}), gap=gap if k == 0 else 0)
                        )
                    break
                exact.update({toks[0], lemmatize(toks[0])})
            else:
                terms.append(
                    Term(
                        frozenset(exact),
                        tuple(affixes["prefix"]),
                        tuple(affixes["suffix"]),
                        tuple(affixes["infix"]),
                        gap,
                    )
                )
            gap = 0
        negative = any(t.exact & NEGATORS for t in terms)
        return Keyword(code.id, text, tuple(terms), negative=negative, exclude=exclude)

    def _add_patterns(self, code: Code, path: Path | None) -> None:
        from spacy.matcher import Matcher

        if self._matcher is None:
            self._matcher = Matcher(self.nlp.vocab, validate=True)
        for i, pattern in enumerate(code.patterns):
            where = f"code '{code.id}': pattern {i + 1}"
            pat = [dict(tok) for tok in pattern]
            for tok in pat:
                used = {str(k).upper() for k in tok}
                if used & UNSET_ATTRS:
                    raise CodebookError(
                        f"{where} uses {', '.join(sorted(used & UNSET_ATTRS))}, which the offline "
                        "pipeline does not set",
                        path=path,
                        hint="match on LEMMA, LOWER, TEXT, IS_DIGIT, LIKE_NUM, OP ...",
                    )
            key = f"{code.id}#{i}"
            try:
                self._matcher.add(key, [pat])
            except Exception as exc:  # spaCy raises ValueError / MatchPatternError
                msg = " ".join(str(exc).split())
                raise CodebookError(
                    f"{where} is not a valid spaCy Matcher pattern: {msg[:300]}",
                    path=path,
                    hint="see https://spacy.io/usage/rule-based-matching#matcher",
                ) from None
            text = json.dumps(pat, ensure_ascii=False)
            negative = any(n in text.lower() for n in NEGATORS)
            self._patterns[key] = Keyword(code.id, text, (), negative=negative, pattern=i)

    # --- matching ------------------------------------------------------------------------------
    def _lower_of(self, key: int) -> str:
        v = self._lower.get(key)
        if v is None:
            v = self._lower[key] = self.nlp.vocab.strings[key]
        return v

    def _lemma_of(self, key: int) -> str:
        v = self._lemma.get(key)
        if v is None:
            from codeer.nlp.lemmas import APOSTROPHES, lemma_table

            if self._table is None:
                self._table = lemma_table()
            low = self._lower_of(key).translate(APOSTROPHES)
            v = self._lemma[key] = self._table.get(low, low)
        return v

    def token_info(self, doc: Doc) -> TokenInfo:
        """Token keys and offsets of a doc whose text is the transcript body, with its candidate
        positions (``index``) filled in."""
        import numpy as np

        rows = doc.to_array(self._columns)
        column = np.ascontiguousarray(rows[:, 0])
        keys: list[int] = column.tolist()
        starts = np.ascontiguousarray(rows[:, 1])
        info = TokenInfo(
            keys,
            Column(starts),  # read only for the few tokens that end up as evidence
            Ends(starts, keys, self._lengths, doc),
            LazyStrings(keys, self._lower, self._lower_of),
            LazyStrings(keys, self._lemma, self._lemma_of),
        )
        self._index(info, column)
        info.starts = starts
        return info

    def _index(self, info: TokenInfo, keys: Any) -> None:
        """Look up each distinct lexeme of the doc once (new ones: which one-word units it
        matches, as a bit mask, and which multi-word units it anchors), then mark the candidate
        tokens, the anchors and the negators with numpy."""
        import numpy as np

        tok = self._flags_of(keys)
        cand = (tok & 1).nonzero()[0]
        at_cand = tok[cand]  # anchors and one-word keywords are candidates: looked for there
        anchored = cand[(at_cand & 2) != 0]
        if len(anchored) > 8:  # keep the anchors with a neighbour that may be the word needed
            near = np.zeros(len(tok) + 2, np.uint64)  # (a few: scan_at checks them anyway)
            near[1:-1] = (tok >> NEAR_AT) & NEAR_MASK
            at = tok[anchored]
            ok = (
                (at & FREE_ANCHOR)
                | ((at >> NEED_RIGHT_AT) & near[anchored + 2])  # near holds NEAR_MASK bits only
                | ((at >> NEED_LEFT_AT) & near[anchored])
            )
            anchored = anchored[ok != 0]
        neg = np.zeros(len(tok) + 1, dtype=np.int64)
        classes = (tok >> CLASS_AT) & CLASS_MASK
        np.cumsum(classes & NEG, out=neg[1:])  # NEG is bit 1: a 0 or 1 per token
        info.classes = classes
        info.negators = neg
        tokens: list[int] = cand.tolist()
        ks = keys[cand].tolist()
        masks = list(itemgetter(*ks)(self._mask)) if len(ks) > 1 else [self._mask[k] for k in ks]
        info.positions = Positions(
            tokens,
            masks,
            anchored.tolist(),
            cand[(at_cand & SINGLES) != 0].tolist(),
        )
        info.cand = cand
        info.anchors = anchored

    def _flags_of(self, keys: Any) -> Any:
        """The flags of each token's lexeme (numpy, one per key); new lexemes are looked up
        once and remembered."""
        import numpy as np

        tab_keys, tab_flags = self._table_keys, self._table_flags
        slots = keys & np.uint64(len(tab_keys) - 1)
        hit = tab_keys[slots] == keys
        tok = np.where(hit, tab_flags[slots], 0)
        if hit.all():
            return tok
        missing = np.flatnonzero(~hit)
        there = keys[missing]
        tab_keys, tab_flags = self._table2_keys, self._table2_flags
        slots = (there >> TABLE2_SHIFT) & np.uint64(len(tab_keys) - 1)
        hit = tab_keys[slots] == there
        tok[missing] = np.where(hit, tab_flags[slots], 0)
        if hit.all():
            return tok
        missing = missing[~hit]
        ov_keys = self._overflow_keys
        if len(ov_keys):  # the few lexemes whose slots were both taken
            there = keys[missing]
            at = ov_keys.searchsorted(there).clip(max=len(ov_keys) - 1)
            hit = ov_keys[at] == there
            tok[missing] = np.where(hit, self._overflow_flags[at], 0)
            if hit.all():
                return tok
            missing = missing[~hit]
        uniq, inv = np.unique(keys[missing], return_inverse=True)
        flags = np.zeros(len(uniq), dtype=np.uint64)
        overflow = self._overflow
        new: list[int] = []
        for u, key in enumerate(uniq.tolist()):
            f = overflow.get(key)
            if f is None:
                f = self._lexeme_flags(key)
                new.append(u)
            flags[u] = f
        tok[missing] = flags[inv.reshape(-1)]
        if new:
            self._remember(uniq[new], flags[new])
        return tok

    def _remember(self, keys: Any, flags: Any) -> None:
        """Put lexemes into the hash tables (the first, else the second, else ``_overflow``).
        The tables grow at a quarter full (few lexemes then miss the first table)."""
        import numpy as np

        self._used += len(keys)
        lx_of = self._lx
        if self._used * 4 > len(self._table_keys):
            tables = (
                (self._table_keys, self._table_flags),
                (self._table2_keys, self._table2_flags),
            )
            keys = np.concatenate(
                [tk[tk != 0] for tk, _ in tables] + [np.fromiter(self._overflow, np.uint64), keys]
            )
            flags = np.concatenate(
                [tf[tk != 0] for tk, tf in tables]
                + [np.fromiter(self._overflow.values(), np.uint64), flags]
            )
            size = len(self._table_keys)
            while self._used * 4 > size:
                size *= 2
            self._table_keys = np.zeros(size, np.uint64)
            self._table_flags = np.zeros(size, np.uint64)
            self._table2_keys = np.zeros(size, np.uint64)
            self._table2_flags = np.zeros(size, np.uint64)
            self._table_lx = np.full(size, -1, np.int64)
            self._table2_lx = np.full(size, -1, np.int64)
            self._overflow = {}
        lx = np.array([lx_of.get(k, -1) for k in keys.tolist()], np.int64)
        for tk, tf, tl, shift in (
            (self._table_keys, self._table_flags, self._table_lx, 0),
            (self._table2_keys, self._table2_flags, self._table2_lx, TABLE2_SHIFT),
        ):
            slots = ((keys >> np.uint64(shift)) & np.uint64(len(tk) - 1)).astype(np.intp)
            free = tk[slots] == 0
            tk[slots[free]] = keys[free]  # of keys sharing a free slot, one wins
            won = tk[slots] == keys
            tf[slots[won]] = flags[won]
            tl[slots[won]] = lx[won]
            keys, flags, lx = keys[~won], flags[~won], lx[~won]
        self._overflow.update(zip(keys.tolist(), flags.tolist(), strict=True))
        self._overflow_keys = np.array(sorted(self._overflow), np.uint64)
        self._overflow_flags = np.array(
            [self._overflow[k] for k in self._overflow_keys.tolist()], np.uint64
        )

    def _lx_of(self, keys: Any) -> Any:
        """The _lx index of each candidate lexeme (numpy; read from the hash tables' slots)."""
        import numpy as np

        slots = (keys & np.uint64(len(self._table_keys) - 1)).astype(np.intp)
        lx = np.where(self._table_keys[slots] == keys, self._table_lx[slots], -1)
        missing = np.flatnonzero(lx < 0)
        if len(missing):
            there = keys[missing]
            slots = (
                (there >> np.uint64(TABLE2_SHIFT)) & np.uint64(len(self._table2_keys) - 1)
            ).astype(np.intp)
            lx[missing] = np.where(self._table2_keys[slots] == there, self._table2_lx[slots], -1)
            missing = missing[lx[missing] < 0]
            if len(missing):  # the few lexemes in neither table
                lx[missing] = [self._lx[k] for k in keys[missing].tolist()]
        return lx

    def _lexeme_flags(self, key: int) -> int:
        """Bits of a lexeme new to this matcher: 1 some unit may match it, 2 it anchors a
        multi-word unit, 4 one of those has no near word (see ``_near``), 8 it is a one-word
        keyword (or exclude keyword) of some code; from ``CLASS_AT`` its
        ``word_class`` for the negation rule; from ``NEAR_AT`` the buckets of the near words it
        may be, from ``NEED_RIGHT_AT``/``NEED_LEFT_AT`` those its anchored units need right after
        or before it. Its units are kept in ``_lex``."""
        lemma, lower = self._lemma_of(key), self._lower_of(key)
        self._lengths[key] = lexeme_length(lower)
        found = self._candidates(key, lemma, lower)
        f = word_class(lower) << CLASS_AT
        near = self._near_exact.get(lemma, 0) | self._near_exact.get(lower, 0)
        for term, bit in self._near_affix:
            if term.matches(lemma, lower):
                near |= bit
        f |= near << NEAR_AT
        if found:
            mask = 0
            multi: list[Keyword] = []
            for kw in found:
                if len(kw.terms) == 1:
                    mask |= 1 << kw.uid
                else:
                    multi.append(kw)
                    nb = self._near[kw.uid]
                    if nb is None:
                        f |= FREE_ANCHOR
                    else:
                        f |= self._near_bit[kw.uid] << (
                            NEED_RIGHT_AT if nb[0] == 1 else NEED_LEFT_AT
                        )
            self._lex[key] = (mask, tuple(multi))
            self._mask[key] = mask
            self._add_lexeme(key, mask, [kw.uid for kw in multi])
            single = tuple(self._all[u] for u in _bits(mask & self._plain_mask))
            if single:
                self._singles[key] = single
                f |= SINGLES
            f |= 3 if multi else 1
        return f

    def _add_lexeme(self, key: int, mask: int, anchored: list[int]) -> None:
        """Give a candidate lexeme its index: its one-word units and probes (``mask``) and the
        multi-word units it anchors."""
        if key in self._lx:
            return
        n_units = len(self._all)
        self._lx[key] = self._lx_units.n
        self._lx_units.append(list(_bits(mask & self.unit_mask)))
        self._lx_probes.append([u - n_units for u in _bits(mask >> n_units << n_units)])
        self._lx_anchors.append(anchored)

    def _candidates(self, key: int, lemma: str, lower: str) -> tuple[Keyword, ...]:
        cand = self._cand.get(key)
        if cand is None:
            found = self._first_eq.get(lemma, []) + self._first_eq.get(lower, [])
            pre, suf = self._first_affix["prefix"], self._first_affix["suffix"]
            for word in (lemma, lower) if lemma != lower else (lemma,):
                for n in self._affix_lengths["prefix"]:
                    if n > len(word):
                        break
                    found += pre.get(word[:n], [])
                for n in self._affix_lengths["suffix"]:
                    if n > len(word):
                        break
                    found += suf.get(word[-n:], [])
            found += [k for k in self._first_other if k.terms[k.anchor].matches(lemma, lower)]
            cand = tuple(dict.fromkeys(found))
            self._cand[key] = cand
        return cand

    def positions(self, info: TokenInfo) -> Positions:
        """The tokens of the doc that some unit may match, in order."""
        assert info.positions is not None
        return info.positions

    def scan(self, info: TokenInfo, lo: int, hi: int, positions: Positions) -> Scan:
        """The units present in tokens ``lo..hi`` (a bit mask) and where multi-word ones match;
        ``positions`` are the doc's candidate tokens (from ``positions``)."""
        a = bisect.bisect_left(positions.tokens, lo)
        b = bisect.bisect_left(positions.tokens, hi, a)
        c = bisect.bisect_left(positions.anchored, lo)
        d = bisect.bisect_left(positions.anchored, hi, c)
        return self.scan_at(info, lo, hi, positions, (a, b, c, d))

    def sentence_ranges(
        self, info: TokenInfo, bounds: Sequence[tuple[int, int]]
    ) -> list[list[int]]:
        """For sentences given by body offsets: their token range ``lo..hi`` and the ranges of
        their candidate and anchor tokens in ``info.positions`` (all at once, with numpy)."""
        import numpy as np

        if not bounds:
            return []
        sb = np.array(bounds, np.int64).reshape(-1)
        lohi = info.starts.searchsorted(sb)  # lo, hi of each sentence, interleaved
        table = np.empty((len(bounds), 6), np.int64)
        table[:, 0:2] = lohi.reshape(-1, 2)
        table[:, 2:4] = info.cand.searchsorted(lohi).reshape(-1, 2)
        table[:, 4:6] = info.anchors.searchsorted(lohi).reshape(-1, 2)
        return table.tolist()

    def scan_at(
        self,
        info: TokenInfo,
        lo: int,
        hi: int,
        positions: Positions,
        ranges: tuple[int, int, int, int],
    ) -> Scan:
        """``scan`` with the candidate range ``a..b`` and anchor range ``c..d`` already known."""
        a, b, c, d = ranges
        lex, keys = self._lex, info.keys
        cand = positions.tokens[a:b]
        masks = positions.masks[a:b]
        present = reduce(or_, masks, 0)
        singles: list[int] = []
        if present & self._single_mask:
            ss = positions.singles
            e = bisect.bisect_left(ss, lo)
            singles = ss[e : bisect.bisect_left(ss, hi, e)]
        neg = info.negators
        negs = neg is None or neg.item(hi) != neg.item(lo)
        anc = positions.anchored
        multi: dict[int, list[tuple[int, ...]]] = {}
        if c == d:
            return Scan(lo, hi, present, multi, cand, masks, singles, negs)
        anchors = self._anchors
        found = 0
        for k in anc[c:d]:
            key = keys[k]
            units = anchors.get(key)
            if units is None:
                units = anchors[key] = tuple(
                    (kw, kw.uid, self._required[kw.uid], self._near[kw.uid]) for kw in lex[key][1]
                )
            for kw, uid, need, nb in units:
                if present & need != need:
                    continue  # some other word of the unit is not in the sentence
                if nb is not None and self._near_word(nb, keys, k, lo, hi) < 0:
                    continue  # the word right next to the anchor is not the one needed
                got = self._match_around(kw, keys, k, lo, hi)
                if got is not None:
                    multi.setdefault(uid, []).append(got)
                    found |= 1 << uid
        return Scan(lo, hi, present | found, multi, cand, masks, singles, negs)

    # --- matching many transcripts at once -------------------------------------------------------
    def _keyword_table(self) -> None:
        """Every unit, '&' keyword and pattern as one numbered keyword (its code, whether it
        excludes, whether it has a negator), and per code the group codes above it."""
        import numpy as np

        kws = self._all + self._wholes + list(self._patterns.values())
        self._kid_of_pattern = {
            key: len(self._all) + len(self._wholes) + i for i, key in enumerate(self._patterns)
        }
        codes = list(dict.fromkeys(kw.code for kw in kws))
        index = {c: i for i, c in enumerate(codes)}
        self._code_list = codes
        self._code_rank: Any = np.argsort(np.argsort(np.array(codes, dtype=object)))
        self._kid_text = [kw.text for kw in kws]
        self._kid_code: Any = np.array([index[kw.code] for kw in kws], np.int64)
        self._kid_excl: Any = np.array([kw.exclude for kw in kws], bool)
        self._kid_neg: Any = np.array([kw.negative for kw in kws], bool)
        self._above = ragged([[index[a] for a in _ancestors(c) if a in index] for c in codes])

    def match_docs(
        self,
        docs: Sequence[Doc],
        sentences: Sequence[int],
        bounds: Any,
        wanted: Any,
        edges: tuple[Any, Any] | None,
    ) -> Matches:
        """``sentence_codes`` for every wanted sentence of several transcripts at once.

        ``sentences`` is how many sentences each doc (its text is the transcript body) has;
        the sentences of all docs, one after the other, have their body offsets in ``bounds``
        (numpy, n x 2) and a numpy bool each in ``wanted``; ``edges`` are the context pairs
        (sentence, context sentence), numbered over the batch, each sentence's in context order
        (None: no context). The docs are matched as one run of tokens: the units present per
        sentence, the '&' keywords completed, the negation rule, exclusion and the group codes
        are numpy over the whole batch, so the cost per transcript and per sentence is small;
        Python works on multi-word anchors, multi-word hits with a negator in their window and,
        later, on the suggestions themselves.
        """
        import numpy as np

        if not hasattr(self, "_kid_code"):
            self._keyword_table()
        i64 = np.int64
        arrays = [doc.to_array(self._columns).reshape(-1, 2) for doc in docs]
        if not arrays:
            arrays = [np.zeros((0, 2), np.uint64)]
        n_tok = np.array([len(a) for a in arrays], i64)
        tok_base = np.concatenate([[0], np.cumsum(n_tok)])
        n_sents = np.array(sentences, i64).reshape(-1)
        sent_base = np.concatenate([[0], np.cumsum(n_sents)])
        # the docs' offsets made one increasing run: each doc after the text of the one before
        span = [len(doc[-1].text_with_ws) + doc[-1].idx + 1 if len(doc) else 1 for doc in docs]
        char_base = np.concatenate([[0], np.cumsum(span)])
        if len(arrays) == 1:
            keys_np = np.ascontiguousarray(arrays[0][:, 0])
            local = arrays[0][:, 1].astype(i64)
        else:
            keys_np = np.concatenate([a[:, 0] for a in arrays])
            local = np.concatenate([a[:, 1] for a in arrays]).astype(i64)
        keys: list[int] = keys_np.tolist()
        info = TokenInfo(
            keys,
            Column(local),
            [],
            LazyStrings(keys, self._lower, self._lower_of),
            LazyStrings(keys, self._lemma, self._lemma_of),
        )
        tok = self._flags_of(keys_np)
        classes = (tok >> CLASS_AT) & CLASS_MASK
        neg = np.zeros(len(tok) + 1, dtype=i64)
        np.cumsum(classes & NEG, out=neg[1:])
        info.classes, info.negators = classes, neg
        n_sent = int(sent_base[-1])
        glob = local + np.repeat(char_base[:-1], n_tok)
        gb = np.asarray(bounds, i64).reshape(-1, 2) + np.repeat(char_base[:-1], n_sents)[:, None]
        lohi = glob.searchsorted(gb.reshape(-1)).reshape(-1, 2)
        s_lo, s_hi = lohi[:, 0], lohi[:, 1]
        want = np.asarray(wanted, bool)
        matches = Matches(
            info, local, tok_base, sent_base, docs, self._lengths, s_lo.tolist(), s_hi.tolist()
        )
        if not n_sent or not want.any():
            return matches
        lo_of, hi_of = matches.lo, matches.hi
        has_neg = neg[s_hi] != neg[s_lo]
        # candidate tokens inside sentences, with their sentence
        cand = np.flatnonzero(tok & 1)
        sid = s_lo.searchsorted(cand, "right") - 1
        inside = sid >= 0
        sid[~inside] = 0
        inside &= cand < s_hi[sid]
        cand, sid = cand[inside], sid[inside]
        at_cand = tok[cand]
        # (token, unit) for each one-word unit a candidate token matches, in token order
        lx = self._lx_of(keys_np[cand])
        rep, p_uid = self._lx_units.gather(lx)
        p_tok, p_sid = cand[rep], sid[rep]
        # multi-word units, tried from their anchors (in token order, so per sentence and unit
        # the matches come in the order sentence_codes lists them)
        anchored = np.flatnonzero(at_cand & 2)
        if len(anchored) > 8:  # keep the anchors with a neighbour that may be the word needed
            near = np.zeros(len(tok) + 2, np.uint64)
            near[1:-1] = (tok >> NEAR_AT) & NEAR_MASK
            ak, at = cand[anchored], at_cand[anchored]
            ok = (
                (at & FREE_ANCHOR)
                | ((at >> NEED_RIGHT_AT) & near[ak + 2])
                | ((at >> NEED_LEFT_AT) & near[ak])
            )
            anchored = anchored[ok != 0]
        multi = self._multi_word_matches(
            keys, tok, cand[anchored], sid[anchored], lx[anchored], lx, sid, lohi, lo_of, hi_of
        )
        n_parts = len(self._parts)
        # the hits, phase by phase (multi-word, one-word, '&', patterns), as columns: sentence,
        # keyword number, checked (the negation rule already applied), and a token slice
        h_j: list[Any] = []
        h_kid: list[Any] = []
        h_checked: list[Any] = []
        h_cnt: list[Any] = []
        h_tok: list[Any] = []
        mj: list[int] = []
        mk: list[int] = []
        mc: list[int] = []
        mt: list[int] = []
        for j, by_unit in multi.items():
            if not want[j]:
                continue
            for uid, many in by_unit.items():
                if uid >= n_parts:
                    for toks in many:
                        mj.append(j)
                        mk.append(uid)
                        mc.append(len(toks))
                        mt.extend(toks)
        for col, vals in ((h_j, mj), (h_kid, mk), (h_cnt, mc), (h_tok, mt)):
            col.append(np.array(vals, i64))
        h_checked.append(np.zeros(len(mj), bool))
        single = (p_uid >= n_parts) & want[p_sid]
        h_j.append(p_sid[single])
        h_kid.append(p_uid[single])
        h_checked.append(np.zeros(int(single.sum()), bool))
        h_cnt.append(np.ones(int(single.sum()), i64))
        h_tok.append(p_tok[single])
        if n_parts:
            cj, cn, ccnt, ctok = self._conjunction_hits(
                info, p_uid, p_tok, p_sid, multi, want, edges, has_neg, lohi, lo_of, hi_of
            )
            h_j.append(cj)
            h_kid.append(cn + len(self._all))
            h_checked.append(np.ones(len(cj), bool))
            h_cnt.append(ccnt)
            h_tok.append(ctok)
        if self._matcher is not None:
            pj, pk, pc, pt = self._pattern_rows(docs, gb, char_base, tok_base, sent_base, want)
            for col, vals in ((h_j, pj), (h_kid, pk), (h_cnt, pc), (h_tok, pt)):
                col.append(np.array(vals, i64))
            h_checked.append(np.zeros(len(pj), bool))
        hj = np.concatenate(h_j)
        kid = np.concatenate(h_kid)
        checked = np.concatenate(h_checked)
        hcnt = np.concatenate(h_cnt)
        htok = np.concatenate(h_tok)
        hptr = np.cumsum(hcnt) - hcnt
        order = np.argsort(hj, kind="stable")  # by sentence; phases and their order kept
        hj, kid, checked, hcnt, hptr = (
            hj[order],
            kid[order],
            checked[order],
            hcnt[order],
            hptr[order],
        )
        # the negation rule: only where a negator stands in the hit's window
        first_t = htok[hptr]
        last_t = htok[hptr + hcnt - 1]
        base = np.maximum(s_lo[hj], first_t - NEGATION_WINDOW - 1)
        end = np.minimum(s_hi[hj], last_t + NEGATION_WINDOW + 2)
        suspect = ~checked & ~self._kid_neg[kid] & (neg[end] != neg[base])
        live = np.ones(len(hj), bool)
        one = suspect & (hcnt == 1)
        live[one] = ~negated_singles(classes, first_t[one], s_lo[hj[one]], s_hi[hj[one]])
        several = suspect & (hcnt > 1)
        if several.any():  # multi-word matches (few), in Python
            htok_l: list[int] = htok.tolist()
            for r, j, a, c in zip(
                np.flatnonzero(several).tolist(),
                hj[several].tolist(),
                hptr[several].tolist(),
                hcnt[several].tolist(),
                strict=True,
            ):
                if self._negated(info, htok_l[a : a + c], lo_of[j], hi_of[j]):
                    live[r] = False
        self._group_hits(matches, n_sent, hj, kid, live, hcnt, hptr, htok)
        return matches

    def _pattern_rows(
        self,
        docs: Sequence[Doc],
        gb: Any,
        char_base: Any,
        tok_base: Any,
        sent_base: Any,
        want: Any,
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        """The spaCy Matcher patterns' hits that lie inside one wanted sentence, as columns:
        sentence, keyword number, token count, tokens (``gb``: the sentences' offsets over the
        batch, each doc's text starting at ``char_base``)."""
        pj: list[int] = []
        pk: list[int] = []
        pc: list[int] = []
        pt: list[int] = []
        strings = self.nlp.vocab.strings
        for d, doc in enumerate(docs):
            b = gb[sent_base[d] : sent_base[d + 1]] - char_base[d]  # this doc's sentences
            b_start: list[int] = b[:, 0].tolist()
            base, sbase = int(tok_base[d]), int(sent_base[d])
            for match_id, start, end in self._matcher(doc):
                j = bisect.bisect_right(b_start, doc[start].idx) - 1
                last = doc[end - 1]
                if j >= 0 and want[sbase + j] and last.idx + len(last) <= b[j, 1]:
                    pj.append(sbase + j)
                    pk.append(self._kid_of_pattern[strings[match_id]])
                    pc.append(end - start)
                    pt.extend(range(base + start, base + end))
        return pj, pk, pc, pt

    def _group_hits(
        self,
        matches: Matches,
        n_sent: int,
        hj: Any,
        kid: Any,
        live: Any,
        hcnt: Any,
        hptr: Any,
        htok: Any,
    ) -> None:
        """Fill ``matches``'s groups and evidence from the hits (by sentence, in order: their
        sentence, keyword number, whether the negation rule left them, token slice): excluded
        codes and group codes above a proposed code dropped, one group per (sentence, code) in
        the order of its first hit, the evidence named after the first hit of each token."""
        import numpy as np

        i64 = np.int64
        # codes excluded in a sentence, and group codes above a code proposed there
        n_codes = len(self._code_list)
        code = self._kid_code[kid]
        gkey = hj * n_codes + code
        excl = self._kid_excl[kid]
        table = np.zeros(n_sent * n_codes, bool)  # per (sentence, code): excluded there
        table[gkey[live & excl]] = True
        keep = live & ~excl & ~table[gkey]
        there = gkey[keep]
        rep, above = self._above.gather(there % n_codes)
        anc = (there // n_codes)[rep] * n_codes + above
        table[:] = False  # now: a code below it is proposed there
        table[anc] = True
        keep &= ~table[gkey]
        rows = np.flatnonzero(keep)
        # the proposed (sentence, code) pairs, in the order their first hit comes
        keyr = gkey[rows]
        o = np.argsort(keyr, kind="stable")
        run = _run_starts(keyr[o])
        first = o[run]  # each pair's first kept hit
        inverse = np.empty(len(o), i64)
        inverse[o] = np.cumsum(run) - 1
        group_order = np.argsort(first)
        rank = np.empty(len(first), i64)
        rank[group_order] = np.arange(len(first))
        grp = rank[inverse]  # each kept hit's group, numbered in output order
        # evidence: the tokens of a group's hits, each named after the first hit that has it
        rep, at = spread(hptr[rows], hcnt[rows])
        etok = htok[at]
        egrp = grp[rep]
        eo = np.lexsort((rep, etok, egrp))
        etok, egrp, erow = etok[eo], egrp[eo], rep[eo]
        fresh = _run_starts(etok, egrp)
        etok, egrp, erow = etok[fresh], egrp[fresh], erow[fresh]
        matches.group_sentence = hj[rows][first[group_order]].tolist()
        group_code = code[rows][first[group_order]]
        matches.group_code = [self._code_list[c] for c in group_code.tolist()]
        matches.group_rank = self._code_rank[group_code]
        matches.group_evidence = np.searchsorted(egrp, np.arange(len(first) + 1)).tolist()
        matches.evidence_token = etok.tolist()
        texts = self._kid_text
        matches.evidence_keyword = [texts[k] for k in kid[rows][erow].tolist()]

    def _multi_word_matches(
        self,
        keys: list[int],
        tok: Any,
        a_tok: Any,
        a_sid: Any,
        a_lx: Any,
        cand_lx: Any,
        cand_sid: Any,
        lohi: Any,
        lo_of: list[int],
        hi_of: list[int],
    ) -> dict[int, dict[int, list[tuple[int, ...]]]]:
        """Per sentence and multi-word unit, its matches, tried from the anchors ``a_tok`` (in
        token order, with their sentences and lexeme indexes) where numpy finds the unit's
        other words (as probes) among the candidate tokens of the sentence (``cand_lx``,
        ``cand_sid``) and the word next to the anchor possibly the one needed (its bucket).
        ``lohi``: each sentence's token range (numpy), also as lists ``lo_of``, ``hi_of``."""
        import numpy as np

        multi: dict[int, dict[int, list[tuple[int, ...]]]] = {}
        if not len(a_tok):
            return multi
        s_lo, s_hi, n_sent = lohi[:, 0], lohi[:, 1], len(lohi)
        # (anchor, unit) pairs, kept where the unit's other words (as probes) all stand in
        # the sentence; in token order, and per anchor in _lex's order
        pair, puid = self._lx_anchors.gather(a_lx)
        n_probes = self._n_probes
        if n_probes:
            rep, probe = self._lx_probes.gather(cand_lx)
            there = np.zeros(n_sent * n_probes, bool)
            there[cand_sid[rep] * n_probes + probe] = True
            rep, probe = self._unit_probes.gather(puid)
            missing = ~there[a_sid[pair][rep] * n_probes + probe]
            ok = np.bincount(rep[missing], minlength=len(puid)) == 0
            pair, puid = pair[ok], puid[ok]
        # the word right next to the anchor may be the one the unit needs there (its bucket)
        off = self._near_off[puid]
        nbr = a_tok[pair] + off
        j = a_sid[pair]
        nbr_ok = (nbr >= s_lo[j]) & (nbr < s_hi[j])
        filled = (tok[nbr.clip(0, len(tok) - 1)] >> NEAR_AT) & NEAR_MASK
        ok = (off == 0) | (nbr_ok & (filled & self._near_bits[puid] != 0))
        pair, puid = pair[ok], puid[ok]
        units_all, nears, pair_only = self._all, self._near, self._pair_only
        for k, j, uid in zip(
            a_tok[pair].tolist(), a_sid[pair].tolist(), puid.tolist(), strict=True
        ):
            lo, hi = lo_of[j], hi_of[j]
            nb = nears[uid]
            got: tuple[int, ...] | None
            if nb is not None:  # the word right next to the anchor
                p = self._near_word(nb, keys, k, lo, hi)
                if p < 0:
                    continue
                if pair_only[uid]:  # two words, side by side: that was the whole match
                    got = (k, p) if p > k else (p, k)
                else:
                    got = self._match_around(units_all[uid], keys, k, lo, hi)
            else:
                got = self._match_around(units_all[uid], keys, k, lo, hi)
            if got is not None:
                by_unit = multi.get(j)
                if by_unit is None:
                    by_unit = multi[j] = {}
                found = by_unit.get(uid)
                if found is None:
                    by_unit[uid] = [got]
                else:
                    found.append(got)
        return multi

    def _conjunction_hits(
        self,
        info: TokenInfo,
        p_uid: Any,
        p_tok: Any,
        p_sid: Any,
        multi: dict[int, dict[int, list[tuple[int, ...]]]],
        wanted: Any,
        edges: tuple[Any, Any] | None,
        has_neg: Any,
        lohi: Any,
        lo_of: list[int],
        hi_of: list[int],
    ) -> tuple[Any, Any, Any, Any]:
        """The '&' keyword hits (see ``sentence_codes``): sentence, keyword, token count and
        tokens, by sentence and keyword. The parts present per sentence and in its context, the
        keywords triggered (by their rarest part) and complete (every part there, one in the
        sentence itself), and each part's first occurrence with no negator in its window come
        from numpy; parts with a negator near, or of several words, are looked at in Python."""
        import numpy as np

        i64 = np.int64
        none = (np.zeros(0, i64),) * 4
        n_parts = len(self._parts)
        is_part = p_uid < n_parts
        o_key = p_sid[is_part] * n_parts + p_uid[is_part]
        o_order = np.argsort(o_key, kind="stable")  # occurrences by (sentence, part), in order
        o_key, o_tok = o_key[o_order], p_tok[is_part][o_order]
        n_sent = len(wanted)
        table = np.zeros(n_sent * n_parts, bool)  # (sentence, part) present: a look-up table
        table[o_key] = True
        m_keys = [j * n_parts + u for j, by_unit in multi.items() for u in by_unit if u < n_parts]
        table[m_keys] = True
        run = _run_starts(o_key)
        present = o_key[run]  # sorted
        if m_keys:
            present = _sorted_unique(np.concatenate([present, np.array(m_keys, i64)]))
        if not len(present):
            return none
        pr_sid = present // n_parts
        own = np.zeros(n_sent, bool)  # wanted sentences with a part: '&' keywords looked at
        own[pr_sid] = True
        own &= wanted
        if not own.any():
            return none
        # the '&' keywords whose trigger part is in a sentence or its context
        trig = present[self._is_trigger[present % n_parts]]
        t_sid = trig // n_parts
        pairs_j = [t_sid[own[t_sid]]]
        pairs_p = [trig[own[t_sid]] % n_parts]
        ctx = np.full((n_sent, 2), -1, i64)  # the context sentences, in order (-1: none)
        if edges is not None:
            ej, ek = edges
            keep = own[ej]
            ej, ek = ej[keep], ek[keep]
            second = np.zeros(len(ej), bool)
            second[1:] = ej[1:] == ej[:-1]
            ctx[ej, second.astype(i64)] = ek
            a = t_sid.searchsorted(ek)
            rep, idx = spread(a, t_sid.searchsorted(ek, "right") - a)
            pairs_j.append(ej[rep])
            pairs_p.append(trig[idx] % n_parts)
        cj, cp = np.concatenate(pairs_j), np.concatenate(pairs_p)
        rep, n_of = self._triggered.gather(cp)
        n_conj = len(self._conj_parts)
        groups = _sorted_unique(cj[rep] * n_conj + n_of)  # (sentence, keyword)
        # a quick sieve: 64-bit signatures of the parts in each sentence and its context
        bits = np.left_shift(np.uint64(1), (present % n_parts % 64).astype(np.uint64))
        run = _run_starts(pr_sid)
        sig = np.zeros(n_sent + 1, np.uint64)  # the last one: no sentence (context -1)
        sig[pr_sid[run]] = np.bitwise_or.reduceat(bits, np.flatnonzero(run))
        gj, gn = groups // n_conj, groups % n_conj
        need, mine = self._conj_sig[gn], sig[gj]
        ok = ((mine | sig[ctx[gj, 0]] | sig[ctx[gj, 1]]) & need == need) & (mine & need != 0)
        groups, gj, gn = groups[ok], gj[ok], gn[ok]
        if not len(groups):
            return none
        # each keyword's parts: in the sentence, or else in its first context sentence with it
        rep, part = self._conj_units_r.gather(gn)
        cnt = self._conj_units_r.count[gn]
        starts_at = np.cumsum(cnt) - cnt  # where each group's parts start (at least two each)
        rj = gj[rep]

        def has(sent: Any) -> Any:
            return table[(sent * n_parts + part).clip(min=0)] & (sent >= 0)

        in_own = has(rj)
        c1, c2 = ctx[rj, 0], ctx[rj, 1]
        in1, in2 = has(c1), has(c2)
        found = in_own | in1 | in2
        src = np.where(in_own, rj, np.where(in1, c1, c2))
        complete = np.logical_and.reduceat(found, starts_at) & np.logical_or.reduceat(
            in_own, starts_at
        )
        keep = complete[rep]
        part, src, grp = part[keep], src[keep], rep[keep]
        # each part's first occurrence, clear when no negator stands in its window
        key = src * n_parts + part
        at = o_key.searchsorted(key).clip(max=max(len(o_key) - 1, 0))
        one_word = ~self._part_multi[part]
        first_tok = np.where(one_word, o_tok[at] if len(o_tok) else 0, -1)
        neg = info.negators
        s_lo, s_hi = lohi[:, 0], lohi[:, 1]
        base = np.maximum(s_lo[src], first_tok - NEGATION_WINDOW - 1).clip(min=0)
        end = np.minimum(s_hi[src], first_tok + NEGATION_WINDOW + 2).clip(min=0)
        clear = one_word & (self._part_negative[part] | (neg[end] == neg[base]))
        # one-word parts with a negator near the first occurrence: every occurrence of the
        # part in that sentence tested at once, the first not negated taken (none: no hit)
        g_tok = [grp[clear]]
        t_tok = [first_tok[clear]]
        failed = [np.zeros(0, i64)]
        one = one_word & ~clear
        if one.any():
            a = at[one]
            cnt = o_key.searchsorted(key[one], "right") - a  # at least one: the part is there
            rep, idx = spread(a, cnt)
            starts_one = np.cumsum(cnt) - cnt
            sj = src[one][rep]
            negated = negated_singles(info.classes, o_tok[idx], s_lo[sj], s_hi[sj])
            pos = np.where(negated, len(idx), np.arange(len(idx)))
            best = np.minimum.reduceat(pos, starts_one)  # the first live occurrence, if any
            live = best < len(idx)
            g_tok.append(grp[one][live])
            t_tok.append(o_tok[idx[best[live]]])
            failed.append(grp[one][~live])
        # multi-word parts (few), in Python: the first occurrence not negated, or none
        several = ~one_word
        if several.any():
            extra_g: list[int] = []
            extra_t: list[int] = []
            lost: list[int] = []
            for g, uid, sj in zip(
                grp[several].tolist(), part[several].tolist(), src[several].tolist(), strict=True
            ):
                got = self._live_first(
                    info, multi[sj][uid], uid, bool(has_neg[sj]), lo_of[sj], hi_of[sj]
                )
                if got is None:
                    lost.append(g)
                else:
                    extra_g.extend([g] * len(got))
                    extra_t.extend(got)
            g_tok.append(np.array(extra_g, i64))
            t_tok.append(np.array(extra_t, i64))
            failed.append(np.array(lost, i64))
        eg, et = np.concatenate(g_tok), np.concatenate(t_tok)
        bad = np.zeros(len(groups), bool)
        bad[np.concatenate(failed)] = True
        eg, et = eg[~bad[eg]], et[~bad[eg]]
        o = np.lexsort((et, eg))
        eg, et = eg[o], et[o]
        fresh = _run_starts(eg, et)
        eg, et = eg[fresh], et[fresh]
        run = _run_starts(eg)
        hit_groups = eg[run]
        counts = np.diff(np.append(np.flatnonzero(run), len(eg)))
        return gj[hit_groups], gn[hit_groups], counts, et

    def _live_first(
        self,
        info: TokenInfo,
        occurrences: list[tuple[int, ...]],
        uid: int,
        negators: bool,
        lo: int,
        hi: int,
    ) -> tuple[int, ...] | None:
        """The first of a part's occurrences in a sentence (tokens ``lo..hi``, ``negators``:
        some stand there) that is not negated."""
        check = negators and not self._part_negative[uid]
        for t in occurrences:
            if not check or not self._negated(info, t, lo, hi):
                return t
        return None

    def _near_word(
        self, near: tuple[int, dict[int, bool], Term], keys: list[int], k: int, lo: int, hi: int
    ) -> int:
        """The token next to anchor ``k`` when it is the word its unit needs there, else -1."""
        p = k + near[0]
        if p < lo or p >= hi:
            return -1
        m = near[1].get(keys[p])
        if m is None:
            m = self._term_at(near[2], near[1], keys[p])
        return p if m else -1

    def _term_at(self, term: Term, cache: dict[int, bool], key: int) -> bool:
        m = cache.get(key)
        if m is None:
            m = cache[key] = term.matches(self._lemma_of(key), self._lower_of(key))
        return m

    def _match_around(
        self, kw: Keyword, keys: list[int], i: int, lo: int, hi: int
    ) -> tuple[int, ...] | None:
        """Match the other terms of ``kw`` around its anchor term at token ``i``."""
        terms, anchor, caches = kw.terms, kw.anchor, self._term_cache[kw.uid]
        after: list[int] = []
        j = i + 1
        for t in range(anchor + 1, len(terms)):
            term, cache = terms[t], caches[t]
            last = min(hi - 1, j + term.gap)
            k = j
            while k <= last:
                m = cache.get(keys[k])
                if m is None:
                    m = self._term_at(term, cache, keys[k])
                if m:
                    break
                k += 1
            if k > last:
                return None
            after.append(k)
            j = k + 1
        before: list[int] = []
        j = i - 1
        for t in range(anchor, 0, -1):
            term, cache, gap = terms[t - 1], caches[t - 1], terms[t].gap
            first = max(lo, j - gap)
            k = j
            while k >= first:
                m = cache.get(keys[k])
                if m is None:
                    m = self._term_at(term, cache, keys[k])
                if m:
                    break
                k -= 1
            if k < first:
                return None
            before.append(k)
            j = k - 1
        return (*reversed(before), i, *after)

    def _first_occurrence(self, uid: int, info: TokenInfo, sc: Scan) -> tuple[int, ...] | None:
        """The first occurrence of unit ``uid`` in ``sc`` that is not negated (kept on ``sc``:
        several '&' keywords share a part, and a context sentence serves several answers)."""
        first = sc.first
        if first is None:
            first = sc.first = {}
        elif uid in first:
            return first[uid]
        got: tuple[int, ...] | None = None
        if uid in sc.multi:
            occurrences: Iterable[tuple[int, ...]] = sc.multi[uid]
        else:
            bit = self._unit_bit[uid]
            if not sc.negators or self._all[uid].negative:  # the first one will do
                for k, m in zip(sc.candidates, sc.masks):  # noqa: B905 (same length)
                    if m & bit:
                        got = first[uid] = (k,)
                        return got
                raise AssertionError("a part present in a sentence has an occurrence")
            occurrences = [(k,) for k, m in zip(sc.candidates, sc.masks) if m & bit]  # noqa: B905
        check = sc.negators and not self._all[uid].negative
        for t in occurrences:
            if not check or not self._negated(info, t, sc.lo, sc.hi):
                got = t
                break
        first[uid] = got
        return got

    def sentence_codes(
        self,
        info: TokenInfo,
        sc: Scan,
        context: Sequence[Scan] = (),
        extra: Sequence[Hit] = (),
    ) -> dict[str, list[Hit]]:
        """The codes proposed for one sentence, each with its hits in order: keyword hits (one-
        and multi-word), '&' keywords whose parts are all found, not negated (in the sentence, or
        some in the ``context`` sentences as long as one part is in the sentence), and the
        ``extra`` (pattern) hits; negated hits and codes excluded in the sentence dropped, and
        group codes where one of their descendants is proposed."""
        hits: list[Hit] = []
        present = sc.present
        plain = present & self._plain_mask
        if plain:
            units = self._all
            for uid, many in sc.multi.items():
                if plain >> uid & 1:
                    kw = units[uid]
                    hits.extend([(kw, toks, False) for toks in many])
            keys, singles = info.keys, self._singles
            for k in sc.singles:
                t = (k,)
                hits.extend([(kw, t, False) for kw in singles[keys[k]]])
        parts = present & self._part_mask
        if parts:
            around = 0
            for c in context:
                around |= c.present
            first, unit_bit, wholes = self._first_occurrence, self._unit_bit, self._wholes
            for n in self._complete(parts, around & self._part_mask):
                chosen: list[tuple[int, ...]] = []
                for uid in self._conj_units[n]:
                    bit = unit_bit[uid]
                    source = sc if present & bit else next(c for c in context if c.present & bit)
                    known = source.first
                    ok = (
                        known[uid]
                        if known is not None and uid in known
                        else first(uid, info, source)
                    )
                    if ok is None:
                        break
                    chosen.append(ok)
                else:
                    both: tuple[int, ...]
                    if len(chosen) == 2 and len(chosen[0]) == 1 and len(chosen[1]) == 1:
                        x, y = chosen[0][0], chosen[1][0]
                        both = (x, y) if x < y else (y, x) if y < x else (x,)
                    else:
                        both = tuple(sorted({t for part in chosen for t in part}))
                    hits.append((wholes[n], both, True))
        if extra:
            hits.extend(extra)
        if not hits:
            return {}
        lo, hi = sc.lo, sc.hi
        if sc.negators:  # a negator in the sentence: check each hit
            memo: dict[tuple[int, ...], bool] = {}
            live: list[Hit] = []
            for h in hits:
                kw, toks, checked = h
                if not (checked or kw.negative):
                    negated = memo.get(toks)
                    if negated is None:
                        negated = memo[toks] = self._negated(info, toks, lo, hi)
                    if negated:
                        continue
                live.append(h)
            hits = live
        out: dict[str, list[Hit]] = {}
        excluded = None
        for h in hits:
            kw = h[0]
            if kw.exclude:
                if excluded is None:
                    excluded = {kw.code}
                else:
                    excluded.add(kw.code)
                continue
            got = out.get(kw.code)
            if got is None:
                out[kw.code] = [h]
            else:
                got.append(h)
        if excluded is not None:
            for code in excluded:
                out.pop(code, None)
        # a group code adds nothing where one of its descendants is proposed
        if len(out) > 1:
            for code in [a for c in out for a in _ancestors(c) if a in out]:
                out.pop(code, None)
        return out

    def _complete(self, parts: int, around: int) -> list[int]:
        """The '&' keywords with a part among ``parts`` and every part in ``parts | around``."""
        checks = self._trigger_checks
        out: list[int] = []
        if not around:  # every part in the sentence itself
            x = parts & self._trigger_mask
            while x:  # the triggers present, top bit found and cleared (few bits are set)
                u = x.bit_length() - 1
                x ^= 1 << u
                for mask, n in checks[u]:
                    if parts & mask == mask:
                        out.append(n)
        else:
            both = parts | around
            x = both & self._trigger_mask
            while x:
                u = x.bit_length() - 1
                x ^= 1 << u
                for mask, n in checks[u]:
                    if both & mask == mask and parts & mask:
                        out.append(n)
        if len(out) > 1:
            out.sort()
        return out

    def pattern_hits(self, doc: Doc) -> list[Hit]:
        if self._matcher is None:
            return []
        out: list[Hit] = []
        strings = self.nlp.vocab.strings
        for match_id, start, end in self._matcher(doc):
            kw = self._patterns[strings[match_id]]
            out.append((kw, tuple(range(start, end)), False))
        return out

    def _class(self, key: int) -> int:
        c = self._classes.get(key)
        if c is None:
            c = self._classes[key] = word_class(self._lower_of(key))
        return c

    def _negated(self, info: TokenInfo, tokens: Sequence[int], lo: int, hi: int) -> bool:
        """``is_negated`` on token keys, with each word's class cached (this runs per hit)."""
        tokens = [t for t in tokens if lo <= t < hi]
        if not tokens:
            return False
        base = max(lo, tokens[0] - NEGATION_WINDOW - 1)
        end = min(hi, tokens[-1] + NEGATION_WINDOW + 2)
        neg = info.negators
        if neg is not None and neg.item(end) == neg.item(base):
            return False  # every rule needs a negator in the window
        if info.classes is not None:
            cls: list[int] = info.classes[base:end].tolist()
        else:
            keys, classes = info.keys, self._classes
            cls = []
            for k in range(base, end):
                c = classes.get(keys[k])
                cls.append(self._class(keys[k]) if c is None else c)
        key = (*cls, -1, *[t - base for t in tokens], -1, lo - base, hi - base)
        got = self._negation_memo.get(key)
        if got is None:
            if len(self._negation_memo) > 200_000:
                self._negation_memo.clear()
            got = self._negation_memo[key] = negated_by_class(
                cls, [t - base for t in tokens], lo - base, hi - base
            )
        return got


def _sorted_unique(a: Any) -> Any:
    """``np.unique`` by sorting (faster here than its hash table)."""
    import numpy as np

    a = np.sort(a, kind="stable")  # a merge sort: fast on the few sorted runs given here
    return a[_run_starts(a)]


def _run_starts(*columns: Any) -> Any:
    """Where a run of equal rows starts in sorted numpy ``columns`` (a bool per row)."""
    import numpy as np

    starts = np.zeros(len(columns[0]), bool)
    starts[:1] = True
    for c in columns:
        starts[1:] |= c[1:] != c[:-1]
    return starts


@lru_cache(maxsize=4096)
def _ancestors(code: str) -> tuple[str, ...]:
    """The group codes above ``code`` ('a.b.c' -> 'a', 'a.b')."""
    parts = code.split(".")
    return tuple(".".join(parts[:n]) for n in range(1, len(parts)))


def _anchored(kw: Keyword) -> Keyword:
    """Pick the term to look up first: a long word that is no stop word or negator."""
    if len(kw.terms) == 1:
        return kw
    from spacy.lang.nl.stop_words import STOP_WORDS

    def weight(term: Term) -> float:
        # long content words are rare; stop words and negators are everywhere
        values = sorted(term.values)
        return sum(
            0 if v in NEGATORS else len(v) / 10 if v in STOP_WORDS else len(v) for v in values
        ) / len(values)

    best = max(range(len(kw.terms)), key=lambda t: (weight(kw.terms[t]), -t))
    return replace(kw, anchor=best)


def _rarity(kw: Keyword) -> float:
    """How rare a phrase looks: its rarest word slot, a slot as common as its most common
    alternative (stop words and negators are everywhere, long words are rare)."""
    from spacy.lang.nl.stop_words import STOP_WORDS

    best = 0.0
    for term in kw.terms:
        weight = min(
            0 if v in NEGATORS else len(v) / 10 if v in STOP_WORDS else len(v) for v in term.values
        )
        best = max(best, weight - len(term.values) / 100)
    return best + (5 if len(kw.terms) > 1 else 0)


NEG, BREAK, PUNCT, VOID, NIET, FINAL = 1, 2, 4, 8, 16, 32


def word_class(word: str) -> int:
    """Bit flags of a word for the negation rule."""
    c = 0
    if word in NEGATORS:
        c |= NEG
    if word in CLAUSE_BREAKS:
        c |= BREAK
    if not any(ch.isalnum() for ch in word):
        c |= PUNCT
    if word in VOID_AFTER_NEGATOR:
        c |= VOID
    if word == "niet":
        c |= NIET
    if word in CLAUSE_FINAL_NEGATORS:
        c |= FINAL
    return c


def negated_singles(classes: Any, tokens: Any, lo: Any, hi: Any) -> Any:
    """``negated_by_class`` for many one-token matches at once (numpy): ``classes`` the word
    classes of a run of tokens, ``tokens`` the matched tokens, ``lo``/``hi`` their sentences'
    token ranges. Windows never reach past the sentence, as in the rule."""
    import numpy as np

    n = len(classes)
    padded = np.zeros(n + 2 * NEGATION_WINDOW + 4, np.int64)  # room either side
    at = NEGATION_WINDOW + 2
    padded[at : at + n] = classes
    c = padded
    t = tokens + at
    lo, hi = lo + at, hi + at
    out = np.zeros(len(t), bool)
    alive = np.ones(len(t), bool)
    for d in range(1, NEGATION_WINDOW + 1):  # back: a negator before it in the clause
        k = t - d
        alive &= (k >= lo) & (c[k] & BREAK == 0)
        negates = (
            (c[k] & NEG != 0)
            & ~((k + 1 < hi) & (c[k + 1] & VOID != 0))  # "niet alleen", "niet zonder"
            & ~((c[k] & VOID != 0) & (k - 1 >= lo) & (c[k - 1] & NIET != 0))
        )
        out |= alive & negates
    alive[:] = True
    for d in range(1, NEGATION_WINDOW + 1):  # on: 'niet'/'nooit' closing the clause after it
        k = t + d
        alive &= (k < hi) & (c[k] & (BREAK | PUNCT) == 0)
        closes = (k + 1 >= hi) | (c[k + 1] & (BREAK | PUNCT) != 0)
        out |= alive & (c[k] & FINAL != 0) & closes
    return out


def is_negated(lower: Sequence[str], tokens: Sequence[int], lo: int, hi: int) -> bool:
    """Whether a negator governs the matched tokens (see the module docstring)."""
    base = max(lo, tokens[0] - NEGATION_WINDOW - 1)
    end = min(hi, tokens[-1] + NEGATION_WINDOW + 2)
    cls = [word_class(lower[k]) for k in range(base, end)]
    return negated_by_class(cls, [t - base for t in tokens], lo - base, hi - base)


def negated_by_class(cls: list[int], tokens: Sequence[int], lo: int, hi: int) -> bool:
    """The negation rule on word classes; ``cls`` covers the window around ``tokens``."""
    n = len(cls)

    def negates(k: int) -> bool:
        if not cls[k] & NEG:
            return False
        if k + 1 < min(hi, n) and cls[k + 1] & VOID:
            return False  # "niet alleen", "niet zonder"
        return not (cls[k] & VOID and k > 0 and cls[k - 1] & NIET)  # "niet zonder"

    first, last = tokens[0], tokens[-1]
    k = first - 1
    while k >= max(lo, 0) and k >= first - NEGATION_WINDOW:
        if cls[k] & BREAK:
            break
        if negates(k):
            return True
        k -= 1
    for k in range(first + 1, last):
        if k not in tokens and negates(k):
            return True
    k = last + 1
    stop = min(hi, n)
    while k < stop and k <= last + NEGATION_WINDOW:
        c = cls[k]
        if c & (BREAK | PUNCT):
            break
        if c & FINAL and (k + 1 >= hi or (k + 1 < n and cls[k + 1] & (BREAK | PUNCT))):
            return True
        k += 1
    return False
