"""Deriving steunpunt variables and the werkwijze typology at scale.

A generated project: n interviews (half steunpunt, half gemeente, two per case) with 200 codings
each, drawn at random from the bundled codebook's leaf codes (valued codes get fitting values),
derived with the bundled rules (variables/regels.yaml, without its fixed list of 20 steunpunten)
and typology thresholds. Deriving is timed on codings already in memory (the core function
``codeer.variables.derive``); loading (parsing the YAML files and checking coded values) is timed
separately on a project written to a temporary folder. Goal: 1,000 interviews in <= 5 s.

    .venv/bin/python benchmarks/variables.py                    # derive 100, 1k, 10k; load 100, 1k
    .venv/bin/python benchmarks/variables.py --sizes 100 1000 --load 100 1000 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from codeer.codebook import Codebook, load_codebook
from codeer.codings import Coding
from codeer.project import Project
from codeer.rules import Rules, TypologyRules, load_rules, load_typology
from codeer.transcript import content_hash
from codeer.typology import sweep
from codeer.variables import Interview, derive, load_interviews

REPO = Path(__file__).resolve().parents[1]
PER_INTERVIEW = 200
STAMP = dt.datetime(2010, 11, 1, tzinfo=dt.UTC)


def bundled() -> tuple[Codebook, Rules, TypologyRules]:
    codebook = load_codebook(sorted((REPO / "codebooks").glob("*.yaml")))
    rules = load_rules(REPO / "variables" / "regels.yaml", codebook)
    rules = Rules(rules.path, rules.variables, None, rules.lines)  # cases from the interviews
    typology = load_typology(REPO / "variables" / "typologie.yaml", codebook)
    return codebook, rules, typology


def _leaves(codebook: Codebook) -> list[tuple[str, list[object] | None]]:
    out: list[tuple[str, list[object] | None]] = []
    for code in codebook:
        if code.children:
            continue
        values: list[object] | None = None
        if code.value is not None:
            if code.value.type == "category":
                values = list(code.value.categories)
            else:
                lo = code.value.min or 0
                hi = code.value.max if code.value.max is not None else lo + 10
                values = list(range(lo, min(hi, lo + 10) + 1))
        out.append((code.id, values))
    return out


def generate(n: int, codebook: Codebook, seed: int = 7) -> list[Interview]:
    rng = random.Random(seed)
    leaves = _leaves(codebook)
    quote = "Een zin uit het interview die deze code onderbouwt."
    out: list[Interview] = []
    for i in range(n):
        case = f"SP{i // 2:05d}"
        role = "steunpunt" if i % 2 == 0 else "gemeente"
        tid = f"{'sp' if role == 'steunpunt' else 'gem'}-{i // 2:05d}"
        codings = []
        for k in range(PER_INTERVIEW):
            code, values = leaves[rng.randrange(len(leaves))]
            codings.append(
                Coding.model_construct(
                    id=f"{i:05d}{k:03d}",
                    code=code,
                    start=k * 60,
                    end=k * 60 + len(quote),
                    quote=quote,
                    value=rng.choice(values) if values else None,
                    memo=None,
                    coder="a",
                    created=STAMP,
                    modified=STAMP,
                    anchor=None,
                )
            )
        out.append(Interview(tid, case, role, codings))
    return out


def time_derive(
    n: int, codebook: Codebook, rules: Rules, typology: TypologyRules
) -> tuple[float, float, int]:
    interviews = generate(n, codebook)
    gc.collect()
    t0 = time.perf_counter()
    d = derive(rules, interviews, codebook=codebook, typology=typology)
    elapsed = time.perf_counter() - t0
    counts = {sp: r.counts for sp, r in d.typology.items()}
    rows = len(d.table)
    del d, interviews  # the sweep needs only the counts (as in 'codeer typology --sweep')
    gc.collect()
    t1 = time.perf_counter()
    sweep(counts, typology)
    sweep_s = time.perf_counter() - t1
    return elapsed, sweep_s, rows


def write_project(root: Path, interviews: list[Interview]) -> None:
    for folder in ("codebooks", "variables", "interviews/codings/a"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for src in (REPO / "codebooks").glob("*.yaml"):
        (root / "codebooks" / src.name).write_text(src.read_text("utf-8"), "utf-8")
    body = "R: tekst\n"
    for iv in interviews:
        header = f"---\nid: {iv.transcript}\ncase: {iv.case}\nrole: {iv.role}\n---\n"
        (root / "interviews" / f"{iv.transcript}.txt").write_text(header + body, "utf-8")
        data = {
            "transcript": iv.transcript,
            "coder": "a",
            "transcript_hash": content_hash(body),
            "codings": [
                {
                    k: v
                    for k, v in c.model_dump(mode="json").items()
                    if v is not None and k != "anchor"
                }
                for c in iv.codings
            ],
        }
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        (root / "interviews" / "codings" / "a" / f"{iv.transcript}.yaml").write_text(text, "utf-8")


def time_load(n: int, codebook: Codebook) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        write_project(Path(tmp), generate(n, codebook))
        gc.collect()
        t0 = time.perf_counter()
        project = Project(tmp)
        load_interviews(project, "a")
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--load", type=int, nargs="*", default=[100, 1000])
    args = parser.parse_args(argv)
    codebook, rules, typology = bundled()
    console = Console(stderr=False)
    time_derive(4, codebook, rules, typology)  # warm up: lazy imports (pandas) are not timed

    table = Table(title=f"Derive variables + typology ({PER_INTERVIEW} codings per interview)")
    for col in (
        "interviews",
        "codings",
        "steunpunten",
        "derive s",
        "× 100",
        "µs/coding",
        "sweep s",
    ):
        table.add_column(col, justify="right")
    base: float | None = None
    for n in args.sizes:
        with console.status(f"deriving {n} interviews", spinner="dots"):
            secs, sweep_s, rows = time_derive(n, codebook, rules, typology)
        base = base or secs
        table.add_row(
            f"{n:,}",
            f"{n * PER_INTERVIEW:,}",
            f"{rows:,}",
            f"{secs:.3f}",
            f"{secs / base:.1f}",
            f"{secs / (n * PER_INTERVIEW) * 1e6:.2f}",
            f"{sweep_s:.3f}",
        )
    console.print(table)

    if args.load:
        load = Table(title="Load codings from YAML and check values (separately from deriving)")
        for col in ("interviews", "codings", "load s", "× first", "µs/coding"):
            load.add_column(col, justify="right")
        first: float | None = None
        for n in args.load:
            with console.status(f"writing and loading {n} interviews", spinner="dots"):
                secs = time_load(n, codebook)
            first = first or secs
            load.add_row(
                f"{n:,}",
                f"{n * PER_INTERVIEW:,}",
                f"{secs:.2f}",
                f"{secs / first:.1f}",
                f"{secs / (n * PER_INTERVIEW) * 1e6:.1f}",
            )
        console.print(load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
