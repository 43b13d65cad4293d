"""Modal pickers: a code by id, label or keyword; one of several codings or suggestions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from codeer.codebook import Code, Codebook


def code_matches(code: Code, query: str) -> bool:
    """Every word of the query is in the id, the label or a keyword."""
    hay = " ".join((code.id, code.label, *code.keywords)).lower()
    return all(word in hay for word in query.lower().split())


class CodePicker(ModalScreen[str | None]):
    """Type to filter the codebook; enter picks the highlighted code."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker-cancel", tooltip="Close without choosing"),
        Binding("down", "move(1)", "Down", show=False, id="picker-down", tooltip="Next code"),
        Binding("up", "move(-1)", "Up", show=False, id="picker-up", tooltip="Previous code"),
    ]  # fmt: skip

    def __init__(self, codebook: Codebook, counts: dict[str, int] | None = None) -> None:
        super().__init__()
        self.codebook = codebook
        self.counts = counts or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(
                "Apply code: type an id, label or keyword; enter applies", id="picker-title"
            )
            yield Input(placeholder="filter codes", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        items = []
        for code in self.codebook:
            if query and not code_matches(code, query):
                continue
            indent = "  " * code.depth
            valued = " [value]" if code.value is not None else ""
            n = self.counts.get(code.id, 0)
            text = f"{indent}{code.label}  [dim]{code.id}{valued}[/dim]" + (f"  ({n})" if n else "")
            items.append(Option(text, id=code.id))
        options.add_options(items)
        if items:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class Chooser(ModalScreen[str | None]):
    """Choose one of a few items (which coding to delete, which suggestion to accept)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="chooser-cancel", tooltip="Close without choosing"),
    ]  # fmt: skip

    def __init__(self, title: str, items: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical(id="chooser"):
            yield Label(self.title_text, id="chooser-title")
            yield OptionList(*[Option(text, id=key) for key, text in self.items])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class Prompt(ModalScreen[str | None]):
    """One line of text; ``check`` returns an error message to keep the prompt open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="prompt-cancel", tooltip="Close without saving"),
    ]  # fmt: skip

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        placeholder: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self.title_text, id="prompt-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", id="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#prompt-error", Label).update(f"[red]{problem}[/red]")
            return
        self.dismiss(event.value)
