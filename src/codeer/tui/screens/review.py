"""Review where two coders differ on the open transcript and decide each place into a consensus.

The rules (what counts as a disagreement, what a choice copies, the decision log) live in
``codeer.consensus``; this screen only lists the items and calls ``resolve``, which saves the
consensus coder's codings at once. The current coder is side ``a``, the other coder side ``b``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from codeer.consensus import DEFAULT_INTO, Disagreement
from codeer.errors import CodeerError

if TYPE_CHECKING:
    from codeer.codings import Coding
    from codeer.tui.app import CodeerApp

SIDES = ("a", "b")


def review_candidates(app: CodeerApp, into: str = DEFAULT_INTO) -> list[str]:
    """Other coders with codings on the open transcript (the consensus coder left out)."""
    s = app.session
    if s is None:
        return []
    return [
        c
        for c in app.project.store.coders()
        if c not in (app.coder, into) and s.id in app.project.store.coded_transcripts(c)
    ]


def open_review(app: CodeerApp, into: str = DEFAULT_INTO) -> None:
    """Open the review against the other coder of this transcript; ask which when several."""
    from codeer.tui.screens.pickers import Chooser

    s = app.session
    if s is None:
        return
    if s.id not in app.project.store.coded_transcripts(app.coder):
        app.notify(
            f"{app.coder} has no codings on {s.id} yet: nothing to compare",
            severity="warning",
        )
        return
    others = review_candidates(app, into)
    if not others:
        app.notify(
            f"no other coder has codings on {s.id}: a review needs two coders",
            severity="warning",
        )
        return
    if len(others) == 1:
        app.push_screen(ReviewScreen(app, others[0], into))
        return

    def picked(other: str | None) -> None:
        if other:
            app.push_screen(ReviewScreen(app, other, into))

    items = [(c, f"{app.coder} vs {c} → {into}") for c in others]
    app.push_screen(Chooser(f"Review {s.id} against which coder?", items), picked)


class ReviewScreen(ModalScreen[None]):
    """a/b keeps one coder's side, B both, n neither; enter jumps to the next undecided item."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide('a')", "Accept A", id="review-accept-a",
                tooltip="Keep the current coder's codings of this item in the consensus"),
        Binding("b", "decide('b')", "Accept B", id="review-accept-b",
                tooltip="Keep the other coder's codings of this item in the consensus"),
        Binding("B", "decide('both')", "Both", id="review-both",
                tooltip="Keep both coders' codings of this item"),
        Binding("n", "decide('neither')", "Neither", id="review-neither",
                tooltip="Keep no coding of this item"),
        Binding("enter", "next_undecided", "Next undecided", id="review-next", priority=True,
                tooltip="Move to the next item not decided yet"),
        Binding("g", "goto", "Show in transcript", id="review-goto",
                tooltip="Close and move the cursor to the item"),
        Binding("escape,q", "dismiss(None)", "Close", id="review-close", tooltip="Close the review"),
    ]  # fmt: skip

    def __init__(self, app: CodeerApp, other: str, into: str = DEFAULT_INTO) -> None:
        super().__init__()
        self.workbench = app
        self.coders = (app.coder, other)
        self.into = into
        self.transcript_id = app.session.id if app.session is not None else ""
        self.items: list[Disagreement] = []
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        a, b = self.coders
        with Vertical(id="review"):
            yield Label(
                f"Disagreements on {self.transcript_id}: a = {a}, b = {b}; "
                f"decisions are saved as coder {self.into}",
                id="review-title",
            )
            yield DataTable(id="review-table", cursor_type="row")
            yield Static("", id="review-text")
            with Horizontal(id="review-sides"):
                yield Static("", id="review-a")
                yield Static("", id="review-b")
            yield Label(
                "a: keep a's · b: keep b's · B: both · n: neither · "
                "enter: next undecided · g: show in transcript · esc: close",
                id="review-keys",
            )

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("#", "where", "code", "kind", "decision", "text")
        self.fill()
        table.focus()
        self.action_next_undecided(from_start=True)

    # --- the list ------------------------------------------------------------------------------
    def load(self) -> list[Disagreement]:
        from codeer.consensus import check_review_coders, disagreements

        project = self.workbench.project
        check_review_coders(project, self.coders, self.into)
        return disagreements(project, self.coders, self.transcript_id, into=self.into)

    def fill(self) -> None:
        """Recompute the items from the files on disk and show them, keeping the cursor's row."""
        table: DataTable[str] = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        try:
            self.items = self.load()
            self.problem = None
        except CodeerError as exc:
            self.items = []
            self.problem = str(exc)
            self.workbench.notify(f"cannot review: {exc}", severity="error", timeout=10)
        for n, d in enumerate(self.items, 1):
            decision = self._choice_label(d.decision) if d.decision else "—"
            table.add_row(
                str(n),
                self._where(d),
                d.code,
                d.label,
                decision,
                " ".join(d.text.split())[:60],
                key=d.id,
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._update_title()
        self.show_current()

    def _update_title(self) -> None:
        a, b = self.coders
        open_ = sum(d.decision is None for d in self.items)
        text = Text(f"Disagreements on {self.transcript_id}: a = {a}, b = {b} → {self.into}\n")
        if self.problem:
            text.append(self.problem, style="red")
        elif not self.items:
            text.append("no disagreements: the coders agree on this transcript")
        else:
            text.append(f"{len(self.items)} item(s), {open_} not decided")
        self.query_one("#review-title", Label).update(text)

    def _where(self, d: Disagreement) -> str:
        """The sentence number(s) as the workbench shows them (1-based)."""
        s = self.workbench.session
        rng = s.sentences_in(d.start, d.end) if s is not None and s.id == d.transcript else range(0)
        if not len(rng):
            return f"{d.start}-{d.end}"
        first, last = rng[0] + 1, rng[-1] + 1
        return f"s. {first}" if first == last else f"s. {first}-{last}"

    def _choice_label(self, choice: str) -> str:
        if choice in self.coders:
            return f"{SIDES[self.coders.index(choice)]} ({choice})"
        return choice

    def current(self) -> Disagreement | None:
        table: DataTable[str] = self.query_one(DataTable)
        if not table.row_count or not self.items:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    # --- the detail ----------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_current()

    def show_current(self) -> None:
        d = self.current()
        text_pane = self.query_one("#review-text", Static)
        if d is None:
            text_pane.update("")
            self.query_one("#review-a", Static).update("")
            self.query_one("#review-b", Static).update("")
            return
        codebook = self.workbench.codebook
        label = codebook[d.code].label if d.code in codebook else d.code
        head = Text()
        head.append(f"{label} ", style=f"bold {codebook.colour(d.code)}")
        head.append(f"{d.code} · {d.label}", style="dim")
        if d.decision:
            head.append(f" · decided: {self._choice_label(d.decision)}", style="bold")
        head.append("\n")
        head.append(d.text)
        text_pane.update(head)
        for side, coder, codings in zip(SIDES, self.coders, d.codings, strict=True):
            self.query_one(f"#review-{side}", Static).update(self._side(side, coder, codings))

    @staticmethod
    def _side(side: str, coder: str, codings: tuple[Coding, ...]) -> Text:
        out = Text()
        out.append(f"{side}: {coder}\n", style="bold reverse")
        if not codings:
            out.append("(no coding here)", style="italic dim")
        for c in codings:
            out.append(f"{c.code} {c.start}-{c.end}", style="bold")
            if c.value is not None:
                out.append(f" = {c.value}", style="bold")
            out.append("\n")
            out.append(f"{' '.join(c.quote.split())}\n")
            if c.memo:
                out.append(f"memo: {c.memo}\n", style="yellow")
        return out

    # --- actions -------------------------------------------------------------------------------
    def action_decide(self, side: str) -> None:
        from codeer.consensus import resolve

        d = self.current()
        if d is None:
            self.workbench.notify("nothing to decide here", severity="warning")
            return
        choice = self.coders[SIDES.index(side)] if side in SIDES else side
        try:
            resolve(self.workbench.project, d, choice, self.into)
        except CodeerError as exc:
            self.workbench.notify(str(exc), severity="error", timeout=10)
            return
        self.workbench.notify(f"{d.code} {d.start}-{d.end}: {self._choice_label(choice)} saved")
        self.fill()
        self.action_next_undecided()

    def action_next_undecided(self, from_start: bool = False) -> None:
        """The next item without a decision after the cursor (wrapping); stay when none."""
        table: DataTable[str] = self.query_one(DataTable)
        n = len(self.items)
        if not n:
            return
        here = -1 if from_start else table.cursor_row
        for k in range(1, n + 1):
            i = (here + k) % n
            if self.items[i].decision is None:
                table.move_cursor(row=i)
                return
        if not from_start:
            self.workbench.notify("every disagreement on this transcript is decided")

    def action_goto(self) -> None:
        d = self.current()
        s = self.workbench.session
        if d is None or s is None or s.id != d.transcript:
            return
        rng = s.sentences_in(d.start, d.end)
        if len(rng):
            self.workbench.view.move_to(rng[0])
        self.dismiss(None)
