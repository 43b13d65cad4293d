"""The SVG picture of a tree: well-formed, one box per node, escaped labels, deterministic."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from codeer.chaid import ChaidSettings, Level, Tree, grow_tree
from codeer.treeplot import format_p, tree_svg, wrap

SVG = "{http://www.w3.org/2000/svg}"


def _tree(n: int = 900, *, depth: int = 3) -> Tree:
    rng = np.random.default_rng(5)
    group = rng.choice(np.array(["<alpha & co>", "beta", "gamma", "delta"]), n)
    x = rng.uniform(0, 40, n)
    p = np.where(np.isin(group, ["<alpha & co>", "beta"]), 0.6, 0.15) + np.where(x > 20, 0.2, 0)
    df = pd.DataFrame({"group": group, "x": x, "y": (rng.random(n) < p).astype(int)})
    return grow_tree(
        df,
        "y",
        {"group": Level.NOMINAL, "x": Level.SCALE},
        ChaidSettings(max_depth=depth),
        value_labels={"y": {0: "nee", 1: "ja"}},
    )


def _boxes(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "node" in (r.get("class") or "").split()]


def test_svg_is_well_formed_with_one_box_per_node() -> None:
    tree = _tree()
    assert len(tree.nodes) > 3
    svg = tree_svg(tree, title="y: ja", variable_labels={"group": "Groep <A>"})
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert len(_boxes(root)) == len(tree.nodes)
    ids = [g.get("id") for g in root.iter(f"{SVG}g")]
    assert ids == [f"node-{n.id}" for n in tree.nodes]
    terminal = [r for r in _boxes(root) if "terminal" in (r.get("class") or "")]
    assert len(terminal) == len(tree.terminal_nodes)
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert f"n = {tree.root.n:.0f} (100.0%)" in texts
    assert "<alpha & co>" in texts  # escaped in the file, intact once parsed
    assert "group: Groep <A>" in texts
    assert "χ² = " in texts and "adj. p = " in texts


def test_boxes_lie_inside_the_picture_and_do_not_overlap() -> None:
    tree = _tree()
    root = ET.fromstring(tree_svg(tree).encode("utf-8"))
    width, height = float(root.get("width") or 0), float(root.get("height") or 0)
    spans: dict[float, list[tuple[float, float]]] = {}
    for r in _boxes(root):
        x, y, w, h = (float(r.get(k) or 0) for k in ("x", "y", "width", "height"))
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height
        spans.setdefault(y, []).append((x, x + w))
    for row in spans.values():
        row.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(row))


def test_percentages_and_bars_follow_the_target() -> None:
    tree = _tree(depth=1)
    root = ET.fromstring(tree_svg(tree, target=0).encode("utf-8"))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert tree.root.distribution is not None
    share = 100 * tree.root.distribution[0] / tree.root.n
    assert f"nee: {share:.1f}%" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == len(tree.nodes)


def test_same_tree_same_bytes_and_single_node_tree() -> None:
    assert tree_svg(_tree()) == tree_svg(_tree())
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.integers(0, 2, 200), "y": rng.integers(0, 2, 200)})
    lone = grow_tree(df, "y", {"a": Level.NOMINAL}, ChaidSettings(alpha_split=1e-9))
    root = ET.fromstring(tree_svg(lone).encode("utf-8"))
    assert len(_boxes(root)) == 1


def test_scale_target_shows_the_mean() -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.integers(0, 2, 300)})
    df["y"] = df["a"] * 5 + rng.normal(size=300)
    tree = grow_tree(df, "y", {"a": Level.NOMINAL}, target_level="scale")
    root = ET.fromstring(tree_svg(tree).encode("utf-8"))
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "mean = " in texts and "F = " in texts
    assert len(_boxes(root)) == len(tree.nodes) == 3


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0123, "0.012"), (0.00123, "0.0012"), (0.000123, "1.2e-04"), (0.0, "0"), (1.0, "1.000")],
)
def test_format_p(p: float, text: str) -> None:
    assert format_p(p) == text


def test_wrap_keeps_to_width_and_line_count() -> None:
    text = "verblijfsvergunning; twee-sporentraject; buitenschuldvergunning; terugkeer naar huis"
    lines = wrap(text, 20, 3)
    assert len(lines) == 3 and all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap("kort") == ["kort"]
