"""Significance tests CHAID uses, with p-values kept on the log scale.

At a million rows chi-square statistics in the thousands are common and their p-values underflow
to 0.0 in double precision; ranking predictors by 0.0 == 0.0 would then pick one arbitrarily.
So every test also returns log(p), computed with a continued fraction when scipy's value
underflows, and the tree compares predictors on log(B) + log(p).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import special

_TINY = 1e-290
_FPMIN = 1e-300
_EPS = 1e-15


class Test(StrEnum):
    """Which statistic a split reports."""

    PEARSON = "pearson"
    LIKELIHOOD_RATIO = "likelihood_ratio"
    F = "f"


@dataclass(frozen=True)
class TestResult:
    """One significance test: statistic, degrees of freedom and p on both scales."""

    statistic: float
    df: int
    df2: int | None
    log_p: float

    @property
    def p_value(self) -> float:
        return math.exp(self.log_p) if self.log_p > -745.0 else 0.0


_NO_TEST = TestResult(0.0, 0, None, 0.0)


def chi2_log_sf(x: float, df: int) -> float:
    """log P(chi2_df > x), accurate far below the double-precision underflow of P."""
    if df <= 0 or x <= 0.0:
        return 0.0
    p = float(special.chdtrc(df, x))
    if p > _TINY:
        return math.log(p)
    return _log_gamma_q(df / 2.0, x / 2.0)


def _log_gamma_q(a: float, z: float) -> float:
    """log of the regularised upper incomplete gamma Q(a, z) by Lentz's continued fraction."""
    b = z + 1.0 - a
    c = 1.0 / _FPMIN
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _FPMIN:
            d = _FPMIN
        c = b + an / c
        if abs(c) < _FPMIN:
            c = _FPMIN
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return -z + a * math.log(z) - math.lgamma(a) + math.log(h)


def f_log_sf(f: float, df1: float, df2: float) -> float:
    """log P(F_{df1,df2} > f), accurate far below underflow."""
    if df1 <= 0 or df2 <= 0 or f <= 0.0:
        return 0.0
    p = float(special.fdtrc(df1, df2, f))
    if p > _TINY:
        return math.log(p)
    # P(F > f) = I_x(df2/2, df1/2) with x = df2 / (df2 + df1 f), tiny here.
    a, b = df2 / 2.0, df1 / 2.0
    x = df2 / (df2 + df1 * f)
    log_front = a * math.log(x) + b * math.log1p(-x) - float(special.betaln(a, b))
    return log_front + math.log(_beta_cf(a, b, x) / a)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > _FPMIN else _FPMIN
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _FPMIN else _FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > _FPMIN else _FPMIN
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def chi_square_test(table: np.ndarray, likelihood_ratio: bool = False) -> TestResult:
    """Pearson (or likelihood-ratio) chi-square of independence on a weighted table.

    Rows and columns with zero total are dropped first, as scipy's chi2_contingency would
    refuse them; df = (rows - 1)(columns - 1) of what remains. A table that collapses to a
    single row or column is no evidence of anything: statistic 0, p = 1.
    """
    rows = table.sum(axis=1)
    cols = table.sum(axis=0)
    if (rows > 0).sum() < 2 or (cols > 0).sum() < 2:
        return _NO_TEST
    t = table[rows > 0][:, cols > 0]
    rows = rows[rows > 0]
    cols = cols[cols > 0]
    total = rows.sum()
    expected = np.outer(rows, cols) / total
    if likelihood_ratio:
        pos = t > 0
        stat = 2.0 * float(np.sum(t[pos] * np.log(t[pos] / expected[pos])))
    else:
        stat = float(np.sum((t - expected) ** 2 / expected))
    stat = max(stat, 0.0)
    df = (t.shape[0] - 1) * (t.shape[1] - 1)
    return TestResult(stat, df, None, chi2_log_sf(stat, df))


