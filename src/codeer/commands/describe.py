"""``codeer describe``: the study's descriptive tables, in the terminal, as JSON or in a workbook."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from codeer.descriptives import Table
    from codeer.project import Project


@click.command("describe")
@project_option
@click.option(
    "--level",
    type=click.Choice(["individueel", "steunpunt"]),
    default="individueel",
    show_default=True,
    help="Clients (n = registrations) or steunpunten (n = 20).",
)
@click.option("--by", "by", default=None, metavar="VAR", help="Also cross every variable by VAR.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save the tables: .xlsx (one sheet per table) or .csv (long format).",
)
@click.option("--coder", default="a", show_default=True, help="Coder for an in-memory join.")
@json_option
def command(
    project: str, level: str, by: str | None, out: Path | None, coder: str, as_json: bool
) -> int:
    """Frequencies, means, per-steunpunt ranges and crosstabs (chi-square, Cramér's V).

    Reads variables/individueel.csv (or steunpunten.csv) when present, else joins in memory.
    """
    from codeer.descriptives import individual_tables, save_tables, steunpunt_tables
    from codeer.project import Project

    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"cannot write '{out.suffix}' files", path=out, hint="use .xlsx or .csv")
    proj = Project(project)
    frame, labels = load_level(proj, level, coder)
    if by is not None and by not in frame.columns:
        raise UsageError(
            f"no variable '{by}' at level {level}",
            hint="choose one of: " + ", ".join(map(str, frame.columns[:60])),
        )
    if level == "individueel":
        tables = individual_tables(frame, labels, by=by)
    else:
        tables = steunpunt_tables(frame, labels, by=by)
    if out is not None:
        save_tables(tables, out)
    if as_json:
        click.echo(json.dumps([_table_json(t) for t in tables], indent=1, ensure_ascii=False))
    else:
        _print(tables, level, len(frame))
    if out is not None:
        click.echo(f"wrote {out}", err=True)
    return int(ExitCode.OK)


def load_level(proj: Project, level: str, coder: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The joined table of a level, from its csv if written (and not stale), else in memory.

    Either way the steunpunt variables' categories come in the order the variable rules define
    (a csv only holds the codes, so their labels and order are taken from the rules).
    """
    from codeer.descriptives import in_defined_order

    frame, labels, variables = _load_level(proj, level, coder)
    return in_defined_order(frame, labels, variables), labels


def _rule_value_labels(proj: Project) -> dict[str, dict[object, str]]:
    """Value labels of the steunpunt variables, in the rules' order, without deriving them."""
    from codeer.variables import load_project_rules, value_labels_of

    if not proj.paths.variable_rules.exists():
        return {}
    rules, typology = load_project_rules(proj)
    return value_labels_of(rules, typology, proj.codebook)


def _load_level(
    proj: Project, level: str, coder: str
) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """(table, value labels, names of the steunpunt variables) of a level."""
    from codeer.aggregates import AGGREGATE_VALUE_LABELS
    from codeer.join import indicator_value_labels, join_project, read_table
    from codeer.registrations import load_dictionary

    paths = proj.paths
    d = load_dictionary(paths.registrations_dictionary)
    labels: dict[str, Any] = {**d.value_labels(), **AGGREGATE_VALUE_LABELS}
    path = paths.individual_table("csv") if level == "individueel" else paths.steunpunt_table()
    reg = paths.registrations
    fresh = path.exists() and (not reg.exists() or path.stat().st_mtime >= reg.stat().st_mtime)
    if path.exists() and not fresh:
        click.echo(f"{path} is older than {reg}: joining in memory (run 'codeer join')", err=True)
    if fresh:
        frame = read_table(path, d)
        if level == "individueel" or "n_clienten" in frame.columns:
            rule_labels = _rule_value_labels(proj)
            labels.update(indicator_value_labels(frame.columns))
            return frame, {**rule_labels, **labels}, list(rule_labels)

    proj.require_coder(coder)
    result = join_project(proj, coder)
    labels = {**result.value_labels, **labels}
    frame = result.individual if level == "individueel" else result.steunpunten
    return frame, labels, list(_rule_value_labels(proj))


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _table_json(t: Table) -> dict[str, Any]:
    cols = [str(c) for c in t.frame.columns]
    rows = [[_cell(v) for v in row] for row in t.frame.itertuples(index=False, name=None)]
    return {"name": t.name, "title": t.title, "columns": cols, "rows": rows, "notes": list(t.notes)}


def _print(tables: list[Table], level: str, n: int) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console()
    console.print(f"[bold]codeer describe[/bold] — level {level}, n = {n}")
    for t in tables:
        rt = RichTable(title=t.title, caption="\n".join(t.notes) or None, title_justify="left")
        for col in t.frame.columns:
            numeric = t.frame[col].map(lambda v: isinstance(v, int | float)).all()
            rt.add_column(str(col), justify="right" if numeric else "left")
        for row in t.frame.itertuples(index=False, name=None):
            rt.add_row(*[_shown(v) for v in row])
        console.print(rt)


def _shown(value: Any) -> str:
    v = _cell(value)
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".") if not v.is_integer() else f"{v:.0f}"
    return str(v)
