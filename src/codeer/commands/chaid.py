"""``codeer chaid``: grow a CHAID tree on the joined data; with --control, the intervening check.

The tree is printed as a tree, written as JSON and SVG (variables/chaid/<outcome>[_control]);
--study runs every analysis of variables/analyses.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.tree import Tree as RichTree

    from codeer.analyses import AnalysisResult, AnalysisSpec, TreeSummary
    from codeer.chaid.settings import ChaidSettings
    from codeer.chaid.tree import Tree


@click.command("chaid")
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings give the variables.")
@click.option("--outcome", default=None, help="The outcome column, e.g. uitkomst_mob.")
@click.option(
    "--predictors",
    "predictors",
    multiple=True,
    help="Predictors: names or @groups from variables/analyses.yaml, comma separated or "
    "repeated; '-name' removes, 'name:scale' sets a level. Default @steunpunt.",
)
@click.option(
    "--control",
    "control",
    multiple=True,
    help="Possible intervening factors (e.g. @client): grow with and without them.",
)
@click.option("--target", "target", default=None, help="Category whose % the tree shows.")
@click.option("--study", is_flag=True, help="Run every analysis of variables/analyses.yaml.")
@click.option("--exhaustive", is_flag=True, help="Exhaustive CHAID (Biggs et al. 1991).")
@click.option("--max-depth", type=click.IntRange(min=0), default=None, help="Default 3.")
@click.option("--min-parent", type=click.FloatRange(min=0), default=None, help="Default 100.")
@click.option("--min-child", type=click.FloatRange(min=0), default=None, help="Default 50.")
@click.option("--alpha-split", type=float, default=None, help="Default 0.05.")
@click.option("--alpha-merge", type=float, default=None, help="Default 0.05.")
@click.option("--likelihood-ratio", is_flag=True, help="Likelihood-ratio instead of Pearson.")
@click.option("--no-bonferroni", is_flag=True, help="Do not adjust p-values.")
@click.option(
    "--intervals", type=click.IntRange(min=2), default=None, help="Bins for scale predictors."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the JSON and SVG files; default variables/chaid.",
)
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Analyse this CSV table (as 'codeer join' writes it) instead of joining the project.",
)
@json_option
def command(
    project: str,
    coder: str,
    outcome: str | None,
    predictors: tuple[str, ...],
    control: tuple[str, ...],
    target: str | None,
    study: bool,
    exhaustive: bool,
    max_depth: int | None,
    min_parent: float | None,
    min_child: float | None,
    alpha_split: float | None,
    alpha_merge: float | None,
    likelihood_ratio: bool,
    no_bonferroni: bool,
    intervals: int | None,
    out_dir: Path | None,
    data: Path | None,
    as_json: bool,
) -> int:
    """Grow CHAID trees relating steunpunt characteristics to an outcome.

    \b
    codeer chaid --outcome uitkomst_mob --predictors @steunpunt --control @client
    codeer chaid --study
    """
    from rich.console import Console

    from codeer.analyses import analyses_spec_path, load_analysis_spec
    from codeer.project import Project

    err = Console(stderr=True, highlight=False)
    overrides: dict[str, Any] = {
        "max_depth": max_depth,
        "min_parent": min_parent,
        "min_child": min_child,
        "alpha_split": alpha_split,
        "alpha_merge": alpha_merge,
        "intervals": intervals,
    }
    if exhaustive:
        overrides["method"] = "exhaustive"
    if likelihood_ratio:
        overrides["chi_square"] = "likelihood_ratio"
    if no_bonferroni:
        overrides["bonferroni"] = False
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if study and (outcome or predictors or control or target or overrides):
        raise UsageError(
            "--study runs the analyses as variables/analyses.yaml defines them",
            hint="leave out --outcome, --predictors, --control, --target and the settings, "
            "or change them in the file",
        )
    if not study and not outcome:
        raise UsageError("give --outcome (or --study)", hint="e.g. --outcome uitkomst_mob")

    proj = Project(project)
    spec_path = analyses_spec_path(proj.paths)
    spec = load_analysis_spec(spec_path) if (study or spec_path.exists()) else None
    settings = _settings(spec, overrides)
    out = out_dir if out_dir is not None else proj.paths.chaid_dir
    if data is not None:
        joined = _read_data(proj, data)
    else:
        from codeer.join import join_project

        proj.require_coder(coder)
        with err.status("joining registrations and steunpunt variables", spinner="dots"):
            joined = join_project(proj, coder)
    if study:
        assert spec is not None
        return _study(joined, spec, out, as_json, err)

    from codeer.analyses import Analysis, render_outputs, run_analysis, write_files

    assert outcome is not None
    analysis = Analysis(
        id=outcome,
        outcome=outcome,
        predictors=predictors or ("@steunpunt",),
        control=control,
        target=target,
        settings=settings,
    )
    with err.status("growing the tree" + ("s" if control else ""), spinner="dots"):
        result = run_analysis(joined.individual, analysis, spec, value_labels=joined.value_labels)
        result, files = render_outputs(result, out, variable_labels=joined.variable_labels)
    write_files(files)
    if as_json:
        click.echo(json.dumps(_json_document(result), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        _print_result(Console(), result)
    for path in sorted(files):
        err.print(f"wrote {path}", markup=False)
    return int(ExitCode.OK)


def _read_data(proj: Any, path: Path) -> Any:
    """A table codeer wrote, typed by the project's registration dictionary when it has one."""
    from codeer.errors import DataError
    from codeer.join import JoinResult, read_table
    from codeer.registrations import load_dictionary

    if not path.is_file():
        raise DataError("no such file", path=path, hint="write it with 'codeer join'")
    d = None
    if proj.paths.registrations_dictionary.is_file():
        d = load_dictionary(proj.paths.registrations_dictionary)
    table = read_table(path, d)
    value_labels: dict[str, dict[object, str]] = {} if d is None else dict(d.value_labels())
    for col in table.columns:
        if str(col).startswith("uitkomst_"):
            value_labels[str(col)] = {0: "nee", 1: "ja"}
    variable_labels = {} if d is None else dict(d.variable_labels())
    return JoinResult(table, table.iloc[0:0], variable_labels, value_labels)


