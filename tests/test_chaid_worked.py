"""Small CHAID examples worked out by hand; the arithmetic is in the comments.

For a 2x2 table [[a, b], [c, d]] the Pearson chi-square is N (ad - bc)^2 / (r1 r2 c1 c2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from codeer.chaid import ChaidSettings, GroupTester, Level, Method, grow_tree, merge_predictor
from codeer.chaid.bonferroni import MergeKind
from codeer.chaid.merging import merge_chaid, merge_exhaustive

# X has three categories; the target is A/B.
#        A   B   n
#   a   20  20  40
#   b   22  18  40
#   c    5  35  40
#      47  73  120
# Z has two categories, nearly independent of the target:
#   z1  24  36  60
#   z2  23  37  60
COUNTS = {"a": (20, 20), "b": (22, 18), "c": (5, 35)}


def _frame() -> pd.DataFrame:
    rows = []
    for x, (n_a, n_b) in COUNTS.items():
        rows += [(x, "A")] * n_a + [(x, "B")] * n_b
    df = pd.DataFrame(rows, columns=["x", "y"])
    # Z: the first 24 A rows and first 36 B rows are z1, the rest z2.
    rank = df.groupby("y").cumcount()
    df["z"] = np.where(
        ((df["y"] == "A") & (rank < 24)) | ((df["y"] == "B") & (rank < 36)), "z1", "z2"
    )
    return df


ONE_SPLIT = ChaidSettings(max_depth=1, min_parent=0, min_child=0)
# p of the final X split: chi2 = 196608000 / 10979200 = 17.9073 on 1 df, 2.3193e-5.
P_FINAL = float(stats.chi2.sf(196608000 / 10979200, 1))


def test_pair_chi_squares_by_hand() -> None:
    table = np.array([COUNTS["a"], COUNTS["b"], COUNTS["c"]], dtype=float)
    tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
    ab, ac, bc = tester.pairs([((0,), (1,)), ((0,), (2,)), ((1,), (2,))])
    # a-b: N=80, ad-bc = 20*18 - 20*22 = -80; 80 * 6400 / (40*40*42*38) = 512000/2553600
    assert ab.statistic == pytest.approx(512000 / 2553600, rel=1e-12)  # 0.2005
    assert ab.p_value == pytest.approx(0.65431655283232, rel=1e-9)
    # a-c: ad-bc = 20*35 - 20*5 = 600; 80 * 360000 / (40*40*25*55) = 28.8e6/2.2e6
    assert ac.statistic == pytest.approx(13.0909090909, rel=1e-9)
    # b-c: ad-bc = 22*35 - 18*5 = 680; 80 * 462400 / (40*40*27*53) = 36.992e6/2.2896e6
    assert bc.statistic == pytest.approx(36992000 / 2289600, rel=1e-12)  # 16.1565
    assert ab.df == ac.df == bc.df == 1


def test_merge_sequence_and_final_split_by_hand() -> None:
    df = _frame()
    tree = grow_tree(df, "y", {"x": Level.NOMINAL, "z": Level.NOMINAL}, ONE_SPLIT)
    split = tree.root.split
    assert split is not None
    # Merging X: the least different pair is a-b (p = 0.654 > 0.05), so a and b merge; two
    # groups remain and merging stops (CHAID never merges below two).
    assert split.variable == "x"
    assert sorted(sorted(c.value for c in g) for g in split.groups) == [["a", "b"], ["c"]]
    # Final table {a,b}: 42 A / 38 B, {c}: 5 A / 35 B, N = 120:
    # ad-bc = 42*35 - 38*5 = 1280; 120 * 1280^2 / (80*40*47*73) = 196608000 / 10979200
    assert split.statistic == pytest.approx(196608000 / 10979200, rel=1e-12)  # 17.9073
    assert split.df == 1
    assert split.p_value == pytest.approx(P_FINAL, rel=1e-9)
    # Nominal, I = 3 categories into r = 2 groups: S(3, 2) = 3 ways ({ab|c}, {ac|b}, {bc|a}).
    assert split.multiplier == 3
    assert split.adjusted_p == pytest.approx(3 * P_FINAL, rel=1e-9)
    # Z: ad-bc = 24*37 - 36*23 = 60; 120 * 3600 / (60*60*47*73) = 0.03498, p = 0.852, B = 1:
    # far less significant than X, so X splits.
    children = [tree.node(i) for i in split.children]
    assert sorted(c.n for c in children) == [40, 80]


def test_ordinal_multiplier_by_hand() -> None:
    df = _frame()
    tree = grow_tree(df, "y", {"x": Level.ORDINAL}, ONE_SPLIT)
    split = tree.root.split
    assert split is not None
    # Ordered a < b < c: allowable pairs a-b and b-c; a-b is still the least different, so the
    # grouping is the same, but B = C(I-1, r-1) = C(2, 1) = 2.
    assert split.multiplier == 2
    assert split.adjusted_p == pytest.approx(2 * P_FINAL, rel=1e-9)


def test_exhaustive_by_hand() -> None:
    # Exhaustive CHAID compares every grouping in the merge sequence:
    #  {a},{b},{c}: expected A = 40*47/120 = 15.667, B = 24.333 in every row;
    #    chi2 = 1.9703 + 4.2087 + 11.9382 = 18.1172, df 2, p = exp(-18.1172/2) = 1.164e-4
    #  {a,b},{c}:  chi2 = 17.9073, df 1, p = 2.319e-5   <- smaller: kept
    # B for a nominal predictor with I = 3 (IBM's closed form I(I^2-1)/2) = 3*8/2 = 12.
    table = np.array([COUNTS["a"], COUNTS["b"], COUNTS["c"]], dtype=float)
    tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
    assert tester.test([(0,), (1,), (2,)]).statistic == pytest.approx(18.11716, rel=1e-5)
    assert merge_exhaustive([0, 1, 2], MergeKind.NOMINAL, None, tester) == [(0, 1), (2,)]
    df = _frame()
    tree = grow_tree(
        df,
        "y",
        {"x": "nominal"},
        ChaidSettings(method=Method.EXHAUSTIVE, max_depth=1, min_parent=0, min_child=0),
    )
    split = tree.root.split
    assert split is not None
    assert split.multiplier == 12
    assert split.adjusted_p == pytest.approx(12 * P_FINAL, rel=1e-9)


def test_alpha_merge_one_keeps_every_category() -> None:
    table = np.array([COUNTS["a"], COUNTS["b"], COUNTS["c"]], dtype=float)
    tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
    groups = merge_chaid([0, 1, 2], MergeKind.NOMINAL, None, tester, ChaidSettings(alpha_merge=1.0))
    assert groups == [(0,), (1,), (2,)]
    outcome = merge_predictor([0, 1, 2], False, None, tester, ChaidSettings(alpha_merge=1.0))
    assert outcome is not None
    # r = I: B = 1; chi2 = 18.1172 on df 2 (the 3x2 table above).
    assert outcome.multiplier == 1
    assert outcome.test.df == 2


def test_scale_target_f_by_hand() -> None:
    # y by x: a = 1,2,3 (mean 2, SS 2), b = 2,3,4 (mean 3, SS 2), c = 7,8,9 (mean 8, SS 2).
    # Pair a-b: between = (3*3/6) * 1^2 = 1.5, within = 4, F = 1.5 / (4/4) = 1.5, df (1, 4),
    #   p = 0.288 > 0.05: merge. {a,b}: n 6, mean 2.5, SS = 2 + 2 + 1.5 = 5.5.
    # Final {a,b} vs {c}: grand mean 39/9; between = 6 (2.5 - 4.333)^2 + 3 (8 - 4.333)^2 = 60.5;
    #   within = 5.5 + 2 = 7.5; F = 60.5 / (7.5/7) = 56.4667, df (1, 7).
    df = pd.DataFrame(
        {"x": list("aaabbbccc"), "y": [1, 2, 3, 2, 3, 4, 7, 8, 9]},
    )
    tree = grow_tree(df, "y", {"x": Level.NOMINAL}, ONE_SPLIT, target_level="scale")
    split = tree.root.split
    assert split is not None
    assert sorted(sorted(c.value for c in g) for g in split.groups) == [["a", "b"], ["c"]]
    assert split.statistic == pytest.approx(60.5 / (7.5 / 7), rel=1e-12)
    assert (split.df, split.df2) == (1, 7)
    assert split.p_value == pytest.approx(stats.f.sf(60.5 / (7.5 / 7), 1, 7), rel=1e-9)
    assert split.multiplier == 3  # S(3, 2)
    means = sorted(tree.node(i).mean or 0.0 for i in split.children)
    assert means == pytest.approx([2.5, 8.0])
    assert tree.node(split.children[0]).sd is not None


def test_min_child_merges_small_group_into_most_similar() -> None:
    # Same X, but with min_child 45 no child of 40 is allowed. Merging gives {a,b} (80) and
    # {c} (40): c is too small and its only sibling is {a,b}, so everything merges and the
    # node stays a leaf... unless another predictor can split it: Z gives 60/60, but Z is
    # not significant (adjusted p 0.85 > 0.05). So the root is terminal for min_child.
    df = _frame()
    tree = grow_tree(
        df,
        "y",
        {"x": "nominal", "z": "nominal"},
        ChaidSettings(max_depth=1, min_parent=0, min_child=45),
    )
    assert tree.root.split is None
    assert tree.root.stop_reason == "min_child"
    # Forcing Z (whatever its significance) splits into 60/60.
    forced = grow_tree(
        df,
        "y",
        {"x": "nominal", "z": "nominal"},
        ChaidSettings(max_depth=1, min_parent=0, min_child=45, force="z"),
    )
    assert forced.root.split is not None and forced.root.split.forced
    assert [forced.node(i).n for i in forced.root.split.children] == [60, 60]
    assert forced.root.split.p_value == pytest.approx(0.8516477351954426, rel=1e-6)
    assert math.isclose(forced.root.split.statistic, 432000 / 12351600, rel_tol=1e-12)


def test_resplit_of_a_merged_category_by_hand() -> None:
    # SPLITMERGED: categories 0, 1, 2 pooled into one compound; 0 is 30 A / 10 B while 1 and
    # 2 are 10 A / 30 B each. The best binary cut of the compound is {0} | {1, 2}:
    # ad-bc = 30*60 - 10*20 = 1600; 120 * 1600^2 / (40*80*50*70) = 307.2e6 / 11.2e6 = 27.43,
    # p = 1.6e-7 <= 0.05, so the compound is split again there.
    from codeer.chaid.merging import _resplit

    table = np.array([[30, 10], [10, 30], [10, 30], [25, 25]], dtype=float)
    tester = GroupTester(table, scale_target=False, likelihood_ratio=False)
    assert tester.pair((0,), (1, 2)).statistic == pytest.approx(307.2e6 / 11.2e6, rel=1e-12)
    config = ChaidSettings(split_merged=True)
    groups = _resplit([(0, 1, 2), (3,)], MergeKind.NOMINAL, None, tester, config)
    assert sorted(groups) == [(0,), (1, 2), (3,)]
    # An ordinal compound can only be cut between neighbours: {0} | {1, 2} is such a cut.
    assert sorted(_resplit([(0, 1, 2), (3,)], MergeKind.ORDINAL, None, tester, config)) == [
        (0,),
        (1, 2),
        (3,),
    ]
    # With a strict enough threshold the compound stays whole.
    strict = ChaidSettings(split_merged=True, alpha_resplit=1e-9)
    assert _resplit([(0, 1, 2), (3,)], MergeKind.NOMINAL, None, tester, strict) == [
        (0, 1, 2),
        (3,),
    ]
