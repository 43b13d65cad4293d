"""Steunpunt variables derived from the codings, by the rules of variables/regels.yaml.

For each steunpunt and each rule, the codings of the interviews whose role the rule counts are
pooled per role; each role gives a value (or none, or a disagreement within the role); the roles
are then combined by the rule's priority order, or flagged. Every value keeps the codings it came
from, every disagreement becomes a conflict, and a steunpunt without evidence gets a missing value
that is reported, never a silent 0 or false.
"""

from __future__ import annotations

import gc
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codeer.codebook import Codebook
from codeer.codings import Coding, parse_codings_with_lines
from codeer.errors import CodingsError, DataError
from codeer.rules import (
    BinaryRule,
    NominalRule,
    NumericRule,
    Rules,
    TypologyRule,
    TypologyRules,
    ValueCategoryRule,
    _Rule,
    load_rules,
    load_typology,
)
from codeer.typology import TypologyResult, classify, count_descriptors

if TYPE_CHECKING:
    import pandas as pd

    from codeer.project import Project

ROLES = ("steunpunt", "gemeente")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One coding behind a value: where it is, what it says, and how the rule used it."""

    transcript: str
    role: str
    code: str
    quote: str
    value: int | str | None
    start: int
    basis: str  # present | absent | topic | category | none | value | implied | descriptor

    def as_dict(self) -> dict[str, Any]:
        return {
            "transcript": self.transcript,
            "role": self.role,
            "code": self.code,
            "quote": self.quote,
            "value": self.value,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Interview:
    """One transcript's codings by one coder, with what the rules need of the transcript."""

    transcript: str
    case: str
    role: str
    codings: Sequence[Coding]
    path: Path | None = None
    case_line: int | None = None


@dataclass(frozen=True)
class ConflictSide:
    role: str
    value: object
    evidence: tuple[Evidence, ...]

    @property
    def transcripts(self) -> list[str]:
        return sorted({e.transcript for e in self.evidence})


@dataclass(frozen=True)
class Conflict:
    """Codings that point at different values for one steunpunt's variable."""

    steunpunt: str
    variable: str
    kind: Literal["within_role", "between_roles"]
    sides: tuple[ConflictSide, ...]
    resolution: str
    value: object

    @property
    def resolved(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "steunpunt": self.steunpunt,
            "variable": self.variable,
            "kind": self.kind,
            "resolution": self.resolution,
            "value": self.value,
            "sides": [
                {
                    "role": s.role,
                    "value": s.value,
                    "evidence": [e.as_dict() for e in s.evidence],
                }
                for s in self.sides
            ],
        }


@dataclass(frozen=True)
class Missing:
    steunpunt: str
    variable: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"steunpunt": self.steunpunt, "variable": self.variable, "reason": self.reason}


@dataclass
class _RoleOutcome:
    """What one role's pooled codings say: a value, or several (a within-role disagreement)."""

    value: object
    evidence: list[Evidence]
    sides: dict[object, list[Evidence]] = field(default_factory=dict)
    majority: bool = False

    @property
    def determined(self) -> bool:
        return self.value is not None


@dataclass
class Derivation:
    """The steunpunt table and everything needed to explain and check it."""

    table: pd.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[object, str]]
    conflicts: list[Conflict]
    missing: list[Missing]
    kinds: dict[str, str]
    typology: dict[str, TypologyResult]
    _evidence: dict[tuple[str, str], list[Evidence]]
    values: dict[str, dict[str, object]]

    def evidence(self, steunpunt: str, variable: str) -> list[Evidence]:
        """The codings behind a value ([] for a missing value)."""
        if variable not in self.kinds:
            raise KeyError(variable)
        if steunpunt not in self.values:
            raise KeyError(steunpunt)
        return list(self._evidence.get((steunpunt, variable), []))

    def value(self, steunpunt: str, variable: str) -> object:
        return self.values[steunpunt][variable]

    def conflicts_for(self, steunpunt: str, variable: str) -> list[Conflict]:
        return [c for c in self.conflicts if c.steunpunt == steunpunt and c.variable == variable]

    def missing_for(self, steunpunt: str, variable: str) -> list[Missing]:
        return [m for m in self.missing if m.steunpunt == steunpunt and m.variable == variable]


