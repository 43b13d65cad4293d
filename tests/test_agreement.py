"""Agreement coefficients: hand-computed examples, statsmodels, the krippendorff package, properties."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from codeer.agreement import (
    binary_tables,
    bootstrap_weights,
    coefficients,
    cohens_kappa,
    encode,
    krippendorff_alpha,
    percent_agreement,
    unit_tables,
)

# Ten units, two coders, one code (1 = applied).
A = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
B = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
PAIRS = list(zip(A, B, strict=True))


def test_hand_computed_two_coders() -> None:
    # Cross table a x b: (1,1) = 3, (1,0) = 1, (0,1) = 1, (0,0) = 5; n = 10.
    # percent agreement p_o = (3 + 5) / 10 = 0.8
    assert percent_agreement(PAIRS) == pytest.approx(0.8)
    # kappa: marginals a: 4 ones, 6 zeros; b: 4 ones, 6 zeros.
    # p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.16 + 0.36 = 0.52
    # kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 0.58333...
    assert cohens_kappa(PAIRS) == pytest.approx(0.28 / 0.48)
    # alpha: 20 pairable values, n_1 = 8, n_0 = 12; the two disagreeing units put 1 in o_01 and
    # 1 in o_10 each, so the off-diagonal coincidences sum to 4.
    # alpha = 1 - (n - 1) * 4 / (n^2 - n_0^2 - n_1^2) = 1 - 19 * 4 / (400 - 144 - 64)
    #       = 1 - 76 / 192 = 0.604166...
    assert krippendorff_alpha(PAIRS) == pytest.approx(1 - 76 / 192)


def test_hand_computed_missing_three_coders() -> None:
    rows = [
        (1, 1, None),  # m = 2: o_11 += 1*(1-1)... = 2 * 1 / 1 = 2
        (0, 0, 0),  # m = 3: o_00 += 3 * 2 / 2 = 3
        (1, 0, None),  # m = 2: o_10 += 1, o_01 += 1
        (0, None, None),  # one value: not pairable
    ]
    # o_00 = 3, o_11 = 2, o_01 = o_10 = 1; n = 7, n_0 = 4, n_1 = 3
    # alpha = 1 - (7 - 1) * 2 / (49 - 16 - 9) = 1 - 12 / 24 = 0.5
    assert krippendorff_alpha(rows) == pytest.approx(0.5)
    # percent: 3 pairable units, 2 agree
    assert percent_agreement(rows) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="two coders"):
        cohens_kappa(rows)


def test_krippendorff_published_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal: alpha = 0.743
    nan = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    units = list(zip(*data, strict=True))
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)


def test_undefined_without_variation() -> None:
    same = [(0, 0)] * 5
    assert cohens_kappa(same) is None
    assert krippendorff_alpha(same) is None
    assert percent_agreement(same) == 1.0
    assert percent_agreement([(1, None)]) is None


def test_kappa_zero_when_one_coder_never_uses_the_code() -> None:
    # p_e = 0.8 * 1 + 0.2 * 0 = 0.8 = p_o: kappa is defined and 0 (not undefined)
    rows = [(1, 0), (0, 0), (0, 0), (0, 0), (0, 0)]
    assert cohens_kappa(rows) == pytest.approx(0.0)


def _crosstab(rows: list[tuple[int, int]], k: int) -> np.ndarray:
    t = np.zeros((k, k))
    for a, b in rows:
        t[a, b] += 1
    return t


ratings2 = st.integers(min_value=2, max_value=4).flatmap(
    lambda k: st.lists(
        st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=2, max_size=40
    )
)


@settings(max_examples=80, deadline=None)
@given(ratings2)
def test_kappa_matches_statsmodels(rows: list[tuple[int, int]]) -> None:
    ours = cohens_kappa(rows)
    k = 1 + max(max(r) for r in rows)
    with np.errstate(all="ignore"):
        theirs = sm_kappa(_crosstab(rows, k), return_results=False)
    if ours is None:
        assert not np.isfinite(theirs) or len({v for r in rows for v in r}) == 1
    else:
        assert ours == pytest.approx(float(theirs), abs=1e-9)


def test_kappa_matches_statsmodels_fixed() -> None:
    assert cohens_kappa(PAIRS) == pytest.approx(sm_kappa(_crosstab(PAIRS, 2), return_results=False))


matrices = st.integers(2, 4).flatmap(
    lambda coders: st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=coders, max_size=coders),
        min_size=2,
        max_size=30,
    )
)


@settings(max_examples=80, deadline=None)
@given(matrices)
def test_alpha_matches_krippendorff_package(rows: list[list[int | None]]) -> None:
    ours = krippendorff_alpha(rows)
    data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float).T
    try:
        with np.errstate(all="ignore"):
            theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        theirs = math.nan  # the package refuses a single value in the domain
    if ours is None:
        assert not np.isfinite(theirs)
    else:
        assert ours == pytest.approx(float(theirs), abs=1e-9)


binary2 = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60)


@settings(max_examples=100, deadline=None)
@given(binary2)
def test_bounds_and_symmetry(rows: list[tuple[int, int]]) -> None:
    k, a, p = cohens_kappa(rows), krippendorff_alpha(rows), percent_agreement(rows)
    swapped = [(b, a_) for a_, b in rows]
    assert p is not None and 0 <= p <= 1
    if k is not None:
        assert -1 - 1e-9 <= k <= 1 + 1e-9
        assert cohens_kappa(swapped) == pytest.approx(k)
    else:
        assert cohens_kappa(swapped) is None
    if a is not None:
        assert -1 - 1e-9 <= a <= 1 + 1e-9
        assert krippendorff_alpha(swapped) == pytest.approx(a)
    assert percent_agreement(swapped) == pytest.approx(p)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(2, 4))
def test_perfect_agreement_is_one_when_defined(values: list[int], coders: int) -> None:
    rows = [[v] * coders for v in values]
    varied = len(set(values)) > 1
    a = krippendorff_alpha(rows)
    assert (a == pytest.approx(1.0)) if varied else a is None
    if coders == 2:
        k = cohens_kappa(rows)
        assert (k == pytest.approx(1.0)) if varied else k is None
    assert percent_agreement(rows) == 1.0


def test_encode_missing_and_categories() -> None:
    codes, cats = encode([("x", None), ("y", float("nan"))])
    assert cats == ["x", "y"]
    assert codes.tolist() == [[0, -1], [1, -1]]


def test_pooled_tables_add_up() -> None:
    t1 = binary_tables(np.array(PAIRS, dtype=bool))
    t2 = binary_tables(np.array([(0, 0)] * 10, dtype=bool))
    pooled = coefficients(t1 + t2, None)
    # 20 items: 18 agree; a and b each have 4 ones among 20
    # p_e = 0.2 * 0.2 + 0.8 * 0.8 = 0.68; kappa = (0.9 - 0.68) / 0.32 = 0.6875
    assert pooled.percent == pytest.approx(0.9)
    assert pooled.kappa.value == pytest.approx(0.22 / 0.32)
    flat = PAIRS + [(0, 0)] * 10
    assert pooled.alpha.value == pytest.approx(krippendorff_alpha(flat))


def test_bootstrap_is_reproducible_and_brackets() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 200)
    b = np.where(rng.random(200) < 0.85, a, 1 - a)
    tables = unit_tables(np.column_stack([a, b]).astype(np.int64), 2)
    w1 = bootstrap_weights(200, 500, seed=7)
    w2 = bootstrap_weights(200, 500, seed=7)
    assert np.array_equal(w1, w2) and (w1.sum(axis=1) == 200).all()
    c = coefficients(tables, w1)
    assert c.kappa.value is not None and c.kappa.low is not None and c.kappa.high is not None
    assert c.kappa.low <= c.kappa.value <= c.kappa.high
    assert c.kappa.resamples == 500
    # the interval of a resample is the same arithmetic: its point estimate on the drawn units
    idx = np.repeat(np.arange(200), w1[0].astype(int))
    again = cohens_kappa(list(zip(a[idx], b[idx], strict=True)))
    from codeer.agreement import weighted_coefficients

    assert weighted_coefficients(tables, w1[:1])[1][0] == pytest.approx(again)
