"""Derivation rules (variables/regels.yaml) and typology rules (variables/typologie.yaml).

Both files are checked like the codebook: unknown keys, unknown code ids and impossible
combinations are errors that name the file and line, so a typo never silently turns a variable
into "missing" for every steunpunt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from codeer.codebook import Codebook
from codeer.errors import CodebookError
from codeer.yamlio import LineMap, load_model, pydantic_problems

RoleName = Literal["steunpunt", "gemeente"]
RoleSpec = Literal["steunpunt", "gemeente", "both"]
Aggregate = Literal["max", "min", "mean", "first", "mode"]
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("binary", "nominal", "numeric", "value_category", "typology")


class _Rule(BaseModel):
    """What every rule has: a label, the roles that count, and how to resolve disagreement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = ""
    roles: RoleSpec
    # a priority order of roles (first with evidence wins) or 'flag' (no value, a conflict)
    resolve: Literal["flag"] | tuple[RoleName, ...] = "flag"
    # several values within one role's interview(s): 'flag' (no value) or 'majority' (most codings)
    within: Literal["flag", "majority"] = "flag"
    note: str = ""

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        """The code ids the rule names, by the key they appear under (for checks)."""
        return {}

    @property
    def role_names(self) -> tuple[RoleName, ...]:
        return ("steunpunt", "gemeente") if self.roles == "both" else (self.roles,)

    @model_validator(mode="after")
    def _resolve_fits_roles(self) -> _Rule:
        if isinstance(self.resolve, tuple):
            if len(set(self.resolve)) != len(self.resolve):
                raise ValueError("resolve lists a role twice")
            extra = set(self.resolve) - set(self.role_names)
            if extra:
                raise ValueError(
                    f"resolve names role(s) {', '.join(sorted(extra))} that 'roles' does not count"
                )
            missing = set(self.role_names) - set(self.resolve)
            if missing:
                raise ValueError(
                    f"resolve must order every counted role; add {', '.join(sorted(missing))}"
                )
        return self


class BinaryRule(_Rule):
    """True when a presence code is coded; false on an absence code, or on a topic code alone."""

    kind: Literal["binary"]
    present: tuple[str, ...] = Field(min_length=1)
    absent: tuple[str, ...] = ()
    # codings that show the topic was discussed: without a presence code they mean 'false'
    topic: tuple[str, ...] = ()
    value_labels: dict[bool, str] = Field(default_factory=lambda: {False: "nee", True: "ja"})

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        return {"present": self.present, "absent": self.absent, "topic": self.topic}


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: tuple[str, ...] = Field(min_length=1)
    label: str = ""


class NoneValue(BaseModel):
    """The category for 'none of the codes', given only when the topic was discussed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    label: str = ""
    topic: tuple[str, ...] = Field(min_length=1)


class NominalRule(_Rule):
    """Which of several codes was coded, each mapped to a category."""

    kind: Literal["nominal"]
    categories: dict[str, Category] = Field(min_length=1)
    none: NoneValue | None = None

    @model_validator(mode="after")
    def _none_is_new(self) -> NominalRule:
        if self.none is not None and self.none.value in self.categories:
            raise ValueError(f"none value '{self.none.value}' is also a category")
        return self

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        out = {f"categories.{k}.codes": v.codes for k, v in self.categories.items()}
        if self.none is not None:
            out["none.topic"] = self.none.topic
        return out

    def value_labels(self) -> dict[object, str]:
        out: dict[object, str] = {k: v.label or k for k, v in self.categories.items()}
        if self.none is not None:
            out[self.none.value] = self.none.label or self.none.value
        return out


class NumericRule(_Rule):
    """A valued code's integer value, aggregated over the codings of a role."""

    kind: Literal["numeric"]
    code: str
    aggregate: Aggregate
    # codes that imply a value without carrying one (e.g. 'volunteers only' implies 0 paid staff)
    implied: dict[str, float] = Field(default_factory=dict)
    value_labels: dict[float, str] = Field(default_factory=dict)

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        return {"code": (self.code,), "implied": tuple(self.implied)}


