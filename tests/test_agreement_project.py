"""Agreement on projects: units, group codes, pooling, skipped input, derived variables, the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from codeer.agreement import (
    agreement,
    cohens_kappa,
    compare_variables,
    fleiss_kappa,
    krippendorff_alpha,
)
from codeer.cli import cli, main
from codeer.codings import Coding, CodingsFile
from codeer.errors import AnalysisError, UsageError
from codeer.project import Project
from tests.conftest import write_project

SECOND = textwrap.dedent(
    """\
    ---
    id: gem-test
    case: Teststad
    role: gemeente
    ---
    I: Kent u het steunpunt?

    R: Ja. Ze hebben een huiskamer. Personeel weet ik niet.
    """
)


def add_transcript(root: Path, text: str = SECOND, name: str = "gem-test") -> None:
    (root / "interviews" / f"{name}.txt").write_text(text, encoding="utf-8")


def code(
    project: Project,
    tid: str,
    coder: str,
    items: list[tuple[str, str] | tuple[str, str, object]],
    *,
    ids: list[str] | None = None,
) -> CodingsFile:
    """Save ``coder``'s codings on ``tid``: each item is (fragment of the body, code[, value])."""
    t = project.transcript(tid)
    codings = []
    for n, item in enumerate(items):
        fragment, code_id = item[0], item[1]
        value = item[2] if len(item) > 2 else None  # type: ignore[misc]
        start = t.body.index(fragment)
        codings.append(
            Coding(
                id=ids[n] if ids else f"{coder}{n:03d}",
                code=code_id,
                start=start,
                end=start + len(fragment),
                quote=fragment,
                value=value,  # type: ignore[arg-type]
                coder=coder,
            )
        )
    cf = CodingsFile(transcript=tid, coder=coder, transcript_hash=t.content_hash, codings=codings)
    project.store.save(cf)
    return cf


HUIS1 = "Ja, we hebben een huiskamer."
HUIS12 = "Ja, we hebben een huiskamer. Die is open op dinsdag."
LEEF = "Het leefgeld betalen we zelf uit."
PERS = "Vier betaalde krachten."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = write_project(tmp_path / "p")
    p = Project(root)
    code(
        p,
        "sp-test",
        "a",
        [
            (HUIS1, "voorzieningen.huiskamer"),
            (LEEF, "voorzieningen.leefgeld", "zelf"),
            (PERS, "organisatie.betaald", 4),
        ],
    )
    code(
        p,
        "sp-test",
        "b",
        [(HUIS12, "voorzieningen.huiskamer"), (LEEF, "voorzieningen.leefgeld", "zelf")],
    )
    return p


def row(report, code_id):  # type: ignore[no-untyped-def]
    return next(r for r in report.codes if r.code == code_id)


def test_sentence_units_and_values(project: Project) -> None:
    # sentences: 0 "Heeft u een huiskamer?", 1 "Ja, we hebben een huiskamer.", 2 "Die is open op
    # dinsdag.", 3 "Het leefgeld ...", 4 "En personeel?", 5 "Vier betaalde krachten."
    r = agreement(project, ["a", "b"], n_resamples=200)
    assert r.n_units == 6 and r.unit == "sentence" and r.transcripts == ["sp-test"]
    huis = row(r, "voorzieningen.huiskamer")
    assert huis.units_coded == {"a": 1, "b": 2}
    a = [0, 1, 0, 0, 0, 0]
    b = [0, 1, 1, 0, 0, 0]
    assert huis.coefficients.percent == pytest.approx(5 / 6)
    table = np.array([[4, 1], [0, 1]])  # rows a (0, 1), columns b (0, 1)
    assert huis.coefficients.kappa.value == pytest.approx(sm_kappa(table, return_results=False))
    assert huis.coefficients.alpha.value == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")
    )
    # the group code is the union of its descendants: huiskamer and leefgeld sentences
    group = row(r, "voorzieningen")
    assert group.units_coded == {"a": 2, "b": 3} and not group.pooled
    assert group.coefficients.kappa.value == pytest.approx(
        cohens_kappa(list(zip([0, 1, 0, 1, 0, 0], [0, 1, 1, 1, 0, 0], strict=True)))
    )
    # used by a only: defined (0), not undefined
    betaald = row(r, "organisatie.betaald")
    assert betaald.units_coded == {"a": 1, "b": 0}
    assert betaald.coefficients.kappa.value == pytest.approx(0.0)
    assert r.unused == []


