"""``codeer agreement``: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

The rules (units, pooling, bootstrap) are in ``codeer.agreement``'s docstring; every table states
the unit and the bootstrap settings, including what was resampled (transcripts or units).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from codeer.cli import json_option, project_option
from codeer.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from codeer.agreement import AgreementReport, Estimate, VariablesAgreement

UNDEFINED = "—"
FEW = "†"  # marks an interval from too few transcripts (see MIN_CLUSTERS)


def parse_list(text: str | None, what: str) -> list[str]:
    items = [x.strip() for x in (text or "").split(",") if x.strip()]
    if text is not None and not items:
        raise UsageError(
            f"--{what} is empty", hint=f"pass a comma-separated list, e.g. --{what} a,b"
        )
    return items


@click.command("agreement")
@project_option
@click.option("--coders", required=True, metavar="A,B[,...]", help="The coders to compare.")
@click.option(
    "--transcripts", default=None, metavar="ID,...", help="Only these transcripts (default: all)."
)
@click.option(
    "--unit",
    type=click.Choice(["sentence", "turn", "document"]),
    default="sentence",
    show_default=True,
    help="What one rating is about: a sentence, a speaker turn, or the whole interview.",
)
@click.option(
    "--resamples",
    type=click.IntRange(0, 100_000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals (0: no intervals).",
)
@click.option(
    "--resample",
    type=click.Choice(["transcript", "unit"]),
    default="transcript",
    show_default=True,
    help=(
        "What the bootstrap draws: whole transcripts with all their units (cluster bootstrap), "
        "or single units independently (narrower intervals that ignore the clustering)."
    ),
)
@click.option("--seed", type=int, default=None, help="Bootstrap seed (default: fixed).")
@json_option
def command(
    project: str,
    coders: str,
    transcripts: str | None,
    unit: str,
    resamples: int,
    resample: str,
    seed: int | None,
    as_json: bool,
) -> int:
    """Intercoder agreement per code and overall, and of the derived steunpunt variables."""
    from codeer.agreement import SEED, agreement, compare_variables
    from codeer.project import Project

    proj = Project(project)
    names = parse_list(coders, "coders")
    only = parse_list(transcripts, "transcripts") if transcripts is not None else None
    report = agreement(
        proj,
        names,
        unit=unit,  # type: ignore[arg-type]
        transcripts=only,
        n_resamples=resamples,
        seed=SEED if seed is None else seed,
        resample=resample,  # type: ignore[arg-type]
    )
    variables = compare_variables(proj, names, report.transcripts)
    documents = None
    if unit != "document":
        # what the steunpunt variables depend on: was the code used in the interview at all
        documents = agreement(proj, names, unit="document", transcripts=only, n_resamples=0)
    if as_json:
        data = report.as_dict()
        if documents is not None:
            data["document_level"] = {
                "overall": documents.overall.as_dict(),
                "codes": [c.as_dict() for c in documents.codes],
            }
        data["derived_variables"] = variables.as_dict()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return int(ExitCode.OK)
    from rich.console import Console

    out = Console()
    _print_codes(out, report)
    if documents is not None:
        o = documents.overall
        out.print(
            f"Document level (was the code used in the interview at all; --unit document for "
            f"the table): pooled over {o.n_codes} codes × {documents.n_units} documents: "
            f"{fmt_share(o.pooled.percent)} agree, "
            + (f"Cohen's κ {fmt_estimate(o.pooled.kappa)}, " if len(names) == 2 else "")
            + f"Fleiss' κ {fmt_estimate(o.pooled.fleiss)}, α {fmt_estimate(o.pooled.alpha)} "
            "(no bootstrap)",
            markup=False,
        )
    _print_variables(out, variables)
    err = Console(stderr=True, highlight=False)
    for note in report.notes + variables.notes:
        err.print(f"note: {note}", markup=False)
    return int(ExitCode.OK)


def fmt_estimate(e: Estimate, flag: str = "") -> str:
    if e.value is None:
        return UNDEFINED
    if e.low is None or e.high is None:
        return f"{e.value:.3f}"
    return f"{e.value:.3f} [{e.low:.2f}, {e.high:.2f}]{flag}"


def fmt_mean(m: float | None) -> str:
    return UNDEFINED if m is None else f"{m:.3f}"


def fmt_share(p: float | None) -> str:
    return UNDEFINED if p is None else f"{100 * p:.1f}%"


def fmt_value(v: object) -> str:
    if v is None:
        return "missing"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def describe_bootstrap(report: AgreementReport) -> str:
    """The bootstrap settings in words, the resampling scheme first."""
    if not report.n_resamples:
        return "no bootstrap"
    if report.resample == "transcript":
        what = (
            f"resampling transcripts (cluster bootstrap: {len(report.transcripts)} transcripts "
            f"drawn with replacement, each with all its {report.unit}s)"
        )
    else:
        what = f"resampling {report.unit}s (independently, ignoring their transcripts)"
    return (
        f"95% CI: percentile bootstrap, {what}, {report.n_resamples} resamples, seed {report.seed}"
    )


def _print_codes(out: Console, report: AgreementReport) -> None:
    from rich.table import Table

    from codeer.agreement import MIN_CLUSTERS

    coders = report.coders
    cohen = len(coders) == 2
    ci = describe_bootstrap(report)
    table = Table(
        title=(
            f"Agreement {' vs '.join(coders)} per code — unit: {report.unit} "
            f"(n = {report.n_units} in {len(report.transcripts)} transcripts)"
        ),
        caption=f"{ci}; {UNDEFINED} = undefined (no variation). Group codes count their descendants."
        + (
            f" {FEW} coded in fewer than {MIN_CLUSTERS} transcripts: too few clusters for the "
            "transcript interval to mean much."
            if report.resample == "transcript"
            and report.n_resamples
            and any(r.few_clusters for r in report.codes)
            else ""
        ),
    )
    table.add_column("code")
    for c in coders:
        table.add_column(f"{report.unit}s {c}", justify="right")
    table.add_column("% agree", justify="right")
    if cohen:
        table.add_column("Cohen's κ", justify="right")
    table.add_column("Fleiss' κ", justify="right")
    table.add_column("Krippendorff's α", justify="right")
    for row in report.codes:
        co = row.coefficients
        flag = FEW if report.resample == "transcript" and row.few_clusters else ""
        table.add_row(
            row.code,
            *(str(row.units_coded[c]) for c in coders),
            fmt_share(co.percent),
            *([fmt_estimate(co.kappa, flag)] if cohen else []),
            fmt_estimate(co.fleiss, flag),
            fmt_estimate(co.alpha, flag),
        )
    o = report.overall
    table.add_section()
    table.add_row(
        f"pooled ({o.n_codes} codes × {report.n_units} {report.unit}s)",
        *("" for _ in coders),
        fmt_share(o.pooled.percent),
        *([fmt_estimate(o.pooled.kappa)] if cohen else []),
        fmt_estimate(o.pooled.fleiss),
        fmt_estimate(o.pooled.alpha),
        style="bold",
    )
    counts = (f"Cohen's κ {o.n_kappa_defined}, " if cohen else "") + (
        f"Fleiss' κ {o.n_fleiss_defined}, α {o.n_alpha_defined} defined"
    )
    table.add_row(
        f"mean over codes ({counts})",
        *("" for _ in coders),
        "",
        *([fmt_mean(o.mean_kappa)] if cohen else []),
        fmt_mean(o.mean_fleiss),
        fmt_mean(o.mean_alpha),
    )
    out.print(table)


def _print_variables(out: Console, va: VariablesAgreement) -> None:
    from rich.table import Table

    if not va.steunpunten:
        return
    coders = va.coders
    table = Table(
        title=(
            f"Derived steunpunt variables, {' vs '.join(coders)} "
            f"({len(va.steunpunten)} steunpunten: {', '.join(va.steunpunten)})"
        ),
        caption=(
            f"identical: {fmt_share(va.share_identical)} of all values, "
            f"{fmt_share(va.share_identical_with_value)} where a coder has a value; "
            "derived from the transcripts both coded"
        ),
    )
    table.add_column("variable")
    table.add_column("identical", justify="right")
    table.add_column("differences")
    for row in va.per_variable():
        diffs = "; ".join(
            f"{d['steunpunt']}: "
            + " / ".join(f"{c}={fmt_value(v)}" for c, v in d["values"].items())
            for d in row["differences"]
        )
        table.add_row(
            row["variable"],
            f"{row['identical']}/{row['steunpunten']}",
            diffs,
            style="yellow" if row["differences"] else None,
        )
    out.print(table)
    if va.typology:
        tt = Table(title="Typology (werkwijze) per coder")
        tt.add_column("steunpunt")
        for c in coders:
            tt.add_column(f"type {c}")
            tt.add_column(f"descriptors {c}")
        tt.add_column("same")
        for t in va.typology:
            cells: list[Any] = []
            for v, counts in zip(t.values, t.counts, strict=True):
                cells.append(fmt_value(v) if v is not None else UNDEFINED)
                cells.append(" ".join(f"{k[:4]} {n}" for k, n in counts.items() if n))
            tt.add_row(t.steunpunt, *cells, "yes" if t.same else "no")
        out.print(tt)
