"""The CHAID API: bad input, prediction, weights, binning, missing values and the tables."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from codeer.chaid import (
    ChaidSettings,
    ChiSquare,
    Level,
    MergeKind,
    StopReason,
    Tree,
    grow_tree,
    ntile_bins,
)
from codeer.errors import AnalysisError, CodeerError, UsageError


def _data(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["noord", "oost", "zuid", "west"], size=n)
    age = rng.normal(45, 12, size=n).round(1)
    income = rng.integers(1, 4, size=n).astype(float)
    logit = (region == "zuid") * 1.5 + (age > 50) * 1.0 + (income == 3) * 0.8 - 1.2
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "ja", "nee")
    return pd.DataFrame({"region": region, "age": age, "income": income, "y": y})


PREDICTORS = {"region": Level.NOMINAL, "age": Level.SCALE, "income": Level.ORDINAL}
SMALL = ChaidSettings(min_parent=50, min_child=20)


@pytest.fixture(scope="module")
def tree() -> Tree:
    return grow_tree(_data(), "y", PREDICTORS, SMALL)


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "target", "predictors", "error", "words"),
    [
        (lambda d: d, "nope", PREDICTORS, AnalysisError, "outcome 'nope' is not a column"),
        (lambda d: d, "y", {"nope": "nominal"}, AnalysisError, "'nope' not in the table"),
        (lambda d: d.assign(y="ja"), "y", PREDICTORS, AnalysisError, "is constant"),
        (lambda d: d.assign(k=1), "y", {"k": "nominal"}, AnalysisError, "has one category"),
        (lambda d: d.assign(k=np.nan), "y", {"k": "nominal"}, AnalysisError, "missing for every"),
        (lambda d: d.assign(k=np.nan), "y", {"k": "scale"}, AnalysisError, "missing for every"),
        (lambda d: d.assign(y=None), "y", PREDICTORS, AnalysisError, "no case has a value"),
        (lambda d: d.iloc[0:0], "y", PREDICTORS, AnalysisError, "the table is empty"),
        (lambda d: d, "y", {}, UsageError, "at least one predictor"),
        (lambda d: d, "y", {"region": "interval"}, UsageError, "unknown measurement level"),
        (lambda d: d, "y", {"y": "nominal"}, UsageError, "both the outcome and a predictor"),
    ],
)
def test_bad_input_raises_codeer_errors(mutate, target, predictors, error, words) -> None:  # type: ignore[no-untyped-def]
    df = mutate(_data(50))
    with pytest.raises(error) as info:
        grow_tree(df, target, predictors)
    assert isinstance(info.value, CodeerError)
    assert words in str(info.value)


def test_bad_settings_and_weights() -> None:
    with pytest.raises(UsageError, match="alpha_split"):
        ChaidSettings(alpha_split=0)
    with pytest.raises(UsageError, match="method"):
        ChaidSettings(method="quest")  # type: ignore[arg-type]
    df = _data(50)
    with pytest.raises(UsageError, match="forced predictor"):
        grow_tree(df, "y", PREDICTORS, ChaidSettings(force="nope"))
    with pytest.raises(AnalysisError, match="negative"):
        grow_tree(df.assign(w=-1.0), "y", PREDICTORS, weight="w")
    with pytest.raises(AnalysisError, match="weight column"):
        grow_tree(df, "y", PREDICTORS, weight="w")
    with pytest.raises(UsageError, match="target level"):
        grow_tree(df, "y", PREDICTORS, target_level="ordinal")
    with pytest.raises(AnalysisError, match="not numbers"):
        grow_tree(df, "y", {"region": "nominal"}, target_level="scale")


# -- the tree and its tables ----------------------------------------------------------------


def test_tree_shape_and_export(tree: Tree) -> None:
    assert tree.root.split is not None
    assert [n.id for n in tree.nodes] == list(range(len(tree.nodes)))
    for node in tree.nodes:
        for child in node.children:
            assert tree.node(child).parent == node.id
            assert tree.node(child).depth == node.depth + 1
            assert tree.node(child).branch_variable == node.split.variable  # type: ignore[union-attr]
        if node.is_terminal:
            assert isinstance(node.stop_reason, StopReason)
    data = json.loads(json.dumps(tree.to_dict(), allow_nan=False))
    assert len(data["nodes"]) == len(tree.nodes)
    assert data["nodes"][0]["split"]["variable"] == tree.root.split.variable
    assert data["settings"]["min_child"] == 20
    assert data["classification"]["counts"]


def test_predict_reproduces_growing(tree: Tree) -> None:
    df = _data()
    out = tree.predict(df)
    for leaf in tree.terminal_nodes:
        rows = out["node"] == leaf.id
        assert rows.sum() == leaf.n_cases
        assert (df.loc[rows, "y"] == "ja").sum() == leaf.distribution[tree.find_class("ja").code]  # type: ignore[index]
        assert (out.loc[rows, "predicted"] == leaf.predicted).all()


def test_predict_new_values(tree: Tree) -> None:
    root = tree.root
    assert root.split is not None
    new = pd.DataFrame(
        {
            "region": ["elders", None, "zuid"],
            "age": [200.0, np.nan, 10.0],
            "income": [9.0, 1.0, 2.0],
        }
    )
    out = tree.predict(new)
    assert len(out) == 3
    # A value never seen while growing stops where its variable splits: at the root here if
    # the root splits on region.
    if root.split.variable == "region":
        assert out["node"].iloc[0] == 0
        assert out["node"].iloc[1] == 0  # region was never missing: no branch for it
    with pytest.raises(AnalysisError, match="missing"):
        tree.predict(new.drop(columns=[root.split.variable]))


def test_risk_classification_and_gains(tree: Tree) -> None:
    risk = tree.risk()
    table = tree.classification_table()
    total = sum(sum(r) for r in table.counts)
    assert total == tree.root.n
    assert table.percent_correct == pytest.approx(100 * (1 - risk.estimate))
    assert risk.std_error == pytest.approx(math.sqrt(risk.estimate * (1 - risk.estimate) / total))
    gains = tree.gains("ja")
    assert gains.rows[-1].cum_gain_percent == pytest.approx(100)
    assert gains.rows[-1].cum_node_percent == pytest.approx(100)
    assert gains.rows[-1].cum_index_percent == pytest.approx(100)
    responses = [r.response_percent for r in gains.rows]
    assert responses == sorted(responses, reverse=True)
    assert sum(r.gain for r in gains.rows) == tree.root.distribution[tree.find_class("ja").code]  # type: ignore[index]
    json.dumps(gains.to_dict())
    assert len(gains.to_frame()) == len(tree.terminal_nodes)
    assert table.to_frame().to_numpy().sum() == tree.root.n
    nodes = tree.node_table()
    assert list(nodes["node"]) == [n.id for n in tree.nodes]
    assert (nodes["ja"] + nodes["nee"] == nodes["n"]).all()
    assert nodes.loc[0, "percent"] == 100
    with pytest.raises(AnalysisError, match="not a category"):
        tree.gains("misschien")


def test_frequency_weights_equal_duplicated_rows() -> None:
    df = _data(300)
    w = np.random.default_rng(5).integers(1, 4, size=len(df))
    weighted = grow_tree(df.assign(w=w.astype(float)), "y", PREDICTORS, SMALL, weight="w")
    repeated = grow_tree(df.loc[df.index.repeat(w)].reset_index(drop=True), "y", PREDICTORS, SMALL)
    assert len(weighted.nodes) == len(repeated.nodes)
    for a, b in zip(weighted.nodes, repeated.nodes, strict=True):
        assert a.n == b.n
        assert a.distribution == b.distribution
        if a.split is not None:
            assert b.split is not None
            assert a.split.variable == b.split.variable
            assert a.split.statistic == pytest.approx(b.split.statistic, rel=1e-12)
            assert a.split.adjusted_p == pytest.approx(b.split.adjusted_p, rel=1e-9)


def test_likelihood_ratio_option() -> None:
    df = _data()
    lr = grow_tree(
        df,
        "y",
        PREDICTORS,
        ChaidSettings(
            chi_square=ChiSquare.LIKELIHOOD_RATIO, max_depth=1, min_parent=0, min_child=0
        ),
    )
    split = lr.root.split
    assert split is not None and split.test == "likelihood_ratio"
    # Rebuild the root table from the children and check G^2 against scipy.
    table = np.array([lr.node(c).distribution for c in split.children])
    g, _p, dof, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert split.statistic == pytest.approx(g, rel=1e-9)
    assert split.df == dof


def test_pearson_statistic_matches_scipy_at_every_split(tree: Tree) -> None:
    for node in tree.nodes:
        if node.split is None:
            continue
        table = np.array([tree.node(c).distribution for c in node.split.children])
        table = table[:, table.sum(axis=0) > 0]
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
        assert node.split.statistic == pytest.approx(chi2, rel=1e-9)
        assert node.split.p_value == pytest.approx(p, rel=1e-7)
        assert node.split.df == dof


def test_scale_target_matches_f_oneway() -> None:
    rng = np.random.default_rng(8)
    df = _data(500)
    df["score"] = rng.normal(size=len(df)) + (df["region"] == "zuid") * 1.2 + df["income"] * 0.5
    tree = grow_tree(df, "score", PREDICTORS, SMALL, target_level="scale")
    out = tree.predict(df)
    for node in tree.nodes:
        if node.split is None:
            continue
        members = []
        for child in node.split.children:
            leaves = {n.id for n in tree.nodes if _descends(tree, n.id, child)}
            members.append(df.loc[out["node"].isin(leaves), "score"].to_numpy())
        f, p = stats.f_oneway(*members)
        assert node.split.statistic == pytest.approx(f, rel=1e-7)
        assert node.split.p_value == pytest.approx(p, rel=1e-6)
    assert tree.root.mean == pytest.approx(df["score"].mean())
    assert tree.root.sd == pytest.approx(df["score"].std())
    # Risk: mean squared residual around the leaf means; SE from the fourth moments.
    residual = df["score"] - out["node"].map({n.id: n.mean for n in tree.nodes})
    risk = tree.risk()
    assert risk.estimate == pytest.approx((residual**2).mean(), rel=1e-9)
    n = len(df)
    expected_se = math.sqrt(((residual**4).mean() - risk.estimate**2) / n)
    assert risk.std_error == pytest.approx(expected_se, rel=1e-9)


def _descends(tree: Tree, node_id: int, ancestor: int) -> bool:
    current: int | None = node_id
    while current is not None:
        if current == ancestor:
            return True
        current = tree.node(current).parent
    return False


# -- binning and missing values -------------------------------------------------------------


def test_ntile_rule_by_hand() -> None:
    # n = 9, k = 3: bin = floor(3 R / 10) + 1 -> R 1..3 -> 1, R 4..6 -> 2, R 7..9 -> 3.
    codes, bins = ntile_bins(np.arange(1.0, 10.0), 3)
    assert codes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert bins.uppers == (3.0, 6.0, 9.0)
    # Ties share their mean rank: four 1s have R = 2.5 -> floor(0.75) + 1 = bin 1, and the 2
    # (R = 5) goes to floor(1.5) + 1 = 2.
    codes, _ = ntile_bins(np.array([1, 1, 1, 1, 2, 3, 4, 5, 6.0]), 3)
    assert codes.tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 2]
    # Heavy ties leave bins empty; the rest are renumbered.
    codes, bins = ntile_bins(np.array([5.0] * 8 + [6.0, 7.0]), 10)
    assert bins.count == len(set(codes.tolist()))
    assert len(set(codes[:8].tolist())) == 1
    # Missing values get -1 (they become the floating category).
    codes, _ = ntile_bins(np.array([1.0, np.nan, 3.0]), 2)
    assert codes[1] == -1


def test_missing_values_as_categories() -> None:
    rng = np.random.default_rng(11)
    n = 900
    x = rng.integers(1, 4, size=n).astype(float)
    miss = rng.random(n) < 0.2
    # The missing cases behave like category 3, so the floating category should join it.
    p = np.where(miss, 0.8, np.array([0.0, 0.2, 0.5, 0.8])[x.astype(int)])
    y = (rng.random(n) < p).astype(int)
    x[miss] = np.nan
    df = pd.DataFrame({"x": x, "y": y, "k": np.where(miss, None, x.astype(str))})
    settings = ChaidSettings(max_depth=1, min_parent=0, min_child=0)
    tree = grow_tree(df, "y", {"x": Level.ORDINAL}, settings)
    split = tree.root.split
    assert split is not None
    assert split.kind is MergeKind.FLOATING
    with_missing = [g for g in split.groups if any(c.is_missing for c in g)]
    assert len(with_missing) == 1
    assert {c.value for c in with_missing[0] if not c.is_missing} == {3.0}
    # Floating, I = 4 (3 valued + missing), r groups: C(2, r-2) + r C(2, r-1).
    r = len(split.groups)
    assert split.multiplier == math.comb(2, r - 2) + r * math.comb(2, r - 1)
    # A nominal predictor keeps missing as a category of its own, free to merge with any.
    nominal = grow_tree(df, "y", {"k": Level.NOMINAL}, settings).root.split
    assert nominal is not None and nominal.kind is MergeKind.NOMINAL
    assert any(c.is_missing and c.label == "missing" for g in nominal.groups for c in g)


def test_exhaustive_and_resplit_run() -> None:
    df = _data()
    for config in (
        ChaidSettings(method="exhaustive", min_parent=50, min_child=20),
        ChaidSettings(split_merged=True, alpha_merge=0.2, min_parent=50, min_child=20),
    ):
        tree = grow_tree(df, "y", PREDICTORS, config)
        assert tree.root.split is not None
        for node in tree.nodes:
            if node.split is not None:
                assert node.split.adjusted_p <= config.alpha_split or node.split.forced


def test_value_labels_are_used() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0] * 100, "y": [0.0, 1.0] * 90 + [1.0, 0.0] * 10})
    tree = grow_tree(
        df,
        "y",
        {"x": "nominal"},
        ChaidSettings(max_depth=1, min_parent=0, min_child=0),
        value_labels={"x": {1.0: "laag", 2.0: "hoog"}, "y": {0.0: "nee", 1.0: "ja"}},
    )
    assert [c.label for c in tree.classes] == ["nee", "ja"]
    assert tree.root.split is not None
    assert {c.label for g in tree.root.split.groups for c in g} == {"laag", "hoog"}
    assert tree.node(1).branch_label in {"laag", "hoog"}


def test_perfect_separation_exports_as_json() -> None:
    # No variance within groups: F is infinite and p exactly 0; JSON gets null, not Infinity.
    df = pd.DataFrame({"x": list("aaabbb"), "y": [1.0, 1.0, 1.0, 5.0, 5.0, 5.0]})
    tree = grow_tree(
        df,
        "y",
        {"x": "nominal"},
        ChaidSettings(max_depth=1, min_parent=0, min_child=0),
        target_level="scale",
    )
    split = tree.root.split
    assert split is not None
    assert math.isinf(split.statistic) and split.p_value == 0.0 and split.adjusted_p == 0.0
    data = json.loads(json.dumps(tree.to_dict(), allow_nan=False))
    assert data["nodes"][0]["split"]["statistic"] is None
    assert tree.risk().estimate == 0.0
