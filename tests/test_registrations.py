"""The registration dictionary and validation: every kind of bad input gives one clear report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeer.errors import DataError, ExitCode
from codeer.registrations import (
    RegistrationDictionary,
    RegistrationProblems,
    load_dictionary,
    read_raw,
    read_registrations,
    validate,
)

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / "variables" / "registraties.csv"
DICT = REPO / "variables" / "registraties.yaml"


@pytest.fixture(scope="module")
def d() -> RegistrationDictionary:
    return load_dictionary(DICT)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return CSV.read_text(encoding="utf-8").splitlines()


def header_index(lines: list[str], column: str) -> int:
    return lines[0].split(",").index(column)


def edit(lines: list[str], line_no: int, column: str, value: str) -> list[str]:
    """A copy with one cell changed (line_no as in the file: header is line 1)."""
    out = list(lines)
    cells = out[line_no - 1].split(",")
    cells[header_index(lines, column)] = value
    out[line_no - 1] = ",".join(cells)
    return out


def write(tmp_path: Path, lines: list[str], name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path, d: RegistrationDictionary) -> pd.DataFrame:
    with pytest.raises(RegistrationProblems) as info:
        read_registrations(path, d)
    assert info.value.exit_code == ExitCode.PROBLEMS
    return info.value.problems


# --- the dictionary ------------------------------------------------------------------------------
def test_dictionary_loads(d: RegistrationDictionary) -> None:
    assert d.measurement_date.isoformat() == "2011-04-01"
    assert d.id_column == "client_id"
    assert list(d.columns)[:3] == ["client_id", "steunpunt", "geslacht"]
    assert d.columns["uitkomst"].values is not None
    assert set(d.columns["uitkomst"].values) == {
        "in_begeleiding", "verblijfsvergunning", "terugkeer", "mob", "doormigratie", "anders"
    }  # fmt: skip
    assert d.value_labels()["geslacht"] == {"m": "man", "v": "vrouw"}
    assert d.variable_labels()["leeftijd_instroom"].startswith("Leeftijd")
    header = CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(d.columns)


def test_dictionary_errors_name_the_line(tmp_path: Path) -> None:
    text = DICT.read_text(encoding="utf-8").replace("    values: {m: man, v: vrouw}\n", "")
    bad = tmp_path / "registraties.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dictionary(bad)
    assert "values" in info.value.message
    assert info.value.line is not None
    text = DICT.read_text(encoding="utf-8").replace("id_column: client_id", "id_column: klant")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="klant"):
        load_dictionary(bad)


# --- the good file -------------------------------------------------------------------------------
def test_valid_file_types(d: RegistrationDictionary) -> None:
    df = read_registrations(CSV, d)
    assert len(df) == 733
    assert isinstance(df["uitkomst"].dtype, pd.CategoricalDtype)
    assert str(df["psychiatrisch"].dtype) == "boolean"
    assert str(df["leeftijd_instroom"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(df["datum_instroom"])
    assert df["datum_uitstroom"].isna().sum() == 473
    assert df["beeindigd_door"].isna().sum() == 473


def test_xlsx_and_sav_read_the_same(tmp_path: Path, d: RegistrationDictionary) -> None:
    from codeer.export import write_table

    df = read_registrations(CSV, d)
    for ext in ("xlsx", "sav"):
        path = write_table(
            df, tmp_path / f"reg.{ext}", variable_labels=d.variable_labels(),
            value_labels=d.value_labels(),
        )  # fmt: skip
        back = read_registrations(path, d)
        pd.testing.assert_frame_equal(back, df, check_dtype=True)


def test_sav_problems_are_numbered_by_case(tmp_path: Path, d: RegistrationDictionary) -> None:
    import pyreadstat

    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False).head(5)
    raw.loc[2, "geslacht"] = "x"
    pyreadstat.write_sav(raw, str(tmp_path / "reg.sav"))
    p = problems_of(tmp_path / "reg.sav", d)
    assert p[["row", "column"]].values.tolist() == [[3, "geslacht"]]


def test_xlsx_problem_rows_match_excel(tmp_path: Path, d: RegistrationDictionary) -> None:
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False).head(10)
    raw.loc[4, "leeftijd_instroom"] = "12"
    raw.to_excel(tmp_path / "reg.xlsx", index=False)
    p = problems_of(tmp_path / "reg.xlsx", d)
    assert p[["row", "column"]].values.tolist() == [[6, "leeftijd_instroom"]]  # Excel row 6


# --- each kind of bad input ----------------------------------------------------------------------
def test_all_bad_cells_reported_at_once(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    bad = edit(lines, 3, "geslacht", "vrouw")
    bad = edit(bad, 10, "leeftijd_instroom", "9")
    bad = edit(bad, 20, "uitkomst", "MOB")
    bad = edit(bad, 30, "datum_instroom", "2012-01-01")
    p = problems_of(write(tmp_path, bad), d)
    found = set(zip(p["row"], p["column"], strict=True))
    assert {(3, "geslacht"), (10, "leeftijd_instroom"), (20, "uitkomst")} <= found
    assert (30, "datum_instroom") in found
    assert p.loc[p["row"] == 10, "rule"].iloc[0] == "below the minimum 18"
    assert "did you mean 'mob'" in p.loc[p["row"] == 20, "rule"].iloc[0]
    assert "did you mean 'v'" in p.loc[p["row"] == 3, "rule"].iloc[0]


def test_category_spelled_differently(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    p = problems_of(write(tmp_path, edit(lines, 2, "traject", "terugkeren")), d)
    rule = p.loc[p["column"] == "traject", "rule"].iloc[0]
    assert "did you mean 'terugkeer'" in rule and "allowed:" in rule


def test_date_in_another_format(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    p = problems_of(write(tmp_path, edit(lines, 5, "datum_instroom", "31-12-2009")), d)
    row = p[p["column"] == "datum_instroom"].iloc[0]
    assert row["row"] == 5
    assert "2009-12-31" in row["rule"]


def test_duplicate_id(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    bad = edit(lines, 8, "client_id", "P0002")
    p = problems_of(write(tmp_path, bad), d)
    dup = p[p["column"] == "client_id"]
    assert dup["row"].tolist() == [3, 8]
    assert "line 3" in dup["rule"].iloc[1]


def test_presence_rules(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    # line 2 is still in guidance: a leaving date and a party are not allowed
    bad = edit(lines, 2, "datum_uitstroom", "2010-05-01")
    bad = edit(bad, 2, "beeindigd_door", "client")
    # a client with unknown asylum background must have the asylum columns empty
    unknown = next(i for i, line in enumerate(lines[1:], start=2) if ",false,,,," in line)
    bad = edit(bad, unknown, "beroepen", "2")
    # a leaver needs a party
    leaver = next(i for i, line in enumerate(lines[1:], start=2) if ",mob," in line)
    bad = edit(bad, leaver, "beeindigd_door", "")
    p = problems_of(write(tmp_path, bad), d)
    rules = {(r, c): m for r, c, m in zip(p["row"], p["column"], p["rule"], strict=True)}
    assert rules[(2, "datum_uitstroom")].startswith("must be empty unless uitkomst not in")
    assert rules[(2, "beeindigd_door")].startswith("must be empty")
    assert rules[(unknown, "beroepen")].startswith("must be empty unless asielachtergrond_bekend")
    assert rules[(leaver, "beeindigd_door")].startswith("required when uitkomst not in")


def test_date_order_and_measurement_date(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    leaver = next(i for i, line in enumerate(lines[1:], start=2) if ",mob," in line)
    bad = edit(lines, leaver, "datum_instroom", "2011-03-30")
    bad = edit(bad, leaver, "datum_uitstroom", "2010-01-01")
    bad = edit(bad, 2, "datum_instroom", "2011-05-01")
    p = problems_of(write(tmp_path, bad), d)
    rules = {(r, c): m for r, c, m in zip(p["row"], p["column"], p["rule"], strict=True)}
    assert rules[(leaver, "datum_uitstroom")] == "earlier than datum_instroom (2011-03-30)"
    assert rules[(2, "datum_instroom")] == "after the measurement date 2011-04-01"


def test_cross_column_rule(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    leaver = next(i for i, line in enumerate(lines[1:], start=2) if ",mob," in line)
    p = problems_of(write(tmp_path, edit(lines, leaver, "wacht_op_beslissing", "true")), d)
    assert p["rule"].iloc[0].startswith("wachten_alleen_in_begeleiding")


def test_not_a_number_and_not_boolean(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    bad = edit(lines, 2, "contacten", "veel")
    bad = edit(bad, 3, "somatisch", "misschien")
    bad = edit(bad, 4, "leeftijd_instroom", "22.5")
    p = problems_of(write(tmp_path, bad), d)
    assert p["rule"].tolist() == [
        "not a number",
        "not true/false (use true, false, 1, 0, ja or nee)",
        "not a whole number",
    ]


def test_wrong_delimiter(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    path = write(tmp_path, [line.replace(",", ";") for line in lines])
    with pytest.raises(DataError, match="separated by semicolons") as info:
        read_registrations(path, d)
    assert info.value.line == 1
    assert not isinstance(info.value, RegistrationProblems)


def test_wrong_encoding(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    text = "\n".join(lines) + "\n"
    path = tmp_path / "reg.csv"
    path.write_bytes(text.encode("cp1252"))
    first = next(i for i, line in enumerate(lines, start=1) if "ë" in line)
    with pytest.raises(DataError, match="not UTF-8") as info:
        read_registrations(path, d)
    assert info.value.line == first
    assert "UTF-8" in (info.value.hint or "")


def test_utf8_bom_is_fine(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    assert len(read_registrations(path, d)) == 733


def test_missing_column(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    i = header_index(lines, "geslacht")
    cut = [",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in lines]
    with pytest.raises(DataError, match="missing column\\(s\\): geslacht"):
        read_registrations(write(tmp_path, cut), d)
    renamed = [lines[0].replace("geslacht", "sekse"), *lines[1:]]
    with pytest.raises(DataError, match="missing column"):
        read_registrations(write(tmp_path, renamed), d)


def test_misspelled_header_gets_a_suggestion(
    tmp_path: Path, lines: list[str], d: RegistrationDictionary
) -> None:
    renamed = [lines[0].replace("herkomstland", "herkomst_land"), *lines[1:]]
    with pytest.raises(DataError, match="'herkomst_land' -> 'herkomstland'"):
        read_registrations(write(tmp_path, renamed), d)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   "])
def test_empty_file(tmp_path: Path, d: RegistrationDictionary, content: bytes) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="empty"):
        read_registrations(path, d)


def test_header_only(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    with pytest.raises(DataError, match="no rows"):
        read_registrations(write(tmp_path, lines[:1]), d)


def test_ragged_row(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    bad = list(lines)
    bad[5] = bad[5] + ",extra,cells"
    with pytest.raises(DataError, match="cannot parse as CSV") as info:
        read_registrations(write(tmp_path, bad), d)
    assert info.value.line == 6


def test_unknown_suffix_and_missing_file(tmp_path: Path, d: RegistrationDictionary) -> None:
    (tmp_path / "reg.json").write_text("{}")
    with pytest.raises(DataError, match=r"cannot read '\.json'"):
        read_raw(tmp_path / "reg.json")
    with pytest.raises(DataError, match="not found"):
        read_raw(tmp_path / "nope.csv")


# --- property: exactly the corrupted cells are reported --------------------------------------------
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(
        st.tuples(
            st.integers(min_value=2, max_value=734),
            st.sampled_from(["geslacht", "leeftijd_instroom", "traject", "contacten", "somatisch"]),
        ),
        min_size=1,
        max_size=12,
        unique=True,
    )
)
def test_reports_exactly_the_corrupted_cells(
    picks: list[tuple[int, str]], d: RegistrationDictionary
) -> None:
    from io import StringIO

    frame = pd.read_csv(StringIO(CSV.read_text(encoding="utf-8")), dtype=str,
                        keep_default_na=False)  # fmt: skip
    garbage = {"geslacht": "X", "leeftijd_instroom": "-3", "traject": "??", "contacten": "abc",
               "somatisch": "wellicht"}  # fmt: skip
    for line, column in picks:
        frame.loc[line - 2, column] = garbage[column]
    from codeer.registrations import RawTable

    with pytest.raises(RegistrationProblems) as info:
        validate(RawTable(frame, CSV, first_row=2, row_label="line"), d)
    got = set(zip(info.value.problems["row"], info.value.problems["column"], strict=True))
    assert got == set(picks)


def test_problem_lines_format(tmp_path: Path, lines: list[str], d: RegistrationDictionary) -> None:
    path = write(tmp_path, edit(lines, 4, "geslacht", "x"))
    with pytest.raises(RegistrationProblems) as info:
        read_registrations(path, d)
    text = info.value.lines()
    assert len(text) == 1
    assert re.match(r".*reg\.csv:4: geslacht='x': unknown category", text[0])
    assert "1 problem(s) in 1 line(s)" in str(info.value)
