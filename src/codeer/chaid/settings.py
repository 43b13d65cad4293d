"""Measurement levels and growing settings, with SPSS TREE's defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from codeer.errors import UsageError


class Level(StrEnum):
    """Measurement level of a predictor (SPSS's [n], [o], [s]; floating = ordinal + missing)."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    FLOATING = "floating"
    SCALE = "scale"


class TargetLevel(StrEnum):
    """Measurement level of the target: classes (chi-square) or a number (ANOVA F)."""

    NOMINAL = "nominal"
    SCALE = "scale"


class Method(StrEnum):
    CHAID = "chaid"
    EXHAUSTIVE = "exhaustive"


class ChiSquare(StrEnum):
    PEARSON = "pearson"
    LIKELIHOOD_RATIO = "likelihood_ratio"


@dataclass(frozen=True)
class ChaidSettings:
    """How to grow the tree. Defaults are SPSS TREE's for CHAID.

    Sizes are weighted counts (frequency weights), as in SPSS.
    """

    method: Method = Method.CHAID
    """CHAID (Kass 1980) or Exhaustive CHAID (Biggs et al. 1991)."""
    max_depth: int = 3
    """Levels below the root; SPSS's MAXDEPTH=AUTO is 3 for CHAID."""
    min_parent: float = 100
    """A node smaller than this is not split (MINPARENTSIZE)."""
    min_child: float = 50
    """No child may be smaller than this (MINCHILDSIZE)."""
    alpha_split: float = 0.05
    """Split only when the adjusted p-value is <= this (ALPHASPLIT)."""
    alpha_merge: float = 0.05
    """Merge a pair of categories when their p-value is > this (ALPHAMERGE; CHAID only)."""
    chi_square: ChiSquare = ChiSquare.PEARSON
    """Pearson or likelihood-ratio chi-square for a nominal target (CHISQUARE)."""
    bonferroni: bool = True
    """Adjust p-values for the number of groupings tried (ADJUST=BONFERRONI)."""
    split_merged: bool = False
    """Allow a merged category of 3+ originals to be split again (SPLITMERGED)."""
    alpha_resplit: float | None = None
    """Resplit threshold when split_merged; None means alpha_merge."""
    intervals: int = 10
    """Bins for scale predictors before growing (INTERVALS)."""
    force: str | None = None
    """Split the root on this predictor whatever its significance (FORCE=)."""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(self.method))
            object.__setattr__(self, "chi_square", ChiSquare(self.chi_square))
        except ValueError as exc:
            raise UsageError(
                f"invalid CHAID setting: {exc}",
                hint="method is 'chaid' or 'exhaustive'; chi_square 'pearson' or "
                "'likelihood_ratio'",
            ) from None
        checks: list[tuple[bool, str]] = [
            (self.max_depth >= 0, "max_depth must be >= 0"),
            (self.min_parent >= 0, "min_parent must be >= 0"),
            (self.min_child >= 0, "min_child must be >= 0"),
            (0.0 < self.alpha_split < 1.0, "alpha_split must be in (0, 1)"),
            (0.0 < self.alpha_merge <= 1.0, "alpha_merge must be in (0, 1]"),
            (
                self.alpha_resplit is None or 0.0 < self.alpha_resplit < 1.0,
                "alpha_resplit must be in (0, 1)",
            ),
            (self.intervals >= 2, "intervals must be >= 2"),
        ]
        for ok, message in checks:
            if not ok:
                raise UsageError(f"invalid CHAID setting: {message}")

    @property
    def resplit_alpha(self) -> float:
        return self.alpha_merge if self.alpha_resplit is None else self.alpha_resplit

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["method"] = str(self.method)
        data["chi_square"] = str(self.chi_square)
        return data
