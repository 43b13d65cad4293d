"""``codeer chaid``: tree in the terminal, JSON and SVG files, --control, --study, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from codeer.cli import main
from tests.test_analyses import SPEC_TEXT, planted

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with variables/analyses.yaml and a table to analyse."""
    root = tmp_path / "p"
    (root / "variables").mkdir(parents=True)
    (root / "variables" / "analyses.yaml").write_text(SPEC_TEXT, encoding="utf-8")
    planted().to_csv(root / "data.csv", index=False)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def chaid(project: Path, *args: str) -> list[str]:
    return ["chaid", "--project", str(project), "--data", str(project / "data.csv"), *args]


def test_tree_in_terminal_and_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, *chaid(project, "--outcome", "y_stays", "--predictors", "@steunpunt")
    )
    assert code == 0, err
    assert "Node 0 n = 1200 (100.0%)" in out
    assert "split on sp_stays" in out and "adj. p = " in out and "χ² = " in out
    folder = project / "variables" / "chaid"
    assert sorted(p.name for p in folder.iterdir()) == ["y_stays.json", "y_stays.svg"]
    doc = json.loads((folder / "y_stays.json").read_text(encoding="utf-8"))
    assert doc["tree"]["nodes"][0]["split"]["variable"] == "sp_stays"
    assert doc["tree"]["settings"]["max_depth"] == 2  # the spec's settings
    svg = ET.parse(folder / "y_stays.svg").getroot()
    boxes = [
        r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if "node" in (r.get("class") or "")
    ]
    assert len(boxes) == len(doc["tree"]["nodes"])
    assert "wrote" in err


