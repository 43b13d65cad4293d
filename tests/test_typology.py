"""The werkwijze classification: hand-computed cases, the writers' spec as a property, sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from codeer.cli import cli
from codeer.codebook import load_codebook
from codeer.rules import TypologyRules, load_typology
from codeer.typology import classify, count_descriptors, descriptor_counts, sweep
from tests.test_variables import STANDARD, make_project

REPO = Path(__file__).resolve().parents[1]
TYPES = ["cyclisch", "maatwerk", "lineair", "confrontatie"]


@pytest.fixture(scope="module")
def rules() -> TypologyRules:
    """The bundled thresholds (variables/typologie.yaml) on the bundled codebook."""
    books = sorted((REPO / "codebooks").glob("*.yaml"))
    if not books:
        pytest.skip("bundled codebook not written yet")
    return load_typology(REPO / "variables" / "typologie.yaml", load_codebook(books))


def c(**counts: int) -> dict[str, int]:
    return {t: counts.get(t, 0) for t in TYPES}


def test_hand_computed_cases(rules: TypologyRules) -> None:
    # defaults: min 5 descriptors, primary share >= .4, combination ratio >= .45, share >= .27
    assert classify(c(cyclisch=11), rules).value == "cyclisch"
    assert classify(c(lineair=8, confrontatie=2), rules).value == "lineair"  # ratio .25
    assert classify(c(cyclisch=8, maatwerk=7), rules).value == "cyclisch+maatwerk"
    assert classify(c(maatwerk=5, lineair=8, cyclisch=1), rules).value == "maatwerk+lineair"
    # 4/8 = .5 >= .45 and 4/12 = .33 >= .27, but cyclisch+lineair is not a combination
    r = classify(c(cyclisch=8, lineair=4), rules)
    assert r.value == "cyclisch" and "not a listed combination" in r.reason
    # 3/8 = .375 < .45: a pure type even though maatwerk is a listed partner
    assert classify(c(cyclisch=8, maatwerk=3), rules).value == "cyclisch"
    # too few descriptors
    r = classify(c(cyclisch=4), rules)
    assert r.value is None and "fewer than min_descriptors" in r.reason
    # a tie that is no combination
    r = classify(c(cyclisch=5, confrontatie=5), rules)
    assert r.value is None and "tie" in r.reason
    # primary share too small: 4 of 11 = .36 < .4 (runner-up 3/4 = .75 but only .27... listed?)
    r = classify(c(confrontatie=4, lineair=3, cyclisch=2, maatwerk=2), rules)
    assert r.value is None and "min_primary_share" in r.reason


def test_shares_and_reason(rules: TypologyRules) -> None:
    r = classify(c(cyclisch=8, maatwerk=6), rules)
    assert r.total == 14 and r.share("maatwerk") == pytest.approx(6 / 14)
    assert r.primary == "cyclisch" and r.second == "maatwerk"
    assert "6/8 = 0.75" in r.reason


def test_counting_maps_codes_to_types(rules: TypologyRules) -> None:
    codes = ["typologie.cyclisch.luisteren", "typologie.maatwerk.breed", "knelpunt.ind"]
    assert count_descriptors(codes, rules) == c(cyclisch=1, maatwerk=1)
    counts = descriptor_counts(
        [
            ("A", "steunpunt", ["typologie.cyclisch.luisteren"]),
            ("A", "gemeente", ["typologie.cyclisch.luisteren"]),
            ("B", "steunpunt", []),
        ],
        rules,
        cases=["C"],
    )
    assert counts == {"A": c(cyclisch=1), "B": c(), "C": c()}


PURE = {"cyclisch", "maatwerk", "lineair", "confrontatie"}
COMBOS = {("cyclisch", "maatwerk"), ("maatwerk", "lineair")}


@st.composite
def writer_spec(draw: st.DrawFn) -> tuple[str, dict[str, int]]:
    """Counts as the transcript writers were told: pure 8-12 own and <= 2 of any other type;
    a combination 5-8 of each of its two types and <= 1 of any other."""
    intended = draw(st.sampled_from(sorted(PURE) + [f"{a}+{b}" for a, b in sorted(COMBOS)]))
    if "+" in intended:
        a, b = intended.split("+")
        counts = {t: draw(st.integers(0, 1)) for t in TYPES}
        counts[a] = draw(st.integers(5, 8))
        counts[b] = draw(st.integers(5, 8))
    else:
        counts = {t: draw(st.integers(0, 2)) for t in TYPES}
        counts[intended] = draw(st.integers(8, 12))
    return intended, counts


@settings(max_examples=400, deadline=None)
@given(writer_spec())
def test_defaults_classify_every_count_the_writers_could_produce(
    rules: TypologyRules, case: tuple[str, dict[str, int]]
) -> None:
    intended, counts = case
    assert classify(counts, rules).value == intended


def test_sweep_groups_values_and_marks_default(rules: TypologyRules) -> None:
    counts = {
        "A": c(cyclisch=8, maatwerk=6),  # combination, ratio .75, share .43
        "B": c(lineair=10, confrontatie=2),  # pure, ratio .2
    }
    out = sweep(counts, rules, {"combination_ratio": [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9]})
    ranges = out["combination_ratio"]
    # <= .2 turns B into... nothing (lineair+confrontatie is no combination): unchanged
    default = [r for r in ranges if r.contains_default]
    assert len(default) == 1 and default[0].changes == {}
    assert default[0].low <= 0.45 <= default[0].high
    high = ranges[-1]
    assert high.low == 0.8 and high.high == 0.9
    assert high.changes == {"A": ("cyclisch+maatwerk", "cyclisch")}


def test_sweep_min_descriptors(rules: TypologyRules) -> None:
    counts = {"A": c(cyclisch=6), "B": c(maatwerk=9)}
    ranges = sweep(counts, rules, {"min_descriptors": [0, 5, 6, 7, 9, 10]})["min_descriptors"]
    assert [(r.low, r.high, sorted(r.changes)) for r in ranges] == [
        (0, 6, []),
        (7, 9, ["A"]),
        (10, 10, ["A", "B"]),
    ]


# --- the command ------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_command_json_and_explain(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    code, out = run("typology", "--project", str(root), "--json", "--sweep")
    assert code == 0
    data = json.loads(out)
    assert data["steunpunten"]["Alfa"]["werkwijze"] == "cyclisch+maatwerk"
    assert data["steunpunten"]["Alfa"]["counts"] == {"cyclisch": 3, "maatwerk": 2, "lineair": 0}
    assert data["steunpunten"]["Gamma"]["werkwijze"] is None
    assert set(data["sweep"]) == {
        "min_descriptors",
        "min_primary_share",
        "combination_ratio",
        "combination_share",
    }
    code, out = run("typology", "--project", str(root), "--explain", "--sweep")
    assert code == 0
    assert "cyclisch+maatwerk" in out and "Sweep of combination_ratio" in out


def test_command_compare_coders(tmp_path: Path) -> None:
    from tests.test_variables import write_interview

    root = make_project(tmp_path / "p", STANDARD)
    write_interview(
        root, "sp-alfa", "Alfa", "steunpunt", ["typologie.cyclisch.luisteren"] * 5, coder="b"
    )
    code, out = run("typology", "--project", str(root), "--compare", "b", "--json")
    assert code == 0
    diff = json.loads(out)["compare"]["differences"]
    assert diff == {"Alfa": {"this": "cyclisch+maatwerk", "other": "cyclisch"}}


def test_command_unknown_coder(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", STANDARD)
    result = CliRunner().invoke(cli, ["typology", "--project", str(root), "--coder", "z"])
    assert result.exit_code != 0