def test_pooled_over_directly_used_codes(project: Project) -> None:
    r = agreement(project, ["a", "b"], n_resamples=0)
    # pooled items: 6 sentences x 3 codes applied directly (huiskamer, leefgeld, betaald)
    #   huiskamer            leefgeld             betaald
    a = [*[0, 1, 0, 0, 0, 0], *[0, 0, 0, 1, 0, 0], *[0, 0, 0, 0, 0, 1]]
    b = [*[0, 1, 1, 0, 0, 0], *[0, 0, 0, 1, 0, 0], *[0, 0, 0, 0, 0, 0]]
    assert r.overall.n_codes == 3 and r.overall.n_items == 18
    assert r.overall.pooled.percent == pytest.approx(16 / 18)
    t = np.zeros((2, 2))
    for x, y in zip(a, b, strict=True):
        t[x, y] += 1
    assert r.overall.pooled.kappa.value == pytest.approx(sm_kappa(t, return_results=False))
    assert r.overall.pooled.alpha.value == pytest.approx(
        krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")
    )
    per_code = [
        row(r, c).coefficients.kappa.value
        for c in ("voorzieningen.huiskamer", "voorzieningen.leefgeld", "organisatie.betaald")
    ]
    assert r.overall.mean_kappa == pytest.approx(np.mean(per_code))
    assert r.overall.pooled.kappa.low is None  # no bootstrap asked


def test_turn_and_document_units(project: Project) -> None:
    turns = agreement(project, ["a", "b"], unit="turn", n_resamples=0)
    assert turns.n_units == 4  # I, R, I, R
    assert row(turns, "voorzieningen.huiskamer").coefficients.percent == 1.0
    add_transcript(project.paths.root)
    p = Project(project.paths.root)
    code(p, "gem-test", "a", [("Ze hebben een huiskamer.", "voorzieningen.huiskamer")])
    code(p, "gem-test", "b", [])
    doc = agreement(p, ["a", "b"], unit="document", n_resamples=0)
    assert doc.n_units == 2
    huis = row(doc, "voorzieningen.huiskamer")
    # a: used in both interviews, b: only in sp-test -> table (1,1) = 1, (1,0) = 1
    assert huis.units_coded == {"a": 2, "b": 1}
    assert huis.coefficients.percent == pytest.approx(0.5)
    # a = [1, 1], b = [1, 0]: p_o = 0.5, p_e = 1 * 0.5 + 0 * 0.5 = 0.5 -> kappa 0
    assert huis.coefficients.kappa.value == pytest.approx(0.0)
    # leefgeld used in sp-test by both, in gem-test by neither: perfect agreement
    leef = row(doc, "voorzieningen.leefgeld")
    assert leef.coefficients.kappa.value == pytest.approx(1.0)


