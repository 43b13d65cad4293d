"""The codebook pane: the code tree with counts here / overall, and the highlighted code's text."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

if TYPE_CHECKING:
    from codeer.codebook import Code, Codebook


def rollup(codebook: Codebook, counts: Counter[str]) -> Counter[str]:
    """A coding of a child counts for each of its ancestors too."""
    out: Counter[str] = Counter()
    for code_id, n in counts.items():
        cid: str | None = code_id
        while cid is not None:
            out[cid] += n
            cid = cid.rsplit(".", 1)[0] if "." in cid else None
    return out


class CodebookPane(Vertical):
    def __init__(self, codebook: Codebook, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codebook = codebook
        self._here: Counter[str] = Counter()
        self._overall: Counter[str] = Counter()
        self.nodes: dict[str, TreeNode[str]] = {}
        self.shown: str | None = None

    def compose(self) -> ComposeResult:
        tree: Tree[str] = Tree(self.codebook.name or "codebook", id="codebook-tree")
        tree.show_root = False
        tree.guide_depth = 2
        self._add(tree.root, None)
        yield tree
        with VerticalScroll(id="code-details-scroll"):
            yield Static("", id="code-details")

    def on_mount(self) -> None:
        first = next(iter(self.codebook), None)
        if first is not None:
            self._details(first.id)

    def _add(self, parent: TreeNode[str], code_id: str | None) -> None:
        for code in self.codebook.children(code_id):
            node = parent.add(self._label(code), data=code.id, expand=code.depth == 0)
            if not code.children:
                node.allow_expand = False
            self.nodes[code.id] = node
            self._add(node, code.id)

    def _label(self, code: Code) -> Text:
        # counts first: a long label is cut at the pane's edge, the counts never are
        text = Text()
        text.append("■ ", style=self.codebook.colour(code.id))
        n, total = self._here.get(code.id, 0), self._overall.get(code.id, 0)
        text.append(f"{n}/{total} ", style="bold" if n else "dim")
        text.append(code.label)
        return text

    def set_counts(
        self, here: Counter[str] | None = None, overall: Counter[str] | None = None
    ) -> None:
        """Relabel only the codes whose counts changed."""
        old_here, old_overall = self._here, self._overall
        if here is not None:
            self._here = rollup(self.codebook, here)
        if overall is not None:
            self._overall = rollup(self.codebook, overall)
        for code_id, node in self.nodes.items():
            if old_here.get(code_id, 0) != self._here.get(code_id, 0) or old_overall.get(
                code_id, 0
            ) != self._overall.get(code_id, 0):
                node.set_label(self._label(self.codebook[code_id]))

    def show(self, code_id: str) -> None:
        node = self.nodes.get(code_id)
        if node is None or code_id == self.shown:
            return
        tree = self.query_one(Tree)
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        tree.move_cursor(node)
        self._details(code_id)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        if event.node.data:
            self._details(event.node.data)

    def _details(self, code_id: str) -> None:
        if code_id == self.shown:
            return  # a new text means a layout pass: only when the code changes
        self.shown = code_id
        code = self.codebook[code_id]
        text = Text()
        text.append(f"{code.label}\n", style=f"bold {self.codebook.colour(code_id)}")
        text.append(f"{code.id}\n", style="dim")
        if code.value is not None:
            spec = code.value
            what = (
                ", ".join(spec.categories)
                if spec.type == "category"
                else (
                    f"integer {spec.min if spec.min is not None else ''}..{spec.max if spec.max is not None else ''}"
                )
            )
            text.append(f"value: {what}\n", style="italic")
        for title, body in (
            ("Definition", code.definition),
            ("Include", code.include),
            ("Exclude", code.exclude),
            ("Example", code.example),
        ):
            if body:
                text.append(f"{title}: ", style="bold")
                text.append(body.strip() + "\n")
        if code.keywords:
            text.append("Keywords: ", style="bold")
            text.append(", ".join(code.keywords) + "\n", style="dim")
        self.query_one("#code-details", Static).update(text)