# --- the core: from loaded codings to variables -----------------------------------------------


class _Pool:
    """The codings of one steunpunt and one role, by code."""

    __slots__ = ("by_code", "transcripts")

    def __init__(self) -> None:
        self.by_code: dict[str, list[tuple[str, int, Coding]]] = defaultdict(list)
        self.transcripts: list[str] = []

    def take(self, codes: Iterable[str]) -> list[tuple[str, int, Coding]]:
        """The codings of these codes in interview and text order."""
        out: list[tuple[str, int, Coding]] = []
        merged = 0
        for code in codes:
            found = self.by_code.get(code)
            if found:
                out.extend(found)
                merged += 1
        if merged > 1:  # one code's list is already in order
            out.sort(key=lambda x: (x[1], x[2].start, x[2].end))
        return out


def _ev(role: str, items: Iterable[tuple[str, int, Coding]], basis: str) -> list[Evidence]:
    return [Evidence(tid, role, c.code, c.quote, c.value, c.start, basis) for tid, _, c in items]


def _expand(codes: Iterable[str], codebook: Codebook | None) -> tuple[str, ...]:
    """A code counts with its descendants (a coding of a child counts for the parent)."""
    out: list[str] = []
    for code in codes:
        for cid in codebook.descendants(code) if codebook is not None else [code]:
            if cid not in out:
                out.append(cid)
    return tuple(out)


def _pick(rule: _Rule, sides: dict[object, list[Evidence]]) -> _RoleOutcome:
    """One role's value from its candidate values."""
    if len(sides) == 1:
        ((value, ev),) = sides.items()
        return _RoleOutcome(value, ev)
    all_ev = [e for ev in sides.values() for e in ev]
    if rule.within == "majority":
        ranked = sorted(sides.items(), key=lambda kv: -len(kv[1]))
        if len(ranked[0][1]) > len(ranked[1][1]):
            return _RoleOutcome(ranked[0][0], ranked[0][1], dict(sides), majority=True)
    return _RoleOutcome(None, all_ev, dict(sides))


class _Compiled:
    """A rule with its code lists expanded to descendants once."""

    def __init__(self, name: str, rule: _Rule, codebook: Codebook | None) -> None:
        self.name = name
        self.rule = rule
        self.lists = {k: _expand(v, codebook) for k, v in rule.code_lists().items()}
        if isinstance(rule, NominalRule):
            self.category_codes = {
                cat: _expand(spec.codes, codebook) for cat, spec in rule.categories.items()
            }
        if isinstance(rule, NumericRule):
            self.implied = {
                cid: value
                for code, value in rule.implied.items()
                for cid in _expand([code], codebook)
            }
        if isinstance(rule, ValueCategoryRule):
            self.also = {
                cid: cat for code, cat in rule.also.items() for cid in _expand([code], codebook)
            }

    def outcome(self, pool: _Pool, role: str) -> _RoleOutcome | None:
        rule = self.rule
        if isinstance(rule, BinaryRule):
            pres = pool.take(self.lists["present"])
            absn = pool.take(self.lists["absent"])
            sides: dict[object, list[Evidence]] = {}
            if pres:
                sides[True] = _ev(role, pres, "present")
            if absn:
                sides[False] = _ev(role, absn, "absent")
            if not sides:
                topic = pool.take(self.lists["topic"])
                if topic:
                    return _RoleOutcome(False, _ev(role, topic, "topic"))
                return None
            return _pick(rule, sides)
        if isinstance(rule, NominalRule):
            sides = {}
            for cat, codes in self.category_codes.items():
                found = pool.take(codes)
                if found:
                    sides[cat] = _ev(role, found, "category")
            if not sides:
                if rule.none is not None:
                    topic = pool.take(self.lists["none.topic"])
                    if topic:
                        return _RoleOutcome(rule.none.value, _ev(role, topic, "none"))
                return None
            return _pick(rule, sides)
        if isinstance(rule, ValueCategoryRule):
            sides = {}
            for tid, order, c in pool.take((rule.code,)):
                if c.value is not None:
                    sides.setdefault(c.value, []).extend(_ev(role, [(tid, order, c)], "value"))
            for tid, order, c in pool.take(self.also):
                cat = self.also[c.code]
                sides.setdefault(cat, []).extend(_ev(role, [(tid, order, c)], "category"))
            return _pick(rule, sides) if sides else None
        if isinstance(rule, NumericRule):
            items: list[tuple[float, Evidence]] = []
            for tid, order, c in pool.take((rule.code,)):
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    items.append((float(c.value), _ev(role, [(tid, order, c)], "value")[0]))
            for tid, order, c in pool.take(self.implied):
                v = self.implied[c.code]
                items.append((float(v), _ev(role, [(tid, order, c)], "implied")[0]))
            if not items:
                return None
            return _aggregate(rule, items)
        raise TypeError(f"no outcome for {type(rule).__name__}")