def test_control_reports_the_intervening_check(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    args = chaid(project, "--outcome", "y_gone", "--control", "@client", "--out", str(out_dir))
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "with controls" in out and "disappears" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "y_gone.json",
        "y_gone.svg",
        "y_gone_control.json",
        "y_gone_control.svg",
    ]
    control = json.loads((out_dir / "y_gone_control.json").read_text(encoding="utf-8"))
    assert control["intervening"][0]["variable"] == "sp_gone"
    assert control["intervening"][0]["status"] == "disappears"
    code, out, _ = run(capsys, *args, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["analysis"]["intervening"][0]["status"] == "disappears"
    assert doc["tree"]["nodes"][0]["split"]["variable"] == "sp_gone"
    assert doc["controlled_tree"]["nodes"][0]["split"]["variable"] == "cl_gone"


def test_settings_options(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = chaid(project, "--outcome", "y_nominal", "--predictors", "kind,noise1", "--json")
    options = [
        "--exhaustive",
        "--max-depth", "1",
        "--min-parent", "20",
        "--min-child", "10",
        "--alpha-split", "0.01",
        "--alpha-merge", "0.02",
        "--likelihood-ratio",
        "--no-bonferroni",
        "--intervals", "5",
        "--out", str(tmp_path),
    ]  # fmt: skip
    code, out, err = run(capsys, *args, *options, "--target", "0")
    assert code == 0, err
    assert json.loads(out)["analysis"]["with_controls"] is None
    settings = json.loads(out)["analysis"]["settings"]
    assert settings["method"] == "exhaustive" and settings["max_depth"] == 1
    assert settings["min_parent"] == 20 and settings["min_child"] == 10
    assert settings["alpha_split"] == 0.01 and settings["alpha_merge"] == 0.02
    assert settings["chi_square"] == "likelihood_ratio" and settings["bonferroni"] is False
    assert settings["intervals"] == 5
    assert json.loads(out)["tree"]["nodes"][0]["split"]["test"] == "likelihood_ratio"


def test_study_runs_every_analysis(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["chaid", "--project", str(project), "--data", str(project / "data.csv")]
    code, out, err = run(capsys, *args, "--study", "--out", str(tmp_path), "--json")
    assert code == 0, err
    ids = [a["id"] for a in json.loads(out)["analyses"]]
    assert ids == ["gone", "stays"]
    assert (tmp_path / "stays_control.svg").is_file()
    code, out, _ = run(capsys, *args, "--study", "--out", str(tmp_path))
    assert code == 0 and "first split per analysis" in out


def _bad(tmp: Path, frame: pd.DataFrame) -> Path:
    path = tmp / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--outcome", "y_gon"], 1, "outcome 'y_gon' is not a column of the table"),
        (["--outcome", "y_gone", "--predictors", "kinds"], 1, "predictor 'kinds' is not a column"),
        (["--outcome", "y_gone", "--predictors", "@nope"], 2, "unknown predictor group '@nope'"),
        (["--outcome", "constant"], 1, "outcome 'constant' is constant"),
        (["--outcome", "y_gone", "--predictors", "constant"], 1, "'constant' has one category"),
        (["--outcome", "y_gone", "--predictors", "empty"], 1, "'empty' is missing for every case"),
        (["--outcome", "empty"], 1, "outcome 'empty' is missing for every case"),
        (["--outcome", "y_gone", "--predictors", "kind:interval"], 2, "unknown measurement level"),
        (["--outcome", "y_gone", "--alpha-split", "2"], 2, "alpha_split must be in (0, 1)"),
        (["--study", "--outcome", "y_gone"], 2, "--study runs the analyses"),
        (["--outcome", "y_gone", "--target", "7"], 1, "'7' is not a category of y_gone"),
        ([], 2, "give --outcome"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    got, _out, err = run(capsys, *chaid(project, *args))
    assert got == code, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (project / "variables" / "chaid").exists()


def test_empty_and_missing_tables(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header_only = project / "empty.csv"
    header_only.write_text("y,a\n", encoding="utf-8")
    base = ["chaid", "--project", str(project), "--outcome", "y", "--predictors", "a"]
    code, _, err = run(capsys, *base, "--data", str(header_only))
    assert code == 1 and "the table is empty" in err
    blank = project / "blank.csv"
    blank.write_text("", encoding="utf-8")
    code, _, err = run(capsys, *base, "--data", str(blank))
    assert code != 0 and "Traceback" not in err and "blank.csv" in err
    code, _, err = run(capsys, *base, "--data", str(project / "absent.csv"))
    assert code != 0 and "no such file" in err


def test_group_without_spec_and_bad_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    rng = np.random.default_rng(0)
    data = _bad(root, pd.DataFrame({"y": rng.integers(0, 2, 50), "a": rng.integers(0, 2, 50)}))
    base = ["chaid", "--project", str(root), "--data", str(data), "--outcome", "y"]
    code, _, err = run(capsys, *base)
    assert code == 2 and "no variables/analyses.yaml defines groups" in err
    code, out, err = run(capsys, *base, "--predictors", "a", "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert "Node 0" in out
    (root / "variables").mkdir()
    (root / "variables" / "analyses.yaml").write_text("groups:\n  g: [a]\n", encoding="utf-8")
    code, _, err = run(capsys, *base, "--predictors", "a")
    assert code == 1 and "analyses.yaml:2: group 'g': variable 'a' has no measurement level" in err


def test_bundled_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The example project: joined from the codings, trajectory first for return; with the
    client characteristics psychiatric diagnosis splits next."""
    args = ["chaid", "--project", str(REPO), "--outcome", "uitkomst_terugkeer"]
    study = ["--predictors", "@steunpunt,@traject", "--control", "@client"]
    code, out, err = run(capsys, *args, *study, "--out", str(tmp_path), "--json")
    assert code == 0, err
    doc = json.loads(out)
    controlled = doc["analysis"]["with_controls"]
    assert controlled["first_split"]["variable"] == "traject"
    assert [(s["depth"], s["variable"]) for s in controlled["splits"]][1] == (1, "psychiatrisch")
    assert doc["tree"]["nodes"][0]["n"] == 733
    code, _, err = run(capsys, *args, "--coder", "nobody", "--out", str(tmp_path))
    assert code == 2 and "no codings by coder 'nobody'" in err
