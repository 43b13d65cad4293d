"""Properties every CHAID tree must have, on random data (hypothesis)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from codeer.chaid import ChaidSettings, GroupTester, Level, Method, Tree, grow_tree
from codeer.chaid.bonferroni import MergeKind
from codeer.chaid.merging import Group, allowable_pairs, merge_chaid

LEVELS = [Level.NOMINAL, Level.ORDINAL, Level.FLOATING, Level.SCALE]


@st.composite
def problems(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, Level], ChaidSettings, bool]:
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(20, 400))
    n_pred = draw(st.integers(1, 3))
    n_classes = draw(st.integers(2, 4))
    levels = {f"p{i}": draw(st.sampled_from(LEVELS)) for i in range(n_pred)}
    df = pd.DataFrame(index=range(n))
    signal = np.zeros(n)
    for name, level in levels.items():
        if level is Level.SCALE:
            x = rng.normal(size=n).round(draw(st.integers(0, 2)))  # rounding makes ties
            signal += x
        else:
            k = draw(st.integers(2, 7))
            x = rng.integers(0, k, size=n).astype(float)
            signal += (x % 2) * draw(st.floats(0, 2))
        if draw(st.booleans()):
            x[rng.random(n) < 0.1] = np.nan
        df[name] = x
    y = np.floor((signal + rng.normal(size=n)) % n_classes).astype(int)
    weighted = draw(st.booleans())
    if weighted:
        df["w"] = rng.integers(1, 4, size=n).astype(float)
    df["y"] = y
    config = ChaidSettings(
        method=draw(st.sampled_from([Method.CHAID, Method.EXHAUSTIVE])),
        max_depth=draw(st.integers(1, 3)),
        min_parent=draw(st.sampled_from([0, 10, 40])),
        min_child=draw(st.sampled_from([0, 5, 20])),
        alpha_merge=draw(st.sampled_from([0.05, 0.2])),
        alpha_split=draw(st.sampled_from([0.05, 0.5])),
        split_merged=draw(st.booleans()),
    )
    return df, levels, config, weighted


def _grow(problem: tuple[pd.DataFrame, dict[str, Level], ChaidSettings, bool]) -> Tree | None:
    df, levels, config, weighted = problem
    if df["y"].nunique() < 2:
        return None
    usable = {k: v for k, v in levels.items() if df[k].nunique(dropna=False) >= 2}
    if not usable:
        return None
    return grow_tree(df, "y", usable, config, weight="w" if weighted else None)


def _members(tree: Tree, df: pd.DataFrame) -> dict[int, np.ndarray]:
    leaf = tree.predict(df)["node"].to_numpy()
    out = {n.id: np.zeros(len(df), dtype=bool) for n in tree.nodes}
    for node in tree.nodes:
        hit = leaf == node.id
        current: int | None = node.id
        while current is not None:
            out[current] |= hit
            current = tree.nodes[current].parent
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_tree_invariants(
    problem: tuple[pd.DataFrame, dict[str, Level], ChaidSettings, bool],
) -> None:
    tree = _grow(problem)
    if tree is None:
        return
    df, _, config, weighted = problem
    w = df["w"].to_numpy() if weighted else np.ones(len(df))
    members = _members(tree, df)
    event(f"{(len(tree.nodes) > 1 and 'split') or 'leaf only'}")
    classes = [c.value for c in tree.classes]
    for node in tree.nodes:
        rows = members[node.id]
        # predict() on the growing data puts every case where growing put it: the leaf sizes
        # and class counts it implies are the nodes' own.
        assert math.isclose(w[rows].sum(), node.n, rel_tol=1e-9)
        assert node.n_cases == rows.sum()
        assert node.distribution is not None
        for value, count in zip(classes, node.distribution, strict=True):
            assert math.isclose(w[rows & (df["y"] == value).to_numpy()].sum(), count, abs_tol=1e-9)
        split = node.split
        if split is None:
            continue
        # Adjusted p >= raw p, and B >= 1.
        assert split.adjusted_p >= split.p_value
        assert split.multiplier >= 1
        # Every split made is significant, also after a too-small child was joined (forced
        # splits excepted).
        if not split.forced:
            assert split.adjusted_p <= config.alpha_split * (1 + 1e-9)
        # Children partition the parent: sizes add up, categories are disjoint.
        kids = [tree.node(i) for i in split.children]
        assert len(kids) >= 2
        assert math.isclose(sum(k.n for k in kids), node.n, rel_tol=1e-9)
        codes = [c.code for g in split.groups for c in g]
        assert len(codes) == len(set(codes))
        union = np.zeros(len(df), dtype=bool)
        for kid in kids:
            assert not (union & members[kid.id]).any()
            union |= members[kid.id]
            # No child under the minimum size.
            assert kid.n >= config.min_child
        assert np.array_equal(union, rows)


@st.composite
def tables(draw: st.DrawFn) -> tuple[np.ndarray, MergeKind, int | None]:
    n_cat = draw(st.integers(2, 7))
    n_cls = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    base = rng.dirichlet(np.ones(n_cls) * 2, size=draw(st.integers(1, 3)))
    rows = []
    for _ in range(n_cat):
        profile = base[rng.integers(len(base))]
        rows.append(rng.multinomial(draw(st.integers(5, 120)), profile))
    kind = draw(st.sampled_from(list(MergeKind)))
    missing = n_cat - 1 if kind is MergeKind.FLOATING else None
    return np.array(rows, dtype=float), kind, missing


def _bipartitions(group: Group, kind: MergeKind, missing: int | None) -> list[tuple[Group, Group]]:
    if kind is MergeKind.NOMINAL:
        out = []
        for size in range(1, len(group)):
            for left in itertools.combinations(group, size):
                out.append((left, tuple(c for c in group if c not in left)))
        return out
    valued = [c for c in group if c != missing]
    cuts = [(tuple(valued[:t]), tuple(valued[t:])) for t in range(1, len(valued))]
    if missing is None or missing not in group:
        return cuts
    out = [((missing,), tuple(valued))] if valued else []
    for left, right in cuts:
        out += [((*left, missing), right), (left, (*right, missing))]
    return out


@settings(max_examples=200, deadline=None)
@given(tables(), st.sampled_from([0.01, 0.05, 0.2]))
def test_merging_stops_at_significance(
    problem: tuple[np.ndarray, MergeKind, int | None], alpha: float
) -> None:
    """CHAID without resplitting: (1) each merged group was formed by joining two allowable
    parts that do not differ at alpha_merge; (2) while more than two groups remain, every
    allowable pair of final groups differs at p <= alpha_merge."""
    table, kind, missing = problem
    tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
    config = ChaidSettings(alpha_merge=alpha)
    present = list(range(len(table)))
    groups = merge_chaid(present, kind, missing, tester, config)
    assert sorted(c for g in groups for c in g) == present
    for group in groups:
        if len(group) < 2:
            continue
        parts = _bipartitions(group, kind, missing)
        assert any(tester.pair(a, b).p_value > alpha for a, b in parts), group
    if len(groups) > 2:
        for i, j in allowable_pairs(groups, kind, missing):
            assert tester.pair(groups[i], groups[j]).p_value <= alpha


@settings(max_examples=60, deadline=None)
@given(st.integers(13, 30), st.integers(2, 4), st.integers(0, 2**31 - 1), st.booleans())
def test_matrix_merging_equals_pairwise_merging(
    n_cat: int, n_cls: int, seed: int, exhaustive: bool
) -> None:
    """Many nominal categories merge through a p-value matrix; it must match the plain loop."""
    from codeer.chaid import merging

    rng = np.random.default_rng(seed)
    profiles = rng.dirichlet(np.ones(n_cls), size=3)
    table = np.array(
        [rng.multinomial(rng.integers(5, 80), profiles[rng.integers(3)]) for _ in range(n_cat)],
        dtype=float,
    )
    present = list(range(n_cat))
    config = ChaidSettings()

    def run() -> list[Group]:
        tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
        if exhaustive:
            return merging.merge_exhaustive(present, MergeKind.NOMINAL, None, tester)
        return merge_chaid(present, MergeKind.NOMINAL, None, tester, config)

    fast = run()
    saved = merging._MATRIX_FROM
    merging._MATRIX_FROM = 10**6
    try:
        slow = run()
    finally:
        merging._MATRIX_FROM = saved
    assert fast == slow
