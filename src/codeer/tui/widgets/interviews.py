"""The interviews pane: transcripts grouped by steunpunt (case), with role and coding progress."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class InterviewRow:
    id: str
    case: str
    role: str


class InterviewsPane(Vertical):
    """Type in the filter to narrow the list (id, case or role); enter opens an interview."""

    class Open(Message):
        def __init__(self, transcript_id: str) -> None:
            super().__init__()
            self.transcript_id = transcript_id

    def __init__(self, rows: list[InterviewRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = sorted(rows, key=lambda r: (r.case.lower(), r.role != "steunpunt", r.id))
        self.progress: dict[str, float] = {}
        self.current: str | None = None
        self.filter = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter interviews", id="interviews-filter")
        yield OptionList(id="interviews-list")

    def on_mount(self) -> None:
        self.refill()

    def refill(self) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else self.current
        options.clear_options()
        words = self.filter.lower().split()
        items: list[Option] = []
        case = None
        for row in self.rows:
            hay = f"{row.id} {row.case} {row.role}".lower()
            if words and not all(w in hay for w in words):
                continue
            if row.case != case:
                case = row.case
                items.append(Option(f"[b]{case}[/b]", disabled=True))
            items.append(Option(self._prompt(row), id=row.id))
        options.add_options(items)
        for i, opt in enumerate(items):
            if opt.id == keep:
                options.highlighted = i
                break

    def _prompt(self, row: InterviewRow, progress: float | None = None) -> str:
        p = self.progress.get(row.id) if progress is None else progress
        pct = f"{p:>4.0%}" if p is not None else "   ·"
        mark = "▶" if row.id == self.current else " "
        role = {"steunpunt": "sp", "gemeente": "gem"}.get(row.role, row.role[:3])
        return f"{mark}{row.id:<14.14}{role:>4}{pct:>5}"

    def update_progress(self, transcript_id: str, progress: float) -> None:
        """One interview's progress changed: rewrite its row only, and only when the shown
        percentage changes (a repaint of the list costs more than the coding it follows)."""
        old = self.progress.get(transcript_id)
        if old == progress:
            return
        self.progress[transcript_id] = progress
        row = next((r for r in self.rows if r.id == transcript_id), None)
        if row is None:
            return
        prompt = self._prompt(row)
        if old is not None and self._prompt(row, old) == prompt:
            return
        options = self.query_one(OptionList)
        if any(o.id == transcript_id for o in options.options):
            options.replace_option_prompt(transcript_id, prompt)

    def set_progress(self, progress: dict[str, float]) -> None:
        self.progress.update(progress)
        self.refill()

    def set_current(self, transcript_id: str) -> None:
        self.current = transcript_id
        self.refill()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter = event.value
        self.refill()

    def on_key(self, event: events.Key) -> None:
        """Down from the filter goes into the list."""
        if event.key == "down" and isinstance(self.screen.focused, Input):
            event.stop()
            self.query_one(OptionList).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        first = next((o for o in options.options if o.id is not None), None)
        if first is not None and first.id is not None:
            self.post_message(self.Open(first.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Open(event.option.id))
