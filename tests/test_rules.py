"""regels.yaml and typologie.yaml are validated like the codebook: errors name file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codeer.codebook import Codebook, load_codebook
from codeer.errors import CodebookError
from codeer.rules import (
    BinaryRule,
    NominalRule,
    NumericRule,
    TypologyRule,
    ValueCategoryRule,
    load_rules,
    load_typology,
    parse_rules,
    parse_typology,
)
from tests.test_variables import CODEBOOK, RULES, TYPOLOGY

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def codebook(tmp_path: Path) -> Codebook:
    path = tmp_path / "test.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    return load_codebook([path])


def _error(text: str, codebook: Codebook | None = None) -> CodebookError:
    with pytest.raises(CodebookError) as info:
        parse_rules(textwrap.dedent(text), Path("regels.yaml"), codebook)
    assert info.value.path == "regels.yaml"
    return info.value


def test_test_rules_parse(codebook: Codebook) -> None:
    rules = parse_rules(RULES, Path("regels.yaml"), codebook)
    assert list(rules.variables)[:3] == ["nieuw", "nieuw_flag", "huiskamer"]
    assert isinstance(rules["nieuw"], BinaryRule)
    assert isinstance(rules["vwn"], NominalRule)
    assert isinstance(rules["betaald_max"], NumericRule)
    assert isinstance(rules["leefgeld"], ValueCategoryRule)
    assert isinstance(rules["werkwijze"], TypologyRule)
    assert rules["nieuw"].role_names == ("steunpunt", "gemeente")
    assert rules["activiteiten"].role_names == ("steunpunt",)
    assert rules.steunpunten == ("Alfa", "Beta", "Gamma")
    assert rules.line_of("huiskamer") == 16


def test_unknown_key_names_line() -> None:
    err = _error(
        """\
        variables:
          nieuw:
            kind: binary
            roles: steunpunt
            present: [org.nieuw]
            presnt: [org.nieuw]
        """
    )
    assert err.line == 6 and "unknown key 'presnt'" in err.message
    assert "variables.nieuw" in err.message
    assert err.hint and "present, absent, topic" in err.hint


def test_unknown_code_names_line(codebook: Codebook) -> None:
    err = _error(
        """\
        variables:
          nieuw:
            kind: binary
            roles: steunpunt
            present: [org.nieuw]
            absent:
              - org.bestaand
              - org.bestand
        """,
        codebook,
    )
    assert err.line == 8 and "unknown code 'org.bestand'" in err.message
    assert err.hint == "did you mean 'org.bestaand'?"


@pytest.mark.parametrize(
    ("extra", "line", "needle"),
    [
        ("    implied: {org.vrijwilligers: 0}\n", 7, "unknown code 'org.vrijwilligers' in implied"),
        ("    aggregate: median\n", 6, "aggregate"),
    ],
)
def test_numeric_rule_problems(codebook: Codebook, extra: str, line: int, needle: str) -> None:
    text = "variables:\n  n:\n    kind: numeric\n    roles: steunpunt\n    code: org.betaald\n"
    if "aggregate" not in extra:
        text += "    aggregate: max\n"
    with pytest.raises(CodebookError) as info:
        parse_rules(text + extra, Path("regels.yaml"), codebook)
    assert needle in info.value.message
    assert info.value.line == line


def test_numeric_rule_needs_integer_code(codebook: Codebook) -> None:
    err = _error(
        """\
        variables:
          n:
            kind: numeric
            roles: steunpunt
            code: org.nieuw
            aggregate: max
        """,
        codebook,
    )
    assert err.line == 5 and "carries no integer value" in err.message


def test_value_category_rule_checks_categories(codebook: Codebook) -> None:
    err = _error(
        """\
        variables:
          leefgeld:
            kind: value_category
            roles: steunpunt
            code: voorz.leefgeld
            categories:
              zelf: Zelf
              contant: Contant
        """,
        codebook,
    )
    assert err.line == 8 and "'contant' is not a value" in err.message


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("    kind: ternary\n    roles: both\n", 3, "unknown kind 'ternary'"),
        ("    roles: both\n", 2, "unknown kind None"),
        ("    kind: binary\n    roles: all\n    present: [org.nieuw]\n", 4, "roles"),
        (
            "    kind: binary\n    roles: both\n    resolve: [steunpunt]\n    present: [org.nieuw]\n",
            2,
            "resolve must order every counted role",
        ),
        (
            "    kind: binary\n    roles: steunpunt\n    resolve: [gemeente]\n    present: [org.nieuw]\n",
            2,
            "does not count",
        ),
        ("    kind: binary\n    roles: both\n    present: []\n", 5, "present"),
        (
            "    kind: nominal\n    roles: both\n    categories: {a: {codes: [org.nieuw]}}\n"
            "    none: {value: a, topic: [org]}\n",
            2,
            "also a category",
        ),
    ],
)
def test_rule_shape_errors(body: str, line: int, needle: str) -> None:
    with pytest.raises(CodebookError) as info:
        parse_rules("variables:\n  x:\n" + body, Path("regels.yaml"))
    assert needle in info.value.message
    assert info.value.line == line


def test_bad_variable_names() -> None:
    err = _error("variables:\n  Nieuw Opgezet:\n    kind: binary\n")
    assert err.line == 2 and "not allowed" in err.message
    err = _error("variables:\n  steunpunt:\n    kind: binary\n")
    assert "key column" in err.message


def test_yaml_syntax_and_duplicates() -> None:
    err = _error("variables:\n  a:\n    kind: binary\n  a:\n    kind: binary\n")
    assert err.line == 4 and "duplicate key" in err.message
    err = _error("variables: [\n")
    assert "YAML syntax error" in err.message
    err = _error("- a\n- b\n")
    assert err.line == 1 and "mapping" in err.message


def test_top_level_unknown_key_and_duplicate_steunpunt() -> None:
    err = _error("variabelen: {}\n")
    assert "unknown key 'variabelen'" in err.message and err.line == 1
    err = _error("steunpunten: [A, B, A]\nvariables:\n  x: {kind: typology, roles: steunpunt}\n")
    assert "listed twice" in err.message and err.line == 1


def test_two_typology_rules() -> None:
    err = _error(
        "variables:\n  a: {kind: typology, roles: steunpunt}\n"
        "  b: {kind: typology, roles: steunpunt}\n"
    )
    assert err.line == 3 and "more than one typology" in err.message


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="not found"):
        load_rules(tmp_path / "regels.yaml")


# --- typology file ----------------------------------------------------------------------------


def test_typology_parses_and_maps_descendants(codebook: Codebook) -> None:
    t = parse_typology(TYPOLOGY, Path("typologie.yaml"), codebook)
    assert t.types == ["cyclisch", "maatwerk", "lineair"]
    assert t.code_type["typologie.cyclisch.luisteren"] == "cyclisch"
    assert t.code_type["typologie.cyclisch"] == "cyclisch"
    assert t.thresholds.combination_ratio == 0.5
    assert t.spec.combination_name("maatwerk", "cyclisch") == "cyclisch+maatwerk"
    assert t.spec.combination_name("lineair", "cyclisch") is None


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (TYPOLOGY.replace("min_descriptors: 3", "min_descritors: 3"), 8, "unknown key"),
        (TYPOLOGY.replace("combination_ratio: 0.5", "combination_ratio: 1.5"), 10, "less than"),
        (TYPOLOGY.replace("[typologie.lineair]", "[typologie.lineair.streng]"), 4, "unknown code"),
        (TYPOLOGY.replace("- [cyclisch, maatwerk]", "- [cyclisch, presentie]"), 1, "unknown type"),
        (
            TYPOLOGY.replace("[typologie.lineair]", "[typologie.cyclisch.luisteren]"),
            4,
            "counts for both",
        ),
    ],
)
def test_typology_errors(codebook: Codebook, text: str, line: int, needle: str) -> None:
    with pytest.raises(CodebookError) as info:
        parse_typology(text, Path("typologie.yaml"), codebook)
    assert needle in info.value.message
    assert info.value.line == line


def test_bundled_rules_load_against_bundled_codebook() -> None:
    codebooks = sorted((REPO / "codebooks").glob("*.yaml"))
    if not codebooks:
        pytest.skip("bundled codebook not written yet")
    book = load_codebook(codebooks)
    rules = load_rules(REPO / "variables" / "regels.yaml", book)
    assert rules.steunpunten is not None and len(rules.steunpunten) == 20
    typology = load_typology(REPO / "variables" / "typologie.yaml", book)
    assert typology.types == ["cyclisch", "maatwerk", "lineair", "confrontatie"]
    assert len(typology.code_type) >= 27
