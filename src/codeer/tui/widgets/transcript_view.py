"""The transcript pane: a line-API ScrollView that stays fast on very long transcripts.

Like Toolong's log view, only visible lines are drawn. The layout (which body offsets each screen
line shows) is computed once per width; each line's coded spans are looked up through the
session's sorted index when the line is drawn; each drawn line is cached by what affects it
(width, its spans, and the part of the cursor/selection/word cursor on it), and a change repaints
only the lines it touches: a cursor move repaints the old and the new sentence, a new coding the
lines of its span, a word move the lines of the words that changed.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from codeer.codebook import Codebook
    from codeer.session import CodingSession

BG = Color.parse("#1b1d23")
FG = Color.parse("#d8dee9")
GUTTER = 4  # cursor mark, code count (2), colour bar
CACHE_LINES = 4000
WORD_FG = Color.parse("#ffd75f")

# Words for word-level selection: letters and digits (with combining accents, so a decomposed
# "café" is one word) joined by inner apostrophes or hyphens ("zo'n", "Noord-Holland"), digits
# by inner . , : ("1.500", "12:30"); and Dutch clitics "'s", "'t", "'k", "'n" as words of their
# own. Pure regex: the TUI must not import spaCy.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_UNIT = rf"[^\W_][{_MARKS}]*"
WORD = re.compile(
    rf"['’][stkn](?![^\W_])|(?:{_UNIT})+(?:(?:['’\-]|(?<=\d)[.,:](?=\d))(?:{_UNIT})+)*"
)

Span = tuple[int, int]


def _first(span: Span) -> int:
    return span[0]


def words_in(text: str, offset: int = 0) -> list[Span]:
    """Body offsets ``(start, end)`` of the words of ``text``, which starts at ``offset``."""
    return [(offset + m.start(), offset + m.end()) for m in WORD.finditer(text)]


@dataclass(frozen=True, slots=True)
class Line:
    """One screen line: body offsets ``start:end``; ``label`` is the speaker on a turn's first line."""

    start: int
    end: int
    turn: int
    label: str = ""
    blank: bool = False


def wrap_body(body: str, turns: list[tuple[int, int, int, str]], width: int) -> list[Line]:
    """Word-wrap every turn to ``width`` cells, keeping exact body offsets per line."""
    width = max(8, width)
    lines: list[Line] = []
    for index, text_start, end, speaker in turns:
        if lines:
            prev = lines[-1].end
            lines.append(Line(prev, prev, index, blank=True))
        first = True
        pos = text_start
        while True:
            nl = body.find("\n", pos, end)
            p_end = end if nl == -1 else nl
            if p_end == pos:  # an empty line inside a turn
                lines.append(Line(pos, pos, index, speaker if first else "", blank=not first))
                first = False
            while pos < p_end:
                if p_end - pos <= width:
                    cut, nxt = p_end, p_end
                else:
                    cut = body.rfind(" ", pos, pos + width + 1)
                    if cut <= pos:
                        cut = nxt = pos + width
                    else:
                        nxt = cut + 1
                lines.append(Line(pos, cut, index, speaker if first else ""))
                first = False
                pos = nxt
            if nl == -1:
                break
            pos = nl + 1
        if first:
            lines.append(Line(text_start, text_start, index, speaker))
    return lines


