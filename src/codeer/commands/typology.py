"""``codeer typology``: rerun the werkwijze classification and show how robust it is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from codeer.rules import TypologyRules
    from codeer.typology import SweepRange, TypologyResult


@click.command("typology")
@project_option
@click.option("--coder", default="a", show_default=True, help="Whose codings to classify.")
@click.option("--explain", is_flag=True, help="Show each steunpunt's scores and the reason.")
@click.option("--sweep", is_flag=True, help="Vary each threshold and show what changes.")
@click.option(
    "--compare",
    "compare",
    default=None,
    metavar="CODER",
    help="Also classify another coder's codings and list the differences.",
)
@json_option
def command(
    project: str, coder: str, explain: bool, sweep: bool, compare: str | None, as_json: bool
) -> int:
    """Rerun the werkwijze classification from the typologie.* descriptor codings."""
    from codeer.project import Project
    from codeer.typology import classify_all, project_counts
    from codeer.typology import sweep as run_sweep

    proj = Project(project)
    proj.require_coder(coder)
    rules, counts = project_counts(proj, coder)
    results = classify_all(counts, rules)
    sweeps = run_sweep(counts, rules) if sweep else None
    other: dict[str, TypologyResult] | None = None
    if compare is not None:
        proj.require_coder(compare)
        _, other_counts = project_counts(proj, compare)
        other = classify_all(other_counts, rules)
    if as_json:
        click.echo(
            json.dumps(_json(rules, results, sweeps, other, compare), indent=2, ensure_ascii=False)
        )
        return int(ExitCode.OK)
    from rich.console import Console

    out = Console()
    _print_results(out, rules, results, explain, coder)
    if sweeps is not None:
        _print_sweep(out, rules, sweeps)
    if other is not None and compare is not None:
        _print_compare(out, results, other, coder, compare)
    return int(ExitCode.OK)


def _json(
    rules: TypologyRules,
    results: dict[str, TypologyResult],
    sweeps: dict[str, list[SweepRange]] | None,
    other: dict[str, TypologyResult] | None,
    compare: str | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "thresholds": rules.thresholds.model_dump(),
        "steunpunten": {
            sp: {
                "counts": r.counts,
                "shares": {t: round(r.share(t), 4) for t in r.counts},
                "werkwijze": r.value,
                "reason": r.reason,
            }
            for sp, r in results.items()
        },
    }
    if sweeps is not None:
        data["sweep"] = {
            name: [
                {
                    "from": rng.low,
                    "to": rng.high,
                    "default": rng.contains_default,
                    "changes": {sp: {"from": a, "to": b} for sp, (a, b) in rng.changes.items()},
                }
                for rng in ranges
            ]
            for name, ranges in sweeps.items()
        }
    if other is not None:
        data["compare"] = {
            "coder": compare,
            "compared": sorted(
                sp for sp, r in other.items() if r.total and sp in results and results[sp].total
            ),
            "differences": {
                sp: {"this": results[sp].value if sp in results else None, "other": r.value}
                for sp, r in other.items()
                if r.total and sp in results and results[sp].total and results[sp].value != r.value
            },
        }
    return data


def _print_results(
    out: Console,
    rules: TypologyRules,
    results: dict[str, TypologyResult],
    explain: bool,
    coder: str,
) -> None:
    from rich.table import Table

    th = rules.thresholds
    table = Table(
        title=f"Werkwijze typology (coder {coder})",
        caption=(
            f"min_descriptors {th.min_descriptors}, min_primary_share {th.min_primary_share:g}, "
            f"combination_ratio {th.combination_ratio:g}, "
            f"combination_share {th.combination_share:g}"
        ),
        show_lines=explain,
    )
    table.add_column("steunpunt")
    for t in rules.types:
        table.add_column(t, justify="right")
    table.add_column("total", justify="right")
    table.add_column("werkwijze")
    if explain:
        table.add_column("why")
    for sp, r in results.items():
        cells = [
            f"{r.counts[t]} ({r.share(t):.0%})" if explain and r.total else str(r.counts[t])
            for t in rules.types
        ]
        row = [sp, *cells, str(r.total), r.value or "—"]
        if explain:
            row.append(r.reason)
        table.add_row(*row, style=None if r.value else "yellow")
    out.print(table)
    if explain:
        out.print(
            "Rules: the type with most descriptor codings is primary; the runner-up makes a "
            "combination when its count per primary coding >= combination_ratio and its share "
            ">= combination_share and the pair is a listed combination; otherwise the primary "
            "type needs a share >= min_primary_share; fewer than min_descriptors codings: no type.",
            markup=False,
        )


def _print_sweep(out: Console, rules: TypologyRules, sweeps: dict[str, list[SweepRange]]) -> None:
    from rich.table import Table

    for name, ranges in sweeps.items():
        default = getattr(rules.thresholds, name)
        table = Table(title=f"Sweep of {name} (default {default:g})", show_lines=True)
        table.add_column(name)
        table.add_column("changed", justify="right")
        table.add_column("assignments that change")
        for rng in ranges:
            changes = ", ".join(
                f"{sp}: {a or '—'} → {b or '—'}" for sp, (a, b) in sorted(rng.changes.items())
            )
            label = rng.label + ("  (default)" if rng.contains_default else "")
            table.add_row(
                label,
                str(len(rng.changes)),
                changes or "none: same as default",
                style="green" if not rng.changes else None,
            )
        out.print(table)


def _print_compare(
    out: Console,
    results: dict[str, TypologyResult],
    other: dict[str, TypologyResult],
    coder: str,
    compare: str,
) -> None:
    from rich.table import Table

    table = Table(title=f"Coder {coder} vs coder {compare}")
    table.add_column("steunpunt")
    table.add_column(f"{coder}: counts")
    table.add_column(f"{coder}: werkwijze")
    table.add_column(f"{compare}: counts")
    table.add_column(f"{compare}: werkwijze")
    for sp in sorted(set(results) | set(other)):
        a = results.get(sp)
        b = other.get(sp)
        if a is None or b is None or not a.total or not b.total:
            continue  # only steunpunten both coders gave descriptor codings
        same = a is not None and a.value == b.value
        table.add_row(
            sp,
            _counts(a),
            (a.value if a else None) or "—",
            _counts(b),
            b.value or "—",
            style=None if same else "bold red",
        )
    out.print(table)


def _counts(r: TypologyResult | None) -> str:
    if r is None:
        return ""
    return " ".join(f"{t[:3]} {n}" for t, n in r.counts.items() if n)