def _aggregate(rule: NumericRule, items: list[tuple[float, Evidence]]) -> _RoleOutcome:
    values = [v for v, _ in items]
    evidence = [e for _, e in items]
    agg = rule.aggregate
    if agg == "max":
        v = max(values)
        return _RoleOutcome(_num(v), [e for x, e in items if x == v])
    if agg == "min":
        v = min(values)
        return _RoleOutcome(_num(v), [e for x, e in items if x == v])
    if agg == "mean":
        return _RoleOutcome(_num(statistics.fmean(values)), evidence)
    if agg == "first":
        return _RoleOutcome(_num(values[0]), evidence[:1])
    counts = Counter(values)
    top = max(counts.values())
    modes = [v for v, n in counts.items() if n == top]
    if len(modes) == 1:
        return _RoleOutcome(_num(modes[0]), [e for x, e in items if x == modes[0]])
    sides: dict[object, list[Evidence]] = {
        _num(m): [e for x, e in items if x == m] for m in sorted(modes)
    }
    return _RoleOutcome(None, evidence, sides)


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def derive(
    rules: Rules,
    interviews: Iterable[Interview],
    *,
    codebook: Codebook | None = None,
    typology: TypologyRules | None = None,
) -> Derivation:
    """Derive every variable for every steunpunt from loaded codings (no file access)."""
    # Deriving allocates many small, short-lived objects next to millions of live codings; the
    # cyclic garbage collector would rescan those codings again and again (half the time at
    # 200,000 codings). Nothing here creates reference cycles, so it can safely pause.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _derive(rules, interviews, codebook, typology)
    finally:
        if was_enabled:
            gc.enable()


