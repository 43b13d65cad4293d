"""The public entry point: grow_tree(df, target, predictors, settings) -> Tree."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from codeer.chaid.encoding import (
    Category,
    EncodedColumn,
    encode_categorical,
    encode_scale,
    jsonable,
)
from codeer.chaid.growing import Grower, TargetData
from codeer.chaid.results import (
    ClassificationTable,
    GainsRow,
    GainsTable,
    Node,
    Risk,
)
from codeer.chaid.settings import ChaidSettings, Level, TargetLevel
from codeer.errors import AnalysisError, UsageError

ValueLabels = Mapping[str, Mapping[Any, str]]


@dataclass(frozen=True)
class PredictorInfo:
    """A predictor as the tree saw it: its level and every category (bins for scale)."""

    name: str
    level: Level
    categories: tuple[Category, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": str(self.level),
            "categories": [c.to_dict() for c in self.categories],
        }


@dataclass(frozen=True, eq=False)
class Tree:
    """A grown CHAID tree. Nodes are numbered breadth first from 0 (the root), as in SPSS."""

    target: str
    target_level: TargetLevel
    classes: tuple[Category, ...]
    """Target classes in code order (empty for a scale target)."""
    predictors: tuple[PredictorInfo, ...]
    settings: ChaidSettings
    nodes: tuple[Node, ...]
    weight: str | None = None
    _encoders: Mapping[str, EncodedColumn] = field(default_factory=dict, repr=False)
    _routing: Mapping[int, np.ndarray] = field(default_factory=dict, repr=False)
    _moments: Mapping[int, tuple[float, float]] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Node:
        return self.nodes[0]

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id]

    @property
    def terminal_nodes(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.is_terminal)

    @property
    def depth(self) -> int:
        return max(n.depth for n in self.nodes)

    # -- prediction ------------------------------------------------------------------------

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """Node id and prediction for each row of new data (same columns as when grown).

        A case whose category the node never saw (a nominal value, or missing where the node
        had none) stops at that node and gets its prediction.
        """
        used = {n.split.variable for n in self.nodes if n.split is not None}
        absent = sorted(v for v in used if v not in df.columns)
        if absent:
            raise AnalysisError(
                f"cannot predict: column(s) {', '.join(absent)} missing",
                hint="pass a table with the predictors the tree was grown on",
            )
        codes = {name: self._encoders[name].encode(df[name]) for name in used}
        assigned = np.zeros(len(df), dtype=np.int64)
        stack: list[tuple[int, np.ndarray]] = [(0, np.arange(len(df)))]
        while stack:
            node_id, rows = stack.pop()
            node = self.nodes[node_id]
            if node.split is None or len(rows) == 0:
                assigned[rows] = node_id
                continue
            routing = self._routing[node_id]
            c = codes[node.split.variable][rows]
            position = np.where(c >= 0, routing[np.maximum(c, 0)], -1)
            assigned[rows[position < 0]] = node_id
            for pos, child in enumerate(node.split.children):
                stack.append((child, rows[position == pos]))
        predicted = [self.nodes[i].predicted for i in range(len(self.nodes))]
        out = pd.DataFrame({"node": assigned}, index=df.index)
        out["predicted"] = pd.Series(np.asarray(predicted, dtype=object)[assigned], index=df.index)
        return out

    # -- tables ----------------------------------------------------------------------------

    def risk(self) -> Risk:
        """Resubstitution risk (SPSS 'Risk' table) and its standard error."""
        leaves = self.terminal_nodes
        total = self.root.n
        if self.target_level is TargetLevel.NOMINAL:
            wrong = sum(n.n - max(n.distribution or (0.0,)) for n in leaves)
            r = wrong / total
            return Risk(r, math.sqrt(r * (1 - r) / total))
        # Within-node variance R = sum_t sum_i w (y - mean_t)^2 / N, with SPSS's standard
        # error sqrt((sum_t sum_i w (y - mean_t)^4 / N - R^2) / N).
        ss = sum(self._moments[n.id][0] for n in leaves)
        fourth = sum(self._moments[n.id][1] for n in leaves)
        r = ss / total
        return Risk(r, math.sqrt(max(0.0, fourth / total - r * r) / total))

    def classification_table(self) -> ClassificationTable:
        """Observed by predicted on the growing data (nominal target)."""
        if self.target_level is not TargetLevel.NOMINAL:
            raise AnalysisError("a classification table needs a nominal target")
        j = len(self.classes)
        counts = np.zeros((j, j))
        for leaf in self.terminal_nodes:
            assert leaf.distribution is not None
            predicted = int(np.argmax(leaf.distribution))
            counts[:, predicted] += leaf.distribution
        return ClassificationTable(self.classes, tuple(tuple(float(x) for x in r) for r in counts))

    def find_class(self, category: Any) -> Category:
        """A target class by value, label or code."""
        for c in self.classes:
            if c.value == category or c.label == category or jsonable(c.value) == category:
                return c
        raise AnalysisError(
            f"{category!r} is not a category of {self.target}",
            hint="one of: " + ", ".join(c.label for c in self.classes),
        )

    def gains(self, category: Any) -> GainsTable:
        """Gains per terminal node for one target category, best response first."""
        if self.target_level is not TargetLevel.NOMINAL:
            raise AnalysisError("a gains table for a category needs a nominal target")
        cls = self.find_class(category)
        total = self.root.n
        assert self.root.distribution is not None
        total_gain = self.root.distribution[cls.code]
        overall = total_gain / total if total else 0.0
        leaves = sorted(
            self.terminal_nodes,
            key=lambda n: (-(n.distribution[cls.code] / n.n) if n.n else 0.0, n.id),  # type: ignore[index]
        )
        rows = []
        cum_n = cum_gain = 0.0
        for leaf in leaves:
            assert leaf.distribution is not None
            gain = leaf.distribution[cls.code]
            cum_n += leaf.n
            cum_gain += gain
            response = gain / leaf.n if leaf.n else 0.0
            cum_response = cum_gain / cum_n if cum_n else 0.0
            rows.append(
                GainsRow(
                    node=leaf.id,
                    n=leaf.n,
                    node_percent=100 * leaf.n / total,
                    gain=gain,
                    gain_percent=100 * gain / total_gain if total_gain else 0.0,
                    response_percent=100 * response,
                    index_percent=100 * response / overall if overall else 0.0,
                    cum_n=cum_n,
                    cum_node_percent=100 * cum_n / total,
                    cum_gain=cum_gain,
                    cum_gain_percent=100 * cum_gain / total_gain if total_gain else 0.0,
                    cum_response_percent=100 * cum_response,
                    cum_index_percent=100 * cum_response / overall if overall else 0.0,
                )
            )
        return GainsTable(cls, tuple(rows))

    def node_table(self) -> pd.DataFrame:
        """One row per node: what SPSS's tree table shows (class counts as columns)."""
        total = self.root.n
        rows = []
        for node in self.nodes:
            split = node.split
            row: dict[str, Any] = {
                "node": node.id,
                "parent": node.parent,
                "depth": node.depth,
                "n": node.n,
                "percent": 100 * node.n / total if total else 0.0,
                "n_cases": node.n_cases,
                "predicted": node.predicted_label,
                "branch_variable": node.branch_variable,
                "branch": node.branch_label,
                "split_variable": None if split is None else split.variable,
                "statistic": None if split is None else split.statistic,
                "df": None if split is None else split.df,
                "df2": None if split is None else split.df2,
                "p_value": None if split is None else split.p_value,
                "adjusted_p": None if split is None else split.adjusted_p,
                "multiplier": None if split is None else split.multiplier,
                "stop_reason": None if node.stop_reason is None else str(node.stop_reason),
            }
            if node.distribution is not None:
                for cls, count in zip(self.classes, node.distribution, strict=True):
                    row[cls.label] = count
            else:
                row["mean"], row["sd"] = node.mean, node.sd
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "target": self.target,
            "target_level": str(self.target_level),
            "classes": [c.to_dict() for c in self.classes],
            "weight": self.weight,
            "predictors": [p.to_dict() for p in self.predictors],
            "settings": self.settings.to_dict(),
            "nodes": [n.to_dict() for n in self.nodes],
            "risk": self.risk().to_dict(),
        }
        if self.target_level is TargetLevel.NOMINAL:
            data["classification"] = self.classification_table().to_dict()
        return data


