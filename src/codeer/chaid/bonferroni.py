"""Bonferroni multipliers for CHAID (Kass 1980) and Exhaustive CHAID (Biggs et al. 1991).

I is the number of categories of the predictor present in the node (the missing category
included), r the number of groups after merging. The formulas are those of IBM SPSS's
"CHAID and Exhaustive CHAID algorithms":

- ordinal:  C(I-1, r-1), the ways to cut I ordered categories into r runs;
- nominal:  S(I, r), the Stirling number of the second kind (ways to partition I into r);
- floating: C(I-2, r-2) + r C(I-2, r-1), an ordinal partition of the I-1 valued categories
  with the missing category either on its own or joined to one of the r groups.

Exhaustive CHAID charges for every pair it compared while merging down to two groups, so the
multiplier depends on I only. IBM documents ordinal and floating as I(I-1)/2 and nominal as
I(I^2-1)/2; Ritschard (2010) reads Biggs as I(I^2-1)/6 for nominal, which is exactly the count
of pairs compared (sum over k=2..I of C(k, 2)). We follow IBM, because reproducing SPSS is the
point; multipliers below 1 are raised to 1.
"""

from __future__ import annotations

import math
from enum import StrEnum
from functools import lru_cache


class MergeKind(StrEnum):
    """Which pairs of categories may merge: this decides the Bonferroni multiplier."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    FLOATING = "floating"


@lru_cache(maxsize=4096)
def stirling2(n: int, k: int) -> int:
    """Stirling number of the second kind S(n, k), exact (recurrence, no cancellation)."""
    if n < 0 or k < 0:
        raise ValueError("stirling2 needs n, k >= 0")
    if k > n:
        return 0
    if n == k:
        return 1
    if k == 0:
        return 0
    row = [1] + [0] * k  # S(0, j)
    for i in range(1, n + 1):
        new = [0] * (k + 1)
        for j in range(1, min(i, k) + 1):
            new[j] = j * row[j] + row[j - 1]
        row = new
    return row[k]


def chaid_multiplier(kind: MergeKind, n_categories: int, n_groups: int) -> int:
    """Number of ways CHAID could have merged I categories into r groups (at least 1)."""
    i, r = n_categories, n_groups
    if not 1 <= r <= i:
        raise ValueError(f"need 1 <= r <= I, got I={i}, r={r}")
    if r == i:
        return 1
    if kind is MergeKind.ORDINAL:
        b = math.comb(i - 1, r - 1)
    elif kind is MergeKind.NOMINAL:
        b = stirling2(i, r)
    else:
        b = (math.comb(i - 2, r - 2) if r >= 2 else 0) + r * math.comb(i - 2, r - 1)
    return max(1, b)


def exhaustive_multiplier(kind: MergeKind, n_categories: int) -> int:
    """Exhaustive CHAID's multiplier (IBM's closed forms, at least 1)."""
    i = n_categories
    if i < 1:
        raise ValueError(f"need I >= 1, got {i}")
    b = i * (i * i - 1) // 2 if kind is MergeKind.NOMINAL else i * (i - 1) // 2
    return max(1, b)


def log_multiplier(b: int) -> float:
    """log(B) that works for multipliers beyond the float range."""
    return math.log(b)