def f_test(moments: np.ndarray) -> TestResult:
    """One-way ANOVA F from per-group (weight, mean, within sum of squares) rows.

    Weights are frequency weights, so the error df is total weight minus groups (SPSS's N_f - I).
    """
    moments = moments[moments[:, 0] > 0]
    k = moments.shape[0]
    if k < 2:
        return _NO_TEST
    w, mean, ss = moments[:, 0], moments[:, 1], moments[:, 2]
    total = float(w.sum())
    grand = float((w * mean).sum() / total)
    between = float((w * (mean - grand) ** 2).sum())
    within = float(ss.sum())
    df1 = k - 1
    df2_float = total - k
    if df2_float <= 0:
        return _NO_TEST
    df2 = round(df2_float)
    if within <= 0.0:
        if between <= 0.0:
            return _NO_TEST
        return TestResult(math.inf, df1, df2, -math.inf)
    f = (between / df1) / (within / df2_float)
    return TestResult(f, df1, df2, f_log_sf(f, df1, df2_float))


def combine_moments(rows: np.ndarray) -> np.ndarray:
    """Pool (weight, mean, within SS) rows into one, exactly (parallel-axis formula)."""
    w = rows[:, 0]
    total = float(w.sum())
    if total <= 0:
        return np.zeros(3)
    mean = float((w * rows[:, 1]).sum() / total)
    ss = float(rows[:, 2].sum() + (w * (rows[:, 1] - mean) ** 2).sum())
    return np.array([total, mean, ss])


def pair_tests(blocks: np.ndarray, scale: bool, likelihood_ratio: bool) -> list[TestResult]:
    """The tests of many two-group tables at once (the hot loop of merging).

    blocks has shape (pairs, 2, columns): class counts, or (weight, mean, SS) for a scale
    target. Same results as chi_square_test / f_test on each block.
    """
    if scale:
        return _pair_f(blocks)
    return _pair_chi2(blocks, likelihood_ratio)


def _pair_chi2(t: np.ndarray, likelihood_ratio: bool) -> list[TestResult]:
    rows = t.sum(axis=2)  # (P, 2)
    cols = t.sum(axis=1)  # (P, J)
    total = rows.sum(axis=1)  # (P,)
    safe_total = np.where(total > 0, total, 1.0)
    expected = rows[:, :, None] * cols[:, None, :] / safe_total[:, None, None]
    pos_e = expected > 0
    safe_e = np.where(pos_e, expected, 1.0)
    if likelihood_ratio:
        pos_t = t > 0
        ratio = np.where(pos_t, t, 1.0) / safe_e
        terms = np.where(pos_t, t * np.log(ratio), 0.0)
        stat = 2.0 * terms.sum(axis=(1, 2))
    else:
        terms = np.where(pos_e, (t - expected) ** 2 / safe_e, 0.0)
        stat = terms.sum(axis=(1, 2))
    stat = np.maximum(stat, 0.0)
    df = ((rows > 0).sum(axis=1) - 1) * ((cols > 0).sum(axis=1) - 1)
    df = np.maximum(df, 0)
    p = special.chdtrc(np.maximum(df, 1), stat)
    out = []
    for k in range(len(stat)):
        d = int(df[k])
        if d <= 0:
            out.append(_NO_TEST)
            continue
        x = float(stat[k])
        pk = float(p[k])
        lp = math.log(pk) if pk > _TINY else chi2_log_sf(x, d)
        out.append(TestResult(x, d, None, lp))
    return out


def _pair_f(m: np.ndarray) -> list[TestResult]:
    w0, w1 = m[:, 0, 0], m[:, 1, 0]
    total = w0 + w1
    safe = np.where(total > 0, total, 1.0)
    between = w0 * w1 / safe * (m[:, 0, 1] - m[:, 1, 1]) ** 2
    within = m[:, 0, 2] + m[:, 1, 2]
    df2 = total - 2.0
    ok = (w0 > 0) & (w1 > 0) & (df2 > 0) & (within > 0)
    f = np.where(ok, between / np.where(within > 0, within, 1.0) * np.where(ok, df2, 1.0), 0.0)
    p = special.fdtrc(1.0, np.where(ok, df2, 1.0), f)
    out = []
    for k in range(len(m)):
        if not ok[k]:
            out.append(f_test(m[k]))  # the degenerate cases, one by one
            continue
        fk, pk = float(f[k]), float(p[k])
        lp = math.log(pk) if pk > _TINY else f_log_sf(fk, 1.0, float(df2[k]))
        out.append(TestResult(fk, 1, round(float(df2[k])), lp))
    return out