# -- building ---------------------------------------------------------------------------------


def _coerce_level(name: str, level: Level | str) -> Level:
    try:
        return Level(level)
    except ValueError:
        raise UsageError(
            f"predictor {name!r}: unknown measurement level {level!r}",
            hint="use nominal, ordinal, floating or scale",
        ) from None


def _check_columns(
    df: pd.DataFrame, target: str, predictors: Mapping[str, Level | str], weight: str | None
) -> None:
    if not isinstance(df, pd.DataFrame):
        raise UsageError("CHAID needs a pandas DataFrame")
    if df.shape[0] == 0:
        raise AnalysisError("the table is empty", hint="CHAID needs cases to grow a tree")
    if target not in df.columns:
        raise AnalysisError(
            f"outcome {target!r} is not a column of the table",
            hint=f"columns are: {', '.join(map(str, df.columns[:20]))}",
        )
    if not predictors:
        raise UsageError("CHAID needs at least one predictor")
    missing = [p for p in predictors if p not in df.columns]
    if missing:
        raise AnalysisError(
            f"predictor(s) {', '.join(map(repr, missing))} not in the table",
            hint=f"columns are: {', '.join(map(str, df.columns[:20]))}",
        )
    if target in predictors:
        raise UsageError(f"{target!r} is both the outcome and a predictor")
    if weight is not None and weight not in df.columns:
        raise AnalysisError(f"weight column {weight!r} is not in the table")


