"""``codeer merge``: import another copy of a coder's codings without losing or duplicating any.

The rules (identity by id, conflicts, duplicates, re-anchoring) are in ``codeer.merging``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode


@click.command("merge")
@project_option
@click.option("--coder", required=True, metavar="NAME", help="Whose codings to import.")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="PATH",
    help="Another project folder, its interviews/codings folder, or the coder's folder.",
)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@json_option
def command(project: str, coder: str, source: Path, dry_run: bool, as_json: bool) -> int:
    """Import another copy of a coder's codings (e.g. from a colleague's laptop)."""
    from codeer.merging import merge
    from codeer.project import Project

    proj = Project(project)
    report = merge(proj, coder, source, dry_run=dry_run)
    status = ExitCode.PROBLEMS if report.unknown else ExitCode.OK
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return int(status)
    from rich.console import Console
    from rich.table import Table

    out = Console()
    kinds = ("added", "same", "duplicate", "conflict", "already_merged")
    verb = "would be" if dry_run else "were"
    table = Table(
        title=f"Merge of coder '{coder}' from {report.source} ({report.source_kind})"
        + (" — dry run, nothing written" if dry_run else ""),
        caption=f"conflicts: both versions kept, the older under a new id with a memo; "
        f"codings that {verb} re-anchored are counted per status",
    )
    table.add_column("transcript")
    for k in kinds:
        table.add_column(k.replace("_", " "), justify="right")
    table.add_column("re-anchored")
    table.add_column("file")
    for tm in report.transcripts:
        counts = tm.counts()
        table.add_row(
            tm.transcript,
            *(str(counts.get(k, 0) or "") for k in kinds),
            ", ".join(f"{s} {n}" for s, n in sorted(tm.anchoring.items()))
            + (
                " (local: "
                + ", ".join(f"{s} {n}" for s, n in sorted(tm.local_anchoring.items()))
                + ")"
                if tm.local_anchoring
                else ""
            ),
            ("new" if tm.new_file else "changed") if tm.changed else "",
            style="yellow" if counts.get("conflict") or tm.anchoring.get("orphaned") else None,
        )
    out.print(table)
    for tid, a in report.conflicts:
        winner = "imported" if a.kept == "imported" else "local"
        out.print(
            f"conflict {tid} {a.imported.id} ({a.imported.code}): the {winner} version is newer "
            f"and keeps the id; the other is kept as {a.new_id}",
            markup=False,
        )
    err = Console(stderr=True, highlight=False)
    for tid, path in report.unknown:
        err.print(f"{path}: no transcript '{tid}' in this project, skipped", markup=False)
    for path in report.written:
        err.print(f"wrote {path}", markup=False)
    return int(status)
