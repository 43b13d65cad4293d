"""Descriptive statistics: hand-computed examples, scipy and statsmodels as independent checks,
and the `codeer describe` command."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.cli import main
from codeer.descriptives import (
    by_tables,
    chi_square,
    cramers_v,
    crosstab,
    frequencies,
    group_range,
    individual_tables,
    share,
    small_expected_warning,
    steunpunt_tables,
    summarize,
)
from codeer.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]


def table_frame(counts: list[list[int]]) -> pd.DataFrame:
    rows = []
    for i, line in enumerate(counts):
        for j, k in enumerate(line):
            rows += [{"r": f"r{i}", "c": f"c{j}"}] * k
    return pd.DataFrame(rows)


# --- chi-square by hand ----------------------------------------------------------------------
def test_chi_square_worked_example() -> None:
    """[[10, 20], [30, 40]]: margins 30/70 and 40/60 of 100 give expected 12, 18, 28, 42;
    chi2 = 4 * (1/12 + 1/18 + 1/28 + 1/42) = 50/63; df = 1; V = sqrt(chi2 / 100)."""
    ct = crosstab(table_frame([[10, 20], [30, 40]]), "r", "c")
    hand = float(4 * (Fraction(1, 12) + Fraction(1, 18) + Fraction(1, 28) + Fraction(1, 42)))
    assert hand == pytest.approx(50 / 63)
    assert ct.chi2 == pytest.approx(hand, rel=1e-12)
    assert ct.df == 1
    assert ct.p == pytest.approx(math.erfc(math.sqrt(hand / 2)), rel=1e-9)  # chi2(1) tail
    assert ct.cramers_v == pytest.approx(math.sqrt(hand / 100))
    assert ct.expected.to_numpy().tolist() == [[12.0, 18.0], [28.0, 42.0]]
    assert ct.warning is None
    assert ct.row_pct.loc["r0", "c0"] == pytest.approx(100 / 3)
    assert ct.column_pct.loc["r0", "c0"] == pytest.approx(25.0)


def test_chi_square_2x3_worked_example() -> None:
    """[[20, 30, 50], [30, 30, 40]]: expected 25, 30, 45 in both rows (n = 200);
    chi2 = 2 * (25/25 + 0 + 25/45) = 2 * 14/9 = 28/9; df = 2; p = exp(-chi2/2)."""
    ct = crosstab(table_frame([[20, 30, 50], [30, 30, 40]]), "r", "c")
    assert ct.chi2 == pytest.approx(28 / 9)
    assert ct.df == 2
    assert ct.p == pytest.approx(math.exp(-28 / 18))  # chi2(2) tail is exp(-x/2)
    assert ct.cramers_v == pytest.approx(math.sqrt(28 / 9 / 200))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=1, max_value=60), min_size=2, max_size=5),
        min_size=2,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_chi_square_against_scipy_and_statsmodels(counts: list[list[int]]) -> None:
    from scipy.stats import chi2_contingency
    from scipy.stats.contingency import association
    from statsmodels.stats.contingency_tables import Table as SmTable

    table = np.array(counts)
    chi2, dof, p, _expected = chi_square(table)
    ref = chi2_contingency(table, correction=False)
    assert chi2 == pytest.approx(ref.statistic)
    assert dof == ref.dof and p == pytest.approx(ref.pvalue)
    sm = SmTable(table).test_nominal_association()
    assert chi2 == pytest.approx(sm.statistic) and dof == sm.df
    assert p == pytest.approx(sm.pvalue, abs=1e-12)
    v = cramers_v(chi2, int(table.sum()), table.shape)
    assert v == pytest.approx(association(table, method="cramer"))
    ct = crosstab(table_frame(counts), "r", "c")
    assert ct.chi2 == pytest.approx(chi2) and ct.cramers_v == pytest.approx(v)


def test_small_expected_warning() -> None:
    assert small_expected_warning([[12, 18], [28, 42]]) is None
    # one of four cells below 5 is 25% > 20%
    w = small_expected_warning([[4.5, 18], [28, 42]])
    assert w is not None and "25% of the cells" in w
    # one of ten cells below 5 is fine; but any cell below 1 is not
    fine = [[6, 6, 6, 6, 4.9], [6, 6, 6, 6, 6]]
    assert small_expected_warning(fine) is None
    w = small_expected_warning([[6, 6, 6, 6, 0.9], [6, 6, 6, 6, 6]])
    assert w is not None and "1 cell(s) have an expected count below 1" in w


def test_crosstab_drops_empty_and_missing() -> None:
    df = pd.DataFrame({"a": ["x", "x", "y", "y", None], "b": [1, 2, 1, 2, 1]})
    df["a"] = pd.Categorical(df["a"], categories=["x", "y", "z"])
    ct = crosstab(df, "a", "b")
    assert ct.n == 4 and list(ct.counts.index) == ["x", "y"]
    single = crosstab(pd.DataFrame({"a": ["x", "x"], "b": [1, 2]}), "a", "b")
    assert math.isnan(single.chi2) and single.warning is not None


# --- frequencies and summaries -----------------------------------------------------------------
def test_frequencies_by_hand() -> None:
    s = pd.Series(pd.Categorical(["m", "v", "m", None, "m"], categories=["m", "v", "x"]))
    f = frequencies(s, {"m": "man", "v": "vrouw", "x": "anders"})
    assert f["n"].tolist() == [3, 1, 0]
    assert f["pct"].tolist() == [75.0, 25.0, 0.0]
    assert f["label"].tolist() == ["man", "vrouw", "anders"]
    assert f.attrs["missing"] == 1
    assert frequencies(s, base=10)["pct"].tolist() == [30.0, 10.0, 0.0]


def test_summary_matches_statistics_module() -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    s = summarize(pd.Series([*values, None], dtype="Int64"))
    assert s.n == 8
    assert s.mean == pytest.approx(statistics.mean(values))
    assert s.sd == pytest.approx(statistics.stdev(values))
    assert s.median == statistics.median(values)
    assert (s.min, s.max) == (1, 9)
    assert math.isnan(summarize(pd.Series([], dtype=float)).mean)


def test_share_and_group_range() -> None:
    df = pd.DataFrame({"sp": ["A", "A", "B", "B", "B", "C"], "x": [1, 0, 1, 1, 0, None]})
    assert share(df["x"], 1) == pytest.approx(3 / 5)
    assert share(df["x"], lambda s: s >= 0) == 1.0
    r = group_range(df, "x", 1, by="sp")
    assert (r.min, r.max, r.min_group, r.max_group) == (0.5, pytest.approx(2 / 3), "A", "B")
    assert list(r.shares.index) == ["A", "B"]  # C has no valid value


# --- the study's tables ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def individual() -> pd.DataFrame:
    from codeer.join import derive_columns
    from codeer.registrations import load_dictionary, read_registrations

    d = load_dictionary(REPO / "variables" / "registraties.yaml")
    return derive_columns(read_registrations(REPO / "variables" / "registraties.csv", d), d)


def test_individual_tables(individual: pd.DataFrame) -> None:
    tables = {t.name: t for t in individual_tables(individual)}
    for name in (
        "uitkomst",
        "beeindigd_door",
        "leeftijd",
        "per_steunpunt",
        "asielachtergrond",
        "traject",
        "duur",
        "contacten",
        "traject_x_uitkomst",
        "duur_klasse_x_uitkomst",
    ):
        assert name in tables, name  # fmt: skip
    uit = tables["uitkomst"].frame.set_index("uitkomst")
    assert uit.loc["in_begeleiding", "n"] == 473 and uit.loc["totaal", "n"] == 733
    assert any(n.startswith("chi2 = ") for n in tables["traject_x_uitkomst"].notes)
    assert any(n.startswith("warning: ") for n in tables["traject_x_uitkomst"].notes)
    asiel = tables["asielachtergrond"].frame.set_index("kenmerk")
    assert asiel.loc["beroep bij de Vreemdelingenkamer", "n"] == 72
    assert len({t.name for t in individual_tables(individual)}) == len(tables)


def test_by_tables(individual: pd.DataFrame) -> None:
    tables = by_tables(individual, "geslacht")
    assert tables[0].name == "gemiddelden_geslacht"
    assert "uitkomst_x_geslacht" in {t.name for t in tables}
    from codeer.errors import AnalysisError

    with pytest.raises(AnalysisError):
        by_tables(individual, "nope")


def test_steunpunt_tables() -> None:
    df = pd.DataFrame(
        {
            "steunpunt": ["A", "B", "C"],
            "huiskamer": pd.array([True, False, True], dtype="boolean"),
            "n_clienten": [10, 20, 30],
        }
    )
    tables = steunpunt_tables(df, by="huiskamer")
    names = [t.name for t in tables]
    assert names[0] == "gemiddelden" and "huiskamer" in names
    hk = next(t for t in tables if t.name == "huiskamer").frame
    assert hk["n"].tolist()[:2] == [1, 2] or sorted(hk["n"].tolist()[:2]) == [1, 2]


# --- the command ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("describe") / "proj"
    root.mkdir()
    shutil.copytree(REPO / "codebooks", root / "codebooks")
    shutil.copytree(REPO / "interviews", root / "interviews")
    (root / "variables").mkdir()
    for name in ("registraties.csv", "registraties.yaml", "regels.yaml", "typologie.yaml"):
        if (REPO / "variables" / name).exists():
            shutil.copy(REPO / "variables" / name, root / "variables" / name)
    return root


def test_cli_describe_in_memory_then_from_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["describe", "--project", str(project), "--json"]) == ExitCode.OK
    in_memory = json.loads(capsys.readouterr().out)
    assert main(["join", "--project", str(project)]) == ExitCode.OK
    capsys.readouterr()
    assert main(["describe", "--project", str(project), "--json"]) == ExitCode.OK
    from_file = json.loads(capsys.readouterr().out)
    by_name = {t["name"]: t for t in from_file}
    assert by_name["uitkomst"] == {t["name"]: t for t in in_memory}["uitkomst"]
    assert [t["name"] for t in from_file] == [t["name"] for t in in_memory]


def test_cli_describe_rich_and_xlsx(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    out = tmp_path / "beschrijving.xlsx"
    rc = main(["describe", "--project", str(project), "--by", "geslacht", "--out", str(out)])
    assert rc == ExitCode.OK
    text = capsys.readouterr().out
    assert "Outcome at the measurement date" in text and "Cramér's V" in text
    wb = openpyxl.load_workbook(out)
    assert "uitkomst" in wb.sheetnames and "traject_x_uitkomst" in wb.sheetnames
    assert wb["uitkomst"]["A1"].value.startswith("Outcome")
    assert len(set(wb.sheetnames)) == len(wb.sheetnames)


def test_cli_describe_steunpunt_level_csv(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sp.csv"
    rc = main(["describe", "--project", str(project), "--level", "steunpunt", "--out", str(out)])
    assert rc == ExitCode.OK
    long = pd.read_csv(out)
    assert list(long.columns) == ["tabel", "rij", "kolom", "waarde"]
    assert "vastlopend_klasse" in set(long["tabel"])


@pytest.mark.parametrize("args", [["--by", "nope"], ["--out", "x.txt"], ["--level", "land"]])
def test_cli_describe_bad_arguments(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    args = [a if a != "x.txt" else str(tmp_path / "x.txt") for a in args]
    rc = main(["describe", "--project", str(project), *args])
    assert rc == ExitCode.UNREADABLE
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "x.txt").exists()
