"""Integer-code every column once, so growing is bincounts over small integer arrays."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from codeer.chaid.binning import Bins, ntile_bins
from codeer.chaid.settings import Level
from codeer.errors import AnalysisError

MISSING_LABEL = "missing"


@dataclass(frozen=True)
class Category:
    """One original category of a predictor or target: a value, a bin, or 'missing'."""

    code: int
    value: Any
    label: str
    is_missing: bool = False
    lower: float | None = None
    """For a bin of a scale predictor: the previous bin's upper edge (exclusive); None first."""
    upper: float | None = None
    """For a bin of a scale predictor: the largest value in it (inclusive); None last."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "value": jsonable(self.value),
            "label": self.label,
        }
        if self.is_missing:
            data["missing"] = True
        if self.is_bin:
            data["lower"] = self.lower
            data["upper"] = self.upper
        return data

    @property
    def is_bin(self) -> bool:
        return self.upper is not None or self.lower is not None


def jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def value_text(value: Any) -> str:
    """A value as people write it: 1.0 -> '1'."""
    value = jsonable(value)
    return str(value)


@dataclass
class EncodedColumn:
    """A predictor as integer codes 0..I-1 (the missing category last, when present)."""

    name: str
    level: Level
    codes: np.ndarray
    categories: tuple[Category, ...]
    missing_code: int | None
    bins: Bins | None = None
    lookup: dict[Any, int] = field(default_factory=dict)

    @property
    def n_codes(self) -> int:
        return len(self.categories)

    @property
    def ordered(self) -> bool:
        return self.level is not Level.NOMINAL

    def encode(self, values: pd.Series) -> np.ndarray:
        """Codes for new data; values never seen while growing get -1."""
        if self.bins is not None:
            out = self.bins.assign(pd.to_numeric(values, errors="coerce").to_numpy(float))
        else:
            mapped = pd.to_numeric(values.map(self.lookup), errors="coerce")
            out = mapped.fillna(-1).to_numpy(dtype=np.int64).astype(np.int32)
        if self.missing_code is not None:
            out[_isna(values)] = self.missing_code
        return out


def _isna(values: pd.Series) -> np.ndarray:
    return np.asarray(values.isna().to_numpy(), dtype=bool)


def _key(value: Any) -> Any:
    """Hashable lookup key so 1, 1.0 and np.int64(1) find the same category."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def small_int_dtype(n_codes: int) -> type[np.signedinteger[Any]]:
    if n_codes < 2**7:
        return np.int8
    if n_codes < 2**15:
        return np.int16
    return np.int32


