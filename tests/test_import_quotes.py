"""The quote importer: quotes become exact offsets; bad lists are reported and write nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from codeer.paths import ProjectPaths
from codeer.store import Store
from codeer.transcript import load_transcript

ROOT = Path(__file__).resolve().parents[1]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_quotes", ROOT / "scripts" / "import_quotes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_quotes"] = module
    spec.loader.exec_module(module)
    return module


iq = _load_script()

CODEBOOK = """\
name: Test
codes:
  - id: voorzieningen
    label: Voorzieningen
    children:
      - id: voorzieningen.huiskamer
        label: Huiskamer
      - id: voorzieningen.leefgeld
        label: Leefgeld
        value: {type: category, categories: [zelf, extern, bankrekening]}
  - id: organisatie
    label: Organisatie
    children:
      - id: organisatie.betaald
        label: Betaald
        value: {type: integer, min: 0, max: 50}
"""

# 'é' is written decomposed (e + U+0301): the body is NFC, so offsets count one code point
TRANSCRIPT = (
    "---\nid: sp-test\ncase: Test\nrole: steunpunt\n---\n"
    "I: Hoe is het steunpunt opgezet?\n\n"
    "R: Wij hebben een huiskamer. Het cafe\u0301 is open. Wij hebben een huiskamer.\n\n"
    "I: En het leefgeld?\n\n"
    "R: Dat betalen we zelf uit, contant. Er zijn drie betaalde krachten.\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "codebooks").mkdir()
    (tmp_path / "codebooks" / "test.yaml").write_text(CODEBOOK, encoding="utf-8")
    (tmp_path / "interviews").mkdir()
    (tmp_path / "interviews" / "sp-test.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "interviews" / "codings-b-bron").mkdir()
    return tmp_path


def write_list(project: Path, body: str) -> Path:
    path = project / "interviews" / "codings-b-bron" / "sp-test.yaml"
    path.write_text("transcript: sp-test\ncoder: b\ncodings:\n" + body, encoding="utf-8")
    return path


GOOD = """\
  - code: voorzieningen.huiskamer
    quote: Wij hebben een huiskamer.
    occurrence: 2
    memo: herhaling
  - code: voorzieningen.leefgeld
    quote: "Dat betalen we zelf uit, contant."
    value: zelf
  - code: organisatie.betaald
    quote: Er zijn drie betaalde krachten.
    value: 3
  - code: voorzieningen
    quote: "Het cafe\u0301 is open."
"""


def test_import_writes_exact_offsets(project: Path) -> None:
    write_list(project, GOOD)
    assert iq.main(["--project", str(project)]) == 0
    paths = ProjectPaths.of(project)
    cf = Store(paths).load("b", "sp-test")
    assert cf is not None
    t = load_transcript(paths.transcript_file("sp-test"))
    assert cf.transcript_hash == t.content_hash
    assert len(cf.codings) == 4
    for c in cf.codings:
        assert t.body[c.start : c.end] == c.quote
        assert c.coder == "b"
        assert c.id == iq.coding_id("sp-test", c.start, c.end, c.code, "b")
        assert c.created == c.modified == iq.STAMP
    huis = next(c for c in cf.codings if c.code == "voorzieningen.huiskamer")
    assert huis.start == t.body.rindex("Wij hebben een huiskamer.")
    assert huis.memo == "herhaling"
    cafe = next(c for c in cf.codings if c.code == "voorzieningen")
    assert cafe.quote == "Het café is open." and cafe.end - cafe.start == 17
    assert {c.code: c.value for c in cf.codings}["organisatie.betaald"] == 3
    # a rerun changes nothing, and --check agrees
    before = paths.codings_file("b", "sp-test").read_bytes()
    assert iq.main(["--project", str(project)]) == 0
    assert paths.codings_file("b", "sp-test").read_bytes() == before
    assert iq.main(["--project", str(project), "--check"]) == 0


def test_check_reports_stale_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_list(project, GOOD)
    assert iq.main(["--project", str(project), "--check"]) == 1  # nothing written yet
    assert iq.main(["--project", str(project)]) == 0
    write_list(project, GOOD.split("  - code: voorzieningen.leefgeld")[0])
    capsys.readouterr()
    assert iq.main(["--project", str(project), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("item", "line", "message"),
    [
        (
            "  - code: voorzieningen.huiskamer\n    quote: Wij hebben een huiskamer.\n",
            5,
            "occurs 2 times",
        ),
        ("  - code: voorzieningen.huiskamer\n    quote: Wij hebben een tuinkamer.\n", 5, "closest"),
        (
            "  - code: voorzieningen.zwembad\n    quote: Het café is open.\n",
            4,
            "unknown code 'voorzieningen.zwembad'",
        ),
        (
            "  - code: voorzieningen.leefgeld\n    quote: contant\n    value: pinpas\n",
            6,
            "expected one of zelf, extern, bankrekening",
        ),
        ("  - code: organisatie.betaald\n    quote: drie betaalde\n", 4, "needs a value"),
        (
            "  - code: organisatie.betaald\n    quote: drie betaalde\n    value: 99\n",
            6,
            "above the maximum 50",
        ),
        (
            "  - code: voorzieningen\n    quote: Het café is open.\n    value: 1\n",
            6,
            "takes no value",
        ),
        (
            "  - code: voorzieningen\n    quote: Het café is open.\n    occurrence: 2\n",
            5,
            "occurs 1 time",
        ),
        (
            "  - code: voorzieningen\n    quote: Het café is open.\n    colour: red\n",
            6,
            "unknown key 'colour'",
        ),
    ],
)
def test_problems_name_file_and_line_and_write_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], item: str, line: int, message: str
) -> None:
    path = write_list(project, GOOD + item)
    # GOOD has 12 lines after the 3-line header; shift the expected line accordingly
    expected_line = line + GOOD.count("\n")
    assert iq.main(["--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"{path.name}:{expected_line}: " in err
    assert message in err
    assert "Traceback" not in err
    assert not ProjectPaths.of(project).codings_file("b", "sp-test").exists()


def test_closest_match_is_shown(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_list(project, "  - code: voorzieningen\n    quote: Dat betalen wij zelf uit\n")
    assert iq.main(["--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert "quote not found" in err
    assert "Dat betalen we zelf uit" in err


@pytest.mark.skipif(
    not (ROOT / "interviews" / "codings-b-bron").is_dir(), reason="no coder b quote lists"
)
def test_committed_codings_of_b_are_in_sync() -> None:
    assert iq.main(["--project", str(ROOT), "--check"]) == 0
