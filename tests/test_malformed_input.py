"""Bad input gets a clear message (file, line, what, how to fix), a non-zero exit and no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codeer.cli import main
from tests.conftest import MINI_CODEBOOK, write_project

GOOD_CODINGS = """\
transcript: sp-test
coder: a
transcript_hash: {hash}
codings:
- id: c0000001
  code: voorzieningen.huiskamer
  start: {start}
  end: {end}
  quote: huiskamer
  coder: a
  created: '2011-01-01T12:00:00Z'
  modified: '2011-01-01T12:00:00Z'
"""


def codings_text(root: Path, **changes: str) -> str:
    from codeer.transcript import load_transcript

    t = load_transcript(root / "interviews" / "sp-test.txt")
    start = t.body.index("huiskamer", t.body.index("R:"))
    text = GOOD_CODINGS.format(hash=t.content_hash, start=start, end=start + 9)
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    return text


def put_codings(root: Path, text: str, coder: str = "a") -> Path:
    path = root / "interviews" / "codings" / coder / "sp-test.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["validate", "--project", str(root)])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return rc, out.err


def test_clean_project_exits_zero(mini_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    put_codings(mini_project, codings_text(mini_project))
    rc, err = run_validate(mini_project, capsys)
    assert rc == 0, err


CASES: list[tuple[str, str, str, str, str]] = [
    # (name, which file, replace this, with this, expected fragment of the message)
    (
        "codebook: yaml syntax",
        "codebook",
        "label: Voorzieningen",
        "label: [Voorzieningen",
        "YAML syntax error",
    ),
    (
        "codebook: unknown key",
        "codebook",
        "label: Huiskamer",
        "label: Huiskamer\n        lable: x",
        "unknown key 'lable'",
    ),
    (
        "codebook: duplicate id",
        "codebook",
        "id: voorzieningen.leefgeld",
        "id: voorzieningen.huiskamer",
        "duplicate code id",
    ),
    (
        "codebook: dangling reference",
        "codebook",
        "see_also: [voorzieningen.huiskamer]",
        "see_also: [voorzieningen.keuken]",
        "unknown code 'voorzieningen.keuken'",
    ),
    ("codebook: bad value type", "codebook", "type: integer", "type: decimal", "value.type"),
    (
        "codebook: duplicate key",
        "codebook",
        "label: Leefgeld",
        "label: Leefgeld\n        label: Geld",
        "duplicate key 'label'",
    ),
    (
        "transcript: no front matter",
        "transcript",
        "---\nid: sp-test",
        "id: sp-test",
        "missing YAML front matter",
    ),
    ("transcript: bad role", "transcript", "role: steunpunt", "role: chef", "role"),
    ("transcript: bad date", "transcript", "date: 2010-11-03", "date: 3 november", "date"),
    (
        "codings: yaml syntax",
        "codings",
        "code: voorzieningen.huiskamer",
        "code: [voorzieningen.huiskamer",
        "YAML syntax error",
    ),
    (
        "codings: unknown code",
        "codings",
        "code: voorzieningen.huiskamer",
        "code: voorzieningen.keuken",
        "unknown code id 'voorzieningen.keuken'",
    ),
    ("codings: offset out of range", "codings", "end: ", "end: 99999 #", "out of range"),
    (
        "codings: quote mismatch",
        "codings",
        "quote: huiskamer",
        "quote: keukentje",
        "quote does not match",
    ),
    (
        "codings: missing key",
        "codings",
        "  quote: huiskamer\n",
        "",
        "missing required key 'codings.0.quote'",
    ),
    ("codings: end before start", "codings", "end: ", "end: 1 #", "must be greater than start"),
    (
        "codings: wrong transcript",
        "codings",
        "transcript: sp-test",
        "transcript: sp-other",
        "no transcript 'sp-other'",
    ),
]


@pytest.mark.parametrize(
    ("name", "which", "old", "new", "needle"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_input(
    mini_project: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    which: str,
    old: str,
    new: str,
    needle: str,
) -> None:
    good_codings = codings_text(mini_project)
    if which == "codebook":
        path = mini_project / "codebooks" / "mini.yaml"
        assert old in MINI_CODEBOOK
        path.write_text(MINI_CODEBOOK.replace(old, new, 1), encoding="utf-8")
        put_codings(mini_project, good_codings)
    elif which == "transcript":
        path = mini_project / "interviews" / "sp-test.txt"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    else:
        assert old in good_codings
        path = put_codings(mini_project, good_codings.replace(old, new, 1))
    before = path.read_bytes()
    rc, err = run_validate(mini_project, capsys)
    assert rc == 1, err
    assert needle in err
    assert f"{path.name}:" in err  # names the file and a line
    assert "hint:" in err
    assert path.read_bytes() == before  # nothing overwritten


def test_unreadable_project_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["validate", "--project", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert rc == 2 and "does not exist" in err and "Traceback" not in err


def test_not_utf8_transcript(mini_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini_project / "interviews" / "sp-test.txt").write_bytes("---\nid: x\n\xe9".encode("latin-1"))
    rc, err = run_validate(mini_project, capsys)
    assert rc == 1 and "not valid UTF-8" in err


def test_json_output_lists_findings(mini_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    put_codings(mini_project, codings_text(mini_project).replace("quote: huiskamer", "quote: x"))
    rc = main(["validate", "--project", str(mini_project), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1 and data["ok"] is False
    assert data["findings"][0]["kind"] == "codings" and data["findings"][0]["line"] == 5


def test_changed_transcript_is_reanchored_not_dropped(
    mini_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = put_codings(mini_project, codings_text(mini_project))
    t = mini_project / "interviews" / "sp-test.txt"
    t.write_text(
        t.read_text(encoding="utf-8").replace("I: Heeft u", "I: Goedemorgen. Heeft u"),
        encoding="utf-8",
    )
    rc, err = run_validate(mini_project, capsys)
    assert rc == 0 and "moved" in err
    rc = main(["validate", "--project", str(mini_project), "--reanchor"])
    capsys.readouterr()
    assert "anchor: moved" in path.read_text(encoding="utf-8")
    rc, err = run_validate(mini_project, capsys)
    assert rc == 0


def test_cli_never_prints_a_traceback_in_a_subprocess(mini_project: Path) -> None:
    (mini_project / "codebooks" / "mini.yaml").write_text("codes: [", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "codeer", "validate", "--project", str(mini_project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and re.search(
        r"mini\.yaml:\d+: error: YAML syntax error", proc.stderr
    )


def test_write_project_helper_is_complete(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    assert (root / "variables").is_dir()