def _factorize(
    series: pd.Series, by_frequency: bool, weights: np.ndarray | None
) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for missing) and the categories in their order, in one hashing pass.

    Order: a Categorical's own order; else ascending values; for nominal predictors
    descending (weighted) frequency, ties ascending, which is the order SPSS 27 gives nominal
    predictors (the oracle's children and PMML data dictionary list 2 before 1 for each of
    its nominal predictors, the more frequent value).
    """
    small = _small_range_codes(series)
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw = np.asarray(series.cat.codes.to_numpy(), dtype=np.int64)
        values = list(series.cat.categories.tolist())
        rank = None
    elif small is not None:
        raw, values = small
        rank = None
    else:
        raw, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
        values = list(uniques.tolist() if hasattr(uniques, "tolist") else uniques)
        try:
            order = sorted(range(len(values)), key=lambda k: values[k])
        except TypeError:
            order = sorted(range(len(values)), key=lambda k: str(values[k]))
        values = [values[k] for k in order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
    ok = raw >= 0
    counts = np.bincount(
        raw[ok], weights=None if weights is None else weights[ok], minlength=len(values)
    )
    if rank is not None:
        counts = counts[np.argsort(rank)]
    keep = [k for k in range(len(values)) if counts[k] > 0]  # drop unused categories
    if by_frequency:
        keep.sort(key=lambda k: (-counts[k], k))
    final = np.full(len(values), -1, dtype=np.int64)
    final[keep] = np.arange(len(keep))
    lut = final if rank is None else final[rank]
    dtype = small_int_dtype(len(keep) + 1)
    lut = np.append(lut, -1).astype(dtype)  # raw -1 (missing) reads the last slot
    codes = lut[raw]
    return codes, [values[k] for k in keep]


def _small_range_codes(series: pd.Series) -> tuple[np.ndarray, list[Any]] | None:
    """Integer-valued numbers in a small range: codes by offset, no hashing (fast path)."""
    if not (
        pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(series.dtype)
    ):
        return None
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object:
        return None
    x = series.to_numpy()
    if x.dtype.kind == "f":
        ok = ~np.isnan(x)
        if not ok.any():
            return None
        finite = x[ok] if not ok.all() else x
        lo, hi = float(finite.min()), float(finite.max())
        if hi - lo >= 65536 or not np.array_equal(finite, np.floor(finite)):
            return None
        shifted = np.full(len(x), -1, dtype=np.int64)
        shifted[ok] = (finite - lo).astype(np.int64)
        values: list[Any] = [lo + k for k in range(int(hi - lo) + 1)]
        return shifted, values
    if x.dtype.kind not in "iu" or len(x) == 0:
        return None
    lo_i, hi_i = int(x.min()), int(x.max())
    if hi_i - lo_i >= 65536:
        return None
    shifted = x.astype(np.int64) - lo_i
    return shifted, [lo_i + k for k in range(hi_i - lo_i + 1)]


def _label(value: Any, labels: Mapping[Any, str] | None) -> str:
    if labels:
        for candidate in (value, _key(value)):
            try:
                if candidate in labels:
                    return str(labels[candidate])
            except TypeError:
                break
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            as_float = float(value)
            if as_float in labels:
                return str(labels[as_float])
    return value_text(value)


def encode_categorical(
    name: str,
    series: pd.Series,
    level: Level,
    labels: Mapping[Any, str] | None,
    *,
    by_frequency: bool = False,
    weights: np.ndarray | None = None,
) -> EncodedColumn:
    """Codes in category order (see _factorize); the missing category last."""
    codes, uniques = _factorize(series, by_frequency, weights)
    lookup = {_key(v): i for i, v in enumerate(uniques)}
    categories = [Category(i, v, _label(v, labels)) for i, v in enumerate(uniques)]
    missing_code = None
    if (codes < 0).any():
        missing_code = len(categories)
        codes[codes < 0] = missing_code
        categories.append(Category(missing_code, None, MISSING_LABEL, is_missing=True))
    return EncodedColumn(name, level, codes, tuple(categories), missing_code, lookup=lookup)


def encode_scale(
    name: str, series: pd.Series, intervals: int, weights: np.ndarray | None
) -> EncodedColumn:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).all():
        raise AnalysisError(f"predictor {name!r} has no values", hint="drop it or check the data")
    codes, bins = ntile_bins(values, intervals, weights)
    categories = []
    previous: float | None = None
    for i, upper in enumerate(bins.uppers):
        if previous is None:
            label = f"<= {_fmt(upper)}"
        elif i == bins.count - 1:
            label = f"> {_fmt(previous)}"
        else:
            label = f"({_fmt(previous)}, {_fmt(upper)}]"
        last = i == bins.count - 1
        categories.append(Category(i, i + 1, label, lower=previous, upper=None if last else upper))
        previous = upper
    missing_code = None
    if (codes < 0).any():
        missing_code = len(categories)
        codes[codes < 0] = missing_code
        categories.append(Category(missing_code, None, MISSING_LABEL, is_missing=True))
    return EncodedColumn(name, Level.SCALE, codes, tuple(categories), missing_code, bins=bins)


def _fmt(x: float) -> str:
    if math.isfinite(x) and x == int(x):
        return str(int(x))
    return f"{x:.6g}"