def _derive(
    rules: Rules,
    interviews: Iterable[Interview],
    codebook: Codebook | None,
    typology: TypologyRules | None,
) -> Derivation:
    interviews = list(interviews)
    steunpunten = _steunpunten(rules, interviews)
    pools: dict[tuple[str, str], _Pool] = {}
    known = set(steunpunten)
    for k, iv in enumerate(interviews):
        if iv.case not in known:
            raise unknown_case_error(iv, steunpunten)
        if iv.role not in ROLES:
            continue
        pool = pools.setdefault((iv.case, iv.role), _Pool())
        pool.transcripts.append(iv.transcript)
        for c in iv.codings:
            if c.anchor == "orphaned":
                continue
            pool.by_code[c.code].append((iv.transcript, k, c))
    for pool in pools.values():
        for found in pool.by_code.values():
            if len(found) > 1:
                found.sort(key=lambda x: (x[1], x[2].start, x[2].end))

    compiled = {
        name: _Compiled(name, rule, codebook)
        for name, rule in rules.variables.items()
        if not isinstance(rule, TypologyRule)
    }
    values: dict[str, dict[str, object]] = {sp: {} for sp in steunpunten}
    evidence: dict[tuple[str, str], list[Evidence]] = {}
    conflicts: list[Conflict] = []
    missing: list[Missing] = []
    typology_results: dict[str, TypologyResult] = {}

    for sp in steunpunten:
        for name, rule in rules.variables.items():
            outcomes: dict[str, _RoleOutcome | None] = {}
            for role in rule.role_names:
                role_pool = pools.get((sp, role))
                if role_pool is None:
                    continue
                if isinstance(rule, TypologyRule):
                    outcomes[role] = _typology_outcome(
                        role_pool, role, typology, sp, typology_results
                    )
                else:
                    outcomes[role] = compiled[name].outcome(role_pool, role)
            value, ev = _combine(sp, name, rule, outcomes, conflicts, missing, pools)
            if value is None and isinstance(rule, TypologyRule) and sp in typology_results:
                last = missing[-1]
                if last.steunpunt == sp and last.variable == name:
                    why = typology_results[sp].reason
                    missing[-1] = Missing(sp, name, f"no type: {why}")
            values[sp][name] = value
            if value is not None:
                evidence[(sp, name)] = ev

    labels = rules.variable_labels()
    value_labels = value_labels_of(rules, typology, codebook)
    table = _table(steunpunten, rules, values)
    kinds = {name: rule.kind for name, rule in rules.variables.items()}  # type: ignore[attr-defined]
    return Derivation(
        table, labels, value_labels, conflicts, missing, kinds, typology_results, evidence, values
    )


def _typology_outcome(
    pool: _Pool,
    role: str,
    typology: TypologyRules | None,
    sp: str,
    results: dict[str, TypologyResult],
) -> _RoleOutcome | None:
    if typology is None:
        raise DataError(
            "a typology variable needs typology rules",
            hint="add variables/typologie.yaml",
        )
    descriptors = pool.take(typology.code_type)
    result = classify(count_descriptors((c.code for _, _, c in descriptors), typology), typology)
    if role == "steunpunt" or sp not in results:
        results[sp] = result
    if not descriptors:
        return None
    return _RoleOutcome(result.value, _ev(role, descriptors, "descriptor"))


def _combine(
    sp: str,
    name: str,
    rule: _Rule,
    outcomes: Mapping[str, _RoleOutcome | None],
    conflicts: list[Conflict],
    missing: list[Missing],
    pools: Mapping[tuple[str, str], _Pool],
) -> tuple[object, list[Evidence]]:
    for role, out in outcomes.items():
        if out is not None and out.sides:
            resolution = (
                "majority of codings" if out.majority else "no value: codings disagree (flag)"
            )
            conflicts.append(
                Conflict(
                    sp,
                    name,
                    "within_role",
                    tuple(ConflictSide(role, v, tuple(ev)) for v, ev in out.sides.items()),
                    resolution,
                    out.value,
                )
            )
    determined = {r: o for r, o in outcomes.items() if o is not None and o.determined}
    if not determined:
        missing.append(Missing(sp, name, _missing_reason(sp, rule, outcomes, pools)))
        return None, []
    distinct = {_key(o.value) for o in determined.values()}
    if len(distinct) == 1:
        order = rule.resolve if isinstance(rule.resolve, tuple) else rule.role_names
        ev = [e for r in order if r in determined for e in determined[r].evidence]
        return next(iter(determined.values())).value, ev
    sides = tuple(ConflictSide(r, o.value, tuple(o.evidence)) for r, o in determined.items())
    if isinstance(rule.resolve, tuple):
        winner = next(r for r in rule.resolve if r in determined)
        value = determined[winner].value
        conflicts.append(Conflict(sp, name, "between_roles", sides, f"{winner} gaat voor", value))
        return value, list(determined[winner].evidence)
    conflicts.append(
        Conflict(sp, name, "between_roles", sides, "no value: roles disagree (flag)", None)
    )
    missing.append(Missing(sp, name, "the interviews disagree and the rule flags disagreement"))
    return None, []


