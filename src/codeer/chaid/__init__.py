"""CHAID and Exhaustive CHAID decision trees, as IBM SPSS's TREE procedure grows them.

Kass (1980); Biggs, de Ville and Suen (1991); IBM "CHAID and Exhaustive CHAID algorithms".
Reproduces SPSS 27's tree on tree_credit.sav node for node (tests/test_chaid_oracle.py).

    tree = grow_tree(df, "outcome", {"age": Level.SCALE, "region": Level.NOMINAL}, settings)
    tree.nodes[0].split, tree.predict(new_df), tree.gains("yes"), tree.to_dict()

Choices where the IBM text leaves room (each checked against the SPSS oracle where it shows):
- Scale predictors: SPSS's NTILES rule, bin = floor(k R / (W + 1)) + 1, ties at mean rank.
- Minimum child size: after merging, a child under min_child joins its most similar allowed
  sibling; if that leaves one child, the next most significant predictor is tried (oracle
  nodes 5 and 7). The reported statistic, B and adjusted p are those of the final groups.
- Bonferroni I counts the categories present in the node (missing included); an ordinal or
  scale predictor whose node has missing values is treated as floating.
- Chi-square df drops target classes and groups that are empty in the table tested.
- Nominal predictor categories are ordered by descending frequency (SPSS's child order);
  ordinal ones by value. Node ids are breadth first, as SPSS numbers them.
- Exhaustive CHAID multipliers: IBM's closed forms (see bonferroni.py).
- p-values are compared on the log scale, so predictors stay ranked where p underflows.
- Weights are frequency weights (SPSS WEIGHT BY); sizes and counts are weighted. Unlike
  SPSS, non-integer weights are used as given rather than rounded to whole cases.
- predict(): a value the node never saw (a new nominal value, or missing where the node had
  none) stops at that node; ordered values between groups follow SPSS's interval rules.
"""

from codeer.chaid.binning import Bins, ntile_bins
from codeer.chaid.bonferroni import (
    MergeKind,
    chaid_multiplier,
    exhaustive_multiplier,
    stirling2,
)
from codeer.chaid.encoding import Category
from codeer.chaid.merging import GroupTester, MergeOutcome, merge_predictor
from codeer.chaid.pvalues import Test, TestResult, chi_square_test, f_test
from codeer.chaid.results import (
    ClassificationTable,
    GainsRow,
    GainsTable,
    Node,
    Risk,
    Split,
    StopReason,
)
from codeer.chaid.settings import ChaidSettings, ChiSquare, Level, Method, TargetLevel
from codeer.chaid.tree import PredictorInfo, Tree, grow_tree

__all__ = [
    "Bins",
    "Category",
    "ChaidSettings",
    "ChiSquare",
    "ClassificationTable",
    "GainsRow",
    "GainsTable",
    "GroupTester",
    "Level",
    "MergeKind",
    "MergeOutcome",
    "Method",
    "Node",
    "PredictorInfo",
    "Risk",
    "Split",
    "StopReason",
    "TargetLevel",
    "Test",
    "TestResult",
    "Tree",
    "chaid_multiplier",
    "chi_square_test",
    "exhaustive_multiplier",
    "f_test",
    "grow_tree",
    "merge_predictor",
    "ntile_bins",
    "stirling2",
]
