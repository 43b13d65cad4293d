"""The bundled transcripts state the facts their fact sheet claims.

The fact sheet (interviews/feiten.yaml) decides once which steunpunt has which characteristic.
Here every claim is spot-checked against coder a's codings of the steunpunt's own interview (the
code that expresses it is there, with the right value; the code for the opposite is not), and a
few against the plain text. The fact sheet's counts are checked against facts.md's figures.
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
from codeer.transcript import Transcript

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# name of the variable -> {fact value: codes that must be in the steunpunt interview}
PRESENT: dict[str, dict[Any, tuple[str, ...]]] = {
    "nieuw_opgezet": {True: ("organisatie.opzet.nieuw",), False: ("organisatie.opzet.bestaand",)},
    "juridische_expertise": {
        True: ("organisatie.juridisch.expertise",),
        False: ("organisatie.juridisch.geen_expertise",),
    },
    "vluchtelingenwerk": {
        v: (f"organisatie.vluchtelingenwerk.{v}",) for v in ("uitvoerder", "betrokken", "geen")
    },
    "dtv_samenwerking": {v: (f"actoren.dtv.{v}",) for v in ("casusniveau", "informatie", "geen")},
    "iom_samenwerking": {True: ("actoren.iom.samenwerking",), False: ("actoren.iom.geen",)},
    "toetsing": {True: ("toelating.toetsing",), False: ("toelating.geen_toetsing",)},
    "huiskamer_bezoek": {
        v: (f"voorzieningen.huiskamer.{v}",) for v in ("vrijwillig", "verplicht", "geen")
    },
    "besluitvorming": {
        v: (f"werkwijze.besluitvorming.{v}",) for v in ("vertrouwenspersoon", "team", "anders")
    },
    "juridisch_perspectief_eerst": {
        True: ("werkwijze.juridisch_eerst",),
        False: ("werkwijze.ander_perspectief_eerst",),
    },
    "knelpunt_ind": {True: ("knelpunt.ind",)},
    "knelpunt_dtv": {True: ("knelpunt.dtv",)},
    "knelpunt_vp": {True: ("knelpunt.vreemdelingenpolitie",)},
    "knelpunt_iom": {True: ("knelpunt.iom",)},
    "activiteiten": {True: ("voorzieningen.activiteiten",)},
    "trajectplan": {True: ("werkwijze.trajectplan",)},
    "contract": {True: ("werkwijze.contract",)},
    "geen_deadline": {True: ("werkwijze.geen_deadline",)},
    "ind_contact": {True: ("actoren.ind.contact",)},
    "vp_contact": {True: ("actoren.vreemdelingenpolitie.contact",)},
}
# facts stated as false must not be coded as true in the steunpunt interview
ABSENT_WHEN_FALSE: dict[str, str] = {
    "knelpunt_ind": "knelpunt.ind",
    "knelpunt_dtv": "knelpunt.dtv",
    "knelpunt_vp": "knelpunt.vreemdelingenpolitie",
    "knelpunt_iom": "knelpunt.iom",
    "activiteiten": "voorzieningen.activiteiten",
    "trajectplan": "werkwijze.trajectplan",
    "contract": "werkwijze.contract",
    "geen_deadline": "werkwijze.geen_deadline",
    "max_leeftijd": "toelating.max_leeftijd",
}
FACTS_MD_COUNTS: list[tuple[str, Any, int]] = [
    ("nieuw_opgezet", True, 6), ("vrijwilligers", True, 19), ("alleen_vrijwilligers", True, 1),
    ("juridische_expertise", True, 17), ("vluchtelingenwerk", "uitvoerder", 13),
    ("vluchtelingenwerk", "betrokken", 3), ("vluchtelingenwerk", "geen", 4),
    ("gemeente_contact", "regelmatig", 17), ("gemeente_contact", "gedelegeerd", 3),
    ("gemeente_casusniveau", True, 6), ("ind_contact", True, 20),
    ("dtv_samenwerking", "casusniveau", 12), ("dtv_samenwerking", "informatie", 6),
    ("dtv_samenwerking", "geen", 2), ("vp_contact", True, 20), ("iom_samenwerking", True, 18),
    ("knelpunt_ind", True, 15), ("knelpunt_dtv", True, 16), ("knelpunt_vp", True, 8),
    ("knelpunt_iom", True, 8), ("max_leeftijd", True, 11), ("toetsing", True, 17),
    ("huiskamer", True, 16), ("huiskamer_bezoek", "vrijwillig", 11),
    ("huiskamer_bezoek", "verplicht", 5), ("activiteiten", True, 14), ("leefgeld", "zelf", 8),
    ("leefgeld", "extern", 9), ("leefgeld", "bankrekening", 3),
    ("besluitvorming", "vertrouwenspersoon", 5), ("besluitvorming", "team", 11),
    ("besluitvorming", "anders", 4), ("trajectplan", True, 10), ("contract", True, 9),
    ("juridisch_perspectief_eerst", True, 16), ("geen_deadline", True, 9),
    ("vastlopende_dossiers", "veel", 4), ("vastlopende_dossiers", "weinig", 3),
    ("vastlopende_dossiers", "geen", 13), ("beeindiging", "wederzijds", 7),
    ("beeindiging", "steunpunt", 6), ("beeindiging", "onbekend", 7),
]  # fmt: skip
TABLE_S2 = {
    "cyclisch": {"Alkmaar", "Arnhem", "Deventer", "Eindhoven", "Zaandam"},
    "maatwerk": {"Den Haag", "Drachten", "Groningen", "Leeuwarden", "Tilburg"},
    "lineair": {"Hengelo", "Enschede", "Zwolle"},
    "confrontatie": {"Amsterdam", "Maastricht"},
    "cyclisch+maatwerk": {"Haarlem", "Rotterdam", "Utrecht"},
    "maatwerk+lineair": {"Almelo", "Nijmegen"},
}


@cache
def sheet() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "interviews" / "feiten.yaml").read_text("utf-8"))
    return data


@cache
def project() -> Project:
    return Project(REPO)


def codes_in(tid: str) -> Counter[str]:
    cf = project().codings("a", tid)
    if cf is None:
        pytest.skip(f"{tid} not coded yet")
    return Counter(c.code for c in cf.codings)


def values_in(tid: str, code: str) -> set[object]:
    cf = project().codings("a", tid)
    assert cf is not None
    return {c.value for c in cf.codings if c.code == code}


STEUNPUNTEN = sorted(sheet()["steunpunten"])


def test_fact_sheet_has_the_study_counts() -> None:
    sps = sheet()["steunpunten"]
    assert len(sps) == 20
    for var, value, n in FACTS_MD_COUNTS:
        assert sum(1 for f in sps.values() if f[var] == value) == n, (var, value)
    for kind, members in TABLE_S2.items():
        assert {s for s, f in sps.items() if f["werkwijze"] == kind} == members
    assert sum(f["clients"] for f in sps.values()) == 733
    assert [s for s, f in sps.items() if f["alleen_vrijwilligers"]] == ["Maastricht"]
    assert [s for s, f in sps.items() if not f["vrijwilligers"]] == ["Utrecht"]
    assert sps["Maastricht"]["betaalde_medewerkers"] == 0
    assert max(f["betaalde_medewerkers"] for f in sps.values()) == 8


def test_facts_md_figures_are_the_ones_tested() -> None:
    if not (SHARED / "facts.md").exists():
        pytest.skip("../shared is absent")
    text = (SHARED / "facts.md").read_text("utf-8")
    for figure in (
        "6 / 14",
        "16 / 11 / 5",
        "13 / 3 / 4",
        "12 / 6 / 2",
        "15 / 16 / 8 / 8",
        "8 / 9 / 3",
        "4 / 3 / 13",
        "7 / 6 / 7",
    ):
        assert figure in text


def test_39_interviews_one_delegated() -> None:
    ts = project().transcripts
    assert len(ts) == 39
    roles = Counter(t.role for t in ts.values())
    assert roles == {"steunpunt": 20, "gemeente": 19}
    delegated = sheet()["gedelegeerd_interview"]
    assert f"gem-{delegated['steunpunt'].lower()}" not in ts
    assert delegated["gemeente"] in ts[delegated["transcript"]].body


def words(t: Transcript) -> int:
    return len(t.body.split())


def test_interview_lengths() -> None:
    for t in project().transcripts.values():
        lo, hi = (1500, 3500) if t.role == "steunpunt" else (900, 2000)
        assert lo <= words(t) <= hi, (t.id, words(t))


@pytest.mark.parametrize("steunpunt", STEUNPUNTEN)
def test_steunpunt_interview_states_its_facts(steunpunt: str) -> None:
    fact = sheet()["steunpunten"][steunpunt]
    tid = fact["transcript_steunpunt"]
    codes = codes_in(tid)
    for var, mapping in PRESENT.items():
        expected = mapping.get(fact[var])
        if expected:
            for code in expected:
                assert codes[code] > 0, f"{tid}: {var}={fact[var]} but no coding of {code}"
        for other_value, other_codes in mapping.items():
            if other_value != fact[var]:
                for code in other_codes:
                    assert codes[code] == 0, f"{tid}: {var}={fact[var]} but coded {code}"
    for var, code in ABSENT_WHEN_FALSE.items():
        if fact[var] is False:
            assert codes[code] == 0, f"{tid}: {var} is false but coded {code}"
    assert values_in(tid, "organisatie.personeel.betaald") == {fact["betaalde_medewerkers"]}
    assert values_in(tid, "voorzieningen.leefgeld") == {fact["leefgeld"]}
    if fact["max_leeftijd"]:
        assert values_in(tid, "toelating.max_leeftijd") == {fact["max_leeftijd_jaren"]}
    if fact["vastlopende_dossiers"] == "geen":
        assert codes["werkwijze.geen_vastlopende_dossiers"] > 0
    else:
        assert values_in(tid, "werkwijze.vastlopende_dossiers") == {fact["vastlopende_dossiers"]}
    if fact["alleen_vrijwilligers"]:
        assert codes["organisatie.personeel.alleen_vrijwilligers"] > 0
    elif fact["vrijwilligers"]:
        assert codes["organisatie.personeel.vrijwilligers"] > 0
    else:
        assert codes["organisatie.personeel.geen_vrijwilligers"] > 0


@pytest.mark.parametrize("steunpunt", STEUNPUNTEN)
def test_werkwijze_descriptors_point_at_the_type(steunpunt: str) -> None:
    fact = sheet()["steunpunten"][steunpunt]
    codes = codes_in(fact["transcript_steunpunt"])
    per_type = Counter({t: 0 for t in ("cyclisch", "maatwerk", "lineair", "confrontatie")})
    for code, n in codes.items():
        if code.startswith("typologie.") and code.count(".") == 2:
            per_type[code.split(".")[1]] += n
    types = fact["werkwijze"].split("+")
    top = [t for t, _ in per_type.most_common(len(types))]
    assert set(top) == set(types), (steunpunt, dict(per_type))


NUMBER_WORDS = {
    18: "achttien", 20: "twintig", 21: "eenentwintig", 22: "tweeëntwintig", 24: "vierentwintig",
    26: "zesentwintig", 27: "zevenentwintig", 28: "achtentwintig", 30: "dertig",
    35: "vijfendertig", 36: "zesendertig", 38: "achtendertig", 40: "veertig",
    42: "tweeënveertig", 55: "vijfenvijftig", 61: "eenenzestig", 70: "zeventig",
    72: "tweeënzeventig",
}  # fmt: skip


STAFF_WORDS = {
    0: ("geen", "niemand", "nul"), 1: ("één", "een", "enige"), 2: ("twee", "tweeën"), 3: ("drie",),
    4: ("vier",), 5: ("vijf",), 6: ("zes",), 7: ("zeven",), 8: ("acht",),
}  # fmt: skip


@pytest.mark.parametrize("steunpunt", STEUNPUNTEN)
def test_text_spot_checks(steunpunt: str) -> None:
    fact = sheet()["steunpunten"][steunpunt]
    t = project().transcripts[fact["transcript_steunpunt"]]
    body = t.body.lower()
    assert t.case == steunpunt
    n = fact["clients"]
    assert re.search(rf"\b{n}\b", body) or NUMBER_WORDS[n] in body, f"{t.id}: client count {n}"
    staff = fact["betaalde_medewerkers"]
    cf = project().codings("a", t.id)
    assert cf is not None
    passages = " ".join(
        c.quote.lower() for c in cf.codings if c.code == "organisatie.personeel.betaald"
    )
    assert str(staff) in passages or any(w in passages for w in STAFF_WORDS[staff]), (t.id, staff)
    assert "ind" in re.findall(r"\b\w+\b", body)


def test_contradictions_are_in_the_municipal_interviews() -> None:
    for c in sheet()["contradicties"]:
        fact = sheet()["steunpunten"][c["steunpunt"]]
        gem = fact["transcript_gemeente"]
        assert gem, c
        assert len(codes_in(gem)) > 0
