"""The merging step: group a predictor's categories, then price the grouping (Bonferroni).

Everything here works on per-category sufficient statistics (class counts for a nominal target;
weight, mean and within sum of squares for a scale target), never on rows: a pair test is a
test on the two groups' pooled rows of that table, which is exactly the test on their cases.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from codeer.chaid.bonferroni import MergeKind, chaid_multiplier, exhaustive_multiplier
from codeer.chaid.pvalues import (
    TestResult,
    chi_square_test,
    combine_moments,
    f_test,
    pair_tests,
)
from codeer.chaid.settings import ChaidSettings, Method

Group = tuple[int, ...]

# Resplitting a nominal compound tries every bipartition: 2^(m-1) - 1 of them.
_MAX_NOMINAL_RESPLIT = 16


class GroupTester:
    """Tests groupings of categories against the target, caching pooled rows and pair tests."""

    def __init__(self, stats: np.ndarray, scale_target: bool, likelihood_ratio: bool) -> None:
        self.stats = stats
        self.scale_target = scale_target
        self.likelihood_ratio = likelihood_ratio
        self._rows: dict[Group, np.ndarray] = {}
        self._pairs: dict[tuple[Group, Group], TestResult] = {}

    def row(self, group: Group) -> np.ndarray:
        cached = self._rows.get(group)
        if cached is None:
            if len(group) == 1:
                cached = self.stats[group[0]]
            elif self.scale_target:
                cached = combine_moments(self.stats[list(group)])
            else:
                cached = self.stats[list(group)].sum(axis=0)
            self._rows[group] = cached
        return cached

    def weight(self, group: Group) -> float:
        row = self.row(group)
        return float(row[0]) if self.scale_target else float(row.sum())

    def test(self, groups: Sequence[Group]) -> TestResult:
        table = np.vstack([self.row(g) for g in groups])
        if self.scale_target:
            return f_test(table)
        return chi_square_test(table, self.likelihood_ratio)

    def pairs(self, wanted: Sequence[tuple[Group, Group]]) -> list[TestResult]:
        """Pair tests, the missing ones computed in one vectorised batch."""
        keys = [(a, b) if a < b else (b, a) for a, b in wanted]
        todo = list(dict.fromkeys(k for k in keys if k not in self._pairs))
        if todo:
            first = np.array([self.row(a) for a, _ in todo])
            second = np.array([self.row(b) for _, b in todo])
            blocks = np.stack([first, second], axis=1)
            for key, result in zip(
                todo, pair_tests(blocks, self.scale_target, self.likelihood_ratio), strict=True
            ):
                self._pairs[key] = result
        return [self._pairs[k] for k in keys]

    def pair(self, a: Group, b: Group) -> TestResult:
        key = (a, b) if a < b else (b, a)
        cached = self._pairs.get(key)
        if cached is None:
            cached = self.test(key)
            self._pairs[key] = cached
        return cached


@dataclass(frozen=True)
class MergeOutcome:
    """A predictor's final grouping in a node and its significance."""

    groups: tuple[Group, ...]
    test: TestResult
    kind: MergeKind
    n_categories: int
    multiplier: int
    log_adjusted_p: float

    @property
    def adjusted_p(self) -> float:
        return min(1.0, math.exp(self.log_adjusted_p)) if self.log_adjusted_p > -745 else 0.0


def merge_kind(ordered: bool, has_missing: bool) -> MergeKind:
    if not ordered:
        return MergeKind.NOMINAL
    return MergeKind.FLOATING if has_missing else MergeKind.ORDINAL


def _order_key(group: Group, missing: int | None) -> float:
    valued = [c for c in group if c != missing]
    return float(min(valued)) if valued else math.inf


def _sort_groups(groups: list[Group], missing: int | None) -> list[Group]:
    return sorted(groups, key=lambda g: _order_key(g, missing))


def allowable_pairs(
    groups: Sequence[Group], kind: MergeKind, missing: int | None
) -> list[tuple[int, int]]:
    """Index pairs that may merge: any (nominal), neighbours (ordinal), plus the lone
    missing category with anything (floating). groups must be in order for ordered kinds."""
    n = len(groups)
    if kind is MergeKind.NOMINAL:
        return list(itertools.combinations(range(n), 2))
    lone = [i for i, g in enumerate(groups) if g == (missing,)] if missing is not None else []
    valued = [i for i in range(n) if i not in lone]
    pairs = [(valued[k], valued[k + 1]) for k in range(len(valued) - 1)]
    for i in lone:
        pairs.extend((min(i, j), max(i, j)) for j in valued)
    return pairs


