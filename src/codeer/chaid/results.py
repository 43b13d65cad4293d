"""What a grown tree reports: nodes, splits and the usual tables (risk, classification, gains).

Everything is a small frozen dataclass with to_dict() returning plain JSON-able values, so a
renderer (rich in the CLI, Textual in the app) and a JSON export read the same objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from codeer.chaid.bonferroni import MergeKind
from codeer.chaid.encoding import Category, jsonable
from codeer.chaid.pvalues import Test
from codeer.chaid.settings import Level


class StopReason(StrEnum):
    """Why a node was not split."""

    MAX_DEPTH = "max_depth"
    MIN_PARENT = "min_parent"
    PURE = "pure"
    CONSTANT = "constant_predictors"
    NOT_SIGNIFICANT = "not_significant"
    MIN_CHILD = "min_child"


def _finite(x: float) -> float | None:
    """JSON has no infinity: an infinite F (no within-group variance), a -inf log p or a
    multiplier beyond the float range is exported as null."""
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Split:
    """How a node was split: the predictor, its groups (one per child) and the test."""

    variable: str
    level: Level
    kind: MergeKind
    """Which merges were allowed; decides the Bonferroni multiplier."""
    groups: tuple[tuple[Category, ...], ...]
    """Each child's original categories (present in the node), in child order."""
    children: tuple[int, ...]
    test: Test
    statistic: float
    df: int
    df2: int | None
    """Error df of an F test; None for chi-square."""
    p_value: float
    adjusted_p: float
    log_p: float
    """Natural log of the raw p-value (finite where p_value underflows to 0)."""
    log_adjusted_p: float
    multiplier: float
    """Bonferroni multiplier B (1 when the adjustment is off)."""
    n_categories: int
    """I: categories of the predictor present in the node (missing included)."""
    forced: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "level": str(self.level),
            "kind": str(self.kind),
            "groups": [[c.to_dict() for c in group] for group in self.groups],
            "children": list(self.children),
            "test": str(self.test),
            "statistic": _finite(self.statistic),
            "df": self.df,
            "df2": self.df2,
            "p_value": self.p_value,
            "adjusted_p": self.adjusted_p,
            "log_p": _finite(self.log_p),
            "log_adjusted_p": _finite(self.log_adjusted_p),
            "multiplier": _finite(self.multiplier),
            "n_categories": self.n_categories,
            "forced": self.forced,
        }


@dataclass(frozen=True)
class Node:
    """One node. `branch` is the group of the parent's split variable that leads here."""

    id: int
    parent: int | None
    depth: int
    n: float
    """Weighted size (sum of frequency weights)."""
    n_cases: int
    """Unweighted number of rows."""
    distribution: tuple[float, ...] | None
    """Weighted count per target class (nominal target), in Tree.classes order."""
    mean: float | None
    """Weighted mean of a scale target."""
    sd: float | None
    """Weighted standard deviation (n - 1 denominator) of a scale target."""
    predicted: Any
    """Predicted class value (modal class, first on ties) or the mean."""
    predicted_label: str
    branch_variable: str | None
    branch: tuple[Category, ...]
    split: Split | None
    stop_reason: StopReason | None

    @property
    def is_terminal(self) -> bool:
        return self.split is None

    @property
    def children(self) -> tuple[int, ...]:
        return () if self.split is None else self.split.children

    @property
    def proportions(self) -> tuple[float, ...] | None:
        if self.distribution is None:
            return None
        return tuple(c / self.n if self.n else 0.0 for c in self.distribution)

    @property
    def branch_label(self) -> str:
        """The branch as people read it: labels joined; neighbouring bins as one range."""
        valued = [c for c in self.branch if not c.is_missing]
        if valued and all(c.is_bin for c in valued):
            lower, upper = valued[0].lower, valued[-1].upper
            if lower is None and upper is None:
                text = "all"
            elif lower is None:
                text = f"<= {upper:.6g}"
            elif upper is None:
                text = f"> {lower:.6g}"
            else:
                text = f"({lower:.6g}, {upper:.6g}]"
            if len(valued) < len(self.branch):
                text += "; missing"
            return text
        return "; ".join(c.label for c in self.branch)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent,
            "depth": self.depth,
            "n": self.n,
            "n_cases": self.n_cases,
            "distribution": None if self.distribution is None else list(self.distribution),
            "mean": self.mean,
            "sd": self.sd,
            "predicted": jsonable(self.predicted),
            "predicted_label": self.predicted_label,
            "branch_variable": self.branch_variable,
            "branch": [c.to_dict() for c in self.branch],
            "branch_label": self.branch_label,
            "split": None if self.split is None else self.split.to_dict(),
            "stop_reason": None if self.stop_reason is None else str(self.stop_reason),
        }


@dataclass(frozen=True)
class Risk:
    """Resubstitution risk: misclassification rate, or within-node variance for a scale target."""

    estimate: float
    std_error: float

    def to_dict(self) -> dict[str, Any]:
        return {"estimate": self.estimate, "std_error": self.std_error}


@dataclass(frozen=True)
class ClassificationTable:
    """Observed (rows) by predicted (columns) weighted counts on the growing data."""

    classes: tuple[Category, ...]
    counts: tuple[tuple[float, ...], ...]

    @property
    def percent_correct(self) -> float:
        total = sum(sum(r) for r in self.counts)
        right = sum(self.counts[i][i] for i in range(len(self.counts)))
        return 100.0 * right / total if total else 0.0

    def to_frame(self) -> pd.DataFrame:
        labels = [c.label for c in self.classes]
        frame = pd.DataFrame(self.counts, index=labels, columns=labels)
        frame.index.name, frame.columns.name = "observed", "predicted"
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": [c.to_dict() for c in self.classes],
            "counts": [list(r) for r in self.counts],
            "percent_correct": self.percent_correct,
        }


@dataclass(frozen=True)
class GainsRow:
    """One terminal node in the gains table (sorted by response, best first)."""

    node: int
    n: float
    node_percent: float
    gain: float
    """Weighted count of the target category in the node."""
    gain_percent: float
    """Share of all target-category cases that are in this node."""
    response_percent: float
    """Share of the node that is the target category."""
    index_percent: float
    """Response relative to the whole sample, x 100."""
    cum_n: float
    cum_node_percent: float
    cum_gain: float
    cum_gain_percent: float
    cum_response_percent: float
    cum_index_percent: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class GainsTable:
    """Gains for one target category, as SPSS's 'Gain Summary for Nodes'."""

    category: Category
    rows: tuple[GainsRow, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([r.to_dict() for r in self.rows])

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category.to_dict(), "rows": [r.to_dict() for r in self.rows]}
