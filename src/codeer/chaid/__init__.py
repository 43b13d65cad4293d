"""CHAID and Exhaustive CHAID decision trees, as IBM SPSS's TREE procedure grows them.

Kass (1980); Biggs, de Ville and Suen (1991); IBM "CHAID and Exhaustive CHAID algorithms".
Usage::

    tree = grow_tree(df, "outcome", {"age": Level.SCALE, "region": Level.NOMINAL})
    tree.nodes[0].split, tree.predict(new_df), tree.gains("yes"), tree.to_dict()
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