def _key(value: object) -> object:
    return (type(value).__name__ == "bool", value)


def _missing_reason(
    sp: str, rule: _Rule, outcomes: Mapping[str, _RoleOutcome | None], pools: Mapping[Any, _Pool]
) -> str:
    roles = " or ".join(rule.role_names)
    if not any((sp, r) in pools for r in rule.role_names):
        return f"no {roles} interview coded"
    if any(o is not None and o.sides for o in outcomes.values()):
        return "the codings within an interview disagree"
    if isinstance(rule, TypologyRule):
        return "no type: too few or undecided typology descriptors"
    return f"no codings for this variable in the {roles} interview(s)"


def _steunpunten(rules: Rules, interviews: Sequence[Interview]) -> list[str]:
    if rules.steunpunten is not None:
        return sorted(rules.steunpunten)
    return sorted({iv.case for iv in interviews if iv.role == "steunpunt"})


def unknown_case_error(iv: Interview, steunpunten: Sequence[str]) -> DataError:
    import difflib

    close = difflib.get_close_matches(iv.case, list(steunpunten), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "use a name listed under 'steunpunten'"
    hint += " (steunpunten are listed in variables/regels.yaml)"
    return DataError(
        f"transcript '{iv.transcript}': case '{iv.case}' matches no steunpunt",
        path=iv.path,
        line=iv.case_line,
        hint=hint,
    )


def value_labels_of(
    rules: Rules, typology: TypologyRules | None, codebook: Codebook | None
) -> dict[str, dict[object, str]]:
    """Value labels per variable, in the rules' category order (exports and describe use it)."""
    out: dict[str, dict[object, str]] = {}
    for name, rule in rules.variables.items():
        if isinstance(rule, BinaryRule):
            out[name] = {
                False: rule.value_labels.get(False, "nee"),
                True: rule.value_labels.get(True, "ja"),
            }
        elif isinstance(rule, NominalRule):
            out[name] = rule.value_labels()
        elif isinstance(rule, ValueCategoryRule):
            cats: list[str] = list(rule.categories)
            if codebook is not None and rule.code in codebook:
                spec = codebook[rule.code].value
                cats += [c for c in (spec.categories if spec else ()) if c not in cats]
            cats += [c for c in rule.also.values() if c not in cats]
            out[name] = {c: rule.categories.get(c) or c for c in cats}
        elif isinstance(rule, NumericRule) and rule.value_labels:
            out[name] = {_num(k): v for k, v in rule.value_labels.items()}
        elif isinstance(rule, TypologyRule) and typology is not None:
            out[name] = typology.spec.value_labels()
    return out


def _table(
    steunpunten: Sequence[str], rules: Rules, values: Mapping[str, Mapping[str, object]]
) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {"steunpunt": pd.array(list(steunpunten), dtype=object)}
    for name, rule in rules.variables.items():
        col: list[Any] = [values[sp].get(name) for sp in steunpunten]
        if isinstance(rule, BinaryRule):
            data[name] = pd.array(col, dtype="boolean")
        elif isinstance(rule, NumericRule):
            present = [v for v in col if v is not None]
            ints = all(isinstance(v, int) for v in present)
            data[name] = pd.array(col, dtype="Int64" if ints else "Float64")
        else:
            data[name] = pd.array(col, dtype=object)
    return pd.DataFrame(data)


# --- the project layer: load, check, derive ---------------------------------------------------


def load_interviews(project: Project, coder: str) -> list[Interview]:
    """Every transcript with its coder's codings; bad coded values are errors naming the line."""
    codebook = project.codebook
    out: list[Interview] = []
    for tid, transcript in project.transcripts.items():
        cf = project.codings(coder, tid)
        if cf is None:
            continue
        path = project.paths.codings_file(coder, tid)
        check_values(cf.codings, codebook, path)
        out.append(
            Interview(
                tid,
                transcript.case,
                transcript.role,
                cf.codings,
                transcript.path,
                _front_matter_line(transcript.path, "case"),
            )
        )
    return out


def check_values(codings: Sequence[Coding], codebook: Codebook, path: Path) -> None:
    """Every code exists, valued codes carry a fitting value, plain codes carry none."""
    for i, c in enumerate(codings):
        problem = None
        hint = "fix the coding in the coding workbench or the file"
        code = codebook.codes.get(c.code)
        if code is None:
            problem = f"coding {c.id}: unknown code '{c.code}'"
            hint = "see the code ids in codebooks/; run 'codeer validate'"
        elif code.value is not None and c.value is None:
            problem = f"coding {c.id}: code '{c.code}' needs a value but has none"
            kind = (
                f"one of {', '.join(code.value.categories)}"
                if code.value.type == "category"
                else "an integer"
            )
            hint = f"add 'value:' with {kind}"
        elif code.value is not None:
            wrong = code.value.check(c.value)
            if wrong:
                problem = f"coding {c.id}: code '{c.code}': {wrong}"
        elif c.value is not None:
            problem = f"coding {c.id}: code '{c.code}' carries no value, got {c.value!r}"
            hint = "remove 'value:' or use a valued code"
        if problem is not None:
            raise CodingsError(problem, path=path, line=_coding_line(path, i), hint=hint)


def _coding_line(path: Path, index: int) -> int | None:
    try:
        _, lines = parse_codings_with_lines(path.read_text(encoding="utf-8"), path)
    except (OSError, CodingsError):
        return None
    return lines.line(("codings", index))


def _front_matter_line(path: Path | None, key: str) -> int | None:
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for n, text in enumerate(lines[1:40], start=2):
        if text.startswith(f"{key}:"):
            return n
        if text.strip() == "---":
            break
    return None


def load_project_rules(project: Project) -> tuple[Rules, TypologyRules | None]:
    codebook = project.codebook
    rules = load_rules(project.paths.variable_rules, codebook)
    needs_typology = any(isinstance(r, TypologyRule) for r in rules.variables.values())
    typology = None
    if needs_typology or project.paths.typology_rules.exists():
        typology = load_typology(project.paths.typology_rules, codebook)
    return rules, typology


def derive_variables(project: Project, coder: str = "a") -> Derivation:
    """The steunpunt variables of a project from one coder's codings."""
    rules, typology = load_project_rules(project)
    interviews = load_interviews(project, coder)
    return derive(rules, interviews, codebook=project.codebook, typology=typology)


# --- the conflicts report ------------------------------------------------------------------
CONFLICT_COLUMNS = [
    "conflict",
    "steunpunt",
    "variabele",
    "soort",
    "oplossing",
    "gekozen_waarde",
    "rol",
    "waarde",
    "transcripten",
    "codes",
    "grondslag",
    "citaten",
]


def text_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def conflicts_frame(derivation: Derivation) -> pd.DataFrame:
    """One row per side of each conflict, with that side's quotes."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for n, c in enumerate(derivation.conflicts, start=1):
        for side in c.sides:
            rows.append(
                {
                    "conflict": n,
                    "steunpunt": c.steunpunt,
                    "variabele": c.variable,
                    "soort": c.kind,
                    "oplossing": c.resolution,
                    "gekozen_waarde": text_value(c.value),
                    "rol": side.role,
                    "waarde": text_value(side.value),
                    "transcripten": " ".join(side.transcripts),
                    "codes": " ".join(sorted({e.code for e in side.evidence})),
                    # 'topic' means implied: the topic came up without the code itself
                    "grondslag": " ".join(sorted({e.basis for e in side.evidence})),
                    "citaten": " | ".join(f"[{e.transcript}] {e.quote}" for e in side.evidence),
                }
            )
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)
