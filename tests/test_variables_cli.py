"""``codeer variables``: files written, conflicts report, --json, --explain, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from codeer.cli import cli, main
from tests.test_variables import STANDARD, make_project


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", STANDARD)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_writes_csv_and_conflicts(root: Path) -> None:
    code, out = run("variables", "--project", str(root))
    assert code == 0, out
    table = (root / "variables" / "steunpunten.csv").read_text(encoding="utf-8").splitlines()
    assert table[0].startswith("steunpunt,nieuw,nieuw_flag,huiskamer,")
    alfa = dict(zip(table[0].split(","), table[1].split(","), strict=True))
    assert alfa["steunpunt"] == "Alfa" and alfa["nieuw"] == "true" and alfa["huiskamer"] == "false"
    assert alfa["nieuw_flag"] == ""  # flagged: missing, not false
    assert len(table) == 4
    conflicts = pd.read_csv(root / "variables" / "conflicten.csv", dtype=str)
    rows = conflicts[(conflicts.steunpunt == "Alfa") & (conflicts.variabele == "nieuw")]
    assert set(rows.rol) == {"steunpunt", "gemeente"}
    assert set(rows.gekozen_waarde) == {"true"}
    steunpunt_side = rows[rows.rol == "steunpunt"].iloc[0]
    assert steunpunt_side.citaten.startswith("[sp-alfa] Zin 0 over org.nieuw")
    assert "Conflicts" in out and "Steunpunt variables (n = 3)" in out


def test_xlsx_and_sav(root: Path) -> None:
    assert run("variables", "--project", str(root), "--format", "xlsx")[0] == 0
    wb = openpyxl.load_workbook(root / "variables" / "steunpunten.xlsx")
    assert wb.sheetnames == ["data", "labels"]
    assert run("variables", "--project", str(root), "--format", "sav")[0] == 0
    df, meta = pyreadstat.read_sav(str(root / "variables" / "steunpunten.sav"))
    assert df["nieuw"].tolist()[:2] == [1.0, 1.0]
    assert meta.variable_value_labels["nieuw"] == {0.0: "nee", 1.0: "ja"}
    assert meta.variable_value_labels["vwn"] == {1.0: "Voert uit", 2.0: "Geen VWN"}
    assert df["vwn"].tolist()[:2] == [1.0, 2.0]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["nieuw"] == "Nieuw opgezet" and labels["werkwijze"] == "Werkwijze"


def test_json(root: Path) -> None:
    code, out = run("variables", "--project", str(root), "--json")
    assert code == 0
    data = json.loads(out)
    assert [r["steunpunt"] for r in data["table"]] == ["Alfa", "Beta", "Gamma"]
    assert data["table"][0]["werkwijze"] == "cyclisch+maatwerk"
    assert data["table"][2]["nieuw"] is None
    assert any(c["variable"] == "nieuw" and c["steunpunt"] == "Alfa" for c in data["conflicts"])
    assert any(m["steunpunt"] == "Gamma" for m in data["missing"])
    assert len(data["written"]) == 2


def test_explain(root: Path) -> None:
    code, out = run("variables", "--project", str(root), "--explain", "Alfa", "huiskamer")
    assert code == 0
    assert "Alfa · huiskamer = false" in out
    assert "gem-alfa" in out and "Zin 1 over" in out and "gemeente gaat voor" in out
    assert not (root / "variables" / "steunpunten.csv").exists()  # explain writes nothing
    code, out = run("variables", "--project", str(root), "--explain", "Alfa", "werkwijze", "--json")
    data = json.loads(out)
    assert data["value"] == "cyclisch+maatwerk" and len(data["evidence"]) == 5
    assert data["typology"]["counts"]["cyclisch"] == 3


def test_explain_unknown_names(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["variables", "--project", str(root), "--explain", "Alpha", "nieuw"]) == 2
    assert "did you mean 'Alfa'" in capsys.readouterr().err
    assert main(["variables", "--project", str(root), "--explain", "Alfa", "nieuwe"]) == 2
    assert "did you mean 'nieuw'" in capsys.readouterr().err


def test_bad_input_writes_nothing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("variables", "--project", str(root))[0] == 0
    before = {p.name: p.read_bytes() for p in (root / "variables").iterdir()}
    path = root / "interviews" / "codings" / "a" / "sp-alfa.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  value: 2\n", ""), "utf-8")
    assert main(["variables", "--project", str(root)]) != 0
    err = capsys.readouterr().err
    assert err.startswith("codeer: ") and "sp-alfa.yaml:" in err and "needs a value" in err
    assert "Traceback" not in err
    after = {p.name: p.read_bytes() for p in (root / "variables").iterdir()}
    assert after == before


def test_bad_rule_names_file_and_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = root / "variables" / "regels.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("[org.nieuw]", "[org.nieuwe]", 1), "utf-8"
    )
    assert main(["variables", "--project", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{rules}:8: variable 'nieuw': unknown code 'org.nieuwe'" in err
    assert not (root / "variables" / "steunpunten.csv").exists()


def test_unknown_coder(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["variables", "--project", str(root), "--coder", "q"]) == 2
    assert "no codings by coder 'q'" in capsys.readouterr().err
