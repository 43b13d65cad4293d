"""The example builder: inline markup to clean transcripts and coder a's codings, offsets exact."""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.codebook import load_codebook
from codeer.errors import TranscriptError
from codeer.paths import ProjectPaths
from codeer.store import Store
from codeer.transcript import content_hash, load_transcript

ROOT = Path(__file__).resolve().parents[1]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_example", ROOT / "scripts" / "build_example.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_example"] = module
    spec.loader.exec_module(module)
    return module


be = _load_script()

HEADER = """---
id: {id}
case: Den Haag
role: steunpunt
date: 2010-11-16
interviewer: M. de Vries
respondent: coördinator steunpunt
---
"""


def spans(markup: Any) -> list[tuple[str, int | str | None, str]]:
    """(code, value, quoted text) per span, in parse order."""
    return [(s.code, s.value, markup.body[s.start : s.end]) for s in markup.spans]


# --- the markup parser ----------------------------------------------------------------------


def test_single_passage() -> None:
    m = be.strip_markup("R: [[Wij hebben een huiskamer.]]{voorzieningen.huiskamer.vrijwillig}\n")
    assert m.body == "R: Wij hebben een huiskamer.\n"
    assert m.problems == ()
    (s,) = m.spans
    assert (s.start, s.end, s.code, s.value) == (3, 28, "voorzieningen.huiskamer.vrijwillig", None)


def test_nesting_and_several_codes() -> None:
    src = "R: [[Buiten [[binnen]]{b.x} en verder.]]{a.y; a.z}"
    m = be.strip_markup(src)
    assert m.body == "R: Buiten binnen en verder."
    assert spans(m) == [
        ("b.x", None, "binnen"),
        ("a.y", None, "Buiten binnen en verder."),
        ("a.z", None, "Buiten binnen en verder."),
    ]


def test_values_integer_and_category() -> None:
    m = be.strip_markup("[[vier mensen]]{p.betaald=4} [[via de koepel]]{v.leefgeld = extern}")
    assert spans(m) == [("p.betaald", 4, "vier mensen"), ("v.leefgeld", "extern", "via de koepel")]
    assert isinstance(m.spans[0].value, int)


def test_spans_are_trimmed() -> None:
    m = be.strip_markup("R: [[  ruimte rondom \n]]{a}")
    assert spans(m) == [("a", None, "ruimte rondom")]


def test_unicode_offsets_count_code_points() -> None:
    src = "R: Café 😀 [[één cliënt 🙂 hier]]{a} en [[naïef]]{b}\n"
    m = be.strip_markup(src)
    assert m.body == "R: Café 😀 één cliënt 🙂 hier en naïef\n"
    assert spans(m) == [("a", None, "één cliënt 🙂 hier"), ("b", None, "naïef")]
    assert m.spans[0].start == len("R: Café 😀 ")


def test_decomposed_input_is_normalised_before_offsets(tmp_path: Path) -> None:
    """A source saved in NFD still gives NFC offsets (é is one code point)."""
    src = HEADER.format(id="sp-nfd") + "R: Cafe\u0301 [[ope\u0301n]]{a}\n"
    path = tmp_path / "sp-nfd.txt"
    path.write_text(src, encoding="utf-8")
    built = be.build_source(path, None)
    (c,) = built.codings.codings
    assert c.quote == "opén" and (c.start, c.end) == (8, 12)


def test_trailing_blanks_left_by_markup_are_removed() -> None:
    m = be.strip_markup("R: [[Eerste zin.]]{a} \nI: [[vraag]]{b}\n")
    assert m.body == "R: Eerste zin.\nI: vraag\n"
    assert spans(m) == [("a", None, "Eerste zin."), ("b", None, "vraag")]


@pytest.mark.parametrize(
    ("src", "line", "message"),
    [
        ("R: goed\nR: [[nooit gesloten\n", 2, "never closed"),
        ("R: goed\n\nR: sluit]]{a} zonder open\n", 3, "no opening"),
        ("R: [[tekst]] zonder codes\n", 1, "must be followed by"),
        ("R: [[tekst]]{}\n", 1, "empty code list"),
        ("R: [[tekst]]{Hoofdletter}\n", 1, "not a code id"),
        ("R: [[tekst]]{a}}\n", 1, "stray '}'"),
        ("R: [[   ]]{a}\n", 1, "empty"),
        ("R: [[x]]{a=}\n", 1, "has no value"),
    ],
)
def test_markup_errors_name_their_line(src: str, line: int, message: str) -> None:
    m = be.strip_markup(src)
    assert m.problems, src
    assert any(message in msg for at, msg in m.problems if at == line), m.problems