def _merge_pair(groups: list[Group], i: int, j: int, missing: int | None) -> list[Group]:
    merged = tuple(sorted(groups[i] + groups[j]))
    rest = [g for k, g in enumerate(groups) if k not in (i, j)]
    return _sort_groups([*rest, merged], missing)


def _most_similar(
    groups: list[Group], pairs: list[tuple[int, int]], tester: GroupTester
) -> tuple[tuple[int, int], float]:
    best_pair = pairs[0]
    best = -math.inf
    results = tester.pairs([(groups[i], groups[j]) for i, j in pairs])
    for (i, j), result in zip(pairs, results, strict=True):
        if result.log_p > best:
            best, best_pair = result.log_p, (i, j)
    return best_pair, best


def _binary_splits(group: Group, kind: MergeKind, missing: int | None) -> list[tuple[Group, Group]]:
    if kind is MergeKind.NOMINAL:
        if len(group) > _MAX_NOMINAL_RESPLIT:
            return []
        first, rest = group[0], group[1:]
        out = []
        for size in range(len(rest)):
            for combo in itertools.combinations(rest, size):
                left = (first, *combo)
                right = tuple(c for c in rest if c not in combo)
                out.append((left, right))
        return out
    valued = [c for c in group if c != missing]
    has_missing = missing is not None and missing in group
    out = []
    for t in range(1, len(valued)):
        left, right = tuple(valued[:t]), tuple(valued[t:])
        if has_missing:
            assert missing is not None
            out.append((tuple(sorted((*left, missing))), right))
            out.append((left, tuple(sorted((*right, missing)))))
        else:
            out.append((left, right))
    if has_missing and valued:
        assert missing is not None
        out.append(((missing,), tuple(valued)))
    return out


def merge_chaid(
    present: Sequence[int],
    kind: MergeKind,
    missing: int | None,
    tester: GroupTester,
    settings: ChaidSettings,
) -> list[Group]:
    """Kass's merging: join the least different allowable pair while its p > alpha_merge."""
    groups = _sort_groups([(c,) for c in present], missing)
    log_alpha = math.log(settings.alpha_merge)
    if kind is MergeKind.NOMINAL and not settings.split_merged and len(groups) > _MATRIX_FROM:
        return _merge_nominal_matrix(groups, tester, log_alpha)[0]
    seen: set[tuple[Group, ...]] = {tuple(groups)}
    for _ in range(10 * len(present) + 10):
        if len(groups) <= 2:
            break
        pairs = allowable_pairs(groups, kind, missing)
        if not pairs:
            break
        (i, j), log_p = _most_similar(groups, pairs, tester)
        if log_p <= log_alpha:
            break
        groups = _merge_pair(groups, i, j, missing)
        if settings.split_merged:
            groups = _resplit(groups, kind, missing, tester, settings)
            state = tuple(groups)
            if state in seen:  # merging and resplitting went round in a circle
                break
            seen.add(state)
    return groups


# Above this many categories a nominal predictor merges with a matrix of pair p-values, updated
# by one batch per merge, instead of re-listing all C(k, 2) pairs at every step. Same result:
# the same pairs in the same (row-major) order, first maximum wins.
_MATRIX_FROM = 12


def _merge_nominal_matrix(
    groups: list[Group], tester: GroupTester, log_alpha: float | None
) -> tuple[list[Group], list[Group]]:
    """Nominal merging; log_alpha None merges down to two (Exhaustive CHAID).

    Returns the final groups and the grouping of the sequence with the smallest p."""
    groups = list(groups)
    k = len(groups)
    logp = np.full((k, k), -np.inf)
    upper = [(i, j) for i in range(k) for j in range(i + 1, k)]
    for (i, j), result in zip(
        upper, tester.pairs([(groups[i], groups[j]) for i, j in upper]), strict=True
    ):
        logp[i, j] = result.log_p
    best = list(groups)
    best_lp = tester.test(groups).log_p if log_alpha is None else 0.0
    while len(groups) > 2:
        flat = int(np.argmax(logp))
        i, j = divmod(flat, len(groups))
        if j <= i:  # every pair is -inf (p = 0): the first pair, as the list path takes it
            i, j = 0, 1
        if log_alpha is not None and logp[i, j] <= log_alpha:
            break
        groups[i] = tuple(sorted(groups[i] + groups[j]))
        del groups[j]
        logp = np.delete(np.delete(logp, j, axis=0), j, axis=1)
        others = [m for m in range(len(groups)) if m != i]
        results = tester.pairs([(groups[i], groups[m]) for m in others])
        for m, result in zip(others, results, strict=True):
            if m < i:
                logp[m, i] = result.log_p
            else:
                logp[i, m] = result.log_p
        if log_alpha is None:
            lp = tester.test(groups).log_p
            if lp < best_lp:
                best, best_lp = list(groups), lp
    return groups, best


