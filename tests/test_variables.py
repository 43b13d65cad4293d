"""Deriving steunpunt variables from codings, on small hand-made projects."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from codeer.codings import Coding, CodingsFile
from codeer.errors import CodingsError, DataError
from codeer.project import Project
from codeer.store import Store
from codeer.transcript import content_hash, load_transcript
from codeer.variables import derive_variables

CODEBOOK = textwrap.dedent(
    """\
    name: test
    codes:
      - id: org
        label: Organisatie
        children:
          - id: org.nieuw
            label: Nieuw
          - id: org.bestaand
            label: Bestaand
          - id: org.betaald
            label: Betaald
            value: {type: integer, min: 0, max: 50}
          - id: org.alleen_vrijwilligers
            label: Alleen vrijwilligers
          - id: org.vwn
            label: VWN
            children:
              - id: org.vwn.uitvoerder
                label: Uitvoerder
              - id: org.vwn.geen
                label: Geen
      - id: voorz
        label: Voorzieningen
        children:
          - id: voorz.huiskamer
            label: Huiskamer
          - id: voorz.geen_huiskamer
            label: Geen huiskamer
          - id: voorz.activiteiten
            label: Activiteiten
          - id: voorz.leefgeld
            label: Leefgeld
            value: {type: category, categories: [zelf, extern, bankrekening]}
          - id: voorz.geen_leefgeld
            label: Geen leefgeld
      - id: typologie
        label: Typologie
        children:
          - id: typologie.cyclisch
            label: Cyclisch
            children:
              - {id: typologie.cyclisch.luisteren, label: Luisteren}
              - {id: typologie.cyclisch.vertrouwen, label: Vertrouwen}
          - id: typologie.maatwerk
            label: Maatwerk
            children:
              - {id: typologie.maatwerk.breed, label: Breed}
          - id: typologie.lineair
            label: Lineair
            children:
              - {id: typologie.lineair.strikt, label: Strikt}
    """
)

RULES = textwrap.dedent(
    """\
    steunpunten: [Alfa, Beta, Gamma]
    variables:
      nieuw:
        kind: binary
        label: Nieuw opgezet
        roles: both
        resolve: [steunpunt, gemeente]
        present: [org.nieuw]
        absent: [org.bestaand]
      nieuw_flag:
        kind: binary
        roles: both
        resolve: flag
        present: [org.nieuw]
        absent: [org.bestaand]
      huiskamer:
        kind: binary
        roles: both
        resolve: [gemeente, steunpunt]
        present: [voorz.huiskamer]
        absent: [voorz.geen_huiskamer]
        value_labels: {true: heeft er een, false: heeft er geen}
      activiteiten:
        kind: binary
        roles: steunpunt
        present: [voorz.activiteiten]
        topic: [voorz]
      vwn:
        kind: nominal
        label: Rol VWN
        roles: both
        resolve: [steunpunt, gemeente]
        categories:
          uitvoerder: {codes: [org.vwn.uitvoerder], label: Voert uit}
          geen: {codes: [org.vwn.geen], label: Geen VWN}
      vwn_none:
        kind: nominal
        roles: steunpunt
        categories:
          uitvoerder: {codes: [org.vwn.uitvoerder]}
        none: {value: anders, label: Anders, topic: [org]}
      betaald_max:
        kind: numeric
        roles: steunpunt
        code: org.betaald
        aggregate: max
        implied: {org.alleen_vrijwilligers: 0}
      betaald_min:
        kind: numeric
        roles: steunpunt
        code: org.betaald
        aggregate: min
      betaald_mean:
        kind: numeric
        roles: steunpunt
        code: org.betaald
        aggregate: mean
      betaald_first:
        kind: numeric
        roles: steunpunt
        code: org.betaald
        aggregate: first
      betaald_mode:
        kind: numeric
        roles: steunpunt
        code: org.betaald
        aggregate: mode
      leefgeld:
        kind: value_category
        roles: both
        resolve: [steunpunt, gemeente]
        code: voorz.leefgeld
        also: {voorz.geen_leefgeld: geen}
        categories: {zelf: Zelf, extern: Extern, bankrekening: Bank, geen: Geen leefgeld}
      leefgeld_majority:
        kind: value_category
        roles: steunpunt
        within: majority
        code: voorz.leefgeld
      werkwijze:
        kind: typology
        label: Werkwijze
        roles: steunpunt
    """
)

TYPOLOGY = textwrap.dedent(
    """\
    types:
      cyclisch: {label: Cyclisch, codes: [typologie.cyclisch]}
      maatwerk: {label: Maatwerk, codes: [typologie.maatwerk]}
      lineair: {label: Lineair, codes: [typologie.lineair]}
    combinations:
      - [cyclisch, maatwerk]
    thresholds:
      min_descriptors: 3
      min_primary_share: 0.4
      combination_ratio: 0.5
      combination_share: 0.25
    """
)

Spec = tuple[str, Any]  # (code, value)


def write_interview(
    root: Path,
    tid: str,
    case: str,
    role: str,
    codes: list[str | Spec],
    coder: str = "a",
) -> None:
    """A transcript with one sentence per coding, and coder's codings on those sentences."""
    sentences = [f"Zin {i} over {c if isinstance(c, str) else c[0]}." for i, c in enumerate(codes)]
    body = "R: " + " ".join(sentences) + "\n"
    text = f"---\nid: {tid}\ncase: {case}\nrole: {role}\n---\n{body}"
    path = root / "interviews" / f"{tid}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    transcript = load_transcript(path)
    codings = []
    pos = 3
    for i, (c, s) in enumerate(zip(codes, sentences, strict=True)):
        code, value = (c, None) if isinstance(c, str) else c
        codings.append(
            Coding(
                id=f"c{i:04d}",
                code=code,
                start=pos,
                end=pos + len(s),
                quote=s,
                value=value,
                coder=coder,
            )
        )
        pos += len(s) + 1
    cf = CodingsFile(
        transcript=tid, coder=coder, transcript_hash=content_hash(transcript.body), codings=codings
    )
    Store(Project(root).paths).save(cf)


