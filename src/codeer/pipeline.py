"""The whole pipeline on a project: validate, derive, classify, join, describe, analyse.

Every output goes under ``variables/`` and is deterministic (no timestamps, sorted JSON, fixed
seeds), so ``codeer run --check`` can rerun the pipeline into a temporary copy of the project and
demand byte-identical files: a published result can be checked by anyone with the repository.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeer.errors import CodeerError, DataError, ExitCode
from codeer.paths import ProjectPaths

Step = Callable[[str], None]

STEPS = ("validate", "variables", "join", "describe", "chaid")

# what a project's pipeline reads: copied into the temporary project of --check
INPUT_DIRS = ("codebooks", "interviews")
INPUT_GLOBS = ("variables/*.yaml", "variables/registraties.*")


class PipelineError(CodeerError):
    """The pipeline stopped: its input has problems (validation findings)."""

    exit_code = ExitCode.PROBLEMS


@dataclass
class PipelineResult:
    """What the run wrote and the headline figures for the summary."""

    root: Path
    outputs: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def relative_outputs(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.outputs)


def run_pipeline(root: str | Path, coder: str = "a", step: Step | None = None) -> PipelineResult:
    """Run every step in order; stops with a PipelineError when validation finds errors."""
    from codeer.descriptives import individual_tables, steunpunt_tables, tables_to_csv_bytes
    from codeer.export import write_table
    from codeer.join import join
    from codeer.project import Project
    from codeer.registrations import load_dictionary, read_registrations
    from codeer.store import atomic_write_bytes
    from codeer.validation import validate_project
    from codeer.variables import conflicts_frame, derive_variables

    def tell(name: str) -> None:
        if step is not None:
            step(name)

    paths = ProjectPaths.of(root)
    result = PipelineResult(paths.root)

    tell("validate")
    report = validate_project(paths.root)
    if not report.ok:
        first = report.errors[0]
        raise PipelineError(
            f"validation found {len(report.errors)} error(s); first: {first.format(paths.root)}",
            path=paths.root,
            hint="run 'codeer validate' for the full list",
        )
    result.summary["codings"] = dict(report.codings)
    result.summary["transcripts"] = sum(report.transcripts.values())

    tell("variables")
    project = Project(paths.root)
    project.require_coder(coder)
    derivation = derive_variables(project, coder)
    result.outputs.append(write_table(conflicts_frame(derivation), paths.conflicts_report))
    result.summary["steunpunten"] = len(derivation.table)
    result.summary["conflicts"] = len(derivation.conflicts)
    result.summary["missing_values"] = len(derivation.missing)
    if "werkwijze" in derivation.table:
        counts = derivation.table["werkwijze"].value_counts(dropna=False).sort_index()
        result.summary["werkwijze"] = {str(k): int(v) for k, v in counts.items()}

    tell("join")
    dictionary = load_dictionary(paths.registrations_dictionary)
    registrations = read_registrations(paths.registrations, dictionary)
    joined = join(
        registrations,
        derivation.table,
        dictionary,
        variable_labels=dict(derivation.variable_labels),
        value_labels=dict(derivation.value_labels),
        source=paths.registrations,
    )
    for frame, path in (
        (joined.individual, paths.individual_table("csv")),
        (joined.steunpunten, paths.steunpunt_table("csv")),
    ):
        written = write_table(
            frame,
            path,
            variable_labels=joined.variable_labels,
            value_labels=joined.value_labels,
        )
        result.outputs.append(written)
    result.summary["clients"] = len(joined.individual)
    outcomes = joined.individual["uitkomst"].value_counts(sort=False)
    result.summary["outcomes"] = {str(k): int(v) for k, v in outcomes.items()}

    tell("describe")
    for level, tables in (
        ("individueel", individual_tables(joined.individual, joined.value_labels)),
        ("steunpunt", steunpunt_tables(joined.steunpunten, joined.value_labels)),
    ):
        path = paths.descriptives_table(level)
        atomic_write_bytes(path, tables_to_csv_bytes(tables))
        result.outputs.append(path)

    tell("chaid")
    result.outputs.extend(_analyses(paths, joined.individual, joined, result.summary))
    return result


def _analyses(
    paths: ProjectPaths, individual: Any, joined: Any, summary: dict[str, Any]
) -> list[Path]:
    from codeer.analyses import analyses_spec_path, load_analysis_spec, run_study_analyses

    spec_path = analyses_spec_path(paths)
    if not spec_path.exists():
        summary["analyses"] = []
        return []
    spec = load_analysis_spec(spec_path)
    results = run_study_analyses(
        individual,
        spec,
        paths.chaid_dir,
        value_labels=joined.value_labels,
        variable_labels=joined.variable_labels,
    )
    summary["analyses"] = [_headline(r) for r in results]
    written = [paths.chaid_dir / "analyses.json"]
    for r in results:
        for tree in (r.without, r.controlled):
            if tree is not None:
                written += [p for p in (tree.json_path, tree.svg_path) if p is not None]
    return sorted(written)


def _headline(result: Any) -> str:
    """'id: first split X (adj. p ...); with client characteristics: Y (adj. p ...)'."""

    def split(s: Any) -> str:
        return "no split" if s is None else f"{s.variable} (adj. p {s.adjusted_p:.3g})"

    text = f"{result.id}: {split(result.first_split)}"
    if result.controlled is not None:
        text += f"; with client characteristics: {split(result.controlled_first_split)}"
    return text


def copy_inputs(source: Path, target: Path) -> None:
    """Copy what the pipeline reads (not what it writes) into an empty project folder."""
    for name in INPUT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(
                source / name,
                target / name,
                ignore=shutil.ignore_patterns("suggestions", ".*"),
            )
    for pattern in INPUT_GLOBS:
        for path in sorted(source.glob(pattern)):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


@dataclass(frozen=True)
class CheckResult:
    """Outputs of a fresh run compared with the project's committed outputs."""

    identical: tuple[str, ...]
    different: tuple[str, ...]
    missing: tuple[str, ...]  # produced by the rerun but absent from the project

    @property
    def ok(self) -> bool:
        return not self.different and not self.missing


def check_reproducible(root: str | Path, coder: str = "a", step: Step | None = None) -> CheckResult:
    """Rerun into a temporary folder and compare every output byte for byte."""
    paths = ProjectPaths.of(root)
    if not paths.root.is_dir():
        raise DataError("project folder does not exist", path=paths.root, hint="check --project")
    with tempfile.TemporaryDirectory(prefix="codeer-check-") as tmp:
        fresh = Path(tmp) / "project"
        fresh.mkdir()
        copy_inputs(paths.root, fresh)
        rerun = run_pipeline(fresh, coder, step)
        identical: list[str] = []
        different: list[str] = []
        missing: list[str] = []
        for rel in rerun.relative_outputs():
            committed = paths.root / rel
            if not committed.exists():
                missing.append(rel)
            elif filecmp.cmp(committed, fresh / rel, shallow=False):
                identical.append(rel)
            else:
                different.append(rel)
    return CheckResult(tuple(identical), tuple(different), tuple(missing))