TEXT = st.text(alphabet=st.characters(blacklist_characters="[]{}\r", codec="utf-8"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=6))
def test_property_quotes_match_the_clean_text(pieces: list[tuple[str, bool]]) -> None:
    """Any mix of plain and coded pieces, wrapped in an outer code: each quote is its piece."""
    src = "".join(f"[[{p}]]{{c.piece}}" if coded and p.strip() else p for p, coded in pieces)
    wrapped = f"X [[{src}]]{{c.outer}}" if src.strip() else src
    m = be.strip_markup(be.normalise(wrapped))
    if m.problems:  # only possible when normalisation merges characters across markup
        return
    for s in m.spans:
        quote = m.body[s.start : s.end]
        assert quote == quote.strip() and quote
    inner = [m.body[s.start : s.end] for s in m.spans if s.code == "c.piece"]
    expected = [
        unicodedata.normalize("NFC", p).strip() for p, coded in pieces if coded and p.strip()
    ]
    assert inner == expected


# --- whole sources against the codebook -------------------------------------------------------


@pytest.fixture(scope="module")
def codebook() -> Any:
    return load_codebook([ROOT / "codebooks" / "perspectief.yaml"])


def _source(tmp_path: Path, tid: str, body: str) -> Path:
    folder = tmp_path / "interviews" / "bron"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tid}.txt"
    path.write_text(HEADER.format(id=tid) + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("I: Vraag?\n\nR: [[Antwoord.]]{voorzieningen.bestaat_niet}\n", 11, "unknown code"),
        ("R: [[Vier.]]{organisatie.personeel.betaald}\n", 9, "needs a value"),
        ("R: [[Honderd.]]{organisatie.personeel.betaald=100}\n", 9, "above the maximum 50"),
        ("R: [[Koepel.]]{voorzieningen.leefgeld=koepel}\n", 9, "expected one of"),
        ("R: [[Koepel.]]{voorzieningen.leefgeld=4}\n", 9, "expected one of"),
        ("R: [[Huiskamer.]]{voorzieningen.huiskamer.geen=ja}\n", 9, "takes no value"),
        ("R: [[Twee keer.]]{knelpunt.ind; knelpunt.ind}\n", 9, "twice"),
        ("R: tekst\n\nR: [[open\n", 11, "never closed"),
        ("I: Vraag?\n\nR: Antwoord.\n\nen nog een alinea zonder spreker\n", 13, "speaker label"),
    ],
)
def test_source_errors_are_file_line(
    tmp_path: Path, codebook: Any, body: str, line: int, message: str
) -> None:
    path = _source(tmp_path, "sp-fout", body)
    with pytest.raises(TranscriptError) as info:
        be.build_source(path, codebook)
    err = info.value
    assert err.line == line
    assert err.path is not None and err.path.endswith("sp-fout.txt")
    assert message in err.message
    assert str(err).startswith(f"{err.path}:{line}: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("date: 2010-11-16", "date: 2012-01-01", "is outside 2010-09-01..2011-02-28"),
        ("role: steunpunt", "role: gemeente", "id starts with gem-"),
        ("date: 2010-11-16\n", "", "needs a date"),
    ],
)
def test_front_matter_checks(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _source(tmp_path, "sp-kop", "R: tekst\n")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(TranscriptError, match=message):
        be.build_source(path, None)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = _source(tmp_path, "sp-een", "R: tekst\n")
    path.rename(path.with_name("sp-twee.txt"))
    with pytest.raises(TranscriptError, match="differs from the file name"):
        be.build_source(path.with_name("sp-twee.txt"), None)


GOOD = """I: Hoe is het steunpunt opgezet?

R: [[Er werken vier mensen in loondienst.]]{organisatie.personeel.betaald=4} [[Het leefgeld
gaat via de koepel, [[één keer per week]]{typologie.lineair.ordelijk}.]]{voorzieningen.leefgeld=extern}

R: Café 😀 [[Eerlijk is eerlijk.]]{typologie.confrontatie.eerlijk}
"""


def test_main_writes_loadable_deterministic_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "codebooks").mkdir()
    (tmp_path / "codebooks" / "perspectief.yaml").write_bytes(
        (ROOT / "codebooks" / "perspectief.yaml").read_bytes()
    )
    _source(tmp_path, "sp-goed", GOOD)
    assert be.main(["--project", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "sp-goed" in out and "4 codings" in out

    paths = ProjectPaths.of(tmp_path)
    transcript = load_transcript(paths.transcript_file("sp-goed"))
    cf = Store(paths).load("a", "sp-goed")
    assert cf is not None
    assert cf.transcript_hash == content_hash(transcript.body)
    assert len(cf.codings) == 4
    for c in cf.codings:
        assert transcript.body[c.start : c.end] == c.quote
        assert c.coder == "a" and c.created.isoformat() == "2010-11-16T12:00:00+00:00"
        assert c.id == be.coding_id("sp-goed", c.start, c.end, c.code)
    values = {c.code: c.value for c in cf.codings}
    assert values["organisatie.personeel.betaald"] == 4
    assert values["voorzieningen.leefgeld"] == "extern"
    assert "[[" not in transcript.body and "]]" not in transcript.body

    first = {p: p.read_bytes() for p in (tmp_path / "interviews").rglob("*.*")}
    assert be.main(["--project", str(tmp_path)]) == 0
    assert {p: p.read_bytes() for p in (tmp_path / "interviews").rglob("*.*")} == first
    assert be.main(["--project", str(tmp_path), "--check"]) == 0


def test_check_fails_when_out_of_date_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _source(tmp_path, "sp-goed", GOOD)
    assert be.main(["--project", str(tmp_path)]) == 0
    before = {p: p.read_bytes() for p in (tmp_path / "interviews").rglob("*.yaml")}
    src.write_text(src.read_text(encoding="utf-8").replace("vier", "vijf"), encoding="utf-8")
    capsys.readouterr()
    assert be.main(["--project", str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (tmp_path / "interviews").rglob("*.yaml")} == before


def test_check_reports_outputs_without_a_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _source(tmp_path, "sp-goed", GOOD)
    assert be.main(["--project", str(tmp_path)]) == 0
    src.unlink()
    _source(tmp_path, "sp-ander", "R: [[Ja.]]{knelpunt.ind}\n")
    assert be.main(["--project", str(tmp_path)]) == 0
    capsys.readouterr()
    assert be.main(["--project", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "sp-goed.txt: no source" in err and "sp-goed.yaml: no source" in err


def test_bad_source_is_not_written_others_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _source(tmp_path, "sp-goed", GOOD)
    _source(tmp_path, "sp-fout", "R: [[open zonder sluiten\n")
    assert be.main(["--project", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "sp-fout.txt:9: '[[' is never closed" in err
    assert (tmp_path / "interviews" / "sp-goed.txt").exists()
    assert not (tmp_path / "interviews" / "sp-fout.txt").exists()
    assert not (tmp_path / "interviews" / "codings" / "a" / "sp-fout.yaml").exists()


def test_selecting_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _source(tmp_path, "sp-goed", GOOD)
    _source(tmp_path, "sp-ander", "R: [[Ja.]]{knelpunt.ind}\n")
    assert be.main(["--project", str(tmp_path), "sp-ander"]) == 0
    assert (tmp_path / "interviews" / "sp-ander.txt").exists()
    assert not (tmp_path / "interviews" / "sp-goed.txt").exists()
    assert be.main(["--project", str(tmp_path), "sp-bestaat-niet"]) == 2


# --- the committed example stays in sync ---------------------------------------------------------


def test_committed_example_is_in_sync(capsys: pytest.CaptureFixture[str]) -> None:
    sources = ProjectPaths.of(ROOT).interview_sources
    if not sources.is_dir() or not any(sources.glob("*.txt")):
        pytest.skip("no example sources in interviews/bron")
    code = be.main(["--project", str(ROOT), "--check"])
    assert code == 0, capsys.readouterr().err
