"""Keyword suggestions: matching on lemmas, negation, exclusion, accept/reject persistence."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeer.errors import CodebookError, UsageError
from codeer.nlp.suggestions import (
    Suggester,
    accept,
    load_suggestions,
    propose_value,
    reject,
    run_suggest,
    suggestion_id,
)
from codeer.project import Project
from codeer.segmentation import segment

CODEBOOK = """\
name: test
codes:
  - id: voorzieningen
    label: Voorzieningen
    keywords: [voorziening]
    children:
      - id: voorzieningen.huiskamer
        label: Huiskamer
        children:
          - id: voorzieningen.huiskamer.vrijwillig
            label: vrijwillig
            keywords: [huiskamer, inloop*]
            exclude_keywords: [huiskamer ... verplicht]
          - id: voorzieningen.huiskamer.verplicht
            label: verplicht
            keywords: [huiskamer ... verplicht]
          - id: voorzieningen.huiskamer.geen
            label: geen
            keywords: [geen huiskamer, geen ... inloop*]
      - id: voorzieningen.activiteiten
        label: activiteiten
        keywords: [taalles, "*cursus", computerles, "uitje|sportdag|excursie* & organiseren"]
  - id: organisatie
    label: Organisatie
    children:
      - id: organisatie.personeel
        label: Personeel
        children:
          - id: organisatie.personeel.vrijwilligers
            label: vrijwilligers
            keywords: [vrijwilliger, stagiair]
          - id: organisatie.personeel.betaald
            label: betaald
            keywords: [betaald medewerker, in dienst]
            value: {type: integer, min: 0, max: 50}
  - id: knelpunt
    label: Knelpunt
    children:
      - id: knelpunt.dtv
        label: DT&V
        keywords: ["dt&v|regievoerder & moeizaam|traag"]
  - id: werkwijze
    label: Werkwijze
    children:
      - id: werkwijze.afspraken
        label: afspraken
        keywords: [afspraak maken, "doel & stellen"]
      - id: werkwijze.leeftijd
        label: leeftijd
        value: {type: integer, min: 18, max: 30}
        patterns:
          - [{LOWER: tot}, {LIKE_NUM: true}, {LEMMA: jaar}]
