"""``codeer join``: validate the registrations, join them with the steunpunt variables, write both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode

if TYPE_CHECKING:
    from codeer.join import JoinResult
    from codeer.registrations import RegistrationProblems


@click.command("join")
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings give the variables.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "sav"]),
    default="csv",
    show_default=True,
    help="Format of variables/individueel.<ext> and variables/steunpunten.<ext>.",
)
@click.option(
    "--registrations",
    "registrations",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Registration file (.csv, .xlsx or .sav); default variables/registraties.csv.",
)
@json_option
def command(project: str, coder: str, fmt: str, registrations: Path | None, as_json: bool) -> int:
    """Validate registrations and join them with the steunpunt variables.

    Every bad cell is reported (row, column, value, rule) and nothing is written.
    """
    from rich.console import Console

    from codeer.join import join_project
    from codeer.project import Project
    from codeer.registrations import RegistrationProblems

    err = Console(stderr=True, highlight=False)
    proj = Project(project)
    proj.require_coder(coder)
    try:
        with err.status("validating and joining registrations", spinner="dots"):
            result = join_project(proj, coder, registrations)
    except RegistrationProblems as exc:
        _report_problems(exc, as_json)
        raise
    written = _write(proj.paths, result, fmt, err)
    if as_json:
        click.echo(json.dumps(_summary(result, written), indent=2, ensure_ascii=False))
    else:
        _print(result, written)
    return int(ExitCode.OK)


def _report_problems(exc: RegistrationProblems, as_json: bool) -> None:
    if as_json:
        records: list[dict[str, Any]] = [
            {"row": p.row, "column": p.column, "value": p.value, "rule": p.rule}
            for p in exc.items()
        ]
        click.echo(json.dumps({"ok": False, "file": exc.path, "problems": records}, indent=2))
        return
    click.echo("\n".join(exc.lines()), err=True)


def _write(paths: Any, result: JoinResult, fmt: str, err: Any) -> list[str]:
    from codeer.export import write_table

    with err.status(f"writing {fmt} tables", spinner="dots"):
        ind = write_table(
            result.individual,
            paths.individual_table(fmt),
            variable_labels=result.variable_labels,
            value_labels=result.value_labels,
        )
        sp = write_table(
            result.steunpunten,
            paths.steunpunt_table(fmt),
            variable_labels=result.variable_labels,
            value_labels=result.value_labels,
        )
    return [str(ind), str(sp)]


def _summary(result: JoinResult, written: list[str]) -> dict[str, Any]:
    ind, sp = result.individual, result.steunpunten
    return {
        "ok": True,
        "rows": len(ind),
        "steunpunten": len(sp),
        "individual_columns": [str(c) for c in ind.columns],
        "steunpunt_columns": [str(c) for c in sp.columns],
        "outcomes": {str(k): int(v) for k, v in ind["uitkomst"].value_counts(sort=False).items()},
        "written": written,
    }


def _print(result: JoinResult, written: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    sp = result.steunpunten
    table = Table(title=f"Registrations per steunpunt (n = {len(result.individual)})")
    cols = [
        ("steunpunt", "steunpunt", "{}"),
        ("n_clienten", "clients", "{}"),
        ("aandeel_uitkomst_in_begeleiding", "in guidance", "{:.0%}"),
        ("aandeel_uitkomst_verblijfsvergunning", "permit", "{:.0%}"),
        ("aandeel_uitkomst_mob", "MOB", "{:.0%}"),
        ("beeindiging", "ended mostly", "{}"),
        ("aandeel_vastlopend", "stalled", "{:.0%}"),
    ]
    present = [c for c in cols if c[0] in sp.columns]
    for _, head, _ in present:
        table.add_column(head, justify="left" if head in ("steunpunt", "ended mostly") else "right")
    for _, row in sp.iterrows():
        table.add_row(*[_fmt(row[c], f) for c, _, f in present])
    out.print(table)
    err = Console(stderr=True, highlight=False)
    for path in written:
        err.print(f"wrote {path}", markup=False)


def _fmt(value: Any, fmt: str) -> str:
    try:
        if value is None or value != value:
            return ""
        return fmt.format(value)
    except (TypeError, ValueError):
        return str(value)
