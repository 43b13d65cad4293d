"""Code x interview matrix of counts for this coder (a coding of a child counts for its parent)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from codeer.tui.widgets.codebook_pane import rollup

if TYPE_CHECKING:
    from codeer.codebook import Codebook
    from codeer.project import Project


class MatrixScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,M", "dismiss(None)", "Close", id="matrix-close", tooltip="Close the matrix"),
    ]  # fmt: skip

    def __init__(
        self, codebook: Codebook, project: Project, counts: dict[str, Counter[str]]
    ) -> None:
        super().__init__()
        self.codebook = codebook
        self.project = project
        self.counts = counts

    def compose(self) -> ComposeResult:
        with Vertical(id="matrix"):
            yield Label(
                "Codings per code (rows) and interview (columns), children counted in their parents"
            )
            yield DataTable(id="matrix-table", zebra_stripes=True)

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        tids = sorted(self.project.transcripts, key=lambda t: (self.project.transcripts[t].case, t))
        table.add_column("code", key="code")
        table.add_column("total", key="total")
        for tid in tids:
            table.add_column(tid, key=tid)
        rolled = {tid: rollup(self.codebook, self.counts.get(tid, Counter())) for tid in tids}
        for code in self.codebook:
            cells = [rolled[tid].get(code.id, 0) for tid in tids]
            table.add_row(
                "  " * code.depth + code.label,
                str(sum(cells)),
                *[str(n) if n else "·" for n in cells],
                key=code.id,
            )
        table.fixed_columns = 2
        table.focus()
