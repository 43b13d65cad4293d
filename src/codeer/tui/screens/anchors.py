"""Review codings that re-anchoring moved or could not place, and fix each one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

if TYPE_CHECKING:
    from codeer.tui.app import CodeerApp


class AnchorsScreen(ModalScreen[None]):
    """r re-anchors the highlighted coding to the transcript's selection, d deletes, k keeps."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "fix('reanchor')", "Re-anchor to selection", id="anchor-reanchor",
                tooltip="Attach the coding to the passage selected in the transcript"),
        Binding("d,delete", "fix('delete')", "Delete", id="anchor-delete", tooltip="Delete the coding"),
        Binding("k", "fix('keep')", "Keep", id="anchor-keep",
                tooltip="Confirm the new place (an orphan stays orphaned)"),
        Binding("g", "goto", "Show in transcript", id="anchor-goto",
                tooltip="Close and move the cursor to where the coding is now"),
        Binding("escape,q", "dismiss(None)", "Close", id="anchor-close", tooltip="Close the review"),
    ]  # fmt: skip

    def __init__(self, app: CodeerApp) -> None:
        super().__init__()
        self.workbench = app

    def compose(self) -> ComposeResult:
        start, end = self.workbench.view.selection_span()
        sel = self.workbench.session.body[start:end] if self.workbench.session else ""
        with Vertical(id="anchors"):
            yield Label(f"Selection in the transcript: {sel[:90]!r}")
            yield DataTable(id="anchors-table", cursor_type="row")
            yield Static("", id="anchors-detail")

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("status", "code", "was at", "now at", "quote")
        self.fill()
        table.focus()

    def fill(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.clear()
        s = self.workbench.session
        if s is None:
            return
        for c in s.needs_review():
            now = "—" if c.anchor == "orphaned" else f"{c.start}-{c.end}"
            old = next((r for r in s.anchor_results if r.coding.id == c.id), None)
            was = f"{old.old_start}-{old.old_end}" if old else "?"
            table.add_row(str(c.anchor), c.code, was, now, c.quote[:60], key=c.id)

    def _current(self) -> str | None:
        table: DataTable[str] = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        s = self.workbench.session
        cid = self._current()
        if s is None or cid is None:
            return
        c = s.get(cid)
        text = Text()
        text.append("quote as coded: ", style="bold")
        text.append(c.quote + "\n")
        if c.anchor != "orphaned":
            text.append("text there now: ", style="bold")
            text.append(s.body[c.start : c.end])
        else:
            text.append(
                "not found in the changed transcript; select its passage and press r",
                style="italic",
            )
        self.query_one("#anchors-detail", Static).update(text)

    def action_fix(self, how: str) -> None:
        cid = self._current()
        if cid is None:
            return
        app = self.workbench
        if how == "reanchor":
            start, end = app.view.selection_span()
            app.change(lambda s: s.reanchor_to(cid, start, end))
        elif how == "delete":
            app.change(lambda s: s.delete(cid))
        else:
            if app.change(lambda s: s.keep(cid)) is None:
                app.notify("an orphan stays orphaned (kept, left out of variables)")
        self.fill()
        if not self.query_one(DataTable).row_count:
            self.dismiss(None)

    def action_goto(self) -> None:
        s = self.workbench.session
        cid = self._current()
        if s is None or cid is None:
            return
        c = s.get(cid)
        if c.anchor != "orphaned":
            rng = s.sentences_in(c.start, c.end)
            if len(rng):
                self.workbench.view.move_to(rng[0])
        self.dismiss(None)
