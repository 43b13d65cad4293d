"""``codeer describe`` lists steunpunt categories in the rules' order, also when it reads a csv.

describe reads variables/steunpunten.csv (or individueel.csv) when 'codeer join' wrote it, else
joins in memory. A csv only holds codes, so before the fix that path lost the variables' value
labels and listed their categories alphabetically (leefgeld: bankrekening, extern, zelf instead
of zelf, extern, bankrekening as variables/regels.yaml defines them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeer.cli import main
from codeer.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def defined() -> dict[str, list[str]]:
    """Category codes in the order variables/regels.yaml and typologie.yaml list them."""
    rules = yaml.safe_load((REPO / "variables" / "regels.yaml").read_text(encoding="utf-8"))
    out = {
        name: list(rule["categories"])
        for name, rule in rules["variables"].items()
        if isinstance(rule.get("categories"), dict)
    }
    typology = yaml.safe_load((REPO / "variables" / "typologie.yaml").read_text(encoding="utf-8"))
    out["werkwijze"] = list(typology["types"])
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copytree(REPO / "codebooks", root / "codebooks")
    shutil.copytree(REPO / "interviews", root / "interviews")
    (root / "variables").mkdir()
    for name in ("registraties.csv", "registraties.yaml", "regels.yaml", "typologie.yaml"):
        shutil.copy(REPO / "variables" / name, root / "variables" / name)
    return root


def describe(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["describe", "--project", str(root), "--json", *args]) == ExitCode.OK
    tables: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return tables


def codes(table: dict[str, Any]) -> list[str]:
    return [str(row[0]) for row in table["rows"] if row[0] != "totaal"]


def by_name(tables: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in tables}


def test_categories_in_defined_order_from_memory_and_from_csv(
    project: Path, capsys: pytest.CaptureFixture[str], defined: dict[str, list[str]]
) -> None:
    fresh = describe(project, capsys, "--level", "steunpunt")
    fresh_by = describe(project, capsys, "--level", "steunpunt", "--by", "werkwijze")
    assert main(["join", "--project", str(project)]) == ExitCode.OK
    capsys.readouterr()
    # without codings only the csv can give the variables: this proves that path is taken
    shutil.rmtree(project / "interviews" / "codings")
    from_csv = describe(project, capsys, "--level", "steunpunt")
    from_csv_by = describe(project, capsys, "--level", "steunpunt", "--by", "werkwijze")

    checked = 0
    for tables in (fresh, from_csv):
        named = by_name(tables)
        for variable, order in defined.items():
            if variable not in named:
                continue
            got = codes(named[variable])
            assert got[: len(order)] == order, (variable, got)
            assert "label" in named[variable]["columns"], variable
            checked += 1
    assert checked >= 2 * 8  # leefgeld, besluitvorming, werkwijze, vluchtelingenwerk, ...
    leefgeld = by_name(from_csv)["leefgeld"]
    assert [r[:2] for r in leefgeld["rows"][:3]] == [
        ["zelf", "Het steunpunt betaalt zelf uit"],
        ["extern", "Via een externe of overkoepelende organisatie"],
        ["bankrekening", "Op de bankrekening van de cliënt"],
    ]
    assert from_csv == fresh

    # crosstabs by a nominal variable: its categories as columns, in the defined order
    for tables in (fresh_by, from_csv_by):
        cross = by_name(tables)["nieuw_opgezet_x_werkwijze"]
        heads = [c for c in cross["columns"][2:] if c != "totaal"]
        freq = by_name(tables)["werkwijze"]
        n_at = freq["columns"].index("n")
        with_cases = [r[0] for r in freq["rows"] if r[0] != "totaal" and r[n_at] > 0]
        assert heads == with_cases
        assert heads[:4] == defined["werkwijze"]  # the types, then their combinations
    assert from_csv_by == fresh_by


def test_individual_level_frequencies_unchanged_by_the_source(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = describe(project, capsys)
    assert main(["join", "--project", str(project)]) == ExitCode.OK
    capsys.readouterr()
    shutil.rmtree(project / "interviews" / "codings")
    assert describe(project, capsys) == fresh


def test_in_defined_order_keeps_unlabelled_values_and_leaves_other_columns() -> None:
    import pandas as pd

    from codeer.descriptives import frequencies, in_defined_order

    df = pd.DataFrame(
        {
            "nom": pd.array(["b", None, "x", "a", "b"], dtype=object),
            "txt": pd.array(["b", "a", "c", "a", "b"], dtype="str"),
            "flag": pd.array([True, False, None, True, True], dtype="boolean"),
            "num": [3, 1, 2, 1, 3],
        }
    )
    labels = {"nom": {"b": "B", "a": "A", "z": "Z"}, "txt": {"c": "C", "b": "B", "a": "A"},
              "flag": {False: "nee", True: "ja"}, "num": {1: "een", 3: "drie"}}  # fmt: skip
    out = in_defined_order(df, labels, ["nom", "txt", "flag", "num", "absent"])
    assert list(out["nom"].cat.categories) == ["b", "a", "z", "x"]  # 'x' has no label: kept
    assert out["nom"].isna().tolist() == [False, True, False, False, False]
    assert list(out["txt"].cat.categories) == ["c", "b", "a"]
    assert out["flag"].dtype == df["flag"].dtype and out["num"].dtype == df["num"].dtype
    assert not isinstance(df["nom"].dtype, pd.CategoricalDtype)  # the input is not changed
    assert frequencies(out["nom"])["n"].tolist() == [2, 1, 0, 1]


def test_individual_crosstabs_label_the_outcome_indicators_from_csv_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The join's 0/1 indicators (uitkomst_*, uitgestroomd, vastlopend) read nee/ja both ways."""
    fresh = describe(project, capsys, "--by", "uitgestroomd")
    assert main(["join", "--project", str(project)]) == ExitCode.OK
    capsys.readouterr()
    shutil.rmtree(project / "interviews" / "codings")
    from_csv = describe(project, capsys, "--by", "uitgestroomd")
    assert from_csv == fresh
    text = json.dumps(from_csv, ensure_ascii=False)
    assert '"ja"' in text and '"nee"' in text
