"""A CHAID tree as an SVG picture, built as plain text: no plotting library needed.

Boxes show each node's n and the percentage of the target category (with a bar); under a
split node its variable and test; edges carry the category groups. Widths are estimated from
character counts, so the layout is deterministic and the same tree gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from codeer.chaid.results import Node, Split
    from codeer.chaid.tree import Tree

FONT_SIZE = 11
CHAR_W = 6.4  # average width of a character at FONT_SIZE in a sans-serif font
LINE_H = 14
BOX_MIN_W = 128.0
BOX_H = 66.0
PAD = 8.0
H_GAP = 18.0
SPLIT_H = 2 * LINE_H + 8  # the variable and its test under a split node
LABEL_LINES = 3  # an edge label wraps to at most this many lines
LABEL_CHARS = 30
LEVEL_H = BOX_H + SPLIT_H + 26 + LABEL_LINES * LINE_H + 10
MARGIN = 16.0
TITLE_H = 28.0


def format_p(p: float) -> str:
    """p as a report writes it: 0.012, 0.0012, 1.2e-04."""
    if p != p:
        return "nan"
    if p == 0:
        return "0"
    if p < 0.001:
        return f"{p:.1e}"
    if p < 0.01:
        return f"{p:.4f}"
    return f"{p:.3f}"


def split_test_text(split: Split) -> str:
    """'χ² = 63.90, df = 2, adj. p = 3.3e-13' (or F with both df for a scale target)."""
    from codeer.chaid.pvalues import Test

    if split.test is Test.F:
        stat = f"F = {split.statistic:.2f}, df = {split.df}, {split.df2}"
    else:
        name = "G²" if split.test is Test.LIKELIHOOD_RATIO else "χ²"
        stat = f"{name} = {split.statistic:.2f}, df = {split.df}"
    return f"{stat}, adj. p = {format_p(split.adjusted_p)}"


def node_share(tree: Tree, node: Node, code: int | None) -> float | None:
    """Percentage of the target class in the node (None for a scale target)."""
    if code is None or node.distribution is None:
        return None
    return 100.0 * node.distribution[code] / node.n if node.n else 0.0


def target_code(tree: Tree, target: Any = None) -> int | None:
    """The class whose share the boxes show: the given one, else 1/True, else the modal."""
    if not tree.classes:
        return None
    from codeer.analyses import target_class

    return int(target_class(tree, target).code)


def wrap(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """Greedy word wrap on spaces; the last line ends in '…' when text is left over."""
    words = text.split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    out = [line if len(line) <= width else line[: width - 1] + "…" for line in out]
    if len(out) > lines:
        last = out[lines - 1]
        out = [*out[: lines - 1], (last[: width - 1] if len(last) >= width else last) + "…"]
    return out


def _text_w(text: str) -> float:
    return len(text) * CHAR_W


@dataclass
class _Box:
    node: Node
    lines: list[str]
    split_lines: list[str]
    label_lines: list[str]
    own_w: float
    box_w: float
    width: float = 0.0
    x: float = 0.0
    y: float = 0.0


def _box_lines(tree: Tree, node: Node, code: int | None, target_label: str) -> list[str]:
    total = tree.root.n
    lines = [f"Node {node.id}", f"n = {node.n:.0f} ({100 * node.n / total if total else 0:.1f}%)"]
    share = node_share(tree, node, code)
    if share is not None:
        lines.append(f"{target_label}: {share:.1f}%")
    elif node.mean is not None:
        lines.append(f"mean = {node.mean:.2f}")
    return lines


def tree_svg(
    tree: Tree,
    *,
    target: Any = None,
    title: str | None = None,
    variable_labels: Mapping[str, str] | None = None,
) -> str:
    """The tree as a standalone SVG document (one <rect class="node"> per node)."""
    code = target_code(tree, target)
    target_label = "" if code is None else tree.classes[code].label
    labels = variable_labels or {}
    boxes: dict[int, _Box] = {}
    for node in tree.nodes:
        lines = _box_lines(tree, node, code, target_label)
        split_lines: list[str] = []
        if node.split is not None:
            var = node.split.variable
            head = var if var not in labels else f"{var}: {labels[var]}"
            split_lines = [wrap(head, 48, 1)[0], split_test_text(node.split)]
        label_lines = wrap(node.branch_label) if node.parent is not None else []
        box_w = max(BOX_MIN_W, *(_text_w(t) + 2 * PAD for t in lines))
        own_w = max(box_w, *(_text_w(t) for t in split_lines + label_lines), 0.0)
        boxes[node.id] = _Box(node, lines, split_lines, label_lines, own_w + H_GAP, box_w)

    def measure(node_id: int) -> float:
        box = boxes[node_id]
        kids = box.node.children
        box.width = max(box.own_w, sum(measure(k) for k in kids)) if kids else box.own_w
        return box.width

    top = MARGIN + (TITLE_H if title else 0.0)

    def place(node_id: int, left: float) -> None:
        box = boxes[node_id]
        box.y = top + box.node.depth * LEVEL_H
        kids = box.node.children
        if not kids:
            box.x = left + box.width / 2
            return
        total = sum(boxes[k].width for k in kids)
        cursor = left + (box.width - total) / 2
        for k in kids:
            place(k, cursor)
            cursor += boxes[k].width
        box.x = (boxes[kids[0]].x + boxes[kids[-1]].x) / 2

    width = max(measure(0), _text_w(title or "") * 1.25) + 2 * MARGIN
    place(0, MARGIN)
    height = top + tree.depth * LEVEL_H + BOX_H + MARGIN
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        "<style>"
        "rect.node{fill:#ffffff;stroke:#444444;stroke-width:1}"
        "rect.terminal{fill:#f4f7fb}"
        "rect.bar-bg{fill:#e6e6e6}rect.bar{fill:#3b78b5}"
        "line.edge{stroke:#777777;stroke-width:1}"
        "text.head{font-weight:bold}text.split{fill:#222222}text.branch{fill:#8a3b12}"
        "text.test{fill:#555555}"
        "</style>",
        f"<title>{escape(title or tree.target)}</title>",
    ]
    if title:
        parts.append(
            f'<text x="{MARGIN:.1f}" y="{MARGIN + 14:.1f}" font-size="{FONT_SIZE + 3}" '
            f'class="head">{escape(title)}</text>'
        )
    for node in tree.nodes:  # edges first, so boxes are drawn over them
        box = boxes[node.id]
        if node.parent is None:
            continue
        parent = boxes[node.parent]
        first = box.y - 6 - (len(box.label_lines) - 1) * LINE_H
        y0 = parent.y + BOX_H + SPLIT_H
        y1 = first - LINE_H + 2  # the edge ends above the label, which sits on the box
        parts.append(
            f'<line class="edge" x1="{parent.x:.1f}" y1="{y0:.1f}" x2="{box.x:.1f}" y2="{y1:.1f}"/>'
        )
        for i, line in enumerate(box.label_lines):
            parts.append(
                f'<text class="branch" x="{box.x:.1f}" y="{first + i * LINE_H:.1f}" '
                f'text-anchor="middle"><title>{escape(node.branch_label)}</title>'
                f"{escape(line)}</text>"
            )
    for node in tree.nodes:
        parts.extend(_node_svg(tree, boxes[node.id], code))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _node_svg(tree: Tree, box: _Box, code: int | None) -> list[str]:
    node = box.node
    left = box.x - box.box_w / 2
    kind = "node terminal" if node.is_terminal else "node"
    out = [
        f'<g id="node-{node.id}">',
        f'<rect class={quoteattr(kind)} x="{left:.1f}" y="{box.y:.1f}" '
        f'width="{box.box_w:.1f}" height="{BOX_H:.1f}" rx="4"/>',
    ]
    for i, line in enumerate(box.lines):
        cls = "head" if i == 0 else "body"
        out.append(
            f'<text class="{cls}" x="{box.x:.1f}" y="{box.y + 16 + i * LINE_H:.1f}" '
            f'text-anchor="middle">{escape(line)}</text>'
        )
    share = node_share(tree, node, code)
    if share is not None:
        bar_w = box.box_w - 2 * PAD
        bar_y = box.y + BOX_H - 12
        out.append(
            f'<rect class="bar-bg" x="{left + PAD:.1f}" y="{bar_y:.1f}" '
            f'width="{bar_w:.1f}" height="6"/>'
        )
        out.append(
            f'<rect class="bar" x="{left + PAD:.1f}" y="{bar_y:.1f}" '
            f'width="{bar_w * share / 100:.1f}" height="6"/>'
        )
    for i, line in enumerate(box.split_lines):
        cls = "split" if i == 0 else "test"
        out.append(
            f'<text class="{cls}" x="{box.x:.1f}" y="{box.y + BOX_H + 14 + i * LINE_H:.1f}" '
            f'text-anchor="middle">{escape(line)}</text>'
        )
    out.append("</g>")
    return out
