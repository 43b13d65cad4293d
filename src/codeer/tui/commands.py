"""The command palette lists every key binding by its description (a Textual Provider)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from codeer.tui.app import CodeerApp


class BindingsProvider(Provider):
    """Search 'undo', 'memo', 'matrix' ... and run the action as if its key was pressed."""

    def _entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: CodeerApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, str, Callable[[], Any]]] = []
        for keys, description, binding_id, node, action in app.binding_rows():
            run = partial(app.run_bound_action, action, node)
            out.append((f"{description}  ({keys})", f"{binding_id}: {description}", run))
        return out

    async def discover(self) -> Hits:
        for text, help_text, run in self._entries():
            yield DiscoveryHit(text, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, run in self._entries():
            score = matcher.match(f"{text} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, help=help_text)
