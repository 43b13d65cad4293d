"""Bonferroni multipliers, chi-square/F statistics and tail probabilities of the CHAID engine.

Multipliers are checked against brute-force counts of the groupings CHAID could form; the
statistics against scipy (chi2_contingency without continuity correction, f_oneway).
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from codeer.chaid import chaid_multiplier, chi_square_test, exhaustive_multiplier, f_test, stirling2
from codeer.chaid.bonferroni import MergeKind
from codeer.chaid.pvalues import _beta_cf, _log_gamma_q, chi2_log_sf, f_log_sf, pair_tests


def _partitions(n: int) -> list[list[int]]:
    """Every set partition of range(n) as a 'restricted growth string' of block labels."""
    out = []
    for labels in product(range(n), repeat=n):
        if labels[0] == 0 and all(labels[i] <= max(labels[:i]) + 1 for i in range(1, n)):
            out.append(list(labels))
    return out


def _allowed(labels: list[int], kind: MergeKind) -> bool:
    """Ordinal: every block a run of neighbours. Floating: the last category (missing) may
    join any block; the others must form runs."""
    valued = labels if kind is MergeKind.ORDINAL else labels[:-1]
    seen_closed: set[int] = set()
    for i, b in enumerate(valued):
        if i and b != valued[i - 1]:
            seen_closed.add(valued[i - 1])
        if b in seen_closed:
            return False
    return True


@pytest.mark.parametrize("kind", [MergeKind.NOMINAL, MergeKind.ORDINAL, MergeKind.FLOATING])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7])
def test_multiplier_counts_groupings(kind: MergeKind, n: int) -> None:
    parts = _partitions(n)
    for r in range(1, n + 1):
        count = sum(
            1
            for p in parts
            if len(set(p)) == r and (kind is MergeKind.NOMINAL or _allowed(p, kind))
        )
        if kind is MergeKind.FLOATING and r == 1:
            count = 1
        assert chaid_multiplier(kind, n, r) == max(1, count), (kind, n, r)


def test_multipliers_by_hand() -> None:
    # Ordinal: the SPSS oracle's root, 10 Edad bins into 5 groups: C(9, 4) = 126.
    assert chaid_multiplier(MergeKind.ORDINAL, 10, 5) == 126
    # Nominal: S(4, 2) = 7 ({a|bcd} x4 + {ab|cd} x3), S(5, 3) = 25.
    assert chaid_multiplier(MergeKind.NOMINAL, 4, 2) == 7
    assert stirling2(5, 3) == 25
    # Floating, 3 valued + missing into 2: C(2, 0) + 2 C(2, 1) = 1 + 4 = 5.
    assert chaid_multiplier(MergeKind.FLOATING, 4, 2) == 5
    assert chaid_multiplier(MergeKind.NOMINAL, 6, 6) == 1
    # Exhaustive (IBM): ordinal/floating I(I-1)/2, nominal I(I^2-1)/2.
    assert exhaustive_multiplier(MergeKind.ORDINAL, 10) == 45
    assert exhaustive_multiplier(MergeKind.FLOATING, 5) == 10
    assert exhaustive_multiplier(MergeKind.NOMINAL, 4) == 30
    assert exhaustive_multiplier(MergeKind.ORDINAL, 1) == 1


def test_stirling_matches_alternating_sum() -> None:
    # IBM writes S(I, r) as sum_{v=0}^{r-1} (-1)^v (r-v)^I / (v! (r-v)!); exact in integers:
    for n in range(1, 25):
        for r in range(1, n + 1):
            alt = sum(
                (-1) ** v * math.comb(r, v) * (r - v) ** n for v in range(r)
            ) // math.factorial(r)
            assert stirling2(n, r) == alt


tables = st.integers(2, 5).flatmap(
    lambda rows: st.integers(2, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 60), min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_chi_square_matches_scipy(rows: list[list[int]]) -> None:
    table = np.array(rows, dtype=float)
    nz = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    ours = chi_square_test(table)
    lr = chi_square_test(table, likelihood_ratio=True)
    if nz.shape[0] < 2 or nz.shape[1] < 2:
        assert ours.statistic == 0 and ours.p_value == 1
        return
    stat, p, dof, _ = stats.chi2_contingency(nz, correction=False)
    assert ours.df == dof
    assert ours.statistic == pytest.approx(stat, rel=1e-9, abs=1e-12)
    assert ours.p_value == pytest.approx(p, rel=1e-7, abs=1e-300)
    g, p_g, _, _ = stats.chi2_contingency(nz, correction=False, lambda_="log-likelihood")
    assert lr.statistic == pytest.approx(g, rel=1e-9, abs=1e-12)
    assert lr.p_value == pytest.approx(p_g, rel=1e-7, abs=1e-300)
    # The batched pair version agrees with the one-table version.
    if table.shape[0] >= 2:
        block = table[:2][None, :, :]
        single = chi_square_test(table[:2])
        batched = pair_tests(block, scale=False, likelihood_ratio=False)[0]
        assert batched.df == single.df
        assert batched.statistic == pytest.approx(single.statistic, rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(-50, 50, allow_nan=False), min_size=2, max_size=12),
        min_size=2,
        max_size=5,
    )
)
def test_f_matches_f_oneway(groups: list[list[float]]) -> None:
    arrays = [np.array(g) for g in groups]
    moments = np.array([[len(a), a.mean(), ((a - a.mean()) ** 2).sum()] for a in arrays])
    ours = f_test(moments)
    within = sum(((a - a.mean()) ** 2).sum() for a in arrays)
    if within < 1e-9:
        return  # f_oneway warns / is undefined for constant groups
    if len(arrays) >= 2:  # the batched two-group version agrees with the one-table version
        block = moments[:2][None, :, :]
        single = f_test(moments[:2])
        batched = pair_tests(block, scale=True, likelihood_ratio=False)[0]
        assert (batched.df, batched.df2) == (single.df, single.df2)
        assert batched.statistic == pytest.approx(single.statistic, rel=1e-9, abs=1e-12)
        assert batched.log_p == pytest.approx(single.log_p, rel=1e-9, abs=1e-12)
    f, p = stats.f_oneway(*arrays)
    if np.isnan(p):  # scipy gives nan when the group means coincide exactly: F = 0, p = 1
        assert ours.statistic == pytest.approx(0.0, abs=1e-9)
        assert ours.p_value == pytest.approx(1.0)
        return
    assert ours.df == len(arrays) - 1
    assert ours.df2 == sum(len(a) for a in arrays) - len(arrays)
    assert ours.statistic == pytest.approx(f, rel=1e-7, abs=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-6, abs=1e-12)


def test_log_tails_beyond_underflow() -> None:
    # Where scipy's p is still representable, the continued fractions agree with it ...
    for x, df in [(400.0, 3), (900.0, 12), (1200.0, 1)]:
        direct = math.log(stats.chi2.sf(x, df))
        assert _log_gamma_q(df / 2, x / 2) == pytest.approx(direct, rel=1e-10)
    a, b, x = 50.0, 1.5, 1e-4
    direct = math.log(stats.beta.cdf(x, a, b))
    front = (
        a * math.log(x)
        + b * math.log1p(-x)
        - math.log(math.gamma(a) * math.gamma(b) / math.gamma(a + b))
    )
    assert front + math.log(_beta_cf(a, b, x) / a) == pytest.approx(direct, rel=1e-9)
    # ... and beyond it log p stays finite and ordered, so predictors can still be ranked.
    assert stats.chi2.sf(5000.0, 4) == 0.0
    lp1, lp2 = chi2_log_sf(5000.0, 4), chi2_log_sf(6000.0, 4)
    assert math.isfinite(lp1) and lp2 < lp1 < -2000
    assert stats.f.sf(1e5, 3, 10_000) == 0.0
    lf = f_log_sf(1e5, 3, 10_000)
    assert math.isfinite(lf) and lf < -700