def _settings(spec: AnalysisSpec | None, overrides: dict[str, Any]) -> ChaidSettings:
    from dataclasses import replace

    from codeer.chaid.settings import ChaidSettings

    base = spec.settings if spec is not None else ChaidSettings()
    return replace(base, **overrides) if overrides else base


def _json_document(result: AnalysisResult) -> dict[str, Any]:
    from codeer.analyses import _clean

    doc: dict[str, Any] = {"analysis": result.to_dict()}
    for key, summary in (("tree", result.without), ("controlled_tree", result.controlled)):
        if summary is not None and summary.tree is not None:
            doc[key] = summary.tree.to_dict()
    return dict(_clean(doc))


def _study(joined: Any, spec: AnalysisSpec, out: Path, as_json: bool, err: Console) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from codeer.analyses import run_study_analyses

    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("CHAID analyses", total=len(spec.analyses))

        def step(name: str) -> None:
            progress.update(task, description=f"CHAID: {name}")
            progress.advance(task)

        results = run_study_analyses(
            joined.individual,
            spec,
            out,
            value_labels=joined.value_labels,
            variable_labels=joined.variable_labels,
            progress=step,
        )
    if as_json:
        from codeer.analyses import dumps

        click.echo(dumps({"analyses": [r.to_dict() for r in results]}), nl=False)
    else:
        Console().print(study_table(results))
    err.print(f"wrote {len(results)} analyses to {out}", markup=False)
    return int(ExitCode.OK)


# --- rendering -------------------------------------------------------------------------------


