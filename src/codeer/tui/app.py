"""The coding workbench: interviews, transcript and codebook side by side.

The app holds only UI state (which transcript, which sentence, recent codes); every change goes
through ``codeer.session.CodingSession``, which saves it at once. Slow work (counting all
interviews, deriving variables, making suggestions with spaCy) runs in thread workers that post
their results back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.widgets import Footer, Static

from codeer.codebook import Codebook, ValueSpec
from codeer.codings import Coding
from codeer.errors import CodeerError
from codeer.project import Project
from codeer.session import CodingSession, Op, coding_progress
from codeer.tui.commands import BindingsProvider
from codeer.tui.keymap import KeymapError, keymap_path, load_keymap
from codeer.tui.screens.help import HelpScreen
from codeer.tui.screens.pickers import Chooser, CodePicker, Prompt
from codeer.tui.state import load_position, save_position, sentence_in, word_in
from codeer.tui.widgets.codebook_pane import CodebookPane
from codeer.tui.widgets.interviews import InterviewRow, InterviewsPane
from codeer.tui.widgets.transcript_view import TranscriptView

BIG_FILE = 400_000  # bytes of transcript + codings above which a transcript opens in a thread


def _b(key: str, action: str, text: str, bid: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, text, show=show, id=bid, tooltip=tip)


APP_BINDINGS: list[BindingType] = [
    _b("c", "apply_code", "Code", "apply-code", "Apply a code to the selection (or the current sentence)"),
    *[
        _b(str(i), f"apply_recent({i})", f"Recent code {i}", f"recent-{i}",
           f"Apply the {i}. most recent code", show=False)
        for i in range(1, 10)
    ],
    _b("d,delete", "delete_coding", "Delete", "delete-coding", "Delete a coding on the selection"),
    _b("m", "memo", "Memo", "memo", "Write a memo on a coding here"),
    _b("v", "value", "Value", "value", "Change the value of a valued coding here"),
    _b("a", "accept", "Accept", "accept-suggestion", "Accept a suggestion on this sentence"),
    _b("x", "reject", "Reject", "reject-suggestion", "Reject a suggestion on this sentence"),
    _b("u", "undo", "Undo", "undo", "Undo the last change (saved at once)"),
    _b("ctrl+r,U", "redo", "Redo", "redo", "Redo the last undone change"),
    _b("slash", "search", "Search", "search", "Find text; enter jumps to the next match"),
    _b("n", "next_uncoded", "Uncoded", "next-uncoded", "Jump to the next sentence without a coding"),
    _b("M", "matrix", "Matrix", "matrix", "Code x interview matrix of counts", show=False),
    _b("O", "anchors", "Re-anchor", "review-anchors", "Review moved or orphaned codings", show=False),
    _b("R", "review", "Disagreements", "review-disagreements", "Review where another coder differs on this transcript", show=False),
    _b("V", "variables", "Variables", "variables", "Steunpunt variables with their evidence", show=False),
    _b("S", "suggest", "Suggest", "suggest", "Make suggestions for this transcript (spaCy, background)", show=False),
    _b("i", "focus('interviews-filter')", "Interviews", "focus-interviews", "Filter the interviews (down: the list)", show=False),
    _b("t", "focus('transcript')", "Transcript", "focus-transcript", "Go to the transcript", show=False),
    _b("b", "focus('codebook-tree')", "Codebook", "focus-codebook", "Go to the codebook tree", show=False),
    _b("question_mark", "help", "Keys", "help", "Show every key binding"),
    _b("q", "quit", "Quit", "quit", "Save the position and quit"),
]  # fmt: skip


def value_hint(spec: ValueSpec) -> str:
    if spec.type == "category":
        return "one of: " + ", ".join(spec.categories)
    lo = "" if spec.min is None else spec.min
    hi = "" if spec.max is None else spec.max
    return f"an integer {lo}..{hi}".rstrip(".") if (lo != "" or hi != "") else "an integer"


def value_problem(spec: ValueSpec) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        try:
            spec.parse(text)
        except ValueError as exc:
            return str(exc)
        return None

    return check


class CodeerApp(App[int]):
    """``codeer code``: code interviews with the keyboard, saved on every change."""

    CSS_PATH = Path(__file__).with_name("codeer.tcss")
    TITLE = "codeer"
    COMMANDS: ClassVar = {*App.COMMANDS, BindingsProvider}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        project: Project,
        coder: str,
        transcript_id: str | None = None,
        *,
        keymap_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.project = project
        self.codebook: Codebook = project.codebook
        self.coder = coder
        self.requested = transcript_id
        self.session: CodingSession | None = None
        self.recent: list[str] = []
        self.overall: dict[str, Counter[str]] = {}
        self.progress: dict[str, float] = {}
        self.last_search = ""
        self._position_dirty = False
        self.messages: list[str] = []  # every notification, for tests and the record
        self._learned: tuple[tuple[tuple[str, int, int], ...], Any] | None = None
        self.keymap_file = keymap_file or keymap_path()
        self.keymap: dict[str, str] = {}
        self.keymap_problem: str | None = None
        try:
            self.keymap = load_keymap(self.binding_ids(), self.keymap_file)
        except KeymapError as exc:
            self.keymap_problem = str(exc)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.messages.append(message)
        super().notify(message, **kwargs)

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        rows = [InterviewRow(t.id, t.case, t.role) for t in self.project.transcripts.values()]
        # kept as attributes: a query would search the modal screen on top, not this one
        self._view = TranscriptView(id="transcript")
        self._interviews = InterviewsPane(rows, id="interviews")
        self._codebook_pane = CodebookPane(self.codebook, id="codebook")
        self._title = Static("", id="title")
        self._here = Static("", id="here")
        self._status = Static("", id="status")
        with Horizontal(id="main"):
            yield self._interviews
            with Vertical(id="middle"):
                yield self._title
                yield self._view
                yield self._here
            yield self._codebook_pane
        yield self._status
        yield Footer()

    @property
    def view(self) -> TranscriptView:
        return self._view

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.keymap_problem:
            self.notify(f"key map not used: {self.keymap_problem}", severity="error", timeout=15)
        tid, sentence = load_position(self.project.paths.root, self.coder)
        if self.requested is not None:
            tid, sentence = (
                self.requested,
                sentence_in(self.project.paths.root, self.coder, self.requested),
            )
        if tid not in self.project.transcripts:
            tid, sentence = next(iter(sorted(self.project.transcripts)), None), 0
        if tid is not None:
            self.open_transcript(tid, sentence)
        self.view.focus()
        # after the first paint: the counting thread would otherwise compete for the GIL
        self.call_after_refresh(self.count_all)
        self.set_interval(2.0, self.check_disk)
        self.set_interval(1.5, self.save_position)

    # --- opening -----------------------------------------------------------------------------
    def open_transcript(self, tid: str, sentence: int = 0) -> bool:
        """Open a transcript; a very long one is read in a thread so the screen stays live."""
        transcript = self.project.transcripts.get(tid)
        files = [self.project.paths.codings_file(self.coder, tid)]
        if transcript is not None and transcript.path is not None:
            files.append(transcript.path)
        size = sum(p.stat().st_size for p in files if p.exists())
        if size > BIG_FILE:
            self._title.update(Text(f" loading {tid} ({size // 1024} KB) ...", style="italic"))
            # after the next paint: the thread would otherwise hold the GIL through it
            self.call_after_refresh(self.load_session, tid, sentence)
            return True
        try:
            session = CodingSession(self.project, self.coder, tid)
        except CodeerError as exc:
            self.notify(f"cannot open {tid}: {exc}", severity="error", timeout=20)
            return False
        self.install(session, sentence)
        return True

    @work(thread=True, exclusive=True, group="open")
    def load_session(self, tid: str, sentence: int) -> None:
        try:
            session = CodingSession(self.project, self.coder, tid)
        except CodeerError as exc:
            self.call_from_thread(
                self.notify, f"cannot open {tid}: {exc}", severity="error", timeout=20
            )
            return
        self.call_from_thread(self.install, session, sentence)

    def install(self, session: CodingSession, sentence: int = 0) -> None:
        if self.session is not None:
            self.save_position(force=True)
        tid = session.id
        self.session = session
        self.view.set_session(session, self.codebook, sentence)
        word = word_in(self.project.paths.root, self.coder, tid)
        if word is not None:  # the word cursor, when it is still on a word of that sentence
            self.view.put_word_cursor(word)
        self._interviews.set_current(tid)
        t = session.transcript
        title = Text()
        title.append(f" {t.id} ", style="bold reverse")
        title.append(f"  {t.case} · {t.role} · {t.meta.respondent}"[:100], style="dim")
        self._title.update(title, layout=False)
        self.refresh_counts()
        review = session.needs_review()
        if review:
            kinds = Counter(c.anchor for c in review)
            what = ", ".join(f"{n} {k}" for k, n in kinds.items())
            self.notify(
                f"{tid}: the transcript changed; codings {what}. Press O to review.",
                severity="warning",
                timeout=15,
            )
        self._position_dirty = True

    def on_interviews_pane_open(self, event: InterviewsPane.Open) -> None:
        if self.session is not None and self.session.id == event.transcript_id:
            self.view.focus()
            return
        self.save_position(force=True)
        start = sentence_in(self.project.paths.root, self.coder, event.transcript_id)
        if self.open_transcript(event.transcript_id, start):
            self.view.focus()

    # --- workers -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="count")
    def count_all(self) -> None:
        """Counts and progress of every interview for this coder (for panes and the matrix)."""
        from codeer.segmentation import segment

        overall: dict[str, Counter[str]] = {}
        progress: dict[str, float] = {}
        skip = {self.requested, self.session.id if self.session else None}
        for tid, t in self.project.transcripts.items():
            if tid in skip:  # the open session counts its own transcript
                progress[tid] = 0.0
                continue
            try:
                cf = self.project.store.load(self.coder, tid)
            except CodeerError:
                continue
            codings = cf.codings if cf is not None else []
            live = [c for c in codings if c.anchor != "orphaned"]
            overall[tid] = Counter(c.code for c in live)
            progress[tid] = coding_progress(segment(t), live) if cf is not None else 0.0
        self.call_from_thread(self._counted, overall, progress)

    def _counted(self, overall: dict[str, Counter[str]], progress: dict[str, float]) -> None:
        for tid in list(progress):
            if tid in self.progress and tid not in overall:  # skipped: keep what we know
                progress[tid] = self.progress[tid]
        if self.session is not None:  # the open session is newer than the worker's read
            overall[self.session.id] = self.session.code_counts()
            progress[self.session.id] = self.session.progress
        self.overall, self.progress = overall, progress
        self._interviews.set_progress(progress)
        self.refresh_counts()

    def total_counts(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.overall.values():
            total.update(counts)
        return total

    # --- status and side panes ---------------------------------------------------------------------
    def refresh_counts(self) -> None:
        s = self.session
        if s is None:
            return
        here = s.code_counts()
        self.overall[s.id] = here
        self.progress[s.id] = s.progress
        self._codebook_pane.set_counts(here, self.total_counts())
        self.update_status()
        self.update_here()

    def update_status(self) -> None:
        s = self.session
        if s is None:
            self._status.update(" no transcript open", layout=False)
            return
        saved = f"saved {s.saved_at}" if s.saved_at else "no changes yet"
        pending = len(s.pending_suggestions())
        review = len(s.needs_review())
        parts = [
            saved,
            f"{len(s.codings)} codings",
            f"{s.progress:.0%} of {len(s.sentences)} sentences coded",
            f"coder {self.coder}",
        ]
        if pending:
            parts.append(f"{pending} suggestions")
        if review:
            parts.append(f"{review} to re-anchor (O)")
        self._status.update(" " + " · ".join(parts), layout=False)

    def update_here(self) -> None:
        s = self.session
        if s is None or not s.sentences:
            return
        start, end = self.view.selection_span()
        text = Text()
        a, b = self.view.selection
        where = f"sentence {a + 1}" if a == b else f"sentences {a + 1}-{b + 1}"
        words = self.view.selected_words()
        if words:
            where = f"{words} word{'s' if words > 1 else ''} in {where}"
        text.append(f"{where}/{len(s.sentences)}: ", style="bold")
        codings = s.overlapping(start, end)
        if not codings:
            text.append("no codes", style="dim")
        for c in codings:
            text.append("■ ", style=self.codebook.colour(c.code))
            label = self.codebook[c.code].label if c.code in self.codebook else c.code
            text.append(label)
            if c.value is not None:
                text.append(f"={c.value}", style="bold")
            if c.memo:
                text.append(" ✎", style="yellow")
            text.append("  ")
        sugg = [x for x in s.pending_suggestions() if x.start < end and start < x.end]
        if sugg:
            text.append("\nsuggested: ", style="italic")
            for x in sugg:
                label = self.codebook[x.code].label if x.code in self.codebook else x.code
                if x.source == "learned" and x.score is not None:
                    label += f" (model {x.score:.2f})"  # learnt from the coder's codings
                text.append(f"{label}  ", style=f"italic {self.codebook.colour(x.code)}")
            text.append("(a accept · x reject)", style="dim")
        if self.recent:
            text.append("\nrecent: ", style="dim")
            for i, code in enumerate(self.recent[:9], 1):
                text.append(f"{i} ", style="bold")
                text.append(f"{self.codebook[code].label}  ", style=self.codebook.colour(code))
        self._here.update(text, layout=False)

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        self.update_here()
        self._position_dirty = True

    def save_position(self, force: bool = False) -> None:
        if (
            self.session is None
            or not (self._position_dirty or force)
            or not self._view.is_attached
        ):
            return
        self._position_dirty = False
        try:
            view = self.view
            word = view.word[0] if view.word is not None and view.word_anchor is None else None
            save_position(self.project.paths.root, self.coder, self.session.id, view.cursor, word)
        except CodeerError as exc:
            self.notify(f"cannot save the position: {exc}", severity="warning")

    def check_disk(self) -> None:
        """Another process (a second window of this coder) changed the file: show its version."""
        if self.session is None:
            return
        try:
            changed = self.session.sync()
        except CodeerError as exc:
            self.notify(str(exc), severity="error")
            return
        if changed:
            self.view.changed(None)
            self.refresh_counts()
            self.notify("codings changed on disk; reloaded")

    # --- changes ------------------------------------------------------------------------------------
    def change(
        self, fn: Callable[[CodingSession], Op | None], *, suggestions: bool = False
    ) -> Op | None:
        """Run one session change; errors become a message, the view repaints touched lines."""
        s = self.session
        if s is None:
            return None
        version, reloads = s.version, s.reloads
        try:
            op = fn(s)
        except CodeerError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            op = None
        if s.reloads != reloads:
            self.notify("codings had changed on disk; reloaded them first")
        if s.reloads != reloads or (op is None and suggestions):
            self.view.changed(None, suggestions=True)
        elif op is not None:
            self.view.changed(op.span, suggestions=suggestions)
        if s.version != version:
            self.refresh_counts()
            self._interviews.update_progress(s.id, s.progress)
        return op

    def _remember(self, code_id: str) -> None:
        if code_id in self.recent:
            self.recent.remove(code_id)
        self.recent.insert(0, code_id)
        del self.recent[9:]

    def apply_code(self, code_id: str, value: int | str | None = None) -> None:
        if self.session is None or not self.session.sentences:
            return
        spec = self.codebook[code_id].value
        if spec is not None and value is None:

            def got(text: str | None) -> None:
                if text is not None and spec is not None:
                    self.apply_code(code_id, spec.parse(text))

            self.push_screen(
                Prompt(
                    f"Value for {self.codebook[code_id].label}: {value_hint(spec)}",
                    check=value_problem(spec),
                ),
                got,
            )
            return
        start, end = self.view.selection_span()
        op = self.change(lambda s: s.apply(code_id, start, end, value=value))
        if op is not None:
            # the code tree is not moved to the code: its text would cost a layout pass
            self._remember(code_id)
            self.update_here()

    def action_apply_code(self) -> None:
        if self.session is None:
            return

        def picked(code_id: str | None) -> None:
            if code_id:
                self.apply_code(code_id)

        self.push_screen(CodePicker(self.codebook, self.total_counts()), picked)

    def action_apply_recent(self, n: int) -> None:
        if n <= len(self.recent):
            self.apply_code(self.recent[n - 1])
        else:
            self.notify(f"no recent code {n} yet", severity="warning")

    def codings_here(self, *, valued: bool = False) -> list[Coding]:
        if self.session is None or not self.session.sentences:
            return []
        start, end = self.view.selection_span()
        out = self.session.overlapping(start, end)
        if valued:
            out = [c for c in out if c.code in self.codebook and self.codebook[c.code].value]
        return out

    def choose_coding(
        self, verb: str, codings: list[Coding], then: Callable[[Coding], None]
    ) -> None:
        if not codings:
            self.notify(f"no coding here to {verb}", severity="warning")
            return
        if len(codings) == 1:
            then(codings[0])
            return
        by_id = {c.id: c for c in codings}
        items = [
            (c.id, f"{self.codebook[c.code].label if c.code in self.codebook else c.code} "
                   f"[dim]{c.code}[/dim]  {c.quote[:50]!r}")
            for c in codings
        ]  # fmt: skip

        def picked(coding_id: str | None) -> None:
            if coding_id in by_id:
                then(by_id[coding_id])

        self.push_screen(Chooser(f"Which coding to {verb}?", items), picked)

    def action_delete_coding(self) -> None:
        self.choose_coding("delete", self.codings_here(), lambda c: self._delete(c))

    def _delete(self, c: Coding) -> None:
        if self.change(lambda s: s.delete(c.id)):
            self.notify(f"deleted {c.code} (u undoes)")

    def action_memo(self) -> None:
        def write(c: Coding) -> None:
            def got(text: str | None) -> None:
                if text is not None:
                    self.change(lambda s: s.set_memo(c.id, text))

            self.push_screen(Prompt(f"Memo on {c.code}", c.memo or ""), got)

        self.choose_coding("annotate", self.codings_here(), write)

    def action_value(self) -> None:
        def edit(c: Coding) -> None:
            spec = self.codebook[c.code].value
            assert spec is not None

            def got(text: str | None) -> None:
                if text is not None:
                    self.change(lambda s: s.set_value(c.id, spec.parse(text)))

            self.push_screen(
                Prompt(
                    f"Value for {c.code}: {value_hint(spec)}",
                    "" if c.value is None else str(c.value),
                    check=value_problem(spec),
                ),
                got,
            )

        self.choose_coding("give a value", self.codings_here(valued=True), edit)

    def _suggestions_here(self, verb: str, then: Callable[[str], None]) -> None:
        s = self.session
        if s is None or not s.sentences:
            return
        start, end = self.view.selection_span()
        here = [x for x in s.pending_suggestions() if x.start < end and start < x.end]
        if not here:
            self.notify(f"no suggestion here to {verb}", severity="warning")
            return
        if len(here) == 1:
            then(here[0].id)
            return
        items = [(x.id, f"{self.codebook[x.code].label} [dim]{x.code}[/dim]") for x in here]
        self.push_screen(
            Chooser(f"Which suggestion to {verb}?", items), lambda i: then(i) if i else None
        )

    def action_accept(self) -> None:
        def accept(sid: str, value: int | str | None = None) -> None:
            s = self.session
            assert s is not None
            sugg = next(x for x in s.pending_suggestions() if x.id == sid)
            spec = self.codebook[sugg.code].value if sugg.code in self.codebook else None
            if spec is not None and value is None and sugg.value is None:

                def got(text: str | None) -> None:
                    if text is not None:
                        accept(sid, spec.parse(text))

                self.push_screen(
                    Prompt(f"Value for {sugg.code}: {value_hint(spec)}", check=value_problem(spec)),
                    got,
                )
                return
            op = self.change(lambda s: s.accept_suggestion(sid, value), suggestions=True)
            if op is not None:
                self._remember(sugg.code)
                self.update_here()

        self._suggestions_here("accept", accept)

    def action_reject(self) -> None:
        def reject(sid: str) -> None:
            self.change(lambda s: s.reject_suggestion(sid), suggestions=True)
            self.update_here()
            self.update_status()

        self._suggestions_here("reject", reject)

    def action_undo(self) -> None:
        op = self.change(lambda s: s.undo(), suggestions=True)
        if op is not None:
            self.notify(f"undone: {op.label}")
        elif self.session is not None and not self.session.undo_stack:
            self.notify("nothing to undo", severity="warning")

    def action_redo(self) -> None:
        op = self.change(lambda s: s.redo(), suggestions=True)
        if op is not None:
            self.notify(f"redone: {op.label}")
        elif self.session is not None and not self.session.redo_stack:
            self.notify("nothing to redo", severity="warning")

    def action_next_uncoded(self) -> None:
        if self.session is None or not self.session.sentences:
            return
        nxt = self.session.next_uncoded(self.view.cursor)
        if nxt is None:
            self.notify("every sentence has a coding")
        else:
            self.view.move_to(nxt)

    def action_search(self) -> None:
        def got(query: str | None) -> None:
            if query:
                self.last_search = query
                self.find(query)

        self.push_screen(Prompt("Search (enter finds the next match)", self.last_search), got)

    def find(self, query: str) -> bool:
        s = self.session
        if s is None or not s.sentences:
            return False
        q = query.casefold()
        n = len(s.sentences)
        for k in range(1, n + 1):
            i = (self.view.cursor + k) % n
            if q in s.sentences[i].text.casefold():
                self.view.move_to(i)
                return True
        self.notify(f"not found: {query}", severity="warning")
        return False

    # --- other views --------------------------------------------------------------------------------
    def action_matrix(self) -> None:
        from codeer.tui.screens.matrix import MatrixScreen

        self.push_screen(MatrixScreen(self.codebook, self.project, self.overall))

    def action_anchors(self) -> None:
        from codeer.tui.screens.anchors import AnchorsScreen

        if self.session is None:
            return
        if not self.session.needs_review():
            self.notify("no moved or orphaned codings in this transcript")
            return
        self.push_screen(AnchorsScreen(self))

    def action_review(self) -> None:
        from codeer.tui.screens.review import open_review

        open_review(self)

    def action_variables(self) -> None:
        from codeer.tui.screens.variables import VariablesScreen

        self.push_screen(VariablesScreen(self.project, self.coder))

    def action_suggest(self) -> None:
        if self.session is None:
            return
        self.notify("making suggestions (spaCy) in the background ...")
        self.suggest_worker(self.session.id)

    @work(thread=True, exclusive=True, group="suggest")
    def suggest_worker(self, tid: str) -> None:
        try:
            from codeer.nlp.suggestions import run_suggest

            result = run_suggest(self.project, self.coder, [tid], suggester=self._suggester())
        except CodeerError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        except ImportError as exc:
            self.call_from_thread(self.notify, f"suggestions need spaCy: {exc}", severity="error")
            return
        n = len(result[tid].pending()) if tid in result else 0
        self.call_from_thread(self._suggested, tid, n)

    def _suggester(self) -> Any:
        """Keywords plus what this coder's codings teach; retrained when a codings file changed
        (runs in the suggest worker)."""
        from codeer.nlp.learning import LearnedSuggester
        from codeer.nlp.suggestions import Suggester

        folder = self.project.paths.codings / self.coder
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        key = tuple((f.name, st.st_mtime_ns, st.st_size) for f in files for st in (f.stat(),))
        if self._learned is None or self._learned[0] != key:
            self.call_from_thread(self.notify, "learning from your codings ...")
            learned = LearnedSuggester(self.project, Suggester(self.codebook), self.coder)
            self._learned = (key, learned)
        return self._learned[1]

    def _suggested(self, tid: str, n: int) -> None:
        if self.session is not None and self.session.id == tid:
            self.session.reload_suggestions()
            self.view.changed(None, suggestions=True)
            self.update_status()
            self.update_here()
        self.notify(f"{n} suggestions pending for {tid}")

    # --- keys, help, palette ----------------------------------------------------------------------------
    @staticmethod
    def binding_ids() -> list[str]:
        """Every id a keymap.yaml may name (the screens' own keys included)."""
        from codeer.tui.screens.anchors import AnchorsScreen
        from codeer.tui.screens.matrix import MatrixScreen
        from codeer.tui.screens.review import ReviewScreen
        from codeer.tui.screens.variables import VariablesScreen

        bindings = [
            *APP_BINDINGS,
            *TranscriptView.BINDINGS,
            *CodePicker.BINDINGS,
            *Chooser.BINDINGS,
            *Prompt.BINDINGS,
            *HelpScreen.BINDINGS,
            *AnchorsScreen.BINDINGS,
            *MatrixScreen.BINDINGS,
            *VariablesScreen.BINDINGS,
            *ReviewScreen.BINDINGS,
        ]
        return [b.id for b in bindings if isinstance(b, Binding) and b.id]

    def binding_rows(self) -> list[tuple[str, str, str, DOMNode, str]]:
        """(keys, description, id, node, action) for every binding, with the user's keys."""
        rows: list[tuple[str, str, str, DOMNode, str]] = []
        pairs: list[tuple[DOMNode, list[BindingType]]] = [
            (self.view, TranscriptView.BINDINGS),
            (self, APP_BINDINGS),
        ]
        for node, bindings in pairs:
            for b in bindings:
                if isinstance(b, Binding) and b.id:
                    keys = self.keymap.get(b.id, b.key)
                    rows.append((keys, b.tooltip or b.description, b.id, node, b.action))
        return rows

    async def run_bound_action(self, action: str, node: DOMNode) -> None:
        await self.run_action(action, node)

    def action_help(self) -> None:
        rows = [
            (keys, desc, bid, "transcript" if node is not self else "everywhere")
            for keys, desc, bid, node, _ in self.binding_rows()
        ]
        self.push_screen(HelpScreen(rows, str(self.keymap_file)))

    async def action_quit(self) -> None:
        self.save_position(force=True)
        self.exit(0)
