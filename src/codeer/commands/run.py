"""``codeer run``: the whole pipeline, or ``--check`` that committed outputs are reproducible."""

from __future__ import annotations

import json
from typing import Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode


@click.command("run")
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings give the variables.")
@click.option(
    "--check",
    is_flag=True,
    help="Rerun into a temporary folder and fail if any committed output differs.",
)
@json_option
def command(project: str, coder: str, check: bool, as_json: bool) -> int:
    """Validate, derive variables, classify, join, describe and run the CHAID analyses."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from codeer.pipeline import STEPS, check_reproducible, run_pipeline

    err = Console(stderr=True, highlight=False)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("pipeline", total=len(STEPS))
        done: list[str] = []

        def step(name: str) -> None:
            if done:
                progress.advance(task)
            done.append(name)
            progress.update(task, description=f"{'check: ' if check else ''}{name}")

        if check:
            outcome = check_reproducible(project, coder, step)
            progress.advance(task)
        else:
            result = run_pipeline(project, coder, step)
            progress.advance(task)

    if check:
        return _report_check(outcome, as_json, err)
    if as_json:
        data = {"outputs": result.relative_outputs(), "summary": result.summary}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        _print_summary(result.summary, result.relative_outputs())
    return int(ExitCode.OK)


def _report_check(outcome: Any, as_json: bool, err: Any) -> int:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": outcome.ok,
                    "identical": list(outcome.identical),
                    "different": list(outcome.different),
                    "missing": list(outcome.missing),
                },
                indent=2,
            )
        )
    else:
        for rel in outcome.different:
            err.print(f"{rel}: differs from a fresh run (hint: rerun 'codeer run' and commit)")
        for rel in outcome.missing:
            err.print(f"{rel}: missing (hint: rerun 'codeer run' and commit)")
        verdict = "reproducible" if outcome.ok else "NOT reproducible"
        click.echo(
            f"{verdict}: {len(outcome.identical)} identical, {len(outcome.different)} different, "
            f"{len(outcome.missing)} missing"
        )
    return int(ExitCode.OK if outcome.ok else ExitCode.PROBLEMS)


def _print_summary(summary: dict[str, Any], outputs: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    table = Table(title="codeer run", show_header=False)
    table.add_column("what")
    table.add_column("result")
    table.add_row("transcripts", str(summary.get("transcripts", "")))
    codings = summary.get("codings", {})
    table.add_row("codings", ", ".join(f"{c}: {n}" for c, n in sorted(codings.items())))
    table.add_row(
        "steunpunten",
        f"{summary.get('steunpunten')} ({summary.get('conflicts')} conflicts, "
        f"{summary.get('missing_values')} missing values)",
    )
    werkwijze = summary.get("werkwijze", {})
    table.add_row("werkwijze", ", ".join(f"{k} {v}" for k, v in werkwijze.items()))
    table.add_row("clients", str(summary.get("clients", "")))
    outcomes = summary.get("outcomes", {})
    table.add_row("outcomes", ", ".join(f"{k} {v}" for k, v in outcomes.items()))
    for line in summary.get("analyses", []):
        table.add_row("chaid", str(line))
    table.add_row("outputs", "\n".join(outputs))
    out.print(table)