def study_table(results: list[AnalysisResult]) -> Table:
    """One row per analysis: first split without and with the controls, and what follows."""
    from rich.markup import escape
    from rich.table import Table

    from codeer.treeplot import format_p

    table = Table(title="CHAID: first split per analysis", show_lines=True)
    table.add_column("analysis", overflow="fold")
    table.add_column("without controls")
    table.add_column("with controls: first split", overflow="fold")
    table.add_column("adj. p", no_wrap=True)
    table.add_column("further splits (depth)", overflow="fold")
    table.add_column("steunpunt splits")
    for r in results:
        without = r.without
        if without.first_split is not None:
            s = without.first_split
            left = f"{s.variable} (adj. p = {format_p(s.adjusted_p)})"
        elif without.strongest is not None:
            s = without.strongest
            left = f"none; closest {s.variable} (adj. p = {format_p(s.adjusted_p)})"
        else:
            left = "none"
        first, p, further = "", "", ""
        if r.controlled is not None:
            f = r.controlled.first_split
            if f is None:
                first = "none"
            else:
                first = f"[bold]{escape(f.variable)}[/]\n" + "\n".join(
                    "• " + escape(g) for g in f.groups
                )
                p = format_p(f.adjusted_p)
            further = "\n".join(
                f"{x.depth}: {escape(x.variable)}" for x in r.controlled.splits if x.node != 0
            )
        checks = "\n".join(f"{c.variable}: {c.status}" for c in r.intervening) or "-"
        table.add_row(escape(r.id), escape(left), first, p, further, escape(checks))
    return table


def rich_tree(tree: Tree, *, target: Any = None, title: str | None = None) -> RichTree:
    """The tree as a rich Tree: n, % target, split variable with groups, test and adj. p."""
    from rich.markup import escape
    from rich.tree import Tree as RichTree

    from codeer.treeplot import node_share, split_test_text, target_code

    code = target_code(tree, target)
    label = "" if code is None else tree.classes[code].label
    total = tree.root.n

    def text(node_id: int) -> str:
        node = tree.nodes[node_id]
        share = node_share(tree, node, code)
        parts = []
        if node.parent is not None:
            parts.append(
                f"[magenta]{escape(node.branch_variable or '')}[/] = {escape(node.branch_label)} →"
            )
        parts.append(f"[bold]Node {node.id}[/] n = {node.n:.0f} ({100 * node.n / total:.1f}%)")
        if share is not None:
            parts.append(f"· {escape(label)} [bold]{share:.1f}%[/]")
        elif node.mean is not None:
            parts.append(f"· mean {node.mean:.2f}")
        if node.split is None and node.stop_reason is not None:
            parts.append(f"[dim]({node.stop_reason})[/]")
        line = " ".join(parts)
        if node.split is not None:
            line += (
                f"\n[cyan]split on {escape(node.split.variable)}[/] "
                f"({escape(split_test_text(node.split))})"
            )
        return line

    root = RichTree(escape(title) + "\n" + text(0) if title else text(0))
    stack: list[tuple[int, RichTree]] = [(0, root)]
    while stack:
        node_id, branch = stack.pop(0)
        for child in tree.nodes[node_id].children:
            stack.append((child, branch.add(text(child))))
    return root


def intervening_table(result: AnalysisResult) -> Table:
    from rich.markup import escape
    from rich.table import Table

    from codeer.treeplot import format_p

    colour = {
        "survives": "green",
        "changes_level": "yellow",
        "disappears": "red",
        "appears": "blue",
    }
    table = Table(title="Steunpunt splits once the controls enter")
    for head in ("variable", "without: depth", "adj. p", "status", "with: depth (adj. p)"):
        table.add_column(head)
    for c in result.intervening:
        where = ", ".join(f"{s.depth} ({format_p(s.adjusted_p)})" for s in c.controlled) or "-"
        table.add_row(
            escape(c.variable),
            "-" if c.split is None else str(c.split.depth),
            "-" if c.split is None else format_p(c.split.adjusted_p),
            f"[{colour[str(c.status)]}]{c.status}[/]",
            where,
        )
    return table


def _print_result(out: Console, result: AnalysisResult) -> None:
    def show(summary: TreeSummary, title: str) -> None:
        assert summary.tree is not None
        out.print(rich_tree(summary.tree, target=result.target, title=title))
        if summary.first_split is None and summary.strongest is not None:
            from codeer.treeplot import format_p

            s = summary.strongest
            out.print(
                f"[dim]No significant split; closest: {s.variable} "
                f"(adj. p = {format_p(s.adjusted_p)}).[/]"
            )
        from rich.markup import escape

        for note in summary.notes:
            out.print(f"[dim]note: {escape(note)}[/]", highlight=False)

    show(result.without, f"{result.outcome}: without controls")
    if result.controlled is not None:
        out.print()
        show(result.controlled, f"{result.outcome}: with controls")
        out.print()
        if result.intervening:
            out.print(intervening_table(result))
        else:
            out.print("No steunpunt split without controls and none with them.")
