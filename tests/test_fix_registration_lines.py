"""Problems in registraties.csv name the physical line the bad record starts on.

Blank lines (at the start, in the middle, several, only spaces), Windows line ends and quoted
fields that span lines all make a record's line differ from 'index + 2'; the line reported must
be the one an editor's 'go to line' lands on. Expected lines are found independently, by looking
up a marker (the client id) in the written text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codeer.errors import DataError, ExitCode
from codeer.registrations import (
    RegistrationDictionary,
    RegistrationProblems,
    load_dictionary,
    read_registrations,
)

REPO = Path(__file__).resolve().parents[1]
CSV = REPO / "variables" / "registraties.csv"


@pytest.fixture(scope="module")
def d() -> RegistrationDictionary:
    return load_dictionary(REPO / "variables" / "registraties.yaml")


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    """Header and data rows of the example as cells (it has no quotes or commas in cells)."""
    return [line.split(",") for line in CSV.read_text(encoding="utf-8").splitlines()]


def set_cell(rows: list[list[str]], client: str, column: str, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    k = next(i for i, r in enumerate(out) if r[0] == client)
    out[k][out[0].index(column)] = value
    return out


def with_notes(rows: list[list[str]], notes: dict[str, str]) -> list[list[str]]:
    """An extra free-text column 'opmerking' (not in the dictionary: kept as text)."""
    return [[*rows[0], "opmerking"]] + [[*r, notes.get(r[0], "")] for r in rows[1:]]


def render(rows: list[list[str]], blanks: dict[int, str], eol: str = "\n") -> str:
    """CSV text with extra blank-ish lines inserted before the given row indexes."""
    parts: list[str] = []
    for i, r in enumerate(rows):
        parts.append(blanks.get(i, ""))
        parts.append(",".join(r) + eol)
    return "".join(parts)


def lines_of(text: str, marker: str) -> list[int]:
    """1-based physical lines whose text starts with ``marker,`` (an editor's line numbers)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return [k for k, line in enumerate(lines, 1) if line.startswith(marker + ",")]


def line_of(text: str, marker: str) -> int:
    (line,) = lines_of(text, marker)
    return line


MULTI = '"belt vaak, soms 2x per dag\n\nzie ook dossier\n""oud"""'  # comma, blank line, quotes
LAYOUTS = {
    "blank line in the middle": ({5: "\n"}, {}, "\n"),
    "blank lines at the start": ({0: "\n\n\n"}, {}, "\n"),
    "several blank lines, some only spaces": ({0: "\n", 3: " \n\t\n\n", 40: "\n"}, {}, "\n"),
    "quoted field spanning lines": ({}, {"P0003": MULTI, "P0007": '"a\nb"'}, "\n"),
    "everything, Windows line ends": (
        {0: "\r\n", 4: "\r\n   \r\n", 30: "\r\n"},
        {"P0002": MULTI.replace("\n", "\r\n"), "P0020": '"x\r\ny\r\nz"'},
        "\r\n",
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_reported_line_is_the_physical_line(
    tmp_path: Path, rows: list[list[str]], d: RegistrationDictionary, layout: str
) -> None:
    blanks, notes, eol = LAYOUTS[layout]
    bad = set_cell(rows, "P0051", "leeftijd_instroom", "250")
    bad = set_cell(bad, "P0400", "geslacht", "x")
    bad = set_cell(bad, "P0402", "client_id", "P0060")  # a duplicate of an earlier client
    text = render(with_notes(bad, notes), blanks, eol)
    path = tmp_path / "reg.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(RegistrationProblems) as info:
        read_registrations(path, d)
    first_p0060, second_p0060 = lines_of(text, "P0060")
    assert info.value.lines() == [
        f"{path}:{line_of(text, 'P0051')}: leeftijd_instroom='250': above the maximum 35",
        f"{path}:{first_p0060}: client_id='P0060': duplicate client_id (repeated further down)",
        f"{path}:{line_of(text, 'P0400')}: geslacht='x': unknown category (allowed: m, v)",
        f"{path}:{second_p0060}: client_id='P0060': duplicate client_id "
        f"(also on line {first_p0060})",
    ]
    if blanks or notes:  # the layout really moves the lines
        assert line_of(text, "P0051") != 52


def test_blank_lines_before_a_misspelled_header_name_its_line(
    tmp_path: Path, rows: list[list[str]], d: RegistrationDictionary
) -> None:
    text = render(rows, {0: "\n \n"}).replace("uitkomst,", "resultaat,", 1)
    path = tmp_path / "reg.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="missing column") as info:
        read_registrations(path, d)
    assert info.value.line == 3


def test_ragged_row_after_a_quoted_line_break(
    tmp_path: Path, rows: list[list[str]], d: RegistrationDictionary
) -> None:
    table = with_notes(rows, {"P0002": '"one\ntwo\nthree"'})
    table[9] = table[9] + ["extra"]  # P0009 gets one field too many
    text = render(table, {3: "\n"})
    path = tmp_path / "reg.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="cannot parse as CSV") as info:
        read_registrations(path, d)
    assert info.value.line == line_of(text, "P0009") == 13


# --- the command, on a copy of the project ---------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copytree(REPO / "codebooks", root / "codebooks")
    shutil.copytree(REPO / "interviews", root / "interviews")
    (root / "variables").mkdir()
    for name in ("registraties.csv", "registraties.yaml", "regels.yaml", "typologie.yaml"):
        if (REPO / "variables" / name).exists():
            shutil.copy(REPO / "variables" / name, root / "variables" / name)
    return root


def codeer(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "codeer", *args], capture_output=True, text=True, env=env
    )


def test_join_reports_the_physical_line_and_overwrites_nothing(
    project: Path, rows: list[list[str]]
) -> None:
    ok = codeer("join", "--project", str(project))
    assert ok.returncode == ExitCode.OK, ok.stderr
    outputs = sorted((project / "variables").glob("[is][nt]*.csv"))
    assert [p.name for p in outputs] == ["individueel.csv", "steunpunten.csv"]
    before = {p: p.read_bytes() for p in outputs}

    bad = set_cell(rows, "P0123", "leeftijd_instroom", "250")
    table = with_notes(bad, {"P0010": '"gesprek 1\n\ngesprek 2"', "P0100": '"a\nb\nc"'})
    text = render(table, {0: "\n", 2: "\n\n", 50: "  \n"})
    (project / "variables" / "registraties.csv").write_text(text, encoding="utf-8")
    expected = line_of(text, "P0123")
    assert expected == 123 + 1 + 4 + 4  # the header, 4 blank lines, 4 quoted line breaks

    res = codeer("join", "--project", str(project))
    assert res.returncode == ExitCode.PROBLEMS
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    assert f"registraties.csv:{expected}: leeftijd_instroom='250': above the maximum 35" in (
        res.stderr
    )
    assert {p: p.read_bytes() for p in outputs} == before
    assert not list((project / "variables").glob(".*.tmp"))

    res = codeer("join", "--project", str(project), "--json")
    assert res.returncode == ExitCode.PROBLEMS and "Traceback" not in res.stderr
    data = json.loads(res.stdout)
    assert [(p["row"], p["column"]) for p in data["problems"]] == [(expected, "leeftijd_instroom")]
    assert {p: p.read_bytes() for p in outputs} == before
