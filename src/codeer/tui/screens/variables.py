"""The steunpunt variable table, derived in a worker thread, with each value's evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from codeer.errors import CodeerError

if TYPE_CHECKING:
    from codeer.project import Project


class VariablesScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,V", "dismiss(None)", "Close", id="variables-close", tooltip="Close the table"),
    ]  # fmt: skip

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.derivation: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="variables"):
            yield Label(
                f"Steunpunt variables from the codings of {self.coder} (deriving ...)",
                id="variables-title",
            )
            yield DataTable(id="variables-table")
            yield Static("Move over a value to see its evidence.", id="variables-detail")

    def on_mount(self) -> None:
        self.derive()

    @work(thread=True, exclusive=True)
    def derive(self) -> None:
        try:
            from codeer.variables import derive_variables

            derivation = derive_variables(self.project, self.coder)
        except CodeerError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except ImportError as exc:
            self.app.call_from_thread(self._failed, f"variables are not available: {exc}")
            return
        self.app.call_from_thread(self._show, derivation)

    def _failed(self, message: str) -> None:
        self.query_one("#variables-title", Label).update(f"[red]{message}[/red]")

    def _show(self, derivation: Any) -> None:
        self.derivation = derivation
        self.query_one("#variables-title", Label).update(
            f"Steunpunt variables from the codings of {self.coder}: "
            f"{len(derivation.conflicts)} conflicts, {len(derivation.missing)} missing"
        )
        table: DataTable[str] = self.query_one(DataTable)
        self.variables = list(derivation.kinds)
        self.steunpunten = list(derivation.values)
        table.add_column("steunpunt", key="steunpunt")
        for var in self.variables:
            table.add_column(var, key=var)
        for sp in self.steunpunten:
            cells = []
            for var in self.variables:
                v = derivation.value(sp, var)
                cells.append("·" if v is None else str(v))
            table.add_row(sp, *cells, key=sp)
        table.fixed_columns = 1
        table.focus()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.derivation is None:
            return
        row, col = event.coordinate.row, event.coordinate.column
        if col == 0 or row >= len(self.steunpunten):
            return
        sp, var = self.steunpunten[row], self.variables[col - 1]
        text = Text()
        label = self.derivation.variable_labels.get(var, var)
        text.append(f"{sp} · {label} = {self.derivation.value(sp, var)}\n", style="bold")
        evidence = self.derivation.evidence(sp, var)
        for m in self.derivation.missing_for(sp, var):
            text.append(f"missing: {m.reason}\n", style="italic")
        for c in self.derivation.conflicts_for(sp, var):
            text.append(f"conflict ({c.kind}): {c.resolution}\n", style="yellow")
        for e in evidence[:8]:
            text.append(f"{e.transcript} [{e.basis}] {e.code}: ", style="dim")
            text.append(f"{e.quote[:100]}\n")
        if len(evidence) > 8:
            text.append(f"... and {len(evidence) - 8} more\n", style="dim")
        self.query_one("#variables-detail", Static).update(text)
