"""The werkwijze classification, rerun from the typologie.* descriptor codings.

Rules (thresholds in variables/typologie.yaml), applied to the descriptor codings of a
steunpunt's own interview(s):

1. Count the codings of each type's descriptor codes; fewer than ``min_descriptors`` in all:
   no type.
2. The primary type has the most codings. The runner-up becomes a combination partner when it
   has at least ``combination_ratio`` codings per primary coding AND at least
   ``combination_share`` of all descriptor codings, and the pair is a listed combination.
3. Otherwise the primary type is the type when its share is at least ``min_primary_share``.
   A tie for first place that is not a listed combination gives no type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codeer.rules import Thresholds, TypologyRules

if TYPE_CHECKING:
    from codeer.project import Project

THRESHOLD_GRIDS: dict[str, list[float]] = {
    "min_descriptors": [float(v) for v in range(0, 16)],
    "min_primary_share": [round(v * 0.05, 2) for v in range(0, 21)],
    "combination_ratio": [round(v * 0.05, 2) for v in range(0, 21)],
    "combination_share": [round(v * 0.05, 2) for v in range(0, 21)],
}


@dataclass(frozen=True)
class TypologyResult:
    """One steunpunt's scores and the decision, with the reason in words."""

    counts: dict[str, int]
    value: str | None
    reason: str
    primary: str | None = None
    second: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, type_name: str) -> float:
        return self.counts.get(type_name, 0) / self.total if self.total else 0.0


def count_descriptors(codes: Iterable[str], rules: TypologyRules) -> dict[str, int]:
    """Descriptor codings per type (every type present, zero when uncoded)."""
    counts = dict.fromkeys(rules.types, 0)
    code_type = rules.code_type
    for code in codes:
        t = code_type.get(code)
        if t is not None:
            counts[t] += 1
    return counts


def classify(counts: Mapping[str, int], rules: TypologyRules) -> TypologyResult:
    th: Thresholds = rules.thresholds
    order = {t: i for i, t in enumerate(rules.types)}
    counts = {t: int(counts.get(t, 0)) for t in rules.types}
    total = sum(counts.values())
    if total == 0 or total < th.min_descriptors:
        return TypologyResult(
            counts,
            None,
            f"{total} descriptor codings, fewer than min_descriptors {th.min_descriptors:g}",
        )
    ranked = sorted(counts, key=lambda t: (-counts[t], order[t]))
    p, s = ranked[0], ranked[1]
    cp, cs = counts[p], counts[s]
    ratio = cs / cp
    share_p, share_s = cp / total, cs / total
    close = cs > 0 and ratio >= th.combination_ratio and share_s >= th.combination_share
    combo = rules.spec.combination_name(p, s)
    if close and combo is not None:
        return TypologyResult(
            counts,
            combo,
            f"{s} has {cs}/{cp} = {ratio:.2f} codings per {p} coding (>= combination_ratio "
            f"{th.combination_ratio:g}) and a share of {share_s:.2f} (>= combination_share "
            f"{th.combination_share:g}): combination {combo}",
            p,
            s,
        )
    if cp == cs:
        return TypologyResult(
            counts, None, f"tie between {p} and {s} ({cp} each) and {p}+{s} is no combination", p, s
        )
    if share_p < th.min_primary_share:
        return TypologyResult(
            counts,
            None,
            f"{p} has the most codings but a share of only {share_p:.2f} (< min_primary_share "
            f"{th.min_primary_share:g})",
            p,
            s,
        )
    why = f"{p} has {cp} of {total} descriptor codings (share {share_p:.2f})"
    if close:
        why += f"; {s} is close but {p}+{s} is not a listed combination"
    elif cs:
        why += (
            f"; runner-up {s} has {cs} (ratio {ratio:.2f}, share {share_s:.2f}) below the "
            f"combination thresholds"
        )
    return TypologyResult(counts, p, why, p, s)


def classify_all(
    counts: Mapping[str, Mapping[str, int]], rules: TypologyRules
) -> dict[str, TypologyResult]:
    return {sp: classify(c, rules) for sp, c in counts.items()}


@dataclass
class SweepRange:
    """A run of threshold values that give the same assignments."""

    threshold: str
    low: float
    high: float
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    contains_default: bool = False

    @property
    def label(self) -> str:
        fmt = "{:g}"
        if self.low == self.high:
            return fmt.format(self.low)
        return f"{fmt.format(self.low)} – {fmt.format(self.high)}"


def sweep(
    counts: Mapping[str, Mapping[str, int]],
    rules: TypologyRules,
    grids: Mapping[str, list[float]] | None = None,
) -> dict[str, list[SweepRange]]:
    """For each threshold, vary it alone over its grid and group values by resulting changes."""
    grids = grids or THRESHOLD_GRIDS
    base = {sp: r.value for sp, r in classify_all(counts, rules).items()}
    out: dict[str, list[SweepRange]] = {}
    for name, grid in grids.items():
        default = float(getattr(rules.thresholds, name))
        values = sorted(set(grid) | {default})
        ranges: list[SweepRange] = []
        for v in values:
            changed = rules.with_thresholds(**{name: int(v) if name == "min_descriptors" else v})
            now = {sp: r.value for sp, r in classify_all(counts, changed).items()}
            diff = {sp: (base[sp], now[sp]) for sp in base if now[sp] != base[sp]}
            if ranges and ranges[-1].changes == diff:
                ranges[-1].high = v
            else:
                ranges.append(SweepRange(name, v, v, diff))
            if v == default:
                ranges[-1].contains_default = True
        out[name] = ranges
    return out


def descriptor_counts(
    interviews: Iterable[tuple[str, str, Iterable[str]]],
    rules: TypologyRules,
    roles: Iterable[str] = ("steunpunt",),
    cases: Iterable[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Descriptor codings per type for each case, from (case, role, codes) triples."""
    wanted = set(roles)
    out: dict[str, dict[str, int]] = {c: dict.fromkeys(rules.types, 0) for c in cases or ()}
    for case, role, codes in interviews:
        if role not in wanted:
            continue
        counts = out.setdefault(case, dict.fromkeys(rules.types, 0))
        for t, n in count_descriptors(codes, rules).items():
            counts[t] += n
    return dict(sorted(out.items()))


def project_counts(project: Project, coder: str) -> tuple[TypologyRules, dict[str, dict[str, int]]]:
    """The typology rules and each steunpunt's descriptor counts from one coder's codings."""
    from codeer.rules import TypologyRule, load_rules, load_typology
    from codeer.variables import load_interviews, unknown_case_error

    codebook = project.codebook
    typology = load_typology(project.paths.typology_rules, codebook)
    roles: tuple[str, ...] = ("steunpunt",)
    cases: tuple[str, ...] | None = None
    if project.paths.variable_rules.exists():
        rules = load_rules(project.paths.variable_rules, codebook)
        cases = rules.steunpunten
        for rule in rules.variables.values():
            if isinstance(rule, TypologyRule):
                roles = rule.role_names
    interviews = load_interviews(project, coder)
    if cases is not None:
        for iv in interviews:
            if iv.case not in cases:
                raise unknown_case_error(iv, cases)
    triples = (
        (iv.case, iv.role, [c.code for c in iv.codings if c.anchor != "orphaned"])
        for iv in interviews
    )
    return typology, descriptor_counts(triples, typology, roles, cases)
