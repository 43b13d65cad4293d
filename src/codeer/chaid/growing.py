"""Growing the tree: breadth first (SPSS's node numbering), one bincount per predictor per node.

Each node holds the indices of its rows. For every predictor the node's contingency table
(category x target class, or category x (weight, mean, SS) for a scale target) is one
np.bincount over precomputed integer codes; merging and testing then only touch those small
tables, so the cost per level is a few passes over the data whatever the algorithm does.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from codeer.chaid.bonferroni import MergeKind
from codeer.chaid.encoding import Category, EncodedColumn, small_int_dtype
from codeer.chaid.merging import GroupTester, MergeOutcome, absorb_small, merge_predictor, price
from codeer.chaid.pvalues import Test
from codeer.chaid.results import Node, Split, StopReason
from codeer.chaid.settings import ChaidSettings, ChiSquare, TargetLevel


@dataclass
class TargetData:
    """The encoded target: class codes (nominal) or centred values (scale)."""

    level: TargetLevel
    codes: np.ndarray | None
    values: np.ndarray | None
    classes: tuple[Category, ...]
    offset: float = 0.0

    @property
    def n_classes(self) -> int:
        return len(self.classes)


@dataclass
class _Pending:
    id: int
    parent: int | None
    depth: int
    rows: np.ndarray | None  # None: every row (the root)
    branch_variable: str | None = None
    branch: tuple[Category, ...] = ()


class Grower:
    """Grows one tree over encoded columns; `grow()` returns nodes and routing tables."""

    def __init__(
        self,
        columns: list[EncodedColumn],
        target: TargetData,
        weights: np.ndarray | None,
        settings: ChaidSettings,
    ) -> None:
        self.columns = columns
        self.target = target
        self.weights = weights
        self.settings = settings
        self.n_rows = len(columns[0].codes) if columns else 0
        self.scale = target.level is TargetLevel.SCALE
        self.test = (
            Test.F
            if self.scale
            else Test.LIKELIHOOD_RATIO
            if settings.chi_square is ChiSquare.LIKELIHOOD_RATIO
            else Test.PEARSON
        )
        self._joint: list[np.ndarray] = []
        if not self.scale:
            assert target.codes is not None
            j = target.n_classes
            for col in columns:
                size = col.n_codes * j
                dtype = small_int_dtype(size)
                joint = col.codes.astype(dtype)
                joint *= j
                joint += target.codes
                self._joint.append(joint)
                # The joint codes hold the predictor codes too (joint // J): keep one copy.
                col.codes = np.empty(0, dtype=col.codes.dtype)
        self.routing: dict[int, np.ndarray] = {}
        self.moments: dict[int, tuple[float, float]] = {}  # scale target: node SS, sum dev^4
        self._index = np.int32 if self.n_rows < 2**31 else np.int64

    # -- per-node statistics ---------------------------------------------------------------

    def _take(self, array: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        return array if rows is None else array[rows]

    def _w(self, rows: np.ndarray | None) -> np.ndarray | None:
        return None if self.weights is None else self._take(self.weights, rows)

    def table(self, k: int, rows: np.ndarray | None) -> np.ndarray:
        """Category x class counts (or x (weight, mean, SS)) of predictor k in a node."""
        col = self.columns[k]
        w = self._w(rows)
        if not self.scale:
            j = self.target.n_classes
            flat = np.bincount(
                self._take(self._joint[k], rows), weights=w, minlength=col.n_codes * j
            )
            return flat.astype(float).reshape(col.n_codes, j)
        assert self.target.values is not None
        codes = self._take(col.codes, rows)
        y = self._take(self.target.values, rows)
        wt = np.ones(len(y)) if w is None else w
        total = np.bincount(codes, weights=wt, minlength=col.n_codes)
        sums = np.bincount(codes, weights=wt * y, minlength=col.n_codes)
        mean = np.divide(sums, total, out=np.zeros_like(sums), where=total > 0)
        ss = np.bincount(codes, weights=wt * (y - mean[codes]) ** 2, minlength=col.n_codes)
        return np.column_stack([total, mean, ss])

    def summary(self, rows: np.ndarray | None) -> dict[str, Any]:
        w = self._w(rows)
        n_cases = self.n_rows if rows is None else len(rows)
        if not self.scale:
            assert self.target.codes is not None
            dist = np.bincount(
                self._take(self.target.codes, rows), weights=w, minlength=self.target.n_classes
            ).astype(float)
            n = float(dist.sum())
            best = int(np.argmax(dist))
            cls = self.target.classes[best]
            return {
                "n": n,
                "n_cases": n_cases,
                "distribution": tuple(float(c) for c in dist),
                "mean": None,
                "sd": None,
                "predicted": cls.value,
                "predicted_label": cls.label,
                "pure": int((dist > 0).sum()) < 2,
            }
        assert self.target.values is not None
        y = self._take(self.target.values, rows)
        wt = np.ones(len(y)) if w is None else w
        n = float(wt.sum())
        mean_c = float((wt * y).sum() / n)
        dev2 = (y - mean_c) ** 2
        ss = float((wt * dev2).sum())
        sd = math.sqrt(ss / (n - 1)) if n > 1 else 0.0
        mean = mean_c + self.target.offset
        return {
            "n": n,
            "n_cases": n_cases,
            "distribution": None,
            "mean": mean,
            "sd": sd,
            "predicted": mean,
            "predicted_label": f"{mean:.6g}",
            "pure": ss <= 1e-12 * max(1.0, n * mean_c * mean_c),
            "ss": ss,
            "fourth": float((wt * dev2 * dev2).sum()),
        }

    # -- choosing a split ------------------------------------------------------------------

    def candidates(self, rows: np.ndarray | None) -> list[tuple[int, MergeOutcome, GroupTester]]:
        out = []
        for k, col in enumerate(self.columns):
            stats = self.table(k, rows)
            weight = stats[:, 0] if self.scale else stats.sum(axis=1)
            present = [int(c) for c in np.flatnonzero(weight > 0)]
            tester = GroupTester(stats, self.scale, self.test is Test.LIKELIHOOD_RATIO)
            outcome = merge_predictor(present, col.ordered, col.missing_code, tester, self.settings)
            if outcome is not None:
                out.append((k, outcome, tester))
        return out

    def fit_min_child(
        self, k: int, outcome: MergeOutcome, tester: GroupTester
    ) -> MergeOutcome | None:
        """Join children lighter than min_child to their most similar sibling; reprice."""
        missing = self.columns[k].missing_code if outcome.kind is MergeKind.FLOATING else None
        groups = absorb_small(
            outcome.groups, outcome.kind, missing, tester, self.settings.min_child
        )
        if len(groups) < 2:
            return None
        if tuple(groups) == outcome.groups:
            return outcome
        return price(groups, outcome.kind, outcome.n_categories, tester, self.settings)

    def choose(
        self, rows: np.ndarray | None, is_root: bool
    ) -> tuple[int, MergeOutcome, bool] | StopReason:
        cands = self.candidates(rows)
        if not cands:
            return StopReason.CONSTANT
        force = self.settings.force if is_root else None
        if force is not None:
            for k, outcome, tester in cands:
                if self.columns[k].name == force:
                    fitted = self.fit_min_child(k, outcome, tester)
                    return StopReason.MIN_CHILD if fitted is None else (k, fitted, True)
            return StopReason.CONSTANT
        log_alpha = math.log(self.settings.alpha_split)
        ranked = sorted(cands, key=lambda c: (c[1].log_adjusted_p, c[1].test.log_p, c[0]))
        saw_significant = False
        for k, outcome, tester in ranked:
            if outcome.log_adjusted_p > log_alpha:
                break
            saw_significant = True
            fitted = self.fit_min_child(k, outcome, tester)
            # joining a too-small child reprices the split; a grouping no longer significant
            # at alpha_split is not made (the next predictor is tried instead)
            if fitted is not None and fitted.log_adjusted_p <= log_alpha:
                return k, fitted, False
        return StopReason.MIN_CHILD if saw_significant else StopReason.NOT_SIGNIFICANT

    # -- the loop --------------------------------------------------------------------------

    def grow(self) -> list[Node]:
        settings = self.settings
        queue: deque[_Pending] = deque([_Pending(0, None, 0, None)])
        next_id = 1
        finished: dict[int, Node] = {}
        while queue:
            pending = queue.popleft()
            info = self.summary(pending.rows)
            split: Split | None = None
            reason: StopReason | None = None
            if info["pure"]:
                reason = StopReason.PURE
            elif pending.depth >= settings.max_depth:
                reason = StopReason.MAX_DEPTH
            elif info["n"] < settings.min_parent:
                reason = StopReason.MIN_PARENT
            else:
                choice = self.choose(pending.rows, pending.id == 0)
                if isinstance(choice, StopReason):
                    reason = choice
                else:
                    k, outcome, forced = choice
                    children = tuple(range(next_id, next_id + len(outcome.groups)))
                    next_id += len(children)
                    split = self._split(k, outcome, children, forced)
                    queue.extend(self._children(pending, k, outcome, children))
            if self.scale:
                self.moments[pending.id] = (info["ss"], info["fourth"])
            finished[pending.id] = Node(
                id=pending.id,
                parent=pending.parent,
                depth=pending.depth,
                n=info["n"],
                n_cases=info["n_cases"],
                distribution=info["distribution"],
                mean=info["mean"],
                sd=info["sd"],
                predicted=info["predicted"],
                predicted_label=info["predicted_label"],
                branch_variable=pending.branch_variable,
                branch=pending.branch,
                split=split,
                stop_reason=reason,
            )
        return [finished[i] for i in sorted(finished)]

    def _split(
        self, k: int, outcome: MergeOutcome, children: tuple[int, ...], forced: bool
    ) -> Split:
        col = self.columns[k]
        return Split(
            variable=col.name,
            level=col.level,
            kind=outcome.kind,
            groups=tuple(tuple(col.categories[c] for c in g) for g in outcome.groups),
            children=children,
            test=self.test,
            statistic=outcome.test.statistic,
            df=outcome.test.df,
            df2=outcome.test.df2,
            p_value=outcome.test.p_value,
            adjusted_p=outcome.adjusted_p,
            log_p=outcome.test.log_p,
            log_adjusted_p=outcome.log_adjusted_p,
            multiplier=_as_float(outcome.multiplier),
            n_categories=outcome.n_categories,
            forced=forced,
        )

    def _children(
        self, parent: _Pending, k: int, outcome: MergeOutcome, children: tuple[int, ...]
    ) -> list[_Pending]:
        col = self.columns[k]
        routing = build_routing(col, outcome.groups)
        self.routing[parent.id] = routing
        rows = parent.rows if parent.rows is not None else np.arange(self.n_rows, dtype=self._index)
        codes = col.codes[rows] if self.scale else self._joint[k][rows] // self.target.n_classes
        position = routing[codes]
        out = []
        for pos, (child_id, group) in enumerate(zip(children, outcome.groups, strict=True)):
            out.append(
                _Pending(
                    child_id,
                    parent.id,
                    parent.depth + 1,
                    rows[position == pos],
                    col.name,
                    tuple(col.categories[c] for c in group),
                )
            )
        return out


def _as_float(value: int) -> float:
    """A Bonferroni multiplier as a float; Stirling numbers of 200+ categories overflow."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def build_routing(col: EncodedColumn, groups: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """Child position for every code of the predictor; -1 where new data stops at the node.

    Codes absent from the node: for an ordered predictor they go where SPSS's interval rules
    send them (the group of the next higher present category, or the last group); for a nominal
    predictor, and for a missing category the node never saw, the case stays in the node.
    """
    routing = np.full(col.n_codes, -1, dtype=np.int16 if len(groups) < 2**15 else np.int64)
    for pos, group in enumerate(groups):
        routing[list(group)] = pos
    if col.ordered:
        valued = [c for c in range(col.n_codes) if c != col.missing_code]
        present = [c for c in valued if routing[c] >= 0]
        if present:
            for c in valued:
                if routing[c] < 0:
                    higher = [p for p in present if p > c]
                    routing[c] = routing[higher[0]] if higher else routing[present[-1]]
    return routing