def test_undefined_is_none_and_null_in_json(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    p = Project(root)
    code(p, "sp-test", "a", [(HUIS1, "voorzieningen.huiskamer")])
    code(p, "sp-test", "b", [(HUIS1, "voorzieningen.huiskamer")])
    r = agreement(p, ["a", "b"], unit="document", n_resamples=50)
    huis = row(r, "voorzieningen.huiskamer")
    assert huis.coefficients.percent == 1.0
    assert huis.coefficients.kappa.value is None and huis.coefficients.alpha.value is None
    assert set(r.unused) == {"voorzieningen.leefgeld", "organisatie", "organisatie.betaald"}
    assert any("never used" in n for n in r.notes)
    result = CliRunner().invoke(
        cli,
        ["agreement", "--project", str(root), "--coders", "a,b", "--unit", "document", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (h,) = [c for c in data["codes"] if c["code"] == "voorzieningen.huiskamer"]
    assert h["kappa"]["value"] is None and h["alpha"]["value"] is None
    assert data["bootstrap"]["resamples"] == 1000 and data["bootstrap"]["method"] == "percentile"
    assert data["bootstrap"]["resample"] == "transcript"
    assert h["fleiss_kappa"]["value"] is None
    assert "document_level" not in data  # the table is already per document
    text = CliRunner().invoke(
        cli, ["agreement", "--project", str(root), "--coders", "a,b", "--resamples", "0"]
    )
    assert text.exit_code == 0 and "—" in text.stdout


def test_only_one_coder_transcripts_are_skipped(project: Project) -> None:
    add_transcript(project.paths.root)
    p = Project(project.paths.root)
    code(p, "gem-test", "a", [("Ze hebben een huiskamer.", "voorzieningen.huiskamer")])
    r = agreement(p, ["a", "b"], n_resamples=0)
    assert r.transcripts == ["sp-test"] and r.skipped == {"gem-test": ["a"]}
    assert any("gem-test" in n and "skipped" in n for n in r.notes)
    with pytest.raises(AnalysisError, match="no transcript is coded by all"):
        agreement(p, ["a", "b"], transcripts=["gem-test"])


def test_bad_coders(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError, match="coder 'c' has no codings"):
        agreement(project, ["a", "c"])
    with pytest.raises(UsageError, match="at least two"):
        agreement(project, ["a"])
    code(project, "sp-test", "nothing", [])
    r = agreement(project, ["a", "nothing"], n_resamples=0)
    assert any("'nothing' has codings files but no codings" in n for n in r.notes)
    assert r.overall.pooled.kappa.value == pytest.approx(0.0)  # nothing is constant: kappa 0
    (project.paths.coder_dir("empty")).mkdir()
    assert main(["agreement", "--project", str(project.paths.root), "--coders", "a,empty"]) == 2
    err = capsys.readouterr().err
    assert "coder 'empty' has no codings" in err and "Traceback" not in err


def test_three_coders_alpha_only(project: Project) -> None:
    code(project, "sp-test", "c", [(HUIS1, "voorzieningen.huiskamer")])
    r = agreement(project, ["a", "b", "c"], n_resamples=0)
    huis = row(r, "voorzieningen.huiskamer")
    assert huis.coefficients.kappa.value is None  # Cohen's kappa is for two coders
    assert any("two coders" in n for n in r.notes)
    ratings = [[0, 0, 0], [1, 1, 1], [0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert huis.coefficients.alpha.value == pytest.approx(krippendorff_alpha(ratings))
    # Fleiss: P_i = 1, 1, 1/3, 1, 1, 1 -> P = 16/18; ones 4 of 18: P_e = (4^2 + 14^2) / 18^2
    p_bar, p_e = 16 / 18, (16 + 196) / 324
    assert huis.coefficients.fleiss.value == pytest.approx((p_bar - p_e) / (1 - p_e))
    assert huis.coefficients.fleiss.value == pytest.approx(fleiss_kappa(ratings))


def test_orphaned_codings_do_not_count(project: Project) -> None:
    cf = project.codings("b", "sp-test")
    assert cf is not None
    orphan = cf.codings[0].model_copy(update={"anchor": "orphaned"})
    project.store.save(cf.model_copy(update={"codings": [orphan, *cf.codings[1:]]}))
    r = agreement(project, ["a", "b"], n_resamples=0)
    assert row(r, "voorzieningen.huiskamer").units_coded["b"] == 0
    assert any("orphaned" in n for n in r.notes)


def test_derived_variables_compared(tmp_path: Path) -> None:
    from tests.test_variables import STANDARD, make_project, write_interview

    root = make_project(tmp_path / "v", STANDARD)
    # coder b codes Alfa's steunpunt interview differently: bestaand instead of nieuw
    sp_alfa = next(i for i in STANDARD if i[0] == "sp-alfa")
    codes_b = ["org.bestaand" if c == "org.nieuw" else c for c in sp_alfa[3]]
    write_interview(root, "sp-alfa", "Alfa", "steunpunt", codes_b, coder="b")
    p = Project(root)
    va = compare_variables(p, ["a", "b"], ["sp-alfa"])
    assert va.steunpunten == ["Alfa"]
    nieuw = next(c for c in va.cells if c.variable == "nieuw")
    # both derived from sp-alfa only (gem-alfa is not coded by b, so it counts for neither)
    assert nieuw.values == (True, False) and not nieuw.same
    assert all(c.same for c in va.cells if c.variable != "nieuw" and c.variable != "nieuw_flag")
    (typ,) = va.typology
    assert typ.same and typ.values[0] is not None
    n = len(va.cells)
    assert va.share_identical == pytest.approx(sum(c.same for c in va.cells) / n)
    result = CliRunner().invoke(
        cli, ["agreement", "--project", str(root), "--coders", "a,b", "--json", "--resamples", "10"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["derived_variables"]["steunpunten"] == ["Alfa"]
    (nv,) = [v for v in data["derived_variables"]["variables"] if v["variable"] == "nieuw"]
    assert nv["differences"] == [{"steunpunt": "Alfa", "values": {"a": True, "b": False}}]


def test_cli_text_states_unit_and_bootstrap(project: Project) -> None:
    root = str(project.paths.root)
    r = CliRunner().invoke(
        cli,
        [
            "agreement",
            "--project",
            root,
            "--coders",
            "a,b",
            "--unit",
            "turn",
            "--transcripts",
            "sp-test",
            "--resamples",
            "100",
        ],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    assert "unit: turn" in r.stdout and "100 resamples" in r.stdout
    assert "resampling transcripts (cluster bootstrap: 1 transcripts" in r.stdout
    assert "pooled (3 codes × 4 turns)" in r.stdout
    assert "Document level" in r.stdout
    assert main(["agreement", "--project", root, "--coders", "a,b", "--transcripts", "nope"]) == 2


def test_codings_of_an_older_text_are_reanchored_for_the_comparison(project: Project) -> None:
    from codeer.anchoring import reanchor
    from codeer.consensus import disagreements
    from tests.conftest import MINI_TRANSCRIPT

    path = project.paths.transcript_file("sp-test")
    path.write_text(MINI_TRANSCRIPT.replace("I: Heeft u", "I: Goedemiddag.\n\nI: Heeft u"), "utf-8")
    p = Project(project.paths.root)
    t = p.transcript("sp-test")
    # a re-anchored to the new text, b still on the old one
    cf = p.codings("a", "sp-test")
    assert cf is not None
    moved = [r.coding for r in reanchor(cf.codings, t.body)]
    p.store.save(cf.model_copy(update={"codings": moved, "transcript_hash": t.content_hash}))
    before = p.paths.codings_file("b", "sp-test").read_bytes()
    r = agreement(p, ["a", "b"], n_resamples=0)
    assert r.n_units == 7
    assert row(r, "voorzieningen.huiskamer").units_coded == {"a": 1, "b": 2}
    assert row(r, "voorzieningen.leefgeld").coefficients.kappa.value == pytest.approx(1.0)
    assert any("re-anchored" in n for n in r.notes)
    assert p.paths.codings_file("b", "sp-test").read_bytes() == before  # files unchanged
    kinds = sorted(d.label for d in disagreements(p, ["a", "b"], "sp-test"))
    assert kinds == ["only a", "same code, different boundaries"]
