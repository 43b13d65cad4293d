"""``codeer run``: the whole pipeline, deterministic, and ``--check`` catches drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeer.cli import main
from codeer.pipeline import check_reproducible, copy_inputs, run_pipeline

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pipeline") / "project"
    root.mkdir()
    copy_inputs(REPO, root)
    return root


def test_run_writes_every_output_and_reproduces_the_study(fresh: Path) -> None:
    steps: list[str] = []
    result = run_pipeline(fresh, "a", steps.append)
    assert steps == ["validate", "variables", "join", "describe", "chaid"]
    rel = result.relative_outputs()
    for expected in (
        "variables/steunpunten.csv",
        "variables/individueel.csv",
        "variables/conflicten.csv",
        "variables/beschrijving_individueel.csv",
        "variables/beschrijving_steunpunt.csv",
    ):
        assert expected in rel
    assert any(r.startswith("variables/chaid/") and r.endswith(".svg") for r in rel)
    s = result.summary
    assert s["transcripts"] == 39 and s["steunpunten"] == 20 and s["clients"] == 733
    assert s["outcomes"] == {
        "in_begeleiding": 473,
        "verblijfsvergunning": 107,
        "terugkeer": 21,
        "mob": 87,
        "doormigratie": 10,
        "anders": 35,
    }
    assert s["werkwijze"] == {
        "confrontatie": 2,
        "cyclisch": 5,
        "cyclisch+maatwerk": 3,
        "lineair": 3,
        "maatwerk": 5,
        "maatwerk+lineair": 2,
    }
    assert s["missing_values"] == 0 and s["conflicts"] >= 3


def test_rerun_is_byte_identical_and_check_catches_a_changed_output(fresh: Path) -> None:
    run_pipeline(fresh, "a")
    assert check_reproducible(fresh).ok
    table = fresh / "variables" / "steunpunten.csv"
    table.write_text(
        table.read_text(encoding="utf-8").replace("true", "false", 1), encoding="utf-8"
    )
    outcome = check_reproducible(fresh)
    assert not outcome.ok and outcome.different == ("variables/steunpunten.csv",)
    (fresh / "variables" / "conflicten.csv").unlink()
    assert "variables/conflicten.csv" in check_reproducible(fresh).missing


def test_committed_outputs_are_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    if not (REPO / "variables" / "steunpunten.csv").exists():
        pytest.skip("outputs not committed")
    rc = main(["run", "--project", str(REPO), "--check", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0, data
    assert data["ok"] and not data["different"] and not data["missing"]


def test_validation_errors_stop_the_run_before_writing(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = fresh.parent / "broken"
    broken.mkdir()
    copy_inputs(REPO, broken)
    codings = broken / "interviews" / "codings" / "a" / "sp-alkmaar.yaml"
    codings.write_text(
        codings.read_text(encoding="utf-8").replace("quote: ", "quote: X", 1), encoding="utf-8"
    )
    rc = main(["run", "--project", str(broken)])
    err = capsys.readouterr().err
    assert rc == 1 and "validation found" in err and "Traceback" not in err
    assert not (broken / "variables" / "steunpunten.csv").exists()


def test_unknown_coder_is_refused_before_writing(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in (fresh / "variables").iterdir())
    rc = main(["run", "--project", str(fresh), "--coder", "zzz"])
    err = capsys.readouterr().err
    assert rc == 2 and "no codings by coder 'zzz'" in err and "coders in this project: a, b" in err
    assert sorted(p.name for p in (fresh / "variables").iterdir()) == before
