"""``codeer variables``: derive the steunpunt variables, write the table and the conflicts report."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode, UsageError
from codeer.variables import conflicts_frame, text_value

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from codeer.project import Project
    from codeer.variables import Derivation, Evidence


@click.command("variables")
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings to derive from.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "sav"]),
    default="csv",
    show_default=True,
    help="File format of variables/steunpunten.<ext>.",
)
@json_option
@click.option(
    "--explain",
    nargs=2,
    metavar="STEUNPUNT VARIABLE",
    default=None,
    help="Show one value with the codings and quotes it came from (writes nothing).",
)
def command(
    project: str, coder: str, fmt: str, as_json: bool, explain: tuple[str, str] | None
) -> int:
    """Derive the steunpunt variables from the codings (rules in variables/regels.yaml)."""
    from codeer.project import Project
    from codeer.variables import derive_variables

    proj = Project(project)
    proj.require_coder(coder)
    derivation = derive_variables(proj, coder)
    if explain:
        return _explain(derivation, explain[0], explain[1], as_json)
    written = write_outputs(proj, derivation, fmt)
    if as_json:
        click.echo(json.dumps(_json(derivation, written), indent=2, ensure_ascii=False))
    else:
        _print(proj, derivation, written)
    return int(ExitCode.OK)


def write_outputs(proj: Project, derivation: Derivation, fmt: str) -> list[str]:
    """The steunpunt table and the conflicts report, each written atomically."""
    from codeer.export import write_table

    table_path = write_table(
        derivation.table,
        proj.paths.steunpunt_table(fmt),
        variable_labels={"steunpunt": "Steunpunt", **derivation.variable_labels},
        value_labels=derivation.value_labels,
    )
    conflicts_path = write_table(conflicts_frame(derivation), proj.paths.conflicts_report)
    return [str(table_path), str(conflicts_path)]


def _records(derivation: Derivation) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sp in derivation.table["steunpunt"]:
        row: dict[str, Any] = {"steunpunt": sp}
        for name in derivation.kinds:
            row[name] = derivation.value(sp, name)
        out.append(row)
    return out


def _json(derivation: Derivation, written: list[str]) -> dict[str, Any]:
    return {
        "table": _records(derivation),
        "variable_labels": derivation.variable_labels,
        "conflicts": [c.as_dict() for c in derivation.conflicts],
        "missing": [m.as_dict() for m in derivation.missing],
        "written": written,
    }


def _print(proj: Project, derivation: Derivation, written: list[str]) -> None:
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    out = Console()
    n = len(derivation.table)
    table = Table(title=f"Steunpunt variables (n = {n}) — {proj.paths.root}")
    table.add_column("variable")
    table.add_column("kind")
    table.add_column("values")
    table.add_column("missing", justify="right")
    table.add_column("conflicts", justify="right")
    missing = Counter(m.variable for m in derivation.missing)
    conflicts = Counter(c.variable for c in derivation.conflicts)
    for name, kind in derivation.kinds.items():
        values = [derivation.value(sp, name) for sp in derivation.table["steunpunt"]]
        table.add_row(
            name,
            kind,
            _distribution(values, kind),
            str(missing.get(name, 0) or ""),
            str(conflicts.get(name, 0) or ""),
            style="yellow" if missing.get(name) else None,
        )
    out.print(table)
    if derivation.conflicts:
        ct = Table(title="Conflicts (variables/conflicten.csv)", show_lines=True)
        for col in ("steunpunt", "variable", "sides", "resolution", "value"):
            ct.add_column(col)
        for c in derivation.conflicts:
            sides = "\n".join(
                f"{s.role} ({', '.join(s.transcripts)}): {text_value(s.value)} — "
                + (_short(s.evidence[0].quote, 70) if s.evidence else "")
                for s in c.sides
            )
            ct.add_row(c.steunpunt, c.variable, sides, c.resolution, text_value(c.value))
        out.print(ct)
    err = Console(stderr=True, highlight=False)
    if derivation.missing:
        per_sp = Counter(m.steunpunt for m in derivation.missing)
        err.print(
            f"{len(derivation.missing)} missing values: "
            + ", ".join(f"{sp} {k}" for sp, k in sorted(per_sp.items())),
            markup=False,
        )
    for path in written:
        err.print(f"wrote {path}", markup=False)


def _distribution(values: list[object], kind: str) -> str:
    from collections import Counter

    present = [v for v in values if v is not None]
    if kind == "numeric":
        nums = [float(v) for v in present if isinstance(v, int | float)]
        if not nums:
            return "—"
        return f"{min(nums):g} to {max(nums):g}, mean {sum(nums) / len(nums):.1f}"
    counts = Counter(text_value(v) for v in present)
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _explain(derivation: Derivation, steunpunt: str, variable: str, as_json: bool) -> int:
    import difflib

    from rich.console import Console

    names = list(derivation.table["steunpunt"])
    if steunpunt not in names:
        close = difflib.get_close_matches(steunpunt, names, n=1)
        raise UsageError(
            f"no steunpunt '{steunpunt}'",
            hint=f"did you mean '{close[0]}'?" if close else f"steunpunten: {', '.join(names)}",
        )
    if variable not in derivation.kinds:
        close = difflib.get_close_matches(variable, list(derivation.kinds), n=1)
        raise UsageError(
            f"no variable '{variable}'",
            hint=f"did you mean '{close[0]}'?"
            if close
            else f"variables: {', '.join(derivation.kinds)}",
        )
    value = derivation.value(steunpunt, variable)
    evidence = derivation.evidence(steunpunt, variable)
    conflicts = derivation.conflicts_for(steunpunt, variable)
    missing = derivation.missing_for(steunpunt, variable)
    label = derivation.value_labels.get(variable, {}).get(value) if value is not None else None
    typology = (
        derivation.typology.get(steunpunt) if derivation.kinds[variable] == "typology" else None
    )
    if as_json:
        data: dict[str, Any] = {
            "steunpunt": steunpunt,
            "variable": variable,
            "label": derivation.variable_labels.get(variable, ""),
            "value": value,
            "value_label": label,
            "evidence": [e.as_dict() for e in evidence],
            "conflicts": [c.as_dict() for c in conflicts],
            "missing": [m.reason for m in missing],
        }
        if typology is not None:
            data["typology"] = {"counts": typology.counts, "reason": typology.reason}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return int(ExitCode.OK)
    out = Console()
    shown = "missing" if value is None else text_value(value)
    out.print(f"[bold]{steunpunt}[/] · [bold]{variable}[/] = [bold cyan]{shown}[/]")
    if derivation.variable_labels.get(variable):
        out.print(f"  {derivation.variable_labels[variable]}", markup=False)
    if label and label != shown:
        out.print(f"  value label: {label}", markup=False)
    for m in missing:
        out.print(f"  missing: {m.reason}", markup=False, style="yellow")
    if typology is not None:
        counts = ", ".join(f"{t} {n}" for t, n in typology.counts.items())
        out.print(f"  descriptors: {counts}", markup=False)
        out.print(f"  rule: {typology.reason}", markup=False)
    if evidence:
        out.print(f"\n[bold]Codings behind the value[/] ({len(evidence)})")
        _print_evidence(out, evidence)
    for c in conflicts:
        out.print(f"\n[bold]Conflict ({c.kind}):[/] {c.resolution}")
        for side in c.sides:
            out.print(
                f"  [bold]{side.role}[/] says [bold]{text_value(side.value)}[/]"
                f" ({', '.join(side.transcripts)})"
            )
            _print_evidence(out, side.evidence, indent="    ")
    bases = {e.basis for e in evidence} | {
        e.basis for c in conflicts for side in c.sides for e in side.evidence
    }
    if bases & {"topic", "none", "implied"}:
        out.print(
            "\n[dim]\\[topic]/\\[none]: the interview discussed the topic without the code, read "
            "as 'no' (or the rule's none value); \\[implied]: the code implies a value.[/]"
        )
    return int(ExitCode.OK)


def _print_evidence(out: Console, evidence: Sequence[Evidence], indent: str = "  ") -> None:
    """One coding a paragraph: where, which code, how the rule used it, then the quote."""
    from rich.text import Text

    for e in evidence:
        head = Text(indent)
        head.append(f"{e.transcript}", style="cyan")
        head.append(f" ({e.role}) {e.code}")
        if e.value is not None:
            head.append(f" = {text_value(e.value)}", style="bold")
        head.append(f"  [{e.basis}]", style="dim")
        out.print(head)
        out.print(Text(f"{indent}  “{' '.join(e.quote.split())}”", style="italic"))
