"""The bundled example project reproduces the study's steunpunt-level figures.

Per steunpunt, every derived value must equal interviews/feiten.yaml (the fact sheet, which only
tests read); over all 20, the counts must be those of facts.md and Table S2; the deliberate
contradictions between steunpunt and municipal interviews must show up as conflicts and resolve
as the fact sheet says. While transcripts are still being written, the parts that need missing
transcripts are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from codeer.project import Project
from codeer.variables import Derivation, derive_variables

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FACT_SHEET = REPO / "interviews" / "feiten.yaml"


@cache
def facts() -> dict[str, Any]:
    if not FACT_SHEET.exists():
        pytest.skip("no fact sheet")
    data: dict[str, Any] = yaml.safe_load(FACT_SHEET.read_text(encoding="utf-8"))
    return data


def transcripts_of(steunpunt: str) -> list[str]:
    entry = facts()["steunpunten"][steunpunt]
    return [t for t in (entry["transcript_steunpunt"], entry["transcript_gemeente"]) if t]


def is_coded(tid: str) -> bool:
    return (REPO / "interviews" / f"{tid}.txt").exists() and (
        REPO / "interviews" / "codings" / "a" / f"{tid}.yaml"
    ).exists()


def complete(steunpunt: str) -> bool:
    return all(is_coded(t) for t in transcripts_of(steunpunt))


def all_complete() -> bool:
    return all(complete(sp) for sp in facts()["steunpunten"])


@cache
def derivation() -> Derivation:
    if not list((REPO / "codebooks").glob("*.yaml")):
        pytest.skip("bundled codebook not written yet")
    return derive_variables(Project(REPO), "a")


def value(sp: str, var: str) -> object:
    return derivation().value(sp, var)


STEUNPUNTEN = [
    "Alkmaar", "Almelo", "Amsterdam", "Arnhem", "Den Haag", "Deventer", "Drachten", "Eindhoven",
    "Enschede", "Groningen", "Haarlem", "Hengelo", "Leeuwarden", "Maastricht", "Nijmegen",
    "Rotterdam", "Tilburg", "Utrecht", "Zaandam", "Zwolle",
]  # fmt: skip


def test_table_has_the_twenty_steunpunten_and_the_columns() -> None:
    d = derivation()
    assert list(d.table["steunpunt"]) == STEUNPUNTEN
    assert list(d.table.columns) == [
        "steunpunt", "nieuw_opgezet", "betaalde_medewerkers", "vrijwilligers",
        "alleen_vrijwilligers", "juridische_expertise", "vluchtelingenwerk", "gemeente_contact",
        "gemeente_casusniveau", "dtv_samenwerking", "iom_samenwerking", "knelpunt_ind",
        "knelpunt_dtv", "knelpunt_vp", "knelpunt_iom", "max_leeftijd", "toetsing", "huiskamer",
        "huiskamer_bezoek", "activiteiten", "leefgeld", "besluitvorming", "trajectplan",
        "contract", "juridisch_perspectief_eerst", "geen_deadline", "vastlopende_dossiers",
        "werkwijze",
    ]  # fmt: skip


@pytest.mark.parametrize("steunpunt", STEUNPUNTEN)
def test_each_steunpunt_matches_the_fact_sheet(steunpunt: str) -> None:
    if not complete(steunpunt):
        pytest.skip(f"transcripts of {steunpunt} not all written yet")
    d = derivation()
    expected = facts()["steunpunten"][steunpunt]
    wrong = {}
    for var in d.kinds:
        got = d.value(steunpunt, var)
        if got != expected[var]:
            wrong[var] = (got, expected[var])
    assert not wrong, f"{steunpunt}: derived vs fact sheet: {wrong}"
    assert not [m for m in d.missing if m.steunpunt == steunpunt]


@pytest.mark.parametrize("index", range(4))
def test_contradictions_are_conflicts_resolved_as_the_fact_sheet_says(index: int) -> None:
    entries = facts()["contradicties"]
    if index >= len(entries):
        pytest.skip("fewer contradictions")
    c = entries[index]
    if not complete(c["steunpunt"]):
        pytest.skip(f"transcripts of {c['steunpunt']} not written yet")
    d = derivation()
    conflicts = [
        x for x in d.conflicts_for(c["steunpunt"], c["variabele"]) if x.kind == "between_roles"
    ]
    assert len(conflicts) == 1, f"no conflict for {c['steunpunt']} {c['variabele']}"
    sides = {s.role: s.value for s in conflicts[0].sides}
    assert sides == {"steunpunt": c["steunpunt_interview"], "gemeente": c["gemeente_interview"]}
    assert conflicts[0].value == c["waarde"]
    assert d.value(c["steunpunt"], c["variabele"]) == c["waarde"]
    for side in conflicts[0].sides:
        assert side.evidence and all(e.quote for e in side.evidence)


def test_conflicts_are_only_the_deliberate_ones() -> None:
    if not all_complete():
        pytest.skip("transcripts not all written yet")
    deliberate = {(c["steunpunt"], c["variabele"]) for c in facts()["contradicties"]}
    found = {(c.steunpunt, c.variable) for c in derivation().conflicts}
    assert found == deliberate


def counts(var: str) -> Counter[object]:
    d = derivation()
    return Counter(d.value(sp, var) for sp in STEUNPUNTEN)


# facts.md, "Steunpunt level (n = 20)"
EXPECTED_COUNTS: dict[str, dict[object, int]] = {
    "nieuw_opgezet": {True: 6, False: 14},
    "vrijwilligers": {True: 19, False: 1},
    "alleen_vrijwilligers": {True: 1, False: 19},
    "juridische_expertise": {True: 17, False: 3},
    "vluchtelingenwerk": {"uitvoerder": 13, "betrokken": 3, "geen": 4},
    "gemeente_contact": {"regelmatig": 17, "gedelegeerd": 3},
    "gemeente_casusniveau": {True: 6, False: 14},
    "dtv_samenwerking": {"casusniveau": 12, "informatie": 6, "geen": 2},
    "iom_samenwerking": {True: 18, False: 2},
    "knelpunt_ind": {True: 15, False: 5},
    "knelpunt_dtv": {True: 16, False: 4},
    "knelpunt_vp": {True: 8, False: 12},
    "knelpunt_iom": {True: 8, False: 12},
    "max_leeftijd": {True: 11, False: 9},
    "toetsing": {True: 17, False: 3},
    "huiskamer": {True: 16, False: 4},
    "huiskamer_bezoek": {"vrijwillig": 11, "verplicht": 5, "geen": 4},
    "activiteiten": {True: 14, False: 6},
    "leefgeld": {"zelf": 8, "extern": 9, "bankrekening": 3},
    "besluitvorming": {"vertrouwenspersoon": 5, "team": 11, "anders": 4},
    "trajectplan": {True: 10, False: 10},
    "contract": {True: 9, False: 11},
    "juridisch_perspectief_eerst": {True: 16, False: 4},
    "geen_deadline": {True: 9, False: 11},
    "vastlopende_dossiers": {"veel": 4, "weinig": 3, "geen": 13},
}

TABLE_S2 = {
    "cyclisch": ["Alkmaar", "Arnhem", "Deventer", "Eindhoven", "Zaandam"],
    "maatwerk": ["Den Haag", "Drachten", "Groningen", "Leeuwarden", "Tilburg"],
    "lineair": ["Hengelo", "Enschede", "Zwolle"],
    "confrontatie": ["Amsterdam", "Maastricht"],
    "cyclisch+maatwerk": ["Haarlem", "Rotterdam", "Utrecht"],
    "maatwerk+lineair": ["Almelo", "Nijmegen"],
}


@pytest.mark.parametrize("var", sorted(EXPECTED_COUNTS))
def test_steunpunt_counts_of_facts_md(var: str) -> None:
    if not all_complete():
        pytest.skip("transcripts not all written yet")
    assert dict(counts(var)) == EXPECTED_COUNTS[var]


def test_paid_staff_and_volunteers_only() -> None:
    if not all_complete():
        pytest.skip("transcripts not all written yet")
    d = derivation()
    paid = {sp: d.value(sp, "betaalde_medewerkers") for sp in STEUNPUNTEN}
    assert min(paid.values()) == 0 and max(paid.values()) == 8  # type: ignore[type-var]
    assert [sp for sp, n in paid.items() if n == 0] == ["Maastricht"]
    assert [sp for sp in STEUNPUNTEN if d.value(sp, "alleen_vrijwilligers")] == ["Maastricht"]
    assert [sp for sp in STEUNPUNTEN if d.value(sp, "vrijwilligers") is False] == ["Utrecht"]


def test_table_s2_exactly() -> None:
    if not all(is_coded(facts()["steunpunten"][sp]["transcript_steunpunt"]) for sp in STEUNPUNTEN):
        pytest.skip("steunpunt transcripts not all written yet")
    d = derivation()
    got: dict[str, list[str]] = {}
    for sp in STEUNPUNTEN:
        got.setdefault(str(d.value(sp, "werkwijze")), []).append(sp)
    assert got == {k: sorted(v) for k, v in TABLE_S2.items()}


def test_table_s2_here_is_the_one_in_facts_md() -> None:
    path = SHARED / "facts.md"
    if not path.exists():
        pytest.skip("../shared/facts.md not available")
    text = path.read_text(encoding="utf-8")
    names = {
        "cyclisch/presentie": "cyclisch",
        "maatwerk/integraal": "maatwerk",
        "lineair/planmatig": "lineair",
        "confrontatie/realisme": "confrontatie",
        "cyclisch + maatwerk": "cyclisch+maatwerk",
        "maatwerk + lineair": "maatwerk+lineair",
    }
    found = {}
    for row in re.findall(r"^\| ([a-z/ +]+) \| [^|]+ \| ([A-Z][^|]+) \|$", text, re.MULTILINE):
        if row[0] in names:
            found[names[row[0]]] = sorted(s.strip() for s in row[1].split(","))
    assert found == {k: sorted(v) for k, v in TABLE_S2.items()}
