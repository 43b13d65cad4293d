"""Re-anchoring codings when their transcript changed after coding.

Each coding is found again by its quote: unchanged position, else the exact match nearest the
old position, else a fuzzy match whose similarity is at least ``FUZZY_THRESHOLD``. A coding that
cannot be found is kept with its old offsets and flagged ``orphaned``: never dropped, never
silently attached to other text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from codeer.codings import Anchor, Coding

FUZZY_THRESHOLD = 0.85
"""Minimum normalised Indel similarity (rapidfuzz ``ratio``/100) between the quote and the new span."""

FUZZY_MIN_LENGTH = 12
"""Shorter quotes are too ambiguous to place fuzzily; they are moved only on an exact match."""


@dataclass(frozen=True, slots=True)
class AnchorResult:
    """What happened to one coding."""

    coding: Coding
    status: Anchor
    old_start: int
    old_end: int
    similarity: float

    @property
    def moved_by(self) -> int:
        return self.coding.start - self.old_start


def _exact_nearest(quote: str, text: str, near: int) -> int | None:
    best: int | None = None
    pos = text.find(quote)
    while pos != -1:
        if best is None or abs(pos - near) < abs(best - near):
            best = pos
        elif pos > near:
            break
        pos = text.find(quote, pos + 1)
    return best


def _fuzzy(quote: str, text: str) -> tuple[int, int, float] | None:
    if len(quote) < FUZZY_MIN_LENGTH or not text:
        return None
    cutoff = FUZZY_THRESHOLD * 100
    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=cutoff)
    if found is None:
        return None
    start, end = found.dest_start, found.dest_end
    # trim whitespace the alignment may include at its edges
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return None
    score = fuzz.ratio(quote, text[start:end]) / 100
    if score < FUZZY_THRESHOLD:
        return None
    return start, end, score


def reanchor_one(coding: Coding, text: str) -> AnchorResult:
    old_start, old_end, quote = coding.start, coding.end, coding.quote
    if text[old_start:old_end] == quote:
        return AnchorResult(
            coding.model_copy(update={"anchor": None}), "kept", old_start, old_end, 1.0
        )
    pos = _exact_nearest(quote, text, old_start)
    if pos is not None:
        moved = coding.model_copy(update={"start": pos, "end": pos + len(quote), "anchor": "moved"})
        return AnchorResult(moved, "moved", old_start, old_end, 1.0)
    fuzzy = _fuzzy(quote, text)
    if fuzzy is not None:
        start, end, score = fuzzy
        # the quote is kept as the coder saw it; the coder reviews fuzzy moves
        moved = coding.model_copy(update={"start": start, "end": end, "anchor": "fuzzy"})
        return AnchorResult(moved, "fuzzy", old_start, old_end, score)
    return AnchorResult(
        coding.model_copy(update={"anchor": "orphaned"}), "orphaned", old_start, old_end, 0.0
    )


def reanchor(codings: list[Coding], text: str) -> list[AnchorResult]:
    """Re-anchor every coding against the new text; one result per coding, in order."""
    return [reanchor_one(c, text) for c in codings]