class ValueCategoryRule(_Rule):
    """A valued code whose category value is the variable (plus codes that mean a category)."""

    kind: Literal["value_category"]
    code: str
    categories: dict[str, str] = Field(default_factory=dict)  # category -> label
    also: dict[str, str] = Field(default_factory=dict)  # other code -> category

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        return {"code": (self.code,), "also": tuple(self.also)}


class TypologyRule(_Rule):
    """The werkwijze type from the typology descriptor codings (see typologie.yaml)."""

    kind: Literal["typology"]

    def code_lists(self) -> dict[str, tuple[str, ...]]:
        return {}


RULE_CLASSES: dict[str, type[_Rule]] = {
    "binary": BinaryRule,
    "nominal": NominalRule,
    "numeric": NumericRule,
    "value_category": ValueCategoryRule,
    "typology": TypologyRule,
}


class RulesFile(BaseModel):
    """variables/regels.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    description: str = ""
    # the cases (steunpunten) of the table; absent: the cases of the steunpunt interviews
    steunpunten: tuple[str, ...] | None = None
    variables: dict[str, Any] = Field(min_length=1)

    @field_validator("steunpunten")
    @classmethod
    def _unique(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            seen: set[str] = set()
            for name in v:
                if name in seen:
                    raise ValueError(f"steunpunt '{name}' is listed twice")
                seen.add(name)
        return v


class Rules:
    """Validated derivation rules, in file order."""

    def __init__(
        self,
        path: Path,
        variables: dict[str, _Rule],
        steunpunten: tuple[str, ...] | None,
        lines: LineMap | None = None,
    ) -> None:
        self.path = path
        self.variables = variables
        self.steunpunten = steunpunten
        self.lines = lines

    def __getitem__(self, name: str) -> _Rule:
        return self.variables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def line_of(self, name: str) -> int | None:
        return self.lines.line(("variables", name)) if self.lines else None

    def variable_labels(self) -> dict[str, str]:
        return {name: rule.label for name, rule in self.variables.items() if rule.label}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError(
            "rules file not found",
            path=path,
            hint="create it; see variables/regels.yaml of the bundled example project",
        ) from None
    except UnicodeDecodeError as exc:
        raise CodebookError(
            f"not valid UTF-8 (byte {exc.start})", path=path, hint="save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise CodebookError(f"cannot read: {exc.strerror}", path=path) from None


def _fail(
    exc: ValidationError, lines: LineMap, path: Path, prefix: tuple[str | int, ...], hint: str
) -> CodebookError:
    # pydantic_problems puts a misspelt key before the key it makes look missing
    line, msg = pydantic_problems(exc, _PrefixedLines(lines, prefix))[0]
    where = ".".join(str(p) for p in prefix)
    return CodebookError(f"{where}: {msg}" if where else msg, path=path, line=line, hint=hint)


class _PrefixedLines(LineMap):
    """A LineMap view that looks paths up under a prefix (a variable's entry)."""

    def __init__(self, lines: LineMap, prefix: tuple[str | int, ...]) -> None:
        super().__init__(lines.root, lines.first_line)
        self.prefix = prefix

    def line(self, loc: Sequence[str | int]) -> int | None:
        return super().line((*self.prefix, *loc))


def parse_rules(text: str, path: Path, codebook: Codebook | None = None) -> Rules:
    """Parse regels.yaml; with a codebook, every code id must exist (and fit the rule)."""
    top, _, lines = load_model(
        text,
        path,
        RulesFile,
        error=CodebookError,
        shape="a rules file must be a mapping with 'variables'",
        shape_hint="start the file with 'variables:'",
        hint="top-level keys: version, description, steunpunten, variables",
    )
    variables: dict[str, _Rule] = {}
    for name, spec in top.variables.items():
        line = lines.line(("variables", name))
        if not isinstance(name, str) or not VARIABLE_NAME.match(name):
            raise CodebookError(
                f"variable name {name!r} is not allowed",
                path=path,
                line=line,
                hint="lower-case letters, digits and '_', starting with a letter (SPSS needs this)",
            )
        if name == "steunpunt":
            raise CodebookError(
                "'steunpunt' is the name of the key column", path=path, line=line, hint="rename it"
            )
        if not isinstance(spec, dict):
            raise CodebookError(
                f"variable '{name}' must be a mapping with 'kind' and 'roles'",
                path=path,
                line=line,
                hint=f"kinds: {', '.join(KINDS)}",
            )
        kind = spec.get("kind")
        cls = RULE_CLASSES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise CodebookError(
                f"variable '{name}': unknown kind {kind!r}",
                path=path,
                line=lines.line(("variables", name, "kind")),
                hint=f"kinds: {', '.join(KINDS)}",
            )
        try:
            rule = cls.model_validate(spec)
        except ValidationError as exc:
            raise _fail(exc, lines, path, ("variables", name), _hint(str(kind))) from None
        variables[name] = rule
    rules = Rules(path, variables, top.steunpunten, lines)
    if codebook is not None:
        check_codes(rules, codebook)
    typology_rules = [n for n, r in variables.items() if isinstance(r, TypologyRule)]
    if len(typology_rules) > 1:
        raise CodebookError(
            f"more than one typology variable ({', '.join(typology_rules)})",
            path=path,
            line=lines.line(("variables", typology_rules[1])),
            hint="keep one; the typology thresholds live in typologie.yaml",
        )
    return rules


def _hint(kind: str) -> str:
    keys = {
        "binary": "present, absent, topic, value_labels",
        "nominal": "categories (name: {codes, label}), none ({value, label, topic})",
        "numeric": "code, aggregate (max|min|mean|first|mode), implied, value_labels",
        "value_category": "code, categories (value: label), also (code: category)",
        "typology": "(thresholds are in typologie.yaml)",
    }[kind]
    return (
        f"a {kind} rule has kind, label, roles (steunpunt|gemeente|both), resolve, within, {keys}"
    )


def check_codes(rules: Rules, codebook: Codebook) -> None:
    """Every code a rule names must exist; valued-code rules must name fitting codes."""
    assert rules.lines is not None
    for name, rule in rules.variables.items():
        for key, codes in rule.code_lists().items():
            loc: tuple[str | int, ...] = ("variables", name, *key.split("."))
            for i, code in enumerate(codes):
                if code not in codebook:
                    item_loc = (*loc, code) if key in ("implied", "also") else (*loc, i)
                    raise CodebookError(
                        f"variable '{name}': unknown code '{code}' in {key}",
                        path=rules.path,
                        line=rules.lines.line(item_loc),
                        hint=_close_codes(code, codebook),
                    )
        if isinstance(rule, NumericRule):
            spec = codebook[rule.code].value
            if spec is None or spec.type != "integer":
                raise CodebookError(
                    f"variable '{name}': code '{rule.code}' carries no integer value",
                    path=rules.path,
                    line=rules.lines.line(("variables", name, "code")),
                    hint="a numeric rule needs a code with 'value: {type: integer}'",
                )
        if isinstance(rule, ValueCategoryRule):
            spec = codebook[rule.code].value
            if spec is None or spec.type != "category":
                raise CodebookError(
                    f"variable '{name}': code '{rule.code}' carries no category value",
                    path=rules.path,
                    line=rules.lines.line(("variables", name, "code")),
                    hint="a value_category rule needs a code with 'value: {type: category}'",
                )
            allowed = set(spec.categories) | set(rule.also.values())
            for cat in rule.categories:
                if cat not in allowed:
                    raise CodebookError(
                        f"variable '{name}': category '{cat}' is not a value of '{rule.code}'",
                        path=rules.path,
                        line=rules.lines.line(("variables", name, "categories", cat)),
                        hint=f"values: {', '.join(spec.categories)}",
                    )


def _close_codes(code: str, codebook: Codebook) -> str:
    import difflib

    close = difflib.get_close_matches(code, list(codebook.codes), n=1)
    return f"did you mean '{close[0]}'?" if close else "see the code ids in codebooks/"


def load_rules(path: Path, codebook: Codebook | None = None) -> Rules:
    return parse_rules(_read(path), path, codebook)


# --- typology ---------------------------------------------------------------------------------


class TypeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = ""
    codes: tuple[str, ...] = Field(min_length=1)


class Thresholds(BaseModel):
    """The documented decision rules of the werkwijze classification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # fewer descriptor codings than this: no type (reported as missing)
    min_descriptors: int = Field(default=5, ge=0)
    # the primary type's share of all descriptor codings must be at least this
    min_primary_share: float = Field(default=0.4, ge=0, le=1)
    # combination when the second type has at least this many codings per primary coding ...
    combination_ratio: float = Field(default=0.5, ge=0, le=1)
    # ... and at least this share of all descriptor codings
    combination_share: float = Field(default=0.25, ge=0, le=1)


class TypologyFile(BaseModel):
    """variables/typologie.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    description: str = ""
    types: dict[str, TypeSpec] = Field(min_length=2)
    combinations: tuple[tuple[str, str], ...] = ()
    combination_labels: dict[str, str] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @model_validator(mode="after")
    def _names(self) -> TypologyFile:
        for name in self.types:
            if not TYPE_NAME.match(name):
                raise ValueError(f"type name {name!r}: lower-case letters, digits and '_'")
        for a, b in self.combinations:
            for t in (a, b):
                if t not in self.types:
                    raise ValueError(f"combination names unknown type '{t}'")
            if a == b:
                raise ValueError(f"combination '{a}+{b}' combines a type with itself")
        names = {f"{a}+{b}" for a, b in self.combinations}
        for key in self.combination_labels:
            if key not in names:
                raise ValueError(f"combination_labels names '{key}', which is not a combination")
        return self

    def combination_name(self, a: str, b: str) -> str | None:
        """The listed combination of types a and b (either order), or None."""
        for x, y in self.combinations:
            if {x, y} == {a, b}:
                return f"{x}+{y}"
        return None

    def value_labels(self) -> dict[object, str]:
        out: dict[object, str] = {name: spec.label or name for name, spec in self.types.items()}
        for a, b in self.combinations:
            key = f"{a}+{b}"
            out[key] = self.combination_labels.get(key) or f"{out[a]} + {out[b]}"
        return out


class TypologyRules:
    """Validated typology rules plus the code -> type map."""

    def __init__(self, path: Path, spec: TypologyFile, code_type: dict[str, str]) -> None:
        self.path = path
        self.spec = spec
        self.code_type = code_type

    @property
    def thresholds(self) -> Thresholds:
        return self.spec.thresholds

    @property
    def types(self) -> list[str]:
        return list(self.spec.types)

    def with_thresholds(self, **changes: float) -> TypologyRules:
        spec = self.spec.model_copy(
            update={"thresholds": self.spec.thresholds.model_copy(update=changes)}
        )
        return TypologyRules(self.path, spec, self.code_type)


def parse_typology(text: str, path: Path, codebook: Codebook | None = None) -> TypologyRules:
    spec, _, lines = load_model(
        text,
        path,
        TypologyFile,
        error=CodebookError,
        shape="a typology file must be a mapping with 'types'",
        shape_hint="start the file with 'types:'",
        hint=(
            "keys: version, description, types (name: {label, codes}), combinations, "
            "combination_labels, thresholds (min_descriptors, min_primary_share, "
            "combination_ratio, combination_share)"
        ),
    )
    code_type: dict[str, str] = {}
    for name, tspec in spec.types.items():
        for i, code in enumerate(tspec.codes):
            where = lines.line(("types", name, "codes", i))
            if codebook is not None and code not in codebook:
                raise CodebookError(
                    f"type '{name}': unknown code '{code}'",
                    path=path,
                    line=where,
                    hint=_close_codes(code, codebook),
                )
            expanded = codebook.descendants(code) if codebook is not None else [code]
            for cid in expanded:
                if cid in code_type and code_type[cid] != name:
                    raise CodebookError(
                        f"code '{cid}' counts for both '{code_type[cid]}' and '{name}'",
                        path=path,
                        line=where,
                        hint="each descriptor code belongs to one type",
                    )
                code_type[cid] = name
    return TypologyRules(path, spec, code_type)


def load_typology(path: Path, codebook: Codebook | None = None) -> TypologyRules:
    return parse_typology(_read(path), path, codebook)