"""


def make_project(root: Path, body: str, codebook: str = CODEBOOK, tid: str = "t1") -> Project:
    (root / "codebooks").mkdir(parents=True, exist_ok=True)
    (root / "interviews").mkdir(exist_ok=True)
    (root / "codebooks" / "cb.yaml").write_text(codebook, encoding="utf-8")
    (root / "interviews" / f"{tid}.txt").write_text(
        f"---\nid: {tid}\ncase: X\nrole: steunpunt\n---\n{textwrap.dedent(body)}", encoding="utf-8"
    )
    return Project(root)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from codeer.nlp.pipeline import get_pipeline

    return get_pipeline()


def codes_for(tmp_path: Path, nlp: object, text: str) -> list[str]:
    p = make_project(tmp_path, f"R: {text}\n")
    s = Suggester(p.codebook, nlp=nlp)  # type: ignore[arg-type]
    return [x.code for x in s.suggest(p.transcript("t1"))]


# --- matching and negation -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We hebben een huiskamer.", ["voorzieningen.huiskamer.vrijwillig"]),
        ("De huiskamers zijn open.", ["voorzieningen.huiskamer.vrijwillig"]),  # lemma
        ("We hebben geen huiskamer.", ["voorzieningen.huiskamer.geen"]),
        ("Een huiskamer hebben we niet.", []),  # clause-final niet
        ("Er is nooit een huiskamer geweest.", []),
        ("Zonder huiskamer lukt het niet.", []),
        (
            "Niet alleen een huiskamer, ook taalles.",
            ["voorzieningen.huiskamer.vrijwillig", "voorzieningen.activiteiten"],
        ),
        ("Ik weet het niet, maar de huiskamer is er.", ["voorzieningen.huiskamer.vrijwillig"]),
        ("Aanwezigheid in de huiskamer is verplicht.", ["voorzieningen.huiskamer.verplicht"]),
        # negator inside the span; the exclusion is negated, so vrijwillig stands
        ("De huiskamer is niet verplicht.", ["voorzieningen.huiskamer.vrijwillig"]),
        ("De huiskamer is verplicht.", ["voorzieningen.huiskamer.verplicht"]),
        ("Er is geen echte inloopochtend.", ["voorzieningen.huiskamer.geen"]),
        ("Ze volgen een computercursus.", ["voorzieningen.activiteiten"]),
        ("Soms organiseren we uitjes.", ["voorzieningen.activiteiten"]),  # '|' alternatives
        ("De excursies worden georganiseerd.", ["voorzieningen.activiteiten"]),
        ("We organiseren niets.", []),
        ("We hebben vrijwilligers en stagiairs.", ["organisatie.personeel.vrijwilligers"]),
        ("We werken niet met vrijwilligers.", []),
        ("We hebben afspraken gemaakt.", ["werkwijze.afspraken"]),
        ("We maken afspraken.", []),  # order matters in a phrase
        ("We stellen doelen.", ["werkwijze.afspraken"]),  # not with '&'
        ("De doelen worden samen gesteld.", ["werkwijze.afspraken"]),
        ("De doelen worden niet gesteld.", []),
        ("Doelen.", []),
        ("Met DT&V gaat het moeizaam.", ["knelpunt.dtv"]),  # '&' inside a word is no join
        ("De regievoerders zijn traag.", ["knelpunt.dtv"]),
        ("Voorzieningen zijn er genoeg.", ["voorzieningen"]),
        ("Die voorziening heet taalles.", ["voorzieningen.activiteiten"]),  # group dropped
        ("", []),
    ],
)
def test_matching_and_negation(tmp_path: Path, nlp: object, text: str, expected: list[str]) -> None:
    assert sorted(codes_for(tmp_path, nlp, text)) == sorted(expected)


def test_evidence_offsets_values_and_turns(tmp_path: Path, nlp: object) -> None:
    p = make_project(
        tmp_path,
        """\
        I: Hebben jullie een huiskamer? Hoeveel mensen zijn er in dienst?

        R: Ja, bijv. een huiskamer. Er zijn drie betaalde medewerkers in dienst. Jongeren tot 23 jaar.
        """,
    )
    t = p.transcript("t1")
    sugg = Suggester(p.codebook, nlp=nlp).suggest(t)  # type: ignore[arg-type]
    by_code = {s.code: s for s in sugg}
    assert set(by_code) == {
        "voorzieningen.huiskamer.vrijwillig",
        "organisatie.personeel.betaald",
        "werkwijze.leeftijd",
    }  # nothing from the interviewer's question
    for s in sugg:
        assert t.body[s.start : s.end] == s.quote
        assert s.id == suggestion_id("t1", s.code, s.start, s.end)
        for e in s.evidence:
            assert t.body[e.start : e.end] == e.text
            assert s.start <= e.start < e.end <= s.end
    assert by_code["voorzieningen.huiskamer.vrijwillig"].quote == "Ja, bijv. een huiskamer."
    betaald = by_code["organisatie.personeel.betaald"]
    assert [e.text for e in betaald.evidence] == ["betaalde", "medewerkers", "in", "dienst"]
    assert betaald.value == 3
    assert by_code["werkwijze.leeftijd"].value == 23
    assert [e.text for e in by_code["werkwijze.leeftijd"].evidence] == ["tot", "23", "jaar"]


def test_and_keywords_take_context_from_the_sentence_before_or_the_question(
    tmp_path: Path, nlp: object
) -> None:
    p = make_project(
        tmp_path,
        """\
        I: Stellen jullie doelen?

        R: Ja. Die worden samen gesteld. Daarna praten we verder.

        R2: Doelen, nee. Die worden niet gesteld.
        """,
    )
    t = p.transcript("t1")
    got = Suggester(p.codebook, nlp=nlp, extend=False).suggest(t)  # type: ignore[arg-type]
    assert [(s.quote, s.code) for s in got] == [
        ("Die worden samen gesteld.", "werkwijze.afspraken")
    ]
    assert {e.text for e in got[0].evidence} == {"doelen", "gesteld"}  # 'doelen' from the question
    assert t.body[got[0].evidence[0].start : got[0].evidence[0].end] == "doelen"
    off = Suggester(p.codebook, nlp=nlp, context=False, extend=False).suggest(t)  # type: ignore[arg-type]
    assert off == []


def test_a_suggestion_continues_into_a_free_next_sentence(tmp_path: Path, nlp: object) -> None:
    p = make_project(
        tmp_path,
        """\
        R: We hebben een huiskamer. Daar komen ze graag. Er is ook taalles. Verder niets.

        R2: Nog iets.
        """,
    )
    t = p.transcript("t1")
    got = Suggester(p.codebook, nlp=nlp).suggest(t)  # type: ignore[arg-type]
    assert [(s.quote, s.code) for s in got] == [
        ("We hebben een huiskamer.", "voorzieningen.huiskamer.vrijwillig"),
        ("Daar komen ze graag.", "voorzieningen.huiskamer.vrijwillig"),
        ("Er is ook taalles.", "voorzieningen.activiteiten"),
        ("Verder niets.", "voorzieningen.activiteiten"),
    ]  # never into the next turn
    assert got[1].evidence == got[0].evidence
    assert got[1].id == suggestion_id("t1", got[1].code, got[1].start, got[1].end)
    # the table shows evidence that lies outside the sentence without choking on it
    from click.testing import CliRunner

    from codeer.cli import cli

    r = CliRunner().invoke(
        cli, ["suggest", "--project", str(tmp_path), "--coder", "ann"], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    assert "evidence nearby: huiskamer" in r.stdout


def test_propose_value_is_cautious(tmp_path: Path) -> None:
    p = make_project(tmp_path, "R: x\n")
    code = p.codebook["organisatie.personeel.betaald"]
    assert propose_value(code, ["twee", "mensen"], ["twee", "mens"]) == 2
    assert propose_value(code, ["drieëntwintig"], ["drieëntwintig"]) == 23
    assert propose_value(code, ["twee", "of", "drie"], ["twee", "of", "drie"]) is None
    assert propose_value(code, ["veel"], ["veel"]) is None
    assert propose_value(p.codebook["voorzieningen.activiteiten"], ["twee"], ["twee"]) is None


# --- bad input -------------------------------------------------------------------------------
ODD_BODIES = [
    "",
    "Gewoon tekst zonder sprekers, over de huiskamer.",
    "R: Cafe\u0301 in de huiskamer 😀 met emoji. مرحبا بك في الهويسكامر. שלום huiskamer!\n",
    "R: 👩‍👩‍👧 huiskamer\u0301s? Z\u0327ijn er vrijwilligers‏ ja.\n",
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_input_keeps_offsets(tmp_path: Path, nlp: object, body: str) -> None:
    p = make_project(tmp_path, body)
    t = p.transcript("t1")
    for s in Suggester(p.codebook, nlp=nlp).suggest(t):  # type: ignore[arg-type]
        assert t.body[s.start : s.end] == s.quote
        for e in s.evidence:
            assert t.body[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("keywords: ['']", "is empty"),
        ("keywords: ['... huiskamer']", "'...' must stand between"),
        ("keywords: ['huis(kamer']", "is not a word"),
        ("keywords: ['*a*']", "at least three letters"),
        ("keywords: ['doel & ']", "'&' must stand between"),
        ("keywords: ['uitje|']", "is not a word"),
        ("keywords: ['uitje|zo’n']", "must be single words"),
        ("patterns: [[{LEMMA: {BOGUS: 1}}]]", "not a valid spaCy Matcher pattern"),
        ("patterns: [[{POS: NOUN}]]", "does not set"),
    ],
)
def test_unusable_keywords_name_the_code(
    tmp_path: Path, nlp: object, entry: str, fragment: str
) -> None:
    book = f"name: t\ncodes:\n  - id: x.y\n    label: Y\n    {entry}\n"
    p = make_project(tmp_path, "R: x\n", codebook=book)
    with pytest.raises(CodebookError) as err:
        Suggester(p.codebook, nlp=nlp)  # type: ignore[arg-type]
    assert "x.y" in str(err.value)
    assert fragment in str(err.value)
    assert err.value.path is not None and err.value.path.endswith("cb.yaml")


# --- files, accept, reject -------------------------------------------------------------------
BODY = """\
R: We hebben een huiskamer. Er zijn vrijwilligers. Er is taalles.
"""


def test_accept_reject_persist_and_rejections_stay_away(tmp_path: Path, nlp: object) -> None:
    p = make_project(tmp_path, BODY)
    sugg = Suggester(p.codebook, nlp=nlp)  # type: ignore[arg-type]
    files = run_suggest(p, "ann", suggester=sugg)
    path = p.paths.suggestions_file("ann", "t1")
    assert path.exists()
    sf = files["t1"]
    assert [s.status for s in sf.suggestions] == ["pending"] * 3
    assert p.codings("ann", "t1") is None  # suggestions are not codings
    ids = {s.code: s.id for s in sf.suggestions}

    coding = accept(p, "ann", "t1", ids["voorzieningen.huiskamer.vrijwillig"])
    p2 = Project(tmp_path)  # read back from disk
    cf = p2.codings("ann", "t1")
    assert cf is not None and [c.code for c in cf.codings] == ["voorzieningen.huiskamer.vrijwillig"]
    assert cf.codings[0].quote == "We hebben een huiskamer."
    assert cf.codings[0].id == coding.id
    assert accept(p2, "ann", "t1", ids["voorzieningen.huiskamer.vrijwillig"]).id == coding.id
    assert len(p2.codings("ann", "t1").codings) == 1  # type: ignore[union-attr]

    rejected = reject(p2, "ann", "t1", ids["organisatie.personeel.vrijwilligers"])
    assert rejected.status == "rejected"
    with pytest.raises(UsageError):
        accept(p2, "ann", "t1", ids["organisatie.personeel.vrijwilligers"])
    with pytest.raises(UsageError):
        reject(p2, "ann", "t1", ids["voorzieningen.huiskamer.vrijwillig"])
    with pytest.raises(UsageError):
        accept(p2, "ann", "t1", "nosuchid")

    again = run_suggest(Project(tmp_path), "ann", suggester=sugg)["t1"]
    status = {s.code: s.status for s in again.suggestions}
    assert status == {
        "voorzieningen.huiskamer.vrijwillig": "accepted",
        "organisatie.personeel.vrijwilligers": "rejected",
        "voorzieningen.activiteiten": "pending",
    }
    on_disk = load_suggestions(p.paths, "ann", "t1")
    assert on_disk is not None and on_disk.model_dump() == again.model_dump()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {s["id"] for s in raw["suggestions"]} == {s.id for s in again.suggestions}
    assert not list(path.parent.glob(".*.tmp"))  # atomic writes leave no temp files


def test_existing_codings_are_not_suggested_again(tmp_path: Path, nlp: object) -> None:
    p = make_project(tmp_path, BODY)
    sugg = Suggester(p.codebook, nlp=nlp)  # type: ignore[arg-type]
    first = run_suggest(p, "ann", suggester=sugg, write=False)["t1"]
    accept_target = first.suggestions[0]
    run_suggest(p, "ann", suggester=sugg)
    accept(p, "ann", "t1", accept_target.id)
    # a new coder starts fresh, and the coded sentence is not proposed to 'ann' as pending
    assert len(run_suggest(p, "bob", suggester=sugg)["t1"].pending()) == 3
    pending = run_suggest(p, "ann", suggester=sugg)["t1"].pending()
    assert accept_target.code not in {s.code for s in pending}


def test_changed_transcript_refuses_accept(tmp_path: Path, nlp: object) -> None:
    p = make_project(tmp_path, BODY)
    sf = run_suggest(p, "ann", suggester=Suggester(p.codebook, nlp=nlp))["t1"]  # type: ignore[arg-type]
    make_project(tmp_path, "R: Iets anders vooraf. " + BODY[3:])
    with pytest.raises(UsageError, match="changed"):
        accept(Project(tmp_path), "ann", "t1", sf.suggestions[0].id)
    assert Project(tmp_path).codings("ann", "t1") is None


def test_bad_coder_name_and_broken_file(tmp_path: Path, nlp: object) -> None:
    p = make_project(tmp_path, BODY)
    sugg = Suggester(p.codebook, nlp=nlp)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        run_suggest(p, "../evil", suggester=sugg)
    run_suggest(p, "ann", suggester=sugg)
    path = p.paths.suggestions_file("ann", "t1")
    path.write_text("transcript: t1\ncoder: ann\nsuggestions: [1, 2]\n", encoding="utf-8")
    from codeer.errors import CodingsError

    with pytest.raises(CodingsError) as err:
        run_suggest(p, "ann", suggester=sugg)
    assert err.value.path == str(path)
    assert path.read_text(encoding="utf-8").startswith(
        "transcript: t1\ncoder: ann\nsuggestions: [1"
    )


def test_cli_suggest_writes_and_prints_json(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from codeer.cli import cli

    make_project(tmp_path, BODY)
    r = CliRunner().invoke(cli, ["suggest", "--project", str(tmp_path), "--coder", "ann", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data[0]["transcript"] == "t1" and len(data[0]["suggestions"]) == 3
    r = CliRunner().invoke(cli, ["suggest", "--project", str(tmp_path), "--coder", "ann"])
    assert r.exit_code == 0 and "huiskamer" in r.stdout
    from codeer.cli import main

    assert main(["suggest", "--project", str(tmp_path)]) == 2  # no coder
    assert main(["suggest", "--project", str(tmp_path), "--coder", "ann", "--transcript", "x"]) == 2
    assert main(["suggest", "--project", str(tmp_path), "--coder", "ann", "--evaluate"]) == 2
    _ = segment  # imported for the API check below


def test_segment_api_is_what_the_suggester_uses(tmp_path: Path, nlp: object) -> None:
    p = make_project(tmp_path, BODY)
    t = p.transcript("t1")
    sents = segment(t)
    sugg = Suggester(p.codebook, nlp=nlp).suggest(t, sents)  # type: ignore[arg-type]
    assert {s.sentence for s in sugg} == {0, 1, 2}
    assert all(sents[s.sentence].start == s.start for s in sugg)


# --- the per-doc (numpy) fast paths agree with the plain rules --------------------------------
_WORDS = ["we", "hebben", "geen", "niet", "nooit", "zonder", "alleen", "huiskamer", "huiskamers",
          "verplicht", "maar", ",", ".", "doelen", "gesteld", "samen", "vrijwilligers", "taalles",
          "dt&v", "traag", "inloopochtend", "is", "de", "een"]  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25),
    picks=st.lists(st.integers(0, 24), min_size=1, max_size=3),
    cut=st.integers(0, 25),
)
def test_fast_negation_and_scan_agree_with_the_rules(
    tmp_path: Path, nlp: object, words: list[str], picks: list[int], cut: int
) -> None:
    from codeer.nlp.matching import is_negated

    p = make_project(tmp_path, "R: x\n")
    m = Suggester(p.codebook, nlp=nlp).matchers  # type: ignore[arg-type]
    doc = nlp.make_doc(" ".join(words))  # type: ignore[attr-defined]
    info = m.token_info(doc)
    n = len(doc)
    lo, hi = min(cut, n - 1), n
    toks = tuple(sorted({lo + k % (hi - lo) for k in picks}))
    assert m._negated(info, toks, lo, hi) == is_negated(info.lower, toks, lo, hi)
    positions = m.positions(info)
    [(tlo, thi, a, b, c, d)] = m.sentence_ranges(info, [(info.start[lo], info.end[hi - 1])])
    assert (tlo, thi) == (lo, hi)
    slow, fast = m.scan(info, lo, hi, positions), m.scan_at(info, lo, hi, positions, (a, b, c, d))
    assert (slow.present, slow.multi, slow.candidates) == (
        fast.present,
        fast.multi,
        fast.candidates,
    )


def test_lexeme_table_grows_and_overflows_without_losing_flags(tmp_path: Path, nlp: object) -> None:
    import numpy as np

    from codeer.nlp.matching import word_class

    p = make_project(tmp_path, "R: x\n")
    m = Suggester(p.codebook, nlp=nlp).matchers  # type: ignore[arg-type]
    m._table_keys = np.zeros(4, np.uint64)  # tiny: forces collisions and regrowth
    m._table_flags = np.zeros(4, m._table_flags.dtype)
    words = " ".join(f"woord{i} inloop{i} huiskamer niet , vrijwilligers" for i in range(300))
    for _ in range(2):  # new lexemes, then known ones
        doc = nlp.make_doc(words)  # type: ignore[attr-defined]
        info = m.token_info(doc)
        cand = set(info.positions.tokens)  # type: ignore[union-attr]
        for k, key in enumerate(info.keys):
            assert (k in cand) == (key in m._lex)
            assert info.classes[k] == word_class(info.lower[k])
        keys = np.array([info.keys[k] for k in sorted(cand)], np.uint64)
        assert m._lx_of(keys).tolist() == [m._lx[k] for k in keys.tolist()]  # batch look-up
    assert m._overflow and len(m._table_keys) > 4


def test_candidate_lexemes_in_the_overflow_keep_their_index(tmp_path: Path, nlp: object) -> None:
    import numpy as np

    p = make_project(tmp_path, "R: x\n")
    m = Suggester(p.codebook, nlp=nlp).matchers  # type: ignore[arg-type]
    for name in ("_table_keys", "_table2_keys", "_table_flags", "_table2_flags"):
        setattr(m, name, np.zeros(4, np.uint64))
    m._table_lx = np.full(4, -1, np.int64)
    m._table2_lx = np.full(4, -1, np.int64)
    m._used = -(10**9)  # no growth: most lexemes go to the overflow
    doc = nlp.make_doc(" ".join(f"inloop{i} huiskamer" for i in range(50)))  # type: ignore[attr-defined]
    info = m.token_info(doc)
    cand = info.positions.tokens  # type: ignore[union-attr]
    assert len(cand) == 100 and set(m._overflow) & set(m._lx)
    keys = np.array([info.keys[k] for k in cand], np.uint64)
    assert m._lx_of(keys).tolist() == [m._lx[k] for k in keys.tolist()]
