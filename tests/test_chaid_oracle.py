"""codeer's CHAID against real IBM SPSS Statistics 27 output (the TREE procedure).

The oracle (../shared/chaid_oracle) is SPSS's tree on its tree_credit.sav sample, exported as
PMML, grown with:

    TREE Valoración_credito [n] BY Edad [s] Ingresos [o] Tarjetas_crédito [n] Educación [n]
         Créditos_coche [n] FORCE=Edad [s]
      /METHOD TYPE=CHAID /GROWTHLIMIT MAXDEPTH=AUTO MINPARENTSIZE=100 MINCHILDSIZE=50
      /CHAID ALPHASPLIT=0.05 ALPHAMERGE=0.05 SPLITMERGED=NO CHISQUARE=PEARSON
         ADJUST=BONFERRONI INTERVALS=10 /MISSING NOMINALMISSING=MISSING.

Every one of the 34 PMML nodes must match a codeer node with the same id: the same cases (so
n and class counts exactly), the same split variable and groups, df, chi-square and adjusted p
to 1e-6 relative. Nodes 5 and 7 check the minimum-child rule: there the most significant
predictor (Ingresos at node 5, Tarjetas_crédito at node 7) leaves a child under 50 cases, and
SPSS splits on the next predictor instead of stopping.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from codeer.chaid import ChaidSettings, Level, Tree, grow_tree

ORACLE = Path(__file__).resolve().parents[1].parent / "shared" / "chaid_oracle"
SAV = ORACLE / "tree_credit.sav"
PMML = ORACLE / "tree_credit_spss27_chaid_force_edad.pmml.xml"
NS = {"p": "http://www.dmg.org/PMML-4_3"}

pytestmark = pytest.mark.skipif(not PMML.exists(), reason="SPSS oracle folder absent")

PREDICTORS = {
    "Edad": Level.SCALE,
    "Ingresos": Level.ORDINAL,
    "Tarjetas_crédito": Level.NOMINAL,
    "Educación": Level.NOMINAL,
    "Créditos_coche": Level.NOMINAL,
}
TARGET = "Valoración_credito"


@dataclass
class PmmlNode:
    id: int
    parent: int | None
    n: float
    counts: dict[float, float]
    predicate: ET.Element | None
    chi_square: float | None
    df: int | None
    adjusted_p: float | None
    split_fields: set[str]


def _tag(e: ET.Element) -> str:
    return e.tag.split("}")[1]


def _parse() -> list[PmmlNode]:
    root = ET.parse(PMML).getroot()
    top = root.find(".//p:TreeModel/p:Node", NS)
    assert top is not None
    out: list[PmmlNode] = []

    def walk(node: ET.Element, parent: int | None) -> None:
        stats = None
        ext = node.find("p:Extension", NS)
        if ext is not None:
            stats = ext.find(".//p:X-NodeStats", NS)
        predicate = next(
            (c for c in node if _tag(c) in ("True", "SimplePredicate", "CompoundPredicate")), None
        )
        children = node.findall("p:Node", NS)
        fields: set[str] = set()
        for child in children:
            own = next(c for c in child if _tag(c) == "CompoundPredicate")
            for sp in own.iter(f"{{{NS['p']}}}SimplePredicate"):
                fields.add(sp.get("field", ""))
        out.append(
            PmmlNode(
                id=int(node.get("id", "-1")),
                parent=parent,
                n=float(node.get("recordCount", "nan")),
                counts={
                    float(s.get("value", "nan")): float(s.get("recordCount", "nan"))
                    for s in node.findall("p:ScoreDistribution", NS)
                },
                predicate=None if parent is None else predicate,
                chi_square=None if stats is None else float(stats.get("chiSquare", "nan")),
                df=None if stats is None else int(stats.get("df1", "0")),
                adjusted_p=None if stats is None else float(stats.get("adjPValue", "nan")),
                split_fields=fields,
            )
        )
        for child in children:
            walk(child, int(node.get("id", "-1")))

    walk(top, None)
    return out


def _evaluate(e: ET.Element, df: pd.DataFrame) -> np.ndarray:
    """Evaluate a PMML predicate on the data (surrogate: the first, primary predicate)."""
    tag = _tag(e)
    if tag == "True":
        return np.ones(len(df), dtype=bool)
    if tag == "False":
        return np.zeros(len(df), dtype=bool)
    if tag == "SimplePredicate":
        x = df[e.get("field")].to_numpy(float)
        v = float(e.get("value", "nan"))
        # PMML prints boundaries with 15 significant digits: 25.7368154756469 for the
        # observed 25.736815475646914. Read a boundary as the value it rounds.
        if e.get("operator") in ("lessOrEqual", "greaterThan"):
            v += 1e-12 * abs(v)
        ops: dict[str, Any] = {
            "lessOrEqual": x <= v,
            "greaterThan": x > v,
            "equal": x == v,
            "notEqual": x != v,
            "lessThan": x < v,
            "greaterOrEqual": x >= v,
        }
        return np.asarray(ops[e.get("operator", "")])
    assert tag == "CompoundPredicate"
    parts = list(e)
    op = e.get("booleanOperator")
    if op == "surrogate":
        return _evaluate(parts[0], df)
    masks = [_evaluate(p, df) for p in parts]
    if op == "and":
        return np.logical_and.reduce(masks)
    if op == "or":
        return np.logical_or.reduce(masks)
    raise AssertionError(f"unexpected operator {op}")


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, dict[str, Any]]:
    pyreadstat = pytest.importorskip("pyreadstat")
    df, meta = pyreadstat.read_sav(str(SAV))
    return df, meta.variable_value_labels


@pytest.fixture(scope="module")
def tree(data: tuple[pd.DataFrame, dict[str, Any]]) -> Tree:
    df, labels = data
    settings = ChaidSettings(
        max_depth=3,
        min_parent=100,
        min_child=50,
        alpha_split=0.05,
        alpha_merge=0.05,
        split_merged=False,
        bonferroni=True,
        intervals=10,
        force="Edad",
    )
    return grow_tree(df, TARGET, PREDICTORS, settings, value_labels=labels)


def _membership(tree: Tree, df: pd.DataFrame) -> dict[int, np.ndarray]:
    """Rows in each codeer node (ancestors included), from the leaves predict() assigns."""
    leaf = tree.predict(df)["node"].to_numpy()
    out: dict[int, np.ndarray] = {}
    for node in tree.nodes:
        out[node.id] = np.zeros(len(df), dtype=bool)
    for node in tree.nodes:
        members = leaf == node.id
        current: int | None = node.id
        while current is not None:
            out[current] |= members
            current = tree.nodes[current].parent
    return out


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def test_headline_figures(tree: Tree) -> None:
    root = tree.root
    assert root.split is not None
    assert root.split.variable == "Edad"
    assert root.split.forced
    assert len(root.split.groups) == 5
    assert root.split.df == 4
    assert root.split.multiplier == 126  # C(10 - 1, 5 - 1)
    assert _rel(root.split.statistic, 340.286882272438) < 1e-9
    assert _rel(root.split.adjusted_p, 2.76295102986166e-70) < 1e-6
    assert len(tree.nodes) == 34
    assert len(tree.terminal_nodes) == 21


def test_every_node_matches_spss(tree: Tree, data: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    df, _ = data
    spss = _parse()
    assert len(spss) == len(tree.nodes) == 34
    classes = [c.value for c in tree.classes]
    ours = _membership(tree, df)
    spss_rows: dict[int, np.ndarray] = {}
    for node in spss:
        mask = np.ones(len(df), dtype=bool)
        if node.parent is not None:
            assert node.predicate is not None
            mask = spss_rows[node.parent] & _evaluate(node.predicate, df)
        spss_rows[node.id] = mask
        mine = tree.node(node.id)
        assert mine.parent == node.parent, f"node {node.id}: parent"
        # The same cases, so n and class counts exactly.
        assert np.array_equal(ours[node.id], mask), f"node {node.id}: different cases"
        assert mine.n == node.n, f"node {node.id}: n"
        assert mine.distribution is not None
        for value, count in node.counts.items():
            assert mine.distribution[classes.index(value)] == count, f"node {node.id}: counts"
        if node.chi_square is None:
            assert mine.split is None, f"node {node.id} should be terminal"
            continue
        split = mine.split
        assert split is not None, f"node {node.id} should be split"
        assert {split.variable} == node.split_fields, f"node {node.id}: split variable"
        assert split.df == node.df, f"node {node.id}: df"
        assert node.adjusted_p is not None
        assert _rel(split.statistic, node.chi_square) < 1e-6, f"node {node.id}: chi-square"
        assert _rel(split.adjusted_p, node.adjusted_p) < 1e-6, f"node {node.id}: adjusted p"
        assert split.adjusted_p >= split.p_value


def test_groups_match_spss(tree: Tree, data: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    """Each child's categories are exactly the values SPSS's predicate selects in the parent."""
    df, _ = data
    spss = {n.id: n for n in _parse()}
    ours = _membership(tree, df)
    for node in tree.nodes:
        if node.split is None:
            continue
        variable = node.split.variable
        for child_id, group in zip(node.split.children, node.split.groups, strict=True):
            child_rows = ours[child_id]
            assert spss[child_id].parent == node.id
            if variable == "Edad":
                # Bins: the child covers whole bins; its upper edge is an SPSS boundary.
                values = df.loc[child_rows, "Edad"]
                upper = group[-1].upper
                if upper is not None:
                    assert values.max() == upper
            else:
                seen = set(df.loc[child_rows, variable].unique().tolist())
                assert seen == {c.value for c in group}, f"node {child_id}: group"


def test_edad_bin_boundaries(tree: Tree) -> None:
    """SPSS's cut points between merged Edad bins (NTILES rule floor(k R / (n + 1)) + 1)."""
    root = tree.root
    assert root.split is not None
    uppers = [g[-1].upper for g in root.split.groups[:-1]]
    expected = [25.7368154756469, 30.5409321423985, 38.428345788636, 45.5700710952639]
    for got, want in zip(uppers, expected, strict=True):
        assert got is not None
        assert math.isclose(got, want, rel_tol=1e-13)
    assert [len(g) for g in root.split.groups] == [2, 2, 3, 2, 1]


def test_risk_matches_spss(tree: Tree) -> None:
    risk = tree.risk()
    assert _rel(risk.estimate, 0.202516233766234) < 1e-9
    assert _rel(risk.std_error, 0.00809599991486531) < 1e-9