def make_project(
    root: Path,
    interviews: list[tuple[str, str, str, list[str | Spec]]],
    *,
    rules: str = RULES,
    typology: str = TYPOLOGY,
) -> Path:
    (root / "codebooks").mkdir(parents=True, exist_ok=True)
    (root / "variables").mkdir(parents=True, exist_ok=True)
    (root / "codebooks" / "test.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "variables" / "regels.yaml").write_text(rules, encoding="utf-8")
    (root / "variables" / "typologie.yaml").write_text(typology, encoding="utf-8")
    for tid, case, role, codes in interviews:
        write_interview(root, tid, case, role, codes)
    return root


STANDARD: list[tuple[str, str, str, list[str | Spec]]] = [
    (
        "sp-alfa",
        "Alfa",
        "steunpunt",
        [
            "org.nieuw",
            "voorz.huiskamer",
            "voorz.activiteiten",
            "org.vwn.uitvoerder",
            ("org.betaald", 2),
            ("org.betaald", 4),
            ("org.betaald", 4),
            ("voorz.leefgeld", "zelf"),
            "typologie.cyclisch.luisteren",
            "typologie.cyclisch.vertrouwen",
            "typologie.cyclisch.luisteren",
            "typologie.maatwerk.breed",
            "typologie.maatwerk.breed",
        ],
    ),
    (
        "gem-alfa",
        "Alfa",
        "gemeente",
        ["org.bestaand", "voorz.geen_huiskamer", ("voorz.leefgeld", "extern")],
    ),
    (
        "sp-beta",
        "Beta",
        "steunpunt",
        [
            "org.bestaand",
            "org.nieuw",
            "voorz.geen_huiskamer",
            "org.alleen_vrijwilligers",
            "voorz.geen_leefgeld",
            ("voorz.leefgeld", "extern"),
            ("voorz.leefgeld", "extern"),
            ("voorz.leefgeld", "zelf"),
            "typologie.lineair.strikt",
            "typologie.lineair.strikt",
            "typologie.lineair.strikt",
            "typologie.cyclisch.luisteren",
        ],
    ),
    ("gem-beta", "Beta", "gemeente", ["org.vwn.geen", "org.nieuw"]),
]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(make_project(tmp_path / "p", STANDARD))


def test_table_shape_and_order(project: Project) -> None:
    d = derive_variables(project)
    assert list(d.table["steunpunt"]) == ["Alfa", "Beta", "Gamma"]
    assert d.table.columns[0] == "steunpunt"
    assert list(d.table.columns[1:]) == list(d.kinds)
    assert str(d.table["nieuw"].dtype) == "boolean"
    assert str(d.table["betaald_max"].dtype) == "Int64"
    assert str(d.table["betaald_mean"].dtype) == "Float64"


def test_binary_priority_resolves_and_reports(project: Project) -> None:
    d = derive_variables(project)
    # Alfa: steunpunt says new, gemeente says existed; steunpunt first
    assert d.value("Alfa", "nieuw") is True
    (c,) = d.conflicts_for("Alfa", "nieuw")
    assert c.kind == "between_roles" and c.resolution == "steunpunt gaat voor"
    assert {(s.role, s.value) for s in c.sides} == {("steunpunt", True), ("gemeente", False)}
    assert [e.transcript for e in d.evidence("Alfa", "nieuw")] == ["sp-alfa"]
    # the other order of roles
    assert d.value("Alfa", "huiskamer") is False
    assert d.conflicts_for("Alfa", "huiskamer")[0].resolution == "gemeente gaat voor"


def test_binary_flag_gives_missing_and_conflict(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "nieuw_flag") is None
    (c,) = d.conflicts_for("Alfa", "nieuw_flag")
    assert not c.resolved
    assert d.missing_for("Alfa", "nieuw_flag")
    assert pd.isna(d.table.set_index("steunpunt").loc["Alfa", "nieuw_flag"])


def test_within_interview_disagreement_is_reported(project: Project) -> None:
    d = derive_variables(project)
    # Beta's steunpunt interview codes both nieuw and bestaand; its gemeente says nieuw
    within = [c for c in d.conflicts_for("Beta", "nieuw") if c.kind == "within_role"]
    assert len(within) == 1 and within[0].sides[0].role == "steunpunt"
    # the undetermined steunpunt side gives way to the gemeente's clear answer
    assert d.value("Beta", "nieuw") is True
    assert [e.transcript for e in d.evidence("Beta", "nieuw")] == ["gem-beta"]


def test_topic_implies_false_and_no_evidence_is_missing(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "activiteiten") is True
    # Beta discussed voorzieningen (huiskamer) without activities: false, with the topic quotes
    assert d.value("Beta", "activiteiten") is False
    assert {e.basis for e in d.evidence("Beta", "activiteiten")} == {"topic"}
    # Gamma has no interview at all: missing everywhere, never false or 0
    row = d.table.set_index("steunpunt").loc["Gamma"]
    assert row.isna().all()
    reasons = {m.variable: m.reason for m in d.missing if m.steunpunt == "Gamma"}
    assert set(reasons) == set(d.kinds)
    assert "no steunpunt" in reasons["activiteiten"]


def test_nominal_and_none(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "vwn") == "uitvoerder"
    assert d.value("Beta", "vwn") == "geen"  # only the gemeente said something
    assert d.value("Alfa", "vwn_none") == "uitvoerder"
    assert d.value("Beta", "vwn_none") == "anders"  # organisation discussed, no VWN code
    assert d.value_labels["vwn"] == {"uitvoerder": "Voert uit", "geen": "Geen VWN"}
    assert d.value_labels["vwn_none"]["anders"] == "Anders"


def test_numeric_aggregates_and_implied(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "betaald_max") == 4
    assert d.value("Alfa", "betaald_min") == 2
    assert d.value("Alfa", "betaald_mean") == pytest.approx(10 / 3)
    assert d.value("Alfa", "betaald_first") == 2
    assert d.value("Alfa", "betaald_mode") == 4
    assert d.value("Beta", "betaald_max") == 0  # volunteers only implies 0 paid staff
    assert d.evidence("Beta", "betaald_max")[0].basis == "implied"
    assert d.value("Beta", "betaald_min") is None  # no valued coding and min has no implied


def test_value_category_also_and_majority(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "leefgeld") == "zelf"
    assert d.conflicts_for("Alfa", "leefgeld")[0].resolution == "steunpunt gaat voor"
    # Beta: extern x2, zelf x1, geen x1 -> flagged within the interview
    assert d.value("Beta", "leefgeld") is None
    assert d.conflicts_for("Beta", "leefgeld")[0].kind == "within_role"
    # majority: extern (2) beats zelf (1), still reported
    assert d.value("Beta", "leefgeld_majority") == "extern"
    (c,) = d.conflicts_for("Beta", "leefgeld_majority")
    assert c.resolution == "majority of codings"
    assert list(d.value_labels["leefgeld"]) == ["zelf", "extern", "bankrekening", "geen"]


def test_typology_in_derivation(project: Project) -> None:
    d = derive_variables(project)
    assert d.value("Alfa", "werkwijze") == "cyclisch+maatwerk"  # 3 and 2: ratio .67, share .4
    assert d.value("Beta", "werkwijze") == "lineair"  # 3 of 4
    assert d.typology["Alfa"].counts == {"cyclisch": 3, "maatwerk": 2, "lineair": 0}
    assert len(d.evidence("Alfa", "werkwijze")) == 5
    assert d.value_labels["werkwijze"]["cyclisch+maatwerk"] == "Cyclisch + Maatwerk"


def test_evidence_carries_quotes_and_roles(project: Project) -> None:
    d = derive_variables(project)
    (ev,) = d.evidence("Alfa", "huiskamer")
    assert (ev.transcript, ev.role, ev.code) == ("gem-alfa", "gemeente", "voorz.geen_huiskamer")
    assert ev.quote.startswith("Zin 1 over voorz.geen_huiskamer")
    assert d.evidence("Gamma", "huiskamer") == []
    with pytest.raises(KeyError):
        d.evidence("Alfa", "nope")


def test_variable_and_value_labels(project: Project) -> None:
    d = derive_variables(project)
    assert d.variable_labels["nieuw"] == "Nieuw opgezet"
    assert "nieuw_flag" not in d.variable_labels
    assert d.value_labels["nieuw"] == {False: "nee", True: "ja"}
    assert d.value_labels["huiskamer"] == {False: "heeft er geen", True: "heeft er een"}


def test_steunpunten_default_to_steunpunt_cases(tmp_path: Path) -> None:
    rules = RULES.replace("steunpunten: [Alfa, Beta, Gamma]\n", "")
    d = derive_variables(Project(make_project(tmp_path / "p", STANDARD, rules=rules)))
    assert list(d.table["steunpunt"]) == ["Alfa", "Beta"]


def test_other_coder(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    write_interview(root, "sp-alfa", "Alfa", "steunpunt", ["org.bestaand"], coder="b")
    d = derive_variables(Project(root), "b")
    assert d.value("Alfa", "nieuw") is False
    assert d.value("Beta", "nieuw") is None


# --- bad input --------------------------------------------------------------------------------


def test_case_matching_no_steunpunt(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", [*STANDARD, ("sp-delta", "Detla", "steunpunt", [])])
    with pytest.raises(DataError) as info:
        derive_variables(Project(root))
    err = info.value
    assert "sp-delta" in err.message and "'Detla'" in err.message
    assert err.path is not None and err.path.endswith("sp-delta.txt") and err.line == 3


def _corrupt(root: Path, tid: str, old: str, new: str) -> Path:
    path = root / "interviews" / "codings" / "a" / f"{tid}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_valued_code_without_value(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    path = _corrupt(root, "sp-alfa", "  value: 2\n", "")
    with pytest.raises(CodingsError) as info:
        derive_variables(Project(root))
    err = info.value
    assert "needs a value" in err.message and "org.betaald" in err.message
    assert err.path == str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert err.line is not None and "id: c0004" in lines[err.line - 1]


def test_value_of_wrong_type(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    path = _corrupt(root, "sp-alfa", "  value: 2\n", "  value: twee\n")
    with pytest.raises(CodingsError, match="expected an integer") as info:
        derive_variables(Project(root))
    assert info.value.path == str(path) and info.value.line is not None


def test_category_value_not_in_codebook(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    _corrupt(root, "gem-alfa", "value: extern", "value: contant")
    with pytest.raises(CodingsError, match="expected one of zelf, extern, bankrekening"):
        derive_variables(Project(root))


def test_value_on_plain_code(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    _corrupt(root, "gem-beta", "code: org.nieuw\n", "code: org.nieuw\n  value: 3\n")
    with pytest.raises(CodingsError, match="carries no value"):
        derive_variables(Project(root))


def test_unknown_code_in_codings(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    _corrupt(root, "gem-beta", "code: org.nieuw\n", "code: org.nieu\n")
    with pytest.raises(CodingsError, match=r"unknown code 'org\.nieu'"):
        derive_variables(Project(root))


def test_typology_without_a_type_says_why(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", [("sp-alfa", "Alfa", "steunpunt", ["typologie.cyclisch.luisteren"] * 2)]
    )
    d = derive_variables(Project(root))
    assert d.value("Alfa", "werkwijze") is None
    (m,) = d.missing_for("Alfa", "werkwijze")
    assert m.reason == "no type: 2 descriptor codings, fewer than min_descriptors 3"
    assert d.missing_for("Beta", "werkwijze")[0].reason == "no steunpunt interview coded"


def test_numeric_mode_tie_is_a_conflict(tmp_path: Path) -> None:
    codes: list[str | Spec] = [("org.betaald", 2), ("org.betaald", 3)]
    root = make_project(tmp_path / "p", [("sp-alfa", "Alfa", "steunpunt", codes)])
    d = derive_variables(Project(root))
    assert d.value("Alfa", "betaald_mode") is None
    (c,) = d.conflicts_for("Alfa", "betaald_mode")
    assert [s.value for s in c.sides] == [2, 3]
    assert d.value("Alfa", "betaald_max") == 3
