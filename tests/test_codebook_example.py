"""The bundled codebook: loads, holds the fixed code tree, and every code is fully described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeer.codebook import Codebook, ValueSpec, load_codebook

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "perspectief.yaml"

# The fixed code tree everyone codes against (group codes first, then leaves).
GROUP_IDS = [
    "organisatie",
    "organisatie.opzet",
    "organisatie.personeel",
    "organisatie.juridisch",
    "organisatie.vluchtelingenwerk",
    "actoren",
    "actoren.gemeente",
    "actoren.ind",
    "actoren.dtv",
    "actoren.vreemdelingenpolitie",
    "actoren.iom",
    "knelpunt",
    "toelating",
    "voorzieningen",
    "voorzieningen.huiskamer",
    "werkwijze",
    "werkwijze.besluitvorming",
    "typologie",
    "typologie.cyclisch",
    "typologie.maatwerk",
    "typologie.lineair",
    "typologie.confrontatie",
]

LEAF_IDS = [
    "organisatie.opzet.nieuw",
    "organisatie.opzet.bestaand",
    "organisatie.personeel.betaald",
    "organisatie.personeel.vrijwilligers",
    "organisatie.personeel.alleen_vrijwilligers",
    "organisatie.personeel.geen_vrijwilligers",
    "organisatie.juridisch.expertise",
    "organisatie.juridisch.geen_expertise",
    "organisatie.vluchtelingenwerk.uitvoerder",
    "organisatie.vluchtelingenwerk.betrokken",
    "organisatie.vluchtelingenwerk.geen",
    "actoren.gemeente.regelmatig",
    "actoren.gemeente.gedelegeerd",
    "actoren.gemeente.casusniveau",
    "actoren.gemeente.geen_casusniveau",
    "actoren.ind.contact",
    "actoren.dtv.casusniveau",
    "actoren.dtv.informatie",
    "actoren.dtv.geen",
    "actoren.vreemdelingenpolitie.contact",
    "actoren.iom.samenwerking",
    "actoren.iom.geen",
    "knelpunt.ind",
    "knelpunt.dtv",
    "knelpunt.vreemdelingenpolitie",
    "knelpunt.iom",
    "knelpunt.overig",
    "toelating.max_leeftijd",
    "toelating.geen_max_leeftijd",
    "toelating.toetsing",
    "toelating.geen_toetsing",
    "voorzieningen.huiskamer.vrijwillig",
    "voorzieningen.huiskamer.verplicht",
    "voorzieningen.huiskamer.geen",
    "voorzieningen.activiteiten",
    "voorzieningen.geen_activiteiten",
    "voorzieningen.leefgeld",
    "voorzieningen.onderdak",
    "werkwijze.besluitvorming.vertrouwenspersoon",
    "werkwijze.besluitvorming.team",
    "werkwijze.besluitvorming.anders",
    "werkwijze.trajectplan",
    "werkwijze.geen_trajectplan",
    "werkwijze.contract",
    "werkwijze.geen_contract",
    "werkwijze.juridisch_eerst",
    "werkwijze.ander_perspectief_eerst",
    "werkwijze.geen_deadline",
    "werkwijze.deadline",
    "werkwijze.vastlopende_dossiers",
    "werkwijze.geen_vastlopende_dossiers",
    "typologie.cyclisch.laagdrempelig",
    "typologie.cyclisch.luisteren",
    "typologie.cyclisch.meegaan",
    "typologie.cyclisch.gelijkwaardigheid",
    "typologie.cyclisch.vrijblijvend",
    "typologie.cyclisch.toegankelijk",
    "typologie.cyclisch.betrokkenheid",
    "typologie.cyclisch.vertrouwen",
    "typologie.cyclisch.presentie",
    "typologie.maatwerk.integraal",
    "typologie.maatwerk.breed",
    "typologie.maatwerk.maatwerk",
    "typologie.maatwerk.individueel",
    "typologie.maatwerk.persoonlijk",
    "typologie.lineair.afspraken",
    "typologie.lineair.doelen",
    "typologie.lineair.verplichtend",
    "typologie.lineair.sancties",
    "typologie.lineair.strikt",
    "typologie.lineair.ordelijk",
    "typologie.lineair.planmatig",
    "typologie.lineair.niet_vrijblijvend",
    "typologie.confrontatie.eerlijk",
    "typologie.confrontatie.duidelijk",
    "typologie.confrontatie.confronterend",
    "typologie.confrontatie.realistisch",
    "typologie.confrontatie.eigen_verantwoordelijkheid",
]

VALUES = {
    "organisatie.personeel.betaald": ValueSpec(type="integer", min=0, max=50),
    "toelating.max_leeftijd": ValueSpec(type="integer", min=18, max=30),
    "voorzieningen.leefgeld": ValueSpec(
        type="category", categories=("zelf", "extern", "bankrekening")
    ),
    "werkwijze.vastlopende_dossiers": ValueSpec(type="category", categories=("veel", "weinig")),
}


@pytest.fixture(scope="module")
def book() -> Codebook:
    return load_codebook([CODEBOOK])


def test_loads_with_enough_codes(book: Codebook) -> None:
    assert book.name == "Perspectief"
    assert len(book) >= 60
    assert book.files[0][1].language == "nl"


def test_holds_exactly_the_fixed_tree(book: Codebook) -> None:
    assert len(set(GROUP_IDS + LEAF_IDS)) == len(GROUP_IDS) + len(LEAF_IDS) == 100
    assert set(book.codes) == set(GROUP_IDS) | set(LEAF_IDS)
    for gid in GROUP_IDS:
        assert book.children(gid), f"{gid} should be a group code"
    for lid in LEAF_IDS:
        assert not book.children(lid), f"{lid} should be a leaf code"
        assert lid.rsplit(".", 1)[0] in book, f"{lid} has no parent"


@pytest.mark.parametrize("code_id", GROUP_IDS + LEAF_IDS)
def test_every_code_is_described(book: Codebook, code_id: str) -> None:
    code = book[code_id]
    for field in ("label", "definition", "include", "exclude", "example"):
        assert getattr(code, field).strip(), f"{code_id}: empty {field}"
    assert code.colour is not None
    assert code.keywords, f"{code_id}: no keywords"
    if code_id in LEAF_IDS:
        assert 3 <= len(code.keywords) <= 10, f"{code_id}: {len(code.keywords)} keywords"
    for kw in (*code.keywords, *code.exclude_keywords):
        assert kw == kw.strip() == kw.lower() and kw, f"{code_id}: keyword {kw!r}"


def test_valued_codes_have_the_right_spec(book: Codebook) -> None:
    for code in book:
        expected = VALUES.get(code.id)
        if expected is None:
            assert code.value is None, f"{code.id} should carry no value"
            continue
        assert code.value is not None
        got = code.value.model_copy(update={"label": None})
        assert got == expected, code.id


def test_value_specs_accept_and_reject(book: Codebook) -> None:
    assert book["organisatie.personeel.betaald"].value.check(0) is None  # type: ignore[union-attr]
    assert book["toelating.max_leeftijd"].value.check(17) is not None  # type: ignore[union-attr]
    assert book["voorzieningen.leefgeld"].value.parse("extern") == "extern"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        book["werkwijze.vastlopende_dossiers"].value.parse("soms")  # type: ignore[union-attr]


def test_colours_are_unique(book: Codebook) -> None:
    """Every code has its own colour, so two codes are never confused in the highlighted text."""
    colours = [(code.colour or "").lower() for code in book]
    assert len(set(colours)) == len(colours)


def test_negated_keywords_are_excluded_where_they_matter(book: Codebook) -> None:
    for cid in ("voorzieningen.huiskamer.vrijwillig", "voorzieningen.huiskamer.verplicht"):
        assert "geen huiskamer" in book[cid].exclude_keywords
    assert "geen huiskamer" in book["voorzieningen.huiskamer.geen"].keywords
    assert "geen trajectplan" in book["werkwijze.trajectplan"].exclude_keywords
    assert "geen deadline" in book["werkwijze.deadline"].exclude_keywords


def test_keywords_do_not_contradict_their_exclusions(book: Codebook) -> None:
    for code in book:
        assert not set(code.keywords) & set(code.exclude_keywords), code.id


def test_see_also_points_at_other_codes(book: Codebook) -> None:
    for code in book:
        assert code.id not in code.see_also
        assert all(ref in book for ref in code.see_also)


def test_exclusions_name_a_neighbour_code(book: Codebook) -> None:
    """The exclusion criteria say which code to use instead, by its id."""
    code_ref = re.compile(r"\b[a-z]+(?:\.[a-z_]+)+(?:\.\*)?")
    for lid in LEAF_IDS:
        refs = code_ref.findall(book[lid].exclude)
        assert refs, f"{lid}: exclude names no neighbour code"
        for ref in refs:
            base = ref.removesuffix(".*")
            assert base in book, f"{lid}: exclude names unknown code {ref}"
