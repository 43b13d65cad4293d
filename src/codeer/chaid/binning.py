"""Scale predictors become ordered bins before growing, as SPSS's NTILES does.

bin = floor(k * R / (W + 1)) + 1, with R the (weighted) rank of the value and W the total
weight. Tied values get their mean rank (SPSS RANK's default TIES=MEAN), so ties always share
a bin. A rule based on ceil(k * ECDF) moves two of the SPSS oracle's boundaries by one case.
Bins nobody falls into (ties can skip some) are dropped and the rest renumbered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bins:
    """Bin edges learnt from the data: bin b holds (uppers[b-1], uppers[b]]."""

    uppers: tuple[float, ...]
    """Largest observed value in each bin, ascending."""
    lowers: tuple[float, ...]
    """Smallest observed value in each bin, ascending."""

    @property
    def count(self) -> int:
        return len(self.uppers)

    def assign(self, values: np.ndarray) -> np.ndarray:
        """Bin index (0-based) of each value; NaN gives -1. Beyond the last edge: last bin."""
        x = np.asarray(values, dtype=float)
        out = np.searchsorted(np.asarray(self.uppers), x, side="left")
        out = np.minimum(out, self.count - 1)
        out[np.isnan(x)] = -1
        return out.astype(np.int32)


def ntile_bins(
    values: np.ndarray, k: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, Bins]:
    """Codes 0..m-1 for each value (-1 for NaN) and the bins, m <= k."""
    x = np.asarray(values, dtype=float)
    ok = ~np.isnan(x)
    if not ok.any():
        raise ValueError("cannot bin a column without values")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    uniq, inverse = np.unique(x[ok], return_inverse=True)
    w_val = np.bincount(inverse, weights=w[ok], minlength=len(uniq))
    below = np.cumsum(w_val) - w_val
    mean_rank = below + (w_val + 1.0) / 2.0
    total = float(w_val.sum())
    bin_of_val = np.floor(k * mean_rank / (total + 1.0)).astype(np.int64)
    bin_of_val = np.clip(bin_of_val, 0, k - 1)
    used, dense = np.unique(bin_of_val, return_inverse=True)
    m = len(used)
    uppers = np.full(m, -np.inf)
    lowers = np.full(m, np.inf)
    np.maximum.at(uppers, dense, uniq)
    np.minimum.at(lowers, dense, uniq)
    codes = np.full(len(x), -1, dtype=np.int32)
    codes[ok] = dense[inverse]
    return codes, Bins(tuple(float(u) for u in uppers), tuple(float(v) for v in lowers))
