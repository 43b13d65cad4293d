"""Study analyses: planted first splits, the intervening check, spec file, outputs, bad input."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.analyses import (
    Analysis,
    AnalysisSpec,
    Status,
    compare_trees,
    dumps,
    grow,
    infer_level,
    parse_analysis_spec,
    render_outputs,
    resolve_predictors,
    run_analysis,
    run_study_analyses,
    tree_document,
)
from codeer.chaid import ChaidSettings, Level
from codeer.errors import AnalysisError, UsageError

REPO = Path(__file__).resolve().parents[1]


def planted(n: int = 1200, seed: int = 7) -> pd.DataFrame:
    """Outcomes with a known structure.

    y_gone:    sp_gone acts only through cl_gone (sp_gone shifts cl_gone; y depends on cl_gone)
    y_stays:   sp_stays acts directly and strongly; cl_noise does nothing
    y_moves:   cl_strong acts strongly, sp_moves weakly and independently
    y_nominal: categories a, b high, c, d low of 'kind'; noise predictors beside it
    """
    rng = np.random.default_rng(seed)
    sp_gone = rng.integers(0, 2, n)
    cl_gone = np.where(rng.random(n) < np.where(sp_gone == 1, 0.85, 0.15), 1, 0)
    y_gone = (rng.random(n) < np.where(cl_gone == 1, 0.7, 0.1)).astype(int)
    sp_stays = rng.integers(0, 2, n)
    cl_noise = rng.integers(0, 2, n)
    y_stays = (rng.random(n) < np.where(sp_stays == 1, 0.8, 0.1)).astype(int)
    sp_moves = rng.integers(0, 2, n)
    cl_strong = rng.integers(0, 2, n)
    base = np.where(cl_strong == 1, 0.75, 0.1) + np.where(sp_moves == 1, 0.15, 0.0)
    y_moves = (rng.random(n) < base).astype(int)
    kind = rng.choice(np.array(["a", "b", "c", "d"]), n)
    y_nominal = (rng.random(n) < np.where(np.isin(kind, ["a", "b"]), 0.6, 0.1)).astype(int)
    return pd.DataFrame(
        {
            "sp_gone": sp_gone,
            "cl_gone": cl_gone,
            "y_gone": y_gone,
            "sp_stays": sp_stays,
            "cl_noise": cl_noise,
            "y_stays": y_stays,
            "sp_moves": sp_moves,
            "cl_strong": cl_strong,
            "y_moves": y_moves,
            "kind": kind,
            "noise1": rng.integers(0, 3, n),
            "noise2": rng.normal(size=n),
            "y_nominal": y_nominal,
            "constant": 1,
            "empty": np.nan,
        }
    )


SPEC_TEXT = textwrap.dedent(
    """\
    version: 1
    variables:
      sp_gone: nominal
      sp_stays: nominal
      sp_moves: nominal
      cl_gone: nominal
      cl_noise: nominal
      cl_strong: nominal
      kind: nominal
      noise1: ordinal
      noise2: scale
    groups:
      steunpunt: [sp_gone, sp_stays, sp_moves]
      client: [cl_gone, cl_noise, cl_strong]
    settings:
      max_depth: 2
      alpha_split: 0.01
    analyses:
      - id: gone
        outcome: y_gone
        target: 1
        predictors: ['@steunpunt']
        control: ['@client']
      - id: stays
        outcome: y_stays
        predictors: ['@steunpunt']
        control: ['@client']
    """
)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return planted()


@pytest.fixture(scope="module")
def spec() -> AnalysisSpec:
    return parse_analysis_spec(SPEC_TEXT, "analyses.yaml")


# --- planted structure ---------------------------------------------------------------------------


def test_first_split_is_the_planted_nominal_predictor(data: pd.DataFrame) -> None:
    levels = {"noise1": Level.ORDINAL, "kind": Level.NOMINAL, "noise2": Level.SCALE}
    tree, notes = grow(data, "y_nominal", levels)
    assert notes == []
    split = tree.root.split
    assert split is not None and split.variable == "kind"
    groups = {frozenset(c.value for c in g) for g in split.groups}
    assert groups == {frozenset({"a", "b"}), frozenset({"c", "d"})}
    assert split.adjusted_p < 1e-20


def test_first_split_is_the_planted_scale_predictor() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 60, 900)
    df = pd.DataFrame(
        {
            "x": x,
            "z": rng.integers(0, 4, 900),
            "y": (rng.random(900) < np.where(x > 30, 0.7, 0.1)).astype(int),
        }
    )
    tree, _ = grow(df, "y", {"z": Level.ORDINAL, "x": Level.SCALE})
    assert tree.root.split is not None and tree.root.split.variable == "x"
    # the cut sits at the planted threshold, give or take a decile bin
    uppers = [c.upper for c in tree.root.split.groups[0] if c.upper is not None]
    assert 24 <= max(uppers) <= 36


@pytest.mark.parametrize(
    ("outcome", "variable", "status"),
    [
        ("y_gone", "sp_gone", Status.DISAPPEARS),
        ("y_stays", "sp_stays", Status.SURVIVES),
        ("y_moves", "sp_moves", Status.CHANGES_LEVEL),
    ],
)
def test_intervening_check_on_planted_data(
    data: pd.DataFrame, spec: AnalysisSpec, outcome: str, variable: str, status: Status
) -> None:
    analysis = Analysis(
        id=outcome,
        outcome=outcome,
        predictors=("@steunpunt",),
        control=("@client",),
        settings=spec.settings,
    )
    result = run_analysis(data, analysis, spec)
    assert result.first_split is not None and result.first_split.variable == variable
    first = [c for c in result.intervening if c.split is not None and c.split.node == 0]
    assert len(first) == 1 and first[0].variable == variable
    assert first[0].status is status
    if status is Status.CHANGES_LEVEL:
        assert result.controlled_first_split is not None
        assert result.controlled_first_split.variable == "cl_strong"
        assert {s.depth for s in first[0].controlled} == {1}
    if status is Status.DISAPPEARS:
        assert result.controlled_first_split is not None
        assert result.controlled_first_split.variable == "cl_gone"
        assert first[0].controlled == ()


def test_compare_trees_reports_steunpunt_splits_that_appear(data: pd.DataFrame) -> None:
    """A steunpunt variable masked without controls (suppression) shows up as 'appears'."""
    rng = np.random.default_rng(11)
    n = 1500
    cl = rng.integers(0, 2, n)
    sp = rng.integers(0, 2, n)
    # sp raises y for cl = 1 and lowers it for cl = 0 by as much: no marginal association
    p = np.where(cl == 1, np.where(sp == 1, 0.9, 0.5), np.where(sp == 1, 0.05, 0.45))
    df = pd.DataFrame({"sp": sp, "cl": cl, "y": (rng.random(n) < p).astype(int)})
    without, _ = grow(df, "y", {"sp": Level.NOMINAL})
    with_cl, _ = grow(df, "y", {"sp": Level.NOMINAL, "cl": Level.NOMINAL})
    checks = compare_trees(without, with_cl, {"sp"})
    assert [(c.variable, c.status) for c in checks] == [("sp", Status.APPEARS)]
    assert checks[0].split is None and {s.depth for s in checks[0].controlled} == {1}


# --- spec file and predictor groups --------------------------------------------------------------


def test_spec_groups_levels_and_settings(spec: AnalysisSpec) -> None:
    assert spec.groups["client"] == ("cl_gone", "cl_noise", "cl_strong")
    assert spec.settings.max_depth == 2 and spec.settings.min_child == 50
    assert [a.id for a in spec.analyses] == ["gone", "stays"]
    assert spec.analyses[0].target == 1


def test_resolve_groups_exclusions_and_levels(spec: AnalysisSpec, data: pd.DataFrame) -> None:
    got = resolve_predictors(["@steunpunt,-sp_stays", "noise2:ordinal", "kind"], spec, data)
    assert got == {
        "sp_gone": Level.NOMINAL,
        "sp_moves": Level.NOMINAL,
        "noise2": Level.ORDINAL,
        "kind": Level.NOMINAL,
    }
    assert resolve_predictors(["@client", "-@client"], spec, data) == {}
    with pytest.raises(UsageError, match="unknown predictor group '@nope'"):
        resolve_predictors(["@nope"], spec, data)
    with pytest.raises(UsageError, match=r"no variables/analyses\.yaml"):
        resolve_predictors(["@client"], None, data)
    with pytest.raises(UsageError, match="unknown measurement level"):
        resolve_predictors(["kind:interval"], spec, data)


def test_infer_level() -> None:
    assert infer_level(pd.Series([True, False])) is Level.NOMINAL
    assert infer_level(pd.Series(["a", "b"])) is Level.NOMINAL
    assert infer_level(pd.Series([1, 2, 3, 2])) is Level.ORDINAL
    assert infer_level(pd.Series(np.arange(50))) is Level.SCALE
    assert infer_level(pd.Series([0.5, 1.5])) is Level.SCALE
    ordered = pd.Series(pd.Categorical(["x", "y"], categories=["x", "y"], ordered=True))
    assert infer_level(ordered) is Level.ORDINAL


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("variables: {a: nominal}\nbogus: 1\n", 2, "unknown key 'bogus'"),
        ("variables: {a: interval}\n", 1, "variables.a"),
        ("variables: {a: floating}\n", 1, "missing values make it floating"),
        ("variables: {a: nominal}\ngroups:\n  g: [a, b]\n", 3, "'b' has no measurement level"),
        (
            "analyses:\n  - id: x\n    outcome: y\n    predictors: ['@nope']\n",
            4,
            "unknown group '@nope'",
        ),
        (
            "analyses:\n  - {id: x, outcome: y, predictors: [a]}\n"
            "  - {id: x, outcome: z, predictors: [a]}\n",
            3,
            "used twice",
        ),
        ("settings:\n  alpha_split: 2\n", 2, "alpha_split"),
        ("settings: {max_depth: 1}\nsettings: {max_depth: 2}\n", 2, "duplicate key"),
        ("analyses:\n  - id: x\n    outcome: y\n", 2, "predictors"),
    ],
)
def test_spec_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(AnalysisError) as info:
        parse_analysis_spec(text, "variables/analyses.yaml")
    assert info.value.path == "variables/analyses.yaml"
    assert info.value.line == line, str(info.value)
    assert message in str(info.value)


def test_bundled_spec_is_valid() -> None:
    from codeer.analyses import load_analysis_spec

    spec = load_analysis_spec(REPO / "variables" / "analyses.yaml")
    assert {"steunpunt", "client"} <= set(spec.groups)
    assert spec.settings == ChaidSettings()  # the study's defaults are SPSS's
    outcomes = {a.outcome for a in spec.analyses}
    assert {
        "uitkomst_verblijfsvergunning",
        "uitkomst_terugkeer",
        "uitkomst_mob",
        "uitkomst_in_begeleiding",
    } <= outcomes


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_gives_clear_errors(data: pd.DataFrame) -> None:
    lv = {"kind": Level.NOMINAL}
    with pytest.raises(AnalysisError, match="the table is empty"):
        grow(data.iloc[0:0], "y_gone", lv)
    with pytest.raises(AnalysisError, match="the table is empty"):
        grow(pd.DataFrame(), "y_gone", lv)
    with pytest.raises(AnalysisError, match="outcome 'y_gon' is not a column") as info:
        grow(data, "y_gon", lv)
    assert "y_gone" in (info.value.hint or "")
    with pytest.raises(AnalysisError, match="outcome 'constant' is constant"):
        grow(data, "constant", lv)
    with pytest.raises(AnalysisError, match="outcome 'empty' is missing for every case"):
        grow(data, "empty", lv)
    with pytest.raises(AnalysisError, match="predictor 'kinds' is not a column"):
        grow(data, "y_gone", {"kinds": Level.NOMINAL}, explicit=["kinds"])
    with pytest.raises(AnalysisError, match="predictor 'constant' has one category"):
        grow(data, "y_gone", {"constant": Level.NOMINAL}, explicit=["constant"])
    with pytest.raises(AnalysisError, match="predictor 'empty' is missing for every case"):
        grow(data, "y_gone", {"empty": Level.SCALE}, explicit=["empty"])
    with pytest.raises(UsageError, match="both the outcome and a predictor"):
        grow(data, "y_gone", {"y_gone": Level.NOMINAL}, explicit=["y_gone"])


def test_group_members_that_cannot_split_are_left_out_with_a_note(data: pd.DataFrame) -> None:
    levels = {"constant": Level.NOMINAL, "empty": Level.SCALE, "kind": Level.NOMINAL}
    tree, notes = grow(data, "y_nominal", {**levels, "absent": Level.NOMINAL})
    assert [p.name for p in tree.predictors] == ["kind"]
    assert notes == [
        "constant: left out (has one category (1))",
        "empty: left out (is missing for every case)",
        "absent: left out (not a column of the table)",
    ]
    with pytest.raises(AnalysisError, match="no usable predictor"):
        grow(data, "y_nominal", {"constant": Level.NOMINAL})


# --- outputs -------------------------------------------------------------------------------------


def test_json_round_trip_and_deterministic_outputs(
    data: pd.DataFrame, spec: AnalysisSpec, tmp_path: Path
) -> None:
    out = tmp_path / "chaid"
    results = run_study_analyses(data, spec, out)
    assert [r.id for r in results] == ["gone", "stays"]
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "analyses.json",
        "gone.json",
        "gone.svg",
        "gone_control.json",
        "gone_control.svg",
        "stays.json",
        "stays.svg",
        "stays_control.json",
        "stays_control.svg",
    ]
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    doc = json.loads(first["gone_control.json"])
    result = results[0]
    assert result.controlled is not None and result.controlled.tree is not None
    assert doc == json.loads(dumps(tree_document(result, result.controlled)))
    assert doc["controls"] is True and doc["intervening"][0]["status"] == "disappears"
    assert len(doc["tree"]["nodes"]) == len(result.controlled.tree.nodes)
    assert doc["summary"]["first_split"]["variable"] == "cl_gone"
    assert result.without.json_path == out / "gone.json"
    # a rerun writes the same bytes
    run_study_analyses(data, spec, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert b"NaN" not in first["analyses.json"] and b"Infinity" not in first["analyses.json"]


def test_bad_analysis_writes_nothing(
    data: pd.DataFrame, spec: AnalysisSpec, tmp_path: Path
) -> None:
    from dataclasses import replace

    broken = replace(
        spec,
        analyses=(*spec.analyses, Analysis("bad", "nope", ("@steunpunt",))),
    )
    out = tmp_path / "chaid"
    with pytest.raises(AnalysisError, match="analysis 'bad': outcome 'nope'"):
        run_study_analyses(data, broken, out)
    assert not out.exists()


def test_render_outputs_names_files_after_the_outcome(
    data: pd.DataFrame, spec: AnalysisSpec, tmp_path: Path
) -> None:
    analysis = Analysis("y_stays", "y_stays", ("sp_stays",), settings=spec.settings)
    result, files = render_outputs(run_analysis(data, analysis, spec), tmp_path)
    assert sorted(p.name for p in files) == ["y_stays.json", "y_stays.svg"]
    assert result.controlled is None and result.intervening == ()


# --- the bundled study ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from codeer.analyses import load_analysis_spec
    from codeer.join import join_project
    from codeer.project import Project

    joined = join_project(Project(REPO), "a")
    spec = load_analysis_spec(REPO / "variables" / "analyses.yaml")
    out = tmp_path_factory.mktemp("study")
    results = run_study_analyses(
        joined.individual,
        spec,
        out,
        value_labels=joined.value_labels,
        variable_labels=joined.variable_labels,
    )
    return {r.id: r for r in results}


def _depths(result: object, variable: str) -> set[int]:
    controlled = result.controlled  # type: ignore[attr-defined]
    return {s.depth for s in controlled.splits if s.variable == variable}


def test_study_trajectory_first_for_permit_and_return(study: dict[str, object]) -> None:
    for key in ("uitkomst_verblijfsvergunning", "uitkomst_terugkeer"):
        for first in (
            study[key].first_split,  # type: ignore[attr-defined]
            study[key].controlled_first_split,  # type: ignore[attr-defined]
        ):
            assert first is not None and first.variable == "traject", key


def test_study_duration_first_for_mob_and_in_guidance(study: dict[str, object]) -> None:
    for key in ("uitkomst_mob", "uitkomst_in_begeleiding"):
        for first in (
            study[key].first_split,  # type: ignore[attr-defined]
            study[key].controlled_first_split,  # type: ignore[attr-defined]
        ):
            assert first is not None and first.variable == "duur_klasse", key
    # least MOB between 6 and 18 months: the first group is the short stays on their own
    mob = study["uitkomst_mob"].first_split  # type: ignore[attr-defined]
    assert mob.groups[0] == "korter dan een half jaar"


def test_study_psychiatric_diagnosis_enters_for_mob_and_return(study: dict[str, object]) -> None:
    for key in ("uitkomst_mob", "uitkomst_terugkeer"):
        assert _depths(study[key], "psychiatrisch") == {1}, key


def test_study_stalled_files_act_through_the_client_mix(study: dict[str, object]) -> None:
    """Steunpunten with many stalled files: fewer permits, more still in guidance; with the
    client characteristics the split disappears (their clients made fewer regular applications)."""
    for key in ("uitkomst_verblijfsvergunning", "uitkomst_in_begeleiding"):
        result = study[key]
        checks = {c.variable: c for c in result.intervening}  # type: ignore[attr-defined]
        stalled = checks["vastlopende_dossiers"]
        assert stalled.split is not None and stalled.split.depth in (1, 2), key
        assert stalled.status is Status.DISAPPEARS, key
        assert _depths(result, "reguliere_aanvragen"), key
    assert {r.id for r in study.values()} == {  # type: ignore[attr-defined]
        "uitkomst_verblijfsvergunning",
        "uitkomst_terugkeer",
        "uitkomst_mob",
        "uitkomst_in_begeleiding",
        "uitkomst",
    }


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(20, 400),
    levels=st.lists(st.sampled_from(["nominal", "ordinal", "scale"]), min_size=1, max_size=3),
)
def test_a_tree_compared_with_itself_survives_and_draws(
    seed: int, n: int, levels: list[str]
) -> None:
    import xml.etree.ElementTree as ET

    from codeer.treeplot import tree_svg

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"x{i}": rng.integers(0, 4, n) for i in range(len(levels))})
    df["y"] = (rng.random(n) < np.where(df["x0"] > 1, 0.7, 0.2)).astype(int)
    df.loc[0, "y"], df.loc[1, "y"] = 0, 1  # never constant
    preds = {f"x{i}": Level(lv) for i, lv in enumerate(levels)}
    small = ChaidSettings(min_parent=10, min_child=5)
    try:
        tree, _ = grow(df, "y", preds, small)
    except AnalysisError:
        return  # every predictor drawn constant: nothing to grow
    checks = compare_trees(tree, tree)
    assert all(c.status is Status.SURVIVES for c in checks)
    assert len(checks) == sum(1 for node in tree.nodes if node.split is not None)
    root = ET.fromstring(tree_svg(tree).encode("utf-8"))
    boxes = [
        r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "node" in (r.get("class") or "")
    ]
    assert len(boxes) == len(tree.nodes)
    assert json.loads(dumps({"tree": tree.to_dict()}))["tree"]["nodes"][0]["n"] == n
