"""The study's CHAID analyses: predictor groups, levels, trees with and without client controls.

The evaluation related steunpunt characteristics to outcomes with CHAID, then entered client
characteristics as possible intervening factors. variables/analyses.yaml says which outcomes,
which predictor groups and at which measurement level; this module grows both trees per
outcome, compares them (does each steunpunt split survive, change level or disappear?) and
writes each tree as JSON and SVG. Outputs are deterministic: no timestamps, sorted keys.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codeer.chaid.settings import ChaidSettings, ChiSquare, Level, Method
from codeer.errors import AnalysisError, UsageError
from codeer.yamlio import load_yaml, pydantic_problems

if TYPE_CHECKING:
    import pandas as pd

    from codeer.chaid.results import Split
    from codeer.chaid.tree import Tree
    from codeer.paths import ProjectPaths

GROUP_PREFIX = "@"
EXCLUDE_PREFIX = "-"
CONTROL_SUFFIX = "_control"


def analyses_spec_path(paths: ProjectPaths) -> Path:
    """variables/analyses.yaml."""
    return paths.analyses_spec


# --- the spec file -------------------------------------------------------------------------


class SettingsModel(BaseModel):
    """CHAID settings in analyses.yaml; every key optional (unset keeps the default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Method | None = None
    max_depth: int | None = Field(default=None, ge=0)
    min_parent: float | None = Field(default=None, ge=0)
    min_child: float | None = Field(default=None, ge=0)
    alpha_split: float | None = Field(default=None, gt=0, lt=1)
    alpha_merge: float | None = Field(default=None, gt=0, le=1)
    chi_square: ChiSquare | None = None
    bonferroni: bool | None = None
    intervals: int | None = Field(default=None, ge=2)

    def apply(self, base: ChaidSettings) -> ChaidSettings:
        changes = {k: v for k, v in self.model_dump().items() if v is not None}
        return replace(base, **changes) if changes else base


class AnalysisModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    outcome: str
    target: str | int | bool | None = None
    predictors: tuple[str, ...] = Field(min_length=1)
    control: tuple[str, ...] = ()
    settings: SettingsModel = Field(default_factory=SettingsModel)
    note: str = ""


class SpecModel(BaseModel):
    """variables/analyses.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    description: str = ""
    variables: dict[str, Level] = Field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    settings: SettingsModel = Field(default_factory=SettingsModel)
    analyses: tuple[AnalysisModel, ...] = ()

    @field_validator("variables", mode="before")
    @classmethod
    def _no_floating(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for name, level in value.items():
                if level == "floating":
                    raise ValueError(
                        f"{name}: write 'ordinal'; missing values make it floating by themselves"
                    )
        return value


@dataclass(frozen=True)
class Analysis:
    """One study analysis: an outcome, its predictors and (optionally) the controls."""

    id: str
    outcome: str
    predictors: tuple[str, ...]
    control: tuple[str, ...] = ()
    target: Any = None
    settings: ChaidSettings = field(default_factory=ChaidSettings)
    note: str = ""


@dataclass(frozen=True)
class AnalysisSpec:
    """The validated analyses.yaml: levels, groups, default settings and the analyses."""

    variables: Mapping[str, Level]
    groups: Mapping[str, tuple[str, ...]]
    settings: ChaidSettings = field(default_factory=ChaidSettings)
    analyses: tuple[Analysis, ...] = ()
    path: Path | None = None

    def level(self, name: str) -> Level | None:
        return self.variables.get(name)


def parse_analysis_spec(text: str, path: str | Path) -> AnalysisSpec:
    """analyses.yaml from text; every problem names its line."""
    data, lines = load_yaml(text, path, error=AnalysisError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AnalysisError("expected a mapping at the top level", path=path, line=1)
    try:
        model = SpecModel.model_validate(data)
    except ValidationError as exc:
        line, msg = pydantic_problems(exc, lines)[0]
        raise AnalysisError(
            msg, path=path, line=line, hint="see the comment at the top of analyses.yaml"
        ) from None
    for group, members in model.groups.items():
        for i, name in enumerate(members):
            if name not in model.variables:
                raise AnalysisError(
                    f"group '{group}': variable '{name}' has no measurement level",
                    path=path,
                    line=lines.line(("groups", group, i)),
                    hint="add it under 'variables' with nominal, ordinal or scale",
                )
    try:
        defaults = model.settings.apply(ChaidSettings())
    except UsageError as exc:
        raise AnalysisError(exc.message, path=path, line=lines.line(("settings",))) from None
    analyses: list[Analysis] = []
    seen: dict[str, int] = {}
    for i, a in enumerate(model.analyses):
        line = lines.line(("analyses", i))
        if a.id in seen:
            raise AnalysisError(
                f"analysis id '{a.id}' is used twice (also analysis {seen[a.id] + 1})",
                path=path,
                line=line,
                hint="ids name the output files; make them unique",
            )
        seen[a.id] = i
        for key, items in (("predictors", a.predictors), ("control", a.control)):
            for j, item in enumerate(items):
                for part in _parts([item]):
                    name = part.lstrip(EXCLUDE_PREFIX)
                    if name.startswith(GROUP_PREFIX) and name[1:] not in model.groups:
                        raise AnalysisError(
                            f"analysis '{a.id}': unknown group '{name}'",
                            path=path,
                            line=lines.line(("analyses", i, key, j)),
                            hint="groups: " + ", ".join("@" + g for g in model.groups),
                        )
        try:
            settings = a.settings.apply(defaults)
        except UsageError as exc:
            raise AnalysisError(
                exc.message, path=path, line=lines.line(("analyses", i, "settings"))
            ) from None
        analyses.append(
            Analysis(a.id, a.outcome, a.predictors, a.control, a.target, settings, a.note.strip())
        )
    return AnalysisSpec(
        variables=dict(model.variables),
        groups=dict(model.groups),
        settings=defaults,
        analyses=tuple(analyses),
        path=Path(path),
    )


def load_analysis_spec(path: Path) -> AnalysisSpec:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnalysisError(
            "no analysis definitions",
            path=path,
            hint="create variables/analyses.yaml (see the bundled example project)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError(f"cannot read: {exc}", path=path) from None
    return parse_analysis_spec(text, path)


# --- predictors ----------------------------------------------------------------------------


def _parts(items: Iterable[str]) -> list[str]:
    """Items as given on a command line or in YAML: each may hold several, comma separated."""
    return [p.strip() for item in items for p in str(item).split(",") if p.strip()]


def infer_level(series: pd.Series) -> Level:
    """A measurement level for a column the spec does not list: SPSS's usual reading."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return Level.ORDINAL if dtype.ordered else Level.NOMINAL
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return Level.NOMINAL
    if pd.api.types.is_integer_dtype(dtype) and series.nunique(dropna=True) <= 10:
        return Level.ORDINAL
    return Level.SCALE


def resolve_predictors(
    items: Sequence[str], spec: AnalysisSpec | None, df: pd.DataFrame | None = None
) -> dict[str, Level]:
    """Names and @groups -> {column: level}, in the order given.

    '-name' and '-@group' remove again; 'name:level' sets a level. A name the spec does not
    list gets a level inferred from its column (infer_level).
    """
    out: dict[str, Level] = {}
    for part in _parts(items):
        exclude = part.startswith(EXCLUDE_PREFIX)
        token = part[1:] if exclude else part
        names: list[tuple[str, Level | None]]
        if token.startswith(GROUP_PREFIX):
            group = token[1:]
            groups = {} if spec is None else spec.groups
            if group not in groups:
                raise UsageError(
                    f"unknown predictor group '{token}'",
                    path=None if spec is None else spec.path,
                    hint=(
                        "groups: " + ", ".join("@" + g for g in groups)
                        if groups
                        else "no variables/analyses.yaml defines groups; name the predictors"
                    ),
                )
            names = [(n, None) for n in groups[group]]
        else:
            name, _, level_text = token.partition(":")
            level: Level | None = None
            if level_text:
                try:
                    level = Level(level_text)
                except ValueError:
                    raise UsageError(
                        f"predictor '{name}': unknown measurement level '{level_text}'",
                        hint="use nominal, ordinal or scale",
                    ) from None
            names = [(name, level)]
        for name, level in names:
            if exclude:
                out.pop(name, None)
                continue
            if level is None and spec is not None:
                level = spec.level(name)
            if level is None:
                if df is None or name not in df.columns:
                    level = Level.NOMINAL  # checked against the table later
                else:
                    level = infer_level(df[name])
            out.pop(name, None)
            out[name] = level
    return out


def _missing_column(name: str, df: pd.DataFrame, what: str) -> AnalysisError:
    close = difflib.get_close_matches(name, [str(c) for c in df.columns], n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "see the columns with 'codeer join'"
    return AnalysisError(f"{what} '{name}' is not a column of the table", hint=hint)


def check_table(df: pd.DataFrame, outcome: str) -> None:
    """The table and outcome can grow a tree: clear messages before the engine's."""
    if len(df.columns) == 0 or len(df) == 0:
        raise AnalysisError("the table is empty", hint="run 'codeer join' on a project with data")
    if outcome not in df.columns:
        raise _missing_column(outcome, df, "outcome")
    values = df[outcome]
    if values.isna().all():
        raise AnalysisError(f"outcome '{outcome}' is missing for every case")
    if values.nunique(dropna=True) < 2:
        raise AnalysisError(
            f"outcome '{outcome}' is constant ({values.dropna().iloc[0]})",
            hint="CHAID needs an outcome with at least two categories",
        )


def usable_predictors(
    df: pd.DataFrame,
    outcome: str,
    predictors: Mapping[str, Level],
    *,
    explicit: Iterable[str] = (),
) -> tuple[dict[str, Level], list[str]]:
    """Predictors that can split, and notes on the group members that cannot.

    A named predictor that is not a column, is constant or always missing is an error; a
    member of a group is left out with a note (a group may hold columns a subset lacks).
    """
    named = set(explicit)
    keep: dict[str, Level] = {}
    notes: list[str] = []
    rows = df[outcome].notna()
    for name, level in predictors.items():
        if name == outcome:
            if name in named:
                raise UsageError(f"'{name}' is both the outcome and a predictor")
            notes.append(f"{name}: left out (it is the outcome)")
            continue
        if name not in df.columns:
            if name in named:
                raise _missing_column(name, df, "predictor")
            notes.append(f"{name}: left out (not a column of the table)")
            continue
        values = df.loc[rows, name]
        problem = None
        if values.isna().all():
            problem = "is missing for every case"
        elif values.nunique(dropna=True) < 2 and not values.isna().any():
            problem = f"has one category ({values.dropna().iloc[0]})"
        if problem is not None:
            if name in named:
                raise AnalysisError(
                    f"predictor '{name}' {problem}",
                    hint="a predictor that does not vary cannot split anything; drop it",
                )
            notes.append(f"{name}: left out ({problem})")
            continue
        keep[name] = level
    if not keep:
        raise AnalysisError(
            f"no usable predictor for '{outcome}'",
            hint="; ".join(notes) or "name at least one predictor",
        )
    return keep, notes


# --- growing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitSummary:
    """A split as the report states it: where, on what, into which groups, how significant."""

    node: int
    depth: int
    variable: str
    groups: tuple[str, ...]
    statistic: float
    df: int
    adjusted_p: float
    n: float

    @classmethod
    def of(cls, tree: Tree, node_id: int, split: Split | None = None) -> SplitSummary:
        node = tree.nodes[node_id]
        split = split or node.split
        assert split is not None
        return cls(
            node=node.id,
            depth=node.depth,
            variable=split.variable,
            groups=tuple(tree.nodes[c].branch_label for c in split.children),
            statistic=split.statistic,
            df=split.df,
            adjusted_p=split.adjusted_p,
            n=node.n,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "depth": self.depth,
            "variable": self.variable,
            "groups": list(self.groups),
            "statistic": _finite(self.statistic),
            "df": self.df,
            "adjusted_p": self.adjusted_p,
            "n": self.n,
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def splits_of(tree: Tree) -> tuple[SplitSummary, ...]:
    """Every split of the tree, breadth first."""
    return tuple(SplitSummary.of(tree, n.id) for n in tree.nodes if n.split is not None)


def target_class(tree: Tree, target: Any = None) -> Any:
    """The class whose percentage the tree shows: the given one, else 1/True, else the modal."""
    if target is not None:
        from codeer.chaid.encoding import jsonable

        for c in tree.classes:  # a command line gives '1' for the class 1
            if target in (c.value, c.label) or str(jsonable(c.value)) == str(target):
                return c
        return tree.find_class(target)  # raises, listing the classes
    for c in tree.classes:
        if c.value is True or (not isinstance(c.value, bool) and c.value == 1):
            return c
    root = tree.root
    assert root.distribution is not None
    best = max(range(len(tree.classes)), key=lambda k: (root.distribution[k], -k))  # type: ignore[index]
    return tree.classes[best]


def grow(
    df: pd.DataFrame,
    outcome: str,
    predictors: Mapping[str, Level],
    settings: ChaidSettings | None = None,
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    explicit: Iterable[str] = (),
) -> tuple[Tree, list[str]]:
    """One tree, after the checks that give a clear message; notes on predictors left out."""
    from codeer.chaid.tree import grow_tree

    check_table(df, outcome)
    usable, notes = usable_predictors(df, outcome, predictors, explicit=explicit)
    tree = grow_tree(df, outcome, usable, settings, value_labels=value_labels)
    return tree, notes


def strongest_at_root(
    df: pd.DataFrame,
    tree: Tree,
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> SplitSummary | None:
    """When the root is not split: the predictor that came closest (its adjusted p)."""
    from codeer.chaid.tree import grow_tree

    if tree.root.split is not None or tree.settings.max_depth == 0:
        return None
    relaxed = replace(tree.settings, max_depth=1, alpha_split=1 - 1e-12)
    levels = {p.name: p.level for p in tree.predictors}
    probe = grow_tree(df, tree.target, levels, relaxed, value_labels=value_labels)
    return None if probe.root.split is None else SplitSummary.of(probe, 0)


# --- the intervening-factor check -----------------------------------------------------------


class Status(StrEnum):
    SURVIVES = "survives"
    """The same variable splits at the same depth once the controls enter."""
    CHANGES_LEVEL = "changes_level"
    """The variable still splits, but only at another depth."""
    DISAPPEARS = "disappears"
    """The variable no longer splits anywhere."""
    APPEARS = "appears"
    """Not a split without controls; splits once the controls enter."""


@dataclass(frozen=True)
class InterveningCheck:
    """One split of the tree without controls, and what became of it with them."""

    variable: str
    status: Status
    split: SplitSummary | None
    """The split in the tree without controls (None for APPEARS)."""
    controlled: tuple[SplitSummary, ...]
    """Where the variable splits in the tree with controls."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "status": str(self.status),
            "split": None if self.split is None else self.split.to_dict(),
            "controlled": [s.to_dict() for s in self.controlled],
        }


def compare_trees(
    without: Tree, controlled: Tree, variables: Iterable[str] | None = None
) -> tuple[InterveningCheck, ...]:
    """For each split of `without` (on `variables`, default all): survives, changes level or
    disappears in `controlled`; then the `variables` that only split with the controls."""
    watched = None if variables is None else set(variables)
    before = [s for s in splits_of(without) if watched is None or s.variable in watched]
    after = splits_of(controlled)
    by_var: dict[str, list[SplitSummary]] = {}
    for s in after:
        by_var.setdefault(s.variable, []).append(s)
    checks: list[InterveningCheck] = []
    for s in before:
        found = tuple(by_var.get(s.variable, ()))
        if not found:
            status = Status.DISAPPEARS
        elif any(c.depth == s.depth for c in found):
            status = Status.SURVIVES
        else:
            status = Status.CHANGES_LEVEL
        checks.append(InterveningCheck(s.variable, status, s, found))
    seen = {s.variable for s in before}
    candidates = watched if watched is not None else {p.name for p in without.predictors}
    for var, where in by_var.items():
        if var in candidates and var not in seen:
            checks.append(InterveningCheck(var, Status.APPEARS, None, tuple(where)))
            seen.add(var)
    return tuple(checks)


# --- results and outputs ---------------------------------------------------------------------


@dataclass(frozen=True)
class TreeSummary:
    """What the report says about one tree, and where it was written."""

    predictors: Mapping[str, Level]
    n: float
    target_label: str
    target_percent: float
    first_split: SplitSummary | None
    splits: tuple[SplitSummary, ...]
    strongest: SplitSummary | None
    """When the root is not split: the predictor closest to significance."""
    notes: tuple[str, ...]
    json_path: Path | None = None
    svg_path: Path | None = None
    tree: Tree | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "predictors": {k: str(v) for k, v in self.predictors.items()},
            "n": self.n,
            "target": self.target_label,
            "target_percent": self.target_percent,
            "first_split": None if self.first_split is None else self.first_split.to_dict(),
            "splits": [s.to_dict() for s in self.splits],
            "strongest_at_root": None if self.strongest is None else self.strongest.to_dict(),
            "notes": list(self.notes),
            "json": None if self.json_path is None else self.json_path.name,
            "svg": None if self.svg_path is None else self.svg_path.name,
        }


@dataclass(frozen=True)
class AnalysisResult:
    """One study analysis: the tree on the predictors, and with the controls when asked."""

    id: str
    outcome: str
    target: Any
    settings: ChaidSettings
    without: TreeSummary
    controlled: TreeSummary | None
    intervening: tuple[InterveningCheck, ...]
    note: str = ""

    @property
    def first_split(self) -> SplitSummary | None:
        return self.without.first_split

    @property
    def controlled_first_split(self) -> SplitSummary | None:
        return None if self.controlled is None else self.controlled.first_split

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "target": _jsonable(self.target),
            "settings": self.settings.to_dict(),
            "note": self.note,
            "without_controls": self.without.to_dict(),
            "with_controls": None if self.controlled is None else self.controlled.to_dict(),
            "intervening": [c.to_dict() for c in self.intervening],
        }


def _jsonable(value: Any) -> Any:
    from codeer.chaid.encoding import jsonable

    return jsonable(value)


def summarize(
    df: pd.DataFrame,
    tree: Tree,
    target: Any,
    notes: Sequence[str],
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> TreeSummary:
    cls = target_class(tree, target)
    root = tree.root
    assert root.distribution is not None
    splits = splits_of(tree)
    return TreeSummary(
        predictors={p.name: p.level for p in tree.predictors},
        n=root.n,
        target_label=cls.label,
        target_percent=100 * root.distribution[cls.code] / root.n if root.n else 0.0,
        first_split=splits[0] if splits and splits[0].node == 0 else None,
        splits=splits,
        strongest=strongest_at_root(df, tree, value_labels=value_labels),
        notes=tuple(notes),
        tree=tree,
    )


def run_analysis(
    df: pd.DataFrame,
    analysis: Analysis,
    spec: AnalysisSpec | None,
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> AnalysisResult:
    """Grow the tree on the predictors and, with controls, on predictors + controls."""
    check_table(df, analysis.outcome)
    explicit = {
        p.split(":")[0]
        for p in _parts(analysis.predictors) + _parts(analysis.control)
        if not p.startswith((GROUP_PREFIX, EXCLUDE_PREFIX))
    }
    predictors = resolve_predictors(analysis.predictors, spec, df)
    tree, notes = grow(
        df,
        analysis.outcome,
        predictors,
        analysis.settings,
        value_labels=value_labels,
        explicit=explicit,
    )
    target = analysis.target
    without = summarize(df, tree, target, notes, value_labels=value_labels)
    controlled: TreeSummary | None = None
    checks: tuple[InterveningCheck, ...] = ()
    if analysis.control:
        both = dict(predictors)
        for name, level in resolve_predictors(analysis.control, spec, df).items():
            both.setdefault(name, level)
        ctree, cnotes = grow(
            df,
            analysis.outcome,
            both,
            analysis.settings,
            value_labels=value_labels,
            explicit=explicit,
        )
        controlled = summarize(df, ctree, target, cnotes, value_labels=value_labels)
        checks = compare_trees(tree, ctree, {p.name for p in tree.predictors})
    return AnalysisResult(
        id=analysis.id,
        outcome=analysis.outcome,
        target=target,
        settings=analysis.settings,
        without=without,
        controlled=controlled,
        intervening=checks,
        note=analysis.note,
    )


def output_paths(out_dir: Path, name: str) -> tuple[Path, Path]:
    return out_dir / f"{name}.json", out_dir / f"{name}.svg"


def tree_document(
    result: AnalysisResult,
    which: TreeSummary,
    *,
    variable_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON written for one tree: the analysis, the summary, the whole tree."""
    assert which.tree is not None
    labels = variable_labels or {}
    used = [result.outcome, *which.predictors]
    doc: dict[str, Any] = {
        "analysis": result.id,
        "outcome": result.outcome,
        "controls": which is result.controlled,
        "note": result.note,
        "summary": which.to_dict(),
        "variable_labels": {k: labels[k] for k in used if k in labels},
        "tree": which.tree.to_dict(),
    }
    if which is result.controlled:
        doc["intervening"] = [c.to_dict() for c in result.intervening]
    return doc


def dumps(data: Any) -> str:
    """Deterministic JSON: sorted keys, no NaN or infinity (null instead), newline at the end."""
    return json.dumps(_clean(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def render_outputs(
    result: AnalysisResult,
    out_dir: Path,
    *,
    name: str | None = None,
    variable_labels: Mapping[str, str] | None = None,
) -> tuple[AnalysisResult, dict[Path, str]]:
    """The files for a result (JSON + SVG per tree), not yet written; the result with paths."""
    from codeer.treeplot import tree_svg

    base = name or result.id
    files: dict[Path, str] = {}
    summaries: dict[str, TreeSummary] = {}
    for key, summary, stem in (
        ("without", result.without, base),
        ("controlled", result.controlled, base + CONTROL_SUFFIX),
    ):
        if summary is None:
            continue
        json_path, svg_path = output_paths(out_dir, stem)
        summary = replace(summary, json_path=json_path, svg_path=svg_path)
        summaries[key] = summary
    result = replace(
        result,
        without=summaries["without"],
        controlled=summaries.get("controlled"),
    )
    for summary in (result.without, result.controlled):
        if summary is None:
            continue
        assert summary.tree is not None and summary.json_path and summary.svg_path
        files[summary.json_path] = dumps(
            tree_document(result, summary, variable_labels=variable_labels)
        )
        title = f"{result.outcome}: {summary.target_label}"
        if summary is result.controlled:
            title += " (with controls)"
        files[summary.svg_path] = tree_svg(
            summary.tree,
            target=target_class(summary.tree, result.target).value,
            title=title,
            variable_labels=variable_labels,
        )
    return result, files


def write_files(files: Mapping[Path, str]) -> None:
    from codeer.store import atomic_write_text

    for path in sorted(files):
        atomic_write_text(path, files[path])


def run_study_analyses(
    individual: pd.DataFrame,
    spec: AnalysisSpec | Path,
    out_dir: Path,
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    variable_labels: Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[AnalysisResult]:
    """Every analysis of the spec: trees without and with controls, JSON + SVG in out_dir.

    All trees are grown before anything is written, so bad input leaves earlier outputs as
    they were. Reruns write byte-identical files.
    """
    if not isinstance(spec, AnalysisSpec):
        spec = load_analysis_spec(Path(spec))
    if not spec.analyses:
        raise AnalysisError(
            "no analyses defined", path=spec.path, hint="add them under 'analyses:'"
        )
    results: list[AnalysisResult] = []
    files: dict[Path, str] = {}
    for analysis in spec.analyses:
        if progress is not None:
            progress(analysis.id)
        try:
            result = run_analysis(individual, analysis, spec, value_labels=value_labels)
        except (AnalysisError, UsageError) as exc:
            raise type(exc)(
                f"analysis '{analysis.id}': {exc.message}", path=spec.path, hint=exc.hint
            ) from None
        result, out = render_outputs(result, out_dir, variable_labels=variable_labels)
        results.append(result)
        files.update(out)
    summary = {"analyses": [r.to_dict() for r in results]}
    files[out_dir / "analyses.json"] = dumps(summary)
    write_files(files)
    return results
