"""Transcripts, codebook and codings: parsing, offsets and round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeer.codebook import load_codebook
from codeer.codings import Coding, CodingsFile, parse_codings
from codeer.errors import CodebookError, TranscriptError
from codeer.project import Project
from codeer.transcript import load_transcript, parse_transcript


def test_transcript_turns_and_offsets(mini_project: Path) -> None:
    t = load_transcript(mini_project / "interviews" / "sp-test.txt")
    assert t.id == "sp-test" and t.case == "Teststad" and t.role == "steunpunt"
    assert [turn.speaker for turn in t.turns] == ["I", "R", "I", "R"]
    r = t.turns[1]
    assert t.body[r.text_start : r.end] == (
        "Ja, we hebben een huiskamer. Die is open op dinsdag.\nHet leefgeld betalen we zelf uit."
    )
    assert t.body[r.start : r.text_start] == "R: "
    # the body starts right after the closing '---' line: line 9 of the file
    assert t.body_line == 9
    assert t.line_of(r.start) == 11


def test_transcript_normalises_nfc_and_crlf(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301"  # e + combining acute
    raw = f"---\r\nid: x\r\ncase: A\r\nrole: other\r\n---\r\nR: {decomposed} open.\r\n"
    t = parse_transcript(raw, tmp_path / "x.txt")
    assert "\r" not in t.body
    assert t.body == "R: Café open.\n"  # NFC: one code point for é
    assert len("Café") == 4
    assert t.body[3:7] == "Café"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("no front matter\n", "missing YAML front matter"),
        ("---\nid: x\ncase: A\nrole: steunpunt\n", "not closed"),
        ("---\nid: x\ncase: A\nrole: boss\n---\nR: hi\n", "role"),
        ("---\nid: x\nrole: steunpunt\n---\nR: hi\n", "missing required key 'case'"),
        ("---\nid: x\ncase: A\nrole: steunpunt\nfoo: 1\n---\n", "unknown key 'foo'"),
    ],
)
def test_transcript_errors(tmp_path: Path, raw: str, needle: str) -> None:
    with pytest.raises(TranscriptError) as info:
        parse_transcript(raw, tmp_path / "t.txt")
    assert needle in str(info.value)
    assert str(tmp_path / "t.txt") in str(info.value)


def test_codebook_loads_and_flattens(mini_project: Path) -> None:
    book = load_codebook([mini_project / "codebooks" / "mini.yaml"])
    assert list(book.codes) == [
        "voorzieningen",
        "voorzieningen.huiskamer",
        "voorzieningen.leefgeld",
        "organisatie",
        "organisatie.betaald",
    ]
    assert book.colour("voorzieningen.huiskamer") == "#3cb44b"
    assert book.descendants("voorzieningen") == [
        "voorzieningen",
        "voorzieningen.huiskamer",
        "voorzieningen.leefgeld",
    ]
    spec = book["organisatie.betaald"].value
    assert spec is not None and spec.parse("4") == 4
    with pytest.raises(ValueError, match="above the maximum"):
        spec.parse("51")


def test_codebook_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "cb.yaml"
    p.write_text("name: x\ncodes:\n  - id: a\n    label: A\n    colour: red\n", encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook([p])
    assert info.value.line == 5 and "colour" in info.value.message


def test_codings_round_trip_is_small_yaml(tmp_path: Path) -> None:
    c = Coding(code="voorzieningen.huiskamer", start=3, end=9, quote="abcdef", coder="a")
    cf = CodingsFile(transcript="t", coder="a", transcript_hash="sha256:x", codings=[c])
    text = cf.to_yaml()
    assert "null" not in text and "memo" not in text and "anchor" not in text
    back = parse_codings(text, tmp_path / "t.yaml")
    assert back.codings[0] == c


def test_project_loads_everything(mini_project: Path) -> None:
    p = Project(mini_project)
    assert list(p.transcripts) == ["sp-test"]
    assert p.cases() == ["Teststad"]
    assert len(p.codebook) == 5
    assert p.codings("a", "sp-test") is None