class TranscriptView(ScrollView, can_focus=True):
    """Speaker turns with coded spans in their codes' colours; moves and selects by sentence or word.

    Sentence mode is the default: the cursor is a sentence and a selection whole sentences.
    ``left``/``right`` show a word cursor in the current sentence and move it word by word (into
    the neighbouring sentences, across turns too); the current sentence follows it. Without a
    word selection a code still goes on the whole current sentence. ``shift+right``/``shift+left``
    first select the word under the word cursor (the first word of the sentence when there is
    none, the last for ``shift+left``), then move the selection's head word by word;
    ``ctrl+shift+right``/``left`` move the head to the end/start of its sentence (pressed again:
    of the next/previous sentence). A word selection may run into the next or previous sentence
    of the same turn but never into another turn (a coded passage is one speaker's words), so the
    head stops at the turn's first and last word. An existing sentence selection pressed with a
    word key becomes the same words (within the head's turn) and then changes by a word.
    ``left``/``right`` on a word selection drop it and move on from its start/end.

    Moving by sentence (up/down, turns, first/last, a click) drops the word cursor and a word
    selection; extending by sentence (``shift+up/down``) turns a word selection into the
    sentences it touches and extends those. A mouse drag inside one sentence selects words; a
    drag into other sentences (or a shift+click) selects whole sentences. ``escape`` drops a selection of either kind and keeps
    the cursor; pressed again it drops the word cursor. ``selection_span()`` gives the exact body
    offsets of a word selection, so every action on the selection works on partial sentences.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Next sentence", show=False, id="cursor-down",
                tooltip="Move to the next sentence"),
        Binding("k,up", "cursor(-1)", "Previous sentence", show=False, id="cursor-up",
                tooltip="Move to the previous sentence"),
        Binding("J,pagedown", "turn(1)", "Next turn", show=False, id="turn-down",
                tooltip="Move to the first sentence of the next speaker turn"),
        Binding("K,pageup", "turn(-1)", "Previous turn", show=False, id="turn-up",
                tooltip="Move to the first sentence of the previous speaker turn"),
        Binding("shift+down", "extend(1)", "Extend selection", show=False, id="select-down",
                tooltip="Extend the selection by the next sentence"),
        Binding("shift+up", "extend(-1)", "Extend selection up", show=False, id="select-up",
                tooltip="Extend the selection by the previous sentence"),
        Binding("g,home", "first", "First sentence", show=False, id="cursor-first",
                tooltip="Go to the first sentence"),
        Binding("G,end", "last", "Last sentence", show=False, id="cursor-last",
                tooltip="Go to the last sentence"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="select-clear",
                tooltip="Drop the selection, keep the cursor (again: drop the word cursor)"),
        Binding("right,l", "word(1)", "Next word", show=False, id="word-right",
                tooltip="Move the word cursor to the next word (c still codes the sentence)"),
        Binding("left,h", "word(-1)", "Previous word", show=False, id="word-left",
                tooltip="Move the word cursor to the previous word"),
        Binding("shift+right,L", "select_word(1)", "Select words", show=False,
                id="select-word-right",
                tooltip="Select the word at the word cursor, then extend by the next word"),
        Binding("shift+left,H", "select_word(-1)", "Select words left", show=False,
                id="select-word-left",
                tooltip="Select the word at the word cursor, then extend by the previous word"),
        Binding("ctrl+shift+right,E", "select_edge(1)", "Select to sentence end", show=False,
                id="select-to-end",
                tooltip="Extend the word selection to the end of the sentence (again: the next)"),
        Binding("ctrl+shift+left,B", "select_edge(-1)", "Select to sentence start", show=False,
                id="select-to-start",
                tooltip="Extend the word selection to the start of the sentence (again: the previous)"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    TranscriptView { background: #1b1d23; color: #d8dee9; }
    """

    class CursorMoved(Message):
        """The current sentence or the selection changed."""

        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: CodingSession | None = None
        self.codebook: Codebook | None = None
        self.cursor = 0
        self.sel_anchor: int | None = None
        self.word: Span | None = None  # the word cursor; the head of a word selection
        self.word_anchor: Span | None = None  # the other end of a word selection
        self._words: dict[int, list[Span]] = {}
        self.lines: list[Line] = []
        self._line_starts: list[int] = []
        self._layout_width = 0
        self._strips: dict[int, tuple[tuple[object, ...], Strip]] = {}
        self._spans: dict[int, tuple[tuple[int, int, tuple[str, ...], str | None], ...]] = {}
        self._styles: dict[tuple[object, ...], Style] = {}
        self._sugg_starts: list[int] = []
        self._sugg: list[tuple[int, int, str]] = []
        self._sugg_longest = 0
        self._drag = False
        self._drag_word: Span | None = None  # the word a drag started on (None: by sentence)
        self._center = False

    # --- content ----------------------------------------------------------------------------
    def set_session(self, session: CodingSession, codebook: Codebook, cursor: int = 0) -> None:
        self.session = session
        self.codebook = codebook
        n = len(session.sentences)
        self.cursor = min(max(0, cursor), max(0, n - 1))
        self.sel_anchor = None
        self.word = self.word_anchor = None
        self._words.clear()
        self._layout_width = 0
        self.lines = []
        self._reload_suggestions()
        self._center = True
        self._relayout()
        self.post_message(self.CursorMoved(self))

    def _reload_suggestions(self) -> None:
        pending = self.session.pending_suggestions() if self.session else []
        self._sugg = sorted((s.start, s.end, s.code) for s in pending)
        self._sugg_starts = [s[0] for s in self._sugg]
        self._sugg_longest = max((e - s for s, e, _ in self._sugg), default=0)

    def _text_width(self) -> int:
        label = 3
        if self.session is not None:
            label = min(
                14, max((len(t.speaker) for t in self.session.transcript.turns), default=1) + 2
            )
        self._label_width = label
        # room for the vertical scrollbar is kept whether it shows or not, so the layout does
        # not depend on (and change with) the scrollbar appearing
        region = self.content_region.width - self.styles.scrollbar_size_vertical
        return max(8, region - GUTTER - label - 1)

    def _relayout(self) -> None:
        if self.session is None or not self.content_region.width:
            return  # not laid out yet: on_resize comes with the real width
        width = self._text_width()
        if width == self._layout_width and self.lines:
            return
        t = self.session.transcript
        self.lines = wrap_body(
            t.body, [(x.index, x.text_start, x.end, x.speaker) for x in t.turns], width
        )
        self._line_starts = [ln.start for ln in self.lines]
        self._layout_width = width
        self._strips.clear()
        self._spans.clear()
        self.virtual_size = Size(width + GUTTER + self._label_width, len(self.lines))
        self.refresh()
        center, self._center = self._center, False
        self.scroll_to_cursor(center=center)
        self.call_after_refresh(self.scroll_to_cursor, center=center)

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def line_of(self, offset: int) -> int:
        y = bisect.bisect_right(self._line_starts, offset) - 1
        while y > 0 and self.lines[y].blank:
            y -= 1
        return max(0, y)

    def sentence_lines(self, index: int) -> tuple[int, int]:
        if self.session is None or not self.session.sentences:
            return 0, 0
        s = self.session.sentences[index]
        return self.line_of(s.start), self.line_of(max(s.start, s.end - 1))

    # --- what the app asks ------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int]:
        """Sentence indexes (first, last) of the selection (those a word selection touches), or
        the current sentence."""
        if self.word_anchor is not None and self.word is not None:
            return self._sentence_of(min(self.word_anchor, self.word)), self._sentence_of(
                max(self.word_anchor, self.word)
            )
        if self.sel_anchor is None:
            return self.cursor, self.cursor
        return min(self.sel_anchor, self.cursor), max(self.sel_anchor, self.cursor)

    def selection_span(self) -> tuple[int, int]:
        """Body offsets of the selection: exactly the selected words, or whole sentences (the
        current one when nothing is selected); (0, 0) when there is no sentence."""
        if self.session is None or not self.session.sentences:
            return 0, 0
        if self.word_anchor is not None and self.word is not None:
            return min(self.word_anchor[0], self.word[0]), max(self.word_anchor[1], self.word[1])
        a, b = self.selection
        return self.session.sentences[a].start, self.session.sentences[b].end

    def selected_words(self) -> int:
        """How many words a word selection holds (0 when there is none)."""
        if self.word_anchor is None or self.word is None:
            return 0
        lo, hi = min(self.word_anchor, self.word), max(self.word_anchor, self.word)
        a, b = self.selection
        return sum(1 for i in range(a, b + 1) for w in self.words(i) if lo <= w <= hi)

    def changed(self, span: tuple[int, int] | None = None, *, suggestions: bool = False) -> None:
        """Codings changed in ``span`` (or everywhere): repaint only the lines they touch."""
        if suggestions:
            self._reload_suggestions()
        if span is None or not self.lines:
            self._strips.clear()
            self._spans.clear()
            self.refresh()
            return
        first, last = self.line_of(span[0]), self.line_of(max(span[0], span[1] - 1))
        for y in range(first, last + 1):
            self._strips.pop(y, None)
            self._spans.pop(y, None)
        self.refresh_lines(first, last - first + 1)

    # --- moving -------------------------------------------------------------------------------
    def move_to(self, index: int, *, extend: bool = False) -> None:
        """Move by sentence: drops the word cursor; extending turns a word selection into the
        sentences it touches first."""
        if self.session is None or not self.session.sentences:
            return
        index = min(max(0, index), len(self.session.sentences) - 1)
        old = self._paint_state()
        if extend:
            if self.word_anchor is not None:
                self.sel_anchor = self._sentence_of(self.word_anchor)
            elif self.sel_anchor is None:
                self.sel_anchor = self.cursor
        else:
            self.sel_anchor = None
        self.word = self.word_anchor = None
        self.cursor = index
        self._repaint(old, self._paint_state())
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self))

    def _paint_state(self) -> tuple[Span, Span | None, Span | None]:
        """Body spans of the current sentence, the selection and the word cursor."""
        assert self.session is not None
        cs = self.session.sentences[self.cursor]
        selected = self.sel_anchor is not None or self.word_anchor is not None
        return (cs.start, cs.end), self.selection_span() if selected else None, self.word

    def _repaint(
        self,
        old: tuple[Span, Span | None, Span | None],
        new: tuple[Span, Span | None, Span | None],
    ) -> None:
        """Repaint the lines whose cursor, selection or word cursor changed, and no others."""
        for a, b in zip(old, new, strict=True):
            if a == b:
                continue
            if a is None or b is None:  # began or ended: all of it changes its look
                spans = [a or b]
            elif a[0] == b[0]:  # the end moved
                spans = [(min(a[1], b[1]), max(a[1], b[1]))]
            elif a[1] == b[1]:  # the start moved
                spans = [(min(a[0], b[0]), max(a[0], b[0]))]
            else:
                spans = [a, b]
            for span in spans:
                if span is not None:
                    # to the last line starting in the span: a blank line between two turns
                    # counts as inside a selection that crosses it
                    lo = self.line_of(span[0])
                    hi = bisect.bisect_right(self._line_starts, max(span[0], span[1] - 1)) - 1
                    self.refresh_lines(lo, max(lo, hi) - lo + 1)

    # --- words ----------------------------------------------------------------------------------
    def words(self, index: int) -> list[Span]:
        """The words of sentence ``index`` (body offsets), tokenized when first asked for."""
        got = self._words.get(index)
        if got is None:
            assert self.session is not None
            s = self.session.sentences[index]
            got = self._words[index] = words_in(s.text, s.start)
        return got

    def _sentence_of(self, word: Span) -> int:
        assert self.session is not None
        return self.session.sentences_in(word[0], word[1])[0]

    def _edge_word(self, index: int, delta: int) -> Span | None:
        """The first (``delta`` > 0) or last word of sentence ``index``, or of the nearest
        sentence in that direction with a word."""
        assert self.session is not None
        while 0 <= index < len(self.session.sentences):
            words = self.words(index)
            if words:
                return words[0] if delta > 0 else words[-1]
            index += 1 if delta > 0 else -1
        return None

    def _step(self, word: Span, delta: int, turn: int | None = None) -> Span | None:
        """The word after (before) ``word``, continuing into the next (previous) sentence; None
        past the transcript's end or, when ``turn`` is given, past that turn's words."""
        assert self.session is not None
        sents = self.session.sentences
        i = self._sentence_of(word)
        words = self.words(i)
        k = bisect.bisect_left(words, word) + delta
        while not 0 <= k < len(words):
            i += delta
            if not 0 <= i < len(sents) or (turn is not None and sents[i].turn_index != turn):
                return None
            words = self.words(i)
            k = 0 if delta > 0 else len(words) - 1
        return words[k]

    def _set_word(
        self, head: Span, anchor: Span | None, old: tuple[Span, Span | None, Span | None]
    ) -> None:
        self.word, self.word_anchor, self.sel_anchor = head, anchor, None
        self.cursor = self._sentence_of(head)
        self._repaint(old, self._paint_state())
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self))

    def _start_words(self, delta: int) -> tuple[Span, Span] | None:
        """(anchor, head) of a word selection: the current one; a sentence selection's words
        within the head's turn; or the word under the word cursor (else the sentence's first or
        last word, by ``delta``)."""
        assert self.session is not None
        if self.word_anchor is not None and self.word is not None:
            return self.word_anchor, self.word
        if self.sel_anchor is not None:
            sents = self.session.sentences
            turn = sents[self.cursor].turn_index
            a, b = self.selection
            down = self.cursor >= self.sel_anchor
            order = range(a, b + 1) if down else range(b, a - 1, -1)
            first = next((i for i in order if sents[i].turn_index == turn and self.words(i)), None)
            head = self.words(self.cursor)
            if first is not None and head:
                anchor = self.words(first)[0 if down else -1]
                return anchor, head[-1 if down else 0]
        word = self.word or self._edge_word(self.cursor, delta)
        return None if word is None else (word, word)

    def put_word_cursor(self, offset: int) -> bool:
        """Show the word cursor on the current sentence's word starting at body ``offset``
        (a restored position); False, and nothing changes, when there is no such word."""
        if self.session is None or not self.session.sentences:
            return False
        word = next((w for w in self.words(self.cursor) if w[0] == offset), None)
        if word is None:
            return False
        self._set_word(word, None, self._paint_state())
        return True

    def action_word(self, delta: int) -> None:
        """Move the word cursor (it appears on the sentence's first or last word)."""
        if self.session is None or not self.session.sentences:
            return
        old = self._paint_state()
        if self.word is None:
            word = self._edge_word(self.cursor, delta)
        elif self.word_anchor is not None:  # leave the selection at the side moved to
            ends = (min(self.word_anchor, self.word), max(self.word_anchor, self.word))
            word = ends[1] if delta > 0 else ends[0]
            word = self._step(word, delta) or word
        else:
            word = self._step(self.word, delta) or self.word
        if word is not None:
            self._set_word(word, None, old)

    def _word_selection(
        self, delta: int
    ) -> tuple[tuple[Span, Span | None, Span | None], bool, Span, Span] | None:
        """What a word-selection key starts from: the paint state, whether no selection was
        there yet, and the selection's (anchor, head) (see ``_start_words``)."""
        if self.session is None or not self.session.sentences:
            return None
        old = self._paint_state()
        fresh = self.word_anchor is None and self.sel_anchor is None
        ends = self._start_words(delta)
        return None if ends is None else (old, fresh, *ends)

    def action_select_word(self, delta: int) -> None:
        """Start a word selection on the word cursor's word, or move its head by a word."""
        start = self._word_selection(delta)
        if start is None or self.session is None:
            return
        old, fresh, anchor, head = start
        if not fresh:
            turn = self.session.sentences[self._sentence_of(anchor)].turn_index
            head = self._step(head, delta, turn) or head
        self._set_word(head, anchor, old)

    def action_select_edge(self, delta: int) -> None:
        """Move a word selection's head to the end (start) of its sentence, or of the next
        (previous) sentence of the turn when it is there already."""
        start = self._word_selection(delta)
        if start is None or self.session is None:
            return
        old, fresh, anchor, head = start
        sents = self.session.sentences
        turn = sents[self._sentence_of(anchor)].turn_index
        i = self._sentence_of(head)
        words = self.words(i)
        edge = words[-1] if delta > 0 else words[0]
        if head == edge and not fresh:
            nxt = self._step(head, delta, turn)
            if nxt is not None:
                words = self.words(self._sentence_of(nxt))
                edge = words[-1] if delta > 0 else words[0]
        self._set_word(edge, anchor, old)

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        if not self.lines:
            return
        if self.word is not None:  # in a long sentence: the word cursor's line
            first, last = self.line_of(self.word[0]), self.line_of(self.word[1] - 1)
        else:
            first, last = self.sentence_lines(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if center:
            self.scroll_to(y=max(0, first - height // 3), animate=False, immediate=True)
        elif first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=min(first, last - height + 1), animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_extend(self, delta: int) -> None:
        self.move_to(self.cursor + delta, extend=True)

    def action_turn(self, delta: int) -> None:
        if self.session is None or not self.session.sentences:
            return
        sents = self.session.sentences
        turn = sents[self.cursor].turn_index
        i = self.cursor
        if delta > 0:
            while i < len(sents) - 1 and sents[i].turn_index == turn:
                i += 1
        else:
            # to the start of this turn, or of the previous one when already there
            while i > 0 and sents[i - 1].turn_index == turn:
                i -= 1
            if i == self.cursor and i > 0:
                prev = sents[i - 1].turn_index
                i -= 1
                while i > 0 and sents[i - 1].turn_index == prev:
                    i -= 1
        self.move_to(i)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self.session is not None:
            self.move_to(len(self.session.sentences) - 1)

    def action_clear_selection(self) -> None:
        if self.session is None or not self.session.sentences:
            return
        if self.sel_anchor is not None:
            self.move_to(self.cursor)
        elif self.word is not None:
            old = self._paint_state()
            if self.word_anchor is not None:
                self.word_anchor = None
            else:
                self.word = None
            self._repaint(old, self._paint_state())
            self.post_message(self.CursorMoved(self))

    # --- mouse ------------------------------------------------------------------------------------
    def _offset_at(self, event: events.MouseEvent) -> int | None:
        """The body offset under the pointer (the line's last character past its end)."""
        if self.session is None or not self.lines:
            return None
        y = event.y + round(self.scroll_y)
        if not 0 <= y < len(self.lines):
            return None
        line = self.lines[y]
        col = max(0, event.x + round(self.scroll_x) - GUTTER - self._label_width)
        return min(line.start + col, max(line.start, line.end - 1))

    def _sentence_at(self, event: events.MouseEvent) -> int | None:
        offset = self._offset_at(event)
        if offset is None or self.session is None:
            return None
        rng = self.session.sentences_in(offset, offset + 1)
        if len(rng):
            return rng[0]
        # between sentences: the one after the offset
        i = bisect.bisect_left([s.start for s in self.session.sentences], offset)
        return min(i, len(self.session.sentences) - 1)

    def _word_at(self, event: events.MouseEvent, index: int) -> Span | None:
        """The word of sentence ``index`` under the pointer, or the nearest one of the
        sentence (the pointer on a space or a punctuation mark)."""
        offset = self._offset_at(event)
        words = self.words(index)
        if offset is None or not words:
            return None
        k = bisect.bisect_right(words, offset, key=_first) - 1  # the last word starting here
        if k >= 0 and offset < words[k][1]:
            return words[k]
        after = words[k + 1] if k + 1 < len(words) else None
        before = words[k] if k >= 0 else None
        if before is None or (after is not None and after[0] - offset <= offset - before[1]):
            return after
        return before

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._sentence_at(event)
        if index is None:
            return
        self.focus()
        self._drag = True
        self._drag_word = None if event.shift else self._word_at(event, index)
        self.capture_mouse()
        self.move_to(index, extend=event.shift)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """A drag inside the sentence it started in selects words (from the word it started
        on); once it leaves that sentence it selects whole sentences, as ``shift+down`` does."""
        if not self._drag:
            return
        index = self._sentence_at(event)
        if index is None:
            return
        start = self._drag_word
        if start is not None and index == self._sentence_of(start):
            word = self._word_at(event, index)
            moved = word is not None and (word != start or self.word_anchor is not None)
            if moved and (self.word_anchor, self.word) != (start, word):
                assert word is not None
                self._set_word(word, start, self._paint_state())
            return
        self._drag_word = None  # out of the sentence: sentences from here on
        if index != self.cursor or self.word_anchor is not None:
            self.move_to(index, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag:
            self._drag = False
            self.release_mouse()

    # --- drawing ------------------------------------------------------------------------------------
    def _line_spans(self, y: int) -> tuple[tuple[int, int, tuple[str, ...], str | None], ...]:
        """Elementary pieces of line ``y``: (start, end, codes on it, suggested code)."""
        cached = self._spans.get(y)
        if cached is not None:
            return cached
        assert self.session is not None
        line = self.lines[y]
        a, b = line.start, line.end
        codings = self.session.overlapping(a, b) if b > a else []
        lo = bisect.bisect_left(self._sugg_starts, a - self._sugg_longest)
        hi = bisect.bisect_left(self._sugg_starts, b)
        suggs = [s for s in self._sugg[lo:hi] if s[0] < b and a < s[1]]
        cuts = {a, b}
        for c in codings:
            cuts.add(max(a, c.start))
            cuts.add(min(b, c.end))
        for s in suggs:
            cuts.add(max(a, s[0]))
            cuts.add(min(b, s[1]))
        points = sorted(cuts)
        out: list[tuple[int, int, tuple[str, ...], str | None]] = []
        for p, q in itertools.pairwise(points):
            codes = tuple(sorted({c.code for c in codings if c.start < q and p < c.end}))
            sugg = next((s[2] for s in suggs if s[0] < q and p < s[1] and s[2] not in codes), None)
            out.append((p, q, codes, sugg))
        spans = tuple(out)
        self._spans[y] = spans
        return spans

    def _style(
        self, codes: tuple[str, ...], sugg: str | None, cur: bool, sel: bool, word: bool = False
    ) -> Style:
        key = (codes, sugg, cur, sel, word)
        style = self._styles.get(key)
        if style is not None:
            return style
        assert self.codebook is not None
        bg = BG
        if codes:
            mix = [Color.parse(self.codebook.colour(c)) for c in codes]
            r = sum(c.r for c in mix) // len(mix)
            g = sum(c.g for c in mix) // len(mix)
            b = sum(c.b for c in mix) // len(mix)
            bg = BG.blend(Color(r, g, b), 0.45)
        if sel:
            bg = bg.blend(Color(120, 140, 200), 0.45)
        elif cur:
            bg = bg.lighten(0.08)
        fg = FG
        if sugg is not None:
            fg = Color.parse(self.codebook.colour(sugg)).blend(FG, 0.35)
        if word:  # the word cursor: yellow like the cursor mark, underlined
            fg, bg = WORD_FG, bg.lighten(0.1)
        style = Style(
            color=fg.rich_color,
            bgcolor=bg.rich_color,
            bold=cur or sel or word,
            italic=sugg is not None,
            underline=word or len(codes) > 1 or (sugg is not None and not codes),
        )
        self._styles[key] = style
        return style

    def line_state(self, index: int) -> tuple[Span | None, Span | None, Span | None]:
        """The parts of screen line ``index`` under the cursor, the selection and the word
        cursor."""
        assert self.session is not None
        if not self.session.sentences:
            return None, None, None
        line = self.lines[index]
        a, b = line.start, line.end
        out: list[Span | None] = []
        for span in self._paint_state():
            if span is not None and span[0] < b and a < span[1]:
                out.append((max(span[0], a), min(span[1], b)))
            else:
                out.append(None)
        return out[0], out[1], out[2]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if self.session is None or index >= len(self.lines):
            return Strip.blank(width, Style(bgcolor=BG.rich_color))
        line = self.lines[index]
        cur, sel, word = self.line_state(index)
        spans = self._line_spans(index)
        key = (width, self._layout_width, cur, sel, word, spans)
        hit = self._strips.get(index)
        if hit is not None and hit[0] == key:
            strip = hit[1]
        else:
            strip = self._draw(line, spans, cur, sel, width, word)
            if len(self._strips) > CACHE_LINES:
                self._strips.clear()
            self._strips[index] = (key, strip)
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip

    def _draw(
        self,
        line: Line,
        spans: tuple[tuple[int, int, tuple[str, ...], str | None], ...],
        cur: Span | None,
        sel: Span | None,
        width: int,
        word: Span | None = None,
    ) -> Strip:
        assert self.session is not None and self.codebook is not None
        base = Style(color=FG.rich_color, bgcolor=BG.rich_color)
        segs: list[Segment] = []
        codes = sorted({c for _, _, cc, _ in spans for c in cc})
        mark = "▶" if cur is not None else " "
        mark_style = Style(color="#ffd75f", bgcolor=BG.rich_color, bold=True)
        segs.append(Segment(mark, mark_style))
        if codes and not line.blank:
            colour = self.codebook.colour(codes[0])
            segs.append(Segment(f"{len(codes):>2}", Style(color="#a0a8b8", bgcolor=BG.rich_color)))
            segs.append(Segment("▌", Style(color=colour, bgcolor=BG.rich_color)))
        else:
            segs.append(Segment("   ", base))
        label = f"{line.label}:" if line.label else ""
        interviewer = line.label in {"I", "Interviewer"}
        label_style = Style(
            color="#7fb4ca" if interviewer else "#e6c384", bgcolor=BG.rich_color, bold=True
        )
        segs.append(Segment(label.ljust(self._label_width)[: self._label_width], label_style))
        body = self.session.body
        for p, q, cc, sugg in spans:
            if q <= p:
                continue
            pieces = {p, q}
            for rng in (cur, sel, word):
                if rng is not None:
                    for v in rng:
                        if p < v < q:
                            pieces.add(v)
            pts = sorted(pieces)
            for u, v in itertools.pairwise(pts):
                in_cur = cur is not None and cur[0] <= u < cur[1]
                in_sel = sel is not None and sel[0] <= u < sel[1]
                in_word = word is not None and word[0] <= u < word[1]
                style = self._style(cc, sugg, in_cur, in_sel, in_word)
                segs.append(Segment(body[u:v], style))
        strip = Strip(segs)
        return strip.extend_cell_length(max(width, self.virtual_size.width), base)
