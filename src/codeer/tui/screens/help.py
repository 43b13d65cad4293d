"""Every key binding with its id (for keymap.yaml), its keys and what it does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help-close", tooltip="Close the help"),
    ]  # fmt: skip

    def __init__(self, rows: list[tuple[str, str, str, str]], keymap_file: str) -> None:
        super().__init__()
        self.rows = rows
        self.keymap_file = keymap_file

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(
                f"Key bindings · remap them in {self.keymap_file} (id: keys) · ctrl+p searches them",
                id="help-title",
            )
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("keys", "action", "id", "where")
            for row in self.rows:
                table.add_row(*row)
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
