"""``codeer suggest``: propose codings from the keywords and what the coder coded, or evaluate them.

spaCy, rich and the pipeline are imported inside the command, so ``codeer --help`` stays fast.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from codeer.nlp.evaluation import Evaluation
    from codeer.nlp.suggestions import SuggestionsFile


@click.command("suggest")
@project_option
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    metavar="ID",
    help="Only this transcript (repeatable). Default: all.",
)
@click.option(
    "--coder",
    envvar="CODEER_CODER",
    metavar="NAME",
    help="Whose suggestions (and, with --evaluate, whose codings). Env: CODEER_CODER.",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="Compare fresh suggestions with the coder's codings (precision, recall, F1 per code).",
)
@click.option("--all", "show_all", is_flag=True, help="List decided suggestions too.")
@click.option(
    "--extend/--no-extend",
    default=True,
    show_default=True,
    help="Continue a suggestion into the next sentence of the turn when nothing else is proposed there.",
)
@click.option(
    "--context/--no-context",
    default=True,
    show_default=True,
    help="Let '&' keywords take parts from the sentence before or the interviewer's question.",
)
@click.option(
    "--learn/--no-learn",
    default=True,
    show_default=True,
    help="Also learn from the coder's codings where codes go (a passage model; "
    "keywords alone with --no-learn).",
)
@click.option(
    "--learn-from",
    metavar="CODER",
    help="Learn from this coder's codings instead of --coder's (e.g. a senior coder's).",
)
@click.option(
    "--target-precision",
    type=click.FloatRange(0.05, 0.99),
    default=0.55,
    show_default=True,
    help="Share of learned suggestions that should be right; lower it for more suggestions.",
)
@click.option(
    "--folds",
    type=click.IntRange(2, 50),
    default=5,
    show_default=True,
    help="With --evaluate --learn: cross-validation folds (grouped by case).",
)
@click.option(
    "--learning-curve",
    is_flag=True,
    help="With --evaluate: learn from 2, 4, 8, 12, 16 randomly drawn cases only and score the "
    "rest (3 draws each): how many interviews to code before suggestions help.",
)
@json_option
def command(
    project: str,
    transcripts: tuple[str, ...],
    coder: str | None,
    evaluate: bool,
    show_all: bool,
    extend: bool,
    context: bool,
    learn: bool,
    learn_from: str | None,
    target_precision: float,
    folds: int,
    learning_curve: bool,
    as_json: bool,
) -> int:
    """Propose codings per sentence from the codebook's keywords and the coder's codings.

    Keywords propose a code where the codebook's words for it occur. Once a coder has coded a
    few interviews, codeer also learns from those codings where each code goes (the sentences
    around a keyword, answers to a question about it) and proposes those codes in the other
    interviews. Suggestions are written to interviews/suggestions/CODER/ID.yaml; they become
    codings only when accepted in the workbench. Rejected ones are not proposed again.

    With --evaluate, the suggestions are scored against the coder's own codings; the learned
    ones are cross-validated by case, so no interview is scored by a model that saw it.
    """
    from rich.console import Console

    from codeer.project import Project

    if not coder:
        raise UsageError("no coder given", hint="pass --coder NAME (or set CODEER_CODER)")
    proj = Project(project)
    err = Console(stderr=True)
    out = Console()
    from codeer.nlp.suggestions import Suggester

    with err.status("Loading the Dutch pipeline...", spinner="dots"):
        suggester = Suggester(proj.codebook, extend=extend, context=context)
    if learning_curve and not evaluate:
        raise UsageError("--learning-curve goes with --evaluate", hint="add --evaluate")
    if evaluate:
        if transcripts:
            raise UsageError(
                "--evaluate uses every transcript the coder coded", hint="drop --transcript"
            )
        if learning_curve:
            _print_curve(proj, coder, suggester, err, out, target_precision, as_json)
            return 0
        result = _evaluate(proj, coder, suggester, err, learn, folds, target_precision)
        if as_json:
            click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            _print_evaluation(out, result)
        return 0
    ids = list(transcripts) or list(proj.transcripts)
    for tid in ids:
        proj.transcript(tid)  # unknown ids fail before anything is written
    if learn:
        if learn_from:
            proj.require_coder(learn_from)  # a typo should not silently mean "keywords only"
        suggester = _learned(proj, learn_from or coder, suggester, target_precision, err)
    files = _with_progress(
        err,
        len(ids),
        "Suggesting",
        lambda advance: _run(proj, coder, ids, suggester, advance),
    )
    if as_json:
        data = [sf.model_dump(mode="json", exclude_none=True) for sf in files.values()]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_suggestions(out, files, show_all)
        pending = sum(len(sf.pending()) for sf in files.values())
        err.print(
            f"{pending} pending suggestion(s) in {len(files)} transcript(s), "
            f"written to {proj.paths.suggestions / coder}"
        )
    return 0


def _run(proj: Any, coder: str, ids: list[str], suggester: Any, advance: Any) -> Any:
    from codeer.nlp.suggestions import run_suggest

    return run_suggest(proj, coder, ids, suggester=suggester, progress=advance)


def _learned(proj: Any, learn_from: str, suggester: Any, target: float, err: Console) -> Any:
    from codeer.nlp import learning

    learned = _with_progress(
        err,
        learning.fits_per_model(),
        f"Learning from {learn_from}'s codings",
        lambda advance: learning.LearnedSuggester(
            proj, suggester, learn_from, target_precision=target, progress=advance
        ),
    )
    if learned.model is None:
        err.print(f"Keywords only: {learned.reason}.")
    else:
        m = learned.model
        how = "Using the model learnt" if learned.cached else "Learned"
        err.print(
            f"{how} {len(m.codes)} code(s) from {learn_from}'s codings "
            f"(thresholds {m.high:.2f}/{m.low:.2f} for precision {target:.2f}); "
            "keywords for the rest."
        )
    return learned


def _evaluate(
    proj: Any, coder: str, suggester: Any, err: Console, learn: bool, folds: int, target: float
) -> Evaluation:
    from codeer.nlp.evaluation import evaluate, evaluation_steps

    n = len(proj.all_codings(coder))
    if n == 0:
        raise UsageError(
            f"coder '{coder}' has no codings in this project",
            hint=f"see {proj.paths.codings} for the coders",
        )
    result: Evaluation = _with_progress(
        err,
        evaluation_steps(n, learn=learn, folds=folds),
        "Evaluating",
        lambda advance: evaluate(
            proj,
            coder,
            suggester=suggester,
            progress=advance,
            learn=learn,
            folds=folds,
            target_precision=target,
        ),
    )
    return result


def _with_progress(err: Console, total: int, label: str, work: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total < 2 or not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total)
        return work(lambda n: bar.advance(task, n))


def _print_suggestions(out: Console, files: dict[str, SuggestionsFile], show_all: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    for tid, sf in files.items():
        shown = [s for s in sf.suggestions if show_all or s.status == "pending"]
        if not shown:
            continue
        with_value = any(s.value is not None for s in shown)
        table = Table(title=tid, title_justify="left", expand=True)
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("code", style="green", overflow="fold", max_width=30)
        if with_value:
            table.add_column("value", no_wrap=True)
        if show_all:
            table.add_column("status", no_wrap=True)
        table.add_column("by", no_wrap=True)
        table.add_column("sentence (evidence in bold)", overflow="fold", min_width=30, ratio=1)
        for s in sorted(shown, key=lambda x: (x.start, x.code)):
            text = Text(s.quote)
            before: list[str] = []
            for e in s.evidence:
                a, b = e.start - s.start, e.end - s.start
                if 0 <= a < b <= len(s.quote):
                    text.stylize("bold yellow", a, b)
                else:  # in a neighbouring sentence or the question (context, extension, model)
                    before.append(e.text)
            if before:
                text.append(f"  (evidence nearby: {', '.join(dict.fromkeys(before))})", style="dim")
            row: list[str | Text] = [s.id, s.code]
            if with_value:
                row.append("" if s.value is None else str(s.value))
            if show_all:
                row.append(s.status)
            row.append(f"model {s.score:.2f}" if s.source == "learned" and s.score else "keywords")
            row.append(text)
            table.add_row(*row)
        out.print(table)


def _print_evaluation(out: Console, result: Evaluation) -> None:
    from rich.table import Table

    from codeer.nlp.evaluation import Score

    method = (
        "keywords + learned (cross-validated by case)" if result.method == "learned" else "keywords"
    )
    table = Table(
        title=f"Suggestions ({method}) against coder {result.coder}: {result.transcripts} "
        f"transcripts, {result.sentences} sentences (sentence level)",
        caption="TP/FP: suggestions confirmed or not by the coder; found/FN: coder's "
        "(code, sentence) pairs suggested or missed",
    )
    for col in ("code", "TP", "FP", "found", "FN", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "code" else "right")

    def row(name: str, s: Score, style: str | None = None) -> None:
        table.add_row(
            name,
            *(str(x) for x in (s.tp, s.fp, s.found, s.fn)),
            *(f"{x:.2f}" for x in (s.precision, s.recall, s.f1)),
            style=style,
        )

    for code, s in sorted(result.per_code.items()):
        row(code, s)
    table.add_section()
    row("micro", result.micro, "bold")
    ma = result.macro
    table.add_row(
        "macro",
        "",
        "",
        "",
        "",
        *(f"{ma[k]:.2f}" for k in ("precision", "recall", "f1")),
        style="bold",
    )
    if result.baseline is not None:
        row("micro, keywords only", result.baseline.micro, "dim")
    out.print(table)
    cv = result.cross_validation
    if cv is not None:
        out.print(
            f"Learned suggestions: {cv['folds']} folds grouped by case; each fold's model and "
            f"thresholds were fitted on the other folds only (target precision "
            f"{cv['target_precision']:.2f})."
        )


def _print_curve(
    proj: Any, coder: str, suggester: Any, err: Console, out: Console, target: float, as_json: bool
) -> None:
    from statistics import fmean

    from rich.table import Table

    from codeer.nlp.evaluation import (
        LEARNING_CURVE_REPEATS,
        CurvePoint,
        learning_curve,
        learning_curve_steps,
    )

    coded = proj.all_codings(coder)
    if not coded:
        raise UsageError(
            f"coder '{coder}' has no codings in this project",
            hint=f"see {proj.paths.codings} for the coders",
        )
    n_cases = len({proj.transcript(t).case for t in coded})
    steps = learning_curve_steps(n_cases)
    points: list[CurvePoint] = _with_progress(
        err,
        steps,
        "Learning curve",
        lambda advance: learning_curve(
            proj, coder, suggester=suggester, target_precision=target, progress=advance
        ),
    )
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps([asdict(p) for p in points], indent=2, ensure_ascii=False))
        return
    table = Table(
        title=f"Learned suggestions against coder {coder} after coding n cases "
        f"(mean of {LEARNING_CURVE_REPEATS} random draws; scored on the cases not coded)",
    )
    for col in ("cases coded", "transcripts", "tested on", "precision", "recall", "F1",
                "F1 range", "keywords P", "keywords R", "keywords F1"):  # fmt: skip
        table.add_column(col, justify="right")
    for n in sorted({p.cases for p in points}):
        group = [p for p in points if p.cases == n]
        f1s = [p.learned.f1 for p in group]
        table.add_row(
            str(n),
            f"{fmean(len(p.trained_on) for p in group):.1f}",
            f"{fmean(p.tested_on for p in group):.1f}",
            f"{fmean(p.learned.precision for p in group):.2f}",
            f"{fmean(p.learned.recall for p in group):.2f}",
            f"{fmean(f1s):.2f}",
            f"{min(f1s):.2f}-{max(f1s):.2f}",
            f"{fmean(p.keywords.precision for p in group):.2f}",
            f"{fmean(p.keywords.recall for p in group):.2f}",
            f"{fmean(p.keywords.f1 for p in group):.2f}",
        )
    out.print(table)
