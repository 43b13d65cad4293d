"""``codeer validate``: check a project and show every problem with file and line."""

from __future__ import annotations

import json

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode


@click.command("validate")
@project_option
@json_option
@click.option("--reanchor", is_flag=True, help="Save re-anchored codings of changed transcripts.")
def command(project: str, as_json: bool, reanchor: bool) -> int:
    """Check codebook, transcripts and codings (exit 0 clean, 1 problems, 2 unreadable)."""
    from rich.console import Console
    from rich.table import Table

    from codeer.validation import save_reanchored, validate_project

    report = validate_project(project)
    saved = save_reanchored(project, report) if reanchor and report.reanchored else []
    if as_json:
        data = report.to_dict()
        data["saved"] = [str(p) for p in saved]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        out = Console()
        table = Table(title=f"codeer validate — {report.root}", show_lines=False)
        table.add_column("what")
        table.add_column("count", justify="right")
        table.add_row("codes in codebook", str(report.codes))
        for role, n in sorted(report.transcripts.items()):
            table.add_row(f"transcripts ({role})", str(n))
        for coder in sorted(report.codings):
            table.add_row(
                f"codings by {coder}",
                f"{report.codings[coder]} in {report.coded_files[coder]} files",
            )
        for status in ("kept", "moved", "fuzzy", "orphaned"):
            if report.anchors.get(status):
                table.add_row(f"codings {status}", str(report.anchors[status]))
        table.add_row("errors", str(len(report.errors)), style="red" if report.errors else "green")
        table.add_row("warnings", str(len(report.findings) - len(report.errors)))
        out.print(table)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        for f in report.findings:
            err.print(f.format(report.root), markup=False)
        for p in saved:
            err.print(f"saved re-anchored codings: {p}", markup=False)
    return int(ExitCode.OK if report.ok else ExitCode.PROBLEMS)
