"""write_table: csv/xlsx/sav by suffix, labels kept, atomic, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from codeer.errors import CodeerError, UsageError
from codeer.export import spss_frame, to_csv_bytes, write_table


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "steunpunt": ["Alkmaar", "Almelo", "Amsterdam"],
            "huiskamer": pd.array([True, False, None], dtype="boolean"),
            "vluchtelingenwerk": ["uitvoerder", None, "geen"],
            "betaalde_medewerkers": pd.array([2, 3, None], dtype="Int64"),
        }
    )


VAR_LABELS = {"huiskamer": "Heeft een huiskamer", "vluchtelingenwerk": "Rol VluchtelingenWerk"}
VALUE_LABELS: dict[str, dict[object, str]] = {
    "huiskamer": {False: "nee", True: "ja"},
    "vluchtelingenwerk": {
        "uitvoerder": "VWN voert uit",
        "betrokken": "VWN betrokken",
        "geen": "geen VWN",
    },
}


def test_csv_binary_as_true_false_and_missing_empty(tmp_path: Path) -> None:
    path = write_table(_table(), tmp_path / "t.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "steunpunt,huiskamer,vluchtelingenwerk,betaalde_medewerkers"
    assert lines[1] == "Alkmaar,true,uitvoerder,2"
    assert lines[2] == "Almelo,false,,3"
    assert lines[3] == "Amsterdam,,geen,"


def test_csv_plain_bool_dtype() -> None:
    df = pd.DataFrame({"a": [True, False]})
    assert to_csv_bytes(df).decode().splitlines() == ["a", "true", "false"]


def test_sav_codes_and_labels(tmp_path: Path) -> None:
    path = write_table(
        _table(), tmp_path / "t.sav", variable_labels=VAR_LABELS, value_labels=VALUE_LABELS
    )
    df, meta = pyreadstat.read_sav(str(path))
    assert df["huiskamer"].tolist()[:2] == [1.0, 0.0]
    assert pd.isna(df["huiskamer"].iloc[2])
    assert meta.variable_value_labels["huiskamer"] == {0.0: "nee", 1.0: "ja"}
    # nominal: integer codes in value-label order
    assert df["vluchtelingenwerk"].tolist()[0] == 1.0
    assert pd.isna(df["vluchtelingenwerk"].iloc[1])
    assert df["vluchtelingenwerk"].tolist()[2] == 3.0
    assert meta.variable_value_labels["vluchtelingenwerk"] == {
        1.0: "VWN voert uit",
        2.0: "VWN betrokken",
        3.0: "geen VWN",
    }
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["huiskamer"] == "Heeft een huiskamer"
    assert df["steunpunt"].tolist() == ["Alkmaar", "Almelo", "Amsterdam"]
    assert df["betaalde_medewerkers"].tolist()[:2] == [2.0, 3.0]


def test_sav_binary_gets_default_labels(tmp_path: Path) -> None:
    path = write_table(pd.DataFrame({"x": [True, False]}), tmp_path / "t.sav")
    _, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["x"] == {0.0: "nee", 1.0: "ja"}


def test_spss_frame_unlabelled_text_stays_text() -> None:
    data, labels = spss_frame(pd.DataFrame({"s": ["a", None]}), {})
    assert data["s"].tolist() == ["a", ""]
    assert "s" not in labels


def test_xlsx_has_data_and_labels_sheets(tmp_path: Path) -> None:
    path = write_table(
        _table(), tmp_path / "t.xlsx", variable_labels=VAR_LABELS, value_labels=VALUE_LABELS
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["data", "labels"]
    data = list(wb["data"].values)
    assert data[0] == ("steunpunt", "huiskamer", "vluchtelingenwerk", "betaalde_medewerkers")
    assert data[1] == ("Alkmaar", True, "uitvoerder", 2)
    labels = list(wb["labels"].values)
    assert ("huiskamer", "Heeft een huiskamer", None, None) in labels
    assert ("huiskamer", None, "true", "ja") in labels
    assert ("vluchtelingenwerk", None, "geen", "geen VWN") in labels


def test_unknown_suffix_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        write_table(_table(), tmp_path / "t.json")
    assert not list(tmp_path.iterdir())


def test_failed_sav_keeps_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "t.sav"
    target.write_bytes(b"old")
    bad = pd.DataFrame({"bad name with spaces": [1, 2]})
    with pytest.raises(CodeerError):
        write_table(bad, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.sav"]


@pytest.mark.parametrize("ext", ["csv", "xlsx", "sav"])
def test_overwrite_is_atomic_no_leftovers(tmp_path: Path, ext: str) -> None:
    target = tmp_path / f"t.{ext}"
    write_table(_table(), target)
    write_table(_table(), target)
    assert [p.name for p in tmp_path.iterdir()] == [f"t.{ext}"]
