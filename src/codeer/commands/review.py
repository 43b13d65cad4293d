"""``codeer review``: list where two coders differ and resolve it into a consensus coder.

The rules (grouping, choices, seeding, the decision log) are in ``codeer.consensus``.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.panel import Panel

    from codeer.codings import Coding
    from codeer.consensus import Disagreement
    from codeer.project import Project


@click.command("review")
@project_option
@click.option("--coders", required=True, metavar="A,B", help="The two coders to compare.")
@click.option(
    "--into",
    default="consensus",
    show_default=True,
    metavar="NAME",
    help="The consensus coder that decisions are saved as.",
)
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    metavar="ID",
    help="Only this transcript (repeatable).",
)
@click.option(
    "--seed",
    "do_seed",
    is_flag=True,
    help="First copy every exact agreement (same code, span, value) into the consensus coder.",
)
@click.option(
    "--item", "item", multiple=True, metavar="ID", help="A disagreement (see the list; repeatable)."
)
@click.option(
    "--accept",
    default=None,
    metavar="A|B|both|neither",
    help="Resolve the --item(s): keep coder A's codings, B's, both, or neither.",
)
@click.option("--undecided", is_flag=True, help="List only the items not decided yet.")
@json_option
def command(
    project: str,
    coders: str,
    into: str,
    transcripts: tuple[str, ...],
    do_seed: bool,
    item: tuple[str, ...],
    accept: str | None,
    undecided: bool,
    as_json: bool,
) -> int:
    """Review the disagreements of two coders into a consensus coder.

    Without --accept, in a terminal, each undecided item is shown and you choose; otherwise the
    items are listed. Then 'codeer variables --coder consensus' derives from the agreed set.
    """
    from codeer.commands.agreement import parse_list
    from codeer.consensus import (
        check_review_coders,
        disagreements,
        resolve_many,
        review_transcripts,
        seed,
    )
    from codeer.project import Project

    proj = Project(project)
    names = parse_list(coders, "coders")
    check_review_coders(proj, names, into)
    only = list(transcripts) or None
    err = _err()
    seeded: dict[str, int] | None = None
    if do_seed:
        seeded = seed(proj, names, into, only)
        err.print(
            f"seeded {sum(seeded.values())} agreed coding(s) into '{into}' "
            f"on {len(seeded)} transcript(s)",
            markup=False,
        )
    tids, skipped = review_transcripts(proj, names, only)
    items = [d for tid in tids for d in disagreements(proj, names, tid, into=into)]
    if item:
        by_id = {d.id: d for d in items}
        unknown = [i for i in item if i not in by_id]
        if unknown:
            raise UsageError(
                f"no disagreement with id '{unknown[0]}'",
                hint="list them with 'codeer review --coders "
                + ",".join(names)
                + "'; an item whose codings changed has a new id",
            )
        items = [by_id[i] for i in dict.fromkeys(item)]
    if accept is not None:
        if not item:
            raise UsageError(
                "--accept needs --item ID", hint="see the ids in 'codeer review' output"
            )
        resolve_many(proj, [(d, accept) for d in items], into)
        if as_json:
            click.echo(
                json.dumps(
                    {"items": [d.id for d in items], "choice": accept, "into": into}, indent=2
                )
            )
        else:
            for d in items:
                err.print(
                    f"{d.id} ({d.transcript}, {d.code}, {d.label}): {accept} → {into}",
                    markup=False,
                )
        return int(ExitCode.OK)
    if undecided:
        items = [d for d in items if d.decision is None]
    if as_json:
        data: dict[str, Any] = {
            "coders": names,
            "into": into,
            "transcripts": tids,
            "skipped_transcripts": skipped,
            "disagreements": [d.as_dict() for d in items],
        }
        if seeded is not None:
            data["seeded"] = seeded
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return int(ExitCode.OK)
    if sys.stdin.isatty() and sys.stdout.isatty():
        return _interactive(proj, items, into, names)
    from rich.console import Console

    _print_list(Console(), items, names)
    if skipped:
        err.print(f"note: {len(skipped)} transcript(s) not coded by both, skipped", markup=False)
    return int(ExitCode.OK)


def _err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(c: Coding, width: int = 70) -> str:
    value = f" = {c.value}" if c.value is not None else ""
    memo = f" (memo: {c.memo})" if c.memo else ""
    return f"{c.start}–{c.end}{value}: {_short(c.quote, width)}{memo}"


def span(c: Coding) -> str:
    return f"{c.start}–{c.end}" + (f" = {c.value}" if c.value is not None else "")


def _print_list(out: Console, items: list[Disagreement], coders: list[str]) -> None:
    from rich.table import Table

    by_tid: dict[str, list[Disagreement]] = {}
    for d in items:
        by_tid.setdefault(d.transcript, []).append(d)
    if not items:
        out.print("no disagreements")
        return
    detail = False
    if len(items) == 1:
        out.print(panel(items[0], coders))
        return
    for tid, ds in by_tid.items():
        decided = sum(d.decision is not None for d in ds)
        table = Table(
            title=f"{tid}: {len(ds)} disagreement(s), {decided} decided",
            caption="spans are code-point offsets; --item ID shows the quotes",
            show_lines=detail,
        )
        table.add_column("item", no_wrap=True)
        table.add_column("code", overflow="fold")
        table.add_column("kind")
        for c in coders:
            table.add_column(c, no_wrap=not detail)
        table.add_column("text", overflow="ellipsis", no_wrap=not detail)
        table.add_column("decision")
        for d in ds:
            table.add_row(
                d.id,
                d.code,
                d.label,
                *(
                    "\n".join((describe if detail else span)(c) for c in d.by(coder)) or "—"
                    for coder in coders
                ),
                d.text if detail else _short(d.text, 60),
                d.decision or "",
            )
        out.print(table)


def panel(d: Disagreement, coders: list[str], prefix: str = "") -> Panel:
    """One disagreement with both coders' codings and the text."""
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    body.append(d.code, style="bold")
    body.append(f" — {d.label}" + (f" (decided: {d.decision})" if d.decision else "") + "\n\n")
    for coder in coders:
        body.append(f"{coder}: ", style="bold")
        body.append("\n   ".join(describe(c, 400) for c in d.by(coder)) or "—")
        body.append("\n")
    body.append("\n" + _short(d.text, 800))
    return Panel(body, title=f"{prefix}{d.transcript} · {d.id}", expand=False)


def _interactive(proj: Project, items: list[Disagreement], into: str, coders: list[str]) -> int:
    from rich.console import Console
    from rich.prompt import Prompt

    from codeer.consensus import resolve

    out = Console()
    todo = [d for d in items if d.decision is None]
    if not todo:
        out.print("no undecided disagreements")
        return int(ExitCode.OK)
    choices = [*coders, "both", "neither", "skip", "quit"]
    for n, d in enumerate(todo, start=1):
        out.print(panel(d, coders, f"{n}/{len(todo)} · "))
        answer = Prompt.ask("keep", choices=choices, default="skip", console=out)
        if answer == "quit":
            break
        if answer == "skip":
            continue
        resolve(proj, d, answer, into)
        out.print(f"saved: {answer} → {into}")
    return int(ExitCode.OK)