def _weights(df: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    w = pd.to_numeric(df[weight], errors="coerce").to_numpy(dtype=float)
    if (w < 0).any():
        raise AnalysisError(
            f"weight column {weight!r} has negative values",
            hint="frequency weights must be >= 0",
        )
    return w


def _encode_target(
    series: pd.Series, level: TargetLevel, labels: Mapping[Any, str] | None, name: str
) -> TargetData:
    if level is TargetLevel.NOMINAL:
        col = encode_categorical(name, series, Level.NOMINAL, labels)
        if len(col.categories) < 2:
            raise AnalysisError(
                f"outcome {name!r} is constant ({col.categories[0].label})",
                hint="CHAID needs an outcome with at least two categories",
            )
        return TargetData(level, col.codes, None, col.categories)
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise AnalysisError(f"scale outcome {name!r} has values that are not numbers")
    if np.nanmax(values) == np.nanmin(values):
        raise AnalysisError(
            f"outcome {name!r} is constant", hint="CHAID needs an outcome that varies"
        )
    offset = float(values.mean())
    return TargetData(level, None, values - offset, (), offset)


def grow_tree(
    df: pd.DataFrame,
    target: str,
    predictors: Mapping[str, Level | str],
    settings: ChaidSettings | None = None,
    *,
    target_level: TargetLevel | str = TargetLevel.NOMINAL,
    weight: str | None = None,
    value_labels: ValueLabels | None = None,
) -> Tree:
    """Grow a CHAID (or Exhaustive CHAID) tree.

    predictors maps column name to measurement level. Missing values are NaN/None: cases with
    a missing target (or a missing/zero weight) are left out; a missing predictor value is a
    category of its own (nominal) or a floating category (ordinal, scale). value_labels (as
    pyreadstat's meta.variable_value_labels) give categories their labels.
    """
    settings = settings or ChaidSettings()
    try:
        t_level = TargetLevel(target_level)
    except ValueError:
        raise UsageError(
            f"unknown target level {target_level!r}", hint="use nominal or scale"
        ) from None
    _check_columns(df, target, predictors, weight)
    levels = {name: _coerce_level(name, lvl) for name, lvl in predictors.items()}
    if settings.force is not None and settings.force not in levels:
        raise UsageError(f"forced predictor {settings.force!r} is not among the predictors")
    labels = value_labels or {}

    keep = np.array(df[target].notna().to_numpy(), dtype=bool)
    w_all = _weights(df, weight)
    if w_all is not None:
        keep &= ~np.isnan(w_all) & (w_all > 0)
    if not keep.any():
        raise AnalysisError(
            f"no case has a value for the outcome {target!r}"
            + (" and a positive weight" if weight else ""),
            hint="check the outcome column",
        )
    data = df if keep.all() else df.loc[keep]
    w = None if w_all is None else w_all[keep]

    target_data = _encode_target(data[target], t_level, labels.get(target), target)
    columns: list[EncodedColumn] = []
    for name, level in levels.items():
        series = data[name]
        if series.isna().all():
            raise AnalysisError(
                f"predictor {name!r} is missing for every case", hint="drop it from the analysis"
            )
        if level is Level.SCALE:
            col = encode_scale(name, series, settings.intervals, w)
        else:
            col = encode_categorical(
                name,
                series,
                level,
                labels.get(name),
                by_frequency=level is Level.NOMINAL,
                weights=w,
            )
        if col.n_codes < 2:
            raise AnalysisError(
                f"predictor {name!r} has one category ({col.categories[0].label})",
                hint="a constant predictor cannot split anything; drop it",
            )
        columns.append(col)

    grower = Grower(columns, target_data, w, settings)
    nodes = grower.grow()
    encoders = {c.name: _strip(c) for c in columns}
    return Tree(
        target=target,
        target_level=t_level,
        classes=target_data.classes,
        predictors=tuple(PredictorInfo(c.name, c.level, c.categories) for c in columns),
        settings=settings,
        nodes=tuple(nodes),
        weight=weight,
        _encoders=encoders,
        _routing=dict(grower.routing),
        _moments=dict(grower.moments),
    )


def _strip(col: EncodedColumn) -> EncodedColumn:
    """The column without its codes: what predict() needs, not the training data."""
    return EncodedColumn(
        col.name,
        col.level,
        np.zeros(0, dtype=np.int32),
        col.categories,
        col.missing_code,
        col.bins,
        col.lookup,
    )
