"""codeer's CHAID against the PyPI `CHAID` package (Rambatino/CHAID, used only in tests).

Where both define the same thing the answers must agree: one split, no Bonferroni, no size
limits, alpha_merge 0.05, a nominal or ordinal predictor and a nominal target. Then both merge
the least different allowable pair while its p exceeds alpha_merge, so the final groups, the
chi-square, its df and the raw p-value must be identical.

Where codeer deliberately differs from the package (and follows IBM SPSS instead):

1. Bonferroni: the package never adjusts p-values; codeer does by default (ADJUST=BONFERRONI).
2. alpha_split: the package splits whenever merging ended with significantly different
   groups and picks the predictor with the smallest raw p; codeer compares Bonferroni-adjusted
   p-values with alpha_split (ALPHASPLIT).
3. Merging stops at two groups in codeer (Kass; IBM step 2); the package keeps merging down
   to one group and then reports no split. So when the last two groups do not differ, codeer
   still returns them (and lets alpha_split decide); the comparison below skips those cases.
4. Minimum child size: the package refuses merges that would leave the other groups too
   small, inside the merging loop; codeer merges as Kass does and then joins any child under
   MINCHILDSIZE to its most similar sibling, moving on to the next predictor if that leaves
   one child (SPSS; the oracle's nodes 5 and 7).
5. Scale target: the package tests variances (Bartlett / Levene), codeer the means (ANOVA F,
   as SPSS). Not compared.
6. Weights: the package treats weights as SPSS *case* weights (iteratively fitted expected
   counts); codeer treats them as frequency weights (counts), SPSS's WEIGHT BY. Not compared.
7. Ties: the package merges when p >= alpha_merge, codeer when p > alpha_merge (IBM's
   wording); equal p-values have probability zero here.
8. min_parent: the package splits a node when its size is > min_parent, codeer when >=.
9. Two categories whose pooled table has a single target class (both all "no", say) have
   no test at all: codeer gives them p = 1 and merges them first, as identical categories;
   the package stops merging at such a pair and reports the unmerged grouping as the split
   (found by the property test below). Such data are skipped.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from codeer.chaid import ChaidSettings, Level, grow_tree

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    CHAID = pytest.importorskip("CHAID")

SAME = ChaidSettings(max_depth=1, min_parent=0, min_child=0, bonferroni=False, alpha_split=0.999999)


@st.composite
def one_predictor(draw: st.DrawFn) -> tuple[pd.DataFrame, str]:
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    k = draw(st.integers(3, 7))
    n_classes = draw(st.integers(2, 4))
    profiles = rng.dirichlet(np.ones(n_classes), size=draw(st.integers(1, 3)))
    which = rng.integers(len(profiles), size=k)
    sizes = rng.integers(20, 150, size=k)
    xs, ys = [], []
    for cat in range(k):
        ys.append(rng.choice(n_classes, size=sizes[cat], p=profiles[which[cat]]))
        xs.append(np.full(sizes[cat], cat))
    df = pd.DataFrame({"x": np.concatenate(xs), "y": np.concatenate(ys)})
    return df, draw(st.sampled_from(["nominal", "ordinal"]))


def _degenerate_pair(df: pd.DataFrame) -> bool:
    """Some two categories together show only one target class (difference 9)."""
    classes = df.groupby("x")["y"].agg(lambda s: frozenset(s.unique()))
    singles = [c for c in classes if len(c) == 1]
    return len(singles) != len(set(singles))


def _package_split(df: pd.DataFrame, level: str):  # type: ignore[no-untyped-def]
    tree = CHAID.Tree.from_pandas_df(
        df,
        {"x": level},
        "y",
        alpha_merge=0.05,
        max_depth=1,
        min_parent_node_size=0,
        min_child_node_size=0,
    )
    return tree.tree_store[0].split


@settings(max_examples=80, deadline=None)
@given(one_predictor())
def test_groupings_agree_with_package(problem: tuple[pd.DataFrame, str]) -> None:
    df, level = problem
    if df["y"].nunique() < 2:
        return
    theirs = _package_split(df, level)
    ours = grow_tree(df, "y", {"x": Level(level)}, SAME).root.split
    event("package split valid" if theirs.valid() else "package: no split")
    if _degenerate_pair(df):
        return
    if not theirs.valid():
        # The package merged everything (difference 3) or found nothing; codeer keeps two
        # groups that do not differ at alpha_merge.
        return
    assert ours is not None
    our_groups = {frozenset(int(c.value) for c in g) for g in ours.groups}
    their_groups = {frozenset(int(v) for v in g) for g in theirs.splits}
    assert our_groups == their_groups
    if df.groupby("x")["y"].nunique().min() == df["y"].nunique():
        # Every class present in every group: the same table, so the same statistic.
        event("statistic compared")
        assert ours.statistic == pytest.approx(theirs.score, rel=1e-9)
        assert ours.df == theirs.dof
        assert ours.p_value == pytest.approx(theirs.p, rel=1e-7)


def test_known_grouping_agrees() -> None:
    """A fixed case: five categories with success rates .2 .25 .6 .62 .9 (seeded)."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, 600)
    y = (rng.random(600) < np.array([0.2, 0.25, 0.6, 0.62, 0.9])[x]).astype(int)
    df = pd.DataFrame({"x": x, "y": y})
    for level in ("nominal", "ordinal"):
        ours = grow_tree(df, "y", {"x": Level(level)}, SAME).root.split
        assert ours is not None
        assert {frozenset(int(c.value) for c in g) for g in ours.groups} == {
            frozenset({0, 1}),
            frozenset({2, 3}),
            frozenset({4}),
        }
        theirs = _package_split(df, level)
        assert ours.statistic == pytest.approx(theirs.score, rel=1e-12)
        assert ours.df == theirs.dof == 2