def _resplit(
    groups: list[Group],
    kind: MergeKind,
    missing: int | None,
    tester: GroupTester,
    settings: ChaidSettings,
) -> list[Group]:
    """SPSS SPLITMERGED: split a compound of 3+ categories at its most significant cut."""
    log_alpha = math.log(settings.resplit_alpha)
    out = list(groups)
    for k, group in enumerate(groups):
        if len(group) < 3:
            continue
        best: tuple[Group, Group] | None = None
        best_lp = math.inf
        for left, right in _binary_splits(group, kind, missing):
            lp = tester.pair(left, right).log_p
            if lp < best_lp:
                best, best_lp = (left, right), lp
        if best is not None and best_lp <= log_alpha:
            out[k] = best[0]
            out.append(best[1])
    return _sort_groups(out, missing)


def merge_exhaustive(
    present: Sequence[int], kind: MergeKind, missing: int | None, tester: GroupTester
) -> list[Group]:
    """Biggs et al.: merge down to two groups, keep the grouping with the smallest p."""
    groups = _sort_groups([(c,) for c in present], missing)
    if kind is MergeKind.NOMINAL and len(groups) > _MATRIX_FROM:
        return _merge_nominal_matrix(groups, tester, None)[1]
    best = list(groups)
    best_lp = tester.test(groups).log_p
    while len(groups) > 2:
        pairs = allowable_pairs(groups, kind, missing)
        if not pairs:
            break
        (i, j), _ = _most_similar(groups, pairs, tester)
        groups = _merge_pair(groups, i, j, missing)
        lp = tester.test(groups).log_p
        if lp < best_lp:
            best, best_lp = list(groups), lp
    return best


def absorb_small(
    groups: Sequence[Group],
    kind: MergeKind,
    missing: int | None,
    tester: GroupTester,
    min_size: float,
) -> list[Group]:
    """Join each group lighter than min_size to its most similar allowable neighbour.

    Smallest group first; may end with one group, meaning no valid split."""
    out = _sort_groups(list(groups), missing)
    while len(out) > 1:
        weights = [tester.weight(g) for g in out]
        small = [k for k, w in enumerate(weights) if w < min_size]
        if not small:
            break
        s = min(small, key=lambda k: weights[k])
        pairs = [p for p in allowable_pairs(out, kind, missing) if s in p]
        if not pairs:
            break
        (i, j), _ = _most_similar(out, pairs, tester)
        out = _merge_pair(out, i, j, missing)
    return out


def price(
    groups: Sequence[Group],
    kind: MergeKind,
    n_categories: int,
    tester: GroupTester,
    settings: ChaidSettings,
) -> MergeOutcome:
    """Test the final grouping and apply the Bonferroni multiplier."""
    test = tester.test(groups)
    if not settings.bonferroni:
        multiplier = 1
    elif settings.method is Method.EXHAUSTIVE:
        multiplier = exhaustive_multiplier(kind, n_categories)
    else:
        multiplier = chaid_multiplier(kind, n_categories, len(groups))
    log_adj = min(0.0, math.log(multiplier) + test.log_p)
    return MergeOutcome(tuple(groups), test, kind, n_categories, multiplier, log_adj)


def merge_predictor(
    present: Sequence[int],
    ordered: bool,
    missing: int | None,
    tester: GroupTester,
    settings: ChaidSettings,
) -> MergeOutcome | None:
    """Merge one predictor's categories present in a node; None when fewer than two."""
    if len(present) < 2:
        return None
    has_missing = missing is not None and missing in present
    kind = merge_kind(ordered, has_missing)
    miss = missing if has_missing else None
    if settings.method is Method.EXHAUSTIVE:
        groups = merge_exhaustive(present, kind, miss, tester)
    else:
        groups = merge_chaid(present, kind, miss, tester, settings)
    return price(groups, kind, len(present), tester, settings)
